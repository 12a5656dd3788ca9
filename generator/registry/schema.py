"""The JSON Schema of a registry file, which editors use for completion and checks."""

from __future__ import annotations

from typing import Any

from .models import Organisation


def registry_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one ``data/registry`` file, descriptions in French."""
    schema = Organisation.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://maillage.example/schema/registry.schema.json",
        "title": schema["title"],  # third, where editors look for it (the model's name)
        **schema,
    }
