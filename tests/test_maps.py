"""Maps: local assets only, stable output, text alternatives, boundaries, the map page's data."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from generator.registry.loader import for_audience, load_registry
from generator.site import maps
from generator.site.context import Asset, GeneratedPage, SiteConfig, SiteContext
from generator.site.map_page import AREA, SITE_AT_COMMUNE, map_data, map_page, map_view
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


def _map_data(html: str) -> dict[str, Any]:
    """The JSON data block of a service map."""
    match = re.search(r'<script type="application/json" class="maillage-map-data">(.*?)</script>', html, re.S)
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_service_map_is_offline_stable_and_has_a_text_alternative(ctx: SiteContext) -> None:
    service = ctx.registry.services["alpha-adults"]
    html = maps.service_map_html(ctx, service)
    assert html == maps.service_map_html(ctx, service)
    assert "\n\n" not in html  # one raw HTML block for Markdown
    for url in URL.findall(html):
        assert url.startswith(("../../assets/maillage/", "../../territories/")), url
    assert "cdn" not in html.lower() and "jquery" not in html.lower()
    # Data and the shared script only: no inline code for the page's CSP to allow.
    assert re.findall(r"<script(?![^>]*(?:src=|application/json))", html) == []
    assert '<script src="../../assets/maillage/map/service-map.js"></script>' in html
    assert html.index("leaflet/leaflet.js") < html.index("map/maillage-map.js") < html.index("map/service-map.js")
    data = _map_data(html)
    assert data["sites"] == [[50.8676, 4.37371, "Siège d'Alpha — Rue Royale 1, 1030 Schaerbeek"]]
    # Fitted to the site and the area's communes.
    (south, west), (north, east) = data["bounds"]
    assert south <= 50.8223 and north >= 50.8799 and west <= 4.3457 and east >= 4.3816
    # The basemap is configured, for the script to offer as an opt-in layer.
    assert data["basemap"]["url"] == SiteConfig.tiles
    # The text version says what the map shows.
    assert "Siège d&#x27;Alpha — Rue Royale 1, 1030 Schaerbeek" in html
    assert "position approximative (centre de la commune)" in html
    assert '<a href="../../territories/be-region-04000/">Région de Bruxelles-Capitale</a>' in html
    assert 'role="region" aria-label="Zone d&#x27;intervention — Accompagnement adultes"' in html


def test_tiles_off_means_no_basemap(mini: Path) -> None:
    ctx = context(mini, tiles=None)
    html = maps.service_map_html(ctx, ctx.registry.services["alpha-adults"])
    assert "basemap" not in _map_data(html) and "openstreetmap" not in html


def test_tooltips_cannot_break_out_of_the_script(ctx: SiteContext) -> None:
    assert maps.js_safe("</script>${alert(1)}`") == "&lt;/script&gt;&#36;{alert(1)}&#96;"
    text = maps.script_json({"name": "</script><script>alert(1)</script> & <!--"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script> & <!--"}


def test_site_name_with_a_script_stays_data(ctx: SiteContext) -> None:
    service = ctx.registry.services["alpha-adults"]
    site = ctx.registry.sites_of(service)[0]
    evil = "</script><script>alert(1)</script>"
    poisoned = site.model_copy(update={"name": site.name.model_copy(update={"fr": evil})})
    registry = replace(ctx.registry, sites={**ctx.registry.sites, site.id: poisoned})
    organisation = registry.organisation_of(service.id)
    registry.organisations[organisation.id] = organisation.model_copy(update={"sites": [poisoned]})
    html = maps.service_map_html(replace(ctx, registry=registry), service)
    assert html.count("<script") == 4 and html.count("</script>") == 4  # data + three files
    assert _map_data(html)["sites"][0][2].startswith(evil)
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html  # the text version, escaped


def test_area_of_a_metropole_is_drawn_as_an_area(ctx: SiteContext) -> None:
    html = maps.service_map_html(ctx, ctx.registry.services["beta-housing-first"])
    [area] = _map_data(html)["areas"]
    assert area["name"] == "Métropole de Lyon"
    assert area["label"] == "Zone d'intervention : Métropole de Lyon"
    # Two communes: a circle of a few kilometres at its centre, never a dot per commune.
    assert area["radius"] == maps.AREA_RADIUS and "dots" not in area
    assert "Aucun lieu publié : la carte montre la zone d'intervention" in html
    assert "maillage-swatch-area" in html and "maillage-swatch-place" not in html  # the legend


def test_brussels_area_is_one_shape_not_nineteen_places() -> None:
    real = context(ROOT)
    area = maps.service_map_area(real, "be-region-04000")
    assert area is not None and "dots" not in area.data
    ring = area.data["hull"]
    assert 3 <= len(ring) < 19
    # Every commune's centre is inside the hull (it is convex and widened).
    communes = real.registry.gazetteer.descendants("be-region-04000", "commune")
    for code in communes:
        x = real.registry.gazetteer[code]
        assert _inside((x.lat, x.lon), ring), x.name
    html = maps.service_map_html(real, real.registry.services["brusano-case-management"])
    assert "Aucun lieu publié : la carte montre la zone d'intervention" in html


def _inside(point: tuple[float | None, float | None], ring: list[list[float]]) -> bool:
    lat, lon = point
    assert lat is not None and lon is not None
    signs = set()
    for (a_lat, a_lon), (b_lat, b_lon) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = (b_lat - a_lat) * (lon - a_lon) - (b_lon - a_lon) * (lat - a_lat)
        signs.add(cross > 0)
    return len(signs) == 1


def test_hull_is_convex_and_widened() -> None:
    square = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.5, 0.5)]
    ring = maps.hull(square, pad=0.1)
    assert len(ring) == 4  # the middle point is inside
    assert min(p[0] for p in ring) < 0 and max(p[0] for p in ring) > 1


def test_large_areas_are_shared_files(ctx: SiteContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(maps, "MAX_INLINE_AREA", 10)
    service = ctx.registry.services["beta-housing-first"]
    html = maps.service_map_html(ctx, service)
    assert _map_data(html)["areas"] == [{"src": "../../assets/maillage/areas/fr/fr-epci-200046977.json"}]
    assets = {a.uri: a.content for a in maps.service_map_assets(ctx)}
    shared = json.loads(assets["assets/maillage/areas/fr/fr-epci-200046977.json"])
    assert shared["name"] == "Métropole de Lyon" and shared["point"]
    assert maps.SERVICE_MAP_JS in assets
    # Dutch: its own area files, the script only once (with the first language).
    nl = {a.uri for a in maps.service_map_assets(context(ctx.root, "nl"))}
    assert "assets/maillage/areas/nl/fr-epci-200046977.json" in nl and maps.SERVICE_MAP_JS not in nl
    nl_html = maps.service_map_html(context(ctx.root, "nl"), service)
    assert '"src":"../../../assets/maillage/areas/nl/fr-epci-200046977.json"' in nl_html


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
    assert '<td class="maillage-num">519\u202f127</td>' in table  # as French writes it, right-aligned
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
    # The contacts are in the details only: the page and its index hold none.
    assert not any("+32 2 000 00 01" in str(i.content) for i in map_view(ctx))
    assert {i.uri for i in map_view(ctx) if isinstance(i, Asset)} == uris - {"assets/maillage/map/sites.fr.0.js"}


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


def test_map_page_details_carry_alerts_and_the_organisation_phone(ctx: SiteContext) -> None:
    from generator.registry.models import Alert

    registry = ctx.registry
    service_id = next(s.id for s in registry.services.values() if registry.sites_of(s))
    service = registry.services[service_id]
    alert = Alert.model_validate({"kind": "closed", "from": "2026-07-01", "until": "2026-08-31"})
    services = {**registry.services, service_id: service.model_copy(update={"alerts": [alert], "contacts": []})}
    data = map_data(replace(ctx, registry=replace(registry, services=services)))
    rows = [row for chunk in data.chunks for row in chunk["services"].values() if row[0] == service_id]
    assert rows and rows[0][4] == [["closed", "2026-07-01", "2026-08-31", ""]]
    # No phone of its own: its organisation's, as on its page.
    organisation_phones = [c.value for c in registry.organisation_of(service_id).contacts if c.kind == "phone"]
    assert rows[0][3] == (organisation_phones[0] if organisation_phones else "")
    # A line with an extension: number and extension, which the popup links as RFC 3966's
    # « tel:…;ext=… » and reads « poste 12 » (map-page.js).
    from generator.registry.models import Contact

    line = Contact.model_validate({"kind": "phone", "value": "+32 2 000 00 00", "extension": "12"})
    services[service_id] = service.model_copy(update={"contacts": [line]})
    data = map_data(replace(ctx, registry=replace(registry, services=services)))
    rows = [row for chunk in data.chunks for row in chunk["services"].values() if row[0] == service_id]
    assert rows[0][3] == ["+32 2 000 00 00", "12"]
    # Each territory's run of points covers the points once, in order.
    runs = data.index["groups"]
    assert runs[0][1] == 0 and runs[-1][2] == len(data.index["points"])
    assert all(a[2] == b[1] for a, b in itertools.pairwise(runs))
