"""Open Referral HSDS 3.0: export the registry, import it back, check tabular packages.

Export: every service becomes one fully nested HSDS ``service`` object (and every
organisation one ``organization``), ids are UUIDs derived from our ids (uuid5 with a fixed
namespace, so two exports of the same registry are byte-identical). The criteria HSDS has
fields for go there (``minimum_age``, ``eligibility_description``, ``service_areas``,
``assured_date``…); our vocabularies become taxonomies (``maillage-needs``,
``maillage-functions``…); whatever HSDS has no field for is kept, not dropped, as an
attribute of the ``maillage`` taxonomy whose term code is the field's path
(``maillage:public.conditions.crisis_accepted``) and whose value is the field's value.
That is what makes the round trip registry → HSDS → registry lossless.

Import reads such objects (from ``services.ndjson`` or a tabular data package), maps the
HSDS fields back, and reports what it could not map.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, cast
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ValidationError

from .csvsafe import FORMULA_STARTS, neutralise
from .models import Contact, Organisation, Programme, Service, Site
from .registry import Registry, Vocabularies, friendly
from .territories import PlaceError, fold
from .untrusted import (
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

# Never change: every exported UUID derives from it, and consumers key their data on them.
NAMESPACE = uuid.UUID("5b0e8a3c-6d0f-5e59-9a43-6d61696c6c61")

Json = dict[str, Any]

# Our vocabularies as HSDS taxonomies: (model path, vocabulary, taxonomy name, link_type).
VOCABULARY_PATHS = (
    ("needs", "needs", "maillage-needs", "need"),
    ("functions", "functions", "maillage-functions", "service_type"),
    ("public.housing", "housing", "maillage-housing", "eligibility"),
    ("access.referrers", "referrers", "maillage-referrers", "referral"),
    ("modality", "modalities", "maillage-modalities", "delivery"),
)
FIELDS_TAXONOMY = "maillage"
SOURCES_TAXONOMY = "maillage-sources"

LANGUAGE_NAMES = {
    "fr": "French",
    "nl": "Dutch",
    "en": "English",
    "de": "German",
    "ar": "Arabic",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "tr": "Turkish",
    "ro": "Romanian",
    "pl": "Polish",
    "ru": "Russian",
    "uk": "Ukrainian",
}

# The scalar columns we write per table (a subset of the official ones, in their order).
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "organization": (
        "organizations.csv",
        ("id", "name", "alternate_name", "description", "email", "website", "legal_status"),
    ),
    "program": ("programs.csv", ("id", "organization_id", "name", "alternate_name", "description")),
    "service": (
        "services.csv",
        (
            "id",
            "organization_id",
            "program_id",
            "name",
            "description",
            "url",
            "email",
            "status",
            "application_process",
            "fees_description",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "assured_date",
        ),
    ),
    "attribute": ("attributes.csv", ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value")),
    "service_at_location": ("service_at_location.csv", ("id", "service_id", "location_id", "description")),
    "location": (
        "locations.csv",
        ("id", "location_type", "url", "organization_id", "name", "description", "latitude", "longitude"),
    ),
    "phone": ("phones.csv", ("id", "location_id", "service_id", "organization_id", "number", "type", "description")),
    "contact": ("contacts.csv", ("id", "organization_id", "service_id", "name", "email")),
    "address": (
        "addresses.csv",
        ("id", "location_id", "address_1", "city", "state_province", "postal_code", "country", "address_type"),
    ),
    "schedule": ("schedules.csv", ("id", "service_id", "location_id", "description")),
    "service_area": ("service_areas.csv", ("id", "service_id", "name", "description", "uri")),
    "language": ("languages.csv", ("id", "service_id", "name", "code")),
    "taxonomy_term": (
        "taxonomy_terms.csv",
        ("id", "code", "name", "description", "taxonomy", "language", "taxonomy_id", "term_uri"),
    ),
    "taxonomy": ("taxonomies.csv", ("id", "name", "description")),
}
_NUMBER_COLUMNS = {"minimum_age", "maximum_age", "latitude", "longitude"}
_DATE_COLUMNS = {"assured_date"}
_UUID_COLUMNS = {"id", "organization_id", "program_id", "link_id", "taxonomy_term_id", "service_id", "location_id"}
_UUID_COLUMNS |= {"taxonomy_id"}

# Nested keys and the table their objects belong to.
_TABLE_OF_KEY = {
    "organization": "organization",
    "program": "program",
    "programs": "program",
    "phones": "phone",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
    "languages": "language",
    "contacts": "contact",
    "attributes": "attribute",
    "location": "location",
    "locations": "location",
    "addresses": "address",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
}


def hsds_id(kind: str, *parts: str) -> str:
    """The stable UUID of one exported object, from its kind and our ids."""
    return str(uuid.uuid5(NAMESPACE, "/".join((kind, *parts))))


# --- flattening what HSDS cannot hold ---------------------------------------------------


def flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Leaves of a model dump as ``(path, value)``; list items get the path ``key[]``."""
    if isinstance(data, dict):
        return [pair for key, value in data.items() for pair in flatten(value, f"{prefix}.{key}" if prefix else key)]
    if isinstance(data, list):
        return [(f"{prefix}[]", item) for item in data]
    return [(prefix, data)]


