"""Service pages open with « L'essentiel », and the home page starts the three jobs (issue 17,
items 5, 6 and 8), on the real built site in Chromium.

- Every service page that has a public phone shows it, as a ``tel:`` link, on the first
  screen of a 375 × 812 phone (Material's header included), in the three languages.
- "Envoyer à la personne": the copy button (the page's own script, under the pages'
  Content-Security-Policy), the ``sms:`` and ``mailto:`` links carry the same text, and
  the note for the person prints alone.
- From the home page: age, place and need → the orientation's results with a ``tel:``
  link; an example query → the search's results; all of it on a phone's first screen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from generator.registry.loader import for_audience, load_registry
from generator.site.context import SiteConfig, SiteContext
from generator.site.pages import contacts_shown, person_lines
from tests.browser.conftest import run_axe
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
LANGS = {"fr": "", "nl": "nl/", "en": "en/"}


def _phones() -> dict[str, str]:
    """Each service with a public phone on its page, and that first phone's tel: target."""
    registry = for_audience(load_registry(ROOT), "public")
    ctx = SiteContext(registry=registry, config=SiteConfig())
    found = {}
    for service in registry.services.values():
        contacts, _ = contacts_shown(ctx, service)
        phones = [c.value for c in contacts if c.kind == "phone"]
        if phones:
            found[service.id] = "tel:" + re.sub(r"[^0-9+]", "", phones[0])
    return found


PHONES = _phones()
FIRST_TEL = """() => {
    const a = document.querySelector('a[href^="tel:"]');
    return a ? {href: a.getAttribute('href'), bottom: a.getBoundingClientRect().bottom + window.scrollY} : null;
}"""


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-BE")
    yield context.new_page()
    context.close()


@pytest.fixture
def tab(page: Any) -> Iterator[Any]:
    errors: list[str] = []
    refused: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_default_timeout(15_000)
    yield page
    assert errors == [], f"JavaScript errors: {errors}"
    assert refused == [], f"the pages' policy refused: {refused}"


def test_the_real_registry_has_services_with_a_public_phone() -> None:
    assert {"brusano-case-management", "em107-precarite", "brusano-helpdesk"} <= set(PHONES)


@pytest.mark.parametrize("lang", LANGS)
def test_every_public_phone_is_on_a_phones_first_screen(phone: Any, site_server: str, lang: str) -> None:
    """The first tel: link of every service page with a public phone ends within 812 px."""
    late = {}
    for service_id, target in sorted(PHONES.items()):
        phone.goto(f"{site_server}{LANGS[lang]}services/{service_id}/")
        first = phone.evaluate(FIRST_TEL)
        assert first is not None, service_id
        assert first["href"] == target, (service_id, first)
        if first["bottom"] > PHONE["height"]:
            late[service_id] = first["bottom"]
        assert phone.evaluate("() => window.scrollY") == 0
    assert late == {}


def test_essentials_say_it_once(tab: Any, site_server: str) -> None:
    tab.goto(site_server + "services/em107-precarite/")
    essentials = tab.locator(".maillage-essentials")
    text = essentials.inner_text()
    for label in ("Pour qui", "Comment demander", "Délai de réponse", "Statut", "Vérifié le 1er janvier 2024"):
        assert label in text, label
    body = tab.locator(".maillage-service").inner_text()
    assert body.count("Vérifié le") == 1
    # Every page's facts date from 2018-2024: no banner on the pages like the rest.
    assert tab.locator(".maillage-stale, .maillage-older").count() == 0
    # The one page much older than the others says so, plainly, once.
    tab.goto(site_server + "services/clsm-saint-etienne-incurie/")
    older = tab.locator(".maillage-older")
    if older.count():
        assert older.count() == 1 and "bien avant la plupart des autres fiches" in older.inner_text()


def test_home_says_once_how_old_the_facts_are(tab: Any, site_server: str) -> None:
    tab.goto(site_server)
    stale = tab.locator(".maillage-home-stale")
    assert stale.count() == 1
    assert re.search(r"Fiches vérifiées il y a plus de 12 mois : \d+ sur \d+\.", stale.inner_text())


def test_send_to_the_person(browser: Any, site_server: str) -> None:
    context = browser.new_context(locale="fr-BE", permissions=["clipboard-read", "clipboard-write"])
    errors: list[str] = []
    try:
        tab = context.new_page()
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(site_server + "services/em107-precarite/")
        registry = for_audience(load_registry(ROOT), "public")
        ctx = SiteContext(registry=registry, config=SiteConfig())
        text = "\n".join(person_lines(ctx, registry.services["em107-precarite"]))
        assert text.startswith("Équipe mobile 107 - Précarité\nTéléphone : 0496 26 80 54\n")
        send = tab.locator(".maillage-send")
        sms = send.locator("a[data-action=sms]").get_attribute("href")
        mail = send.locator("a[data-action=mail]").get_attribute("href")
        assert unquote(sms.removeprefix("sms:?body=")) == text
        assert parse_qs(urlsplit(mail).query)["body"] == [text]
        # The copy button is share.js's (it rebuilds the block): it runs under the policy.
        copy = send.locator("button[data-action=copy-text]")
        copy.wait_for()
        assert copy.is_visible()
        copy.click()
        tab.wait_for_function(
            "() => document.querySelector('button[data-action=copy-text]').textContent === 'Texte copié'"
        )
        assert tab.evaluate("() => navigator.clipboard.readText()") == text
        # The note: hidden until asked for, then shown with today's date, and printed alone.
        note = tab.locator("#maillage-note")
        assert not note.is_visible()
        send.locator("a[data-action=note]").click()
        assert note.is_visible()
        note_text = note.inner_text()
        assert "Un service qui peut vous aider" in note_text and "0496 26 80 54" in note_text
        today = dt.date.today()
        assert re.search(rf"Remis le (1er|{today.day}) \w+ {today.year}", note_text)
        tab.emulate_media(media="print")
        shown = tab.evaluate(
            """() => [...document.querySelectorAll('.md-header, h1, .maillage-essentials, #maillage-note')]
                .map(e => [e.className || e.tagName, getComputedStyle(e).display !== 'none'])"""
        )
        assert [visible for _, visible in shown] == [False, False, False, True], shown
        tab.emulate_media(media="screen")
        tab.locator("#maillage-note a[href='#']").click()
        assert not note.is_visible()
        assert errors == []
    finally:
        context.close()


