"""The maps in Chromium with the network blocked: markers and clusters drawn, nothing leaves.

A synthetic registry (``maillage synth``, 300 services over the real gazetteer) gives the
map page a few hundred sites; the site is built once per session with mkdocs-material from
the map provider's output, plus one service page carrying ``service_map_html`` (and its
shared script and area files). Any request that leaves localhost fails the test.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from generator.registry.loader import for_audience, load_registry
from generator.site.context import Asset, GeneratedPage, SiteConfig, SiteContext
from generator.site.map_page import map_data, map_page
from generator.site.maps import service_map_assets, service_map_html
from generator.synth import synthesize
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

MKDOCS_YML = """\
site_name: Maillage (test des cartes)
docs_dir: docs
site_dir: site
use_directory_urls: true
theme:
  name: material
  language: fr
  font: false
plugins: []
"""


@pytest.fixture(scope="session")
def map_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """The built site, the number of points on the map page, and a service with a site."""
    target = tmp_path_factory.mktemp("map-site")
    project = target / "project"
    synthesize(300, project, project=ROOT, seed=5)
    registry = for_audience(load_registry(project), "public")
    ctx = SiteContext(registry=registry, config=SiteConfig(), root=project)
    docs = target / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Accueil\n", encoding="utf-8")
    for item in [*map_page(ctx), *service_map_assets(ctx)]:
        path = docs / item.uri
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(item, GeneratedPage):
            path.write_text(item.content, encoding="utf-8")
        elif isinstance(item, Asset):
            path.write_bytes(item.content)
    service = next(s for s in registry.services.values() if s.sites)
    page = docs / "services" / service.id / "index.md"
    page.parent.mkdir(parents=True)
    page.write_text(f"# {service.name}\n\n{service_map_html(ctx, service)}\n", encoding="utf-8")
    (target / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(target / "mkdocs.yml")))
    return target / "site", len(map_data(ctx).index["points"]), service.id


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def map_server(map_site: tuple[Path, int, str]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(map_site[0])))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


# Module scope: Playwright's sync API holds an event loop while it runs, and other modules'
# session fixtures call asyncio.run(); close it before they run.
@pytest.fixture(scope="module")
def map_browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(map_browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A Chromium page on which every request off localhost is aborted and recorded."""
    escaped: list[str] = []

    def guard(route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith("data:") or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            escaped.append(route.request.url)
            route.abort()

    context = map_browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.route("**/*", guard)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, escaped
    context.close()
    assert not errors, errors


def test_map_page_draws_clusters_and_markers_offline(
    map_server: str, map_site: tuple[Path, int, str], browser_page: tuple[Any, list[str]]
) -> None:
    page, escaped = browser_page
    _, points, _ = map_site
    page.goto(map_server + "map/")
    page.wait_for_selector(".marker-cluster")
    status = page.locator("#maillage-map-status")
    assert status.inner_text().replace("\u202f", "").replace(" ", "") == f"{points}lieuxaffichés"
    clusters = page.locator(".marker-cluster").count()
    singles = page.locator(".leaflet-marker-icon:not(.marker-cluster)").count()
    assert clusters > 0
    # Every point is in a cluster or drawn on its own.
    in_clusters = sum(int(t) for t in page.locator(".marker-cluster span").all_inner_texts())
    circles = page.evaluate("() => document.querySelectorAll('.leaflet-overlay-pane canvas, path').length")
    assert in_clusters + singles <= points and (in_clusters + singles == points or circles)
    # Open one site's popup: its details are loaded from the site, not the network.
    if singles:
        page.locator(".leaflet-marker-icon:not(.marker-cluster)").first.click()
        page.wait_for_selector(".maillage-popup h3 a")
        assert page.locator(".maillage-popup h3 a").first.get_attribute("href").startswith("../services/")
    # The filter narrows the map.
    page.select_option("#maillage-need", index=1)
    shown = int("".join(c for c in status.inner_text() if c.isdigit()))
    assert shown < points
    # The basemap is off until the visitor turns it on: no tile was requested.
    assert page.locator("img.leaflet-tile").count() == 0
    assert escaped == []


def test_basemap_turned_on_is_requested_and_remembered(map_server: str, browser_page: tuple[Any, list[str]]) -> None:
    page, escaped = browser_page
    page.goto(map_server + "map/")
    page.wait_for_selector(".marker-cluster")
    page.locator(".leaflet-control-layers-overlays input").check()
    page.wait_for_function("() => document.querySelectorAll('img.leaflet-tile').length > 0")
    page.reload()
    page.wait_for_selector(".marker-cluster")
    page.wait_for_function("() => document.querySelectorAll('img.leaflet-tile').length > 0")
    # The tiles went to OpenStreetMap only because the visitor asked, and were aborted here.
    assert escaped and all(urlsplit(u).hostname == "tile.openstreetmap.org" for u in escaped)


def test_service_map_draws_its_site_and_area(
    map_server: str, map_site: tuple[Path, int, str], browser_page: tuple[Any, list[str]]
) -> None:
    page, escaped = browser_page
    page.goto(map_server + f"services/{map_site[2]}/")
    page.wait_for_selector(".maillage-map .leaflet-marker-icon")
    assert page.locator(".maillage-map canvas").count() == 1  # the area, drawn on canvas
    assert page.locator(".maillage-map-text li").count() >= 2
    # The configured basemap is an opt-in layer: offered, off, no tile requested.
    toggle = page.locator(".maillage-map .leaflet-control-layers-overlays input")
    assert toggle.count() == 1 and not toggle.is_checked()
    assert page.locator(".maillage-map img.leaflet-tile").count() == 0
    assert escaped == []
    toggle.check()
    page.wait_for_function("() => document.querySelectorAll('.maillage-map img.leaflet-tile').length > 0")
    assert escaped and all(urlsplit(u).hostname == "tile.openstreetmap.org" for u in escaped)
    # The choice is remembered (maillage-map.js), as on folium maps.
    page.reload()
    page.wait_for_function("() => document.querySelectorAll('.maillage-map img.leaflet-tile').length > 0")
    assert page.locator(".maillage-map .leaflet-control-layers-overlays input").is_checked()
