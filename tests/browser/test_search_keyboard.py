"""The search panel from the keyboard (issue 25: RGAA 10.7, 11.6, 12.8, 12.10), in Chromium
on the shipped site.

Keyboard journeys: reach the field (or, on a phone, the magnifier button), type, open the
filters, unfold a group, tick a value, close with Escape; after every action the focus is
on a control that is on screen, never on ``<body>``. The panel opens when one types or asks
for it, not on focus alone, and closes when the focus leaves it. axe-core finds nothing
(WCAG 2.1 A/AA and best practice) in the open panel, with results and filters, in French,
Dutch and English at 1366 and 375 px.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import AXE

pytestmark = pytest.mark.browser


@pytest.fixture
def page(shared_page: Any) -> Any:
    """One tab for this module's tests (``shared_page``): they open pages, press keys and read."""
    return shared_page


WIDE = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 812}
QUERIES = {"": "santé mentale bruxelles", "nl/": "geestelijke gezondheid Brussel", "en/": "mental health brussels"}

FOCUS = """() => {
  const a = document.activeElement;
  const r = a.getBoundingClientRect();
  return {tag: a.tagName, cls: a.className, facet: (a.closest('[data-facet]') || {}).dataset?.facet || null,
          value: a.value === undefined ? null : a.value, checked: !!a.checked,
          role: a.getAttribute('role'), inPanel: !!a.closest('[data-maillage-search]'),
          onScreen: r.width > 0 && r.height > 0 && getComputedStyle(a).visibility === 'visible',
          open: document.getElementById('__search').checked};
}"""


def _focus(page: Any) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(FOCUS)
    assert state["tag"] != "BODY", "the focus fell to <body>"
    return state


