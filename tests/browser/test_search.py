"""The search panel, driven in Chromium: real queries, facets, and nothing leaving localhost.

The site is built once per session with mkdocs-material and the project's search partials
(overrides/partials/header.html, search.html), from the real registry: one page per
service whose findable part carries ``generator.site.search.filter_attributes``, as the site
plugin's service pages do. Pagefind indexes it with ``generator.site.search.index_site``.
"""

from __future__ import annotations

import functools
import gzip
import html
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from generator.analysis.describe import area_phrase, summary
from generator.registry.loader import for_audience, load_registry
from generator.site import search
from generator.site.context import Asset, SiteConfig, SiteContext
from generator.site.words import words_assets
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# The plugin's on_env for this plugin-less site: the templates' words from the catalogues.
HOOK = Path(__file__).with_name("template_words_hook.py")

MKDOCS_YML = """\
site_name: Maillage (test de la recherche)
docs_dir: docs
site_dir: site
use_directory_urls: true
theme:
  name: material
  language: fr
  custom_dir: {overrides}
  font: false
plugins: []
hooks:
  - {hook}
"""


def _service_page(ctx: SiteContext, service_id: str) -> str:
    registry = ctx.registry
    service = registry.services[service_id]
    organisation = registry.organisation_of(service_id)
    return (
        "<article data-pagefind-body>\n"
        f"<h1>{html.escape(service.name.get('fr'))}</h1>\n"
        f"<p>{html.escape(organisation.name.get('fr'))}</p>\n"
        f"<h2>L'objectif</h2>\n<p>{html.escape(service.objective.get('fr'))}</p>\n"
        f"<h2>Pour qui ?</h2>\n<p>{html.escape(summary(registry, service))}</p>\n"
        f"<p>Territoire : {html.escape(area_phrase(registry, service))}</p>\n"
        f"{search.filter_attributes(ctx, service)}\n"
        "</article>\n"
    )


def build_search_site(target: Path) -> Path:
    """A small Material site of the real registry's services, indexed by Pagefind."""
    registry = for_audience(load_registry(ROOT), "public")
    ctx = SiteContext(registry=registry, config=SiteConfig(), root=ROOT)
    docs = target / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text(
        "# Accueil\n\nL'annuaire des services.\n\n"
        f'<a id="brussels-link" href="{search.search_link(ctx, "territory", "be-region-04000")}">'
        "Chercher à Bruxelles</a>\n",
        encoding="utf-8",
    )
    for service_id in registry.services:
        page = docs / "services" / f"{service_id}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(_service_page(ctx, service_id), encoding="utf-8")
    # Organisations' pages, findable as on the real site: a search goes on to them after services.
    for organisation_id, organisation in registry.organisations.items():
        page = docs / "organisations" / f"{organisation_id}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        name = html.escape(organisation.name.get("fr"))
        page.write_text(f"<article data-pagefind-body>\n<h1>{name}</h1>\n</article>\n", encoding="utf-8")
    for item in [*search.search_assets(ctx), *words_assets(ctx)]:
        assert isinstance(item, Asset)
        (docs / item.uri).parent.mkdir(parents=True, exist_ok=True)
        (docs / item.uri).write_bytes(item.content)
    (target / "mkdocs.yml").write_text(MKDOCS_YML.format(overrides=ROOT / "overrides", hook=HOOK), encoding="utf-8")

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(target / "mkdocs.yml")))
    site = target / "site"
    search.index_site(site)
    return site


@pytest.fixture(scope="session")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_search_site(tmp_path_factory.mktemp("search-site"))


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def search_server(search_site: Path) -> Iterator[str]:
    yield from _serve(search_site)


