"""The search of the real built site (``maillage build``), with the shared browser fixtures."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def _wait_results(page: Any) -> list[str]:
    page.wait_for_function(
        "() => document.querySelector('[data-maillage-search]')"
        " && !document.querySelector('[data-maillage-search]').hasAttribute('aria-busy')"
        " && document.querySelectorAll('.maillage-search__result').length > 0"
    )
    return list(page.eval_on_selector_all(".maillage-search__result", "items => items.map(i => i.dataset.url)"))


def test_real_site_finds_the_brussels_case_management_services(page: Any, site_server: str) -> None:
    page.goto(site_server + "?q=case%20management%20bruxelles")
    urls = _wait_results(page)
    assert any(u.endswith("services/brusano-case-management/") for u in urls)
    assert any(u.endswith("services/bru-stars-case-management/") for u in urls)
    # Only the findable part of pages is indexed: never the header, navigation or footer.
    assert not any(u.rstrip("/").endswith(("about", "contribute", "method")) for u in urls)


def test_real_site_age_facet_removes_brusano(page: Any, site_server: str) -> None:
    page.goto(site_server + "?q=case%20management%20bruxelles&filter=age%3A0-17")
    urls = _wait_results(page)
    assert any(u.endswith("services/bru-stars-case-management/") for u in urls)
    assert not any(u.endswith("services/brusano-case-management/") for u in urls)
