"""``maillage serve``'s patch: a registry edit rewrites the files it changed, without mkdocs' build.

mkdocs' dirty build still makes and walks every file (22,000 at 1,000 services:
navigation, pages, sitemap) for an edit that changes a dozen. When the last good build's
settings and build date hold, the files, navigation and pages of that build stay right
but for the changed files: those alone are read, rendered and written, with mkdocs' own
steps (``site/mkdocs_internals.py``) and the plugin's events.

``plan_patch`` decides, from plain data, what an edit rewrites: the pages that come and go
(services, organisations and territories only: ``ENTITY_PAGE``), the files written before
the browsers reload (``now``: assets, the menus' pages, the pages of the edited files) and
those written right after, in the background (``later``) — or why mkdocs must build
instead (``Fallback``). ``ServePatch._patch`` gathers that data and applies the plan; any
other file coming or going, a changed title of a menu page (it is in every page) or any
failure leaves the work to mkdocs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..registry.loader import LoadCache, Registry
from . import mkdocs_internals
from .context import GeneratedPage, SiteConfig, SiteContext
from .files import virtual_file
from .incremental import DEFERRED, DEFERRED_PAGES, Coalescing, Deferred, Item, ServeMemory
from .providers import PROVIDERS
from .search import index_site

log = logging.getLogger("mkdocs.plugins.maillage")

# The pages a serve edit may add or remove without mkdocs' build: one per service,
# organisation or territory, in every language, and in no menu (mkdocs.yml's nav lists
# their indexes only).
ENTITY_PAGE = re.compile(r"(?:[a-z]{2}/)?(?:services|organisations|territories)/[^/]+/index\.md")


@dataclass(frozen=True)
class Plan:
    """What an edit rewrites, each in the order a fresh build makes them."""

    added: tuple[Item, ...] = ()  # pages that come
    removed: tuple[str, ...] = ()  # URIs of pages that go
    now: tuple[Item, ...] = ()  # written before the browsers reload
    later: tuple[Item, ...] = ()  # written right after, in the background


@dataclass(frozen=True)
class Fallback:
    """Why mkdocs must build the site instead."""

    reason: str


def plan_patch(
    made: Sequence[Item],
    *,
    written: Set[str],
    existing: Set[str],
    changed: Collection[str],
    menus: Collection[str],
    edited: Collection[str],
    languages: Sequence[str],
    is_page: Callable[[str], bool],
) -> Plan | Fallback:
    """What to rewrite for ``made``, everything the providers make now.

    ``written``: the URIs the site holds; ``existing``: those of the last build's generated
    files; ``changed``: the URIs whose content differs from what the site holds; ``menus``:
    the pages in a menu; ``edited``: the registry files the edit changed; ``is_page``: whether
    an existing file is a page (an asset is always written at once).
    """
    uris = [item.uri for item in made]
    if len(set(uris)) != len(uris):
        return Fallback("two providers make the same file")  # mkdocs builds and says so
    added = tuple(item for item in made if item.uri not in written)
    removed = tuple(sorted(written - set(uris)))
    coming_or_going = [*(item.uri for item in added), *removed]
    if not all(ENTITY_PAGE.fullmatch(uri) for uri in coming_or_going):
        return Fallback("a menu's page, a download or a page of the gap report comes or goes")
    came = {item.uri for item in added}
    others = language_versions(coming_or_going, languages, (existing - set(removed)) | came)
    rewrite = [item for item in made if item.uri in changed or item.uri in others]

    def at_once(item: Item) -> bool:
        page = item.uri in came or is_page(item.uri)
        return not page or item.uri in menus or getattr(item, "edit_path", None) in edited

    now = tuple(item for item in rewrite if at_once(item))
    later = tuple(item for item in rewrite if not at_once(item))
    return Plan(added=added, removed=removed, now=now, later=later)


def language_versions(uris: Iterable[str], languages: Sequence[str], existing: Collection[str]) -> set[str]:
    """The other languages' versions, among ``existing``, of the pages that come or go.

    Their HTML changes although their Markdown does not: the language switch links to the
    page, or to that language's home.
    """
    found: set[str] = set()
    for uri in uris:
        lang = next((x for x in languages[1:] if uri.startswith(f"{x}/")), languages[0])
        base_uri = uri if lang == languages[0] else uri[len(lang) + 1 :]
        for other in languages:
            target = base_uri if other == languages[0] else f"{other}/{base_uri}"
            if target != uri and target in existing:
                found.add(target)
    return found


@dataclass
class Served:
    """A serve build's mkdocs objects, kept once it succeeded for ``ServePatch._patch``."""

    config: MkDocsConfig
    files: Files
    by_uri: dict[str, File]  # the generated files
    nav: Navigation | None = None
    env: Any = None
    date: str = field(default_factory=lambda: _build_date())
    documents: Sequence[File] | None = None  # the pages, as mkdocs' templates list them