def unflatten(pairs: Iterable[tuple[str, Any]]) -> Json:
    """The nested mapping ``flatten`` came from."""
    root: Json = {}
    for path, value in pairs:
        keys = path.split(".")
        node = root
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        last = keys[-1]
        if last.endswith("[]"):
            node.setdefault(last[:-2], []).append(value)
        else:
            node[last] = value
    return root


def _merge(base: Json, extra: Json) -> Json:
    """``base`` updated by ``extra``, recursively (``extra`` wins)."""
    result = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value)
        else:
            result[key] = value
    return result


def _take(data: Json, path: str) -> Any:
    """Remove and return the value at a dotted path (None if absent); prune emptied maps."""
    keys = path.split(".")
    node = data
    trail = []
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            return None
        trail.append((node, key))
        node = child
    value = node.pop(keys[-1], None)
    for parent, key in reversed(trail):
        if not parent[key]:
            del parent[key]
    return value


def _text_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _dump(model: BaseModel) -> Json:
    data: Json = model.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    return data


def _field_description(model: type[BaseModel], path: str) -> str:
    """The French description of a model field at ``path`` (for taxonomy term texts)."""
    current: Any = model
    description = ""
    for key in path.replace("[]", "").split("."):
        fields = getattr(current, "model_fields", None)
        if not fields or key not in fields:
            break
        info = fields[key]
        description = info.description or description
        args = [info.annotation, *getattr(info.annotation, "__args__", ())]
        current = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), None)
    return description or path


# --- export -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HsdsExport:
    """The exported objects, each a JSON document valid against the HSDS 3.0 schema."""

    services: tuple[Json, ...]
    organizations: tuple[Json, ...]


