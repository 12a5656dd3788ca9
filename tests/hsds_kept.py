"""How much of an HSDS feed survives import → export, per field (issue 21, item 4).

For each dataset of ``tests/fixtures/hsds-corpus/``: every value the reader accepted (ids
and foreign keys aside: they are renumbered by design) is looked for in our export of the
imported registry, under the same ``table.field``. A value counts as kept when the export
holds it (compared as text, each exported value matched once).

Run ``python3 -m tests.hsds_kept`` for the table; ``tests/test_hsds_kept.py`` holds the
floor per field that has a place in our model.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from generator.cli import main
from generator.exchange.hsds import read
from generator.exchange.hsds.feed import TABLE_OF_KEY

HERE = Path(__file__).parent
ROOT = HERE.parent
CORPUS = HERE / "fixtures" / "hsds-corpus"
MINI = HERE / "fixtures" / "mini"
OPTIONS = ["--need", "mental-health", "--function", "helpline", "--where", "Schaerbeek", "--source", "fixture-source"]
_IDS = {"id", "link_id", "link_type", "link_entity", "taxonomy_term_id", "taxonomy_id"}


def _identity(key: str) -> bool:
    return key in _IDS or key.endswith("_id")


def leaves(obj: Any, table: str) -> Iterator[tuple[str, str]]:
    """``(table.field, value as text)`` of every scalar of a nested HSDS object."""
    for key, value in obj.items():
        if value in (None, "", [], {}) or _identity(key):
            continue
        child = TABLE_OF_KEY.get(key)
        if child and isinstance(value, dict):
            yield from leaves(value, child)
        elif child and isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    yield from leaves(item, child)
        elif isinstance(value, list):
            for item in value:
                yield f"{table}.{key}", _text(item)
        elif not isinstance(value, dict):
            yield f"{table}.{key}", _text(value)


_CLOCK = re.compile(r"^([0-9]{2}:[0-9]{2}):00$")


def _text(value: Any) -> str:
    """A value as text, the way two writers of the same value agree (09:00:00 is 09:00)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _CLOCK.match(value.strip()):
        value = _CLOCK.sub(r"\1", value.strip())
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value.strip()


def _exported(folder: Path) -> Counter[tuple[str, str]]:
    found: Counter[tuple[str, str]] = Counter()
    for name, table in (("services.ndjson", "service"), ("organizations.ndjson", "organization")):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            found.update(leaves(json.loads(line), table))
    return found


def dataset_paths() -> dict[str, list[str]]:
    from .test_hsds_corpus import DATASETS

    return {name: paths for name, (paths, _) in DATASETS.items()}


def measure() -> tuple[Counter[str], Counter[str]]:
    """(values per field in the feeds, values found again in the export), over the corpus."""
    total: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    runner = CliRunner()
    for dataset, paths in sorted(dataset_paths().items()):
        folder = CORPUS / dataset
        feed = read([folder / p for p in paths])
        original: Counter[tuple[str, str]] = Counter()
        for service in feed.services:
            original.update(leaves(service, "service"))
        for organization in feed.organizations:
            original.update(leaves(organization, "organization"))
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp) / "mini"
            shutil.copytree(MINI, project)
            for file in (project / "data" / "registry").rglob("*.yaml"):
                file.unlink()
            # The project's accessibility vocabulary, for the locations' accessibility rows.
            shutil.copy(ROOT / "data" / "vocabularies" / "accessibility.yaml", project / "data" / "vocabularies")
            args = ["-C", str(project), "import", "hsds", *(str(folder / p) for p in paths), *OPTIONS]
            result = runner.invoke(main, args)
            assert result.exit_code == 0, result.output
            out = Path(tmp) / "out"
            args = ["-C", str(project), "export", "hsds", "--out", str(out), "--audience", "professional"]
            assert runner.invoke(main, args).exit_code == 0
            exported = _exported(out)
        for (name, value), n in original.items():
            total[name] += n
            kept[name] += min(n, exported[(name, value)])
    return total, kept


def measure_import() -> tuple[Counter[str], Counter[str]]:
    """The import's own side, from its summary: (values per field, values kept or converted
    into our model), over the corpus (a field's "dropped" includes what has no place)."""
    import datetime as dt

    from generator.exchange.hsds import ImportDefaults, import_hsds
    from generator.registry.loader import load_registry

    total: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "mini"
        shutil.copytree(MINI, project)
        shutil.copy(ROOT / "data" / "vocabularies" / "accessibility.yaml", project / "data" / "vocabularies")
        registry = load_registry(project)
    defaults = ImportDefaults(
        ("mental-health",), ("helpline",), ("be-commune-21015",), "fixture-source", dt.date.today()
    )
    for dataset, paths in sorted(dataset_paths().items()):
        feed = read([CORPUS / dataset / p for p in paths])
        result = import_hsds(feed.services, feed.organizations, registry, defaults, feed)
        for (name, outcome), n in result.tally.items():
            if "." not in name or name.split(".", 1)[1] in _IDS or name.endswith("_id") or "(" in name:
                continue
            if outcome in ("kept", "dropped"):
                total[name] += n
            if outcome == "kept":
                kept[name] += n
    return total, kept


def table(total: Counter[str], kept: Counter[str]) -> str:
    width = max(map(len, total))
    lines = [f"{'field'.ljust(width)}  values  kept  rate"]
    for name in sorted(total):
        lines.append(f"{name.ljust(width)}  {total[name]:6}  {kept[name]:4}  {kept[name] / total[name]:4.0%}")
    all_total, all_kept = sum(total.values()), sum(kept.values())
    lines.append(f"{'all'.ljust(width)}  {all_total:6}  {all_kept:4}  {all_kept / all_total:4.0%}")
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:] == ["import"]:
        sys.stdout.write(table(*measure_import()) + "\n")
    else:
        sys.stdout.write(table(*measure()) + "\n")
