"""Accessibility of the built site beyond axe (issue 25: RGAA 4.1 / WCAG 2.1 AA).

- every page's ``<html lang>`` is its own language, and Material's words (skip link,
  navigation, footer) and the headings' permanent links speak it (RGAA 8.3, 8.4, 8.7);
- no two pages of a language share a ``<title>`` (8.6);
- a skip link on every kind of page, first in the Tab order, to the content (12.7);
- no single-key shortcut: pressing n, ".", p, "," (or s, "/") does nothing (12.10);
- the menu at 375 px (and 320 px: 400 % zoom) opens and closes from the keyboard, its
  links are reached, and the closed drawer's links take no focus (7.3, 10.7, 12.8);
- axe-core finds no serious or critical WCAG 2.1 A/AA violation on the pages this touches;
- the accessibility statement lists exactly ``generator/site/accessibility.yaml``'s criteria.

The conform criteria of ``generator/site/accessibility.yaml`` name the tests here that keep
them so (tests/test_accessibility_page.py checks that they exist).
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from generator.site.accessibility_page import statement
from tests.browser.conftest import run_axe

pytestmark = pytest.mark.browser


@pytest.fixture
def page(shared_page: Any) -> Any:
    """One tab for this module's tests (``shared_page``): they open pages, press keys and read."""
    return shared_page


LANGUAGES = {"": "fr", "nl/": "nl", "en/": "en"}
PHONE = {"width": 375, "height": 812}
ZOOM_400 = {"width": 320, "height": 640}  # 1280 px at 400 %
ZOOM_400_LAPTOP = {"width": 341, "height": 192}  # a 1366 × 768 screen at 400 %
# One page of each kind (in each language; the hand-written pages are French only).
KINDS = (
    "",
    "services/",
    "services/ucsd-lyon/",
    "organisations/",
    "organisations/brusano/",
    "territories/",
    "territories/be-region-04000/",
    "needs/",
    "needs/mental-health/",
    "functions/",
    "functions/housing-first/",
    "map/",
    "orient/",
    "gaps/",
    "gaps/needs/addiction/",
    "downloads/",
    "accessibilite/",
)
FRENCH_ONLY = ("about/", "method/", "contribute/", "territories/fr-commune-93066/")
# Material's words per language (its partials/languages/*.html): the skip link and the
# navigation's name.
MATERIAL_WORDS = {
    "fr": ("Aller au contenu", "Navigation"),
    "nl": ("Ga naar inhoud", "Navigatie"),
    "en": ("Skip to content", "Navigation"),
}
OUR_SKIP = {"fr": "Aller au contenu", "nl": "Naar de inhoud", "en": "Skip to content"}
PERMALINK = {
    "fr": "Lien permanent vers cette section",
    "nl": "Vaste link naar deze sectie",
    "en": "Permanent link to this section",
}
HTML_LANG = re.compile(rb'<html lang="([^"]*)"')


def sample() -> list[str]:
    pages = [prefix + kind for prefix in LANGUAGES for kind in KINDS]
    return pages + list(FRENCH_ONLY)


def lang_of(url: str) -> str:
    first = url.split("/", 1)[0] + "/"
    return LANGUAGES.get(first, "fr")


def read(site: Path, url: str) -> str:
    path = site / url / "index.html"
    assert path.is_file(), f"no page {url}"
    return path.read_text(encoding="utf-8")


def test_html_lang_is_the_page_language(built_site: Path) -> None:
    """Every page of the site, not a sample: nl/… is Dutch, en/… English, the rest French."""
    wrong = []
    pages = 0
    for path in built_site.rglob("index.html"):
        url = path.parent.relative_to(built_site).as_posix()
        if url.startswith(("assets", "pagefind")):
            continue
        pages += 1
        with path.open("rb") as f:
            head = f.read(4096)
        found = HTML_LANG.search(head)
        expected = lang_of(url + "/" if url != "." else "")
        if not found or found.group(1).decode() != expected:
            wrong.append(f"{url}: {found.group(1).decode() if found else None} (expected {expected})")
    assert pages > 100
    assert wrong == []


