"""The mkdocs plugin ``maillage``: the registry becomes the directory's pages.

It only wires mkdocs' events: the registry is loaded once per build in ``on_files``, every
provider of ``generator.site.providers`` is asked for its pages and assets in each
language, and each result becomes a virtual file (nothing is written into ``directory/``).
The pages themselves are made by plain functions that the tests call without mkdocs.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import posixpath
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section, get_navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import clean_directory
from mkdocs.utils.templates import TemplateContext

from ..registry.privacy import professional_leaks
from ..registry.problems import RegistryError, format_problems
from ..registry.loader import LoadCache, Registry, for_audience, load_registry
from .search import SearchIndexError, index_site
from . import gaps_page, mkdocs_internals, territory_pages
from .build import TargetError, check_target, environment_error, mark_site, work_folder
from .context import Asset, GeneratedPage, SiteConfig, SiteContext
from .csp import add_policy, mark_templates
from .generation import GenerationError, Made, generate_in_processes
from .i18n import LANGUAGE_NAMES, nav_title, t
from .incremental import DEFERRED, DEFERRED_PAGES, Coalescing, Deferred, Item, ServeMemory, provider_name
from .pages import HOME_ENTRY_MARKER, entry_points
from .providers import PROVIDERS

log = logging.getLogger("mkdocs.plugins.maillage")

AUDIENCE_VARIABLE = "MAILLAGE_AUDIENCE"  # overrides the audience of mkdocs.yml (maillage serve --audience)

_DEFAULTS = SiteConfig()


class MaillagePluginConfig(base.Config):  # type: ignore[no-untyped-call]
    """Options of ``plugins: - maillage: {...}`` in ``mkdocs.yml``."""

    languages = c.Type(list, default=list(_DEFAULTS.languages))
    audience = c.Choice(("public", "professional"), default="public")
    stale_months = c.Type(int, default=_DEFAULTS.stale_months)
    scope = c.Type(list, default=[])
    tiles = c.Optional(c.Type(str))
    tiles_attribution = c.Type(str, default=_DEFAULTS.tiles_attribution)
    repo_edit_base = c.Optional(c.Type(str))


class MaillagePlugin(BasePlugin[MaillagePluginConfig]):  # type: ignore[no-untyped-call]
    """Generate the directory from ``data/`` (see the module docstring)."""

    def __init__(self) -> None:
        self.root = Path()
        self.files: Files | None = None
        self.navs: dict[str, Navigation] = {}
        self.main_nav: Navigation | None = None
        self.nav_config: Any = None
        self._page_urls: set[str] | None = None
        self.spool: _Spool | None = None  # where generated content waits on disk (set by parallel_build)
        # Only in `maillage serve` (on_startup): what the edit loop keeps between rebuilds.
        self.memory: ServeMemory | None = None
        self.dirty = False
        self.indexer: Coalescing | None = None
        self._writing = False
        self.load_cache: LoadCache | None = None
        self.deferred: Coalescing | None = None  # remakes DEFERRED outputs after a patch
        self._building: _Served | None = None  # the mkdocs build under way
        self._served: _Served | None = None  # what the last good build left, for _patch
        self._site_lock = threading.Lock()  # one writer of the site at a time
        self._epoch = 0  # rebuilds so far: a background result made before the last one is stale
        self._waiting = 0  # rebuilds waiting for the lock: the background gives way
        self._later: list[tuple[File, Item]] = []  # pages _patch left for the background
        self._server: Any = None  # mkdocs' live-reload server
        self.index_later = False  # the search index is made after the build, by its caller
        self._site_dir: Path | None = None  # site_dir once on_config found it may be replaced

    # --- serve: the edit loop (generator/site/incremental.py) ----------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup also makes mkdocs keep this plugin object across the rebuilds
        # of one `serve`: that is what lets it remember the previous build.
        self.memory = ServeMemory() if command == "serve" else None
        self.dirty = dirty and command == "serve"
        self.indexer = None
        self.load_cache = LoadCache() if command == "serve" else None
        self.deferred = None
        self._served = self._building = None

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        # mkdocs holds every request after a failed rebuild until a build succeeds ("the
        # server will appear stuck"). A registry error is the maintainer's next thing to
        # fix, not a reason to stop browsing: the error is logged and the last good site,
        # which a failed dirty rebuild leaves in place, stays served.
        rebuild = server.builder
        keep = "maillage: the site still shows the last good build; fix the error above and save again"
        self._server = server

        def rebuild_or_keep_last_site() -> None:
            self._waiting += 1
            with self._site_lock:
                self._waiting -= 1
                self._epoch += 1
                self._later = []  # this rebuild writes what they would have (or forgets them)
                try:
                    if self._patch():
                        return
                except PluginError as exc:
                    log.error(str(exc))
                    log.error(keep)
                    return
                gc.unfreeze()  # mkdocs makes the site's objects anew: the last ones may go
                try:
                    rebuild()
                except Abort:
                    log.error(keep)

        server.builder = rebuild_or_keep_last_site
        return server

    def on_shutdown(self) -> None:
        # In tests, one process runs many builds with this same object: forget the serve.
        self.memory = None
        self.dirty = False
        self.indexer = None
        self.load_cache = None
        self.deferred = None
        self._served = self._building = None
        gc.unfreeze()

    def on_build_error(self, *, error: Exception) -> None:
        if self._site_dir is not None and self._site_dir.is_dir():
            # What a failed build wrote is still the build's (mkdocs emptied the folder first):
            # the next one may replace it.
            with contextlib.suppress(OSError):  # a full disk, say: the build's own error is the one to show
                mark_site(self._site_dir)
        if self._writing:
            # Some files of the failed build may be written, others not: start afresh.
            if self.memory is not None:
                self.memory.forget()
            self._served = None
        self._writing = False
        self._building = None

    def _patch(self) -> bool:
        """Apply a registry edit to the served site without mkdocs' build; False when it must build.

        mkdocs' dirty build still makes and walks every file (22,000 at 1,000 services:
        navigation, pages, sitemap) for an edit that changes a dozen. When the last good
        build's settings and build date hold, the files, navigation and pages of that
        build stay right but for the changed files: those alone are read, rendered and
        written, with mkdocs' own steps and this plugin's events. Pages of services,
        organisations and territories may come and go (``_reshape``; the sitemap is
        written again); any other file coming or going, a changed title of a menu page
        (it is in every page) or any failure leaves the work to mkdocs.

        The pages of the edited files (and the menus' pages) are written before the browsers
        reload; the other changed pages (territories, gap report) and the ``DEFERRED``
        outputs right after, in the background (``_catch_up``).
        """
        from mkdocs.utils import get_build_date

        served, memory = self._served, self.memory
        if served is None or served.nav is None or served.env is None or memory is None:
            return False
        start = time.monotonic()
        config = served.config
        site_config = self.site_config()
        settings = _settings(self.root, config, site_config)
        if settings != memory.settings or get_build_date() != served.date:
            return False
        registry = self.load()
        contexts = [
            SiteContext(registry=registry, config=site_config, lang=lang, root=self.root)
            for lang in site_config.languages
        ]
        defer = DEFERRED | DEFERRED_PAGES.keys()
        made = [item for _, item in memory.generate(contexts, PROVIDERS, settings, defer=defer)]
        uris = [item.uri for item in made]
        if len(set(uris)) != len(uris):
            return False  # two providers clash: mkdocs builds and says so
        added = [item for item in made if item.uri not in memory.written]
        removed = sorted(memory.written.keys() - set(uris))
        if not all(_ENTITY_PAGE.fullmatch(uri) for uri in [*(item.uri for item in added), *removed]):
            return False  # a menu's page, a download or a page of the gap report comes or goes
        reshaped = bool(added or removed)
        gone = [served.by_uri[uri] for uri in removed]
        try:
            others = self._reshape(served, made, added, removed) if reshaped else set()
        except Exception as exc:  # mkdocs starts again from its own files and says what failed
            log.debug(f"maillage: adding or removing pages failed ({exc}); mkdocs builds the site")
            self._served = None
            return False
        memory.plan(uris, settings)
        changed = [
            (served.by_uri[item.uri], item)
            for item in made
            if memory.is_changed(item.uri, item.content, item) or item.uri in others
        ]
        menus = {page.file.src_uri for nav in (served.nav, *self.navs.values()) for page in nav.pages}
        edited = self.load_cache.changed if self.load_cache is not None else frozenset()
        now = [
            (file, item)
            for file, item in changed
            if file.page is None or item.uri in menus or getattr(item, "edit_path", None) in edited
        ]
        first = {id(file) for file, _ in now}
        later = [(file, item) for file, item in changed if id(file) not in first]
        titles = {file.src_uri: file.page.title for file, _ in now if file.page is not None and file.src_uri in menus}
        try:
            pages = _populate(config, served, now)
            if any(page.title != titles[page.file.src_uri] for page in pages if page.file.src_uri in titles):
                memory.settings = None  # every page's menu changes: mkdocs rebuilds them all
                return False
            self._writing = True
            for file in gone:
                _remove_output(file)
            _write(config, served, now)
            if reshaped and "sitemap.xml" in config.theme.static_templates:
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
        log.info(
            f"maillage: {len(changed)} of {len(made)} generated files changed, rewritten without a build "
            f"in {time.monotonic() - start:.2f} seconds"
            + (f" ({len(later)} pages of other files right after)" if later else "")
            + (f"; {len(added)} pages added, {len(removed)} removed" if added or removed else "")
            + (f"; {memory.stats['deferred']} remade in the background" if memory.deferred else "")
        )
        self._in_background(Path(config.site_dir))
        return True

    def _reshape(
        self, served: _Served, made: Sequence[Item], added: Sequence[Item], removed: Sequence[str]
    ) -> set[str]:
        """Add the files of pages that come and drop those of pages that go (``_ENTITY_PAGE``:
        out of every menu), in the order a fresh build has them; the URIs of the pages whose
        HTML changes although their Markdown does not: their other languages' versions (the
        language switch links to the page, or to that language's home)."""
        config = served.config
        generated = set(served.by_uri)
        for uri in removed:
            del served.by_uri[uri]
        for item in added:
            file = served.by_uri[item.uri] = _virtual_file(config, item)
            Page(None, file, config)
        kept = [file for file in served.files if file.src_uri not in generated]
        served.files = Files(kept + [served.by_uri[item.uri] for item in made])
        served.documents = None
        self.files = served.files
        self._page_urls = None
        languages = self.config.languages
        others: set[str] = set()
        for uri in [*(item.uri for item in added), *removed]:
            lang = next((x for x in languages[1:] if uri.startswith(f"{x}/")), languages[0])
            base_uri = uri if lang == languages[0] else uri[len(lang) + 1 :]
            for other in languages:
                target = base_uri if other == languages[0] else f"{other}/{base_uri}"
                if target != uri and target in served.by_uri:
                    others.add(target)
        return others

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
            done: list[tuple[Deferred, list[Item]]] = [(job, list(job.provider(job.context))) for job in work]
            with self._site_lock:
                if not current():
                    return  # the site is rebuilt meanwhile: that rebuild leaves its own work
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
                            target = served.by_uri[item.uri] = _virtual_file(served.config, item)
                        else:
                            target.content_bytes = item.content
                        target.copy_file()
                    for uri in gone:
                        _remove_output(served.by_uri.pop(uri))
                except Exception:
                    memory.forget()
                    raise
            log.info(f"maillage: {len(changed) - len(pages)} deferred files rewritten, {len(gone)} removed")
            more = self._write_pages(pages, current)
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

    def _write_pages(self, pages: Sequence[tuple[File, Item]], current: Callable[[], bool]) -> int | None:
        """Write ``pages`` one at a time while ``current()``; how many, None when it gave way."""
        written = 0
        for file, item in pages:
            with self._site_lock:
                served, memory = self._served, self.memory
                if not current() or served is None or memory is None:
                    return None
                try:
                    _populate(served.config, served, [(file, item)])
                    _write(served.config, served, [(file, item)])
                except Exception:
                    memory.forget()
                    raise
                memory.mark_written(file.src_uri)
                written += 1
        return written

    # --- configuration --------------------------------------------------------------------

    def site_config(self) -> SiteConfig:
        """The plugin options as the page providers see them."""
        return SiteConfig(
            languages=tuple(self.config.languages),
            audience=self.config.audience,
            stale_months=self.config.stale_months,
            scope=tuple(self.config.scope),
            tiles=self.config.tiles,
            tiles_attribution=self.config.tiles_attribution,
            repo_edit_base=self.config.repo_edit_base,
        )

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        mkdocs_internals.check_version()  # the serve patch and the parallel build use mkdocs' private steps
        languages = self.config.languages
        unknown = [lang for lang in languages if lang not in LANGUAGE_NAMES]
        if not languages or unknown:
            raise PluginError(f"maillage: languages must be among {', '.join(LANGUAGE_NAMES)}; got {languages}")
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        self.navs = {}
        override = os.environ.get(AUDIENCE_VARIABLE)
        if override:
            if override not in ("public", "professional"):
                raise PluginError(f"maillage: {AUDIENCE_VARIABLE} must be public or professional, not {override!r}")
            self.config.audience = override
        # `mkdocs serve` rebuilds when a maintainer edits the registry.
        config.watch.append(str(self.root / "data"))
        config.extra["maillage_audience"] = self.config.audience
        config.extra["maillage_professional_banner"] = {lang: t("professional_version", lang) for lang in languages}
        # The header shows the language menu when `extra.alternate` is set. It is True, not
        # Material's list of language homes: with that list, Material's script takes over
        # every click into another language and, lacking a sitemap entry, lands on its home.
        # The menu's links are per page (maillage_alternates); the homes serve the 404 page.
        config.extra["alternate"] = True
        config.extra["maillage_languages"] = [
            {"name": LANGUAGE_NAMES[lang], "link": "./" if i == 0 else f"{lang}/", "lang": lang, "current": ""}
            for i, lang in enumerate(languages)
        ]
        if self.config.repo_edit_base:
            # Edit links are paths from the project root (data/registry/x.yaml, directory/about.md).
            config.edit_uri_template = self.config.repo_edit_base.rstrip("/") + "/{path}"
        self._site_dir = None
        if self.memory is None:
            # mkdocs empties site_dir before building: the same refusals as `maillage build`'s
            # target (site/build.py). Serve builds into a temporary folder of its own.
            try:
                check_target(Path(config.site_dir), self.root, _config_sources(config))
            except TargetError as exc:
                raise PluginError(f"maillage: site_dir: {exc}") from None
            self._site_dir = Path(config.site_dir)
        return config

    # --- pages ----------------------------------------------------------------------------

    def load(self) -> Registry:
        """The registry as this site's audience sees it (a ``PluginError`` lists its problems)."""
        try:
            registry = load_registry(self.root, cache=self.load_cache)
            if self.config.audience == "public" and self.memory is None:
                # A professional phone or e-mail copied into a text would be published with
                # it: a public build refuses it as `check` does. (Serve previews locally, and
                # re-runs it on every edit; `check` in the pull request catches it there.)
                leaks = professional_leaks(registry)
                if leaks:
                    raise RegistryError(leaks)
        except RegistryError as exc:
            raise PluginError(
                f"maillage: the registry has {len(exc.problems)} problem(s):\n" + format_problems(exc.problems)
            ) from None
        return for_audience(registry, self.config.audience, self.load_cache)

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        registry = self.load()
        site_config = self.site_config()
        docs_dir = Path(config.docs_dir).resolve()
        for file in files:
            if file.generated_by is None and file.abs_src_path:
                file.edit_uri = _project_path(self.root, Path(file.abs_src_path)) or file.src_uri
        generated: dict[str, str] = {}
        # Files.get_file_from_path rebuilds its index after every append: asking it once per
        # generated file made this loop quadratic in the number of pages.
        written = {file.src_uri for file in files}
        contexts = [
            SiteContext(registry=registry, config=site_config, lang=lang, root=self.root)
            for lang in site_config.languages
        ]
        made: Iterable[tuple[str, GeneratedPage | Asset | Made]]
        settings = ""
        if self.memory is not None:
            # Only serve compares builds: a plain build need not stat the project's files.
            settings = _settings(self.root, config, site_config)
            made = list(self.memory.generate(contexts, PROVIDERS, settings))
        elif self.spool is not None and self.spool.jobs > 1:
            # parallel_build: the providers run in forked processes, their output on disk.
            found = generate_in_processes(contexts, PROVIDERS, self.spool.jobs, self.spool.folder, SPOOL_BYTES)
            made = ((provider_name(PROVIDERS[p]), item) for p, item in found)
        else:
            # One item at a time: each becomes its file (UTF-8 bytes) before the next is made.
            made = ((provider_name(p), item) for context in contexts for p in PROVIDERS for item in p(context))
        virtual: list[_GeneratedFile] = []
        items: list[GeneratedPage | Asset] = []
        for owner, item in made:
            if item.uri in generated or item.uri in written:
                first = generated.get(item.uri, f"{docs_dir.name}/{item.uri}")
                raise PluginError(f"maillage: {owner} and {first} both make '{item.uri}'")
            generated[item.uri] = owner
            file = _virtual_file(config, item, self.spool)
            virtual.append(file)
            if self.memory is not None and isinstance(item, GeneratedPage | Asset):
                items.append(item)  # serve generates in this process: always
            files.append(file)
        if self.memory is not None:
            self._mark_modified(virtual, items, config, settings)
            self._building = _Served(config, files, {file.src_uri: file for file in virtual})
        else:
            # Nothing reuses the registry now: without these caches it is freed before the
            # pages are rendered (10,000 services: about 1 GB with the gap report).
            territory_pages.forget()
            gaps_page.forget()
        self.files = files
        self._page_urls = None
        self.nav_config = _prune_nav(config.nav, files)
        config.nav = self.nav_config
        return files

    def _mark_modified(
        self, virtual: list[_GeneratedFile], items: list[Item], config: MkDocsConfig, settings: str
    ) -> None:
        """Tell mkdocs' dirty build which generated files changed since the last good build."""
        assert self.memory is not None
        full = self.memory.plan((file.src_uri for file in virtual), settings)
        for file, item in zip(virtual, items, strict=True):
            assert file._content is not None
            changed = self.memory.is_changed(file.src_uri, file._content, item)
            file.modified = full or changed or not os.path.isfile(file.abs_dest_path)
        if full and self.dirty:
            # A page came or went (or the settings changed): the navigation, the language
            # menus and the links of every page may differ, and a dirty build would keep the
            # removed pages. Start from an empty site, as a clean build does.
            clean_directory(config.site_dir)
        self._writing = True
        count = sum(1 for file in virtual if file.modified)
        kind = "full rebuild" if full else "rebuild"
        log.info(f"maillage: {kind}, {count} of {len(virtual)} generated files changed")

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.main_nav = nav
        if self._building is not None:
            self._building.nav = nav
        return nav

    def on_env(self, env: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
        mark_templates(env)  # the theme's own inline scripts get their hash in the CSP (site/csp.py)
        if self._building is not None:
            self._building.env = env
        if self.dirty and self.main_nav is not None:
            _read_titles(self.main_nav, config)
        return env

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if HOME_ENTRY_MARKER in markdown:
            lang = str(page.meta.get("maillage_lang") or self.config.languages[0])
            prefix = "" if lang == self.config.languages[0] else f"{lang}/"
            markdown = markdown.replace(HOME_ENTRY_MARKER, entry_points(lang, prefix, self.page_urls()))
        return markdown

    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        languages = list(self.config.languages)
        lang = str(page.meta.get("maillage_lang") or languages[0])
        context["maillage_lang"] = lang  # type: ignore[typeddict-unknown-key]
        context["maillage_alternates"] = self.alternates(page.url, lang)  # type: ignore[typeddict-unknown-key]
        if lang != languages[0] and self.files is not None:
            context["nav"] = self.nav_for(lang, config)
        return context

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        return add_policy(output, self.config.tiles)

    def on_post_template(self, output_content: str, /, *, template_name: str, config: MkDocsConfig) -> str:
        # The theme's own pages (404.html) get the policy too, and lose the scripts' mark.
        return add_policy(output_content, self.config.tiles) if template_name.endswith(".html") else output_content

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.memory is not None:
            self.memory.commit()
            self._writing = False
            self._served, self._building = self._building, None
            # The site's objects (a file and a page for each of tens of thousands) live
            # until the next build: out of the collector's walks, which took 0.6 s of an
            # edit's patch at 1,000 services when one came (rebuild_or_keep_last_site
            # unfreezes them).
            gc.collect()
            gc.freeze()
            self._in_background(Path(config.site_dir))
            return
        if self.index_later:  # by the process that started this build (_build_then_index)
            return
        # The search index is made from the pages as written (generator/site/search.py).
        try:
            index_site(Path(config.site_dir))
        except SearchIndexError as exc:
            raise PluginError(f"maillage: {exc}") from None
        mark_site(Path(config.site_dir))  # the next build may replace it (site/build.py)

    # --- languages --------------------------------------------------------------------------

    def alternates(self, url: str, lang: str) -> list[dict[str, str]]:
        """The same page in each language (the language's home when it has no such page)."""
        languages = list(self.config.languages)
        base_url = url
        if lang != languages[0] and url.startswith(f"{lang}/"):
            base_url = url[len(lang) + 1 :]
        existing = self.page_urls()
        found = []
        for i, other in enumerate(languages):
            prefix = "" if i == 0 else f"{other}/"
            target = prefix + base_url
            if target not in existing and (target.rstrip("/") + "/") not in existing:
                target = prefix
            found.append(
                {"lang": other, "name": LANGUAGE_NAMES[other], "link": target or "./", "current": str(other == lang)}
            )
        return found

    def page_urls(self) -> set[str]:
        """The URLs of every page of this build, computed once (not once per page: quadratic)."""
        if self._page_urls is None:
            self._page_urls = {f.url for f in self.files.documentation_pages()} if self.files else set()
        return self._page_urls

    def nav_for(self, lang: str, config: MkDocsConfig) -> Navigation:
        """The navigation of ``mkdocs.yml`` with titles and pages in ``lang`` where they exist."""
        if lang not in self.navs and self.files is not None:
            translated = _translate_nav(self.nav_config, lang, self.files)
            saved = config.nav
            config.nav = translated
            try:
                self.navs[lang] = get_navigation(self.files, config)
            finally:
                config.nav = saved
            if self.dirty:
                _read_titles(self.navs[lang], config)
            if self.main_nav is not None:
                # get_navigation re-parents the pages it shares with the main navigation.
                _relink(self.main_nav)
        return self.navs[lang]


class _GeneratedFile(File):
    """A virtual file that says whether its output must be rewritten.

    mkdocs' own ``File.is_modified`` always says yes for in-memory content; in a dirty
    ``serve`` rebuild the plugin sets ``modified`` from the content's fingerprint, so
    mkdocs neither re-renders nor rewrites the pages an edit did not change.
    """

    modified = True

    def is_modified(self) -> bool:
        return self.modified

    def release(self) -> None:
        """Forget the content once written (``parallel_build``): nothing reads it again."""
        if self._content is not None:
            self._content = b""

    # A page of a parallel build waits in the spool's one file of pages: (file, offset, size).
    spooled: tuple[str, int, int] | None = None

    @property
    def content_bytes(self) -> bytes:
        if self._content is None and self.spooled is not None:
            path, offset, size = self.spooled
            with open(path, "rb") as spool:
                spool.seek(offset)
                return spool.read(size)
        return File.content_bytes.fget(self)  # type: ignore[attr-defined,no-any-return]

    @content_bytes.setter
    def content_bytes(self, value: bytes) -> None:
        self.spooled = None
        File.content_bytes.fset(self, value)  # type: ignore[attr-defined]

    @property
    def content_string(self) -> str:
        if self._content is None and self.spooled is not None:
            return self.content_bytes.decode("utf-8-sig", errors="strict")
        return File.content_string.fget(self)  # type: ignore[attr-defined,no-any-return]

    @content_string.setter
    def content_string(self, value: str) -> None:
        self.spooled = None
        File.content_string.fset(self, value)  # type: ignore[attr-defined]


class _Spool:
    """Where a parallel build keeps what it generated until mkdocs reads it: on disk.

    Generated content held in memory when the page-rendering processes fork would be in
    each of them (10,000 services: 650 MB of pages' Markdown). Large assets wait here as
    files of their own, pages one after the other in one file; each is read back when
    mkdocs asks its file for its content.
    """

    def __init__(self, folder: Path, jobs: int = 1) -> None:
        self.folder = folder
        self.jobs = jobs  # processes that may generate (site/generation.py)
        self.pages = folder / "pages.md"
        self._out = open(self.pages, "wb")  # noqa: SIM115 -- open for the whole generation
        self._offset = 0

    def page(self, content: bytes) -> tuple[str, int, int]:
        self._out.write(content)
        self._offset += len(content)
        return str(self.pages), self._offset - len(content), len(content)

    def close(self) -> None:
        self._out.close()


# The pages a serve edit may add or remove without mkdocs' build: one per service,
# organisation or territory, in every language, and in no menu (mkdocs.yml's nav lists
# their indexes only).
_ENTITY_PAGE = re.compile(r"(?:[a-z]{2}/)?(?:services|organisations|territories)/[^/]+/index\.md")

SPOOL_BYTES = 64 * 1024  # assets at least this large wait for mkdocs on disk (parallel_build)


def _virtual_file(
    config: MkDocsConfig, item: GeneratedPage | Asset | Made, spool: _Spool | None = None
) -> _GeneratedFile:
    if isinstance(item, Made):  # made by another process (site/generation.py)
        if item.page:
            made = _GeneratedFile.generated(config, item.uri, content=b"")
            assert isinstance(made, _GeneratedFile)
            made._content = None
            made.spooled = item.spooled
            made.edit_uri = item.edit_path
        elif item.path is not None:
            made = _GeneratedFile.generated(config, item.uri, abs_src_path=item.path)
        else:
            made = _GeneratedFile.generated(config, item.uri, content=item.content or b"")
        assert isinstance(made, _GeneratedFile)
        return made
    # UTF-8 bytes: a Python str holding a single character beyond Latin-1 (’, —, the
    # narrow no-break space of French numbers) takes two bytes per character, and a large
    # directory's pages are held until mkdocs renders them.
    content = item.content.encode("utf-8") if isinstance(item.content, str) else item.content
    if spool is not None and isinstance(item, GeneratedPage):
        file = _GeneratedFile.generated(config, item.uri, content=b"")
        assert isinstance(file, _GeneratedFile)
        file._content = None
        file.spooled = spool.page(content)
    elif spool is not None and len(content) >= SPOOL_BYTES:
        # Downloads and data files are only copied: on disk, they are not in the memory the
        # page-rendering processes inherit.
        path = spool.folder / item.uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        file = _GeneratedFile.generated(config, item.uri, abs_src_path=str(path))
    else:
        file = _GeneratedFile.generated(config, item.uri, content=content)
    assert isinstance(file, _GeneratedFile)
    if isinstance(item, GeneratedPage):
        file.edit_uri = item.edit_path
    return file


def _settings(root: Path, config: MkDocsConfig, site_config: SiteConfig) -> str:
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


def _log_index_error(error: Exception) -> None:
    log.warning(f"maillage: the search index was not updated: {error}")


def _log_deferred_error(error: Exception) -> None:
    log.error(f"maillage: the downloads and data files were not updated: {error}")


@dataclass
class _Served:
    """A serve build's mkdocs objects, kept once it succeeded for ``MaillagePlugin._patch``."""

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


def _populate(config: MkDocsConfig, served: _Served, changed: Sequence[tuple[File, Item]]) -> list[Page]:
    """Give the changed files their new content, and read and convert the pages among them."""
    pages = []
    for file, item in changed:
        file.content_bytes = item.content.encode("utf-8") if isinstance(item.content, str) else item.content
        if file.page is not None:
            mkdocs_internals.populate_page(file.page, config, served.files)
            pages.append(file.page)
    return pages


def _write(config: MkDocsConfig, served: _Served, changed: Sequence[tuple[File, Item]]) -> None:
    """Write the changed files that ``_populate`` prepared (mkdocs' own steps for a page)."""
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


def _remove_output(file: File) -> None:
    """Delete a file's output, and its folder when nothing else is left in it."""
    path = Path(file.abs_dest_path)
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty
        path.parent.rmdir()


def _read_titles(nav: Navigation, config: MkDocsConfig) -> None:
    """Read the pages of ``nav`` that a dirty build did not: their titles are in every menu."""
    for page in nav.pages:
        if page.markdown is None:
            page.read_source(config)


def _project_path(root: Path, path: Path) -> str | None:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def _prune_nav(nav: Any, files: Files) -> Any:
    """The ``nav`` of ``mkdocs.yml`` without entries whose page this build does not make.

    The map, orientation and gap pages come from other providers; a build without one of
    them must still pass ``mkdocs build --strict``.
    """
    if nav is None:
        return None
    if isinstance(nav, str):
        is_url = "://" in nav or nav.startswith("/")
        return nav if is_url or files.get_file_from_path(nav) is not None else None
    if isinstance(nav, list):
        kept = [_prune_nav(entry, files) for entry in nav]
        return [entry for entry in kept if entry not in (None, [], {})]
    if isinstance(nav, dict):
        pruned = {title: _prune_nav(value, files) for title, value in nav.items()}
        return {k: v for k, v in pruned.items() if v not in (None, [], {})} or None
    return nav


def _translate_nav(nav: Any, lang: str, files: Files) -> Any:
    if isinstance(nav, str):
        localized = posixpath.join(lang, nav)
        return localized if files.get_file_from_path(localized) is not None else nav
    if isinstance(nav, list):
        return [_translate_nav(entry, lang, files) for entry in nav]
    if isinstance(nav, dict):
        return {nav_title(title, lang): _translate_nav(value, lang, files) for title, value in nav.items()}
    return nav


def _relink(nav: Navigation) -> None:
    def walk(items: list[Any], parent: Section | None) -> None:
        for item in items:
            item.parent = parent
            if isinstance(item, Section):
                walk(item.children, item)

    walk(nav.items, None)


# --- the commands' entry points (only this module and cli.py import mkdocs) ----------------


def build_site(
    config_file: Path, site_dir: Path, audience: str | None = None, *, strict: bool = False, jobs: int | None = None
) -> None:
    """Run a full mkdocs build of the project into ``site_dir``.

    ``jobs`` processes render the pages (default: ``default_jobs()``); 1 is mkdocs' own
    ``build``, page for page the same output.

    Raises ``BuildError`` with a message for the person (registry problems, strict
    warnings) when the build fails.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException

    _show_mkdocs_warnings()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about mkdocs 2 is not for our users
    errors = _ErrorCollector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(errors)
    try:
        config = load_config(str(config_file), site_dir=str(site_dir), strict=strict)
        plugin = config.plugins.get("maillage")
        if plugin is None:
            raise BuildError(f"{config_file}: the 'maillage' plugin is not in 'plugins'")
        if audience is not None:
            assert isinstance(plugin, MaillagePlugin)
            plugin.config.audience = audience
        if jobs is None:
            jobs = default_jobs()
        if jobs > 1:
            _build_then_index(config, jobs, errors)
        else:
            build(config)
    except (PluginError, Abort, ConfigurationError, MkDocsException) as exc:
        # mkdocs logs the plugin's error and raises a bare "Aborted": the log has the message.
        raise BuildError("\n".join(errors.messages) or str(exc)) from None
    finally:
        logger.removeHandler(errors)


def _build_then_index(config: MkDocsConfig, jobs: int, errors: _ErrorCollector) -> None:
    """``parallel_build`` in a forked process, then the search index in this one.

    Everything the pages are made from (the registry, the pages' Markdown, mkdocs' files
    and navigation) lives in the build process and is gone with it; Pagefind, whose memory
    is the other large one (generator/site/search.py), then runs beside a process that holds
    little. The peak of the two is their larger one, not their sum.
    """
    import multiprocessing
    import traceback

    from mkdocs.exceptions import Abort, MkDocsException

    plugin = config.plugins.get("maillage")
    fork = multiprocessing.get_context("fork")
    receive, send = fork.Pipe(duplex=False)

    def run() -> None:
        outcome: tuple[str, list[str]] = ("done", [])
        try:
            if isinstance(plugin, MaillagePlugin):
                plugin.index_later = True
            parallel_build(config, jobs, errors)
        except MkDocsException as exc:  # PluginError, Abort (strict warnings), configuration
            outcome = ("failed", list(errors.messages) or [str(exc)])
        except GenerationError as exc:  # a generating process died (site/generation.py)
            outcome = ("failed", [str(exc)])
        except Exception as exc:
            cause = environment_error(exc)
            if cause is not None:  # the disk is full, read-only...: raised again in the caller
                outcome = ("os-error", _os_error_fields(cause))
            else:  # a bug: shown as one, with its traceback
                outcome = ("crashed", [traceback.format_exc()])
        send.send(outcome)
        send.close()

    builder = fork.Process(target=run, name="maillage-build")
    builder.start()
    send.close()
    try:
        status, messages = receive.recv()
    except EOFError:  # killed (out of memory?) before it could answer
        status, messages = "failed", ["the process building the pages stopped unexpectedly"]
    builder.join()
    if status == "os-error":
        raise _os_error(messages)
    if status == "crashed":
        raise RuntimeError("the process building the pages failed:\n" + "\n".join(messages))
    if status == "failed":
        errors.messages[:] = messages
        raise Abort("Aborted")
    try:
        index_site(Path(config.site_dir))
    except SearchIndexError as exc:
        raise PluginError(f"maillage: {exc}") from None
    mark_site(Path(config.site_dir))


JOBS_VARIABLE = "MAILLAGE_JOBS"  # how many processes render pages (maillage build --jobs)


def default_jobs() -> int:
    """Processes for a build: ``MAILLAGE_JOBS``, else the CPUs this process may use (at most 4)."""
    value = os.environ.get(JOBS_VARIABLE, "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise BuildError(f"{JOBS_VARIABLE} must be a whole number of processes, 1 or more, not {value!r}")
        return int(value)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


@dataclass
class _ShareReport:
    """What a page-rendering process sends back: its failure, warnings and anchors."""

    error: str | None = None
    messages: list[str] = field(default_factory=list)
    warnings: int = 0
    anchors: dict[str, set[str]] = field(default_factory=dict)  # page -> the ids it has
    links: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # page -> target -> anchor -> link
    os_error: list[str] | None = None  # the machine's error that stopped it (disk full...), as _os_error_fields


def _os_error_fields(error: OSError) -> list[str]:
    """What a process sends of an ``OSError`` (site/build.py's environment errors) for its parent to raise."""
    return [str(error.errno), error.strerror or "", "" if error.filename is None else str(error.filename)]


def _os_error(fields: list[str]) -> OSError:
    number, reason, filename = fields
    return OSError(int(number), reason, filename or None)


def parallel_build(config: MkDocsConfig, jobs: int, errors: _ErrorCollector) -> None:
    """mkdocs' ``build`` (1.6) with the pages read and rendered by ``jobs`` forked processes.

    Python renders one page at a time per process, and reading and rendering the pages is
    most of a build: separate processes are what use the machine's cores. The steps and
    their order are those of ``mkdocs.commands.build.build``: configuration, files and
    navigation here; then each worker reads the navigation's pages (their titles are in
    every page's menu), runs ``on_env``, then reads, renders and writes its share of the
    others one page at a time; the static files are copied before the workers start, so
    that they do not inherit the generated ones' content. Anchor links are checked here from
    what the workers report, and ``on_post_build`` (the search index) runs once every page
    is written. Warnings count for ``--strict`` whichever process logged them.
    """
    import multiprocessing

    from mkdocs import utils
    from mkdocs.exceptions import Abort
    from mkdocs.exceptions import BuildError as MkDocsBuildError
    from mkdocs.structure.files import InclusionLevel, get_files, set_exclusions

    logger = logging.getLogger("mkdocs")
    counter = utils.CountHandler()
    counter.setLevel(logging.WARNING)
    if config.strict:
        logger.addHandler(counter)
    spool: _Spool | None = None
    plugin: Any = None
    try:
        start = time.monotonic()
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        utils.clean_directory(config.site_dir)
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        plugin = config.plugins.get("maillage")
        # Named with this process's id: a later build removes it if this one is killed (site/build.py).
        spool = _Spool(work_folder(Path(config.site_dir).parent, ".maillage-spool-"), jobs)
        if isinstance(plugin, MaillagePlugin):
            plugin.spool = spool
        files = config.plugins.on_files(files, config=config)
        spool.close()
        _give_back_memory()
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        inclusion = InclusionLevel.is_included
        doc_files = files.documentation_pages(inclusion=inclusion)
        for file in doc_files:
            if file.page is None:
                Page(None, file, config)
        # Menus show the titles of the navigation's pages, in each language's own version.
        languages = plugin.config.languages if isinstance(plugin, MaillagePlugin) else []
        in_nav = {page.file.src_uri for page in nav.pages}
        in_nav |= {posixpath.join(lang, uri) for uri in in_nav for lang in languages[1:]}
        shared = [f for f in doc_files if f.src_uri in in_nav]
        rest = [f for f in doc_files if f.src_uri not in in_nav]
        # The static files are written before the workers start, and the generated ones
        # (downloads, data of the map, orientation and search) then dropped from memory,
        # so that no worker inherits them.
        files.copy_static_files(inclusion=inclusion)
        for file in files:
            if isinstance(file, _GeneratedFile) and not file.is_documentation_page():
                file.release()
        fork = multiprocessing.get_context("fork")
        # Objects made so far are left out of the workers' garbage collections: a collection
        # writes to every object it visits, and each page so written is copied into the
        # worker (copy-on-write) — the parent's whole heap, once per worker.
        gc.collect()
        gc.freeze()
        workers = []
        for k in range(jobs):
            receive, send = fork.Pipe(duplex=False)
            own = (shared if k == 0 else []) + rest[k::jobs]
            worker = fork.Process(
                target=_render_share,
                args=(config, files, nav, env, shared, own, k == 0, send, errors),
                name=f"maillage-pages-{k}",
            )
            worker.start()
            send.close()
            workers.append((worker, receive))
        reports: list[_ShareReport] = []
        for worker, receive in workers:
            try:
                report = receive.recv()
            except EOFError:  # killed (out of memory?) before it could answer
                report = _ShareReport(error=f"the process rendering pages stopped unexpectedly ({worker.name})")
            worker.join()
            reports.append(report)
        for report in reports:
            if report.os_error is not None:
                raise _os_error(report.os_error)
            if report.error is not None:
                errors.messages.extend(m for m in report.messages if m not in errors.messages)
                if not report.messages:
                    errors.messages.append(report.error)
                raise Abort("Aborted: a page could not be built")
        by_uri = {f.src_uri: f for f in doc_files}
        for report in reports:
            for uri, anchors in report.anchors.items():
                by_uri[uri].page.present_anchor_ids = anchors  # type: ignore[union-attr]
            for uri, links in report.links.items():
                page = by_uri[uri].page
                assert page is not None
                page.links_to_anchors = {by_uri[target]: found for target, found in links.items() if target in by_uri}
        for file in doc_files:
            assert file.page is not None
            file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        config.plugins.on_post_build(config=config)
        warnings = sum(count for _, count in counter.get_counts()) + sum(r.warnings for r in reports)
        if config.strict and warnings:
            raise Abort(f"Aborted with {warnings} warnings in strict mode!")
        log.info(f"Documentation built in {time.monotonic() - start:.2f} seconds ({jobs} processes)")
    except Exception as exc:
        config.plugins.on_build_error(error=exc)
        if isinstance(exc, MkDocsBuildError):
            logger.error(str(exc))
            raise Abort("Aborted with a BuildError!") from None
        raise
    finally:
        gc.unfreeze()
        logger.removeHandler(counter)
        if spool is not None:
            spool.close()
            shutil.rmtree(spool.folder, ignore_errors=True)
        if isinstance(plugin, MaillagePlugin):
            plugin.spool = None


def _give_back_memory() -> None:
    """Return to the system the memory freed after generation (the registry, mostly).

    Python hands memory it freed back to the C allocator, which keeps it for later unless
    asked (glibc's ``malloc_trim``); the page-rendering processes would inherit it.
    """
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to ask
        pass


def _render_share(
    config: MkDocsConfig,
    files: Files,
    nav: Navigation,
    env: Any,
    shared: list[File],
    own: list[File],
    first: bool,
    send: Any,
    errors: _ErrorCollector,
) -> None:
    """A worker of ``parallel_build``: read, render and write the pages of ``own``."""
    from mkdocs import utils
    from mkdocs.structure.files import InclusionLevel
    from mkdocs.structure.toc import get_toc

    counter = utils.CountHandler()
    counter.setLevel(logging.WARNING)
    logging.getLogger("mkdocs").addHandler(counter)
    errors.messages.clear()  # the collector came with the fork: keep only this worker's
    report = _ShareReport()
    in_nav = {f.src_uri for f in shared}
    no_toc = get_toc([])
    try:
        # The menu's pages first: their titles are in every page's menu. The other pages
        # are then read, rendered and written one at a time, so that a worker holds one
        # page's HTML, not its whole share's (mkdocs reads every page before writing any;
        # the result is the same, since a page's output depends on the others' titles and
        # addresses only).
        for file in shared:
            assert file.page is not None
            mkdocs_internals.populate_page(file.page, config, files)
        env = config.plugins.on_env(env, config=config, files=files)
        if first:
            for template in config.theme.static_templates:
                mkdocs_internals.build_theme_template(template, env, files, config, nav)
            for template in config.extra_templates:
                mkdocs_internals.build_extra_template(template, files, config, nav)
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        for file in own:
            page = file.page
            assert page is not None
            if file.src_uri not in in_nav:
                mkdocs_internals.populate_page(page, config, files)
            excluded = file.inclusion.is_excluded()  # type: ignore[no-untyped-call]
            mkdocs_internals.build_page(page, config, doc_files, nav, env, excluded=excluded)
            if page.present_anchor_ids:
                report.anchors[file.src_uri] = page.present_anchor_ids
            if page.links_to_anchors:
                report.links[file.src_uri] = {to.src_uri: dict(found) for to, found in page.links_to_anchors.items()}
            # Written: its HTML is not needed any more. A menu page keeps its Markdown,
            # which its title (in every other page's menu) is read from.
            page.content = None
            if file.src_uri not in in_nav:
                page.markdown = None
                page.toc = no_toc  # the page's headings: read by its own template only
    except Exception as exc:  # reported to the parent, which fails the build with the message
        report.error = str(exc) or type(exc).__name__
        cause = environment_error(exc)
        if cause is not None:
            report.os_error = _os_error_fields(cause)
    report.messages = list(errors.messages)
    report.warnings = sum(count for _, count in counter.get_counts())
    send.send(report)
    send.close()


class _ErrorCollector(logging.Handler):
    """Keeps the error messages mkdocs logs during a build."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def serve_site(config_file: Path, dev_addr: str | None = None, audience: str | None = None) -> None:
    """``mkdocs serve`` for the project (live reload; edits to ``data/`` rebuild)."""
    from mkdocs.commands.serve import serve

    _show_mkdocs_warnings(info=True)
    # No BuildError reaches the person in serve: a registry error is shown as mkdocs logs
    # it, and the server keeps the last good site (the dirty build cleans nothing first).
    errors = logging.StreamHandler()
    errors.setLevel(logging.ERROR)
    errors.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(errors)
    # mkdocs warns that a dirty build may leave navigation stale; the plugin makes it a full
    # one whenever the set of pages changes (MaillagePlugin._mark_modified).
    logging.getLogger("mkdocs.commands.build").addFilter(lambda record: "'dirty' build" not in record.getMessage())
    if audience is not None:
        # mkdocs reloads the configuration on each rebuild: the environment is what
        # survives from one build to the next.
        os.environ[AUDIENCE_VARIABLE] = audience
    kwargs: dict[str, Any] = {"dev_addr": dev_addr} if dev_addr else {}
    # Dirty: mkdocs re-renders only the files that report is_modified() (_GeneratedFile).
    try:
        serve(config_file=str(config_file), build_type="dirty", **kwargs)
    finally:
        logging.getLogger("mkdocs").removeHandler(errors)


class BuildError(Exception):
    """The site could not be built; the message says why, for the person who ran the command."""


def _config_sources(config: MkDocsConfig) -> list[Path]:
    """The folders of the project a site must not overwrite besides data/: docs_dir, the theme's custom_dir."""
    folders = [Path(config.docs_dir)]
    if config.theme.custom_dir:
        folders.append(Path(config.theme.custom_dir))
    return folders


def source_folders(config_file: Path) -> list[Path]:
    """``_config_sources`` read from ``config_file`` alone, before a build (``maillage build``'s target check).

    A configuration mkdocs cannot read gives none: the build then fails on it, with
    mkdocs' message, before writing anything.
    """
    from mkdocs.utils.yaml import yaml_load

    try:
        with open(config_file, "rb") as handle:
            data = yaml_load(handle)
    except Exception:  # mkdocs reports it itself when the build loads the configuration
        return []
    if not isinstance(data, dict):
        return []
    root = config_file.resolve().parent
    folders = [root / str(data.get("docs_dir") or "docs")]
    theme = data.get("theme")
    if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str):
        folders.append(root / theme["custom_dir"])
    return folders


def _show_mkdocs_warnings(info: bool = False) -> None:
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_maillage", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        # Errors reach the person through BuildError (once), warnings and notes through here.
        handler.addFilter(lambda record: record.levelno < logging.ERROR)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler._maillage = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO if info else logging.WARNING)