class _Exporter:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    # Taxonomy terms and attributes.

    def term(self, taxonomy: str, code: str, name: str, description: str, uri: str | None = None) -> Json:
        term: Json = {
            "id": hsds_id("taxonomy_term", code),
            "code": code,
            "name": name,
            "description": description,
            "taxonomy": taxonomy,
            "language": "fr",
            "taxonomy_id": hsds_id("taxonomy", taxonomy),
        }
        if uri:
            term["term_uri"] = uri
        term["taxonomy_detail"] = {
            "id": hsds_id("taxonomy", taxonomy),
            "name": taxonomy,
            "description": _TAXONOMY_DESCRIPTIONS[taxonomy],
        }
        return term

    def attributes(
        self,
        link_entity: str,
        link_id: str,
        model: type[BaseModel],
        leftovers: Json,
        terms: Iterable[tuple[str, Json]] = (),
    ) -> list[Json]:
        """Vocabulary terms, then one ``maillage`` attribute per leftover leaf."""
        out: list[Json] = []

        def add(term: Json, link_type: str, value: str | None) -> None:
            attribute: Json = {
                "id": hsds_id("attribute", link_id, str(len(out))),
                "link_id": link_id,
                "taxonomy_term_id": term["id"],
                "link_type": link_type,
                "link_entity": link_entity,
            }
            if value is not None:
                attribute["value"] = value
            attribute["taxonomy_term"] = term
            out.append(attribute)

        for link_type, term in terms:
            add(term, link_type, None)
        for path, value in flatten(leftovers):
            code = f"{FIELDS_TAXONOMY}:{path}"
            add(self.term(FIELDS_TAXONOMY, code, path, _field_description(model, path)), "detail", _text_value(value))
        return out

    def vocabulary_terms(self, dump: Json) -> list[tuple[str, Json]]:
        terms: list[tuple[str, Json]] = []
        for path, vocabulary, taxonomy, link_type in VOCABULARY_PATHS:
            known = self.registry.vocabularies.vocabulary(vocabulary)
            for term_id in _take(dump, path) or []:
                entry = known.get(term_id)
                name = entry.label.get("fr") if entry else term_id
                text = entry.definition.get("fr") if entry and entry.definition else name
                terms.append((link_type, self.term(taxonomy, f"{vocabulary}:{term_id}", name, text)))
        return terms

    def source_terms(self, dump: Json) -> list[tuple[str, Json]]:
        terms = []
        for source_id in _take(dump, "sources") or []:
            source = self.registry.sources.get(source_id)
            title = source.title if source else source_id
            details = [d for d in (source.publisher, source.date and source.date.isoformat()) if d] if source else []
            description = ", ".join(details) or title
            url = source.url if source else None
            terms.append(("source", self.term(SOURCES_TAXONOMY, f"sources:{source_id}", title, description, url)))
        return terms

    # Contacts, sites, programmes.

    def contact(self, contact: Contact, position: int, owner: str, owner_id: str) -> tuple[str, Json]:
        """One contact as an HSDS phone, contact (e-mail) or virtual location."""
        dump = _dump(contact)
        for key in ("kind", "value"):
            dump.pop(key)
        label = _take(dump, "label.fr")
        dump["position"] = position
        object_id = hsds_id(f"{owner}-contact", owner_id, str(position))
        if contact.kind == "phone":
            obj: Json = {"id": object_id, f"{owner}_id": owner_id, "number": contact.value, "type": "voice"}
            kind = "phone"
            if label:
                obj["description"] = label
        elif contact.kind == "email":
            obj = {"id": object_id, f"{owner}_id": owner_id, "email": contact.value}
            kind = "contact"
            if label:
                obj["name"] = label
        else:
            obj = {"id": object_id, "location_type": "virtual", "url": contact.value}
            kind = "location"
            if owner == "organization":
                obj["organization_id"] = owner_id
            if label:
                obj["name"] = label
        obj["attributes"] = self.attributes(kind, object_id, _ContactFields, dump)
        return kind, obj

    def location(self, site: Site) -> Json:
        org_id = hsds_id("organization", self.registry.site_organisation[site.id])
        location_id = hsds_id("location", site.id)
        dump = _dump(site)
        obj: Json = {"id": location_id, "location_type": "physical", "organization_id": org_id}
        name = _take(dump, "name.fr")
        if name:
            obj["name"] = name
        coordinates = _take(dump, "coordinates")
        if coordinates:
            obj["latitude"], obj["longitude"] = coordinates["lat"], coordinates["lon"]
        address = site.address
        if address and address.street and address.postcode:
            for key in ("street", "postcode", "city"):
                _take(dump, f"address.{key}")
            code = address.territory or self.registry.site_territory.get(site.id)
            obj["addresses"] = [
                {
                    "id": hsds_id("address", site.id),
                    "location_id": location_id,
                    "address_1": address.street,
                    "city": address.city,
                    "state_province": self.state_province(code) or address.city,
                    "postal_code": address.postcode,
                    "country": _country(code, address.postcode),
                    "address_type": "physical",
                }
            ]
        obj["attributes"] = self.attributes("location", location_id, Site, dump)
        return obj

    def state_province(self, code: str | None) -> str | None:
        """The département, province or region name of a commune (HSDS requires one)."""
        gazetteer = self.registry.gazetteer
        if not code or code not in gazetteer:
            return None
        levels = {t.level: t for t in gazetteer.path(code)}
        for level in ("dep", "province", "region"):
            if level in levels:
                return levels[level].name
        return None

    def program(self, programme_id: str, organisation_id: str) -> Json:
        programme = self.registry.programmes[programme_id]
        program_id = hsds_id("program", programme_id, organisation_id)
        dump = _dump(programme)
        name = programme.name.get("fr")
        _take(dump, "name.fr")
        description = programme.description.get("fr") if programme.description else name
        if programme.description and programme.description.has("fr"):
            _take(dump, "description.fr")
        return {
            "id": program_id,
            "organization_id": hsds_id("organization", organisation_id),
            "name": name,
            "description": description,
            "attributes": self.attributes("program", program_id, Programme, dump),
        }

    # Services and organisations.

    def service(self, service: Service) -> Json:
        organisation_id = self.registry.service_organisation[service.id]
        service_id = hsds_id("service", service.id)
        dump = _dump(service)
        obj: Json = {"id": service_id, "organization_id": hsds_id("organization", organisation_id)}
        obj["name"] = service.name.get("fr")
        _take(dump, "name.fr")
        obj["description"] = service.objective.get("fr")
        _take(dump, "objective.fr")
        if service.status.state == "closed":
            obj["status"] = "defunct"
            _take(dump, "status.state")
        else:
            obj["status"] = "active"  # a pilot is active; "pilot" stays as an attribute
        native = (
            ("application_process", "access.form.fr"),
            ("fees_description", "cost.fr"),
            ("eligibility_description", "public.summary.fr"),
            ("minimum_age", "public.age.min"),
            ("maximum_age", "public.age.max"),
            ("assured_date", "verified"),
        )
        for key, path in native:
            value = _take(dump, path)
            if value is not None:
                obj[key] = value
        contacts = [self.contact(c, i, "service", service_id) for i, c in enumerate(service.contacts)]
        _take(dump, "contacts")
        webs = [c for c in service.contacts if c.kind == "web"]
        emails = [c for c in service.contacts if c.kind == "email"]
        if webs:
            obj["url"] = webs[0].value
        if emails:
            obj["email"] = emails[0].value
        if service.programme:
            obj["program_id"] = hsds_id("program", service.programme, organisation_id)
            obj["program"] = self.program(service.programme, organisation_id)
            _take(dump, "programme")
        obj["phones"] = [o for kind, o in contacts if kind == "phone"]
        obj["contacts"] = [o for kind, o in contacts if kind == "contact"]
        hours = _take(dump, "availability.hours.fr")
        if hours:
            obj["schedules"] = [{"id": hsds_id("schedule", service.id), "service_id": service_id, "description": hours}]
        obj["service_areas"] = [self.service_area(service_id, code) for code in _take(dump, "public.area")]
        obj["languages"] = [
            {"id": hsds_id("language", service.id, code), "service_id": service_id, "code": code}
            | ({"name": LANGUAGE_NAMES[code]} if code in LANGUAGE_NAMES else {})
            for code in _take(dump, "languages") or []
        ]
        at_locations = [(hsds_id("location", s), self.location(self.registry.sites[s])) for s in service.sites]
        _take(dump, "sites")
        at_locations += [(o["id"], o) for kind, o in contacts if kind == "location"]
        obj["service_at_locations"] = [
            {
                "id": hsds_id("service_at_location", service.id, location_id),
                "service_id": service_id,
                "location_id": location_id,
                "location": location,
            }
            for location_id, location in at_locations
        ]
        terms = self.vocabulary_terms(dump) + self.source_terms(dump)
        organisation = self.organization(self.registry.organisations[organisation_id], nested=True)
        obj["organization"] = organisation
        obj["attributes"] = self.attributes("service", service_id, Service, dump, terms)
        return {k: v for k, v in obj.items() if v != []}

    def service_area(self, service_id: str, code: str) -> Json:
        territory = self.registry.gazetteer.get(code)
        area_id = hsds_id("service_area", service_id, code)
        area: Json = {"id": area_id, "service_id": service_id, "name": territory.name if territory else code}
        area["description"] = f"{territory.level} {code}" if territory else code
        area["uri"] = f"urn:maillage:territory:{code}"
        return area

    def organization(self, organisation: Organisation, *, nested: bool = False) -> Json:
        org_id = hsds_id("organization", organisation.id)
        dump = _dump(organisation)
        name = organisation.name.get("fr")
        _take(dump, "name.fr")
        description = organisation.description.get("fr") if organisation.description else name
        if organisation.description and organisation.description.has("fr"):
            _take(dump, "description.fr")
        obj: Json = {"id": org_id, "name": name, "description": description}
        for key, path in (("alternate_name", "short_name"), ("legal_status", "legal_form"), ("website", "website")):
            value = _take(dump, path)
            if value is not None:
                obj[key] = value
        emails = [c for c in organisation.contacts if c.kind == "email"]
        if emails:
            obj["email"] = emails[0].value
        for key in ("services", "sites", "contacts"):
            _take(dump, key)
        if not nested:
            contacts = [self.contact(c, i, "organization", org_id) for i, c in enumerate(organisation.contacts)]
            obj["phones"] = [o for kind, o in contacts if kind == "phone"]
            obj["contacts"] = [o for kind, o in contacts if kind == "contact"]
            obj["locations"] = [self.location(s) for s in organisation.sites]
            obj["locations"] += [o for kind, o in contacts if kind == "location"]
            programmes = dict.fromkeys(s.programme for s in organisation.services if s.programme)
            obj["programs"] = [self.program(p, organisation.id) for p in programmes if p]
        obj["attributes"] = self.attributes("organization", org_id, Organisation, dump, self.source_terms(dump))
        return {k: v for k, v in obj.items() if v != []}


