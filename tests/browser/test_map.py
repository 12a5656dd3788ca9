"""The maps in Chromium with the network blocked: base layer, markers, clusters, keyboard.

Two sites. A synthetic registry (``maillage synth``, 300 services over the real gazetteer)
gives the map page a few hundred sites, built once per session with mkdocs-material from
the map provider's output, plus one service page carrying ``service_map_html``. The
shipped site (``site_server``, the real ``maillage build``) is where a visitor reads the
map page: its base layer drawn from the site, the first view on metropolitan France and
Belgium, the overseas views, keyboard access to clusters and places, the text version
following the filters, and axe in fr, nl and en at 1366 and 375 px. Any request that
leaves localhost fails the test.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from generator.registry.loader import for_audience, load_registry
from generator.registry.models import Alert
from generator.site.context import Asset, GeneratedPage, SiteConfig, SiteContext
from generator.site.map_page import map_data, map_page
from generator.site.maps import service_map_assets, service_map_html
from generator.site.words import words_assets
from generator.synth import synthesize
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

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


# The service given alerts in the synthetic site, and the territory its site is counted in.
ALERTED: dict[str, str] = {}


@pytest.fixture(scope="session")
def map_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """The built site, the number of points on the map page, and a service with a site."""
    target = tmp_path_factory.mktemp("map-site")
    project = target / "project"
    synthesize(300, project, project=ROOT, seed=5)
    registry = for_audience(load_registry(project), "public")
    # One service with a site carries three alerts: current, starting in ten days, expired.
    alerted = next(s for s in registry.services.values() if s.sites)
    today = dt.date.today()
    alerts = [
        Alert.model_validate(
            {
                "kind": kind,
                "from": str(today + dt.timedelta(days=a)),
                "until": str(today + dt.timedelta(days=b)),
                "text": {"fr": text},
            }
        )
        for kind, a, b, text in (
            ("full", -1, 30, "Liste d'attente ouverte"),
            ("closed", 10, 20, "Fermeture annuelle"),
            ("moved", -30, -2, "Ancienne adresse provisoire"),
        )
    ]
    services = {**registry.services, alerted.id: alerted.model_copy(update={"alerts": alerts})}
    registry = replace(registry, services=services)
    ctx = SiteContext(registry=registry, config=SiteConfig(), root=project)
    data = map_data(ctx)
    index = list(registry.services).index(alerted.id)
    at = next(i for i, p in enumerate(data.index["points"]) if index in (p[2] if isinstance(p[2], list) else [p[2]]))
    ALERTED["group"] = next(g[0] for g in data.index["groups"] if g[1] <= at < g[2])
    ALERTED["name"] = alerted.name.get("fr")
    docs = target / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Accueil\n", encoding="utf-8")
    for item in [*map_page(ctx), *service_map_assets(ctx), *words_assets(ctx)]:
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


@pytest.fixture
def browser_page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A Chromium page on which every request off localhost is aborted and recorded."""
    escaped: list[str] = []

    def guard(route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith("data:") or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            escaped.append(route.request.url)
            route.abort()

    context = browser.new_context()
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
    # Clusters drawn and settled: no zoom animation leaves the old icons beside the new ones.
    page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim')")
    page.wait_for_timeout(500)
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
    assert page.locator(".maillage-map .leaflet-overlay-pane canvas").count() == 1  # the area, drawn on canvas
    page.wait_for_selector(".maillage-map .leaflet-maillageBase-pane canvas")  # the base layer, beneath
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


def test_popups_show_current_alerts_only(map_server: str, browser_page: tuple[Any, list[str]]) -> None:
    page, escaped = browser_page
    page.goto(map_server + "map/")
    page.wait_for_selector(".marker-cluster")
    page.locator(f'#maillage-map-text tr[data-group="{ALERTED["group"]}"] button').click()
    entry = page.locator("#maillage-map-list li", has_text=ALERTED["name"]).first
    entry.wait_for()
    text = entry.inner_text()
    assert "Complet : Liste d'attente ouverte" in text  # current, decided by today's date
    assert "Fermé (à partir du " in text and "Fermeture annuelle" in text  # starts within 15 days
    assert "Ancienne adresse provisoire" not in text  # expired
    entry.locator("button").click()
    popup = page.locator(".leaflet-popup")
    popup.wait_for()
    assert "Liste d'attente ouverte" in popup.inner_text()
    assert escaped == []


# --- the shipped site's map page (issue 22 item 6, issue 25 item 5) -------------------------

# Whether a pane's canvas has any painted pixel.
PAINTED = """(selector) => {
    const canvas = document.querySelector(selector);
    if (!canvas || !canvas.width || !canvas.height) return false;
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) return true; }
    return false;
}"""
BASE_CANVAS = ".maillage-map-page .leaflet-maillageBase-pane canvas"
# Metropolitan France and Belgium, generously (Corsica included).
METROPOLE = "p => p[0] > 41 && p[0] < 52 && p[1] > -6 && p[1] < 10"


def _open_map(page: Any, url: str) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url)
    page.wait_for_selector(".maillage-map-page .leaflet-marker-icon")
    page.wait_for_function(PAINTED, arg=BASE_CANVAS)
    return requested


