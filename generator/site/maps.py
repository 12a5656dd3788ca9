"""Maps that work offline: service, territory and coverage maps, and their assets.

Folium builds the territory and coverage maps (and the map page's frame); its output is
cut into the map's ``<div>`` and its script, and the scripts and style sheets folium would
fetch from CDNs are replaced by copies served from the site itself, taken at build time
from installed PyPI packages (``XStatic-Leaflet`` and ``XStatic-Leaflet-MarkerCluster``;
folium ships only CDN URLs). A folium resource with no local copy stops the build instead
of reaching the network. The small map of a service
page, one per service and language, is no folium map: a JSON block drawn by one shared
script (``service_map_html``), so it costs a fraction of a millisecond per page.

The basemap (``SiteConfig.tiles``, OpenStreetMap by default) is a layer the visitor turns
on: until then no tile is requested, so a map draws its points and outlines with no
network and sends no visitor's address to a third party; the choice is remembered.

Every map comes with a text alternative (a list or a table) for screen readers and print.
"""

from __future__ import annotations

import hashlib
import html
import importlib
import json
import logging
import math
import re
import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
from babel.numbers import format_decimal
from branca.element import Element

from ..exchange.geocode import Position, address_text, site_positions
from ..locale import N_, speaking, t
from ..registry.loader import Registry
from ..registry.models import Service, Site
from ..registry.territories import Gazetteer, Territory
from .basemap import base_layer_bytes
from .context import Asset, SiteContext
from .csp import own_script

ASSETS = "assets/maillage/"
LEAFLET_DIR = ASSETS + "leaflet/"
MAP_DIR = ASSETS + "map/"
BOUNDARIES_DIR = "data/territories/boundaries"

# folium's resource names -> the site-local copy. Resources folium lists that our maps never
# use (jQuery, Bootstrap, awesome-markers, Font Awesome) are dropped; any other name is an
# error, so a folium upgrade or a new plugin cannot silently point a page at a CDN.
LOCAL_RESOURCES = {
    "leaflet": LEAFLET_DIR + "leaflet.js",
    "leaflet_css": LEAFLET_DIR + "leaflet.css",
    "markerclusterjs": LEAFLET_DIR + "leaflet.markercluster.js",
    "markerclustercss": LEAFLET_DIR + "MarkerCluster.css",
    "markerclusterdefaultcss": LEAFLET_DIR + "MarkerCluster.Default.css",
}
UNUSED_RESOURCES = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)
# Our own script, loaded right after Leaflet on every map (basemap choice, accessibility).
OWN_JS = MAP_DIR + "maillage-map.js"
OWN_CSS = MAP_DIR + "maillage-map.css"

# (xstatic package, file in its data folder, uri in the site)
_LIBRARY_FILES = (
    ("leaflet", "leaflet.js", LEAFLET_DIR + "leaflet.js"),
    ("leaflet", "leaflet.css", LEAFLET_DIR + "leaflet.css"),
    ("leaflet", "images/layers.png", LEAFLET_DIR + "images/layers.png"),
    ("leaflet", "images/layers-2x.png", LEAFLET_DIR + "images/layers-2x.png"),
    ("leaflet", "images/marker-icon.png", LEAFLET_DIR + "images/marker-icon.png"),
    ("leaflet", "images/marker-icon-2x.png", LEAFLET_DIR + "images/marker-icon-2x.png"),
    ("leaflet", "images/marker-shadow.png", LEAFLET_DIR + "images/marker-shadow.png"),
    ("leaflet_markercluster", "leaflet.markercluster.js", LEAFLET_DIR + "leaflet.markercluster.js"),
    ("leaflet_markercluster", "MarkerCluster.css", LEAFLET_DIR + "MarkerCluster.css"),
    ("leaflet_markercluster", "MarkerCluster.Default.css", LEAFLET_DIR + "MarkerCluster.Default.css"),
)
_OWN_FILES = ("maillage-map.js", "maillage-map.css", "map-page.js")
_OWN_DIR = Path(__file__).resolve().parent / "map_assets"

# Colours of the coverage map: no service (a gap), one, two or more (an overlap). Taken from
# ColorBrewer's colour-blind-safe "RdYlBu" scheme; the text alternative says the same.
COVERAGE_COLOURS = ("#d73027", "#fee090", "#4575b4")
# By the status of a territory's cell (issue 19): a gap, "à vérifier" (a service whose
# unstated criterion might admit the public: grey, drawn with a dashed outline, neither
# red nor blue), covered in part, by one service, by two or more. The same RdYlBu scheme.
STATUS_COLOURS = {
    "gap": "#d73027",
    "unknown": "#bdbdbd",
    "partial": "#fee090",
    "covered": "#91bfdb",
    "overlap": "#4575b4",
}
STATUS_KEYS = {
    "gap": N_("map.status.gap"),
    "unknown": N_("map.status.unknown"),
    "partial": N_("map.status.partial"),
    "covered": N_("map.status.covered"),
    "overlap": N_("map.status.overlap"),
}

