"""``maillage orient``'s entries carry their opening hours and current alerts (issue 22),
printed in French by the text report; after the services closed all day today move down,
the "why first" line is on the entry that is first."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.analysis import orient as o
from generator.analysis.hours_rank import closed_today_last
from generator.cli import main
from generator.registry.loader import Registry, for_audience, load_registry
from tests.conftest import ROOT

SUNDAY, MONDAY = dt.date(2026, 12, 6), dt.date(2026, 12, 7)


def _epoch(day: dt.date) -> str:
    return str(int(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC).timestamp()))


@pytest.fixture
def project(mini: Path) -> Path:
    shutil.copytree(ROOT / "tests" / "fixtures" / "hours" / "data", mini / "data", dirs_exist_ok=True)
    return mini


def _result(registry: Registry, age: int) -> o.Result:
    data = o.build_data(registry)
    place = next(c for c in data.territories if c.endswith("21015"))  # Schaerbeek
    return o.orient(data, o.Profile(place=place, age=age, needs=("mental-health",)), "fr")


def test_entries_carry_hours_and_current_alerts(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = for_audience(load_registry(project), "public")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch(dt.date(2030, 7, 10)))  # closed for the summer
    entries = {m["service"]: m for m in _result(registry, 30).to_json()["matches"]}
    permanence = entries["gamma-permanence"]
    assert permanence["opening_hours"] == "Mo-Fr 09:00-17:00; PH off"
    assert permanence["alerts"] == [
        {"kind": "closed", "from": "2030-07-01", "until": "2030-07-31", "text": "Fermeture d'été.", "upcoming": False}
    ]
    assert entries["alpha-adults"]["opening_hours"] is None and entries["alpha-adults"]["alerts"] == []
    text = o.text_report(_result(registry, 30))
    assert "    ⚠ Fermé jusqu'au 31 juillet 2030 — Fermeture d'été.\n" in text
    assert "    Horaires : du lundi au vendredi, de 9 h à 17 h ; fermé les jours fériés\n" in text
    # The site's move, 12 days ahead: shown as coming, named by its site; the summer's is over.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch(dt.date(2030, 8, 20)))
    alerts = {m["service"]: m["alerts"] for m in _result(registry, 30).to_json()["matches"]}["gamma-permanence"]
    assert alerts == [
        {
            "kind": "moved",
            "from": "2030-09-01",
            "until": "2030-09-30",
            "text": "Accueil Gamma : Accueil provisoire au 5 rue de la Poste.",
            "upcoming": True,
        }
    ]
    assert "    ⚠ Déménagé à partir du 1 septembre 2030 — Accueil Gamma" in o.text_report(_result(registry, 30))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch(dt.date(2030, 10, 1)))
    assert all(m["alerts"] == [] for m in _result(registry, 30).to_json()["matches"])


def test_cli_json_keeps_design_shape_with_the_new_keys(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch(dt.date(2030, 7, 10)))
    args = ["-C", str(project), "orient", "--age", "30", "--where", "Schaerbeek", "--need", "mental-health"]
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"profile", "matches", "near_misses", "fallbacks"}
    for entry in [*data["matches"], *data["near_misses"], *data["fallbacks"]]:
        assert {"service", "name", "contacts", "unknown", "opening_hours", "alerts"} <= set(entry)
        assert entry["opening_hours"] is None or isinstance(entry["opening_hours"], str)
        assert isinstance(entry["alerts"], list)


@pytest.mark.parametrize(("day", "first"), [(SUNDAY, "gamma-soutien"), (MONDAY, "gamma-permanence")])
def test_why_first_is_on_the_entry_that_is_first(project: Path, day: dt.date, first: str) -> None:
    """At 16 neither Alpha service fits: Gamma's two are to check, the permanence (Mo-Fr) first
    until a Sunday moves it below the other."""
    registry = for_audience(load_registry(project), "public")
    result = closed_today_last(_result(registry, 16), registry, day)
    assert result.matches[0].service.id == first
    text = o.text_report(result)
    names = {"gamma-soutien": "Soutien Gamma", "gamma-permanence": "Permanence Gamma"}
    block = text.split(f"* {names[first]} — Gamma asbl\n", 1)[1]
    assert block.startswith("    Pourquoi en premier : ")
    assert text.count("Pourquoi en premier") == 1