def test_home_first_screen_on_a_phone(phone: Any, site_server: str) -> None:
    """Age, place, need; the search and its examples; the zones grises: no scrolling."""
    for lang, prefix in LANGS.items():
        phone.goto(site_server + prefix)
        for selector in (
            ".maillage-home-orient input[name=age]",
            ".maillage-home-orient input[name=where]",
            ".maillage-home-orient select[name=need]",
            ".maillage-home-orient button[type=submit]",
            ".maillage-home-search input[name=q]",
            ".maillage-home-examples a",
            ".maillage-home-gaps a",
        ):
            bottom = phone.eval_on_selector(selector, "e => e.getBoundingClientRect().bottom + window.scrollY")
            assert bottom <= PHONE["height"], (lang, selector, bottom)
        # The lists of links come after.
        browse = phone.eval_on_selector(".maillage-entries", "e => e.getBoundingClientRect().top + window.scrollY")
        assert browse > phone.eval_on_selector(".maillage-home-gaps", "e => e.getBoundingClientRect().top")


CALLERS = [
    # (age, place, need, a service expected among the results, with its tel: link if it has one)
    ("16", "Ixelles", "mental-health", "bru-stars-case-management"),
    ("45", "Schaerbeek", "mental-health", "em107-precarite"),
    ("30", "Lyon", "homelessness", "ucsd-lyon"),
]


@pytest.mark.parametrize("caller", CALLERS, ids=[c[1] for c in CALLERS])
def test_from_the_home_form_to_the_number(tab: Any, site_server: str, caller: tuple[str, str, str, str]) -> None:
    age, where, need, expected = caller
    tab.goto(site_server)
    form = tab.locator(".maillage-home-orient")
    form.locator("input[name=age]").fill(age)
    form.locator("input[name=where]").fill(where)
    form.locator("select[name=need]").select_option(need)
    form.locator("button[type=submit]").click()
    tab.wait_for_selector("#maillage-orient-summary")
    # DESIGN.md's address, run on load by the orientation page.
    query = parse_qs(urlsplit(tab.url).query)
    assert urlsplit(tab.url).path.endswith("/orient/")
    assert query == {"age": [age], "where": [where], "need": [need]}
    shown = tab.eval_on_selector_all(
        ".maillage-orient-results li[data-service]", "items => items.map(i => i.dataset.service)"
    )
    assert expected in shown, shown
    entry = tab.locator(f".maillage-orient-results li[data-service='{expected}']").first
    if expected in PHONES:  # ucsd-lyon has no public phone in the registry: its result has none
        assert entry.locator("a[href^='tel:']").first.get_attribute("href") == PHONES[expected]
    else:
        assert entry.locator("a[href^='tel:']").count() == 0


def test_no_need_chosen_sends_no_need(tab: Any, site_server: str) -> None:
    tab.goto(site_server + "en/")
    form = tab.locator(".maillage-home-orient")
    form.locator("input[name=age]").fill("40")
    form.locator("input[name=where]").fill("Anderlecht")
    form.locator("button[type=submit]").click()
    tab.wait_for_selector("#maillage-orient-summary")
    assert urlsplit(tab.url).path.endswith("/en/orient/")
    assert tab.locator(".maillage-orient-results a[href^='tel:']").count() > 0


def _wait_results(tab: Any) -> list[str]:
    tab.wait_for_function(
        "() => document.querySelector('[data-maillage-search]')"
        " && !document.querySelector('[data-maillage-search]').hasAttribute('aria-busy')"
        " && document.querySelectorAll('.maillage-search__result').length > 0"
    )
    return list(tab.eval_on_selector_all(".maillage-search__result", "items => items.map(i => i.dataset.url)"))


@pytest.mark.parametrize("lang", LANGS)
def test_every_example_query_finds_services(tab: Any, site_server: str, lang: str) -> None:
    tab.goto(site_server + LANGS[lang])
    count = tab.locator(".maillage-home-examples a").count()
    assert count == 3
    for i in range(count):
        tab.goto(site_server + LANGS[lang])
        example = tab.locator(".maillage-home-examples a").nth(i)
        words = example.inner_text()
        example.click()
        urls = _wait_results(tab)
        assert "/services/" in urls[0], (lang, words, urls)  # a service first, not only organisations
        assert tab.input_value("[data-maillage-search-input]") == words


def test_the_home_search_form_opens_the_search(tab: Any, site_server: str) -> None:
    tab.goto(site_server)
    tab.fill(".maillage-home-search input[name=q]", "incurie")
    tab.locator(".maillage-home-search button[type=submit]").click()
    urls = _wait_results(tab)
    assert any(u.endswith("services/clsm-saint-etienne-incurie/") for u in urls)


@pytest.mark.parametrize("path", ["", "services/em107-precarite/", "nl/services/brusano-helpdesk/"])
def test_axe(tab: Any, site_server: str, path: str) -> None:
    tab.goto(site_server + path)
    assert run_axe(tab) == []