@pytest.mark.parametrize("url", sample())
def test_interface_words_in_the_page_language(built_site: Path, url: str) -> None:
    html = read(built_site, url)
    lang = lang_of(url)
    skip_word, nav_word = MATERIAL_WORDS[lang]
    assert f'md-nav--primary" aria-label="{nav_word}"' in html
    # The skip link: Material's (pages with a table of contents) or ours, in the language.
    skips = re.findall(r'class="md-skip">\s*([^<]*?)\s*</a>', html)
    assert len(skips) == 1 and skips[0] in (skip_word, OUR_SKIP[lang]), skips
    # The headings' permanent links: named, in the language (never English elsewhere).
    for title in re.findall(r'class="headerlink" href="[^"]*" ([^>]*)>', html):
        assert title == f'title="{PERMALINK[lang]}" aria-label="{PERMALINK[lang]}"'
    others = [words for other, words in PERMALINK.items() if other != lang]
    assert not any(words in html for words in others)
    assert "Made with" not in html or lang == "en"
    # The footer links to the statement in the same language.
    prefix = "" if lang == "fr" else f"{lang}/"
    link = re.search(r'class="maillage-a11y-link"><a href="([^"]*)">', html)
    assert link, "no link to the accessibility statement"
    target = (built_site / url / link.group(1)).resolve()
    assert target == (built_site / prefix / "accessibilite").resolve()


def test_titles_tell_pages_apart(built_site: Path) -> None:
    """No two pages of one language share a <title> (a service and its organisation, the two Saint-Denis)."""
    titles: dict[str, Counter[str]] = {lang: Counter() for lang in LANGUAGES.values()}
    where: dict[tuple[str, str], list[str]] = {}
    for path in built_site.rglob("index.html"):
        url = path.parent.relative_to(built_site).as_posix()
        if url.startswith(("assets", "pagefind")):
            continue
        html = path.read_text(encoding="utf-8")
        found = re.search(r"<title>([^<]*)</title>", html)
        assert found, url
        lang = lang_of(url + "/")
        titles[lang][found.group(1)] += 1
        where.setdefault((lang, found.group(1)), []).append(url)
    duplicates = {key: urls for key, urls in where.items() if len(urls) > 1}
    assert duplicates == {}
    fr = {title for title in titles["fr"]}
    assert "Saint-Denis — Commune (code 93066) - Maillage" in fr
    assert "Saint-Denis — Commune (code 97411) - Maillage" in fr


def _open(page: Any, site_server: str, url: str, viewport: dict[str, int] | None = None) -> None:
    if viewport:
        page.set_viewport_size(viewport)
    page.goto(site_server + url)
    page.wait_for_load_state("load")


