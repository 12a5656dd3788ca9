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

from ..locale import LANGUAGES, N_, SOURCE, lookup, speaking, t
from ..registry.loader import Registry, friendly_message
from ..registry.models import Organisation
from ..registry.problems import Message, hint, literal, msg
from ..registry.territories import PlaceError
from ..registry.text import fold
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
    """One column of the import spreadsheet.

    Its words are in the catalogues: ``sheet.column.<key>`` is its header (the French one
    is the template's), ``….help`` and ``….example`` (none for some) fill the template's
    notice sheet.
    """

    key: str
    required: bool

    def words(self, lang: str = SOURCE) -> tuple[str, str, str]:
        """The header, the help and the example in ``lang``."""
        base = _WORDS + self.key
        return t(base, lang), t(base + ".help", lang), lookup(base + ".example", lang) or ""

    @property
    def label(self) -> str:
        """The template's (French) header."""
        return t(_WORDS + self.key)

    def header(self) -> Message:
        """The header, put into words in the language of the message that names it."""
        return msg(_WORDS + self.key)


_WORDS = "sheet.column."
_REQUIRED = frozenset(
    {"organisation_id", "service_id", "service_name", "objective", "needs", "functions", "area", "source", "verified"}
)
# In the template's order (its column letters are documented in docs/import-csv.md).
COLUMNS: tuple[Column, ...] = tuple(
    Column(key, key in _REQUIRED)
    for key in (
        *("organisation_id", "organisation_name", "service_id", "service_name", "objective", "needs", "functions"),
        *("summary", "age_min", "age_max", "area", "area_approximate", "housing", "referrers", "access"),
        *("phone", "email", "web", "languages", "programme", "note", "source", "verified"),
    )
)
# Babel reads the keys built above here: each column's header, help and example.
COLUMN_WORDS = (
    N_("sheet.column.organisation_id"),
    N_("sheet.column.organisation_id.help"),
    N_("sheet.column.organisation_id.example"),
    N_("sheet.column.organisation_name"),
    N_("sheet.column.organisation_name.help"),
    N_("sheet.column.organisation_name.example"),
    N_("sheet.column.service_id"),
    N_("sheet.column.service_id.help"),
    N_("sheet.column.service_id.example"),
    N_("sheet.column.service_name"),
    N_("sheet.column.service_name.help"),
    N_("sheet.column.service_name.example"),
    N_("sheet.column.objective"),
    N_("sheet.column.objective.help"),
    N_("sheet.column.objective.example"),
    N_("sheet.column.needs"),
    N_("sheet.column.needs.help"),
    N_("sheet.column.needs.example"),
    N_("sheet.column.functions"),
    N_("sheet.column.functions.help"),
    N_("sheet.column.functions.example"),
    N_("sheet.column.summary"),
    N_("sheet.column.summary.help"),
    N_("sheet.column.summary.example"),
    N_("sheet.column.age_min"),
    N_("sheet.column.age_min.help"),
    N_("sheet.column.age_min.example"),
    N_("sheet.column.age_max"),
    N_("sheet.column.age_max.help"),
    N_("sheet.column.area"),
    N_("sheet.column.area.help"),
    N_("sheet.column.area.example"),
    N_("sheet.column.area_approximate"),
    N_("sheet.column.area_approximate.help"),
    N_("sheet.column.area_approximate.example"),
    N_("sheet.column.housing"),
    N_("sheet.column.housing.help"),
    N_("sheet.column.housing.example"),
    N_("sheet.column.referrers"),
    N_("sheet.column.referrers.help"),
    N_("sheet.column.referrers.example"),
    N_("sheet.column.access"),
    N_("sheet.column.access.help"),
    N_("sheet.column.access.example"),
    N_("sheet.column.phone"),
    N_("sheet.column.phone.help"),
    N_("sheet.column.phone.example"),
    N_("sheet.column.email"),
    N_("sheet.column.email.help"),
    N_("sheet.column.email.example"),
    N_("sheet.column.web"),
    N_("sheet.column.web.help"),
    N_("sheet.column.web.example"),
    N_("sheet.column.languages"),
    N_("sheet.column.languages.help"),
    N_("sheet.column.languages.example"),
    N_("sheet.column.programme"),
    N_("sheet.column.programme.help"),
    N_("sheet.column.note"),
    N_("sheet.column.note.help"),
    N_("sheet.column.source"),
    N_("sheet.column.source.help"),
    N_("sheet.column.source.example"),
    N_("sheet.column.verified"),
    N_("sheet.column.verified.help"),
    N_("sheet.column.verified.example"),
)
# The notice sheet's headings, and how it says whether a column is required.
NOTICE_WORDS = (
    N_("sheet.notice.letter"),
    N_("sheet.notice.header"),
    N_("sheet.notice.key"),
    N_("sheet.notice.required"),
    N_("sheet.notice.content"),
    N_("sheet.notice.example"),
)


