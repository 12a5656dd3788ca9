"""The accessibility statement stays true to its data file and to the tests (issue 25).

- every criterion ``generator/site/accessibility.yaml`` calls conform names a browser test
  that exists (tests/browser/test_*.py): a conform criterion stays checked;
- every non-conform or not applicable criterion gives its reason in fr, nl and en;
- the file lists each of the RGAA 4.1's 106 criteria once;
- the page, in each language, lists exactly the data file's criteria, with the rate and
  state computed from it, and the contact the site sets (e-mail, else the forge's issues).
"""

from __future__ import annotations

import ast
import re

import pytest

from generator.registry.loader import load_registry
from generator.site.accessibility_page import name_permalinks, statement, statement_page
from generator.site.context import SiteConfig, SiteContext
from tests.conftest import ROOT

BROWSER_TESTS = sorted((ROOT / "tests" / "browser").glob("test_*.py"))
# RGAA 4.1: its 13 themes and their number of criteria.
RGAA_THEMES = (9, 2, 3, 13, 8, 2, 5, 10, 4, 14, 13, 11, 12)


def _test_names() -> set[str]:
    names: set[str] = set()
    for path in BROWSER_TESTS:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    return names


def test_every_conform_criterion_has_its_check() -> None:
    names = _test_names()
    data = statement()
    conform = [c for c in data.criteria if c.status == "conform"]
    assert conform
    for criterion in conform:
        assert criterion.check, f"criterion {criterion.id} is conform without a check"
        assert criterion.check in names, f"criterion {criterion.id}: no test {criterion.check}"


def test_every_failing_or_inapplicable_criterion_says_why_in_every_language() -> None:
    for criterion in statement().criteria:
        if criterion.status == "conform":
            continue
        assert set(criterion.reason) == {"fr", "nl", "en"}, criterion.id
        assert all(text.strip() for text in criterion.reason.values())


def test_every_rgaa_criterion_is_listed() -> None:
    expected = [f"{theme}.{n}" for theme, count in enumerate(RGAA_THEMES, 1) for n in range(1, count + 1)]
    assert sorted(c.id for c in statement().criteria) == sorted(expected)


def test_ids_are_rgaa_criteria_once_each() -> None:
    ids = [c.id for c in statement().criteria]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"\d{1,2}\.\d{1,2}", i) for i in ids)


def test_rate_and_state() -> None:
    data = statement()
    assert data.conform == data.applicable - len(data.failing)
    assert data.rate == data.conform * 100 // data.applicable
    expected = "a11y.state.full" if not data.failing else "a11y.state.partial" if data.rate >= 50 else "a11y.state.none"
    assert data.state == expected


@pytest.fixture(scope="module")
def registry():  # type: ignore[no-untyped-def]
    return load_registry(ROOT)


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_page_lists_exactly_the_data_file(registry, lang: str) -> None:  # type: ignore[no-untyped-def]
    ctx = SiteContext(registry=registry, config=SiteConfig(repo_url="https://forge.example.org/x/y"), lang=lang)
    page = statement_page(ctx)
    data = statement()
    listed = re.findall(r"<li><strong>([\d.]+)</strong>", page)
    fixed = [c.id for c in data.criteria if c.status == "conform"]
    not_applicable = [c.id for c in data.criteria if c.status == "n/a"]
    assert listed == [c.id for c in data.failing] + fixed + not_applicable
    for criterion in data.failing:
        assert criterion.reason[lang].replace("'", "&#x27;").replace('"', "&quot;") in page
    assert f'maillage_lang: "{lang}"' in page
    assert '<a href="https://forge.example.org/x/y/issues">' in page
    email = SiteConfig(repo_url="https://forge.example.org/x/y", accessibility_email="a11y@example.org")
    assert '<a href="mailto:a11y@example.org">' in statement_page(
        SiteContext(registry=registry, config=email, lang=lang)
    )


def test_permalinks_are_named_in_the_page_language() -> None:
    html = '<h2 id="x">X<a class="headerlink" href="#x" title="Permanent link">&para;</a></h2>'
    assert name_permalinks(html, "nl") == (
        '<h2 id="x">X<a class="headerlink" href="#x" title="Vaste link naar deze sectie"'
        ' aria-label="Vaste link naar deze sectie">&para;</a></h2>'
    )


def test_browser_tests_exist() -> None:
    assert BROWSER_TESTS, "tests/browser/test_accessibility*.py"
