"""The orientation page in Chromium: filled with the keyboard only, results read back.

The site is built once per session with mkdocs-material from the orientation provider's
output (page, compact data, script) over the real registry. Any request that leaves
localhost fails the test, and so does any request carrying what was typed.
"""

from __future__ import annotations

import functools
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from generator.registry.loader import for_audience, load_registry
from generator.registry.text import fold
from generator.site.context import Asset, GeneratedPage, SiteConfig, SiteContext
from generator.site.orient_page import gap_report_target, orient_page
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

MKDOCS_YML = """\
site_name: Maillage (test de l'orientation)
docs_dir: docs
site_dir: site
use_directory_urls: true
theme:
  name: material
  language: fr
  font: false
plugins: []
"""


# A directory with a forge: "Signaler cette zone grise" opens a new issue there.
CONFIG = SiteConfig(repo_url="https://github.com/example/annuaire")


def _build_orient_site(target: Path, audience: str, languages: tuple[str, ...]) -> Path:
    """The orientation pages, data and script of the real registry, built by mkdocs-material."""
    registry = for_audience(load_registry(ROOT), audience)
    config = replace(CONFIG, audience=audience)
    docs = target / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Accueil\n", encoding="utf-8")
    items = [
        item
        for lang in languages
        for item in orient_page(SiteContext(registry=registry, config=config, root=ROOT, lang=lang))
    ]
    for item in items:
        path = docs / item.uri
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(item, GeneratedPage):
            path.write_text(item.content, encoding="utf-8")
        elif isinstance(item, Asset):
            path.write_bytes(item.content)
    (target / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(target / "mkdocs.yml")))
    return target / "site"


@pytest.fixture(scope="session")
def orient_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_orient_site(tmp_path_factory.mktemp("orient-site"), "public", ("fr", "nl", "en"))


