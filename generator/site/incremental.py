"""What ``maillage serve`` remembers from one rebuild to the next (the edit loop).

A maintainer saves one registry file; the site must show the change in about a second.
Three things make a full rebuild slow, and this module answers them without mkdocs:

- loading: the registry loader re-reads only the files whose bytes changed
  (``registry.LoadCache``, kept by the plugin);
- generation: the providers remake every page from the registry. ``ServeMemory.generate``
  reuses a provider's previous output when the registry data it reads did not change
  (a fingerprint of that data is the key), and remakes service pages one by one, keyed
  by what each reads (its service, organisation, sites, and which of its area's
  territories have a page). ``DEFERRED`` providers, which make only downloads and data
  files, keep their previous output for the rebuild and are remade afterwards, in the
  background (``take_deferred``, ``apply_deferred``);
- rendering: mkdocs re-renders every page. ``ServeMemory.is_changed`` tells, per generated
  file, whether its content differs from the last good build, so that the plugin renders
  and writes only those (``site/serve_patch.py``). When the *set* of files changes (a
  service added or removed), navigation, language menus and links may change on every
  page: ``plan`` then asks for a full rebuild.

Correctness is checked by ``tests/site/test_incremental.py``: what ``generate`` gives after
an edit equals what the providers give from scratch, and the served site after edits
equals a fresh build.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pydantic import BaseModel

from ..analysis.coverage import geography
from ..registry.dates import reference_date
from ..registry.loader import Registry
from ..registry.territories import Gazetteer
from .context import Asset, GeneratedPage, Provider, SiteContext
from .downloads import download_files, downloads, downloads_page
from .gaps_page import gaps_data, gaps_pages, gaps_report_pages, report_page_uris
from .map_page import map_details, map_page, map_view
from .orient_page import orient_data, orient_form, orient_page
from .pages import (
    organisation_page,
    organisation_pages,
    organisations_in_order,
    organisations_index,
    service_page,
    service_pages,
    service_script,
    services_index,
    typical_verification,
)
from .record_languages import has_own_page
from .territory_pages import (
    TerritoryIndex,
    page_codes,
    territories_index_page,
    territory_index,
    territory_page,
    territory_pages,
    territory_redirects,
)

Item = GeneratedPage | Asset

# Providers whose output does not depend on contacts (phones, e-mails, addresses of
# people): a contact edit, the commonest one, leaves them as they were. Checked by reading
# their modules (no contact field is read there) and by the equivalence test. The search
# panel's files read the vocabularies, the gazetteer and the needs and functions services
# work on; the service maps' area files the areas; the accessibility page and the words
# of the scripts no registry data.
CONTACT_BLIND = frozenset(
    {
        "gaps_report_pages",
        "gaps_data",
        "home_page",
        "need_pages",
        "function_pages",
        "map_view",
        "search_assets",
        "service_map_assets",
        "accessibility_page",
        "words_assets",
    }
)

# Providers that serve runs as their parts (pages, and files no page is made from), so
# that each part has its own key and may be deferred; a build runs each as one provider
# (in a parallel build, one process: the gap report is made once).
PARTS: dict[Provider, tuple[Provider, ...]] = {
    downloads: (downloads_page, download_files),
    map_page: (map_view, map_details),
    gaps_pages: (gaps_report_pages, gaps_data),
    orient_page: (orient_form, orient_data),
}

# Providers that make only files no page is made from (downloads, the orientation tool's
# data): after an edit, serve writes the pages first and remakes these in the background
# (``ServeMemory.take_deferred``), the files served meanwhile being the previous ones.
DEFERRED = frozenset({"hsds_downloads", "download_files", "orient_data", "map_details", "gaps_data"})

# Providers of pages that no other page is made from and whose URIs are known without
# making them (the function gives them): after an edit that leaves their URIs as they
# were, serve remakes them in the background too, and writes those that changed right
# after the browsers reloaded the edited file's pages.
DEFERRED_PAGES: dict[str, Callable[[SiteContext], list[str]]] = {"gaps_report_pages": report_page_uris}


def digest(content: str | bytes) -> bytes:
    """A short fingerprint of a file's content (equal contents give equal digests)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.blake2b(data, digest_size=16).digest()


def _fingerprint(parts: Iterable[str | bytes]) -> bytes:
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
        hasher.update(b"\x00")
    return hasher.digest()


