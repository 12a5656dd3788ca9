"""Keyboard journeys on the built site (issue 25: RGAA 4.1 / WCAG 2.1 AA).

- the orientation, on a phone, from the keyboard alone: a wrong age is refused with an
  error tied to its field (aria-invalid, aria-describedby), an empty one is accepted, an
  unknown place is tied to its field and the old results go; the results take the focus
  (RGAA 7.3, 11.10, 12.8);
- after an action (submitting, sorting a column, opening a disclosure) the focus is never
  left on ``<body>`` (12.8);
- the gap tables: one header row with column scopes, territory names as row headers, a
  caption, and the services behind the cells named as links (5.4, 5.6, 5.7).

The criteria of ``generator/site/accessibility.yaml`` name these tests
(tests/test_accessibility_page.py checks that they exist).
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def page(shared_page: Any) -> Any:
    """One tab for this module's tests (``shared_page``): they open pages, press keys and read."""
    return shared_page


PHONE = {"width": 375, "height": 812}
SORT = {"": "Trier", "nl/": "Sorteren", "en/": "Sort"}

FOCUS = """() => { const a = document.activeElement;
  return {tag: a.tagName, id: a.id, invalid: a.getAttribute('aria-invalid'),
          described: a.getAttribute('aria-describedby')}; }"""


def _message(tab: Any) -> str:
    tab.wait_for_function("() => document.getElementById('mo-message').textContent.length > 0")
    text: str = tab.locator("#mo-message").inner_text()
    return text


