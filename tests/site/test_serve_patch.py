"""The serve patch's planner, called with plain data (no mkdocs, no registry).

``tests/site/test_incremental.py`` checks that what the patch writes is a fresh build's
output; these say what it decides to write, when, and when it leaves the work to mkdocs.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from generator.site.context import Asset, GeneratedPage
from generator.site.incremental import Item
from generator.site.serve_patch import Fallback, Plan, language_versions, plan_patch

LANGUAGES = ("fr", "nl")
ALPHA = GeneratedPage("services/alpha/index.md", "# Alpha", edit_path="data/registry/alpha.yaml")
ALPHA_NL = GeneratedPage("nl/services/alpha/index.md", "# Alpha", edit_path="data/registry/alpha.yaml")
BETA = GeneratedPage("services/beta/index.md", "# Beta", edit_path="data/registry/beta.yaml")
BETA_NL = GeneratedPage("nl/services/beta/index.md", "# Beta", edit_path="data/registry/beta.yaml")
COMMUNE = GeneratedPage("territories/be-commune-21015/index.md", "# Schaerbeek")
SERVICES = GeneratedPage("services/index.md", "# Services")  # in the menu
DATA = Asset("assets/maillage/orient.json", b"{}")
REPORT = GeneratedPage("gaps/18-24/index.md", "# Gaps")


def plan(
    made: Sequence[Item],
    *,
    written: Collection[str] | None = None,
    changed: Collection[str] = (),
    menus: Collection[str] = (SERVICES.uri,),
    edited: Collection[str] = (),
) -> Plan | Fallback:
    before = {item.uri for item in made} if written is None else set(written)
    return plan_patch(
        made,
        written=before,
        existing=before,
        changed=changed,
        menus=menus,
        edited=edited,
        languages=LANGUAGES,
        is_page=lambda uri: uri.endswith(".md"),
    )


def uris(items: Sequence[Item]) -> list[str]:
    return [item.uri for item in items]


def test_nothing_changed_rewrites_nothing() -> None:
    assert plan([ALPHA, ALPHA_NL, SERVICES, DATA]) == Plan()


def test_the_edited_file_s_pages_assets_and_menus_now_other_pages_later() -> None:
    made = [ALPHA, ALPHA_NL, BETA, COMMUNE, SERVICES, DATA]
    result = plan(
        made,
        changed={ALPHA.uri, ALPHA_NL.uri, COMMUNE.uri, SERVICES.uri, DATA.uri},
        edited={"data/registry/alpha.yaml"},
    )
    assert isinstance(result, Plan)
    assert uris(result.now) == [ALPHA.uri, ALPHA_NL.uri, SERVICES.uri, DATA.uri]
    assert uris(result.later) == [COMMUNE.uri]
    assert result.added == result.removed == ()


def test_a_page_of_another_file_waits() -> None:
    result = plan([ALPHA, BETA], changed={BETA.uri}, edited={"data/registry/alpha.yaml"})
    assert isinstance(result, Plan)
    assert uris(result.now) == [] and uris(result.later) == [BETA.uri]


def test_a_service_that_comes_rewrites_its_other_language_s_page() -> None:
    # beta's French page comes; its Dutch page existed: its language switch now links to it.
    made = [ALPHA, BETA, BETA_NL]
    result = plan(made, written={ALPHA.uri, BETA_NL.uri}, changed={BETA.uri}, edited={"data/registry/beta.yaml"})
    assert isinstance(result, Plan)
    assert uris(result.added) == [BETA.uri]
    assert uris(result.now) == [BETA.uri, BETA_NL.uri]
    assert result.removed == () and result.later == ()


def test_a_service_that_goes_is_removed_in_order() -> None:
    result = plan([ALPHA, ALPHA_NL], written={ALPHA.uri, ALPHA_NL.uri, BETA_NL.uri, BETA.uri})
    assert isinstance(result, Plan)
    assert result.removed == (BETA_NL.uri, BETA.uri)
    assert result.now == result.later == result.added == ()


def test_a_page_added_is_a_page_even_unknown_to_the_site() -> None:
    # is_page is asked about existing files only: a page that comes has none yet.
    result = plan_patch(
        [COMMUNE],
        written=set(),
        existing=set(),
        changed={COMMUNE.uri},
        menus=(),
        edited=(),
        languages=LANGUAGES,
        is_page=lambda uri: False,
    )
    assert isinstance(result, Plan)
    assert uris(result.later) == [COMMUNE.uri]


def test_two_providers_making_one_file_fall_back() -> None:
    assert isinstance(plan([ALPHA, ALPHA]), Fallback)


def test_another_page_coming_or_going_falls_back() -> None:
    assert plan([ALPHA, REPORT], written={ALPHA.uri}) == Fallback(
        "a menu's page, a download or a page of the gap report comes or goes"
    )
    assert isinstance(plan([ALPHA], written={ALPHA.uri, DATA.uri}), Fallback)
    assert isinstance(plan([ALPHA], written={ALPHA.uri, SERVICES.uri}), Fallback)


def test_language_versions() -> None:
    existing = {ALPHA.uri, ALPHA_NL.uri, BETA.uri}
    assert language_versions([ALPHA.uri], LANGUAGES, existing) == {ALPHA_NL.uri}
    assert language_versions([ALPHA_NL.uri], LANGUAGES, existing) == {ALPHA.uri}
    assert language_versions([BETA.uri], LANGUAGES, existing) == set()
