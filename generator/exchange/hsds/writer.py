"""Export: the registry as HSDS 3.0 objects (``services.ndjson``, ``organizations.ndjson``) and
as a tabular data package, byte-identical from one run to the next; and the check of a
tabular package against the official one.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from pydantic import BaseModel

from ...locale import speaking, t
from ...registry.dates import reference_date
from ...registry.loader import Registry
from ...registry.models import Contact, Organisation, Programme, Service, Site
from ..csvsafe import neutralise
from ..zipped import Deflated, zipped
from .common import (
    _DATE_COLUMNS,
    _NUMBER_COLUMNS,
    _TABLE_OF_KEY,
    _UUID_COLUMNS,
    FIELDS_TAXONOMY,
    LANGUAGE_NAMES,
    SOURCES_TAXONOMY,
    TABLES,
    VOCABULARY_PATHS,
    Json,
    _dump,
    _field_description,
    _take,
    _text_value,
    flatten,
    hsds_id,
)
from .hours import alert_text, alerts_dump, schedules

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
            obj: Json = {"id": object_id, f"{owner}_id": owner_id, "number": contact.value}
            if contact.extension:  # HSDS's extension is a number: "007" stays whole as an attribute
                obj["extension"] = int(contact.extension)
                if str(int(contact.extension)) == contact.extension:
                    _take(dump, "extension")
            obj["type"] = "voice"
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
        if site.opening_hours:  # also kept whole as an attribute
            obj["schedules"] = schedules(
                site.opening_hours, "location", location_id, lambda n: hsds_id("schedule", "location", site.id, str(n))
            )
        if site.alerts:
            dump["alerts"] = alerts_dump(site.alerts)
        if site.accessibility:  # also kept whole as an attribute (the reader matches words)
            obj["accessibility"] = [self.accessibility(location_id, site.id, term_id) for term_id in site.accessibility]
        if site.languages:  # also kept whole as an attribute
            obj["languages"] = [
                {"id": hsds_id("language", "location", site.id, code), "location_id": location_id, "code": code}
                | ({"name": LANGUAGE_NAMES[code]} if code in LANGUAGE_NAMES else {})
                for code in site.languages
            ]
        obj["attributes"] = self.attributes("location", location_id, Site, dump)
        return obj

    def accessibility(self, location_id: str, site_id: str, term_id: str) -> Json:
        """One accessibility term of a site as an HSDS accessibility row: its French label,
        and its definition as details."""
        term = self.registry.vocabularies.accessibility.get(term_id)
        row: Json = {"id": hsds_id("accessibility", site_id, term_id), "location_id": location_id}
        row["description"] = (term.label.get("fr") if term else None) or term_id
        if term and term.definition and term.definition.get("fr"):
            row["details"] = term.definition.get("fr")
        return row

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
        elif service.status.state == "planned":
            obj["status"] = "inactive"  # announced, not running yet; "planned" stays as an attribute
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
        if service.opening_hours:  # also kept whole as an attribute (what a reader restores)
            obj.setdefault("schedules", []).extend(
                schedules(
                    service.opening_hours, "service", service_id, lambda n: hsds_id("schedule", service.id, str(n))
                )
            )
        sites = self.registry.sites_of(service)
        alert = alert_text(
            [(a, "") for a in service.alerts] + [(a, s.name.get("fr")) for s in sites for a in s.alerts],
            reference_date(),
        )
        if alert:
            obj["alert"] = alert
        if service.alerts:
            dump["alerts"] = alerts_dump(service.alerts)
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


Record = tuple[str, list[tuple[str, str, str]]]
"""One exported object as written: its NDJSON line, and the CSV rows of it and of the
objects it nests, each ``(table, id, line)``, in the order they are written; a row whose
id a table already holds is not written again."""


def record(obj: Json, table: str) -> Record:
    """``obj`` of ``table`` as the export writes it (``Record``)."""
    found: list[tuple[str, str, int]] = []  # (table, id, length of its CSV line)
    text = io.StringIO()
    _rows(obj, table, found, csv.writer(text, lineterminator="\r\n"))
    lines, rows, at = text.getvalue(), [], 0
    for row_table, row_id, length in found:
        rows.append((row_table, row_id, lines[at : at + length]))
        at += length
    return json.dumps(obj, ensure_ascii=False, sort_keys=False) + "\n", rows


def _rows(obj: Json, table: str, found: list[tuple[str, str, int]], writer: Any) -> None:
    for key, value in obj.items():
        if isinstance(value, dict):
            _rows(value, _TABLE_OF_KEY[key], found, writer)
        elif isinstance(value, list):
            for item in value:
                _rows(item, _TABLE_OF_KEY[key], found, writer)
    row = {k: v for k, v in obj.items() if not isinstance(v, dict | list)}
    columns = TABLES[table][1]
    unknown = set(row) - set(columns)
    if unknown:
        raise ValueError(f"{table}: no column for {sorted(unknown)}")
    # A StringIO's write gives the characters written: each row's line is cut out after.
    length = writer.writerow([neutralise(_cell(row[c])) if c in row else "" for c in columns])
    found.append((table, obj["id"], length))


class _Writer:
    """The export's files, written as the objects come, one at a time.

    An object is written (a line of its NDJSON file, its rows and those of the objects it
    nests) and can then be dropped: at 10,000 services the nested objects all held at
    once took 1 GB, their files 330 MB. The files are those of ``tables`` (each table's
    rows in the order their ids first appear, organisations before services).
    """

    def __init__(self) -> None:
        self.ndjson = {"services.ndjson": io.BytesIO(), "organizations.ndjson": io.BytesIO()}
        self.csv: dict[str, io.BytesIO] = {}  # UTF-8, as each row is written
        self.seen: dict[str, set[Any]] = {name: set() for name in TABLES}
        for name, (_, columns) in TABLES.items():
            text = io.StringIO()
            csv.writer(text, lineterminator="\r\n").writerow(columns)
            self.csv[name] = io.BytesIO(text.getvalue().encode("utf-8"))
            self.csv[name].seek(0, io.SEEK_END)

    def add(self, obj: Json, table: str) -> None:
        self.add_record(record(obj, table), table)

    def add_record(self, written: Record, table: str) -> None:
        """Write an object made before (``record``): its line, and its rows not written yet."""
        line, rows = written
        name = "services.ndjson" if table == "service" else "organizations.ndjson"
        self.ndjson[name].write(line.encode("utf-8"))
        for row_table, row_id, row in rows:
            seen = self.seen[row_table]
            if row_id not in seen:
                seen.add(row_id)
                self.csv[row_table].write(row.encode("utf-8"))

    def add_group(self, group: _Group, table: str) -> None:
        """Write a group of objects made before (``_pack``'s), as ``add_record`` each would:
        a table's rows whose ids none were written yet go in one write."""
        name = "services.ndjson" if table == "service" else "organizations.ndjson"
        self.ndjson[name].write(group.lines)
        for row_table, ids, lengths, rows in group.tables:
            seen = self.seen[row_table]
            out = self.csv[row_table]
            if seen.isdisjoint(ids):
                out.write(rows)
                seen.update(ids)
                continue
            at = 0
            for row_id, length in zip(ids, lengths, strict=True):
                if row_id not in seen:
                    seen.add(row_id)
                    out.write(rows[at : at + length])
                at += length

    def _buffers(self) -> dict[str, io.BytesIO]:
        """Every file's buffer by its path in the export, in the order of ``files()``: the
        NDJSON files, then the package's tables and its descriptor. The writer is emptied."""
        buffers: dict[str, io.BytesIO] = dict(self.ndjson)
        for name, data in self.csv.items():
            buffers[f"datapackage/{TABLES[name][0]}"] = data
        buffers["datapackage/datapackage.json"] = io.BytesIO(_descriptor())
        self.ndjson, self.csv, self.seen = {}, {}, {}
        return buffers

    def files(self) -> dict[str, bytes]:
        return {name: buffer.getvalue() for name, buffer in self._buffers().items()}

    def zip_and_files(
        self, kept: Callable[[str], bool], store: Deflated | None = None
    ) -> tuple[bytes, dict[str, bytes]]:
        """``zip_bytes(self.files())``, and those files ``kept`` tells.

        Each file goes into the zip from its buffer, without a copy, and its buffer is then
        released: at 100,000 services the files are 3.2 GB, and the zip is made while they
        go rather than beside all of them (bench/README.md, "The HSDS download's memory").
        ``kept`` files are copied out first (the descriptor; all of them for a small
        registry, whose files are published one by one too).
        """
        buffers = self._buffers()
        files = {name: buffer.getvalue() for name, buffer in buffers.items() if kept(name)}

        def members() -> Iterator[tuple[str, memoryview]]:
            for name in sorted(buffers):
                buffer = buffers.pop(name)
                with buffer.getbuffer() as view:
                    yield name, view
                buffer.close()

        return _zipped(members(), store), files


# The official HSDS 3.0 tabular descriptor (github.com/openreferral/specification, branch
# 3.0, commit 279fd2e; CC BY-SA 4.0, © Open Referral), copied verbatim: our descriptor takes
# each column's type, format and constraints, and the tables' keys, from it.
OFFICIAL_DESCRIPTOR = Path(__file__).with_name("hsds-3.0-datapackage.json")


def _descriptor() -> bytes:
    """``datapackage.json``: the tables' files and columns, each column with the official
    descriptor's type, format and constraints (required, unique, enum, minimum…), each
    table with its primary key and the foreign keys between the tables we write."""
    official = {r["name"]: r for r in json.loads(OFFICIAL_DESCRIPTOR.read_text(encoding="utf-8"))["resources"]}
    written = {name: set(columns) for name, (_, columns) in TABLES.items()}
    resources = []
    for name, (path, columns) in TABLES.items():
        schema = official.get(name, {}).get("schema", {})
        specs = {f["name"]: f for f in schema.get("fields", [])}
        fields = []
        for column in columns:
            spec: Json = {"name": column, "type": _field_type(column)}
            if column in _UUID_COLUMNS:
                spec["format"] = "uuid"
            theirs = specs.get(column)
            if theirs is not None:
                spec = {k: v for k, v in theirs.items() if k not in ("example", "core")}
            fields.append(spec)
        keys = [
            key
            for key in schema.get("foreignKeys", [])
            if _columns(key["fields"]) <= written[name]
            and key["reference"]["resource"] in written
            and _columns(key["reference"]["fields"]) <= written[key["reference"]["resource"]]
        ]
        table: Json = {"fields": fields, "primaryKey": schema.get("primaryKey", "id")}
        if keys:
            table["foreignKeys"] = keys
        resources.append(
            {
                "name": name,
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table,
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


def _columns(fields: str | list[str]) -> set[str]:
    return {fields} if isinstance(fields, str) else set(fields)


def _written(objects: Iterable[tuple[str, Json]]) -> _Writer:
    writer = _Writer()
    for table, obj in objects:
        writer.add(obj, table)
    return writer


def _export_objects(export: HsdsExport) -> Iterator[tuple[str, Json]]:
    yield from (("organization", obj) for obj in export.organizations)
    yield from (("service", obj) for obj in export.services)


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A zip of ``files`` with fixed timestamps, so the same input gives the same bytes."""
    return _zipped((name, files[name]) for name in sorted(files))


def _zipped(files: Iterable[tuple[str, bytes | memoryview]], store: Deflated | None = None) -> bytes:
    """``zip_bytes`` of ``files`` given in the order of their names, each taken when it comes;
    ``store``: deflated pieces kept between builds (``exchange/zipped.py``)."""
    return zipped(files, store)


def export_files(export: HsdsExport) -> dict[str, bytes]:
    """Every file of ``maillage export hsds``, by path relative to the output folder."""
    return _written(_export_objects(export)).files()


class Memo(Protocol):
    """Where an export keeps what it wrote for each organisation (its object, and its services'
    objects), under a key of everything those objects read, from one export to the next
    (``maillage build``'s cache: ``site/hsds_memo.py``); and the zip's deflated pieces
    (``exchange/zipped.py``)."""

    def key(self, organisation: Organisation) -> bytes: ...

    def get(self, key: bytes) -> bytes | None: ...

    def put(self, key: bytes, data: bytes) -> None: ...

    def get_piece(self, key: bytes) -> bytes | None: ...

    def put_piece(self, key: bytes, data: bytes) -> None: ...


def registry_files(registry: Registry, memo: Memo | None = None) -> dict[str, bytes]:
    """``export_files(export_hsds(registry))``, each object made, written and dropped in turn.

    With a ``memo``, an organisation whose key it holds is not exported again: its records
    (``record``) are read back from it, and the files are the same byte for byte."""
    return _registry_writer(registry, memo).files()


def registry_zip(
    registry: Registry, memo: Memo | None = None, kept: Callable[[str], bool] = lambda name: True
) -> tuple[bytes, dict[str, bytes]]:
    """``zip_bytes(registry_files(registry, memo))`` and those files ``kept`` tells, the same
    bytes, made without holding the files twice (``_Writer.zip_and_files``)."""
    return _registry_writer(registry, memo).zip_and_files(kept, memo)


def _registry_writer(registry: Registry, memo: Memo | None) -> _Writer:
    if memo is None:
        return _written(_objects(registry))
    writer = _Writer()
    exporter = _Exporter(registry)
    keys = {}
    for organisation in registry.organisations.values():
        keys[organisation.id] = key = memo.key(organisation)
        made = partial(_organisation_records, exporter, organisation)
        writer.add_group(_remembered(memo, key, b"organization", made), "organization")
    for organisation in registry.organisations.values():
        made = partial(_service_records, exporter, registry, organisation)
        writer.add_group(_remembered(memo, keys[organisation.id], b"services", made), "service")
    return writer


def _organisation_records(exporter: _Exporter, organisation: Organisation) -> list[Record]:
    return [record(exporter.organization(organisation), "organization")]


def _service_records(exporter: _Exporter, registry: Registry, organisation: Organisation) -> list[Record]:
    services = [registry.services[s.id] for s in organisation.services if s.id in registry.services]
    return [record(exporter.service(service), "service") for service in services]


def _remembered(memo: Memo, key: bytes, part: bytes, make: Callable[[], list[Record]]) -> _Group:
    """The records ``make`` gives, as a ``_Group``: from ``memo`` when it has them under
    ``key`` and ``part``."""
    data = memo.get(key + part)
    if data is not None:
        with contextlib.suppress(ValueError):  # not an entry of this format: made again
            return _unpack(data)
    packed = _pack(make())
    memo.put(key + part, packed)
    return _unpack(packed)


@dataclass(frozen=True)
class _Group:
    """Objects as the memo keeps them: their NDJSON lines end to end, and for each table
    its rows' ids (each once: the first row of an id is the one written), the length of each
    row and the rows end to end, all UTF-8."""

    lines: bytes | memoryview
    tables: list[tuple[str, list[str], list[int], bytes | memoryview]]


def _pack(records: list[Record]) -> bytes:
    """``records`` as bytes (``_Group``): a JSON head of the tables, their ids and lengths,
    then the lines and the rows end to end.

    Not the records as JSON: each NDJSON line would be a JSON string inside JSON, its quotes
    escaped, and reading them back took 1.9 s of a one-service edit at 10,000 services; and
    by table, so that the writer appends a table's rows of an organisation in one write."""
    lines = "".join(line for line, _ in records).encode("utf-8", "surrogatepass")
    tables: dict[str, tuple[list[str], list[int], list[bytes]]] = {}
    seen: dict[str, set[str]] = {}
    for _, rows in records:
        for table, row_id, row in rows:
            if row_id in seen.setdefault(table, set()):
                continue  # the writer would skip it: an id is written once
            seen[table].add(row_id)
            encoded = row.encode("utf-8", "surrogatepass")
            ids, lengths, parts = tables.setdefault(table, ([], [], []))
            ids.append(row_id)
            lengths.append(len(encoded))
            parts.append(encoded)
    head = json.dumps(
        [len(lines), [[table, ids, lengths] for table, (ids, lengths, _) in tables.items()]],
        separators=(",", ":"),
    ).encode("utf-8")
    body = [lines, *(b"".join(parts) for _, _, parts in tables.values())]
    return len(head).to_bytes(8, "big") + head + b"".join(body)


def _unpack(data: bytes) -> _Group:
    """``_pack``'s group; ``ValueError`` when ``data`` is not what it writes."""
    if len(data) < 8:
        raise ValueError("not a packed group of records")
    size = int.from_bytes(data[:8], "big")
    view = memoryview(data)
    try:
        count, listed = json.loads(view[8 : 8 + size].tobytes())
        at = 8 + size
        lines = view[at : at + count]
        at += count
        tables: list[tuple[str, list[str], list[int], bytes | memoryview]] = []
        for table, ids, lengths in listed:
            if not isinstance(table, str) or table not in TABLES or len(ids) != len(lengths):
                raise ValueError("not a packed group of records")
            total = sum(lengths)
            tables.append((table, [str(i) for i in ids], [int(n) for n in lengths], view[at : at + total]))
            at += total
    except (TypeError, UnicodeDecodeError) as exc:
        raise ValueError("not a packed group of records") from exc
    if at != len(data) or len(lines) != count:
        raise ValueError("not a packed group of records")
    return _Group(lines, tables)


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


def _type_error(kind: str, fmt: str | None, value: str, lang: str) -> str | None:
    shown = repr(value)
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
            return t("cli.hsds.table.not_type", lang, value=shown, type=fmt)
    except ValueError:
        return t("cli.hsds.table.not_type", lang, value=shown, type=fmt or kind)
    if fmt == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+", value):
        return t("cli.hsds.table.not_email", lang, value=shown)
    if fmt == "uri" and not _valid_uri(value):
        return t("cli.hsds.table.not_uri", lang, value=shown)
    return None


def check_tables(folder: Path, official: Json, lang: str | None = None) -> list[str]:
    """Every way the CSVs of ``folder`` break the official HSDS data package descriptor.

    Checks, per table: the columns (known, required ones present), each cell's type,
    format, enum and required constraints, unique columns, and foreign keys to tables that
    are present. Each problem as ``file:row:column: message`` (row 1 is the header), the
    message in ``lang`` (the running command's language by default).
    """
    lang = lang or speaking()
    problems: list[str] = []
    resources = {r["path"]: r for r in official["resources"]}
    data: dict[str, list[dict[str, str]]] = {}
    for file in sorted(folder.glob("*.csv")):
        resource = resources.get(file.name)
        if resource is None:
            problems.append(f"{file.name}:0:0: {t('cli.hsds.table.unknown', lang)}")
            continue
        with file.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            rows = list(reader)
        data[resource["name"]] = rows
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        for column in header:
            if column not in fields:
                problems.append(
                    f"{file.name}:1:{column}: {t('cli.hsds.table.not_column', lang, table=resource['name'])}"
                )
        for name, spec in fields.items():
            if spec.get("constraints", {}).get("required") and name not in header:
                problems.append(f"{file.name}:1:{name}: {t('cli.hsds.table.column_missing', lang)}")
        for index, row in enumerate(rows, start=2):
            for column, value in row.items():
                spec = fields.get(column)
                if spec is None:
                    continue
                constraints = spec.get("constraints", {})
                if value == "":
                    if constraints.get("required"):
                        problems.append(f"{file.name}:{index}:{column}: {t('cli.hsds.table.value_empty', lang)}")
                    continue
                error = _type_error(spec["type"], spec.get("format"), value, lang)
                if error:
                    problems.append(f"{file.name}:{index}:{column}: {error}")
                if "enum" in constraints and value not in constraints["enum"]:
                    words = t("cli.hsds.table.not_enum", lang, value=repr(value), allowed=constraints["enum"])
                    problems.append(f"{file.name}:{index}:{column}: {words}")
        for name, spec in fields.items():
            if spec.get("constraints", {}).get("unique"):
                seen: set[str] = set()
                for index, row in enumerate(rows, start=2):
                    value = row.get(name, "")
                    if value and value in seen:
                        problems.append(
                            f"{file.name}:{index}:{name}: {t('cli.hsds.table.not_unique', lang, value=repr(value))}"
                        )
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
                    words = t("cli.hsds.table.not_id", lang, value=repr(value), table=target)
                    problems.append(f"{resource['path']}:{index}:{key['fields']}: {words}")
    return problems
