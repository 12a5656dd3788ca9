"""Which services and organisations have a page of their own in Dutch and English, and
the links to them (``docs/national-scale.md``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pydantic import BaseModel

from ..registry.loader import Registry
from ..registry.models import LocalizedText
from .context import SiteContext
from .i18n import t
from .markup import esc, href, link, page_url

TRANSLATED_COUNTRIES = ("be",)
"""At national scale, the countries whose territories, services and organisations have Dutch
and English pages whatever their texts: their names and official languages differ; a French
territory's page would differ from the French one only in the interface words (its old Dutch
and English URLs redirect to it)."""

TRANSLATED_PAGES_LIMIT = 300
"""Past this many services, the directory is at national scale (``docs/national-scale.md``):
a service or organisation has a Dutch (English) page only where it differs from the French
one in more than the interface words — its own texts (those of its sites included) exist in
Dutch (English), or it is Belgian (an area or a site in a country of
``TRANSLATED_COUNTRIES``). The others' Dutch and English URLs are small pages that send to
the French page and keep the service findable by a Dutch (English) search
(``french_only_page``); links from Dutch and English pages go straight to the French page.
Below it (the shipped registry: 45 services) every record has its page in every language."""

OTHER_LANGUAGES = ("nl", "en")  # the languages besides French a site may have: found in one walk

_PAGES_CACHE: dict[int, tuple[Registry, dict[str, frozenset[str]]]] = {}


def _texts(value: object) -> Iterator[LocalizedText]:
    """The registry texts inside ``value`` (a record, a list of them…)."""
    if isinstance(value, LocalizedText):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name != "services":  # an organisation's services are records of their own
                yield from _texts(getattr(value, name))


def _translated_records(registry: Registry, lang: str) -> frozenset[str]:
    """The ids of the services and organisations with a page of their own in ``lang`` at
    national scale (``TRANSLATED_PAGES_LIMIT``), computed once per registry and language."""
    cached = _PAGES_CACHE.get(0)
    if cached is None or cached[0] is not registry:
        _PAGES_CACHE.clear()  # one registry per build: never keep an old one alive
        cached = _PAGES_CACHE[0] = (registry, {})
    found = cached[1].get(lang)
    if found is None:
        # Every language at once: walking the records' texts is the cost (1.8 s at 10,000
        # services), asking each text for a language is not.
        languages = sorted({lang, *OTHER_LANGUAGES})
        ids: dict[str, set[str]] = {language: set() for language in languages}
        for service in registry.services.values():
            sites = registry.sites_of(service)
            codes = [*service.public.area, *(registry.site_territory.get(s.id, "") for s in sites)]
            belgian = any(code.startswith(TRANSLATED_COUNTRIES) for code in codes)
            texts = [] if belgian else list(_texts([service, sites]))
            for language in languages:
                if belgian or any(text.has(language) for text in texts):
                    ids[language].add(service.id)
        for organisation in registry.organisations.values():
            texts = list(_texts(organisation))
            for language in languages:
                if any(s.id in ids[language] for s in organisation.services) or any(
                    text.has(language) for text in texts
                ):
                    ids[language].add(organisation.id)
        for language in languages:
            cached[1][language] = frozenset(ids[language])
        found = cached[1][lang]
    return found


def known_before_forking(contexts: Iterable[SiteContext]) -> None:
    """Work out which records have a page of their own in each context's language now,
    once, so that the processes forked next share it: each generating process that asks
    ``has_own_page`` (services, organisations, map, orientation, selection) otherwise walks
    every text of the registry again (1.8 s of one core for Dutch and English at 10,000 services)."""
    for ctx in contexts:
        has_own_page(ctx, "")


def has_own_page(ctx: SiteContext, record_id: str) -> bool:
    """Whether the service or organisation ``record_id`` has a page of its own in the
    context's language (``TRANSLATED_PAGES_LIMIT``); else its page is the French one."""
    registry = ctx.registry
    if not ctx.prefix or len(registry.services) <= TRANSLATED_PAGES_LIMIT:
        return True
    return record_id in _translated_records(registry, ctx.lang)


def record_link(ctx: SiteContext, from_url: str, path: str, record_id: str, text: str) -> str:
    """A link (``text`` escaped) to the page at ``path`` (without language prefix) of the
    service or organisation ``record_id``: in the context's language, else straight to the
    French page, marked ``hreflang`` and followed by a visible « (in het Frans) »."""
    if has_own_page(ctx, record_id):
        return link(from_url, page_url(ctx, path), text)
    default = ctx.config.languages[0]
    hint = f' <small class="maillage-french-only">({esc(t("js.page.french_only", ctx.lang))})</small>'
    return f'<a href="{esc(href(from_url, path))}" hreflang="{default}" lang="{default}">{esc(text)}</a>{hint}'
