"""``maillage new``: write a valid, commented registry file (or add a service to one).

A maintainer's existing file is edited with ruamel.yaml's round trip, which keeps their
comments and key order.

Every value given on the command line is checked by the registry's own types before
anything is written (``option_problem``): ids and codes are written as they are, texts as
YAML double-quoted scalars that escape everything but printable characters, so the file
reads back to exactly the values given (a newline in ``--id`` injected keys).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml as safe_yaml
from pydantic import TypeAdapter, ValidationError
from ruamel.yaml import YAML

from ..locale import t
from .loader import friendly
from .models import ID_PATTERN, TERRITORY_PATTERN, Contact, Id, Line, Paragraph, Service, Url

SCHEMA_LINE = "# yaml-language-server: $schema={path}schema/registry.schema.json"


@dataclass(frozen=True)
class NewService:
    organisation: str
    id: str
    name: str
    objective: str
    needs: tuple[str, ...]
    functions: tuple[str, ...]
    area: tuple[str, ...]
    source: str
    verified: dt.date
    age_min: int | None = None
    age_max: int | None = None
    phone: str | None = None
    email: str | None = None


OptionKind = Literal["id", "line", "paragraph", "url", "phone", "email"]

_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "id": TypeAdapter(Id),
    "line": TypeAdapter(Line),
    "paragraph": TypeAdapter(Paragraph),
    "url": TypeAdapter(Url),
}


def option_problem(option: str, value: str, kind: OptionKind, lang: str = "fr") -> str | None:
    """Why ``value`` cannot be written for ``option`` (in ``maillage check``'s words, in ``lang``), else None."""
    try:
        if kind in ("phone", "email"):
            Contact.model_validate({"kind": kind, "value": value})
        else:
            # An id is written as it is; a text is quoted, and read back stripped as in a file.
            _ADAPTERS[kind].validate_python(value if kind == "id" else value.strip())
    except ValidationError as exc:
        error = exc.errors()[0]
        # The message quotes the value: with its invisible characters and newlines escaped.
        shown = value.encode("unicode_escape").decode("ascii")
        message, code = friendly({**error, "loc": (option.lstrip("-"),), "input": shown}, Service, lang)
        return f"{option}: {message} [{code}]"
    return None


def options_problems(values: Iterable[tuple[str, str | None, OptionKind]], lang: str = "fr") -> list[str]:
    """``option_problem`` for each (option, value, kind) given a value."""
    return [
        problem
        for option, value, kind in values
        if value is not None and (problem := option_problem(option, value, kind, lang))
    ]


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if char.isprintable() or unicodedata.category(char) == "Zs":
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _quote(text: str) -> str:
    """A YAML double-quoted scalar that reads back as ``text``, whatever it holds."""
    return '"' + "".join(_escape(c) for c in text) + '"'


def _plain(value: str, pattern: str = ID_PATTERN) -> str:
    """An id or a code, written as it is: only after it was checked to be one."""
    if not re.fullmatch(pattern, value):
        raise ValueError(f"not an id or code: {value!r}")
    return value


def _comment(text: str) -> str:
    """``# text``: a comment of the written file, on one line whatever a directory's own
    words (its catalogue) hold."""
    return "# " + " ".join(text.splitlines())


def schema_line(file: Path, root: Path) -> str:
    depth = len(file.relative_to(root).parts) - 1
    return SCHEMA_LINE.format(path="../" * depth)


def organisation_text(
    file: Path, root: Path, organisation_id: str, name: str, website: str | None, lang: str = "fr"
) -> str:
    """The text of a new organisation file, with comments for the next maintainer.

    The comments are in the registry's language (French), whatever ``--lang`` the command
    speaks: the file is shared by every maintainer, as the import's header is.
    """
    lines = [
        schema_line(file, root),
        _comment(t("cli.scaffold.organisation", lang)),
        f"id: {_plain(organisation_id)}  {_comment(t('cli.scaffold.organisation_id', lang))}",
        f"name: {_quote(name)}",
    ]
    if website:
        lines.append(f"website: {_quote(website)}")
    lines += [
        _comment(t("cli.scaffold.sites", lang)),
        "sites: []",
        _comment(t("cli.scaffold.services", lang, organisation=_plain(organisation_id))),
        "services: []",
    ]
    return "\n".join(lines) + "\n"


def service_text(new: NewService, lang: str = "fr") -> str:
    """One service as a commented YAML list item (comments in ``lang``: see ``organisation_text``)."""
    needs = _comment(t("cli.scaffold.vocabulary", lang, file="data/vocabularies/needs.yaml"))
    functions = _comment(t("cli.scaffold.vocabulary", lang, file="data/vocabularies/functions.yaml"))
    area = ", ".join(_plain(a, TERRITORY_PATTERN) for a in new.area)
    lines = [
        f"- id: {_plain(new.id)}  {_comment(t('cli.scaffold.service_id', lang))}",
        f"  name: {_quote(new.name)}",
        f"  needs: [{', '.join(map(_plain, new.needs))}]  {needs}",
        f"  functions: [{', '.join(map(_plain, new.functions))}]  {functions}",
        f"  objective: {_quote(new.objective)}",
        "  " + _comment(t("cli.scaffold.public", lang)),
        "  public:",
        f"    area: [{area}]  {_comment(t('cli.scaffold.area', lang))}",
    ]
    if new.age_min is not None or new.age_max is not None:
        bounds = [f"min: {new.age_min}"] if new.age_min is not None else []
        bounds += [f"max: {new.age_max}"] if new.age_max is not None else []
        lines.append(f"    age: {{{', '.join(bounds)}}}")
    contacts = []
    if new.phone:
        contacts.append(f"    - {{kind: phone, value: {_quote(new.phone)}, visibility: public}}")
    if new.email:
        contacts.append(f"    - {{kind: email, value: {_quote(new.email)}, visibility: public}}")
    if contacts:
        lines += ["  contacts:", *contacts]
    lines += [
        f"  sources: [{_plain(new.source)}]  {_comment(t('cli.scaffold.sources', lang))}",
        f"  verified: {new.verified.isoformat()}  {_comment(t('cli.scaffold.verified', lang))}",
    ]
    return "\n".join(lines) + "\n"


class ScaffoldError(Exception):
    """What ``maillage new`` would write does not read back as the values it was given."""


def add_service(file: Path, new: NewService) -> None:
    """Append ``new`` to the services of an organisation file, keeping its comments.

    The file is written only if it reads back as before plus ``new`` (else ``ScaffoldError``).
    """
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    # No folding of long scalars: ruamel folds a double-quoted text after an escaped tab
    # into a space, and a maintainer's long lines stay as they wrote them.
    yaml.width = 1 << 30
    original = file.read_text(encoding="utf-8")
    data = yaml.load(original)
    item = yaml.load(service_text(new))[0]
    services = data.get("services")
    if services is None or not isinstance(services, list):
        data["services"] = yaml.load(service_text(new))
    else:
        services.append(item)
    out = io.StringIO()
    yaml.dump(data, out)
    expected = safe_yaml.safe_load(original)
    before = expected.get("services")
    expected["services"] = [*(before if isinstance(before, list) else []), safe_yaml.safe_load(service_text(new))[0]]
    if safe_yaml.safe_load(out.getvalue()) != expected:
        raise ScaffoldError(f"{file.name}: the service would not read back as given")
    file.write_text(out.getvalue(), encoding="utf-8")
