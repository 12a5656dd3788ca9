"""The registry as open files: one JSON document and one CSV per table, and their page.

Everything is built from the audience-filtered registry of the context, so a public build
never ships a professional contact. CSV cells that a spreadsheet would run as a formula
(starting with ``= + - @``, tab or carriage return) are neutralised with a leading ``'``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from ..exchange.csvsafe import neutralise
from ..exchange.hsds import zip_bytes
from ..locale import N_
from ..registry.loader import Audience, Registry
from .context import Asset, GeneratedPage, SiteContext
from .downloads_hsds import HSDS_DIR, HSDS_ZIP, TEMPLATE_CSV, TEMPLATE_XLSX, loose_files
from .i18n import number, t
from .markup import esc, front_matter, page_url

DOWNLOADS = "downloads/"
JSON_NAME = "maillage.json"
JSON_ZIP = JSON_NAME + ".zip"  # past downloads_hsds.LOOSE_LIMIT services: the JSON in a zip (40 MB → 4 MB at 10,000)
# What the downloads page says of each table and of the build's audience, as catalogue keys.
TABLE_KEYS = {
    "services": N_("table.services"),
    "organisations": N_("table.organisations"),
    "sites": N_("table.sites"),
    "contacts": N_("table.contacts"),
    "areas": N_("table.areas"),
    "service_needs": N_("table.service_needs"),
    "service_functions": N_("table.service_functions"),
    "sources": N_("table.sources"),
}
AUDIENCE_KEYS = {"public": N_("downloads.audience.public"), "professional": N_("downloads.audience.professional")}


@dataclass(frozen=True)
class Table:
    """One CSV table: its file name, header and rows."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def tables(registry: Registry) -> list[Table]:
    """The registry as flat tables (French text; other languages in their own columns)."""
    Row = tuple[object, ...]
    services: list[Row] = []
    organisations: list[Row] = []
    sites: list[Row] = []
    contacts: list[Row] = []
    areas: list[Row] = []
    needs: list[Row] = []
    functions: list[Row] = []
    for org_id, organisation in sorted(registry.organisations.items()):
        organisations.append(
            (
                org_id,
                organisation.name.get("fr"),
                organisation.short_name,
                organisation.legal_form,
                organisation.website,
                registry.files[org_id],
            )
        )
        for site in organisation.sites:
            address = site.address
            coordinates = site.coordinates
            sites.append(
                (
                    site.id,
                    org_id,
                    site.name.get("fr"),
                    address.street if address else None,
                    address.postcode if address else None,
                    address.city if address else None,
                    registry.site_territory.get(site.id),
                    coordinates.lat if coordinates else None,
                    coordinates.lon if coordinates else None,
                )
            )
        for i, contact in enumerate(organisation.contacts):
            contacts.append(
                (
                    "organisation",
                    org_id,
                    i + 1,
                    contact.kind,
                    contact.value,
                    contact.label.get("fr") if contact.label else None,
                    contact.visibility,
                )
            )
    for service_id, service in registry.services.items():
        age = service.public.age
        services.append(
            (
                service_id,
                registry.service_organisation[service_id],
                service.name.get("fr"),
                service.name.nl,
                service.name.en,
                service.status.state,
                service.programme,
                service.public.summary.get("fr") if service.public.summary else None,
                age.min if age else None,
                age.max if age else None,
                " ".join(service.public.housing) if service.public.housing is not None else None,
                " ".join(service.access.referrers) if service.access.referrers is not None else None,
                service.access.professional_requesters,
                service.capacity.places if service.capacity else None,
                service.objective.get("fr"),
                service.verified.isoformat(),
                registry.files[service_id],
            )
        )
        for i, contact in enumerate(service.contacts):
            contacts.append(
                (
                    "service",
                    service_id,
                    i + 1,
                    contact.kind,
                    contact.value,
                    contact.label.get("fr") if contact.label else None,
                    contact.visibility,
                )
            )
        for code in service.public.area:
            territory = registry.gazetteer.get(code)
            areas.append(
                (service_id, code, territory.name if territory else None, territory.level if territory else None)
            )
        needs.extend((service_id, need) for need in service.needs)
        functions.extend((service_id, function) for function in service.functions)
    sources = [
        (s.id, s.title, s.publisher, s.date.isoformat() if s.date else None, s.url)
        for s in sorted(registry.sources.values(), key=lambda s: s.id)
    ]

    def table(name: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Table:
        return Table(name, tuple(header), tuple(tuple(_cell(v) for v in row) for row in rows))

    return [
        table(
            "services",
            (
                "id",
                "organisation",
                "name_fr",
                "name_nl",
                "name_en",
                "status",
                "programme",
                "public_summary",
                "age_min",
                "age_max",
                "housing",
                "referrers",
                "professional_requesters",
                "places",
                "objective",
                "verified",
                "file",
            ),
            services,
        ),
        table("organisations", ("id", "name", "short_name", "legal_form", "website", "file"), organisations),
        table("sites", ("id", "organisation", "name", "street", "postcode", "city", "territory", "lat", "lon"), sites),
        table("contacts", ("owner_type", "owner", "rank", "kind", "value", "label", "visibility"), contacts),
        table("areas", ("service", "territory", "territory_name", "level"), areas),
        table("service_needs", ("service", "need"), needs),
        table("service_functions", ("service", "function"), functions),
        table("sources", ("id", "title", "publisher", "date", "url"), sources),
    ]


def csv_bytes(table: Table) -> bytes:
    """A table as UTF-8 CSV (with BOM, so spreadsheets read the accents), formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def registry_json(registry: Registry, audience: Audience) -> bytes:
    """The whole registry as one JSON document, as nested as the YAML files.

    Written without indentation, each model by pydantic's own JSON serialiser: the
    document is 40 MB at 10,000 services, and ``json.dumps`` with an indent runs Python's
    encoder, not its C one (3.0 s against 0.5 s at that size, bench/README.md). A browser
    or ``jq`` shows it indented to whoever reads it.
    """

    def organisation(org_id: str) -> str:
        model = registry.organisations[org_id].model_dump_json(exclude_none=True)
        file = json.dumps(registry.files[org_id], ensure_ascii=False)
        return f'{{"file":{file},' + model[1:]  # a model has its id: never "{}"

    def models(items: Iterable[BaseModel]) -> str:
        return ",".join(item.model_dump_json(exclude_none=True) for item in items)

    newest = registry.newest_verification.isoformat() if registry.newest_verification else None
    head = json.dumps({"audience": audience, "newest_verification": newest}, ensure_ascii=False, separators=(",", ":"))
    document = "".join(
        (
            head[:-1],
            ',"organisations":[',
            ",".join(organisation(org_id) for org_id in sorted(registry.organisations)),
            '],"programmes":[',
            models(p for _, p in sorted(registry.programmes.items())),
            '],"sources":[',
            models(s for _, s in sorted(registry.sources.items())),
            "]}\n",
        )
    )
    return document.encode("utf-8")


def download_assets(ctx: SiteContext) -> Iterator[Asset]:
    """The files themselves: written once, with the default language's pages."""
    data = registry_json(ctx.registry, ctx.config.audience)
    if loose_files(ctx):
        yield Asset(DOWNLOADS + JSON_NAME, data)
    else:  # a national directory's registry is tens of megabytes of JSON: compressed
        yield Asset(DOWNLOADS + JSON_ZIP, zip_bytes({JSON_NAME: data}))
    for table in tables(ctx.registry):
        yield Asset(f"{DOWNLOADS}{table.name}.csv", csv_bytes(table))


def download_files(ctx: SiteContext) -> Iterator[Asset]:
    """The files of the downloads page, once (with the default language's pages)."""
    if ctx.lang == ctx.config.languages[0]:
        yield from download_assets(ctx)


def table_sizes(registry: Registry) -> dict[str, int]:
    """How many rows each table of ``tables`` has, without making them."""
    services = registry.services.values()
    organisations = registry.organisations.values()
    return {
        "services": len(registry.services),
        "organisations": len(registry.organisations),
        "sites": sum(len(o.sites) for o in organisations),
        "contacts": sum(len(o.contacts) for o in organisations) + sum(len(s.contacts) for s in services),
        "areas": sum(len(s.public.area) for s in services),
        "service_needs": sum(len(s.needs) for s in services),
        "service_functions": sum(len(s.functions) for s in services),
        "sources": len(registry.sources),
    }


def downloads(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """The downloads page (each language) and the files (once)."""
    yield from downloads_page(ctx)
    yield from download_files(ctx)


def downloads_page(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """The downloads page, in each language (the files are ``download_files``')."""
    lang = ctx.lang
    url = page_url(ctx, DOWNLOADS)
    base = "../" * url.count("/")  # the files sit under the root's downloads/, whatever the language

    def file_link(name: str) -> str:
        return f'<a href="{esc(base + DOWNLOADS + name)}" download="">{esc(name)}</a>'

    audience = t(AUDIENCE_KEYS[ctx.config.audience], lang)
    json_link = file_link(JSON_NAME) if loose_files(ctx) else f"{file_link(JSON_ZIP)} ({esc(t('downloads.zip', lang))})"
    # A large registry's export is published as the zip only (downloads_hsds.LOOSE_LIMIT).
    loose = loose_files(ctx)
    hsds = "".join(
        f"<li>{file_link(uri.removeprefix(DOWNLOADS))} — {esc(t(key, lang))}</li>"
        for uri, key, shown in (
            (HSDS_ZIP, N_("downloads.hsds.zip"), True),
            (HSDS_DIR + "services.ndjson", N_("downloads.hsds.services"), loose),
            (HSDS_DIR + "organizations.ndjson", N_("downloads.hsds.organizations"), loose),
            (HSDS_DIR + "datapackage/datapackage.json", N_("downloads.hsds.datapackage"), True),
            (TEMPLATE_XLSX, N_("downloads.template"), True),
            (TEMPLATE_CSV, N_("downloads.template"), True),
        )
        if shown
    )
    items = "".join(
        f"<li>{file_link(name + '.csv')} — {esc(t(TABLE_KEYS[name], lang))} <small>({number(size, lang)})</small></li>"
        for name, size in table_sizes(ctx.registry).items()
    )
    content = (
        front_matter({"title": esc(t("downloads", lang)), "maillage_lang": lang, "maillage_kind": "downloads"})
        + f'<div class="maillage-section"><p>{esc(t("downloads.intro", lang))}</p><p>{esc(audience)}</p>'
        + f"<ul><li>{json_link} — {esc(t('downloads.json', lang))}</li></ul>"
        + f"<p>{esc(t('downloads.csv', lang))}</p><ul>{items}</ul>"
        + f"<p>{esc(t('downloads.hsds', lang))}</p><ul>{hsds}</ul></div>\n"
    )
    yield GeneratedPage(uri=url + "index.md", content=content)
