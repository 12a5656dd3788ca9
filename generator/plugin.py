"""The mkdocs plugin ``maillage``: the registry becomes the directory's pages.

It only wires mkdocs' events: the registry is loaded once per build in ``on_files``, every
provider of ``generator.site.providers`` is asked for its pages and assets in each
language, and each result becomes a virtual file (nothing is written into ``directory/``).
The pages themselves are made by plain functions that the tests call without mkdocs.
"""

from __future__ import annotations

import logging
import os
import posixpath
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section, get_navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from .problems import RegistryError, format_problems
from .registry import for_audience, load_registry
from .search import SearchIndexError, index_site
from .site.context import Asset, GeneratedPage, SiteConfig, SiteContext
from .site.csp import add_policy
from .site.i18n import LANGUAGE_NAMES, nav_title, t
from .site.pages import HOME_ENTRY_MARKER, entry_points
from .site.providers import PROVIDERS

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
        return config

    # --- pages ----------------------------------------------------------------------------

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        try:
            registry = load_registry(self.root)
        except RegistryError as exc:
            raise PluginError(
                f"maillage: the registry has {len(exc.problems)} problem(s):\n" + format_problems(exc.problems)
            ) from None
        registry = for_audience(registry, self.config.audience)
        site_config = self.site_config()
        docs_dir = Path(config.docs_dir).resolve()
        for file in files:
            if file.generated_by is None and file.abs_src_path:
                file.edit_uri = _project_path(self.root, Path(file.abs_src_path)) or file.src_uri
        generated: dict[str, str] = {}
        # Files.get_file_from_path rebuilds its index after every append: asking it once per
        # generated file made this loop quadratic in the number of pages.
        written = {file.src_uri for file in files}
        for lang in site_config.languages:
            context = SiteContext(registry=registry, config=site_config, lang=lang, root=self.root)
            for provider in PROVIDERS:
                for item in provider(context):
                    owner = getattr(provider, "__name__", repr(provider))
                    if item.uri in generated or item.uri in written:
                        first = generated.get(item.uri, f"{docs_dir.name}/{item.uri}")
                        raise PluginError(f"maillage: {owner} and {first} both make '{item.uri}'")
                    generated[item.uri] = owner
                    files.append(_virtual_file(config, item))
        self.files = files
        self._page_urls = None
        self.nav_config = _prune_nav(config.nav, files)
        config.nav = self.nav_config
        return files

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.main_nav = nav
        return nav

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

    def on_post_build(self, config: MkDocsConfig) -> None:
        # The search index is made from the pages as written (generator/search.py).
        try:
            index_site(Path(config.site_dir))
        except SearchIndexError as exc:
            raise PluginError(f"maillage: {exc}") from None

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
            if self.main_nav is not None:
                # get_navigation re-parents the pages it shares with the main navigation.
                _relink(self.main_nav)
        return self.navs[lang]


def _virtual_file(config: MkDocsConfig, item: GeneratedPage | Asset) -> File:
    file = File.generated(config, item.uri, content=item.content)
    if isinstance(item, GeneratedPage):
        file.edit_uri = item.edit_path
    return file


def _project_path(root: Path, path: Path) -> str | None:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def _nav_target(entry: Any) -> str | None:
    return entry if isinstance(entry, str) else None


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


def build_site(config_file: Path, site_dir: Path, audience: str | None = None, *, strict: bool = False) -> None:
    """Run a full mkdocs build of the project into ``site_dir``.

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
        build(config)
    except (PluginError, Abort, ConfigurationError, MkDocsException) as exc:
        # mkdocs logs the plugin's error and raises a bare "Aborted": the log has the message.
        raise BuildError("\n".join(errors.messages) or str(exc)) from None
    finally:
        logger.removeHandler(errors)


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
    if audience is not None:
        # mkdocs reloads the configuration (and a new plugin) on each rebuild: the
        # environment is what survives from one build to the next.
        os.environ[AUDIENCE_VARIABLE] = audience
    kwargs: dict[str, Any] = {"dev_addr": dev_addr} if dev_addr else {}
    serve(config_file=str(config_file), **kwargs)


class BuildError(Exception):
    """The site could not be built; the message says why, for the person who ran the command."""


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
