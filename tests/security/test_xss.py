"""No injection: a registry whose every text is a payload renders as text, runs no script."""

from __future__ import annotations

import csv
import functools
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import MINI, build, new_project, rewrite_registry

PAYLOAD = (
    "<script>window.__xss=1</script>"
    '<img src=x onerror="window.__xss=2">"\'><svg onload="window.__xss=3">'
    '</script><script>window.__xss=4</script>{{ 7*7 }} [lien](javascript:window.__xss=5) =HYPERLINK("x")'
)
TEXT_KEYS = {
    "name", "objective", "method", "timing", "attention", "summary", "description", "exclusions", "area_note",
    "note", "team", "partners", "cost", "label", "form", "text", "hours", "members", "legal_form", "short_name",
    "street", "process", "title", "publisher", "definition",
}  # fmt: skip


def _poison(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (f"{PAYLOAD} {v}" if k in TEXT_KEYS and isinstance(v, str) else _poison(v)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_poison(v) for v in value]
    return value


@pytest.fixture(scope="module")
def poisoned_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("xss")
    project = new_project(base / "project", MINI / "data")

    def change(data: dict[str, Any], index: int) -> None:
        data.update(_poison(data))

    rewrite_registry(project, change)
    for file in [project / "data/sources.yaml", project / "data/programmes.yaml"]:
        file.write_text(yaml.safe_dump(_poison(yaml.safe_load(file.read_text())), allow_unicode=True))
    site = base / "site"
    result = build(project, site, "--audience", "professional")
    assert result.returncode == 0, result.stderr[-3000:]
    return site


@pytest.fixture(scope="module")
def server(poisoned_site: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(poisoned_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


PAGES = [
    "",
    "services/alpha-adults/",
    "services/alpha-youth/",
    "services/beta-housing-first/",
    "organisations/alpha/",
    "territories/be-region-04000/",
    "needs/mental-health/",
    "functions/case-management/",
    "downloads/",
    "map/",
    "orient/",
    "gaps/",
    "nl/services/alpha-adults/",
]


@pytest.mark.browser
def test_no_payload_runs_or_renders_as_markup(server: str, poisoned_site: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        page = browser.new_page()
        outside: list[str] = []
        dialogs: list[str] = []
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(server)
                else (outside.append(route.request.url), route.abort())
            ),
        )
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        visited = 0
        for path in PAGES:
            if not (poisoned_site / path / "index.html").exists():
                continue
            page.goto(server + path)
            page.wait_for_load_state("load")
            visited += 1
            assert page.evaluate("typeof window.__xss") == "undefined", f"a payload ran on /{path}"
            assert page.locator("img[src='x'], svg[onload], a[href^='javascript:']").count() == 0, path
            for frame in page.frames[1:]:
                assert frame.evaluate("typeof window.__xss") == "undefined", f"a payload ran in a frame of /{path}"
        page.goto(server + "services/alpha-adults/")
        body = page.locator("body").inner_text()
        assert "<script>window.__xss=1</script>" in body, "the payload is shown as text"
        browser.close()
    assert visited >= 10
    assert not dialogs
    assert not outside, f"requests left localhost: {outside}"


def test_json_ld_cannot_close_its_script(poisoned_site: Path) -> None:
    html = (poisoned_site / "services/alpha-adults/index.html").read_text(encoding="utf-8")
    for block in html.split('<script type="application/ld+json">')[1:]:
        body = block.split("</script>", 1)[0]
        assert "<script" not in body.lower() and "<img" not in body.lower()
        json.loads(body)


def test_csv_cells_are_not_formulas(poisoned_site: Path) -> None:
    files = list(poisoned_site.rglob("*.csv"))
    assert files
    for file in files:
        with file.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    if re.fullmatch(r"[+-]?[0-9][0-9 .()/-]*", cell):
                        continue  # a number or phone number (+32 2…, -20.88) calls no function
                    assert not cell.startswith(("=", "+", "-", "@")), f"{file.name}: {cell[:40]}"


def test_pages_carry_a_content_security_policy(poisoned_site: Path) -> None:
    html = (poisoned_site / "services/alpha-adults/index.html").read_text(encoding="utf-8")
    assert 'http-equiv="Content-Security-Policy"' in html
    policy = html.split('http-equiv="Content-Security-Policy"', 1)[1].split("content=", 1)[1][:400]
    assert "script-src 'self'" in policy


def test_map_data_block_stays_data(poisoned_site: Path) -> None:
    html = (poisoned_site / "services/alpha-adults/index.html").read_text(encoding="utf-8")
    [body] = re.findall(r"<script[^>]*maillage-map-data[^>]*>(.*?)</script>", html, re.S)
    assert "<" not in body and ">" not in body  # cannot close its element nor open another
    data = json.loads(body)
    assert "</script><script>window.__xss=4</script>" in data["sites"][0][2]


@pytest.mark.browser
def test_map_tooltip_shows_a_payload_as_text(server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        page = browser.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort())
        page.goto(server + "services/alpha-adults/")
        marker = page.locator(".maillage-map .leaflet-marker-icon")
        marker.first.hover()
        tooltip = page.locator(".maillage-map .leaflet-tooltip")
        tooltip.wait_for()
        assert "<script>window.__xss=1</script>" in tooltip.inner_text()
        assert tooltip.locator("script, img, svg").count() == 0
        assert page.evaluate("typeof window.__xss") == "undefined"
        browser.close()
