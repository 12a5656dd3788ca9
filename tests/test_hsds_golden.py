"""The HSDS bytes are a contract: the export of the small registry, file by file, as a golden.

Written by the code before the package moved to generator/{registry,analysis,exchange,site}/
(087beaf) and unchanged since; a change here is a change consumers see (their UUIDs, columns,
order). Rewrite it with ``--update-goldens`` only for an export change meant as such.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from generator.exchange.hsds import export_files, export_hsds
from generator.registry.loader import for_audience, load_registry

from .conftest import MINI, compare_golden

GOLDEN = Path(__file__).resolve().parent / "golden" / "hsds" / "mini-public.sha256"


def digest(files: dict[str, bytes]) -> str:
    """One line per file, in name order: its sha256 and size, as ``sha256sum`` would print."""
    return "".join(
        f"{hashlib.sha256(files[name]).hexdigest()}  {len(files[name]):>8}  {name}\n" for name in sorted(files)
    )


def test_hsds_export_bytes_are_unchanged(update_goldens: bool) -> None:
    files = export_files(export_hsds(for_audience(load_registry(MINI), "public")))
    compare_golden(GOLDEN, digest(files), update_goldens)
