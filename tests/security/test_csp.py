"""The Content-Security-Policy allows the build's own inline scripts only (issue 20, item 5).

A ``<script>`` written as raw HTML in a Markdown page of the docs folder reached the page
and got its hash in the policy like the theme's own: it ran. Now only the scripts of the
templates and of the generator are hashed (site/csp.py explains how they are told apart).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.site.csp import add_policy, mark_templates, own_script

from .conftest import MINI, new_project

INJECTED = "<script>window.__injected=1</script>"
FORGED = '<script data-maillage-own="0123456789abcdef0123456789abcdef">window.__forged=1</script>'
HANDLER = '<img src="x" onerror="window.__handler=1">'
_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.S)


def _hash(body: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")


def _policy_hashes(html: str) -> set[str]:
    [policy] = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    return set(re.findall(r"'(sha256-[^']+)'", policy))


def _inline(html: str) -> list[str]:
    """The bodies of the page's inline scripts that would run (neither src= nor data)."""
    return [
        m.group("body")
        for m in _SCRIPT.finditer(html)
        if "src=" not in m.group("attrs") and "json" not in m.group("attrs")
    ]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("csp")
    project = new_project(base / "project", MINI / "data")
    about = project / "directory" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + f"\n\n{INJECTED}\n\n{FORGED}\n\n{HANDLER}\n", encoding="utf-8")
    out = base / "site"
    result = CliRunner().invoke(main, ["-C", str(project), "build", "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    return out


def test_a_script_in_a_markdown_page_gets_no_hash(site: Path) -> None:
    html = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert INJECTED in html and "window.__forged=1" in html  # the page has them, the policy does not allow them
    hashes = _policy_hashes(html)
    assert _hash("window.__injected=1") not in hashes
    assert _hash("window.__forged=1") not in hashes
    own = [body for body in _inline(html) if not body.startswith("window.__")]
    assert own and all(_hash(body) in hashes for body in own), "the theme's own scripts keep their hashes"
    assert len(hashes) == len(set(own))


def test_every_own_inline_script_is_allowed_and_the_mark_is_not_published(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    folium = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "data-maillage-own" not in html.replace(FORGED, ""), f"{page}: the secret mark is published"
        hashes = _policy_hashes(html)
        for body in _inline(html):
            if body.startswith("window.__"):
                continue
            folium += "L.map(" in body
            assert _hash(body) in hashes, f"{page.relative_to(site)}: an own script without its hash"
    assert folium, "the generator's map code (maps.embed) is among the checked scripts"


def test_only_templates_sources_are_marked() -> None:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"page.html": "<html><head></head><body>{{ content }}<script>boot()</script></body>"})
    )
    mark_templates(env)
    mark_templates(env)  # once is enough: the loader is not wrapped twice
    html = env.get_template("page.html").render(content="<script>evil()</script>")
    html += own_script("map()")
    out = add_policy(html, None)
    assert _policy_hashes(out) == {_hash("boot()"), _hash("map()")}
    assert "data-maillage-own" not in out
    assert "<script>evil()</script>" in out and "<script>boot()</script>" in out and "<script>map()</script>" in out


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.browser
def test_in_chromium_the_injected_script_is_blocked_and_the_sites_own_run(server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        page = browser.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort())
        refused: list[str] = []
        page.on(
            "console",
            lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
        )
        page.goto(server + "about/")
        page.wait_for_load_state("load")
        state: dict[str, Any] = page.evaluate(
            "({injected: typeof window.__injected, forged: typeof window.__forged, handler: typeof window.__handler,"
            " material: typeof window.__md_get})"
        )
        assert state == {"injected": "undefined", "forged": "undefined", "handler": "undefined", "material": "function"}
        assert len(refused) >= 2, refused  # the browser says why: the policy refused them
        refused.clear()
        page.goto(server + "gaps/")  # a folium map: the generator's own inline script
        page.wait_for_load_state("load")
        page.locator(".maillage-map .leaflet-container, .maillage-map.leaflet-container").first.wait_for(timeout=10_000)
        assert page.evaluate("typeof window.__md_get") == "function"
        assert refused == [], refused
        browser.close()
