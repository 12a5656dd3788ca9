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
import weakref
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from branca.element import MacroElement
from jinja2 import Template

from ..analysis.describe import summary
from ..exchange.geocode import Position, site_positions
from ..locale import N_, t
from ..registry.loader import Registry
from ..registry.models import Service, Site
from .context import Asset, GeneratedPage, SiteContext
from .maps import (
    LOCAL_RESOURCES,
    MAP_DIR,
    OWN_CSS,
    OWN_JS,
    base_assets,
    library_assets,
    main_cluster,
    new_map,
    render_map,
    zoom_words,
)
from .pages import contacts_shown
from .record_languages import has_own_page

LOCAL_RESOURCES.setdefault("maillage_map_page", MAP_DIR + "map-page.js")

# Point kinds in the data file: a site where the registry or the cache places it, a site
# drawn at its commune's centroid, a service with no site drawn at its area's centroid.
SITE, SITE_AT_COMMUNE, AREA = 0, 1, 2


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


# An alert's kind, as the popup names it.
ALERT_KINDS = {
    "closed": N_("map.alert.closed"),
    "moved": N_("map.alert.moved"),
    "full": N_("map.alert.full"),
    "changed_hours": N_("map.alert.changed_hours"),
    "info": N_("map.alert.info"),
}

# Points per detail file: a popup loads only the file of its point (about 100 kB).
CHUNK = 256


@dataclass(frozen=True)
class MapData:
    """The map page's data: the index loaded with the page, the details loaded on demand.

    ``index``: ``profiles`` (unique pairs of need and function index lists), ``services``
    (each service's profile), ``points`` (``[lat, lon, [service indexes], kind]``, sorted
    by territory so neighbours share a detail file), ``groups`` (``[territory, start,
    end]``: each département/province's run of points, for the text version). ``chunks[k]``:
    for points ``k*CHUNK…``, a string table, each point's ``[name, commune, alerts?]`` and
    each service's ``[id, name, summary, phone, alerts?]`` (the service's or else its
    organisation's phone, ``[number, extension]`` when it has one; alerts as ``[kind, from,
    until, text]``, shown while current).
    """

    index: dict[str, Any]
    chunks: list[dict[str, Any]]
    points: list[tuple[float, float]]
    by_territory: dict[str, tuple[int, set[str]]]  # département/province/region -> (places, services)


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


def _phone(ctx: SiteContext, service: Service) -> str | list[str]:
    """The phone a popup shows: the service's own, else its organisation's (as its page);
    ``[number, extension]`` when the line has an extension (« poste 123 »)."""
    contacts, _ = contacts_shown(ctx, service)
    phone = next((c for c in contacts if c.kind == "phone"), None)
    if phone is None:
        return ""
    return [phone.value, phone.extension] if phone.extension else phone.value


def _alerts(owner: Service | Site, lang: str) -> list[list[str]]:
    """A service's or site's dated alerts as ``[kind, from, until, text]``; the browser shows the current ones."""
    found: list[list[str]] = []
    for alert in getattr(owner, "alerts", None) or []:
        text = alert.text.get(lang) if alert.text is not None else ""
        found.append([alert.kind, alert.start.isoformat(), alert.until.isoformat(), text])
    return found