def _tab_to(page: Any, selector: str, limit: int = 40, backwards: bool = False) -> dict[str, Any]:
    """Tab (Shift+Tab) until ``selector`` has the focus; every stop on the way is on screen."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        state = _focus(page)
        assert state["onScreen"], f"a focus stop off screen or hidden: {state}"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return state
    pytest.fail(f"Tab never reaches {selector}")


def _results(page: Any) -> int:
    page.wait_for_function(
        """() => { const r = document.querySelector('[data-maillage-search]');
                   return r && !r.hasAttribute('aria-busy')
                       && document.querySelectorAll('.maillage-search__result').length > 0; }""",
        timeout=20000,
    )
    return int(page.locator(".maillage-search__result").count())


def _settle(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-maillage-search]').hasAttribute('aria-busy')", timeout=20000
    )
    page.wait_for_timeout(150)


def _start(page: Any, site_server: str, url: str, viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    page.goto(site_server + url)
    page.wait_for_load_state("load")
    page.focus(".md-skip")


def test_focus_alone_does_not_open_the_panel_and_leaving_it_closes_it(page: Any, site_server: str) -> None:
    _start(page, site_server, "services/", WIDE)
    _tab_to(page, "[data-maillage-search-input]")
    page.wait_for_timeout(200)
    assert _focus(page)["open"] is False, "the panel opened on focus alone"
    page.keyboard.type("sans abri lyon")
    _results(page)
    assert _focus(page)["open"] is True
    # Back out of the field to the header: the panel closes, nothing covers the page.
    page.keyboard.press("Shift+Tab")
    state = _focus(page)
    assert not state["inPanel"] and state["open"] is False


def test_search_and_toggle_a_filter_by_keyboard_on_a_wide_screen(page: Any, site_server: str) -> None:
    _start(page, site_server, "", WIDE)
    _tab_to(page, "[data-maillage-search-input]")
    page.keyboard.type(QUERIES[""])
    _results(page)
    state = _tab_to(page, "[data-maillage-search-facets-toggle]")
    assert state["inPanel"]
    page.keyboard.press("Enter")
    _settle(page)
    # With the filters in view every tier is searched (a first page alone may wait for
    # "more" before the pages found by words): what a filter narrows.
    before = _results(page)
    assert page.locator("[data-maillage-search-facets-toggle]").get_attribute("aria-expanded") == "true"
    assert _focus(page)["cls"].find("maillage-search__facets-toggle") >= 0
    # Unfold the age group, tick its first value: the focus stays on that box.
    _tab_to(page, "details[data-facet='age'] > summary")
    page.keyboard.press("Enter")
    assert page.locator("details[data-facet='age']").get_attribute("open") is not None
    box = _tab_to(page, "details[data-facet='age'] input[type=checkbox]")
    page.keyboard.press("Space")
    _settle(page)
    after = _focus(page)
    assert (after["facet"], after["value"], after["checked"]) == ("age", box["value"], True)
    assert page.locator("[data-maillage-search-facets-toggle]").inner_text().strip().endswith("(1)")
    assert _results(page) <= before or before >= 10
    # Untick it from the keyboard: still there.
    page.keyboard.press("Space")
    _settle(page)
    again = _focus(page)
    assert (again["facet"], again["value"], again["checked"]) == ("age", box["value"], False)
    # Escape closes the panel and gives the focus back to the field.
    page.keyboard.press("Escape")
    closed = _focus(page)
    assert closed["open"] is False
    assert page.evaluate("() => document.activeElement.matches('[data-maillage-search-input]')")


@pytest.mark.parametrize("prefix", list(QUERIES))
def test_search_by_keyboard_on_a_phone(page: Any, site_server: str, prefix: str) -> None:
    _start(page, site_server, prefix + "services/", PHONE)
    # The closed panel's field takes no focus: the magnifier, a button, comes first.
    state = _tab_to(page, "[data-maillage-search-open]")
    assert state["tag"] == "BUTTON"
    name = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert name, "the magnifier has no name"
    assert page.evaluate("() => document.activeElement.getAttribute('aria-expanded')") == "false"
    page.keyboard.press("Enter")
    opened = _focus(page)
    assert opened["open"] is True
    assert page.evaluate("() => document.activeElement.matches('[data-maillage-search-input]')")
    page.keyboard.type(QUERIES[prefix])
    _results(page)
    link = _tab_to(page, ".maillage-search__link")
    assert link["inPanel"]
    # The focused result is outlined (RGAA 10.7).
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.press("Escape")
    closed = _focus(page)
    assert closed["open"] is False
    assert page.evaluate('() => document.activeElement.matches("[data-maillage-search-open]")')
    assert page.evaluate("() => document.activeElement.getAttribute('aria-expanded')") == "false"


def test_closed_panel_takes_no_focus(page: Any, site_server: str) -> None:
    for viewport in (WIDE, PHONE):
        _start(page, site_server, "services/", viewport)
        for _ in range(20):
            page.keyboard.press("Tab")
            state = _focus(page)
            assert not (state["inPanel"] and not state["onScreen"]), f"hidden panel control focused: {state}"
            assert not state["cls"].startswith("maillage-search__link"), "a result of the closed panel is focused"


def _axe_all(page: Any) -> list[dict[str, Any]]:
    """Every violation axe-core finds in the search panel (WCAG 2.1 A/AA and best practice)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const where = [['[data-maillage-search]'], ['[data-maillage-search-open]']];
            const r = await axe.run({include: where},
              {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
        }"""
    )
    return result


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "375"])
@pytest.mark.parametrize("prefix", list(QUERIES))
def test_axe_finds_nothing_in_the_search_panel(
    page: Any, site_server: str, prefix: str, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    page.goto(site_server + prefix + "?q=" + QUERIES[prefix])
    _results(page)
    page.locator("[data-maillage-search-facets-toggle]").click()
    _settle(page)
    page.locator("details[data-facet='territory'] > summary").click()
    page.wait_for_timeout(300)  # Material's transitions: colours are read once they end
    assert _axe_all(page) == []
