"""The relevance benchmark's reading of the first group, quick and slow, on the same queries.

``search_synth_relevance.py`` reads the panel's first group by pressing « more » until the
button is hidden, each time waiting until the panel is no longer busy and 200 ms more.
Before c28206f that reading stopped early on a quiet machine (« more » pressed while a page
was on its way hid the button for a moment): with 2.5 s more after each wait, the group
was longer and held more of the expected services (bench/README.md, 2026-12-07). This
prints both readings for each query given; they must agree::

    python3 bench/search_group_reading.py --project P10K --site SITE10K "soutien aux aidants Weismes"

(P10K: a synthetic project, ``maillage synth --services 10000``; SITE10K: its built site;
the queries are among those ``search_synth_relevance.py`` draws with seed 0.)
"""

from __future__ import annotations

import argparse
import functools
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import search_synth_relevance as bench

from generator.registry.loader import for_audience, load_registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("query", nargs="+")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    registry = for_audience(load_registry(options.project), "public")
    cases = {case.query: case for case in bench.draw_cases(registry, options.queries, options.seed)}
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(bench._Quiet, directory=str(options.site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    quick = bench._wait

    def slow(page: Any) -> None:
        quick(page)
        page.wait_for_timeout(2500)

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=bench.CHROMIUM_ARGS)
            for query in options.query:
                case = cases[query]
                for label, wait in (("quick", quick), ("slow", slow)):
                    bench._wait = wait  # _covers_group waits with it after each « more »
                    context = browser.new_context()
                    page = context.new_page()
                    page.goto(base + "?q=" + quote(query))
                    wait(page)
                    group, whole = bench._covers_group(page)
                    found = [bench._service_id(url) for url in group]
                    hit = len(set(found) & case.expected)
                    expected = len(case.expected)
                    print(f"{query!r} {label}: {len(found)} in the group (whole: {whole}), {hit} of {expected}")
                    context.close()
            browser.close()
    finally:
        bench._wait = quick
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
