"""Reading files that come from outside the registry (imports): bounded, and every
refusal positioned.

An import reads what another program or person produced: a spreadsheet, an HSDS data
package, a zip. Nothing in it is trusted. Sizes are bounded before anything is decoded
(a file is read at most one byte past its limit, whatever ``stat`` says; a zip's members
are decompressed piece by piece and counted, whatever their headers declare); text must
decode; CSV rows, columns and cells, JSON nesting and numbers are bounded or checked.
Each refusal is one message, ``where: message [code]``, raised as ``InputError``: the
spreadsheet and HSDS readers build on these functions, so every import inherits the same
limits, and the import commands print the message and exit 1 with nothing written. The
message is a catalogue key (``cli.input.…``) put into words in the language of the command
under way (``locale.speaking()``: French by default, English with ``--lang en``).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NoReturn

from ..locale import speaking
from ..registry.problems import Message, literal, msg

# One file, or the decompressed members of one zip together. Parsed JSON takes about
# seven times its size in memory (64 MiB of our own NDJSON peaked at 434 MB), so 32 MiB
# keeps an import far below 1 GiB; it holds about 1,500 services in our verbose nested
# NDJSON and some 4,000 in the tabular data package.
MAX_INPUT_BYTES = 32 * 1024 * 1024
# An XLSX is XML, several times larger than the CSV of the same cells; openpyxl streams
# the sheet but holds the shared strings in memory (60 MiB of them, 2.9 million short
# texts, peaked at 488 MB). The zip itself, like any zip read here, is at most 32 MiB.
MAX_XLSX_BYTES = 64 * 1024 * 1024
MAX_ZIP_MEMBERS = 1_000  # an XLSX has a dozen parts, a data package some twenty tables
MAX_ROWS = 50_000  # services in one spreadsheet: five times the national benchmark
# Rows of one table of an HSDS data package. A service takes one row in services.csv but
# some twenty-five in attributes.csv: 32 MiB of our own package holds about 140,000. Tiny
# rows cost far more than their bytes (a million of them peaked at 790 MB; 250,000 at
# 253 MB, the real registry loaded beside them).
MAX_TABLE_ROWS = 250_000
MAX_COLUMNS = 256  # the import sheet has 23 columns, the widest HSDS table about 30
MAX_CELL_CHARS = 128 * 1024  # the csv module's own default limit, now a positioned error
MAX_JSON_DEPTH = 64  # a nested HSDS service goes about 7 levels deep
# Values in one JSON file. 31 MiB of our own NDJSON holds 701,143; an empty object takes
# 64 bytes of memory for 3 of text, so the count, not the size, bounds the worst case.
MAX_JSON_VALUES = 2_000_000

_CHUNK = 1024 * 1024


class InputError(Exception):
    """An input refused before anything is imported: ``where: message [code]``.

    ``message`` is a catalogue ``Message`` (or words already written, by a subclass's
    caller); ``str()`` puts it into words in the language of the command under way.
    """

    def __init__(self, message: Message | str, where: str = "", code: str = "") -> None:
        super().__init__(message, where, code)
        self.message = literal(message) if isinstance(message, str) else message
        self.where = where
        self.code = code

    def text(self, lang: str) -> str:
        """``where: message [code]`` in ``lang``."""
        words = self.message.text(lang)
        if self.where:
            words = f"{self.where}: {words}"
        return f"{words} [{self.code}]" if self.code else words

    def __str__(self) -> str:
        return self.text(speaking())


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


def _refuse(where: str, code: str, message: Message) -> NoReturn:
    raise InputError(message, where, code)


def read_bytes(path: Path, shown: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of ``path``, refused above ``limit`` (also for a FIFO or ``/dev/zero``)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        _refuse(f"{shown}:0:0", "input-unreadable", msg("cli.input.unreadable", reason=reason))
    if len(data) > limit:
        _refuse(f"{shown}:0:0", "input-too-large", msg("cli.input.too_large", size=_mib(limit)))
    return data


def _open_zip(path: Path, shown: str) -> zipfile.ZipFile:
    # zipfile reads the whole central directory before anyone can count its entries (and
    # trusts no count the archive declares): the archive's own size bounds them.
    try:
        size = path.stat().st_size
    except OSError as exc:
        _refuse(f"{shown}:0:0", "input-unreadable", msg("cli.input.unreadable", reason=str(exc.strerror)))
    if size > MAX_INPUT_BYTES:
        _refuse(f"{shown}:0:0", "input-too-large", msg("cli.input.too_large", size=_mib(MAX_INPUT_BYTES)))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        _refuse(f"{shown}:0:0", "zip-unreadable", msg("cli.input.zip_unreadable"))
    if len(archive.infolist()) > MAX_ZIP_MEMBERS:
        archive.close()
        _refuse(f"{shown}:0:0", "zip-too-many-members", msg("cli.input.zip_too_many_members", n=MAX_ZIP_MEMBERS))
    return archive


def check_zip(path: Path, shown: str, limit: int) -> None:
    """Refuse a zip (an XLSX) whose members would decompress to more than ``limit`` bytes.

    For a library that reads the zip itself (openpyxl): Python's ``zipfile`` never returns
    more than the size a member declares, so the declared sizes bound what it can inflate.
    """
    with _open_zip(path, shown) as archive:
        declared = sum(info.file_size for info in archive.infolist())
    if declared > limit:
        _refuse(f"{shown}:0:0", "input-too-large", msg("cli.input.decompresses_to", size=_mib(limit)))


def read_zip(path: Path, shown: str, wanted: Callable[[str], bool], limit: int = MAX_INPUT_BYTES) -> dict[str, bytes]:
    """The members of a zip that ``wanted`` selects, decompressed piece by piece: refused
    as soon as one member or all of them together pass ``limit``."""
    members: dict[str, bytes] = {}
    total = 0
    with _open_zip(path, shown) as archive:
        for info in archive.infolist():
            if info.is_dir() or not wanted(info.filename):
                continue
            pieces = []
            try:
                with archive.open(info) as member:
                    while piece := member.read(_CHUNK):
                        total += len(piece)
                        if total > limit:
                            where = f"{shown}/{info.filename}:0:0"
                            _refuse(
                                where, "input-too-large", msg("cli.input.archive_decompresses_to", size=_mib(limit))
                            )
                        pieces.append(piece)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError):
                _refuse(f"{shown}/{info.filename}:0:0", "zip-unreadable", msg("cli.input.cannot_decompress"))
            members[info.filename] = b"".join(pieces)
    return members


# --- text ---------------------------------------------------------------------------------


_ENCODING_NAMES = {"cp1252": "Windows-1252"}


def line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in bytes) of ``offset`` in ``data``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def decode(
    data: bytes,
    shown: str,
    fallback: str | None = None,
    where: Callable[[bytes, int], str] | None = None,
) -> str:
    """``data`` as UTF-8 (a byte-order mark is dropped), else as ``fallback`` if given.

    A byte that neither encoding defines is refused at its position: ``where(data,
    offset)`` says it the way the caller's format does (``row:column`` for a CSV), by
    default ``line:column``.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start
    if fallback is not None:
        try:
            return data.decode(fallback)
        except UnicodeDecodeError as exc:
            offset = exc.start
    position = where(data, offset) if where is not None else "{}:{}".format(*line_and_column(data, offset))
    byte = f"{data[offset]:02x}"
    if fallback is None:
        _refuse(f"{shown}:{position}", "encoding", msg("cli.input.not_utf8", byte=byte))
    name = _ENCODING_NAMES.get(fallback, fallback)
    _refuse(f"{shown}:{position}", "encoding", msg("cli.input.not_utf8_nor", byte=byte, encoding=name))


