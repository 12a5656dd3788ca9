"""Golden tests: each bad registry file gives exactly the expected positioned messages."""

from __future__ import annotations

import json
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
    assert lines[1].startswith("::error file=data/registry/case.yaml,line=8,col=5::services[0].objectif: clé inconnue")


def test_valid_fixture(mini: Path) -> None:
    result = CliRunner().invoke(main, ["-C", str(mini), "check"])
    assert result.exit_code == 0, result.output
    assert "3 services" in result.stdout


ENGLISH = Path(__file__).parent / "golden" / "check-en"


@pytest.mark.parametrize("case", ["unknown-key", "unknown-need", "bad-phone", "ambiguous-place", "syntax-error"])
def test_bad_file_in_english(case: str, mini: Path, update_goldens: bool) -> None:
    """``--lang en`` words the same problems in English, at the same positions, with the same codes."""
    shutil.copy(CASES / f"{case}.yaml", mini / "data" / "registry" / "case.yaml")
    french = CliRunner().invoke(main, ["-C", str(mini), "check"]).stderr
    result = CliRunner().invoke(main, ["-C", str(mini), "check", "--lang", "en"])
    assert result.exit_code == 1, result.output
    compare_golden(ENGLISH / f"{case}.expected", result.stderr, update_goldens)

    def where_and_code(text: str) -> list[tuple[str, str]]:
        return [(line.split(": ", 1)[0], line.rsplit(" ", 1)[-1]) for line in text.splitlines()[:-1]]

    assert where_and_code(result.stderr) == where_and_code(french)


def test_the_language_comes_from_the_locale(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(CASES / "unknown-need.yaml", mini / "data" / "registry" / "case.yaml")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert "unknown needs term" in CliRunner().invoke(main, ["-C", str(mini), "check"]).stderr
    assert "terme inconnu" in CliRunner().invoke(main, ["-C", str(mini), "check", "--lang", "fr"]).stderr


def test_json_keeps_its_shape_and_codes_in_every_language(mini: Path) -> None:
    shutil.copy(CASES / "unknown-key.yaml", mini / "data" / "registry" / "case.yaml")
    outputs = {}
    for lang in ("fr", "en", "nl"):
        result = CliRunner().invoke(main, ["-C", str(mini), "check", "--format", "json", "--lang", lang])
        assert result.exit_code == 1
        outputs[lang] = json.loads(result.stdout)
    keys = {"path", "line", "col", "field", "message", "code", "severity"}
    for problems in outputs.values():
        assert problems and all(set(p) == keys for p in problems)
    strip = [{k: v for k, v in p.items() if k != "message"} for p in outputs["fr"]]
    assert strip == [{k: v for k, v in p.items() if k != "message"} for p in outputs["en"]]
    assert outputs["fr"][1]["message"].startswith("clé inconnue « objectif »")
    assert outputs["en"][1]["message"].startswith("unknown key 'objectif'")
    assert outputs["nl"] == outputs["fr"], "Dutch falls back to French for the command line"
