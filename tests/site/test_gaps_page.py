"""The gap report's pages (issue 19): the headline sentences, covered and "à vérifier" apart,
dates in words, unknown populations said in words, tables and map usable on a phone.

The headline's words are pinned by golden files on the small fixture registry (fr, nl,
en); the real registry's pages are checked for what a reader must find there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.registry.loader import Registry, for_audience, load_registry
from generator.site import maps
from generator.site.context import GeneratedPage, SiteConfig, SiteContext
from generator.site.gaps_page import gaps_report_pages, report
from generator.site.territory_pages import territory_index, territory_page
from tests.conftest import MINI, ROOT, compare_golden

GOLDEN = Path(__file__).parent / "golden"
ISO_DATE = re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b")
HEADLINE = re.compile(r'<div class="maillage-gaps-headline"[^>]*>(.*?)</div>', re.S)


@pytest.fixture(scope="module")
def real() -> Registry:
    return for_audience(load_registry(ROOT), "public")


@pytest.fixture(scope="module")
def mini_registry() -> Registry:
    return for_audience(load_registry(MINI), "public")


def pages(registry: Registry, lang: str) -> dict[str, str]:
    ctx = SiteContext(registry=registry, config=SiteConfig(), lang=lang, root=registry.root)
    return {p.uri: p.content for p in gaps_report_pages(ctx)}


def sentences(page: str) -> list[str]:
    """The headline's sentences as text (tags dropped, entities read)."""
    import html

    found = HEADLINE.search(page)
    assert found, "the page has no headline"
    return [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p>(.*?)</p>", found.group(1))]


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_headline_golden(mini_registry: Registry, lang: str, update_goldens: bool) -> None:
    prefix = "" if lang == "fr" else f"{lang}/"
    text = "\n".join(sentences(pages(mini_registry, lang)[prefix + "gaps/index.md"])) + "\n"
    compare_golden(GOLDEN / f"gaps-headline.{lang}.txt", text, update_goldens)


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_every_gap_page_opens_with_sentences_and_no_iso_date(real: Registry, lang: str) -> None:
    for uri, page in pages(real, lang).items():
        said = sentences(page)
        assert 3 <= len(said) <= 5, uri
        # The headline comes right after the title: nothing between them.
        title_end = page.index("\n", page.index("\n# ") + 1)
        assert page[title_end:].lstrip().startswith('<div class="maillage-gaps-headline"'), uri
        assert len(re.findall(r"\d+", " ".join(said[:-1]))) >= 3, uri  # figures, not only words
        assert not ISO_DATE.search(page), (uri, ISO_DATE.search(page))


def test_real_headline_says_what_and_where(real: Registry) -> None:
    said = sentences(pages(real, "fr")["gaps/index.md"])
    nowhere, largest, to_check, *rest = said
    # Un chez-soi d'abord sites state no age: minors are à vérifier, nowhere covered.
    assert "0-17 ans (toutes situations de logement)" in nowhere
    # The most populous départements with no service at all, with their population.
    assert re.search(r"\d+ des \d+ départements et provinces n’ont aucun service", largest)
    assert re.search(r"[A-Z][\w-]+ \(\d[\d\u202f\u00a0 ]* hab\.\)", largest)
    assert "population de 10 d’entre eux n’est pas connue" in largest  # the Belgian provinces
    assert "« à vérifier »" in to_check and "quel âge" in to_check and "dont Un chez-soi d" in to_check
    # The list under the summary says which publics nowhere covered are à vérifier somewhere.
    page = pages(real, "fr")["gaps/index.md"]
    assert "<li>0-17 ans · Sans abri (des services sont « à vérifier »)</li>" in page
    assert re.search(r"\d+,\d\s%", to_check)  # the share of the population in that case
    assert rest[-1].startswith("Données au 1er janvier 2024")
    english = sentences(pages(real, "en")["en/gaps/index.md"])
    assert english[-1].startswith("Data as of 1 January 2024")
    dutch = sentences(pages(real, "nl")["nl/gaps/index.md"])
    assert dutch[-1].startswith("Gegevens van 1 januari 2024")


def test_cells_tell_covered_and_to_check_apart(real: Registry) -> None:
    page = pages(real, "fr")["gaps/index.md"]
    nord = next(line for line in page.splitlines() if line.startswith('<tr id="fr-dep-59">'))
    # Lille's Un chez-soi d'abord states no age: « ? », à vérifier, not « 1 ».
    assert re.search(r'<td class="maillage-gaps-unknown" data-sort="0.25">\? ≈</td>', nord)
    assert 'class="maillage-gaps-covered"' not in nord
    # Lyon's area is the Métropole (exact), Lille's a city read as its commune (approximate):
    # an approximate area stays marked on an à vérifier cell.
    # The services behind the cells are named, linked, under the table (not in a tooltip).
    behind = page.split('<details class="maillage-gaps-services">')[1].split("</details>")[0]
    nord_services = behind.split('">Nord</a>')[1].split("</ul>")[0]
    assert re.search(
        r'À vérifier : <a href="\.\./services/ucsd-lille/">Un chez-soi d&#x27;abord – Lille</a>', nord_services
    )
    assert " title=" not in nord
    # The summary gives the population à vérifier apart from the population covered.
    assert "À vérifier (population)" in page and "dont à vérifier" in page
    assert "19,4 %" in page
    # The legend explains « ? ».
    assert "« ? » à vérifier" in page


def test_unknown_population_is_said_in_words(real: Registry) -> None:
    page = pages(real, "fr")["gaps/index.md"]
    brussels = next(line for line in page.splitlines() if line.startswith('<tr id="be-region-04000">'))
    assert '<td class="maillage-num" data-sort="">population inconnue</td>' in brussels
    assert "—" not in brussels.split("</th>", 1)[1].split("</td>")[0]  # not a dash for the population
    assert "n’ont pas la population des communes belges ; les 11 territoires belges" in page
    nl = pages(real, "nl")["nl/gaps/index.md"]
    assert "bevolking onbekend" in nl


def test_the_report_s_counts_read_in_words_and_plurals(real: Registry) -> None:
    """« 43 services ; 35 440 communes … (31 services) », not « service(s) »."""
    for lang, service, prefix in (("fr", "services ;", ""), ("nl", "diensten;", "nl/"), ("en", "services;", "en/")):
        page = pages(real, lang)[prefix + "gaps/index.md"]
        [line] = [found for found in re.findall(r"<p>[^<]*</p>", page) if service in found and "100" in found]
        assert re.match(r"<p>\d+ " + re.escape(service), line), line
        assert "(s)" not in line and "(en)" not in line and re.search(r"\(\d+ (services|diensten)\)", line), line


def test_tables_scroll_inside_a_focusable_region(real: Registry) -> None:
    page = pages(real, "fr")["gaps/index.md"]
    tables = page.count("<table") - page.count("'<table>'")  # not the map's tooltip script
    regions = re.findall(r'<div class="maillage-scroll" role="region" tabindex="0" aria-label="[^"]+">\s*<table', page)
    assert tables >= 4 and len(regions) == tables
    # Figures right-aligned (their header too), names never broken inside a word.
    assert '<th scope="col" class="maillage-num">Population couverte</th>' in page
    assert '<th scope="row" class="maillage-name" data-sort="Nord">' in page
    css = (ROOT / "overrides" / "assets" / "maillage" / "site.css").read_text(encoding="utf-8")
    assert "font-variant-numeric: tabular-nums" in css and "hyphens: none" in css
    assert "break-all" not in css and "break-all" not in page


def test_map_colours_tell_the_five_kinds_apart(real: Registry) -> None:
    page = pages(real, "fr")["gaps/index.md"]
    for colour in maps.STATUS_COLOURS.values():
        assert colour in page
    for word in ("Aucun service", "À vérifier", "Couvert en partie", "Un service", "Deux services ou plus"):
        assert f"</span>{word}</li>" in page
    # The text version says each territory's state; a Belgian province's population in words.
    assert re.search(r"<tr><td>Rhône</td><td>À vérifier</td>", page)
    assert re.search(r"<tr><td>Province d’Anvers</td><td>Aucun service</td>.*?>inconnue</td>", page)
    # A territory à vérifier is drawn with a dashed outline; every circle is filled.
    assert '"dashArray": "3 3"' in page
    assert '"fill": true, "fillColor": "#d73027"' in page


def test_map_without_statuses_keeps_its_counts(real: Registry) -> None:
    ctx = SiteContext(registry=real, config=SiteConfig(), root=ROOT)
    html = maps.coverage_map_html(ctx, {"fr-dep-69": 2, "fr-dep-42": 0}, "test")
    assert all(colour in html for colour in maps.COVERAGE_COLOURS)
    assert "Couverture</th>" not in html


def test_territory_pages_say_unknown_population_and_to_check(real: Registry) -> None:
    ctx = SiteContext(registry=real, config=SiteConfig(), root=ROOT)
    index = territory_index(real, ())
    brussels = territory_page(ctx, index, real.gazetteer["be-region-04000"]).content
    assert "Population inconnue : les données de territoires du répertoire n’ont pas la population" in brussels
    nord = territory_page(ctx, index, real.gazetteer["fr-dep-59"]).content
    assert "Population : 2" in nord
    gaps = nord[nord.index('id="zones-grises"') :]
    # Lille's programme states no age: its publics are à vérifier, listed apart.
    assert "À vérifier : des services interviennent ici" in gaps
    dutch = territory_page(
        SiteContext(registry=real, config=SiteConfig(), lang="nl", root=ROOT), index, real.gazetteer["be-region-04000"]
    ).content
    assert "Bevolking onbekend" in dutch


def test_report_is_cached_between_languages(real: Registry) -> None:
    # The headline is computed from the shared analyses: no second analysis per language.
    first = report(real, ())
    pages(real, "nl")
    assert report(real, ()) is first
    assert isinstance(next(iter(gaps_report_pages(SiteContext(registry=real, config=SiteConfig())))), GeneratedPage)


def test_coverage_map_opens_on_the_mainland(real: Registry) -> None:
    page = pages(real, "fr")["gaps/index.md"]
    found = re.search(r"fitBounds\(\s*\[\[(-?[\d.]+), (-?[\d.]+)\], \[(-?[\d.]+), (-?[\d.]+)\]\]", page)
    assert found
    south, west, north, east = map(float, found.groups())
    # Metropolitan France and Belgium, not the ocean between them and La Réunion.
    assert 40 < south < 44 and -6 < west < 0 and 50 < north < 52 and 5 < east < 10
    # La Réunion is still on the map (zoom out) and in its text version.
    assert "<tr><td>La Réunion</td>" in page
    assert maps.main_cluster([(45.0, 4.0), (46.0, 5.0), (47.0, 2.0), (-21.0, 55.5)]) == [
        (45.0, 4.0),
        (46.0, 5.0),
        (47.0, 2.0),
    ]