def _build_date() -> str:
    from mkdocs.utils import get_build_date

    return get_build_date()


def settings(root: Path, config: MkDocsConfig, site_config: SiteConfig) -> str:
    """What the pages depend on besides the registry: options, mkdocs.yml, reference data, theme.

    Any change of it makes the next serve rebuild a full one. Only modification times
    are read here; the data itself is read by the loader.
    """
    watched: list[str] = [repr(site_config)]
    folders = [root / "data", Path(config.docs_dir), *(Path(d) for d in config.theme.dirs[:1])]
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            if Path(dirpath) == root / "data":
                dirnames[:] = [d for d in dirnames if d != "registry"]  # the registry has its own fingerprints
            for name in sorted(filenames):
                stat = os.lstat(os.path.join(dirpath, name))  # a link is refused by the loader, not followed
                watched.append(f"{dirpath}/{name}:{stat.st_mtime_ns}:{stat.st_size}")
    if config.config_file_path:
        watched.append(str(os.stat(config.config_file_path).st_mtime_ns))
    return "\n".join(watched)


def populate(config: MkDocsConfig, served: Served, changed: Sequence[tuple[File, Item]]) -> list[Page]:
    """Give the changed files their new content, and read and convert the pages among them."""
    pages = []
    for file, item in changed:
        file.content_bytes = item.content.encode("utf-8") if isinstance(item.content, str) else item.content
        if file.page is not None:
            mkdocs_internals.populate_page(file.page, config, served.files)
            pages.append(file.page)
    return pages


def write(config: MkDocsConfig, served: Served, changed: Sequence[tuple[File, Item]]) -> None:
    """Write the changed files that ``populate`` prepared (mkdocs' own steps for a page)."""
    from mkdocs.structure.files import InclusionLevel

    assert served.nav is not None
    if served.documents is None:
        served.documents = served.files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
    for file, _ in changed:
        if file.page is None:
            file.copy_file()
            continue
        mkdocs_internals.build_page(file.page, config, served.documents, served.nav, served.env)
        file.page.validate_anchor_links(files=served.files, log_level=config.validation.links.anchors)


def remove_output(file: File) -> None:
    """Delete a file's output, and its folder when nothing else is left in it."""
    path = Path(file.abs_dest_path)
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty
        path.parent.rmdir()


def _log_index_error(error: Exception) -> None:
    log.warning(f"maillage: the search index was not updated: {error}")


def _log_deferred_error(error: Exception) -> None:
    log.error(f"maillage: the downloads and data files were not updated: {error}")


