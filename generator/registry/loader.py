"""Load, validate and resolve the whole registry: the only module that reads ``data/``.

``load_registry(root)`` returns a frozen ``Registry`` or raises ``RegistryError`` with
every problem at once, each positioned as ``path:line:col``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import types
import typing
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from ..locale import N_, has
from .dates import is_stale, reference_date
from .memory import collector_paused
from .models import (
    AgeBand,
    AgeBandsFile,
    Contact,
    Organisation,
    Programme,
    ProgrammesFile,
    Service,
    Site,
    Source,
    SourcesFile,
    SynonymsFile,
    VocabularyFile,
    VocabularyTerm,
)
from .parsed import ParsedStore
from .problems import Message, Problem, RegistryError, Value, hint, literal, msg, optional, quoted
from .territories import Gazetteer, PlaceError, Territory, read_gazetteer
from .text import dotted, fold
from .yamlsource import Document, Positions, parse_yaml, read_raw

M = TypeVar("M", bound=BaseModel)

VOCABULARIES = ("needs", "functions", "housing", "referrers", "modalities")


@dataclass(frozen=True)
class Vocabularies:
    """The controlled lists of ``data/vocabularies/``, each as an ordered id -> term map."""

    needs: dict[str, VocabularyTerm]
    functions: dict[str, VocabularyTerm]
    housing: dict[str, VocabularyTerm]
    referrers: dict[str, VocabularyTerm]
    modalities: dict[str, VocabularyTerm]
    age_bands: tuple[AgeBand, ...]
    synonyms: tuple[tuple[str, ...], ...]
    # Optional (a directory without it records no accessibility): a site's features.
    accessibility: dict[str, VocabularyTerm] = field(default_factory=dict)

    def vocabulary(self, name: str) -> dict[str, VocabularyTerm]:
        vocabulary: dict[str, VocabularyTerm] = getattr(self, name)
        return vocabulary


@dataclass(frozen=True)
class Registry:
    """Everything the registry holds, validated and cross-checked."""

    root: Path
    organisations: dict[str, Organisation]
    services: dict[str, Service]
    sites: dict[str, Site]
    programmes: dict[str, Programme]
    sources: dict[str, Source]
    vocabularies: Vocabularies
    gazetteer: Gazetteer
    service_organisation: dict[str, str]
    site_organisation: dict[str, str]
    # The commune of each site: its address's code, else found from postcode and city.
    site_territory: dict[str, str]
    # Where each organisation and service is written, for edit links and reviews: one namespace,
    # as an id names one organisation or one service (``check`` refuses a service with an
    # organisation's id).
    files: dict[str, str]
    lines: dict[str, int]
    warnings: tuple[Problem, ...] = field(default=())
    # A digest of each registry file's bytes, by path: a model is made from its file alone,
    # so a cache may know what an unchanged file gives (site/provider_cache.py's prints).
    file_digests: dict[str, bytes] = field(default_factory=dict)

    def organisation_of(self, service_id: str) -> Organisation:
        return self.organisations[self.service_organisation[service_id]]

    def sites_of(self, service: Service) -> list[Site]:
        """The service's sites; a service that names none works from all its organisation's."""
        if service.sites:
            return [self.sites[s] for s in service.sites]
        return list(self.organisation_of(service.id).sites)

    @cached_property
    def newest_verification(self) -> dt.date | None:
        return max((s.verified for s in self.services.values()), default=None)

    @cached_property
    def oldest_verification(self) -> dt.date | None:
        return min((s.verified for s in self.services.values()), default=None)


def expired_alerts(registry: Registry, today: dt.date | None = None) -> list[Problem]:
    """Alerts whose last day is before ``today`` (default: ``reference_date()``), for cleaning.

    The site already hides them (the browser compares with its own date); they are listed
    as warnings at the alert's own line so that a maintainer removes them.
    """
    today = today or reference_date()
    found: list[tuple[str, tuple[Hashable, ...], str, dt.date]] = []
    for org_id, organisation in registry.organisations.items():
        path = registry.files[org_id]
        holders = [("sites", i, site.alerts) for i, site in enumerate(organisation.sites)]
        holders += [("services", i, service.alerts) for i, service in enumerate(organisation.services)]
        for key, i, alerts in holders:
            for j, alert in enumerate(alerts):
                if alert.until < today:
                    found.append((path, (key, i, "alerts", j), alert.kind, alert.until))
    problems = []
    positions: dict[str, Positions] = {}
    for path, loc, kind, until in found:
        if path not in positions:  # read again only the files that hold an expired alert
            raw = read_raw(registry.root / path, path)
            positions[path] = raw.positions if isinstance(raw, Document) else parse_yaml(raw, path).positions
        line, col = positions[path].find(loc)
        message = msg("check.alert_expired", kind=kind, until=until.isoformat())
        problems.append(Problem(path, line, col, message, "expired-alert", dotted(loc), "warning"))
    return problems


def stale_services(registry: Registry, months: int, today: dt.date | None = None) -> list[Service]:
    """Services verified more than ``months`` months before ``today`` (default: ``reference_date()``).

    The same rule as the banner of a service page (``dates.is_stale``), against the same day.
    """
    today = today or reference_date()
    return [s for s in registry.services.values() if is_stale(s.verified, months, today)]


# --- friendly messages, chosen by pydantic's error type --------------------------------

# What a value of each pydantic type should have been, as a key of the catalogue.
_TYPE_NAMES = {
    "string_type": N_("check.expected.text"),
    "int_type": N_("check.expected.integer"),
    "int_parsing": N_("check.expected.integer"),
    "int_from_float": N_("check.expected.integer"),
    "float_type": N_("check.expected.number"),
    "float_parsing": N_("check.expected.number"),
    "finite_number": N_("check.expected.finite_number"),
    "bool_type": N_("check.expected.boolean"),
    "bool_parsing": N_("check.expected.boolean"),
    "list_type": N_("check.expected.list"),
    "dict_type": N_("check.expected.mapping"),
    "model_type": N_("check.expected.mapping"),
    "model_attributes_type": N_("check.expected.mapping"),
    "date_type": N_("check.expected.date"),
    "date_parsing": N_("check.expected.date"),
    "date_from_datetime_parsing": N_("check.expected.date"),
    "date_from_datetime_inexact": N_("check.expected.date"),
}

# What a value that does not match its pattern should look like, by kind of field.
_PATTERN_HINTS = {
    "id": N_("check.pattern.id"),
    "territory": N_("check.pattern.territory"),
    "postcode": N_("check.pattern.postcode"),
    "language": N_("check.pattern.language"),
    "age_band": N_("check.pattern.age_band"),
}

# Pydantic's error types without a sentence of ours above: ``check.pydantic.<type>``, the
# error's ``ctx`` values as placeholders (and ``got``, the value, quoted). A type not
# listed keeps pydantic's English message.
_PYDANTIC_TYPES = (
    N_("check.pydantic.string_too_short"),
    N_("check.pydantic.enum"),
    N_("check.pydantic.multiple_of"),
)

_TERRITORY_FIELDS = {"area", "territory", "scope"}


def _describe(value: Any) -> Message:
    if value is None:
        return msg("check.value.nothing")
    if isinstance(value, bool):
        return quoted(str(value).lower())
    if isinstance(value, dict):
        return msg("check.value.mapping")
    if isinstance(value, list):
        return msg("check.value.list")
    text = str(value)
    return quoted(f"{text[:40]}…" if len(text) > 40 else text)


def _field_name(loc: tuple[Hashable, ...]) -> str:
    names = [p for p in loc if isinstance(p, str)]
    return names[-1] if names else ""


def _plain(value: Any) -> Value:
    """A ``ctx`` value as a placeholder's value."""
    return value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else str(value)


