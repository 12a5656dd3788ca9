"""The search panel's reading of a query (issue #18), on the real built site in Chromium:
chips for the places and terms read (real buttons, keyboard operable, announced), the other
places of an ambiguous name, services that cover the place first, clean result lines."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser


def _search(page: Any, base: str, query: str) -> list[str]:
    page.goto(base + "?q=" + quote(query))
    return _settled(page)


def _settled(page: Any) -> list[str]:
    page.wait_for_function(
        "() => { const r = document.querySelector('[data-maillage-search]');"
        " return r && !r.hasAttribute('aria-busy')"
        " && document.querySelectorAll('.maillage-search__result').length > 0; }"
    )
    return list(page.eval_on_selector_all(".maillage-search__result", "items => items.map(i => i.dataset.url)"))


def _chips(page: Any) -> list[str]:
    return [" ".join(c.split()) for c in page.locator(".maillage-search__chip > span:first-child").all_inner_texts()]


def test_need_and_commune_are_read_as_chips_and_the_covering_services_come_first(page: Any, site_server: str) -> None:
    urls = _search(page, site_server, "santé mentale schaerbeek")
    assert _chips(page) == ["Santé mentale", "à Schaerbeek (Région de Bruxelles-Capitale)"]
    # Real buttons, named by what pressing them does.
    chip = page.locator(".maillage-search__chip").nth(1)
    assert chip.evaluate("b => b.tagName") == "BUTTON"
    assert chip.get_attribute("aria-label") == (
        "Ne plus lire « à Schaerbeek (Région de Bruxelles-Capitale) » dans la recherche"
    )
    # Announced: the live status says what was read, then how many results.
    status = page.locator("[data-maillage-search-status]")
    assert status.get_attribute("aria-live") == "polite"
    assert status.inner_text().startswith("Lu : Santé mentale, à Schaerbeek (Région de Bruxelles-Capitale).")
    assert {u.split("/")[-2] for u in urls[:2]} == {"bru-stars-case-management", "em107-precarite"}
    groups = page.eval_on_selector_all(".maillage-search__group-name", "hs => hs.map(h => h.textContent)")
    assert groups[0] == "Services qui couvrent ce lieu"


def test_a_chip_is_removed_from_the_keyboard_and_the_reading_restored(page: Any, site_server: str) -> None:
    _search(page, site_server, "santé mentale schaerbeek")
    page.locator(".maillage-search__chip").nth(1).focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.maillage-search__chip').length === 1")
    _settled(page)
    assert _chips(page) == ["Santé mentale"]
    # The focus stays in the reading, on a control that is there.
    focused = page.evaluate("() => [...document.activeElement.classList]")
    assert {"maillage-search__chip", "maillage-search__read-again"} & set(focused)
    again = page.locator(".maillage-search__read-again")
    assert again.inner_text() == "Relire toute la recherche"
    again.focus()
    page.keyboard.press(" ")
    page.wait_for_function("() => document.querySelectorAll('.maillage-search__chip').length === 2")
    assert page.locator(".maillage-search__read-again").count() == 0


def test_an_ambiguous_place_offers_the_others_of_its_name(page: Any, site_server: str) -> None:
    _search(page, site_server, "saint-denis sans abri")
    place = [c for c in _chips(page) if c.startswith("à ")]
    assert place == ["à Saint-Denis (La Réunion)"]
    other = page.locator(".maillage-search__other", has_text="Saint-Denis (Seine-Saint-Denis)")
    assert other.get_attribute("aria-label") == "Chercher à Saint-Denis (Seine-Saint-Denis)"
    other.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.maillage-search__chip')]"
        ".some(c => c.textContent.includes('(Seine-Saint-Denis)'))"
    )
    urls = _settled(page)
    assert urls[0].endswith("/services/ucsd-idf-93/")


def test_dutch_name_and_postcode_are_read_as_places(page: Any, site_server: str) -> None:
    _search(page, site_server, "Elsene psychiatrie")
    assert "à Ixelles (Région de Bruxelles-Capitale)" in _chips(page)
    _search(page, site_server, "69100 logement")
    assert "à Villeurbanne (Rhône)" in _chips(page)


def test_a_term_a_letter_off_is_read_as_the_term(page: Any, site_server: str) -> None:
    urls = _search(page, site_server, "santé mentalle nantes")
    assert _chips(page)[0] == "Santé mentale"
    assert urls[0].endswith("/services/ucsd-nantes/")
    # Two words each a letter off a longer term win over the shorter exact one.
    _search(page, site_server, "aidants proches bruxelles")
    assert _chips(page)[0] == "Soutien aux aidants"
    # A word under five letters is not corrected: "sdd" is no term, nor a place.
    _search(page, site_server, "sdd santé mentale")
    assert _chips(page) == ["Santé mentale"]


def test_pages_found_by_words_alone_wait_for_more_after_services_were_read(page: Any, site_server: str) -> None:
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    urls = _search(page, site_server, "santé mentale schaerbeek")
    groups = page.eval_on_selector_all(".maillage-search__group-name", "hs => hs.map(h => h.textContent)")
    assert groups == ["Services qui couvrent ce lieu"]
    assert all("/services/" in u for u in urls)
    before = len([u for u in fetched if "/pagefind/index/" in u])
    more = page.locator("[data-maillage-search-more]")
    assert more.is_visible()
    more.click()
    page.wait_for_function(
        "n => document.querySelectorAll('.maillage-search__result').length > n"
        " && !document.querySelector('[data-maillage-search]').hasAttribute('aria-busy')",
        arg=len(urls),
    )
    groups = page.eval_on_selector_all(".maillage-search__group-name", "hs => hs.map(h => h.textContent)")
    assert groups[0] == "Services qui couvrent ce lieu" and len(groups) > 1
    assert len([u for u in fetched if "/pagefind/index/" in u]) >= before


def test_results_are_clean_and_services_come_before_other_pages(page: Any, site_server: str) -> None:
    urls = _search(page, site_server, "logement")
    titles = page.locator(".maillage-search__title").all_inner_texts()
    texts = page.locator(".maillage-search__result").all_inner_texts()
    assert not [t for t in titles + texts if "¶" in t]
    kinds = ["service" if "/services/" in u else "other" for u in urls]
    assert kinds[0] == "service"
    # No page that is not a service ahead of a service.
    assert kinds == sorted(kinds, key=lambda k: k != "service")
    # A service in one line: organisation · area · for whom.
    first = page.locator(".maillage-search__result").first
    lines = first.locator("p")
    assert lines.count() == 1
    line = lines.inner_text()
    assert line.count(" · ") >= 2 and "Pour qui" in line


def test_territory_facet_is_a_hierarchy_with_a_finder(page: Any, site_server: str) -> None:
    _search(page, site_server, "sans abri")
    page.locator("[data-maillage-search-facets-toggle]").click()
    territory = page.locator("details.maillage-search__facet[data-facet='territory']")
    territory.wait_for()
    territory.locator("summary").click()
    items = territory.locator("li")
    values = [" ".join(v.split()[:-1]) for v in items.all_inner_texts()]  # without the count
    depths = items.evaluate_all("lis => lis.map(li => li.dataset.depth)")
    # Each region under its country, each département under its region.
    france = values.index("France")
    idf = values.index("Île-de-France")
    assert depths[france] == "0" and depths[idf] == "1" and france < idf
    assert values.index("Seine-Saint-Denis") > idf and depths[values.index("Seine-Saint-Denis")] == "2"
    finder = territory.locator(".maillage-search__finder")
    assert finder.get_attribute("aria-label") == "Trouver un territoire"
    finder.fill("seine")
    shown = [" ".join(v.split()[:-1]) for v in territory.locator("li:not([hidden])").all_inner_texts()]
    assert shown and all("Seine" in v for v in shown)
