"""Opened from disk (``file://``), the search says how to look at the site (issue 17, item 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("home", "words"),
    [("index.html", ("maillage serve", "python3 -m http.server -d site")), ("nl/index.html", ("schijf",))],
)
def test_search_opened_from_disk_says_how_to_look_at_the_site(
    browser: Any, built_site: Path, home: str, words: tuple[str, ...]
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    tab = context.new_page()
    try:
        tab.goto((built_site / home).as_uri())
        field = tab.locator("[data-maillage-search-input]")
        field.click()
        field.fill("logement")
        field.press("Enter")
        status = tab.locator("[data-maillage-search-status]")
        tab.wait_for_function(
            "() => document.querySelector('[data-maillage-search-status]').textContent.includes('file://')"
        )
        text = status.inner_text()
        assert all(word in text for word in words), text
        assert "index absent" not in text and "geen index" not in text
    finally:
        context.close()
