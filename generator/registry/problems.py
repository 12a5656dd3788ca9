"""Problems found in the registry, each with the position a maintainer needs to fix it.

A problem's message is a ``Message``: a catalogue key (``check.…``) and the values of its
placeholders, put into words only when the problems are printed (``format_problems(…,
lang)``). The loader does not know who reads it: ``maillage check`` prints French by
default and English with ``--lang en``; the codes (``[unknown-key]``) never change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, TypeAlias

from ..locale import SOURCE, lookup, t
from .text import closest
from .visible import shown

Severity = Literal["error", "warning"]

# A placeholder's value: plain data, a nested message (a "did you mean" hint), or a list
# joined with ", " once put into words.
Value: TypeAlias = "str | int | float | Message | tuple[Value, ...]"


@dataclass(frozen=True, order=True)
class Message:
    """A catalogue key and its placeholders' values, put into words in any language."""

    key: str
    values: tuple[tuple[str, Value], ...] = ()

    def text(self, lang: str = SOURCE) -> str:
        """The message in ``lang`` (French when the catalogue lacks the key in ``lang``)."""
        if not self.key:  # a text written as it is (a literal, or a third party's words)
            return str(dict(self.values).get("text", ""))
        template = lookup(self.key, lang)
        if template is None:
            return self.key
        return template.format(**{name: _words(value, lang) for name, value in self.values})

    def __str__(self) -> str:
        return self.text()


def msg(key: str, /, **values: Value) -> Message:
    """``Message(key, values)``, the values in a stable order."""
    return Message(key, tuple(sorted(values.items())))


def literal(text: str) -> Message:
    """A message that is already words (pydantic's own message for an error type we do not know)."""
    return Message("", (("text", text),))


def optional(message: Message | None) -> Message:
    """``message``, or nothing (an empty hint)."""
    return message if message is not None else literal("")


def quoted(value: object) -> Message:
    """A value a maintainer wrote, quoted as the language quotes (« x », 'x')."""
    return msg("check.quoted", value=str(value))


def hint(value: str, known: Iterable[str], cutoff: float = 0.6, shown: Callable[[str], str] = str) -> Message:
    """`` (did you mean 'x'?)`` for the closest of ``known`` (written as ``shown`` says: a
    column's header rather than its folded name), else nothing."""
    found = closest(value, known, cutoff)
    return msg("check.did_you_mean", match=shown(found)) if found is not None else literal("")


def _words(value: Value, lang: str) -> str | int | float:
    if isinstance(value, Message):
        return value.text(lang)
    if isinstance(value, tuple):
        return ", ".join(str(_words(v, lang)) for v in value)
    return value


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: ``path:line:col: field: message [code]``.

    ``line`` and ``col`` are 1-based; 0 means the problem concerns the whole file.
    """

    path: str
    line: int
    col: int
    message: Message | str  # words already written (a caller outside the registry) become a literal
    code: str
    field: str = ""
    severity: Severity = "error"

    def __post_init__(self) -> None:
        if isinstance(self.message, str):  # words already written (a caller outside the registry)
            object.__setattr__(self, "message", literal(self.message))
        object.__setattr__(self, "field", shown(self.field))

    def text(self, lang: str = SOURCE) -> str:
        """The message in ``lang``.

        A message quotes what a maintainer wrote (a key, a value): its invisible characters
        are shown as escapes, never passed on to a terminal or a pull-request annotation.
        """
        message = self.message if isinstance(self.message, Message) else literal(self.message)
        return shown(message.text(lang))

    def __str__(self) -> str:
        return self.line_text()

    def line_text(self, lang: str = SOURCE) -> str:
        """``path:line:col: field: message [code]``, the message in ``lang``."""
        where = f"{self.path}:{self.line}:{self.col}"
        field = f"{self.field}: " if self.field else ""
        prefix = t("check.warning", lang) + " " if self.severity == "warning" else ""
        return f"{where}: {prefix}{field}{self.text(lang)} [{self.code}]"

    def github(self, lang: str = SOURCE) -> str:
        """A GitHub Actions workflow command that annotates the line in the pull request."""
        kind = "error" if self.severity == "error" else "warning"
        message = self.text(lang)
        text = f"{self.field}: {message}" if self.field else message
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        # A property is escaped as GitHub's toolkit does (escapeProperty): a file name is
        # written by the pull request's author, and a newline in it would start a command.
        path = self.path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = path.replace(",", "%2C").replace(":", "%3A")
        return f"::{kind} file={path},line={max(self.line, 1)},col={max(self.col, 1)}::{text} [{self.code}]"

    def as_dict(self, lang: str = SOURCE) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "field": self.field,
            "message": self.text(lang),
            "code": self.code,
            "severity": self.severity,
        }


class RegistryError(Exception):
    """The registry has errors; ``problems`` lists every one of them, sorted."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(format_problems(self.problems, "text"))


def format_problems(problems: Iterable[Problem], fmt: str = "text", lang: str = SOURCE) -> str:
    """Render problems sorted by file and line, as text, GitHub annotations or JSON, in ``lang``."""
    ordered = sorted(problems)
    if fmt == "json":
        return json.dumps([p.as_dict(lang) for p in ordered], ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(p.github(lang) for p in ordered)
    return "\n".join(p.line_text(lang) for p in ordered)
