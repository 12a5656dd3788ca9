"""The orientation page's "why first" line follows the closed-today reorder (issue 22): it is
on the entry that ends up first, with that entry's own reason, as ``maillage orient`` prints it
(tests/test_orient_hours.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.browser.test_hours import BRUSSELS, at  # noqa: F401  (a fixture)

# At 16 neither Alpha service fits: Gamma's two are to check, the permanence (Mo-Fr) first.
ORIENT = "orient/?age=16&where=Schaerbeek&need=mental-health"


def _order(page: Any) -> list[str]:
    first = page.locator("ol.maillage-orient-matches").first
    return list(first.locator(":scope > li").evaluate_all("items => items.map(i => i.dataset.service)"))


def test_why_first_moves_with_the_reorder(at: Any) -> None:  # noqa: F811
    page = at(dt.datetime(2030, 6, 16, 10, 0, tzinfo=BRUSSELS), ORIENT)  # a Sunday
    page.wait_for_selector("li[data-maillage-closed-today]")
    page.wait_for_selector("li[data-service='gamma-soutien'] .maillage-orient-why")
    assert _order(page)[:2] == ["gamma-soutien", "gamma-permanence"]
    assert page.locator(".maillage-orient-why").count() == 1
    why = page.locator("li[data-service='gamma-soutien'] .maillage-orient-why").inner_text()
    assert why.startswith("Pourquoi en premier") and "besoins" in why


def test_why_first_stays_when_nothing_moves(at: Any) -> None:  # noqa: F811
    page = at(dt.datetime(2030, 6, 12, 10, 0, tzinfo=BRUSSELS), ORIENT)  # a Wednesday
    item = page.locator("li.maillage-orient-match[data-service='gamma-permanence']")
    item.locator("[data-maillage-hours]").wait_for(state="visible")
    assert _order(page)[:2] == ["gamma-permanence", "gamma-soutien"]
    assert page.locator(".maillage-orient-why").count() == 1
    assert item.locator(".maillage-orient-why").count() == 1
