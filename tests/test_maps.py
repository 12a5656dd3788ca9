"""Maps: local assets only, stable output, text alternatives, boundaries, the map page's data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator import maps
from generator.registry import for_audience, load_registry
from generator.site.context import Asset, GeneratedPage, SiteConfig, SiteContext
from generator.site.map_page import AREA, SITE_AT_COMMUNE, map_data, map_page
from tests.conftest import ROOT

URL = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


def context(root: Path, lang: str = "fr", tiles: str | None = SiteConfig.tiles) -> SiteContext:
    registry = for_audience(load_registry(root), "public")
    return SiteContext(registry, SiteConfig(tiles=tiles), lang, root)


@pytest.fixture
def ctx(mini: Path) -> SiteContext:
    return context(mini)


def test_library_assets_come_from_installed_packages() -> None:
    assets = {a.uri: a.content for a in maps.library_assets()}
    assert assets["assets/maillage/leaflet/leaflet.js"].startswith(b"/* @preserve\n * Leaflet 1.9.3")
    assert b"MarkerClusterGroup" in assets["assets/maillage/leaflet/leaflet.markercluster.js"]
    # The CSS's relative image paths resolve to copied files.
    css = assets["assets/maillage/leaflet/leaflet.css"].decode()
    for image in re.findall(r"url\((images/[^)]+)\)", css):
        assert f"assets/maillage/leaflet/{image}" in assets
    assert not any(b"sourceMappingURL" in content for uri, content in assets.items() if uri.endswith(".js"))


def test_service_map_is_offline_stable_and_has_a_text_alternative(ctx: SiteContext) -> None:
    service = ctx.registry.services["alpha-adults"]
    html = maps.service_map_html(ctx, service)
    assert html == maps.service_map_html(ctx, service)  # folium's random ids are gone
    assert "\n\n" not in html  # one raw HTML block for Markdown
    for url in URL.findall(html):
        assert url.startswith(("../../assets/maillage/", "../../territories/")), url
    assert "cdn" not in html.lower() and "jquery" not in html.lower()
    # The basemap is configured but only added when the visitor turns it on.
    assert "tile.openstreetmap.org" in html and "maillage-basemap" in html
    assert not re.search(r"tile_layer_\w+\.addTo\(", html)
    # The text version says what the map shows.
    assert "Siège d&#x27;Alpha — Rue Royale 1, 1030 Schaerbeek" in html
    assert "position approximative (centre de la commune)" in html
    assert '<a href="../../territories/be-region-04000/">Région de Bruxelles-Capitale</a>' in html


def test_tiles_off_means_no_basemap(mini: Path) -> None:
    ctx = context(mini, tiles=None)
    html = maps.service_map_html(ctx, ctx.registry.services["alpha-adults"])
    assert "tileLayer" not in html and "openstreetmap" not in html


def test_tooltips_cannot_break_out_of_the_script(ctx: SiteContext) -> None:
    assert maps.js_safe("</script>${alert(1)}`") == "&lt;/script&gt;&#36;{alert(1)}&#96;"


def test_area_of_a_metropole_is_drawn_as_its_communes(ctx: SiteContext) -> None:
    html = maps.service_map_html(ctx, ctx.registry.services["beta-housing-first"])
    assert html.count('"kind": "dot"') == 2  # Lyon and Villeurbanne, the mini gazetteer's communes
    assert "Villeurbanne (M\\u00e9tropole de Lyon)" in html
    assert "Aucun lieu publié." in html


def test_territory_map_lists_the_sites_inside(ctx: SiteContext) -> None:
    html = maps.territory_map_html(ctx, "be-region-04000")
    assert "Siège d&#x27;Alpha" in html
    assert "Aucun lieu publié." in maps.territory_map_html(ctx, "fr-commune-42218")


def test_coverage_map_colours_and_table(ctx: SiteContext) -> None:
    counts = {"be-commune-21015": 0, "fr-commune-69123": 1, "fr-commune-42218": 3}
    html = maps.coverage_map_html(ctx, counts, "18-24/roofless")
    table = html[html.index("<table>") :]
    # Gaps first, then by population.
    assert table.index("Schaerbeek") < table.index("Lyon") < table.index("Saint-Étienne")
    assert "<td>519 127</td>" in table
    for colour in maps.COVERAGE_COLOURS:
        assert colour in html
    assert maps.coverage_colour(0) == "#d73027" and maps.coverage_colour(7) == "#4575b4"


def test_boundaries_dropped_in_are_drawn_as_polygons(mini: Path) -> None:
    folder = mini / maps.BOUNDARIES_DIR
    folder.mkdir(parents=True)
    square = [[[4.36, 50.86], [4.39, 50.86], [4.39, 50.88], [4.36, 50.88], [4.36, 50.86]]]
    feature = {
        "type": "Feature",
        "properties": {"CD_MUNTY_REFNIS": "21015"},
        "geometry": {"type": "Polygon", "coordinates": square},
    }
    (folder / "communes.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    ctx = context(mini)
    assert set(maps.load_boundaries(mini)) == {"be-commune-21015"}
    html = maps.coverage_map_html(ctx, {"be-commune-21015": 2}, "test")
    assert '"type": "Polygon"' in html and "[4.36, 50.86]" in html


def test_boundary_codes_of_official_files() -> None:
    assert maps.boundary_code({"INSEE_COM": "42218", "INSEE_DEP": "42"}) == "fr-commune-42218"
    assert maps.boundary_code({"INSEE_DEP": "2A", "INSEE_REG": "94"}) == "fr-dep-2a"
    assert maps.boundary_code({"CODE_SIREN": "200046977"}) == "fr-epci-200046977"
    assert maps.boundary_code({"CD_RGN_REFNIS": "4000"}) == "be-region-04000"
    assert maps.boundary_code({"code": "fr-region-84"}) == "fr-region-84"
    assert maps.boundary_code({"nom": "x"}) is None


def test_unknown_folium_resource_is_an_error() -> None:
    with pytest.raises(maps.MapError, match="no site-local copy"):
        maps._local([("leaflet_heat", "https://cdn.example/heat.js")])


def test_map_page_data_and_page(ctx: SiteContext) -> None:
    data = map_data(ctx)
    kinds = sorted(p[3] for p in data.index["points"])
    # The Schaerbeek site at its commune, the Lyon service (no site) at its area.
    assert kinds == [SITE_AT_COMMUNE, AREA]
    chunk = data.chunks[0]
    assert chunk["texts"][chunk["points"][0][0]] in ("Siège d'Alpha", "Métropole de Lyon")
    phones = [row[3] for row in chunk["services"].values()]
    assert "+32 2 000 00 01" in phones
    assert "pro-only@alpha.example.org" not in json.dumps(data.chunks)  # public audience
    items = list(map_page(ctx))
    [page] = [i for i in items if isinstance(i, GeneratedPage)]
    assert page.uri == "map/index.md"
    assert "<script>" not in page.content  # no inline script: CSP-friendly
    uris = {i.uri for i in items if isinstance(i, Asset)}
    for url in URL.findall(page.content):
        target = url.removeprefix("../")
        assert target in uris or target.startswith("territories/"), url
    assert {"assets/maillage/map/sites.fr.js", "assets/maillage/map/sites.fr.0.js"} <= uris


def test_map_page_in_dutch_has_no_library_copy(mini: Path) -> None:
    items = list(map_page(context(mini, "nl")))
    [page] = [i for i in items if isinstance(i, GeneratedPage)]
    assert page.uri == "nl/map/index.md" and page.content.startswith("# Kaart")
    assert not any(i.uri.startswith("assets/maillage/leaflet/") for i in items)
    assert '<script src="../../assets/maillage/map/sites.nl.js">' in page.content


def test_real_registry_map_page_builds() -> None:
    data = map_data(context(ROOT))
    # The real registry publishes no site address yet: its services show at their areas.
    assert data.index["points"] and all(p[3] == AREA for p in data.index["points"])
