"""Professional contacts copied into public text.

``for_audience`` removes every contact marked ``visibility: professional`` from the public
registry, but not a copy of its phone number or e-mail address written in a text (an
``attention``, a note, a label, a name…): that copy would reach the public pages, the search
index, ``maillage.json`` and the HSDS export. ``professional_leaks`` finds such copies for
``maillage check``.

Phones are compared by their digits: spaces, dots, slashes, dashes and parentheses are
ignored, and a Belgian or French number written with ``+32``/``+33``/``0032``/``0033`` is the
same as the national form with its leading ``0`` (``+32 2 123 45 67`` is ``02/123.45.67``).
E-mail addresses are compared without regard to case. A value that is also the value of a
public contact anywhere in the registry is public: repeating it is no leak.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..locale import N_
from .loader import Registry
from .memory import collector_paused
from .models import Contact, LocalizedText, Organisation
from .problems import Message, Problem, literal, msg
from .text import dotted
from .yamlsource import parse_yaml, read_raw

Loc = tuple[Hashable, ...]

# Fields that hold ids, codes or controlled terms, never free text.
_NOT_TEXT = frozenset(
    {
        "id",
        "needs",
        "functions",
        "area",
        "sources",
        "sites",  # a service's site ids; an organisation's sites are models, walked
        "programme",
        "housing",
        "referrers",
        "modality",
        "languages",
        "postcode",
        "territory",
        "scope",
        "kind",
        "visibility",
        "state",
    }
)
# Left out of an organisation's JSON before it is searched: contacts (walked one by one,
# since the professional ones must be skipped), and ids, codes, dates and coordinates,
# which look like numbers.
_NOT_SCANNED: Any = {
    "id": True,
    "contacts": True,
    "sources": True,
    "sites": {"__all__": {"id": True, "coordinates": True, "address": {"postcode", "territory"}}},
    "services": {
        "__all__": {
            **{name: True for name in ("id", "contacts", "verified", "status", "needs", "functions", "sources")},
            **{name: True for name in ("sites", "programme", "modality", "languages")},
            "public": {"area", "housing", "age", "conditions"},
            "access": {"referrers"},
        }
    },
}
# A run of digits with the separators people write in phone numbers.
_PHONE_RUN = re.compile(r"\+?[0-9](?:[0-9 .\-/()\u00a0\u202f]*[0-9])?")
# Two numbers written one after the other: "02 123 45 67 - 02 765 43 21", "… / …".
_BETWEEN_NUMBERS = re.compile(r"\s+[-–/]\s*|\s*[-–/]\s+|\s{2,}")
_EMAIL = re.compile(r"[^\s@<>\"'(),;:\[\]/?=&]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Countries whose numbers are written at home with a leading 0 (trunk prefix).
_TRUNK_COUNTRIES = ("32", "33")
_NOT_DIGIT = re.compile(r"[^0-9]")
MIN_PHONE_DIGITS = 6  # below that, only a run of exactly those digits matches


def phone_key(text: str) -> str:
    """The digits that identify a phone number, however it is written.

    ``+32 2 123 45 67``, ``0032 2 123 45 67``, ``+32 (0)2 123 45 67``, ``02 123 45 67`` and
    ``02/123.45.67`` all give ``21234567``. A number of another country keeps its ``+``
    and country code.
    """
    digits = _NOT_DIGIT.sub("", text)
    international = text.lstrip().startswith("+") or digits.startswith("00")
    if digits.startswith("00"):
        digits = digits[2:]
    if not international:
        return digits[1:] if digits.startswith("0") else digits
    for country in _TRUNK_COUNTRIES:
        if digits.startswith(country):
            national = digits[len(country) :]
            return national[1:] if national.startswith("0") else national
    return "+" + digits


def email_key(text: str) -> str:
    return text.strip().casefold()


def phones_in(text: str, shortest: int = 1) -> Iterator[str]:
    """The keys of the phone numbers a text may hold (runs under ``shortest`` characters skipped)."""
    for match in _PHONE_RUN.finditer(text):
        run = match.group()
        if len(run) < shortest:
            continue
        yield phone_key(run)
        parts = _BETWEEN_NUMBERS.split(run)
        if len(parts) > 1:
            yield from (phone_key(p) for p in parts if p)


def emails_in(text: str) -> Iterator[str]:
    if "@" in text:
        for match in _EMAIL.finditer(text):
            yield email_key(match.group())


@dataclass(frozen=True)
class _Owner:
    """Where a professional contact is written: its file and the path to it."""

    path: str
    loc: Loc
    label: Message  # "service 'x'" or "organisation 'y'"


@dataclass
class _Found:
    path: str
    loc: Loc
    kind: str  # "phone" or "e-mail"
    owner: _Owner


_KINDS = {"phone": N_("check.privacy.kind.phone"), "e-mail": N_("check.privacy.kind.email")}


def _contacts(organisation: Organisation) -> Iterator[tuple[Loc, Message, Contact]]:
    owner = msg("check.privacy.organisation", id=organisation.id)
    for j, contact in enumerate(organisation.contacts):
        yield ("contacts", j), owner, contact
    for i, service in enumerate(organisation.services):
        if service.contacts:
            owner = msg("check.privacy.service", id=service.id)
        for j, contact in enumerate(service.contacts):
            yield ("services", i, "contacts", j), owner, contact


def _texts(value: object, loc: Loc) -> list[tuple[Loc, str]]:
    """Every text of a model, with its path; professional contacts and ids left out."""
    out: list[tuple[Loc, str]] = []
    stack: list[tuple[Loc, object]] = [(loc, value)]
    while stack:
        loc, value = stack.pop()
        kind = type(value)
        if kind is str:
            out.append((loc, value))  # type: ignore[arg-type]
        elif kind is LocalizedText:
            for lang in ("fr", "nl", "en"):
                text = getattr(value, lang)
                if text:
                    out.append(((*loc, lang), text))
        elif kind is Contact:
            assert isinstance(value, Contact)
            if value.visibility == "public":
                stack += [((*loc, "label"), value.label), ((*loc, "hours"), value.hours)]
                if value.kind == "web":  # a web address may carry an e-mail address
                    out.append(((*loc, "value"), value.value))
        elif kind is list:
            items: list[object] = value  # type: ignore[assignment]
            stack += [((*loc, i), item) for i, item in enumerate(items)]
        elif isinstance(value, BaseModel):
            fields = value.__dict__
            stack += [((*loc, name), fields[name]) for name in _text_fields(kind) if fields[name] is not None]
    return out


_FIELDS: dict[type, tuple[str, ...]] = {}


def _text_fields(model: type) -> tuple[str, ...]:
    """The fields of a model class that may hold text (not ids, codes or terms)."""
    fields = _FIELDS.get(model)
    if fields is None:
        assert issubclass(model, BaseModel)
        fields = _FIELDS[model] = tuple(
            name
            for name, info in model.model_fields.items()
            if _holds(info.annotation, str) and (name not in _NOT_TEXT or _holds(info.annotation, BaseModel))
        )
    return fields


def _holds(annotation: object, kind: type) -> bool:
    """Whether a field's annotation may hold a ``kind`` (through Optional, list, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, kind):
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return any(_holds(info.annotation, kind) for info in annotation.model_fields.values())
    if typing.get_origin(annotation) is typing.Literal:
        return False
    return any(_holds(arg, kind) for arg in typing.get_args(annotation))


