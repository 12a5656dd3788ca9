"""Page generators, called directly (no mkdocs): the mini registry and the shipped one."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from generator.registry.loader import for_audience, load_registry
from generator.registry.models import LocalizedText
from generator.site import pages
from generator.site.context import GeneratedPage, SiteConfig, SiteContext
from generator.site.markup import href, json_ld, localized
from generator.site.pages import is_stale, service_markdown, service_pages
from generator.site.territory_pages import build_index, territory_pages
from tests.conftest import ROOT, compare_golden

GOLDEN = Path(__file__).parent / "golden"
TODAY = dt.date(2025, 1, 15)


@pytest.fixture
def mini_ctx(mini: Path) -> SiteContext:
    return SiteContext(registry=for_audience(load_registry(mini), "public"), config=SiteConfig(), root=mini)


@pytest.mark.parametrize("service_id", ["alpha-adults", "beta-housing-first"])
def test_service_markdown_golden(
    mini_ctx: SiteContext, service_id: str, update_goldens: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The search facets and the map are other modules' output, pinned by their own tests.
    monkeypatch.setattr(pages, "filter_attributes", lambda ctx, service: "<!-- search facets -->")
    monkeypatch.setattr(pages, "service_map_html", lambda ctx, service: "<!-- map -->")
    markdown = service_markdown(mini_ctx, mini_ctx.registry.services[service_id], TODAY)
    compare_golden(GOLDEN / f"{service_id}.md", markdown, update_goldens)


def test_public_build_leaves_out_professional_contacts(mini: Path) -> None:
    registry = load_registry(mini)
    public = SiteContext(registry=for_audience(registry, "public"), config=SiteConfig())
    professional = SiteContext(
        registry=for_audience(registry, "professional"), config=SiteConfig(audience="professional")
    )
    service = registry.services["alpha-adults"]
    assert "pro-only@alpha.example.org" not in service_markdown(public, public.registry.services[service.id], TODAY)
    shown = service_markdown(professional, service, TODAY)
    assert "mailto:pro-only@alpha.example.org" in shown
    assert "réservé aux professionnels" in shown


def test_unknown_criteria_read_a_verifier(mini_ctx: SiteContext) -> None:
    markdown = service_markdown(mini_ctx, mini_ctx.registry.services["alpha-youth"], TODAY)
    checklist = re.search(r'<ul class="maillage-checklist">.*?</ul>', markdown, re.S)
    assert checklist
    assert "jusqu&#x27;à 23 ans" in checklist.group()
    assert checklist.group().count("à vérifier") >= 2  # housing and conditions
    assert "2 professionnels d&#x27;institutions distinctes" in markdown


def test_stale_warning_after_the_configured_age(mini_ctx: SiteContext) -> None:
    service = mini_ctx.registry.services["beta-housing-first"]  # verified 2022-06-07
    assert "maillage-stale" in service_markdown(mini_ctx, service, TODAY)
    fresh = SiteContext(registry=mini_ctx.registry, config=SiteConfig(stale_months=60))
    assert "maillage-stale" not in service_markdown(fresh, service, TODAY)
    # "More than 12 months ago", as the banner says: exactly 12 months is not yet stale.
    assert not is_stale(dt.date(2024, 1, 15), 12, dt.date(2025, 1, 15))
    assert is_stale(dt.date(2024, 1, 14), 12, dt.date(2025, 1, 15))
    assert not is_stale(dt.date(2024, 1, 16), 12, dt.date(2025, 1, 15))


def test_registry_text_is_escaped(mini_ctx: SiteContext) -> None:
    hostile = LocalizedText(fr="<script>alert(1)</script> **gras** [x](javascript:alert(1))")
    service = mini_ctx.registry.services["alpha-adults"].model_copy(update={"objective": hostile, "name": hostile})
    markdown = service_markdown(mini_ctx, service, TODAY)
    assert "<script>alert" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert json_ld({"name": "</script><script>alert(1)//"}).count("</script>") == 1


def test_french_fallback_is_marked(mini_ctx: SiteContext) -> None:
    dutch = SiteContext(registry=mini_ctx.registry, config=mini_ctx.config, lang="nl")
    text = LocalizedText(fr="Seulement en français")
    assert 'lang="fr"' in localized(dutch, text) and "Tekst alleen beschikbaar in het Frans" in localized(dutch, text)
    assert "maillage-fallback" not in localized(dutch, LocalizedText(fr="a", nl="b"))
    page = service_markdown(dutch, mini_ctx.registry.services["alpha-adults"], TODAY)
    assert 'maillage_lang: "nl"' in page
    assert "<h2" not in page and "## Voor wie?" in page


def test_links_are_relative_between_directory_urls() -> None:
    assert href("services/x/", "organisations/y/") == "../../organisations/y/"
    assert href("nl/services/x/", "nl/territories/be/") == "../../territories/be/"
    assert href("", "services/") == "services/"
    assert href("services/", "") == "../"


def test_every_service_has_a_page_and_edit_path(mini_ctx: SiteContext) -> None:
    pages = [p for p in service_pages(mini_ctx) if isinstance(p, GeneratedPage)]
    uris = {p.uri for p in pages}
    for service_id in mini_ctx.registry.services:
        assert f"services/{service_id}/index.md" in uris
    assert {p.edit_path for p in pages if p.edit_path} == {"data/registry/alpha.yaml", "data/registry/beta.yaml"}


def test_territory_pages_scope(mini_ctx: SiteContext) -> None:
    index = build_index(mini_ctx.registry)
    # Every commune of the small areas (Brussels' communes, the Métropole de Lyon's), not the rest.
    assert {"be-commune-21015", "fr-commune-69123", "fr-commune-69266"} <= index.pages
    assert "fr-commune-42207" not in index.pages  # Saint-Chamond: no service names it
    assert {"fr-dep-42", "fr-region-84", "fr-epci-200046977"} <= index.pages
    covering = dict(index.covering(mini_ctx.registry, "be-commune-21015"))
    assert covering["alpha-adults"] == "be-region-04000"
    pages = {p.uri: p for p in territory_pages(mini_ctx)}
    schaerbeek = pages["territories/be-commune-21015/index.md"].content
    assert "Accompagnement adultes" in schaerbeek and 'id="zones-grises"' in schaerbeek
    # The lists are not in the search index: the page is found by the place's name.
    assert '<ul class="maillage-services">' in schaerbeek
    assert all('data-pagefind-ignore=""' in block for block in schaerbeek.split('<div class="maillage-section"')[1:])


def test_shipped_registry_has_every_fixed_service_page() -> None:
    registry = for_audience(load_registry(ROOT), "public")
    ctx = SiteContext(registry=registry, config=SiteConfig())
    uris = {p.uri for p in service_pages(ctx)}
    for service_id in (
        "brusano-case-management",
        "bru-stars-case-management",
        "dune-liaison",
        "em107-precarite",
        "ucsd-lyon",
        "ucsd-lille-jeunes",
        "clsm-saint-etienne-incurie",
        "cism-cacl-semsamar",
    ):
        assert f"services/{service_id}/index.md" in uris


def test_french_communes_are_not_translated_but_linked(mini_ctx: SiteContext) -> None:
    """Dutch and English commune pages only where a service names the commune or in Belgium."""
    index = build_index(mini_ctx.registry)
    brussels = {c for c in index.pages if c.startswith("be-commune-") and c not in index.named}
    assert brussels and all(index.has_page(c, "nl") for c in brussels)  # Brussels' communes are bilingual
    assert not any(index.has_page(c, "en") for c in brussels)
    assert index.has_page("fr-epci-200046977", "nl") and index.has_page("fr-epci-200046977", "en")
    untranslated = {c for c in index.pages if c.startswith("fr-commune-") and c not in index.named and index.reached(c)}
    assert untranslated, "the mini registry has French communes inside a service area that no service names"
    for code in untranslated:
        assert index.has_page(code, None)
        assert not index.has_page(code, "nl") and not index.has_page(code, "en")
    for code in index.named:
        assert index.has_page(code, "nl") == index.reached(code)
    dutch = SiteContext(registry=mini_ctx.registry, config=SiteConfig(), root=mini_ctx.root, lang="nl")
    pages = {p.uri: p.content for p in territory_pages(dutch)}
    assert not any(f"nl/territories/{code}/index.md" in pages for code in untranslated)
    metropole = pages["nl/territories/fr-epci-200046977/index.md"]
    code = sorted(untranslated & set(mini_ctx.registry.gazetteer.children["fr-epci-200046977"]))[0]
    # From nl/territories/<epci>/ to the French page territories/<commune>/.
    assert f'<a href="../../../territories/{code}/" hreflang="fr" lang="fr">' in metropole


def test_crowded_areas_are_counted_and_linked_not_repeated(
    mini_ctx: SiteContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past INLINE_LIMIT services for one wider area, a commune page links to that area's page."""
    from generator.site import territory_pages as tp

    full = {p.uri: p.content for p in territory_pages(mini_ctx)}
    schaerbeek = full["territories/be-commune-21015/index.md"]
    assert "alpha-adults" in schaerbeek and "couvrent tout le territoire" not in schaerbeek
    monkeypatch.setattr(tp, "INLINE_LIMIT", 0)
    tp._CACHE.clear()
    crowded = {p.uri: p.content for p in territory_pages(mini_ctx)}
    schaerbeek = crowded["territories/be-commune-21015/index.md"]
    # Named on the page only through the region's page, with how many there are.
    assert "services/alpha-adults/" not in schaerbeek
    assert re.search(r"Et \d+ services qui couvrent tout le territoire <a href=\"../be-region-04000/\">", schaerbeek)
    region = crowded["territories/be-region-04000/index.md"]
    assert "services/alpha-adults/" in region  # listed where it is named
    country = crowded["territories/be/index.md"]
    # Services inside the country: counted per territory within, each linked.
    assert "services interviennent sur une partie de ce territoire" in country
    assert '<a href="../be-region-04000/">' in country


