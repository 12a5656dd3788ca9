"""Spreadsheet import: golden messages for a sheet full of mistakes, valid sheets that pass check."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from generator.cli import main
from generator.exchange.spreadsheet import (
    COLUMNS,
    format_problems,
    import_file,
    letter,
    ord_index,
    template_csv,
    template_xlsx,
)
from generator.registry.loader import check_registry, load_registry
from tests.conftest import ROOT, compare_golden

# Written against the command line's English words (the French ones: tests/test_cli_text.py).
pytestmark = pytest.mark.usefixtures("english")

SHEETS = Path(__file__).parent / "fixtures" / "spreadsheets"


def _xlsx_from_csv(source: Path, target: Path) -> Path:
    """The same rows as an XLSX, with typed cells as a spreadsheet program stores them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "services"
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8")), delimiter=";"))
    sheet.append(rows[0])
    for row in rows[1:]:
        typed: list[object] = []
        for header, cell in zip(rows[0], row, strict=True):
            if header.startswith("Âge") and cell.isdigit():
                typed.append(int(cell))
            elif header == "Vérifié le" and cell[:4].isdigit():
                typed.append(dt.datetime.fromisoformat(cell))
            else:
                typed.append(cell or None)
        sheet.append(typed)
    workbook.save(target)
    return target


def test_letters() -> None:
    assert [letter(i) for i in (0, 25, 26, 27, 51, 52)] == ["A", "Z", "AA", "AB", "AZ", "BA"]
    assert all(ord_index(letter(i)) == i for i in range(200))


@pytest.mark.parametrize("name", ["errors.csv", "bad-header.csv"])
def test_errors_golden(mini: Path, name: str, update_goldens: bool) -> None:
    result = import_file(SHEETS / name, load_registry(mini))
    assert result.organisations == ()
    compare_golden(
        SHEETS / name.replace(".csv", ".expected"), format_problems(result.problems, "en") + "\n", update_goldens
    )


def test_errors_cli_writes_nothing(mini: Path) -> None:
    result = CliRunner().invoke(main, ["-C", str(mini), "import", "csv", str(SHEETS / "errors.csv")])
    assert result.exit_code == 1
    assert "errors.csv:2:F: Besoins: unknown needs term 'homelesness' (did you mean 'homelessness'?)" in result.output
    assert "nothing written" in result.output
    assert not (mini / "data" / "registry" / "imported").exists()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_valid_sheet_passes_check(mini: Path, tmp_path: Path, kind: str) -> None:
    file = SHEETS / "valid.csv" if kind == "csv" else _xlsx_from_csv(SHEETS / "valid.csv", tmp_path / "valid.xlsx")
    result = CliRunner().invoke(main, ["-C", str(mini), "import", "csv", str(file)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (mini / "data" / "registry" / "imported").iterdir())
    assert written == ["delta.yaml", "gamma.yaml"]
    text = (mini / "data" / "registry" / "imported" / "gamma.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schema/registry.schema.json\n")
    registry, problems = check_registry(mini)
    assert registry is not None, problems
    service = registry.services["gamma-accueil"]
    assert service.needs == ["homelessness", "mental-health"]
    assert service.public.area == ["be-commune-21015", "be-commune-21013"]
    assert service.public.age is not None and service.public.age.min == 18
    assert service.public.housing == ["roofless", "houseless"]
    assert service.access.referrers == ["professional", "self"]
    assert [c.kind for c in service.contacts] == ["phone", "email", "web"]
    assert registry.services["gamma-jeunes"].verified == dt.date(2024, 1, 17)
    assert registry.services["gamma-jeunes"].public.area_approximate
    assert registry.services["delta-logement"].public.area == ["fr-commune-69266"]
    assert registry.services["delta-logement"].programme == "housing-first-programme"
    # A second import refuses to overwrite, and --force replaces the same files.
    again = CliRunner().invoke(main, ["-C", str(mini), "import", "csv", str(file)])
    assert again.exit_code == 1 and "already exists: use --force" in again.output
    forced = CliRunner().invoke(main, ["-C", str(mini), "import", "csv", str(file), "--force"])
    assert forced.exit_code == 0, forced.output


def test_templates_match_columns(mini: Path, tmp_path: Path) -> None:
    header = template_csv().decode("utf-8-sig").strip().split(";")
    assert header == [c.label for c in COLUMNS]
    (tmp_path / "modele.xlsx").write_bytes(template_xlsx())
    workbook = load_workbook(tmp_path / "modele.xlsx")
    assert [c.value for c in workbook["services"][1]] == header
    assert workbook["notice"].max_row == len(COLUMNS) + 1
    assert template_xlsx() == template_xlsx()  # reproducible bytes
    # The empty template imports as nothing, without problems.
    result = import_file(tmp_path / "modele.xlsx", load_registry(mini))
    assert result.problems == () and result.organisations == ()


def test_docs_list_every_column() -> None:
    docs = (ROOT / "docs" / "import-csv.md").read_text(encoding="utf-8")
    for index, column in enumerate(COLUMNS):
        assert f"| {letter(index)} | {column.label} | `{column.key}` |" in docs, column.key