class _ContactFields(Contact):
    """A contact as exported: its position in the owner's list is kept to restore order."""

    position: int = 0


_TAXONOMY_DESCRIPTIONS = {
    "maillage": "Champs du registre Maillage sans équivalent HSDS ; le code du terme est le chemin du champ.",
    "maillage-needs": "Besoins couverts (vocabulaire « needs » de Maillage).",
    "maillage-functions": "Fonctions exercées (vocabulaire « functions » de Maillage).",
    "maillage-housing": "Situations de logement admises, d'après la typologie européenne ETHOS.",
    "maillage-referrers": "Qui peut faire la demande (vocabulaire « referrers » de Maillage).",
    "maillage-modalities": "Modalités d'intervention (vocabulaire « modalities » de Maillage).",
    "maillage-sources": "Documents dont proviennent les informations.",
}


def _country(code: str | None, postcode: str | None) -> str:
    if code and code.startswith("be"):
        return "BE"
    if code and code.startswith("fr"):
        return "FR"
    return "BE" if postcode and len(postcode) == 4 else "FR"


def export_hsds(registry: Registry) -> HsdsExport:
    """Every service and organisation of ``registry`` as nested HSDS 3.0 objects.

    Pass a registry already filtered by ``for_audience``: what it holds is exported.
    """
    objects = list(_objects(registry))
    return HsdsExport(
        services=tuple(obj for table, obj in objects if table == "service"),
        organizations=tuple(obj for table, obj in objects if table == "organization"),
    )


