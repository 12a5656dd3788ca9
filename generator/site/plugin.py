"""The mkdocs plugin ``maillage``: the registry becomes the directory's pages.

The plugin wires mkdocs' events: the registry is loaded once per build in ``on_files``,
every provider of ``generator.site.providers`` is asked for its pages and assets in each
language, and each result becomes a virtual file (``site/files.py``; nothing is written
into ``directory/``); the other languages' menus and language switch are made here too.
The pages themselves are made by plain functions that the tests call without mkdocs.

The rest lives beside it, one job per module: ``maillage serve``'s patch of the served
site after an edit (``site/serve_patch.py``, whose ``ServePatch`` this plugin inherits),
the build in several processes (``site/parallel.py``), the commands' entry points
(``site/commands.py``) and every call into mkdocs' private functions
(``site/mkdocs_internals.py``).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import posixpath
import threading
from collections.abc import Callable, Iterable
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

from .. import locale as words
from ..registry.loader import LoadCache, Registry, for_audience, load_registry
from ..registry.parsed import ParsedStore
from ..registry.privacy import professional_leaks
from ..registry.problems import RegistryError, format_problems
from . import (
    accessibility_page,
    gaps_page,
    minify,
    mkdocs_internals,
    raw_blocks,
    serve_patch,
    template_words,
    territory_pages,
)
from . import files as files_module
from .build import TargetError, check_target, mark_site
from .context import Asset, GeneratedPage, SiteConfig, SiteContext
from .csp import add_policy, mark_templates
from .files import GeneratedFile, Spool, virtual_file
from .generation import Made, generate_in_processes
from .i18n import LANGUAGE_NAMES, nav_title, t
from .incremental import Coalescing, Item, ServeMemory, provider_name
from .pages import HOME_ENTRY_MARKER, entry_points
from .provider_cache import for_build as provider_cache_for
from .providers import PROVIDERS
from .record_languages import known_before_forking
from .render_cache import RenderCache
from .search import SearchIndexError, index_site
from .serve_patch import Served, ServePatch
from .valid_html import repair_theme_markup

log = logging.getLogger("mkdocs.plugins.maillage")

PARSED_FOLDER = "parsed"  # the registry files earlier builds parsed, in the pages' cache folder
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
    gap_report_email = c.Optional(c.Type(str))  # the orientation page's "Signaler cette zone grise"
    accessibility_email = c.Optional(c.Type(str))  # the accessibility statement's contact (else repo_url's issues)
    orient_fallback_km = c.Type(int, default=_DEFAULTS.orient_fallback_km)  # nearest fallbacks, at most this far


class MaillagePlugin(ServePatch, BasePlugin[MaillagePluginConfig]):  # type: ignore[no-untyped-call]
    """Generate the directory from ``data/`` (see the module docstring)."""

    def __init__(self) -> None:
        self.root = Path()
        self.repo_url: str | None = None  # mkdocs.yml's, for the orientation page's gap reports
        self.files: Files | None = None
        self.navs: dict[str, Navigation] = {}
        self.main_nav: Navigation | None = None
        self.nav_config: Any = None
        self._page_urls: set[str] | None = None
        self.spool: Spool | None = None  # where generated content waits on disk (set by parallel_build)
        # Only in `maillage serve` (on_startup): what the edit loop keeps between rebuilds.
        self.memory: ServeMemory | None = None
        self.dirty = False
        self.indexer: Coalescing | None = None
        self._writing = False
        self.load_cache: LoadCache | None = None
        self.deferred: Coalescing | None = None  # remakes DEFERRED outputs after a patch
        self._building: Served | None = None  # the mkdocs build under way
        self._served: Served | None = None  # what the last good build left, for _patch
        self._site_lock = threading.Lock()  # one writer of the site at a time
        self._epoch = 0  # rebuilds so far: a background result made before the last one is stale
        self._waiting = 0  # rebuilds waiting for the lock: the background gives way
        self._later: list[tuple[File, Item]] = []  # pages _patch left for the background
        self._server: Any = None  # mkdocs' live-reload server
        self.index_later = False  # the search index is made after the build, by its caller
        self._site_dir: Path | None = None  # site_dir once on_config found it may be replaced
        # site_dir is maillage build's spare, an earlier site it writes over (site/build.py):
        # checked by maillage build as the target it replaces, not here as a folder emptied.
        self.writing_over = False
        self.minifier: Callable[[str], str] | None = None  # at national scale (generator/site/minify.py)

    # --- serve: the edit loop (generator/site/incremental.py) ----------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup also makes mkdocs keep this plugin object across the rebuilds
        # of one `serve`: that is what lets it remember the previous build.
        self.memory = ServeMemory() if command == "serve" else None
        self.index_later = False  # a merge or a parallel build of this process set it for itself
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
            repo_url=self.repo_url,
            gap_report_email=self.config.gap_report_email,
            accessibility_email=self.config.accessibility_email,
            orient_fallback_km=self.config.orient_fallback_km,
        )

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        mkdocs_internals.check_version()  # the serve patch and the parallel build use mkdocs' private steps
        languages = self.config.languages
        unknown = [lang for lang in languages if lang not in LANGUAGE_NAMES]
        if not languages or unknown:
            raise PluginError(f"maillage: languages must be among {', '.join(LANGUAGE_NAMES)}; got {languages}")
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        self.repo_url = config.repo_url or None
        words.use_project(self.root)  # the directory's own locale/ over the shipped words
        self.navs = {}
        override = os.environ.get(AUDIENCE_VARIABLE)
        if override:
            if override not in ("public", "professional"):
                raise PluginError(f"maillage: {AUDIENCE_VARIABLE} must be public or professional, not {override!r}")
            self.config.audience = override
        # The generated pages' HTML blocks skip Python-Markdown's HTML parser (same output).
        if not any(isinstance(e, raw_blocks.RawBlocksExtension) for e in config.markdown_extensions):
            config.markdown_extensions.append(raw_blocks.RawBlocksExtension())
        # `mkdocs serve` rebuilds when a maintainer edits the registry.
        config.watch.append(str(self.root / "data"))
        # … and when a translator edits a catalogue (the directory's own, or the shipped one).
        config.watch.extend(str(folder) for folder in (self.root / "locale", words.HERE) if folder.is_dir())
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
        if self.memory is None and not self.writing_over:
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
            registry = load_registry(self.root, cache=self.load_cache, store=self.parsed_store())
            if self.config.audience == "public" and self.memory is None:
                # A professional phone or e-mail copied into a text would be published with
                # it: a public build refuses it as `check` does. (Serve previews locally, and
                # re-runs it on every edit; `check` in the pull request catches it there.)
                leaks = professional_leaks(registry)
                if leaks:
                    raise RegistryError(leaks)
        except RegistryError as exc:
            lang = words.speaking()
            heading = t("cli.build.registry_problems", lang, n=len(exc.problems))
            raise PluginError(heading + "\n" + format_problems(exc.problems, lang=lang)) from None
        return for_audience(registry, self.config.audience, self.load_cache)

    def parsed_store(self) -> ParsedStore | None:
        """The registry files earlier builds parsed (registry/parsed.py): kept beside the
        cache of rendered pages, by a build that has one."""
        cache = getattr(self, "page_cache", None)
        return ParsedStore(cache.folder / PARSED_FOLDER) if isinstance(cache, RenderCache) else None

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        registry = self.load()
        self.minifier = minify.minifier(config) if minify.wanted(registry) else None
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
            settings = serve_patch.settings(self.root, config, site_config)
            made = list(self.memory.generate(contexts, PROVIDERS, settings))
        elif self.spool is not None and self.spool.jobs > 1:
            # parallel_build: the providers run in forked processes, their output on disk.
            spool = self.spool
            # maillage build's cache (site/provider_cache.py): the providers an edit did not reach are not run.
            cache = provider_cache_for(getattr(self, "page_cache", None), self.root, config, site_config, contexts)
            known_before_forking(contexts)
            found = generate_in_processes(
                contexts, PROVIDERS, spool.jobs, spool.folder, files_module.SPOOL_BYTES, cache=cache
            )
            made = ((provider_name(PROVIDERS[p]), item) for p, item in found)
        else:
            # One item at a time: each becomes its file (UTF-8 bytes) before the next is made.
            made = ((provider_name(p), item) for context in contexts for p in PROVIDERS for item in p(context))
        virtual: list[GeneratedFile] = []
        items: list[GeneratedPage | Asset] = []
        for owner, item in made:
            if item.uri in generated or item.uri in written:
                first = generated.get(item.uri, f"{docs_dir.name}/{item.uri}")
                raise PluginError(f"maillage: {owner} and {first} both make '{item.uri}'")
            generated[item.uri] = owner
            file = virtual_file(config, item, self.spool)
            virtual.append(file)
            if self.memory is not None and isinstance(item, GeneratedPage | Asset):
                items.append(item)  # serve generates in this process: always
            files.append(file)
        if self.memory is not None:
            self._mark_modified(virtual, items, config, settings)
            self._building = Served(config, files, {file.src_uri: file for file in virtual})
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
        self, virtual: list[GeneratedFile], items: list[Item], config: MkDocsConfig, settings: str
    ) -> None:
        """Tell mkdocs' dirty build which generated files changed since the last good build."""
        assert self.memory is not None
        full = self.memory.plan((file.src_uri for file in virtual), settings)
        for file, item in zip(virtual, items, strict=True):
            changed = self.memory.is_changed(file.src_uri, file.content_bytes, item)
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
        template_words.install(env)  # {{ _("key") }} in overrides/ reads the catalogues
        if self._building is not None:
            self._building.env = env
        if self.dirty and self.main_nav is not None:
            _read_titles(self.main_nav, config)
        return env

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Every page speaks one language: a page under nl/ or en/ that does not say which
        # (the map, orientation and gap pages) is in that folder's. The theme's words, the
        # `<html lang>` and the catalogues' words follow it (overrides/partials/language.html).
        page.meta.setdefault("maillage_lang", self.lang_of(page.url))
        if HOME_ENTRY_MARKER in markdown:
            lang = str(page.meta.get("maillage_lang") or self.config.languages[0])
            prefix = "" if lang == self.config.languages[0] else f"{lang}/"
            markdown = markdown.replace(HOME_ENTRY_MARKER, entry_points(lang, prefix, self.page_urls()))
        return markdown

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        lang = str(page.meta.get("maillage_lang") or self.lang_of(page.url))
        return accessibility_page.name_permalinks(html, lang)

    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        languages = list(self.config.languages)
        lang = str(page.meta.get("maillage_lang") or self.lang_of(page.url))
        context["maillage_lang"] = lang  # type: ignore[typeddict-unknown-key]
        context["maillage_alternates"] = self.alternates(page.url, lang)  # type: ignore[typeddict-unknown-key]
        context["maillage_a11y"] = accessibility_page.footer_link(lang, languages)  # type: ignore[typeddict-unknown-key]
        if lang != languages[0] and self.files is not None:
            context["nav"] = self.nav_for(lang, config)
        return context

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        return add_policy(self._minify(repair_theme_markup(output)), self.config.tiles)

    def on_post_template(self, output_content: str, /, *, template_name: str, config: MkDocsConfig) -> str:
        # The theme's own pages (404.html) get the policy too, and lose the scripts' mark.
        if not template_name.endswith(".html"):
            return output_content
        return add_policy(self._minify(repair_theme_markup(output_content)), self.config.tiles)

    def _minify(self, html: str) -> str:
        """``html`` minified at national scale (generator/site/minify.py), else as it is."""
        return self.minifier(html) if self.minifier is not None else html

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

    def lang_of(self, url: str) -> str:
        """The language of the page at ``url``: its folder's (nl/, en/), else the first one."""
        languages = list(self.config.languages)
        first = url.split("/", 1)[0]
        return first if first in languages[1:] else languages[0]

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


def _config_sources(config: MkDocsConfig) -> list[Path]:
    """The folders of the project a site must not overwrite besides data/: docs_dir, the theme's custom_dir."""
    folders = [Path(config.docs_dir)]
    if config.theme.custom_dir:
        folders.append(Path(config.theme.custom_dir))
    return folders
