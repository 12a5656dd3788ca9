"""The browser's words: ``assets/maillage/words/<lang>.json``, compiled from the catalogues.

The scripts of ``assets/`` hold no label table: they read the ``js.`` keys of the page's
language from this file (``generator/locale``'s ``browser_words``), written at every build.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import locale
from .context import Asset, SiteContext

WORDS_DIR = "assets/maillage/words"


def words_uri(lang: str) -> str:
    return f"{WORDS_DIR}/{lang}.json"


def words_assets(ctx: SiteContext) -> Iterator[Asset]:
    """One file per language, once (the French build's turn)."""
    if ctx.prefix:
        return
    for lang in locale.LANGUAGES:
        yield Asset(uri=words_uri(lang), content=locale.browser_json(lang))
