"""What a change of the registry means, in plain words, for the reviewer of a pull request.

Every record of every registry file is compared field by field: organisations (with their
sites and contacts), services, sources, programmes and each vocabulary. The comparison
walks the records' data as pydantic dumps it, so a field added to a model later is
compared too; ``FIELD_KEYS`` only gives fields their names, from the catalogues (an unnamed
field shows under its YAML key). Lists are matched by identity (``id``, or a contact's kind and value)
so that a contact whose visibility changes shows as that change, not as nothing.

The changes a reviewer must not miss are flagged: any visibility change, and any change to
the phone numbers, e-mail addresses or web addresses a field holds.

Nothing user-written can change the document's structure: in Markdown every user-written
text is a code span (no HTML, comment, link, image, emphasis, @mention or #123 reference
can come out of it); in both formats line breaks and invisible characters are shown as
visible marks.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
import tarfile
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from ..locale import N_, speaking, t
from ..registry.loader import Registry, load_registry
from ..registry.models import LANGUAGES
from ..registry.problems import RegistryError
from .describe import age_phrase

Status = Literal["added", "removed", "changed"]

# The names of the registry's fields, by YAML key, as catalogue keys; a key not listed shows as itself.
FIELD_KEYS: dict[str, str] = {
    "name": N_("review.field.name"),
    "accessibility": N_("review.field.accessibility"),
    "alerts": N_("review.field.alerts"),
    "extension": N_("review.field.extension"),
    "opening_hours": N_("review.field.opening_hours"),
    "start": N_("review.field.start"),
    "short_name": N_("review.field.short_name"),
    "legal_form": N_("review.field.legal_form"),
    "description": N_("review.field.description"),
    "members": N_("review.field.members"),
    "website": N_("review.field.website"),
    "organisation": N_("review.field.organisation"),
    "programme": N_("review.field.programme"),
    "status": N_("review.field.status"),
    "state": N_("review.field.state"),
    "since": N_("review.field.since"),
    "until": N_("review.field.until"),
    "needs": N_("review.field.needs"),
    "functions": N_("review.field.functions"),
    "generalist": N_("review.field.generalist"),
    "objective": N_("review.field.objective"),
    "public": N_("review.field.public"),
    "summary": N_("review.field.summary"),
    "age": N_("review.field.age"),
    "area": N_("review.field.area"),
    "area_approximate": N_("review.field.area_approximate"),
    "area_note": N_("review.field.area_note"),
    "housing": N_("review.field.housing"),
    "conditions": N_("review.field.conditions"),
    "exclusions": N_("review.field.exclusions"),
    "health_insurance_required": N_("review.field.health_insurance_required"),
    "residence_permit_required": N_("review.field.residence_permit_required"),
    "non_demand_accepted": N_("review.field.non_demand_accepted"),
    "crisis_accepted": N_("review.field.crisis_accepted"),
    "diagnosis_required": N_("review.field.diagnosis_required"),
    "consent_required": N_("review.field.consent_required"),
    "access": N_("review.field.access"),
    "referrers": N_("review.field.referrers"),
    "professional_requesters": N_("review.field.professional_requesters"),
    "form": N_("review.field.form"),
    "answer_delay": N_("review.field.answer_delay"),
    "min_hours": N_("review.field.min_hours"),
    "max_hours": N_("review.field.max_hours"),
    "process": N_("review.field.process"),
    "text": N_("review.field.text"),
    "services": N_("review.field.services"),
    "method": N_("review.field.method"),
    "timing": N_("review.field.timing"),
    "attention": N_("review.field.attention"),
    "modality": N_("review.field.modality"),
    "duration": N_("review.field.duration"),
    "min_months": N_("review.field.min_months"),
    "max_months": N_("review.field.max_months"),
    "unlimited": N_("review.field.unlimited"),
    "capacity": N_("review.field.capacity"),
    "places": N_("review.field.places"),
    "availability": N_("review.field.availability"),
    "always": N_("review.field.always"),
    "hours": N_("review.field.hours"),
    "languages": N_("review.field.languages"),
    "cost": N_("review.field.cost"),
    "free": N_("review.field.free"),
    "team": N_("review.field.team"),
    "partners": N_("review.field.partners"),
    "contacts": N_("review.field.contacts"),
    "kind": N_("review.field.kind"),
    "value": N_("review.field.value"),
    "label": N_("review.field.label"),
    "visibility": N_("review.field.visibility"),
    "sites": N_("review.field.sites"),
    "address": N_("review.field.address"),
    "street": N_("review.field.street"),
    "postcode": N_("review.field.postcode"),
    "city": N_("review.field.city"),
    "territory": N_("review.field.territory"),
    "coordinates": N_("review.field.coordinates"),
    "lat": N_("review.field.lat"),
    "lon": N_("review.field.lon"),
    "note": N_("review.field.note"),
    "sources": N_("review.field.sources"),
    "verified": N_("review.field.verified"),
    "origin": N_("review.field.origin"),
    "source": N_("review.field.source"),
    "filled": N_("review.field.filled"),
    "title": N_("review.field.title"),
    "publisher": N_("review.field.publisher"),
    "date": N_("review.field.date"),
    "document": N_("review.field.document"),
    "url": N_("review.field.url"),
    "scope": N_("review.field.scope"),
    "definition": N_("review.field.definition"),
    "synonyms": N_("review.field.synonyms"),
    "parent": N_("review.field.parent"),
    "min": N_("review.field.min"),
    "max": N_("review.field.max"),
    "fr": N_("review.field.fr"),
    "nl": N_("review.field.nl"),
    "en": N_("review.field.en"),
    "expected": N_("review.field.expected"),
}

# How a heading names a record added, removed or changed, by kind, as catalogue keys (French
# agrees the participle with the noun: « Organisation ajoutée », « Service ajouté »).
RECORD_KEYS: dict[str, dict[str, str]] = {
    "organisation": {
        "added": N_("review.record.organisation.added"),
        "removed": N_("review.record.organisation.removed"),
        "changed": N_("review.record.organisation.changed"),
    },
    "service": {
        "added": N_("review.record.service.added"),
        "removed": N_("review.record.service.removed"),
        "changed": N_("review.record.service.changed"),
    },
    "source": {
        "added": N_("review.record.source.added"),
        "removed": N_("review.record.source.removed"),
        "changed": N_("review.record.source.changed"),
    },
    "programme": {
        "added": N_("review.record.programme.added"),
        "removed": N_("review.record.programme.removed"),
        "changed": N_("review.record.programme.changed"),
    },
    "needs": {
        "added": N_("review.record.needs.added"),
        "removed": N_("review.record.needs.removed"),
        "changed": N_("review.record.needs.changed"),
    },
    "functions": {
        "added": N_("review.record.functions.added"),
        "removed": N_("review.record.functions.removed"),
        "changed": N_("review.record.functions.changed"),
    },
    "housing": {
        "added": N_("review.record.housing.added"),
        "removed": N_("review.record.housing.removed"),
        "changed": N_("review.record.housing.changed"),
    },
    "referrers": {
        "added": N_("review.record.referrers.added"),
        "removed": N_("review.record.referrers.removed"),
        "changed": N_("review.record.referrers.changed"),
    },
    "modalities": {
        "added": N_("review.record.modalities.added"),
        "removed": N_("review.record.modalities.removed"),
        "changed": N_("review.record.modalities.changed"),
    },
    "age_bands": {
        "added": N_("review.record.age_bands.added"),
        "removed": N_("review.record.age_bands.removed"),
        "changed": N_("review.record.age_bands.changed"),
    },
    "synonyms": {
        "added": N_("review.record.synonyms.added"),
        "removed": N_("review.record.synonyms.removed"),
        "changed": N_("review.record.synonyms.changed"),
    },
    "other": {
        "added": N_("review.record.other.added"),
        "removed": N_("review.record.other.removed"),
        "changed": N_("review.record.other.changed"),
    },
}

# Fields whose every change is flagged.
IMPORTANT_FIELDS = frozenset({"visibility"})

# Web addresses, e-mail addresses and phone numbers, wherever a text holds them.
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"'«»]+", re.IGNORECASE)
_EMAIL = re.compile(r"[^\s@<>()\"'«»,;:]+@[^\s@<>()\"'«»,;:]+")
_PHONE = re.compile(r"(?<![\w.-])\+?[0-9](?:[ .()/-]{0,2}[0-9]){5,}(?![\w])")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DiffError(Exception):
    """The base version cannot be read (unknown ref, not a git repository)."""


class _Absent:
    """The side of a change where the field or item does not exist."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Step:
    """One step of the way to a changed field: one of our labels, or a user-written key."""

    text: str
    quoted: bool = False
    key: str = ""  # the YAML key of a field


