"""``maillage new``: write a valid, commented registry file (or add a service to one).

A maintainer's existing file is edited with ruamel.yaml's round trip, which keeps their
comments and key order.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

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


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (safe for any text a person types)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def schema_line(file: Path, root: Path) -> str:
    depth = len(file.relative_to(root).parts) - 1
    return SCHEMA_LINE.format(path="../" * depth)


def organisation_text(file: Path, root: Path, organisation_id: str, name: str, website: str | None) -> str:
    """The text of a new organisation file, with French comments for the next maintainer."""
    lines = [
        schema_line(file, root),
        "# Une organisation, ses lieux et ses services. Guide : CONTRIBUTING.md.",
        f"id: {organisation_id}  # identifiant stable : minuscules, chiffres et tirets",
        f"name: {_quote(name)}",
    ]
    if website:
        lines.append(f"website: {_quote(website)}")
    lines += [
        "# Lieux : un par adresse où l'on reçoit le public ou d'où part l'équipe.",
        "sites: []",
        f"# Services : ajoutez-en avec `maillage new service --organisation {organisation_id}`.",
        "services: []",
    ]
    return "\n".join(lines) + "\n"


def service_text(new: NewService) -> str:
    """One service as a commented YAML list item."""
    lines = [
        f"- id: {new.id}  # identifiant stable du service",
        f"  name: {_quote(new.name)}",
        f"  needs: [{', '.join(new.needs)}]  # vocabulaire : data/vocabularies/needs.yaml",
        f"  functions: [{', '.join(new.functions)}]  # vocabulaire : data/vocabularies/functions.yaml",
        f"  objective: {_quote(new.objective)}",
        "  # Pour qui ? Laissez de côté ce que vous ne savez pas : le site affichera « à vérifier ».",
        "  public:",
        f"    area: [{', '.join(new.area)}]  # codes de territoires couverts",
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
        f"  sources: [{new.source}]  # d'où viennent ces informations (data/sources.yaml)",
        f"  verified: {new.verified.isoformat()}  # date de la dernière vérification",
    ]
    return "\n".join(lines) + "\n"


def add_service(file: Path, new: NewService) -> None:
    """Append ``new`` to the services of an organisation file, keeping its comments."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(file.read_text(encoding="utf-8"))
    item = yaml.load(service_text(new))[0]
    services = data.get("services")
    if services is None or not isinstance(services, list):
        data["services"] = yaml.load(service_text(new))
    else:
        services.append(item)
    out = io.StringIO()
    yaml.dump(data, out)
    file.write_text(out.getvalue(), encoding="utf-8")
