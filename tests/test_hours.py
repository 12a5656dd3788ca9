"""Opening hours (issue 22): validation positions, plain words in French, Dutch and English."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.registry.hours import HoursSyntaxError, describe, read, validate
from generator.registry.loader import expired_alerts, load_registry

from .conftest import ROOT, compare_golden

GOLDEN = Path(__file__).parent / "golden" / "hours"
HOURS = ROOT / "tests" / "fixtures" / "hours"


def _expressions() -> list[str]:
    lines = (GOLDEN / "expressions.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_plain_words_golden(lang: str, update_goldens: bool) -> None:
    out = []
    for expression in _expressions():
        validate(expression)  # every case is valid OSM: words are never asked of a refused one
        words = describe(expression, lang)
        out.append(f"{expression}\n  -> {words if words is not None else '(as written)'}\n")
    compare_golden(GOLDEN / f"{lang}.expected", "".join(out), update_goldens)


def test_the_issue_s_example() -> None:
    assert describe("Mo-Fr 09:00-17:00; PH off", "fr") == "du lundi au vendredi, de 9 h à 17 h ; fermé les jours fériés"
    assert (
        describe("Mo-Fr 09:00-17:00; PH off", "nl")
        == "van maandag tot en met vrijdag, van 9 uur tot 17 uur; gesloten op feestdagen"
    )


@pytest.mark.parametrize(
    ("expression", "column"),
    [
        ("Mo-Fr 9h-17h", 7),
        ("lundi-vendredi 09:00-17:00", 1),
        ("Mo-Fr 09:00-17:00; Sa 10:00-1200", 29),
        ("Mo-Fr 09:00-17:00;", 19),
        ("Mo-Fr 09:00-17:0", 16),
    ],
)
def test_malformed_expressions_are_refused_at_their_column(expression: str, column: int) -> None:
    with pytest.raises(HoursSyntaxError) as raised:
        validate(expression)
    assert raised.value.column == column


def test_what_words_cannot_say_is_shown_as_written() -> None:
    for expression in ("Mo[1] 10:00-12:00", "sunrise-sunset", "week 1-10 Mo 10:00-12:00"):
        validate(expression)
        assert describe(expression, "fr") is None


def test_rules_over_midnight_and_open_end() -> None:
    night, late = read("Mo-Su 20:00-08:00; Fr 22:00+")
    assert night.spans == ((20 * 60, 32 * 60),)
    assert late.spans == ((22 * 60, None),) and late.days == ((4, 4),)


@pytest.fixture
def hours_project(mini: Path) -> Path:
    shutil.copytree(HOURS / "data", mini / "data", dirs_exist_ok=True)
    return mini


def test_fixture_registry_loads_hours_alerts_and_accessibility(hours_project: Path) -> None:
    registry = load_registry(hours_project)
    service = registry.services["gamma-permanence"]
    assert service.opening_hours == "Mo-Fr 09:00-17:00; PH off"
    assert [(a.kind, a.start, a.until) for a in service.alerts] == [
        ("closed", dt.date(2030, 7, 1), dt.date(2030, 7, 31))
    ]
    assert service.contacts[0].opening_hours == "24/7"
    site = registry.sites["gamma-accueil"]
    assert site.accessibility == ["wheelchair", "hearing-loop"] and site.languages == ["fr", "nl", "ar"]


def test_unknown_accessibility_term_is_positioned(hours_project: Path) -> None:
    file = hours_project / "data" / "registry" / "gamma.yaml"
    file.write_text(file.read_text().replace("[wheelchair, hearing-loop]", "[wheelchair, hearing-lop]"))
    result = CliRunner().invoke(main, ["-C", str(hours_project), "check"])
    assert result.exit_code == 1
    assert "data/registry/gamma.yaml:11:33: sites[0].accessibility[1]:" in result.stderr
    assert "« hearing-loop »" in result.stderr


def test_stale_lists_expired_alerts_at_their_line(hours_project: Path) -> None:
    registry = load_registry(hours_project)
    assert expired_alerts(registry, dt.date(2030, 7, 31)) == []
    found = expired_alerts(registry, dt.date(2030, 8, 1))
    assert [(p.path, p.line, p.code, p.severity) for p in found] == [
        ("data/registry/gamma.yaml", 26, "expired-alert", "warning")
    ]
    later = expired_alerts(registry, dt.date(2030, 10, 1))
    assert [p.field for p in later] == ["sites[0].alerts[0]", "services[0].alerts[0]"]


def test_check_stale_prints_expired_alerts(hours_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2030, 8, 2, tzinfo=dt.UTC).timestamp())))
    result = CliRunner().invoke(main, ["-C", str(hours_project), "check", "--stale", "1200"])
    assert result.exit_code == 0, result.output
    assert (
        "data/registry/gamma.yaml:26:9: avertissement : services[0].alerts[0]: alerte « closed » terminée le "
        "2030-07-31" in result.stderr
    )


def test_hsds_schedules_and_alert(hours_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    import jsonschema

    from generator.exchange.hsds import check_tables, export_hsds, write_export

    hsds = ROOT.parent / "shared" / "hsds-3.0"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2030, 6, 1, tzinfo=dt.UTC).timestamp())))
    export = export_hsds(load_registry(hours_project))
    service = next(s for s in export.services if s["name"] == "Permanence Gamma")
    weekly = [(s.get("byday"), s.get("opens_at"), s.get("closes_at")) for s in service["schedules"]]
    assert weekly == [("MO,TU,WE,TH,FR", "09:00:00", "17:00:00")]
    assert service["schedules"][0]["description"] == "du lundi au vendredi, de 9 h à 17 h ; fermé les jours fériés"
    assert service["schedules"][0]["notes"] == "opening_hours: Mo-Fr 09:00-17:00; PH off"
    assert service["alert"] == (
        "Fermé du 2030-07-01 au 2030-07-31 : Fermeture d'été. ; "
        "Déménagé du 2030-09-01 au 2030-09-30 : Accueil Gamma : Accueil provisoire au 5 rue de la Poste."
    )
    location = service["service_at_locations"][0]["location"]
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in location["schedules"]] == [
        ("MO,TU,WE,TH,FR", "09:00:00", "12:00:00"),
        ("MO,TU,WE,TH,FR", "13:30:00", "17:00:00"),
    ]
    schema = json.loads((hsds / "compiled" / "service_with_definitions.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    assert [e.message for s in export.services for e in validator.iter_errors(s)] == []
    write_export(export, tmp_path)
    official = json.loads((hsds / "datapackage.json").read_text(encoding="utf-8"))
    assert check_tables(tmp_path / "datapackage", official) == []


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            "Mo-Fr 09:00-17:00; We 09:00-12:00",
            [("MO,TU,TH,FR", "09:00:00", "17:00:00"), ("WE", "09:00:00", "12:00:00")],
        ),
        ("Mo-Sa 10:00-19:00; Su off", [("MO,TU,WE,TH,FR,SA", "10:00:00", "19:00:00")]),
        ("24/7", [("MO,TU,WE,TH,FR,SA,SU", "00:00:00", "23:59:59")]),
        ("Mo-Su 20:00-08:00", [("MO,TU,WE,TH,FR,SA,SU", "20:00:00", "08:00:00")]),
        ("Sep-Jun Mo-Fr 09:00-17:00", [(None, None, None)]),
    ],
)
def test_hsds_week_applies_rules_in_order(expression: str, expected: list[tuple[str | None, ...]]) -> None:
    from generator.exchange.hsds.hours import schedules

    found = schedules(expression, "service", "s", str)
    assert [(s.get("byday"), s.get("opens_at"), s.get("closes_at")) for s in found] == expected
    assert all(s["notes"] == f"opening_hours: {expression}" for s in found)


# The same days and expressions through both libraries: opening-hours-py here, the npm
# opening_hours that hours.js runs in the browser.
AGREEMENT = [
    ("Mo-Fr 09:00-17:00; PH off", "be", "2030-06-10"),  # Whit Monday
    ("Mo-Fr 09:00-17:00; PH off", "be", "2030-06-11"),
    ("Mo-Fr 09:00-17:00; PH off", "fr", "2030-07-14"),  # a Sunday and Bastille Day
    ("Mo-Fr 09:00-17:00; PH off", "fr", "2030-05-08"),  # 8 May, a Wednesday: a holiday in France only
    ("Mo-Fr 09:00-17:00; PH off", "be", "2030-05-08"),
    ("Mo-Fr 09:00-17:00; PH off", "be", "2030-07-21"),
    ("Tu,Th 14:00-18:00", "fr", "2030-06-12"),
    ("Tu,Th 14:00-18:00", "fr", "2030-06-13"),
    ("Mo-Sa 10:00-19:00; Su off", "be", "2030-06-16"),
    ("Mo-Su 20:00-08:00", "fr", "2030-06-16"),
    ("24/7", "fr", "2030-12-25"),
    ("Mo-Fr 09:00-17:00; Aug off", "fr", "2030-08-07"),
    ("Sep-Jun Mo-Fr 09:00-17:00; Jul-Aug Mo-Fr 09:00-12:00", "fr", "2030-07-03"),
    ('Mo-Fr 09:00-17:00 "sur rendez-vous"', "be", "2030-06-12"),
    ("We 14:00-17:00 unknown", "be", "2030-06-12"),
]

_NODE = """
const OH = require(process.argv[1]);
const cases = JSON.parse(process.argv[2]);
console.log(JSON.stringify(cases.map(([expr, country, day]) => {
  const oh = new OH(expr, {lat: 0, lon: 0, address: {country_code: country, state: ""}}, 0);
  const [y, m, d] = day.split("-").map(Number);
  return oh.getOpenIntervals(new Date(y, m - 1, d), new Date(y, m - 1, d + 1)).length === 0;
})));
"""


def test_closed_all_day_agrees_with_the_browser_library() -> None:
    import json
    import shutil as sh
    import subprocess

    from generator.registry.hours import closed_all_day
    from generator.site.hours import find_library

    library = find_library(ROOT)
    if library is None or sh.which("node") is None:
        pytest.skip("npm ci not run (node_modules/opening_hours) or no node")
    out = subprocess.run(
        ["node", "-e", _NODE, str(library), json.dumps(AGREEMENT)],
        capture_output=True,
        text=True,
        check=True,
        env={"TZ": "Europe/Brussels", "PATH": "/usr/bin:/usr/local/bin"},
    )
    browser = json.loads(out.stdout)
    python = [closed_all_day(e, dt.date.fromisoformat(d), c) for e, c, d in AGREEMENT]
    assert python == browser
    assert python[0] and not python[1] and python[3] and not python[4]  # each country's own holidays


def test_orientation_puts_services_closed_today_below(hours_project: Path) -> None:
    from generator.analysis import orient as orientation
    from generator.analysis.hours_rank import closed_today_last

    registry = load_registry(hours_project)
    data = orientation.build_data(registry, places=["be-commune-21015"])
    profile = orientation.Profile(place="be-commune-21015", age=30, needs=("mental-health",))
    result = orientation.orient(data, profile)
    before = [e.service.id for e in result.matches]
    assert "gamma-permanence" in before
    wednesday = closed_today_last(result, registry, dt.date(2030, 6, 12))
    assert [e.service.id for e in wednesday.matches] == before
    saturday = closed_today_last(result, registry, dt.date(2030, 6, 15))
    group = [
        e.service.id
        for e in saturday.matches
        if e.group == next(m.group for m in result.matches if m.service.id == "gamma-permanence")
    ]
    assert group[-1] == "gamma-permanence"
    assert sorted(e.service.id for e in saturday.matches) == sorted(before)
