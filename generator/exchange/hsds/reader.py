"""Import: HSDS objects (``services.ndjson`` or a tabular data package, bounded as
``generator.exchange.untrusted`` says) mapped back to registry organisations, with what
could not be mapped reported.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

from ...registry.loader import Registry, Vocabularies, friendly
from ...registry.models import Organisation
from ...registry.territories import PlaceError
from ...registry.text import fold
from ..csvsafe import FORMULA_STARTS
from ..untrusted import (
    MAX_INPUT_BYTES,
    MAX_TABLE_ROWS,
    InputError,
    csv_position,
    csv_rows,
    decode,
    json_lines,
    json_pointers,
    letter,
    read_bytes,
    read_zip,
)
from .common import FIELDS_TAXONOMY, TABLES, VOCABULARY_PATHS, Json, _merge, unflatten

# --- reading HSDS -------------------------------------------------------------------------


class HsdsReadError(InputError):
    """A file that is not HSDS we can read; the message says where and why."""


# Arrays of child objects per table: (key, child table, foreign key in the child).
_CHILDREN: dict[str, tuple[tuple[str, str, str], ...]] = {
    "service": (
        ("phones", "phone", "service_id"),
        ("schedules", "schedule", "service_id"),
        ("service_areas", "service_area", "service_id"),
        ("service_at_locations", "service_at_location", "service_id"),
        ("languages", "language", "service_id"),
        ("contacts", "contact", "service_id"),
    ),
    "organization": (
        ("phones", "phone", "organization_id"),
        ("contacts", "contact", "organization_id"),
        ("locations", "location", "organization_id"),
        ("programs", "program", "organization_id"),
    ),
    "location": (("addresses", "address", "location_id"),),
}
_SINGLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "service": (("organization", "organization", "organization_id"), ("program", "program", "program_id")),
    "service_at_location": (("location", "location", "location_id"),),
    "attribute": (("taxonomy_term", "taxonomy_term", "taxonomy_term_id"),),
}
_NUMERIC = {"minimum_age", "maximum_age", "latitude", "longitude", "extension", "year_incorporated"}
_AGES = {"minimum_age", "maximum_age"}
# What the import reads as a list of objects, as an object, as a text: a value of another
# type is refused where it stands, rather than failing somewhere in the mapping.
_LIST_KEYS = frozenset(key for children in _CHILDREN.values() for key, _, _ in children) | {"attributes"}
_OBJECT_KEYS = frozenset(key for singles in _SINGLES.values() for key, _, _ in singles) | {"taxonomy_detail"}
_TEXT_KEYS = frozenset({"taxonomy"})
_WHOLE = re.compile(r"[0-9]{1,4}")


def _cell_value(column: str, value: str, where: str) -> Any:
    """A CSV cell as the object field it came from (numbers, and text without the ``'``
    that kept a spreadsheet from reading it as a formula)."""
    if column in _NUMERIC:
        number = _number(value)
        problem = _number_problem(column, value if number is None else number)
        if problem:
            raise HsdsReadError(f"{where}: {column}: {problem} [hsds-type]")
        return value if number is None else number
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def _number(value: str) -> int | float | None:
    """The finite number ``value`` writes, else None."""
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number


def _number_problem(key: str, value: Any) -> str | None:
    """Why ``value`` cannot be the number ``key`` holds (an age: a whole number of years)."""
    if value is None:
        return None
    finite = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if key in _AGES:
        if (finite and float(value).is_integer()) or (isinstance(value, str) and _WHOLE.fullmatch(value)):
            return None
        return f"expected a whole number of years, got {_shown(value)}"
    if finite or key not in ("latitude", "longitude"):
        return None
    return f"expected a number, got {_shown(value)}"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, float) else repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _shape_problems(obj: Json, where: str) -> Iterator[str]:
    """Values of an HSDS object the import could not use, each at its JSON pointer."""

    def unusable(key: str, value: Any) -> str | None:
        if value is None:
            return None
        if key in _LIST_KEYS and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            return "expected a list of objects"
        if key in _OBJECT_KEYS and not isinstance(value, dict):
            return "expected an object"
        if key in _TEXT_KEYS and not isinstance(value, str):
            return "expected a text"
        if key in _NUMERIC:
            return _number_problem(key, value)
        return None

    holders = json_pointers(obj, lambda value: isinstance(value, dict))
    for pointer, holder in holders:
        for key, value in holder.items():
            problem = unusable(key, value)
            if problem:
                yield f"{where}: {pointer}/{key}: {problem} [hsds-type]"


def _table_rows(shown: str, text: str) -> list[Json]:
    """The rows of one data package table, as objects; positioned errors otherwise."""
    rows = csv_rows(text, shown, max_rows=MAX_TABLE_ROWS)
    _, header = next(rows, (0, []))
    objects = []
    for number, cells in rows:
        row: Json = {}
        for index, (key, value) in enumerate(zip(header, cells, strict=False)):
            if key and value != "":
                row[key] = _cell_value(key, value, f"{shown}:{number}:{letter(index)}")
        if row:
            objects.append(row)
    return objects


def _nest_tables(texts: Mapping[str, str]) -> tuple[list[Json], list[Json]]:
    """Services and organizations, nested again from the tables of a data package.

    A row that several objects point to (an organization and its services) is nested
    once and shared, so the result grows with the tables, not with their product.
    """
    by_file = {path: name for name, (path, _) in TABLES.items()}
    rows: dict[str, list[Json]] = defaultdict(list)
    for path, text in texts.items():
        table = by_file.get(path.rsplit("/", 1)[-1])
        if table is None:
            continue
        rows[table] += _table_rows(path, text)
    by_id = {table: {r["id"]: r for r in items if "id" in r} for table, items in rows.items()}
    index: dict[tuple[str, str], dict[str, list[Json]]] = defaultdict(lambda: defaultdict(list))
    for table, items in rows.items():
        for row in items:
            for key, value in row.items():
                if key.endswith("_id") or key == "link_id":
                    index[(table, key)][value].append(row)
    nested: dict[int, Json] = {}

    def nest(table: str, row: Json) -> Json:
        done = nested.get(id(row))
        if done is not None:
            return done
        obj = nested[id(row)] = dict(row)
        for key, child, foreign in _CHILDREN.get(table, ()):
            obj[key] = [nest(child, r) for r in index[(child, foreign)].get(row["id"], [])]
        for key, child, foreign in _SINGLES.get(table, ()):
            target = by_id.get(child, {}).get(str(row.get(foreign, "")))
            if target is not None:
                obj[key] = nest(child, target)
        if table != "attribute" and table != "taxonomy_term":
            obj["attributes"] = [nest("attribute", r) for r in index[("attribute", "link_id")].get(row["id"], [])]
        return obj

    services = [nest("service", r) for r in rows["service"]]
    organizations = [nest("organization", r) for r in rows["organization"]]
    return services, organizations


def _read_ndjson(file: Path, limit: int = MAX_INPUT_BYTES) -> list[Json]:
    shown = str(file)
    objects = []
    for number, value in json_lines(decode(read_bytes(file, shown, limit), shown), shown):
        if not isinstance(value, dict):
            raise HsdsReadError(f"{file}:{number}:1: expected one JSON object per line [hsds-type]")
        problems = list(_shape_problems(value, f"{file}:{number}"))
        if problems:
            raise HsdsReadError("\n".join(problems))
        objects.append(value)
    return objects


def _read_tables(files: Iterable[tuple[str, bytes]]) -> tuple[list[Json], list[Json]]:
    """Nest the CSV tables of a data package, given as (name for messages, bytes)."""
    return _nest_tables({shown: decode(data, shown, where=csv_position) for shown, data in files})


def read_hsds(path: Path) -> tuple[list[Json], list[Json]]:
    """Services and organizations from an export folder, a data package, a zip or ndjson.

    Bounded by ``generator.exchange.untrusted``: at most ``MAX_INPUT_BYTES`` read in all (a zip's
    members decompressed), text in UTF-8, JSON at most ``MAX_JSON_DEPTH`` deep; and the
    values the import relies on (lists, objects, ages, coordinates) must have their type.
    Anything else is an ``HsdsReadError`` that says where.
    """
    try:
        return _read_hsds(path)
    except HsdsReadError:
        raise
    except InputError as exc:
        raise HsdsReadError(str(exc)) from None


def _read_hsds(path: Path) -> tuple[list[Json], list[Json]]:
    if path.is_dir():
        for candidate in (path / "datapackage.json", path / "datapackage" / "datapackage.json"):
            if candidate.exists():
                return _read_hsds(candidate)
        if (path / "services.ndjson").exists():
            return _read_hsds(path / "services.ndjson")
        raise HsdsReadError(f"{path}: no datapackage.json nor services.ndjson here")
    if not path.exists():
        raise HsdsReadError(f"{path}: no such file")
    if path.name == "datapackage.json":
        files, left = [], MAX_INPUT_BYTES
        for file in sorted(path.parent.glob("*.csv")):
            data = read_bytes(file, str(file), left)
            files.append((str(file), data))
            left -= len(data)
        return _read_tables(files)
    if path.suffix == ".zip":
        members = read_zip(path, str(path), lambda name: name.endswith(".csv"))
        return _read_tables((f"{path}/{name}", data) for name, data in members.items())
    if path.suffix in (".ndjson", ".jsonl"):
        siblings = {"services": path.parent / "services.ndjson", "organizations": path.parent / "organizations.ndjson"}
        if path.name.startswith("organizations"):
            siblings["organizations"] = path
        else:
            siblings["services"] = path
        services = _read_ndjson(siblings["services"]) if siblings["services"].exists() else []
        left = MAX_INPUT_BYTES - (siblings["services"].stat().st_size if services else 0)
        organizations = _read_ndjson(siblings["organizations"], left) if siblings["organizations"].exists() else []
        return services, organizations
    raise HsdsReadError(f"{path}: expected a folder, datapackage.json, a .zip or a .ndjson file")


# --- import -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedFile:
    """One organisation ready to be written as a registry file."""

    organisation: Organisation
    origin: str  # where it came from, for messages


@dataclass(frozen=True)
class ImportResult:
    organisations: tuple[ImportedFile, ...]
    unmapped: tuple[str, ...]  # what was left out, in words
    errors: tuple[str, ...] = field(default=())


def slug(text: str, limit: int = 60) -> str:
    """An id from a name: 'Équipe mobile (107)' -> 'equipe-mobile-107'."""
    return fold(text).replace(" ", "-")[:limit].strip("-") or "sans-nom"


@dataclass
class _Attributes:
    """What the attributes of one HSDS object say, sorted by taxonomy."""

    fields: list[tuple[str, Any]] = field(default_factory=list)
    terms: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    foreign: list[str] = field(default_factory=list)

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
            value = f" = {attribute['value']!r}" if attribute.get("value") else ""
            result.foreign.append(f"attribute '{name}'{value}" + (f" (taxonomy {taxonomy})" if taxonomy else ""))
    return result


def _text(value: Any, siblings: Json | None = None) -> Json | None:
    """A native HSDS text as our ``{fr: ...}``, unless another language already holds it."""
    if not isinstance(value, str) or not value.strip():
        return None
    if siblings and value in siblings.values():
        return None
    return {"fr": value}


class _Importer:
    # The service table's columns, plus what the nested form adds: one list of names.
    _SERVICE_KEYS: ClassVar[frozenset[str]] = frozenset(TABLES["service"][1]) | {
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

    def __init__(self, registry: Registry, defaults: ImportDefaults) -> None:
        self.registry = registry
        self.defaults = defaults
        self.unmapped: list[str] = []
        self.errors: list[str] = []

    def note(self, where: str, message: str) -> None:
        self.unmapped.append(f"{where}: {message}")

    def leftovers(self, where: str, obj: Json, known: frozenset[str]) -> None:
        for key, value in obj.items():
            if key not in known and value not in (None, "", [], {}):
                self.note(where, f"'{key}' not imported")

    def contacts(self, where: str, owner: Json) -> list[Json]:
        """Phones, e-mail contacts and virtual locations back to our contacts, in order."""
        found: list[tuple[float, Json]] = []
        for phone in owner.get("phones") or []:
            if phone.get("number"):
                found.append(self.contact(where, phone, "phone", phone["number"], phone.get("description")))
        for contact in owner.get("contacts") or []:
            if contact.get("email"):
                found.append(self.contact(where, contact, "email", contact["email"], contact.get("name")))
            else:
                self.note(where, f"contact '{contact.get('name', contact.get('id'))}' without e-mail not imported")
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
        text = _text(label, extra.get("label"))
        if text:
            contact["label"] = text
        contact = _merge(contact, extra)
        position = _number(str(attributes.value("position")))
        for foreign in attributes.foreign:
            self.note(where, f"{foreign} of contact {value} not imported")
        return (position if position is not None else 1e9 + len(where)), contact

    def site(self, where: str, location: Json) -> Json | None:
        attributes = _read_attributes(location)
        extra = unflatten(attributes.fields)
        name = location.get("name") or (extra.get("name") or {}).get("fr")
        site: Json = {}
        text = _text(location.get("name"), extra.get("name"))
        if text:
            site["name"] = text
        addresses = [a for a in location.get("addresses") or [] if a.get("address_type", "physical") == "physical"]
        if addresses:
            address = addresses[0]
            site["address"] = {
                k: v
                for k, v in (
                    ("street", address.get("address_1")),
                    ("postcode", address.get("postal_code")),
                    ("city", address.get("city")),
                )
                if v
            }
        if location.get("latitude") is not None and location.get("longitude") is not None:
            site["coordinates"] = {"lat": location["latitude"], "lon": location["longitude"]}
        site = _merge(site, extra)
        if not site.get("name"):
            if not name and not addresses:
                self.note(where, f"location {location.get('id')} without name nor address not imported")
                return None
            site["name"] = {"fr": name or addresses[0].get("city", "Lieu")}
        site.setdefault("id", slug(str(name or site["name"].get("fr", "lieu"))))
        for foreign in attributes.foreign:
            self.note(where, f"{foreign} of location '{name}' not imported")
        return site

    def organisation(self, org: Json, services: list[Json]) -> Json:
        attributes = _read_attributes(org)
        extra = unflatten(attributes.fields)
        name = str(org.get("name") or "")
        where = f"organization '{name or org.get('id')}'"
        data: Json = {"id": extra.pop("id", None) or slug(name)}
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
            self.note(where, f"{foreign} not imported")
        self.leftovers(where, org, self._ORGANIZATION_KEYS)
        data = _merge(data, extra)
        data["services"] = [s for s in (self.service(s, data) for s in services) if s is not None]
        return {k: v for k, v in data.items() if v not in (None, [], {})}

    def service(self, obj: Json, organisation: Json) -> Json | None:
        attributes = _read_attributes(obj)
        extra = unflatten(attributes.fields)
        name = str(obj.get("name") or "")
        where = f"service '{name or obj.get('id')}'"
        data: Json = {"id": extra.pop("id", None) or slug(name)}
        data["name"] = _text(name, extra.get("name")) or {}
        objective = _text(obj.get("description"), extra.get("objective"))
        if objective:
            data["objective"] = objective
        elif "objective" not in extra:
            self.errors.append(f"{where}: no description, which is the service's objective: not imported")
            return None
        if obj.get("status") in ("inactive", "defunct", "temporarily closed"):
            data["status"] = {"state": "closed"}
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
        hours = [s.get("description") for s in obj.get("schedules") or [] if s.get("description")]
        if hours:
            data["availability"] = {"hours": {"fr": hours[0]}}
        languages = [language.get("code") for language in obj.get("languages") or []]
        if languages:
            data["languages"] = [code for code in languages if code]
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
            self.note(where, f"{foreign} not imported")
        self.leftovers(where, obj, self._SERVICE_KEYS)
        data = _merge(data, extra)
        return self.complete(where, data)

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
            except PlaceError as exc:
                self.note(where, f"service area '{place}' not imported: {exc}")
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

    def complete(self, where: str, data: Json) -> Json | None:
        """Fill what the registry requires from the defaults; refuse what stays missing."""
        defaults = self.defaults
        if not data.get("needs"):
            data["needs"] = list(defaults.needs)
        if not data.get("functions"):
            data["functions"] = list(defaults.functions)
        public = data.setdefault("public", {})
        if not public.get("area") and defaults.area:
            public["area"] = list(defaults.area)
            public["area_approximate"] = True
        if not data.get("sources") and defaults.source:
            data["sources"] = [defaults.source]
        missing = [
            label
            for label, ok in (
                ("needs (use --need)", data["needs"]),
                ("functions (use --function)", data["functions"]),
                ("service areas (use --where)", public.get("area")),
                ("sources (use --source)", data.get("sources")),
                ("assured_date", data.get("verified")),
            )
            if not ok
        ]
        if missing:
            self.errors.append(f"{where}: no {', no '.join(missing)}: not imported")
            return None
        return {k: v for k, v in data.items() if v not in (None, [], {})}


@dataclass(frozen=True)
class ImportDefaults:
    """What an imported service takes when the HSDS data does not say it."""

    needs: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    area: tuple[str, ...] = ()
    source: str | None = None


def import_hsds(
    services: list[Json], organizations: list[Json], registry: Registry, defaults: ImportDefaults | None = None
) -> ImportResult:
    """Our organisations (with their services) from HSDS objects.

    ``registry`` is the project the result goes into: its vocabularies, gazetteer, sources
    and programmes decide what can be kept. Everything left out is in ``unmapped``; a
    service that cannot be made valid is in ``errors``.
    """
    importer = _Importer(registry, defaults or ImportDefaults())
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
            importer.errors.append(f"services of unknown organization {org_id or '(none)'}: not imported")
    imported = []
    for org_id, org in orgs.items():
        data = importer.organisation(org, by_org.get(org_id, []))
        model = _validate(importer, data)
        if model is not None:
            imported.append(ImportedFile(_clean_references(importer, model, registry), org_id))
    return ImportResult(tuple(imported), tuple(importer.unmapped), tuple(importer.errors))


def _validate(importer: _Importer, data: Json) -> Organisation | None:
    """The organisation model; services whose data the model refuses are dropped, reported."""
    try:
        return Organisation.model_validate(data)
    except ValidationError as exc:
        bad: set[int] = set()
        for error in exc.errors():
            loc = tuple(error["loc"])
            message, _ = friendly(error, Organisation)
            if len(loc) > 1 and loc[0] == "services" and isinstance(loc[1], int):
                bad.add(loc[1])
                service_id = data["services"][loc[1]].get("id")
                importer.errors.append(f"service '{service_id}': {_dotted(loc[2:])}: {message}: not imported")
            else:
                importer.errors.append(f"organization '{data.get('id')}': {_dotted(loc)}: {message}: not imported")
                return None
        data = dict(data, services=[s for i, s in enumerate(data.get("services", [])) if i not in bad])
        return _validate(importer, data)


def _dotted(loc: tuple[Hashable, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _clean_references(importer: _Importer, organisation: Organisation, registry: Registry) -> Organisation:
    """Drop references the target project does not know (vocabulary terms, programmes)."""
    vocabularies: Vocabularies = registry.vocabularies
    services = []
    for service in organisation.services:
        where = f"service '{service.id}'"
        update: Json = {}
        for path, vocabulary, *_ in VOCABULARY_PATHS:
            known = vocabularies.vocabulary(vocabulary)
            holder: Any = service
            for key in path.split(".")[:-1]:
                holder = getattr(holder, key)
            values = getattr(holder, path.split(".")[-1]) or []
            unknown = [v for v in values if v not in known]
            for value in unknown:
                importer.note(where, f"{vocabulary} term '{value}' is not in this project's vocabulary: left out")
            if unknown:
                kept = [v for v in values if v in known]
                update[path] = kept
        if service.programme and service.programme not in registry.programmes:
            importer.note(where, f"programme '{service.programme}' is not in data/programmes.yaml: left out")
            update["programme"] = None
        unknown_sources = [s for s in service.sources if s not in registry.sources]
        if unknown_sources:
            replacement = [s for s in service.sources if s in registry.sources]
            if importer.defaults.source and not replacement:
                replacement = [importer.defaults.source]
            listing = ", ".join(unknown_sources)
            importer.note(where, f"sources not in data/sources.yaml replaced: {listing}")
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
