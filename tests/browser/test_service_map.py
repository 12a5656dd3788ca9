"""The small map of a service page, on the shipped site in Chromium with the network blocked.

The page carries its map as a JSON block; ``service-map.js`` draws it with the site's
Leaflet, over the base layer (Natural Earth land and borders, ``base.json``, from the site).
An area is drawn as an area (a shaded shape named "Zone d'intervention : …"), never as
dots that read as places. The shipped configuration has no tiles: no tile layer, no layer
control, nothing requested outside. Any request off localhost fails the test (``page``
fixture).
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

# Whether the map's canvas (areas are drawn on canvas: preferCanvas) has any painted pixel.
PAINTED = """() => {
    const canvas = document.querySelector('.maillage-map .leaflet-overlay-pane canvas');
    if (!canvas || !canvas.width || !canvas.height) return false;
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) return true; }
    return false;
}"""


def _open(page: Any, url: str) -> tuple[list[str], list[str]]:
    """Open ``url``; return the page's errors (scripts, CSP) and the paths it requested."""
    errors: list[str] = []
    requested: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url)
    page.wait_for_selector(".maillage-map .maillage-map-canvas.leaflet-container")
    page.wait_for_function(PAINTED)
    page.wait_for_function(PAINTED.replace("leaflet-overlay-pane", "leaflet-maillageBase-pane"))
    return errors, requested


def test_service_map_draws_an_area_from_the_page(page: Any, site_server: str) -> None:
    errors, requested = _open(page, site_server + "services/clsm-saint-etienne-incurie/")
    assert errors == []  # the data block and the shared script pass the page's CSP
    assert not any("/assets/maillage/areas/" in url for url in requested)  # in the page
    region = page.locator(".maillage-map[role=region]")
    assert "Zone d'intervention" in (region.get_attribute("aria-label") or "")
    # No tiles configured: no basemap, no layer control, no tile.
    assert page.locator(".maillage-map img.leaflet-tile").count() == 0
    assert page.locator(".maillage-map .leaflet-control-layers").count() == 0
    assert page.locator(".maillage-map .leaflet-control-zoom").count() == 1
    # Scroll-wheel zoom is off: the wheel over the map scrolls the page, the scale stays.
    scale = page.locator(".maillage-map .leaflet-control-scale-line").first.inner_text()
    page.locator(".maillage-map-canvas").hover()
    page.mouse.wheel(0, -300)
    page.wait_for_timeout(400)
    assert page.locator(".maillage-map .leaflet-control-scale-line").first.inner_text() == scale
    # The area, a circle at the centre of the fitted map: its tooltip names it as an area, as text.
    box = page.locator(".maillage-map-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = page.locator(".maillage-map .leaflet-tooltip")
    tooltip.wait_for()
    assert tooltip.inner_text() == "Zone d'intervention : Saint-Étienne"
    # The zoom buttons speak French.
    assert page.locator(".maillage-map .leaflet-control-zoom-in").get_attribute("title") == "Zoom avant"
    # The text alternative stays, with the area's link.
    assert page.locator(".maillage-map-text a[href$='territories/fr-commune-42218/']").count() == 1


def test_a_metropole_is_one_area_in_the_page(page: Any, site_server: str) -> None:
    errors, requested = _open(page, site_server + "services/ucsd-lyon/")
    assert errors == []
    # The Métropole de Lyon's 59 communes are one shape (their hull), small enough for the page.
    assert not [u for u in requested if "/assets/maillage/areas/" in u]
    area = page.evaluate("() => JSON.parse(document.querySelector('script.maillage-map-data').textContent).areas[0]")
    assert "hull" in area and "dots" not in area
    assert page.locator(".maillage-map img.leaflet-tile").count() == 0


def test_brusano_shows_its_area_not_nineteen_places(page: Any, site_server: str) -> None:
    errors, _ = _open(page, site_server + "services/brusano-case-management/")
    assert errors == []
    assert page.locator(".maillage-map .leaflet-marker-icon").count() == 0  # no site: no pin
    area = page.evaluate("() => JSON.parse(document.querySelector('script.maillage-map-data').textContent).areas[0]")
    assert area["label"] == "Zone d'intervention : Région de Bruxelles-Capitale" and "hull" in area
    text = page.locator(".maillage-map-text").inner_text()
    assert "Aucun lieu publié : la carte montre la zone d'intervention, pas des adresses." in text
    assert page.locator(".maillage-map-legend").inner_text().strip() == "Zone d'intervention"
    page.locator(".maillage-map").scroll_into_view_if_needed()
    box = page.locator(".maillage-map-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = page.locator(".maillage-map .leaflet-tooltip")
    tooltip.wait_for()
    assert tooltip.inner_text() == "Zone d'intervention : Région de Bruxelles-Capitale"


def test_dutch_service_map_reads_dutch_area_names(page: Any, site_server: str) -> None:
    errors, _ = _open(page, site_server + "nl/services/brusano-case-management/")
    assert errors == []
    assert page.locator(".maillage-map .leaflet-marker-icon").count() == 0  # no site with a position
    assert "Brussels Hoofdstedelijk Gewest" in page.locator(".maillage-map-text").inner_text()
    area = page.evaluate("() => JSON.parse(document.querySelector('script.maillage-map-data').textContent).areas[0]")
    assert area["label"] == "Werkgebied: Brussels Hoofdstedelijk Gewest"
    assert page.locator(".maillage-map .leaflet-control-zoom-in").get_attribute("title") == "Inzoomen"
