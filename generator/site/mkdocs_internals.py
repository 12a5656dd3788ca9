"""Every call into mkdocs' private functions, in one place, for the mkdocs it was written for.

The serve patch and the parallel build run mkdocs' own steps for one page or one template —
``_populate_page``, ``_build_page``, ``_build_theme_template``, ``_build_extra_template`` of
``mkdocs.commands.build`` — and wake the live-reload server's browsers as its rebuild loop does (``_epoch_cond``,
``_wanted_epoch``, ``_visible_epoch``, ``mkdocs.livereload._timestamp``). None of these is
mkdocs' public API: they were read in mkdocs ``SUPPORTED`` and may change in any release.
``pyproject.toml`` bounds mkdocs to that series, and ``check_version`` (run by the plugin's
``on_config`` and before each call here) refuses another one with a ``PluginError`` that
names both versions, rather than a build that fails somewhere inside mkdocs.

(``GeneratedFile`` in ``site/files.py`` also reads and sets ``File._content``, mkdocs'
own attribute for in-memory content.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mkdocs
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

SUPPORTED = (1, 6)  # the mkdocs series these calls were written for (pyproject.toml: mkdocs>=1.6,<1.7)

_checked = False


def check_version(version: str | None = None) -> None:
    """Raise a ``PluginError`` unless the installed mkdocs (or ``version``) is of the ``SUPPORTED`` series."""
    global _checked
    if _checked and version is None:
        return
    installed = mkdocs.__version__ if version is None else version
    parts = installed.split(".")
    try:
        series = (int(parts[0]), int(parts[1]))
    except (IndexError, ValueError):
        series = None
    supported = ".".join(map(str, SUPPORTED))
    if series != SUPPORTED:
        raise PluginError(
            f"maillage: mkdocs {installed} is installed; this version of maillage works with mkdocs {supported}.x "
            f"only (it uses mkdocs {supported}'s own build steps): install mkdocs>={supported},<1.{SUPPORTED[1] + 1}"
        )
    if version is None:
        _checked = True


def populate_page(page: Page, config: MkDocsConfig, files: Files) -> None:
    """mkdocs' ``_populate_page``: read the page's Markdown, run its events and convert it."""
    check_version()
    from mkdocs.commands.build import _populate_page

    _populate_page(page, config, files)


def build_page(
    page: Page, config: MkDocsConfig, doc_files: Sequence[File], nav: Navigation, env: Any, *, excluded: bool = False
) -> None:
    """mkdocs' ``_build_page``: render the populated page in its template and write it."""
    check_version()
    from mkdocs.commands.build import _build_page

    _build_page(page, config, doc_files, nav, env, excluded=excluded)


def build_theme_template(template: str, env: Any, files: Files, config: MkDocsConfig, nav: Navigation) -> None:
    """mkdocs' ``_build_theme_template``: render and write one of the theme's static templates (sitemap.xml...)."""
    check_version()
    from mkdocs.commands.build import _build_theme_template

    _build_theme_template(template, env, files, config, nav)


def build_extra_template(template: str, files: Files, config: MkDocsConfig, nav: Navigation) -> None:
    """mkdocs' ``_build_extra_template``: render and write one of ``extra_templates``."""
    check_version()
    from mkdocs.commands.build import _build_extra_template

    _build_extra_template(template, files, config, nav)


def reload_browsers(server: Any) -> bool:
    """Make the live-reload server's browsers reload, as its rebuild loop does once a build is done.

    mkdocs has no public call for it. False (nothing done) when ``server`` has no such loop.
    """
    condition = getattr(server, "_epoch_cond", None)
    if condition is None:
        return False
    check_version()
    from mkdocs.livereload import _timestamp

    with condition:
        server._wanted_epoch = server._visible_epoch = _timestamp()
        condition.notify_all()
    return True