# An area with at most this many communes is drawn as a dot per commune (its shape shows);
# a larger one as one circle at its centroid.
MAX_AREA_DOTS = 400


class MapError(RuntimeError):
    """A map that cannot be built offline (a resource with no local copy, a missing package)."""


def attribution(ctx: SiteContext) -> str:
    """The basemap's credit: the directory's own (``tiles_attribution``), else the catalogue's."""
    return ctx.config.tiles_attribution or t("map.attribution", ctx.lang)


# --- assets ------------------------------------------------------------------------------


def _xstatic_dir(name: str) -> Path:
    try:
        module = importlib.import_module(f"xstatic.pkg.{name}")
    except ImportError as exc:
        package = "XStatic-" + name.replace("_", "-").title().replace("Markercluster", "MarkerCluster")
        raise MapError(f"the maps need the PyPI package {package}: pip install {package}") from exc
    return Path(module.BASE_DIR)


def library_assets() -> list[Asset]:
    """Leaflet, marker clustering, their images and our map scripts, copied from packages."""
    assets: list[Asset] = []
    for package, name, uri in _LIBRARY_FILES:
        content = (_xstatic_dir(package) / name).read_bytes()
        if name.endswith(".js"):
            # The source maps are not copied: drop the comment that makes devtools ask for them.
            content = re.sub(rb"\n//# sourceMappingURL=\S+\s*$", b"\n", content)
        assets.append(Asset(uri, content))
    for name in _OWN_FILES:
        assets.append(Asset(MAP_DIR + name, (_OWN_DIR / name).read_bytes()))
    return assets


BASE_LAYER = MAP_DIR + "base.json"
log = logging.getLogger("mkdocs.plugins.maillage")


def base_assets(root: Path) -> Iterator[Asset]:
    """The base layer every map draws (``basemap``), or a warning when it cannot be made.

    ``maillage-map.js`` fetches it next to itself; without it the maps draw their points on
    the plain background, as before the base layer existed.
    """
    content = base_layer_bytes(root)
    if content is None:
        log.warning(t("map.no_base_layer", speaking()))
        return
    yield Asset(BASE_LAYER, content)


# --- rendering folium into a page --------------------------------------------------------


@dataclass(frozen=True)
class RenderedMap:
    """A folium map cut into what a page needs: its div, its script and the local resources."""

    div: str
    script: str
    js: tuple[str, ...]  # site-relative uris, in load order
    css: tuple[str, ...]


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _local(resources: Iterable[tuple[str, str]]) -> list[str]:
    uris: list[str] = []
    for name, url in resources:
        if name in LOCAL_RESOURCES:
            uris.append(LOCAL_RESOURCES[name])
        elif name not in UNUSED_RESOURCES:
            raise MapError(f"folium asks for '{name}' ({url}), which has no site-local copy")
    return uris


_FOLIUM_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


def render_map(m: folium.Map) -> RenderedMap:
    """Render ``m`` with stable names (folium draws random ids) and local resources only."""
    if any(isinstance(e, folium.TileLayer) for e in m._children.values()):
        # Last, so that the control's script finds every layer already defined.
        folium.LayerControl(collapsed=False).add_to(m)
    figure: Any = m.get_root()  # a branca Figure: header, html and script parts
    figure.render()
    div = figure.html.render().strip()
    script = figure.script.render()
    js: list[str] = []
    css: list[str] = []
    for element in _walk(m):
        for uri in _local(getattr(element, "default_js", ())):
            if uri not in js:
                js.append(uri)
        for uri in _local(getattr(element, "default_css", ())):
            if uri not in css:
                css.append(uri)
    # Number the random ids in order of appearance, then name them after the content, so
    # two builds give the same bytes and two maps on one page never share a variable.
    numbers: dict[str, str] = {}

    def number(match: re.Match[str]) -> str:
        return numbers.setdefault(match.group(), f"@{len(numbers)}@")

    div, script = _FOLIUM_ID.sub(number, div), _FOLIUM_ID.sub(number, script)
    script = "\n".join(line.strip() for line in script.splitlines() if line.strip())
    key = hashlib.sha1((div + script).encode()).hexdigest()[:8]
    div, script = (re.sub(r"@([0-9]+)@", rf"{key}x\1", s) for s in (div, script))
    return RenderedMap(div, script, tuple(js), tuple(css))


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def zoom_words(ctx: SiteContext) -> str:
    """The attributes that name a map's zoom buttons in the page's language (``maillage-map.js``)."""
    return (
        f'data-zoom-in="{_attr(t("js.map.zoom_in", ctx.lang))}" data-zoom-out="{_attr(t("js.map.zoom_out", ctx.lang))}"'
    )


