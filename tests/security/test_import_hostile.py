"""Hostile imports: ``maillage import csv|hsds`` on files made to crash, exhaust or escape.

Each case runs the real command and must end with exit 1, one positioned message (the
golden file in ``tests/fixtures/hostile-import/``), no traceback and nothing written in
``data/registry/``. The cases that used to exhaust memory run in a subprocess limited to
1 GiB of address space. The last tests are about writing: an import never writes through
a symbolic link, nor outside ``data/registry/``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from generator.cli import main
from generator.exchange.hsds import (
    ImportDefaults,
    ImportRefused,
    import_hsds,
    organisation_yaml,
    read_hsds,
    write_organisations,
)
from generator.exchange.spreadsheet import COLUMNS, import_file, import_sheet
from generator.exchange.untrusted import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_INPUT_BYTES,
    MAX_ROWS,
    MAX_TABLE_ROWS,
    MAX_ZIP_MEMBERS,
    InputError,
)
from generator.registry.loader import load_registry

from ..conftest import MINI, compare_golden
from ..test_hsds import FOREIGN_SERVICE

# Written against the command line's English words (the French ones: tests/test_cli_text.py).
pytestmark = pytest.mark.usefixtures("english")

GOLDEN = Path(__file__).parent.parent / "fixtures" / "hostile-import"
SHEETS = Path(__file__).parent.parent / "fixtures" / "spreadsheets"
MEMORY_LIMIT = 1024 * 1024 * 1024  # 1 GiB of address space, as tests/test_hostile.py
TIME_LIMIT = 120

VALID_CSV = (SHEETS / "valid.csv").read_text(encoding="utf-8")
MINI_REGISTRY = load_registry(MINI)
HEADER, FIRST_ROW = VALID_CSV.splitlines()[:2]


def _csv_with(change: Callable[[list[str]], None]) -> str:
    """The header and the first valid row, with ``change`` applied to the row's cells."""
    cells = FIRST_ROW.split(";")
    change(cells)
    return f"{HEADER}\n{';'.join(cells)}\n"


def _set(column: str, value: str) -> Callable[[list[str]], None]:
    index = [c.key for c in COLUMNS].index(column)

    def change(cells: list[str]) -> None:
        cells[index] = value

    return change


def _service(**fields: object) -> dict[str, object]:
    service: dict[str, object] = {"id": "s1", "name": "Permanence", "description": "Écouter."}
    service.update(fields)
    return service


def _ndjson(*objects: object) -> bytes:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode("utf-8")


