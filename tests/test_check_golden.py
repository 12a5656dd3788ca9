"""Golden tests: each bad registry file gives exactly the expected positioned messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

from .conftest import compare_golden

CASES = Path(__file__).parent / "golden" / "check"


@pytest.mark.parametrize("case", sorted(p.stem for p in CASES.glob("*.yaml")))
def test_bad_file(case: str, mini: Path, update_goldens: bool) -> None:
    shutil.copy(CASES / f"{case}.yaml", mini / "data" / "registry" / "case.yaml")
    result = CliRunner().invoke(main, ["-C", str(mini), "check"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), "a bad file must never raise a traceback"
    compare_golden(CASES / f"{case}.expected", result.stderr, update_goldens)
    assert result.stderr.startswith("data/registry/case.yaml:") or result.stderr.startswith("data/registry/alpha.yaml:")


def test_github_annotations(mini: Path) -> None:
    shutil.copy(CASES / "unknown-key.yaml", mini / "data" / "registry" / "case.yaml")
    result = CliRunner().invoke(main, ["-C", str(mini), "check", "--format", "github"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=data/registry/case.yaml,line=4,col=5::services[0].objective: ")
    assert lines[1].startswith("::error file=data/registry/case.yaml,line=8,col=5::services[0].objectif: unknown key")


def test_valid_fixture(mini: Path) -> None:
    result = CliRunner().invoke(main, ["-C", str(mini), "check"])
    assert result.exit_code == 0, result.output
    assert "3 services" in result.stdout