def js_safe(text: str) -> str:
    """Text for folium's tooltips: HTML-escaped, and safe inside a JS template literal."""
    return html.escape(text).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def embed(
    rendered: RenderedMap,
    base: str,
    title: str,
    text_alternative: str,
    css_class: str = "maillage-map",
    words: str = "",
) -> str:
    """Raw HTML for a Markdown page: the map, its local resources, its text version.

    ``base`` is the relative path from the page to the site root (e.g. ``"../../"``). The
    fragment has no blank line, so Markdown keeps it as one raw HTML block.
    """
    js = [rendered.js[0], OWN_JS, *rendered.js[1:]] if rendered.js else [OWN_JS]
    parts = ['<div class="maillage-map-block">']
    parts += [f'<link rel="stylesheet" href="{base}{uri}">' for uri in (*rendered.css, OWN_CSS)]
    parts.append(f'<div class="{css_class}" role="region" aria-label="{_attr(title)}" {words}>{rendered.div}</div>')
    parts += [f'<script src="{base}{uri}"></script>' for uri in js]
    parts.append(own_script(f"\n{rendered.script}\n"))  # the page's policy allows it (site/csp.py)
    parts.append(text_alternative)
    parts.append("</div>")
    return "\n".join(parts)


def new_map(ctx: SiteContext, points: Iterable[tuple[float, float]], scroll_zoom: bool = False) -> folium.Map:
    """A folium map fitted to ``points``, with the basemap as an opt-in layer."""
    bounds = _bounds(points)
    center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = folium.Map(
        location=center,
        zoom_start=6,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
        scrollWheelZoom=scroll_zoom,
        # Without a tile layer Leaflet knows no zoom limits, and clustering needs one.
        minZoom=2,
        maxZoom=18,
    )
    m.fit_bounds(bounds, max_zoom=12, padding=(12, 12))
    if ctx.config.tiles:
        folium.TileLayer(
            tiles=ctx.config.tiles,
            attr=html.escape(attribution(ctx)),
            name=t("map.basemap", ctx.lang),
            overlay=True,
            show=False,
            control=True,
            max_zoom=19,
            className="maillage-basemap",
        ).add_to(m)
    return m


def _bounds(points: Iterable[tuple[float, float]]) -> list[list[float]]:
    pts = list(points)
    if not pts:
        # Nothing to fit: France and Belgium, the directory's countries.
        return [[41.3, -5.2], [51.5, 9.6]]
    lats, lons = [p[0] for p in pts], [p[1] for p in pts]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


# --- boundaries --------------------------------------------------------------------------

# Official files name their codes differently; the first property found wins, so a commune
# feature (which also carries its département's code) maps to the commune.
_BOUNDARY_KEYS = (
    ("code", ""),
    ("INSEE_COM", "fr-commune-"),  # IGN ADMIN EXPRESS, COMMUNE layer
    ("CODE_SIREN", "fr-epci-"),  # IGN ADMIN EXPRESS, EPCI layer
    ("INSEE_DEP", "fr-dep-"),  # DEPARTEMENT layer
    ("INSEE_REG", "fr-region-"),  # REGION layer
    ("CD_MUNTY_REFNIS", "be-commune-"),  # Statbel, municipalities
    ("CD_PROV_REFNIS", "be-province-"),  # Statbel, provinces
    ("CD_RGN_REFNIS", "be-region-"),  # Statbel, regions
)


def boundary_code(properties: Mapping[str, Any]) -> str | None:
    """Our territory code for a GeoJSON feature of an official boundaries file."""
    for key, prefix in _BOUNDARY_KEYS:
        value = properties.get(key)
        if value not in (None, ""):
            text = str(value).strip().lower()
            if prefix == "be-region-":
                text = text.zfill(5)
            return text if not prefix else prefix + text
    return None


@lru_cache(maxsize=4)
def _load_boundaries(folder: str, stamp: tuple[tuple[str, float], ...]) -> dict[str, dict[str, Any]]:
    shapes: dict[str, dict[str, Any]] = {}
    for name, _ in stamp:
        data = json.loads((Path(folder) / name).read_text(encoding="utf-8"))
        for feature in data.get("features", []):
            code = boundary_code(feature.get("properties") or {})
            if code and feature.get("geometry"):
                shapes[code] = feature["geometry"]
    return shapes


def load_boundaries(root: Path) -> dict[str, dict[str, Any]]:
    """Territory outlines from ``data/territories/boundaries/*.geojson``, by territory code.

    Empty when the folder has none (the default: no free offline source of commune
    polygons exists; see the folder's README for the official ones).
    """
    folder = root / BOUNDARIES_DIR
    if not folder.is_dir():
        return {}
    files = sorted([*folder.glob("*.geojson"), *folder.glob("*.json")])
    stamp = tuple((f.name, f.stat().st_mtime) for f in files)
    return _load_boundaries(str(folder), stamp) if stamp else {}


def _rounded(geometry: Any, digits: int = 4) -> Any:
    """Coordinates rounded to ~10 m: a page carries outlines, not survey data."""
    if isinstance(geometry, float):
        return round(geometry, digits)
    if isinstance(geometry, list):
        return [_rounded(g, digits) for g in geometry]
    if isinstance(geometry, dict):
        return {k: _rounded(v, digits) for k, v in geometry.items()}
    return geometry