def map_data(ctx: SiteContext) -> MapData:
    """Every point of the map page, in the compact shapes ``map-page.js`` reads."""
    registry = ctx.registry
    gazetteer = registry.gazetteer
    lang = ctx.lang
    need_index = {n: i for i, n in enumerate(registry.vocabularies.needs)}
    function_index = {f: i for i, f in enumerate(registry.vocabularies.functions)}
    services = list(registry.services.values())
    service_index = {s.id: i for i, s in enumerate(services)}
    profiles: dict[str, int] = {}
    profile_rows: list[list[list[int]]] = []
    service_profiles: list[int] = []
    for service in services:
        needs = [need_index[n] for n in service.needs if n in need_index]
        functions = [function_index[f] for f in service.functions if f in function_index]
        key = json.dumps([needs, functions])
        if key not in profiles:
            profiles[key] = len(profile_rows)
            profile_rows.append([needs, functions])
        service_profiles.append(profiles[key])

    at_site: dict[str, list[int]] = defaultdict(list)
    without_site: list[Service] = []
    for service in services:
        sites = registry.sites_of(service)
        for site in sites:
            at_site[site.id].append(service_index[service.id])
        if not sites:
            without_site.append(service)
    positions = site_positions(registry)
    groups: dict[str | None, str | None] = {}

    def group_of(code: str | None) -> str | None:
        # Asked twice per point (its sort key, then its count), and a gazetteer path is slow.
        if code not in groups:
            groups[code] = _group(ctx, code)
        return groups[code]

    # (sort key, lat, lon, service indexes, kind, name, commune, territory for the counts)
    raw: list[tuple[tuple[str, float, float], float, float, list[int], int, str, str, str | None]] = []
    site_alerts: dict[int, list[list[str]]] = {}  # a site's own alerts, by its row in raw
    for site_id, ids in at_site.items():
        position: Position | None = positions.get(site_id)
        if position is None:
            continue
        site = registry.sites[site_id]
        commune = gazetteer.get(registry.site_territory.get(site_id, ""))
        kind = SITE_AT_COMMUNE if position.precision == "commune" else SITE
        where = commune.label(lang) if commune else (site.address.city if site.address else "")
        code = commune.code if commune else None
        group = group_of(code) or ""
        lat, lon = round(position.lat, 4), round(position.lon, 4)
        raw.append(((group, -lat, lon), lat, lon, sorted(set(ids)), kind, site.name.get(lang), where, code))
        if getattr(site, "alerts", None):
            site_alerts[len(raw) - 1] = _alerts(site, lang)
    for service in without_site:
        for code in service.public.area:
            territory = gazetteer.get(code)
            if territory is None or territory.level == "country" or territory.lat is None or territory.lon is None:
                continue
            lat, lon = round(territory.lat, 4), round(territory.lon, 4)
            group = group_of(code) or ""
            raw.append(
                ((group, -lat, lon), lat, lon, [service_index[service.id]], AREA, territory.label(lang), "", code)
            )
    order = sorted(range(len(raw)), key=lambda i: (raw[i][0], raw[i][3]))
    alerts_at = {new: site_alerts[old] for new, old in enumerate(order) if old in site_alerts}
    raw = [raw[i] for i in order]

    points: list[list[Any]] = []
    chunks: list[dict[str, Any]] = []
    places: dict[str, int] = defaultdict(int)
    reached: dict[str, set[str]] = defaultdict(set)
    # Each service's summary is made once: a service without a site is drawn at every
    # territory of its area, and its summary names all of them (remade per point, a
    # 20,000-territory area made the build quadratic).
    summaries: dict[int, str] = {}
    for start in range(0, len(raw), CHUNK):
        strings = _Strings()
        names: list[list[Any]] = []  # [name, commune, the site's alerts when it has some]
        details: dict[str, list[Any]] = {}
        french: dict[str, int] = {}  # services whose page is the French one (record_languages)
        for at, (_, lat, lon, ids, kind, name, where, code) in enumerate(raw[start : start + CHUNK], start):
            points.append([lat, lon, ids[0] if len(ids) == 1 else ids, kind])
            names.append([strings(name), strings(where), *([alerts_at[at]] if at in alerts_at else [])])
            for i in ids:
                if str(i) in details:
                    continue
                service = services[i]
                if i not in summaries:
                    summaries[i] = summary(registry, service, lang)
                detail: list[Any] = [
                    service.id,
                    strings(service.name.get(lang)),
                    strings(summaries[i]),
                    _phone(ctx, service),
                ]
                alerts = _alerts(service, lang)
                if alerts:
                    detail.append(alerts)
                details[str(i)] = detail
                if not has_own_page(ctx, service.id):
                    french[str(i)] = 1
            counted = group_of(code)
            if counted:
                places[counted] += 1
                reached[counted].update(services[i].id for i in ids)
        chunk: dict[str, Any] = {"texts": strings.table(), "points": names, "services": details}
        if french:
            chunk["french"] = french
        chunks.append(chunk)
    # Points are sorted by their département/province: each is a run of the list, which the
    # text version lists (and counts, as the filters change) without a table of its own.
    runs: list[list[Any]] = []
    for at, row in enumerate(raw):
        counted = group_of(row[7]) or ""
        if runs and runs[-1][0] == counted:
            runs[-1][2] = at + 1
        else:
            runs.append([counted, at, at + 1])
    index = {
        "chunk": CHUNK,
        "profiles": profile_rows,
        "services": service_profiles,
        "points": points,
        "groups": runs,
    }
    by_territory = {code: (count, reached[code]) for code, count in places.items()}
    return MapData(index, chunks, [(p[0], p[1]) for p in points], by_territory)


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


