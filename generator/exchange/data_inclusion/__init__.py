"""data·inclusion, France's national schema of inclusion services (PyPI ``data-inclusion-schema``,
v1 models, Licence Ouverte 2.0): export the registry as its structures and services, import
them back. ``mapping`` holds the correspondence of vocabularies and territory codes
(docs/data-inclusion.md).
"""

from .reader import DataInclusionFeed, import_data_inclusion, read
from .writer import DataInclusionExport, export_data_inclusion, export_files, write_files

__all__ = [
    "DataInclusionExport",
    "DataInclusionFeed",
    "export_data_inclusion",
    "export_files",
    "import_data_inclusion",
    "read",
    "write_files",
]
