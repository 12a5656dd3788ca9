"""The gap report (``gaps/``): which publics no service covers, where, for each need and function.

``gaps/`` gives the overview (every need and function, then the analysis of all services);
``gaps/needs/<id>/`` and ``gaps/functions/<id>/`` give one need or function. Each page opens
with three to five sentences computed from its analysis (``gaps_headline``: what no service
covers anywhere, where the most people have none, what is only "à vérifier" and why, the
date in words), then shows the summary per public segment (people covered and people "à
vérifier" apart), the segments no service covers anywhere, the map (five colours: gap, à
vérifier, partial, one service, two or more), a sortable table at département / province
level (``?`` for an à vérifier cell, « population inconnue » where the gazetteer has none),
and its downloads under ``gaps/data/``.

On a phone (issue 19): the sentences fit the first screen; wide tables scroll inside a
focusable region (``maillage-scroll``), never the page; figures are right-aligned in
tabular digits; names wrap between words only.

The HTML stays bounded at national scale: the tables stop at départements and provinces;
communes go to one download for the whole report, ``gaps/data/communes.csv``: per analysis
and per département or province that a service reaches, one row for the communes only
services covering the whole territory reach, and one row per commune that a service reaches
on its own (elsewhere, every commune is a gap for every segment: the département row says
so). Communes that share their département's coverage are written once, not once each:
at 1,000 services one commune file per analysis weighed 100 MB.

The analyses and downloads do not depend on the language: they are computed once per
registry (``_REPORTS``) and the downloads are emitted with the first language's pages.

The report's date is the registry's newest verification, never the build's clock, so two
builds of the same registry give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import posixpath
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any

from babel.numbers import get_decimal_symbol, get_group_symbol

from ..analysis.coverage import (
    Cell,
    CommuneRow,
    Coverage,
    Segment,
    TerritoryCoverage,
    coverage_with_communes,
    select_services,
    to_communes_csv,
    to_geojson,
    to_wide_csv,
)
from ..analysis.scope import default_scope
from ..exchange.hsds import zip_bytes
from ..locale import N_, t
from ..registry.loader import Registry, Vocabularies, stale_services
from ..registry.memory import collector_paused
from ..registry.models import Service
from ..registry.territories import Gazetteer
from . import downloads_hsds
from .context import Asset, GeneratedPage, SiteConfig, SiteContext
from .gaps_headline import Words, headline
from .i18n import date_text, tn
from .maps import coverage_map_html
from .record_languages import record_link
from .territory_pages import territory_anchor


def esc(value: object) -> str:
    """``value`` as HTML text, safe in attributes too."""
    return html.escape(str(value), quote=True)


def href(from_url: str, to_url: str) -> str:
    """A relative link between two directory URLs (``a/b/`` style)."""
    relative = posixpath.relpath(to_url.rstrip("/") or ".", from_url.rstrip("/") or ".")
    return "./" if relative == "." else relative + "/"


def front_matter(values: dict[str, str]) -> str:
    """YAML front matter; values as JSON strings, so nothing in them is interpreted."""
    lines = ["---", *(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in values.items()), "---"]
    return "\n".join(lines) + "\n\n"


PAGE_DIR = "gaps/"
DATA_DIR = "gaps/data/"
SCRIPT_URI = "assets/maillage/sortable.js"
COMMUNES_FILE = "communes.csv"  # under DATA_DIR: the communes of every analysis
# Past downloads_hsds.LOOSE_LIMIT services, the communes' file is published zipped, as the
# registry's JSON and the HSDS export are (45 MB of CSV in 4.4 MB at 10,000 services).
COMMUNES_ZIP = COMMUNES_FILE + ".zip"
# « 1 service vérifié… », « 3 services vérifiés… »: the key and its variants (plural_key).
STALE_LINE = "report.stale"
STALE_LINE_FORMS = (N_("report.stale.one"), N_("report.stale.other"))
REPORT_COUNTS = "report.counts"
REPORT_COUNTS_FORMS = (N_("report.counts.one"), N_("report.counts.other"))
REPORT_CAPACITY = "report.capacity"
REPORT_CAPACITY_FORMS = (N_("report.capacity.one"), N_("report.capacity.other"))
LEVEL = "dep"  # the rows of the HTML tables: départements, provinces (and Brussels)


@dataclass(frozen=True)
class Selection:
    """One analysis of the report: every service, one need or one function."""

    kind: str  # "all", "need" or "function"
    term: str | None

    @property
    def url(self) -> str:
        """The page's URL under ``gaps/`` (no language prefix)."""
        if self.kind == "all":
            return PAGE_DIR
        return f"{PAGE_DIR}{self.kind}s/{self.term}/"

    @property
    def slug(self) -> str:
        """The prefix of its download files."""
        return "all" if self.kind == "all" else f"{self.kind}-{self.term}"


