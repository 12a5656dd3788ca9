"""« Ma sélection » (``selection/`` per language): the services a professional starred.

The stars are ``<button aria-pressed>``s on service pages, service lists, search and
orientation results (``assets/maillage/selection.js`` makes them work); the starred ids
stay in the browser's ``localStorage``, nothing leaves the device. The page lists them,
prints them as a one-page network list and downloads them as CSV, all in the browser.

What the page shows of each service comes from small JSON files written here,
``assets/maillage/selection/<lang>/<k>.json``: one record per service (name,
organisation, contacts, address or area, how to ask, status, page), split into buckets
by a hash of the id that ``selection.js`` computes too, so that the page fetches only
the buckets its few services are in, at any size of registry. The orientation's data
was the other candidate; it has no addresses, is French only and leaves out planned and
closed services, which a selection must still show (as such).

The text a service is shared with (copy, SMS, e-mail) is ``assets/maillage/share.js``'s,
shipped here too: the service pages, the orientation results and this page use it.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterator
from importlib import resources
from typing import Any

from ..locale import N_
from ..registry.models import Service
from .context import Asset, GeneratedPage, SiteContext
from .i18n import t
from .markup import esc, front_matter, page_url, plain
from .pages import STATUS_KEYS, contacts_shown, service_url, share_info
from .record_languages import has_own_page

PAGE_DIR = "selection/"
DATA_DIR = "assets/maillage/selection/"
SELECTION_SCRIPT = "assets/maillage/selection.js"
SHARE_SCRIPT = "assets/maillage/share.js"
PER_BUCKET = 100  # records per data file, on average: a page fetches a few small files

# The words the page's script needs, sent in the page (data-labels): it works from disk too.
PAGE_WORDS = (
    N_("js.selection.mark"),
    N_("js.selection.star"),
    N_("js.selection.added"),
    N_("js.selection.removed"),
    N_("js.selection.count"),
    N_("js.selection.empty"),
    N_("js.selection.missing"),
    N_("js.selection.remove"),
    N_("js.selection.remove_name"),
    N_("js.selection.cleared"),
    N_("js.selection.printed"),
    N_("js.selection.organisation"),
    N_("js.selection.service"),
    N_("js.selection.page"),
    N_("js.selection.file_protocol"),
    N_("js.selection.load_failed"),
    N_("js.selection.confirm_clear"),
    N_("js.selection.status"),
    N_("js.share.address"),
    N_("js.orient.area"),
    N_("js.orient.copied"),
    N_("js.orient.copy_text"),
    N_("js.orient.email"),
    N_("js.orient.how"),
    N_("js.orient.line"),
    N_("js.orient.mail"),
    N_("js.orient.phone"),
    N_("js.orient.pro_contact"),
    N_("js.orient.send"),
    N_("js.orient.sms"),
    N_("js.orient.web"),
)


def bucket_count(services: int) -> int:
    """How many data files the records are spread over."""
    return max(1, math.ceil(services / PER_BUCKET))


def bucket_of(service_id: str, buckets: int) -> int:
    """The data file of a service: FNV-1a (32 bits) of its id, as ``selection.js``'s ``bucketOf``."""
    encoded = service_id.encode("utf-16-le")
    value = 0x811C9DC5
    for unit in struct.unpack(f"<{len(encoded) // 2}H", encoded):  # UTF-16 code units, as charCodeAt
        value ^= unit
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value % buckets


def record(ctx: SiteContext, service: Service) -> dict[str, Any]:
    """What the page shows of one service: the share text's facts (``share_info``), the
    organisation, every contact shown on its page (a professional build's marked), its
    status when it is not active, and its page (site path, language prefix included)."""
    organisation = ctx.registry.organisation_of(service.id)
    contacts = []
    for contact in contacts_shown(ctx, service)[0]:
        row = [contact.kind, contact.value, plain(ctx, contact.label)]
        if contact.visibility != "public":
            row.append("pro")
        contacts.append(row)
    data: dict[str, Any] = dict(share_info(ctx, service))
    data["organisation"] = plain(ctx, organisation.name)
    data["contacts"] = contacts
    # A service without a page in this language: its French page (record_languages).
    data["url"] = page_url(ctx, service_url(service.id)) if has_own_page(ctx, service.id) else service_url(service.id)
    if service.status.state != "active":
        data["status"] = t(STATUS_KEYS[service.status.state], ctx.lang)
    return data


