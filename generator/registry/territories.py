"""The gazetteer: territories with codes, names, parents, postcodes, population, centroid.

Read from ``data/territories/*.csv`` (built by ``scripts/build_gazetteer.py``) and
validated as it is read: every malformed cell is a ``Problem`` positioned
``file:line:col: column: message [code]`` (see ``read_gazetteer``). A place typed by a person
(a name, a postcode or a code) resolves to one code or to an error that lists the candidates.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .problems import Message, Problem, RegistryError, literal, msg, quoted
from .text import closest, fold

LEVELS = ("country", "region", "dep", "province", "epci", "commune")
# `--level dep` also means a Belgian province: both are the level under the region.
LEVEL_ALIASES = {"dep": ("dep", "province"), "province": ("dep", "province")}
COLUMNS = ["code", "level", "name", "name_nl", "parents", "postcodes", "population", "lat", "lon", "precision"]


@dataclass(frozen=True, slots=True)
class Territory:
    code: str
    level: str
    name: str
    name_nl: str
    parents: tuple[str, ...]
    postcodes: tuple[str, ...]
    population: int | None
    lat: float | None
    lon: float | None
    precision: str

    def label(self, lang: str = "fr") -> str:
        """The name in ``lang`` where the gazetteer has it (Dutch for Belgium)."""
        if lang == "nl" and self.name_nl:
            return self.name_nl
        return self.name


class PlaceError(ValueError):
    """A place that resolves to no territory, or to several (``candidates``).

    ``message`` says it in any language; ``str()`` of the error says it in English.
    """

    def __init__(self, place: str, message: Message, candidates: Iterable[Territory] = ()) -> None:
        self.place = place
        self.message = message
        self.candidates = tuple(candidates)
        super().__init__(message.text("en"))


class Gazetteer:
    """All territories by code, with lookups by name, postcode and ancestry."""

    def __init__(self, territories: Iterable[Territory], problems: Iterable[Problem] = ()) -> None:
        self.by_code: dict[str, Territory] = {t.code: t for t in territories}
        # What was wrong in the files it was read from (see ``read_gazetteer``): a
        # gazetteer with problems is only good for reporting them.
        self.problems: tuple[Problem, ...] = tuple(sorted(problems))
        self._ancestors: dict[str, frozenset[str]] = {}
        self._descendants: dict[tuple[str, str | None], tuple[str, ...]] = {}

    @classmethod
    def load(cls, folder: Path, root: Path | None = None) -> Gazetteer:
        """Read and validate every CSV of ``folder``; ``RegistryError`` on any problem."""
        gazetteer = read_gazetteer(folder, root)
        if gazetteer.problems:
            raise RegistryError(gazetteer.problems)
        return gazetteer

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def __getitem__(self, code: str) -> Territory:
        return self.by_code[code]

    def __iter__(self) -> Iterator[Territory]:
        return iter(self.by_code.values())

    def __len__(self) -> int:
        return len(self.by_code)

    def get(self, code: str) -> Territory | None:
        return self.by_code.get(code)

    def ancestors(self, code: str) -> frozenset[str]:
        """Every territory that contains ``code``, the code itself included."""
        cached = self._ancestors.get(code)
        if cached is not None:
            return cached
        result = {code}
        territory = self.by_code.get(code)
        if territory and territory.level == "epci" and len(territory.parents) > 1:
            # An EPCI across several départements lies inside none of them, only inside
            # what contains them all (their region, when they share one; the country).
            result |= frozenset.intersection(*(self.ancestors(p) for p in territory.parents))
        elif territory:
            for parent in territory.parents:
                if territory.level == "commune" and self.by_code.get(parent, territory).level == "epci":
                    # A commune's own département is among its parents: going up through
                    # its EPCI would add the other départements that EPCI spans.
                    result.add(parent)
                else:
                    result |= self.ancestors(parent)
        frozen = frozenset(result)
        self._ancestors[code] = frozen
        return frozen

    @cached_property
    def children(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = defaultdict(list)
        for t in self.by_code.values():
            for parent in t.parents:
                found[parent].append(t.code)
        return {k: tuple(sorted(v)) for k, v in found.items()}

    def descendants(self, code: str, level: str | None = None) -> list[str]:
        """Every territory inside ``code`` (optionally only at ``level``), sorted."""
        # Cached: a national directory asks for the communes of the same few hundred areas
        # once per service that names them (a tenth of a second for a whole country).
        key = (code, level)
        cached = self._descendants.get(key)
        if cached is None:
            cached = self._descendants[key] = tuple(self._walk_down(code, level))
        return list(cached)

    def _walk_down(self, code: str, level: str | None) -> list[str]:
        seen: set[str] = set()
        stack = [code]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        levels = LEVEL_ALIASES.get(level, (level,)) if level else None
        return sorted(c for c in seen if levels is None or self.by_code[c].level in levels)

    def covers(self, area: Iterable[str], code: str) -> bool:
        """Whether a service area (codes at any level) covers territory ``code``."""
        return not self.ancestors(code).isdisjoint(area)

    @cached_property
    def _by_name(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for t in self.by_code.values():
            for name in {t.name, t.name_nl} - {""}:
                index[fold(name)].append(t.code)
        return index

    @cached_property
    def _by_postcode(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for t in self.by_code.values():
            for postcode in t.postcodes:
                index[postcode].append(t.code)
        return index

    def resolve(self, place: str) -> Territory:
        """A code, a postcode or a name to its territory; ``PlaceError`` otherwise.

        A name shared by several territories (or a postcode shared by several communes)
        is ambiguous: the error lists the candidates with their codes. Among territories
        of different levels with the same name, the commune wins (Paris the commune, not
        the département of the same name) only when exactly one commune has that name.
        """
        text = place.strip()
        if text.lower() in self.by_code:
            return self.by_code[text.lower()]
        if re.fullmatch(r"[0-9]{4,5}", text):
            codes = self._by_postcode.get(text, [])
            return self._one(place, codes, msg("check.place.no_postcode", postcode=text))
        named = _NAME_AND_POSTCODE.fullmatch(text)
        if named:  # "Saint-Gilles (1060)": the name, with a postcode to pick among namesakes
            name, postcode = named.groups()
            codes = [c for c in self._by_name.get(fold(name), []) if postcode in self.by_code[c].postcodes]
            return self._one(place, codes, msg("check.place.no_name_postcode", name=name, postcode=postcode))
        codes = self._by_name.get(fold(text), [])
        communes = [c for c in codes if self.by_code[c].level == "commune"]
        if len(communes) == 1 and len(codes) > 1:
            codes = communes
        return self._one(place, codes, msg("check.place.no_name", name=text))

    def _one(self, place: str, codes: list[str], missing: Message) -> Territory:
        unique = sorted(set(codes))
        if len(unique) == 1:
            return self.by_code[unique[0]]
        if not unique:
            near = self.suggest_name(place)
            if near:
                raise PlaceError(place, msg("check.place.missing_hint", missing=missing, match=near))
            raise PlaceError(place, missing)
        candidates = [self.by_code[c] for c in unique]
        listing = tuple(f"{t.name} ({t.code})" for t in candidates[:12])
        more = msg("check.place.more", n=len(candidates) - 12) if len(candidates) > 12 else literal("")
        raise PlaceError(
            place, msg("check.place.ambiguous_typed", place=place, candidates=listing, more=more), candidates
        )

    def suggest_name(self, place: str) -> str:
        name = closest(fold(place), self._by_name, 0.85)
        if name is None:
            return ""
        code = sorted(self._by_name[name])[0]
        return self.pick(self.by_code[code])

    def pick(self, territory: Territory) -> str:
        """What a person types to get ``territory`` and no other: its name, with a postcode if
        namesakes share it ("Saint-Gilles (1060)"), else its code."""
        for typed in (territory.name, *(f"{territory.name} ({p})" for p in territory.postcodes[:1])):
            try:
                if self.resolve(typed).code == territory.code:
                    return typed
            except PlaceError:
                continue
        return territory.code

    def within(self, territory: Territory) -> Territory | None:
        """The département or province of ``territory`` (its region where there is none, as
        for Brussels), to tell namesakes apart."""
        chain = self.path(territory.code)[:-1]
        for levels in (("dep", "province"), ("region",)):
            found = [t for t in chain if t.level in levels]
            if found:
                return found[-1]
        return None

    def suggest_code(self, code: str) -> str | None:
        """The closest existing code of the same kind, for a "did you mean" hint."""
        prefix = code.rsplit("-", 1)[0] + "-" if "-" in code else ""
        pool = [c for c in self.by_code if c.startswith(prefix)] if prefix else list(self.by_code)
        return closest(code, pool, 0.8)

    def path(self, code: str) -> list[Territory]:
        """From the country down to ``code``, following first parents."""
        chain: list[Territory] = []
        current = self.by_code.get(code)
        while current is not None and current not in chain:
            chain.append(current)
            main = [p for p in current.parents if not p.startswith("fr-epci-")] or list(current.parents)
            current = self.by_code.get(main[0]) if main else None
        return list(reversed(chain))


# --- reading and validating the files ------------------------------------------------------

MAX_FILE_BYTES = 64 * 1024 * 1024  # the shipped fr.csv is 3.8 MB
MAX_CODE_LENGTH = 40  # as in the registry's TerritoryCode; a code names a folder of the site
CODE = re.compile(r"(?:fr|be)(?:-([a-z]+)-[0-9a-z]+)?")
POSTCODE = re.compile(r"[0-9]{4,5}")
COORDINATE = re.compile(r"-?[0-9]{1,3}(?:\.[0-9]+)?")
PRECISIONS = ("exact", "postcode", "name-matched", "fallback")
# From the largest level to the smallest (assets/orient.js has the same table). A parent is
# always of a higher rank than its child: the levels cannot loop.
LEVEL_RANK = {"country": 0, "region": 1, "dep": 2, "province": 2, "epci": 3, "commune": 4}
_NAME_AND_POSTCODE = re.compile(r"(.*\S)\s*\(\s*([0-9]{4,5})\s*\)")
_HIDDEN = re.compile("[\u115f\u1160\u3164\uffa0]")  # Hangul fillers: printable, yet blank


def read_gazetteer(folder: Path, root: Path | None = None) -> Gazetteer:
    """Every CSV of ``folder`` (sorted, so the result never depends on the disk), checked.

    The result's ``problems`` name each malformed cell at ``file:line:col`` (paths relative
    to ``root``); a row whose code is unusable is left out, a bad cell is read as empty.
    """
    reader = _Reader()
    for file in sorted(folder.glob("*.csv")):
        inside = root is not None and file.is_relative_to(root)
        reader.file(file, file.relative_to(root).as_posix() if inside and root else file.as_posix())
    reader.references()
    reader.where.clear()  # each file refers to the reader: free them now, not at a collection
    return Gazetteer(reader.territories.values(), reader.problems)


class _Reader:
    def __init__(self) -> None:
        self.territories: dict[str, Territory] = {}
        self.problems: list[Problem] = []
        self.where: dict[str, tuple[_File, int]] = {}  # code -> its file and line
        self.lost = False  # whether a row could not be read: its code may be missing

    def file(self, file: Path, path: str) -> None:
        try:
            size = file.stat().st_size
            if size > MAX_FILE_BYTES:
                message = msg("check.gazetteer.too_large", limit=MAX_FILE_BYTES // (1024 * 1024))
                self.problems.append(Problem(path, 1, 1, message, "file-too-large"))
                return
            with file.open(encoding="utf-8", newline="") as handle:
                _File(self, path, file).read(handle)
        except OSError as exc:
            self.problems.append(Problem(path, 1, 1, msg("check.file.unreadable", reason=str(exc.strerror)), "io"))
        except UnicodeDecodeError:
            raw = file.read_bytes()[: MAX_FILE_BYTES + 1]
            try:
                raw.decode("utf-8")
                return  # changed while being read: nothing to say about the new bytes
            except UnicodeDecodeError as exc:
                before = raw[: exc.start]
                line = before.count(b"\n") + 1
                col = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
                message = msg("check.file.not_utf8", byte=f"0x{raw[exc.start]:02x}")
            self.problems.append(Problem(path, line, col, message, "encoding"))
            self.lost = True

    def references(self) -> None:
        """Parents that exist and rank above their child (hence no cycle).

        A parent missing because its own row was unreadable (already reported) is not
        reported again; a territory of unknown level is not ranked.
        """
        for code, territory in self.territories.items():
            for parent in territory.parents:
                found = self.territories.get(parent)
                if found is None:
                    if not self.lost:
                        self.at(
                            code, "parents", msg("check.gazetteer.unknown_parent", parent=parent), "unknown-reference"
                        )
                elif found.level and territory.level and LEVEL_RANK[found.level] >= LEVEL_RANK[territory.level]:
                    message = msg("check.gazetteer.bad_parent", parent=parent, level=found.level, own=territory.level)
                    self.at(code, "parents", message, "bad-parent")

    def at(self, code: str, column: str, message: Message, kind: str) -> None:
        file, line = self.where[code]
        file.problem(line, COLUMNS.index(column), message, kind)


def _column(line: str, index: int) -> int:
    """The 1-based character column where field ``index`` of a CSV line starts."""
    quoted = False
    field = 0
    for i, char in enumerate(line):
        if field == index:
            return i + 1
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            field += 1
    return len(line) + 1


class _File:
    """One CSV file, read row by row; each bad cell is a problem at its line and column."""

    def __init__(self, reader: _Reader, path: str, file: Path) -> None:
        self.reader = reader
        self.path = path
        self.file = file
        self.current = (0, "")  # the line being read, and its number
        self._lines: list[str] | None = None  # read again only to position a later problem

    def line(self, number: int) -> str:
        if number == self.current[0]:
            return self.current[1]
        if self._lines is None:
            with self.file.open(encoding="utf-8", newline="", errors="replace") as handle:
                self._lines = list(handle)  # the lines as the csv module counts them
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def problem(self, line: int, index: int, message: Message, code: str, *, whole: bool = False) -> None:
        """A problem in cell ``index`` of ``line`` (in the row or the header as a whole: ``whole``)."""
        field = "" if whole or not 0 <= index < len(COLUMNS) else COLUMNS[index]
        self.reader.problems.append(Problem(self.path, line, _column(self.line(line), index), message, code, field))

    def _follow(self, handle: Iterable[str]) -> Iterator[str]:
        for number, text in enumerate(handle, 1):
            self.current = (number, text)
            yield text

    def read(self, handle: Iterable[str]) -> None:
        rows = csv.reader(self._follow(handle))
        try:
            header = next(rows, None)
        except csv.Error as exc:
            self.problem(1, 0, msg("check.gazetteer.bad_header", error=str(exc)), "bad-header", whole=True)
            return
        if not header:
            message = msg("check.gazetteer.empty_header", columns=",".join(COLUMNS))
            self.problem(1, 0, message, "bad-header", whole=True)
            return
        if header != COLUMNS:
            self.header(header)
            return
        line = 1
        while True:
            start = line + 1
            try:
                row = next(rows, None)
            except csv.Error as exc:
                message = msg("check.gazetteer.bad_row", error=str(exc))
                self.problem(rows.line_num, 0, message, "bad-row", whole=True)
                self.reader.lost = True
                return
            if row is None:
                return
            line = rows.line_num
            if start != line:
                message = msg("check.gazetteer.row_lines")
                self.problem(start, 0, message, "bad-row", whole=True)
                self.reader.lost = True
                continue
            if len(row) != len(COLUMNS):
                if row:
                    message = msg("check.gazetteer.row_columns", expected=len(COLUMNS), found=len(row))
                    self.problem(line, min(len(row), len(COLUMNS)), message, "bad-row", whole=True)
                    self.reader.lost = True
                continue  # an empty line is no row
            self.row(line, row)

    def header(self, header: list[str]) -> None:
        for index, name in enumerate(header):
            if name not in COLUMNS:
                message = msg("check.gazetteer.unknown_column", name=_quote(name), columns=",".join(COLUMNS))
                self.problem(1, index, message, "bad-header", whole=True)
                return
        missing = [name for name in COLUMNS if name not in header]
        if missing:
            message = msg("check.gazetteer.missing_columns", missing=tuple(missing), columns=",".join(COLUMNS))
        else:
            message = msg("check.gazetteer.column_order", columns=",".join(COLUMNS))
        self.problem(1, 0, message, "bad-header", whole=True)

    def row(self, line: int, row: list[str]) -> None:
        code, level, name, name_nl, parents, postcodes, population, lat, lon, precision = row
        problems = len(self.reader.problems)
        if len(code) > MAX_CODE_LENGTH:
            self.problem(line, 0, msg("check.pydantic.too_long", max=MAX_CODE_LENGTH), "too-long")
            self.reader.lost = True
            return
        match = CODE.fullmatch(code)
        if match is None:
            message = msg("check.gazetteer.bad_code", got=_quote(code))
            self.problem(line, 0, message, "bad-format")
            self.reader.lost = True
            return
        if code in self.reader.territories:
            first, first_line = self.reader.where[code]
            message = msg("check.gazetteer.duplicate_code", code=code, other=f"{first.path}:{first_line}")
            self.problem(line, 0, message, "duplicate-id")
            return
        if level not in LEVEL_RANK:
            message = msg("check.pydantic.literal_error", expected=", ".join(LEVELS), got=_quote(level))
            self.problem(line, 1, message, "not-allowed")
            level = ""
        elif (match.group(1) or "country") != level:
            message = msg("check.gazetteer.code_level", kind=match.group(1) or "country", level=level)
            self.problem(line, 1, message, "not-allowed")
            level = ""
        for index, value in ((2, name), (3, name_nl)):
            self.check_text(line, index, value, required=index == 2)
        above = parents.split()
        for parent in above:
            if len(parent) > MAX_CODE_LENGTH or CODE.fullmatch(parent) is None:
                self.problem(line, 4, msg("check.gazetteer.parent_code", got=_quote(parent)), "bad-format")
                above = [p for p in above if p != parent]
        for postcode in postcodes.split():
            if POSTCODE.fullmatch(postcode) is None:
                self.problem(line, 5, msg("check.gazetteer.postcode", got=_quote(postcode)), "bad-format")
        people = None
        if population:
            if population.isascii() and population.isdigit() and len(population) <= 12:
                people = int(population)
            else:
                message = msg("check.gazetteer.population", got=_quote(population))
                self.problem(line, 6, message, "wrong-type")
        latitude = self.coordinate(line, 7, lat, 90)
        longitude = self.coordinate(line, 8, lon, 180)
        if (latitude is None) != (longitude is None) and len(self.reader.problems) == problems:
            self.problem(line, 7 if latitude is None else 8, msg("check.gazetteer.lat_lon"), "missing")
        if precision and precision not in PRECISIONS:
            message = msg("check.pydantic.literal_error", expected=", ".join(PRECISIONS), got=_quote(precision))
            self.problem(line, 9, message, "not-allowed")
        elif bool(precision) != bool(lat or lon) and len(self.reader.problems) == problems:
            message = msg("check.gazetteer.precision_empty") if precision else msg("check.gazetteer.precision_required")
            self.problem(line, 9, message, "missing" if not precision else "not-allowed")
        self.reader.where[code] = (self, line)
        self.reader.territories[code] = Territory(
            code=code,
            level=level,
            name=name,
            name_nl=name_nl,
            parents=tuple(above),
            postcodes=tuple(postcodes.split()),
            population=people,
            lat=latitude if longitude is not None else None,
            lon=longitude if latitude is not None else None,
            precision=precision,
        )

    def check_text(self, line: int, index: int, value: str, *, required: bool) -> None:
        if not value.strip():
            if required:
                self.problem(line, index, msg("check.model.empty_text"), "empty")
            return
        if value.isprintable() and _HIDDEN.search(value) is None:
            return
        for position, char in enumerate(value, 1):
            if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn") or _HIDDEN.match(char):
                message = msg("check.gazetteer.invisible", code=f"{ord(char):04X}", pos=position)
                self.problem(line, index, message, "control-character")
                return

    def coordinate(self, line: int, index: int, value: str, limit: int) -> float | None:
        if not value:
            return None
        if COORDINATE.fullmatch(value) is None:
            self.problem(line, index, msg("check.gazetteer.coordinate", got=_quote(value)), "wrong-type")
            return None
        number = float(value)
        if not math.isfinite(number) or not -limit <= number <= limit:
            message = msg("check.gazetteer.out_of_range", value=value, limit=limit)
            self.problem(line, index, message, "out-of-range")
            return None
        return number


def _quote(value: str) -> Message:
    if not value:
        return msg("check.value.nothing")
    return quoted(f"{value[:40]}…" if len(value) > 40 else value)
