"""Import: HSDS objects (``services.ndjson`` or a tabular data package, bounded as
``generator.exchange.untrusted`` says) mapped back to registry organisations, with what
could not be mapped reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

from ...locale import N_, t
from ...registry.loader import Registry, Vocabularies, friendly_message
from ...registry.models import Organisation
from ...registry.problems import Message, Problem, literal, msg, optional, quoted
from ...registry.territories import PlaceError
from ...registry.text import fold
from ..untrusted import InputError
from .common import FIELDS_TAXONOMY, TABLES, VOCABULARY_PATHS, Json, _merge, unflatten
from .feed import TABLE_OF_KEY, Feed, as_number, read_feed
from .opening import convert

# --- reading HSDS -------------------------------------------------------------------------


class HsdsReadError(InputError):
    """A file that is not HSDS we can read; the message says where and why."""


def read(paths: Path | Sequence[Path]) -> Feed:
    """The records of the given files and folders, with the values dropped reported.

    Bounded by ``generator.exchange.untrusted``: at most ``MAX_INPUT_BYTES`` read in all (a zip's
    members decompressed), text in UTF-8, JSON at most ``MAX_JSON_DEPTH`` deep. A file that
    cannot be read is an ``HsdsReadError`` that says where; a value that cannot be used is
    dropped with a warning (``Feed.warnings``).
    """
    try:
        return read_feed(paths)
    except HsdsReadError:
        raise
    except InputError as exc:
        raise HsdsReadError(str(exc)) from None


def read_hsds(path: Path | Sequence[Path]) -> tuple[list[Json], list[Json]]:
    """Services and organizations from an export folder, a data package, a zip, JSON or ndjson."""
    feed = read(path)
    return feed.services, feed.organizations


# --- import -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedFile:
    """One organisation ready to be written as a registry file."""

    organisation: Organisation
    origin: str  # where it came from, for messages


@dataclass(frozen=True)
class ImportResult:
    organisations: tuple[ImportedFile, ...]
    unmapped: tuple[Message, ...]  # what was left out, each with where it stood
    errors: tuple[Message, ...] = field(default=())  # records not imported, and why
    warnings: tuple[Problem, ...] = field(default=())  # values dropped, at their position
    tally: Counter[tuple[str, str]] = field(default_factory=Counter)  # (HSDS field, outcome) -> count


def slug(text: str, limit: int = 60) -> str:
    """An id from a name: 'Équipe mobile (107)' -> 'equipe-mobile-107'."""
    return fold(text).replace(" ", "-")[:limit].strip("-") or "sans-nom"


@dataclass
class _Attributes:
    """What the attributes of one HSDS object say, sorted by taxonomy."""

    fields: list[tuple[str, Any]] = field(default_factory=list)
    terms: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    foreign: list[Message] = field(default_factory=list)

    def value(self, path: str) -> Any:
        return next((v for p, v in self.fields if p == path), None)

    def without(self, *paths: str) -> list[tuple[str, Any]]:
        return [(p, v) for p, v in self.fields if p not in paths]


def _read_attributes(obj: Json) -> _Attributes:
    result = _Attributes()
    for attribute in obj.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        code = str(term.get("code", ""))
        taxonomy = term.get("taxonomy") or (term.get("taxonomy_detail") or {}).get("name", "")
        if taxonomy == FIELDS_TAXONOMY and code.startswith(f"{FIELDS_TAXONOMY}:"):
            result.fields.append((code.split(":", 1)[1], attribute.get("value", "")))
        elif ":" in code and taxonomy.startswith("maillage-"):
            vocabulary, term_id = code.split(":", 1)
            result.terms[vocabulary].append(term_id)
        else:
            name = term.get("name") or code or attribute.get("taxonomy_term_id", "?")
            value = literal(f" = {attribute['value']!r}") if attribute.get("value") else literal("")
            named = optional(msg("cli.hsds.note.taxonomy", name=taxonomy) if taxonomy else None)
            result.foreign.append(msg("cli.hsds.note.attribute", name=quoted(name), value=value, taxonomy=named))
    return result


def _text(value: Any, siblings: Json | None = None) -> Json | None:
    """A native HSDS text as our ``{fr: ...}``, unless another language already holds it."""
    if not isinstance(value, str) or not value.strip():
        return None
    if siblings and value in siblings.values():
        return None
    return {"fr": value}


# A schedule's fields that ``opening.convert`` reads (the others are counted as dropped).
_SCHEDULE_KEYS = frozenset(
    {"freq", "byday", "opens_at", "closes_at", "valid_from", "valid_to", "description", "notes", "interval"}
)
_IDENTITY_KEYS = frozenset({"id", "service_id", "location_id", "service_at_location_id", "attributes"})


def _language_codes() -> dict[str, str]:
    """Folded language names (English and French, Babel's) -> ISO 639-1 code."""
    from babel import Locale

    names: dict[str, str] = {}
    for lang in ("fr", "en"):
        for code, name in Locale(lang).languages.items():
            if re.fullmatch(r"[a-z]{2}", code):
                names.setdefault(fold(name), code)
    return names


LANGUAGE_CODES = _language_codes()


def _words_of(term: Any) -> list[str]:
    words = [term.id.replace("-", " "), *term.synonyms]
    words += [str(getattr(term.label, lang)) for lang in ("fr", "nl", "en") if getattr(term.label, lang)]
    return [fold(w) for w in words if fold(w)]


# What our model keeps of the objects nested in a service or an organization.
_MAPPED = {
    "phone": frozenset(
        {"id", "number", "extension", "type", "description", "service_id", "organization_id", "location_id"}
        | {"attributes"}
    ),
    "contact": frozenset({"id", "email", "name", "service_id", "organization_id", "attributes"}),
    "location": frozenset(
        {"id", "name", "location_type", "url", "latitude", "longitude", "addresses", "organization_id", "attributes"}
        | {"schedules", "accessibility", "languages"}
    ),
    "address": frozenset(
        {"id", "location_id", "address_1", "address_2", "postal_code", "city", "state_province", "country"}
        | {"address_type"}
    ),
    "service_area": frozenset({"id", "name", "description", "uri", "service_id", "attributes"}),
    "language": frozenset({"id", "code", "name", "service_id", "location_id"}),
    "schedule": frozenset({"id", "description", "service_id", "location_id"}),
    "service_at_location": frozenset({"id", "service_id", "location_id", "location", "description", "attributes"}),
    "program": frozenset({"id", "name", "organization_id", "attributes", "alternate_name", "description"}),
}


class _Importer:
    # The service table's columns, plus what the nested form adds: one list of names.
    # ``alert``: a text without dates, which our dated alerts cannot hold (our export's
    # comes back from its attributes).
    _SERVICE_KEYS: ClassVar[frozenset[str]] = (frozenset(TABLES["service"][1]) - {"alert"}) | {
        "last_modified",
        "phones",
        "contacts",
        "schedules",
        "service_areas",
        "languages",
        "service_at_locations",
        "organization",
        "program",
        "attributes",
    }
    _ORGANIZATION_KEYS: ClassVar[frozenset[str]] = frozenset(
        {
            "id",
            "name",
            "description",
            "alternate_name",
            "legal_status",
            "website",
            "email",
            "phones",
            "contacts",
            "locations",
            "programs",
            "attributes",
        }
    )

    def __init__(self, registry: Registry, defaults: ImportDefaults, feed: Feed) -> None:
        self.registry = registry
        self.defaults = defaults
        self.feed = feed
        self.tally = feed.tally
        self.unmapped: list[Message] = []
        self.errors: list[Message] = []
        self.synthetic: set[int] = set()  # organizations made for services that name none
        self.where_of: dict[int, str] = {}  # id(our record's data) -> how messages name it
        self.counted: set[int] = set()  # nested objects already counted in the summary

    def note(self, where: str, message: Message) -> None:
        self.unmapped.append(msg("cli.import.note", where=str(where), what=message))

    def label(self, obj: Json, kind: str, name: str) -> str:
        """``file:line: /pointer: service 'name'``: a record as messages name it."""
        where = self.feed.located(obj)
        return f"{where}: {kind} '{name}'" if where else f"{kind} '{name}'"

    def leftovers(self, where: str, obj: Json, known: frozenset[str], table: str, *, quiet: bool = False) -> None:
        """Report what has no place in our model; count the rest as kept, and so for the
        objects nested in it (``quiet``: their losses are counted in the summary only)."""
        for key, value in obj.items():
            if value in (None, "", [], {}):
                continue
            if key not in known:
                if not quiet:
                    self.note(where, msg("cli.hsds.note.not_imported", key=quoted(key)))
                self.tally[(f"{table}.{key}", "dropped")] += 1
            elif key != "attributes":
                self.tally[(f"{table}.{key}", "kept")] += 1
                child = TABLE_OF_KEY.get(key)
                if child and key not in ("organization", "attributes"):
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, dict) and id(item) not in self.counted:
                            self.counted.add(id(item))  # a location both listed and linked: once
                            self.leftovers(where, item, _MAPPED.get(child, frozenset()), child, quiet=True)

    def origin(self, obj: Json, extra: Json, filled: list[str]) -> Json | None:
        """Where a foreign record came from (our own export carries our ids instead)."""
        if "id" in extra or "origin" in extra or obj.get("id") in (None, ""):
            return None
        origin: Json = {"id": str(obj["id"]), "source": self.defaults.source or self.feed.name}
        if filled:
            origin["filled"] = filled
        return origin

    def fill(self, table: str, key: str, filled: list[str], ours: str) -> None:
        self.tally[(f"{table}.{key}", "filled")] += 1
        filled.append(ours)

    def contacts(self, where: str, owner: Json) -> list[Json]:
        """Phones, e-mail contacts and virtual locations back to our contacts, in order."""
        found: list[tuple[float, Json]] = []
        for phone in owner.get("phones") or []:
            if str(phone.get("type") or "voice").lower() in ("fax", "pager"):  # not a way to speak to anyone
                self.counted.add(id(phone))
                self.tally[("phone.number", "dropped")] += 1
                self.note(where, msg("cli.hsds.note.fax", type=str(phone.get("type")), number=str(phone.get("number"))))
            elif phone.get("number"):
                found.append(self.contact(where, phone, "phone", phone["number"], phone.get("description")))
        for contact in owner.get("contacts") or []:
            if contact.get("email"):
                found.append(self.contact(where, contact, "email", contact["email"], contact.get("name")))
            else:
                named = quoted(contact.get("name", contact.get("id")))
                self.note(where, msg("cli.hsds.note.contact_without_email", name=named))
        virtual = [a.get("location") or {} for a in owner.get("service_at_locations") or []]
        virtual += list(owner.get("locations") or [])
        for location in virtual:
            if location.get("location_type") == "virtual" and location.get("url"):
                found.append(self.contact(where, location, "web", location["url"], location.get("name")))
        ordered = [c for _, c in sorted(found, key=lambda pair: pair[0])]
        if not any(c["kind"] == "web" for c in ordered) and owner.get("url"):
            ordered.append({"kind": "web", "value": owner["url"]})
        if not any(c["kind"] == "email" for c in ordered) and owner.get("email"):
            ordered.append({"kind": "email", "value": owner["email"]})
        return ordered

    def contact(self, where: str, obj: Json, kind: str, value: str, label: Any) -> tuple[float, Json]:
        attributes = _read_attributes(obj)
        extra = unflatten(attributes.without("position"))
        contact: Json = {"kind": kind, "value": value}
        extension = as_number(obj.get("extension")) if kind == "phone" else None
        if extension is not None and extension >= 0 and float(extension).is_integer():
            contact["extension"] = str(int(extension))
        text = _text(label, extra.get("label"))
        if text:
            contact["label"] = text
        contact = _merge(contact, extra)
        position = as_number(attributes.value("position"))
        for foreign in attributes.foreign:
            self.note(where, msg("cli.hsds.note.of_contact", what=foreign, value=value))
        return (position if position is not None else 1e9 + len(where)), contact

    def site(self, where: str, location: Json) -> Json | None:
        attributes = _read_attributes(location)
        extra = unflatten(attributes.fields)
        name = location.get("name") or (extra.get("name") or {}).get("fr")
        site: Json = {}
        text = _text(location.get("name"), extra.get("name"))
        if text:
            site["name"] = text
        every = [a for a in location.get("addresses") or [] if isinstance(a, dict)]
        # One address per site, where people go: the physical one, else a postal one.
        addresses = [a for a in every if a.get("address_type", "physical") == "physical"]
        addresses = addresses or [a for a in every if a.get("address_type") == "postal"]
        for other in every:
            if addresses and other is not addresses[0]:  # a site has one address: the others are reported
                self.counted.add(id(other))
                for key, value in other.items():
                    if value not in (None, "", [], {}) and key not in _IDENTITY_KEYS:
                        self.tally[(f"address.{key}", "dropped")] += 1
                kind = other.get("address_type", "physical")
                self.note(
                    where,
                    msg("cli.hsds.note.second_address", kind=str(kind), street=quoted(other.get("address_1", ""))),
                )
        if addresses:
            address = addresses[0]
            street = ", ".join(str(address[k]) for k in ("address_1", "address_2") if address.get(k))
            site["address"] = {
                k: v
                for k, v in (
                    ("street", street),
                    ("postcode", address.get("postal_code")),
                    ("city", address.get("city")),
                )
                if v
            }
        expression, texts = self.schedules(where, location.get("schedules") or [])
        if expression:
            site["opening_hours"] = expression
        if texts:
            site["note"] = {"fr": " ; ".join(texts)}
        features = self.accessibility(where, location.get("accessibility") or [])
        if features:
            site["accessibility"] = features
        languages = self.languages(where, location.get("languages") or [])
        if languages:
            site["languages"] = languages
        if location.get("latitude") is not None and location.get("longitude") is not None:
            site["coordinates"] = {"lat": location["latitude"], "lon": location["longitude"]}
        site = _merge(site, extra)
        if not site.get("name"):
            if not name and not addresses:
                self.note(where, msg("cli.hsds.note.location_unnamed", id=str(location.get("id"))))
                return None
            site["name"] = {"fr": name or addresses[0].get("city", "Lieu")}
        site.setdefault("id", slug(str(name or site["name"].get("fr", "lieu"))))
        for foreign in attributes.foreign:
            self.note(where, msg("cli.hsds.note.of_location", what=foreign, name=quoted(name)))
        return site

    def schedules(self, where: str, rows: list[Json]) -> tuple[str | None, list[str]]:
        """HSDS schedules as one ``opening_hours`` expression, and the descriptions of those
        it cannot take (kept as text); each row is counted here, field by field."""
        rows = [r for r in rows if isinstance(r, dict)]
        if not rows:
            return None, []
        converted = convert(rows, self.defaults.today or dt.date.today())
        used = {id(r) for r in converted.used}
        texts = []
        for row in rows:
            self.counted.add(id(row))  # not counted again by ``leftovers``
            for key, value in row.items():
                if value in (None, "", [], {}) or key in _IDENTITY_KEYS:
                    continue
                if id(row) in used and key in _SCHEDULE_KEYS:
                    self.tally[(f"schedule.{key}", "converted")] += 1  # kept, of which converted
                    self.tally[(f"schedule.{key}", "kept")] += 1
                else:
                    outcome = "kept" if key == "description" else "dropped"
                    self.tally[(f"schedule.{key}", outcome)] += 1
        for row, why in converted.left:
            if row.get("description"):
                texts.append(str(row["description"]))
            structured = any(row.get(k) for k in _SCHEDULE_KEYS - {"description", "notes"})
            if structured:
                self.note(where, msg("cli.hsds.note.schedule", id=str(row.get("id", "")), why=why))
        if converted.expression:
            texts = [t for t in texts if t not in {str(r.get("description")) for r in converted.used}]
        return converted.expression, list(dict.fromkeys(texts))

    def accessibility(self, where: str, rows: list[Json]) -> list[str]:
        """Accessibility rows as terms of the project's accessibility vocabulary, read from
        their description and details (labels, synonyms and ids, in any of our languages)."""
        terms = self.registry.vocabularies.accessibility
        found: list[str] = []
        for row in rows:
            if not isinstance(row, dict):
                continue
            self.counted.add(id(row))
            said = " ".join(str(row[k]) for k in ("description", "details") if row.get(k))
            text = f" {fold(said)} "
            matched = [term.id for term in terms.values() if any(f" {w} " in text for w in _words_of(term))]
            for key in ("description", "details", "url"):
                if row.get(key) and matched:
                    self.tally[(f"accessibility.{key}", "converted")] += 1  # kept, of which converted
                    self.tally[(f"accessibility.{key}", "kept")] += 1
                elif row.get(key):
                    self.tally[(f"accessibility.{key}", "dropped")] += 1
            if not matched:
                self.note(where, msg("cli.hsds.note.accessibility", text=quoted(said)))
            found += matched
        return list(dict.fromkeys(found))

    def languages(self, where: str, rows: list[Json]) -> list[str]:
        """ISO 639-1 codes of HSDS languages: the code, else the name (English or French)."""
        codes = []
        for row in rows:
            if not isinstance(row, dict):
                continue
            code = str(row.get("code") or "").strip().lower()
            if not re.fullmatch(r"[a-z]{2,3}", code):
                code = LANGUAGE_CODES.get(fold(str(row.get("name") or "")), "")
                if code:
                    self.tally[("language.name", "converted")] += 1
            if code:
                codes.append(code)
            else:
                self.note(where, msg("cli.hsds.note.language", name=quoted(row.get("name") or row.get("code"))))
                self.tally[("language.name", "dropped")] += 1
        return list(dict.fromkeys(codes))

    def organisation(self, org: Json, services: list[Json]) -> Json:
        attributes = _read_attributes(org)
        extra = unflatten(attributes.fields)
        name = str(org.get("name") or "")
        where = self.label(org, "organization", name or str(org.get("id")))
        synthetic = id(org) in self.synthetic
        origin = self.origin(org, extra, ["organisation"] if synthetic else [])
        data: Json = {"id": extra.pop("id", None) or slug(name or str(org.get("id") or ""))}
        if origin:
            data["origin"] = origin
        data["name"] = _text(name, extra.get("name")) or {}
        description = org.get("description")
        if description and description != name:
            data["description"] = _text(description, extra.get("description"))
        for ours, theirs in (("short_name", "alternate_name"), ("legal_form", "legal_status"), ("website", "website")):
            if org.get(theirs):
                data[ours] = org[theirs]
        data["contacts"] = self.contacts(where, org)
        data["sites"] = [
            s
            for loc in org.get("locations") or []
            if loc.get("location_type") != "virtual"
            if (s := self.site(where, loc))
        ]
        data["sources"] = attributes.terms.get("sources", [])
        for foreign in attributes.foreign:
            self.note(where, msg("cli.hsds.note.foreign", what=foreign))
        if not synthetic:
            self.leftovers(where, org, self._ORGANIZATION_KEYS, "organization")
        data = _merge(data, extra)
        data["services"] = [s for s in (self.service(s, data) for s in services) if s is not None]
        return {k: v for k, v in data.items() if v not in (None, [], {})}

    def service(self, obj: Json, organisation: Json) -> Json | None:
        """Our service from an HSDS one; what it counts in the summary only if it is kept."""
        counted, self.tally = self.tally, Counter()
        try:
            data = self._service(obj, organisation)
            if data is not None:
                counted.update(self.tally)
                if organisation.get("origin", {}).get("filled"):
                    counted[("service.organization_id", "filled")] += 1
            else:
                counted[("service", "refused")] += 1
            return data
        finally:
            self.tally = counted

    def _service(self, obj: Json, organisation: Json) -> Json | None:
        attributes = _read_attributes(obj)
        extra = unflatten(attributes.fields)
        name = str(obj.get("name") or "")
        where = self.label(obj, "service", name or str(obj.get("id")))
        filled: list[str] = []
        own = "id" in extra
        data: Json = {"id": extra.pop("id", None) or slug(name or str(obj.get("id") or ""))}
        data["name"] = _text(name, extra.get("name")) or {}
        objective = _text(obj.get("description"), extra.get("objective"))
        if objective:
            data["objective"] = objective
        elif "objective" not in extra and data["name"]:
            # HSDS 3.0 makes the description optional; our model does not: the name stands
            # in for it, marked as filled (origin.filled) for a maintainer to complete.
            data["objective"] = dict(data["name"])
            self.fill("service", "description", filled, "objective")
        if obj.get("status") in ("inactive", "defunct", "temporarily closed"):
            data["status"] = {"state": "closed"}
            self.tally[("service.status", "converted")] += 1
        public: Json = {}
        for ours, theirs in (("min", "minimum_age"), ("max", "maximum_age")):
            if obj.get(theirs) is not None:
                public.setdefault("age", {})[ours] = int(obj[theirs])
        summary = _text(obj.get("eligibility_description"), (extra.get("public") or {}).get("summary"))
        if summary:
            public["summary"] = summary
        public["area"] = self.area(where, obj)
        data["public"] = public
        form = _text(obj.get("application_process"), (extra.get("access") or {}).get("form"))
        if form:
            data["access"] = {"form": form}
        cost = _text(obj.get("fees_description"), extra.get("cost"))
        if cost:
            data["cost"] = cost
        verified = obj.get("assured_date") or str(obj.get("last_modified") or "")[:10]
        if verified:
            data["verified"] = verified
        elif not own and self.defaults.today is not None:
            data["verified"] = self.defaults.today.isoformat()
            self.fill("service", "assured_date", filled, "verified")
        expression, texts = self.schedules(where, obj.get("schedules") or [])
        if expression:
            data["opening_hours"] = expression
        if texts:
            data["availability"] = {"hours": {"fr": " ; ".join(texts)}}
        languages = self.languages(where, obj.get("languages") or [])
        if languages:
            data["languages"] = languages
        if any(as_number(c.get("amount")) == 0 for c in obj.get("cost_options") or [] if isinstance(c, dict)):
            data["free"] = True  # a cost option of 0: free for the person
            self.tally[("cost_option.amount", "converted")] += 1
        data["contacts"] = self.contacts(where, obj)
        data["sites"] = self.service_sites(where, obj, organisation)
        program = obj.get("program") or {}
        if program:
            programme = _read_attributes(program).value("id") or slug(str(program.get("name", "")))
            data["programme"] = programme
        for path, vocabulary, *_ in VOCABULARY_PATHS:
            values = attributes.terms.get(vocabulary)
            if values:
                data = _merge(data, unflatten((f"{path}[]", v) for v in values))
        data["sources"] = attributes.terms.get("sources", [])
        for foreign in attributes.foreign:
            self.note(where, msg("cli.hsds.note.foreign", what=foreign))
        if "alerts" in extra:  # our export: the alert text is written from the alerts
            obj = {k: v for k, v in obj.items() if k != "alert"}
        self.leftovers(where, obj, self._SERVICE_KEYS, "service")
        completed = self.complete(where, _merge(data, extra), filled)
        if completed is not None:
            self.where_of[id(completed)] = where
        if completed is not None and not own:
            origin = self.origin(obj, extra, filled)
            if origin:
                completed["origin"] = origin
        return completed

    def area(self, where: str, obj: Json) -> list[str]:
        codes = []
        gazetteer = self.registry.gazetteer
        for area in obj.get("service_areas") or []:
            uri = str(area.get("uri") or "")
            code = uri.removeprefix("urn:maillage:territory:") if uri.startswith("urn:maillage:territory:") else None
            if code and code in gazetteer:
                codes.append(code)
                continue
            place = str(area.get("name") or area.get("description") or "")
            try:
                codes.append(gazetteer.resolve(place).code)
                self.tally[("service_area.name", "converted")] += 1
            except PlaceError as exc:
                self.note(where, msg("cli.hsds.note.service_area", place=quoted(place), problem=exc.message))
                self.tally[("service_area.name", "dropped")] += 1
        return codes

    def service_sites(self, where: str, obj: Json, organisation: Json) -> list[str]:
        site_ids = []
        for link in obj.get("service_at_locations") or []:
            location = link.get("location") or {}
            if location.get("location_type") == "virtual":
                continue
            site = self.site(where, location)
            if site is None:
                continue
            known = {s["id"] for s in organisation.setdefault("sites", [])}
            if site["id"] not in known:
                organisation["sites"].append(site)
            site_ids.append(site["id"])
        return site_ids

    def complete(self, where: str, data: Json, filled: list[str], area_field: str = "service_areas") -> Json | None:
        """Fill what the registry requires from the defaults; refuse what stays missing
        (``area_field``: the feed's name for the area, in the summary)."""
        defaults = self.defaults
        if not data.get("needs") and defaults.needs:
            data["needs"] = list(defaults.needs)
            self.fill("service", "(needs)", filled, "needs")
        if not data.get("functions") and defaults.functions:
            data["functions"] = list(defaults.functions)
            self.fill("service", "(functions)", filled, "functions")
        data.setdefault("needs", [])
        data.setdefault("functions", [])
        public = data.setdefault("public", {})
        if not public.get("area") and defaults.area:
            public["area"] = list(defaults.area)
            public["area_approximate"] = True
            self.fill("service", area_field, filled, "public.area")
        if not data.get("sources") and defaults.source:
            data["sources"] = [defaults.source]
            self.fill("service", "(sources)", filled, "sources")
        missing = tuple(
            msg(key)
            for key, ok in (
                (N_("cli.hsds.missing.needs"), data["needs"]),
                (N_("cli.hsds.missing.functions"), data["functions"]),
                (N_("cli.hsds.missing.area"), public.get("area")),
                (N_("cli.hsds.missing.sources"), data.get("sources")),
                (N_("cli.hsds.missing.verified"), data.get("verified")),
            )
            if not ok
        )
        if missing:
            self.errors.append(msg("cli.hsds.refused", where=where, missing=missing))
            return None
        return {k: v for k, v in data.items() if v not in (None, [], {})}