def headers() -> dict[str, tuple[Column, str]]:
    """``{folded name: (column, name)}`` of every header the import reads: each column's key
    (``service_id``, ``service id``) and its header in every language (French, Dutch,
    English), so a sheet headed in any of them imports; a directory's own words included."""
    found: dict[str, tuple[Column, str]] = {}
    for column in COLUMNS:
        names = (column.key, column.key.replace("_", " "), *(column.words(lang)[0] for lang in LANGUAGES))
        for name in names:
            found.setdefault(fold(name), (column, name))
    return found


_TRUE = {"oui", "yes", "ja", "true", "vrai", "1", "x"}
_FALSE = {"non", "no", "nee", "false", "faux", "0", ""}


@dataclass(frozen=True, order=True)
class SheetProblem:
    """One problem, where the spreadsheet program shows it: ``file:row:column: header: message``."""

    file: str
    row: int
    column: str  # the column letter
    header: Message  # the header as the sheet writes it, or the column's (a missing one)
    message: Message

    def text(self, lang: str = SOURCE) -> str:
        """The problem's line, its words in ``lang``."""
        header = self.header.text(lang)
        header = f"{header}: " if header else ""
        return f"{self.file}:{self.row}:{self.column}: {header}{self.message.text(lang)}"

    def __str__(self) -> str:
        return self.text(speaking())


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
        raise SheetError(exc.message, exc.where, exc.code) from None


