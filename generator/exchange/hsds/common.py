"""HSDS as Maillage writes and reads it: the fixed UUID namespace, the columns per table,
the taxonomies, and the flattening of what HSDS has no field for into attributes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

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


def _english_names() -> dict[str, str]:
    """Every ISO 639-1 language's English name (Babel's CLDR data), beside the list above."""
    from babel import Locale

    return {code: name for code, name in Locale("en").languages.items() if len(code) == 2 and code.isalpha()}


LANGUAGE_NAMES = _english_names() | LANGUAGE_NAMES

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
            "alert",
        ),
    ),
    "attribute": ("attributes.csv", ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value")),
    "service_at_location": ("service_at_location.csv", ("id", "service_id", "location_id", "description")),
    "location": (
        "locations.csv",
        ("id", "location_type", "url", "organization_id", "name", "description", "latitude", "longitude"),
    ),
    "phone": (
        "phones.csv",
        ("id", "location_id", "service_id", "organization_id", "number", "extension", "type", "description"),
    ),
    "contact": ("contacts.csv", ("id", "organization_id", "service_id", "name", "email")),
    "address": (
        "addresses.csv",
        ("id", "location_id", "address_1", "city", "state_province", "postal_code", "country", "address_type"),
    ),
    "schedule": (
        "schedules.csv",
        ("id", "service_id", "location_id", "freq", "byday", "description", "opens_at", "closes_at", "notes"),
    ),
    "service_area": ("service_areas.csv", ("id", "service_id", "name", "description", "uri")),
    "language": ("languages.csv", ("id", "service_id", "location_id", "name", "code")),
    "accessibility": ("accessibility.csv", ("id", "location_id", "description", "details")),
    "taxonomy_term": (
        "taxonomy_terms.csv",
        ("id", "code", "name", "description", "taxonomy", "language", "taxonomy_id", "term_uri"),
    ),
    "taxonomy": ("taxonomies.csv", ("id", "name", "description")),
}
_NUMBER_COLUMNS = {"minimum_age", "maximum_age", "latitude", "longitude", "extension"}
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
    "accessibility": "accessibility",
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