def professional_leaks(registry: Registry) -> list[Problem]:
    """A problem for each text that repeats the phone or e-mail of a professional contact."""
    # As for loading (see check_registry): the registry is millions of objects that the
    # cyclic collector would walk again and again while the walk allocates small ones.
    with collector_paused():
        return _leaks(registry)


def _leaks(registry: Registry) -> list[Problem]:
    professional: dict[tuple[str, str], _Owner] = {}
    public: set[tuple[str, str]] = set()
    for org_id, organisation in registry.organisations.items():
        path = registry.files[org_id]
        for loc, label, contact in _contacts(organisation):
            if contact.kind == "web":
                continue
            value = phone_key(contact.value) if contact.kind == "phone" else email_key(contact.value)
            if contact.visibility == "public":
                public.add((contact.kind, value))
            else:
                professional.setdefault((contact.kind, value), _Owner(path, loc, label))
    for known in public:
        professional.pop(known, None)
    if not professional:
        return []
    short = {key for kind, key in professional if kind == "phone" and len(key) < MIN_PHONE_DIGITS}
    # A run of fewer characters than the shortest professional number cannot be one.
    shortest = min((len(key.lstrip("+")) for kind, key in professional if kind == "phone"), default=99)
    # Most texts hold neither: one search of the C engine each tells them apart.
    candidate = re.compile(r"[0-9][0-9 .\-/()\u00a0\u202f]{" + str(max(shortest - 2, 0)) + r",}[0-9]")

    found: list[_Found] = []

    def owner_in(text: str) -> tuple[str, _Owner] | None:
        """The professional contact a text repeats, and its kind; None if it repeats none."""
        if "@" not in text and candidate.search(text) is None:
            return None
        for kind, keys in (("phone", phones_in(text, shortest)), ("email", emails_in(text))):
            for key in keys:
                owner = professional.get((kind, key))
                if owner is None and kind == "phone" and len(key) > 15:
                    # Numbers written one after the other with no separator we know.
                    owner = next(
                        (o for (k, p), o in professional.items() if k == "phone" and p not in short and p in key),
                        None,
                    )
                if owner is not None:
                    return ("phone" if kind == "phone" else "e-mail"), owner
        return None

    def scan(path: str, texts: list[tuple[Loc, str]]) -> None:
        for loc, text in texts:
            hit = owner_in(text)
            if hit is not None:
                found.append(_Found(path, loc, hit[0], hit[1]))

    for org_id, organisation in registry.organisations.items():
        path = registry.files[org_id]
        # Its texts as one JSON string, made by pydantic-core: most organisations repeat
        # nothing and are done with one search; only the others are walked text by text.
        # (JSON quotes and commas end a run of digits or an address, as in separate texts.)
        if owner_in(organisation.model_dump_json(exclude=_NOT_SCANNED, exclude_none=True)) is None:
            for loc, _, contact in _contacts(organisation):
                scan(path, _texts(contact, loc))
        else:
            scan(path, _texts(organisation, ()))
    for i, programme in enumerate(registry.programmes.values()):
        scan("data/programmes.yaml", _texts(programme, ("programmes", i)))
    for i, source in enumerate(registry.sources.values()):
        scan("data/sources.yaml", _texts(source, ("sources", i)))
    return _positioned(registry.root, found)


