"""Helpdesk journeys on the real site (issue 17): from the home page to the phone number.

Each caller is written from the seeds (``../shared/seeds/``): the Brussels forum's minors
and adults, housed and roofless, in mental-health, addiction and "complex" situations, and
the French "Un chez-soi d'abord" sites, asked for by city and by a commune of a métropole.
A worker opens the home page, goes to "Orienter", fills the form, and must find the
expected service among the first three results, with a ``tel:`` link when the registry
gives that service a public phone. The address then holds the orientation: a reload shows
the very same results, and the back button the search before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from generator.registry.loader import for_audience, load_registry
from tests.browser.conftest import run_axe
from tests.conftest import ROOT

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Caller:
    """A caller on the helpdesk's line, and the service the worker should find."""

    story: str
    age: int
    where: str
    housing: str | None
    needs: tuple[str, ...]
    expected: str
    among: str = "matches"  # "fallbacks" when nothing fits and the worker needs a lead


CALLERS = [
    Caller(
        "16 ans à Ixelles, en souffrance psychique, plusieurs services déjà passés sans suite",
        16,
        "Ixelles",
        None,
        ("mental-health",),
        "bru-stars-case-management",
    ),
    Caller(
        "17 ans, famille néerlandophone, « Elsene »",
        17,
        "Elsene",
        None,
        ("mental-health",),
        "bru-stars-case-management",
    ),
    Caller("45 ans, à la rue à Saint-Gilles, donné par code postal", 45, "1060", "roofless", (), "em107-precarite"),
    Caller(
        "40 ans, sans abri à Anderlecht, consommation de drogues",
        40,
        "Anderlecht",
        "roofless",
        ("addiction",),
        "dune-liaison",
    ),
    Caller(
        "45 ans, logé à Forest, situation complexe qui n'entre dans aucune case",
        45,
        "Forest",
        "housed",
        ("complex-situation",),
        "brusano-case-management",
    ),
    Caller(
        "60 ans, hébergé chez des tiers à Etterbeek, situation complexe",
        60,
        "Etterbeek",
        "insecure",
        ("complex-situation",),
        "em107-precarite",
    ),
    Caller(
        "30 ans, logé à Schaerbeek, santé mentale : rien ne correspond, une ligne d'aide",
        30,
        "Schaerbeek",
        "housed",
        ("mental-health",),
        "brusano-helpdesk",
        among="fallbacks",
    ),
    Caller(
        "35 ans, à la rue à Villeurbanne (Métropole de Lyon), troubles psychiques et addiction",
        35,
        "Villeurbanne",
        "roofless",
        ("mental-health", "addiction"),
        "ucsd-lyon",
    ),
    Caller(
        "22 ans, à la rue à Lille (par code postal : deux Lille existent)",
        22,
        "59000",
        "roofless",
        ("addiction",),
        "ucsd-lille-jeunes",
    ),
    Caller(
        "28 ans, à la rue à Marseille, santé mentale",
        28,
        "Marseille",
        "roofless",
        ("mental-health",),
        "ucsd-marseille-1",
    ),
    Caller("40 ans, à la rue à Bobigny (Seine-Saint-Denis)", 40, "Bobigny", "roofless", ("addiction",), "ucsd-idf-93"),
    Caller(
        "40 ans, locataire d'un logement social à Cayenne, santé mentale",
        40,
        "Cayenne",
        "housed",
        ("mental-health",),
        "cism-cacl-semsamar",
    ),
    Caller(
        "50 ans, logé à Saint-Étienne, incurie signalée par le bailleur",
        50,
        "Saint-Étienne",
        "housed",
        ("hoarding",),
        "clsm-saint-etienne-incurie",
    ),
]

RESULTS = """() => ({
    matches: [...document.querySelectorAll('.maillage-orient-match')].map(e => e.dataset.service),
    near: [...document.querySelectorAll('.maillage-orient-near li')].map(e => e.dataset.service),
    fallbacks: [...document.querySelectorAll('.maillage-orient-fallbacks li')]
        .map(e => e.dataset.service || e.dataset.kind),
})"""


@pytest.fixture(scope="module")
def public_phones() -> dict[str, list[str]]:
    """Each service's public phone numbers, as the registry gives them."""
    registry = for_audience(load_registry(ROOT), "public")
    return {
        sid: [contact.value for contact in service.contacts if contact.kind == "phone"]
        for sid, service in registry.services.items()
    }


@pytest.fixture
def tab(page: Any, site_server: str) -> Iterator[Any]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(15_000)
    page.goto(site_server)
    yield page
    assert errors == [], f"JavaScript errors: {errors}"


def open_orientation(tab: Any) -> None:
    """From the home page, the "Orienter" link."""
    tab.locator("a[href$='orient/']:visible").first.click()
    tab.wait_for_selector(".maillage-orient-ready")


def ask(tab: Any, caller: Caller) -> None:
    tab.fill("#mo-age", str(caller.age))
    tab.fill("#mo-where", caller.where)
    tab.select_option("#mo-housing", caller.housing or "")
    for box in tab.locator("input[name=need]").all():
        box.set_checked(box.get_attribute("value") in caller.needs)
    tab.click(".maillage-orient-form button[type=submit]")
    tab.wait_for_function(
        "age => document.querySelector('#maillage-orient-summary') && "
        "document.querySelector('.maillage-orient-results').textContent.includes(age + ' ans')",
        arg=caller.age,
    )


def digits(phone: str) -> str:
    return re.sub(r"[^0-9+]", "", phone)


