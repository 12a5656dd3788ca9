"""HSDS as others publish it (issue 21): a corpus of datasets in the shapes found in the wild.

Each folder of ``tests/fixtures/hsds-corpus/`` is one dataset: a ``service_full.json``
document, an ``organization_full.json``, two pages of an API's list response, a JSON array,
NDJSON with bad values, a tabular package with a byte-order mark, ``;`` and a descriptor
whose resources live in a sub-folder, CSV tables without a descriptor (one without an id
column), a zip of tables, services without organisation or description. Each is imported
with the command line into a copy of the small registry; its messages (every dropped value
at its position, the summary) are a golden file, ``expected.txt`` beside it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.exchange.hsds import ImportRefused, write_organisations
from generator.registry.loader import check_registry, load_registry
from generator.registry.models import Organisation
from generator.registry.problems import Problem

from .conftest import ROOT, compare_golden

pytestmark = pytest.mark.usefixtures("english")

CORPUS = Path(__file__).parent / "fixtures" / "hsds-corpus"
OPTIONS = ["--need", "mental-health", "--function", "helpline", "--where", "Schaerbeek", "--source", "fixture-source"]

# dataset -> (the paths given to the command, the original ids of the services it must import)
DATASETS: dict[str, tuple[list[str], set[str]]] = {
    "01-service-full": (["service_full.json"], {"ac148810-d857-441c-9679-408f346de14b"}),
    "02-organization-full": (
        ["organization_full.json"],
        {"4c3b2a19-0807-4e5d-9c4b-3a2918070605", "2a190807-0605-4c4b-9a29-180706050403"},
    ),
    "03-list-pages": (["page-1.json", "page-2.json"], {f"c0ffee00-0000-4000-8000-00000000000{n}" for n in range(1, 6)}),
    "04-array": (["services.json"], {"a1", "a2"}),
    "05-ndjson-bad-values": (["services.ndjson"], {"n1", "n2"}),
    "06-package-bom-semicolon": (["datapackage.json"], {"S-1", "S-2"}),
    "07-tables-no-descriptor": (["."], {"s-7"}),
    "08-zip-of-tables": (["feed.zip"], {"Z-S1", "Z-S2"}),
    "09-no-organization-no-description": (["services.json"], {"x-1", "x-2", "x-3"}),
    "10-rich-service": (["service_full.json"], {"7f0c1d2e-3a4b-4c5d-8e6f-708192a3b4c5"}),
}
# A warning names its place: file:row:column (a table) or file:line:column: /pointer (JSON).
POSITION = re.compile(r"^[^\s:]+:\d+:\d+: warning: (/\S*|[a-z_]+: |\S)")


def _import(project: Path, dataset: str, monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, str]:
    paths, _ = DATASETS[dataset]
    monkeypatch.chdir(CORPUS / dataset)  # messages name the files as they were given
    result = CliRunner().invoke(main, ["-C", str(project), "import", "hsds", *paths, *OPTIONS, *extra])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _origins(project: Path) -> dict[str, str]:
    """Original id -> our id, of every imported service."""
    registry = load_registry(project)
    return {s.origin.id: s.id for s in registry.services.values() if s.origin is not None}


def test_corpus_has_at_least_eight_datasets() -> None:
    folders = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
    assert folders == sorted(DATASETS) and len(folders) >= 8


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_corpus_dataset_imports(
    dataset: str, mini: Path, monkeypatch: pytest.MonkeyPatch, update_goldens: bool
) -> None:
    code, output = _import(mini, dataset, monkeypatch)
    assert code == 0, output
    compare_golden(CORPUS / dataset / "expected.txt", output, update_goldens)
    for line in output.splitlines():
        if "warning:" in line:
            assert POSITION.match(line), f"a warning without its position: {line}"
    registry, problems = check_registry(mini)
    assert registry is not None, problems
    _, expected = DATASETS[dataset]
    assert set(_origins(mini)) == expected, "every valid record imported, and only those"


def test_bad_values_are_dropped_not_their_organisation(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _import(mini, "01-service-full", monkeypatch)
    _import(mini, "02-organization-full", monkeypatch)
    registry = load_registry(mini)
    listening = registry.services[_origins(mini)["ac148810-d857-441c-9679-408f346de14b"]]
    # A quoted phone is read without its quotes; a latitude of 100 is dropped, not the site.
    organisation = registry.organisations[registry.service_organisation[listening.id]]
    assert [c.value for c in organisation.contacts if c.kind == "phone"] == ["02 555 12 34"]
    (site,) = organisation.sites
    assert site.coordinates is None and site.address is not None and site.address.postcode == "1030"
    northfield = registry.organisations["northfield-wellbeing-trust"]
    (uk_site,) = northfield.sites
    assert uk_site.address is not None and uk_site.address.postcode is None and uk_site.address.city == "Birmingham"
    drop_in = registry.services[_origins(mini)["4c3b2a19-0807-4e5d-9c4b-3a2918070605"]]
    assert drop_in.public.age is not None and (drop_in.public.age.min, drop_in.public.age.max) == (18, None)
    assert str(drop_in.verified) == "2023-11-20"


def test_filled_values_are_marked(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _import(mini, "09-no-organization-no-description", monkeypatch)
    registry = load_registry(mini)
    ids = _origins(mini)
    night = registry.services[ids["x-1"]]
    assert night.origin is not None
    assert night.objective.fr == "Maraude de nuit"  # no description: the name, marked as filled
    assert {"objective", "verified", "needs", "functions", "public.area", "sources"} <= set(night.origin.filled)
    second = registry.services[ids["x-2"]]
    assert second.origin is not None and "objective" not in second.origin.filled
    # Services that name no organisation (or one the feed does not hold) get one, marked.
    owners = {registry.service_organisation[ids[x]] for x in ("x-1", "x-3")}
    for owner in owners:
        origin = registry.organisations[owner].origin
        assert origin is not None and origin.filled == ["organisation"]


def test_colliding_names_get_distinct_stable_ids(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _import(mini, "03-list-pages", monkeypatch)
    ids = _origins(mini)
    counselling = [ids[f"c0ffee00-0000-4000-8000-00000000000{n}"] for n in (1, 2, 3)]
    assert counselling[0] == "community-counselling"
    assert all(re.fullmatch(r"community-counselling-[0-9a-f]{6}", i) for i in counselling[1:])
    assert len(set(counselling)) == 3


def test_second_import_of_the_same_feed_updates(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _ = _import(mini, "03-list-pages", monkeypatch)
    assert code == 0
    first = _origins(mini)
    files = sorted((mini / "data" / "registry").rglob("*.yaml"))
    code, output = _import(mini, "03-list-pages", monkeypatch)  # no --force: the same records
    assert code == 0, output
    assert _origins(mini) == first
    assert sorted((mini / "data" / "registry").rglob("*.yaml")) == files
    assert len(load_registry(mini).services) == 3 + 5


def test_nothing_is_written_when_the_run_fails(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = sorted((mini / "data" / "registry").rglob("*"))
    monkeypatch.chdir(CORPUS / "09-no-organization-no-description")
    result = CliRunner().invoke(main, ["-C", str(mini), "import", "hsds", "services.json"])  # no defaults
    assert result.exit_code == 1 and "Nothing to import." in result.output
    assert sorted((mini / "data" / "registry").rglob("*")) == before, "no empty organisation file left"


def test_check_problems_never_point_into_rolled_back_files(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = load_registry(mini)
    organisation = Organisation.model_validate({"id": "gamma", "name": "Gamma"})
    target = mini / "data" / "registry" / "imported"

    def failing_check(root: Path) -> tuple[None, list[Problem]]:
        return None, [Problem("data/registry/imported/gamma.yaml", 2, 1, "broken", "x")]

    monkeypatch.setattr("generator.exchange.hsds.files.check_registry", failing_check)
    with pytest.raises(ImportRefused) as refused:
        write_organisations([organisation], registry, target, lang="en")
    assert not (target / "gamma.yaml").exists()
    assert refused.value.problems == [
        "data/registry/imported/gamma.yaml (not written: the import is rolled back):2:1: broken [x]"
    ]


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("audience", ["professional"])
def test_import_export_import_is_a_fixed_point_on_the_real_registry(audience: str, tmp_path: Path) -> None:
    """Export the real registry, import it into an empty project, export again, import
    again: the second round changes nothing, and the first lost nothing (the same lines,
    in the order of the imported files)."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copytree(ROOT / "data", project / "data")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    runner = CliRunner()
    exports = []
    for round_ in range(3):
        out = tmp_path / f"export-{round_}"
        args = ["-C", str(project), "export", "hsds", "--out", str(out), "--audience", audience]
        assert runner.invoke(main, args).exit_code == 0
        exports.append(_files(out))
        if round_ == 2:
            break
        for file in (project / "data" / "registry").rglob("*.yaml"):
            file.unlink()
        result = runner.invoke(main, ["-C", str(project), "import", "hsds", str(out / "datapackage")])
        assert result.exit_code == 0, result.output
        assert "warning" not in result.output and "not imported" not in result.output, result.output
    assert exports[2] == exports[1], "import -> export -> import is a fixed point"
    for name, data in exports[0].items():
        assert sorted(data.splitlines()) == sorted(exports[1][name].splitlines()), name