@dataclass(frozen=True)
class CoverageMapData:
    """What the coverage map shows: for one segment, the full services per territory.

    ``counts`` maps a territory code (départements, provinces, the Brussels region) to the
    number of services covering the segment fully there; ``partial`` to the number of
    services covering it only partly; ``statuses`` to its cell's status (``gap``,
    ``unknown`` — à vérifier —, ``partial``, ``covered``, ``overlap``), which the map's
    colours show. ``generator.site.maps.coverage_map_html(ctx, data)``
    turns it into the map's HTML.
    """

    segment: str
    segment_label: str
    level: str
    counts: dict[str, int]
    partial: dict[str, int]
    page_url: str  # the URL of the page the map sits on, language prefix included
    statuses: dict[str, str] = field(default_factory=dict)  # code -> its cell's status


@dataclass(frozen=True)
class Analysis:
    """The département-level coverage of one selection, and its communes."""

    selection: Selection
    units: Coverage
    communes: tuple[CommuneRow, ...]

    @property
    def commune_count(self) -> int:
        """How many communes the commune rows stand for (those of reached territories)."""
        return sum(row.communes for row in self.communes)


@dataclass(frozen=True)
class Inputs:
    """What an analysis is made from besides its selection. ``maillage serve`` reloads
    only edited files (``registry.LoadCache``): an unchanged service is the same object,
    and an analysis whose inputs are the same (the services but for their contacts) is
    the same analysis."""

    gazetteer: Gazetteer
    scope: tuple[str, ...]
    date: dt.date | None  # the registry's newest verification: the report's date
    vocabularies: Vocabularies
    services: tuple[Service, ...]  # those the analysis counts

    def same(self, other: Inputs) -> bool:
        """Whether an analysis of ``other`` is one of these (same objects, equal values)."""
        return (
            self.gazetteer is other.gazetteer
            and self.scope == other.scope
            and self.date == other.date
            and len(self.services) == len(other.services)
            and all(
                a is b or _but_contacts(a) == _but_contacts(b)
                for a, b in zip(self.services, other.services, strict=True)
            )
            and self.vocabularies == other.vocabularies
        )


def _but_contacts(service: Service) -> dict[str, Any]:
    # The report reads no contact: an analysis holds after a contact edit.
    return service.model_dump(exclude={"contacts"})


@dataclass(frozen=True)
class Report:
    """What every language's pages share: the analyses, the terms without services, the files."""

    analyses: tuple[Analysis, ...]
    empty: tuple[Selection, ...]
    inputs: tuple[Inputs, ...] = ()  # of each analysis
    zipped: bool = False  # the communes' file in a zip (communes_file)

    @cached_property
    def downloads(self) -> tuple[Asset, ...]:
        """The files of ``gaps/data/``: made when first asked for (``gaps_data``)."""
        with collector_paused():
            files = tuple(asset for analysis in self.analyses for asset in _downloads_of(analysis))
            # Service ids on the "all" rows only: an analysis' services are a part of them, and
            # repeating them per analysis tripled the file at 10,000 services.
            rows = ((a.selection.slug, a.units, a.communes) for a in self.analyses)
            communes = to_communes_csv(rows, services_for={"all"})
        content = communes.encode("utf-8")
        if self.zipped:
            return (*files, Asset(uri=DATA_DIR + COMMUNES_ZIP, content=zip_bytes({COMMUNES_FILE: content})))
        return (*files, Asset(uri=DATA_DIR + COMMUNES_FILE, content=content))


# One registry per build: the plugin asks for the pages once per language, and the report
# is the same in each. The entry is dropped when another registry comes (never two kept);
# serve's next registry reuses its analyses whose inputs are the same (``Inputs``), and
# with them their files and pages (``_FILES``, ``_PAGES``).
_REPORTS: dict[int, tuple[weakref.ref[Registry], tuple[str, ...], Report]] = {}
_FILES: dict[int, tuple[Analysis, tuple[Asset, ...]]] = {}  # id(analysis) -> its downloads
# (id(analysis), lang, standalone, config, root) -> (the analysis, its page's Markdown)
_PAGES: dict[tuple[int, str, bool, SiteConfig, str], tuple[Analysis, str]] = {}


def forget() -> None:
    """Drop the cached report (a build that will not reuse it)."""
    _REPORTS.clear()
    _FILES.clear()
    _PAGES.clear()


