"""The page and asset providers the plugin calls, in order.

Each module that adds pages to the site registers its provider here (one line each).
"""

from __future__ import annotations

from ..search import search_assets
from .context import Provider
from .downloads_hsds import hsds_downloads
from .gaps_page import gaps_pages
from .map_page import map_page
from .orient_page import orient_page

PROVIDERS: list[Provider] = [
    map_page,
    gaps_pages,
    orient_page,
    hsds_downloads,
    search_assets,
]
