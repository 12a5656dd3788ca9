"""The maintainers' workflow: forge CI files, `maillage new`, `maillage diff`, the schema."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.registry.schema import registry_schema

from .conftest import ROOT

# Written against the command line's English words (the French ones: tests/test_cli_text.py).
pytestmark = pytest.mark.usefixtures("english")


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]


def test_pull_request_workflow_checks_builds_and_attaches() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/pull-request.yml").read_text())
    assert "pull_request" in workflow[True]  # PyYAML reads the key `on` as True
    steps = workflow["jobs"]["check"]["steps"]
    runs = [s.get("run", "") for s in steps]
    uses = [s.get("uses", "") for s in steps]
    assert any("maillage check --format github" in r for r in runs)
    assert any("maillage diff" in r for r in runs)
    assert any("maillage build" in r for r in runs)
    assert any(u.startswith("actions/upload-artifact@v") for u in uses)
    for use in filter(None, uses):
        assert use.count(".") >= 2, f"action {use} is not pinned to an exact version"


def test_publish_workflow_deploys_pages() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text())
    assert workflow[True]["push"]["branches"] == ["main"]
    build = [s.get("run", "") for s in workflow["jobs"]["build"]["steps"]]
    assert any("maillage build" in r for r in build)
    deploy = workflow["jobs"]["deploy"]["steps"]
    assert deploy[0]["uses"].startswith("actions/deploy-pages@v")


def test_gitlab_and_pre_commit() -> None:
    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text())
    assert any("maillage build" in line for line in gitlab["pages"]["script"])
    assert any("maillage diff" in line for line in gitlab["check"]["script"])
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    assert hooks["repos"][0]["hooks"][0]["entry"] == "maillage check"


@pytest.mark.skipif(shutil.which("actionlint") is None, reason="actionlint is not installed")
def test_actionlint() -> None:
    result = subprocess.run(
        ["actionlint", *sorted(str(p) for p in (ROOT / ".github/workflows").glob("*.yml"))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_committed_schema_is_current() -> None:
    committed = json.loads((ROOT / "schema/registry.schema.json").read_text())
    assert committed == registry_schema(), "run: maillage schema > schema/registry.schema.json"
    assert committed["$defs"]["Service"]["properties"]["objective"]["description"] == "L'objectif du service."


def test_every_registry_file_names_the_schema() -> None:
    for file in (ROOT / "data/registry").rglob("*.yaml"):
        first = file.read_text(encoding="utf-8").splitlines()[0]
        depth = len(file.relative_to(ROOT).parts) - 1
        assert first == f"# yaml-language-server: $schema={'../' * depth}schema/registry.schema.json", file


def test_new_organisation_and_service_pass_check(mini: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["-C", str(mini), "new", "organisation", "--id", "gamma", "--name", 'Gamma "asbl"', "--website", ""]
    )
    assert result.exit_code == 0, result.output
    file = mini / "data/registry/gamma.yaml"
    assert file.read_text().startswith("# yaml-language-server: $schema=../../schema/registry.schema.json\n")
    args = ["-C", str(mini), "new", "service", "--organisation", "gamma", "--id", "gamma-ecoute"]
    args += ["--name", "Écoute: 24/7", "--objective", "Écouter #1", "--need", "mental-health"]
    args += ["--function", "helpline", "--where", "1030", "--age-min", "18", "--phone", "+32 2 123 45 67"]
    args += ["--source", "fixture-source"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    text = file.read_text()
    assert "# Lieux : un par adresse" in text, "the maintainer's comments are kept"
    assert "be-commune-21015" in text
    check = runner.invoke(main, ["-C", str(mini), "show", "gamma-ecoute", "--format", "json"])
    assert check.exit_code == 0, check.output
    shown = json.loads(check.stdout)
    assert shown["name"] == {"fr": "Écoute: 24/7"}
    assert shown["public"]["age"] == {"min": 18}


def test_new_service_refuses_bad_input_and_keeps_file(mini: Path) -> None:
    before = (mini / "data/registry/alpha.yaml").read_text()
    args = ["-C", str(mini), "new", "service", "--organisation", "alpha", "--id", "alpha-x", "--name", "X"]
    args += ["--objective", "Y", "--need", "mental-helth", "--function", "helpline", "--where", "1030"]
    args += ["--source", "fixture-source"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "unknown term 'mental-helth' (did you mean 'mental-health'?)" in result.stderr
    assert (mini / "data/registry/alpha.yaml").read_text() == before


def _git_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "data", project / "data")
    _run(["git", "init", "-q"], cwd=project)
    _run(["git", "add", "-A"], cwd=project)
    _run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "base"], cwd=project)
    return project


def test_diff_on_real_registry_changes(tmp_path: Path) -> None:
    project = _git_project(tmp_path)
    brusano = project / "data/registry/brusano.yaml"
    text = brusano.read_text()
    assert "max_hours: 48" in text
    brusano.write_text(text.replace("max_hours: 48", "max_hours: 72"))
    bru_stars = project / "data/registry/bru-stars.yaml"
    lines = bru_stars.read_text().splitlines()
    max_line = next(i for i, line in enumerate(lines) if "max: 23" in line)
    lines[max_line] = lines[max_line].replace("max: 23", "max: 25")
    bru_stars.write_text("\n".join(lines) + "\n")
    shutil.rmtree(project / "data/registry/un-chez-soi-d-abord/")
    (project / "data/registry/un-chez-soi-d-abord").mkdir()
    result = CliRunner().invoke(main, ["-C", str(project), "diff", "HEAD"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Service retiré : " in out and "`ucsd-lyon`" in out
    assert "Service modifié : Case managers" in out
    assert "modalités de demande" in out and "48" in out and "72" in out
    assert "critère d'âge : « de 0 à 23 ans » → « de 0 à 25 ans »" in out


def test_diff_without_change_and_bad_revision(tmp_path: Path) -> None:
    project = _git_project(tmp_path)
    result = CliRunner().invoke(main, ["-C", str(project), "diff", "HEAD", "--format", "markdown"])
    assert result.exit_code == 0
    assert "Aucun service ni aucune organisation ne change." in result.stdout
    bad = CliRunner().invoke(main, ["-C", str(project), "diff", "no-such-branch"])
    assert bad.exit_code == 1
    assert "cannot read revision 'no-such-branch'" in bad.stderr


def test_contributing_quotes_real_messages() -> None:
    """Every error message the French guide quotes is one `maillage check` really prints."""
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    quoted = [line for line in guide.splitlines() if line.startswith("data/registry/case.yaml:")]
    assert len(quoted) >= 5
    printed = {
        line
        for file in (ROOT / "tests/golden/check").glob("*.expected")
        for line in file.read_text(encoding="utf-8").splitlines()
    }
    for line in quoted:
        assert line in printed, f"the guide quotes a message check no longer prints: {line}"