def _downloads_of(analysis: Analysis) -> tuple[Asset, ...]:
    found = _FILES.get(id(analysis))
    if found is None or found[0] is not analysis:
        found = _FILES[id(analysis)] = (analysis, tuple(downloads(analysis)))
    return found[1]


def _analysis_page(ctx: SiteContext, analysis: Analysis, *, standalone: bool) -> str:
    """``analysis_page``, made once per analysis, language and standalone or not."""
    key = (id(analysis), ctx.lang, standalone, ctx.config, str(ctx.root))
    found = _PAGES.get(key)
    if found is None or found[0] is not analysis:
        found = _PAGES[key] = (analysis, analysis_page(ctx, analysis, standalone=standalone))
    return found[1]


def analyse(registry: Registry, selection: Selection, scope: tuple[str, ...]) -> Analysis:
    """The coverage of a selection: départements and provinces, and their communes."""
    need = selection.term if selection.kind == "need" else None
    function = selection.term if selection.kind == "function" else None
    units, communes = coverage_with_communes(registry, need=need, function=function, level=LEVEL, scope=scope)
    return Analysis(selection, units, communes)


def report(registry: Registry, scope: tuple[str, ...]) -> Report:
    """The whole report of a registry (cached while the same registry object lives)."""
    # maillage serve makes deferred outputs in a thread of its own (site/incremental.py).
    with _LOCK:
        return _report(registry, scope)


_LOCK = threading.Lock()


def _report(registry: Registry, scope: tuple[str, ...]) -> Report:
    cached = _REPORTS.get(id(registry))
    if cached is not None and cached[0]() is registry and cached[1] == scope:
        return cached[2]
    previous = next(iter(_REPORTS.values()), None)
    known = (
        {a.selection: (a, i) for a, i in zip(previous[2].analyses, previous[2].inputs, strict=True)}
        if previous is not None and previous[1] == scope
        else {}
    )
    # Each analysis pauses the collector; re-enabled between them, it would walk the whole
    # loaded registry after each one (a tenth of the report's time at 10,000 services).
    with collector_paused():
        found, empty = selections(registry)
        # The engine's default scope walks every service: once here, not once per analysis.
        codes = scope or default_scope(registry)
        analyses: list[Analysis] = []
        inputs: list[Inputs] = []
        for selection in found:
            need = selection.term if selection.kind == "need" else None
            function = selection.term if selection.kind == "function" else None
            these = Inputs(
                registry.gazetteer,
                codes,
                registry.newest_verification,
                registry.vocabularies,
                tuple(select_services(registry, need, function)),
            )
            before = known.get(selection)
            analyses.append(
                before[0] if before is not None and before[1].same(these) else analyse(registry, selection, codes)
            )
            inputs.append(these)
    result = Report(tuple(analyses), tuple(empty), tuple(inputs), zipped=communes_file(registry) == COMMUNES_ZIP)
    _REPORTS.clear()
    _REPORTS[id(registry)] = (weakref.ref(registry), scope, result)
    kept = {id(a) for a in analyses}
    for analysis_id in [k for k in _FILES if k not in kept]:
        del _FILES[analysis_id]
    for key in [k for k in _PAGES if k[0] not in kept]:
        del _PAGES[key]
    return result


def selections(registry: Registry) -> tuple[list[Selection], list[Selection]]:
    """The analyses with services (all, then needs, then functions) and the terms without any."""
    vocabularies = registry.vocabularies
    # One pass over the services (the ones an analysis counts), not one per term.
    counted = select_services(registry)
    used = {"need": {n for s in counted for n in s.needs}, "function": {f for s in counted for f in s.functions}}
    found = [Selection("all", None)]
    empty: list[Selection] = []
    for kind, terms in (("need", vocabularies.needs), ("function", vocabularies.functions)):
        for term_id in terms:
            selection = Selection(kind, term_id)
            (found if term_id in used[kind] else empty).append(selection)
    return found, empty