@pytest.fixture(scope="session")
def orient_pro_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_orient_site(tmp_path_factory.mktemp("orient-pro-site"), "professional", ("fr",))


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(directory: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def orient_server(orient_site: Path) -> Iterator[str]:
    yield from _serve(orient_site)


@pytest.fixture(scope="session")
def orient_pro_server(orient_pro_site: Path) -> Iterator[str]:
    yield from _serve(orient_pro_site)


# Module scope: Playwright's sync API holds an event loop while it runs, and other modules'
# session fixtures (Pagefind indexing) call asyncio.run(); close it before they run.
@pytest.fixture(scope="module")
def orient_browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists() or shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def orient_tab(
    orient_browser: Any, orient_server: str, request: pytest.FixtureRequest
) -> Iterator[tuple[Any, list[str]]]:
    context = orient_browser.new_context()
    outside: list[str] = []
    requests: list[str] = []
    errors: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        requests.append(url + " " + (request_route.request.post_data or ""))
        if urlsplit(url).hostname in ("127.0.0.1", "localhost"):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    context.route("**/*", route)
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.set_default_timeout(10_000)
    lang = getattr(request, "param", "")
    tab.goto(orient_server + (f"/{lang}" if lang else "") + "/orient/")
    tab.wait_for_selector(".maillage-orient-ready")
    yield tab, requests
    context.close()
    assert outside == [], f"requests left localhost: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


def _tab_to(tab: Any, element_id: str) -> None:
    for _ in range(30):
        if tab.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
        tab.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def test_keyboard_only_roofless_in_saint_gilles(orient_tab: tuple[Any, list[str]]) -> None:
    tab, requests = orient_tab
    # The age field has the focus when the page opens: type, Tab, type, arrow keys.
    assert tab.evaluate("() => document.activeElement.id") == "mo-age"
    tab.keyboard.type("45")
    tab.keyboard.press("Tab")
    tab.keyboard.type("1060")
    _tab_to(tab, "mo-housing")
    tab.keyboard.type("Sans abri")  # type-ahead in the list, as on any select
    assert tab.eval_on_selector("#mo-housing", "s => s.value") == "roofless"
    tab.keyboard.press("Enter")
    tab.wait_for_selector("#maillage-orient-summary")
    matches = tab.eval_on_selector_all(".maillage-orient-match", "items => items.map(i => i.dataset.service)")
    assert "em107-precarite" in matches
    assert "brusano-case-management" not in matches
    em107 = tab.locator(".maillage-orient-match[data-service='em107-precarite']").inner_text()
    assert "réside à Saint-Gilles, dans la zone couverte" in em107
    assert "logement : sans abri" in em107
    near = tab.locator(".maillage-orient-near li[data-service='brusano-case-management']").inner_text()
    assert "logement" in near and "non admis" in near
    # The liaison sheet, by keyboard: focus its button, press Enter, read the text.
    tab.locator(".maillage-orient-match[data-service='em107-precarite'] [data-action=liaison]").focus()
    tab.keyboard.press("Enter")
    tab.wait_for_function("() => document.querySelector('#mo-liaison').value.length > 0")
    sheet = tab.eval_on_selector("#mo-liaison", "t => t.value")
    assert sheet.startswith("FICHE DE LIAISON")
    assert "Équipe mobile 107" in sheet and "45 ans" in sheet
    assert "Démarches :" in sheet and "Qui peut demander : " in sheet  # from the details chunk
    assert "Délai de réponse : 2 semaines" in sheet and "0496 26 80 54" in sheet
    assert [r for r in requests if "/assets/maillage/orient/details-" in r]
    assert not [r for r in requests if "1060" in r or "45" in r.split("/")[-1]]


def test_nothing_fits_shows_fallbacks_and_gap(orient_tab: tuple[Any, list[str]]) -> None:
    tab, _ = orient_tab
    tab.keyboard.type("45")
    tab.keyboard.press("Tab")
    tab.keyboard.type("1060")
    _tab_to(tab, "mo-housing")
    tab.keyboard.type("Sans abri")
    _tab_to(tab, "mo-need-mental-health")  # the needs are checkboxes: Tab to one, Space ticks it
    tab.keyboard.press("Space")
    assert tab.eval_on_selector("#mo-need-mental-health", "c => c.checked")
    _tab_to(tab, "mo-more")  # the optional criteria: Enter unfolds them
    tab.keyboard.press("Enter")
    _tab_to(tab, "mo-professionals")
    tab.keyboard.press("Tab")
    tab.keyboard.press("Tab")
    tab.keyboard.press("Tab")
    tab.keyboard.press("Space")  # "en situation de crise"
    assert tab.eval_on_selector("input[name=crisis]", "c => c.checked")
    tab.keyboard.press("Enter")
    tab.wait_for_selector("#maillage-orient-summary")
    assert tab.locator("#maillage-orient-summary").inner_text() == "Aucun service ne correspond"
    kinds = tab.eval_on_selector_all(".maillage-orient-fallbacks li", "items => items.map(i => i.dataset.kind)")
    assert "helpline" in kinds and kinds[-1] == "gap"  # Brusano's case managers do not take roofless people
    near = tab.locator(".maillage-orient-near li[data-service='em107-precarite']").inner_text()
    assert "n'intervient pas en situation de crise" in near


def test_ambiguous_place_lists_candidates(orient_tab: tuple[Any, list[str]]) -> None:
    tab, _ = orient_tab
    tab.keyboard.type("30")
    tab.keyboard.press("Tab")
    tab.keyboard.type("Saint-Gilles")
    tab.keyboard.press("Enter")
    tab.wait_for_function("() => document.querySelector('.maillage-orient-message').textContent.length > 0")
    message = tab.locator(".maillage-orient-message").inner_text()
    assert "Plusieurs lieux" in message and "1060" in message


@pytest.mark.parametrize("orient_tab", ["en"], indirect=True)
def test_english_page_words_and_reasons(orient_tab: tuple[Any, list[str]]) -> None:
    tab, _ = orient_tab
    assert tab.locator("label[for=mo-age]").inner_text() == "Age"
    assert "stay in French" in tab.locator("article").inner_text()  # the registry's own texts
    tab.keyboard.type("16")
    tab.keyboard.press("Tab")
    tab.keyboard.type("Ixelles")
    tab.keyboard.press("Enter")
    tab.wait_for_selector("#maillage-orient-summary")
    # « 1 service fits », « 2 services fit »: the count's plural in English, not « service(s) ».
    summary = tab.locator("#maillage-orient-summary").inner_text()
    assert re.fullmatch(r"1 service fits|[2-9] services fit|\d{2,} services fit", summary), summary
    first = tab.locator(".maillage-orient-match").first
    assert first.get_attribute("data-service") == "bru-stars-case-management"
    assert "lives in Ixelles, inside the area covered" in first.inner_text()  # the matcher speaks English too
    assert "Profile: 16 years old, lives in Ixelles" in tab.locator(".maillage-orient-results").inner_text()
    assert tab.locator(".maillage-orient-results").get_attribute("lang") == "en"
    first.locator("[data-action=liaison]").click()
    tab.wait_for_function("() => document.querySelector('#mo-liaison').value.length > 0")
    assert tab.eval_on_selector("#mo-liaison", "t => t.value").startswith("REFERRAL NOTE")


@pytest.mark.parametrize("orient_tab", ["nl"], indirect=True)
def test_dutch_page_words(orient_tab: tuple[Any, list[str]]) -> None:
    tab, _ = orient_tab
    assert tab.locator("label[for=mo-age]").inner_text() == "Leeftijd"
    assert tab.locator("button[type=submit]").inner_text() == "Diensten zoeken"
    tab.keyboard.type("30")
    tab.keyboard.press("Tab")
    tab.keyboard.type("Saint-Gilles")
    tab.keyboard.press("Enter")
    tab.wait_for_function("() => document.querySelector('.maillage-orient-message').textContent.length > 0")
    assert "Meerdere plaatsen" in tab.locator(".maillage-orient-message").inner_text()


def test_commune_outside_every_area_is_fetched_as_typed(orient_tab: tuple[Any, list[str]]) -> None:
    """Roubaix is in no service's own list (its EPCI is): its places file comes when typed."""
    tab, requests = orient_tab
    assert not [r for r in requests if "/places-" in r]
    tab.keyboard.type("45")
    tab.keyboard.press("Tab")
    tab.keyboard.type("Roubaix")
    tab.keyboard.press("Enter")
    tab.wait_for_selector("#maillage-orient-summary")
    assert "réside à Roubaix" in tab.locator(".maillage-orient-results").inner_text()
    assert [r for r in requests if "/assets/maillage/orient/places-n-ro.json" in r]


def _run(tab: Any, server: str, query: str, lang: str = "") -> None:
    tab.goto(server + (f"/{lang}" if lang else "") + "/orient/?" + query)
    tab.wait_for_selector("#maillage-orient-summary")


def test_needs_are_checkboxes_in_the_order_of_their_labels(orient_tab: tuple[Any, list[str]]) -> None:
    tab, _ = orient_tab
    labels = tab.eval_on_selector_all("input[name=need]", "bs => bs.map(b => b.parentNode.textContent.trim())")
    assert len(labels) >= 10 and labels == sorted(labels, key=fold)
    assert labels.index("Santé mentale") > labels.index("Addictions")
    assert "Ctrl" not in tab.locator("article").inner_text() and not tab.locator("select[multiple]").count()


def test_results_grouped_with_contacts_and_why_first(orient_tab: tuple[Any, list[str]], orient_server: str) -> None:
    tab, _ = orient_tab
    _run(tab, orient_server, "age=45&where=1060&housing=roofless")
    fit = tab.locator(".maillage-orient-match[data-group=fit]")
    assert fit.first.get_attribute("data-service") == "em107-precarite"
    assert "Pourquoi en premier" in fit.first.locator(".maillage-orient-why").inner_text()
    assert fit.first.locator("a[href='tel:0496268054']").inner_text() == "0496 26 80 54"
    assert fit.first.locator("a[href='mailto:Info.precarite@p107bxl-est.be']").count() == 1
    contact = fit.first.locator(".maillage-orient-contact").inner_text()
    assert "Qui peut demander" in contact and "Délai de réponse : 2 semaines" in contact
    assert not fit.first.locator(".maillage-orient-unknown").count()
    # The services whose fit depends on what the sources do not say: their own heading,
    # after the sure ones, the unknown criteria named in one line.
    assert tab.locator("h3.maillage-orient-to-check").inner_text().startswith("À vérifier")
    unsure = tab.locator(".maillage-orient-match[data-group=to_check]")
    assert unsure.count() >= 3
    for k in range(unsure.count()):
        assert (
            unsure.nth(k).locator(".maillage-orient-unknown").inner_text().startswith("Non renseigné dans les sources")
        )
    # The near misses and the fallbacks carry contacts too.
    near = tab.locator(".maillage-orient-near li[data-service='brusano-case-management']")
    assert near.locator("a[href='tel:028802980']").count() == 1
    assert tab.locator(".maillage-orient-results").get_attribute("lang") == "fr"
    # The headline counts every match, sure or to check, in French's plural.
    matches = tab.locator(".maillage-orient-match[data-group=fit], .maillage-orient-match[data-group=to_check]").count()
    summary = tab.locator("#maillage-orient-summary").inner_text()
    assert summary == (f"{matches} services correspondent" if matches > 1 else "1 service correspond"), summary


def test_send_to_the_person(orient_browser: Any, orient_server: str) -> None:
    context = orient_browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    try:
        _run(tab, orient_server, "age=45&where=1060&housing=roofless")
        em107 = tab.locator(".maillage-orient-match[data-service='em107-precarite']")
        sms = em107.locator("a[data-action=sms]").get_attribute("href")
        assert sms.startswith("sms:?body=")
        text = unquote(sms.removeprefix("sms:?body="))
        assert text.splitlines() == [
            "Équipe mobile 107 - Précarité",
            "Téléphone : 0496 26 80 54",
            "E-mail : Info.precarite@p107bxl-est.be",
            "Zone : Région de Bruxelles-Capitale",
            "Comment demander : La demande peut être adressée par le réseau formel, informel ou la personne "
            "elle-même ; formulaire en ligne (CHJT asbl).",
        ]
        mail = urlsplit(em107.locator("a[data-action=mail]").get_attribute("href"))
        assert mail.scheme == "mailto" and parse_qs(mail.query)["body"] == [text]
        em107.locator("[data-action=copy-text]").click()
        tab.wait_for_function("() => document.querySelector('[data-action=copy-text]').textContent === 'Texte copié'")
        assert tab.evaluate("navigator.clipboard.readText()") == text
        # The note to print for the person: the same facts, and only the note is printed.
        tab.evaluate("window.print = () => { window.printed = document.body.className; }")
        em107.locator("[data-action=note]").click()
        note = tab.locator("#maillage-orient-note")
        assert note.is_visible() and "0496 26 80 54" in note.inner_text()
        assert "Un service qui peut vous aider" in note.inner_text() and "Remis le" in note.inner_text()
        tab.keyboard.press("Enter")  # the focus is on its print button
        assert "mo-print-note" in tab.evaluate("window.printed")
        assert "mo-print" not in tab.evaluate("document.body.className")
        assert tab.locator("#maillage-orient-liaison").is_hidden()  # the professionals' note is another thing
    finally:
        context.close()


def test_report_a_gap_carries_no_exact_age(orient_tab: tuple[Any, list[str]], orient_server: str) -> None:
    tab, _ = orient_tab
    _run(tab, orient_server, "age=30&where=Schaerbeek&housing=housed&need=mental-health&no_residence_permit=1")
    link = tab.locator("a[data-action=report-gap]")
    assert link.inner_text() == "Signaler cette zone grise"
    href = link.get_attribute("href")
    assert href.startswith("https://github.com/example/annuaire/issues/new?")
    query = parse_qs(urlsplit(href).query)
    title, body = query["title"][0], query["body"][0]
    assert title == "Zone grise : 25 à 59 ans, Schaerbeek, Logé (logement ordinaire, à domicile), Santé mentale"
    today = tab.evaluate("new Date().toISOString().slice(0, 10)")
    assert f"Date : {today}" in body and "Profil (anonymisé) : 25 à 59 ans, Schaerbeek" in body
    # Nothing that identifies the caller: not the age, not the residence permit, not the flags.
    words = (title + body).replace(today, "")
    assert not re.search(r"(?<![0-9])30(?![0-9])", words)
    assert "séjour" not in words and "30 ans" not in words
    # GitLab's form takes other names; a maintainers' address makes it an e-mail.
    tab.evaluate(
        """() => { const root = document.getElementById('maillage-orient'); root.dataset.gapKind = 'gitlab';
        root.dataset.gapTarget = 'https://gitlab.example.org/g/annuaire/-/issues/new'; }"""
    )
    tab.click(".maillage-orient-form button[type=submit]")
    tab.wait_for_function("() => document.querySelector('a[data-action=report-gap]').href.includes('gitlab')")
    gitlab = parse_qs(urlsplit(tab.get_attribute("a[data-action=report-gap]", "href")).query)
    assert gitlab["issue[title]"] == [title] and "issue[description]" in gitlab
    tab.evaluate(
        """() => { const root = document.getElementById('maillage-orient');
        root.dataset.gapKind = 'email'; root.dataset.gapTarget = 'zones-grises@example.org'; }"""
    )
    tab.click(".maillage-orient-form button[type=submit]")
    tab.wait_for_function("() => document.querySelector('a[data-action=report-gap]').href.startsWith('mailto:')")
    mail = urlsplit(tab.get_attribute("a[data-action=report-gap]", "href"))
    assert mail.path == "zones-grises@example.org" and parse_qs(mail.query)["subject"] == [title]


def test_gap_report_target() -> None:
    assert gap_report_target(SiteConfig()) == {}
    assert gap_report_target(SiteConfig(repo_url="https://github.com/o/r/")) == {
        "kind": "github",
        "target": "https://github.com/o/r/issues/new",
    }
    assert gap_report_target(SiteConfig(repo_url="https://gitlab.com/g/r")) == {
        "kind": "gitlab",
        "target": "https://gitlab.com/g/r/-/issues/new",
    }
    email = SiteConfig(repo_url="https://github.com/o/r", gap_report_email="m@example.org")
    assert gap_report_target(email) == {"kind": "email", "target": "m@example.org"}


def test_opened_from_disk_says_how_to_look_at_the_site(orient_browser: Any, orient_site: Path) -> None:
    context = orient_browser.new_context()
    tab = context.new_page()
    try:
        tab.goto((orient_site / "orient" / "index.html").as_uri())
        tab.wait_for_function("() => document.querySelector('.maillage-orient-message').textContent.length > 0")
        message = tab.locator(".maillage-orient-message").inner_text()
        assert "file://" in message and "maillage serve" in message and "python3 -m http.server -d site" in message
        assert "n'ont pas pu être chargées" not in message
    finally:
        context.close()


@pytest.mark.parametrize("orient_tab", ["nl"], indirect=True)
def test_dutch_results_and_their_languages(orient_tab: tuple[Any, list[str]], orient_server: str) -> None:
    tab, _ = orient_tab
    _run(tab, orient_server, "age=45&where=1060&housing=roofless", lang="nl")
    assert tab.locator(".maillage-orient-results").get_attribute("lang") == "nl"
    assert tab.locator("h3.maillage-orient-fit").inner_text() == "Criteria gekend en voldaan"
    # The registry's own texts (how to ask, delay) are French, and say so.
    em107 = tab.locator(".maillage-orient-match[data-service='em107-precarite']")
    assert em107.locator(".maillage-orient-contact p[lang=fr]").count() == 2
    labels = tab.eval_on_selector_all("input[name=need]", "bs => bs.map(b => b.parentNode.textContent.trim())")
    assert labels == sorted(labels, key=fold) and "Geestelijke gezondheid" in labels


def test_professional_build_marks_the_professional_contacts(orient_browser: Any, orient_pro_server: str) -> None:
    context = orient_browser.new_context()
    tab = context.new_page()
    try:
        _run(tab, orient_pro_server, "age=16&where=Ixelles&need=mental-health")
        bru_stars = tab.locator(".maillage-orient-match[data-service='bru-stars-case-management']")
        tels = [a.get_attribute("href") for a in bru_stars.locator(".maillage-orient-contact a[href^='tel:']").all()]
        assert tels[0] == "tel:0485711942"  # the public line first
        assert {"tel:0488554745", "tel:0493093739"} <= set(tels)
        line = bru_stars.locator(".maillage-orient-contact p").first.inner_text()
        assert "0488/55 47 45 (Case manager 1, réservé aux professionnels)" in line
        # What is sent to the person carries no professional line.
        sms = unquote(bru_stars.locator("a[data-action=sms]").get_attribute("href"))
        assert "0485 71 19 42" in sms and "0488" not in sms and "b.noe" not in sms
    finally:
        context.close()