def _outer_points(geometry: Mapping[str, Any]) -> Iterator[tuple[float, float]]:
    def walk(value: Any) -> Iterator[tuple[float, float]]:
        if isinstance(value, list) and len(value) >= 2 and all(isinstance(v, int | float) for v in value[:2]):
            yield float(value[1]), float(value[0])
        elif isinstance(value, list):
            for v in value:
                yield from walk(v)

    yield from walk(geometry.get("coordinates", []))


# --- the maps ----------------------------------------------------------------------------


def _link(ctx: SiteContext, base: str, section: str, key: str, label: str) -> str:
    return f'<a href="{base}{ctx.prefix}{section}/{key}/">{html.escape(label)}</a>'


def _site_line(ctx: SiteContext, site: Site, position: Position | None) -> str:
    parts = [html.escape(site.name.get(ctx.lang))]
    if site.address:
        parts.append(html.escape(address_text(site)))
    if position is not None and position.precision == "commune":
        parts.append(f"<em>{t('map.commune_precision', ctx.lang)}</em>")
    return " — ".join(parts)


def _area_features(ctx: SiteContext, codes: Iterable[str]) -> tuple[list[dict[str, Any]], list[Territory]]:
    """The features that draw an area: outlines, else dots at its communes, else centroids."""
    gazetteer = ctx.registry.gazetteer
    shapes = _boundaries(gazetteer, ctx.root)
    features: list[dict[str, Any]] = []
    territories: list[Territory] = []
    for code in codes:
        territory = gazetteer.get(code)
        if territory is None:
            continue
        territories.append(territory)
        label = territory.label(ctx.lang)
        if code in shapes:
            features.append(_feature(_rounded(shapes[code]), label, "outline"))
            continue
        communes = _communes(gazetteer, code) if territory.level != "commune" else []
        dots = [gazetteer[c] for c in communes if gazetteer[c].lat is not None]
        if dots and len(dots) <= MAX_AREA_DOTS:
            for commune in dots:
                point = {"type": "Point", "coordinates": [round(commune.lon or 0, 4), round(commune.lat or 0, 4)]}
                features.append(_feature(point, f"{commune.label(ctx.lang)} ({label})", "dot"))
        elif territory.lat is not None and territory.lon is not None:
            point = {"type": "Point", "coordinates": [round(territory.lon, 4), round(territory.lat, 4)]}
            features.append(_feature(point, label, "centroid"))
    return features, territories


def _feature(geometry: Any, name: str, kind: str) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": {"name": js_safe(name), "kind": kind}}


def _feature_points(features: Iterable[Mapping[str, Any]]) -> Iterator[tuple[float, float]]:
    for feature in features:
        yield from _outer_points(feature["geometry"])


def _area_style(feature: Mapping[str, Any]) -> dict[str, Any]:
    kind = feature["properties"]["kind"]
    if kind == "outline":
        return {"color": "#1f5f99", "weight": 2, "fillColor": "#1f5f99", "fillOpacity": 0.12}
    radius = 4 if kind == "dot" else 14
    return {"color": "#1f5f99", "weight": 1, "fillColor": "#1f5f99", "fillOpacity": 0.35, "radius": radius}


def _add_area(m: folium.Map, features: list[dict[str, Any]], name: str) -> None:
    if not features:
        return
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        marker=folium.CircleMarker(radius=4),
        style_function=_area_style,
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    ).add_to(m)


def _add_sites(m: folium.Map, ctx: SiteContext, sites: Iterable[tuple[Site, Position]]) -> None:
    for site, position in sites:
        tooltip = site.name.get(ctx.lang)
        if site.address:
            tooltip += f" — {address_text(site)}"
        folium.Marker([position.lat, position.lon], tooltip=js_safe(tooltip)).add_to(m)


# --- the service page's map: data in the page, one shared script ---------------------------
#
# A service page is one of (services x languages) pages, 30,000 at 10,000 services: its map
# is not a folium map (30 ms each) but a JSON block the shared ``service-map.js`` draws. The
# page carries its sites and small areas; an area of many communes (a département: hundreds
# of dots) or with an outline is written once per build as ``areas/<lang>/<code>.json`` and
# fetched by the script, so pages stay small however large the area.

SERVICE_MAP_JS = MAP_DIR + "service-map.js"
AREAS_DIR = ASSETS + "areas/"
_SERVICE_MAP_SOURCE = Path(__file__).resolve().parent / "assets" / "service-map.js"
# An area whose data is larger than this (compact JSON, bytes) goes to a shared file.
MAX_INLINE_AREA = 1500
# Nothing to fit: France and Belgium, the directory's countries.
_DEFAULT_BOUNDS = ((41.3, -5.2), (51.5, 9.6))
_BBox = tuple[float, float, float, float]  # south, west, north, east