def _choices(expected: Any) -> Value:
    """Pydantic's ``'a', 'b' or 'c'`` (English words) as the list ``a, b, c``, in no language."""
    values = re.findall(r"'((?:[^'\\]|\\.)*)'", str(expected))
    return tuple(values) if values else _plain(expected)


def friendly_message(error: Any, model: type[BaseModel]) -> tuple[Message, str]:
    """A maintainer-facing message (put into words when printed) and a short code for one pydantic error."""
    kind: str = error["type"]
    loc = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    value = error.get("input")
    code = kind.replace("_", "-")
    if kind == "missing":
        return msg("check.pydantic.missing", field=_field_name(loc)), "missing"
    if kind == "extra_forbidden":
        known = sorted(_allowed_keys(model, loc[:-1]))
        found = hint(str(loc[-1]), known)
        return msg("check.pydantic.extra_forbidden", key=str(loc[-1]), hint=found, allowed=tuple(known)), "unknown-key"
    if kind == "model_type" and ctx.get("class_name") in ("LocalizedText", "LocalizedLine"):
        return msg("check.pydantic.localized_text", got=_describe(value)), "wrong-type"
    if kind in _TYPE_NAMES:
        return msg("check.pydantic.wrong_type", expected=msg(_TYPE_NAMES[kind]), got=_describe(value)), "wrong-type"
    if kind == "literal_error":
        return msg("check.pydantic.literal_error", expected=_choices(ctx.get("expected", "")), got=_describe(value)), (
            "not-allowed"
        )
    if kind == "string_pattern_mismatch":
        name = _field_name(loc)
        if name in _TERRITORY_FIELDS:
            pattern = "territory"
        elif name in ("postcode", "languages"):
            pattern = "postcode" if name == "postcode" else "language"
        elif name == "id" and "bands" in loc:
            pattern = "age_band"
        else:
            pattern = "id"
        return msg(_PATTERN_HINTS[pattern], got=_describe(value)), "bad-format"
    if kind in ("greater_than_equal", "greater_than"):
        limit = _plain(ctx.get("ge", ctx.get("gt")))
        return msg("check.pydantic.too_small", got=_describe(value), limit=limit), "out-of-range"
    if kind in ("less_than_equal", "less_than"):
        limit = _plain(ctx.get("le", ctx.get("lt")))
        return msg("check.pydantic.too_large", got=_describe(value), limit=limit), "out-of-range"
    if kind == "too_short":
        return msg("check.pydantic.too_short"), "empty"
    if kind in ("string_too_long", "too_long"):
        return msg("check.pydantic.too_long", max=_plain(ctx.get("max_length"))), "too-long"
    values = {name: _plain(v) for name, v in ctx.items() if name != "message"}
    # Our own errors (models.py's ``_problem``) give the catalogue's key in ``ctx["message"]``,
    # and their placeholders' values beside it.
    key = ctx.get("message")
    if isinstance(key, str) and has(key):
        return msg(key, **values), code
    if has(f"check.pydantic.{kind}"):
        return msg(f"check.pydantic.{kind}", **values, got=_describe(value)), code
    return literal(str(error["msg"]).removeprefix("Value error, ")), code


