"""The map page (``map/``): every site, clustered, with a popup per site and filters.

At 10,000 sites one folium ``Marker`` with its popup each weighs about 10 MB. Instead the
page's folium map carries a small ``SiteLayer`` element whose script builds the markers in
the browser from a compact data file (a string table and index arrays), the way folium's
``FastMarkerCluster`` does. The page itself holds no inline script: its folium script and
its data are site-local files, so a strict Content-Security-Policy does not break it.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from branca.element import MacroElement
from jinja2 import Template

from ..describe import summary
from ..geocode import Position, site_positions
from ..maps import (
    LOCAL_RESOURCES,
    MAP_DIR,
    OWN_CSS,
    OWN_JS,
    library_assets,
    new_map,
    render_map,
)
from ..models import Service
from .context import Asset, GeneratedPage, SiteContext

LOCAL_RESOURCES.setdefault("maillage_map_page", MAP_DIR + "map-page.js")

# Point kinds in the data file: a site where the registry or the cache places it, a site
# drawn at its commune's centroid, a service with no site drawn at its area's centroid.
SITE, SITE_AT_COMMUNE, AREA = 0, 1, 2

PAGE_TEXT = {
    "fr": {
        "title": "Carte",
        "intro": "Les lieux des services du répertoire. Cliquez sur un lieu pour voir les services "
        "qui y reçoivent, pour qui, et leur téléphone.",
        "need": "Besoin",
        "function": "Fonction",
        "all_needs": "Tous les besoins",
        "all_functions": "Toutes les fonctions",
        "shown": "{n} lieux affichés",
        "phone": "Téléphone",
        "at_commune": "Position approximative : centre de la commune.",
        "area": "Pas d'adresse publiée : le cercle marque le centre de la zone d'intervention.",
        "aria": "Carte des lieux des services",
        "text_title": "Les lieux par territoire",
        "territory": "Territoire",
        "places": "Lieux",
        "services": "Services",
        "basemap_note": "Le fond de carte OpenStreetMap ne se charge que si vous l'activez "
        "(case en haut à droite de la carte) : sans lui, la carte fonctionne hors ligne.",
    },
    "nl": {
        "title": "Kaart",
        "intro": "De locaties van de diensten in de gids. Klik op een locatie voor de diensten, "
        "voor wie ze zijn en hun telefoonnummer.",
        "need": "Nood",
        "function": "Functie",
        "all_needs": "Alle noden",
        "all_functions": "Alle functies",
        "shown": "{n} locaties getoond",
        "phone": "Telefoon",
        "at_commune": "Benaderende positie: centrum van de gemeente.",
        "area": "Geen gepubliceerd adres: de cirkel toont het centrum van het werkgebied.",
        "aria": "Kaart van de locaties van de diensten",
        "text_title": "De locaties per gebied",
        "territory": "Gebied",
        "places": "Locaties",
        "services": "Diensten",
        "basemap_note": "De OpenStreetMap-achtergrond laadt pas als u hem aanzet "
        "(vakje rechtsboven op de kaart): zonder werkt de kaart offline.",
    },
}


def _t(ctx: SiteContext, key: str) -> str:
    return PAGE_TEXT.get(ctx.lang, PAGE_TEXT["fr"]).get(key) or PAGE_TEXT["fr"][key]


class SiteLayer(MacroElement):  # type: ignore[misc]
    """A folium element: the clustered sites, created client-side from the data file."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "maillageSiteMap({{ this._parent.get_name() }}, {{ this.options|tojson }});"
        "{% endmacro %}"
    )
    default_js: ClassVar[list[tuple[str, str]]] = [
        ("markerclusterjs", "leaflet.markercluster.js"),
        ("maillage_map_page", "map-page.js"),
    ]
    default_css: ClassVar[list[tuple[str, str]]] = [
        ("markerclustercss", "MarkerCluster.css"),
        ("markerclusterdefaultcss", "MarkerCluster.Default.css"),
    ]

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "SiteLayer"
        self.options = options


@dataclass(frozen=True)
class MapData:
    """The map page's data: what the data file holds, plus the per-territory counts."""

    payload: dict[str, Any]
    points: list[tuple[float, float]]
    by_territory: dict[str, tuple[int, set[str]]]  # region/département code -> (places, services)


