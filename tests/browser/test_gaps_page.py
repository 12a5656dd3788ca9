"""The gap report on a phone (issue 19): its sentences on the first screen, tables that
scroll inside themselves, figures right-aligned, names never broken inside a word.

The real site (``built_site``), Chromium at 375 × 812.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import GAP_HEADLINE, gap_page_sample, gap_pages, visible_text

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
ISO_DATE = re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b")
ARTICLE = re.compile(r"<article\b[^>]*>(.*)</article>", re.S)
HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S)  # no text a reader sees


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, service_workers="block", locale="fr-BE")
    context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    yield context.new_page()
    context.close()


def test_every_gap_page_opens_with_its_sentences(built_site: Path) -> None:
    """Every built page of the report, in every language (read as files: no browser needed): 3 to 5
    sentences with figures in the headline, and no ISO date anywhere in the article."""
    paths = gap_pages(built_site)
    assert {"gaps/", "nl/gaps/", "en/gaps/", "gaps/needs/homelessness/"} <= set(paths)
    for path in paths:
        page = (built_site / path / "index.html").read_text(encoding="utf-8")
        headline = GAP_HEADLINE.search(page)
        assert headline, path
        assert 3 <= len(re.findall(r"<p\b", headline.group(1))) <= 5, path
        assert re.search(r"\d", visible_text(headline.group(1))), path
        article = ARTICLE.search(page)
        assert article, path
        text = visible_text(HIDDEN.sub("", article.group(1)))
        assert not ISO_DATE.search(text), (path, ISO_DATE.search(text))


def test_first_screen_shows_the_sentences(phone: Any, site_server: str, built_site: Path) -> None:
    """On a phone, the headline's sentences are on the first screen, whole, before any table.

    Opened in Chromium: the overview and, of the pages per need and per function (one
    template each, the same blocks above the tables), the largest and the one with the
    longest title and headline in each language (``gap_page_sample``): if those fit, the
    shorter ones of the same template do. The words of every page are checked above."""
    paths = gap_page_sample(built_site)
    assert len(paths) >= 9 and {"gaps/", "nl/gaps/", "en/gaps/"} <= set(paths)
    assert any("/needs/" in p for p in paths) and any("/functions/" in p for p in paths)
    below: dict[str, Any] = {}
    for path in paths:
        phone.goto(site_server + path)
        headline = phone.locator(".maillage-gaps-headline")
        sentences = headline.locator("p")
        assert 3 <= sentences.count() <= 5, path
        # Every sentence is on the first screen, whole: the reader sees them before any table.
        last = sentences.nth(sentences.count() - 1).bounding_box()
        if last is None or last["y"] + last["height"] > PHONE["height"]:
            below[path] = last
        assert re.search(r"\d", headline.inner_text()), path
        assert not ISO_DATE.search(phone.locator("article").inner_text()), path
    assert not below, f"headline below the first screen: {below}"


def test_tables_scroll_inside_and_read_well(phone: Any, site_server: str) -> None:
    phone.goto(site_server + "gaps/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    region = phone.locator(".maillage-scroll:has(.maillage-gaps-territories)")
    # The table is wider than the phone: its container scrolls, from the keyboard too.
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
    region.focus()
    assert phone.evaluate("document.activeElement.classList.contains('maillage-scroll')")
    outline = region.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"  # the focus is visible
    phone.keyboard.press("ArrowRight")
    # Polled from here: the page's Content-Security-Policy forbids wait_for_function's eval.
    for _ in range(50):
        if region.evaluate("e => e.scrollLeft") > 0:
            break
        phone.wait_for_timeout(100)
    assert region.evaluate("e => e.scrollLeft") > 0
    # Figures right-aligned in tabular digits.
    population = phone.locator(".maillage-gaps-territories tbody tr").first.locator("td").nth(0)
    style = population.evaluate("e => [getComputedStyle(e).textAlign, getComputedStyle(e).fontVariantNumeric]")
    assert style == ["right", "tabular-nums"]
    # Territory names break between words only: every word of every name on one line.
    broken = phone.evaluate(
        """() => {
            const out = [];
            for (const cell of document.querySelectorAll('.maillage-gaps-territories th.maillage-name')) {
                const s = getComputedStyle(cell.querySelector('a') || cell);
                if (s.wordBreak === 'break-all' || s.hyphens === 'auto' || s.overflowWrap === 'anywhere')
                    out.push(cell.textContent + ': ' + s.wordBreak + ' ' + s.hyphens + ' ' + s.overflowWrap);
                const node = (cell.querySelector('a') || cell).firstChild;
                if (!node || node.nodeType !== 3) continue;
                const text = node.textContent;
                const re = /[^\\s\\-]+/g;
                let m;
                while ((m = re.exec(text))) {
                    const range = document.createRange();
                    range.setStart(node, m.index);
                    range.setEnd(node, m.index + m[0].length);
                    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                    if (tops.size > 1) out.push(text + ' / ' + m[0]);
                }
            }
            return out;
        }"""
    )
    assert not broken, broken


def test_unknown_population_and_to_check_cells(phone: Any, site_server: str) -> None:
    phone.goto(site_server + "gaps/")
    brussels = phone.locator('tr[id="be-region-04000"] td').nth(0)
    assert brussels.inner_text() == "population inconnue"
    assert phone.locator(".maillage-gaps-note").inner_text().startswith("« Population inconnue »")
    unknown = phone.locator('tr[id="fr-dep-69"] td.maillage-gaps-unknown').first
    assert unknown.inner_text().startswith("?") and unknown.get_attribute("title") is None
    # The services behind the cell, named under the table: Lyon's, à vérifier, in the Rhône.
    phone.locator(".maillage-gaps-services summary").click()
    rhone = phone.locator('.maillage-gaps-services > ul > li:has(> a[href$="fr-dep-69/"])')
    assert "À vérifier : Un chez-soi d'abord – Lyon" in rhone.inner_text()