# The bookkeeping (notes, tally, refusals, filling from the options) of an import into our
# shape, for the other feeds that map to it (generator/exchange/data_inclusion/).
Importer = _Importer


@dataclass(frozen=True)
class ImportDefaults:
    """What an imported service takes when the HSDS data does not say it.

    ``today`` stands for a service's check date when the feed gives none (HSDS makes
    ``assured_date`` optional); every value taken from here is listed in the record's
    ``origin.filled``.
    """

    needs: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    area: tuple[str, ...] = ()
    source: str | None = None
    today: dt.date | None = None


def import_hsds(
    services: list[Json],
    organizations: list[Json],
    registry: Registry,
    defaults: ImportDefaults | None = None,
    feed: Feed | None = None,
) -> ImportResult:
    """Our organisations (with their services) from HSDS objects.

    ``registry`` is the project the result goes into: its vocabularies, gazetteer, sources
    and programmes decide what can be kept. Everything left out is in ``unmapped``; a
    service that cannot be made valid is in ``errors``; ``feed`` (from ``read``) gives the
    records' positions and the values dropped while reading. Services without an
    organization go to one organisation named after the feed (marked as filled).
    """
    feed = feed if feed is not None else Feed(services=services, organizations=organizations)
    importer = _Importer(registry, defaults or ImportDefaults(), feed)
    by_org: dict[str, list[Json]] = defaultdict(list)
    nested: dict[str, Json] = {}
    for service in services:
        org = service.get("organization") or {}
        org_id = str(service.get("organization_id") or org.get("id") or "")
        by_org[org_id].append(service)
        if org:
            nested.setdefault(org_id, org)
    orgs = {str(o.get("id")): o for o in organizations}
    for org_id, org in nested.items():
        orgs.setdefault(org_id, org)
    for org_id in by_org:
        if org_id not in orgs:
            # HSDS 3.0 lets a service name no organization (or one the feed does not hold).
            name = importer.defaults.source or feed.name or "hsds"
            orgs[org_id] = {"id": f"{feed.name}:{org_id or '-'}", "name": name}
            importer.synthetic.add(id(orgs[org_id]))
    built = [(org_id, importer.organisation(org, by_org.get(org_id, []))) for org_id, org in orgs.items()]
    return finish(importer, [(org_id, data, bool(by_org.get(org_id))) for org_id, data in built], registry)