@dataclass(frozen=True)
class ServiceMapArea:
    """How one territory is drawn on service maps, computed once per build and language."""

    territory: Territory
    data: dict[str, Any]  # {"name", "label", and "outline" | "hull" | "point" (+ "radius")}
    json: str  # ``data`` as compact JSON, safe inside a ``<script>`` element
    bbox: _BBox | None

    @property
    def shared(self) -> bool:
        """Written once as a file the script fetches, rather than in each page."""
        return len(self.json) > MAX_INLINE_AREA


class _BuildCache:
    """What every service map of a build shares, per gazetteer (one per registry load).

    Keyed by the gazetteer object itself (weakly), so ``maillage serve`` recomputes after a
    reload and a test's registry never sees another's results.
    """

    def __init__(self) -> None:
        self.areas: dict[tuple[str, str, str], ServiceMapArea | None] = {}
        self.communes: dict[str, list[str]] = {}
        self.hulls: dict[str, list[list[float]]] = {}
        self.boundaries: dict[str, dict[str, dict[str, Any]]] = {}


_CACHES: weakref.WeakKeyDictionary[Gazetteer, _BuildCache] = weakref.WeakKeyDictionary()
# Site positions per registry object: Registry is a frozen dataclass of dicts (not
# hashable), so it is keyed by id and checked through a weak reference.
_POSITIONS: dict[int, tuple[weakref.ref[Registry], dict[str, Position]]] = {}


def _cache(gazetteer: Gazetteer) -> _BuildCache:
    cache = _CACHES.get(gazetteer)
    if cache is None:
        cache = _CACHES[gazetteer] = _BuildCache()
    return cache


def _communes(gazetteer: Gazetteer, code: str) -> list[str]:
    """``gazetteer.descendants(code, "commune")``, computed once per territory."""
    cache = _cache(gazetteer).communes
    found = cache.get(code)
    if found is None:
        found = cache[code] = gazetteer.descendants(code, "commune")
    return found


def _area_hull(gazetteer: Gazetteer, code: str) -> list[list[float]]:
    """The hull of a territory's communes (``hull``), once per build whatever the language.

    Only the communes near the bulk of them count (``main_cluster``): France's hull would
    otherwise span the Atlantic from Guyane to La Réunion. A territory of fewer than three
    placed communes gives its one or two centres.
    """
    cache = _cache(gazetteer).hulls
    found = cache.get(code)
    if found is None:
        centres = [
            (gazetteer[c].lat or 0.0, gazetteer[c].lon or 0.0)
            for c in _communes(gazetteer, code)
            if gazetteer[c].lat is not None and gazetteer[c].lon is not None
        ]
        found = cache[code] = hull(main_cluster(centres))
    return found


def _boundaries(gazetteer: Gazetteer, root: Path) -> dict[str, dict[str, Any]]:
    """``load_boundaries(root)`` once per build (it lists and stats the folder)."""
    cache = _cache(gazetteer).boundaries
    key = str(root)
    if key not in cache:
        cache[key] = load_boundaries(root)
    return cache[key]


def _positions(registry: Registry) -> dict[str, Position]:
    """``site_positions(registry)`` once per registry (it reads the geocoding cache)."""
    key = id(registry)
    entry = _POSITIONS.get(key)
    if entry is not None and entry[0]() is registry:
        return entry[1]
    positions = site_positions(registry)
    _POSITIONS[key] = (weakref.ref(registry, lambda _: _POSITIONS.pop(key, None)), positions)
    return positions


