"""Reading HSDS as others publish it: folders, zips, ``datapackage.json`` (its resource
paths followed), NDJSON, single JSON documents (``service_full``/``organization_full``),
arrays and paged API responses (``{"contents": [...], "total_items": …}``), several
files at once (several pages).

Nothing here refuses a whole record for one bad value: a value the import cannot use is
dropped, and a warning says where it stood (``file:row:column`` in a table,
``file:line:column: /json/pointer`` in JSON). Only an unreadable file (not UTF-8, not JSON,
too large: ``generator.exchange.untrusted``) stops the run.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]
from json.scanner import NUMBER_RE  # type: ignore[attr-defined]
from pathlib import Path, PurePosixPath
from typing import Any

from ...registry.models import _check_email, _check_phone, _check_url
from ...registry.problems import Message, Problem, msg
from ..csvsafe import FORMULA_STARTS
from ..untrusted import (
    MAX_INPUT_BYTES,
    MAX_TABLE_ROWS,
    InputError,
    csv_position,
    csv_rows,
    decode,
    json_lines,
    json_value,
    read_bytes,
    read_zip,
)
from .common import Json

# The tables of the official descriptor: name -> file (resources' ``path``).
OFFICIAL_TABLES = {
    "organization": "organizations.csv",
    "program": "programs.csv",
    "service": "services.csv",
    "attribute": "attributes.csv",
    "service_at_location": "service_at_location.csv",
    "location": "locations.csv",
    "phone": "phones.csv",
    "contact": "contacts.csv",
    "address": "addresses.csv",
    "schedule": "schedules.csv",
    "funding": "funding.csv",
    "service_area": "service_areas.csv",
    "required_document": "required_documents.csv",
    "language": "languages.csv",
    "accessibility": "accessibility.csv",
    "taxonomy_term": "taxonomy_terms.csv",
    "metadata": "metadata.csv",
    "meta_table_description": "meta_table_descriptions.csv",
    "cost_option": "cost_options.csv",
    "organization_identifier": "organization_identifiers.csv",
    "taxonomy": "taxonomies.csv",
}
# A table's name from a file's stem, however the publisher wrote it (plural or singular).
_TABLE_OF_STEM = {PurePosixPath(f).stem: t for t, f in OFFICIAL_TABLES.items()} | {t: t for t in OFFICIAL_TABLES}
_TABLE_OF_STEM |= {"service_at_locations": "service_at_location", "fundings": "funding"}

# Arrays of child objects per table: (key, child table, foreign key in the child).
CHILDREN: dict[str, tuple[tuple[str, str, str], ...]] = {
    "service": (
        ("phones", "phone", "service_id"),
        ("schedules", "schedule", "service_id"),
        ("service_areas", "service_area", "service_id"),
        ("service_at_locations", "service_at_location", "service_id"),
        ("languages", "language", "service_id"),
        ("contacts", "contact", "service_id"),
        ("funding", "funding", "service_id"),
        ("cost_options", "cost_option", "service_id"),
        ("required_documents", "required_document", "service_id"),
    ),
    "organization": (
        ("phones", "phone", "organization_id"),
        ("contacts", "contact", "organization_id"),
        ("locations", "location", "organization_id"),
        ("programs", "program", "organization_id"),
        ("funding", "funding", "organization_id"),
        ("organization_identifiers", "organization_identifier", "organization_id"),
    ),
    "location": (
        ("addresses", "address", "location_id"),
        ("phones", "phone", "location_id"),
        ("schedules", "schedule", "location_id"),
        ("accessibility", "accessibility", "location_id"),
        ("languages", "language", "location_id"),
    ),
    "service_at_location": (("phones", "phone", "service_at_location_id"),),
}
SINGLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "service": (("organization", "organization", "organization_id"), ("program", "program", "program_id")),
    "service_at_location": (("location", "location", "location_id"),),
    "attribute": (("taxonomy_term", "taxonomy_term", "taxonomy_term_id"),),
    "taxonomy_term": (("taxonomy_detail", "taxonomy", "taxonomy_id"),),
}
# The table a nested key's objects belong to (for the summary's field names).
TABLE_OF_KEY = {key: child for children in CHILDREN.values() for key, child, _ in children}
TABLE_OF_KEY |= {key: child for singles in SINGLES.values() for key, child, _ in singles}
TABLE_OF_KEY |= {"attributes": "attribute", "services": "service", "service_areas": "service_area"}

_AGES = {"minimum_age", "maximum_age"}
_NUMBERS = _AGES | {"latitude", "longitude", "extension", "year_incorporated"}
_LIST_KEYS = frozenset(TABLE_OF_KEY) - {"organization", "program", "location", "taxonomy_term", "taxonomy_detail"}
_OBJECT_KEYS = frozenset({"organization", "program", "location", "taxonomy_term", "taxonomy_detail"})
_TEXT_KEYS = frozenset({"taxonomy", "name", "description", "number", "email", "url", "website", "postal_code"})
_DATES = {"assured_date", "last_modified"}
_DATE = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})([T ][0-9:.+\-Z]*)?$")
_POSTCODE = re.compile(r"^[0-9]{4,5}$")
_DECIMAL_COMMA = re.compile(r"^-?[0-9]+,[0-9]+$")
_SERVICE_HINTS = {
    "organization",
    "organization_id",
    "service_at_locations",
    "service_areas",
    "eligibility_description",
    "assured_date",
    "program",
    "program_id",
    "application_process",
    "fees_description",
    "minimum_age",
    "maximum_age",
    "status",
}
_ORGANIZATION_HINTS = {
    "services",
    "legal_status",
    "website",
    "year_incorporated",
    "locations",
    "programs",
    "organization_identifiers",
    "parent_organization_id",
    "logo",
    "uri",
}


@dataclass(frozen=True)
class Where:
    """Where a record stands in the input: a file, a line (a table's row) and a JSON pointer."""

    file: str
    line: int
    pointer: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" + (f": {self.pointer}" if self.pointer else "")


@dataclass
class Feed:
    """What the input holds, with every value it could not use reported."""

    services: list[Json] = field(default_factory=list)
    organizations: list[Json] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    where: dict[int, Where] = field(default_factory=dict)  # id(record) -> where it stood
    tally: Counter[tuple[str, str]] = field(default_factory=Counter)  # (table.key, outcome)
    name: str = ""  # the feed's name (the first file's), for records that need one

    def located(self, obj: Json) -> Where | None:
        return self.where.get(id(obj))


class FeedError(InputError):
    """An input that cannot be read at all."""


# --- positions in a JSON text ----------------------------------------------------------


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")


def value_offsets(text: str) -> dict[str, int]:
    """The offset of every value of a (valid) JSON text, by its JSON pointer."""
    found: dict[str, int] = {}

    def skip(i: int) -> int:
        match = _WHITESPACE.match(text, i)
        return match.end() if match else i

    def value(i: int, pointer: str) -> int:
        i = skip(i)
        found[pointer] = i
        char = text[i : i + 1]
        if char == "{":
            i = skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                key, i = scanstring(text, skip(i) + 1)
                i = skip(i) + 1  # the colon
                i = skip(value(i, f"{pointer}/{_escape(key)}"))
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        if char == "[":
            i = skip(i + 1)
            if text[i] == "]":
                return i + 1
            index = 0
            while True:
                i = skip(value(i, f"{pointer}/{index}"))
                index += 1
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        if char == '"':
            return int(scanstring(text, i + 1)[1])
        number = NUMBER_RE.match(text, i)
        if number:
            return int(number.end())
        for literal in _LITERALS:
            if text.startswith(literal, i):
                return i + len(literal)
        return i + 1

    value(0, "")
    return found


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


class _JsonText:
    """One JSON text (a file, or one NDJSON line): positions computed when first asked."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.text = text
        self.first_line = first_line
        self._offsets: dict[str, int] | None = None
        self._lines: list[int] = []

    def position(self, pointer: str) -> tuple[int, int]:
        if self._offsets is None:
            self._offsets = value_offsets(self.text)
            self._lines = [m.end() for m in re.finditer("\n", self.text)]
        offset = self._offsets.get(pointer, 0)
        line = bisect.bisect_right(self._lines, offset)
        start = self._lines[line - 1] if line else 0
        return self.first_line + line, offset - start + 1


# --- values checked where they stand -------------------------------------------------------


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, float) else repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def as_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL_COMMA.match(text):  # 50,86: a European spreadsheet's decimal comma
            text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else value


def _real_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _model_problem(check: Callable[[str], str], value: str) -> bool:
    try:
        check(value)
    except Exception:  # the model's own check (a pydantic error, a ValueError)
        return True
    return False


def check_value(table: str, key: str, value: Any) -> tuple[str, Any, Message | None]:
    """``("kept"|"converted"|"dropped", value to keep, why dropped)`` for one HSDS value."""
    shown = _shown(value)
    if key in _LIST_KEYS and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
        return "dropped", None, msg("cli.hsds.expected_list", value=shown)
    if key in _OBJECT_KEYS and not isinstance(value, dict):
        return "dropped", None, msg("cli.hsds.expected_object", value=shown)
    if key in _TEXT_KEYS and not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool) and key in ("number", "postal_code"):
            return "converted", str(value), None
        return "dropped", None, msg("cli.hsds.expected_text", value=shown)
    if key in _NUMBERS:
        number = as_number(value)
        if key in _AGES:
            if number is None or not float(number).is_integer() or not 0 <= number <= 120:
                return "dropped", None, msg("cli.hsds.bad_age", value=shown)
        elif key in ("latitude", "longitude"):
            bound = 90 if key == "latitude" else 180
            if number is None or not -bound <= number <= bound:
                return "dropped", None, msg("cli.hsds.bad_coordinate", value=shown, bound=bound)
        elif number is None:
            return "dropped", None, msg("cli.hsds.bad_number", value=shown)
        return ("kept" if number == value else "converted"), number, None
    if key in _DATES and isinstance(value, str):
        match = _DATE.match(value.strip())
        if not match or not _real_date(match.group(1)):
            return "dropped", None, msg("cli.hsds.bad_date", value=shown)
        return ("kept" if match.group(2) is None else "converted"), match.group(1), None
    if not isinstance(value, str):
        return "kept", value, None
    if table == "phone" and key == "number":
        phone = value.strip().strip("\"'“”«» ")
        if _model_problem(_check_phone, phone):
            return "dropped", None, msg("cli.hsds.bad_phone", value=shown)
        return ("kept" if phone == value else "converted"), phone, None
    if table == "address" and key == "postal_code" and not _POSTCODE.match(value.strip()):
        return "dropped", None, msg("cli.hsds.bad_postcode", value=shown)
    if key == "email" and value.strip() and _model_problem(_check_email, value.strip()):
        return "dropped", None, msg("cli.hsds.bad_email", value=shown)
    if key in ("url", "website") and value.strip() and _model_problem(_check_url, value.strip()):
        return "dropped", None, msg("cli.hsds.bad_url", value=shown)
    return "kept", value, None


class _Reader:
    def __init__(self) -> None:
        self.feed = Feed()
        self.left = MAX_INPUT_BYTES
        self.seen: set[Path] = set()

    def bytes_of(self, path: Path, shown: str) -> bytes:
        self.seen.add(path.resolve())
        data = read_bytes(path, shown, self.left)
        self.left -= len(data)
        return data

    def warn(self, file: str, line: int, col: int, message: Message, code: str, pointer: str = "") -> None:
        self.feed.warnings.append(Problem(file, line, col, message, code, pointer, severity="warning"))

    # --- JSON ------------------------------------------------------------------------

    def clean(self, obj: Json, table: str, text: _JsonText, base: str, file: str) -> None:
        """Drop, where they stand, the values of ``obj`` (and its children) we cannot use."""
        stack: list[tuple[Json, str, str]] = [(obj, table, base)]
        while stack:
            holder, kind, pointer = stack.pop()
            for key in list(holder):
                value = holder[key]
                if value is None:
                    continue
                outcome, kept, why = check_value(kind, key, value)
                if why is not None:
                    line, col = text.position(f"{pointer}/{_escape(key)}")
                    self.warn(file, line, col, why, "hsds-value-dropped", f"{pointer}/{_escape(key)}")
                    self.feed.tally[(f"{kind}.{key}", "dropped")] += 1
                    del holder[key]
                    continue
                if outcome == "converted":
                    holder[key] = kept
                    self.feed.tally[(f"{kind}.{key}", "converted")] += 1
                child = TABLE_OF_KEY.get(key)
                if child and isinstance(kept, dict):
                    stack.append((kept, child, f"{pointer}/{_escape(key)}"))
                elif child and isinstance(kept, list):
                    stack.extend((item, child, f"{pointer}/{_escape(key)}/{i}") for i, item in enumerate(kept))

    def record(self, obj: Any, text: _JsonText, pointer: str, file: str, hint: str) -> None:
        """One JSON object: a service, an organization (with its services), or neither."""
        if not isinstance(obj, dict):
            line, col = text.position(pointer)
            self.warn(file, line, col, msg("cli.hsds.not_a_record", value=_shown(obj)), "hsds-not-a-record", pointer)
            return
        kind = _kind(obj, hint)
        line, _ = text.position(pointer)
        self.clean(obj, kind, text, pointer, file)
        self.feed.where[id(obj)] = Where(file, line, pointer)
        if kind == "organization":
            services = obj.pop("services", None) or []
            self.feed.organizations.append(obj)
            for index, service in enumerate(services):
                service.setdefault("organization_id", obj.get("id"))
                where = f"{pointer}/services/{index}"
                self.feed.where[id(service)] = Where(file, text.position(where)[0], where)
                self.feed.services.append(service)
        else:
            self.feed.services.append(obj)

    def document(self, value: Any, text: _JsonText, file: str) -> None:
        """A JSON document: one record, an array of them, or a page of an API's list."""
        hint = "organization" if "organization" in PurePosixPath(file).name else "service"
        if isinstance(value, list):
            items = [(f"/{i}", v) for i, v in enumerate(value)]
        elif isinstance(value, dict) and isinstance(value.get("contents"), list):
            items = [(f"/contents/{i}", v) for i, v in enumerate(value["contents"])]
        elif isinstance(value, dict):
            items = [("", value)]
        else:
            self.warn(file, 1, 1, msg("cli.hsds.not_a_record", value=_shown(value)), "hsds-not-a-record")
            return
        for pointer, item in items:
            self.record(item, text, pointer, file, hint)

    def json_file(self, data: bytes, shown: str) -> None:
        text = decode(data, shown)
        self.document(json_value(text, f"{shown}:1"), _JsonText(text), shown)

    def ndjson_file(self, data: bytes, shown: str) -> None:
        text = decode(data, shown)
        hint = "organization" if "organization" in PurePosixPath(shown).name else "service"
        lines = text.split("\n")
        for number, value in json_lines(text, shown):
            self.record(value, _JsonText(lines[number - 1], number), "", shown, hint)

    # --- tables ------------------------------------------------------------------------

    def tables(self, files: Iterable[tuple[str, str, bytes]]) -> None:
        """CSV tables ``(table name, name for messages, bytes)``, nested again into records."""
        rows: dict[str, list[Json]] = defaultdict(list)
        for table, shown, data in files:
            rows[table] += self.table_rows(table, shown, data)
        self.nest(rows)

    def table_rows(self, table: str, shown: str, data: bytes) -> list[Json]:
        delimiter = _delimiter(data)
        text = decode(data, shown, where=lambda d, o: csv_position(d, o, delimiter))
        numbered = csv_rows(text, shown, delimiter, max_rows=MAX_TABLE_ROWS)
        _, header = next(numbered, (0, []))
        header = [str(h).strip().lstrip("\ufeff") for h in header]
        if "id" not in header:
            self.warn(shown, 1, 1, msg("cli.hsds.no_id_column", table=table), "hsds-no-id-column")
            return []
        found = []
        for number, cells in numbered:
            row: Json = {}
            for index, (key, value) in enumerate(zip(header, cells, strict=False)):
                if not key or value == "":
                    continue
                if value.startswith("'") and value[1:2] and value[1] in FORMULA_STARTS:
                    value = value[1:]
                outcome, kept, why = check_value(table, key, value)
                if why is not None:
                    self.warn(shown, number, index + 1, why, "hsds-value-dropped", key)
                    self.feed.tally[(f"{table}.{key}", "dropped")] += 1
                    continue
                decimal_comma = key in _NUMBERS and "," in value
                if outcome == "converted" and (decimal_comma or not (key in _NUMBERS or key in _DATES)):
                    self.feed.tally[(f"{table}.{key}", "converted")] += 1
                row[key] = kept
            if not row.get("id"):
                self.warn(shown, number, header.index("id") + 1, msg("cli.hsds.row_without_id"), "hsds-no-id")
                continue
            self.feed.where[id(row)] = Where(shown, number)
            found.append(row)
        return found

    def nest(self, rows: dict[str, list[Json]]) -> None:
        by_id = {table: {str(r["id"]): r for r in items} for table, items in rows.items()}
        index: dict[tuple[str, str], dict[str, list[Json]]] = defaultdict(lambda: defaultdict(list))
        for table, items in rows.items():
            for row in items:
                for key, value in row.items():
                    if key.endswith("_id"):
                        index[(table, key)][str(value)].append(row)
        nested: dict[int, Json] = {}

        def nest(table: str, row: Json) -> Json:
            done = nested.get(id(row))
            if done is not None:
                return done
            obj = nested[id(row)] = dict(row)
            for key, child, foreign in CHILDREN.get(table, ()):
                children = [nest(child, r) for r in index[(child, foreign)].get(str(row["id"]), [])]
                if children:
                    obj[key] = children
            for key, child, foreign in SINGLES.get(table, ()):
                target = by_id.get(child, {}).get(str(row.get(foreign, "")))
                if target is not None:
                    obj[key] = nest(child, target)
            if table not in ("attribute", "taxonomy_term", "taxonomy"):
                attributes = [nest("attribute", r) for r in index[("attribute", "link_id")].get(str(row["id"]), [])]
                if attributes:
                    obj["attributes"] = attributes
            return obj

        for table, target in (("service", self.feed.services), ("organization", self.feed.organizations)):
            for row in rows.get(table, []):
                obj = nest(table, row)
                self.feed.where[id(obj)] = self.feed.where[id(row)]
                target.append(obj)

    # --- files and folders ---------------------------------------------------------------

    def path(self, path: Path) -> None:
        shown = str(path)
        if path.is_file() and path.resolve() in self.seen:
            return None
        if path.is_dir():
            for candidate in (path / "datapackage.json", path / "datapackage" / "datapackage.json"):
                if candidate.is_file():
                    return self.path(candidate)
            for name in ("services.ndjson", "organizations.ndjson"):
                if (path / name).is_file():
                    self.path(path / name)
            if self.feed.services or self.feed.organizations:
                return None
            tables = sorted(p for p in path.glob("*.csv") if p.stem in _TABLE_OF_STEM and p.resolve() not in self.seen)
            if tables:
                return self.tables((_TABLE_OF_STEM[p.stem], str(p), self.bytes_of(p, str(p))) for p in tables)
            documents = sorted(p for p in path.iterdir() if p.suffix in (".json", ".ndjson", ".jsonl") and p.is_file())
            if not documents:
                raise FeedError(f"{shown}:0:0: no HSDS here (datapackage.json, .csv, .json, .ndjson) [hsds-empty]")
            for document in documents:
                self.path(document)
            return None
        if not path.exists():
            raise FeedError(f"{shown}:0:0: no such file [input-unreadable]")
        if path.name == "datapackage.json":
            return self.datapackage(path)
        if path.suffix == ".zip":
            return self.zip(path)
        if path.suffix in (".ndjson", ".jsonl"):
            self.ndjson_file(self.bytes_of(path, shown), shown)
            # Our export's two files go together: the organizations' own fields are there.
            sibling = path.with_name("organizations.ndjson")
            if path.name == "services.ndjson" and sibling.is_file():
                self.path(sibling)
            return None
        if path.suffix == ".json":
            return self.json_file(self.bytes_of(path, shown), shown)
        if path.suffix == ".csv" and path.stem in _TABLE_OF_STEM:
            return self.tables([(_TABLE_OF_STEM[path.stem], shown, self.bytes_of(path, shown))])
        raise FeedError(
            f"{shown}:0:0: expected a folder, datapackage.json, a .zip, .json, .ndjson or .csv file [hsds-format]"
        )

    def datapackage(self, path: Path) -> None:
        """The tables a descriptor names, by its resources' paths; else the CSVs beside it."""
        shown = str(path)
        descriptor = json_value(decode(self.bytes_of(path, shown), shown), f"{shown}:1")
        resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
        files: list[tuple[str, Path]] = []
        for resource in resources if isinstance(resources, list) else []:
            if not isinstance(resource, dict):
                continue
            paths = resource.get("path")
            for relative in paths if isinstance(paths, list) else [paths]:
                if not isinstance(relative, str) or not relative:
                    continue
                name = resource.get("name")
                table = _TABLE_OF_STEM.get(str(name)) or _TABLE_OF_STEM.get(PurePosixPath(relative).stem)
                target = path.parent / relative
                if table is None or not target.resolve().is_relative_to(path.parent.resolve()):
                    continue
                if target.resolve() in self.seen:
                    continue
                if not target.is_file():
                    self.warn(shown, 1, 1, msg("cli.hsds.missing_resource", path=relative), "hsds-missing-resource")
                    continue
                files.append((table, target))
        if not files:
            files = [(_TABLE_OF_STEM[p.stem], p) for p in sorted(path.parent.glob("*.csv")) if p.stem in _TABLE_OF_STEM]
        self.tables((table, str(file), self.bytes_of(file, str(file))) for table, file in files)

    def zip(self, path: Path) -> None:
        shown = str(path)
        members = read_zip(path, shown, lambda n: n.endswith((".csv", ".json", ".ndjson", ".jsonl")), self.left)
        self.left -= sum(map(len, members.values()))
        tables = [
            (_TABLE_OF_STEM[PurePosixPath(n).stem], f"{shown}/{n}", d)
            for n, d in sorted(members.items())
            if n.endswith(".csv") and PurePosixPath(n).stem in _TABLE_OF_STEM
        ]
        if tables:
            return self.tables(tables)
        for name, data in sorted(members.items()):
            if PurePosixPath(name).name == "datapackage.json":
                continue
            if name.endswith(".json"):
                self.json_file(data, f"{shown}/{name}")
            elif name.endswith((".ndjson", ".jsonl")):
                self.ndjson_file(data, f"{shown}/{name}")
        return None


def _kind(obj: Json, hint: str) -> str:
    keys = set(obj)
    if keys & _SERVICE_HINTS and not (hint == "organization" and "services" in keys):
        return "service"
    if keys & _ORGANIZATION_HINTS:
        return "organization"
    return hint


def _delimiter(data: bytes) -> str:
    """``;`` or ``,``: whichever the header line holds more of, outside quotes."""
    first = data.split(b"\n", 1)[0]
    unquoted = re.sub(rb'"[^"]*"', b"", first)
    return ";" if unquoted.count(b";") > unquoted.count(b",") else ","


def read_feed(paths: Path | Sequence[Path]) -> Feed:
    """Every record of the given files and folders (several pages of a list: several
    files), bounded by ``MAX_INPUT_BYTES`` in all. ``InputError`` when one cannot be read."""
    reader = _Reader()
    paths = [paths] if isinstance(paths, Path) else list(paths)
    for path in paths:
        reader.path(path)
    reader.feed.name = paths[0].name if paths else "hsds"
    return reader.feed