def _positioned(root: Path, found: list[_Found]) -> list[Problem]:
    """The problems, positioned by parsing again only the files that have one."""
    documents = {}
    for path in sorted({f.path for f in found} | {f.owner.path for f in found}):
        raw = read_raw(root / path, path)
        documents[path] = raw if not isinstance(raw, bytes) else parse_yaml(raw, path)
    problems = []
    for leak in found:
        document = documents[leak.path]
        loc = leak.loc
        if loc and loc[-1] in ("fr", "nl", "en") and isinstance(_at(document.data, loc[:-1]), str):
            loc = loc[:-1]  # a text written as a plain string, not as {fr: …}
        line, col = document.positions.find(loc)
        owner = leak.owner
        field = dotted(owner.loc[2:] if owner.loc[0] == "services" else owner.loc)
        owner_line = documents[owner.path].positions.find(owner.loc)[0]
        elsewhere = msg("check.privacy.in_file", path=owner.path) if owner.path != leak.path else literal("")
        message = msg(
            "check.privacy.leak",
            kind=msg(_KINDS[leak.kind]),
            owner=owner.label,
            field=field,
            elsewhere=elsewhere,
            line=owner_line,
        )
        problems.append(Problem(leak.path, line, col, message, "professional-in-public-text", dotted(loc)))
    return problems


def _at(data: object, loc: Loc) -> object:
    for part in loc:
        try:
            data = data[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return data