def test_orientation_by_keyboard_alone(page: Any, site_server: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(site_server + "orient/")
    page.wait_for_selector(".maillage-orient-ready")
    age = page.locator("#mo-age")
    assert age.get_attribute("required") is None, "the age is optional"
    assert page.evaluate(FOCUS)["id"] == "mo-age"
    # Status messages reach screen readers: errors in an alert, results in a live region.
    assert page.get_attribute("#mo-message", "role") == "alert"
    assert page.get_attribute(".maillage-orient-results", "aria-live") == "polite"
    # A negative age: refused, said, tied to the field, which takes the focus back.
    page.keyboard.type("-5")
    page.keyboard.press("Tab")
    page.keyboard.type("Lyon")
    page.keyboard.press("Enter")
    message = _message(page)
    assert "120" in message
    assert page.evaluate(FOCUS) == {"tag": "INPUT", "id": "mo-age", "invalid": "true", "described": "mo-message"}
    assert page.locator(".maillage-orient-results").inner_text() == ""
    # Corrected: the whole form by keyboard (a need ticked with Space, Enter on it searches).
    page.keyboard.press("Control+A")
    page.keyboard.type("30")
    page.keyboard.press("Tab")  # the place, still typed
    page.keyboard.press("Tab")  # housing
    page.keyboard.press("Tab")  # the first need
    assert page.evaluate("() => document.activeElement.name") == "need"
    page.keyboard.press(" ")
    page.keyboard.press("Enter")
    page.wait_for_selector("#maillage-orient-summary")
    focus = page.evaluate(FOCUS)
    assert focus["id"] == "maillage-orient-summary", focus
    assert age.get_attribute("aria-invalid") is None and page.locator("#mo-message").inner_text() == ""
    assert "30 ans" in page.locator(".maillage-orient-results").inner_text()
    # An unknown place: tied to its field, and the previous results are gone.
    where = page.locator("#mo-where")
    where.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Xyzzyville")
    page.keyboard.press("Enter")
    unknown = _message(page)
    assert "Lieu inconnu" in unknown and "code postal" in unknown  # it says how to correct it
    assert page.evaluate(FOCUS) == {"tag": "INPUT", "id": "mo-where", "invalid": "true", "described": "mo-message"}
    assert page.locator(".maillage-orient-results").inner_text() == ""
    assert age.get_attribute("aria-invalid") is None
    # No age at all is fine: the results say the age is unknown.
    age.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    where.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Lyon")
    page.keyboard.press("Enter")
    page.wait_for_selector("#maillage-orient-summary")
    assert "âge inconnu" in page.locator(".maillage-orient-results").inner_text()
    assert where.get_attribute("aria-invalid") is None


@pytest.mark.parametrize("value", ["121", "2.5", "abc"])
def test_orientation_refuses_an_absurd_age(page: Any, site_server: str, value: str) -> None:
    """From the address too (a shared link): an age that is not 0-120 years, whole, is refused."""
    page.goto(site_server + f"nl/orient/?age={value}&where=Schaarbeek")
    page.wait_for_selector(".maillage-orient-ready")
    if value == "abc":  # not a number: the field stays empty, the search runs without an age
        page.wait_for_selector("#maillage-orient-summary")
        return
    assert "120" in _message(page)
    assert page.evaluate(FOCUS)["id"] == "mo-age"
    assert page.locator("#mo-age").get_attribute("aria-invalid") == "true"


def test_focus_never_on_body_after_an_action(page: Any, site_server: str) -> None:
    """Sorting a gap table's column and opening a disclosure keep the focus on their control."""
    page.goto(site_server + "gaps/")
    button = page.locator(".maillage-gaps-territories button.maillage-sort").nth(1)
    button.focus()
    page.keyboard.press("Enter")
    sorted_by = page.locator(".maillage-gaps-territories thead th").nth(1).get_attribute("aria-sort")
    assert sorted_by == "ascending"
    assert page.evaluate("() => document.activeElement.classList.contains('maillage-sort')")
    page.keyboard.press(" ")
    assert page.locator(".maillage-gaps-territories thead th").nth(1).get_attribute("aria-sort") == "descending"
    assert page.evaluate("() => document.activeElement.tagName") == "BUTTON"
    summary = page.locator(".maillage-gaps-services summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.querySelector('.maillage-gaps-services').open")
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"


@pytest.mark.parametrize("prefix", ["", "nl/", "en/"])
def test_gap_tables_have_one_header_row_row_headers_and_a_caption(page: Any, site_server: str, prefix: str) -> None:
    page.goto(site_server + prefix + "gaps/needs/mental-health/")
    tables = page.evaluate(
        """() => Array.from(document.querySelectorAll('table.maillage-sortable')).map(t => ({
            caption: t.caption ? t.caption.textContent.trim() : '',
            headRows: t.tHead.rows.length,
            emptyHeaders: Array.from(t.querySelectorAll('th')).filter(h => !h.textContent.trim()).length,
            colScopes: Array.from(t.tHead.rows[0].cells).every(h => h.tagName === 'TH' && h.scope === 'col'),
            rowHeaders: Array.from(t.tBodies[0].rows)
                .every(r => r.cells[0].tagName === 'TH' && r.cells[0].scope === 'row'),
            titles: t.querySelectorAll('td[title]').length}))"""
    )
    assert len(tables) >= 2
    # The sort buttons speak the page's language (words fetched by sortable.js).
    page.wait_for_selector("button.maillage-sort[title]", state="attached")  # not wait_for_function: CSP
    assert page.get_attribute("button.maillage-sort", "title") == SORT[prefix]
    for table in tables:
        assert table["caption"] and table["headRows"] == 1 and table["emptyHeaders"] == 0, table
        assert table["colScopes"] and table["rowHeaders"] and table["titles"] == 0, table
    # Colour is never alone: every cell of the territory table has its text, and the legend
    # explains the signs « ~ », « ? » and « ≈ » (RGAA 3.1, 13.5, 13.6).
    assert page.evaluate(
        "() => Array.from(document.querySelectorAll('.maillage-gaps-territories td')).every(c => c.textContent.trim())"
    )
    legend = page.locator(".maillage-gaps-territories").locator("xpath=ancestor::div[1]/preceding-sibling::p[1]")
    assert all(sign in legend.inner_text() for sign in ("~", "?", "≈"))
    # Every column of the territory table says its public in words: age band and housing.
    headers = page.locator(".maillage-gaps-territories thead th").all_inner_texts()
    assert all(h.strip() for h in headers) and len(headers) > 4
    # The services behind the cells: names, linked to their pages, per territory.
    services = page.locator(".maillage-gaps-services")
    services.locator("summary").click()  # a disclosure under the table, open on demand
    links = services.locator("a[href*='services/']")
    assert links.count() > 0
    first = links.first
    assert first.is_visible()
    name = first.inner_text()
    assert name and name != first.get_attribute("href").rstrip("/").split("/")[-1]  # a name, not an id
    page.goto(site_server + prefix + "gaps/needs/mental-health/" + first.get_attribute("href"))
    assert page.locator("h1").inner_text().strip() == name.strip()


def test_choosing_in_a_list_changes_no_page(page: Any, site_server: str) -> None:
    """RGAA 7.4: choosing in a list (the map's filters, the orientation's housing) from the
    keyboard changes no page and keeps the focus on the list."""
    for url in ("map/", "orient/"):
        page.goto(site_server + url)
        page.wait_for_load_state("load")
        lists = page.locator("article select")
        assert lists.count() > 0, url
        for i in range(lists.count()):
            box = lists.nth(i)
            if not box.is_visible():
                continue
            box.focus()
            page.keyboard.press("ArrowDown")
            page.wait_for_timeout(200)
            assert page.url.split("?")[0] == site_server + url, url
            assert page.evaluate("() => document.activeElement.tagName") == "SELECT", url


@pytest.mark.parametrize("url", ["map/", "orient/", "gaps/needs/addiction/"])
def test_tab_goes_through_the_page_to_its_footer(page: Any, site_server: str, url: str) -> None:
    """RGAA 12.9: no keyboard trap: Tab from the top reaches the footer's statement link."""
    page.goto(site_server + url)
    page.wait_for_load_state("load")
    page.focus(".md-skip")
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('.maillage-a11y-link')"):
            return
    pytest.fail(
        "Tab never reached the footer: focus is held on "
        + page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
    )