class ServePatch:
    """The serve edit loop's part of ``MaillagePlugin``: patch the served site, then catch up in the background."""

    # Set by MaillagePlugin (site/plugin.py).
    config: Any
    root: Path
    files: Files | None
    navs: dict[str, Navigation]
    _page_urls: set[str] | None
    memory: ServeMemory | None
    load_cache: LoadCache | None
    indexer: Coalescing | None
    deferred: Coalescing | None
    _writing: bool
    _served: Served | None
    _site_lock: threading.Lock
    _epoch: int
    _waiting: int
    _later: list[tuple[File, Item]]
    _server: Any

    def load(self) -> Registry:
        raise NotImplementedError

    def site_config(self) -> SiteConfig:
        raise NotImplementedError

    def _patch(self) -> bool:
        """Apply a registry edit to the served site without mkdocs' build; False when it must build.

        The pages of the edited files (and the menus' pages) are written before the browsers
        reload; the other changed pages (territories, gap report) and the ``DEFERRED``
        outputs right after, in the background (``_catch_up``).
        """
        served, memory = self._served, self.memory
        if served is None or served.nav is None or served.env is None or memory is None:
            return False
        start = time.monotonic()
        site_config = self.site_config()
        fingerprint = settings(self.root, served.config, site_config)
        if fingerprint != memory.settings or _build_date() != served.date:
            return False
        registry = self.load()
        contexts = [
            SiteContext(registry=registry, config=site_config, lang=lang, root=self.root)
            for lang in site_config.languages
        ]
        defer = DEFERRED | DEFERRED_PAGES.keys()
        made = [item for _, item in memory.generate(contexts, PROVIDERS, fingerprint, defer=defer)]
        written = set(memory.written)
        menus = {page.file.src_uri for nav in (served.nav, *self.navs.values()) for page in nav.pages}
        memory.plan((item.uri for item in made), fingerprint)
        plan = plan_patch(
            made,
            written=written,
            existing=set(served.by_uri),
            changed={item.uri for item in made if memory.is_changed(item.uri, item.content, item)},
            menus=menus,
            edited=self.load_cache.changed if self.load_cache is not None else frozenset(),
            languages=self.config.languages,
            is_page=lambda uri: served.by_uri[uri].page is not None,
        )
        if isinstance(plan, Fallback):
            log.debug(f"maillage: {plan.reason}; mkdocs builds the site")
            return False
        if not self._apply(served, memory, made, plan, menus):
            return False
        rewritten = len(plan.now) + len(plan.later)
        log.info(
            f"maillage: {rewritten} of {len(made)} generated files changed, rewritten without a build "
            f"in {time.monotonic() - start:.2f} seconds"
            + (f" ({len(plan.later)} pages of other files right after)" if plan.later else "")
            + (f"; {len(plan.added)} pages added, {len(plan.removed)} removed" if plan.added or plan.removed else "")
            + (f"; {memory.stats['deferred']} remade in the background" if memory.deferred else "")
        )
        self._in_background(Path(served.config.site_dir))
        return True

    def _apply(
        self, served: Served, memory: ServeMemory, made: Sequence[Item], plan: Plan, menus: Collection[str]
    ) -> bool:
        """Rewrite what ``plan`` says; False (mkdocs builds) when a menu's title changes or a step fails."""
        config = served.config
        reshaped = bool(plan.added or plan.removed)
        gone = [served.by_uri[uri] for uri in plan.removed]
        try:
            if reshaped:
                self._reshape(served, made, plan)
        except Exception as exc:  # mkdocs starts again from its own files and says what failed
            log.debug(f"maillage: adding or removing pages failed ({exc}); mkdocs builds the site")
            self._served = None
            return False
        now = [(served.by_uri[item.uri], item) for item in plan.now]
        later = [(served.by_uri[item.uri], item) for item in plan.later]
        titles = {file.src_uri: file.page.title for file, _ in now if file.page is not None and file.src_uri in menus}
        try:
            pages = populate(config, served, now)
            if any(page.title != titles[page.file.src_uri] for page in pages if page.file.src_uri in titles):
                memory.settings = None  # every page's menu changes: mkdocs rebuilds them all
                return False
            self._writing = True
            for file in gone:
                remove_output(file)
            write(config, served, now)
            if reshaped and "sitemap.xml" in config.theme.static_templates:
                assert served.nav is not None
                mkdocs_internals.build_theme_template("sitemap.xml", served.env, served.files, config, served.nav)
        except Exception as exc:
            # mkdocs starts again from its own files and says what failed.
            log.debug(f"maillage: patching the site failed ({exc}); mkdocs builds it")
            if self._writing:
                memory.forget()
            self._served = None
            self._writing = False
            return False
        memory.commit(hold=[file.src_uri for file, _ in later])
        self._writing = False
        self._later = later
        return True

    def _reshape(self, served: Served, made: Sequence[Item], plan: Plan) -> None:
        """Add the files of pages that come and drop those of pages that go (``ENTITY_PAGE``:
        out of every menu), in the order a fresh build has them."""
        config = served.config
        generated = set(served.by_uri)
        for uri in plan.removed:
            del served.by_uri[uri]
        for item in plan.added:
            file = served.by_uri[item.uri] = virtual_file(config, item)
            Page(None, file, config)
        kept = [file for file in served.files if file.src_uri not in generated]
        served.files = Files(kept + [served.by_uri[item.uri] for item in made])
        served.documents = None
        self.files = served.files
        self._page_urls = None

    def _in_background(self, site_dir: Path) -> None:
        """After a good build: the pages and outputs left for later, and the search index
        (Pagefind reads the whole site, tens of seconds at 1,000 services), each in its own thread."""
        if self._later or (self.memory is not None and self.memory.deferred):
            if self.deferred is None:
                self.deferred = Coalescing(lambda: self._catch_up(site_dir), _log_deferred_error, "maillage-deferred")
            self.deferred.request()
        if self.indexer is None:
            # Niced: Pagefind (its own process) must not slow the next edit's rebuild. The
            # deferred outputs are not: a thread of this process that the system holds back
            # while it has the interpreter's lock would hold the rebuild back with it.
            self.indexer = Coalescing(lambda: index_site(site_dir), _log_index_error, nice=10)
        self.indexer.request()

    def _catch_up(self, site_dir: Path) -> None:
        """Write the pages ``_patch`` left for later, then make and write what it deferred.

        Pages one at a time, giving way to a rebuild that waits: what is not written then
        is still what the site's memory says it holds, and that rebuild writes it.
        """
        with self._site_lock:
            memory, epoch, served = self.memory, self._epoch, self._served
            later, self._later = self._later, []
        if memory is None or served is None:
            return

        def current() -> bool:  # called with the lock held
            return self._epoch == epoch and not self._waiting and memory is self.memory and served is self._served

        written = self._write_pages(later, current)
        if written is None:
            return
        with self._site_lock:
            if not current():
                return
            work = memory.take_deferred()
        if work:
            more = self._write_deferred(memory, served, work, current)
            if more is None:
                return
            written += more
        if written:
            with self._site_lock:
                if current():
                    mkdocs_internals.reload_browsers(self._server)  # so that browsers reload these pages too
            log.info(f"maillage: {written} pages of other files rewritten after the reload")
            if self.indexer is not None:
                self.indexer.request()  # the run under way may have read them before

    def _write_deferred(
        self, memory: ServeMemory, served: Served, work: Sequence[Deferred], current: Callable[[], bool]
    ) -> int | None:
        """Make the deferred outputs, write the files among them, then their pages one at a time.

        How many pages, None when it gave way to a rebuild.
        """
        done: list[tuple[Deferred, list[Item]]] = [(job, list(job.provider(job.context))) for job in work]
        with self._site_lock:
            if not current():
                return None  # the site is rebuilt meanwhile: that rebuild leaves its own work
            try:
                changed, gone = memory.apply_deferred(done)
            except ValueError as exc:
                memory.forget()  # the next rebuild is a full one, which reports the clash
                raise PluginError(f"maillage: {exc}") from None
            pages = [(served.by_uri[item.uri], item) for item in changed if isinstance(item, GeneratedPage)]
            try:
                for item in changed:
                    if isinstance(item, GeneratedPage):
                        continue
                    target = served.by_uri.get(item.uri)
                    if target is None:
                        target = served.by_uri[item.uri] = virtual_file(served.config, item)
                    else:
                        target.content_bytes = item.content
                    target.copy_file()
                for uri in gone:
                    remove_output(served.by_uri.pop(uri))
            except Exception:
                memory.forget()
                raise
        log.info(f"maillage: {len(changed) - len(pages)} deferred files rewritten, {len(gone)} removed")
        return self._write_pages(pages, current)

    def _write_pages(self, pages: Sequence[tuple[File, Item]], current: Callable[[], bool]) -> int | None:
        """Write ``pages`` one at a time while ``current()``; how many, None when it gave way."""
        written = 0
        for file, item in pages:
            with self._site_lock:
                served, memory = self._served, self.memory
                if not current() or served is None or memory is None:
                    return None
                try:
                    populate(served.config, served, [(file, item)])
                    write(served.config, served, [(file, item)])
                except Exception:
                    memory.forget()
                    raise
                memory.mark_written(file.src_uri)
                written += 1
        return written