def _read_rows(file: Path) -> list[list[Any]]:
    if file.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(file)
    if file.suffix.lower() != ".csv":
        raise SheetError(msg("cli.sheet.not_a_sheet"), f"{file.name}:0:0")
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
        raise SheetError(msg("cli.sheet.xlsx_unreadable", kind=exc.__class__.__name__), f"{file.name}:0:0") from None
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
        raise SheetError(msg("cli.sheet.xlsx_unreadable", kind=exc.__class__.__name__), f"{file.name}:0:0") from None
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
    headers: dict[str, str]  # the header of each column as the sheet writes it
    problems: list[SheetProblem]
    file: str
    reported: set[str] = field(default_factory=set)

    def get(self, key: str) -> Any:
        value = self.cells.get(key)
        return None if blank(value) else value

    def text(self, key: str) -> str | None:
        value = self.get(key)
        return str(value).strip() if value is not None else None

    def problem(self, key: str, message: Message) -> None:
        self.reported.add(key)
        header = (
            literal(self.headers[key]) if key in self.headers else next(c for c in COLUMNS if c.key == key).header()
        )
        self.problems.append(SheetProblem(self.file, self.number, self.letters.get(key, "?"), header, message))


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
        self.headers: dict[str, str] = {}

    def header(self, cells: list[Any]) -> dict[str, str] | None:
        letters: dict[str, str] = {}
        known = headers()
        for index, cell in enumerate(cells):
            if blank(cell):
                continue
            name = str(cell)
            column = known.get(fold(name), (None, ""))[0]
            if column is None:
                found = hint(fold(name), known, 0.7, lambda near: known[near][1])
                self.add(1, letter(index), literal(name), msg("cli.sheet.unknown_column", hint=found))
            elif column.key in letters:
                repeated = msg("cli.sheet.repeated_column", letter=letters[column.key])
                self.add(1, letter(index), literal(name), repeated)
            else:
                letters[column.key] = letter(index)
                self.headers[column.key] = name.strip()
        next_letter = letter(len(cells))
        for column in COLUMNS:
            if column.required and column.key not in letters:
                missing = msg("cli.sheet.missing_column", header=column.header())
                self.add(1, next_letter, column.header(), missing)
        return letters if not self.problems else None

    def add(self, row: int, column: str, header: Message, message: Message) -> None:
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
                near = hint(fold(item), names, 0.75, names.__getitem__)
                unknown = msg(
                    "cli.sheet.unknown_term", vocabulary=vocabulary, value=item, hint=near, known=tuple(known)
                )
                row.problem(key, unknown)
            elif term_id not in found:
                found.append(term_id)
        return found

    def area(self, row: _Row) -> list[str]:
        codes = []
        for item in _items(row.get("area") or ""):
            try:
                code = self.registry.gazetteer.resolve(item).code
            except PlaceError as exc:
                row.problem("area", exc.message)
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
        row.problem(key, msg("cli.sheet.not_years", value=str(value)))
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
        row.problem(key, msg("cli.sheet.not_yes_no", value=str(value)))
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
            row.problem(key, msg("cli.sheet.not_date", value=text))
            return None

    def service(self, row: _Row) -> dict[str, Any]:
        for column in COLUMNS:
            if column.required and column.key != "organisation_id" and row.get(column.key) is None:
                row.problem(column.key, msg("cli.sheet.empty"))
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
                row.problem("programme", msg("cli.sheet.unknown_programme", value=programme))
            data["programme"] = programme
        if row.text("note"):
            data["note"] = row.text("note")
        source = row.text("source")
        if source and source not in self.registry.sources:
            found = hint(source, self.registry.sources)
            row.problem("source", msg("cli.sheet.unknown_source", value=source, hint=found))
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
        return SheetImport((), (SheetProblem(file, 1, "A", literal(""), msg("cli.sheet.empty_file")),))
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
        row = _Row(number, values, letters, reader.headers, reader.problems, file)
        org_id = row.text("organisation_id")
        data = reader.service(row)
        if org_id is None:
            row.problem("organisation_id", msg("cli.sheet.empty"))
            continue
        service_id = data.get("id")  # None when the cell is empty, already reported
        if service_id in seen_services:
            row.problem("service_id", msg("cli.sheet.service_repeated", id=service_id, row=seen_services[service_id]))
        elif service_id and org_id and (owner := elsewhere(service_id, org_id)):
            row.problem("service_id", msg("cli.sheet.service_exists", id=service_id, file=owner))
        if service_id:
            seen_services.setdefault(service_id, number)
        organisation = organisations.get(org_id)
        name = row.text("organisation_name")
        if organisation is None:
            if owner := elsewhere(org_id, org_id):
                row.problem("organisation_id", msg("cli.sheet.organisation_exists", id=org_id, file=owner))
            elif name is None:
                row.problem("organisation_name", msg("cli.sheet.organisation_unnamed", id=org_id))
            organisation = organisations[org_id] = _Organisation(org_id, name)
        elif name and organisation.name and name != organisation.name:
            first = organisation.rows[0][0].number
            row.problem(
                "organisation_name", msg("cli.sheet.name_differs", name=name, first=organisation.name, row=first)
            )
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
            message, _ = friendly_message(error, Organisation)
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


def template_csv(lang: str = SOURCE) -> bytes:
    """The import template as CSV: the header row only (UTF-8 with BOM, for Excel)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow([c.words(lang)[0] for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(lang: str = SOURCE) -> bytes:
    """The import template as XLSX: a ``services`` sheet to fill and a ``notice`` sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "services"
    sheet.append([c.words(lang)[0] for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    notice = workbook.create_sheet("notice")
    notice.append([t(key, lang) for key in NOTICE_WORDS])
    for cell in notice[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS):
        label, help_text, example = column.words(lang)
        required = t("sheet.notice.yes", lang) if column.required else t("sheet.notice.no", lang)
        notice.append([letter(index), label, column.key, required, help_text, example])
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
    return tuple(sorted(set(problems), key=lambda p: (p.row, ord_index(p.column), p.message.text())))


def format_problems(problems: Iterable[SheetProblem], lang: str | None = None) -> str:
    """One line per problem, sorted by row then column, in ``lang`` (the command's language by default)."""
    return "\n".join(p.text(lang or speaking()) for p in _sorted(problems))
