"""HSDS fields with a place in our model come back there (issue 21, item 4): schedules as
OSM opening hours, phone extensions, languages by name, accessibility rows as the site
vocabulary, addresses; what has none is reported. The per-field figures are measured over
the corpus (``tests/hsds_kept.py``).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.exchange.hsds.opening import convert
from generator.registry import hours
from generator.registry.loader import check_registry, load_registry

from .conftest import ROOT
from .hsds_kept import measure_import

TODAY = dt.date(2026, 12, 6)
RICH = Path(__file__).parent / "fixtures" / "hsds-corpus" / "10-rich-service"


def _weekly(byday: str, opens: str, closes: str | None = None, **more: str) -> dict[str, str]:
    row = {"freq": "WEEKLY", "byday": byday, "opens_at": opens, **more}
    if closes is not None:
        row["closes_at"] = closes
    return row


@pytest.mark.parametrize(
    ("rows", "expression"),
    [
        ([_weekly("MO,TU,WE,TH,FR", "09:00", "17:00")], "Mo,Tu,We,Th,Fr 09:00-17:00"),
        # Two schedules on the same days: both spans (a ';' rule would replace the first).
        (
            [_weekly("MO,TU", "09:00:00", "12:00:00"), _weekly("MO,TU", "14:00", "17:30")],
            "Mo,Tu 09:00-12:00,14:00-17:30",
        ),
        # Overlapping day sets: the days with the same hours together, disjoint.
        (
            [_weekly("MO,TU,WE", "09:00", "17:00"), _weekly("WE", "18:00", "20:00")],
            "Mo,Tu 09:00-17:00; We 09:00-17:00,18:00-20:00",
        ),
        ([{"freq": "DAILY", "opens_at": "08:00", "closes_at": "23:59:59"}], "Mo,Tu,We,Th,Fr,Sa,Su 08:00-24:00"),
        ([_weekly("FR", "22:00", "02:00")], "Fr 22:00-26:00"),
        ([_weekly("SA", "10:00")], "Sa 10:00+"),
        ([{"freq": "MONTHLY", "byday": "1SA", "opens_at": "10:00", "closes_at": "12:00"}], "Sa[1] 10:00-12:00"),
        ([{"freq": "MONTHLY", "byday": "-1FR", "opens_at": "14:00", "closes_at": "16:00"}], "Fr[-1] 14:00-16:00"),
        (
            [_weekly("MO", "09:00", "12:00"), _weekly("TU", "09:00", "12:00", valid_to="2027-03-31")],
            "Mo 09:00-12:00, 2026 Dec 06-2027 Mar 31 Tu 09:00-12:00",
        ),
        ([_weekly("TH", "09:00", "12:00", valid_from="2027-01-04")], "2027 Jan 04+ Th 09:00-12:00"),
        # A start in the past says nothing more today.
        ([_weekly("TH", "09:00", "12:00", valid_from="2020-01-01")], "Th 09:00-12:00"),
        # Our own export: the expression held in notes, exactly.
        (
            [{"notes": "opening_hours: Mo-Fr 09:00-17:00; PH off", "freq": "WEEKLY", "byday": "MO", "opens_at": "x"}],
            "Mo-Fr 09:00-17:00; PH off",
        ),
    ],
)
def test_schedules_become_opening_hours(rows: list[dict[str, str]], expression: str) -> None:
    converted = convert(rows, TODAY)
    assert converted.expression == expression
    assert converted.left == []
    hours.validate(expression)


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ({"freq": "YEARLY", "byday": "MO", "opens_at": "09:00"}, "freq YEARLY"),
        ({"freq": "WEEKLY", "interval": 2, "byday": "MO", "opens_at": "09:00"}, "interval '2'"),
        ({"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00", "count": 10}, "count '10'"),
        ({"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00", "bymonthday": "1"}, "bymonthday '1'"),
        ({"freq": "WEEKLY", "byday": "MO", "description": "Le matin"}, "no opening time (opens_at)"),
        ({"freq": "WEEKLY", "byday": "Monday", "opens_at": "09:00"}, "byday 'Monday' is not a list of days"),
        ({"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00", "valid_to": "2025-01-31"}, "ended on 2025-01-31"),
        ({"freq": "MONTHLY", "byday": "SA", "opens_at": "09:00"}, "a monthly schedule without a numbered day"),
    ],
)
def test_what_cannot_be_converted_is_said(row: dict[str, object], why: str) -> None:
    converted = convert([row, _weekly("TU", "09:00", "12:00")], TODAY)
    assert converted.expression == "Tu 09:00-12:00", "the others still convert"
    ((left, reason),) = converted.left
    assert left is row and reason.text("en").startswith(why)


def test_rich_service_fields_land_in_our_model(mini: Path, monkeypatch: pytest.MonkeyPatch, english: None) -> None:
    shutil.copy(ROOT / "data" / "vocabularies" / "accessibility.yaml", mini / "data" / "vocabularies")
    monkeypatch.chdir(RICH)
    args = ["-C", str(mini), "import", "hsds", "service_full.json", "--need", "mental-health"]
    args += ["--function", "helpline", "--where", "Schaerbeek", "--source", "fixture-source"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "postal address 'Boîte postale 7' not imported: a site has one address" in result.output
    assert "'alert' not imported" in result.output and "'required_documents' not imported" in result.output
    registry, problems = check_registry(mini)
    assert registry is not None, problems
    registry = load_registry(mini)
    service = registry.services["consultation-psychosociale"]
    assert service.opening_hours == "Mo,Tu,Th,Fr 09:00-17:00; We 09:00-12:30, Sa[1] 10:00-12:00"
    assert service.availability is None, "a converted schedule's description is not kept twice"
    assert service.languages == ["fr", "ar", "ln"]  # "Lingala", without a code
    assert service.free is True  # a cost option of 0
    (phone, _) = service.contacts
    assert (phone.value, phone.extension) == ("+32 2 555 40 00", "21")
    (site,) = registry.organisations["centre-de-sante-mentale-les-tilleuls"].sites
    assert site.opening_hours == "Mo,Tu,We,Th,Fr 08:30-18:00"
    assert site.accessibility == ["wheelchair", "accessible-toilets"]
    assert site.address is not None and site.address.street == "Rue des Tilleuls 12, 2e étage"


# Fields the corpus holds that have a place in our model: every valid value kept. (A value
# refused where it stood, an invalid e-mail or a latitude of 100, is dropped with a warning;
# the datasets with such values are listed.)
WITH_BAD_VALUES = {
    "location.latitude",
    "organization.website",
    "phone.number",
    "service.assured_date",
    "service.email",
    "service.maximum_age",
    "service.minimum_age",
    "service.phones",
    "service_area.name",
}
HAS_A_PLACE = {
    "accessibility.description",
    "accessibility.details",
    "address.address_2",
    "language.code",
    "language.name",
    "location.accessibility",
    "location.schedules",
    "phone.extension",
    "phone.type",
    "schedule.byday",
    "schedule.closes_at",
    "schedule.freq",
    "schedule.opens_at",
    "schedule.valid_from",
    "service.languages",
    "service.schedules",
    "service.eligibility_description",
    "service.fees_description",
    "service.application_process",
    "service.description",
    "service.name",
    "organization.name",
}


def test_every_field_with_a_place_is_kept_over_the_corpus() -> None:
    total, kept = measure_import()
    for name in HAS_A_PLACE:
        assert total[name] and kept[name] == total[name], (name, kept[name], total[name])
    for name in WITH_BAD_VALUES:
        assert kept[name] >= total[name] - 3, (name, kept[name], total[name])
    assert sum(kept.values()) / sum(total.values()) >= 0.87