@dataclass(frozen=True)
class RegistryPrints:
    """Fingerprints of the parts of a registry that providers read."""

    whole: bytes  # everything: any change remakes the provider
    contact_blind: bytes  # everything but contacts
    base: bytes  # the settings and the reference data


_WITHOUT: dict[str, Any] = {
    "full": None,
    "blind": {"contacts": True, "services": {"__all__": {"contacts"}}},  # no contact anywhere
    "own": {"services": True},  # the organisation itself, what each of its service pages reads
    "service_blind": {"contacts": True},  # a service as territory pages and the gap report read it
}


class Dumps:
    """Fingerprints of models, made once per object: an organisation loaded unchanged is
    the same object from one rebuild to the next (``LoadCache``) and is not serialised again."""

    def __init__(self) -> None:
        self._kept: dict[tuple[int, str], tuple[BaseModel, bytes]] = {}
        self._used: set[tuple[int, str]] = set()

    def __call__(self, model: BaseModel, what: str = "full") -> bytes:
        """The fingerprint of ``model``'s JSON, without the parts ``what`` leaves out (``_WITHOUT``)."""
        key = (id(model), what)
        entry = self._kept.get(key)
        if entry is None or entry[0] is not model:
            entry = self._kept[key] = (model, digest(model.model_dump_json(exclude=_WITHOUT[what])))
        self._used.add(key)
        return entry[1]

    def seed(self, model: BaseModel, what: str, value: bytes) -> None:
        """Know ``model``'s fingerprint without serialising it: what an earlier build found
        for the same file (``provider_cache.PrintsMemo``)."""
        self._kept[(id(model), what)] = (model, value)

    def known(self, model: BaseModel, what: str) -> bytes | None:
        """``model``'s fingerprint if it was asked for or seeded, else None."""
        entry = self._kept.get((id(model), what))
        return entry[1] if entry is not None and entry[0] is model else None

    def prune(self) -> None:
        """Forget the models not asked for since the last ``prune`` (they are gone)."""
        self._kept = {k: v for k, v in self._kept.items() if k in self._used}
        self._used = set()


def registry_prints(registry: Registry, settings: str, dumps: Dumps | None = None) -> RegistryPrints:
    """Fingerprint ``registry`` as it is read by the providers, with ``settings`` (config, date).

    ``dumps`` keeps the models' JSON from one call to the next (see ``Dumps``).
    """
    # The reference data (gazetteer, vocabularies, programmes, sources) change rarely: any
    # change of them changes every key through `base`.
    # The gazetteer is large: the plugin puts the state of its files into `settings`.
    base = _fingerprint(
        [
            settings,
            repr(registry.vocabularies),
            *(p.model_dump_json() for p in registry.programmes.values()),
            *(s.model_dump_json() for s in registry.sources.values()),
        ]
    )
    known = dumps if dumps is not None else Dumps()
    full: dict[str, bytes] = {}
    blind: dict[str, bytes] = {}
    for organisation in registry.organisations.values():
        path = registry.files.get(organisation.id, organisation.id)
        full[path] = _fingerprint([base, path, known(organisation)])
        blind[path] = _fingerprint([base, path, known(organisation, "blind")])
    return RegistryPrints(
        whole=_fingerprint([base, *(f"{k}{v.hex()}" for k, v in sorted(full.items()))]),
        contact_blind=_fingerprint([base, *(f"{k}{v.hex()}" for k, v in sorted(blind.items()))]),
        base=base,
    )


def provider_name(provider: Provider) -> str:
    """The name a provider is known by in error messages and caches."""
    return str(getattr(provider, "__name__", repr(provider)))


def _page_structure(index: TerritoryIndex) -> tuple[object, ...]:
    """What decides which territories have a page in each language (``has_page``), hence
    every territory link: the same structure, the same links everywhere."""
    reached = frozenset(code for code in index.pages if index.reached(code))
    return (index.scope, index.pages, index.named, reached)


def _reached_by(index: TerritoryIndex, gazetteer: Gazetteer, areas: set[str]) -> set[str]:
    """The territories with a page that a service with an area among ``areas`` may show on:
    those containing the area or lying inside it, as the index and the coverage engine see it."""
    if not areas:
        return set()
    geo = geography(gazetteer)
    found: set[str] = set()
    for code in areas:
        found |= gazetteer.ancestors(code) | geo.containing(code) | geo.touching(code)
    for code in index.pages:
        if not areas.isdisjoint(index.ancestors_of.get(code, ())) or not areas.isdisjoint(geo.containing(code)):
            found.add(code)
    return found


