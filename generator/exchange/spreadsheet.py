"""Import services from a spreadsheet (CSV or XLSX): one row per service.

The column layout is documented in ``docs/import-csv.md`` and ``COLUMNS`` below; the
header row may use the French label or the key of each column, in any order. Every
problem is reported as ``file:row:column: header: message`` where ``column`` is the
spreadsheet's column letter (A, B… AA) and ``row`` its row number, as the spreadsheet
program shows them; nothing is written while there is any problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..registry.loader import Registry, friendly
from ..registry.models import Organisation
from ..registry.territories import PlaceError
from ..registry.text import did_you_mean, fold
from .untrusted import (
    MAX_COLUMNS,
    MAX_XLSX_BYTES,
    InputError,
    blank,
    bounded_rows,
    check_zip,
    csv_position,
    csv_rows,
    decode,
    letter,
    read_bytes,
)


@dataclass(frozen=True)
class Column:
    """One column of the import spreadsheet."""

    key: str
    label: str  # the French header of the template
    required: bool
    help: str  # French, for the template's notice and the docs
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "organisation_id",
        "Identifiant organisation",
        True,
        "Identifiant stable : minuscules, chiffres, tirets.",
        "asbl-exemple",
    ),
    Column(
        "organisation_name",
        "Nom organisation",
        False,
        "Obligatoire sur la première ligne d'une organisation.",
        "Asbl Exemple",
    ),
    Column(
        "service_id", "Identifiant service", True, "Identifiant stable et unique du service.", "asbl-exemple-accueil"
    ),
    Column("service_name", "Nom service", True, "Nom du service.", "Accueil de jour"),
    Column(
        "objective", "Objectif", True, "L'objectif du service, en une ou deux phrases.", "Accueillir sans rendez-vous."
    ),
    Column(
        "needs",
        "Besoins",
        True,
        "Besoins couverts : identifiants ou libellés, séparés par « ; ».",
        "mental-health; homelessness",
    ),
    Column(
        "functions",
        "Fonctions",
        True,
        "Fonctions exercées : identifiants ou libellés, séparés par « ; ».",
        "case-management",
    ),
    Column("summary", "Pour qui", False, "Le public, en une ligne.", "Adultes sans logement"),
    Column("age_min", "Âge minimum", False, "Âge minimum admis (inclus), en années.", "18"),
    Column("age_max", "Âge maximum", False, "Âge maximum admis (inclus), en années.", ""),
    Column(
        "area", "Territoires", True, "Codes, noms de communes ou codes postaux, séparés par « ; ».", "Schaerbeek; 1050"
    ),
    Column(
        "area_approximate",
        "Zone approximative",
        False,
        "oui si la zone est déduite (p. ex. la seule ville citée).",
        "non",
    ),
    Column(
        "housing",
        "Logement",
        False,
        "Situations de logement admises (ETHOS), séparées par « ; ».",
        "roofless; houseless",
    ),
    Column(
        "referrers", "Qui peut demander", False, "self, relative, professional (ou leurs libellés).", "professional"
    ),
    Column("access", "Comment y faire appel", False, "Comment faire la demande.", "Par téléphone."),
    Column("phone", "Téléphone", False, "Numéro(s) public(s), séparés par « ; ».", "+32 2 000 00 00"),
    Column("email", "E-mail", False, "Adresse(s) e-mail publique(s).", "accueil@exemple.org"),
    Column("web", "Site web", False, "Adresse web (https://…).", "https://exemple.org"),
    Column("languages", "Langues", False, "Codes de langues (fr, nl, en…), séparés par « ; ».", "fr; nl"),
    Column("programme", "Programme", False, "Identifiant d'un programme de data/programmes.yaml.", ""),
    Column("note", "Remarque", False, "Remarque libre (p. ex. une contradiction entre sources).", ""),
    Column("source", "Source", True, "Identifiant d'une source de data/sources.yaml.", "rapport-2024"),
    Column(
        "verified", "Vérifié le", True, "Date de la dernière vérification (AAAA-MM-JJ ou JJ/MM/AAAA).", "2024-01-17"
    ),
)
_BY_HEADER = {fold(name): c for c in COLUMNS for name in (c.key, c.label, c.key.replace("_", " "))}
_TRUE = {"oui", "yes", "ja", "true", "vrai", "1", "x"}
_FALSE = {"non", "no", "nee", "false", "faux", "0", ""}


@dataclass(frozen=True, order=True)
class SheetProblem:
    """One problem, where the spreadsheet program shows it."""

    file: str
    row: int
    column: str  # the column letter
    header: str
    message: str

    def __str__(self) -> str:
        header = f"{self.header}: " if self.header else ""
        return f"{self.file}:{self.row}:{self.column}: {header}{self.message}"


@dataclass(frozen=True)
class SheetImport:
    organisations: tuple[Organisation, ...]
    problems: tuple[SheetProblem, ...]


class SheetError(InputError):
    """The file cannot be read as a spreadsheet at all."""


# --- reading ------------------------------------------------------------------------------


def read_rows(file: Path) -> list[list[Any]]:
    """Every row of the first sheet (XLSX) or of the CSV, header included, as cell values.

    Bounded as ``generator.exchange.untrusted`` says (size, rows, columns, cells); ``SheetError``
    with the position otherwise.
    """
    try:
        return _read_rows(file)
    except SheetError:
        raise
    except InputError as exc:
        raise SheetError(str(exc)) from None


def _read_rows(file: Path) -> list[list[Any]]:
    if file.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(file)
    if file.suffix.lower() != ".csv":
        raise SheetError(f"{file.name}:0:0: expected a .csv or .xlsx file")
    raw = read_bytes(file, file.name)
    first = raw.split(b"\n", 1)[0]
    delimiter = ";" if first.count(b";") > first.count(b",") else ","
    # cp1252: what French spreadsheet programs write by default.
    text = decode(raw, file.name, "cp1252", lambda data, offset: csv_position(data, offset, delimiter))
    return _numbered(csv_rows(text, file.name, delimiter))


def _numbered(rows: Iterable[tuple[int, list[Any]]]) -> list[list[Any]]:
    """Rows where the spreadsheet has them: ``result[n - 1]`` is row ``n``, blank ones empty."""
    result: list[list[Any]] = []
    for number, cells in rows:
        result += [[] for _ in range(number - 1 - len(result))]
        result.append(cells)
    return result


def _xlsx_rows(file: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    check_zip(file, file.name, MAX_XLSX_BYTES)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise SheetError(f"{file.name}:0:0: not a readable XLSX file ({exc.__class__.__name__})") from None
    try:
        sheet = workbook["services"] if "services" in workbook.sheetnames else workbook.worksheets[0]
        # The sheet's declared dimension (`A1:XFD1048576`) is not trusted: openpyxl would
        # pad every row to it. Only the rows present are read, and their first MAX_COLUMNS
        # cells: the import's columns are far fewer, and a cell further right has no header.
        sheet.reset_dimensions()
        return _numbered(bounded_rows(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), file.name))
    except InputError:
        raise
    except Exception as exc:  # a malformed sheet fails while it is read, not when opened
        raise SheetError(f"{file.name}:0:0: not a readable XLSX file ({exc.__class__.__name__})") from None
    finally:
        workbook.close()


def _items(value: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\n]", str(value)) if part.strip()]


# --- one row ------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    cells: dict[str, Any]
    letters: dict[str, str]
    problems: list[SheetProblem]
    file: str
    reported: set[str] = field(default_factory=set)

    def get(self, key: str) -> Any:
        value = self.cells.get(key)
        return None if blank(value) else value

    def text(self, key: str) -> str | None:
        value = self.get(key)
        return str(value).strip() if value is not None else None

    def problem(self, key: str, message: str) -> None:
        column = next(c for c in COLUMNS if c.key == key)
        self.reported.add(key)
        self.problems.append(SheetProblem(self.file, self.number, self.letters.get(key, "?"), column.label, message))


@dataclass
class _Organisation:
    id: str
    name: str | None
    rows: list[tuple[_Row, dict[str, Any]]] = field(default_factory=list)


class _Reader:
    def __init__(self, registry: Registry, file: str) -> None:
        self.registry = registry
        self.file = file
        self.problems: list[SheetProblem] = []

    def header(self, cells: list[Any]) -> dict[str, str] | None:
        letters: dict[str, str] = {}
        for index, cell in enumerate(cells):
            if blank(cell):
                continue
            column = _BY_HEADER.get(fold(str(cell)))
            if column is None:
                hint = did_you_mean(fold(str(cell)), _BY_HEADER, 0.7, lambda key: _BY_HEADER[key].label)
                self.add(1, letter(index), str(cell), f"unknown column{hint}")
            elif column.key in letters:
                self.add(1, letter(index), str(cell), f"column repeated (also in {letters[column.key]})")
            else:
                letters[column.key] = letter(index)
        next_letter = letter(len(cells))
        for column in COLUMNS:
            if column.required and column.key not in letters:
                self.add(1, next_letter, column.label, f"required column is missing (header '{column.label}')")
        return letters if not self.problems else None

    def add(self, row: int, column: str, header: str, message: str) -> None:
        self.problems.append(SheetProblem(self.file, row, column, header, message))

    def terms(self, row: _Row, key: str, vocabulary: str) -> list[str]:
        known = self.registry.vocabularies.vocabulary(vocabulary)
        names: dict[str, str] = {}
        for term in known.values():
            for name in (term.id, term.label.fr, term.label.nl, term.label.en, *term.synonyms):
                if name:
                    names.setdefault(fold(name), term.id)
        found = []
        for item in _items(row.get(key) or ""):
            term_id = names.get(fold(item))
            if term_id is None:
                hint = did_you_mean(fold(item), names, 0.75, names.__getitem__)
                row.problem(key, f"unknown {vocabulary} term '{item}'{hint}; known: {', '.join(known)}")
            elif term_id not in found:
                found.append(term_id)
        return found

    def area(self, row: _Row) -> list[str]:
        codes = []
        for item in _items(row.get("area") or ""):
            try:
                code = self.registry.gazetteer.resolve(item).code
            except PlaceError as exc:
                row.problem("area", str(exc))
                continue
            if code not in codes:
                codes.append(code)
        return codes

    def age(self, row: _Row, key: str) -> int | None:
        value = row.get(key)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip().removesuffix("ans").strip()
        if re.fullmatch(r"[0-9]{1,3}", text):
            return int(text)
        row.problem(key, f"expected a whole number of years, got '{value}'")
        return None

    def boolean(self, row: _Row, key: str) -> bool | None:
        value = row.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        text = fold(str(value))
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        row.problem(key, f"expected oui or non, got '{value}'")
        return None

    def date(self, row: _Row, key: str) -> dt.date | None:
        value = row.get(key)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value or "").strip()
        match = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", text)
        try:
            if match:
                return dt.date(int(match[3]), int(match[2]), int(match[1]))
            return dt.date.fromisoformat(text)
        except ValueError:
            row.problem(key, f"expected a date written YYYY-MM-DD or DD/MM/YYYY, got '{text}'")
            return None

    def service(self, row: _Row) -> dict[str, Any]:
        for column in COLUMNS:
            if column.required and column.key != "organisation_id" and row.get(column.key) is None:
                row.problem(column.key, "required value is empty")
        public: dict[str, Any] = {"area": self.area(row)}
        age = {k: v for k, v in (("min", self.age(row, "age_min")), ("max", self.age(row, "age_max"))) if v is not None}
        if age:
            public["age"] = age
        if row.text("summary"):
            public["summary"] = row.text("summary")
        housing = self.terms(row, "housing", "housing")
        if housing:
            public["housing"] = housing
        if self.boolean(row, "area_approximate"):
            public["area_approximate"] = True
        data: dict[str, Any] = {
            "id": row.text("service_id"),
            "name": row.text("service_name"),
            "needs": self.terms(row, "needs", "needs"),
            "functions": self.terms(row, "functions", "functions"),
            "objective": row.text("objective"),
            "public": public,
        }
        access: dict[str, Any] = {}
        referrers = self.terms(row, "referrers", "referrers")
        if referrers:
            access["referrers"] = referrers
        if row.text("access"):
            access["form"] = row.text("access")
        if access:
            data["access"] = access
        contacts = []
        for kind, key in (("phone", "phone"), ("email", "email"), ("web", "web")):
            contacts += [{"kind": kind, "value": value} for value in _items(row.get(key) or "")]
        if contacts:
            data["contacts"] = contacts
        languages = [item.lower() for item in _items(row.get("languages") or "")]
        if languages:
            data["languages"] = languages
        programme = row.text("programme")
        if programme:
            if programme not in self.registry.programmes:
                row.problem("programme", f"unknown programme '{programme}'; add it to data/programmes.yaml first")
            data["programme"] = programme
        if row.text("note"):
            data["note"] = row.text("note")
        source = row.text("source")
        if source and source not in self.registry.sources:
            hint = did_you_mean(source, self.registry.sources)
            row.problem("source", f"unknown source '{source}'{hint}; add it to data/sources.yaml first")
        data["sources"] = [source] if source else []
        if row.get("verified") is not None:
            data["verified"] = self.date(row, "verified")
        return {k: v for k, v in data.items() if v is not None}


# Which column a model error path points to (longest prefix wins).
_COLUMN_OF_PATH = {
    ("id",): "service_id",
    ("name",): "service_name",
    ("objective",): "objective",
    ("needs",): "needs",
    ("functions",): "functions",
    ("public", "summary"): "summary",
    ("public", "age", "min"): "age_min",
    ("public", "age", "max"): "age_max",
    ("public", "age"): "age_min",
    ("public", "area"): "area",
    ("public", "housing"): "housing",
    ("access", "referrers"): "referrers",
    ("access", "form"): "access",
    ("languages",): "languages",
    ("programme",): "programme",
    ("note",): "note",
    ("sources",): "source",
    ("verified",): "verified",
}


def _column_of(loc: tuple[Any, ...], contacts: list[dict[str, Any]]) -> str:
    if loc and loc[0] == "contacts" and len(loc) > 1 and isinstance(loc[1], int):
        return str(contacts[loc[1]]["kind"])
    keys = tuple(p for p in loc if isinstance(p, str))
    for length in range(len(keys), 0, -1):
        if keys[:length] in _COLUMN_OF_PATH:
            return _COLUMN_OF_PATH[keys[:length]]
    return "service_id"


def import_sheet(rows: list[list[Any]], registry: Registry, file: str, out: Path | None = None) -> SheetImport:
    """Organisations from spreadsheet rows (the first is the header), or the problems.

    ``out`` is the folder the files will go to: an id already in the registry is a problem
    unless it is in the very file the import replaces (``out/<organisation>.yaml``).
    """
    reader = _Reader(registry, file)

    def elsewhere(item_id: str, org_id: str) -> str | None:
        path = registry.files.get(item_id)
        if path is None:
            return None
        if out is not None and (registry.root / path).resolve() == (out / f"{org_id}.yaml").resolve():
            return None
        return path

    if not rows:
        return SheetImport((), (SheetProblem(file, 1, "A", "", "the file is empty"),))
    letters = reader.header(rows[0])
    if letters is None:
        return SheetImport((), _sorted(reader.problems))
    index = {key: ord_index(col) for key, col in letters.items()}
    organisations: dict[str, _Organisation] = {}
    seen_services: dict[str, int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if all(blank(c) for c in cells):
            continue
        values = {key: cells[i] if i < len(cells) else None for key, i in index.items()}
        row = _Row(number, values, letters, reader.problems, file)
        org_id = row.text("organisation_id")
        data = reader.service(row)
        if org_id is None:
            row.problem("organisation_id", "required value is empty")
            continue
        service_id = data.get("id")  # None when the cell is empty, already reported
        if service_id in seen_services:
            row.problem("service_id", f"service '{service_id}' is already on row {seen_services[service_id]}")
        elif service_id and org_id and (owner := elsewhere(service_id, org_id)):
            row.problem("service_id", f"service '{service_id}' already exists in {owner}")
        if service_id:
            seen_services.setdefault(service_id, number)
        organisation = organisations.get(org_id)
        name = row.text("organisation_name")
        if organisation is None:
            if owner := elsewhere(org_id, org_id):
                row.problem("organisation_id", f"organisation '{org_id}' already exists in {owner}")
            elif name is None:
                row.problem("organisation_name", f"the first row of organisation '{org_id}' must give its name")
            organisation = organisations[org_id] = _Organisation(org_id, name)
        elif name and organisation.name and name != organisation.name:
            first = organisation.rows[0][0].number
            row.problem("organisation_name", f"'{name}' differs from '{organisation.name}' on row {first}")
        organisation.rows.append((row, data))
    result = []
    for organisation in organisations.values():
        model = _validate(organisation)
        if model is not None:
            result.append(model)
    problems = _sorted(reader.problems)
    return SheetImport(() if problems else tuple(result), problems)


def ord_index(column: str) -> int:
    """The 0-based index of a column letter: A -> 0, AA -> 26."""
    index = 0
    for char in column:
        index = index * 26 + ord(char) - ord("A") + 1
    return index - 1


def _validate(organisation: _Organisation) -> Organisation | None:
    first = organisation.rows[0][0]
    data: dict[str, Any] = {"id": organisation.id, "name": organisation.name or organisation.id}
    data["services"] = [service for _, service in organisation.rows]
    try:
        return Organisation.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            message, _ = friendly(error, Organisation)
            if loc and loc[0] == "services" and len(loc) > 1 and isinstance(loc[1], int):
                row, service = organisation.rows[loc[1]]
                key = _column_of(loc[2:], service.get("contacts", []))
                if key in row.reported:
                    continue  # the cell's own problem is already said, in the spreadsheet's words
                row.problem(key, message)
            else:
                first.problem("organisation_id" if loc[:1] == ("id",) else "organisation_name", message)
        return None


def import_file(file: Path, registry: Registry, out: Path | None = None) -> SheetImport:
    """Read and import ``file``; ``SheetError`` if it is not a spreadsheet at all."""
    return import_sheet(read_rows(file), registry, file.name, out)


# --- the template -------------------------------------------------------------------------


def template_csv() -> bytes:
    """The import template as CSV: the header row only (UTF-8 with BOM, for Excel)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow([c.label for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """The import template as XLSX: a ``services`` sheet to fill and a ``notice`` sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "services"
    sheet.append([c.label for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    notice = workbook.create_sheet("notice")
    notice.append(["Colonne", "Titre", "Clé", "Obligatoire", "Contenu", "Exemple"])
    for cell in notice[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS):
        required = "oui" if column.required else "non"
        notice.append([letter(index), column.label, column.key, required, column.help, column.example])
    fixed = dt.datetime(2024, 1, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _reproducible_zip(buffer.getvalue())


def _reproducible_zip(data: bytes) -> bytes:
    """The same zip with fixed entry timestamps, so the template's bytes never change."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the time of saving into `modified`, whatever we set.
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>2024-01-01T00:00:00Z\g<2>", content
                )
            target.writestr(fixed, content)
    return buffer.getvalue()


def _sorted(problems: Iterable[SheetProblem]) -> tuple[SheetProblem, ...]:
    """By row, then column as the spreadsheet orders them (B before AA)."""
    return tuple(sorted(set(problems), key=lambda p: (p.row, ord_index(p.column), p.message)))


def format_problems(problems: Iterable[SheetProblem]) -> str:
    """One line per problem, sorted by row then column."""
    return "\n".join(str(p) for p in _sorted(problems))
