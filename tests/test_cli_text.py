"""The command line speaks French by default (issue 17 item 7, issue 23 item 1).

One golden file per command's French text output on the shipped registry, English
goldens for ``check`` and ``orient``; French outputs hold no common English word and no
raw id (of a service, an organisation or a vocabulary term) outside a web address.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import _typed_language, language, main
from generator.registry.loader import load_registry

from .conftest import ROOT, compare_golden

GOLDEN = Path(__file__).parent / "golden" / "cli"


@pytest.mark.parametrize(
    ("option", "environ", "expected"),
    [
        (None, {}, "fr"),
        (None, {"LANG": "C.UTF-8"}, "fr"),
        (None, {"LANG": "en_GB.UTF-8"}, "en"),
        (None, {"LANG": "nl_BE.UTF-8"}, "nl"),
        (None, {"LANG": "de_DE.UTF-8"}, "fr"),
        (None, {"LC_MESSAGES": "en_US", "LANG": "nl_BE"}, "en"),
        (None, {"LC_ALL": "fr_BE.UTF-8", "LC_MESSAGES": "en_US", "LANG": "nl_BE"}, "fr"),
        (None, {"LC_ALL": "", "LANG": "en"}, "en"),
        ("nl", {"LANG": "en_GB.UTF-8"}, "nl"),
        ("fr", {"LC_ALL": "en_GB.UTF-8"}, "fr"),
        ("de", {}, "fr"),
    ],
)
def test_language(option: str | None, environ: dict[str, str], expected: str) -> None:
    assert language(option, environ) == expected


def test_the_typed_language_is_read_anywhere_before_a_double_dash() -> None:
    assert _typed_language(["--lang", "en", "check"]) == "en"
    assert _typed_language(["check", "--lang=nl"]) == "nl"
    assert _typed_language(["check"]) is None
    assert _typed_language(["show", "--", "--lang", "en"]) is None


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["-C", str(ROOT), *args], prog_name="maillage")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


PROFILE = ["--age", "30", "--where", "Schaerbeek", "--housing", "housed", "--need", "mental-health"]
# Each command's text output, by golden file: the arguments, and whether it is read on stderr.
CASES = {
    "help": (["--help"], False),
    "orient-help": (["orient", "--help"], False),
    "check": (["check"], False),
    "list": (["list", "--need", "mental-health"], False),
    "list-where": (["list", "--where", "Saint-Gilles (1060)"], False),
    "ambiguous-place": (["list", "--where", "Saint-Gilles"], True),
    "unknown-place": (["orient", "--age", "30", "--where", "Schaarbek"], True),
    "show": (["show", "Helpdesk de Brusano"], False),
    "show-unknown": (["show", "brusano-helpdsk"], True),
    "gaps": (["gaps", "--level", "region", "--need", "mental-health"], False),
    "orient": (["orient", *PROFILE], False),
    "orient-minor": (["orient", "--age", "16", "--where", "Ixelles"], False),
    "unknown-term": (["orient", "--age", "30", "--where", "Ixelles", "--need", "mental-helth"], True),
    "usage-error": (["orient", "--age", "thirty", "--where", "Ixelles"], True),
}


def output(name: str, lang: str | None = None) -> str:
    args, on_stderr = CASES[name]
    _code, stdout, stderr = run(*args, *(["--lang", lang] if lang else []))
    return stderr if on_stderr else stdout


@pytest.mark.parametrize("name", sorted(CASES))
def test_french_golden(name: str, update_goldens: bool) -> None:
    compare_golden(GOLDEN / f"{name}.fr.txt", output(name), update_goldens)


@pytest.mark.parametrize("name", ["check", "orient", "orient-minor", "ambiguous-place", "gaps", "help"])
def test_english_golden(name: str, update_goldens: bool) -> None:
    compare_golden(GOLDEN / f"{name}.en.txt", output(name, "en"), update_goldens)


def test_each_printed_choice_picks_its_place() -> None:
    lines = output("ambiguous-place").splitlines()
    assert lines[0] == "--where : « Saint-Gilles » désigne plusieurs territoires ; choisissez-en un :"
    picked = set()
    for line in lines[1:]:
        typed = line.split(" : --where ", 1)[1].strip('"')
        code, stdout, stderr = run("orient", "--age", "30", "--where", typed, "--format", "json")
        assert code == 0, stderr
        picked.add(stdout.split('"place": "', 1)[1].split('"', 1)[0])
    assert len(picked) == len(lines) - 1 >= 2, "each option picks a place of its own"


ENGLISH = {
    "the",
    "and",
    "with",
    "error",
    "errors",
    "unknown",
    "found",
    "written",
    "territory",
    "territories",
    "covered",
    "gaps",
    "overlaps",
    "partial",
    "verified",
    "registry",
    "approximate",
    "segments",
    "per",
    "usage",
    "show",
    "this",
    "message",
    "exit",
    "did",
    "you",
    "mean",
    "match",
    "matches",
    "nothing",
    "near",
    "misses",
    "profile",
    "needs",
    "lives",
    "years",
    "old",
    "ask",
    "who",
    "how",
    "services found",
    "invalid",
    "value",
    "missing",
    "option",
    "command",
    "commands",
    "text",
    "integer",
    "directory",
}
# Ids that are English words or hyphenated: in French text they can only be a raw id.
ENGLISH_IDS = {"roofless", "houseless", "housed", "insecure", "helpline", "self"}


def _ids() -> set[str]:
    registry = load_registry(ROOT)
    found = set(registry.services) | set(registry.organisations)
    for name in ("needs", "functions", "housing", "referrers", "modalities"):
        found |= set(registry.vocabularies.vocabulary(name))
    return {i for i in found if "-" in i or i in ENGLISH_IDS}


def _without_addresses(text: str) -> str:
    """Without web and e-mail addresses, options (``--where X``) and command names (fixed)."""
    text = re.sub(r"^  [a-z]+  ", " ", text, flags=re.M)  # the help's list of commands
    return re.sub(r"(https?://\S+|\S+@\S+|\S+/\S*|--[a-z-]+(?: \S+)?|maillage [a-z]+)", " ", text)


@pytest.fixture(scope="module")
def ids() -> set[str]:
    return _ids()


@pytest.mark.parametrize(
    "name",
    ["help", "orient-help", "check", "list", "list-where", "ambiguous-place", "show", "show-unknown", "gaps", "orient"],
)
def test_french_text_has_no_english_word_and_no_raw_id(name: str, ids: set[str]) -> None:
    text = _without_addresses(output(name))
    words = set(re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower()))
    assert not words & ENGLISH, sorted(words & ENGLISH)
    if name.endswith("help"):
        return  # the help names the values an option takes (--housing roofless): ids, to type
    raw = {i for i in ids if re.search(rf"(?<![\w/.-]){re.escape(i)}(?![\w/-])", text)}
    assert not raw, sorted(raw)


def test_json_is_the_same_in_every_language() -> None:
    # (orient's JSON gives names and labels in the language asked: analysis/orient.py's build_data)
    for args in (["list", "--format", "json"], ["show", "brusano-helpdesk", "--format", "json"]):
        outputs = {lang: run(*args, "--lang", lang)[1] for lang in ("fr", "en", "nl")}
        assert outputs["fr"] == outputs["en"] == outputs["nl"], args


def test_help_is_french_before_and_english_after_the_command() -> None:
    assert "Utilisation : maillage check" in run("check", "--help")[1]
    assert "Usage: maillage check" in run("check", "--help", "--lang", "en")[1]
    assert "Usage: maillage check" in run("--lang", "en", "check", "--help")[1]
    # Outside an invocation click speaks its own English again (the mkdocs command line, say).
    import click.core

    assert click.core._("Usage:") == "Usage:"  # type: ignore[attr-defined]


def test_project_folder_copy_speaks_french(mini: Path, tmp_path: Path) -> None:
    shutil.rmtree(mini / "data" / "registry")
    result = CliRunner().invoke(main, ["-C", str(mini), "check"])
    assert result.exit_code == 1
    assert "pas de dossier du registre ici" in result.stderr