@dataclass(frozen=True)
class KeyedItem:
    """One item of a provider made item by item (``keyed_items``)."""

    id: str  # the record it shows (a service or organisation id), or ":index"
    key: bytes | None  # a fingerprint of all it reads; None: made every time (small, no key)
    make: Callable[[], Item]


def keyed_items(provider: Provider, context: SiteContext, prints: RegistryPrints, dumps: Dumps) -> Iterator[KeyedItem]:
    """What ``provider`` (one of ``KEYED``) makes for ``context``, in its order, one item at a
    time, each with the key of what it reads: an item whose key did not change is the same.

    ``maillage serve`` keeps the items in memory under these keys (``ServeMemory``), ``maillage
    build`` on disk (``site/provider_cache.py``).
    """
    if provider is service_pages:
        return _service_items(context, prints, dumps)
    if provider is organisation_pages:
        return _organisation_items(context, prints, dumps)
    raise ValueError(f"{provider_name(provider)} is not made item by item")


def _service_items(context: SiteContext, prints: RegistryPrints, dumps: Dumps) -> Iterator[KeyedItem]:
    """``pages.service_pages``, each page keyed by what it reads."""
    registry = context.registry
    today = reference_date()
    # Every page compares its verification date with the registry's typical one.
    typical = typical_verification(list(registry.services.values()))
    index = territory_index(registry, context.config.scope)
    lang = context.lang if context.prefix else None
    for service in registry.services.values():
        path = registry.files[service.id]
        # A service page reads the service, its organisation (name, contacts, sites),
        # the sites it names (another organisation's too), and which of its area's
        # territories have a page in this language (its area links to them), besides
        # the reference data: all are in the key, and nothing else.
        organisation = registry.organisation_of(service.id)
        sites = [
            part
            for s in service.sites
            if s in registry.sites
            for part in (dumps(registry.sites[s]), registry.site_territory.get(s, ""))
        ]
        own_sites = ",".join(registry.site_territory.get(s.id, "") for s in organisation.sites)
        links = "".join(
            f"{code}{index.has_page(code, None):d}{index.has_page(code, lang):d}" for code in service.public.area
        )
        # Whether it and its organisation have a page of their own in this language (a
        # registry past record_languages' limit sends the others to the French page).
        own_pages = f"{has_own_page(context, service.id):d}{has_own_page(context, organisation.id):d}"
        key = _fingerprint(
            [
                prints.base,
                dumps(service),
                dumps(organisation, "own"),
                *sites,
                own_sites,
                links,
                own_pages,
                path,
                typical.isoformat() if typical else "",
            ]
        )
        yield KeyedItem(service.id, key, partial(service_page, context, service, today, typical))
    # The index of services lists names and summaries, no contact.
    yield KeyedItem(":index", prints.contact_blind, partial(services_index, context))
    for asset in service_script(context):  # small files read from the package
        yield KeyedItem(asset.uri, None, partial(_same, asset))


def _organisation_items(context: SiteContext, prints: RegistryPrints, dumps: Dumps) -> Iterator[KeyedItem]:
    """``pages.organisation_pages``, each page keyed by what it reads: its organisation, and
    which of it and its services have a page of their own in the language."""
    organisations = organisations_in_order(context)
    for organisation in organisations:
        path = context.registry.files[organisation.id]
        # Its page links to each of its services' page in this language, or to the French one.
        ids = [organisation.id, *(service.id for service in organisation.services)]
        own_pages = "".join(f"{has_own_page(context, record):d}" for record in ids)
        key = _fingerprint([prints.base, dumps(organisation), own_pages, path])
        yield KeyedItem(organisation.id, key, partial(organisation_page, context, organisation))
    # The index lists names and numbers of services, no contact.
    yield KeyedItem(":index", prints.contact_blind, partial(organisations_index, context, organisations))


def _same(item: Item) -> Item:
    return item


# Providers made item by item (``keyed_items``).
KEYED: frozenset[Provider] = frozenset({service_pages, organisation_pages})


@dataclass(frozen=True)
class TerritoryPages:
    """One language's territory pages, and what they were made from (``_territory_pages``)."""

    base: bytes
    structure: tuple[object, ...]
    services: dict[str, tuple[bytes, tuple[str, ...]]]  # id -> (fingerprint without contacts, area)
    pages: dict[str, GeneratedPage]  # territory code -> its page
    overview: GeneratedPage  # the index of territories