def finish(importer: _Importer, built: list[tuple[str, Json, bool]], registry: Registry) -> ImportResult:
    """Organisations mapped to our shape ``(origin, data, had services)`` made into models:
    ids resolved against the registry, invalid values dropped, unknown references cleaned.
    Shared by every import that maps to our shape (HSDS, data·inclusion)."""
    _resolve_ids(importer, [data for _, data, _ in built], registry)
    imported = []
    for org_id, data, had_services in built:
        model = _validate(importer, data)
        if model is None or (had_services and not model.services):
            continue  # an organisation whose every service was refused is not written empty
        cleaned = _clean_references(importer, model, registry)
        if had_services and not cleaned.services:
            continue
        imported.append(ImportedFile(cleaned, org_id))
    feed = importer.feed
    return ImportResult(
        tuple(imported), tuple(importer.unmapped), tuple(importer.errors), tuple(feed.warnings), feed.tally
    )


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]


def _resolve_ids(importer: _Importer, organisations: list[Json], registry: Registry) -> None:
    """Ids for the imported records: the registry's own when it already holds the record
    (same origin: the import updates it), else the slug, made unique deterministically by
    a short hash of the original id when several records share it."""

    def key(data: Json) -> tuple[str, str] | None:
        origin = data.get("origin")
        return (str(origin.get("source")), str(origin["id"])) if isinstance(origin, dict) else None

    known: dict[tuple[str, str], str] = {}
    for model in [*registry.organisations.values(), *registry.services.values()]:
        origin = getattr(model, "origin", None)
        if origin is not None:
            known[(str(origin.source), origin.id)] = str(getattr(model, "id", ""))
    taken = set(registry.organisations) | set(registry.services)
    owned = {v for v in known.values()}
    used: set[str] = set()

    def assign(data: Json) -> None:
        found = key(data)
        if found and found in known:
            data["id"] = known[found]
        elif found and (data["id"] in used or (data["id"] in taken and data["id"] not in owned)):
            data["id"] = f"{str(data['id'])[:72]}-{_short_hash(found[1])}"
        used.add(data["id"])

    for organisation in organisations:
        assign(organisation)
        for service in organisation.get("services", []):
            assign(service)
        _unique_sites(organisation, registry)


