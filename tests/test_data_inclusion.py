"""data·inclusion v1 (issue 21, item 6): the export validates against the package's own
models, a sample written in their shapes imports and passes ``maillage check``, and the
mapping of their vocabularies and INSEE codes to ours loses none of their thematiques.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from data_inclusion.schema import v1

from generator.cli import main
from generator.exchange.data_inclusion.mapping import (
    MODALITY_OF_MODE,
    MODE_OF_MODALITY,
    NEED_OF_PUBLIC,
    NEED_OF_THEMATIQUE,
    PERSON_OF_REFERRER,
    REFERRER_OF_PERSON,
    THEMATIQUE_OF_NEED,
    codes_of_territory,
    need_of_thematique,
    territory_of_code,
)
from generator.exchange.data_inclusion.reader import _list_cell
from generator.registry.loader import Registry, check_registry, load_registry

from .conftest import ROOT, compare_golden

SAMPLE = Path(__file__).parent / "fixtures" / "data-inclusion"
OPTIONS = ["--need", "mental-health", "--function", "helpline", "--where", "Saint-Étienne"]
OPTIONS += ["--source", "data-inclusion-sample"]
SOURCE = """  - id: data-inclusion-sample
    title: Échantillon data·inclusion (tests)
    publisher: data·inclusion
    date: 2025-02-14
"""
# A warning names its place: file:line:column: /pointer (JSON) or file:row:column: field (CSV).
POSITION = re.compile(r"^\S+:\d+:\d+: warning: (/\S+|[a-z_]+): ")


@pytest.fixture(scope="module")
def real() -> Registry:
    return load_registry(ROOT)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the real project, with a source for the sample."""
    target = tmp_path / "project"
    target.mkdir()
    shutil.copytree(ROOT / "data", target / "data")
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    sources = target / "data" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + SOURCE, encoding="utf-8")
    return target


