"""Search at scale: Pagefind against mkdocs-material's search index, on synthetic sites.

For each size N: ``maillage synth`` writes a registry of N services; every service becomes
a page shaped like the site's service pages (Material header, navigation and footer around
a ``data-pagefind-body`` article carrying ``generator.site.search.filter_attributes``);
``generator.site.search.index_site`` indexes them. Recorded:

- index time (Pagefind over the written pages) and the bundle's size (index data alone:
  meta, word index, filters, fragments — and everything with the JS/WASM/UI files);
- the bytes a browser downloads for one query and the first 10 results rendered, measured
  in Chromium (sum of response bodies) with the calls the search panel makes: a plain query
  (``pagefind.search``, no facet data), then the same query once the person opens the
  filters (``pagefind.filters()`` fetches every facet's data, and the search is run again
  for the counts);
- the bytes of the same query typed into the search panel itself (``assets/search.js`` and
  its markup, the words it reads and the places files they name, from
  ``generator.site.search.search_assets``): its reading (a place and a need: "lyon" is the
  commune of the Métropole de Lyon, "santé mentale" a need) makes it search by the place
  and need filters first, then by words only if those do not fill the first ten results;
- mkdocs-material's search index for the same pages: ``search/search_index.json`` as its
  search plugin writes it (one document per page and per section, the text of each), which
  every visitor downloads whole before the first result.

Usage::

    python bench/search_bench.py                    # 1,000 and 10,000 services
    python bench/search_bench.py --sizes 1000 10000 100000
    python bench/search_bench.py --out bench/out/search --keep
    python bench/search_bench.py --suite --keep --out /tmp/sbench   # + the relevance suite's queries
    python bench/search_bench.py --suite --reuse --out /tmp/sbench  # measure those sites again

Prints a Markdown table (the one in bench/README.md).
"""

from __future__ import annotations

import argparse
import functools
import gc
import html
import json
import re
import shutil
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.analysis.describe import area_phrase, summary, text  # noqa: E402
from generator.registry.loader import Registry, for_audience, load_registry  # noqa: E402
from generator.site import search  # noqa: E402
from generator.site.context import SiteConfig, SiteContext  # noqa: E402
from generator.synth import synthesize  # noqa: E402

QUERY = "santé mentale lyon"
BUNDLE_ENTRY = "pagefind/pagefind-entry.json"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

# What surrounds every page's findable part: Material's header, navigation and footer.
CHROME_BEFORE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head>
<body><header class="md-header"><nav>Maillage · Annuaire · Carte · Zones grises · Orientation · Téléchargements</nav>
</header><div class="md-container"><nav class="md-nav">Accueil · Services · Organisations · Territoires · Besoins ·
Fonctions · Carte · Zones grises · Orientation · Contribuer</nav><main class="md-main">
"""
CHROME_AFTER = """</main></div><footer class="md-footer">Made with Material for MkDocs · données : annuaire Maillage
</footer></body></html>
"""

SECTIONS = (
    ("L'objectif", lambda r, s: text(s.objective)),
    ("Pour qui ?", lambda r, s: f"{summary(r, s)} {text(s.public.description)} Territoire : {area_phrase(r, s)}"),
    ("Comment y faire appel ?", lambda r, s: f"{text(s.access.form)} {text(s.access.process)}"),
    ("La méthode", lambda r, s: text(s.method)),
    ("La temporalité", lambda r, s: text(s.timing)),
    ("Points d'attention", lambda r, s: text(s.attention)),
    ("Contact", lambda r, s: " ".join(c.value for c in s.contacts)),
)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def write_pages(registry: Registry, site: Path) -> list[dict[str, str]]:
    """Write one page per service; return Material's search documents for the same pages."""
    ctx = SiteContext(registry=registry, config=SiteConfig(), root=registry.root)
    docs: list[dict[str, str]] = []
    for service in registry.services.values():
        organisation = registry.organisation_of(service.id)
        name = service.name.get("fr")
        location = f"services/{service.id}/"
        parts = [f"<article data-pagefind-body><h1>{html.escape(name)}</h1>"]
        parts.append(f"<p>{html.escape(organisation.name.get('fr'))}</p>")
        page_text = [organisation.name.get("fr")]
        sections = []
        for title, extract in SECTIONS:
            body = " ".join(extract(registry, service).split())
            if body:
                parts.append(f'<h2 id="{_slug(title)}">{html.escape(title)}</h2><p>{html.escape(body)}</p>')
                page_text.append(body)
                sections.append({"location": f"{location}#{_slug(title)}", "title": title, "text": body})
        parts.append(search.filter_attributes(ctx, service))
        parts.append("</article>")
        target = site / location / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(CHROME_BEFORE.format(title=html.escape(name)) + "".join(parts) + CHROME_AFTER, "utf-8")
        docs.append({"location": location, "title": name, "text": " ".join(page_text)})
        docs += sections
    (site / "index.html").write_text(CHROME_BEFORE.format(title="Accueil") + CHROME_AFTER, "utf-8")
    write_panel(registry, site)
    return docs