def gaps_pages(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """The report's pages in the context's language, its downloads once."""
    yield from gaps_report_pages(ctx)
    yield from gaps_data(ctx)


def gaps_report_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """The report's pages in the context's language."""
    built = report(ctx.registry, tuple(ctx.config.scope))
    analyses = list(built.analyses)
    yield GeneratedPage(uri=ctx.prefix + PAGE_DIR + "index.md", content=overview_page(ctx, analyses, list(built.empty)))
    for analysis in analyses[1:]:
        yield GeneratedPage(
            uri=ctx.prefix + analysis.selection.url + "index.md",
            content=_analysis_page(ctx, analysis, standalone=True),
        )


def report_page_uris(ctx: SiteContext) -> list[str]:
    """The URIs ``gaps_report_pages`` makes, in its order, without making the report."""
    found, _ = selections(ctx.registry)
    return [ctx.prefix + PAGE_DIR + "index.md", *(ctx.prefix + s.url + "index.md" for s in found[1:])]


def gaps_data(ctx: SiteContext) -> Iterator[Asset]:
    """The report's downloads and its tables' script, once (with the first language)."""
    if ctx.prefix:
        return
    yield from report(ctx.registry, tuple(ctx.config.scope)).downloads
    yield Asset(uri=SCRIPT_URI, content=(resources.files("generator.site") / "assets" / "sortable.js").read_bytes())


# --- downloads -----------------------------------------------------------------------------


def communes_file(registry: Registry) -> str:
    """The name of the communes' download under ``gaps/data/``: zipped at national scale."""
    return COMMUNES_FILE if len(registry.services) <= downloads_hsds.LOOSE_LIMIT else COMMUNES_ZIP


def download_names(selection: Selection, lang: str = "fr", communes: str = COMMUNES_FILE) -> list[tuple[str, str]]:
    """(file name under ``gaps/data/``, description in ``lang``) of a selection's downloads."""
    slug = selection.slug
    return [
        (f"{slug}-departements.csv", t("report.file.units_csv", lang)),
        (f"{slug}-departements.geojson", t("report.file.units_geojson", lang)),
        (communes, t("report.file.communes", lang, slug=slug)),
    ]


def downloads(analysis: Analysis) -> Iterator[Asset]:
    """The département-level CSV and GeoJSON files of one analysis (the communes are in one file)."""
    names = [name for name, _ in download_names(analysis.selection)[:2]]
    contents = [to_wide_csv(analysis.units), _geojson(to_geojson(analysis.units))]
    for name, content in zip(names, contents, strict=True):
        yield Asset(uri=DATA_DIR + name, content=content.encode("utf-8"))


def _geojson(data: dict[str, Any]) -> str:
    # One feature per line: small, and still readable in a diff or an editor.
    features = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in data["features"])
    return '{"type":"FeatureCollection","features":[\n' + features + "\n]}\n"


# --- rendering -----------------------------------------------------------------------------


def _share(value: float | None, lang: str) -> str:
    if value is None:
        return t("report.unknown", lang)
    return t("report.percent", lang, n=_number(value * 100, lang))