# --- CSV ----------------------------------------------------------------------------------


def letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def blank(cell: Any) -> bool:
    """An empty cell: None, or text of spaces only."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def bounded_rows(
    rows: Iterable[Iterable[Any]], shown: str, max_rows: int = MAX_ROWS
) -> Iterator[tuple[int, list[Any]]]:
    """``(row number, cells)`` of each row that is not blank, trailing blank cells dropped;
    refused past ``max_rows`` rows, ``MAX_COLUMNS`` columns or a cell of more than
    ``MAX_CELL_CHARS`` characters. Blank rows and cells cost nothing (spreadsheet programs
    pad with them), and rows are read one at a time."""
    last_blank: object = None
    for number, row in enumerate(rows, start=1):
        if row is last_blank:  # openpyxl fills a gap of rows with one and the same object
            continue
        cells = row if isinstance(row, list | tuple) else list(row)
        if cells.count(None) + cells.count("") == len(cells):
            last_blank = row
            continue
        if not all(blank(cell) for cell in cells[MAX_COLUMNS:]):
            _refuse(
                f"{shown}:{number}:{letter(MAX_COLUMNS)}",
                "too-many-columns",
                msg("cli.input.too_many_columns", n=MAX_COLUMNS),
            )
        cells = list(cells[:MAX_COLUMNS])
        while cells and blank(cells[-1]):
            cells.pop()
        if not cells:
            continue
        if number > max_rows:
            _refuse(f"{shown}:{number}:A", "too-many-rows", msg("cli.input.too_many_rows", n=max_rows))
        for index, cell in enumerate(cells):
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                where = f"{shown}:{number}:{letter(index)}"
                _refuse(where, "cell-too-large", msg("cli.input.cell_too_large", n=MAX_CELL_CHARS))
        yield number, cells


def csv_position(data: bytes, offset: int, delimiter: str = ",") -> str:
    """``row:column`` (the column's letter) of byte ``offset``: where a spreadsheet program
    shows the cell, quoted line breaks included."""
    prefix = data[:offset].decode("utf-8", errors="replace")
    rows = list(_reader(prefix + "x", "", delimiter)) or [[]]
    return f"{len(rows)}:{letter(max(len(rows[-1]) - 1, 0))}"


def _reader(text: str, shown: str, delimiter: str) -> Iterator[list[str]]:
    # The csv module's cell limit is process-wide: lift it while reading (the text is
    # already bounded) and let ``bounded_rows`` refuse long cells with their position.
    previous = csv.field_size_limit(max(len(text) + 1, csv.field_size_limit()))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                _refuse(f"{shown}:{reader.line_num}:A", "csv-syntax", msg("cli.input.csv_syntax", reason=str(exc)))
            yield row
    finally:
        csv.field_size_limit(previous)


def csv_rows(text: str, shown: str, delimiter: str = ",", max_rows: int = MAX_ROWS) -> Iterator[tuple[int, list[Any]]]:
    """``(row number, cells)`` of a CSV text, bounded as ``bounded_rows`` says."""
    record = _too_wide(text, delimiter)
    if record is not None:
        _refuse(
            f"{shown}:{record}:{letter(MAX_COLUMNS)}",
            "too-many-columns",
            msg("cli.input.too_many_columns", n=MAX_COLUMNS),
        )
    return bounded_rows(_reader(text, shown, delimiter), shown, max_rows)


# The csv module builds a whole row before anyone can count its cells: 31 MiB of "ab;"
# made one row of ten million cells, a MemoryError under 1 GiB. Rows are measured on the
# text first: quoted cells (which may hold delimiters and line breaks) blanked as the csv
# module reads them, a quote opening a cell only at its start, then delimiters counted
# per line. The bound is the widest sheet a spreadsheet program makes (XFD, 16,384
# columns); ``bounded_rows`` then applies MAX_COLUMNS to cells that are not blank.
_WIDEST_SHEET = 16_384


def _too_wide(text: str, delimiter: str) -> int | None:
    """The number of the first record wider than ``_WIDEST_SHEET`` cells, if any."""
    if text.count(delimiter) < _WIDEST_SHEET:
        return None
    d = re.escape(delimiter)
    quoted = re.compile(rf'(?:\A|(?<=[{d}\r\n]))"[^"]*(?:""[^"]*)*"')
    unquoted = quoted.sub("", text)
    wide = re.search(rf"(?m)^(?:[^{d}\n]*{d}){{{_WIDEST_SHEET}}}", unquoted)
    return None if wide is None else unquoted.count("\n", 0, wide.start()) + 1


# --- JSON ---------------------------------------------------------------------------------

_STRING = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')  # a JSON string never spans lines
_DEPTH = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_STRING_OR_BRACKET = re.compile(_STRING.pattern + r"|[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _NotANumber:
    """What ``NaN``, ``Infinity`` and ``-Infinity`` parse to: JSON has no such numbers."""

    def __init__(self, text: str) -> None:
        self.text = text


# Python's JSON parser recurses (``RecursionError``) and builds every value before anyone
# can count them: nesting and values are counted first, on the text, strings aside.
_KEEP_STRUCTURE = {c: None for c in range(128) if chr(c) not in "[]{},"}
_KEEP_BRACKETS = {c: None for c in range(128) if chr(c) not in "[]{}"}
_DEPTH_OF = {"[": 1, "{": 1, "]": -1, "}": -1}


def _value_count(text: str) -> int:
    """An upper bound of the values in ``text``: containers, commas, one per line."""
    structure = _STRING.sub("", text).translate(_KEEP_STRUCTURE)
    return len(structure) - structure.count("]") - structure.count("}") + text.count("\n") + 1


def _too_deep(text: str) -> int | None:
    """The offset where ``text`` nests deeper than ``MAX_JSON_DEPTH``, if it does."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return None
    brackets = _STRING.sub("", text).translate(_KEEP_BRACKETS)
    if max(itertools.accumulate(map(_DEPTH_OF.get, brackets, itertools.repeat(0)))) <= MAX_JSON_DEPTH:
        return None
    depth = 0  # too deep: again, slower, on the text itself for the column
    for match in _STRING_OR_BRACKET.finditer(text):
        depth += _DEPTH.get(ord(match.group()[0]), 0)
        if depth > MAX_JSON_DEPTH:
            return match.start()
    return None


def json_lines(text: str, shown: str) -> Iterator[tuple[int, Any]]:
    """Each non-blank line of an NDJSON text, parsed: ``(line number, value)``; at most
    ``MAX_JSON_VALUES`` values in all (an empty object costs 64 bytes, written in 3)."""
    if _value_count(text) > MAX_JSON_VALUES:
        _refuse(f"{shown}:0:0", "json-too-many-values", msg("cli.input.json_too_many_values", n=MAX_JSON_VALUES))
    # Lines end at "\n" only: a JSON text may hold U+2028 and other breaks of splitlines().
    for number, line in enumerate(io.StringIO(text, newline="\n"), start=1):
        if line.strip():
            yield number, _parse(line, f"{shown}:{number}")


def json_value(text: str, where: str) -> Any:
    """``text`` parsed as one JSON value (at most ``MAX_JSON_VALUES`` values);
    ``where`` is ``file:line`` for messages."""
    if _value_count(text) > MAX_JSON_VALUES:
        _refuse(f"{where}:1", "json-too-many-values", msg("cli.input.json_too_many_values", n=MAX_JSON_VALUES))
    return _parse(text, where)


def _parse(text: str, where: str) -> Any:
    offset = _too_deep(text)
    if offset is not None:
        _refuse(f"{where}:{offset + 1}", "json-too-deep", msg("cli.input.json_too_deep", n=MAX_JSON_DEPTH))
    constants: list[_NotANumber] = []

    def constant(name: str) -> _NotANumber:
        constants.append(_NotANumber(name))
        return constants[-1]

    try:
        value = json.loads(text, parse_constant=constant)
    except json.JSONDecodeError as exc:
        _refuse(f"{where}:{exc.colno}", "json-syntax", msg("cli.input.json_syntax", reason=exc.msg))
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        _refuse(f"{where}:1", "json-syntax", msg("cli.input.json_syntax", reason=str(exc)))
    if not constants and not _SURROGATE_ESCAPE.search(text):
        return value  # nothing to look for: most texts are walked no further
    for pointer, bad in json_pointers(value, _unusable):
        if isinstance(bad, _NotANumber):
            _refuse(f"{where}: {pointer or '/'}", "json-number", msg("cli.input.json_number", value=bad.text))
        _refuse(f"{where}: {pointer or '/'}", "json-string", msg("cli.input.json_surrogate"))
    return value


def _unusable(value: Any) -> bool:
    """NaN or an infinity, or a text holding half of a surrogate pair (not encodable)."""
    return isinstance(value, _NotANumber) or (isinstance(value, str) and _SURROGATE.search(value) is not None)


def json_pointers(value: Any, match: Callable[[Any], bool]) -> Iterator[tuple[str, Any]]:
    """``(JSON pointer, value)`` of every value (and object key) inside ``value`` that
    ``match`` selects, in document order, without recursion. A pointer is written only
    for what is selected and for containers: most values are neither."""
    stack: list[tuple[str, str | int | None, Any]] = [("", None, value)]
    while stack:
        parent, key, current = stack.pop()
        container = isinstance(current, dict | list)
        selected = match(current)
        if not (container or selected):
            continue
        pointer = parent if key is None else f"{parent}/{_escape(str(key))}"
        if selected:
            yield pointer, current
        if isinstance(current, dict):
            for name in current:
                if match(name):
                    yield f"{pointer}/{_escape(str(name))}", name
            stack.extend((pointer, name, item) for name, item in reversed(current.items()))
        elif isinstance(current, list):
            stack.extend((pointer, index, item) for index, item in reversed(list(enumerate(current))))


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
