"""The scripts' words come from the catalogues: ``assets/maillage/words/<lang>.json``.

On the real built site (shared browser fixtures): the search panel, the sortable tables and
the service map speak the page's language with the words of the compiled file, which the
search fetches once, when it is first used, never on a plain page load; without the file
(a site opened from ``file://``) the panel keeps the words the server wrote into it and
never shows a key.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator import locale

pytestmark = pytest.mark.browser

WORDS = "**/assets/maillage/words/*.json"


def _words_requested(page: Any) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if "/assets/maillage/words/" in request.url else None)
    return seen


def _search(page: Any, url: str, query: str) -> str:
    """Open ``url``, search ``query``; the panel's status once the search has answered."""
    page.goto(url)
    button = page.locator("label.md-header__button[for='__search']")
    if button.is_visible():
        button.click()
    field = page.locator("[data-maillage-search-input]")
    field.click()
    field.fill(query)
    field.press("Enter")
    page.wait_for_function(
        "() => { const root = document.querySelector('[data-maillage-search]');"
        " return root && !root.hasAttribute('aria-busy')"
        " && root.querySelector('[data-maillage-search-status]').textContent.trim() !== ''"
        " && !root.querySelector('[data-maillage-search-status]').textContent.includes('…'); }"
    )
    return str(page.locator("[data-maillage-search-status]").text_content()).strip()


@pytest.mark.parametrize(
    ("path", "lang", "expected"),
    [("", "fr", "Aucun résultat"), ("nl/", "nl", "Geen resultaten"), ("en/", "en", "No results")],
)
def test_the_search_status_speaks_the_pages_language_from_its_words_file(
    page: Any, site_server: str, built_site: Path, path: str, lang: str, expected: str
) -> None:
    shipped = json.loads((built_site / "assets" / "maillage" / "words" / f"{lang}.json").read_text(encoding="utf-8"))
    assert shipped["js.search.results0"] == expected == locale.t("js.search.results0", lang)
    requested = _words_requested(page)
    assert _search(page, site_server + path, "zzzz") == expected  # found nowhere, too short to retry
    assert requested == [f"{site_server}assets/maillage/words/{lang}.json"]  # once


def test_the_words_shown_are_the_files_not_the_scripts(page: Any, site_server: str, built_site: Path) -> None:
    # A reworded file (as a translator's edit of nl/maillage.po compiles to) is what the panel shows.
    words = json.loads((built_site / "assets" / "maillage" / "words" / "nl.json").read_text(encoding="utf-8"))
    words["js.search.results0"] = "Niets gevonden, sorry"
    words["js.search.resultsN"] = "{n} diensten"
    body = json.dumps(words)
    page.route(WORDS, lambda route: route.fulfill(status=200, content_type="application/json", body=body))
    assert _search(page, site_server + "nl/", "zzzz") == "Niets gevonden, sorry"
    status = _search(page, site_server + "nl/", "case management")
    # The status may first say how the query was read ("Gelezen als: … ."), then the count.
    found = re.search(r"(\d+) diensten$", status)
    assert found and int(found.group(1)) >= 2, status
    # The words of a found service: "Voor wie?" beside what it is for.
    page.wait_for_selector(".maillage-search__org strong")
    assert page.locator(".maillage-search__org strong").first.text_content() == "Voor wie? "


def test_a_plain_page_load_fetches_no_words(page: Any, site_server: str) -> None:
    requested = _words_requested(page)
    page.goto(site_server + "nl/")
    page.wait_for_load_state("networkidle")
    assert requested == []
    # The panel, before any search, shows the words the server wrote in the page's language.
    status = str(page.locator("[data-maillage-search-status]").text_content()).strip()
    assert status == locale.t("js.search.start", "nl")
    assert page.locator("[data-maillage-search-facets-toggle]").text_content() == locale.t("js.search.filters", "nl")


def test_without_its_words_file_the_panel_keeps_the_servers_words_and_never_shows_a_key(
    page: Any, site_server: str
) -> None:
    page.route(WORDS, lambda route: route.abort())
    toggle = page.locator("[data-maillage-search-facets-toggle]")
    assert _search(page, site_server + "nl/", "zzzz") == "0"  # the count, as its number
    assert toggle.text_content() == locale.t("js.search.filters", "nl")
    page.locator("[data-maillage-search-input]").fill("")
    page.locator("[data-maillage-search-input]").press("Enter")
    page.wait_for_function(
        "text => document.querySelector('[data-maillage-search-status]').textContent.trim() === text",
        arg=locale.t("js.search.start", "nl"),
    )
    assert "js." not in str(page.locator("[data-maillage-search]").text_content())


@pytest.mark.parametrize(("path", "lang"), [("", "fr"), ("nl/", "nl")])
def test_sortable_tables_and_the_service_map_name_their_buttons_in_the_pages_language(
    page: Any, site_server: str, path: str, lang: str
) -> None:
    page.goto(f"{site_server}{path}gaps/")
    # The gap report may be French only under nl/: the words are those of its <html lang>.
    sort = locale.t("js.sort.button", page.evaluate("() => document.documentElement.lang"))
    page.wait_for_function(
        "title => document.querySelector('table.maillage-sortable button.maillage-sort')?.title === title", arg=sort
    )
    page.goto(f"{site_server}{path}services/clsm-saint-etienne-incurie/")
    zoom_in = page.locator(".maillage-map .leaflet-control-zoom-in")
    zoom_in.wait_for()
    page.wait_for_function(
        "name => document.querySelector('.maillage-map .leaflet-control-zoom-in')?.title === name",
        arg=locale.t("js.map.zoom_in", lang),
    )
    assert zoom_in.get_attribute("aria-label") == locale.t("js.map.zoom_in", lang)
    zoom_out = page.locator(".maillage-map .leaflet-control-zoom-out")
    assert zoom_out.get_attribute("title") == locale.t("js.map.zoom_out", lang)