def _number(value: int | float | None, lang: str) -> str:
    """A number as ``lang`` writes it (CLDR's separators): « 1 234 », « 12,5 »; one decimal."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", get_decimal_symbol(lang))
    return f"{value:,}".replace(",", get_group_symbol(lang))


def _date(value: dt.date | None, lang: str) -> str:
    """A date in words (« 1er janvier 2024 »): the site never shows an ISO date."""
    return date_text(value, lang) if value is not None else t("report.unknown", lang)


def _short(label: str) -> str:
    """« Sans abri (rue, abri de nuit) » -> « Sans abri »: column headers stay narrow."""
    return label.split(" (", 1)[0]


def segment_label(registry: Registry, segment: Segment, lang: str = "fr") -> str:
    """« 18-24 ans · Sans abri »."""
    band = next((b for b in registry.vocabularies.age_bands if b.id == segment.band), None)
    housing = registry.vocabularies.housing.get(segment.housing)
    band_label = t("report.band.other", lang, band=segment.band) if band is None else _band_short(segment, lang)
    return f"{band_label} · {_short(housing.label.get(lang)) if housing else segment.housing}"


def _band_short(segment: Segment, lang: str) -> str:
    if segment.age_max is None:
        return t("report.band.min", lang, min=segment.age_min)
    return t("report.band.range", lang, min=segment.age_min, max=segment.age_max)


def selection_title(registry: Registry, selection: Selection, lang: str) -> str:
    """What an analysis is about: « Tous les services », or its need's or function's label."""
    if selection.kind == "all" or selection.term is None:
        return t("report.all", lang)
    terms = registry.vocabularies.needs if selection.kind == "need" else registry.vocabularies.functions
    term = terms.get(selection.term)
    return term.label.get(lang) if term else selection.term


def _link_file(ctx: SiteContext, from_url: str, name: str) -> str:
    start = (ctx.prefix + from_url).rstrip("/")
    return posixpath.relpath(DATA_DIR + name, start)


def overview_page(ctx: SiteContext, analyses: list[Analysis], empty: list[Selection]) -> str:
    """``gaps/``: the date, the method, every need and function at a glance, then all services."""
    registry = ctx.registry
    lang = ctx.lang
    # Counted against the day the service pages' banners use, so that the two agree.
    stale = stale_services(registry, ctx.config.stale_months)
    title = t("report.title", lang)
    stale_line = tn(STALE_LINE, len(stale), lang, months=ctx.config.stale_months)
    out = [
        front_matter({"title": title}),
        f"# {title}",
        "",
        headline_html(registry, analyses[0].units, lang),
        "",
        f'<p class="maillage-gaps-date">{stale_line}</p>',
        "",
        method(lang),
        "",
        f"## {t('report.by_term', lang)}",
        "",
        _scroll_open(t("report.by_term", lang)),
        '<table class="maillage-sortable maillage-gaps-overview">',
        _caption(t("report.caption.overview", lang)),
        _head(
            lang,
            N_("report.col.analysis"),
            N_("report.col.services"),
            N_("report.col.uncovered"),
            N_("report.col.to_check_publics"),
            N_("report.col.best"),
            N_("report.col.overlaps"),
        ),
        "<tbody>",
    ]
    for analysis in analyses:
        s = analysis.units.summary
        best = max((g.covered_population_share or 0.0 for g in s.segments), default=0.0)
        overlaps = sum(1 for c in analysis.units.territories if any(cell.status == "overlap" for cell in c.cells))
        target = href(ctx.prefix + PAGE_DIR, ctx.prefix + analysis.selection.url)
        name = selection_title(registry, analysis.selection, lang)
        kind = analysis.selection.kind
        shown = (
            t("report.row.need", lang, name=name)
            if kind == "need"
            else t("report.row.function", lang, name=name)
            if kind == "function"
            else name
        )
        out.append(
            f'<tr><th scope="row" class="maillage-name"><a href="{esc(target)}">{esc(shown)}</a></th>'
            f'<td class="maillage-num">{len(s.services)}</td>'
            f'<td class="maillage-num" data-sort="{len(s.uncovered_everywhere)}">'
            f"{len(s.uncovered_everywhere)} / {len(s.segments)}</td>"
            f'<td class="maillage-num">{len(s.unknown_only)}</td>'
            f'<td class="maillage-num" data-sort="{best:.6f}">{esc(_share(best, lang))}</td>'
            f'<td class="maillage-num">{overlaps}</td></tr>'
        )
    out += ["</tbody>", "</table>", "</div>", ""]
    if empty:
        terms = ", ".join(esc(_empty_term(registry, s, lang)) for s in empty)
        none = f"<strong>{t('report.empty.none', lang)}</strong>"
        out.append(f"<p>{t('report.empty', lang, none=none, terms=terms)}</p>")
        out.append("")
    out.append(_analysis_page(ctx, analyses[0], standalone=False))
    return "\n".join(out)


def _empty_term(registry: Registry, selection: Selection, lang: str) -> str:
    name = selection_title(registry, selection, lang)
    if selection.kind == "need":
        return t("report.empty.need", lang, name=name)
    return t("report.empty.function", lang, name=name)


def _head(lang: str, *keys: str, text_columns: int = 1, more: str = "") -> str:
    """A table's one header row: its columns' titles, as catalogue keys; after the first
    ``text_columns``, columns of numbers (right-aligned, like their figures); then the
    header cells ``more``."""
    cells = (
        f'<th scope="col">{t(key, lang)}</th>'
        if i < text_columns
        else f'<th scope="col" class="maillage-num">{t(key, lang)}</th>'
        for i, key in enumerate(keys)
    )
    return "<thead><tr>" + "".join(cells) + more + "</tr></thead>"


def _caption(text: str) -> str:
    """A table's caption (RGAA 5.4): what the table holds, read before its cells."""
    return f'<caption class="maillage-caption">{esc(text)}</caption>'


def _scroll_open(label: str) -> str:
    """The opening of a wide table's container: on a phone the table scrolls inside it, never
    the page; focusable, so a keyboard scrolls it too, and named for screen readers."""
    return f'<div class="maillage-scroll" role="region" tabindex="0" aria-label="{esc(label)}">'


def headline_html(registry: Registry, coverage: Coverage, lang: str) -> str:
    """The sentences that open an analysis (``gaps_headline``), one paragraph each."""
    words = Words(number=_number, share=_share, segment=lambda s, lg: segment_label(registry, s, lg), band=_band_short)
    sentences = "".join(f"<p>{sentence}</p>" for sentence in headline(registry, coverage, lang, words))
    label = esc(t("report.headline.label", lang))
    return f'<div class="maillage-gaps-headline" role="note" aria-label="{label}">{sentences}</div>'


METHOD_PARAGRAPHS = (
    N_("report.method.segments"),
    N_("report.method.unknown"),
    N_("report.method.population"),
    N_("report.method.approximate"),
)