def _serve(site: Path) -> Iterator[str]:
    """The address of ``site`` served over HTTP on localhost, until the generator is closed."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(search_server: str) -> Iterator[Any]:
    # Started after the site is built and indexed, so a failed build fails fast.
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists() or shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, search_server: str) -> Iterator[Any]:
    """A fresh page; any request that leaves localhost is aborted and fails the test."""
    context = browser.new_context()
    outside: list[str] = []
    errors: list[str] = []

    def route(request_route: Any) -> None:
        host = urlsplit(request_route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert outside == [], f"requests left localhost: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


def _open_and_type(page: Any, base: str, query: str) -> None:
    page.goto(base + "/")
    field = page.locator("[data-maillage-search-input]")
    # On a wide screen the field is in the header; on a phone, behind the magnifier.
    button = page.locator("[data-maillage-search-open]")
    if button.is_visible():
        button.click()
    field.click()
    field.fill(query)
    field.press("Enter")


def _result_urls(page: Any, expect_at_least: int = 1) -> list[str]:
    page.wait_for_function(
        "n => document.querySelector('[data-maillage-search]')"
        " && !document.querySelector('[data-maillage-search]').hasAttribute('aria-busy')"
        " && document.querySelectorAll('.maillage-search__result').length >= n",
        arg=expect_at_least,
    )
    more = page.locator("[data-maillage-search-more]")
    while more.is_visible():  # every result, not only the first page of them
        shown = page.locator(".maillage-search__result").count()
        more.click()
        page.wait_for_function("n => document.querySelectorAll('.maillage-search__result').length > n", arg=shown)
    return list(page.eval_on_selector_all(".maillage-search__result", "items => items.map(i => i.dataset.url)"))


def _wait_idle(page: Any) -> None:
    page.wait_for_function(
        "() => document.querySelector('[data-maillage-search]')"
        " && !document.querySelector('[data-maillage-search]').hasAttribute('aria-busy')"
    )


def _open_facets(page: Any) -> None:
    """Press "Filtres": every facet's data is fetched and the facets are shown with counts."""
    toggle = page.locator("[data-maillage-search-facets-toggle]")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    _wait_idle(page)
    assert toggle.get_attribute("aria-expanded") == "true"
    page.wait_for_selector("details.maillage-search__facet[data-facet='age']")


def test_case_management_in_brussels_finds_brusano_and_bru_stars(page: Any, search_server: str) -> None:
    _open_and_type(page, search_server, "case management bruxelles")
    urls = _result_urls(page, 2)
    assert "/services/brusano-case-management/" in urls
    assert "/services/bru-stars-case-management/" in urls
    # A result says who the service is for, and whose it is.
    brusano = page.locator(".maillage-search__result[data-url='/services/brusano-case-management/']")
    assert "Brusano" in brusano.inner_text()
    assert "Pour qui ?" in brusano.inner_text()
    assert "Région de Bruxelles-Capitale" in brusano.inner_text()


def test_age_band_facet_removes_brusano(page: Any, search_server: str) -> None:
    _open_and_type(page, search_server, "case management bruxelles")
    before = _result_urls(page, 2)
    _open_facets(page)
    age = page.locator("details.maillage-search__facet[data-facet='age']")
    age.locator("summary").click()
    count = age.locator("label", has_text="0-17").locator(".maillage-search__count").inner_text()
    age.locator("input[value='0-17']").check()
    _wait_idle(page)
    after = _result_urls(page, 1)
    assert "/services/bru-stars-case-management/" in after
    assert "/services/brusano-case-management/" not in after
    assert len(after) < len(before)
    assert len(after) == int(count)  # the count beside the value is what checking it leaves
    # The state is in the address, so the search can be shared.
    assert "filter=age%3A0-17" in page.url


def test_combined_facets_narrow_the_results(page: Any, search_server: str) -> None:
    _open_and_type(page, search_server, "case management bruxelles")
    first = _result_urls(page, 2)
    _open_facets(page)
    page.locator("details[data-facet='age'] summary").click()
    page.locator("details[data-facet='age'] input[value='0-17']").check()
    _wait_idle(page)
    second = _result_urls(page, 1)
    page.locator("details[data-facet='self_referral'] summary").click()
    page.locator("details[data-facet='self_referral'] input[value='non']").check()
    _wait_idle(page)
    third = _result_urls(page, 1)
    assert set(third) <= set(second) <= set(first)


def _filter_key(site: Path, path: str) -> str:
    """The filter a Pagefind filter file holds (gzip, then "pagefind_dcd" and CBOR: the key
    is the first text string)."""
    data = gzip.decompress((site / path.lstrip("/")).read_bytes())
    start = len(b"pagefind_dcd") + 1  # the CBOR pair [key, values] opens the file
    length = data[start] - 0x60  # a short CBOR text string: its length in the low bits
    return data[start + 1 : start + 1 + length].decode("utf-8")


