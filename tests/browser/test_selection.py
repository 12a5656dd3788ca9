"""« Ma sélection » (issue 22, item 4), on the real built site in Chromium.

A professional stars three services from three places (a service page, the search's
results, the orientation's results); the stars survive a reload; the selection page lists
them in that order with their phones and addresses, prints as one page without the site's
chrome, and downloads them as a CSV (UTF-8 with BOM, formula-safe) a spreadsheet reads.
The browser's CSV safety and data buckets are the server's (csvsafe.neutralise,
selection_page.bucket_of); axe finds nothing on the page.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from generator.exchange.csvsafe import neutralise
from generator.registry.loader import for_audience, load_registry
from generator.site.selection_page import bucket_of
from tests.browser.conftest import LOCAL_HOSTS, run_axe
from tests.conftest import ROOT

pytestmark = pytest.mark.browser


@pytest.fixture
def context(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A browser context that keeps its localStorage across pages, accepts downloads and
    records requests leaving localhost and script errors (the test fails on either)."""
    context = browser.new_context(locale="fr-BE", accept_downloads=True, service_workers="block")
    problems: list[str] = []

    def route(request_route: Any) -> None:
        parts = urlsplit(request_route.request.url)
        if parts.scheme in ("http", "https") and parts.hostname not in LOCAL_HOSTS:
            problems.append("request: " + request_route.request.url)
            request_route.abort()
        else:
            request_route.continue_()

    context.route("**/*", route)
    context.on("page", lambda tab: tab.on("pageerror", lambda error: problems.append(f"error: {error}")))
    yield context, problems
    context.close()
    assert problems == []


def _announced(tab: Any) -> str:
    return str(tab.locator(".maillage-selection-announce").inner_text())


def _star_on_service_page(tab: Any, base: str, service: str) -> None:
    tab.goto(base + f"services/{service}/")
    star = tab.locator(f".maillage-essentials button[data-maillage-star='{service}']")
    assert star.get_attribute("aria-pressed") == "false"
    assert star.get_attribute("aria-label") == "« Équipe mobile 107 - Précarité » dans ma sélection"
    star.click()
    assert star.get_attribute("aria-pressed") == "true"
    tab.wait_for_function("() => document.querySelector('.maillage-selection-announce').textContent !== ''")
    assert _announced(tab) == "« Équipe mobile 107 - Précarité » ajouté à ma sélection (1 en tout)"


def _star_in_search(tab: Any, base: str, query: str, skip: set[str]) -> str:
    """Stars the first service the search finds for ``query`` that is not in ``skip``."""
    tab.goto(base)
    button = tab.locator("label.md-header__button[for='__search']")
    if button.is_visible():
        button.click()
    field = tab.locator("[data-maillage-search-input]")
    field.click()
    field.fill(query)
    field.press("Enter")
    tab.wait_for_selector(".maillage-search__result button.maillage-star:not([hidden])")
    stars = tab.locator(".maillage-search__result button.maillage-star:not([hidden])")
    for k in range(stars.count()):
        star = stars.nth(k)
        service = str(star.get_attribute("data-maillage-star"))
        if service not in skip:
            assert star.get_attribute("aria-pressed") == "false"
            assert re.fullmatch(r"« .+ » dans ma sélection", str(star.get_attribute("aria-label")))
            star.click()
            assert star.get_attribute("aria-pressed") == "true"
            assert _announced(tab).endswith("ajouté à ma sélection (2 en tout)")
            return service
    raise AssertionError(f"no service to star among the results for {query!r}")


def _star_in_orientation(tab: Any, base: str) -> str:
    tab.goto(base + "orient/?age=16&where=Ixelles&need=mental-health")
    match = tab.locator(".maillage-orient-match[data-service='bru-stars-case-management']")
    star = match.locator("button.maillage-star:not([hidden])")
    star.wait_for()
    assert star.get_attribute("aria-pressed") == "false"
    star.click()
    assert star.get_attribute("aria-pressed") == "true"
    assert _announced(tab).endswith("ajouté à ma sélection (3 en tout)")
    return "bru-stars-case-management"