def friendly(error: Any, model: type[BaseModel], lang: str = "en") -> tuple[str, str]:
    """``friendly_message`` in words: the message in ``lang`` and the code."""
    message, code = friendly_message(error, model)
    return message.text(lang), code


def _unwrap(annotation: Any) -> list[Any]:
    """The classes an annotation may hold (through Optional, list, Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple):
        return [c for arg in typing.get_args(annotation) for c in _unwrap(arg)]
    return [annotation]


def _allowed_keys(model: type[BaseModel], loc: tuple[Hashable, ...]) -> set[str]:
    current: list[Any] = [model]
    for part in loc:
        if isinstance(part, int):
            continue
        following: list[Any] = []
        for cls in current:
            if isinstance(cls, type) and issubclass(cls, BaseModel) and part in cls.model_fields:
                following += _unwrap(cls.model_fields[str(part)].annotation)
        current = following
    keys: set[str] = set()
    for cls in current:
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            keys |= {info.alias or name for name, info in cls.model_fields.items()}
    return keys


def validate(document: Document, model: type[M]) -> tuple[M | None, list[Problem]]:
    """Validate a parsed file against ``model``; map each error to its position."""
    if document.data is None:
        return None, []
    try:
        return model.model_validate(document.data), []
    except ValidationError as exc:
        problems = []
        # A value the YAML reader already refused (a tag, an alias) is None in the data:
        # pydantic's complaint about it would repeat the same problem in other words.
        refused = {(p.line, p.col) for p in document.problems}
        for error in exc.errors():
            loc = tuple(error["loc"])
            if document.positions.find(loc) in refused:
                continue
            message, code = friendly_message(error, model)
            line, col = document.positions.find(loc, key=error["type"] == "extra_forbidden")
            col += _inner_column(document.positions, loc, error)
            problems.append(Problem(document.path, line, col, message, code, dotted(loc)))
        return None, problems


def _inner_column(positions: Positions, loc: tuple[Hashable, ...], error: Any) -> int:
    """How far into its one-line value a problem lies (an opening_hours expression's column)."""
    column = (error.get("ctx") or {}).get("column")
    style = positions.styles.get(loc, "")
    if not isinstance(column, int) or loc not in positions.values or style in ("|", ">"):
        return 0
    return column - 1 + (1 if style else 0)


# --- loading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Read:
    """One file as read and validated: what ``LoadCache`` keeps."""

    digest: bytes
    model: type[BaseModel]
    document: Document
    result: Any
    problems: tuple[Problem, ...]


@dataclass
class LoadCache:
    """What a load may reuse from the previous load of the same project (``maillage serve``).

    A file is parsed and validated again only when its bytes changed, the gazetteer read
    again only when a file of ``data/territories`` changed; the cross-file checks always run,
    so a load with a cache gives what a load without one gives. ``for_audience`` keeps its
    copy of each unchanged organisation, so that what is made from it can be recognised.
    """

    files: dict[str, _Read] = field(default_factory=dict)
    changed: frozenset[str] = frozenset()  # the files the last load parsed again (or anew)
    gazetteer: tuple[bytes, Gazetteer] | None = None
    places: dict[tuple[str | None, str], str | list[Territory] | None] = field(default_factory=dict)
    audience: dict[tuple[str, int], tuple[Organisation, Organisation]] = field(default_factory=dict)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class _Loader:
    def __init__(self, root: Path, cache: LoadCache | None = None, store: ParsedStore | None = None) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.documents: dict[str, Document] = {}
        self.cache = cache
        self.store = store
        self.read_now: dict[str, _Read] = {}  # what this load read, to replace the cache's files
        self.digests: dict[str, bytes] = {}  # the digest of each file read

    def rel(self, file: Path) -> str:
        try:
            return file.relative_to(self.root).as_posix()
        except ValueError:
            return file.as_posix()

    def read(self, file: Path, model: type[M]) -> M | None:
        path = self.rel(file)
        raw = read_raw(file, path)
        if isinstance(raw, Document):
            document = raw
            result, problems = validate(document, model)
        else:
            digest = self.digests[path] = _digest(raw)
            known = self.cache.files.get(path) if self.cache is not None else None
            if known is None or known.digest != digest or known.model is not model:
                document = self.store.parse(raw, path) if self.store is not None else parse_yaml(raw, path)
                result, problems = validate(document, model)
                known = _Read(digest, model, document, result, tuple(problems))
            document, result, problems = known.document, known.result, list(known.problems)
            self.read_now[path] = known
        self.documents[document.path] = document
        self.problems += document.problems
        self.problems += problems
        return result

    def gazetteer(self, folder: Path) -> Gazetteer:
        """The gazetteer of ``folder``: the cached one while its files are unchanged."""
        if self.cache is None:
            return read_gazetteer(folder, self.root)
        hasher = hashlib.blake2b(digest_size=16)
        for file in sorted(folder.glob("*.csv")):
            hasher.update(file.name.encode() + b"\x00" + file.read_bytes() + b"\x00")
        state = hasher.digest()
        if self.cache.gazetteer is None or self.cache.gazetteer[0] != state:
            self.cache.gazetteer = (state, read_gazetteer(folder, self.root))
            self.cache.places = {}
        return self.cache.gazetteer[1]

    def locate(self, gazetteer: Gazetteer, postcode: str | None, city: str) -> str | list[Territory] | None:
        """``locate_address``, remembered with the cached gazetteer."""
        if self.cache is None or self.cache.gazetteer is None or self.cache.gazetteer[1] is not gazetteer:
            return locate_address(gazetteer, postcode, city)
        key = (postcode, city)
        if key not in self.cache.places:
            self.cache.places[key] = locate_address(gazetteer, postcode, city)
        return self.cache.places[key]

    def keep(self) -> None:
        """Let the cache hold what this load read (and forget the files that are gone)."""
        if self.cache is not None:
            before = self.cache.files
            self.cache.changed = frozenset(
                path for path, read in self.read_now.items() if path not in before or before[path] is not read
            )
            self.cache.files = self.read_now

    def at(self, path: str, loc: tuple[Hashable, ...], message: Message, code: str, *, warning: bool = False) -> None:
        document = self.documents.get(path)
        positions = document.positions if document else Positions()
        line, col = positions.find(loc)
        self.problems.append(Problem(path, line, col, message, code, dotted(loc), "warning" if warning else "error"))


LINK_MESSAGE = msg("check.symlink")


def symbolic_links(root: Path) -> list[Problem]:
    """Every symbolic link at or under ``root/data``, each a problem at ``path:1:1``.

    Every link is refused, not only those leading out of the project: the registry needs
    none; a link's target is not what a reviewer sees in a pull request (GitHub shows the
    target's path, not the content it publishes); "inside the project" would have to be
    decided on resolved paths that a later link or rename may change; and inside the
    project a link shows one file under two paths. The message names the link only, never
    its target: neither its path nor its content may reach a log or an annotation.
    """
    data = root / "data"
    if data.is_symlink():
        return [Problem("data", 1, 1, LINK_MESSAGE, "symlink")]
    problems: list[Problem] = []
    folders = [data]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # an absent or unreadable folder: the loader says what it cannot read
        for entry in entries:
            if entry.is_symlink():
                path = Path(entry.path).relative_to(root).as_posix()
                problems.append(Problem(path, 1, 1, LINK_MESSAGE, "symlink"))
            elif entry.is_dir(follow_symlinks=False):
                folders.append(Path(entry.path))
    return sorted(problems)


def registry_files(root: Path) -> list[Path]:
    """Every registry file under ``data/registry``, in a stable order."""
    folder = root / "data" / "registry"
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_vocabularies(loader: _Loader, folder: Path) -> Vocabularies:
    lists: dict[str, dict[str, VocabularyTerm]] = {}
    for name in VOCABULARIES:
        file = folder / f"{name}.yaml"
        if not file.exists():
            loader.problems.append(Problem(loader.rel(file), 0, 0, msg("check.vocabulary_missing"), "missing-file"))
            lists[name] = {}
            continue
        parsed = loader.read(file, VocabularyFile)
        terms: dict[str, VocabularyTerm] = {}
        for i, term in enumerate(parsed.terms if parsed else []):
            if term.id in terms:
                loader.at(loader.rel(file), ("terms", i, "id"), msg("check.duplicate.term", id=term.id), "duplicate-id")
            terms[term.id] = term
        lists[name] = terms
    bands_file = folder / "age-bands.yaml"
    bands = loader.read(bands_file, AgeBandsFile) if bands_file.exists() else None
    synonyms_file = folder / "synonyms.yaml"
    synonyms = loader.read(synonyms_file, SynonymsFile) if synonyms_file.exists() else None
    accessibility_file = folder / "accessibility.yaml"
    accessibility = loader.read(accessibility_file, VocabularyFile) if accessibility_file.exists() else None
    return Vocabularies(
        **lists,
        accessibility={term.id: term for term in accessibility.terms} if accessibility else {},
        age_bands=tuple(bands.bands) if bands else (),
        synonyms=tuple(tuple(g) for g in synonyms.groups) if synonyms else (),
    )


def load_registry(
    root: Path,
    *,
    gazetteer: Gazetteer | None = None,
    cache: LoadCache | None = None,
    store: ParsedStore | None = None,
) -> Registry:
    """Load and check everything under ``root/data``; raise ``RegistryError`` on any error.

    ``cache`` (kept by the caller from one load to the next, in memory) and ``store`` (the
    files earlier builds parsed, on disk) spare parsing the files that did not change.
    """
    registry, problems = check_registry(root, gazetteer=gazetteer, cache=cache, store=store)
    if registry is None:
        raise RegistryError(problems)
    return registry


def check_registry(
    root: Path,
    *,
    gazetteer: Gazetteer | None = None,
    cache: LoadCache | None = None,
    store: ParsedStore | None = None,
) -> tuple[Registry | None, list[Problem]]:
    """Every problem of the registry (errors and warnings), and the registry when valid."""
    # Loading allocates millions of small objects (nodes, positions, models) that all live
    # as long as the registry. The cyclic collector would walk them again at every
    # collection while they pile up: 2-3 times the loading time at 10,000 services (see
    # bench/README.md). The loader creates no cycles worth collecting, so pause it.
    with collector_paused():
        return _check_registry(root, gazetteer, cache, store)


def _check_registry(
    root: Path, gazetteer: Gazetteer | None, cache: LoadCache | None, store: ParsedStore | None
) -> tuple[Registry | None, list[Problem]]:
    root = root.resolve()
    data = root / "data"
    # Before anything under data/ is read: nothing is read through a link. The rest is not
    # checked then, as it would be without the files the links stand for.
    links = symbolic_links(root)
    if links:
        return None, links
    loader = _Loader(root, cache, store)
    if not (data / "registry").is_dir():
        problem = Problem("data/registry", 0, 0, msg("check.no_registry"), "missing-file")
        return None, [problem]
    gazetteer = gazetteer or loader.gazetteer(data / "territories")
    if gazetteer.problems:
        # Territories missing from a broken gazetteer would make the registry's codes look
        # unknown: report the gazetteer's own problems alone.
        return None, list(gazetteer.problems)
    vocabularies = load_vocabularies(loader, data / "vocabularies")
    sources_file, programmes_file = data / "sources.yaml", data / "programmes.yaml"
    sources_doc = loader.read(sources_file, SourcesFile) if sources_file.exists() else None
    programmes_doc = loader.read(programmes_file, ProgrammesFile) if programmes_file.exists() else None

    organisations: dict[str, Organisation] = {}
    files: dict[str, str] = {}
    for file in registry_files(root):
        organisation = loader.read(file, Organisation)
        if organisation is not None:
            path = loader.rel(file)
            if organisation.id in organisations:
                first = files[organisation.id]
                message = msg("check.duplicate.organisation", id=organisation.id, other=first)
                loader.at(path, ("id",), message, "duplicate-id")
                continue
            organisations[organisation.id] = organisation
            files[organisation.id] = path

    sources = _unique(loader, "data/sources.yaml", "sources", sources_doc.sources if sources_doc else [])
    programmes = _unique(
        loader, "data/programmes.yaml", "programmes", programmes_doc.programmes if programmes_doc else []
    )

    services: dict[str, Service] = {}
    sites: dict[str, Site] = {}
    service_organisation: dict[str, str] = {}
    site_organisation: dict[str, str] = {}
    lines: dict[str, int] = {}
    for org_id, organisation in organisations.items():
        path = files[org_id]
        positions = loader.documents[path].positions
        lines[org_id] = positions.find(("id",))[0]
        for i, site in enumerate(organisation.sites):
            if site.id in sites:
                other = files[site_organisation[site.id]]
                message = msg("check.duplicate.site", id=site.id, other=other)
                loader.at(path, ("sites", i, "id"), message, "duplicate-id")
                continue
            sites[site.id] = site
            site_organisation[site.id] = org_id
        for i, service in enumerate(organisation.services):
            if service.id in organisations:
                # ``files``, ``lines`` and the readers that look an id up without knowing its
                # kind (import, ``new``) hold organisations and services in one namespace.
                message = msg("check.duplicate.service_organisation", id=service.id, other=files[service.id])
                loader.at(path, ("services", i, "id"), message, "duplicate-id")
                continue
            if service.id in services:
                other = files[service_organisation[service.id]]
                message = msg("check.duplicate.service", id=service.id, other=other)
                loader.at(path, ("services", i, "id"), message, "duplicate-id")
                continue
            services[service.id] = service
            service_organisation[service.id] = org_id
            files[service.id] = path
            lines[service.id] = positions.find(("services", i))[0]

    checker = _References(loader, gazetteer, vocabularies, sources, programmes, sites)
    for org_id, organisation in organisations.items():
        checker.organisation(files[org_id], organisation)
    for i, programme in enumerate(programmes.values()):
        checker.territories("data/programmes.yaml", ("programmes", i, "scope"), programme.scope)
        checker.sources("data/programmes.yaml", ("programmes", i, "sources"), programme.sources)

    loader.keep()
    problems = sorted(set(loader.problems))
    if any(p.severity == "error" for p in problems):
        return None, problems
    if store is not None:
        store.prune()
    registry = Registry(
        root=root,
        organisations=organisations,
        services=dict(sorted(services.items())),
        sites=sites,
        programmes=programmes,
        sources=sources,
        vocabularies=vocabularies,
        gazetteer=gazetteer,
        service_organisation=service_organisation,
        site_organisation=site_organisation,
        site_territory={
            **checker.site_territory,
            **{s.id: s.address.territory for s in sites.values() if s.address and s.address.territory},
        },
        files=files,
        lines=lines,
        warnings=tuple(problems),
        file_digests={path: loader.digests[path] for path in set(files.values()) if path in loader.digests},
    )
    return registry, problems


def locate_address(gazetteer: Gazetteer, postcode: str | None, city: str) -> str | list[Territory] | None:
    """The commune code of an address, the candidates when ambiguous, None when unknown."""
    candidates: list[Territory] = []
    if postcode:
        try:
            candidates = [gazetteer.resolve(postcode)]
        except PlaceError as exc:
            candidates = list(exc.candidates)
    named = [t for t in candidates if fold(t.name) == fold(city) or fold(t.name_nl) == fold(city)]
    if postcode and len(named) == 1:
        return named[0].code
    if postcode and len(candidates) == 1:
        return candidates[0].code
    try:
        found = gazetteer.resolve(city)
    except PlaceError as exc:
        communes = [t for t in exc.candidates if t.level == "commune"]
        if postcode:
            communes = [t for t in communes if postcode in t.postcodes] or communes
        return communes if len(communes) > 1 else (communes[0].code if communes else None)
    return found.code if found.level == "commune" else None


def _unique(loader: _Loader, path: str, key: str, items: Iterable[Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for i, item in enumerate(items):
        if item.id in result:
            loader.at(path, (key, i, "id"), msg("check.duplicate.id", id=item.id), "duplicate-id")
        result[item.id] = item
    return result


# The lists a term or a reference is looked up in, as the messages name them.
_VOCABULARY_NAMES = {
    "needs": N_("check.vocabulary.needs"),
    "functions": N_("check.vocabulary.functions"),
    "housing": N_("check.vocabulary.housing"),
    "referrers": N_("check.vocabulary.referrers"),
    "modalities": N_("check.vocabulary.modalities"),
    "accessibility": N_("check.vocabulary.accessibility"),
}
_REFERENCE_KEYS = {
    "programme": N_("check.unknown.programme"),
    "site": N_("check.unknown.site"),
    "source": N_("check.unknown.source"),
}


class _References:
    """Cross-file checks: territory codes, vocabulary terms, sites, sources, programmes."""

    def __init__(
        self,
        loader: _Loader,
        gazetteer: Gazetteer,
        vocabularies: Vocabularies,
        sources: dict[str, Source],
        programmes: dict[str, Programme],
        sites: dict[str, Site],
    ) -> None:
        self.loader = loader
        self.gazetteer = gazetteer
        self.vocabularies = vocabularies
        self.source_ids = sources
        self.programme_ids = programmes
        self.site_ids = sites
        self.site_territory: dict[str, str] = {}

    def organisation(self, path: str, organisation: Organisation) -> None:
        self.sources(path, ("sources",), organisation.sources)
        for i, site in enumerate(organisation.sites):
            self.terms(path, ("sites", i, "accessibility"), site.accessibility or [], "accessibility")
            if site.address and site.address.territory:
                self.territories(path, ("sites", i, "address", "territory"), [site.address.territory])
            elif site.address:
                self.place(path, ("sites", i, "address"), site)
        for i, service in enumerate(organisation.services):
            self.service(path, ("services", i), service)

    def service(self, path: str, loc: tuple[Hashable, ...], service: Service) -> None:
        self.terms(path, (*loc, "needs"), service.needs, "needs")
        self.terms(path, (*loc, "functions"), service.functions, "functions")
        self.terms(path, (*loc, "public", "housing"), service.public.housing or [], "housing")
        self.terms(path, (*loc, "access", "referrers"), service.access.referrers or [], "referrers")
        self.terms(path, (*loc, "modality"), service.modality or [], "modalities")
        self.territories(path, (*loc, "public", "area"), service.public.area)
        self.sources(path, (*loc, "sources"), service.sources)
        if service.programme and service.programme not in self.programme_ids:
            self.missing(path, (*loc, "programme"), service.programme, "programme", self.programme_ids)
        for j, site in enumerate(service.sites):
            if site not in self.site_ids:
                self.missing(path, (*loc, "sites", j), site, "site", self.site_ids)

    def place(self, path: str, loc: tuple[Hashable, ...], site: Site) -> None:
        """Find the commune of an address without a territory code, by postcode and city."""
        assert site.address is not None
        code = self.loader.locate(self.gazetteer, site.address.postcode, site.address.city)
        if isinstance(code, str):
            self.site_territory[site.id] = code
        elif code:
            listing = tuple(f"{t.name} ({t.code})" for t in code[:8])
            message = msg("check.place.ambiguous", place=site.address.city, candidates=listing)
            self.loader.at(path, (*loc, "city"), message, "ambiguous-place")
        else:
            postcode = site.address.postcode or ""
            message = msg("check.place.unknown", place=site.address.city, postcode=postcode)
            self.loader.at(path, (*loc, "city"), message, "unknown-place", warning=True)

    def terms(self, path: str, loc: tuple[Hashable, ...], ids: Iterable[str], vocabulary: str) -> None:
        known = self.vocabularies.vocabulary(vocabulary)
        for j, term in enumerate(ids):
            if term not in known:
                message = msg(
                    "check.unknown.term",
                    vocabulary=msg(_VOCABULARY_NAMES[vocabulary]),
                    term=term,
                    hint=hint(term, known),
                    known=tuple(known),
                )
                self.loader.at(path, (*loc, j), message, "unknown-term")

    def territories(self, path: str, loc: tuple[Hashable, ...], codes: Iterable[str]) -> None:
        for j, code in enumerate(codes):
            if code not in self.gazetteer:
                near = self.gazetteer.suggest_code(code)
                named = msg("check.did_you_mean_named", match=near, name=self.gazetteer[near].name) if near else None
                message = msg("check.unknown.territory", code=code, hint=optional(named))
                item = (*loc, j) if loc[-1] in ("area", "scope") else loc
                self.loader.at(path, item, message, "unknown-territory")

    def sources(self, path: str, loc: tuple[Hashable, ...], ids: Iterable[str]) -> None:
        for j, source in enumerate(ids):
            if source not in self.source_ids:
                self.missing(path, (*loc, j), source, "source", self.source_ids)

    def missing(self, path: str, loc: tuple[Hashable, ...], value: str, kind: str, known: Iterable[str]) -> None:
        message = msg(_REFERENCE_KEYS[kind], value=value, hint=hint(value, known))
        self.loader.at(path, loc, message, "unknown-reference")


# Who a build or an export is for: the public, or professionals (their reserved contacts shown).
Audience = Literal["public", "professional"]


def for_audience(registry: Registry, audience: Audience, cache: LoadCache | None = None) -> Registry:
    """The registry as ``audience`` may see it.

    For the public, every contact marked ``professional`` is removed here, once, so that
    no output built from the result (pages, search index, JSON, CSV, HSDS, maps) can leak
    it. With ``cache``, an organisation loaded unchanged keeps the copy made last time.
    """
    if audience == "professional":
        return registry
    if audience != "public":
        raise ValueError(f"unknown audience {audience!r}")

    def public(contacts: list[Contact]) -> list[Contact]:
        return [c for c in contacts if c.visibility == "public"]

    def professional(contacts: list[Contact]) -> bool:
        return any(c.visibility != "public" for c in contacts)

    organisations: dict[str, Organisation] = {}
    services: dict[str, Service] = {}
    copies: dict[tuple[str, int], tuple[Organisation, Organisation]] = {}
    for org_id, organisation in registry.organisations.items():
        known = cache.audience.get((audience, id(organisation))) if cache is not None else None
        if known is not None and known[0] is organisation:
            copy = known[1]
        elif professional(organisation.contacts) or any(professional(s.contacts) for s in organisation.services):
            # Only what holds a professional contact is copied: the rest is the same object.
            kept = [
                s.model_copy(update={"contacts": public(s.contacts)}) if professional(s.contacts) else s
                for s in organisation.services
            ]
            copy = organisation.model_copy(update={"contacts": public(organisation.contacts), "services": kept})
        else:
            copy = organisation
        copies[(audience, id(organisation))] = (organisation, copy)
        organisations[org_id] = copy
        services.update({s.id: s for s in copy.services})
    if cache is not None:
        cache.audience = copies
    return replace(
        registry,
        organisations=organisations,
        services={k: services[k] for k in registry.services},
    )