def method(lang: str) -> str:
    """How to read the report: segments, full and partial coverage, population, approximate areas."""
    lines = [f'<details class="maillage-gaps-method"><summary>{t("report.method.summary", lang)}</summary>']
    lines += [f"<p>{t(key, lang)}</p>" for key in METHOD_PARAGRAPHS]
    lines.append("</details>")
    return "\n".join(lines)


def analysis_page(ctx: SiteContext, analysis: Analysis, *, standalone: bool) -> str:
    """One analysis: summary per segment, map, département table, downloads."""
    registry = ctx.registry
    lang = ctx.lang
    selection = analysis.selection
    coverage = analysis.units
    s = coverage.summary
    url = selection.url
    heading = "##" if not standalone else "#"
    sub = heading + "#"
    out: list[str] = []
    if standalone:
        name = selection_title(registry, selection, lang)
        if selection.kind == "need":
            title = t("report.title.need", lang, name=name)
        else:
            title = t("report.title.function", lang, name=name)
        back = esc(href(ctx.prefix + url, ctx.prefix + PAGE_DIR))
        out += [
            front_matter({"title": esc(title)}),
            f"# {esc(title)}",
            "",
            headline_html(registry, coverage, lang),
            "",
            f'<p class="maillage-gaps-date"><a href="{back}">{t("report.method_link", lang)}</a></p>',
            "",
        ]
    else:
        out += [f"{heading} {t('report.all', lang)}", ""]
    approximate = set(s.approximate_areas)
    counts = tn(
        REPORT_COUNTS,
        len(s.services),
        lang,
        communes=_number(s.communes, lang),
        scope=esc(", ".join(coverage.scope)),
        population=_number(s.population, lang),
    )
    if s.communes_without_population:
        counts += f" ({t('report.no_population', lang, n=_number(s.communes_without_population, lang))})"
    capacity = tn(
        REPORT_CAPACITY,
        s.services_with_places,
        lang,
        places=_number(s.places, lang),
        per=_number(s.places_per_100k, lang),
    )
    out.append(f"<p>{counts}. {capacity}</p>")
    out += ["", f"{sub} {t('report.by_public', lang)}", ""]
    out += _summary_table(registry, coverage, lang)
    out += ["", f"{sub} {t('report.uncovered_everywhere', lang)}", ""]
    if s.uncovered_everywhere:
        items = [
            t("report.uncovered.to_check", lang, label=esc(segment_label(registry, seg, lang)))
            if seg.key in s.unknown_only
            else esc(segment_label(registry, seg, lang))
            for seg in coverage.segments
            if seg.key in s.uncovered_everywhere
        ]
        out.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
    else:
        out.append(f"<p>{t('report.all_covered', lang)}</p>")
    out += ["", f"{sub} {t('map', lang)}", ""]
    out.append(_map(ctx, analysis, url))
    out += ["", f"{sub} {t('report.by_territory', lang)}", ""]
    out += _territory_table(ctx, coverage, url, approximate)
    out += ["", f"{sub} {t('report.downloads', lang)}", ""]
    items = [
        f'<li><a href="{esc(_link_file(ctx, url, name))}" download>{esc(name)}</a> — {esc(description)}</li>'
        for name, description in download_names(selection, lang, communes_file(registry))
    ]
    out.append("<ul>" + "".join(items) + "</ul>")
    out.append(f"<p>{t('report.communes_note', lang, n=_number(analysis.commune_count, lang))}</p>")
    if approximate:
        names = [f"{esc(registry.services[i].name.get(lang))} ≈" for i in s.approximate_areas if i in registry.services]
        out += ["", f"{sub} {t('report.approximate', lang)}", "", "<p>" + ", ".join(names) + ".</p>"]
    script = posixpath.relpath(SCRIPT_URI, (ctx.prefix + url).rstrip("/"))
    out += ["", f'<script src="{esc(script)}"></script>', ""]
    return "\n".join(out)


def _summary_table(registry: Registry, coverage: Coverage, lang: str) -> list[str]:
    """Per public: the people covered and those only "à vérifier", apart; territories."""
    rows = [
        _scroll_open(t("report.by_public", lang)),
        '<table class="maillage-sortable maillage-gaps-summary">',
        _caption(t("report.caption.summary", lang)),
        _head(
            lang,
            N_("report.col.public"),
            N_("report.col.covered_share"),
            N_("report.col.covered_people"),
            N_("report.col.to_check_share"),
            N_("report.col.without"),
            N_("report.col.to_check_count"),
            N_("report.col.partial_only"),
            N_("report.col.overlap_count"),
        ),
        "<tbody>",
    ]
    for segment, g in zip(coverage.segments, coverage.summary.segments, strict=True):
        share = g.covered_population_share
        unknown = g.unknown_population_share
        rows.append(
            f'<tr><th scope="row" class="maillage-name" data-sort="{esc(segment.key)}">'
            f"{esc(segment_label(registry, segment, lang))}</th>"
            f"{_num(_share(share, lang), share, '.6f')}"
            f"{_num(_number(g.covered_population, lang), g.covered_population)}"
            f"{_num(_share(unknown, lang), unknown, '.6f')}"
            f"{_num(str(g.uncovered_territories))}{_num(str(g.unknown_territories))}"
            f"{_num(str(g.partial_only_territories))}{_num(str(g.overlap_territories))}</tr>"
        )
    rows += ["</tbody>", "</table>", "</div>"]
    return rows