def test_three_stars_a_reload_the_page_its_print_and_its_csv(
    context: tuple[Any, list[str]], site_server: str, tmp_path: Path
) -> None:
    browser_context, _ = context
    tab = browser_context.new_page()
    _star_on_service_page(tab, site_server, "em107-precarite")
    found = _star_in_search(tab, site_server, "Lyon", {"em107-precarite"})
    oriented = _star_in_orientation(tab, site_server)
    starred = ["em107-precarite", found, oriented]
    assert len(set(starred)) == 3

    # After a reload, the service page's star is still pressed.
    tab.goto(site_server + "services/em107-precarite/")
    tab.reload()
    star = tab.locator(".maillage-essentials button[data-maillage-star]")
    tab.wait_for_function("() => !document.querySelector('.maillage-essentials button[data-maillage-star]').hidden")
    assert star.get_attribute("aria-pressed") == "true"

    # The page lists them in the order they were starred, with phone and address or area.
    tab.goto(site_server + "selection/")
    tab.wait_for_selector(".maillage-selection-item >> nth=2")
    items = tab.locator(".maillage-selection-item")
    assert [items.nth(k).get_attribute("data-service") for k in range(3)] == starred
    assert tab.locator(".maillage-selection-count").inner_text() == "Services dans ma sélection : 3"
    em107 = items.nth(0)
    assert em107.locator("h2 a").get_attribute("href") == "../services/em107-precarite/"
    assert em107.locator("a[href='tel:0496268054']").inner_text() == "0496 26 80 54"
    assert "Zone : Région de Bruxelles-Capitale" in em107.inner_text()
    assert em107.locator("[data-action=sms]").count() == 1  # share.js's controls on each
    assert run_axe(tab) == []

    # Printed: one page, without the header, the navigation, the buttons or the share links.
    tab.emulate_media(media="print")
    hidden = tab.evaluate(
        """() => ['.md-header', '.md-sidebar--primary', '.md-footer', '.maillage-selection-actions',
                  '.maillage-selection-send', '.maillage-selection-tools', '.maillage-selection-intro']
            .map(s => [...document.querySelectorAll(s)].every(e => getComputedStyle(e).display === 'none'))"""
    )
    assert all(hidden), hidden
    assert tab.locator(".maillage-selection-date").inner_text().startswith("Liste du ")
    assert all(items.nth(k).is_visible() for k in range(3))
    pdf = tab.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    tab.emulate_media(media="screen")

    # The CSV: UTF-8 with a BOM, a header in the page's language, one row per service.
    with tab.expect_download() as download_info:
        tab.locator("[data-action=csv]").click()
    download = download_info.value
    assert re.fullmatch(r"maillage-selection-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    path = tmp_path / "selection.csv"
    download.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == [
        "Service",
        "Organisation",
        "Téléphone",
        "E-mail",
        "Site web",
        "Adresse",
        "Zone",
        "Comment demander",
        "Statut",
        "Fiche",
    ]
    assert len(rows) == 4
    assert [urlsplit(row[9]).path for row in rows[1:]] == [f"/services/{s}/" for s in starred]
    assert rows[1][:5] == [
        "Équipe mobile 107 - Précarité",
        rows[1][1],
        "0496 26 80 54",
        "Info.precarite@p107bxl-est.be",
        "",
    ]
    assert rows[1][1] and rows[1][6] == "Région de Bruxelles-Capitale"
    assert "0485 71 19 42" in rows[3][2]  # Bru-Stars' public line
    for row in rows[1:]:
        assert all(cell == neutralise(cell) or cell.startswith("'") for cell in row)

    # Removing one: the list, the count and the other pages follow; the focus goes on.
    items.nth(1).locator("[data-action=remove]").click()
    tab.wait_for_function("() => document.querySelectorAll('.maillage-selection-item').length === 2")
    assert tab.locator(".maillage-selection-count").inner_text() == "Services dans ma sélection : 2"
    assert tab.evaluate("document.activeElement.closest('[data-service]').dataset.service") == oriented
    assert _announced(tab).endswith("retiré de ma sélection (2 en tout)")


def test_a_star_in_a_list_of_services(page: Any, site_server: str) -> None:
    """Lists (services, organisations, needs, functions) star a service under its name."""
    page.goto(site_server + "needs/mental-health/")
    star = page.locator("button[data-maillage-star='bru-stars-case-management']")
    star.wait_for()
    assert star.get_attribute("aria-label") == "« Case management clinique de Bru-Stars » dans ma sélection"
    assert star.inner_text().strip() == "☆ Ma sélection"
    star.click()
    assert star.get_attribute("aria-pressed") == "true" and star.inner_text().strip() == "★ Ma sélection"
    assert page.evaluate("JSON.parse(localStorage.getItem('maillage.selection'))") == ["bru-stars-case-management"]
    # The same service's star on its own page is pressed; pressed again there, it is released here.
    page.goto(site_server + "services/bru-stars-case-management/")
    own = page.locator(".maillage-essentials button[data-maillage-star]")
    own.wait_for()
    assert own.get_attribute("aria-pressed") == "true"
    own.click()
    page.go_back()
    page.locator("button[data-maillage-star='bru-stars-case-management']").wait_for()
    assert (
        page.locator("button[data-maillage-star='bru-stars-case-management']").get_attribute("aria-pressed") == "false"
    )
    assert run_axe(page) == []


def test_an_empty_selection_says_how_to_fill_it(page: Any, site_server: str) -> None:
    page.goto(site_server + "nl/selection/")
    page.wait_for_selector(".maillage-selection-empty")
    assert page.locator(".maillage-selection-count").inner_text() == "Diensten in mijn selectie: 0"
    assert "Uw selectie is leeg" in page.locator(".maillage-selection-empty").inner_text()
    assert page.locator(".maillage-selection-actions").is_hidden()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert run_axe(page) == []


def test_the_browser_csv_cells_and_buckets_are_the_servers(page: Any, site_server: str) -> None:
    page.goto(site_server + "selection/")
    page.wait_for_function("() => window.MaillageSelection !== undefined")
    cells = ["=SUM(A1:A2)", "+32 2 880 29 80", "-20.88", "@cmd", "\tx", "\rx", "+cmd|' /C calc'!A0", "-", "Rue 1", ""]
    assert page.evaluate("cells => cells.map(window.MaillageSelection.neutralise)", cells) == [
        neutralise(c) for c in cells
    ]
    ids = sorted(for_audience(load_registry(ROOT), "public").services)
    for buckets in (1, 2, 3, 7, 64):
        assert page.evaluate(
            "([ids, n]) => ids.map(id => window.MaillageSelection.bucketOf(id, n))", [ids, buckets]
        ) == [bucket_of(i, buckets) for i in ids]
