"""The relevance suite's place queries on a synthetic site: services found by place through
parent territories, and the bytes each query downloads.

The shipped registry's suite (``tests/browser/test_search_relevance.py``) names real
services; a synthetic registry (``maillage synth``) has none of them. Its variant asks what
makes sense there, the way the suite's "need + commune" queries do: for services drawn at
random (fixed seed), a commune inside the service's area that the area does not name (a
commune of its département, region or EPCI: found only through the gazetteer's parents),
written as people write it (French name, Dutch name for a Belgian commune, or postcode),
with one of the service's needs in words. A query passes when, in Chromium, the panel's
first group ("services that cover this place") holds the drawn service, every service in
it covers the commune, and its first three results also work on the need (the group may
end with services of the place that only use the need's words). The group
is read whole (the "more" button pressed until it ends). Each query runs in a fresh browser
context (empty cache): its bytes are those of a first search.

Usage::

    maillage synth --services 10000 --out /tmp/p10k
    (cd /tmp/p10k && maillage build --out /tmp/site10k)
    python bench/search_synth_relevance.py --project /tmp/p10k --site /tmp/site10k --queries 40

Prints the pass rate, the bytes per query (median, max: everything the page fetched, and the
part fetched for searching) and the failures. The bytes are those the browser receives: the
files as they are, or with ``--compressed`` the text files gzip-compressed, as GitHub Pages
and GitLab Pages send them (Pagefind's index files are compressed already).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import random
import statistics
import sys
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.registry.loader import Registry, for_audience, load_registry  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
TOP = 3
COVERS_GROUP = "js.search.covers"
MAX_PAGES = 20  # "more" presses: a group longer than that is read in part (said so)


@dataclass(frozen=True)
class Case:
    query: str
    service: str
    commune: str
    need: str
    expected: frozenset[str]  # every service that covers the commune and works on the need
    covering: frozenset[str]  # every service that covers the commune


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


# What GitHub Pages and GitLab Pages send compressed (gzip) to a browser that accepts it:
# text. Pagefind's index files are compressed already, its WebAssembly is sent as it is.
COMPRESSED_TYPES = (".html", ".js", ".css", ".json", ".svg", ".xml", ".txt")


class _Compressing(_Quiet):
    """The site as a host that compresses text sends it (``--compressed``): the bytes a
    person downloads. Everything else as ``_Quiet`` sends it."""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not accepts or path.suffix not in COMPRESSED_TYPES or not path.is_file():
            super().do_GET()
            return
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)


def draw_cases(registry: Registry, count: int, seed: int = 0) -> list[Case]:
    """``count`` queries: a need of a drawn service and a commune its area reaches through a parent."""
    gazetteer = registry.gazetteer
    needs = registry.vocabularies.vocabulary("needs")
    rng = random.Random(seed)
    services = sorted(registry.services.values(), key=lambda s: s.id)
    rng.shuffle(services)
    cases: list[Case] = []
    for service in services:
        if len(cases) >= count:
            break
        area = [c for c in service.public.area if c in gazetteer]
        wider = [c for c in area if gazetteer[c].level in ("epci", "dep", "province", "region")]
        if not wider or not service.needs:
            continue
        communes = sorted(gazetteer.descendants(rng.choice(wider), level="commune"))
        if not communes:
            continue
        commune = gazetteer[rng.choice(communes)]
        need = rng.choice(sorted(service.needs))
        label = needs[need].label.get("fr")
        way = len(cases) % 3
        if way == 1 and commune.postcodes:
            place = commune.postcodes[0]
        elif way == 2 and commune.name_nl:
            place = commune.name_nl
        else:
            place = commune.name
        covering = [s for s in registry.services.values() if gazetteer.covers(s.public.area, commune.code)]
        expected = frozenset(s.id for s in covering if need in s.needs)
        query = f"{label.lower()} {place}"
        cases.append(Case(query, service.id, commune.code, need, expected, frozenset(s.id for s in covering)))
    return cases


def _service_id(url: str) -> str:
    parts = [p for p in urlsplit(url).path.split("/") if p]
    return parts[parts.index("services") + 1] if "services" in parts[:-1] else ""


def run_cases(site: Path, cases: list[Case], page_path: str = "", compressed: bool = False) -> list[dict[str, Any]]:
    """Each case typed into the panel (``?q=``): the first group read whole, and the bytes
    (as received: compressed by the server with ``compressed``)."""
    from playwright.sync_api import sync_playwright

    handler = _Compressing if compressed else _Quiet
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    report = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for case in cases:
                context = browser.new_context(viewport={"width": 1366, "height": 768})
                page = context.new_page()
                sizes: dict[str, int] = {}
                page.on("requestfinished", functools.partial(_record, sizes))
                page.goto(base + page_path + "?q=" + quote(case.query))
                _wait(page)
                first = dict(sizes)  # the first page of results: what the budget is about
                group, whole = _covers_group(page)
                chips = page.eval_on_selector_all(".maillage-search__chip", "cs => cs.map(c => c.textContent)")
                context.close()
                found = [_service_id(u) for u in group]
                top = found[:TOP]
                # The group may end with services of the place that only say the need's words.
                wrong = [s for s in found if s not in case.covering] + [s for s in top if s not in case.expected]
                # A group read in part may hold the drawn service further down.
                ok = not wrong and bool(top) and (case.service in found or not whole)
                report.append(
                    {
                        "query": case.query,
                        "service": case.service,
                        "commune": case.commune,
                        "read": chips,
                        "expected": len(case.expected),
                        "found": len(found),
                        "recall": len(set(found) & case.expected) / len(case.expected),
                        "wrong": wrong[:5],
                        "pass": ok,
                        "whole": whole,
                        "bytes": sum(first.values()),
                        "search_bytes": sum(v for u, v in first.items() if _searching(u, base)),
                    }
                )
                print(
                    f"{'ok ' if ok else 'BAD'} {sum(first.values()) / 1000:6.0f} kB  {case.query!r}"
                    f" found {len(found)}/{len(case.expected)} {chips}",
                    file=sys.stderr,
                    flush=True,
                )
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return report


def _searching(url: str, base: str) -> bool:
    """Whether ``url`` is fetched for searching (the panel's script, its reading data and
    Pagefind's files), not for showing the page the panel is on."""
    path = url[len(base) :] if url.startswith(base) else url
    return path.startswith(("pagefind/", "assets/maillage/search.js", "assets/maillage/search/"))


def _record(sizes: dict[str, int], request: Any) -> None:
    sizes[request.url] = request.sizes()["responseBodySize"]


def _wait(page: Any) -> None:
    page.wait_for_function(
        """() => { const r = document.querySelector('[data-maillage-search]');
                   const s = r && r.querySelector('[data-maillage-search-status]');
                   return r && !r.hasAttribute('aria-busy') && s && s.textContent.trim()
                       && r.querySelector('[data-maillage-search-input]').value.length > 0; }""",
        timeout=120000,
    )
    page.wait_for_timeout(200)


def _covers_group(page: Any) -> tuple[list[str], bool]:
    """The addresses of the first group's results, when it is the group of services that
    cover the place read (pressing "more" until another group starts, none is left or
    ``MAX_PAGES``), and whether the group was read to its end."""
    script = (
        "() => [...document.querySelectorAll('.maillage-search__result')].map(r => [r.dataset.group, r.dataset.url])"
    )
    whole = False
    for _ in range(MAX_PAGES):
        rows = page.evaluate(script)
        if not rows or rows[0][0] != COVERS_GROUP:
            return [], True
        more = page.locator("[data-maillage-search-more]")
        if any(group != COVERS_GROUP for group, _url in rows) or not more.is_visible():
            whole = True
            break
        try:
            more.click(timeout=10000)
        except Exception:  # the button went away meanwhile: the group is what is shown
            whole = True
            break
        _wait(page)
    rows = page.evaluate(script)
    return [url for group, url in rows if group == COVERS_GROUP], whole


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--project", type=Path, required=True, help="the synthetic project (maillage synth --out)")
    parser.add_argument("--site", type=Path, required=True, help="its built site (maillage build --out)")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write each query's outcome to this file")
    parser.add_argument("--page", default="", help="the page with the panel (search_bench's sites: panel/)")
    parser.add_argument(
        "--compressed", action="store_true", help="serve text gzip-compressed, as GitHub and GitLab Pages do"
    )
    args = parser.parse_args()
    registry = for_audience(load_registry(args.project), "public")
    cases = draw_cases(registry, args.queries, args.seed)
    del registry
    report = run_cases(args.site, cases, args.page, args.compressed)
    passed = sum(1 for r in report if r["pass"])
    sizes = sorted(r["bytes"] for r in report)
    partial = sum(1 for r in report if not r["whole"])
    print(f"groups read in part (over {MAX_PAGES * 10} results): {partial}")
    print(
        f"{passed}/{len(report)} queries pass ({passed / len(report):.0%}); bytes per query: median"
        f" {statistics.median(sizes) / 1000:.0f} kB, max {sizes[-1] / 1000:.0f} kB; over 400 kB:"
        f" {sum(1 for s in sizes if s > 400_000)}; mean recall of the first group"
        f" {statistics.mean(r['recall'] for r in report):.0%}"
    )
    searching = sorted(r["search_bytes"] for r in report)
    print(
        f"of which searching (Pagefind's files, the panel's script and reading data; not the page):"
        f" median {statistics.median(searching) / 1000:.0f} kB, max {searching[-1] / 1000:.0f} kB;"
        f" over 400 kB: {sum(1 for s in searching if s > 400_000)}"
    )
    for r in report:
        if not r["pass"]:
            print(
                f"- {r['query']!r} ({r['service']}, {r['commune']}): read {r['read']}, found {r['found']}"
                f"/{r['expected']}, wrong {r['wrong']}"
            )
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
