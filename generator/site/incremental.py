"""What ``maillage serve`` remembers from one rebuild to the next (the edit loop).

A maintainer saves one registry file; the site must show the change in about a second.
Two things make a full rebuild slow, and this module answers both without mkdocs:

- generation: the providers remake every page from the registry. ``ServeMemory.generate``
  reuses a provider's previous output when the registry data it reads did not change
  (a fingerprint of that data is the key), and remakes service pages one by one, keyed
  by the registry file that describes the service;
- rendering: mkdocs re-renders every page. ``ServeMemory.is_changed`` tells, per generated
  file, whether its content differs from the last good build, so the plugin can make
  mkdocs' dirty build skip the others. When the *set* of files changes (a service added or
  removed), navigation, language menus and links may change on every page: ``plan`` then
  asks for a full rebuild.

Correctness is checked by ``tests/site/test_incremental.py``: what ``generate`` gives after
an edit equals what the providers give from scratch.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..registry import Registry
from .context import Asset, GeneratedPage, Provider, SiteContext
from .markup import page_url
from .pages import reference_date, service_markdown, service_pages, service_url, services_index

Item = GeneratedPage | Asset

# Providers whose output does not depend on contacts (phones, e-mails, addresses of
# people): a contact edit, the commonest one, leaves them as they were. Checked by reading
# their modules (no contact field is read there) and by the equivalence test.
CONTACT_BLIND = frozenset({"gaps_pages", "territory_pages"})


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
    by_file: dict[str, bytes]  # registry file -> its organisation, sites and services
    areas: bytes  # every service's area and sites: which territory pages exist and link where


def registry_prints(registry: Registry, settings: str) -> RegistryPrints:
    """Fingerprint ``registry`` as it is read by the providers, with ``settings`` (config, date)."""
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
    full: dict[str, bytes] = {}
    blind: dict[str, bytes] = {}
    for organisation in registry.organisations.values():
        path = registry.files.get(organisation.id, organisation.id)
        full[path] = _fingerprint([base, path, organisation.model_dump_json()])
        blind[path] = _fingerprint(
            [
                base,
                path,
                organisation.model_dump_json(
                    exclude={"contacts": True, "services": {"__all__": {"contacts"}}}  # type: ignore[dict-item]
                ),
            ]
        )
    areas = _fingerprint(
        [
            base,
            *(f"{s.id}:{s.public.area}:{s.sites}" for s in registry.services.values()),
            *(f"{k}={v}" for k, v in sorted(registry.site_territory.items())),
        ]
    )
    return RegistryPrints(
        whole=_fingerprint([base, *(f"{k}{v.hex()}" for k, v in sorted(full.items()))]),
        contact_blind=_fingerprint([base, *(f"{k}{v.hex()}" for k, v in sorted(blind.items()))]),
        by_file=full,
        areas=areas,
    )


def provider_name(provider: Provider) -> str:
    """The name a provider is known by in error messages and caches."""
    return str(getattr(provider, "__name__", repr(provider)))


@dataclass
class ServeMemory:
    """The state one ``maillage serve`` keeps across rebuilds (see the module docstring)."""

    # uri -> digest of the content written by the last good build
    written: dict[str, bytes] = field(default_factory=dict)
    # digests of the build in progress, kept only once it succeeds (`commit`)
    pending: dict[str, bytes] = field(default_factory=dict)
    settings: str | None = None  # the configuration the written files were made with
    # (provider, lang) -> (key, items); (service id, lang) -> (key, page)
    outputs: dict[tuple[str, str], tuple[bytes, list[Item]]] = field(default_factory=dict)
    service_outputs: dict[tuple[str, str], tuple[bytes, GeneratedPage]] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    # --- generation -------------------------------------------------------------------------

    def generate(
        self, contexts: list[SiteContext], providers: list[Provider], settings: str
    ) -> Iterator[tuple[str, Item]]:
        """Every provider's output in each context's language, reusing what did not change.

        Yields ``(provider name, item)`` in the order the providers would.
        """
        if not contexts:
            return
        prints = registry_prints(contexts[0].registry, f"{settings}|{reference_date().isoformat()}")
        self.stats = defaultdict(int)
        used: set[tuple[str, str]] = set()
        used_services: set[tuple[str, str]] = set()
        for context in contexts:
            for provider in providers:
                name = provider_name(provider)
                if provider is service_pages:
                    for page in self._service_pages(context, prints, used_services):
                        yield name, page
                    used.add((f"{name}:index", context.lang))
                    continue
                key = prints.contact_blind if name in CONTACT_BLIND else prints.whole
                used.add((name, context.lang))
                cached = self.outputs.get((name, context.lang))
                if cached is not None and cached[0] == key:
                    self.stats["reused"] += len(cached[1])
                    items = cached[1]
                else:
                    items = list(provider(context))
                    self.stats["made"] += len(items)
                    self.outputs[(name, context.lang)] = (key, items)
                for item in items:
                    yield name, item
        # Forget what this registry no longer makes (a removed service, provider or language).
        self.outputs = {k: v for k, v in self.outputs.items() if k in used}
        self.service_outputs = {k: v for k, v in self.service_outputs.items() if k in used_services}

    def _service_pages(
        self, context: SiteContext, prints: RegistryPrints, used: set[tuple[str, str]]
    ) -> Iterator[GeneratedPage]:
        """``pages.service_pages``, one service at a time: a page is remade when its file changed."""
        registry = context.registry
        today = reference_date()
        for service in registry.services.values():
            path = registry.files[service.id]
            # A service page reads its own file (organisation, sites, contacts) and which
            # territory pages exist (its area links to them): both are in the key.
            sites = "".join(registry.sites[s].model_dump_json() for s in service.sites if s in registry.sites)
            key = _fingerprint([prints.by_file.get(path, b""), prints.areas, sites, path])
            used.add((service.id, context.lang))
            cached = self.service_outputs.get((service.id, context.lang))
            if cached is not None and cached[0] == key:
                self.stats["reused"] += 1
                yield cached[1]
                continue
            page = GeneratedPage(
                uri=page_url(context, service_url(service.id)) + "index.md",
                content=service_markdown(context, service, today),
                edit_path=path,
            )
            self.stats["made"] += 1
            self.service_outputs[(service.id, context.lang)] = (key, page)
            yield page
        index_key = (f"{service_pages.__name__}:index", context.lang)
        cached_index = self.outputs.get(index_key)
        if cached_index is not None and cached_index[0] == prints.whole:
            yield from cached_index[1]  # type: ignore[misc]
        else:
            index = services_index(context)
            self.outputs[index_key] = (prints.whole, [index])
            yield index

    # --- what mkdocs must rewrite -------------------------------------------------------------

    def plan(self, uris: Iterable[str], settings: str) -> bool:
        """Whether this rebuild must be full: first build, other settings, or another set of files."""
        full = self.settings != settings or set(uris) != self.written.keys()
        self.settings = settings
        self.pending = {}
        return full

    def is_changed(self, uri: str, content: str | bytes) -> bool:
        """Whether ``uri``'s content differs from the last good build's (and remember it)."""
        new = digest(content)
        self.pending[uri] = new
        return self.written.get(uri) != new

    def commit(self) -> None:
        """The build succeeded: its files are now what the site holds."""
        self.written = self.pending
        self.pending = {}

    def forget(self) -> None:
        """A build failed midway: the next one starts from scratch."""
        self.written = {}
        self.pending = {}
        self.settings = None


class Coalescing:
    """Runs ``job`` in a background thread; requests made meanwhile collapse into one more run.

    ``maillage serve`` re-indexes the search this way after each rebuild: the edited page is
    served at once and the search catches up, and a burst of saves costs at most one
    indexing beyond the one under way.
    """

    def __init__(self, job: Callable[[], object], on_error: Callable[[Exception], None]) -> None:
        self._job = job
        self._on_error = on_error
        self._lock = threading.Lock()
        self._wanted = False
        self._thread: threading.Thread | None = None

    def request(self) -> None:
        """Run the job soon (now, or again after the run under way)."""
        with self._lock:
            self._wanted = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="maillage-search-index", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
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