def _unique_sites(organisation: Json, registry: Registry) -> None:
    """Site ids are unique across the registry: one named like another's gets a suffix."""
    renamed: dict[str, str] = {}
    for site in organisation.get("sites", []):
        owner = registry.site_organisation.get(site["id"])
        if owner is not None and owner != organisation["id"]:
            new = f"{str(site['id'])[:60]}-{_short_hash(organisation['id'] + '/' + site['id'])}"
            renamed[site["id"]] = new
            site["id"] = new
    if renamed:
        for service in organisation.get("services", []):
            service["sites"] = [renamed.get(s, s) for s in service.get("sites", [])]


# An invalid value at one of these places refuses its record; anywhere else it is dropped.
_REQUIRED_SERVICE = {"id", "name", "needs", "functions", "objective", "public", "sources", "verified"}
_REQUIRED_ORGANISATION = {"id", "name"}


def _validate(importer: _Importer, data: Json, rounds: int = 0) -> Organisation | None:
    """The organisation model. A value the model refuses is dropped, with a warning; a
    service whose required value is refused is left out; the organisation is refused
    only when its own id or name is."""
    try:
        return Organisation.model_validate(data)
    except ValidationError as exc:
        bad: set[int] = set()
        where = f"organization '{data.get('id')}'"
        for error in exc.errors():
            loc = tuple(error["loc"])
            message, _ = friendly_message(error, Organisation)
            if len(loc) > 2 and loc[0] == "services" and isinstance(loc[1], int):
                service = data["services"][loc[1]]
                named = importer.where_of.get(id(service), f"service '{service.get('id')}'")
                required = (loc[2] in _REQUIRED_SERVICE and len(loc) == 3) or loc[2] in ("id", "needs", "sources")
                if required or not _drop(service, loc[2:]):
                    if loc[1] not in bad:
                        importer.errors.append(
                            msg("cli.hsds.refused_value", where=named, field=_dotted(loc[2:]), problem=message)
                        )
                        importer.tally[("service", "refused")] += 1
                    bad.add(loc[1])
                else:
                    importer.note(named, msg("cli.hsds.note.value_dropped", field=_dotted(loc[2:]), problem=message))
                    importer.tally[(f"service.{loc[2]}", "dropped")] += 1
            elif loc and loc[0] not in _REQUIRED_ORGANISATION and loc[0] != "services" and _drop(data, loc):
                importer.note(where, msg("cli.hsds.note.value_dropped", field=_dotted(loc), problem=message))
                importer.tally[(f"organization.{loc[0]}", "dropped")] += 1
            else:
                importer.errors.append(msg("cli.hsds.refused_value", where=where, field=_dotted(loc), problem=message))
                return None
        data = dict(data, services=[s for i, s in enumerate(data.get("services", [])) if i not in bad])
        if rounds > 20:
            importer.errors.append(msg("cli.hsds.refused_value", where=where, field="", problem=""))
            return None
        return _validate(importer, data, rounds + 1)