@dataclass(frozen=True)
class Deferred:
    """A provider's output left for the background (``DEFERRED``), and the key it is made for."""

    name: str
    provider: Provider
    context: SiteContext
    key: bytes


@dataclass
class ServeMemory:
    """The state one ``maillage serve`` keeps across rebuilds (see the module docstring)."""

    # uri -> digest of the content written by the last good build
    written: dict[str, bytes] = field(default_factory=dict)
    # digests of the build in progress, kept only once it succeeds (`commit`)
    pending: dict[str, bytes] = field(default_factory=dict)
    settings: str | None = None  # the configuration the written files were made with
    # (provider, lang) -> (key, items); (service or organisation id, lang) -> (key, page)
    outputs: dict[tuple[str, str], tuple[bytes, list[Item]]] = field(default_factory=dict)
    service_outputs: dict[tuple[str, str], tuple[bytes, GeneratedPage | Asset]] = field(default_factory=dict)
    organisation_outputs: dict[tuple[str, str], tuple[bytes, GeneratedPage | Asset]] = field(default_factory=dict)
    territories: dict[str, TerritoryPages] = field(default_factory=dict)  # by language
    _structure: tuple[TerritoryIndex, tuple[object, ...]] | None = None  # of the last index
    stats: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    deferred: list[Deferred] = field(default_factory=list)  # left by the last `generate`
    # uri -> (the item written, its digest), for is_changed; and those of the build in progress
    _items: dict[str, tuple[Item, bytes]] = field(default_factory=dict)
    _pending_items: dict[str, tuple[Item, bytes]] = field(default_factory=dict)
    held: dict[str, tuple[Item, bytes]] = field(default_factory=dict)  # see commit
    dumps: Dumps = field(default_factory=Dumps)

    # --- generation -------------------------------------------------------------------------

    def generate(
        self,
        contexts: list[SiteContext],
        providers: list[Provider],
        settings: str,
        *,
        defer: frozenset[str] = frozenset(),
    ) -> Iterator[tuple[str, Item]]:
        """Every provider's output in each context's language, reusing what did not change.

        Yields ``(provider name, item)`` in the order the providers would (``PARTS`` in the
        order of their whole). A provider (or part) named
        in ``defer`` whose input changed yields its previous output, and is left in
        ``deferred`` for ``take_deferred`` (it runs now when it has no previous output).
        """
        self.deferred = []
        if not contexts:
            return
        prints = registry_prints(contexts[0].registry, f"{settings}|{reference_date().isoformat()}", self.dumps)
        self.stats = defaultdict(int)
        used: set[tuple[str, str]] = set()
        used_services: set[tuple[str, str]] = set()
        used_organisations: set[tuple[str, str]] = set()
        for context in contexts:
            for whole, provider in ((w, p) for w in providers for p in PARTS.get(w, (w,))):
                name = provider_name(provider)
                owner = provider_name(whole)
                if provider in KEYED:
                    records = used_services if provider is service_pages else used_organisations
                    for page in self._keyed_pages(provider, context, prints, records):
                        yield owner, page
                    used.add((f"{name}:index", context.lang))
                    continue
                if provider is territory_pages:
                    yield from ((owner, page) for page in self._territory_pages(context, prints))
                    continue
                key = prints.contact_blind if name in CONTACT_BLIND else prints.whole
                used.add((name, context.lang))
                cached = self.outputs.get((name, context.lang))
                if cached is not None and cached[0] == key:
                    self.stats["reused"] += len(cached[1])
                    items = cached[1]
                elif cached is not None and name in defer and self._same_pages(name, context, cached[1]):
                    self.deferred.append(Deferred(name, provider, context, key))
                    self.stats["deferred"] += len(cached[1])
                    items = cached[1]
                else:
                    items = list(provider(context))
                    self.stats["made"] += len(items)
                    self.outputs[(name, context.lang)] = (key, items)
                for item in items:
                    yield owner, item
        # Forget what this registry no longer makes (a removed service, provider or language).
        self.outputs = {k: v for k, v in self.outputs.items() if k in used}
        self.service_outputs = {k: v for k, v in self.service_outputs.items() if k in used_services}
        self.organisation_outputs = {k: v for k, v in self.organisation_outputs.items() if k in used_organisations}
        self.territories = {k: v for k, v in self.territories.items() if k in {c.lang for c in contexts}}
        self.dumps.prune()

    @staticmethod
    def _same_pages(name: str, context: SiteContext, items: list[Item]) -> bool:
        """Whether a deferred provider makes the URIs of ``items`` again (files: taken as yes)."""
        predict = DEFERRED_PAGES.get(name)
        return predict is None or predict(context) == [item.uri for item in items]

    def _keyed_pages(
        self,
        provider: Provider,
        context: SiteContext,
        prints: RegistryPrints,
        used: set[tuple[str, str]],
    ) -> Iterator[Item]:
        """``provider`` (one of ``KEYED``) one item at a time: an item is remade when what it
        reads changed (``keyed_items``)."""
        records = self.service_outputs if provider is service_pages else self.organisation_outputs
        for keyed in keyed_items(provider, context, prints, self.dumps):
            if keyed.key is None:
                yield keyed.make()
                continue
            if keyed.id.startswith(":"):  # the index: kept with the providers' outputs
                name = (f"{provider_name(provider)}{keyed.id}", context.lang)
                cached_index = self.outputs.get(name)
                if cached_index is not None and cached_index[0] == keyed.key:
                    yield from cached_index[1]
                else:
                    index = keyed.make()
                    self.outputs[name] = (keyed.key, [index])
                    yield index
                continue
            name = (keyed.id, context.lang)
            used.add(name)
            cached = records.get(name)
            if cached is not None and cached[0] == keyed.key:
                self.stats["reused"] += 1
                yield cached[1]
                continue
            page = keyed.make()
            self.stats["made"] += 1
            records[name] = (keyed.key, page)
            yield page

    def _territory_pages(self, context: SiteContext, prints: RegistryPrints) -> Iterator[Item]:
        """``territory_pages``, remaking only the pages an edit of services reaches.

        A territory page lists the services whose area contains it or lies inside it, with
        what the coverage engine finds uncovered there, and links to territories that have
        a page. While the territories with a page are the same (``_page_structure``), a
        page changes only when a service it may show changed: one whose area, before or
        after the edit, contains the territory, lies inside it or touches it.
        """
        registry = context.registry
        index = territory_index(registry, context.config.scope)
        services = {s.id: (self.dumps(s, "service_blind"), tuple(s.public.area)) for s in registry.services.values()}
        if self._structure is None or self._structure[0] is not index:
            self._structure = (index, _page_structure(index))
        structure = self._structure[1]
        previous = self.territories.pop(context.lang, None)  # kept again only once all are made
        dirty: set[str] | None = None
        if previous is not None and previous.base == prints.base and previous.structure == structure:
            changed = {
                i for i in services.keys() | previous.services.keys() if services.get(i) != previous.services.get(i)
            }
            areas = {
                code for i in changed for known in (services, previous.services) for code in known.get(i, (b"", ()))[1]
            }
            dirty = _reached_by(index, registry.gazetteer, areas)
        pages: dict[str, GeneratedPage] = {}
        for code in page_codes(context, index):
            page = (
                previous.pages.get(code) if previous is not None and dirty is not None and code not in dirty else None
            )
            if page is None:
                page = territory_page(context, index, registry.gazetteer[code])
                self.stats["made"] += 1
            else:
                self.stats["reused"] += 1
            pages[code] = page
            yield page
        overview = previous.overview if previous is not None and dirty is not None else None
        if overview is None:
            overview = territories_index_page(context, index)
        yield overview
        yield from territory_redirects(context, index)  # national scale: old URLs (small, made anew)
        self.territories[context.lang] = TerritoryPages(prints.base, structure, services, pages, overview)

    # --- the background's share ----------------------------------------------------------------

    def take_deferred(self) -> list[Deferred]:
        """What the last ``generate`` left for the background (and nothing is left any more)."""
        work, self.deferred = self.deferred, []
        return work

    def apply_deferred(self, done: list[tuple[Deferred, list[Item]]]) -> tuple[list[Item], list[str]]:
        """Remember deferred outputs once made: the files to write, and the URIs no longer made.

        The written digests of files (assets) are updated as if the caller wrote and removed
        them; a changed page is held until the caller says it is written (``mark_written``).
        Raises ``ValueError`` when a deferred provider now makes a file another provider
        makes, or a page comes or goes.
        """
        changed: list[Item] = []
        gone: list[str] = []
        for job, items in done:
            previous = self.outputs.get((job.name, job.context.lang))
            before = {item.uri for item in previous[1]} if previous else set()
            now = {item.uri for item in items}
            clash = sorted(uri for uri in now - before if uri in self.written)
            if clash:
                raise ValueError(f"{job.name} and another provider both make '{clash[0]}'")
            if job.name in DEFERRED_PAGES and now != before:
                raise ValueError(f"{job.name} makes other pages than its URIs said")
            self.outputs[(job.name, job.context.lang)] = (job.key, items)
            for item in items:
                new = digest(item.content)
                if self.written.get(item.uri) == new:
                    self._items[item.uri] = (item, new)
                elif isinstance(item, GeneratedPage):
                    self.held[item.uri] = (item, new)
                    changed.append(item)
                else:
                    self._items[item.uri] = (item, new)
                    self.written[item.uri] = new
                    changed.append(item)
            for uri in sorted(before - now):
                self.written.pop(uri, None)
                self._items.pop(uri, None)
                gone.append(uri)
        return changed, gone

    # --- what mkdocs must rewrite -------------------------------------------------------------

    def plan(self, uris: Iterable[str], settings: str) -> bool:
        """Whether this rebuild must be full: first build, other settings, or another set of files."""
        full = self.settings != settings or set(uris) != self.written.keys()
        self.settings = settings
        self.pending = {}
        self._pending_items = {}
        self.held = {}  # not written: the site still holds what `written` says
        return full

    def is_changed(self, uri: str, content: str | bytes, item: Item | None = None) -> bool:
        """Whether ``uri``'s content differs from the last good build's (and remember it).

        ``item``, what the content comes from, spares fingerprinting it again when it is
        the very object of the last build: what ``generate`` reuses is.
        """
        known = self._items.get(uri) if item is not None else None
        new = known[1] if known is not None and known[0] is item else digest(content)
        self.pending[uri] = new
        if item is not None:
            self._pending_items[uri] = (item, new)
        return self.written.get(uri) != new

    def commit(self, hold: Iterable[str] = ()) -> None:
        """The build succeeded: its files are now what the site holds.

        But for those of ``hold``, still to be written (``mark_written``): until then the
        site holds their previous content, and the next build compares with that.
        """
        held = set(hold)
        self.held = {uri: self._pending_items[uri] for uri in held if uri in self._pending_items}
        for uri in held:
            self.pending.pop(uri, None)
            self._pending_items.pop(uri, None)
            if uri in self.written:
                self.pending[uri] = self.written[uri]
            if uri in self._items:
                self._pending_items[uri] = self._items[uri]
        self.written = self.pending
        self._items = self._pending_items
        self.pending = {}
        self._pending_items = {}

    def mark_written(self, uri: str) -> None:
        """A file ``commit`` held is now written."""
        item, new = self.held.pop(uri)
        self.written[uri] = new
        self._items[uri] = (item, new)

    def forget(self) -> None:
        """A build failed midway: the next one starts from scratch."""
        self.written = {}
        self.pending = {}
        self.settings = None
        self.deferred = []
        self._items = {}
        self._pending_items = {}
        self.held = {}


