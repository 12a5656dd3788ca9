"""Browser fixtures shared by every browser test: the real site, served locally, in Chromium.

- ``built_site``: the shipped registry built once per session by the real command,
  ``maillage build --out DIR`` (shared between xdist workers through a file lock);
- ``site_server``: that site over HTTP on 127.0.0.1, its base URL (ends with ``/``);
- ``page``: a Playwright page in Debian's chromium that aborts and records every request
  leaving localhost; the test fails if there was one.
"""

from __future__ import annotations

import functools
import html
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MINI, ROOT, built_once

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
HOURS = ROOT / "tests" / "fixtures" / "hours"
DEFAULT_VIEWPORT = {"width": 1280, "height": 720}  # Playwright's, for a context made without one


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real registry's public site, built once for the whole test run.

    ``MAILLAGE_TEST_SITE=DIR`` reuses a site already built with ``maillage build --out DIR``
    (for quick iterations on browser tests; CI leaves it unset).
    """
    prebuilt = os.environ.get("MAILLAGE_TEST_SITE")
    if prebuilt and (Path(prebuilt) / "index.html").is_file():
        return Path(prebuilt)

    def make(out: Path) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "generator", "build", "--out", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"maillage build failed:\n{result.stdout}\n{result.stderr}"

    return built_once(tmp_path_factory, "maillage-site", make)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def site_server(built_site: Path) -> Iterator[str]:
    """The built site over HTTP on an ephemeral local port."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def hours_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small fixture project with tests/fixtures/hours (opening hours, alerts), built by
    ``maillage build``'s own function: once for the whole run (both xdist workers), for
    tests/browser/test_hours.py and test_orient_why_first.py."""

    def make(folder: Path) -> None:
        from generator.site.commands import build_site
        from tests.site.test_build import MKDOCS_YML

        project = folder / "project"
        shutil.copytree(MINI, project)  # makes the folder
        shutil.copytree(HOURS / "data", project / "data", dirs_exist_ok=True)
        (project / "mkdocs.yml").write_text(MKDOCS_YML.format(overrides=ROOT / "overrides"), encoding="utf-8")
        shutil.copytree(ROOT / "directory", project / "directory")
        build_site(project / "mkdocs.yml", folder / "site")

    return built_once(tmp_path_factory, "hours-site", make) / "site"


@pytest.fixture(scope="session")
def hours_server(hours_site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(hours_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


# Module scope, not session: other session fixtures call asyncio.run(), which cannot run
# while Playwright's sync loop is alive.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def external_requests() -> list[str]:
    """Every request a test's page tried to make to another host."""
    return []


# An address on another host (http, https, ws, wss): matched inside the browser's driver, so
# the site's own requests are not stopped on their way to Python and back.
EXTERNAL = re.compile(r"^(?:https?|wss?)://(?!(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(?:[/?#]|$))", re.I)


def _guard(context: Any, requests: Callable[[], list[str]]) -> None:
    """Abort every request of ``context`` that leaves localhost, and record it in ``requests()``."""

    def route(request_route: Any) -> None:
        requests().append(request_route.request.url)
        request_route.abort()

    context.route(EXTERNAL, route)


@pytest.fixture
def page(browser: Any, site_server: str, external_requests: list[str]) -> Iterator[Any]:
    """A fresh page; any request leaving localhost is aborted, recorded, and fails the test."""
    context = browser.new_context(locale="fr-BE", service_workers="block")
    _guard(context, lambda: external_requests)
    tab = context.new_page()
    yield tab
    context.close()
    assert not external_requests, f"requests left localhost: {external_requests}"


@pytest.fixture(scope="module")
def _module_tab(browser: Any) -> Iterator[dict[str, Any]]:
    leaks: list[list[str]] = [[]]
    context = browser.new_context(locale="fr-BE", service_workers="block")
    _guard(context, lambda: leaks[0])
    state = {"context": context, "tab": context.new_page(), "leaks": leaks}
    yield state
    context.close()


@pytest.fixture
def shared_page(_module_tab: dict[str, Any], site_server: str, external_requests: list[str]) -> Iterator[Any]:
    """``page`` for the tests that only open pages and read or press keys in them: one tab
    for the module, its storage emptied and its size, address and pointer reset after each
    test. A new tab costs a renderer process and a cold first load (about 1 s of the 1.8 s
    of a test's first page under load; ``bench/README.md``, "The suite's time"). A test that
    adds listeners, routes or emulation to its page, or needs another locale, takes ``page``.
    """
    tab = _module_tab["tab"]
    if tab.is_closed():
        tab = _module_tab["tab"] = _module_tab["context"].new_page()
    _module_tab["leaks"][0] = external_requests
    tab.set_viewport_size(DEFAULT_VIEWPORT)
    yield tab
    try:
        if tab.url.startswith(site_server):
            tab.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        tab.goto("about:blank")
        tab.mouse.move(0, 0)
    except Exception:  # a test that closed or broke its tab: the next one gets a new tab
        if not tab.is_closed():
            tab.close()
    assert not external_requests, f"requests left localhost: {external_requests}"


def run_axe(tab: Any) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.1 A/AA violations axe-core finds on the open page."""
    # Evaluated, not added as a <script>: the pages' Content-Security-Policy (rightly)
    # refuses inline scripts it does not know.
    tab.evaluate(AXE.read_text(encoding="utf-8"))
    result = tab.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


GAP_HEADLINE = re.compile(r'<div class="maillage-gaps-headline"[^>]*>(.*?)</div>', re.S)
_TITLE = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)


def gap_pages(site: Path) -> list[str]:
    """Every page of the gap report, in every language (their addresses, ending with ``/``)."""
    found = [p.parent.relative_to(site).as_posix() + "/" for p in site.glob("**/gaps/**/index.html")]
    return sorted(found)


def visible_text(markup: str) -> str:
    """The text of an HTML fragment: tags dropped, character references read."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def gap_page_sample(site: Path) -> list[str]:
    """The pages of the gap report a browser test opens, per language: the overview, and of
    each kind of report page (per need, per function: one template each) the largest page
    (most rows and services) and the one with the longest title and headline (the most lines
    above the tables on a phone). The pages of one kind differ only by their words and
    figures: these are the ones where too wide or too long would show first."""
    sample: list[str] = []
    for prefix in ("", "nl/", "en/"):
        if not (site / prefix / "gaps" / "index.html").is_file():
            continue
        sample.append(f"{prefix}gaps/")
        for kind in ("needs", "functions"):
            files = sorted((site / prefix / "gaps" / kind).glob("*/index.html"))
            if not files:
                continue
            texts = {f: f.read_text(encoding="utf-8") for f in files}

            def opening(text: str) -> int:
                title, headline = _TITLE.search(text), GAP_HEADLINE.search(text)
                return len(visible_text((title.group(1) if title else "") + (headline.group(1) if headline else "")))

            largest = max(files, key=lambda f: len(texts[f]))
            longest = max(files, key=lambda f: opening(texts[f]))
            sample += [f.parent.relative_to(site).as_posix() + "/" for f in dict.fromkeys((largest, longest))]
    return sample