def _drop(data: Any, loc: tuple[Hashable, ...]) -> bool:
    """Remove the value at ``loc`` (a list's entry, a mapping's key); False if not there."""
    if not loc:
        return False
    *path, last = loc
    holder = data
    for part in path:
        inside = isinstance(holder, dict) and part in holder
        if not (inside or (isinstance(holder, list) and isinstance(part, int) and part < len(holder))):
            return False
        holder = holder[part]
    if isinstance(holder, dict) and last in holder:
        del holder[last]
        return True
    if isinstance(holder, list) and isinstance(last, int) and last < len(holder):
        del holder[last]
        return True
    return False


def _dotted(loc: tuple[Hashable, ...]) -> str:
    return ".".join(str(p) for p in loc)


# Vocabulary lists a service cannot be without, and how a refusal names them.
_REQUIRED_TERMS = {"needs": N_("cli.hsds.missing.needs"), "functions": N_("cli.hsds.missing.functions")}


def _clean_references(importer: _Importer, organisation: Organisation, registry: Registry) -> Organisation:
    """Drop references the target project does not know (vocabulary terms, programmes)."""
    vocabularies: Vocabularies = registry.vocabularies
    services = []
    for service in organisation.services:
        where = f"service '{service.id}'"
        update: Json = {}
        filled: list[str] = []
        for path, vocabulary, *_ in VOCABULARY_PATHS:
            known = vocabularies.vocabulary(vocabulary)
            holder: Any = service
            for key in path.split(".")[:-1]:
                holder = getattr(holder, key)
            values = getattr(holder, path.split(".")[-1]) or []
            unknown = [v for v in values if v not in known]
            for value in unknown:
                unknown_term = msg("cli.hsds.note.unknown_term", vocabulary=vocabulary, value=quoted(value))
                importer.note(where, unknown_term)
            if unknown:
                kept = [v for v in values if v in known]
                update[path] = kept
                if not kept and path in _REQUIRED_TERMS:  # every term unknown here: the options'
                    fallback = getattr(importer.defaults, path)
                    if not fallback:
                        missing = (msg(_REQUIRED_TERMS[path]),)
                        importer.errors.append(msg("cli.hsds.refused", where=where, missing=missing))
                        importer.tally[("service", "refused")] += 1
                        update = {"refused": True}
                        break
                    update[path] = list(fallback)
                    filled.append(path)
        if update.get("refused"):
            continue
        if filled and service.origin is not None:
            marked = list(dict.fromkeys([*service.origin.filled, *filled]))
            update["origin"] = service.origin.model_copy(update={"filled": marked})
        if service.programme and service.programme not in registry.programmes:
            importer.note(where, msg("cli.hsds.note.unknown_programme", id=quoted(service.programme)))
            update["programme"] = None
        unknown_sources = [s for s in service.sources if s not in registry.sources]
        if unknown_sources:
            replacement = [s for s in service.sources if s in registry.sources]
            if importer.defaults.source and not replacement:
                replacement = [importer.defaults.source]
            listing = ", ".join(unknown_sources)
            importer.note(where, msg("cli.hsds.note.sources_replaced", sources=listing))
            update["sources"] = replacement
        services.append(_updated(service, update))
    return organisation.model_copy(update={"services": services})