def _table(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _package(tables: dict[str, bytes]) -> dict[str, bytes]:
    return {"package/datapackage.json": b"{}", **{f"package/{name}": data for name, data in tables.items()}}


SERVICE_HEADER = ["id", "organization_id", "name", "description", "minimum_age", "maximum_age"]

# name -> (files to create, the command's arguments after `import`)
CASES: dict[str, tuple[dict[str, bytes], list[str]]] = {
    # --- spreadsheets
    "csv-empty-service-id": (
        {"sheet.csv": _csv_with(_set("service_id", "")).encode("utf-8")},
        ["csv", "sheet.csv"],
    ),
    "csv-byte-undefined-in-cp1252": (
        {"sheet.csv": _csv_with(_set("service_name", "Accueil @@")).encode("cp1252").replace(b"@@", b"\x81")},
        ["csv", "sheet.csv"],
    ),
    "csv-cell-over-128-kib": (
        {"sheet.csv": _csv_with(_set("objective", "x" * (MAX_CELL_CHARS + 1))).encode("utf-8")},
        ["csv", "sheet.csv"],
    ),
    "csv-too-many-columns": (
        {"sheet.csv": (HEADER + "\n" + FIRST_ROW + ";" * MAX_COLUMNS + "x\n").encode("utf-8")},
        ["csv", "sheet.csv"],
    ),
    "csv-too-many-rows": (
        {"sheet.csv": (HEADER + "\n" + "x\n" * MAX_ROWS).encode("utf-8")},
        ["csv", "sheet.csv"],
    ),
    # --- HSDS, NDJSON
    "hsds-latin-1": (
        {"services.ndjson": _ndjson(_service()).decode("utf-8").encode("latin-1")},
        ["hsds", "services.ndjson"],
    ),
    "hsds-deep-json": (
        {"services.ndjson": b'{"id": "s1", "name": ' + b"[" * 100_000 + b"\n"},
        ["hsds", "services.ndjson"],
    ),
    "hsds-nan-age": (
        {"services.ndjson": _ndjson(_service()).replace(b'"id"', b'"minimum_age": NaN, "id"')},
        ["hsds", "services.ndjson"],
    ),
    "hsds-infinite-latitude": (
        {
            "services.ndjson": _ndjson(
                _service(service_at_locations=[{"location": {"name": "Lieu", "latitude": 0}}])
            ).replace(b'"latitude": 0', b'"latitude": -Infinity')
        },
        ["hsds", "services.ndjson"],
    ),
    "hsds-text-age": ({"services.ndjson": _ndjson(_service(maximum_age="douze"))}, ["hsds", "services.ndjson"]),
    "hsds-fractional-age": ({"services.ndjson": _ndjson(_service(minimum_age=17.5))}, ["hsds", "services.ndjson"]),
    "hsds-phones-not-a-list": ({"services.ndjson": _ndjson(_service(phones="0470"))}, ["hsds", "services.ndjson"]),
    "hsds-organization-not-an-object": (
        {"services.ndjson": _ndjson(_service(organization="Asbl"))},
        ["hsds", "services.ndjson"],
    ),
    "hsds-taxonomy-not-a-text": (
        {"services.ndjson": _ndjson(_service(attributes=[{"taxonomy_term": {"code": "x", "taxonomy": 7}}]))},
        ["hsds", "services.ndjson"],
    ),
    "hsds-lone-surrogate": (
        {"services.ndjson": _ndjson(_service()).replace(b'"Permanence"', b'"Perm\\ud800"')},
        ["hsds", "services.ndjson"],
    ),
    "hsds-huge-integer": (
        {"services.ndjson": _ndjson(_service()).replace(b'"id"', b'"minimum_age": ' + b"9" * 5000 + b', "id"')},
        ["hsds", "services.ndjson"],
    ),
    # --- HSDS, tabular data package
    "hsds-table-nan-age": (
        _package({"services.csv": _table([SERVICE_HEADER, ["s1", "o1", "Permanence", "Écouter.", "nan", ""]])}),
        ["hsds", "package"],
    ),
    "hsds-table-text-age": (
        _package({"services.csv": _table([SERVICE_HEADER, ["s1", "o1", "Permanence", "Écouter.", "", "vingt"]])}),
        ["hsds", "package"],
    ),
    "hsds-table-latin-1": (
        _package(
            {
                "services.csv": _table([SERVICE_HEADER, ["s1", "o1", "Permanence", "Écouter.", "", ""]])
                .decode()
                .encode("latin-1")
            }
        ),
        ["hsds", "package"],
    ),
    "hsds-table-cell-over-128-kib": (
        _package({"services.csv": _table([SERVICE_HEADER, ["s1", "o1", "P", "x" * (MAX_CELL_CHARS + 1), "", ""]])}),
        ["hsds", "package"],
    ),
}


def _write(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def _registry_files(project: Path) -> dict[str, bytes]:
    folder = project / "data" / "registry"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_import(
    case: str, mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_goldens: bool
) -> None:
    files, args = CASES[case]
    inputs = tmp_path / "inputs"
    _write(inputs, files)
    before = _registry_files(mini)
    monkeypatch.chdir(inputs)  # messages name the input as it was given
    result = CliRunner().invoke(main, ["-C", str(mini), "import", *args])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), "never a traceback"
    assert "Traceback" not in result.output
    assert _registry_files(mini) == before, "nothing written"
    compare_golden(GOLDEN / f"{case}.expected", result.output, update_goldens)


def test_corpus_has_no_stale_golden() -> None:
    names = {p.stem for p in GOLDEN.glob("*.expected")}
    assert names <= set(CASES) | set(BOUNDED)


# --- in bounded memory ------------------------------------------------------------------


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _zip(target: Path, members: dict[str, list[tuple[bytes, int]]]) -> None:
    """A zip whose members are pieces each repeated some times, written as a stream."""
    with zipfile.ZipFile(target, "w") as archive:
        for name, pieces in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED  # a ZipInfo's own default is to store
            with archive.open(info, "w", force_zip64=True) as member:
                for piece, times in pieces:
                    for _ in range(times):
                        member.write(piece)


def _hsds_zip_bomb(folder: Path) -> list[str]:
    # 1.1 GiB of one CSV row repeated: a zip of 2.8 MB.
    header = ",".join(SERVICE_HEADER).encode() + b"\n"
    rows = b"s1,o1,Permanence,Ecouter,18,\n" * 40_000
    _zip(folder / "bomb.zip", {"datapackage/services.csv": [(header, 1), (rows, 1_000)]})
    return ["hsds", "bomb.zip"]


def _hsds_zip_members(folder: Path) -> list[str]:
    _zip(folder / "many.zip", {f"datapackage/t{i}.csv": [(b"id\n", 1)] for i in range(MAX_ZIP_MEMBERS + 1)})
    return ["hsds", "many.zip"]


def _xlsx(target: Path, rows: list[list[object]], dimension: bytes, padding: int = 0, last_row: int = 0) -> None:
    """An XLSX of ``rows`` whose sheet declares ``dimension``, ``padding`` spaces inside
    its XML (a bomb when large), and a cell in row ``last_row`` if given."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "services"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(buffer)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension ref=")
                end = data.index(b"/>", start)
                data = data[:start] + b'<dimension ref="' + dimension + b'"' + data[end:]
                far = f'<row r="{last_row}"><c r="A{last_row}" t="inlineStr"><is><t>x</t></is></c></row>'
                data = data.replace(
                    b"</sheetData>", b" " * padding + (far.encode() if last_row else b"") + b"</sheetData>"
                )
            archive.writestr(info.filename, data)


def _header_and_row() -> list[list[object]]:
    return [[c.label for c in COLUMNS], next(csv.reader([FIRST_ROW], delimiter=";"))]


def _xlsx_last_row(folder: Path) -> list[str]:
    _xlsx(folder / "tall.xlsx", _header_and_row(), b"A1:XFD1048576", last_row=1_048_576)
    return ["csv", "tall.xlsx"]


def _xlsx_bomb(folder: Path) -> list[str]:
    _xlsx(folder / "bomb.xlsx", _header_and_row(), b"A1:W2", padding=100 * 1024 * 1024)
    return ["csv", "bomb.xlsx"]


def _csv_one_wide_row(folder: Path) -> list[str]:
    # 31 MiB of "ab;": one row of ten million cells, built whole by the csv module.
    (folder / "wide.csv").write_text(HEADER + "\n" + "ab;" * (31 * 1024 * 1024 // 3) + "\n", encoding="utf-8")
    return ["csv", "wide.csv"]


def _table_of_tiny_rows(folder: Path) -> list[str]:
    rows = "".join(f"a{i},s{i % 1000},{i}\n" for i in range(MAX_TABLE_ROWS + 1))
    _write(folder, _package({"attributes.csv": b"id,link_id,value\n" + rows.encode()}))
    return ["hsds", "package"]


def _ndjson_empty_objects(folder: Path) -> list[str]:
    # 31 MiB of "{}" lines: ten million dictionaries, 64 bytes each, from 3 bytes of text.
    (folder / "services.ndjson").write_bytes(b"{}\n" * (31 * 1024 * 1024 // 3))
    return ["hsds", "services.ndjson"]


def _ndjson_one_line_of_lists(folder: Path) -> list[str]:
    (folder / "services.ndjson").write_bytes(b'{"id": "s1", "a": [' + b"[]," * (31 * 1024 * 1024 // 3) + b"[]]}\n")
    return ["hsds", "services.ndjson"]


def _csv_too_large(folder: Path) -> list[str]:
    (folder / "sheet.csv").write_text(HEADER + "\n" + "x;" * (MAX_INPUT_BYTES // 2), encoding="utf-8")
    return ["csv", "sheet.csv"]


def _zip_too_large(folder: Path) -> list[str]:
    with zipfile.ZipFile(folder / "large.zip", "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("datapackage/notes.txt", os.urandom(MAX_INPUT_BYTES))
    return ["hsds", "large.zip"]


BOUNDED: dict[str, Callable[[Path], list[str]]] = {
    "csv-too-large": _csv_too_large,
    "hsds-zip-too-large": _zip_too_large,
    "hsds-ndjson-ten-million-objects": _ndjson_empty_objects,
    "hsds-ndjson-ten-million-lists-in-one-line": _ndjson_one_line_of_lists,
    "csv-ten-million-cells": _csv_one_wide_row,
    "hsds-table-too-many-rows": _table_of_tiny_rows,
    "hsds-zip-bomb": _hsds_zip_bomb,
    "hsds-zip-too-many-members": _hsds_zip_members,
    "xlsx-cell-in-row-1048576": _xlsx_last_row,
    "xlsx-inflates-past-the-limit": _xlsx_bomb,
}


def _import_in_subprocess(project: Path, cwd: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "-C", str(project), "import", *args],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limits,
        cwd=cwd,
    )


@pytest.mark.parametrize("case", sorted(BOUNDED))
def test_bounded_import(case: str, mini: Path, tmp_path: Path, update_goldens: bool) -> None:
    args = BOUNDED[case](tmp_path)
    before = _registry_files(mini)
    result = _import_in_subprocess(mini, tmp_path, args)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert _registry_files(mini) == before
    compare_golden(GOLDEN / f"{case}.expected", result.stdout + result.stderr, update_goldens)


@pytest.mark.parametrize("far_cell", [False, True])
def test_xlsx_declaring_the_whole_sheet_imports_its_cells(mini: Path, tmp_path: Path, far_cell: bool) -> None:
    """A 6 KB XLSX declaring `A1:XFD1048576`, its service on row 40,000, is read by its
    cells in bounded memory (openpyxl padded each of the 40,000 rows to 16,384 cells);
    a cell in column XFD (beyond MAX_COLUMNS, under no header) is not read."""
    header, row = _header_and_row()
    if far_cell:
        row += [None] * (16_383 - len(row)) + ["x"]
    _xlsx(tmp_path / "sheet.xlsx", [header, *[[]] * 39_998, row], b"A1:XFD1048576")
    assert (tmp_path / "sheet.xlsx").stat().st_size < 10_000
    result = _import_in_subprocess(mini, tmp_path, ["csv", "sheet.xlsx"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert (mini / "data" / "registry" / "imported" / "gamma.yaml").is_file()


# --- writing: never through a link, never outside data/registry/ ------------------------


def test_cli_does_not_write_through_a_dangling_link(mini: Path, tmp_path: Path) -> None:
    imported = mini / "data" / "registry" / "imported"
    imported.mkdir()
    outside = tmp_path / "outside.yaml"
    (imported / "gamma.yaml").symlink_to(outside)
    for extra in ([], ["--force"]):
        result = CliRunner().invoke(main, ["-C", str(mini), "import", "csv", str(SHEETS / "valid.csv"), *extra])
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit), "never a traceback"
        assert not outside.exists() and not outside.is_symlink()
        assert not (imported / "delta.yaml").exists(), "all or nothing"


@pytest.mark.parametrize("force", [False, True])
def test_write_refuses_links(mini: Path, tmp_path: Path, force: bool) -> None:
    registry = load_registry(mini)
    organisations = import_file(SHEETS / "valid.csv", registry).organisations
    imported = mini / "data" / "registry" / "imported"
    imported.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "kept.yaml").write_text("kept\n", encoding="utf-8")
    # A dangling link, and a link to an existing file.
    (imported / "gamma.yaml").symlink_to(tmp_path / "created.yaml")
    (imported / "delta.yaml").symlink_to(outside / "kept.yaml")
    with pytest.raises(ImportRefused) as refused:
        write_organisations(organisations, registry, imported, force=force, lang="en")
    assert refused.value.problems == [
        f"{imported / name}: a symbolic link: an import never writes through one [import-symlink]"
        for name in ("gamma.yaml", "delta.yaml")
    ]
    assert not (tmp_path / "created.yaml").exists()
    assert (outside / "kept.yaml").read_text(encoding="utf-8") == "kept\n"
    assert sorted(p.name for p in imported.iterdir()) == ["delta.yaml", "gamma.yaml"]


@pytest.mark.parametrize("how", ["linked-folder", "dangling-folder", "out-elsewhere", "dot-dot"])
def test_write_stays_in_the_registry_folder(mini: Path, tmp_path: Path, how: str) -> None:
    registry = load_registry(mini)
    organisations = import_file(SHEETS / "valid.csv", registry).organisations
    outside = tmp_path / "outside"
    target = mini / "data" / "registry" / "imported"
    if how == "linked-folder":
        outside.mkdir()
        target.symlink_to(outside, target_is_directory=True)
    elif how == "dangling-folder":
        target.symlink_to(outside, target_is_directory=True)
    elif how == "out-elsewhere":
        target = outside
    else:
        target = mini / "data" / "registry" / ".." / ".." / "outside"
    with pytest.raises(ImportRefused) as refused:
        write_organisations(organisations, registry, target, force=True, lang="en")
    (problem,) = refused.value.problems
    assert problem.endswith(
        "outside data/registry/ (symbolic links resolved): imports write only there [import-outside]"
    )
    assert not outside.exists() or not any(outside.iterdir())
    assert not (mini / "outside").exists()


def test_force_replaces_a_file_in_place(mini: Path) -> None:
    """--force still replaces a regular file (through a new file renamed over it)."""
    registry = load_registry(mini)
    organisations = import_file(SHEETS / "valid.csv", registry).organisations
    imported = mini / "data" / "registry" / "imported"
    imported.mkdir()
    (imported / "gamma.yaml").write_text("old\n", encoding="utf-8")
    written = write_organisations(organisations, registry, imported, force=True)
    assert [p.name for p in written] == ["gamma.yaml", "delta.yaml"]
    assert (imported / "gamma.yaml").read_text(encoding="utf-8").startswith("# yaml-language-server")
    assert sorted(os.listdir(imported)) == ["delta.yaml", "gamma.yaml"], "no temporary file left"


# --- property tests: values of any JSON type anywhere give a message, never a traceback ---

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=5,
)


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hsds_values_of_any_type_never_raise(data: st.DataObject, tmp_path: Path) -> None:
    service = json.loads(json.dumps(FOREIGN_SERVICE))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(service)))
        holder = service
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = data.draw(JSON_VALUES)
    file = tmp_path / "services.ndjson"
    file.write_text(json.dumps(service) + "\n", encoding="utf-8")
    try:
        services, organizations = read_hsds(file)
    except InputError as exc:
        assert str(exc).startswith(f"{file}:1"), exc
        return
    defaults = ImportDefaults(needs=("mental-health",), functions=("helpline",), source="fixture-source")
    result = import_hsds(services, organizations, MINI_REGISTRY, defaults)
    for imported in result.organisations:
        organisation_yaml(imported.organisation, "# schema")


SHEET_VALUES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | st.datetimes()


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_sheet_cells_of_any_type_never_raise(data: st.DataObject) -> None:
    rows = [list(r) for r in csv.reader(io.StringIO(VALID_CSV), delimiter=";")]
    for _ in range(data.draw(st.integers(1, 4))):
        row = data.draw(st.integers(0, len(rows) - 1))
        column = data.draw(st.integers(0, len(rows[row]) - 1))
        rows[row][column] = data.draw(SHEET_VALUES)
    result = import_sheet(rows, MINI_REGISTRY, "sheet.xlsx")
    assert result.problems or result.organisations
