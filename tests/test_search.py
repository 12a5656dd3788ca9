"""generator.site.search: facets, hidden search words, links, assets and the Pagefind step."""

from __future__ import annotations

import gzip
import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from generator.registry.loader import Registry, for_audience, load_registry
from generator.registry.models import AgeRange, LocalizedText
from generator.registry.text import fold
from generator.site import search
from generator.site.context import SiteConfig, SiteContext
from tests.conftest import ROOT, compare_golden

GOLDEN = Path(__file__).parent / "golden" / "search"


@pytest.fixture(scope="module")
def real() -> SiteContext:
    registry = for_audience(load_registry(ROOT), "public")
    return SiteContext(registry=registry, config=SiteConfig(), root=ROOT)


@pytest.fixture
def mini_ctx(mini: Path) -> SiteContext:
    return SiteContext(registry=load_registry(mini), config=SiteConfig(), root=mini)


def _filters(markup: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in re.findall(r'data-pagefind-filter="(\w+)\[data-value\]" data-value="([^"]*)"', markup):
        found.setdefault(key, []).append(html.unescape(value))
    return found


def _meta(markup: str) -> dict[str, str]:
    pairs = re.findall(r'data-pagefind-meta="(\w+)\[data-value\]" data-value="([^"]*)"', markup)
    return {key: html.unescape(value) for key, value in pairs}


def test_brusano_facets(real: SiteContext) -> None:
    markup = search.filter_attributes(real, real.registry.services["brusano-case-management"])
    filters = _filters(markup)
    assert filters["need"] == ["Situation complexe"]
    assert filters["function"] == ["Case management"]
    assert filters["territory"] == ["Belgique", "Région de Bruxelles-Capitale"]
    assert filters["age"] == ["18-24", "25-59", "60+"]  # an adult service: not 0-17
    assert filters["self_referral"] == ["oui"]
    assert filters["language"] == ["à vérifier"]
    meta = _meta(markup)
    assert meta["organisation"] == "Brusano"
    assert meta["territory"] == "Région de Bruxelles-Capitale"
    assert meta["for_whom"].startswith("Adultes vivant à domicile à Bruxelles")


def test_bru_stars_facets(real: SiteContext) -> None:
    filters = _filters(search.filter_attributes(real, real.registry.services["bru-stars-case-management"]))
    assert filters["age"] == ["0-17", "18-24"]  # 0 to 23 years overlaps two bands
    assert filters["self_referral"] == ["non"]  # professionals only


def test_unknown_criteria_never_exclude(mini_ctx: SiteContext) -> None:
    registry = mini_ctx.registry
    service = registry.services["alpha-adults"].model_copy(
        update={"public": registry.services["alpha-adults"].public.model_copy(update={"age": None, "housing": None})}
    )
    filters = search.facets(mini_ctx, service)
    assert filters.values("age") == tuple(b.id for b in registry.vocabularies.age_bands)
    assert len(filters.values("housing")) == len(registry.vocabularies.housing)


def test_age_bands_overlap() -> None:
    registry = load_registry(ROOT)
    bands = registry.vocabularies.age_bands
    service = registry.services["brusano-case-management"]
    public = service.public.model_copy(update={"age": AgeRange(min=17, max=18)})
    ids = [b.id for b in search.age_bands_of(bands, service.model_copy(update={"public": public}))]
    assert ids == ["0-17", "18-24"]


def test_territory_facet_levels(mini_ctx: SiteContext) -> None:
    # A commune list gives the region and country; an EPCI gives its département too.
    assert search.territory_values(mini_ctx, ["be-commune-21009", "be-commune-21013"]) == [
        "Belgique",
        "Région de Bruxelles-Capitale",
    ]
    assert search.territory_values(mini_ctx, ["fr-epci-200046977"]) == ["France", "Auvergne-Rhône-Alpes", "Rhône"]
    # A whole region reaches each of its départements.
    assert "Loire" in search.territory_values(mini_ctx, ["fr-region-84"])


def test_values_are_escaped(mini_ctx: SiteContext) -> None:
    registry = mini_ctx.registry
    service = registry.services["alpha-adults"]
    summary = LocalizedText(fr='<script>alert("x")</script> & "quotes"')
    hostile = service.model_copy(update={"public": service.public.model_copy(update={"summary": summary})})
    markup = search.filter_attributes(mini_ctx, hostile)
    assert "<script>" not in markup
    assert _meta(markup)["for_whom"] == '<script>alert("x")</script> & "quotes"'


def test_synonyms_become_hidden_words(real: SiteContext) -> None:
    words = search.facets(real, real.registry.services["ucsd-lyon"]).words
    folded = {fold(w) for w in words}
    assert {"sdf", "sans abri", "housing first"} <= folded
    markup = search.filter_attributes(real, real.registry.services["clsm-saint-etienne-incurie"])
    assert "Diogène" in markup
    assert 'class="maillage-search-words" hidden' in markup
    assert 'data-pagefind-weight="0.5"' in markup


def test_synonym_inside_a_longer_synonym_does_not_count(real: SiteContext) -> None:
    found = search.synonyms_in(real.registry, "un pair-aidant")
    assert "travailleur pair" in found
    assert "aidant proche" not in found  # "aidant" here is part of "pair-aidant"
    assert "aidant proche" in search.synonyms_in(real.registry, "soutien à l'aidant")


def test_search_link(real: SiteContext) -> None:
    assert search.search_link(real, "need", "mental-health") == "?q=&filter=need%3ASant%C3%A9%20mentale"
    link = search.search_link(real, "territory", "be-region-04000", query="case management")
    assert link == "?q=case%20management&filter=territory%3AR%C3%A9gion%20de%20Bruxelles-Capitale"
    assert search.search_link(real, "age", "0-17") == "?q=&filter=age%3A0-17"
    with pytest.raises(ValueError, match="unknown facet"):
        search.search_link(real, "colour", "blue")


def test_assets_once_per_site(real: SiteContext) -> None:
    assets = list(search.search_assets(real))
    uris = [a.uri for a in assets]
    first = ["assets/maillage/search/reading-fr.json", "assets/maillage/search.js", "assets/maillage/search.css"]
    assert uris[:3] == first
    assert b"pagefind/" in assets[1].content
    # The places files, once: every territory of the gazetteer by name and postcode.
    places = [u for u in uris[3:] if u.startswith("assets/maillage/search/places-")]
    assert len(places) == len(uris) - 3 > 1000
    dutch = SiteContext(registry=real.registry, config=real.config, lang="nl")
    assert [a.uri for a in search.search_assets(dutch)] == ["assets/maillage/search/reading-nl.json"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_panel_is_served_minified_and_still_a_script(tmp_path: Path) -> None:
    source = (ROOT / "generator" / "site" / "assets" / "search.js").read_bytes()
    served = search.served_script(source)
    assert len(served) < 0.65 * len(source)
    assert b"Maillage search: the Pagefind search panel" in source
    assert b"Maillage search" not in served  # the comments stay in the repository
    assert b'var NARROWING_PREFIX="maillagez"' in served  # names kept, only blanks go
    (tmp_path / "search.js").write_bytes(served)
    subprocess.run(["node", "--check", str(tmp_path / "search.js")], check=True, capture_output=True)


def test_filter_attributes_golden(mini_ctx: SiteContext, update_goldens: bool) -> None:
    registry: Registry = mini_ctx.registry
    out = "\n\n".join(
        f"<!-- {sid} -->\n{search.filter_attributes(mini_ctx, s)}" for sid, s in registry.services.items()
    )
    compare_golden(GOLDEN / "mini-filter-attributes.html", out + "\n", update_goldens)


def _page(body: str, nav: str = "Accueil Services") -> str:
    return f'<html lang="fr"><body><nav>{nav}</nav>{body}<footer>pied de page</footer></body></html>'


def test_index_site_indexes_only_findable_parts(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "services" / "a").mkdir(parents=True)
    (site / "about").mkdir()
    (site / "services" / "a" / "index.html").write_text(
        _page("<main data-pagefind-body><h1>Équipe mobile</h1><p>précarité</p></main>"), encoding="utf-8"
    )
    (site / "about" / "index.html").write_text(_page("<main><h1>À propos</h1></main>"), encoding="utf-8")
    report = search.index_site(site)
    assert report.pages == 1  # the page without data-pagefind-body is left out
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert list((site / "pagefind").glob("pagefind.fr_*.pf_meta"))  # one French index
    assert not (site / "pagefind" / "playground").exists()
    assert report.bytes == sum(f.stat().st_size for f in search.bundle_files(site))


def test_index_site_without_findable_pages_fails(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(_page("<main>rien</main>"), encoding="utf-8")
    with pytest.raises(search.SearchIndexError, match="no page to index"):
        search.index_site(tmp_path)


def test_index_site_indexes_one_language_at_a_time_into_one_bundle(tmp_path: Path) -> None:
    """Three Pagefind runs (root, nl/, en/) merged: what one run over the whole site gives."""
    site = tmp_path / "site"
    pages = {
        "index.html": ("fr", "Annuaire santé mentale"),
        "services/a/index.html": ("fr", "Équipe mobile précarité"),
        "services/b/index.html": ("fr", "Logement d'abord"),
        "nl/index.html": ("nl", "Gids geestelijke gezondheid"),
        "nl/services/a/index.html": ("nl", "Mobiel team kwetsbaarheid"),
        "en/index.html": ("en", "Mental health directory"),
    }
    for uri, (lang, text) in pages.items():
        (site / uri).parent.mkdir(parents=True, exist_ok=True)
        (site / uri).write_text(
            f'<html lang="{lang}"><body><main data-pagefind-body><h1>{text}</h1></main></body></html>', encoding="utf-8"
        )
    groups = [[uri for uri, _ in pages] for pages in search.language_pages(site)]
    assert groups == [
        ["index.html", "services/a/index.html", "services/b/index.html"],
        ["en/index.html"],
        ["nl/index.html", "nl/services/a/index.html"],
    ]
    report = search.index_site(site)
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert {lang: v["page_count"] for lang, v in entry["languages"].items()} == {"fr": 3, "nl": 2, "en": 1}
    assert report.pages == 6
    for lang, found in entry["languages"].items():
        assert (site / "pagefind" / f"pagefind.{found['hash']}.pf_meta").is_file()
        assert (site / "pagefind" / f"wasm.{lang}.pagefind").is_file()
    assert not [p for p in site.iterdir() if p.name.startswith(".")]  # the runs' parts are removed


def test_a_language_larger_than_a_shard_is_indexed_in_shards_listed_for_the_browser(tmp_path: Path) -> None:
    """Past ``shard_bytes``, a language's pages are cut in runs of about equal weight, its
    services apart from its other pages; the first run of services joins the main bundle, the
    others are bundles of their own, listed by language, the other pages' as "later"."""
    site = tmp_path / "site"
    words = "accompagnement logement santé mentale précarité " * 40
    pages = {f"services/s{i:02d}/index.html": "fr" for i in range(12)} | {"nl/index.html": "nl"}
    pages |= {"index.html": "fr"}
    for uri, lang in pages.items():
        (site / uri).parent.mkdir(parents=True, exist_ok=True)
        (site / uri).write_text(
            f'<html lang="{lang}"><body><main data-pagefind-body><h1>{uri}</h1><p>{words}</p></main></body></html>',
            encoding="utf-8",
        )
    french = sum(search.indexed_weight((site / uri).read_bytes()) for uri, lang in pages.items() if lang == "fr")
    report = search.index_site(site, shard_bytes=french // 3 + 1)
    assert report.pages == 14  # every page, in one bundle or another
    shards = json.loads((site / "pagefind" / search.SHARDS_FILE).read_text(encoding="utf-8"))
    # Three runs of French services, one of the home page; Dutch fits in one.
    assert shards == {"fr": ["shard-1/", "shard-2/"], search.LATER: {"fr": ["shard-3/"]}}
    counts = []
    bundles = [site / "pagefind", *(site / "pagefind" / f"shard-{n}" for n in (1, 2, 3))]
    for bundle in bundles:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        counts.append({lang: v["page_count"] for lang, v in entry["languages"].items()})
        for found in entry["languages"].values():
            assert (bundle / f"pagefind.{found['hash']}.pf_meta").is_file()
    assert counts[0]["nl"] == 1 and set(counts[1]) == set(counts[2]) == set(counts[3]) == {"fr"}
    assert sorted(c["fr"] for c in counts[:3]) == [4, 4, 4]  # the 12 services, about equal weight each
    assert counts[3]["fr"] == 1  # the home page
    home = [gzip.decompress(f.read_bytes()) for f in (bundles[3] / "fragment").iterdir()]
    assert len(home) == 1 and b'"url":"/"' in home[0]
    assert not [p for p in site.iterdir() if p.name.startswith(".")]  # staging folders removed
    # Indexed again without shards: the list says so, and the old shards are gone.
    search.index_site(site)
    assert json.loads((site / "pagefind" / search.SHARDS_FILE).read_text(encoding="utf-8")) == {}
    assert not (site / "pagefind" / "shard-1").exists()


def test_pages_with_nothing_findable_are_left_out_of_a_sharded_languages_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The redirects of old territory addresses have no ``data-pagefind-body``: beside pages
    that have one, Pagefind indexes none of them. A language cut in shards leaves them out
    of its runs, so Pagefind does not read them (23,805 files at 10,000 services)."""
    site = tmp_path / "site"
    words = "accompagnement logement santé mentale précarité " * 40
    findable = {f"services/s{i:02d}/index.html" for i in range(6)} | {"index.html", "organisations/o/index.html"}
    for uri in findable:
        (site / uri).parent.mkdir(parents=True, exist_ok=True)
        (site / uri).write_text(
            f'<html lang="fr"><body><main data-pagefind-body><h1>{uri}</h1><p>{words}</p></main></body></html>',
            encoding="utf-8",
        )
    redirects = {f"territories/fr-commune-{i:05d}/index.html" for i in range(5)}
    for uri in redirects:
        (site / uri).parent.mkdir(parents=True, exist_ok=True)
        (site / uri).write_text(
            '<html lang="fr"><head><meta http-equiv="refresh" content="0; url=../fr-dep-01/"></head>'
            "<body><p>Moved: logement</p></body></html>",
            encoding="utf-8",
        )
    staged: list[str] = []
    stage = search._stage

    def recording(site_dir: Path, folder: Path, uris: Iterable[str], same: Any) -> None:
        uris = list(uris)
        staged.extend(uris)
        stage(site_dir, folder, uris, same)

    monkeypatch.setattr(search, "_stage", recording)
    french = sum(search.indexed_weight((site / uri).read_bytes()) for uri in findable)
    report = search.index_site(site, shard_bytes=french // 2 + 1)
    assert set(staged) == findable  # every findable page staged once, no redirect
    assert len(staged) == len(findable)
    assert report.pages == len(findable)


def test_indexed_weight_counts_the_findable_part_without_what_pagefind_ignores() -> None:
    findable = '<div data-pagefind-body=""><h1>Roubaix</h1>'
    ignored = '<div class="s" data-pagefind-ignore=""><div><p>a</p></div><ul><li>b</li></ul></div>'
    page = f"<html><nav>menu</nav><article>{findable}{ignored}<p>fin</p></div></article><footer>x</footer></html>"
    assert search.indexed_weight(page.encode()) == len(findable) - len("<div ") + len("<p>fin</p></div>")
    assert search.indexed_weight(b"<html><main>nothing findable</main></html>") == 0


# --- reading a query (issue #18): the place filter, the places files, the words read -------


def test_place_values_cover_the_area_and_what_it_lies_in(real: SiteContext) -> None:
    gazetteer = real.registry.gazetteer
    # ucsd-lyon covers the Métropole de Lyon: it lies in the Rhône, Auvergne-Rhône-Alpes, France.
    assert search.place_values(gazetteer, ["fr-epci-200046977"]) == [
        "a:fr-epci-200046977",
        "i:fr",
        "i:fr-dep-69",
        "i:fr-epci-200046977",
        "i:fr-region-84",
    ]
    facets = search.facets(real, real.registry.services["em107-precarite"])
    assert facets.values("place") == ("a:be-region-04000", "i:be", "i:be-region-04000")
    assert facets.values("kind") == ("service",)


def _place(rows: list[list[object]], code: str) -> list[object]:
    return next(r for r in rows if r[0] == code)


def test_places_files_find_communes_by_french_and_dutch_name_and_postcode(real: SiteContext) -> None:
    files = search.places_files(real.registry.gazetteer)
    split = search.places_split(real.registry.gazetteer)
    schaerbeek = ["be-commune-21015", "Schaerbeek", "Schaarbeek", "1030", "be-region-04000", ["be-region-04000"], 0]
    assert _place(files[next(iter(search.place_keys("Schaerbeek", split)))], "be-commune-21015") == schaerbeek
    assert _place(files[next(iter(search.place_keys("Schaarbeek", split)))], "be-commune-21015") == schaerbeek
    assert _place(files[search.postcode_key("1030")], "be-commune-21015") == schaerbeek
    # Villeurbanne lies in the Métropole de Lyon (its EPCI), the Rhône and its region.
    (key,) = search.place_keys("Villeurbanne", split)
    villeurbanne = _place(files[key], "fr-commune-69266")
    assert villeurbanne[4] == "fr-dep-69"
    assert {"fr-epci-200046977", "fr-dep-69", "fr-region-84"} <= set(villeurbanne[5])  # type: ignore[call-overload]
    # "Saint" keys no file (it would hold every Saint-…); the other words do.
    assert search.place_keys("Saint-Étienne", split) == {"n-etie"}
    assert not any(r[0] == "fr-commune-42218" for r in files.get("n-sain", []))
    # Same name, most populous first: the one read, the others offered.
    denis = [r for r in files[next(iter(search.place_keys("Saint-Denis", split)))] if r[1] == "Saint-Denis"]
    populations = [r[6] for r in denis]
    assert len(denis) >= 4 and populations == sorted(populations, reverse=True)  # type: ignore[type-var]


def test_places_files_stay_small(real: SiteContext) -> None:
    sizes = {key: len(search._json(rows)) for key, rows in search.places_files(real.registry.gazetteer).items()}
    names = [size for key, size in sizes.items() if key.startswith("n-")]
    # One file is what a typed word fetches: the largest names file stays under 70 KB.
    assert max(names) < 70_000
    assert sorted(names)[len(names) // 2] < 2_000


def _terms(data: dict[str, Any]) -> dict[str, list[str]]:
    """The reading data's terms by phrase: [facet, value(, label)]."""
    return {phrase: [facet, value, *label] for facet, value, phrases, *label in data["terms"] for phrase in phrases}


def test_reading_json_reads_needs_publics_and_synonyms_in_the_page_language(real: SiteContext) -> None:
    data = search.reading_json(real)
    terms = _terms(data)
    assert terms["sante mentale"] == ["need", "Santé mentale"]
    assert terms["psychiatrie"][:2] == ["need", "Santé mentale"]
    assert terms["geestelijke gezondheid"][:2] == ["need", "Santé mentale"]
    assert terms["sdf"][:2] == ["need", "Sans-abrisme et absence de logement"]
    assert terms["sans domicile"][:2] == ["need", "Sans-abrisme et absence de logement"]
    assert terms["jeunes"][:2] == ["need", "Enfants et jeunes"]
    assert terms["ados"] == ["need", "Enfants et jeunes"]
    assert terms["personnes agees"] == ["age", "60+", "60 ans et plus"]
    assert terms["case management"][0] == "function"
    assert terms["a la rue"][:2] == ["housing", "Sans abri (rue, abri de nuit)"]
    places = {row[0]: row[1] for row in data["places"]}
    assert places["bruxelles"] == places["brussel"] == "be-region-04000"
    assert data["names"]["be-region-04000"] == "Région de Bruxelles-Capitale"
    assert {"a", "pour", "de"} <= set(data["stopwords"])
    assert "rue" in data["not_places"]
    dutch = search.reading_json(SiteContext(registry=real.registry, config=real.config, lang="nl"))
    assert _terms(dutch)["sante mentale"][1] == "Geestelijke gezondheid"
    assert dutch["names"]["be-region-04000"] == "Brussels Hoofdstedelijk Gewest"


def test_pagefind_leaves_out_the_permalink_sign() -> None:
    assert search.EXCLUDED == ".headerlink"


def test_the_panel_searches_the_word_every_service_page_carries(mini_ctx: SiteContext) -> None:
    script = (ROOT / "generator" / "site" / "assets" / "search.js").read_text(encoding="utf-8")
    assert f'var EVERY_SERVICE = "{search.EVERY_SERVICE_WORD}";' in script
    for service in mini_ctx.registry.services.values():
        words = search.filter_attributes(mini_ctx, service).split('data-pagefind-weight="0.5">', 1)[1]
        assert words.startswith(search.EVERY_SERVICE_WORD + " · ")


def _panel_functions(*names: str) -> str:
    """Functions of assets/search.js, as written there (each starts and ends its own lines)."""
    script = (ROOT / "generator" / "site" / "assets" / "search.js").read_text(encoding="utf-8")
    found = [re.search(r'\n  var NARROWING_PREFIX = "[^"]*";\n', script).group(0)]  # type: ignore[union-attr]
    for name in names:
        match = re.search(r"\n  function " + name + r"\(.*?\n  }\n", script, re.S)
        assert match, name
        found.append(match.group(0))
    return "".join(found)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_panel_narrows_by_words_every_covering_service_has(real: SiteContext) -> None:
    # A place read in a query is searched by its region's word (regionWord in search.js):
    # every service whose area contains the place or lies in it has that word; a need,
    # function, housing situation or age band read, by the word search.py writes for it.
    gazetteer = real.registry.gazetteer
    places = ["fr-commune-69266", "fr-commune-69123", "fr-dep-69", "fr-region-84", "fr", "be", "be-region-04000"]
    places += ["be-commune-21015", "be-commune-21009", "fr-epci-200046977", "fr-dep-973", "fr-commune-97302"]
    asked = [{"code": code, "up": search._ancestors(gazetteer, code)} for code in places]
    terms = [["n", "Santé mentale"], ["f", "Case management"], ["h", "Sans abri (rue, abri de nuit)"], ["hu", ""]]
    program = _panel_functions("hash31", "narrowingWord", "regionWord", "regionCode", "pairWord", "termBucket") + (
        f"const TERM_BUCKETS = {search.TERM_BUCKETS};"
        f"const places = {json.dumps(asked)}; const terms = {json.dumps(terms)};"
        "const words = terms.map(t => narrowingWord(t[0], t[1]));"
        "const pairs = places.map(p => terms.slice(0, 2).map(t => pairWord(regionCode(p), t[0], t[1])));"
        "console.log(JSON.stringify([places.map(regionWord), words, words.map(termBucket), pairs]));"
    )
    done = subprocess.run(["node", "-e", program], capture_output=True, text=True, check=True)
    region_words, term_words, buckets, pair_words = json.loads(done.stdout)
    assert term_words == [search.narrowing_word(kind, value) for kind, value in terms]
    assert buckets == [search.term_bucket(word) for word in term_words]
    script = (ROOT / "generator" / "site" / "assets" / "search.js").read_text(encoding="utf-8")
    assert f"var TERM_BUCKETS = {search.TERM_BUCKETS};" in script
    checked = paired = 0
    for service in real.registry.services.values():
        found = search.facets(real, service)
        words = search.narrowing_words(real.registry, service, found, "fr")
        has = {("n", v) for v in found.values("need")} | {("f", v) for v in found.values("function")}
        for code, word, pairs in zip(places, region_words, pair_words, strict=True):
            covers = any(code in gazetteer.ancestors(a) or a in gazetteer.ancestors(code) for a in service.public.area)
            if covers:
                checked += 1
                assert word in words, (service.id, code)
                # « need + place »: the region and the need in one word, on every covering
                # service that works on the need, and on no other.
                for (kind, value), pair in zip(terms[:2], pairs, strict=True):
                    assert (pair in words) == ((kind, value) in has), (service.id, code, value)
                    paired += pair in words
    assert checked > 50
    assert paired > 20


def test_reading_json_names_the_needs_and_functions_no_service_has(real: SiteContext) -> None:
    # The panel does not search for the services of a need none has (search.js: unused).
    unused = search.reading_json(real)["unused"]
    used = {n for s in real.registry.services.values() for n in s.needs}
    assert ["need", "Santé mentale"] not in unused
    assert unused and all(facet in ("need", "function") for facet, _ in unused)
    needs = real.registry.vocabularies.vocabulary("needs")
    expected = {search.label(real.registry, "needs", term_id, "fr") for term_id in needs if term_id not in used}
    assert {value for facet, value in unused if facet == "need"} == expected


def test_pages_listed_by_the_build_are_those_found_in_the_site_in_the_same_order(tmp_path: Path) -> None:
    """A build over the site before last knows every file of the site (``index_site``'s
    ``listed``): the pages taken from that list are those a walk of the site finds, in its
    order (each folder's pages by name, then its folders), without hidden folders or the bundle."""
    site = tmp_path / "site"
    names = [
        "index.html",
        "z.html",
        "a.html",
        "a/index.html",
        "a/b.html",
        "a-b/index.html",
        "a.b/index.html",
        "a/c/d/index.html",
        "a/c.html",
        "nl/index.html",
        "nl/services/x/index.html",
        ".hidden/index.html",
        "a/.tmp/index.html",
        "pagefind/fragment.html",
        "services/.x.html",
        "downloads/data.json",
        "é/index.html",
    ]
    for name in names:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"<html>{name}</html>", encoding="utf-8")
    walked_stats: dict[str, Any] = {}
    listed_stats: dict[str, Any] = {}
    walked = list(search._html_pages(site, walked_stats))
    listed = list(search._listed_pages(site, sorted(names, reverse=True), listed_stats))
    assert listed == walked and listed_stats == walked_stats
    assert [uri for uri, _ in walked][:4] == ["a.html", "index.html", "z.html", "a/b.html"]
    assert search.language_pages(site, pages=listed) == search.language_pages(site)


def test_the_other_pages_of_a_sharded_language_are_cut_in_twice_the_runs(tmp_path: Path) -> None:
    """Organisations, territories…: an edit of one makes a run of half of them again; only a
    search beyond the services fetches them (``LATER_PARTS``)."""
    site = tmp_path / "site"
    words = "accompagnement logement santé mentale précarité " * 40
    pages = [f"services/s{i:02d}/index.html" for i in range(8)]
    pages += [f"organisations/o{i:02d}/index.html" for i in range(8)]
    for uri in [*pages, "index.html"]:
        (site / uri).parent.mkdir(parents=True, exist_ok=True)
        text = words if uri.startswith("services/") else "organisation"
        (site / uri).write_text(
            f'<html lang="fr"><body><main data-pagefind-body><h1>{uri}</h1><p>{text}</p></main></body></html>',
            encoding="utf-8",
        )
    weight = sum(search.indexed_weight((site / uri).read_bytes()) for uri in pages if uri.startswith("services/"))
    report = search.index_site(site, shard_bytes=weight // 2 + 1)
    shards = json.loads((site / "pagefind" / search.SHARDS_FILE).read_text(encoding="utf-8"))
    assert search.LATER_PARTS == 2
    assert len(shards["fr"]) == 1 and len(shards[search.LATER]["fr"]) == 2  # the others weigh far less than a run
    assert report.pages == len(pages) + 1