@pytest.mark.parametrize("url", sample())
def test_skip_link_on_every_page_kind(page: Any, site_server: str, url: str) -> None:
    """The first Tab stop is a skip link whose target exists; following it leaves the header behind."""
    _open(page, site_server, url)
    first = page.evaluate(
        """() => Array.from(document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]'))
             .find(e => e.tabIndex >= 0 && !e.disabled && getComputedStyle(e).visibility === 'visible'
                        && e.getClientRects().length > 0 || e.classList.contains('md-skip')).className"""
    )
    assert "md-skip" in first.split(), f"the first focusable element is not the skip link: {first}"
    if page.evaluate("() => !!document.querySelector('[autofocus]')"):
        # The orientation's form takes the focus on load (orient_page.py): start from the skip link.
        page.focus(".md-skip")
    else:
        page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({cls: document.activeElement.className, href: document.activeElement.getAttribute('href'),"
        " visible: getComputedStyle(document.activeElement).opacity})"
    )
    assert "md-skip" in focused["cls"].split(), focused
    target = focused["href"]
    assert target.startswith("#")
    assert page.evaluate("(id) => !!document.getElementById(id)", target[1:])
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    inside = page.evaluate(
        "() => !!document.activeElement.closest('.md-content') || document.activeElement.id === 'maillage-content'"
    )
    assert inside, "after the skip link, Tab stays in the header or the menu"


SHORTCUTS = ("n", ".", "p", ",")


@pytest.mark.parametrize("url", ["services/", "nl/needs/", "about/"])
def test_no_single_key_shortcut_navigates(page: Any, site_server: str, url: str) -> None:
    _open(page, site_server, url)
    assert page.evaluate("() => document.querySelectorAll('link[rel=prev], link[rel=next]').length") == 0
    for key in SHORTCUTS:
        page.keyboard.press(key)
        page.wait_for_timeout(150)
        assert page.url == site_server + url, f"the key {key!r} left the page"


@pytest.mark.parametrize("key", ["s", "/"])
def test_no_single_key_shortcut_opens_the_search(page: Any, site_server: str, key: str) -> None:
    _open(page, site_server, "services/")
    page.keyboard.press(key)
    page.wait_for_timeout(150)
    state = page.evaluate(
        "() => ({search: document.getElementById('__search').checked, tag: document.activeElement.tagName})"
    )
    assert state == {"search": False, "tag": "BODY"}


MENU_STATE = """() => {
  const b = document.querySelector('[data-maillage-menu]');
  const a = document.activeElement;
  const r = a.getBoundingClientRect();
  return {open: document.getElementById('__drawer').checked, expanded: b.getAttribute('aria-expanded'),
          name: b.getAttribute('aria-label'), inDrawer: !!a.closest('.md-sidebar--primary'),
          isButton: a === b, tag: a.tagName, href: a.getAttribute('href'),
          onScreen: r.width > 0 && r.left >= 0 && r.right <= innerWidth + 1};
}"""


def _settled(page: Any) -> dict[str, Any]:
    """The menu's state once the focused element has slid on screen (Material's transitions)."""
    with contextlib.suppress(PlaywrightTimeout):  # then the state says what is wrong
        page.wait_for_function(
            """() => { const r = document.activeElement.getBoundingClientRect();
                       return r.width > 0 && r.left >= 0 && r.right <= innerWidth + 1; }""",
            timeout=3000,
        )
    state: dict[str, Any] = page.evaluate(MENU_STATE)
    return state


def _tab_to_menu(page: Any) -> None:
    # From the top of the page (the orientation's form takes the focus on load).
    page.focus(".md-skip")
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('[data-maillage-menu]')"):
            return
    pytest.fail("Tab never reaches the menu's button")


@pytest.mark.parametrize(
    ("url", "viewport", "name"),
    [
        ("services/ucsd-lyon/", PHONE, "Menu"),
        ("nl/orient/", PHONE, "Menu"),
        ("en/", ZOOM_400, "Menu"),
        ("gaps/", ZOOM_400, "Menu"),
        ("needs/", ZOOM_400_LAPTOP, "Menu"),
    ],
)
def test_menu_opens_by_keyboard_and_reaches_a_link(
    page: Any, site_server: str, url: str, viewport: dict[str, int], name: str
) -> None:
    _open(page, site_server, url, viewport)
    _tab_to_menu(page)
    state = page.evaluate(MENU_STATE)
    assert state["name"] == name and state["expanded"] == "false" and not state["open"]
    page.keyboard.press("Enter")
    state = _settled(page)
    assert state["open"] and state["expanded"] == "true"
    assert state["inDrawer"] and state["onScreen"], state
    # Tab through the drawer: every stop is on screen, and a page link comes.
    reached = None
    for _ in range(30):
        state = _settled(page)
        if state["inDrawer"]:
            assert state["onScreen"], f"focus off screen in the drawer: {state}"
            if state["tag"] == "A" and state["href"]:
                reached = state["href"]
                break
        page.keyboard.press("Tab")
    assert reached, "no link of the drawer reached by Tab"
    # Escape closes it and gives focus back to the button.
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    state = page.evaluate(MENU_STATE)
    assert not state["open"] and state["isButton"] and state["expanded"] == "false"
    # Space opens it too.
    page.keyboard.press(" ")
    page.wait_for_timeout(300)
    assert page.evaluate(MENU_STATE)["open"]


def test_tab_out_of_the_drawer_closes_it(page: Any, site_server: str) -> None:
    """Past the drawer's last entry, the drawer closes: focus never lands under its overlay."""
    _open(page, site_server, "needs/", PHONE)
    _tab_to_menu(page)
    page.keyboard.press("Enter")
    for _ in range(40):
        page.keyboard.press("Tab")
        state = page.evaluate(MENU_STATE)
        if not state["inDrawer"]:
            break
    page.wait_for_timeout(400)
    state = page.evaluate(MENU_STATE)
    assert not state["inDrawer"] and not state["open"] and state["expanded"] == "false", state


def test_menu_sections_open_by_keyboard(page: Any, site_server: str) -> None:
    """At 375 px, the drawer's sections (Annuaire, À propos) open and close with Enter and Space."""
    _open(page, site_server, "map/", PHONE)
    _tab_to_menu(page)
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    found = False
    for _ in range(30):
        label = page.evaluate(
            "() => document.activeElement.matches('label.md-nav__link[for] > .maillage-toggle') ?"
            " document.activeElement.parentElement.getAttribute('for') : null"
        )
        if label:
            found = True
            break
        page.keyboard.press("Tab")
    assert found, "no section toggle reached"
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "button"
    page.keyboard.press(" ")
    page.wait_for_timeout(400)
    assert page.evaluate(f"() => document.getElementById('{label}').checked")
    # Focus is in the opened panel, on its "back" title, and a link of the panel comes next.
    assert page.evaluate(
        f"() => document.activeElement.matches('label.md-nav__title[for=\"{label}\"] > .maillage-toggle')"
    )
    page.keyboard.press("Tab")
    state = _settled(page)
    assert state["tag"] == "A" and state["onScreen"], state
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)
    assert not page.evaluate(f"() => document.getElementById('{label}').checked")