def selection_files(ctx: SiteContext) -> dict[str, bytes]:
    """The records of ``ctx.lang``, by data file URI."""
    services = ctx.registry.services
    buckets = bucket_count(len(services))
    chunks: list[dict[str, Any]] = [{} for _ in range(buckets)]
    for service_id, service in sorted(services.items()):
        chunks[bucket_of(service_id, buckets)][service_id] = record(ctx, service)
    return {
        f"{DATA_DIR}{ctx.lang}/{k}.json": json.dumps(
            chunk, ensure_ascii=False, separators=(",", ":"), sort_keys=True
        ).encode("utf-8")
        for k, chunk in enumerate(chunks)
    }


def page_words(lang: str) -> dict[str, str]:
    return {key: t(key, lang) for key in PAGE_WORDS}


def words_attribute(lang: str) -> str:
    """The words the scripts need, as the value of a ``data-maillage-words`` attribute."""
    return esc(json.dumps(page_words(lang), ensure_ascii=False, separators=(",", ":"), sort_keys=True))


# Raw HTML with no blank line inside: Markdown leaves a block-level element alone.
PAGE = """<div id="maillage-selection" class="maillage-selection" data-src="{data}" data-buckets="{buckets}"
 data-site="{site}" data-maillage-words="{words}">
<p class="maillage-selection-count"></p>
<p class="maillage-selection-actions" hidden>
 <button type="button" class="md-button" data-action="print">{print}</button>
 <button type="button" class="md-button" data-action="csv">{csv}</button>
 <button type="button" class="md-button" data-action="clear">{clear}</button></p>
<p class="maillage-selection-date"></p>
<ol class="maillage-selection-list"></ol>
<noscript><p>{noscript}</p></noscript>
</div>
<script src="{share}"></script>
<script src="{script}"></script>
"""


def selection_markdown(ctx: SiteContext) -> str:
    """The page in ``ctx.lang``: an empty list that ``selection.js`` fills."""
    lang = ctx.lang
    up = "../" * (ctx.prefix + PAGE_DIR).count("/")
    title = t("selection.title", lang)
    meta = {"title": esc(title), "maillage_lang": lang, "maillage_kind": "selection"}
    body = PAGE.format(
        data=esc(f"{up}{DATA_DIR}{lang}/"),
        buckets=bucket_count(len(ctx.registry.services)),
        site=esc(up or "./"),
        words=words_attribute(lang),
        print=esc(t("selection.print", lang)),
        csv=esc(t("selection.csv", lang)),
        clear=esc(t("selection.clear", lang)),
        noscript=esc(t("selection.noscript", lang)),
        share=esc(up + SHARE_SCRIPT),
        script=esc(up + SELECTION_SCRIPT),
    )
    intro = f'<p class="maillage-selection-intro">{esc(t("selection.intro", lang))}</p>'
    return front_matter(meta) + f"{intro}\n\n{body}"


def selection_page(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """The page and its data in ``ctx.lang`` (its scripts are ``script_assets``)."""
    yield GeneratedPage(uri=ctx.prefix + PAGE_DIR + "index.md", content=selection_markdown(ctx))
    for uri, content in selection_files(ctx).items():
        yield Asset(uri=uri, content=content)


def script_assets(ctx: SiteContext) -> Iterator[Asset]:
    """share.js and selection.js, once (the first language's turn). The orientation page's
    provider ships them: its results need them, and it is built alone in tests."""
    if not ctx.prefix:
        assets = resources.files("generator.site") / "assets"
        yield Asset(uri=SHARE_SCRIPT, content=(assets / "share.js").read_bytes())
        yield Asset(uri=SELECTION_SCRIPT, content=(assets / "selection.js").read_bytes())