def _js(prefix: str, value: Any) -> bytes:
    return (prefix + json.dumps(value, ensure_ascii=False, separators=(",", ":")) + ";\n").encode()


def _options(ctx: SiteContext, vocabulary: str, all_label: str) -> str:
    terms = ctx.registry.vocabularies.vocabulary(vocabulary)
    options = [f'<option value="-1">{html.escape(all_label)}</option>']
    for i, term in enumerate(terms.values()):
        options.append(f'<option value="{i}">{html.escape(term.label.get(ctx.lang))}</option>')
    return "".join(options)


# (id(registry), lang) -> the map data: made once for the page and once for its details.
_DATA: dict[tuple[int, str], tuple[weakref.ref[Registry], MapData]] = {}


def _shared_data(ctx: SiteContext) -> MapData:
    """``map_data(ctx)``, made once per registry and language (``map_view`` and ``map_details``)."""
    key = (id(ctx.registry), ctx.lang)
    found = _DATA.get(key)
    if found is not None and found[0]() is ctx.registry:
        return found[1]
    data = map_data(ctx)
    _DATA[key] = (weakref.ref(ctx.registry, lambda _: _DATA.pop(key, None)), data)
    return data


def map_details(ctx: SiteContext) -> Iterator[Asset]:
    """The points' details (names, services, phones), the files a popup loads."""
    lang = ctx.lang
    for k, chunk in enumerate(_shared_data(ctx).chunks):
        yield Asset(f"{MAP_DIR}sites.{lang}.{k}.js", _js(f"window.maillageSiteDetails[{k}]=", chunk))


