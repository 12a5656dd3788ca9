"""Opening hours, dated alerts, accessibility and languages on the pages (issue 22).

What the build can say, it writes: the hours in plain words (``registry.hours.describe``),
the accessibility of each site and the languages spoken. What depends on the day the page
is read (open now, which alerts are current) is left to ``assets/hours.js``: the page
carries the expression and the alerts as data attributes, and the script decides from the
visitor's clock with the npm ``opening_hours`` library. A site built last week stays right.

The library is copied at build time from ``node_modules/opening_hours`` (``npm ci`` at the
repository's root), like Leaflet from its PyPI packages, never vendored. When it is not
installed the build goes on with a warning: the hours are still written in words and the
alerts still shown (they need no library); only "ouvert maintenant" is missing. A build
that fails for want of a 1.2 MB script that adds one line would stop a maintainer who only
installed the Python package.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

from ..locale import speaking
from ..registry.hours import describe
from ..registry.models import Alert, Service, Site
from .context import Asset, SiteContext
from .i18n import t
from .markup import esc, plain

LIBRARY = "opening_hours"
LIBRARY_FILE = "build/opening_hours.js"
LIBRARY_URI = "assets/maillage/hours/opening_hours.js"
SCRIPT_URI = "assets/maillage/hours.js"
# The repository's own node_modules, for a project that lives elsewhere.
_REPOSITORY = Path(__file__).resolve().parents[2]

log = logging.getLogger("mkdocs.plugins.maillage")


def find_library(root: Path) -> Path | None:
    """``opening_hours.js`` of ``root/node_modules``, else of this repository's, if installed."""
    for base in (root, _REPOSITORY):
        file = base / "node_modules" / LIBRARY / LIBRARY_FILE
        if file.is_file():
            return file
    return None


def table_uri(lang: str) -> str:
    return f"assets/maillage/hours/{lang}.json"


def hours_table(ctx: SiteContext) -> dict[str, dict[str, object]]:
    """Every service with hours or alerts: ``{id: {"h": expression, "c": country, "a": alerts}}``
    (the orientation page's results read it: its own data stays the matcher's)."""
    table: dict[str, dict[str, object]] = {}
    for service in ctx.registry.services.values():
        entry: dict[str, object] = {}
        if service.opening_hours:
            entry.update(h=service.opening_hours, c=country(service))
        rows = service_alerts(ctx, service)
        if rows:
            entry["a"] = rows
        if entry:
            table[service.id] = entry
    return table


def hours_assets(ctx: SiteContext) -> Iterator[Asset]:
    """The table of the page's language; ``hours.js`` and the ``opening_hours`` library once
    (with the first language)."""
    table = json.dumps(hours_table(ctx), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    yield Asset(table_uri(ctx.lang), table.encode("utf-8"))
    if ctx.prefix:
        return
    yield Asset(SCRIPT_URI, (resources.files("generator.site") / "assets" / "hours.js").read_bytes())
    library = find_library(ctx.root)
    if library is None:
        log.warning(t("hours.no_library", speaking()))
        return
    yield Asset(LIBRARY_URI, library.read_bytes())


def country(service: Service) -> str:
    """The country whose public holidays apply: that of the service's first area code."""
    return service.public.area[0].split("-", 1)[0] if service.public.area else "fr"


def status_span(expression: str, country_code: str) -> str:
    """The element ``hours.js`` fills with "Ouvert maintenant · ferme à 17 h" (empty until then)."""
    return (
        f' <span class="maillage-open-status" data-maillage-hours="{esc(expression)}"'
        f' data-maillage-country="{esc(country_code)}" hidden></span>'
    )


def hours_html(ctx: SiteContext, expression: str, country_code: str) -> str:
    """The hours in words (or as written, when they say more than words can), and the live status."""
    words = describe(expression, ctx.lang)
    shown = esc(words) if words else f"<code>{esc(expression)}</code>"
    return shown + status_span(expression, country_code)


def alerts_data(ctx: SiteContext, alerts: Iterable[tuple[Alert, str]]) -> list[dict[str, str]]:
    """The alerts as ``hours.js`` reads them: kind, first and last day, the text in the page's language."""
    rows = []
    for alert, where in alerts:
        text = plain(ctx, alert.text) if alert.text else ""
        if where:
            text = f"{where} : {text}" if text else where
        rows.append(
            {"kind": alert.kind, "from": alert.start.isoformat(), "until": alert.until.isoformat(), "text": text}
        )
    return rows


def service_alerts(ctx: SiteContext, service: Service) -> list[dict[str, str]]:
    """The service's alerts and those of its sites (each named)."""
    pairs: list[tuple[Alert, str]] = [(a, "") for a in service.alerts]
    for site in ctx.registry.sites_of(service):
        pairs += [(a, plain(ctx, site.name)) for a in site.alerts]
    return alerts_data(ctx, pairs)


def alerts_block(ctx: SiteContext, service: Service) -> str:
    """The banners' place: ``hours.js`` shows the alerts current on the visitor's day."""
    rows = service_alerts(ctx, service)
    if not rows:
        return ""
    data = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f'<div class="maillage-alerts" data-maillage-alerts="{esc(data)}" hidden></div>'


def accessibility_labels(ctx: SiteContext, site: Site) -> list[str]:
    """The site's accessibility features, as the vocabulary names them in the page's language."""
    terms = ctx.registry.vocabularies.accessibility
    return [terms[a].label.get(ctx.lang) if a in terms else a for a in site.accessibility or ()]


def site_details(ctx: SiteContext, site: Site, country_code: str) -> str:
    """A site's hours, accessibility and languages, after its name and address."""
    parts = []
    if site.opening_hours:
        parts.append(f"{esc(t('hours.label', ctx.lang))} : {hours_html(ctx, site.opening_hours, country_code)}")
    features = accessibility_labels(ctx, site)
    if features:
        parts.append(f"{esc(t('accessibility.label', ctx.lang))} : {esc(', '.join(features))}")
    if site.languages:
        from .search import language_name  # search.py reads this module's hours_meta

        names = ", ".join(language_name(code, ctx.lang) for code in site.languages)
        parts.append(f"{esc(t('languages', ctx.lang))} : {esc(names)}")
    if not parts:
        return ""
    return '<ul class="maillage-site-details">' + "".join(f"<li>{p}</li>" for p in parts) + "</ul>"


def hours_meta(ctx: SiteContext, service: Service) -> tuple[tuple[str, str], ...]:
    """A search result's hours, holiday country and alerts (Pagefind metadata for ``search.js``)."""
    meta: list[tuple[str, str]] = []
    if service.opening_hours:
        meta += [("hours", service.opening_hours), ("country", country(service))]
    rows = service_alerts(ctx, service)
    if rows:
        meta.append(("alerts", json.dumps(rows, ensure_ascii=False, separators=(",", ":"), sort_keys=True)))
    return tuple(meta)
