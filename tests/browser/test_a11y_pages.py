"""Every kind of page, in French, Dutch and English, against axe-core and the reflow rule
(issue 25: RGAA 4.1 / WCAG 2.1 AA).

- axe-core (WCAG 2.1 A and AA rules, and its best practices) finds no violation at all, of
  any impact, on each kind of page — home, service, organisation, need, function,
  territory, gaps, orientation with its results, map, downloads, accessibility statement,
  search with its results — at 1366 px, and at 375 px in French (the phone layout is the
  same markup under other words) (RGAA 1.1, 3.2, 5.x, 6.2, 8.x, 9.x,
  11.1, 12.6…);
- at 320 px (1280 px at 400 %), no page scrolls sideways (RGAA 10.11, WCAG 1.4.10).

Fast on purpose: one browser context per language, one tab reused from page to page, and
axe injected once per page load and run at both widths without reloading; a request
leaving the machine is stopped in Playwright's driver (``conftest._guard``), so the page's
own requests never wait on Python.

The criteria of ``generator/site/accessibility.yaml`` name these tests
(tests/test_accessibility_page.py checks that they exist).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import AXE, _guard

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 800}
PHONE = {"width": 375, "height": 812}
NARROW = {"width": 320, "height": 640}  # 1280 px at 400 %
LANGUAGES = {"fr": "", "nl": "nl/", "en": "en/"}
# A place of the registry in each language's own words, for the orientation's results.
PLACE = {"fr": "Lyon", "nl": "Schaarbeek", "en": "Ixelles"}
SEARCH = {"fr": "logement", "nl": "huisvesting", "en": "housing"}
KINDS = {
    "home": "",
    "service": "services/ucsd-lyon/",
    "organisation": "organisations/brusano/",
    "need": "needs/mental-health/",
    "function": "functions/housing-first/",
    "territory": "territories/be-region-04000/",
    "gaps": "gaps/",
    "gaps-need": "gaps/needs/addiction/",
    "orient": "orient/?age=30&where={place}&need=mental-health",
    "map": "map/",
    "downloads": "downloads/",
    "accessibilite": "accessibilite/",
    "search": "?q={query}",
}
# What a page shows once its script has run: the orientation's results, the search's.
READY = {
    "orient": "#maillage-orient-summary",
    "search": ".maillage-search__result",
}
# The gap table's 2,000 cells are alike: axe reads the first rows and those that hold a
# kind of cell not seen yet (gap, à vérifier, partial, one, several); the other rows are
# taken out of the page first (axe's contrast rule took a minute over all of them).
SAMPLE_ROWS = """() => {
    const seen = new Set();
    for (const table of document.querySelectorAll('.maillage-gaps-territories')) {
        Array.from(table.tBodies[0].rows).forEach((row, i) => {
            const kinds = Array.from(row.cells).map(c => c.className).filter(k => !seen.has(k));
            kinds.forEach(k => seen.add(k));
            if (i >= 3 && !kinds.length) row.remove();
        });
    }
}"""
AXE_RUN = """async () => {
    const r = await axe.run(document, {runOnly: {type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
    return r.violations.map(v => ({id: v.id, impact: v.impact,
        nodes: v.nodes.slice(0, 4).map(n => n.target.join(" "))}));
}"""


@pytest.fixture(scope="module")
def tabs(browser: Any) -> Iterator[dict[str, Any]]:
    """One context and one tab per language, reused by every test of the module; a request
    leaving this machine is aborted and fails the test that made it."""
    contexts: list[Any] = []
    leaks: list[str] = []
    opened: dict[str, Any] = {"leaks": leaks}
    for lang in LANGUAGES:
        context = browser.new_context(
            locale={"fr": "fr-FR", "nl": "nl-BE", "en": "en-GB"}[lang], service_workers="block"
        )
        _guard(context, lambda: leaks)  # matched in the driver: local requests never reach Python
        contexts.append(context)
        opened[lang] = context.new_page()
    yield opened
    for context in contexts:
        context.close()


def _url(lang: str, kind: str) -> str:
    return LANGUAGES[lang] + KINDS[kind].format(place=PLACE[lang], query=SEARCH[lang])


def _load(tab: Any, site_server: str, lang: str, kind: str, viewport: dict[str, int]) -> None:
    tab.set_viewport_size(viewport)
    tab.goto(site_server + _url(lang, kind), wait_until="load")
    if kind in READY:
        tab.wait_for_selector(READY[kind], state="attached", timeout=10000)
    tab.wait_for_timeout(150)  # Material's and our scripts settle (menu, sortable headers)


def _axe(tab: Any) -> list[dict[str, Any]]:
    if not tab.evaluate("() => typeof axe !== 'undefined'"):
        tab.evaluate(AXE.read_text(encoding="utf-8"))
        tab.evaluate(SAMPLE_ROWS)
    violations: list[dict[str, Any]] = tab.evaluate(AXE_RUN)
    return violations


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "gaps-need"])  # gaps/ has its tables, and more
@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_axe_finds_no_violation_on_any_page_kind(tabs: dict[str, Any], site_server: str, lang: str, kind: str) -> None:
    tab = tabs[lang]
    _load(tab, site_server, lang, kind, WIDE)
    found = {"1366": _axe(tab)}
    if lang == "fr":  # the phone layout is the same markup in every language: read once, in French
        tab.set_viewport_size(PHONE)
        tab.wait_for_timeout(100)
        found["375"] = _axe(tab)
    assert found == ({"1366": [], "375": []} if lang == "fr" else {"1366": []})
    assert tabs["leaks"] == []
    assert len(tab.context.pages) == 1  # no window opened without the user (RGAA 13.2)


SEARCH_OVERLAY = pytest.mark.xfail(
    strict=True,
    reason="Material's search overlay, open, is scaled past the page at 320 px (search helper's component)",
)


@pytest.mark.parametrize("kind", [pytest.param(k, marks=SEARCH_OVERLAY) if k == "search" else k for k in KINDS])
@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_no_page_kind_scrolls_sideways_at_320_px(tabs: dict[str, Any], site_server: str, lang: str, kind: str) -> None:
    tab = tabs[lang]
    _load(tab, site_server, lang, kind, NARROW)
    assert tab.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]


# ---- The built HTML, read without a browser: every page of the sample, every language. ----

STATIC_KINDS = [k for k in KINDS if "{" not in KINDS[k] and "?" not in KINDS[k]] + ["orient"]
GENERIC_LINKS = {
    "ici",
    "cliquez ici",
    "lire la suite",
    "en savoir plus",
    "here",
    "click here",
    "read more",
    "hier",
    "meer",
}


def _static_pages(site: Path) -> list[tuple[str, str]]:
    pages = []
    for prefix in LANGUAGES.values():
        for kind in STATIC_KINDS:
            url = prefix + KINDS[kind].split("?")[0]
            pages.append((url, (site / url / "index.html").read_text(encoding="utf-8")))
    return pages


def test_every_page_has_a_doctype_a_title_and_no_presentation_markup(built_site: Path) -> None:
    """RGAA 8.1 (doctype first), 8.5 (a <title>), 10.1 (presentation by CSS only: no
    presentational element or attribute)."""
    for url, html in _static_pages(built_site):
        assert html.lstrip().lower().startswith("<!doctype html>"), url
        assert re.search(r"<title>[^<]+</title>", html), url
        assert not re.search(r"<(font|center|big|blink|marquee|u|s|tt)\b", html, re.I), url
        body = html.split("<body", 1)[1]
        presentational = re.findall(
            r"<(?!img|svg|rect|path|col|canvas|source|image|iframe)(\w+)[^>]*\s(align|bgcolor|border|valign|hspace|vspace)=",
            body,
        )
        assert presentational == [], url


def test_images_have_a_text_alternative_or_are_hidden(built_site: Path) -> None:
    """RGAA 1.1, 1.2, 1.3: every <img> has an alt, never a file name; inline SVG icons are
    hidden from assistive technologies or named."""
    for url, html in _static_pages(built_site):
        for tag in re.findall(r"<img\b[^>]*>", html):
            alt = re.search(r'\salt="([^"]*)"', tag)
            assert alt is not None, f"{url}: {tag}"
            assert not re.search(r"\.(png|jpe?g|svg|gif|webp)$", alt.group(1), re.I), f"{url}: {tag}"


def test_links_say_where_they_go(built_site: Path) -> None:
    """RGAA 6.1, 6.2: no link without a name, no link named only "ici" / "read more"."""
    for url, html in _static_pages(built_site):
        for attrs, inner in re.findall(r"<a\b([^>]*)>(.*?)</a>", html, re.S):
            if "href=" not in attrs:
                continue
            text = re.sub(r"<[^>]+>", "", inner).strip().lower()
            label = re.search(r'aria-label="([^"]+)"', attrs) or re.search(r'title="([^"]+)"', attrs)
            has_img_alt = re.search(r'<img[^>]*alt="[^"]+"', inner) or re.search(r"<svg[^>]*aria-label", inner)
            assert text or label or has_img_alt, f"{url}: a link without a name: <a{attrs}>"
            assert text not in GENERIC_LINKS, f"{url}: a link named {text!r}"


def test_navigation_and_search_are_on_every_page(built_site: Path) -> None:
    """RGAA 12.1, 12.2, 12.5: on every page, the menu reaches the same main pages, and the
    search has its button."""
    core = ("services/", "organisations/", "map/", "orient/", "gaps/", "downloads/")
    for url, html in _static_pages(built_site):
        prefix = url[:3] if url.startswith(("nl/", "en/")) else ""
        assert "data-maillage-search-open" in html or 'for="__search"' in html, url
        nav = html.split("md-nav--primary", 1)[1].split('class="md-content"', 1)[0]
        reached = {posixpath.normpath(posixpath.join(url, h)) + "/" for h in re.findall(r'href="([^"#:]+)"', nav)}
        missing = [c for c in core if prefix + c not in reached]
        assert missing == [], f"{url}: the menu does not reach {missing}"


def _label_of(html: str, field: str) -> str:
    found = re.search(rf'<label for="{field}">([^<]*)</label>', html)
    assert found, field
    return found.group(1).strip()


def test_same_fields_have_the_same_labels_next_to_them(built_site: Path) -> None:
    """RGAA 11.2-11.5, 11.7: the orientation's fields have a label that says what to type,
    the same on the home page and the orientation page, right before its field; the needs'
    checkboxes are grouped in a fieldset with a legend."""
    for prefix in LANGUAGES.values():
        orient = (built_site / prefix / "orient" / "index.html").read_text(encoding="utf-8")
        home = (built_site / prefix / "index.html").read_text(encoding="utf-8")
        labels = [_label_of(orient, f) for f in ("mo-age", "mo-where", "mo-housing")]
        assert all(labels) and len(set(labels)) == 3, labels
        for field in ("mo-age", "mo-where"):
            # The label right before its field (only spaces or a line break between).
            assert re.search(rf'<label for="{field}">[^<]*</label>\s*<input id="{field}"', orient), field
        # The home page's first fields of the orientation: the same words as the page's.
        for css, field in (("maillage-home-age", "mo-age"), ("maillage-home-where", "mo-where")):
            found = re.search(rf'<label class="{css}">([^<]*)<input', home)
            assert found and found.group(1).strip() == _label_of(orient, field), (prefix, field)
        group = orient.split('<fieldset class="maillage-orient-needs">', 1)[1].split("</fieldset>", 1)[0]
        legend = re.search(r"<legend>([^<]+)</legend>", group)
        assert legend and legend.group(1).strip()
        assert group.count('type="checkbox" name="need"') > 3
        assert orient.count('name="need"') == group.count('name="need"')  # every need in the group


@pytest.mark.parametrize("lang", ["fr"])
def test_text_spacing_clips_nothing(tabs: dict[str, Any], site_server: str, lang: str) -> None:
    """RGAA 10.12 (WCAG 1.4.12): with the text spacing a reader may set (line height 1.5,
    paragraphs 2 em apart, letters 0.12 em, words 0.16 em), no page scrolls sideways at 375
    px and no text box cuts its text."""
    tab = tabs[lang]
    clipped = {}
    for kind in ("home", "service", "gaps", "orient", "map", "accessibilite"):
        _load(tab, site_server, lang, kind, PHONE)
        tab.add_style_tag(
            content="* { line-height: 1.5 !important; letter-spacing: 0.12em !important;"
            " word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"
        )
        found = tab.evaluate(
            """() => {
            const out = [];
            const width = document.documentElement.scrollWidth;
            if (width > innerWidth) out.push('page ' + width);
            const boxes = 'article p, article li, article th, article td, article label, article button';
            for (const e of document.querySelectorAll(boxes)) {
                const s = getComputedStyle(e);
                const cut = e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1;
                if (s.overflow === 'hidden' && cut)
                    out.push(e.tagName + ': ' + e.textContent.trim().slice(0, 40));
            }
            return out.slice(0, 5);
        }"""
        )
        if found:
            clipped[kind] = found
    assert clipped == {}


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_landscape_phone_scrolls_no_page_sideways(tabs: dict[str, Any], site_server: str, lang: str) -> None:
    """RGAA 13.9: a phone held sideways (812 × 375) shows every kind of page, no sideways scroll."""
    tab = tabs[lang]
    wide = {}
    for kind in ("home", "service", "gaps", "orient", "map", "downloads"):
        _load(tab, site_server, lang, kind, {"width": 812, "height": 375})
        width = tab.evaluate("() => document.documentElement.scrollWidth")
        if width > 812:
            wide[kind] = width
    assert wide == {}


@pytest.mark.parametrize("kind", ["service", "gaps", "orient", "accessibilite"])
def test_content_and_order_hold_without_styles(tabs: dict[str, Any], site_server: str, kind: str) -> None:
    """RGAA 10.2, 10.3: with every style sheet off, the page's title and text are all there,
    and in order: the skip link, then the title, then the content."""
    tab = tabs["fr"]
    _load(tab, site_server, "fr", kind, WIDE)
    styled = tab.evaluate("() => document.querySelector('article').innerText.replace(/\\s+/g, ' ').trim()")
    state = tab.evaluate(
        """() => {
        for (const sheet of document.styleSheets) sheet.disabled = true;
        document.querySelectorAll('[style]').forEach(e => e.removeAttribute('style'));
        const text = document.body.innerText.replace(/\\s+/g, ' ');
        const h1 = document.querySelector('h1').innerText.trim();
        const skip = document.querySelector('.md-skip').innerText.trim();
        return {text, h1, skip, article: document.querySelector('article').innerText.replace(/\\s+/g, ' ').trim()};
    }"""
    )
    assert state["h1"] and state["h1"] in state["text"]
    assert state["text"].index(state["skip"]) < state["text"].index(state["h1"])
    # Unstyled, the article says at least what it said styled (nothing was drawn by CSS alone).
    words = set(re.findall(r"\w{4,}", styled))
    missing = words - set(re.findall(r"\w{4,}", state["article"]))
    assert not missing, sorted(missing)[:10]