def field_label(key: str, lang: str = "fr") -> str:
    """A field's name in ``lang``: « forme juridique » for ``legal_form``; the key itself when unnamed."""
    found = FIELD_KEYS.get(key)
    return t(found, lang) if found else key


def _field(key: str) -> Step:
    return Step(field_label(key), key=key)


@dataclass(frozen=True)
class Detail:
    """One change inside a record: where, the value before and after (``ABSENT`` if none)."""

    where: tuple[Step, ...]
    before: Any
    after: Any
    important: bool = False
    reordered: bool = False


@dataclass
class RecordChange:
    """A record (organisation, service, source…) added, removed or changed."""

    kind: str
    status: Status
    id: str
    name: str
    context: str = ""
    details: list[Detail] = field(default_factory=list)


@dataclass
class RegistryDiff:
    changes: list[RecordChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.changes


# --- comparing -----------------------------------------------------------------------


def _simplify(value: Any) -> Any:
    """A text given in French only compares (and shows) as its string."""
    if isinstance(value, dict):
        if set(value) == {"fr"}:
            return value["fr"]
        return {k: _simplify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_simplify(v) for v in value]
    return value


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def reachable(value: Any) -> set[str]:
    """The web addresses, e-mail addresses and phone numbers (as digits) a value holds."""
    found: set[str] = set()
    for text in _strings(value):
        found.update(m.group() for m in _URL.finditer(text))
        found.update(m.group().lower() for m in _EMAIL.finditer(text))
        for match in _PHONE.finditer(text):
            if not _ISO_DATE.fullmatch(match.group()):
                found.add("tel:" + re.sub(r"\D", "", match.group()))
    return found


def _important(where: tuple[Step, ...], before: Any, after: Any) -> bool:
    if any(step.key in IMPORTANT_FIELDS for step in where):
        return True
    old = set() if before is ABSENT else reachable(before)
    new = set() if after is ABSENT else reachable(after)
    # A contact that appears or goes matters even if its value is one no pattern knows (112).
    return old != new or any(_holds_contact(side) for side in (before, after))


def _holds_contact(value: Any) -> bool:
    if isinstance(value, list):
        return any(_holds_contact(item) for item in value)
    return isinstance(value, dict) and "kind" in value and "value" in value


def _detail(where: tuple[Step, ...], before: Any, after: Any, reordered: bool = False) -> Detail:
    return Detail(where, before, after, _important(where, before, after), reordered)


def _identity(items: list[Any]) -> Callable[[dict[str, Any]], str] | None:
    """How the items of a list are matched between versions, if they have an identity."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    if all("id" in i for i in items):
        return lambda item: str(item["id"])
    if all("kind" in i and "value" in i for i in items):
        return lambda item: str(item["value"])
    return None


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _walk_list(before: list[Any], after: list[Any], where: tuple[Step, ...]) -> Iterator[Detail]:
    identity = _identity(before + after)
    if identity is not None:
        old = {identity(item): item for item in before}
        new = {identity(item): item for item in after}
        if len(old) == len(before) and len(new) == len(after):
            yield from (_detail(where, ABSENT, item) for key, item in new.items() if key not in old)
            yield from (_detail(where, item, ABSENT) for key, item in old.items() if key not in new)
            common = [key for key in new if key in old]
            for key in common:
                yield from walk(old[key], new[key], (*where, Step(key, quoted=True)))
            if [key for key in old if key in new] != common:
                yield _detail(where, [k for k in old if k in new], common, reordered=True)
            return
    # No identity: items are matched by value, a list whose items only moved is reordered.
    added = Counter(_key(i) for i in after) - Counter(_key(i) for i in before)
    removed = Counter(_key(i) for i in before) - Counter(_key(i) for i in after)
    if not added and not removed:
        yield _detail(where, before, after, reordered=True)
        return
    for item in after:
        if added[_key(item)] > 0:
            added[_key(item)] -= 1
            yield _detail(where, ABSENT, item)
    for item in before:
        if removed[_key(item)] > 0:
            removed[_key(item)] -= 1
            yield _detail(where, item, ABSENT)


def walk(before: Any, after: Any, where: tuple[Step, ...] = ()) -> Iterator[Detail]:
    """Every difference between two dumped records, field by field."""
    if before == after:
        return
    if before is ABSENT or after is ABSENT:
        yield _detail(where, before, after)
    elif isinstance(before, dict) and isinstance(after, dict):
        for key in [*after, *(k for k in before if k not in after)]:
            step = _field(key)
            yield from walk(before.get(key, ABSENT), after.get(key, ABSENT), (*where, step))
    elif isinstance(before, list) and isinstance(after, list):
        yield from _walk_list(before, after, where)
    else:
        yield _detail(where, before, after)


def _fields_of(data: Any, where: tuple[Step, ...] = ()) -> Iterator[Detail]:
    """A new record's fields, one line each (its id is in its heading, empty lists are left out)."""
    for key, value in data.items():
        step = (*where, _field(key))
        if (key == "id" and not where) or value in ([], {}):
            continue
        if isinstance(value, dict) and not set(value) <= set(LANGUAGES):
            yield from _fields_of(value, step)
        else:
            yield _detail(step, ABSENT, value)


@dataclass(frozen=True)
class _Record:
    name: str
    data: Any
    context: str = ""


def _dump(model: BaseModel, exclude: set[str] | None = None) -> Any:
    return _simplify(model.model_dump(mode="json", exclude_none=True, exclude=exclude))


def _display_name(model: Any) -> str:
    for attribute in ("name", "title", "label"):
        value = getattr(model, attribute, None)
        if value is not None:
            return str(value)
    return str(getattr(model, "id", ""))


def _records(registry: Registry) -> dict[str, dict[str, _Record]]:
    """Every record of the registry, by kind and id, as the data the comparison walks."""
    records: dict[str, dict[str, _Record]] = {
        # Services are records of their own; an organisation keeps its sites and contacts.
        "organisation": {
            key: _Record(str(org.name), _dump(org, exclude={"services"})) for key, org in registry.organisations.items()
        },
        "service": {},
        "source": {key: _Record(_display_name(s), _dump(s)) for key, s in registry.sources.items()},
        "programme": {key: _Record(_display_name(p), _dump(p)) for key, p in registry.programmes.items()},
    }
    for key, service in registry.services.items():
        data = _dump(service)
        data["organisation"] = registry.service_organisation[key]
        if "age" in data.get("public", {}):
            data["public"]["age"] = age_phrase(service.public.age)
        organisation = registry.organisation_of(key)
        records["service"][key] = _Record(str(service.name), data, str(organisation.name))
    # Each vocabulary, whatever its shape: a map of terms, a list of items with ids, or
    # one list compared as a whole.
    for vocabulary in dataclasses.fields(registry.vocabularies):
        value = getattr(registry.vocabularies, vocabulary.name)
        items: dict[str, _Record] = {}
        if isinstance(value, Mapping):
            items = {key: _Record(_display_name(term), _dump(term)) for key, term in value.items()}
        elif value and all(isinstance(v, BaseModel) and hasattr(v, "id") for v in value):
            items = {v.id: _Record(_display_name(v), _dump(v)) for v in value}
        else:
            items = {vocabulary.name: _Record("", {vocabulary.name: _simplify(json.loads(json.dumps(value)))})}
        records[vocabulary.name] = items
    return records


def compare(base: Registry, head: Registry) -> RegistryDiff:
    """Every record added, removed and changed from ``base`` to ``head``, field by field."""
    diff = RegistryDiff()
    before, after = _records(base), _records(head)
    for kind in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(kind, {}), after.get(kind, {})
        for key in sorted(set(new) - set(old)):
            # A new record's every field is new: the reviewer reads them all.
            details = list(_fields_of(new[key].data))
            diff.changes.append(RecordChange(kind, "added", key, new[key].name, new[key].context, details))
        for key in sorted(set(old) - set(new)):
            diff.changes.append(RecordChange(kind, "removed", key, old[key].name, old[key].context))
        for key in sorted(set(old) & set(new)):
            details = list(walk(old[key].data, new[key].data))
            if details:
                diff.changes.append(RecordChange(kind, "changed", key, new[key].name, new[key].context, details))
    return diff


def load_at_revision(root: Path, revision: str, into: Path) -> Registry:
    """The registry as it was at git ``revision`` (extracted into the folder ``into``)."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", "--format=tar", revision, "data"],
            check=True,
            capture_output=True,
        ).stdout
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        stderr = getattr(exc, "stderr", b"") or b""
        detail = stderr.decode(errors="replace").strip()
        raise DiffError(t("cli.diff.bad_revision", speaking(), revision=revision, detail=detail)) from exc
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return load_registry(into)


def diff_against(root: Path, revision: str, head: Registry) -> RegistryDiff:
    """Compare the working tree's registry with the one at ``revision``."""
    with tempfile.TemporaryDirectory(prefix="maillage-base-") as folder:
        try:
            base = load_at_revision(root, revision, Path(folder))
        except RegistryError as exc:
            raise DiffError(f"{t('cli.diff.base_errors', speaking(), revision=revision)}\n{exc}") from exc
    return compare(base, head)


# --- writing -------------------------------------------------------------------------


# Characters that show nothing (controls, formats, separators, unassigned) or look blank.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})
_HANGUL_FILLERS = "\u115f\u1160\u3164\uffa0"


def visible(text: str) -> str:
    """``text`` on one line, its line breaks and invisible characters shown as marks."""

    def mark(char: str) -> str:
        if char == "\n":
            return "⏎"
        if unicodedata.category(char) in _INVISIBLE_CATEGORIES or char in _HANGUL_FILLERS:
            return f"⟨U+{ord(char):04X}⟩"
        return char

    return "".join(mark(c) for c in text)


def code(text: str) -> str:
    """A Markdown code span that shows ``text`` literally, whatever it holds.

    Inside a code span CommonMark reads no HTML, comment, link, image or emphasis, and
    GitHub links no @mention nor #123 reference. The fence is one backtick longer than
    the longest run inside; a space pads a text that starts or ends with a backtick or a
    space (CommonMark strips exactly one on each side).
    """
    text = visible(text)
    if not text:
        return "(vide)"
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{pad}{text}{pad}{fence}"


class _Writer:
    """Formats our words as they are and user-written text quoted for the format."""

    def __init__(self, fmt: str, lang: str = "fr") -> None:
        self.markdown = fmt == "markdown"
        self.lang = lang

    def quote(self, text: str) -> str:
        return code(text) if self.markdown else f"« {visible(text)} »"

    def name(self, text: str) -> str:
        """A record's name: in text, no quotes are needed to tell where it ends."""
        return code(text) if self.markdown else visible(text)

    def strong(self, text: str) -> str:
        return f"**{text}**" if self.markdown else text

    def value(self, value: Any) -> str:
        if value is ABSENT or value is None or value == [] or value == {}:
            return t("review.empty_value", self.lang)
        if isinstance(value, dict):
            return ", ".join(
                t("review.pair", self.lang, label=field_label(k, self.lang), value=self.value(v))
                for k, v in value.items()
                if v not in ([], {})  # an empty list of a new record says nothing (as in _fields_of)
            )
        if isinstance(value, list):
            return ", ".join(self.value(v) for v in value)
        return self.quote(value if isinstance(value, str) else json.dumps(value))

    def where(self, where: tuple[Step, ...]) -> str:
        steps = (self.quote(s.text) if s.quoted else field_label(s.key, self.lang) if s.key else s.text for s in where)
        return " › ".join(steps) or t("review.value", self.lang)

    def detail(self, detail: Detail) -> str:
        where = self.where(detail.where)
        lang = self.lang
        if detail.reordered:
            before, after = self.value(detail.before), self.value(detail.after)
            line = t("review.reordered", lang, where=where, before=before, after=after)
        elif detail.before is ABSENT:
            line = t("review.added", lang, where=where, after=self.value(detail.after))
        elif detail.after is ABSENT:
            line = t("review.removed", lang, where=where, before=self.value(detail.before))
        else:
            line = t(
                "review.changed", lang, where=where, before=self.value(detail.before), after=self.value(detail.after)
            )
        if not detail.important:
            return line
        return f"**{line}**" if self.markdown else f"(!) {line}"

    def heading(self, change: RecordChange) -> str:
        record = t(RECORD_KEYS.get(change.kind, RECORD_KEYS["other"])[change.status], self.lang, kind=change.kind)
        ident = code(change.id) if self.markdown else f"`{visible(change.id)}`"
        what = [self.strong(self.name(change.name))] if change.name else []
        if change.context:
            what.append(f"({self.name(change.context)}, {ident})")
        elif change.id != change.kind:
            what.append(f"({ident})")
        return t("review.heading", self.lang, record=record, what=" ".join(what)) if what else record


def render(diff: RegistryDiff, fmt: str = "text", lang: str = "fr") -> str:
    """The diff as plain text or as Markdown for a pull request comment, in ``lang``.

    Changes flagged important (visibility, phone, e-mail, web address) are in bold in
    Markdown and start with ``(!)`` in text.
    """
    writer = _Writer(fmt, lang)
    lines: list[str] = []
    if fmt == "markdown":
        lines += [f"## {t('review.title', lang)}", ""]
    if diff.empty:
        lines.append(t("review.nothing", lang))
        return "\n".join(lines) + "\n"
    for change in diff.changes:
        lines.append(f"- {writer.heading(change)}")
        lines += [f"  - {writer.detail(detail)}" for detail in change.details]
    return "\n".join(lines) + "\n"
