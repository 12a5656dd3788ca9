"""The HSDS export of what a site and a phone say beyond their address and number: a
phone's extension, a site's accessibility and spoken languages (issue 21, item 4), valid
against the official schemas and data package, and read back as they were."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from generator.exchange.hsds import check_tables, export_hsds, import_hsds, read_hsds, write_export
from generator.registry.loader import load_registry
from tests.conftest import ROOT

HSDS = Path(__file__).parents[1].parent / "shared" / "hsds-3.0"
HOURS = ROOT / "tests" / "fixtures" / "hours"


@pytest.fixture
def project(mini: Path) -> Path:
    shutil.copytree(HOURS / "data", mini / "data", dirs_exist_ok=True)
    file = mini / "data" / "registry" / "gamma.yaml"
    text = file.read_text(encoding="utf-8")
    text = text.replace('value: "+32 2 000 00 09"\n', 'value: "+32 2 000 00 09"\n        extension: "123"\n')
    file.write_text(text, encoding="utf-8")
    return mini


def _validator(schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_extension_accessibility_and_languages_are_native_and_valid(project: Path, tmp_path: Path) -> None:
    registry = load_registry(project)
    assert registry.services["gamma-permanence"].contacts[0].extension == "123"
    export = export_hsds(registry)
    service = next(s for s in export.services if s["name"] == "Permanence Gamma")
    assert [(p["number"], p.get("extension")) for p in service["phones"]] == [("+32 2 000 00 09", 123)]
    location = service["service_at_locations"][0]["location"]
    assert [(a["description"], a.get("details")) for a in location["accessibility"]] == [
        (
            "Accessible en fauteuil roulant",
            "Entrée et accueil accessibles en fauteuil roulant, sans marche ou avec une rampe.",
        ),
        ("Boucle magnétique", "Une boucle à induction magnétique pour les personnes appareillées."),
    ]
    assert [(lang["code"], lang.get("name")) for lang in location["languages"]] == [
        ("fr", "French"),
        ("nl", "Dutch"),
        ("ar", "Arabic"),
    ]
    assert all(lang["location_id"] == location["id"] for lang in location["languages"])
    schema = json.loads((HSDS / "compiled" / "service_with_definitions.json").read_text(encoding="utf-8"))
    validator = _validator(schema)
    assert [e.message for s in export.services for e in validator.iter_errors(s)] == []
    write_export(export, tmp_path)
    folder = tmp_path / "datapackage"
    official = json.loads((HSDS / "datapackage.json").read_text(encoding="utf-8"))
    assert check_tables(folder, official) == []
    assert "Boucle magnétique" in (folder / "accessibility.csv").read_text(encoding="utf-8")
    assert ",123," in (folder / "phones.csv").read_text(encoding="utf-8")
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


@pytest.mark.parametrize("form", ["ndjson", "datapackage"])
def test_they_come_back_on_import(project: Path, form: str, tmp_path: Path) -> None:
    registry = load_registry(project)
    write_export(export_hsds(registry), tmp_path)
    source = tmp_path / ("services.ndjson" if form == "ndjson" else "datapackage")
    result = import_hsds(*read_hsds(source), registry)
    assert result.errors == ()
    gamma = next(f.organisation for f in result.organisations if f.organisation.id == "gamma")
    assert gamma.sites[0].accessibility == ["wheelchair", "hearing-loop"]
    assert gamma.sites[0].languages == ["fr", "nl", "ar"]
    assert gamma.services[0].contacts[0].extension == "123"