def write_panel(registry: Registry, site: Path) -> None:
    """The bench's panel page and the panel's files (script, words, reading, places)."""
    ctx = SiteContext(registry=registry, config=SiteConfig(), root=registry.root)
    (site / "panel").mkdir(exist_ok=True)
    (site / "panel" / "index.html").write_text(PANEL, "utf-8")
    for asset in search.search_assets(ctx):
        target = site / asset.uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(asset.content)


# The search panel's markup (overrides/partials/search.html without Material around it).
PANEL = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Recherche</title>
<script id="__config" type="application/json">{"base": ".."}</script>
<script src="../assets/maillage/search.js" defer></script></head><body>
<input type="checkbox" id="__search"><div data-maillage-search>
<form data-maillage-search-form><input type="text" name="q" data-maillage-search-input></form>
<div data-maillage-search-status aria-live="polite"></div>
<button type="button" data-maillage-search-facets-toggle aria-expanded="false">Filtres</button>
<div data-maillage-search-facets hidden></div><div data-maillage-search-reading hidden></div>
<ol data-maillage-search-results></ol><button type="button" data-maillage-search-more hidden>Plus</button>
</div></body></html>"""


def panel_query_bytes(site: Path, query: str) -> tuple[Download, int, list[str]]:
    """Bytes Chromium downloads when ``query`` is typed into the search panel (its address
    ``?q=``), until its first results are shown: the panel's script and words, the
    places files, Pagefind's. Returns the downloads, the results listed and the chips read."""
    from urllib.parse import quote

    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    sizes: dict[str, int] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.on("requestfinished", lambda r: sizes.__setitem__(r.url, r.sizes()["responseBodySize"]))
            page.goto(base + "/panel/?q=" + quote(query))
            page.wait_for_function(
                "() => { const r = document.querySelector('[data-maillage-search]');"
                " return r && !r.hasAttribute('aria-busy')"
                " && document.querySelectorAll('.maillage-search__result').length > 0; }",
                timeout=120000,
            )
            page.wait_for_timeout(500)
            shown = page.locator(".maillage-search__result").count()
            chips = page.eval_on_selector_all(".maillage-search__chip", "cs => cs.map(c => c.textContent)")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    # The page itself is the bench's, not the site's: left out.
    sizes = {url: n for url, n in sizes.items() if not urlsplit(url).path.startswith("/panel/")}
    return Download(sizes), shown, chips


def _record(sizes: dict[str, int], request: Any) -> None:
    sizes[request.url] = request.sizes()["responseBodySize"]


