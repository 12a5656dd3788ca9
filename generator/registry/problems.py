"""Problems found in the registry, each with the position a maintainer needs to fix it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from .visible import shown

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: ``path:line:col: field: message [code]``.

    ``line`` and ``col`` are 1-based; 0 means the problem concerns the whole file.
    """

    path: str
    line: int
    col: int
    message: str
    code: str
    field: str = ""
    severity: Severity = "error"

    def __post_init__(self) -> None:
        # A message quotes what a maintainer wrote (a key, a value): its invisible characters
        # are shown as escapes, never passed on to a terminal or a pull-request annotation.
        object.__setattr__(self, "message", shown(self.message))
        object.__setattr__(self, "field", shown(self.field))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}"
        field = f"{self.field}: " if self.field else ""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{field}{self.message} [{self.code}]"

    def github(self) -> str:
        """A GitHub Actions workflow command that annotates the line in the pull request."""
        kind = "error" if self.severity == "error" else "warning"
        text = f"{self.field}: {self.message}" if self.field else self.message
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        # A property is escaped as GitHub's toolkit does (escapeProperty): a file name is
        # written by the pull request's author, and a newline in it would start a command.
        path = self.path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = path.replace(",", "%2C").replace(":", "%3A")
        return f"::{kind} file={path},line={max(self.line, 1)},col={max(self.col, 1)}::{text} [{self.code}]"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "field": self.field,
            "message": self.message,
            "code": self.code,
            "severity": self.severity,
        }


class RegistryError(Exception):
    """The registry has errors; ``problems`` lists every one of them, sorted."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(format_problems(self.problems, "text"))


def format_problems(problems: Iterable[Problem], fmt: str = "text") -> str:
    """Render problems sorted by file and line, as text, GitHub annotations or JSON."""
    ordered = sorted(problems)
    if fmt == "json":
        return json.dumps([p.as_dict() for p in ordered], ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(p.github() for p in ordered)
    return "\n".join(str(p) for p in ordered)
