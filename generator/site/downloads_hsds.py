"""Site assets: the HSDS 3.0 export and the spreadsheet import template, under downloads/.

The downloads page links to these fixed URIs (relative to the site root):

- ``downloads/hsds/services.ndjson`` and ``downloads/hsds/organizations.ndjson``;
- ``downloads/hsds/datapackage/datapackage.json`` and one CSV per table beside it;
- ``downloads/hsds/maillage-hsds.zip``: all of the above in one file;
- ``downloads/modele-import.xlsx`` and ``downloads/modele-import.csv``: the template of
  ``maillage import csv``.

The registry in the context is already filtered for the build's audience, so a public
site's export holds no professional-only contact.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..exchange.hsds import registry_files, zip_bytes
from ..exchange.spreadsheet import template_csv, template_xlsx
from .context import Asset, GeneratedPage, SiteContext

HSDS_DIR = "downloads/hsds/"
HSDS_ZIP = HSDS_DIR + "maillage-hsds.zip"
TEMPLATE_XLSX = "downloads/modele-import.xlsx"
TEMPLATE_CSV = "downloads/modele-import.csv"


def hsds_downloads(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """The HSDS files and the import templates, once per build (with the first language)."""
    if ctx.lang != ctx.config.languages[0]:
        return
    files = registry_files(ctx.registry)
    for name, data in files.items():
        yield Asset(HSDS_DIR + name, data)
    yield Asset(HSDS_ZIP, zip_bytes(files))
    yield Asset(TEMPLATE_XLSX, template_xlsx())
    yield Asset(TEMPLATE_CSV, template_csv())