def _updated(model: BaseModel, update: Json) -> Any:
    """``model`` with dotted paths replaced, through frozen sub-models."""
    nested: dict[str, Json] = defaultdict(dict)
    direct: Json = {}
    for path, value in update.items():
        head, _, rest = path.partition(".")
        if rest:
            nested[head][rest] = value
        else:
            direct[head] = value
    for head, sub in nested.items():
        direct[head] = _updated(getattr(model, head), sub)
    return model.model_copy(update=direct)


_OUTCOMES = ("kept", "converted", "filled", "dropped")
_COLUMNS = (
    N_("cli.hsds.column.field"),
    N_("cli.hsds.column.kept"),
    N_("cli.hsds.column.converted"),
    N_("cli.hsds.column.filled"),
    N_("cli.hsds.column.dropped"),
)


def summary_lines(result: ImportResult, lang: str, title: str = N_("cli.hsds.summary")) -> list[str]:
    """The closing summary: per field of the feed, how many values were kept (converted
    among them), filled from the options, and dropped; then the records."""
    fields = sorted({name for name, outcome in result.tally if outcome in _OUTCOMES})
    titles = [t(key, lang) for key in _COLUMNS]
    width = max([len(titles[0]), *map(len, fields)])
    lines = [t(title, lang), "  " + "  ".join([titles[0].ljust(width), *titles[1:]])]
    for name in fields:
        counts = [result.tally[(name, outcome)] for outcome in _OUTCOMES]
        cells = [str(n).rjust(len(title)) for n, title in zip(counts, titles[1:], strict=True)]
        lines.append("  " + "  ".join([name.ljust(width), *cells]))
    services = sum(len(f.organisation.services) for f in result.organisations)
    lines.append(
        t(
            "cli.hsds.records",
            lang,
            organisations=len(result.organisations),
            services=services,
            refused=result.tally[("service", "refused")],
            warnings=sum(1 for w in result.warnings if not w.code.endswith("-as-text")),  # kept, as text
        )
    )
    return lines