def _num(text: str, sort: float | None = None, spec: str = "") -> str:
    """A cell holding a figure: right-aligned; ``sort`` is what the column sorts on."""
    if sort is None and text and text[0].isdigit():
        return f'<td class="maillage-num">{esc(text)}</td>'
    key = "" if sort is None else format(sort, spec)
    return f'<td class="maillage-num" data-sort="{key}">{esc(text)}</td>'


SERVICES_NAMED = 12  # services named under a territory's row; beyond, their number


def _cell_html(cell: Cell, approximate: set[str]) -> str:
    """One territory × public: the number of full services (≈ when one's area is
    approximate), ``~`` partial only, ``?`` à vérifier only, ``0`` none. The services
    themselves are named under the table (``_services_by_territory``), not in a tooltip."""
    services = cell.services
    full = len(services)

    def mark(ids: tuple[str, ...]) -> str:
        # The services the cell shows rest on an approximate area: ≈, whatever their kind.
        return " ≈" if approximate and approximate.intersection(ids) else ""

    if full:
        text, css, sort = f"{full}{mark(services)}", "overlap" if full > 1 else "covered", float(full)
    elif cell.partial_count:
        text, css, sort = f"~{mark(cell.partial)}", "partial", 0.5
    elif cell.unknown_count:
        text, css, sort = f"?{mark(cell.unknown)}", "unknown", 0.25
    else:
        return '<td class="maillage-gaps-gap" data-sort="0">0</td>'
    return f'<td class="maillage-gaps-{css}" data-sort="{sort:g}">{esc(text)}</td>'


def _segment_header(registry: Registry, segment: Segment, lang: str, first_of_band: bool) -> str:
    """A public's column: its age band and its housing, both visible (one header row, so
    every cell has exactly one column header: RGAA 5.6, 5.7)."""
    housing = registry.vocabularies.housing.get(segment.housing)
    label = _short(housing.label.get(lang)) if housing else segment.housing
    css = "maillage-num maillage-gaps-band-start" if first_of_band else "maillage-num"
    return (
        f'<th scope="col" class="{css}"><span class="maillage-gaps-band">{esc(_band_short(segment, lang))}</span>'
        f" {esc(label)}</th>"
    )


def _territory_table(ctx: SiteContext, coverage: Coverage, url: str, approximate: set[str]) -> list[str]:
    registry = ctx.registry
    lang = ctx.lang
    columns = (N_("report.col.territory"), N_("report.col.population"), N_("report.col.places"))
    bands_seen: set[str] = set()
    segment_headers = []
    for segment in coverage.segments:
        segment_headers.append(_segment_header(registry, segment, lang, segment.band not in bands_seen))
        bands_seen.add(segment.band)
    rows = [
        f"<p>{t('report.legend', lang)}</p>",
        _scroll_open(t("report.by_territory", lang)),
        '<table class="maillage-sortable maillage-gaps-territories">',
        _caption(t("report.caption.territories", lang)),
        _head(lang, *columns, more="".join(segment_headers)),
        "<tbody>",
    ]
    for territory in coverage.territories:
        rows.append(_territory_row(ctx, territory, url, approximate))
    rows += ["</tbody>", "</table>", "</div>"]
    note = population_note(coverage, lang)
    if note:
        rows.append(f'<p class="maillage-gaps-note">{note}</p>')
    rows += _services_by_territory(ctx, coverage, url)
    return rows


