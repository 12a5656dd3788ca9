"""``maillage new``: every value given is checked, and the YAML written reads back to exactly it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from generator.cli import main
from generator.registry.scaffold import _quote

NASTY_TEXTS = [
    'Gamma "asbl" \\ back\\slash \\n not a newline',
    "Écoute: 24/7 # not a comment",
    "- not a list",
    "{not: a mapping}, [nor a list]",
    "&anchor *alias !tag %directive @at `tick` | > ? ' \"",
    "  leading and trailing spaces are stripped as in a file  ",
    "espace\u00a0insécable, espace fine\u202f: et emoji 🙂",
    "un texte assez long pour que ruamel veuille le replier sur plusieurs lignes " * 4,
]


def _service_args(mini: Path, **values: str) -> list[str]:
    # In English: these tests are about what is refused, test_new_speaks_french about the words.
    args = ["-C", str(mini), "--lang", "en", "new", "service", "--organisation", "alpha", "--need", "mental-health"]
    args += ["--function", "helpline", "--where", "1030", "--source", "fixture-source"]
    options = {"id": "alpha-nouveau", "name": "Nouveau", "objective": "Un objectif."} | values
    for option, value in options.items():
        args += [f"--{option}", value]
    return args


def _shown(mini: Path, service_id: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["-C", str(mini), "show", service_id, "--format", "json"])
    assert result.exit_code == 0, result.output
    shown: dict[str, object] = json.loads(result.stdout)
    return shown


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("id", "alpha-x\n  note: injected", "--id: 'alpha-x\\n  note: injected' is not a valid id"),
        ("id", "alpha-x  # comment", "--id: 'alpha-x  # comment' is not a valid id"),
        ("name", "Nom\nnote: injected", "--name: must be one line: line break at position 4 [line-break]"),
        ("name", "Nom\u202eemaN", "--name: contains the invisible control character U+202E at position 4"),
        ("name", "Nom\u2060", "--name: contains the invisible control character U+2060 at position 4"),
        ("objective", "Un\u200bobjectif", "--objective: contains the invisible control character U+200B"),
        ("objective", "   ", "--objective: must not be empty [empty-text]"),
        ("email", "a?bcc=spy@example.org", "--email: '?' is not allowed in an e-mail address"),
        ("phone", "+32 2 123\n45 67", "--phone: must be one line"),
    ],
)
def test_new_service_refuses_a_bad_value_and_writes_nothing(mini: Path, option: str, value: str, expected: str) -> None:
    file = mini / "data/registry/alpha.yaml"
    before = file.read_text(encoding="utf-8")
    result = CliRunner().invoke(main, _service_args(mini, **{option: value}))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), "never a traceback"
    assert expected in result.stderr, result.stderr
    assert result.stderr.rstrip().endswith("Nothing written.")
    assert file.read_text(encoding="utf-8") == before


@pytest.mark.parametrize("text", NASTY_TEXTS)
def test_new_service_writes_back_exactly_the_values_given(mini: Path, text: str) -> None:
    objective = f"{text}\nSeconde ligne\n\tet un retrait"
    result = CliRunner().invoke(main, _service_args(mini, name=text, objective=objective, email="x+y@example.org"))
    assert result.exit_code == 0, result.output
    shown = _shown(mini, "alpha-nouveau")
    assert shown["name"] == {"fr": text.strip()}
    assert shown["objective"] == {"fr": objective.strip()}
    assert shown["contacts"] == [{"kind": "email", "value": "x+y@example.org", "visibility": "public"}]
    assert set(shown) >= {"id", "needs", "functions", "public", "sources", "verified"}
    assert "note" not in shown


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--id", "gamma\nnote: x", "--name", "Gamma"], "--id: 'gamma\\nnote: x' is not a valid id"),
        (["--id", "gamma", "--name", "Gamma\nwebsite: https://evil.example"], "--name: must be one line"),
        (["--id", "gamma", "--name", "Gam\u00adma"], "--name: contains the invisible control character U+00AD"),
        (["--id", "gamma", "--name", "Gamma", "--website", "https://example.org/\u202e"], "--website: contains"),
        (["--id", "gamma", "--name", "Gamma", "--website", "javascript:alert(1)"], "--website: a web address must"),
    ],
)
def test_new_organisation_refuses_a_bad_value(mini: Path, args: list[str], expected: str) -> None:
    result = CliRunner().invoke(main, ["-C", str(mini), "--lang", "en", "new", "organisation", "--website", "", *args])
    assert result.exit_code == 1, result.output
    assert expected in result.stderr, result.stderr
    assert not (mini / "data/registry/gamma.yaml").exists()


def test_new_organisation_writes_back_exactly_the_values_given(mini: Path) -> None:
    name = NASTY_TEXTS[0]
    website = "https://example.org/a?b=c&d=e#f"
    args = ["-C", str(mini), "new", "organisation", "--id", "gamma", "--name", name, "--website", website]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((mini / "data/registry/gamma.yaml").read_text(encoding="utf-8"))
    assert data == {"id": "gamma", "name": name, "website": website, "sites": [], "services": []}


@given(st.text(st.characters(exclude_categories=["Cs"])))
def test_quoted_text_reads_back_as_it_was(text: str) -> None:
    quoted = _quote(text)
    assert yaml.safe_load(f"k: {quoted}\n") == {"k": text}
    assert dict(YAML().load(f"k: {quoted}\n")) == {"k": text}


def test_new_speaks_french_by_default(mini: Path) -> None:
    args = [a for a in _service_args(mini, id="alpha-x  # comment") if a not in ("--lang", "en")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "--id: « alpha-x  # comment » n'est pas un identifiant valide" in result.stderr, result.stderr
    assert result.stderr.rstrip().endswith("Rien n'a été écrit.")
