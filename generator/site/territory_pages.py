"""Which territories get a page, which services cover each, and the territory pages.

DESIGN.md "Scope": pages for regions, départements/provinces and EPCIs inside the scope,
and for communes only where they are useful — every commune inside a service area of at
most ``COMMUNE_AREA_LIMIT`` communes (Brussels' 19, a métropole, a département), and
elsewhere the communes a service names or holds a site in.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..analysis import coverage
from ..analysis.scope import default_scope
from ..locale import N_
from ..registry.loader import Registry
from ..registry.territories import Territory
from .context import Asset, GeneratedPage, SiteContext
from .csp import add_policy
from .i18n import t
from .markup import esc, front_matter, href, link, localized, page_url, plain
from .record_languages import TRANSLATED_COUNTRIES, record_link

COMMUNE_AREA_LIMIT = 400
# The languages a country's communes have pages in besides the directory's default one.
# A French commune's page is not translated (35,000 near-identical Dutch and English pages
# would triple the build of a national directory for no reader); Brussels' communes are
# bilingual by law, so Belgian communes keep their Dutch page.
OFFICIAL_LANGUAGES = {"fr": frozenset({"fr"}), "be": frozenset({"fr", "nl", "de"})}
PAGE_LEVELS = ("country", "region", "dep", "province", "epci")
COMMUNE_PAGES_LIMIT = 2000
"""Past this many communes with a page, the directory is at national scale: each commune is
a section (with an anchor) of its département's, province's or (Brussels) region's page
instead of a page of its own, and its old URL ``territories/<code>/`` a small redirect page
to that anchor. Most of a page's bytes are the theme's (header, navigation, footer): at
2,000 services, 14,000 commune pages made most of the site. Below it (a city's, a
département's, a region's directory) each commune keeps its page."""
HOST_LEVELS = ("dep", "province", "region")
"""The levels whose page lists the communes inside it at national scale (the nearest one)."""
LEVEL_ORDER = {level: i for i, level in enumerate(("country", "region", "dep", "province", "epci", "commune"))}
# A territory's level, as catalogue keys.
LEVEL_KEYS = {
    "country": N_("level.country"),
    "region": N_("level.region"),
    "dep": N_("level.dep"),
    "province": N_("level.province"),
    "epci": N_("level.epci"),
    "commune": N_("level.commune"),
}


@dataclass(frozen=True)
class TerritoryIndex:
    """Territory pages and the services that reach each territory, computed once per registry."""

    scope: tuple[str, ...]
    pages: frozenset[str]  # territory codes that have a page
    named: frozenset[str]  # communes a service names in its area or holds a site in
    by_area: dict[str, tuple[str, ...]]  # area code -> services listing it
    inside: dict[str, tuple[str, ...]]  # territory -> services whose area lies strictly inside it
    ancestors_of: dict[str, frozenset[str]]  # page code -> the code and its ancestors
    # National scale (``COMMUNE_PAGES_LIMIT``): commune -> the page that lists it; empty: a page each.
    hosts: dict[str, str] = field(default_factory=dict)
    hosted: dict[str, tuple[str, ...]] = field(default_factory=dict)  # host -> its communes, sorted by code

    def reached(self, code: str) -> bool:
        """Whether any service covers ``code`` or part of it (its own area, an ancestor's, a descendant's)."""
        return bool(self.inside.get(code)) or any(a in self.by_area for a in self._ancestors(code))

    def _ancestors(self, code: str) -> frozenset[str]:
        return self.ancestors_of.get(code, frozenset({code}))

    def has_page(self, code: str, lang: str | None) -> bool:
        """Whether ``code`` has a page of its own in ``lang`` (None: the directory's default
        language): one of ``listed`` unless the directory is at national scale, where a
        commune is a section of its host's page and only the territories of
        ``TRANSLATED_COUNTRIES`` have pages in other languages."""
        if not self.listed(code, lang):
            return False
        if not self.hosts:
            return True
        if code in self.hosts:
            return False
        return lang is None or code.startswith(TRANSLATED_COUNTRIES)

    def location(self, code: str, lang: str | None) -> tuple[str | None, str] | None:
        """Where ``code`` is presented: the language of that page (``lang``, else None for the
        default one) and its URL without language prefix, anchor included; None if nowhere."""
        for page_lang in (lang, None) if lang is not None else (None,):
            host = self.hosts.get(code)
            if host is not None:
                if self.has_page(host, page_lang):
                    return page_lang, f"{territory_url(host)}#{code}"
            elif self.has_page(code, page_lang):
                return page_lang, territory_url(code)
        return None

    def listed(self, code: str, lang: str | None) -> bool:
        """Whether ``code`` has a URL ``territories/<code>/`` in ``lang`` (None: the directory's
        default language): a page, or at national scale (``has_page``) a redirect to where
        the territory is presented.

        Every territory of the index has one in the default language. In the others, only
        those some service reaches, and of the communes only those a service names or holds
        a site in, or that lie in a country where ``lang`` is an official language
        (``OFFICIAL_LANGUAGES``): the rest would be tens of thousands of near-empty
        translations. Links to a commune without a page in ``lang`` lead to its page in
        the default language (``territory_link``).
        """
        if code not in self.pages:
            return False
        if lang is None:
            return True
        if not self.reached(code):
            return False
        if "-commune-" not in code or code in self.named:
            return True
        return lang in OFFICIAL_LANGUAGES.get(code.split("-", 1)[0], frozenset())

    def covering(self, registry: Registry, code: str, beyond: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
        """(service id, the area code that covers ``code``), the code itself or an ancestor,
        by name; without those whose nearest such area is in ``beyond``."""
        found: dict[str, str] = {}
        # Nearest first: a service that names the commune itself says "here", not "via".
        ancestors = sorted(registry.gazetteer.ancestors(code), key=lambda c: -LEVEL_ORDER.get(_level(registry, c), 0))
        skipped = [area in beyond for area in ancestors]
        if not (True in skipped and False in skipped[skipped.index(True) :]):
            # The areas of ``beyond`` come last (as they do for a commune and the territories
            # above its host): their services, thousands at national scale, are not walked.
            ancestors = [area for area in ancestors if area not in beyond]
        for area in ancestors:
            for service in self.by_area.get(area, ()):
                found.setdefault(service, area)
        rank = name_rank(registry)
        return sorted(((s, via) for s, via in found.items() if via not in beyond), key=lambda item: rank[item[0]])


def _level(registry: Registry, code: str) -> str:
    territory = registry.gazetteer.get(code)
    return territory.level if territory else "commune"


def plain_name(registry: Registry, service_id: str) -> str:
    """The French name of a service, folded for sorting."""
    return registry.services[service_id].name.get("fr").casefold()


_RANKS: dict[int, tuple[weakref.ref[Registry], dict[str, int]]] = {}


def name_rank(registry: Registry) -> dict[str, int]:
    """Service id -> the place of its ``plain_name`` among the registry's (services of the
    same name share it): sorting by it is sorting by name, ties kept in their order.
    Computed once per registry; a national page's commune sections sort thousands of
    services each, and comparing folded names was most of their time."""
    cached = _RANKS.get(id(registry))
    if cached is not None and cached[0]() is registry:
        return cached[1]
    names = {service_id: plain_name(registry, service_id) for service_id in registry.services}
    place = {name: i for i, name in enumerate(sorted(set(names.values())))}
    rank = {service_id: place[name] for service_id, name in names.items()}
    _RANKS.clear()  # one registry at a time
    _RANKS[id(registry)] = (weakref.ref(registry), rank)
    return rank


_Inputs = tuple[Any, ...]
_CACHE: dict[int, tuple[Registry, tuple[str, ...], _Inputs, TerritoryIndex]] = {}


def _index_inputs(registry: Registry, scope: tuple[str, ...]) -> _Inputs:
    """All that ``build_index`` reads besides the gazetteer: scope, services' areas, sites' communes."""
    areas = tuple((service_id, tuple(s.public.area)) for service_id, s in registry.services.items())
    return (scope, areas, tuple(registry.site_territory.values()))


def forget() -> None:
    """Drop the cached index, and the registry it holds (a build that will not reuse it)."""
    _CACHE.clear()


def territory_index(registry: Registry, scope: tuple[str, ...] = ()) -> TerritoryIndex:
    """The territory index of ``registry``, computed once per build.

    Kept while the same registry object lives, and for a reloaded registry (``maillage
    serve``) with the same gazetteer object and the same areas and site communes.
    """
    cached = _CACHE.get(0)
    if cached and cached[0] is registry and cached[1] == scope:
        return cached[3]
    inputs = _index_inputs(registry, scope)
    if cached and cached[0].gazetteer is registry.gazetteer and cached[2] == inputs:
        index = cached[3]
    else:
        index = build_index(registry, scope)
    _CACHE.clear()  # one registry per build: never keep an old one alive
    _CACHE[0] = (registry, scope, inputs, index)
    return index


def build_index(registry: Registry, scope: tuple[str, ...] = ()) -> TerritoryIndex:
    """Compute which territories get a page and which services reach each one."""
    gazetteer = registry.gazetteer
    scope = scope or default_scope(registry)
    by_area: dict[str, list[str]] = defaultdict(list)
    inside: dict[str, set[str]] = defaultdict(set)
    communes: set[str] = set()
    named: set[str] = set(registry.site_territory.values())
    for service in registry.services.values():
        for code in service.public.area:
            by_area[code].append(service.id)
            for ancestor in gazetteer.ancestors(code) - {code}:
                inside[ancestor].add(service.id)
    # Once per distinct area, not once per service naming it.
    for code in by_area:
        if _level(registry, code) == "commune":
            communes.add(code)
            named.add(code)
        else:
            within = gazetteer.descendants(code, "commune")
            if len(within) <= COMMUNE_AREA_LIMIT:
                communes.update(within)
    communes.update(registry.site_territory.values())
    pages = {c for c in communes if c in gazetteer}
    for scope_code in scope:
        if scope_code in gazetteer:
            pages.add(scope_code)
        pages.update(c for c in gazetteer.descendants(scope_code) if gazetteer[c].level in PAGE_LEVELS)
    in_scope = {c for c in pages if not gazetteer.ancestors(c).isdisjoint(scope)}
    hosts = _hosts(registry, in_scope) if sum("-commune-" in c for c in in_scope) > COMMUNE_PAGES_LIMIT else {}
    hosted: dict[str, list[str]] = defaultdict(list)
    for commune, host in sorted(hosts.items()):
        hosted[host].append(commune)
    return TerritoryIndex(
        scope=scope,
        pages=frozenset(in_scope),
        named=frozenset(named & in_scope),
        by_area={k: tuple(v) for k, v in by_area.items()},
        inside={k: tuple(sorted(v)) for k, v in inside.items()},
        ancestors_of={c: gazetteer.ancestors(c) for c in in_scope},
        hosts=hosts,
        hosted={k: tuple(v) for k, v in hosted.items()},
    )


def _hosts(registry: Registry, pages: set[str]) -> dict[str, str]:
    """Each commune of ``pages`` -> the nearest territory above it of ``HOST_LEVELS`` with a page
    (its département or province; Brussels' communes, which have none, their region)."""
    hosts: dict[str, str] = {}
    for code in pages:
        if "-commune-" not in code:
            continue
        above = [p.code for p in registry.gazetteer.path(code)[:-1] if p.level in HOST_LEVELS and p.code in pages]
        if above:
            hosts[code] = above[-1]
    return hosts


def _page_lang(ctx: SiteContext) -> str | None:
    """The context's language for ``has_page``: None for the default language."""
    return ctx.lang if ctx.prefix else None


def territory_url(code: str) -> str:
    """The URL of a territory page (without language prefix)."""
    return f"territories/{code}/"


def territory_link(ctx: SiteContext, from_url: str, code: str) -> str:
    """The territory's name, linked to its page when it has one."""
    territory = ctx.registry.gazetteer.get(code)
    name = territory.label(ctx.lang) if territory else code
    return territory_anchor(ctx, from_url, code, esc(name))


def territory_anchor(ctx: SiteContext, from_url: str, code: str, inner: str) -> str:
    """``inner`` (HTML) as a link to the territory's page in the context's language, else to
    its page in the directory's default language, else unlinked. ``from_url`` is the URL
    of the page the link is on, language prefix included."""
    index = territory_index(ctx.registry, ctx.config.scope)
    lang = _page_lang(ctx)
    found = index.location(code, lang)
    if found is None:
        return inner
    page_lang, target = found
    path, _, anchor = target.partition("#")
    fragment = f"#{anchor}" if anchor else ""
    if page_lang == lang:
        return f'<a href="{esc(href(from_url, page_url(ctx, path)) + fragment)}">{inner}</a>'
    # The untranslated page of a commune: better than no link at all.
    default = ctx.config.languages[0]
    return f'<a href="{esc(href(from_url, path) + fragment)}" hreflang="{default}" lang="{default}">{inner}</a>'


def uncovered_segments(registry: Registry, code: str) -> list[str]:
    """The public segments no service covers in ``code``, from the coverage engine ("à
    vérifier" ones included: see ``to_check_segments``)."""
    return list(coverage.uncovered_segments(registry, code))


def to_check_segments(registry: Registry, code: str) -> list[str]:
    """Of ``uncovered_segments``, those some service reaches in ``code`` without the registry
    saying whether it admits them ("à vérifier")."""
    return list(coverage.unknown_segments(registry, code))


def segment_label(registry: Registry, segment: str, lang: str) -> str:
    """``"18-24/roofless"`` as « Jeunes adultes (18-24 ans) · Sans abri »."""
    band_id, _, housing = segment.partition("/")
    band = next((b for b in registry.vocabularies.age_bands if b.id == band_id), None)
    term = registry.vocabularies.housing.get(housing)
    return " · ".join([band.label.get(lang) if band else band_id, term.label.get(lang) if term else housing])


def territory_pages(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """One page per territory of the index, in the context's language (and, at national scale,
    the redirects of ``territory_redirects``)."""
    index = territory_index(ctx.registry, ctx.config.scope)
    for code in page_codes(ctx, index):
        yield territory_page(ctx, index, ctx.registry.gazetteer[code])
    yield territories_index_page(ctx, index)
    yield from territory_redirects(ctx, index)


def page_codes(ctx: SiteContext, index: TerritoryIndex) -> list[str]:
    """The territories with a page in the context's language, in the order of ``territory_pages``."""
    lang = _page_lang(ctx)
    return [code for code in sorted(index.pages) if index.has_page(code, lang)]


def territory_page(ctx: SiteContext, index: TerritoryIndex, territory: Territory) -> GeneratedPage:
    """The page of one territory: where it sits, who covers it, and the publics left uncovered."""
    registry = ctx.registry
    url = page_url(ctx, territory_url(territory.code))
    lang = ctx.lang
    name = territory.label(lang)
    path = registry.gazetteer.path(territory.code)
    crumbs = " › ".join(territory_link(ctx, url, p.code) for p in path[:-1])
    facts = [f"<li>{esc(t(LEVEL_KEYS[territory.level], lang))}</li>"]
    if territory.population is not None:
        facts.append(f"<li>{esc(t('population', lang))} : {territory.population:,}</li>".replace(",", "\u202f"))
    else:
        # The gazetteer has no Belgian population: say so rather than show nothing or « — ».
        key = (
            N_("territory.population_unknown_be")
            if territory.code.startswith("be")
            else N_("territory.population_unknown")
        )
        facts.append(f"<li>{esc(t(key, lang))}</li>")
    if territory.postcodes:
        facts.append(f"<li>{esc(', '.join(territory.postcodes))}</li>")
    parts = [
        f'<div class="maillage-lead"><p class="maillage-breadcrumbs">{crumbs}</p><ul>{"".join(facts)}</ul></div>',
        f"## {t('covering', lang)}",
    ]
    covering = index.covering(registry, territory.code)
    parts.append(_covering_section(ctx, index, url, territory.code, covering))
    covered = {service_id for service_id, _ in covering}
    inside = [s for s in index.inside.get(territory.code, ()) if s not in covered]
    if inside:
        parts.append(f"## {t('inside', lang)}")
        parts.append(_inside_section(ctx, index, url, territory.code, inside))
    parts.append(f"## {t('gaps', lang)}")
    parts.append(gaps_section(ctx, url, territory.code))
    hosted = index.hosted.get(territory.code, ())
    if hosted:
        parts.append(f"## {t('territory.communes', lang)}")
        parts.append(_communes_section(ctx, index, url, territory.code, hosted))
    # Children without a page in this language still link to their default-language page.
    listed_here = set(hosted)
    children = [
        c
        for c in registry.gazetteer.children.get(territory.code, ())
        if c not in listed_here and index.location(c, None) is not None
    ]
    if children:
        parts.append(f"## {t('children', lang)}")
        ordered = sorted(children, key=lambda c: registry.gazetteer[c].label(lang).casefold())
        links = ", ".join(territory_link(ctx, url, c) for c in ordered)
        parts.append(f'<div class="maillage-section" {UNINDEXED}><p>{links}</p></div>')
    body = "\n\n".join(parts)
    meta = {
        "title": esc(f"{name} — {t(LEVEL_KEYS[territory.level], lang)}"),
        "maillage_lang": lang,
        "maillage_kind": "territory",
    }
    content = (
        front_matter(meta)
        + '<div class="maillage-page maillage-territory" data-pagefind-body="" markdown="1">\n\n'
        + f"# {esc(name)}\n\n{body}\n\n</div>\n"
    )
    return GeneratedPage(uri=url + "index.md", content=content, edit_path=None)


UNINDEXED = 'data-pagefind-ignore=""'
"""On a territory page's lists: the search finds a place by its name, postcodes and the
territories above it, not by the names of the services and places it lists (those have
their own pages). Indexed, the lists made territory pages most of the search index's
words, and Pagefind's memory grows with the words it indexes."""

INLINE_LIMIT = 25
"""How many services a territory page lists one by one for each area that reaches it.

A national directory has services for a whole region or country: listed in full on each
of their thousands of communes, they made every commune page hundreds of kilobytes (and
the build quadratic). Beyond this number a page gives the count and a link to the page
of the territory they cover, where they are listed.
"""


def _service_item(ctx: SiteContext, url: str, service_id: str, extra: str = "") -> str:
    service = ctx.registry.services[service_id]
    item = record_link(ctx, url, f"services/{service_id}/", service_id, plain(ctx, service.name)) + extra
    if service.public.summary:
        item += f"<br>{localized(ctx, service.public.summary, block=False)}"
    return f"<li>{item}</li>"


def _covering_section(
    ctx: SiteContext, index: TerritoryIndex, url: str, code: str, covering: list[tuple[str, str]]
) -> str:
    """The services whose area contains ``code``: listed, or counted per area when many."""
    lang = ctx.lang
    if not covering:
        return f'<div class="maillage-section" {UNINDEXED}><p>{esc(t("covering.none", lang))}</p></div>'
    by_area: dict[str, list[str]] = defaultdict(list)
    for service_id, via in covering:
        by_area[via].append(service_id)
    # Areas with too many services to list here: counted, and linked to their own page.
    crowded = [
        via for via, ids in by_area.items() if via != code and len(ids) > INLINE_LIMIT and index.has_page(via, None)
    ]
    items: list[str] = []
    summaries: list[str] = []
    for service_id, via in covering:
        if via in crowded:
            continue
        extra = f" <small>({esc(t('via', lang))} {territory_link(ctx, url, via)})</small>" if via != code else ""
        items.append(_service_item(ctx, url, service_id, extra))
    # Nearest area first, as in the list.
    for via in sorted(crowded, key=lambda c: -LEVEL_ORDER.get(_level(ctx.registry, c), 0)):
        text = esc(t("covering.elsewhere", lang, count=len(by_area[via]), link="\x00"))
        summaries.append(f"<p>{text.replace(chr(0), territory_link(ctx, url, via))}</p>")
    listed = f'<ul class="maillage-services">{"".join(items)}</ul>' if items else ""
    return f'<div class="maillage-section" {UNINDEXED}>{listed}{"".join(summaries)}</div>'


def _inside_section(ctx: SiteContext, index: TerritoryIndex, url: str, code: str, inside: list[str]) -> str:
    """Services whose area lies inside ``code``: listed, or counted per territory within when many."""
    registry = ctx.registry
    if len(inside) <= INLINE_LIMIT:
        items = []
        rank = name_rank(registry)
        for service_id in sorted(inside, key=rank.__getitem__):
            service = registry.services[service_id]
            areas = ", ".join(territory_link(ctx, url, a) for a in service.public.area)
            items.append(
                f"<li>{record_link(ctx, url, f'services/{service_id}/', service_id, plain(ctx, service.name))}"
                f" <small>({areas})</small></li>"
            )
        return f'<div class="maillage-section" {UNINDEXED}><ul class="maillage-services">{"".join(items)}</ul></div>'
    wanted = set(inside)
    rows = []
    for child in registry.gazetteer.children.get(code, ()):
        # Services naming the child or a territory inside it.
        found = wanted.intersection(index.by_area.get(child, ())) | wanted.intersection(index.inside.get(child, ()))
        if found:
            rows.append((registry.gazetteer[child].label(ctx.lang).casefold(), child, len(found)))
    items = [f"<li>{territory_link(ctx, url, child)} ({count})</li>" for _, child, count in sorted(rows)]
    intro = esc(t("inside.by_child", ctx.lang, count=len(inside)))
    listed = f'<ul class="maillage-children">{"".join(items)}</ul>'
    return f'<div class="maillage-section" {UNINDEXED}><p>{intro}</p>{listed}</div>'


def _communes_section(ctx: SiteContext, index: TerritoryIndex, url: str, host: str, communes: tuple[str, ...]) -> str:
    """At national scale, the communes ``host`` lists: for each, under a heading with its code
    as anchor (the search finds the commune by its name and postcodes there), the services
    that reach it besides those covering all of ``host`` (listed above), and its zones grises."""
    registry = ctx.registry
    lang = ctx.lang
    above = index.ancestors_of.get(host, frozenset({host}))
    ordered = sorted(communes, key=lambda c: (registry.gazetteer[c].label(lang).casefold(), c))
    blocks = [f'<p class="maillage-section" {UNINDEXED}>{esc(t("territory.communes_intro", lang))}</p>']
    for code in ordered:
        commune = registry.gazetteer[code]
        postcodes = f" <small>{esc(', '.join(commune.postcodes))}</small>" if commune.postcodes else ""
        own = index.covering(registry, code, beyond=above)
        items = []
        for service_id, via in own[:INLINE_LIMIT]:
            extra = f" <small>({esc(t('via', lang))} {territory_link(ctx, url, via)})</small>" if via != code else ""
            items.append(_service_item(ctx, url, service_id, extra))
        if len(own) > INLINE_LIMIT:
            items.append(f"<li>{esc(t('territory.more_services', lang, count=len(own) - INLINE_LIMIT))}</li>")
        services = f'<ul class="maillage-services">{"".join(items)}</ul>' if items else ""
        blocks.append(
            f'<h3 id="{esc(code)}">{esc(commune.label(lang))}{postcodes}</h3>'
            f'<div class="maillage-commune" {UNINDEXED}>{services}{_commune_gaps(ctx, code)}</div>'
        )
    return "\n".join(blocks)


def _commune_gaps(ctx: SiteContext, code: str) -> str:
    """A commune's uncovered public segments, short: one line per age band (``gaps_section``'s
    content, without repeating the band for each housing situation)."""
    lang = ctx.lang
    segments = uncovered_segments(ctx.registry, code)
    if not segments:
        return f"<p>{esc(t('gaps.none', lang))}</p>"
    to_check = set(to_check_segments(ctx.registry, code))
    inner = ""
    for intro, keys in (
        (N_("gaps.intro"), [s for s in segments if s not in to_check]),
        (N_("gaps.to_check_intro"), [s for s in segments if s in to_check]),
    ):
        if keys:
            inner += f"<p>{esc(t(intro, lang))}</p><ul>{_segments_by_band(ctx.registry, keys, lang)}</ul>"
    return inner


def _segments_by_band(registry: Registry, segments: list[str], lang: str) -> str:
    """``["18-24/roofless", "18-24/houseless"]`` as « Jeunes adultes (18-24 ans) : Sans abri, … » items."""
    bands: dict[str, list[str]] = defaultdict(list)
    for segment in segments:
        band_id, _, housing = segment.partition("/")
        bands[band_id].append(housing)
    items = []
    for band_id, housings in bands.items():
        band = next((b for b in registry.vocabularies.age_bands if b.id == band_id), None)
        labels = []
        for housing in housings:
            term = registry.vocabularies.housing.get(housing)
            labels.append(term.label.get(lang) if term else housing)
        items.append(f"<li>{esc(band.label.get(lang) if band else band_id)} : {esc(', '.join(labels))}</li>")
    return "".join(items)


def redirect_html(lang: str, title: str, target: str, text: str, target_lang: str | None = None) -> bytes:
    """A small page sending the reader (and search engines) from an old URL to ``target``
    (relative): a refresh, the canonical link, and a link to follow by hand. ``text`` is
    escaped HTML with a NUL where the link goes; ``target_lang``, the target's language
    when it is not ``lang`` (the link says so, for screen readers and search engines)."""
    other = f' hreflang="{esc(target_lang)}" lang="{esc(target_lang)}"' if target_lang and target_lang != lang else ""
    anchor = f'<a href="{esc(target)}"{other}>{esc(title)}</a>'
    html = (
        f'<!doctype html>\n<html lang="{esc(lang)}"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title>"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta name="robots" content="noindex"><link rel="canonical" href="{esc(target)}">'
        f'<meta http-equiv="refresh" content="0; url={esc(target)}">'
        f"</head><body><p>{text.replace(chr(0), anchor)}</p></body></html>\n"
    )
    return add_policy(html, None).encode("utf-8")


def territory_redirects(ctx: SiteContext, index: TerritoryIndex) -> Iterator[Asset]:
    """At national scale, a redirect at each ``territories/<code>/`` URL of the context's
    language that is not a page of its own (``listed`` but not ``has_page``)."""
    if not index.hosts:
        return
    lang = _page_lang(ctx)
    for code in sorted(index.pages):
        if not index.listed(code, lang) or index.has_page(code, lang):
            continue
        found = index.location(code, lang)
        if found is None:
            continue
        page_lang, target = found
        path, _, anchor = target.partition("#")
        url = page_url(ctx, territory_url(code))
        to = href(url, page_url(ctx, path) if page_lang == lang else path) + (f"#{anchor}" if anchor else "")
        territory = ctx.registry.gazetteer[code]
        title = f"{territory.label(ctx.lang)} — {t(LEVEL_KEYS[territory.level], ctx.lang)}"
        text = esc(t("territory.moved", ctx.lang, link="\x00"))
        yield Asset(url + "index.html", redirect_html(ctx.lang, title, to, text, page_lang))


def gaps_section(ctx: SiteContext, url: str, code: str) -> str:
    """The clearly marked section where the uncovered public segments of a territory go."""
    lang = ctx.lang
    segments = uncovered_segments(ctx.registry, code)
    report = link(url, page_url(ctx, "gaps/"), t("gaps.report", lang))
    if not segments:
        inner = f"<p>{esc(t('gaps.none', lang))}</p><p>{report}</p>"
    else:
        # No service at all, then "à vérifier" (a service whose unstated age or housing
        # might admit the public): apart, as in the gap report.
        to_check = set(to_check_segments(ctx.registry, code))
        inner = ""
        for intro, keys in (
            (N_("gaps.intro"), [s for s in segments if s not in to_check]),
            (N_("gaps.to_check_intro"), [s for s in segments if s in to_check]),
        ):
            if keys:
                items = "".join(f"<li>{esc(segment_label(ctx.registry, s, lang))}</li>" for s in keys)
                inner += f"<p>{esc(t(intro, lang))}</p><ul>{items}</ul>"
        inner += f"<p>{report}</p>"
    return f'<section class="maillage-section maillage-gaps" id="zones-grises" {UNINDEXED}>{inner}</section>'


def territories_index_page(ctx: SiteContext, index: TerritoryIndex) -> GeneratedPage:
    """The list of territory pages, country by country, level by level."""
    registry = ctx.registry
    lang = ctx.lang
    url = page_url(ctx, "territories/")
    parts = []
    for country in index.scope:
        if country not in registry.gazetteer:
            continue
        parts.append(f"## {esc(registry.gazetteer[country].label(lang))}")
        levels: dict[str, list[str]] = defaultdict(list)
        for code in index.pages:
            territory = registry.gazetteer[code]
            if not index.has_page(code, _page_lang(ctx)):
                continue
            if territory.level != "country" and country in registry.gazetteer.ancestors(code):
                levels[territory.level].append(code)
        for level in ("region", "dep", "province", "epci", "commune"):
            # Communes share names (Saint-Denis in 93 and 974): the code breaks the tie, so the
            # order does not depend on the set's (hash-seeded) iteration.
            codes = sorted(levels.get(level, []), key=lambda c: (registry.gazetteer[c].label(lang).casefold(), c))
            if not codes:
                continue
            links = ", ".join(territory_link(ctx, url, c) for c in codes)
            parts.append(
                f'<div class="maillage-section"><h3>{esc(t(LEVEL_KEYS[level], lang))}</h3><p>{links}</p></div>'
            )
    meta = {"title": esc(t("index.territories", lang)), "maillage_lang": lang, "maillage_kind": "index"}
    content = front_matter(meta) + "\n\n".join(parts) + "\n"
    return GeneratedPage(uri=url + "index.md", content=content)
