"""Import: data·inclusion v1 structures and services (JSON or CSV) as registry organisations.

The same rules as the HSDS import (docs/import-hsds.md), through the same bookkeeping: each
record is checked with the package's own models (``data_inclusion.schema.v1``); a value
they refuse is dropped with a warning at its place (``file:row:column`` in CSV,
``file:line:column: /pointer`` in JSON), never the whole record; what our model requires
and theirs does not is filled from the options and marked (``origin.filled``); each record
keeps its original id and source, so a second import updates; the run closes with a
summary per field. Their vocabularies are read through ``mapping``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from data_inclusion.schema import v1
from pydantic import ValidationError

from ...registry import hours
from ...registry.loader import Registry
from ...registry.problems import Problem, msg, quoted
from ..hsds.common import Json
from ..hsds.feed import Feed, FeedError, Where, _delimiter, _JsonText, _shown, as_number
from ..hsds.reader import ImportDefaults, Importer, ImportResult, finish, slug
from ..untrusted import MAX_INPUT_BYTES, MAX_TABLE_ROWS, InputError, csv_position, csv_rows, decode, json_value
from ..untrusted import read_bytes as _read_bytes
from .mapping import (
    FUNCTION_OF_TYPE,
    MODALITY_OF_MODE,
    MODE_OF_CONTACT,
    NEED_OF_PUBLIC,
    REFERRER_OF_PERSON,
    need_of_thematique,
    needs_of,
    territory_of_code,
)

_LIST_FIELDS = {"thematiques", "publics", "modes_accueil", "zone_eligibilite", "modes_mobilisation", "mobilisable_par"}
_LIST_FIELDS |= {"reseaux_porteurs"}
_NUMBER_FIELDS = {"latitude", "longitude", "volume_horaire_hebdomadaire", "nombre_semaines"}
# What our model has no place for (docs/data-inclusion.md says why).
_NO_PLACE = {
    "siret",
    "lien_source",
    "reseaux_porteurs",
    "accessibilite_lieu",
    "contact_nom_prenom",
    "volume_horaire_hebdomadaire",
    "nombre_semaines",
}
_IDENTITY = {"id", "source", "structure_id"}


@dataclass
class Record:
    """One structure or service as read, with where each of its values stood."""

    kind: str  # "structure" | "service"
    data: Json
    file: str
    line: int
    pointer: str = ""  # JSON: the record's pointer; CSV: ""
    columns: dict[str, int] = field(default_factory=dict)  # CSV: field -> column number
    text: _JsonText | None = None

    def position(self, key: str, index: int | None = None) -> tuple[int, int, str]:
        """``(line, column, pointer or field)`` of a value of this record."""
        if self.text is not None:
            pointer = f"{self.pointer}/{key}" + (f"/{index}" if index is not None else "")
            line, col = self.text.position(pointer)
            return line, col, pointer
        return self.line, self.columns.get(key, 1), key


@dataclass
class DataInclusionFeed:
    structures: list[Record] = field(default_factory=list)
    services: list[Record] = field(default_factory=list)
    feed: Feed = field(default_factory=Feed)


# --- reading -------------------------------------------------------------------------------


def _kind_of(name: str, record: Json | None = None) -> str | None:
    stem = PurePosixPath(name).stem.lower()
    if "structure" in stem:
        return "structure"
    if "service" in stem:
        return "service"
    if record is not None:
        return "service" if "structure_id" in record else "structure"
    return None


def _list_cell(value: str) -> list[str]:
    """A list written in one CSV cell: a JSON array, ``{a,b}``, or ``a,b`` / ``a;b`` / ``a|b``."""
    text = value.strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            items = None
        if isinstance(items, list):
            return [str(i).strip() for i in items if str(i).strip()]
    text = text.strip("{}[]")
    return [part.strip().strip("\"'") for part in re.split(r"[,;|]", text) if part.strip().strip("\"'")]


class _Reader:
    def __init__(self) -> None:
        self.result = DataInclusionFeed()
        self.left = MAX_INPUT_BYTES

    def bytes_of(self, path: Path, shown: str) -> bytes:
        data = _read_bytes(path, shown, self.left)
        self.left -= len(data)
        return data

    def path(self, path: Path) -> None:
        shown = str(path)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.suffix in (".json", ".csv") and _kind_of(p.name) and p.is_file()
            )
            # A folder holding both forms (our export): the JSON, once.
            stems = {p.stem for p in found if p.suffix == ".json"}
            found = [p for p in found if p.suffix == ".json" or p.stem not in stems]
            if not found:
                raise FeedError(f"{shown}:0:0: no structures or services here (.json, .csv) [di-empty]")
            for file in found:
                self.path(file)
            return
        if not path.is_file():
            raise FeedError(f"{shown}:0:0: no such file [input-unreadable]")
        if path.suffix == ".json":
            self.json_file(self.bytes_of(path, shown), shown)
        elif path.suffix == ".csv":
            self.csv_file(self.bytes_of(path, shown), shown)
        else:
            raise FeedError(f"{shown}:0:0: expected a folder, a .json or a .csv file [di-format]")

    def add(self, record: Record) -> None:
        target = self.result.structures if record.kind == "structure" else self.result.services
        target.append(record)
        self.result.feed.where[id(record.data)] = Where(record.file, record.line, record.pointer)

    def warn(self, file: str, line: int, col: int, message: Any, pointer: str = "") -> None:
        problem = Problem(file, line, col, message, "di-value-dropped", pointer, severity="warning")
        self.result.feed.warnings.append(problem)

    def json_file(self, data: bytes, shown: str) -> None:
        text = decode(data, shown)
        value = json_value(text, f"{shown}:1")
        positions = _JsonText(text)
        if isinstance(value, dict) and isinstance(value.get("items"), list):  # a page of their API
            items, base = value["items"], "/items"
        elif isinstance(value, list):
            items, base = value, ""
        else:
            items, base = [value], None
        for index, item in enumerate(items):
            pointer = f"{base}/{index}" if base is not None else ""
            line, col = positions.position(pointer)
            if not isinstance(item, dict):
                self.warn(shown, line, col, msg("cli.hsds.not_a_record", value=_shown(item)), pointer)
                continue
            kind = _kind_of(shown, item) if "structure_id" not in item else "service"
            self.add(Record(str(kind), item, shown, line, pointer, text=positions))

    def csv_file(self, data: bytes, shown: str) -> None:
        delimiter = _delimiter(data)
        text = decode(data, shown, where=lambda d, o: csv_position(d, o, delimiter))
        rows = csv_rows(text, shown, delimiter, max_rows=MAX_TABLE_ROWS)
        _, header = next(rows, (0, []))
        header = [str(h).strip().lstrip("\ufeff") for h in header]
        kind = _kind_of(shown) or ("service" if "structure_id" in header else "structure")
        for number, cells in rows:
            row: Json = {}
            columns: dict[str, int] = {}
            for index, (key, value) in enumerate(zip(header, cells, strict=False)):
                if not key or not str(value).strip():
                    continue
                value = str(value)
                if value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
                    value = value[1:]  # our own export's guard against spreadsheet formulas
                row[key] = _list_cell(value) if key in _LIST_FIELDS else value.strip()
                if key in _NUMBER_FIELDS:
                    row[key] = row[key].replace(",", ".")
                columns[key] = index + 1
            if row:
                self.add(Record(kind, row, shown, number, columns=columns))


def read(paths: Path | Sequence[Path]) -> DataInclusionFeed:
    """The structures and services of the given files and folders (JSON arrays, pages of
    their API ``{"items": [...]}``, CSV), bounded as ``generator.exchange.untrusted`` says."""
    reader = _Reader()
    paths = [paths] if isinstance(paths, Path) else list(paths)
    for path in paths:
        reader.path(path)
    reader.result.feed.name = paths[0].name if paths else "data-inclusion"
    return reader.result


# --- checking with their models ------------------------------------------------------------


def check(record: Record, feed: Feed) -> set[str]:
    """Drop, with a warning at its place, every value their model refuses; the required
    fields still missing are returned (the import fills or refuses them)."""
    model = v1.Structure if record.kind == "structure" else v1.Service
    missing: set[str] = set()
    for key, bound in (("latitude", 90), ("longitude", 180)):  # their models take any number
        value = record.data.get(key)
        number = as_number(value) if value is not None else None
        if value is not None and (number is None or not -bound <= number <= bound):
            line, col, pointer = record.position(key)
            why = msg("cli.hsds.bad_coordinate", value=_shown(value), bound=bound)
            feed.warnings.append(Problem(record.file, line, col, why, "di-value-dropped", pointer, "warning"))
            feed.tally[(f"{record.kind}.{key}", "dropped")] += 1
            del record.data[key]
    for _ in range(50):  # each round drops at least one value
        try:
            model.model_validate(record.data)
            return missing
        except ValidationError as exc:
            dropped = False
            for error in exc.errors():
                loc = error["loc"]
                key = str(loc[0])
                if error["type"] == "missing":
                    missing.add(key)
                    continue
                index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
                values = record.data.get(key)
                if index is not None and isinstance(values, list) and index < len(values):
                    shown, line_col = values[index], record.position(key, index)
                    values[index] = None
                else:
                    shown, line_col = record.data.get(key), record.position(key)
                    record.data.pop(key, None)
                if shown is None:
                    continue
                line, col, pointer = line_col
                why = msg("cli.di.bad_value", field=key, value=_shown(shown))
                feed.warnings.append(Problem(record.file, line, col, why, "di-value-dropped", pointer, "warning"))
                feed.tally[(f"{record.kind}.{key}", "dropped")] += 1
                dropped = True
            for key, values in list(record.data.items()):
                if isinstance(values, list) and None in values:
                    record.data[key] = [v for v in values if v is not None]
                    if not record.data[key]:
                        del record.data[key]
            if not dropped:
                return missing
    return missing


# --- mapping to our shape ------------------------------------------------------------------


class _Mapper:
    def __init__(self, registry: Registry, defaults: ImportDefaults, source: DataInclusionFeed) -> None:
        self.registry = registry
        self.defaults = defaults
        self.source = source
        self.importer = Importer(registry, defaults, source.feed)
        self.tally = source.feed.tally

    def count(self, kind: str, key: str, outcome: str, n: int = 1) -> None:
        self.tally[(f"{kind}.{key}", outcome)] += n
        if outcome == "converted":  # the summary's "kept, of which converted"
            self.tally[(f"{kind}.{key}", "kept")] += n

    def origin(self, record: Record, filled: list[str]) -> Json:
        source = self.defaults.source or str(record.data.get("source") or self.source.feed.name)
        origin: Json = {"id": str(record.data["id"]), "source": source}
        if filled:
            origin["filled"] = filled
        return origin

    def leftovers(self, record: Record, used: set[str]) -> None:
        """Count what has a place as kept (or converted, by the caller) and the rest as dropped."""
        where = self.importer.label(record.data, record.kind, str(record.data.get("nom") or record.data.get("id")))
        for key, value in record.data.items():
            if value in (None, "", []) or key in _IDENTITY or key in used:
                continue
            if key in _NO_PLACE:
                self.importer.note(str(where), msg("cli.hsds.note.not_imported", key=quoted(key)))
                self.count(record.kind, key, "dropped")
            else:
                self.count(record.kind, key, "kept")

    def site(self, record: Record, name: str) -> Json | None:
        data = record.data
        if not (data.get("adresse") or data.get("commune")):
            return None
        address: Json = {"city": data.get("commune") or data.get("adresse")}
        street = ", ".join(str(data[k]) for k in ("adresse", "complement_adresse") if data.get(k))
        if street:
            address["street"] = street
        if data.get("code_postal"):
            address["postcode"] = data["code_postal"]
        code = f"fr-commune-{str(data.get('code_insee', '')).lower()}"
        if data.get("code_insee") and code in self.registry.gazetteer:
            address["territory"] = code
            self.count(record.kind, "code_insee", "converted")
        elif data.get("code_insee"):
            self.count(record.kind, "code_insee", "dropped")
        site: Json = {"id": slug(f"{name} {address['city']}"), "name": {"fr": name}, "address": address}
        if data.get("latitude") is not None and data.get("longitude") is not None:
            site["coordinates"] = {"lat": float(data["latitude"]), "lon": float(data["longitude"])}
        if record.kind == "structure":
            expression, text = self.hours(record)
            if expression:
                site["opening_hours"] = expression
                self.count("structure", "horaires_accueil", "kept")
            elif text:  # as the HSDS import keeps schedules it cannot read
                site["note"] = {"fr": text}
        return site

    def hours(self, record: Record) -> tuple[str | None, str | None]:
        """``(expression, text)`` of a record's ``horaires_accueil``: OSM syntax (their
        schema's) as our ``opening_hours``; anything else, with a warning at its place, as
        free text (a service's hours' text, a site's note)."""
        value = record.data.get("horaires_accueil")
        text = str(value).strip() if value is not None else ""
        if not text:
            return None, None
        try:
            hours.validate(text)
            return text, None
        except hours.HoursSyntaxError as exc:
            why = msg("cli.di.hours_as_text", value=_shown(text), column=exc.column)
            self.warn(record, why, "di-hours-as-text")
            self.count(record.kind, "horaires_accueil", "converted")
            return None, text

    def warn(self, record: Record, why: Any, code: str = "di-value-dropped") -> None:
        line, col, pointer = record.position("horaires_accueil")
        self.source.feed.warnings.append(Problem(record.file, line, col, why, code, pointer, "warning"))

    def contacts(self, record: Record, web_key: str) -> list[Json]:
        data = record.data
        contacts = [
            {"kind": kind, "value": str(data[key])}
            for kind, key in (("phone", "telephone"), ("email", "courriel"), ("web", web_key))
            if data.get(key)
        ]
        modes = data.get("modes_mobilisation") or []
        kinds = {c["kind"] for c in contacts}
        for mode in modes:  # each says "use this contact": kept when the contact is there
            kind = next((k for k, m in MODE_OF_CONTACT.items() if m == mode), None)
            self.count(record.kind, "modes_mobilisation", "converted" if kind in kinds else "dropped")
        return contacts

    def organisation(self, record: Record | None, services: list[Record], structure_id: str = "") -> Json:
        if record is None:  # services whose structure the feed does not hold
            name = self.defaults.source or self.source.feed.name or "data-inclusion"
            data: Json = {"id": slug(name), "name": {"fr": name}}
            sites: list[Json] = []
        else:
            raw = record.data
            name = str(raw.get("nom") or raw["id"])
            data = {"id": slug(name), "origin": self.origin(record, []), "name": {"fr": name}}
            if raw.get("description"):
                data["description"] = {"fr": raw["description"]}
            if raw.get("site_web"):
                data["website"] = raw["site_web"]
            data["contacts"] = [c for c in self.contacts(record, "") if c["kind"] != "web"]
            site = self.site(record, name)
            sites = [site] if site else []
            if raw.get("horaires_accueil") and site is None:  # no place to hold them
                self.warn(record, msg("cli.di.hours_dropped", value=_shown(raw["horaires_accueil"])))
                self.count("structure", "horaires_accueil", "dropped")
            self.leftovers(record, {"horaires_accueil", "code_insee", "modes_mobilisation"})
        data["sites"] = sites
        data["sources"] = [self.defaults.source] if self.defaults.source else []
        data["services"] = [s for s in (self.service(r, data) for r in services) if s is not None]
        if record is None:
            data["origin"] = {
                "id": structure_id or f"{self.source.feed.name}:-",
                "source": self.defaults.source or self.source.feed.name,
                "filled": ["organisation"],
            }
        return {k: v for k, v in data.items() if v not in (None, [], {})}

    def service(self, record: Record, organisation: Json) -> Json | None:
        counted, self.tally = self.tally, defaultdict(int)  # type: ignore[assignment]
        self.importer.tally = self.tally  # type: ignore[assignment]
        try:
            data = self._service(record, organisation)
            for key, n in self.tally.items():
                counted[key] += n
            if data is None:
                counted[("service", "refused")] += 1
            return data
        finally:
            self.tally = counted
            self.importer.tally = counted

    def _service(self, record: Record, organisation: Json) -> Json | None:
        raw = record.data
        name = str(raw.get("nom") or raw["id"])
        where = str(self.importer.label(raw, "service", name))
        filled: list[str] = []
        data: Json = {"id": slug(name), "name": {"fr": name}}
        if raw.get("description"):
            data["objective"] = {"fr": raw["description"]}
        else:
            data["objective"] = {"fr": name}
            self.importer.fill("service", "description", filled, "objective")
        if raw.get("date_maj"):
            data["verified"] = str(raw["date_maj"])[:10]
        elif self.defaults.today is not None:
            data["verified"] = self.defaults.today.isoformat()
            self.importer.fill("service", "date_maj", filled, "verified")
        thematiques, publics = raw.get("thematiques") or [], raw.get("publics") or []
        for thematique in thematiques:
            known = need_of_thematique(thematique) is not None
            self.count("service", "thematiques", "converted" if known else "dropped")
        data["needs"] = needs_of(thematiques, publics)
        if raw.get("type") in FUNCTION_OF_TYPE:
            data["functions"] = [FUNCTION_OF_TYPE[raw["type"]]]
            self.count("service", "type", "converted")
        elif raw.get("type"):
            self.importer.note(where, msg("cli.di.note.type", type=quoted(raw["type"])))
            self.count("service", "type", "dropped")
        public: Json = {}
        others = [p for p in publics if p not in NEED_OF_PUBLIC and p != "tous-publics"]
        self.count("service", "publics", "converted", len(publics))
        if others:  # no place of ours: their labels, as the public's description
            public["description"] = {"fr": " ; ".join(v1.Public(p).label for p in others)}
        if raw.get("publics_precisions"):
            public["summary"] = {"fr": raw["publics_precisions"]}
        area = []
        for code in raw.get("zone_eligibilite") or []:
            territory = territory_of_code(str(code), self.registry.gazetteer)
            if territory is None:
                self.importer.note(where, msg("cli.di.note.zone", code=quoted(code)))
                self.count("service", "zone_eligibilite", "dropped")
            else:
                area.append(territory)
                self.count("service", "zone_eligibilite", "converted")
        if area:
            public["area"] = list(dict.fromkeys(area))
        data["public"] = public
        modes = raw.get("modes_accueil") or []
        data["modality"] = list(dict.fromkeys(MODALITY_OF_MODE[m] for m in modes if m in MODALITY_OF_MODE))
        self.count("service", "modes_accueil", "converted", len(modes))
        access: Json = {}
        persons = raw.get("mobilisable_par") or []
        access["referrers"] = list(dict.fromkeys(REFERRER_OF_PERSON[p] for p in persons if p in REFERRER_OF_PERSON))
        self.count("service", "mobilisable_par", "converted", len(persons))
        if raw.get("mobilisation_precisions"):
            access["form"] = {"fr": raw["mobilisation_precisions"]}
        data["access"] = {k: v for k, v in access.items() if v}
        if raw.get("frais"):
            data["free"] = raw["frais"] == "gratuit"
            self.count("service", "frais", "converted")
        if raw.get("frais_precisions"):
            data["cost"] = {"fr": raw["frais_precisions"]}
        if raw.get("conditions_acces"):
            data["attention"] = {"fr": raw["conditions_acces"]}
        expression, text = self.hours(record)
        if expression:
            data["opening_hours"] = expression
            self.count("service", "horaires_accueil", "kept")
        elif text:
            data["availability"] = {"hours": {"fr": text}}
        data["contacts"] = self.contacts(record, "lien_mobilisation")
        site = self.site(record, name)
        if site is not None:
            sites: list[Json] = organisation.setdefault("sites", [])
            same = next((s for s in sites if s.get("address") == site["address"]), None)
            if same is None:
                organisation["sites"].append(site)
                same = site
            data["sites"] = [same["id"]]
            if expression and same.get("opening_hours") == expression:
                del data["opening_hours"]  # the hours of the place it receives at (as we export them)
        mapped = {"thematiques", "publics", "type", "zone_eligibilite", "modes_accueil", "mobilisable_par"}
        mapped |= {"frais", "code_insee", "modes_mobilisation", "horaires_accueil"}
        self.leftovers(record, mapped)
        completed = self.importer.complete(where, data, filled, area_field="zone_eligibilite")
        if completed is None:
            return None
        self.importer.where_of[id(completed)] = where
        completed["origin"] = self.origin(record, filled)
        return completed


def import_data_inclusion(
    source: DataInclusionFeed, registry: Registry, defaults: ImportDefaults | None = None
) -> ImportResult:
    """Our organisations (with their services) from data·inclusion records: ``registry``
    decides what can be kept, as for HSDS (``generator.exchange.hsds.import_hsds``)."""
    mapper = _Mapper(registry, defaults or ImportDefaults(), source)
    feed = source.feed
    structures: dict[str, Record] = {}
    for record in source.structures:
        missing = check(record, feed)
        if "id" in missing or "nom" in missing:
            mapper.importer.errors.append(_refused(mapper, record, missing))
            continue
        structures.setdefault(str(record.data["id"]), record)
    by_structure: dict[str, list[Record]] = defaultdict(list)
    for record in source.services:
        missing = check(record, feed)
        if "id" in missing or "nom" in missing:
            mapper.importer.errors.append(_refused(mapper, record, missing))
            feed.tally[("service", "refused")] += 1
            continue
        by_structure[str(record.data.get("structure_id") or "")].append(record)
    built = [
        (key, mapper.organisation(record, by_structure.get(key, [])), bool(by_structure.get(key)))
        for key, record in structures.items()
    ]
    for key, records in by_structure.items():
        if key not in structures:  # one organisation per structure the feed names but lacks
            built.append((key, mapper.organisation(None, records, key), True))
    feed.warnings.sort(key=lambda p: (p.path, p.line, p.col))
    return finish(mapper.importer, built, registry)


def _refused(mapper: _Mapper, record: Record, missing: set[str]) -> Any:
    where = mapper.importer.label(record.data, record.kind, str(record.data.get("nom") or record.data.get("id") or "?"))
    return msg("cli.hsds.refused", where=str(where), missing=", ".join(sorted(missing & {"id", "nom"})))


__all__ = ["DataInclusionFeed", "InputError", "Record", "import_data_inclusion", "read"]