def test_base_layer_is_drawn_from_the_site_and_the_view_fits_the_services(page: Any, site_server: str) -> None:
    requested = _open_map(page, site_server + "map/")
    # The land and borders come from the site itself (the page fixture fails on any other host).
    assert site_server + "assets/maillage/map/base.json" in requested
    assert page.locator("img.leaflet-tile").count() == 0
    # The first view holds every point of metropolitan France and Belgium, and no ocean-wide span.
    outside = page.evaluate(
        f"""() => {{
            const map = window.maillageMaps[0];
            const bounds = map.getBounds();
            const points = window.maillageSites.points.filter({METROPOLE});
            return [points.length, points.filter(p => !bounds.contains([p[0], p[1]])).length,
                    bounds.contains([4.9, -52.3]) || bounds.contains([-21.1, 55.5])];
        }}"""
    )
    assert outside[0] > 0 and outside[1] == 0
    assert outside[2] is False  # France and Belgium, not the Atlantic to Guyane and La Réunion
    # The overseas départements are one click away.
    views = page.locator("#maillage-map-views button")
    labels = views.all_inner_texts()
    assert labels[0] == "Vue de départ" and "La Réunion" in labels and "Guyane" in labels
    views.filter(has_text="La Réunion").click()
    page.wait_for_function("() => window.maillageMaps[0].getBounds().contains([-21.1, 55.5])")


def test_a_cluster_opens_with_enter_and_focus_stays_on_the_map(page: Any, site_server: str) -> None:
    _open_map(page, site_server + "map/")
    cluster = page.locator(".marker-cluster").first
    # Read at one moment: the clusters are redrawn while the first view settles (under load,
    # the label and the text of two separate reads came from two drawings: 2 and 3 places).
    name, role, count = cluster.evaluate(
        "e => [e.getAttribute('aria-label') || '', e.getAttribute('role'), e.innerText.trim()]"
    )
    assert role == "button"
    assert name == f"{count} lieux, développer"
    zoom = page.evaluate("() => window.maillageMaps[0].getZoom()")
    cluster.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.classList.contains('leaflet-marker-icon')"
    )
    after = page.evaluate("() => window.maillageMaps[0].getZoom()")
    spread = page.locator(".leaflet-marker-icon:not(.marker-cluster)").count()
    assert after > zoom or spread > 0
    # The zoom buttons speak the page's language.
    assert page.locator(".leaflet-control-zoom-in").get_attribute("aria-label") == "Zoom avant"


def test_a_place_popup_has_a_tel_link_and_clears_the_controls(page: Any, site_server: str) -> None:
    _open_map(page, site_server + "map/")
    # Through the text version, by keyboard: Brussels' row lists its places with their popups' content.
    row = page.locator("#maillage-map-text tr", has_text="Bruxelles-Capitale")
    row.locator("button").focus()
    page.keyboard.press("Enter")
    title = page.locator("#maillage-map-list-title")
    title.wait_for()
    assert page.evaluate("() => document.activeElement.id") == "maillage-map-list-title"
    entries = page.locator("#maillage-map-list .maillage-popup")
    assert entries.count() >= 3
    assert page.locator("#maillage-map-list a[href^='tel:']").count() >= 1
    # "Voir sur la carte" opens that place's popup on the map: a tel: link, focus on the place.
    item = page.locator("#maillage-map-list li", has=page.locator("a[href^='tel:']")).first
    item.locator("button").click()
    popup = page.locator(".leaflet-popup")
    popup.wait_for()
    assert popup.locator("a[href^='tel:']").count() >= 1
    page.wait_for_timeout(400)  # the popup's pan
    box, zoom = (
        popup.locator(".leaflet-popup-content-wrapper").bounding_box(),
        page.locator(".leaflet-control-zoom").bounding_box(),
    )
    overlap = not (
        box["x"] > zoom["x"] + zoom["width"]
        or box["x"] + box["width"] < zoom["x"]
        or box["y"] > zoom["y"] + zoom["height"]
        or box["y"] + box["height"] < zoom["y"]
    )
    assert not overlap, (box, zoom)


