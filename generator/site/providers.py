"""The page and asset providers the plugin calls, in order.

Each module that adds pages to the site registers its provider here (one line each).
"""

from __future__ import annotations

from .accessibility_page import accessibility_page
from .context import Provider
from .downloads import downloads
from .downloads_hsds import hsds_downloads
from .gaps_page import gaps_pages
from .map_page import map_page
from .maps import service_map_assets
from .orient_page import orient_page
from .pages import function_pages, home_page, need_pages, organisation_pages, service_pages
from .search import search_assets
from .selection_page import selection_page
from .territory_pages import territory_pages
from .words import words_assets

PROVIDERS: list[Provider] = [
    home_page,
    service_pages,
    service_map_assets,
    organisation_pages,
    territory_pages,
    need_pages,
    function_pages,
    downloads,
    hsds_downloads,
    map_page,
    gaps_pages,
    orient_page,
    search_assets,
    words_assets,
    accessibility_page,
    selection_page,
]
