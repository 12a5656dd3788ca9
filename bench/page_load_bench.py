"""What a browser test pays to open a page of the built site, by the way its tab is made.

Interleaved, so that a shared machine's load weighs on every variant alike:

- ``fresh, Python route``: a new context and tab per page, every request sent to Python
  and back (the ``page`` fixture before e6a2ec7);
- ``fresh, regex route``: a new context and tab, only requests leaving localhost stopped,
  matched in Playwright's driver (``tests/browser/conftest.py``'s ``EXTERNAL``);
- ``shared tab``: one tab for every page (``shared_page``), storage emptied between pages.

Usage: ``python3 bench/page_load_bench.py SITE [--rounds 3]`` (SITE from ``maillage build --out``).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import statistics
import sys
import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, EXTERNAL

PAGES = ["", "services/brusano/", "territories/", "gaps/", "orient/", "map/", "nl/", "services/em107-precarite/"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a tab closed mid-file
            super().handle()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(args.site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"

    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def fresh(guard: Callable[[Any], None]) -> Callable[[str], None]:
            def load(address: str) -> None:
                context = browser.new_context(locale="fr-BE", service_workers="block")
                guard(context)
                tab = context.new_page()
                tab.goto(address)
                tab.wait_for_load_state("load")
                context.close()

            return load

        shared_context = browser.new_context(locale="fr-BE", service_workers="block")
        shared_context.route(EXTERNAL, lambda route: route.abort())
        shared = shared_context.new_page()

        def reuse(address: str) -> None:
            shared.goto(address)
            shared.wait_for_load_state("load")
            shared.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")

        variants = {
            "fresh, Python route": fresh(lambda c: c.route("**/*", lambda route: route.continue_())),
            "fresh, regex route": fresh(lambda c: c.route(EXTERNAL, lambda route: route.abort())),
            "shared tab": reuse,
        }
        for _ in range(args.rounds):
            for path in PAGES:
                for name, load in variants.items():
                    start = time.perf_counter()
                    load(base + path)
                    times.setdefault(name, []).append(time.perf_counter() - start)
        browser.close()
    server.shutdown()
    with open("/proc/loadavg", encoding="ascii") as file:
        load_average = file.read().split()[0]
    for name, values in times.items():
        print(f"{name}: median {statistics.median(values) * 1000:.0f} ms, total {sum(values):.1f} s")
    print(f"{len(PAGES)} pages x {args.rounds} rounds; load average at the end {load_average}")


if __name__ == "__main__":
    main()
