"""Search latency: from the last keystroke to the results shown, in Chromium, after the first query.

The site is a built one (``maillage build --out DIR``, e.g. of ``maillage synth --services
10000``), served on localhost. Chromium (1366 × 768) opens its home page; a first query is
typed into the header's field and its results awaited (Pagefind's script, wasm and meta, the
panel's words and reading data are loaded then: "after the first query"). Then each query of
the relevance suite (``tests/browser/test_search_relevance.py``) is typed over the previous
one, a key every 60 ms as a quick typist; the time is measured in the page, from the last
key pressed to the moment the panel has finished the query it shows (its address says that
query, it is no longer ``aria-busy`` and its status is written), polled at every frame. The
panel waits 180 ms after a key before it searches: that wait is part of the figure.

Usage::

    python bench/search_latency_bench.py --site /tmp/site10k
    python bench/search_latency_bench.py --site /tmp/site --rounds 2 --json out.json

Prints the median, 90th percentile and maximum, and the queries over one second.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import os
import statistics
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
FIRST_QUERY = "santé mentale lyon"
BUDGET_MS = 1000.0
KEY_DELAY_MS = 60

# Installed before the page's scripts: the time of the last key, in the page's clock.
WATCH_KEYS = "document.addEventListener('keydown', () => { window.maillageLastKey = performance.now(); }, true);"

# Resolves with the milliseconds from the last key to the query `q` shown.
SHOWN = """(q) => new Promise((resolve, reject) => {
  const root = document.querySelector('[data-maillage-search]');
  const status = root.querySelector('[data-maillage-search-status]');
  const started = performance.now();
  function done() {
    const asked = new URLSearchParams(location.search).get('q');
    return asked === q && !root.hasAttribute('aria-busy') && status.textContent.trim().length > 0;
  }
  function check() {
    if (done()) return resolve(performance.now() - window.maillageLastKey);
    if (performance.now() - started > 60000) return reject(new Error('no result for ' + q));
    requestAnimationFrame(check);
  }
  check();
})"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def relevance_queries() -> list[str]:
    """The queries of the relevance suite."""
    path = ROOT / "tests" / "browser" / "test_search_relevance.py"
    spec = importlib.util.spec_from_file_location("search_relevance_queries", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [query for query, _expected, _mode in module.QUERIES]


def measure(site: Path, queries: list[str], rounds: int = 1, page_path: str = "") -> list[tuple[str, float]]:
    """(query, milliseconds from its last key to its results shown), for each query and round."""
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    times: list[tuple[str, float]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.add_init_script(WATCH_KEYS)
            page.goto(base + page_path)
            page.wait_for_load_state("load")
            field = page.locator("[data-maillage-search-input]")
            field.click()
            page.keyboard.type(FIRST_QUERY, delay=KEY_DELAY_MS)
            page.evaluate(SHOWN, FIRST_QUERY)
            for _ in range(rounds):
                for query in queries:
                    field.focus()
                    page.keyboard.press("Control+A")
                    page.keyboard.type(query, delay=KEY_DELAY_MS)
                    times.append((query, float(page.evaluate(SHOWN, query.strip()))))
                    print(f"{times[-1][1]:7.0f} ms  {query}", file=sys.stderr, flush=True)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, required=True, help="a built site (maillage build --out DIR)")
    parser.add_argument("--rounds", type=int, default=1, help="times each query is typed")
    parser.add_argument("--json", type=Path, help="write each query's time to this file")
    parser.add_argument("--page", default="", help="the page with the panel (search_bench's sites: panel/)")
    args = parser.parse_args()
    times = measure(args.site, relevance_queries(), args.rounds, args.page)
    values = sorted(ms for _q, ms in times)
    over = [(q, ms) for q, ms in times if ms > BUDGET_MS]
    p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
    load = os.getloadavg()[0]
    print(
        f"{len(values)} queries typed after the first, last key → results shown:"
        f" median {statistics.median(values):.0f} ms,"
        f" 90th percentile {p90:.0f} ms, max {values[-1]:.0f} ms; over {BUDGET_MS:.0f} ms: {len(over)}"
        f" (load average {load:.1f})"
    )
    for query, ms in sorted(over, key=lambda m: -m[1]):
        print(f"- {ms:.0f} ms « {query} »")
    if args.json:
        args.json.write_text(json.dumps([{"query": q, "ms": ms} for q, ms in times], ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
