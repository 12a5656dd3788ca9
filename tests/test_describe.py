"""describe's phrases come from the catalogues, in the language asked for (French by default)."""

from __future__ import annotations

import pytest

from generator.analysis import describe
from generator.registry.models import Access, AgeRange, Conditions, Delay, Duration


@pytest.mark.parametrize(
    ("hours", "fr", "nl", "en"),
    [
        (2.5, "2.5 h", "2.5 u", "2.5 h"),
        (72, "3 jours", "3 dagen", "3 days"),
        (168, "1 semaine", "1 week", "1 week"),
        (336, "2 semaines", "2 weken", "2 weeks"),
    ],
)
def test_hours(hours: float, fr: str, nl: str, en: str) -> None:
    assert [describe.hours_phrase(hours, lang) for lang in ("fr", "nl", "en")] == [fr, nl, en]


def test_delays_and_durations() -> None:
    short = Access(answer_delay=Delay(min_hours=2, max_hours=24))
    long = Access(answer_delay=Delay(min_hours=72, max_hours=336))
    assert describe.delay_phrase(short) == "2 à 24 h"
    assert describe.delay_phrase(short, "nl") == "2 tot 24 u"
    assert describe.delay_phrase(long, "en") == "3 days to 2 weeks"
    assert describe.duration_phrase(Duration(min_months=3, max_months=6)) == "de 3 à 6 mois"
    assert describe.duration_phrase(Duration(min_months=3, max_months=6), "en") == "3 to 6 months"
    assert describe.duration_phrase(Duration(max_months=12), "nl") == "tot 12 maanden"
    assert describe.duration_phrase(Duration(unlimited=True), "en") == "no time limit"


def test_ages_and_conditions() -> None:
    assert describe.age_phrase(None) == "âge : à vérifier"
    assert describe.age_phrase(AgeRange(min=18, max=25), "nl") == "van 18 tot 25 jaar"
    assert describe.age_phrase(AgeRange(min=0), "en") == "all ages"
    conditions = Conditions(residence_permit_required=False, crisis_accepted=True)
    assert describe.condition_phrases(conditions) == [
        ("residence_permit_required", False, "pas besoin de titre de séjour"),
        ("crisis_accepted", True, "intervient en situation de crise"),
    ]
    assert describe.condition_name("health_insurance_required", "fr") == "couverture santé"
    assert describe.unknown("nl") == "na te gaan"