@pytest.mark.parametrize("viewport", [PHONE, ZOOM_400, ZOOM_400_LAPTOP])
@pytest.mark.parametrize("url", ["services/ucsd-lyon/", "nl/map/", "en/downloads/"])
def test_closed_drawer_links_take_no_focus(page: Any, site_server: str, url: str, viewport: dict[str, int]) -> None:
    _open(page, site_server, url, viewport)
    focusable = page.evaluate(
        """() => Array.from(document.querySelectorAll(
               '.md-sidebar--primary a[href], .md-sidebar--primary [tabindex="0"]'))
             .filter(e => getComputedStyle(e).visibility === 'visible').length"""
    )
    assert focusable == 0
    for _ in range(25):
        page.keyboard.press("Tab")
        assert not page.evaluate("() => !!document.activeElement.closest('.md-sidebar--primary')")


def test_drawer_is_plain_navigation_on_a_wide_screen(page: Any, site_server: str) -> None:
    """At 1366 px the menu's button is hidden and the navigation's links are in the Tab order."""
    _open(page, site_server, "services/", {"width": 1366, "height": 800})
    assert not page.is_visible("[data-maillage-menu]")
    visible = page.evaluate(
        """() => Array.from(document.querySelectorAll('.md-sidebar--primary a[href]'))
             .filter(e => getComputedStyle(e).visibility === 'visible').length"""
    )
    assert visible > 5
    assert page.evaluate("() => document.querySelectorAll('.md-sidebar--primary [role=button]').length") == 0


@pytest.mark.parametrize(
    ("url", "viewport"),
    [
        ("accessibilite/", None),
        ("nl/accessibilite/", PHONE),
        ("en/accessibilite/", None),
        ("services/ucsd-lyon/", PHONE),
        ("nl/orient/", None),
        ("en/map/", PHONE),
        ("nl/gaps/", None),
        ("", PHONE),
        ("needs/", None),
    ],
)
def test_axe_finds_nothing_serious(page: Any, site_server: str, url: str, viewport: dict[str, int] | None) -> None:
    _open(page, site_server, url, viewport)
    assert run_axe(page) == []
    if viewport == PHONE:
        _tab_to_menu(page)
        page.keyboard.press("Enter")
        page.wait_for_timeout(400)
        assert run_axe(page) == []


@pytest.mark.parametrize("prefix", list(LANGUAGES))
def test_statement_lists_the_data_file(built_site: Path, prefix: str) -> None:
    html = read(built_site, prefix + "accessibilite/")
    data = statement()
    failing = re.findall(
        r"<li><strong>([\d.]+)</strong>", html.split('class="maillage-a11y-failing"')[1].split("</ul>")[0]
    )
    fixed = re.findall(r"<li><strong>([\d.]+)</strong>", html.split('class="maillage-a11y-fixed"')[1].split("</ul>")[0])
    assert failing == [c.id for c in data.failing]
    assert fixed == [c.id for c in data.criteria if c.status == "conform"]
    assert f"{data.rate} %" in html.replace("&nbsp;", " ")
