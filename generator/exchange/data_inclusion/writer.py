"""Export: the registry as data·inclusion v1 ``structures`` and ``services`` (JSON and CSV).

One structure per organisation, one service per service; each record is validated with
the package's own models (``data_inclusion.schema.v1``) before it is written, so a file
this writes is one the platform reads. What a record cannot say in their schema is left
out (docs/data-inclusion.md lists it); a value their schema refuses is an error, not a
silent change.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from data_inclusion.schema import v1
from pydantic import ValidationError

from ...registry.loader import Registry
from ...registry.models import Contact, Organisation, Service, Site
from ..csvsafe import neutralise
from .mapping import (
    MODE_OF_CONTACT,
    MODE_OF_MODALITY,
    PERSON_OF_REFERRER,
    PUBLIC_OF_NEED,
    THEMATIQUE_OF_NEED,
    TYPE_OF_FUNCTION,
    codes_of_territory,
)

SOURCE = "maillage"  # the producer's id in their records
Json = dict[str, Any]

# Column order of the CSV files: the models' own field order.
STRUCTURE_COLUMNS = tuple(v1.Structure.model_fields)
SERVICE_COLUMNS = tuple(v1.Service.model_fields)


@dataclass
class DataInclusionExport:
    structures: list[Json] = field(default_factory=list)
    services: list[Json] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # records their models refuse


def _text(value: Any, limit: int = 10_000) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text[:limit] if text else None


def _name(value: Any) -> str:
    """A name as their models take it: 3 to 150 characters."""
    text = str(value).strip()
    return text if len(text) <= 150 else text[:149].rstrip() + "…"


def _first(contacts: Iterable[Contact], kind: str) -> str | None:
    return next((c.value for c in contacts if c.kind == kind), None)


def _address(site: Site | None, registry: Registry) -> Json:
    """Their address fields of one of our sites (a commune's INSEE code when we know it)."""
    if site is None:
        return {}
    data: Json = {}
    if site.address is not None:
        data["adresse"] = site.address.street
        data["commune"] = site.address.city
        if site.address.postcode and len(site.address.postcode) == 5:
            data["code_postal"] = site.address.postcode
    commune = registry.site_territory.get(site.id, "")
    if commune.startswith("fr-commune-"):
        data["code_insee"] = commune.removeprefix("fr-commune-").upper()
    if site.coordinates is not None:
        data["latitude"], data["longitude"] = site.coordinates.lat, site.coordinates.lon
    return data


def _opening_hours(model: Any) -> str | None:
    value = getattr(model, "opening_hours", None)  # OSM syntax: their horaires_accueil's own
    return str(value) if value else None


def structure(organisation: Organisation, registry: Registry) -> Json | None:
    """Their structure for one of our organisations (None: no date to give it)."""
    dates = [s.verified for s in organisation.services]
    if not dates:
        return None  # their date_maj is required; an organisation without services has none
    site = organisation.sites[0] if organisation.sites else None
    data: Json = {
        "source": SOURCE,
        "id": organisation.id,
        "nom": _name(organisation.name.get("fr")),
        "date_maj": max(dates).isoformat(),
        "description": _text(organisation.description.get("fr")) if organisation.description else None,
        "site_web": organisation.website,
        "telephone": _first(organisation.contacts, "phone"),
        "courriel": _first(organisation.contacts, "email"),
        "horaires_accueil": _opening_hours(site) if site else None,
        **_address(site, registry),
    }
    return {k: v for k, v in data.items() if v is not None}


def service(model: Service, organisation: Organisation, registry: Registry) -> Json:
    """Their service for one of ours."""
    sites = {s.id: s for s in organisation.sites}
    site = next((sites[s] for s in model.sites if s in sites), None)
    contacts = model.contacts or organisation.contacts
    publics = [PUBLIC_OF_NEED[n] for n in model.needs if n in PUBLIC_OF_NEED]
    thematiques = [THEMATIQUE_OF_NEED[n] for n in model.needs if n in THEMATIQUE_OF_NEED]
    zone = [c for code in model.public.area for c in codes_of_territory(code, registry.gazetteer)]
    link = _first(contacts, "web")
    modes = [MODE_OF_CONTACT[kind] for kind in ("phone", "email", "web") if _first(contacts, kind)]
    persons = [PERSON_OF_REFERRER[r] for r in model.access.referrers or [] if r in PERSON_OF_REFERRER]
    data: Json = {
        "source": SOURCE,
        "structure_id": organisation.id,
        "id": model.id,
        "nom": _name(model.name.get("fr")),
        "description": _text(model.objective.get("fr")),
        "date_maj": model.verified.isoformat(),
        "type": next((TYPE_OF_FUNCTION[f] for f in model.functions if f in TYPE_OF_FUNCTION), None),
        "thematiques": sorted(set(thematiques)) or None,
        "frais": None if model.free is None else ("gratuit" if model.free else "payant"),
        "frais_precisions": _text(model.cost.get("fr")) if model.cost else None,
        "publics": sorted(set(publics)) or None,
        "publics_precisions": _text(model.public.summary.get("fr")) if model.public.summary else None,
        "conditions_acces": _text(model.attention.get("fr")) if model.attention else None,
        "telephone": _first(contacts, "phone"),
        "courriel": _first(contacts, "email"),
        "modes_accueil": sorted({MODE_OF_MODALITY[m] for m in model.modality or [] if m in MODE_OF_MODALITY}) or None,
        "zone_eligibilite": list(dict.fromkeys(zone)) or None,
        "lien_mobilisation": link,
        "modes_mobilisation": modes or None,
        "mobilisable_par": sorted(set(persons)) or None,
        "mobilisation_precisions": _text(model.access.form.get("fr")) if model.access.form else None,
        # Its own hours, else those of the place where it receives people (its address's).
        "horaires_accueil": _opening_hours(model) or (_opening_hours(site) if site else None),
        **_address(site, registry),
    }
    return {k: v for k, v in data.items() if v is not None}


def _validated(model: type[Any], record: Json, problems: list[str], kind: str) -> Json | None:
    try:
        model.model_validate(record)
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            problems.append(f"{kind} '{record.get('id')}': {where}: {error['type']}")
        return None
    return record


def export_data_inclusion(registry: Registry) -> DataInclusionExport:
    """Every organisation and service as their records, each checked with their models."""
    result = DataInclusionExport()
    for organisation in registry.organisations.values():
        record = structure(organisation, registry)
        if record is None or _validated(v1.Structure, record, result.problems, "structure") is None:
            continue
        result.structures.append(record)
        for model in organisation.services:
            checked = _validated(v1.Service, service(model, organisation, registry), result.problems, "service")
            if checked is not None:
                result.services.append(checked)
    return result


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return neutralise(str(value))  # a spreadsheet must not read a cell as a formula


def csv_text(records: list[Json], columns: tuple[str, ...]) -> str:
    """Records as CSV: one column per field of their model, lists joined by commas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record.get(column)) for column in columns])
    return buffer.getvalue()


def export_files(export: DataInclusionExport) -> dict[str, bytes]:
    """``structures.json``, ``services.json`` (arrays) and their CSV twins."""

    def dumped(records: list[Json]) -> bytes:
        return (json.dumps(records, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    return {
        "structures.json": dumped(export.structures),
        "services.json": dumped(export.services),
        "structures.csv": csv_text(export.structures, STRUCTURE_COLUMNS).encode("utf-8"),
        "services.csv": csv_text(export.services, SERVICE_COLUMNS).encode("utf-8"),
    }


def write_files(files: dict[str, bytes], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
