"""Page generators, called directly (no mkdocs): the mini registry and the shipped one."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from generator.registry.loader import for_audience, load_registry
from generator.registry.models import LocalizedText
from generator.site import pages
from generator.site.context import Asset, GeneratedPage, SiteConfig, SiteContext
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


def test_a_page_warns_only_when_it_is_much_older_than_the_rest(mini_ctx: SiteContext) -> None:
    """Beta (7 June 2022) is 19 months older than the typical page (17 January 2024): its
    page says so; alpha, stale too against 2025-01-15, is as old as the rest and says only
    its date (the home page says once how old the registry is)."""
    beta = mini_ctx.registry.services["beta-housing-first"]
    alpha = mini_ctx.registry.services["alpha-adults"]
    assert pages.typical_verification(list(mini_ctx.registry.services.values())) == dt.date(2024, 1, 17)
    older = service_markdown(mini_ctx, beta, TODAY)
    assert older.count("maillage-older") == 1
    assert "vérifiée le 7 juin 2022, bien avant la plupart des autres fiches" in older
    plain_date = service_markdown(mini_ctx, alpha, TODAY)
    assert "maillage-older" not in plain_date and "maillage-stale" not in plain_date
    assert plain_date.count("Vérifié le 17 janvier 2024") == 1  # once per page, in « L'essentiel »
    fresh = SiteContext(registry=mini_ctx.registry, config=SiteConfig(stale_months=60))
    assert "maillage-older" not in service_markdown(fresh, beta, TODAY)
    # "More than 12 months ago", as the home page says: exactly 12 months is not yet stale.
    assert not is_stale(dt.date(2024, 1, 15), 12, dt.date(2025, 1, 15))
    assert is_stale(dt.date(2024, 1, 14), 12, dt.date(2025, 1, 15))
    assert not is_stale(dt.date(2024, 1, 16), 12, dt.date(2025, 1, 15))


def test_much_older_rule() -> None:
    today = dt.date(2026, 12, 6)
    typical = dt.date(2022, 6, 7)
    # Stale like the rest: no word of its own; more than 12 months older than the rest: one.
    assert not pages.much_older(dt.date(2022, 9, 29), typical, 12, today)
    assert not pages.much_older(dt.date(2021, 7, 1), typical, 12, today)
    assert pages.much_older(dt.date(2021, 2, 1), typical, 12, today)
    assert pages.much_older(dt.date(2018, 1, 1), typical, 12, today)
    # A fresh registry: any stale page stands out; a fresh page never warns.
    assert pages.much_older(dt.date(2025, 11, 1), dt.date(2026, 6, 1), 12, today)
    assert not pages.much_older(dt.date(2026, 1, 1), dt.date(2026, 6, 1), 12, today)
    assert not pages.much_older(dt.date(2018, 1, 1), typical, 120, today)


def test_essentials_open_the_page(mini_ctx: SiteContext) -> None:
    page = service_markdown(mini_ctx, mini_ctx.registry.services["alpha-adults"], TODAY)
    body = page.split('markdown="1">', 1)[1]
    assert body.lstrip().startswith("## L'essentiel")
    essentials = body[: body.index("## L'objectif")]
    # The phone first, as a tel: link; for whom, how to ask, delay, status, date.
    assert essentials.index('href="tel:+3220000001"') < essentials.index("Pour qui")
    for label in (
        "Pour qui",
        "Comment demander",
        "Délai de réponse</strong> : 24 à 48 h",
        "Statut</strong> : en activité",
    ):
        assert label in essentials
    assert page.count("Vérifié le") == 1
    assert "Statut" not in body[body.index("## L'objectif") :]  # not repeated under « En pratique »


def test_planned_status_with_its_expected_date(mini_ctx: SiteContext) -> None:
    service = mini_ctx.registry.services["alpha-youth"]
    planned = service.model_copy(
        update={"status": service.status.model_copy(update={"state": "planned", "expected": dt.date(2027, 3, 1)})}
    )
    page = service_markdown(mini_ctx, planned, TODAY)
    assert "<strong>En préparation — ouverture annoncée pour le 1er mars 2027</strong>" in page
    dutch = SiteContext(registry=mini_ctx.registry, config=mini_ctx.config, lang="nl")
    assert "opening aangekondigd voor 1 maart 2027" in service_markdown(dutch, planned, TODAY)


def test_the_text_for_the_person_is_the_orientation_pages(mini_ctx: SiteContext) -> None:
    """Same lines, same catalogue keys as orient.js's personLines; public contacts only."""
    service = mini_ctx.registry.services["alpha-adults"]
    lines = pages.person_lines(mini_ctx, service)
    assert lines == [
        "Accompagnement adultes",
        "Téléphone : +32 2 000 00 01",
        "Adresse : Rue Royale 1, 1030 Schaerbeek",
        "Comment demander : Professional",
    ]
    block = pages.send_block(mini_ctx, service)
    text = "\n".join(lines)
    sms = re.search(r'href="sms:\?body=([^"]*)"', block)
    mail = re.search(r'href="mailto:\?subject=([^"&]*)&amp;body=([^"]*)"', block)
    assert sms and mail
    assert unquote(sms.group(1)) == text
    assert unquote(mail.group(1)) == "Accompagnement adultes" and unquote(mail.group(2)) == text
    assert 'href="#maillage-note"' in block and "data-maillage-copy=" in block
    # The professional build shows the professional e-mail, marked, but never sends it.
    registry = load_registry(mini_ctx.root)
    professional = SiteContext(
        registry=for_audience(registry, "professional"), config=SiteConfig(audience="professional")
    )
    pro_service = professional.registry.services["alpha-adults"]
    pro_page = service_markdown(professional, pro_service, TODAY)
    essentials = pro_page[: pro_page.index("## L'objectif")]
    assert "mailto:pro-only@alpha.example.org" in essentials and "réservé aux professionnels" in essentials
    assert pages.person_lines(professional, pro_service) == lines
    note = pages.person_note(professional, pro_service)
    assert "pro-only" not in note and "Délai de réponse : 24 à 48 h" in note