@pytest.mark.parametrize("caller", CALLERS, ids=[f"{c.where}-{c.age}-{c.expected}" for c in CALLERS])
def test_helpdesk_journey(tab: Any, caller: Caller, public_phones: dict[str, list[str]]) -> None:
    open_orientation(tab)
    ask(tab, caller)
    results = tab.evaluate(RESULTS)
    assert caller.expected in results[caller.among][:3], (caller.story, results)
    entry = tab.locator(f".maillage-orient-results li[data-service='{caller.expected}']").first
    phones = public_phones[caller.expected]
    tel = [link.get_attribute("href") for link in entry.locator("a[href^='tel:']").all()]
    if phones:
        assert tel and tel[0] == "tel:" + digits(phones[0]), (caller.story, tel, phones)
    else:
        assert tel == []
    # No lead far away: "nearest out of zone" stays within mkdocs.yml's orient_fallback_km (100).
    distances = tab.eval_on_selector_all("[data-distance-km]", "items => items.map(i => Number(i.dataset.distanceKm))")
    assert all(km <= 100 for km in distances), distances
    # The orientation is in the address (DESIGN.md's contract) …
    query = parse_qs(urlsplit(tab.url).query)
    assert query["age"] == [str(caller.age)] and query["where"] == [caller.where]
    assert query.get("housing", [None]) == [caller.housing]
    assert sorted(query.get("need", [])) == sorted(caller.needs)
    # … and a reload, or the link sent to a colleague, shows the same results.
    tab.reload()
    tab.wait_for_selector("#maillage-orient-summary")
    assert tab.evaluate(RESULTS) == results
    assert tab.input_value("#mo-age") == str(caller.age)
    assert all(tab.is_checked(f"#mo-need-{need}") for need in caller.needs)


def test_back_and_forward_rerun_the_searches(tab: Any) -> None:
    open_orientation(tab)
    minor, roofless = CALLERS[0], CALLERS[2]
    ask(tab, minor)
    first = tab.evaluate(RESULTS)
    ask(tab, roofless)
    second = tab.evaluate(RESULTS)
    assert first != second
    tab.go_back()
    tab.wait_for_function("() => document.querySelector('#mo-age').value === '16'")
    tab.wait_for_function("() => document.querySelector('.maillage-orient-results').textContent.includes('16 ans')")
    assert tab.evaluate(RESULTS) == first
    assert tab.is_checked("#mo-need-mental-health") and tab.input_value("#mo-housing") == ""
    tab.go_forward()
    tab.wait_for_function("() => document.querySelector('.maillage-orient-results').textContent.includes('45 ans')")
    assert tab.evaluate(RESULTS) == second
    assert tab.input_value("#mo-where") == "1060" and not tab.is_checked("#mo-need-mental-health")
    tab.go_back()
    tab.go_back()  # the page before any search: an empty form, no results
    tab.wait_for_function("() => document.querySelector('#mo-age').value === ''")
    assert tab.locator(".maillage-orient-results").inner_text() == ""


def test_the_address_alone_runs_the_orientation(tab: Any, site_server: str) -> None:
    """DESIGN.md's URL, as a colleague would send it: no click at all."""
    tab.goto(
        site_server + "orient/?age=30&where=Schaerbeek&housing=housed&need=mental-health&need=addiction"
        "&referrer=professional&professionals=2&crisis=1"
    )
    tab.wait_for_selector("#maillage-orient-summary")
    text = tab.locator(".maillage-orient-results").inner_text()
    assert "30 ans, réside à Schaerbeek" in text and "en situation de crise" in text
    assert tab.is_checked("#mo-need-addiction") and tab.is_checked("input[name=crisis]")
    assert tab.input_value("#mo-referrer") == "professional" and tab.input_value("#mo-professionals") == "2"


@pytest.mark.parametrize("caller", [CALLERS[0], CALLERS[2], CALLERS[6]], ids=lambda c: c.expected)
def test_on_a_phone_the_number_is_on_the_first_screen(browser: Any, site_server: str, caller: Caller) -> None:
    """375 × 812: once the search has run, the expected service's phone needs no scrolling."""
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    try:
        tab = context.new_page()
        tab.goto(site_server + "orient/")
        tab.wait_for_selector(".maillage-orient-ready")
        ask(tab, caller)
        tel = tab.locator(f".maillage-orient-results li[data-service='{caller.expected}'] a[href^='tel:']").first
        box = tel.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 812, box
    finally:
        context.close()


@pytest.mark.parametrize(
    "query", ["age=45&where=1060&housing=roofless", "age=30&where=Schaerbeek&housing=housed&need=mental-health"]
)
def test_results_have_no_serious_accessibility_violation(tab: Any, site_server: str, query: str) -> None:
    tab.goto(site_server + "orient/?" + query)
    tab.wait_for_selector("#maillage-orient-summary")
    violations = run_axe(tab)
    assert violations == [], violations


def test_nothing_fits_leads_first_and_the_gap_links_to_the_report(tab: Any, site_server: str) -> None:
    tab.goto(site_server + "orient/?age=30&where=Schaerbeek&housing=housed&need=mental-health")
    tab.wait_for_selector("#maillage-orient-summary")
    headings = tab.eval_on_selector_all(".maillage-orient-results h2", "hs => hs.map(h => h.textContent)")
    assert headings[1:] == ["Pistes quand rien ne correspond", "Presque : critères à négocier"]
    gap = tab.locator(".maillage-orient-fallbacks li[data-kind=gap] a")
    assert "Schaerbeek" in gap.inner_text() and "zone grise" in gap.inner_text()
    with tab.expect_navigation() as navigation:
        gap.click()
    assert navigation.value.status == 200 and "/gaps/" in tab.url
    anchor = urlsplit(tab.url).fragment
    assert anchor and tab.locator(f"[id='{anchor}']").count() == 1  # the territory's row of the report