def test_a_place_opens_its_popup_from_the_keyboard(page: Any, site_server: str) -> None:
    _open_map(page, site_server + "map/")
    # Close to the Finistère's one place: no cluster left around it.
    page.evaluate(
        """() => { const sites = window.maillageSites;
                   const run = sites.groups.find(g => g[0] === 'fr-dep-29');
                   const p = sites.points[run[1]];
                   window.maillageMaps[0].setView([p[0], p[1]], 12, {animate: false}); }"""
    )
    mark = page.locator(".maillage-area-mark").first
    mark.wait_for()
    assert mark.get_attribute("aria-label") == "Zone d'intervention : afficher les détails"
    mark.focus()
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup .maillage-popup h3 a").first.wait_for()
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('.leaflet-popup')")
    assert page.evaluate("() => document.activeElement.classList.contains('maillage-area-mark')")
    mark.focus()
    page.keyboard.press(" ")
    page.locator(".leaflet-popup .maillage-popup h3 a").first.wait_for()


def test_the_text_version_follows_the_filters(page: Any, site_server: str) -> None:
    _open_map(page, site_server + "map/")
    rows = page.locator("#maillage-map-text tbody tr")
    total = rows.count()
    before = sum(
        int(c)
        for c in page.locator("#maillage-map-text tbody tr:not([hidden]) td.maillage-num >> nth=0").all_inner_texts()
        or ["0"]
    )
    page.select_option("#maillage-function", label="Cellule de coordination")
    shown = int("".join(c for c in page.locator("#maillage-map-status").inner_text() if c.isdigit()))
    visible = page.locator("#maillage-map-text tbody tr:not([hidden])")
    assert 0 < visible.count() < total
    places = sum(int(t.strip()) for t in visible.locator("td.maillage-num:nth-of-type(1)").all_inner_texts())
    assert places == shown and before >= 0


@pytest.mark.parametrize("width", [1366, 375])
@pytest.mark.parametrize("lang", ["", "nl/", "en/"])
def test_map_page_and_service_map_pass_axe(page: Any, site_server: str, width: int, lang: str) -> None:
    from tests.browser.conftest import run_axe

    page.set_viewport_size({"width": width, "height": 800})
    _open_map(page, site_server + lang + "map/")
    assert run_axe(page) == []
    page.goto(site_server + lang + "services/brusano-case-management/")
    page.wait_for_function(PAINTED, arg=".maillage-map .leaflet-maillageBase-pane canvas")
    assert run_axe(page) == []


@pytest.mark.parametrize("lang,zoom_in", [("", "Zoom avant"), ("nl/", "Inzoomen"), ("en/", "Zoom in")])
def test_zoom_buttons_speak_the_page_language(page: Any, site_server: str, lang: str, zoom_in: str) -> None:
    _open_map(page, site_server + lang + "map/")
    button = page.locator(".leaflet-control-zoom-in")
    page.wait_for_function("() => document.querySelector('.leaflet-control-zoom-in').getAttribute('aria-label')")
    assert button.get_attribute("aria-label") == zoom_in and button.get_attribute("title") == zoom_in


def test_the_map_stays_under_the_sticky_header_at_375px(page: Any, site_server: str) -> None:
    page.set_viewport_size({"width": 375, "height": 700})
    _open_map(page, site_server + "map/")
    # Scroll the map under the header: the header's buttons still take the taps.
    page.evaluate("() => window.scrollTo(0, document.getElementById('maillage-map').offsetTop - 10)")
    page.wait_for_timeout(200)
    hits = page.evaluate(
        """() => [...document.querySelectorAll('.md-header .md-header__button')]
            .filter(e => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().x >= 0)
            .map(e => { const r = e.getBoundingClientRect();
                        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                        return !!hit && hit.closest('.leaflet-container') === null
                               && (e.contains(hit) || hit.closest('.md-header') !== null); })"""
    )
    assert hits and all(hits)


def test_a_focused_cluster_redrawn_hands_focus_to_the_mark_drawn_in_its_place(page: Any, site_server: str) -> None:
    """The clusters are drawn again while the marks load (and when a filter changes): a
    keyboard user whose cluster is redrawn keeps focus on the map, and Enter still expands."""
    _open_map(page, site_server + "map/")
    cluster = page.locator(".marker-cluster").first
    cluster.focus()
    # Every mark drawn again, as chunked loading does: the focused icon leaves the page.
    gone = page.evaluate(
        """() => {
          const map = window.maillageMaps[0];
          const before = document.activeElement;
          let group = null;
          map.eachLayer(layer => { if (layer._featureGroup) { group = layer; } });
          map.removeLayer(group);
          map.addLayer(group);
          return !before.isConnected;
        }"""
    )
    assert gone
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.classList.contains('marker-cluster')"
    )
    zoom = page.evaluate("() => window.maillageMaps[0].getZoom()")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.classList.contains('leaflet-marker-icon')"
    )
    after = page.evaluate("() => window.maillageMaps[0].getZoom()")
    assert after > zoom or page.locator(".leaflet-marker-icon:not(.marker-cluster)").count() > 0
