"""HSDS 3.0: the export validates against the official schemas; the round trip is lossless."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.exchange.hsds import (
    ImportDefaults,
    check_tables,
    export_files,
    export_hsds,
    import_hsds,
    read_hsds,
    registry_files,
    write_export,
    zip_bytes,
)
from generator.registry.loader import Registry, check_registry, for_audience, load_registry
from generator.site.context import Asset, SiteConfig, SiteContext
from generator.site.downloads_hsds import hsds_downloads
from tests.conftest import MINI, ROOT

HSDS = Path(__file__).parents[1].parent / "shared" / "hsds-3.0"


@pytest.fixture(scope="module")
def real() -> Registry:
    return load_registry(ROOT)


@pytest.fixture(scope="module")
def service_schema() -> dict[str, Any]:
    return json.loads((HSDS / "compiled" / "service_with_definitions.json").read_text(encoding="utf-8"))


def _validator(schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _errors(validator: jsonschema.protocols.Validator, objects: tuple[dict[str, Any], ...]) -> list[str]:
    return [
        f"{o.get('name')}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for o in objects
        for e in validator.iter_errors(o)
    ]


@pytest.mark.parametrize("root", [ROOT, MINI], ids=["real", "mini"])
def test_export_validates_against_official_schemas(root: Path, service_schema: dict[str, Any], tmp_path: Path) -> None:
    registry = for_audience(load_registry(root), "public")
    export = export_hsds(registry)
    assert len(export.services) == len(registry.services)
    assert _errors(_validator(service_schema), export.services) == []
    compiled = HSDS / "compiled" / "organization.json"
    organization_schema = (
        json.loads(compiled.read_text(encoding="utf-8"))
        if compiled.exists()
        else {"$ref": "#/definitions/organization", "definitions": service_schema["definitions"]}
    )
    assert _errors(_validator(organization_schema), export.organizations) == []
    write_export(export, tmp_path)
    official = json.loads((HSDS / "datapackage.json").read_text(encoding="utf-8"))
    assert check_tables(tmp_path / "datapackage", official) == []
    # Our own descriptor names exactly the CSVs written.
    descriptor = json.loads((tmp_path / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))
    assert sorted(r["path"] for r in descriptor["resources"]) == sorted(
        p.name for p in (tmp_path / "datapackage").glob("*.csv")
    )


def test_table_checker_catches_breakage(tmp_path: Path) -> None:
    write_export(export_hsds(load_registry(MINI)), tmp_path)
    services = tmp_path / "datapackage" / "services.csv"
    lines = services.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[0] = "not-a-uuid"
    services.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    official = json.loads((HSDS / "datapackage.json").read_text(encoding="utf-8"))
    problems = check_tables(tmp_path / "datapackage", official)
    assert "services.csv:2:id: 'not-a-uuid' n'est pas du type uuid" in problems
    assert any(p.endswith("n'est pas un identifiant de service") for p in problems)
    english = check_tables(tmp_path / "datapackage", official, "en")
    assert "services.csv:2:id: 'not-a-uuid' is not a uuid" in english
    assert any(p.endswith("is not an id of service") for p in english)


def test_export_is_deterministic_and_mapped(real: Registry) -> None:
    first, second = export_files(export_hsds(real)), export_files(export_hsds(real))
    assert first == second
    # The site and the command write each object as it is made: the same files.
    assert registry_files(real) == first
    services = {json.loads(line)["name"]: json.loads(line) for line in first["services.ndjson"].decode().splitlines()}
    brusano = services["Case managers « des zones grises »"]
    assert brusano["minimum_age"] == 18
    assert brusano["assured_date"] == "2024-01-01"
    assert brusano["eligibility_description"].startswith("Adultes vivant à domicile")
    assert [a["name"] for a in brusano["service_areas"]] == ["Région de Bruxelles-Capitale"]
    codes = {a["taxonomy_term"]["code"]: a.get("value") for a in brusano["attributes"]}
    assert "needs:complex-situation" in codes and "functions:case-management" in codes
    assert "housing:housed" in codes and "referrers:relative" in codes
    assert codes["maillage:public.conditions.health_insurance_required"] == "false"
    assert codes["maillage:status.state"] == "pilot"
    assert codes["maillage:id"] == "brusano-case-management"
    assert brusano["phones"][0]["number"] == "02 880 29 80"
    lyon = next(s for s in services.values() if s["name"].startswith("Un chez-soi d'abord") and "Lyon" in s["name"])
    assert lyon["program"]["name"] == "Un chez-soi d'abord"


def test_public_export_has_no_professional_contact(tmp_path: Path) -> None:
    registry = load_registry(MINI)
    public = b"".join(export_files(export_hsds(for_audience(registry, "public"))).values())
    assert b"pro-only@alpha.example.org" not in public
    professional = b"".join(export_files(export_hsds(registry)).values())
    assert b"pro-only@alpha.example.org" in professional


@pytest.mark.parametrize("root", [ROOT, MINI], ids=["real", "mini"])
@pytest.mark.parametrize("form", ["ndjson", "datapackage", "zip"])
def test_round_trip_keeps_every_field(root: Path, form: str, tmp_path: Path) -> None:
    registry = load_registry(root)
    export = export_hsds(registry)
    write_export(export, tmp_path)
    source = {
        "ndjson": tmp_path / "services.ndjson",
        "datapackage": tmp_path / "datapackage",
        "zip": tmp_path / "hsds.zip",
    }[form]
    if form == "zip":
        files = export_files(export)
        source.write_bytes(zip_bytes({k: v for k, v in files.items() if k.startswith("datapackage/")}))
    services, organizations = read_hsds(source)
    result = import_hsds(services, organizations, registry)
    assert result.errors == () and result.unmapped == ()
    imported = {f.organisation.id: f.organisation for f in result.organisations}
    assert list(imported) == list(registry.organisations)
    for org_id, original in registry.organisations.items():
        before = original.model_dump(mode="json")
        after = imported[org_id].model_dump(mode="json")
        for key in before:
            assert after[key] == before[key], f"{org_id}.{key}"


def test_import_writes_files_that_pass_check(tmp_path: Path) -> None:
    export_dir = tmp_path / "export"
    runner = CliRunner()
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    assert runner.invoke(main, ["-C", str(project), "export", "hsds", "--out", str(export_dir)]).exit_code == 0
    for file in (project / "data" / "registry").glob("*.yaml"):
        file.unlink()
    (project / "data" / "registry" / "keep.yaml").write_text("id: keep\nname: Keep\n", encoding="utf-8")
    result = runner.invoke(main, ["-C", str(project), "import", "hsds", str(export_dir / "datapackage")])
    assert result.exit_code == 0, result.output
    written = project / "data" / "registry" / "imported" / "alpha.yaml"
    assert written.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../../schema/registry.schema.json\n"
    )
    registry, problems = check_registry(project)
    assert registry is not None, problems
    assert set(registry.services) == {"alpha-adults", "alpha-youth", "beta-housing-first"}
    # The public export left the professional contact out; nothing else is missing.
    assert [c.value for c in registry.services["alpha-adults"].contacts] == ["+32 2 000 00 01"]
    again = runner.invoke(main, ["-C", str(project), "import", "hsds", str(export_dir / "services.ndjson")])
    assert again.exit_code == 1 and "existe déjà : utilisez --force" in again.output
    forced = runner.invoke(main, ["-C", str(project), "import", "hsds", str(export_dir), "--force"])
    assert forced.exit_code == 0, forced.output


def test_import_into_project_with_same_ids_is_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    runner.invoke(main, ["-C", str(project), "export", "hsds", "--out", str(tmp_path / "x")])
    result = runner.invoke(main, ["-C", str(project), "import", "hsds", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "service « alpha-adults » existe déjà dans data/registry/alpha.yaml" in result.output
    assert not (project / "data" / "registry" / "imported").exists()


FOREIGN_SERVICE = {
    "id": "ac148810-d857-441c-9679-408f346de14b",
    "name": "Permanence psy",
    "description": "Écoute sans rendez-vous.",
    "status": "active",
    "minimum_age": 16,
    "assured_date": "2023-03-01",
    "email": "permanence@example.org",
    "service_areas": [{"id": "0f3c0a0e-6a43-4c29-a5b4-3e0a2bd6f0c1", "name": "Schaerbeek"}],
    "funding": [{"id": "5d0d2c57-6f32-4f55-9a2b-16f6a7e6f1de", "source": "COCOM"}],
    "attributes": [
        {
            "id": "9a7c6a2e-3c8b-4a8e-8a9e-2f1b5d9b1c11",
            "taxonomy_term": {"id": "1b6a5f9e-4a2c-4a8e-9a1b-0c7d3e2f1a00", "name": "Counselling", "taxonomy": "OR"},
        }
    ],
    "organization": {"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "Asbl Étrangère", "description": "Asbl"},
}


def test_foreign_hsds_reports_what_it_left_out(mini: Path) -> None:
    registry = load_registry(mini)
    defaults = ImportDefaults(needs=("mental-health",), functions=("helpline",), source="fixture-source")
    result = import_hsds([FOREIGN_SERVICE], [], registry, defaults)
    assert result.errors == ()
    unmapped = [note.text("en") for note in result.unmapped]
    assert "service 'Permanence psy': 'funding' not imported" in unmapped
    assert "service 'Permanence psy': attribute 'Counselling' (taxonomy OR) not imported" in unmapped
    (organisation,) = [f.organisation for f in result.organisations]
    assert organisation.id == "asbl-etrangere"
    (service,) = organisation.services
    assert service.id == "permanence-psy"
    assert service.public.area == ["be-commune-21015"]
    assert service.public.age is not None and service.public.age.min == 16
    assert [c.value for c in service.contacts] == ["permanence@example.org"]
    without_defaults = import_hsds([FOREIGN_SERVICE], [], registry)
    assert [e.text("en") for e in without_defaults.errors] == [
        "service 'Permanence psy': no needs (use --need), functions (use --function), "
        "sources (use --source): not imported",
    ]


def test_cli_foreign_ndjson(mini: Path, tmp_path: Path) -> None:
    file = tmp_path / "services.ndjson"
    file.write_text(json.dumps(FOREIGN_SERVICE) + "\n", encoding="utf-8")
    args = ["-C", str(mini), "import", "hsds", str(file), "--need", "mental-health", "--function", "helpline"]
    result = CliRunner().invoke(main, [*args, "--source", "fixture-source"])
    assert result.exit_code == 0, result.output
    assert "services.ndjson:1: service 'Permanence psy' : « funding » non repris" in result.output  # French
    assert check_registry(mini)[0] is not None
    bad = tmp_path / "bad.ndjson"
    bad.write_text('{"id": 1}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["-C", str(mini), "import", "hsds", str(bad)])
    assert result.exit_code == 1 and "bad.ndjson:2:1: pas du JSON" in result.output  # French by default


def test_site_assets(real: Registry) -> None:
    context = SiteContext(registry=for_audience(real, "public"), config=SiteConfig())
    assets = {a.uri: a.content for a in hsds_downloads(context) if isinstance(a, Asset)}
    assert {
        "downloads/hsds/services.ndjson",
        "downloads/hsds/organizations.ndjson",
        "downloads/hsds/datapackage/datapackage.json",
        "downloads/hsds/datapackage/services.csv",
        "downloads/hsds/maillage-hsds.zip",
        "downloads/modele-import.xlsx",
        "downloads/modele-import.csv",
    } <= set(assets)
    with zipfile.ZipFile(__import__("io").BytesIO(assets["downloads/hsds/maillage-hsds.zip"])) as archive:
        assert "datapackage/services.csv" in archive.namelist()
    other_language = SiteContext(registry=context.registry, config=SiteConfig(), lang="nl")
    assert list(hsds_downloads(other_language)) == []


def test_formula_like_text_survives_the_tables(tmp_path: Path) -> None:
    """A CSV cell neutralised for spreadsheets (leading ') reads back as the original text."""
    import dataclasses

    from generator.registry.models import LocalizedText

    registry = load_registry(MINI)
    alpha = registry.organisations["alpha"]
    service = alpha.services[0].model_copy(update={"method": LocalizedText(fr='=HYPERLINK("x") - une méthode')})
    changed = alpha.model_copy(update={"services": [service, *alpha.services[1:]]})
    registry = dataclasses.replace(
        registry,
        organisations={**registry.organisations, "alpha": changed},
        services={**registry.services, service.id: service},
    )
    write_export(export_hsds(registry), tmp_path)
    assert b"'=HYPERLINK" in (tmp_path / "datapackage" / "attributes.csv").read_bytes()
    result = import_hsds(*read_hsds(tmp_path / "datapackage"), registry)
    assert {f.organisation.id: f.organisation for f in result.organisations}["alpha"] == changed


@pytest.mark.parametrize("root", [ROOT, MINI], ids=["real", "mini"])
def test_export_package_keeps_official_constraints_and_validates(root: Path, tmp_path: Path) -> None:
    """Our datapackage.json carries the official descriptor's constraints and keys, and a
    maintained Frictionless implementation finds the package valid; a broken one is not."""
    frictionless = pytest.importorskip("frictionless")
    write_export(export_hsds(load_registry(root)), tmp_path)
    folder = tmp_path / "datapackage"
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    official = {r["name"]: r for r in json.loads((HSDS / "datapackage.json").read_text(encoding="utf-8"))["resources"]}
    services = next(r for r in descriptor["resources"] if r["name"] == "service")
    fields = {f["name"]: f for f in services["schema"]["fields"]}
    theirs = {f["name"]: f for f in official["service"]["schema"]["fields"]}
    assert fields["id"]["constraints"] == theirs["id"]["constraints"] == {"required": True, "unique": True}
    assert fields["status"]["constraints"] == theirs["status"]["constraints"]
    assert {k["fields"] for k in services["schema"]["foreignKeys"]} == {"organization_id", "program_id"}
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    lines = (folder / "services.csv").read_text(encoding="utf-8").splitlines()
    (folder / "services.csv").write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")  # an id twice
    broken = frictionless.validate(str(folder / "datapackage.json"))
    assert not broken.valid
    assert "unique-error" in {row[0] for row in broken.flatten(["type"])}