def _import(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(SAMPLE)  # messages name the files as they were given
    result = CliRunner().invoke(main, ["-C", str(project), "import", "data-inclusion", *args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _imported(project: Path) -> dict[str, str]:
    """Original id -> our id, of every imported service."""
    registry = load_registry(project)
    return {s.origin.id: s.id for s in registry.services.values() if s.origin is not None}


# --- the mapping -----------------------------------------------------------------------------


def test_every_thematique_has_a_need_of_ours(real: Registry) -> None:
    needs = real.vocabularies.needs
    for thematique in v1.Thematique:
        need = need_of_thematique(thematique.value)
        assert need in needs, f"{thematique.value} would be lost on import"
    assert set(NEED_OF_THEMATIQUE.values()) <= set(needs)
    assert set(NEED_OF_PUBLIC.values()) <= set(needs)


def test_every_need_exported_is_one_of_their_thematiques(real: Registry) -> None:
    for need, thematique in THEMATIQUE_OF_NEED.items():
        assert need in real.vocabularies.needs
        assert v1.Thematique(thematique)  # an entry, never a family: their enum refuses those
        # Ours is finer only for hoarding (incurie): theirs says "keep one's home", our housing.
        assert need_of_thematique(thematique) == {"hoarding": "housing"}.get(need, need), need


def test_modes_and_persons_both_ways(real: Registry) -> None:
    assert set(MODALITY_OF_MODE) == {m.value for m in v1.ModeAccueil}
    assert set(MODE_OF_MODALITY) == set(real.vocabularies.modalities)
    assert set(MODALITY_OF_MODE.values()) <= set(real.vocabularies.modalities)
    assert set(REFERRER_OF_PERSON) == {p.value for p in v1.PersonneMobilisatrice}
    assert set(PERSON_OF_REFERRER) == set(real.vocabularies.referrers)
    for mode, modality in MODALITY_OF_MODE.items():
        assert MODE_OF_MODALITY[modality] == mode
    for person, referrer in REFERRER_OF_PERSON.items():
        assert PERSON_OF_REFERRER[referrer] == person


@pytest.mark.parametrize(
    ("insee", "ours"),
    [
        ("75056", "fr-commune-75056"),
        ("2A004", "fr-commune-2a004"),
        ("2A", "fr-dep-2a"),
        ("973", "fr-dep-973"),
        ("42", "fr-dep-42"),
        ("200046977", "fr-epci-200046977"),
        ("france", "fr"),
        ("99100", "fr"),
        ("99131", "be"),
    ],
)
def test_insee_codes_and_ours(insee: str, ours: str, real: Registry) -> None:
    assert territory_of_code(insee, real.gazetteer) == ours
    back = codes_of_territory(ours, real.gazetteer)
    assert back == (["france"] if ours == "fr" else [insee])


def test_codes_that_are_not_territories(real: Registry) -> None:
    for code in ("99999", "00000", "1", "ABCDEFGHIJ", "999999999"):
        assert territory_of_code(code, real.gazetteer) is None
    # A region is its départements (their schema has no region codes); Belgium below the
    # country has no INSEE code.
    assert codes_of_territory("fr-region-84", real.gazetteer) == [
        "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"
    ]  # fmt: skip
    assert codes_of_territory("be-region-04000", real.gazetteer) == []


@pytest.mark.parametrize(
    ("cell", "values"),
    [
        ('["sante--sante-mentale", "famille--garde-denfants"]', ["sante--sante-mentale", "famille--garde-denfants"]),
        ("{jeunes,femmes}", ["jeunes", "femmes"]),
        ("jeunes, femmes", ["jeunes", "femmes"]),
        ("jeunes;femmes", ["jeunes", "femmes"]),
        ("2A|2B", ["2A", "2B"]),
    ],
)
def test_list_cells_as_spreadsheets_write_them(cell: str, values: list[str]) -> None:
    assert _list_cell(cell) == values


# --- export ----------------------------------------------------------------------------------


def _csv_records(text: str) -> list[dict[str, object]]:
    lists = {"thematiques", "publics", "modes_accueil", "zone_eligibilite", "modes_mobilisation", "mobilisable_par"}
    records = []
    for row in csv.DictReader(io.StringIO(text)):
        record: dict[str, object] = {}
        for key, value in row.items():
            if value:
                record[key] = value.split(",") if key in lists else value
        records.append(record)
    return records


@pytest.mark.parametrize("audience", ["public", "professional"])
def test_real_registry_export_validates_against_their_models(audience: str, real: Registry, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["-C", str(ROOT), "export", "data-inclusion", "--out", str(tmp_path), "--audience", audience]
    )
    assert result.exit_code == 0, result.output
    structures = json.loads((tmp_path / "structures.json").read_text(encoding="utf-8"))
    services = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))
    assert {s["id"] for s in services} == set(real.services), "every service exported"
    assert {s["id"] for s in structures} == {o.id for o in real.organisations.values() if o.services}
    csv_structures = _csv_records((tmp_path / "structures.csv").read_text(encoding="utf-8"))
    csv_services = _csv_records((tmp_path / "services.csv").read_text(encoding="utf-8"))
    assert len(csv_structures) == len(structures) and len(csv_services) == len(services)
    for record in [*structures, *csv_structures]:
        v1.Structure.model_validate(record, context={"ignore_warnings": False})
    for record in [*services, *csv_services]:
        v1.Service.model_validate(record, context={"ignore_warnings": False})
    # Their structure ids are the services' structure_id, and what we know is said.
    ids = {s["id"] for s in structures}
    assert all(s["structure_id"] in ids for s in services)
    lyon = next(s for s in services if s["id"] == "ucsd-lyon")
    assert lyon["zone_eligibilite"] == ["200046977"]
    assert "sante--sante-mentale" in lyon["thematiques"]
    assert lyon["modes_accueil"] == ["en-presentiel"]


# --- import ----------------------------------------------------------------------------------


def test_sample_imports_and_passes_check(
    project: Path, monkeypatch: pytest.MonkeyPatch, english: None, update_goldens: bool
) -> None:
    code, output = _import(project, monkeypatch, "structures.json", "services.json", *OPTIONS)
    assert code == 0, output
    compare_golden(SAMPLE / "expected.txt", output, update_goldens)
    for line in output.splitlines():
        if "warning:" in line:
            assert POSITION.match(line), f"a warning without its position: {line}"
    registry, problems = check_registry(project)
    assert registry is not None, problems
    ids = _imported(project)
    assert set(ids) == {"dora--ecoute-tournesol", "dora--aide-alimentaire-firminy", "dora--numerique-42"}
    listening = registry.services[ids["dora--ecoute-tournesol"]]
    # Their thematiques and publics as our needs; a refused thematique dropped, not the service.
    assert listening.needs == ["mental-health", "social-ties", "youth"]
    assert listening.functions == ["case-management"]  # their type "accompagnement"
    assert listening.public.area == ["fr-commune-42218", "fr-epci-200071678"]
    assert listening.modality == ["office", "remote"]
    assert listening.access.referrers == ["self", "professional"]
    assert listening.free is True
    assert listening.public.description is not None and listening.public.description.fr == "Femmes ; Familles"
    assert listening.origin is not None and listening.origin.source == "data-inclusion-sample"
    assert listening.origin.filled == ["sources"]
    food = registry.services[ids["dora--aide-alimentaire-firminy"]]
    assert food.needs == ["food-and-equipment", "finances"]
    assert food.origin is not None and "functions" in food.origin.filled  # "aide-materielle": none of ours
    digital = registry.services[ids["dora--numerique-42"]]
    assert digital.public.area == ["fr"]
    assert digital.origin is not None and "verified" in digital.origin.filled  # its date was refused
    firminy = registry.organisations[registry.service_organisation[food.id]]
    assert firminy.contacts == [] and firminy.sites[0].coordinates is None  # bad e-mail, latitude 145
    tournesol = registry.organisations[registry.service_organisation[listening.id]]
    assert tournesol.origin is not None and tournesol.origin.id == "dora--cs-tournesol"
    # horaires_accueil in OSM syntax (their schema's) is our opening_hours; other writings
    # are kept as text, with a warning at their place.
    assert listening.opening_hours == "Tu,Th 14:00-18:00"
    assert tournesol.sites[0].opening_hours == "Mo-Fr 09:00-12:00,14:00-17:30; PH off"
    assert digital.opening_hours is None
    assert digital.availability is not None and digital.availability.hours is not None
    assert digital.availability.hours.fr == "Mardi 14h-17h, sur rendez-vous"
    assert firminy.sites[0].opening_hours is None
    assert firminy.sites[0].note is not None and firminy.sites[0].note.fr == "du lundi au vendredi de 8h30 à 12h"
    assert re.search(r"services\.json:\d+:\d+: warning: /items/2/horaires_accueil: horaires_accueil: ", output)


def test_second_import_updates(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = _import(project, monkeypatch, "structures.json", "services.json", *OPTIONS)
    assert code == 0, output
    first = _imported(project)
    files = sorted((project / "data" / "registry" / "imported").glob("*.yaml"))
    code, output = _import(project, monkeypatch, "structures.json", "services.json", *OPTIONS)
    assert code == 0, output
    assert _imported(project) == first
    assert sorted((project / "data" / "registry" / "imported").glob("*.yaml")) == files


def test_nothing_is_written_when_the_run_fails(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = sorted((project / "data" / "registry").rglob("*"))
    code, output = _import(project, monkeypatch, "services.json")  # no --source: nothing can be imported
    assert code == 1, output
    assert sorted((project / "data" / "registry").rglob("*")) == before


def test_csv_of_our_export_imports_back(project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The sample imported, exported as CSV, imported into a fresh copy: the same services."""
    code, output = _import(project, monkeypatch, "structures.json", "services.json", *OPTIONS)
    assert code == 0, output
    out = tmp_path / "export"
    result = CliRunner().invoke(main, ["-C", str(project), "export", "data-inclusion", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for file in (project / "data" / "registry" / "imported").glob("*.yaml"):
        file.unlink()
    # Only the sample's records (the registry's own are still in the project): rows as written.
    sample = tmp_path / "sample"
    sample.mkdir()
    for name, key in (("structures.csv", "id"), ("services.csv", "structure_id")):
        header, *rows = csv.reader(io.StringIO((out / name).read_text(encoding="utf-8")))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows([header, *(r for r in rows if r[header.index(key)] == "centre-social-le-tournesol")])
        (sample / name).write_text(buffer.getvalue(), encoding="utf-8")
    monkeypatch.chdir(sample)
    args = ["-C", str(project), "import", "data-inclusion", "structures.csv", "services.csv", *OPTIONS]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output, result.output
    registry = load_registry(project)
    service = registry.services["permanence-d-ecoute-psychologique"]
    assert sorted(service.needs) == ["mental-health", "social-ties", "youth"]
    assert service.public.area == ["fr-commune-42218", "fr-epci-200071678"]
    assert sorted(service.modality or []) == ["office", "remote"] and service.free is True
    assert service.origin is not None and service.origin.id == "permanence-d-ecoute-psychologique"


# --- opening hours -----------------------------------------------------------------------------


def test_opening_hours_as_horaires_accueil_and_back(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A service's hours, else those of the site it receives at, as their horaires_accueil
    (OSM syntax in their v1 schema); a structure's, its first site's; and back again."""
    from generator.exchange.data_inclusion.reader import read
    from generator.exchange.data_inclusion.writer import export_data_inclusion, export_files

    shutil.copytree(ROOT / "tests" / "fixtures" / "hours" / "data", mini / "data", dirs_exist_ok=True)
    file = mini / "data" / "registry" / "gamma.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("    languages: [fr, ar]\n", "    languages: [fr, ar]\n    sites: [gamma-accueil]\n"))
    registry = load_registry(mini)
    export = export_data_inclusion(registry)
    assert export.problems == []
    services = {s["id"]: s for s in export.services}
    assert services["gamma-permanence"]["horaires_accueil"] == "Mo-Fr 09:00-17:00; PH off"  # its own
    assert services["gamma-soutien"]["horaires_accueil"] == "Mo-Fr 09:00-12:00,13:30-17:00; PH off"  # its site's
    gamma = next(s for s in export.structures if s["id"] == "gamma")
    assert gamma["horaires_accueil"] == "Mo-Fr 09:00-12:00,13:30-17:00; PH off"
    for record in export.services:
        v1.Service.model_validate(record)
    out = mini / "export"
    out.mkdir()
    for name, data in export_files(export).items():
        (out / name).write_bytes(data)
    assert "Mo-Fr 09:00-17:00; PH off" in (out / "services.csv").read_text(encoding="utf-8")
    from generator.exchange.data_inclusion.reader import import_data_inclusion
    from generator.exchange.hsds import ImportDefaults

    feed = read([out / "structures.json", out / "services.json"])
    defaults = ImportDefaults((), (), ("be-region-04000",), "fixture-source", None)
    result = import_data_inclusion(feed, registry, defaults)
    assert result.errors == ()
    organisation = next(f.organisation for f in result.organisations if f.organisation.origin.id == "gamma")
    assert organisation.sites[0].opening_hours == "Mo-Fr 09:00-12:00,13:30-17:00; PH off"
    by_origin = {s.origin.id: s for s in organisation.services if s.origin}
    assert by_origin["gamma-permanence"].opening_hours == "Mo-Fr 09:00-17:00; PH off"
    assert by_origin["gamma-soutien"].opening_hours is None  # the site's, inherited as before
    assert by_origin["gamma-soutien"].sites == [organisation.sites[0].id]
