"""What a change of the registry means, in plain French, for the reviewer of a pull request."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .describe import age_phrase
from .models import Service
from .problems import RegistryError
from .registry import Registry, load_registry

# French names of the fields a reviewer cares about, in the order they are reported.
FIELD_LABELS: dict[str, str] = {
    "name": "nom",
    "status": "statut",
    "needs": "besoins",
    "functions": "fonctions",
    "objective": "objectif",
    "public.age": "critère d'âge",
    "public.area": "territoire couvert",
    "public.area_approximate": "précision du territoire",
    "public.housing": "situations de logement",
    "public.conditions": "conditions d'accès",
    "public.exclusions": "exclusions",
    "public.summary": "public (résumé)",
    "public.description": "public (description)",
    "access": "modalités de demande",
    "contacts": "contacts",
    "sites": "lieux",
    "capacity": "capacité",
    "duration": "durée",
    "availability": "disponibilité",
    "languages": "langues",
    "cost": "coût",
    "verified": "date de vérification",
    "sources": "sources",
}


class DiffError(Exception):
    """The base version cannot be read (unknown ref, not a git repository)."""


@dataclass
class ServiceChange:
    service: str
    name: str
    organisation: str
    details: list[str] = field(default_factory=list)


@dataclass
class RegistryDiff:
    added: list[ServiceChange] = field(default_factory=list)
    removed: list[ServiceChange] = field(default_factory=list)
    changed: list[ServiceChange] = field(default_factory=list)
    organisations_added: list[str] = field(default_factory=list)
    organisations_removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.added or self.removed or self.changed or self.organisations_added or self.organisations_removed
        )


def _flat(service: Service) -> dict[str, Any]:
    data = service.model_dump(mode="json", exclude_none=True)
    public = data.pop("public", {})
    flat = {k: v for k, v in data.items() if k != "id"}
    for key, value in public.items():
        flat[f"public.{key}"] = value
    return flat


def _show(value: Any) -> str:
    if isinstance(value, dict) and set(value) <= {"fr", "nl", "en"}:
        return str(value.get("fr") or next(iter(value.values()), ""))
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value) or "(vide)"
    if isinstance(value, dict):
        return ", ".join(f"{k} : {_show(v)}" for k, v in value.items())
    return str(value)


def _contact_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> Iterator[str]:
    def key(contact: dict[str, Any]) -> str:
        return f"{contact['kind']} {contact['value']}"

    old_keys, new_keys = {key(c) for c in old}, {key(c) for c in new}
    for contact in new:
        if key(contact) not in old_keys:
            yield f"contact ajouté : {contact['value']} ({contact.get('visibility', 'public')})"
    for contact in old:
        if key(contact) not in new_keys:
            yield f"contact retiré : {contact['value']}"


def service_changes(old: Service, new: Service) -> list[str]:
    """Each changed field of a service as one French sentence."""
    before, after = _flat(old), _flat(new)
    details: list[str] = []
    for name in sorted(
        set(before) | set(after), key=lambda n: (list(FIELD_LABELS).index(n) if n in FIELD_LABELS else 99, n)
    ):
        if before.get(name) == after.get(name):
            continue
        label = FIELD_LABELS.get(name, name)
        if name == "contacts":
            details += _contact_changes(before.get(name, []), after.get(name, []))
        elif name == "public.age":
            old_age, new_age = (age_phrase(s.public.age) for s in (old, new))
            details.append(f"{label} : « {old_age} » → « {new_age} »")
        elif name not in before:
            details.append(f"{label} ajouté : {_show(after[name])}")
        elif name not in after:
            details.append(f"{label} retiré (était : {_show(before[name])})")
        else:
            details.append(f"{label} : « {_show(before[name])} » → « {_show(after[name])} »")
    return details


def compare(base: Registry, head: Registry) -> RegistryDiff:
    """Services and organisations added, removed and changed from ``base`` to ``head``."""
    diff = RegistryDiff()

    def change(registry: Registry, service_id: str) -> ServiceChange:
        service = registry.services[service_id]
        organisation = registry.organisation_of(service_id)
        return ServiceChange(service_id, service.name.get("fr"), organisation.name.get("fr"))

    for service_id in sorted(set(head.services) - set(base.services)):
        diff.added.append(change(head, service_id))
    for service_id in sorted(set(base.services) - set(head.services)):
        diff.removed.append(change(base, service_id))
    for service_id in sorted(set(base.services) & set(head.services)):
        details = service_changes(base.services[service_id], head.services[service_id])
        if details:
            item = change(head, service_id)
            item.details = details
            diff.changed.append(item)
    diff.organisations_added = sorted(set(head.organisations) - set(base.organisations))
    diff.organisations_removed = sorted(set(base.organisations) - set(head.organisations))
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
        raise DiffError(f"cannot read revision '{revision}': {stderr.decode(errors='replace').strip()}") from exc
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return load_registry(into)


def diff_against(root: Path, revision: str, head: Registry) -> RegistryDiff:
    """Compare the working tree's registry with the one at ``revision``."""
    with tempfile.TemporaryDirectory(prefix="maillage-base-") as folder:
        try:
            base = load_at_revision(root, revision, Path(folder))
        except RegistryError as exc:
            raise DiffError(f"the registry at '{revision}' has errors:\n{exc}") from exc
    return compare(base, head)


def render(diff: RegistryDiff, fmt: str = "text") -> str:
    """The diff as plain text or as Markdown for a pull request comment."""
    bold = "**" if fmt == "markdown" else ""
    lines: list[str] = []
    if fmt == "markdown":
        lines += ["## Ce que cette proposition change dans l'annuaire", ""]
    if diff.empty:
        lines.append("Aucun service ni aucune organisation ne change.")
        return "\n".join(lines) + "\n"

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'s' if n > 1 else ''}"

    if diff.organisations_added:
        lines.append(
            f"- {plural(len(diff.organisations_added), 'organisation')} ajoutée(s) : "
            + ", ".join(diff.organisations_added)
        )
    if diff.organisations_removed:
        lines.append(
            f"- {plural(len(diff.organisations_removed), 'organisation')} retirée(s) : "
            + ", ".join(diff.organisations_removed)
        )
    for title, items in (("ajouté", diff.added), ("retiré", diff.removed)):
        for item in items:
            lines.append(f"- Service {title} : {bold}{item.name}{bold} ({item.organisation}, `{item.service}`)")
    for item in diff.changed:
        lines.append(f"- Service modifié : {bold}{item.name}{bold} (`{item.service}`)")
        lines += [f"  - {detail}" for detail in item.details]
    return "\n".join(lines) + "\n"