def test_downloads_page_counts_the_rows_of_each_file(mini_ctx: SiteContext) -> None:
    from generator.site.downloads import download_files, downloads_page, table_sizes, tables

    made = tables(mini_ctx.registry)
    assert table_sizes(mini_ctx.registry) == {table.name: len(table.rows) for table in made}
    assert sum(table_sizes(mini_ctx.registry).values()) > len(made)  # rows, not only tables
    [page] = downloads_page(mini_ctx)
    for table in made:
        assert f"{table.name}.csv</a> — " in page.content
        assert f"<small>({len(table.rows)})</small>" in page.content
    files = {asset.uri for asset in download_files(mini_ctx)}
    assert {f"downloads/{table.name}.csv" for table in made} | {"downloads/maillage.json"} == files


def test_territory_index_orders_same_named_communes_by_code() -> None:
    """Saint-Denis (93) and Saint-Denis (974) share a name: the code decides their order, so
    the page is the same whatever Python's hash seed (it was not: the codes come from a set)."""
    from generator.site.territory_pages import territories_index_page

    registry = for_audience(load_registry(ROOT), "public")
    ctx = SiteContext(registry=registry, config=SiteConfig())
    index = build_index(registry)
    content = territories_index_page(ctx, index).content
    for name in ("Saint-Denis", "Saint-Pierre"):
        codes = [
            c for c in index.pages if registry.gazetteer[c].level == "commune" and registry.gazetteer[c].name == name
        ]
        assert len(codes) >= 2, (name, codes)
        positions = [content.index(f'"{code}/"') for code in sorted(codes)]
        assert positions == sorted(positions), (name, sorted(codes))
