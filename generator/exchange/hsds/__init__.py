"""Open Referral HSDS 3.0: export the registry, import it back, check tabular packages.

Export: every service becomes one fully nested HSDS ``service`` object (and every
organisation one ``organization``), ids are UUIDs derived from our ids (uuid5 with a fixed
namespace, so two exports of the same registry are byte-identical). The criteria HSDS has
fields for go there (``minimum_age``, ``eligibility_description``, ``service_areas``,
``assured_date``…); our vocabularies become taxonomies (``maillage-needs``,
``maillage-functions``…); whatever HSDS has no field for is kept, not dropped, as an
attribute of the ``maillage`` taxonomy whose term code is the field's path
(``maillage:public.conditions.crisis_accepted``) and whose value is the field's value.
That is what makes the round trip registry → HSDS → registry lossless.

Import reads such objects (from ``services.ndjson`` or a tabular data package), maps the
HSDS fields back, and reports what it could not map.

The package is in three steps and what they share: ``common`` (ids, columns, the flattening
into attributes), ``writer`` (export, tabular package, its check), ``reader`` (reading and
import) and ``files`` (the imported organisations written as registry YAML files).
"""

from .common import NAMESPACE, Json, hsds_id
from .feed import Feed, read_feed
from .files import SCHEMA_FILE, ImportRefused, conflicts, organisation_yaml, schema_line_for, write_organisations
from .reader import (
    HsdsReadError,
    ImportDefaults,
    ImportedFile,
    ImportResult,
    import_hsds,
    read,
    read_hsds,
    summary_lines,
)
from .writer import (
    HsdsExport,
    check_tables,
    export_files,
    export_hsds,
    registry_files,
    registry_zip,
    write_export,
    write_files,
    zip_bytes,
)

__all__ = [
    "NAMESPACE",
    "SCHEMA_FILE",
    "Feed",
    "HsdsExport",
    "HsdsReadError",
    "ImportDefaults",
    "ImportRefused",
    "ImportResult",
    "ImportedFile",
    "Json",
    "check_tables",
    "conflicts",
    "export_files",
    "export_hsds",
    "hsds_id",
    "import_hsds",
    "organisation_yaml",
    "read",
    "read_feed",
    "read_hsds",
    "registry_files",
    "registry_zip",
    "schema_line_for",
    "summary_lines",
    "write_export",
    "write_files",
    "write_organisations",
    "zip_bytes",
]