def _objects(registry: Registry) -> Iterator[tuple[str, Json]]:
    """``(table, object)``: the organisations, then the services in each organisation's own
    order (so an import writes its file in the same order), each made when asked for."""
    exporter = _Exporter(registry)
    for organisation in registry.organisations.values():
        yield "organization", exporter.organization(organisation)
    for organisation in registry.organisations.values():
        for s in organisation.services:
            if s.id in registry.services:
                yield "service", exporter.service(registry.services[s.id])


# --- tabular data package -----------------------------------------------------------------


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _text_value(value)


def _field_type(column: str) -> str:
    if column in _NUMBER_COLUMNS:
        return "number"
    return "date" if column in _DATE_COLUMNS else "string"


class _Writer:
    """The export's files, written as the objects come, one at a time.

    An object is written (a line of its NDJSON file, its rows and those of the objects it
    nests) and can then be dropped: at 10,000 services the nested objects all held at
    once took 1 GB, their files 330 MB. The files are those of ``tables`` (each table's
    rows in the order their ids first appear, organisations before services).
    """

    def __init__(self) -> None:
        self.ndjson = {"services.ndjson": io.BytesIO(), "organizations.ndjson": io.BytesIO()}
        self.csv: dict[str, tuple[io.TextIOWrapper, Any]] = {}
        self.seen: dict[str, set[Any]] = {name: set() for name in TABLES}
        for name, (_, columns) in TABLES.items():
            text = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")  # UTF-8 as it is written
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(columns)
            self.csv[name] = (text, writer)

    def add(self, obj: Json, table: str) -> None:
        name = "services.ndjson" if table == "service" else "organizations.ndjson"
        self.ndjson[name].write((json.dumps(obj, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8"))
        self._rows(obj, table)

    def _rows(self, obj: Json, table: str) -> None:
        for key, value in obj.items():
            if isinstance(value, dict):
                self._rows(value, _TABLE_OF_KEY[key])
            elif isinstance(value, list):
                for item in value:
                    self._rows(item, _TABLE_OF_KEY[key])
        seen = self.seen[table]
        if obj["id"] in seen:
            return
        seen.add(obj["id"])
        row = {k: v for k, v in obj.items() if not isinstance(v, dict | list)}
        columns = TABLES[table][1]
        unknown = set(row) - set(columns)
        if unknown:
            raise ValueError(f"{table}: no column for {sorted(unknown)}")
        self.csv[table][1].writerow([neutralise(_cell(row[c])) if c in row else "" for c in columns])

    def datapackage(self) -> dict[str, bytes]:
        files = {}
        for name, (text, _) in self.csv.items():
            text.flush()
            files[TABLES[name][0]] = cast(io.BytesIO, text.buffer).getvalue()
        files["datapackage.json"] = _descriptor()
        return files

    def files(self) -> dict[str, bytes]:
        files = {name: buffer.getvalue() for name, buffer in self.ndjson.items()}
        files.update({f"datapackage/{name}": data for name, data in self.datapackage().items()})
        return files


def _descriptor() -> bytes:
    """``datapackage.json``: the tables' files, columns and types."""
    resources = []
    for name, (path, columns) in TABLES.items():
        fields = []
        for column in columns:
            spec: Json = {"name": column, "type": _field_type(column)}
            if column in _UUID_COLUMNS:
                spec["format"] = "uuid"
            fields.append(spec)
        resources.append(
            {
                "name": name,
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": fields, "primaryKey": "id"},
            }
        )
    descriptor = {
        "name": "maillage-hsds",
        "title": "Maillage — registre au format Open Referral HSDS 3.0",
        "profile": "tabular-data-package",
        "version": "3.0.0",
        "homepage": "https://docs.openreferral.org",
        "resources": resources,
    }
    return (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _written(objects: Iterable[tuple[str, Json]]) -> _Writer:
    writer = _Writer()
    for table, obj in objects:
        writer.add(obj, table)
    return writer


def _export_objects(export: HsdsExport) -> Iterator[tuple[str, Json]]:
    yield from (("organization", obj) for obj in export.organizations)
    yield from (("service", obj) for obj in export.services)


def datapackage_files(export: HsdsExport) -> dict[str, bytes]:
    """``datapackage.json`` and one CSV per table, by file name."""
    return _written(_export_objects(export)).datapackage()


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A zip of ``files`` with fixed timestamps, so the same input gives the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


def export_files(export: HsdsExport) -> dict[str, bytes]:
    """Every file of ``maillage export hsds``, by path relative to the output folder."""
    return _written(_export_objects(export)).files()


def registry_files(registry: Registry) -> dict[str, bytes]:
    """``export_files(export_hsds(registry))``, each object made, written and dropped in turn."""
    return _written(_objects(registry)).files()


def write_export(export: HsdsExport, out: Path) -> list[Path]:
    """Write the export under ``out``; return the files written."""
    return write_files(export_files(export), out)


def write_files(files: Mapping[str, bytes], out: Path) -> list[Path]:
    """Write ``files`` (from ``export_files`` or ``registry_files``) under ``out``; return their paths."""
    written = []
    for name, data in files.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written


# --- checking a tabular package against the official one ---------------------------------


def _valid_uri(value: str) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in ("urn", "mailto", "tel"))


def _type_error(kind: str, fmt: str | None, value: str) -> str | None:
    try:
        if kind == "number":
            float(value)
        elif kind == "integer":
            int(value)
        elif kind == "date":
            dt.date.fromisoformat(value)
        elif kind == "datetime":
            dt.datetime.fromisoformat(value)
        elif kind == "time":
            dt.time.fromisoformat(value)
        elif fmt == "uuid" and str(uuid.UUID(value)) != value.lower():
            return "not a UUID"
    except ValueError:
        return f"not a {fmt or kind}"
    if fmt == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+", value):
        return "not an e-mail address"
    if fmt == "uri" and not _valid_uri(value):
        return "not a URI"
    return None


def check_tables(folder: Path, official: Json) -> list[str]:
    """Every way the CSVs of ``folder`` break the official HSDS data package descriptor.

    Checks, per table: the columns (known, required ones present), each cell's type,
    format, enum and required constraints, unique columns, and foreign keys to tables that
    are present. Each problem as ``file:row:column: message`` (row 1 is the header).
    """
    problems: list[str] = []
    resources = {r["path"]: r for r in official["resources"]}
    data: dict[str, list[dict[str, str]]] = {}
    for file in sorted(folder.glob("*.csv")):
        resource = resources.get(file.name)
        if resource is None:
            problems.append(f"{file.name}:0:0: no such table in HSDS 3.0")
            continue
        with file.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            rows = list(reader)
        data[resource["name"]] = rows
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        for column in header:
            if column not in fields:
                problems.append(f"{file.name}:1:{column}: not a column of table {resource['name']}")
        for name, spec in fields.items():
            if spec.get("constraints", {}).get("required") and name not in header:
                problems.append(f"{file.name}:1:{name}: required column is missing")
        for index, row in enumerate(rows, start=2):
            for column, value in row.items():
                spec = fields.get(column)
                if spec is None:
                    continue
                constraints = spec.get("constraints", {})
                if value == "":
                    if constraints.get("required"):
                        problems.append(f"{file.name}:{index}:{column}: required value is empty")
                    continue
                error = _type_error(spec["type"], spec.get("format"), value)
                if error:
                    problems.append(f"{file.name}:{index}:{column}: {value!r} is {error}")
                if "enum" in constraints and value not in constraints["enum"]:
                    problems.append(f"{file.name}:{index}:{column}: {value!r} is not one of {constraints['enum']}")
        for name, spec in fields.items():
            if spec.get("constraints", {}).get("unique"):
                seen: set[str] = set()
                for index, row in enumerate(rows, start=2):
                    value = row.get(name, "")
                    if value and value in seen:
                        problems.append(f"{file.name}:{index}:{name}: {value!r} is not unique")
                    seen.add(value)
    for resource in official["resources"]:
        rows = data.get(resource["name"], [])
        for key in resource["schema"].get("foreignKeys") or []:
            target = key["reference"]["resource"]
            if target not in data:
                continue
            ids = {r.get(key["reference"]["fields"], "") for r in data[target]}
            for index, row in enumerate(rows, start=2):
                value = row.get(key["fields"], "")
                if value and value not in ids:
                    problems.append(f"{resource['path']}:{index}:{key['fields']}: {value!r} is not an id of {target}")
    return problems


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

    Bounded by ``generator.untrusted``: at most ``MAX_INPUT_BYTES`` read in all (a zip's
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


# --- writing registry files -------------------------------------------------------------


def _simplify(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"fr"} and isinstance(value["fr"], str):
            return value["fr"]
        return {k: _simplify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_simplify(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def organisation_yaml(organisation: Organisation, schema_line: str, header: str = "") -> str:
    """A registry file for ``organisation``: the schema line, a comment, then the data."""
    data = _simplify(_dump(organisation))
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    return f"{schema_line}\n{comment}{body}"


SCHEMA_FILE = "schema/registry.schema.json"


class ImportRefused(Exception):
    """Nothing was written; ``problems`` says why."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def schema_line_for(target: Path, root: Path) -> str:
    """The editor's schema comment for a file at ``target`` (a path relative to it)."""
    relative = os.path.relpath(root / SCHEMA_FILE, target.parent)
    return f"# yaml-language-server: $schema={Path(relative).as_posix()}"


def conflicts(organisations: Iterable[Organisation], registry: Registry, out: Path) -> list[str]:
    """Ids an import would duplicate in the registry (files under ``out`` it replaces aside)."""
    problems = []
    root = registry.root
    for organisation in organisations:
        target = (out / f"{organisation.id}.yaml").resolve()

        def elsewhere(registry_id: str | None, target: Path = target) -> str | None:
            file = registry.files.get(registry_id or "")
            return file if file and (root / file).resolve() != target else None

        found = [("organisation", organisation.id, elsewhere(organisation.id))]
        found += [("service", s.id, elsewhere(s.id)) for s in organisation.services]
        found += [("site", s.id, elsewhere(registry.site_organisation.get(s.id))) for s in organisation.sites]
        problems += [f"{kind} '{item}' already exists in {file}" for kind, item, file in found if file]
    return problems


def write_organisations(
    organisations: Iterable[Organisation], registry: Registry, out: Path, *, force: bool = False, header: str = ""
) -> list[Path]:
    """Write one registry file per organisation under ``out``; all or nothing.

    Refused (``ImportRefused``, nothing written) when ``out`` is not inside
    ``data/registry/`` once symbolic links are resolved, when a file to write is a
    symbolic link (even a dangling one) or not a regular file, when an id already exists
    elsewhere in the registry, or when a file exists and ``force`` is false. No write ever
    follows a link: new files are created with ``O_EXCL | O_NOFOLLOW``, replaced ones
    through a new file renamed over them. The whole registry is checked after writing,
    and every file is put back as it was if the check fails.
    """
    organisations = list(organisations)
    out = out.resolve()
    folder = (registry.root / "data" / "registry").resolve()
    if not out.is_relative_to(folder):
        raise ImportRefused(
            [f"{out}: outside data/registry/ (symbolic links resolved): imports write only there [import-outside]"]
        )
    problems = conflicts(organisations, registry, out)
    planned = [(out / f"{o.id}.yaml", o) for o in organisations]
    names = [path.name for path, _ in planned]
    problems += [f"two organisations have the id '{n[:-5]}'" for n in sorted(set(names)) if names.count(n) > 1]
    for path, _ in planned:
        if path.is_symlink():
            problems.append(f"{path}: a symbolic link: an import never writes through one [import-symlink]")
        elif path.exists() and not path.is_file():
            problems.append(f"{path}: not a regular file [import-not-file]")
        elif path.exists() and not force:
            problems.append(f"{path} already exists: use --force to replace it")
    if problems:
        raise ImportRefused(problems)
    previous = {path: path.read_bytes() if path.exists() else None for path, _ in planned}
    written: list[Path] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for path, organisation in planned:
            text = organisation_yaml(organisation, schema_line_for(path, registry.root), header)
            _write_registry_file(path, text.encode("utf-8"), replace=previous[path] is not None)
            written.append(path)
    except OSError as exc:
        _put_back(previous, written)
        where = exc.filename or out
        raise ImportRefused([f"{where}: cannot be written ({exc.strerror or exc}) [import-write]"]) from None
    from .problems import format_problems
    from .registry import check_registry

    _, found = check_registry(registry.root)
    errors = [p for p in found if p.severity == "error"]
    if errors:
        _put_back(previous, written)
        raise ImportRefused(format_problems(errors).splitlines())
    return [path for path, _ in planned]


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _write_registry_file(path: Path, content: bytes, *, replace: bool) -> None:
    """Create ``path`` (``replace``: replace it) without ever following a symbolic link.

    ``O_EXCL`` fails on anything already there, a dangling link included; a replacement
    is written to a new file beside it and renamed over the old one, which replaces a
    link itself rather than its target.
    """
    target = path.with_name(f".{path.name}.{os.getpid()}.import") if replace else path
    descriptor = os.open(target, _CREATE, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        if replace:
            os.replace(target, path)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _put_back(previous: Mapping[Path, bytes | None], written: Iterable[Path]) -> None:
    """Undo an import: files it created are removed, files it replaced get their bytes back."""
    for path in written:
        content = previous[path]
        if content is None:
            path.unlink(missing_ok=True)
        else:
            _write_registry_file(path, content, replace=True)
