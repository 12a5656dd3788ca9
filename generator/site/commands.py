"""The commands' entry points: ``maillage build`` (``build_site``) and ``maillage serve`` (``serve_site``).

They load the project's ``mkdocs.yml``, run mkdocs' build (or ``site/parallel.py``'s, in
several processes) or its live-reload server, and turn what mkdocs logs into one
``BuildError`` for the person who ran the command. ``site/build.py`` then swaps the built
site in; ``cli.py`` calls both.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from .parallel import ErrorCollector, build_then_index
from .plugin import AUDIENCE_VARIABLE, MaillagePlugin
from .render_cache import RenderCache
from .shards import Shard


class BuildError(Exception):
    """The site could not be built; the message says why, for the person who ran the command."""


def build_site(
    config_file: Path,
    site_dir: Path,
    audience: str | None = None,
    *,
    strict: bool = False,
    jobs: int | None = None,
    shard: Shard | None = None,
    cache: Path | None = None,
    reuse: bool = False,
) -> None:
    """Run a full mkdocs build of the project into ``site_dir``.

    ``jobs`` processes render the pages (default: ``default_jobs()``); 1 is mkdocs' own
    ``build``, page for page the same output. A ``shard`` builds only its share of the
    pages, with the manifest ``maillage build --merge`` needs (site/shards.py).

    Raises ``BuildError`` with a message for the person (registry problems, strict
    warnings) when the build fails.

    ``cache``: the folder of the cache of rendered pages (site/render_cache.py), used by
    the pages' processes (``jobs`` 2 or more); None renders every page.

    ``reuse``: ``site_dir`` holds an earlier build's site, brought up to date file by file
    rather than emptied (``site/parallel.py``; with ``jobs`` 2 or more, else emptied).
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException

    _show_mkdocs_warnings()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about mkdocs 2 is not for our users
    errors = ErrorCollector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(errors)
    try:
        config = load_config(str(config_file), site_dir=str(site_dir), strict=strict)
        # As ``mkdocs build`` does: mkdocs keeps a plugin with on_startup across the builds of
        # one process, and a ``serve`` or a merge before this build must not leave its state.
        config.plugins.on_startup(command="build", dirty=False)
        plugin = config.plugins.get("maillage")
        if plugin is None:
            raise BuildError(f"{config_file}: the 'maillage' plugin is not in 'plugins'")
        assert isinstance(plugin, MaillagePlugin)
        if audience is not None:
            plugin.config.audience = audience
        plugin.writing_over = reuse and shard is None
        if jobs is None:
            jobs = default_jobs()
        # Read by the page-rendering processes (site/parallel.py's _render_share).
        plugin.page_cache = RenderCache(cache) if cache is not None else None  # type: ignore[attr-defined]
        if jobs > 1 or shard is not None:
            build_then_index(config, jobs, errors, shard, reuse=reuse and shard is None)
        else:
            build(config)
    except (PluginError, Abort, ConfigurationError, MkDocsException) as exc:
        # mkdocs logs the plugin's error and raises a bare "Aborted": the log has the message.
        raise BuildError("\n".join(errors.messages) or str(exc)) from None
    finally:
        logger.removeHandler(errors)


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
    # one whenever the set of pages changes (MaillagePlugin._mark_modified, site/plugin.py).
    logging.getLogger("mkdocs.commands.build").addFilter(lambda record: "'dirty' build" not in record.getMessage())
    if audience is not None:
        # mkdocs reloads the configuration on each rebuild: the environment is what
        # survives from one build to the next.
        os.environ[AUDIENCE_VARIABLE] = audience
    kwargs: dict[str, Any] = {"dev_addr": dev_addr} if dev_addr else {}
    # Dirty: mkdocs re-renders only the files that report is_modified() (site/files.py's GeneratedFile).
    try:
        serve(config_file=str(config_file), build_type="dirty", **kwargs)
    finally:
        logging.getLogger("mkdocs").removeHandler(errors)


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


def plugin_option(config_file: Path, name: str, default: int) -> int:
    """A whole-number option of the ``maillage`` plugin read from ``config_file`` alone, for the
    commands that do not build (``maillage orient``'s ``orient_fallback_km``); ``default``
    when the file, the plugin or the option is missing. Raises ``BuildError`` when the value
    is not a whole number, as the build would."""
    from mkdocs.utils.yaml import yaml_load

    try:
        with open(config_file, "rb") as handle:
            data = yaml_load(handle)
    except Exception:  # no mkdocs.yml, or one mkdocs cannot read: the build says why
        return default
    plugins = data.get("plugins") if isinstance(data, dict) else None
    for plugin in plugins if isinstance(plugins, list) else []:
        if isinstance(plugin, dict) and isinstance(plugin.get("maillage"), dict):
            value = plugin["maillage"].get(name, default)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise BuildError(f"{config_file}: plugins: maillage: {name} must be a whole number, not {value!r}")
            return value
    return default


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
