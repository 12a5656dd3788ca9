"""The page and asset providers the plugin calls, in order.

Each module that adds pages to the site registers its provider here (one line each).
"""

from __future__ import annotations

from ..search import search_assets
from .context import Provider

PROVIDERS: list[Provider] = [
    search_assets,
]