def test_plain_query_fetches_no_facet_data_until_the_filters_are_opened(
    page: Any, search_server: str, search_site: Path
) -> None:
    # Every facet's data is what grows with the site (4.8 MB at 100,000 services): a plain
    # query must not fetch it; opening the filters fetches it, and shows exact counts. The
    # query's reading fetches only the filters it uses: "bruxelles" is a place (the place
    # filters that hold the values of the Brussels region and what it lies in: a few of
    # PLACE_BUCKETS, computed alike by search.py and search.js), "case management" a
    # function (the term filter that holds its narrowing word, not the function facet's
    # data), and services may come before other pages (kind).
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(urlsplit(request.url).path))
    _open_and_type(page, search_server, "case management bruxelles")
    urls = _result_urls(page, 2)
    assert [p for p in fetched if p.startswith("/pagefind/index/")]
    assert [p for p in fetched if p.startswith("/pagefind/fragment/")]
    used = {_filter_key(search_site, p) for p in fetched if p.startswith("/pagefind/filter/")}
    brussels = ("a:be-region-04000", "a:be", "i:be-region-04000")
    read = {search.place_bucket(v) for v in brussels}
    read.add(search.term_bucket(search.narrowing_word("f", "Case management")))
    assert read <= used <= read | {"kind"}
    assert page.locator("details.maillage-search__facet").count() == 0
    _open_facets(page)
    filters = {p for p in fetched if p.startswith("/pagefind/filter/")}
    assert filters == {f"/pagefind/filter/{f.name}" for f in (search_site / "pagefind" / "filter").iterdir()}
    shown = page.eval_on_selector_all("details.maillage-search__facet", "ds => ds.map(d => d.dataset.facet)")
    assert {"need", "function", "territory", "age", "self_referral"} <= set(shown)
    # Counts are shown beside each value, never more than the current results.
    age = page.locator("details.maillage-search__facet[data-facet='age']")
    age.locator("summary").click()
    counts = [int(c) for c in age.locator(".maillage-search__count").all_inner_texts()]
    assert counts and all(0 < c <= len(urls) for c in counts)


def test_filters_opened_without_a_query_show_every_value_with_its_count(page: Any, search_server: str) -> None:
    page.goto(search_server + "/")
    button = page.locator("[data-maillage-search-open]")
    if button.is_visible():
        button.click()
    page.locator("[data-maillage-search-input]").click()
    _open_facets(page)
    assert page.locator(".maillage-search__result").count() == 0
    territory = page.locator("details.maillage-search__facet[data-facet='territory']")
    territory.locator("summary").click()
    brussels = territory.locator("label", has_text="Région de Bruxelles-Capitale")
    count = int(brussels.locator(".maillage-search__count").inner_text())
    brussels.locator("input").check()
    _wait_idle(page)
    assert len(_result_urls(page, 1)) == count


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("precarite", "/services/em107-precarite/"),  # no accents
        ("precarrité", "/services/em107-precarite/"),  # misspelt: retried with the word's start
        ("gestionaire de cas bruxelles", "/services/brusano-case-management/"),  # misspelt word
        ("SDF", "/services/ucsd-lyon/"),  # a synonym the page does not say
        ("Diogène", "/services/clsm-saint-etienne-incurie/"),  # synonym of incurie
    ],
)
def test_unaccented_misspelt_and_synonym_queries_find_the_service(
    page: Any, search_server: str, query: str, expected: str
) -> None:
    _open_and_type(page, search_server, query)
    urls = _result_urls(page, 1)
    assert expected in urls


def test_link_opens_search_with_its_facet_checked(page: Any, search_server: str) -> None:
    page.goto(search_server + "/")
    with page.expect_navigation():
        page.click("#brussels-link")
    page.wait_for_selector(".maillage-search__result")
    urls = _result_urls(page, 3)
    assert "/services/brusano-case-management/" in urls
    assert not [u for u in urls if u.startswith("/services/ucsd-")]
    box = page.locator("details[data-facet='territory'] input[value='Région de Bruxelles-Capitale']")
    assert box.is_checked()
    assert page.locator("#__search").is_checked()


def _after_more(page: Any, base: str, query: str, presses: int) -> tuple[int, bool]:
    """The results shown and whether « more » is shown, once the panel is done, after
    ``presses`` presses on « more » in a row (none waiting for the page it asks for)."""
    _open_and_type(page, base, query)
    _wait_idle(page)
    shown = page.locator(".maillage-search__result").count()
    assert page.locator("[data-maillage-search-more]").is_visible()
    page.evaluate(
        "n => { const more = document.querySelector('[data-maillage-search-more]');"
        " for (let i = 0; i < n; i++) more.click(); }",
        presses,
    )
    page.wait_for_function("n => document.querySelectorAll('.maillage-search__result').length > n", arg=shown)
    _wait_idle(page)
    page.wait_for_timeout(300)  # a page still on its way has arrived
    return page.locator(".maillage-search__result").count(), page.locator("[data-maillage-search-more]").is_visible()