def script_json(value: Any) -> str:
    """Compact JSON that cannot end the ``<script>`` element it sits in, nor open another.

    ``<``, ``>`` and ``&`` become ``\\u`` escapes, which ``JSON.parse`` reads back as the same
    characters: a name holding ``</script>`` stays a string.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _bbox(points: Iterable[tuple[float, float]]) -> _BBox | None:
    pts = list(points)
    if not pts:
        return None
    lats, lons = [p[0] for p in pts], [p[1] for p in pts]
    return (min(lats), min(lons), max(lats), max(lons))


def hull(points: Iterable[tuple[float, float]], pad: float = 0.02) -> list[list[float]]:
    """The convex hull of ``(lat, lon)`` points, widened by ``pad`` degrees (about 2 km).

    An area known only by its communes' centres is drawn as the shape around them: a dot
    per commune read as so many places (Brusano's 19 dots with "Aucun lieu publié" below),
    and the outer communes' centres sit a few kilometres inside the area's real edge.
    """
    pts = sorted(set(points))
    if len(pts) < 3:
        return [[round(lat, 4), round(lon, 4)] for lat, lon in pts]

    def turn(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and turn(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and turn(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    ring = lower[:-1] + upper[:-1]
    lat0 = sum(p[0] for p in ring) / len(ring)
    lon0 = sum(p[1] for p in ring) / len(ring)
    out: list[list[float]] = []
    for lat, lon in ring:
        length = math.hypot(lat - lat0, lon - lon0) or 1.0
        out.append([round(lat + pad * (lat - lat0) / length, 4), round(lon + pad * (lon - lon0) / length, 4)])
    return out


# A commune (or an area of one or two communes) is drawn as a circle this wide, in metres:
# an area, not a pin.
AREA_RADIUS = 2500


def service_map_area(ctx: SiteContext, code: str) -> ServiceMapArea | None:
    """How territory ``code`` is drawn on a service map (None when the gazetteer lacks it).

    Always as an area, never as places: its outline where ``data/territories/boundaries/``
    has one, else the hull of its communes' centres (``hull``), else a circle at its
    centre (``radius`` in metres for a commune; none for a large territory, drawn as a
    fixed ring). Names are plain text: the script shows them with ``textContent``.
    """
    gazetteer = ctx.registry.gazetteer
    cache = _cache(gazetteer).areas
    key = (str(ctx.root), ctx.lang, code)
    if key in cache:
        return cache[key]
    territory = gazetteer.get(code)
    area: ServiceMapArea | None = None
    if territory is not None:
        name = territory.label(ctx.lang)
        data: dict[str, Any] = {"name": name, "label": t("map.area_tooltip", ctx.lang, name=name)}
        shapes = _boundaries(gazetteer, ctx.root)
        points: list[tuple[float, float]] = []
        ring = _area_hull(gazetteer, code) if territory.level != "commune" and code not in shapes else []
        if code in shapes:
            data["outline"] = _rounded(shapes[code])
            points = list(_outer_points(data["outline"]))
        elif len(ring) >= 3:
            data["hull"] = ring
            points = [(p[0], p[1]) for p in ring]
        elif territory.lat is not None and territory.lon is not None:
            data["point"] = [round(territory.lat, 4), round(territory.lon, 4)]
            if territory.level == "commune" or ring:
                data["radius"] = AREA_RADIUS
            points = [(data["point"][0], data["point"][1])]
        area = ServiceMapArea(territory, data, script_json(data), _bbox(points))
    cache[key] = area
    return area


def area_file(ctx: SiteContext, code: str) -> str:
    """The site uri of a shared area file, in the context's language."""
    return f"{AREAS_DIR}{ctx.lang}/{code}.json"


def service_map_assets(ctx: SiteContext) -> Iterator[Asset]:
    """The service maps' script (once) and this language's shared area files.

    Exactly the areas ``service_map_html`` refers to, each once, whatever the number of
    services naming it.
    """
    if ctx.lang == ctx.config.languages[0]:
        yield Asset(SERVICE_MAP_JS, _SERVICE_MAP_SOURCE.read_bytes())
    written: set[str] = set()
    for service in ctx.registry.services.values():
        for code in service.public.area:
            if code in written:
                continue
            written.add(code)
            area = service_map_area(ctx, code)
            if area is not None and area.shared:
                yield Asset(area_file(ctx, code), area.json.encode("utf-8"))


def map_text(
    ctx: SiteContext,
    base: str,
    sites: Iterable[Site],
    positions: Mapping[str, Position],
    territories: Iterable[Territory],
) -> str:
    """The text version of a service's map: its sites and the territories of its area."""
    site_items = "".join(f"<li>{_site_line(ctx, s, positions.get(s.id))}</li>" for s in sites)
    area_items = "".join(f"<li>{_link(ctx, base, 'territories', x.code, x.label(ctx.lang))}</li>" for x in territories)
    return (
        '<div class="maillage-map-text">'
        f"<p><strong>{t('sites', ctx.lang)}</strong></p>"
        + (f"<ul>{site_items}</ul>" if site_items else f"<p>{t('map.no_site_area', ctx.lang)}</p>")
        + f"<p><strong>{t('map.area_served', ctx.lang)}</strong></p><ul>{area_items}</ul></div>"
    )


def map_legend(ctx: SiteContext, with_sites: bool) -> str:
    """What the map's two kinds of mark are: a place (a pin) and an area served (a shaded shape)."""
    items = [f'<li><span class="maillage-swatch maillage-swatch-area"></span>{t("map.area_served", ctx.lang)}</li>']
    if with_sites:
        items.insert(
            0, f'<li><span class="maillage-swatch maillage-swatch-place"></span>{t("map.places", ctx.lang)}</li>'
        )
    return f'<ul class="maillage-map-legend" aria-hidden="true">{"".join(items)}</ul>'


def service_map_html(ctx: SiteContext, service: Service, base: str | None = None) -> str:
    """A small map of a service's sites and area, with the same facts as a list.

    The map is a JSON block (sites, areas, bounds, the opt-in basemap) drawn by the shared
    ``service-map.js`` with the site's own Leaflet: no inline code, so the page's
    Content-Security-Policy needs no hash for it. ``base`` is the path from the page to
    the site root; by default that of the service's own page (``services/<id>/``).
    """
    base = base if base is not None else "../" * (2 + ctx.prefix.count("/"))
    registry = ctx.registry
    positions = _positions(registry)
    sites = registry.sites_of(service)
    areas = [a for a in (service_map_area(ctx, code) for code in service.public.area) if a is not None]
    site_rows: list[list[Any]] = []
    boxes: list[_BBox] = []
    for site in sites:
        position = positions.get(site.id)
        if position is None:
            continue
        tooltip = site.name.get(ctx.lang)
        if site.address:
            tooltip += f" — {address_text(site)}"
        lat, lon = round(position.lat, 5), round(position.lon, 5)
        site_rows.append([lat, lon, tooltip])
        boxes.append((lat, lon, lat, lon))
    boxes += [a.bbox for a in areas if a.bbox is not None]
    south, west, north, east = zip(*boxes, strict=True) if boxes else ((), (), (), ())
    bounds = (
        [[min(south), min(west)], [max(north), max(east)]]
        if boxes
        else [list(_DEFAULT_BOUNDS[0]), list(_DEFAULT_BOUNDS[1])]
    )
    data: dict[str, Any] = {"bounds": bounds, "sites": site_rows}
    if ctx.config.tiles:
        data["basemap"] = {
            "url": ctx.config.tiles,
            # Leaflet shows the attribution as HTML: escaped here, it stays text.
            "attribution": html.escape(attribution(ctx)),
            "name": t("map.basemap", ctx.lang),
        }
    area_json = ",".join(
        '{"src":' + script_json(base + area_file(ctx, a.territory.code)) + "}" if a.shared else a.json for a in areas
    )
    payload = script_json(data)[:-1] + ',"areas":[' + area_json + "]}"
    title = f"{t('map.area_served', ctx.lang)} — {service.name.get(ctx.lang)}"
    text = map_text(ctx, base, sites, positions, [a.territory for a in areas])
    parts = ['<div class="maillage-map-block">']
    parts += [f'<link rel="stylesheet" href="{base}{uri}">' for uri in (LOCAL_RESOURCES["leaflet_css"], OWN_CSS)]
    canvas = '<div class="maillage-map-canvas"></div>'
    words = zoom_words(ctx)
    parts.append(f'<div class="maillage-map" role="region" aria-label="{_attr(title)}" {words}>{canvas}</div>')
    parts.append(map_legend(ctx, bool(site_rows)))
    parts.append(f'<script type="application/json" class="maillage-map-data">{payload}</script>')
    parts += [f'<script src="{base}{uri}"></script>' for uri in (LOCAL_RESOURCES["leaflet"], OWN_JS, SERVICE_MAP_JS)]
    parts.append(text)
    parts.append("</div>")
    return "\n".join(parts)


def territory_map_html(ctx: SiteContext, code: str, base: str | None = None) -> str:
    """A small map of a territory (its outline or its communes) and the sites inside it."""
    base = base if base is not None else "../" * (2 + ctx.prefix.count("/"))
    registry = ctx.registry
    gazetteer = registry.gazetteer
    territory = gazetteer[code]
    positions = site_positions(registry)
    inside = sorted(
        (s for s_id, s in registry.sites.items() if code in gazetteer.ancestors(registry.site_territory.get(s_id, ""))),
        key=lambda s: s.id,
    )
    placed = [(s, positions[s.id]) for s in inside if s.id in positions]
    features, _ = _area_features(ctx, [code])
    points = [(p.lat, p.lon) for _, p in placed] + list(_feature_points(features))
    m = new_map(ctx, points)
    _add_area(m, features, territory.label(ctx.lang))
    _add_sites(m, ctx, placed)
    items = "".join(f"<li>{_site_line(ctx, s, positions.get(s.id))}</li>" for s in inside)
    text = (
        f'<div class="maillage-map-text"><p><strong>{t("sites", ctx.lang)}</strong></p>'
        + (f"<ul>{items}</ul>" if items else f"<p>{t('map.no_site', ctx.lang)}</p>")
        + "</div>"
    )
    return embed(render_map(m), base, territory.label(ctx.lang), text, words=zoom_words(ctx))


def coverage_colour(count: int) -> str:
    """The coverage map's colour for a territory covered by ``count`` services."""
    return COVERAGE_COLOURS[min(count, 2)]


def main_cluster(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points a map opens on: those near the median, when they are most of them.

    France's overseas départements sit thousands of kilometres from the rest: fitted to
    them too, the coverage map opened on an ocean with metropolitan France and Belgium as
    one blob. They stay drawn (zoom out) and listed in the text version.
    """
    if len(points) < 4:
        return points
    lats = sorted(p[0] for p in points)
    lons = sorted(p[1] for p in points)
    mid_lat, mid_lon = lats[len(lats) // 2], lons[len(lons) // 2]
    near = [p for p in points if abs(p[0] - mid_lat) <= 12 and abs(p[1] - mid_lon) <= 15]
    return near if len(near) >= 0.75 * len(points) else points


def coverage_map_html(
    ctx: SiteContext,
    counts: Mapping[str, int],
    title: str,
    base: str | None = None,
    statuses: Mapping[str, str] | None = None,
) -> str:
    """Territories coloured by how a segment is covered, with the same as a table.

    With ``statuses`` (a territory's cell status: ``gap``, ``unknown`` — à vérifier —,
    ``partial``, ``covered``, ``overlap``) the colours tell the five apart
    (``STATUS_COLOURS``); without, they count the full services (``COVERAGE_COLOURS``).
    Territories are outlines where ``data/territories/boundaries/`` has them, else circles
    at their centroids sized by population (area ∝ population; a territory whose
    population is unknown gets the smallest circle and says so). ``base`` defaults to the
    gap report's depth (``gaps/``).
    """
    base = base if base is not None else "../" * (1 + ctx.prefix.count("/"))
    lang = ctx.lang
    gazetteer = ctx.registry.gazetteer
    shapes = load_boundaries(ctx.root)
    known = [gazetteer[c] for c in counts if c in gazetteer]
    largest = max((x.population or 0 for x in known), default=0)

    def status_of(code: str) -> str | None:
        return statuses.get(code) if statuses is not None else None

    features: list[dict[str, Any]] = []
    for territory in known:
        count = counts[territory.code]
        status = status_of(territory.code)
        name = territory.label(lang)
        if status in STATUS_KEYS:
            label = t("map.status_tooltip", lang, name=name, status=t(STATUS_KEYS[status], lang))
        else:
            label = t("map.count", lang, name=name, n=count)
        props = {"name": js_safe(label), "count": count, "status": status or ""}
        if territory.code in shapes:
            geometry = _rounded(shapes[territory.code])
            props["radius"] = 0
        elif territory.lat is not None and territory.lon is not None:
            geometry = {"type": "Point", "coordinates": [round(territory.lon, 4), round(territory.lat, 4)]}
            share = (territory.population or 0) / largest if largest else 0
            props["radius"] = round(4 + 18 * math.sqrt(share), 1)
        else:
            continue
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    m = new_map(ctx, main_cluster(list(_feature_points(features))))

    def style(feature: Mapping[str, Any]) -> dict[str, Any]:
        props = feature["properties"]
        status = props.get("status")
        colour = STATUS_COLOURS[status] if status in STATUS_COLOURS else coverage_colour(int(props["count"]))
        # ``fill``: folium's CircleMarker is drawn without a fill unless asked (the colour
        # alone left every circle an empty ring).
        result: dict[str, Any] = {
            "color": "#333333",
            "weight": 1,
            "fill": True,
            "fillColor": colour,
            "fillOpacity": 0.75,
        }
        if status == "unknown":
            result["dashArray"] = "3 3"
            result["weight"] = 2
        if props["radius"]:
            result["radius"] = props["radius"]
        return result

    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name=title,
            marker=folium.CircleMarker(radius=6),
            style_function=style,
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(m)
    if statuses is not None:
        swatches = [(STATUS_COLOURS[s], t(STATUS_KEYS[s], lang), s) for s in STATUS_KEYS]
    else:
        swatches = [(c, label, "") for c, label in zip(COVERAGE_COLOURS, ("0", "1", "2 +"), strict=True)]
    legend = (
        '<ul class="maillage-map-legend">'
        + "".join(
            f'<li><span class="maillage-swatch{" maillage-swatch-unknown" if s == "unknown" else ""}" '
            f'style="background:{c}"></span>{html.escape(label)}</li>'
            for c, label, s in swatches
        )
        + "</ul>"
    )
    order = {s: i for i, s in enumerate(STATUS_KEYS)}
    rows = sorted(
        known,
        key=lambda x: (order.get(status_of(x.code) or "", 0), counts[x.code], -(x.population or 0), x.label(lang)),
    )
    unknown_population = t("population.unknown", lang)

    def row(x: Territory) -> str:
        status = status_of(x.code)
        state = f"<td>{html.escape(t(STATUS_KEYS[status], lang))}</td>" if status in STATUS_KEYS else ""
        population = unknown_population if x.population is None else format_decimal(x.population, locale=lang)
        return (
            f'<tr><td>{html.escape(x.label(lang))}</td>{state}<td class="maillage-num">{counts[x.code]}</td>'
            f'<td class="maillage-num">{html.escape(population)}</td></tr>'
        )

    body = "".join(row(x) for x in rows)
    state_head = f"<th>{t('map.status', lang)}</th>" if statuses is not None else ""
    table = (
        f"<table><caption>{html.escape(title)}</caption><thead><tr><th>{t('map.territory', lang)}</th>"
        f'{state_head}<th class="maillage-num">{t("services", lang)}</th>'
        f'<th class="maillage-num">{t("population", lang)}</th></tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )
    # A long table is folded away; a short one stays visible, for print too. Either way it
    # scrolls inside itself on a phone, never the page.
    table = f'<div class="maillage-scroll" role="region" tabindex="0" aria-label="{_attr(title)}">{table}</div>'
    if len(rows) > 30:
        table = f"<details><summary>{t('map.text_version', lang)}</summary>{table}</details>"
    text = f'<div class="maillage-map-text">{legend}{table}</div>'
    return embed(render_map(m), base, title, text, words=zoom_words(ctx))