def relevance_queries() -> list[str]:
    """The queries of the relevance suite (tests/browser/test_search_relevance.py)."""
    import importlib.util

    path = ROOT / "tests" / "browser" / "test_search_relevance.py"
    spec = importlib.util.spec_from_file_location("search_relevance_queries", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [query for query, _expected, _mode in module.QUERIES]


def panel_suite_bytes(site: Path, queries: list[str]) -> list[tuple[str, Download, int]]:
    """``panel_query_bytes`` for each query, each in a fresh browser context (empty cache):
    (query, downloads, results shown). A query that shows no result counts what it fetched
    until the panel said so."""
    from urllib.parse import quote

    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    out = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for query in queries:
                context = browser.new_context()
                page = context.new_page()
                sizes: dict[str, int] = {}
                page.on("requestfinished", functools.partial(_record, sizes))
                page.goto(base + "/panel/?q=" + quote(query))
                page.wait_for_function(
                    "() => { const r = document.querySelector('[data-maillage-search]');"
                    " const s = r && r.querySelector('[data-maillage-search-status]');"
                    " return r && !r.hasAttribute('aria-busy') && s && s.textContent.trim()"
                    " && r.querySelector('[data-maillage-search-input]').value.length > 0; }",
                    timeout=120000,
                )
                page.wait_for_timeout(300)
                shown = page.locator(".maillage-search__result").count()
                context.close()
                kept = {url: n for url, n in sizes.items() if not urlsplit(url).path.startswith("/panel/")}
                out.append((query, Download(kept), shown))
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return out


def material_index_bytes(docs: list[dict[str, str]]) -> int:
    """Size of mkdocs-material's search/search_index.json for these documents."""
    index = {
        "config": {"lang": ["fr"], "separator": r"[\s\-]+", "pipeline": ["stopWordFilter"]},
        "docs": docs,
    }
    # Material writes it compactly (json.dumps with separators), as here.
    return len(json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Download:
    """Bytes downloaded by Chromium, by URL."""

    sizes: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.sizes.values())

    def kinds(self) -> dict[str, int]:
        """Bytes by kind of file: the bundle's folder (index, fragment, filter) or file type."""
        kinds: dict[str, int] = {}
        for url, size in self.sizes.items():
            path = urlsplit(url).path
            kind = path.rsplit("/", 2)[-2] if path.count("/") > 2 else path.rsplit(".", 1)[-1]
            kind = {"pagefind": "wasm", "json": "entry", "search": "reading and places", "maillage": "panel"}.get(
                kind, kind
            )
            kinds[kind] = kinds.get(kind, 0) + size
        return kinds


def query_bytes(site: Path, query: str) -> tuple[Download, Download, int]:
    """Bytes Chromium downloads for one query (10 results shown): plain, then with the facets.

    The page makes the search panel's calls (generator/site/assets/search.js): a plain query
    fetches no facet data; opening the filters calls ``pagefind.filters()`` and searches
    again. The second figure is the total for both steps.
    """
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    sizes: dict[str, int] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(base + "/")
            pending: set[str] = set()
            page.on("request", lambda r: pending.add(r.url))
            page.on("requestfailed", lambda r: pending.discard(r.url))

            def finished(request: Any) -> None:
                sizes[request.url] = request.sizes()["responseBodySize"]
                pending.discard(request.url)

            def settle() -> None:
                # Playwright reports finished requests after the page's promise resolves.
                for _ in range(500):
                    if not pending:
                        return
                    page.wait_for_timeout(10)
                raise RuntimeError(f"requests not finished: {sorted(pending)}")

            page.on("requestfinished", finished)
            found = page.evaluate(
                """async (q) => {
                  const pf = await import('/pagefind/pagefind.js');
                  window.maillagePagefind = pf;
                  await pf.options({});
                  const s = await pf.search(q, {filters: {}});
                  await Promise.all(s.results.slice(0, 10).map(r => r.data()));
                  return s.results.length;
                }""",
                query,
            )
            settle()
            plain = Download(dict(sizes))
            page.evaluate(
                """async (q) => {
                  const pf = window.maillagePagefind;
                  await pf.filters();
                  const s = await pf.search(q, {filters: {}});
                  if (Object.keys(s.filters).length < 7) throw new Error('facet counts missing');
                  await Promise.all(s.results.slice(0, 10).map(r => r.data()));
                }""",
                query,
            )
            settle()
            facets = Download(dict(sizes))
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return plain, facets, int(found)


@dataclass
class Row:
    services: int
    load_s: float
    pages_s: float
    index_s: float
    index_data: int
    bundle: int
    plain: Download
    facets: Download
    results: int
    material: int
    panel: Download
    panel_shown: int
    panel_chips: list[str]
    suite: list[tuple[str, Download, int]]


def run(size: int, out: Path, suite: list[str], reuse: bool = False) -> Row:
    folder = out / str(size)
    if not (folder / "data" / "registry").exists():
        synthesize(size, folder, project=ROOT)
    site = folder / "site"
    start = loaded = written = time.perf_counter()
    material = 0
    if not (reuse and (site / BUNDLE_ENTRY).exists()):
        registry = for_audience(load_registry(folder), "public")
        loaded = time.perf_counter()
        shutil.rmtree(site, ignore_errors=True)
        material = material_index_bytes(write_pages(registry, site))
        written = time.perf_counter()
        # Pagefind needs the memory: at 100,000 pages it peaks at several GB.
        del registry
        gc.collect()
        search.index_site(site)
    else:
        # Pages and index kept; the panel's files as the generator makes them now (from the
        # same registry: the reading data names the needs and functions no service has).
        write_panel(for_audience(load_registry(folder), "public"), site)
    indexed = time.perf_counter()
    data_dirs = ("index", "fragment", "filter")
    index_data = sum(
        f.stat().st_size for f in search.bundle_files(site) if f.parent.name in data_dirs or f.name.endswith(".pf_meta")
    )
    bundle = sum(f.stat().st_size for f in search.bundle_files(site))
    plain, with_facets, results = query_bytes(site, QUERY)
    panel, shown, chips = panel_query_bytes(site, QUERY)
    measured = panel_suite_bytes(site, suite) if suite else []
    return Row(
        services=size,
        load_s=loaded - start,
        pages_s=written - loaded,
        index_s=indexed - written,
        index_data=index_data,
        bundle=bundle,
        plain=plain,
        facets=with_facets,
        results=results,
        material=material,
        panel=panel,
        panel_shown=shown,
        panel_chips=chips,
        suite=measured,
    )


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _print_suite(rows: list[Row]) -> None:
    print(f"\nThe {len(rows[0].suite)} queries of the relevance suite typed into the panel (budget 400 kB):\n")
    print("| services | median | max (query) | over 400 kB | no result shown |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        totals = sorted(d.total for _q, d, _n in r.suite)
        worst = max(r.suite, key=lambda m: m[1].total)
        over = sum(1 for t in totals if t > 400_000)
        empty = sum(1 for _q, _d, n in r.suite if not n)
        print(
            f"| {r.services:,} | {_mb(int(statistics.median(totals)))} | {_mb(worst[1].total)} (« {worst[0]} »)"
            f" | {over} | {empty} |"
        )
    for r in rows:
        print(f"\nEach query at {r.services:,} services:\n")
        for query, download, shown in sorted(r.suite, key=lambda m: -m[1].total):
            kinds = ", ".join(f"{k} {_mb(v)}" for k, v in sorted(download.kinds().items(), key=lambda kv: -kv[1]))
            print(f"- « {query} »: {_mb(download.total)}, {shown} shown ({kinds})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "search")
    parser.add_argument("--keep", action="store_true", help="keep the synthetic projects and sites")
    parser.add_argument(
        "--suite", action="store_true", help="also type every query of the relevance suite into the panel"
    )
    parser.add_argument("--reuse", action="store_true", help="measure the sites an earlier --keep run left")
    args = parser.parse_args()
    suite = relevance_queries() if args.suite else []
    rows = []
    for size in args.sizes:
        row = run(size, args.out, suite, args.reuse)
        rows.append(row)
        print(f"{size}: panel {row.panel.total:,} bytes", file=sys.stderr, flush=True)
    print(f"Query: « {QUERY} », first 10 results rendered; then the filters opened.\n")
    print(
        "| services | Pagefind index time | index data | whole bundle | one query (results)"
        " | one query, filters opened | Material search_index.json | Material / one query |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r.services:,} | {r.index_s:.1f} s | {_mb(r.index_data)} | {_mb(r.bundle)} |"
            f" {_mb(r.plain.total)} ({r.results:,}) | {_mb(r.facets.total)} | {_mb(r.material)} |"
            f" {r.material / r.plain.total:.0f}× |"
        )
    print("\nThe same query typed into the search panel (its reading, then its tiers):\n")
    print("| services | one query in the panel | results shown | read as |")
    print("| ---: | ---: | ---: | --- |")
    for r in rows:
        print(f"| {r.services:,} | {_mb(r.panel.total)} | {r.panel_shown} | {' + '.join(r.panel_chips)} |")
    for title, pick in (
        ("one query", "plain"),
        ("one query, filters opened", "facets"),
        ("one query in the panel", "panel"),
    ):
        print(f"\nDownloaded for {title}, by kind:\n")
        for r in rows:
            kinds = getattr(r, pick).kinds()
            parts = ", ".join(f"{k} {_mb(v)}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
            print(f"- {r.services:,}: {parts}")
    if suite:
        _print_suite(rows)
    print("\nOther steps (not search): registry load " + ", ".join(f"{r.load_s:.0f} s" for r in rows))
    if not args.keep:
        shutil.rmtree(args.out, ignore_errors=True)


if __name__ == "__main__":
    main()