def _services_by_territory(ctx: SiteContext, coverage: Coverage, url: str) -> list[str]:
    """The services behind the table's cells, by name and linked, territory by territory;
    publics with the same services share a line. Past ``SERVICES_NAMED`` services in a
    territory, their number (the page stays bounded at national scale; the downloads and
    the territory's page name them)."""
    registry = ctx.registry
    lang = ctx.lang
    here = ctx.prefix + url
    items = []
    for territory in coverage.territories:
        groups: dict[tuple[tuple[str, ...], ...], list[Segment]] = {}
        for segment, cell in zip(coverage.segments, territory.cells, strict=True):
            key = (cell.services, cell.partial, cell.unknown)
            if any(key):
                groups.setdefault(key, []).append(segment)
        if not groups:
            continue
        named = {i for key in groups for ids in key for i in ids if i in registry.services}
        title = territory_anchor(ctx, here, territory.code, esc(territory.name))
        if len(named) > SERVICES_NAMED:
            items.append(f"<li>{title}<ul><li>{esc(t('report.n_services', lang, n=len(named)))}</li></ul></li>")
            continue
        lines = []
        for (full, partial, unknown), segments in groups.items():
            publics = (
                t("report.services.every_public", lang)
                if len(segments) == len(coverage.segments)
                else ", ".join(segment_label(registry, s, lang) for s in segments)
            )
            kinds = [
                t(key, lang, ids=_service_links(ctx, here, ids))
                for key, ids in (
                    (N_("report.cell.full"), full),
                    (N_("report.cell.partial"), partial),
                    (N_("report.cell.unknown"), unknown),
                )
                if ids
            ]
            lines.append(f"<li>{esc(publics)} — {'; '.join(kinds)}</li>")
        items.append(f"<li>{title}<ul>{''.join(lines)}</ul></li>")
    if not items:
        return []
    summary = esc(t("report.services.summary", lang))
    return [f'<details class="maillage-gaps-services"><summary>{summary}</summary><ul>{"".join(items)}</ul></details>']


def _service_links(ctx: SiteContext, here: str, ids: tuple[str, ...]) -> str:
    """Services by name, each a link to its page (ids the site does not show stay out)."""
    services = ctx.registry.services
    links = [record_link(ctx, here, f"services/{i}/", i, services[i].name.get(ctx.lang)) for i in ids if i in services]
    return ", ".join(links)


def population_note(coverage: Coverage, lang: str) -> str:
    """Why some rows say « population inconnue » (empty when every population is known)."""
    unknown = [x for x in coverage.territories if x.population is None]
    if not unknown:
        return ""
    belgian = [x for x in unknown if x.code.startswith("be")]
    if len(belgian) == len(unknown):
        return t("report.population_note.be", lang, n=len(unknown))
    return t("report.population_note", lang, n=len(unknown))


def _territory_row(ctx: SiteContext, territory: TerritoryCoverage, url: str, approximate: set[str]) -> str:
    lang = ctx.lang
    name = esc(territory.name)
    # Not every territory has a page in every language (territory_pages.has_page).
    linked = territory_anchor(ctx, ctx.prefix + url, territory.code, name)
    population = territory.population
    places = territory.places_per_100k
    shown = t("report.population_unknown", lang) if population is None else _number(population, lang)
    cells = "".join(_cell_html(c, approximate) for c in territory.cells)
    return (
        f'<tr id="{esc(territory.code)}"><th scope="row" class="maillage-name" data-sort="{name}">{linked}</th>'
        f"{_num(shown, population)}{_num(_number(places, lang), places, '.4f')}{cells}</tr>"
    )


def map_data(ctx: SiteContext, analysis: Analysis, url: str) -> CoverageMapData:
    """The map's data: the public best covered by population, then the one with the most
    territories covered, in part, or à vérifier (the first when all are equal)."""
    coverage = analysis.units
    territories = coverage.territories

    def rank(j: int) -> tuple[float, int, int, float, int]:
        g = coverage.summary.segments[j]
        statuses = [x.cells[j].status for x in territories]
        covered = sum(1 for s in statuses if s in ("covered", "overlap"))
        partial = statuses.count("partial")
        return (g.covered_population_share or 0.0, covered, partial, g.unknown_population_share or 0.0, -j)

    j = max(range(len(coverage.segments)), key=rank)
    segment = coverage.segments[j]
    return CoverageMapData(
        segment=segment.key,
        segment_label=segment_label(ctx.registry, segment, ctx.lang),
        level=coverage.level,
        counts={c.code: c.cells[j].full_count for c in territories},
        partial={c.code: c.cells[j].partial_count for c in territories},
        page_url=ctx.prefix + url,
        statuses={c.code: c.cells[j].status for c in territories},
    )


def _map(ctx: SiteContext, analysis: Analysis, url: str) -> str:
    data = map_data(ctx, analysis, url)
    base = "../" * data.page_url.count("/")
    title = t("report.map.title", ctx.lang, segment=data.segment_label)
    caption = f"<p>{t('report.map.caption', ctx.lang, segment=esc(data.segment_label))}</p>"
    return caption + "\n" + coverage_map_html(ctx, data.counts, title, base=base, statuses=data.statuses)
