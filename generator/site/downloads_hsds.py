"""Site assets: the HSDS 3.0 export and the spreadsheet import template, under downloads/.

The downloads page links to these fixed URIs (relative to the site root):

- ``downloads/hsds/maillage-hsds.zip``: the whole export in one file (what
  ``maillage export hsds`` writes);
- ``downloads/hsds/datapackage/datapackage.json``: the tabular package's descriptor;
- for a small registry (``LOOSE_LIMIT``), also its files one by one:
  ``downloads/hsds/services.ndjson``, ``downloads/hsds/organizations.ndjson`` and one CSV
  per table beside ``datapackage.json``. A national directory's export is tens or hundreds
  of megabytes (70 MB at 2,000 services): loose beside the zip, it would count twice
  against the host's size limit, for files nobody fetches one by one;
- ``downloads/modele-import.xlsx`` and ``downloads/modele-import.csv``: the template of
  ``maillage import csv``.

The registry in the context is already filtered for the build's audience, so a public
site's export holds no professional-only contact.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Protocol

from ..exchange.hsds import registry_zip
from ..exchange.hsds.writer import Memo
from ..exchange.spreadsheet import template_csv, template_xlsx
from ..registry.loader import Registry
from .context import Asset, GeneratedPage, SiteContext

HSDS_DIR = "downloads/hsds/"
HSDS_ZIP = HSDS_DIR + "maillage-hsds.zip"
TEMPLATE_XLSX = "downloads/modele-import.xlsx"
TEMPLATE_CSV = "downloads/modele-import.csv"
DESCRIPTOR = "datapackage/datapackage.json"
LOOSE_LIMIT = 300
"""Up to this many services, the export's files are also published one by one (the shipped
registry's are 2 MB); past it (35 KB per service), only the zip and the descriptor."""


class BuildMemo(Memo, Protocol):
    """A memo a build keeps for the export (``site/hsds_memo.py``), tidied once it is done."""

    def done(self) -> int: ...


MemoFor = Callable[[Registry], BuildMemo]
_MEMO: ContextVar[MemoFor | None] = ContextVar("hsds_memo", default=None)


@contextlib.contextmanager
def export_memo(memo_for: MemoFor | None) -> Iterator[None]:
    """While the block runs, ``hsds_downloads`` exports through the memo ``memo_for`` gives
    for its registry (``maillage build``'s cache, ``ProviderCache.export_memo``)."""
    token = _MEMO.set(memo_for)
    try:
        yield
    finally:
        _MEMO.reset(token)


def loose_files(ctx: SiteContext) -> bool:
    """Whether the HSDS files are published one by one besides the zip (a small export)."""
    return len(ctx.registry.services) <= LOOSE_LIMIT


def hsds_downloads(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """The HSDS files and the import templates, once per build (with the first language)."""
    if ctx.lang != ctx.config.languages[0]:
        return
    memo_for = _MEMO.get()
    memo = memo_for(ctx.registry) if memo_for is not None else None
    loose = loose_files(ctx)
    archive, files = registry_zip(ctx.registry, memo, lambda name: loose or name == DESCRIPTOR)
    if memo is not None:
        memo.done()
    for name, data in files.items():
        yield Asset(HSDS_DIR + name, data)
    yield Asset(HSDS_ZIP, archive)
    yield Asset(TEMPLATE_XLSX, template_xlsx())
    yield Asset(TEMPLATE_CSV, template_csv())