def map_page(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """The map page, its data files and script, and (once) the map libraries."""
    yield from map_view(ctx)
    yield from map_details(ctx)


def _views(ctx: SiteContext, data: MapData) -> list[tuple[str, list[list[float]]]]:
    """The map's one-click views: where it opens, then each far territory of its points.

    The map opens on the points near their median (``main_cluster``: metropolitan France
    and Belgium for the shipped registry); the overseas départements are thousands of
    kilometres away, each a button that shows its own points.
    """
    points = data.points
    main = main_cluster(points)
    views = [(t("map.view.start", ctx.lang), _box(main or points))]
    if len(main) == len(points):
        return views
    near = set(main)
    gazetteer = ctx.registry.gazetteer
    for code, start, end in data.index["groups"]:
        far = [p for p in points[start:end] if p not in near]
        if far and code in gazetteer:
            views.append((gazetteer[code].label(ctx.lang), _box(far)))
    return views


def _box(points: list[tuple[float, float]]) -> list[list[float]]:
    if not points:
        return [[41.3, -5.2], [51.5, 9.6]]
    return [
        [min(p[0] for p in points), min(p[1] for p in points)],
        [max(p[0] for p in points), max(p[1] for p in points)],
    ]


def _text_version(ctx: SiteContext, data: MapData, base: str) -> str:
    """The map as text: places and services per territory, following the filters.

    ``map-page.js`` recounts each row when a filter changes, hides the rows left empty and,
    on a row's button, lists that territory's places with what their popups say (services,
    who they are for, phone, alerts): every place and its details within keyboard reach.
    """
    lang = ctx.lang
    gazetteer = ctx.registry.gazetteer
    rows = []
    for code, (places, ids) in sorted(data.by_territory.items(), key=lambda kv: gazetteer[kv[0]].name):
        name = html.escape(gazetteer[code].label(lang))
        rows.append(
            f'<tr data-group="{html.escape(code)}"><th scope="row">'
            f'<a href="{base}{ctx.prefix}territories/{code}/">{name}</a></th>'
            f'<td class="maillage-num">{places}</td><td class="maillage-num">{len(ids)}</td>'
            f'<td><button type="button" class="md-button maillage-map-list-button" aria-controls="maillage-map-list">'
            f'{t("map.list_places", lang)}<span class="maillage-sr"> — {name}</span></button></td></tr>'
        )
    return (
        '<div class="maillage-map-text" id="maillage-map-text">'
        f"<table><caption>{t('map.text_title', lang)}</caption>"
        f'<thead><tr><th scope="col">{t("map.territory", lang)}</th>'
        f'<th scope="col" class="maillage-num">{t("map.places", lang)}</th>'
        f'<th scope="col" class="maillage-num">{t("map.services", lang)}</th>'
        f'<th scope="col"><span class="maillage-sr">{t("map.list_places", lang)}</span></th></tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p class="maillage-map-none" hidden>{t("map.no_place_shown", lang)}</p>'
        '<div id="maillage-map-list" class="maillage-map-list"></div>'
        "</div>"
    )


def map_view(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """``map_page`` but for the points' details (``map_details``), which hold the contacts."""
    if ctx.lang == ctx.config.languages[0]:
        yield from library_assets()
        yield from base_assets(ctx.root)
    data = _shared_data(ctx)
    lang = ctx.lang
    base = "../" * (1 + ctx.prefix.count("/"))
    views = _views(ctx, data)
    m = new_map(ctx, [(p[0], p[1]) for p in views[0][1]], scroll_zoom=True)
    labels = {
        "phone": t("map.phone", lang),
        "extension": t("js.orient.extension", lang),
        "loading": t("map.loading", lang),
        "shown": t("map.shown", lang),
        "precision": ["", t("map.at_commune", lang), t("map.area", lang)],
        "alerts": {kind: t(key, lang) for kind, key in ALERT_KINDS.items()},
        "alertFrom": t("map.alert.from", lang),
        "listTitle": t("map.list_title", lang),
        "showOnMap": t("map.show_on_map", lang),
        "cluster": t("js.map.cluster", lang),
        "place": t("js.map.place", lang),
        "area": t("js.map.area", lang),
    }
    options: dict[str, Any] = {
        "needSelect": "maillage-need",
        "functionSelect": "maillage-function",
        "status": "maillage-map-status",
        "views": "maillage-map-views",
        "text": "maillage-map-text",
        "serviceBase": f"{base}{ctx.prefix}services/",
        "details": f"{base}{MAP_DIR}sites.{lang}.",
        "lang": lang,
        "labels": labels,
    }
    if not all(has_own_page(ctx, s) for s in ctx.registry.services):
        # A national directory's Dutch or English map: the services of a chunk's "french"
        # link to their French page (docs/national-scale.md).
        default = ctx.config.languages[0]
        options["french"] = {"base": f"{base}services/", "lang": default, "hint": t("js.page.french_only", lang)}
    SiteLayer(options).add_to(m)
    rendered = render_map(m)
    data_uri = f"{MAP_DIR}sites.{lang}.js"
    script_uri = f"{MAP_DIR}page.{lang}.js"
    yield Asset(data_uri, _js("window.maillageSites=", data.index))
    yield Asset(script_uri, (rendered.script + "\n").encode())
    js = [rendered.js[0], OWN_JS, *rendered.js[1:], data_uri, script_uri]
    head = "\n".join(f'<link rel="stylesheet" href="{base}{uri}">' for uri in (*rendered.css, OWN_CSS))
    scripts = "\n".join(f'<script src="{base}{uri}"></script>' for uri in js)
    buttons = "".join(
        f'<button type="button" class="md-button" data-bounds="{html.escape(json.dumps(bounds))}">'
        f"{html.escape(label)}</button>"
        for label, bounds in views
    )
    view_group = (
        f'<div class="maillage-map-views" id="maillage-map-views" role="group" aria-label="{t("map.views", lang)}">'
        f'<span aria-hidden="true">{t("map.views", lang)} :</span> {buttons}</div>'
        if len(views) > 1
        else ""
    )
    content = "\n".join(
        [
            f"# {t('map.title', lang)}",
            "",
            t("map.intro", lang),
            "",
            '<div class="maillage-map-block">',
            head,
            '<form class="maillage-map-filters" role="search" aria-controls="maillage-map maillage-map-text">',
            f'<label>{t("map.need", lang)}<select id="maillage-need" disabled>'
            f"{_options(ctx, 'needs', t('map.all_needs', lang))}</select></label>",
            f'<label>{t("map.function", lang)}<select id="maillage-function" disabled>'
            f"{_options(ctx, 'functions', t('map.all_functions', lang))}</select></label>",
            '<p id="maillage-map-status" role="status" aria-live="polite"></p>',
            "</form>",
            view_group,
            f'<div class="maillage-map-page" id="maillage-map" role="region" aria-label="{t("map.aria", lang)}"'
            f" {zoom_words(ctx)}>{rendered.div}</div>",
            scripts,
            "</div>",
            "",
            t("map.basemap_note", lang) if ctx.config.tiles else "",
            "",
            _text_version(ctx, data, base),
            "",
        ]
    )
    yield GeneratedPage(f"{ctx.prefix}map/index.md", content)