class _Strings:
    """A string table: summaries, communes and names repeat, so each is sent once."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, text: str | None) -> int:
        if not text:
            return -1
        return self.index.setdefault(text, len(self.index))

    def table(self) -> list[str]:
        return list(self.index)


def _phone(service: Service) -> str:
    return next((c.value for c in service.contacts if c.kind == "phone"), "")


def map_data(ctx: SiteContext) -> MapData:
    """Every point of the map page, in the compact shape ``map-page.js`` reads."""
    registry = ctx.registry
    gazetteer = registry.gazetteer
    lang = ctx.lang
    strings = _Strings()
    needs = list(registry.vocabularies.needs)
    functions = list(registry.vocabularies.functions)
    need_index = {n: i for i, n in enumerate(needs)}
    function_index = {f: i for i, f in enumerate(functions)}
    services: list[list[Any]] = []
    service_index: dict[str, int] = {}
    for service in registry.services.values():
        service_index[service.id] = len(services)
        services.append(
            [
                service.id,
                strings(service.name.get(lang)),
                strings(summary(registry, service, lang)),
                _phone(service),
                [need_index[n] for n in service.needs if n in need_index],
                [function_index[f] for f in service.functions if f in function_index],
            ]
        )
    at_site: dict[str, list[int]] = defaultdict(list)
    without_site: list[Service] = []
    for service in registry.services.values():
        sites = registry.sites_of(service)
        for site in sites:
            at_site[site.id].append(service_index[service.id])
        if not sites:
            without_site.append(service)
    positions = site_positions(registry)
    points: list[list[Any]] = []
    by_territory: dict[str, tuple[int, set[str]]] = {}

    def count(code: str | None, service_ids: list[int]) -> None:
        group = _group(ctx, code)
        if group:
            places, ids = by_territory.get(group, (0, set()))
            by_territory[group] = (places + 1, ids | {services[i][0] for i in service_ids})

    for site_id in sorted(at_site):
        position: Position | None = positions.get(site_id)
        if position is None:
            continue
        site = registry.sites[site_id]
        commune = gazetteer.get(registry.site_territory.get(site_id, ""))
        kind = SITE_AT_COMMUNE if position.precision == "commune" else SITE
        where = commune.label(lang) if commune else (site.address.city if site.address else None)
        ids = sorted(set(at_site[site_id]))
        points.append(
            [round(position.lat, 5), round(position.lon, 5), strings(site.name.get(lang)), strings(where), ids, kind]
        )
        count(commune.code if commune else None, ids)
    for service in without_site:
        for code in service.public.area:
            territory = gazetteer.get(code)
            if territory is None or territory.level == "country" or territory.lat is None or territory.lon is None:
                continue
            ids = [service_index[service.id]]
            label = territory.label(lang)
            points.append([round(territory.lat, 5), round(territory.lon, 5), strings(label), -1, ids, AREA])
            count(code, ids)
    payload = {
        "texts": strings.table(),
        "services": services,
        "points": points,
    }
    return MapData(payload, [(p[0], p[1]) for p in points], by_territory)


def _group(ctx: SiteContext, code: str | None) -> str | None:
    """The département, province or (Brussels) region a point is counted under."""
    if not code:
        return None
    chain = ctx.registry.gazetteer.path(code)
    for level in (("dep", "province"), ("region",)):
        found = [x.code for x in chain if x.level in level]
        if found:
            return found[-1]
    return None


def _options(ctx: SiteContext, vocabulary: str, all_label: str) -> str:
    terms = ctx.registry.vocabularies.vocabulary(vocabulary)
    options = [f'<option value="-1">{html.escape(all_label)}</option>']
    for i, term in enumerate(terms.values()):
        options.append(f'<option value="{i}">{html.escape(term.label.get(ctx.lang))}</option>')
    return "".join(options)


def map_page(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """The map page, its data file and script, and (once) the map libraries."""
    if ctx.lang == ctx.config.languages[0]:
        yield from library_assets()
    data = map_data(ctx)
    lang = ctx.lang
    base = "../" * (1 + ctx.prefix.count("/"))
    m = new_map(ctx, data.points, scroll_zoom=True)
    labels = {
        "phone": _t(ctx, "phone"),
        "shown": _t(ctx, "shown"),
        "precision": ["", _t(ctx, "at_commune"), _t(ctx, "area")],
    }
    SiteLayer(
        {
            "needSelect": "maillage-need",
            "functionSelect": "maillage-function",
            "status": "maillage-map-status",
            "serviceBase": f"{base}{ctx.prefix}services/",
            "lang": lang,
            "labels": labels,
        }
    ).add_to(m)
    rendered = render_map(m)
    data_uri = f"{MAP_DIR}sites.{lang}.js"
    script_uri = f"{MAP_DIR}page.{lang}.js"
    data_js = "window.maillageSites=" + json.dumps(data.payload, ensure_ascii=False, separators=(",", ":")) + ";\n"
    yield Asset(data_uri, data_js.encode())
    yield Asset(script_uri, (rendered.script + "\n").encode())
    js = [rendered.js[0], OWN_JS, *rendered.js[1:], data_uri, script_uri]
    head = "\n".join(f'<link rel="stylesheet" href="{base}{uri}">' for uri in (*rendered.css, OWN_CSS))
    scripts = "\n".join(f'<script src="{base}{uri}"></script>' for uri in js)
    rows = []
    gazetteer = ctx.registry.gazetteer
    for code, (places, ids) in sorted(data.by_territory.items(), key=lambda kv: gazetteer[kv[0]].name):
        name = html.escape(gazetteer[code].label(lang))
        rows.append(
            f'<tr><td><a href="{base}{ctx.prefix}territories/{code}/">{name}</a></td>'
            f"<td>{places}</td><td>{len(ids)}</td></tr>"
        )
    table = (
        f'<table class="maillage-map-text"><caption>{_t(ctx, "text_title")}</caption>'
        f"<thead><tr><th>{_t(ctx, 'territory')}</th><th>{_t(ctx, 'places')}</th><th>{_t(ctx, 'services')}</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )
    content = "\n".join(
        [
            f"# {_t(ctx, 'title')}",
            "",
            _t(ctx, "intro"),
            "",
            '<div class="maillage-map-block">',
            head,
            '<form class="maillage-map-filters" role="search" aria-controls="maillage-map">',
            f'<label>{_t(ctx, "need")}<select id="maillage-need" disabled>'
            f"{_options(ctx, 'needs', _t(ctx, 'all_needs'))}</select></label>",
            f'<label>{_t(ctx, "function")}<select id="maillage-function" disabled>'
            f"{_options(ctx, 'functions', _t(ctx, 'all_functions'))}</select></label>",
            '<p id="maillage-map-status" role="status" aria-live="polite"></p>',
            "</form>",
            f'<div class="maillage-map-page" id="maillage-map" role="region" aria-label="{_t(ctx, "aria")}">'
            f"{rendered.div}</div>",
            scripts,
            "</div>",
            "",
            _t(ctx, "basemap_note") if ctx.config.tiles else "",
            "",
            table,
            "",
        ]
    )
    yield GeneratedPage(f"{ctx.prefix}map/index.md", content)
