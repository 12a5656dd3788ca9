"""Read one YAML file into plain data, keeping the position of every node.

PyYAML (with its C parser when present) composes the node tree; we build the Python
values ourselves so that we can record positions, refuse duplicate keys, aliases and
non-standard tags, and bound depth and size. Dates stay strings: the models parse them.

Limits (documented in SECURITY.md): files of at most ``MAX_FILE_BYTES``, nesting of at
most ``MAX_DEPTH`` levels, at most ``MAX_NODES`` nodes. Anchors and aliases are refused:
a registry needs none, and they are the vector of "billion laughs" expansion.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..locale import N_
from .problems import Message, Problem, literal, msg
from .text import dotted

try:  # the C parser is 5-10x faster; fall back to pure Python where libyaml is absent
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 500_000

Path_ = tuple[Hashable, ...]

_TAG = "tag:yaml.org,2002:"
_constructor = yaml.constructor.SafeConstructor()


@dataclass
class Positions:
    """Where each value (and each mapping key) of a file starts, 1-based."""

    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # The style of each scalar that is not plain ('"', "'", "|", ">"): a problem inside a
    # one-line value (an opening_hours expression) is placed at its character.
    styles: dict[Path_, str] = field(default_factory=dict)

    def find(self, loc: Path_, *, key: bool = False) -> tuple[int, int]:
        """The position of ``loc``, else of its nearest parent that has one."""
        if key and loc in self.keys:
            return self.keys[loc]
        loc = tuple(loc)
        while loc:
            if loc in self.values:
                return self.values[loc]
            loc = loc[:-1]
        return self.values.get((), (1, 1))


@dataclass
class Document:
    """A parsed file: its data, the positions of its nodes and its problems."""

    path: str
    data: Any
    positions: Positions
    problems: list[Problem]


class _Builder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.positions = Positions()
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.count = 0

    def problem(self, node: Node, message: Message, code: str, loc: Path_ = ()) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, message, code, dotted(loc)))

    def build(self, node: Node, loc: Path_, depth: int) -> Any:
        if id(node) in self.seen:
            self.problem(node, msg("check.yaml.alias"), "yaml-alias", loc)
            return None
        self.seen.add(id(node))
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node, msg("check.yaml.too_many_nodes", limit=MAX_NODES), "yaml-too-many-nodes")
        if depth > MAX_DEPTH:
            raise _TooBig(node, _too_deep(), "yaml-too-deep")
        self.positions.values[loc] = _position(node)
        if isinstance(node, MappingNode):
            return self._mapping(node, loc, depth)
        if isinstance(node, SequenceNode):
            if node.tag != _TAG + "seq":
                self.problem(node, _tag(node.tag), "yaml-tag", loc)
                return None
            return [self.build(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if node.style:
            self.positions.styles[loc] = node.style
        return self._scalar(node, loc)

    def _mapping(self, node: MappingNode, loc: Path_, depth: int) -> Any:
        if node.tag != _TAG + "map":
            self.problem(node, _tag(node.tag), "yaml-tag", loc)
            return None
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or not key_node.tag.startswith(_TAG):
                self.problem(key_node, msg("check.yaml.key"), "yaml-key", loc)
                continue
            if key_node.tag == _TAG + "merge":
                self.problem(key_node, msg("check.yaml.merge"), "yaml-alias", loc)
                continue
            key = key_node.value
            if key in result:
                first = self.positions.keys[(*loc, key)]
                self.problem(
                    key_node,
                    msg("check.yaml.duplicate_key", key=key, line=first[0]),
                    "yaml-duplicate-key",
                    (*loc, key),
                )
                continue
            self.positions.keys[(*loc, key)] = _position(key_node)
            result[key] = self.build(value_node, (*loc, key), depth + 1)
        return result

    def _scalar(self, node: ScalarNode, loc: Path_) -> Any:
        tag = node.tag
        if tag in (_TAG + "str", _TAG + "timestamp"):
            return node.value
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            return _constructor.construct_yaml_bool(node)
        if tag == _TAG + "int":
            return _constructor.construct_yaml_int(node)
        if tag == _TAG + "float":
            return _constructor.construct_yaml_float(node)
        self.problem(node, _tag(tag), "yaml-tag", loc)
        return None


class _TooBig(Exception):
    def __init__(self, node: Node, message: Message, code: str) -> None:
        self.node, self.message, self.code = node, message, code


def _position(node: Node) -> tuple[int, int]:
    mark = node.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def _tag(tag: str) -> Message:
    return msg("check.yaml.tag", tag=_short(tag))


def _too_deep() -> Message:
    return msg("check.yaml.too_deep", limit=MAX_DEPTH)


def _nesting_too_deep(text: str) -> tuple[int, int] | None:
    """Find a nesting deeper than MAX_DEPTH with the event parser, which does not recurse.

    The node composer recurses once per level; a hostile file of a million ``[`` would
    exhaust the C stack before any limit of ours could apply.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return _line_col(event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # The scanner reads ahead, and a parser with a depth limit of its own (libyaml
        # since PyYAML 6.0.4) may stop there before our count reaches MAX_DEPTH.
        if _parser_depth_error(exc):
            return _line_col(exc.problem_mark or exc.context_mark)
        raise
    return None


# The mistakes maintainers make most, as libyaml (the C loader) and PyYAML's Python parser
# word them: what to look for, in the maintainer's language. Others keep PyYAML's words.
_SYNTAX_CAUSES: tuple[tuple[str, str, str], ...] = (
    ("mapping values are not allowed", "", N_("check.yaml.cause.colon")),
    ("did not find expected '-' indicator", "", N_("check.yaml.cause.indent")),
    ("expected <block end>", "block collection", N_("check.yaml.cause.indent")),
    ("did not find expected key", "", N_("check.yaml.cause.key")),
    ("expected <block end>", "block mapping", N_("check.yaml.cause.key")),
    ("did not find expected ',' or ']'", "", N_("check.yaml.cause.bracket")),
    ("expected ',' or ']'", "", N_("check.yaml.cause.bracket")),
    ("did not find expected ',' or '}'", "", N_("check.yaml.cause.brace")),
    ("expected ',' or '}'", "", N_("check.yaml.cause.brace")),
    ("found unexpected end of stream", "quoted scalar", N_("check.yaml.cause.quote")),
    ("that cannot start any token", "", N_("check.yaml.cause.character")),
    ("found undefined alias", "", N_("check.yaml.cause.star")),
    ("could not find expected ':'", "", N_("check.yaml.cause.no_colon")),
)


def _syntax_cause(problem: str, context: str) -> str | None:
    """The catalogue key that explains a PyYAML syntax problem, if it is a common one."""
    for start, within, key in _SYNTAX_CAUSES:
        if start in problem and within in context:
            return key
    return None


def _parser_depth_error(exc: yaml.MarkedYAMLError) -> bool:
    return "nesting depth" in (exc.problem or "") or "nesting depth" in (exc.context or "")


def _line_col(mark: Any) -> tuple[int, int]:
    """1-based line and column of a parser mark (pure-Python or libyaml's), (1, 1) without one."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _may_be_deep(text: str) -> bool:
    if text.count("[") + text.count("{") > 200:
        return True
    widest = max((len(line) - len(line.lstrip(" -")) for line in text.splitlines()), default=0)
    return widest > MAX_DEPTH


def read_yaml(file: Path, display: str | None = None) -> Document:
    """Parse ``file``; every problem found is in ``Document.problems``, never raised."""
    raw = read_raw(file, display)
    return raw if isinstance(raw, Document) else parse_yaml(raw, display or str(file))


def read_raw(file: Path, display: str | None = None) -> bytes | Document:
    """The bytes of ``file``; a ``Document`` with the problem when it cannot be read or is too large."""
    path = display or str(file)
    empty = Positions()
    try:
        size = os.stat(file).st_size
        if size <= MAX_FILE_BYTES:
            return file.read_bytes()
    except OSError as exc:
        problem = Problem(path, 0, 0, msg("check.file.unreadable", reason=str(exc.strerror)), "io")
        return Document(path, None, empty, [problem])
    message = msg("check.file.too_large", size=f"{size / 1e6:.1f}", limit=f"{MAX_FILE_BYTES / 1e6:.0f}")
    return Document(path, None, empty, [Problem(path, 1, 1, message, "file-too-large")])


def parse_yaml(raw: bytes, path: str) -> Document:
    """Parse YAML bytes (see ``read_yaml``)."""
    empty = Positions()
    if raw.startswith(b"\xef\xbb\xbf") or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = msg("check.file.bom")
        return Document(path, None, empty, [Problem(path, 1, 1, message, "encoding")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
        message = msg("check.file.not_utf8", byte=f"0x{raw[exc.start]:02x}")
        return Document(path, None, empty, [Problem(path, line, col, message, "encoding")])
    try:
        if _may_be_deep(text):
            deep = _nesting_too_deep(text)
            if deep:
                return Document(path, None, empty, [Problem(path, *deep, _too_deep(), "yaml-too-deep")])
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line, col = _line_col(exc.problem_mark or exc.context_mark)
        if _parser_depth_error(exc):
            return Document(path, None, empty, [Problem(path, line, col, _too_deep(), "yaml-too-deep")])
        # PyYAML's own words (in English) say what it found; ours say the rest.
        found = exc.problem or exc.context
        what = literal(found) if found else msg("check.yaml.invalid")
        if found == "but found another document":
            what = msg("check.yaml.second_document")
        tabs = "\t" in text.splitlines()[line - 1] if line - 1 < len(text.splitlines()) else False
        if found and not tabs and (why := _syntax_cause(found, exc.context or "")) is not None:
            what = msg("check.yaml.syntax_explained", why=msg(why), what=literal(found))
            if why == "check.yaml.cause.quote" and exc.context_mark is not None:
                line, col = _line_col(exc.context_mark)  # where the quotation mark opens, not the file's end
        message = msg("check.yaml.syntax_tabs", what=what) if tabs else msg("check.yaml.syntax", what=what)
        return Document(path, None, empty, [Problem(path, line, col, message, "yaml-syntax")])
    except yaml.reader.ReaderError as exc:  # a control character: positioned by offset
        prefix = text[: exc.position]
        line, col = prefix.count("\n") + 1, exc.position - (prefix.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = msg("check.yaml.character", code=f"{code:04X}")
        return Document(path, None, empty, [Problem(path, line, col, message, "yaml-character")])
    except yaml.YAMLError as exc:
        problem = Problem(path, 1, 1, msg("check.yaml.error", error=str(exc)), "yaml-syntax")
        return Document(path, None, empty, [problem])
    except RecursionError:
        return Document(path, None, empty, [Problem(path, 1, 1, msg("check.yaml.nested"), "yaml-too-deep")])
    if node is None:
        return Document(path, None, empty, [Problem(path, 1, 1, msg("check.file.empty"), "empty-file")])
    builder = _Builder(path)
    try:
        data = builder.build(node, (), 0)
    except _TooBig as exc:
        builder.problem(exc.node, exc.message, exc.code)
        data = None
    return Document(path, data, builder.positions, builder.problems)
