"""The text helpers every layer shares: fold (and its JavaScript twin), did you mean, dotted."""

from __future__ import annotations

import json
import shutil
import subprocess
import unicodedata

import pytest

from generator.registry.problems import hint
from generator.registry.text import closest, dotted, fold
from tests.conftest import ROOT

WORDS = [
    "Saint-Étienne",
    "  L'Haÿ-les-Roses ",
    "Œuvre",
    "cœur",
    "Ærø",
    "Straße",
    "précarité",
    "Dak- en thuisloosheid",
    "ÉQUIPE MOBILE",
    "Søren",
    "Łódź",
    "ﬁn",
    "İstanbul",
    "",
]


def _reference(text: str) -> str:
    """The definition, character by character."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("œ", "oe").replace("æ", "ae")
    return " ".join("".join(c if c.isascii() and c.isalnum() else " " for c in plain).split())


def test_fold() -> None:
    assert fold("Saint-Étienne") == "saint etienne"
    assert fold("  L'Haÿ-les-Roses ") == "l hay les roses"
    assert fold("Cœur") == "coeur"
    assert fold("Straße") == "strasse"
    # A letter outside ASCII that is no accented Latin letter breaks the word.
    assert fold("Søren") == "s ren"


@pytest.mark.parametrize("text", WORDS)
def test_fold_is_the_reference_definition(text: str) -> None:
    assert fold(text) == _reference(text)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_fold_agrees_with_the_browser() -> None:
    """``fold`` of assets/orient.js folds what a person types on the orientation page."""
    script = (
        "const { fold } = require(process.argv[1]);"
        "process.stdout.write(JSON.stringify(JSON.parse(process.argv[2]).map(fold)));"
    )
    asset = str(ROOT / "generator" / "site" / "assets" / "orient.js")
    run = subprocess.run(["node", "-e", script, asset, json.dumps(WORDS)], capture_output=True, text=True, check=True)
    assert json.loads(run.stdout) == [fold(w) for w in WORDS]


def test_did_you_mean() -> None:
    # One "did you mean" for every layer: a message put into words in the reader's language.
    assert hint("adress", ["address", "phone"]).text("en") == " (did you mean 'address'?)"
    assert hint("adress", ["address", "phone"]).text("fr") == " (vouliez-vous dire « address » ?)"
    assert hint("zzz", ["address", "phone"]).text("en") == ""
    assert hint("adress", {"address": "Adresse"}, shown={"address": "Adresse"}.__getitem__).text("en") == (
        " (did you mean 'Adresse'?)"
    )
    assert closest("phon", ["address", "phone"]) == "phone"
    assert closest("phon", ["address", "phone"], cutoff=0.95) is None


def test_dotted() -> None:
    assert dotted(("services", 0, "name")) == "services[0].name"
    assert dotted(()) == ""