class Coalescing:
    """Runs ``job`` in a background thread; requests made meanwhile collapse into one more run.

    ``maillage serve`` re-indexes the search this way after each rebuild: the edited page is
    served at once and the search catches up, and a burst of saves costs at most one
    indexing beyond the one under way.
    """

    def __init__(
        self,
        job: Callable[[], object],
        on_error: Callable[[Exception], None],
        name: str = "maillage-search-index",
        *,
        nice: int = 0,
    ) -> None:
        self._job = job
        self._on_error = on_error
        self._name = name
        self._nice = nice
        self._lock = threading.Lock()
        self._wanted = False
        self._thread: threading.Thread | None = None

    def request(self) -> None:
        """Run the job soon (now, or again after the run under way)."""
        with self._lock:
            self._wanted = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        if self._nice and sys.platform.startswith("linux"):
            # On Linux a thread has its own priority, and the processes it starts inherit
            # it: the editor's next rebuild goes before a background Pagefind.
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self._nice)
        while True:
            with self._lock:
                if not self._wanted:
                    self._thread = None
                    return
                self._wanted = False
            try:
                self._job()
            except Exception as exc:  # a failed run must not end the loop: the next save retries
                self._on_error(exc)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no run is under way or wanted; False when ``timeout`` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                thread = self._thread
            if thread is None:
                return True
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            thread.join(left)