def test_more_pressed_twice_while_the_next_page_loads_adds_one_page(page: Any, search_server: str) -> None:
    """A second press on « more » before the next page is shown waits for it: the same
    page is added as by one press, and the button stays for the rest (two searches at once
    used to hide it for a moment, and a reading at that moment took the list for complete)."""
    once = _after_more(page, search_server, "logement", 1)
    assert once[1]  # more than one more page: a second press had something to add
    assert _after_more(page, search_server, "logement", 2) == once


def test_navigation_and_footer_are_not_indexed(page: Any, search_server: str) -> None:
    # "Made with Material for MkDocs" is in every page's footer, never in a findable part.
    _open_and_type(page, search_server, "mkdocs")
    _wait_idle(page)
    assert page.locator(".maillage-search__result").count() == 0
    assert "Aucun résultat" in page.locator("[data-maillage-search-status]").inner_text()


@pytest.fixture(scope="module")
def sharded_site(search_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same site with its French pages indexed in shards (see ``search.index_site``): its
    services in some, its other pages in others, merged by the panel only when needed."""
    site = tmp_path_factory.mktemp("sharded") / "site"
    shutil.copytree(search_site, site, ignore=shutil.ignore_patterns(search.BUNDLE))
    french = sum(search.indexed_weight((site / uri).read_bytes()) for uri, _ in search.language_pages(site)[0])
    search.index_site(site, shard_bytes=french // 3 + 1)
    listed = json.loads((site / search.BUNDLE / search.SHARDS_FILE).read_text(encoding="utf-8"))
    assert listed["fr"] and listed[search.LATER]["fr"]
    return site


@pytest.fixture(scope="module")
def sharded_server(sharded_site: Path) -> Iterator[str]:
    yield from _serve(sharded_site)


def _shards_fetched(fetched: list[str]) -> set[str]:
    return {p.split("/")[2] for p in fetched if p.startswith("/pagefind/shard-")}


def test_the_other_pages_shards_are_fetched_only_for_a_search_beyond_the_services(
    page: Any, sharded_site: Path, sharded_server: str
) -> None:
    listed = json.loads((sharded_site / search.BUNDLE / search.SHARDS_FILE).read_text(encoding="utf-8"))
    later = {path.rstrip("/") for path in listed[search.LATER]["fr"]}
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(urlsplit(request.url).path))
    # A need read, and services with it: the first page shows them, and searches no further.
    _open_and_type(page, sharded_server, "santé mentale")
    page.wait_for_function(
        "() => { const r = document.querySelector('[data-maillage-search]'); return r"
        " && !r.hasAttribute('aria-busy') && document.querySelectorAll('.maillage-search__result').length >= 3; }"
    )
    groups = page.eval_on_selector_all(".maillage-search__result", "items => items.map(i => i.dataset.group)")
    assert set(groups) == {"js.search.matching"}
    assert _shards_fetched(fetched) == {path.rstrip("/") for path in listed["fr"]}  # the services' shards only
    # An organisation's name: few services say it, so the search goes on to the other pages,
    # and finds the organisation's own page in a later shard.
    urls = (_open_and_type(page, sharded_server, "Brusano"), _result_urls(page, 1))[1]
    assert any(url.rstrip("/").endswith("/organisations/brusano") for url in urls), urls
    assert later <= _shards_fetched(fetched)


def _facet_counts(page: Any, facet: str) -> dict[str, str]:
    box = page.locator(f"details.maillage-search__facet[data-facet='{facet}']")
    box.locator("summary").click()
    values = box.locator("input[type=checkbox]").evaluate_all("inputs => inputs.map(i => i.value)")
    counts = box.locator(".maillage-search__count").all_inner_texts()
    return dict(zip(values, counts, strict=True))


@pytest.mark.parametrize("query", ["case management bruxelles", "precarite", "SDF", "logement", "precarrité"])
def test_a_sharded_index_finds_what_one_index_finds(
    page: Any, search_server: str, sharded_site: Path, sharded_server: str, query: str
) -> None:
    """The browser merges the shards: same results, same facet counts as the whole index."""
    found = {}
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(urlsplit(request.url).path))
    for base in (search_server, sharded_server):
        _open_and_type(page, base, query)
        urls = _result_urls(page, 1)
        _open_facets(page)
        found[base] = (sorted(urls), _facet_counts(page, "territory"), _facet_counts(page, "age"))
    assert found[sharded_server] == found[search_server]
    assert found[search_server][0]  # the query finds something
    assert _shards_fetched(fetched) == {p.name for p in sharded_site.glob("pagefind/shard-*")}  # every shard merged in
    # Merged into the page's one Pagefind: the shards' own script and WebAssembly are never fetched.
    assert not [p for p in fetched if p.startswith("/pagefind/shard-") and ("/wasm." in p or p.endswith(".js"))]