def test_the_service_script_is_shipped_once(mini_ctx: SiteContext) -> None:
    assets = [a.uri for a in service_pages(mini_ctx) if isinstance(a, Asset)]
    assert assets.count("assets/maillage/service.js") == 1
    # Beside it, the hours' script and the language's hours table (generator/site/hours.py).
    assert "assets/maillage/hours/fr.json" in assets
    dutch = SiteContext(registry=mini_ctx.registry, config=mini_ctx.config, lang="nl")
    dutch_assets = [a.uri for a in service_pages(dutch) if isinstance(a, Asset)]
    assert "assets/maillage/service.js" not in dutch_assets
    assert all(uri.startswith("assets/maillage/hours/nl") for uri in dutch_assets), dutch_assets
    page = service_markdown(dutch, mini_ctx.registry.services["alpha-adults"], TODAY)
    assert '<script src="../../../assets/maillage/service.js" defer></script>' in page


def test_home_page_starts_the_three_jobs(mini_ctx: SiteContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1736899200")  # 2025-01-15: beta is stale, alpha not yet
    home = next(iter(pages.home_page(mini_ctx))).content
    first = home[: home.index("## Parcourir l'annuaire")]
    orient = re.search(r'<form class="maillage-home-form maillage-home-orient" action="orient/" method="get">', first)
    assert orient
    assert 'name="age"' in first and 'name="where"' in first and '<select name="need">' in first
    needs = re.findall(r'<option value="([a-z-]+)">([^<]+)</option>', first)
    labels = [label for _, label in needs]
    assert labels == sorted(labels, key=str.casefold) and ("mental-health", "Mental health") in needs
    examples = re.findall(r'<a href="\?q=([^"]+)">', first)
    assert [unquote(q) for q in examples] == ["jeunes Bruxelles", "logement d'abord Lyon", "incurie"]
    assert 'action="./" method="get" role="search"' in first and 'name="q"' in first
    assert 'class="maillage-home-gaps"' in first and 'href="gaps/"' in first
    # The shortcuts to needs: those some service works on, not the whole vocabulary.
    shortcuts = re.findall(r'href="needs/([a-z-]+)/"', home[home.index("## Parcourir l'annuaire") :])
    served = {need for service in mini_ctx.registry.services.values() for need in service.needs}
    assert shortcuts and set(shortcuts) == served < set(mini_ctx.registry.vocabularies.needs)
    # How old the facts are: said once, after the lists.
    assert home.count("maillage-home-stale") == 1
    assert "Fiches vérifiées il y a plus de 12 mois : 1 sur 3." in home
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1672531200")  # 2023-01-01: every page is fresh
    assert "maillage-home-stale" not in next(iter(pages.home_page(mini_ctx))).content
    assert home.index("## À propos des informations") > home.index("## Parcourir l'annuaire")


def test_home_page_in_dutch_and_english(mini_ctx: SiteContext) -> None:
    for lang, words in (
        ("nl", ("Zoeken in de gids", "Alle noden", "Grijze zones")),
        ("en", ("Search the directory", "Any need", "Grey zones")),
    ):
        ctx = SiteContext(registry=mini_ctx.registry, config=mini_ctx.config, lang=lang)
        home = next(iter(pages.home_page(ctx))).content
        assert f'action="../{lang}/orient/"' not in home and 'action="orient/"' in home
        for word in words:
            assert word in home, (lang, word)


def test_gap_sentence_counts_from_the_report(mini_ctx: SiteContext) -> None:
    from generator.site.gaps_page import report

    coverage = report(mini_ctx.registry, ()).analyses[0].units
    empty = [
        territory.code
        for territory in coverage.territories
        if all(cell.full_count + cell.partial_count + cell.unknown_count == 0 for cell in territory.cells)
    ]
    nowhere = coverage.summary.uncovered_everywhere
    sentence = pages.gaps_sentence(mini_ctx)
    assert empty and nowhere  # the mini registry has both kinds of zone grise
    assert f"Zones grises : {len(empty)} des {coverage.summary.territories} départements et provinces" in sentence
    assert f"et {len(nowhere)} des {len(coverage.summary.segments)} publics" in sentence
    assert sentence.endswith('<a href="gaps/">Voir le rapport des zones grises</a></p>')


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


def test_counts_read_as_each_language_writes_them() -> None:
    """A national registry's row and service counts: « 27 610 » (a narrow no-break space),
    « 27.610 », « 27,610 », never « 27610 »."""
    from generator.site.i18n import number

    assert [number(27610, lang) for lang in ("fr", "nl", "en")] == ["27\u202f610", "27.610", "27,610"]
    assert number(45, "fr") == "45"


def test_counts_take_their_language_s_plural() -> None:
    """« 0 service, 1 service, 2 services » in French (CLDR: 0 and 1 are singular), « 0
    diensten, 1 dienst » in Dutch, « 0 services, 1 service » in English; never « service(s) »."""
    from generator.site.i18n import tn

    said = {lang: [tn("count.services", n, lang) for n in (0, 1, 2, 27610)] for lang in ("fr", "nl", "en")}
    assert said == {
        "fr": ["0 service", "1 service", "2 services", "27\u202f610 services"],
        "nl": ["0 diensten", "1 dienst", "2 diensten", "27.610 diensten"],
        "en": ["0 services", "1 service", "2 services", "27,610 services"],
    }
    assert tn("count.services", 2_000_000, "fr") == "2\u202f000\u202f000 services"  # CLDR's « many »: the other form
    assert tn("report.stale", 1, "fr", months=12) == "1 service vérifié il y a plus de 12 mois."


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
