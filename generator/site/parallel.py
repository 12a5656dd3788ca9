"""``maillage build --jobs``: mkdocs' build with the pages rendered by forked processes.

``build_then_index`` runs ``parallel_build`` in a forked process and the search index in
this one; ``parallel_build`` is mkdocs' ``build`` (1.6) step for step, with the generated
files waiting on disk (``site/files.py``'s ``Spool``) and each page-rendering process
(``_render_share``) reporting its failure, warnings and anchors back. Page for page, the
output is that of mkdocs' own single-process build (``tests/site/test_build.py``).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import posixpath
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, get_navigation
from mkdocs.structure.pages import Page

from . import mkdocs_internals, output, render_cache
from .build import SITE_MARKER, environment_error, mark_site, work_folder
from .files import GeneratedFile, Spool
from .generation import GenerationError
from .plugin import MaillagePlugin
from .search import BUNDLE, SearchIndexError, index_site
from .shards import Shard, ShardPages, write_manifest

log = logging.getLogger("mkdocs.plugins.maillage")


@dataclass
class _ShareReport:
    """What a page-rendering process sends back: its failure, warnings and anchors."""

    error: str | None = None
    messages: list[str] = field(default_factory=list)
    warnings: int = 0
    anchors: dict[str, set[str]] = field(default_factory=dict)  # page -> the ids it has
    links: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # page -> target -> anchor -> link
    os_error: list[str] | None = None  # the machine's error that stopped it (disk full...), as _os_error_fields
    rendered: int = 0  # pages rendered (with a cache of rendered pages: its misses)
    cached: int = 0  # pages written from the cache of rendered pages (site/render_cache.py)
    kept: list[str] = field(default_factory=list)  # the cache entries used or written (RenderCache.name)
    # The file each page was left in, with its key (render_cache.PageFiles)
    files: list[tuple[str, render_cache.PageFile, str]] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # the files it wrote or found right (output.written)


def _os_error_fields(error: OSError) -> list[str]:
    """What a process sends of an ``OSError`` (site/build.py's environment errors) for its parent to raise."""
    return [str(error.errno), error.strerror or "", "" if error.filename is None else str(error.filename)]


def _os_error(fields: list[str]) -> OSError:
    number, reason, filename = fields
    return OSError(int(number), reason, filename or None)


def parallel_build(
    config: MkDocsConfig, jobs: int, errors: ErrorCollector, shard: Shard | None = None, *, reuse: bool = False
) -> list[str] | None:
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

    A ``shard`` (``maillage build --shard``, site/shards.py) renders only its pages, and
    leaves the anchors and ``on_post_build`` to the merge: it writes its manifest instead.

    ``reuse``: ``site_dir`` holds an earlier build's site (site/build.py's spare). It is not
    emptied: a file that already holds the right bytes is left alone (``output.reuse``),
    and once every page is written, what this build did not write is removed, except the
    search index, which ``index_site`` brings up to date the same way. The result is the
    same site, file for file and byte for byte (``tests/site/test_spare_site.py``). Every
    file the site then holds (but the search index) is returned, by its path in the site:
    ``index_site`` finds the pages among them (None when the site was written afresh).
    """
    from mkdocs import utils
    from mkdocs.exceptions import Abort
    from mkdocs.exceptions import BuildError as MkDocsBuildError
    from mkdocs.structure.files import InclusionLevel, get_files, set_exclusions

    logger = logging.getLogger("mkdocs")
    counter = utils.CountHandler()
    counter.setLevel(logging.WARNING)
    if config.strict or shard is not None:  # a shard's warnings go in its manifest
        logger.addHandler(counter)
    spool: Spool | None = None
    plugin: Any = None
    listed: list[str] | None = None
    stack = contextlib.ExitStack()
    try:
        start = time.monotonic()
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        if reuse:
            stack.enter_context(_writing_over())
        else:
            utils.clean_directory(config.site_dir)
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        plugin = config.plugins.get("maillage")
        # Named with this process's id: a later build removes it if this one is killed (site/build.py).
        spool = Spool(work_folder(Path(config.site_dir).parent, ".maillage-spool-"), jobs)
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
        shared, rest = _shares(plugin, nav, doc_files)
        # The static files are written before the workers start, and the generated ones
        # (downloads, data of the map, orientation and search) then dropped from memory,
        # so that no worker inherits them.
        if shard is None or shard.first:
            files.copy_static_files(inclusion=inclusion)
        for file in files:
            if isinstance(file, GeneratedFile) and not file.is_documentation_page():
                file.release()
        # Objects made so far are left out of the workers' garbage collections: a collection
        # writes to every object it visits, and each page so written is copied into the
        # worker (copy-on-write) — the parent's whole heap, once per worker.
        gc.collect()
        gc.freeze()
        reports = _render_in_workers(jobs, (config, files, nav, env, shared), rest, errors, shard)
        _raise_first_failure(reports, errors)
        if shard is not None:
            built = sum(count for _, count in counter.get_counts())
            _write_shard(config, shard, plugin, doc_files, reports, built)
            warnings = built + sum(r.warnings for r in reports)
            if config.strict and warnings:  # the merge would fail: say so now
                raise Abort(f"Aborted with {warnings} warnings in strict mode!")
            log.info(f"Shard {shard.index}/{shard.count} built in {time.monotonic() - start:.2f} seconds")
            return None
        _take_anchors(reports, doc_files)
        if reuse:
            listed = _remove_the_rest(config, files, reports)
        _finish_cache(plugin, reports)
        for file in doc_files:
            assert file.page is not None
            file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        config.plugins.on_post_build(config=config)
        warnings = sum(count for _, count in counter.get_counts()) + sum(r.warnings for r in reports)
        if config.strict and warnings:
            raise Abort(f"Aborted with {warnings} warnings in strict mode!")
        log.info(f"Documentation built in {time.monotonic() - start:.2f} seconds ({jobs} processes)")
        return listed
    except Exception as exc:
        config.plugins.on_build_error(error=exc)
        if isinstance(exc, MkDocsBuildError):
            logger.error(str(exc))
            raise Abort("Aborted with a BuildError!") from None
        raise
    finally:
        stack.close()
        gc.unfreeze()
        logger.removeHandler(counter)
        if spool is not None:
            spool.close()
            shutil.rmtree(spool.folder, ignore_errors=True)
        if isinstance(plugin, MaillagePlugin):
            plugin.spool = None


@contextlib.contextmanager
def _writing_over() -> Iterator[None]:
    """mkdocs' own writers through ``output``'s, which leave a file already right alone
    and note what they wrote (``output.reuse``): the pages, the theme's files and templates."""
    from mkdocs import utils

    def write_file(content: bytes, output_path: str) -> None:
        output.write_file(output_path, content)
        if output_path.endswith("sitemap.xml"):
            # mkdocs then writes the .gz itself, over the earlier one (which may be a hard
            # link to a shard's file, site/shards.py): made anew instead.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(output_path + ".gz")
            output.note(output_path + ".gz")

    saved = utils.write_file, utils.copy_file
    utils.write_file, utils.copy_file = write_file, output.copy_file  # type: ignore[assignment]
    output.reuse(True)
    try:
        yield
    finally:
        utils.write_file, utils.copy_file = saved  # type: ignore[assignment]
        output.reuse(False)


def _remove_the_rest(config: MkDocsConfig, files: Files, reports: Sequence[_ShareReport]) -> list[str]:
    """Every page is written over the earlier site: remove what this build did not write
    (pages of services gone, an old download), but the search index and the marker,
    which come after. The files kept, by their path in the site: the site is then those."""
    written = output.written()
    for report in reports:
        written.update(report.written)
    # Whatever a file of the build would be written to, in case a writer bypassed ``output``.
    written.update(file.abs_dest_path for file in files if file.inclusion.is_included())  # type: ignore[no-untyped-call]
    site_dir = os.path.normpath(config.site_dir)
    kept = {os.path.normpath(path) for path in written}
    output.prune(site_dir, kept, skip=(BUNDLE, SITE_MARKER))
    inside = site_dir + os.sep
    return sorted(path[len(inside) :].replace(os.sep, "/") for path in kept if path.startswith(inside))


def _shares(plugin: Any, nav: Navigation, doc_files: Sequence[File]) -> tuple[list[File], list[File]]:
    """The pages every worker reads (the navigation's, in every language: menus show their
    titles) and the others, which the workers share out."""
    languages = plugin.config.languages if isinstance(plugin, MaillagePlugin) else []
    in_nav = {page.file.src_uri for page in nav.pages}
    in_nav |= {posixpath.join(lang, uri) for uri in in_nav for lang in languages[1:]}
    return [f for f in doc_files if f.src_uri in in_nav], [f for f in doc_files if f.src_uri not in in_nav]


def _render_in_workers(
    jobs: int, common: tuple[Any, ...], rest: Sequence[File], errors: ErrorCollector, shard: Shard | None = None
) -> list[_ShareReport]:
    """Forks ``jobs`` workers, each rendering its share of ``rest``, and gathers their reports.

    In a ``shard``, only its pages are rendered, and the theme's templates by shard 1 only.
    """
    import multiprocessing

    fork = multiprocessing.get_context("fork")
    config, files, nav, env, shared = common
    rendered = shared
    if shard is not None:
        rendered = [f for f in shared if shard.owns(f.src_uri)]
        rest = [f for f in rest if shard.owns(f.src_uri)]
    workers = []
    for k in range(jobs):
        receive, send = fork.Pipe(duplex=False)
        own = (rendered if k == 0 else []) + list(rest[k::jobs])
        first = k == 0 and (shard is None or shard.first)
        worker = fork.Process(
            target=_render_share,
            args=(config, files, nav, env, shared, own, first, send, errors),
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
    return reports


def _raise_first_failure(reports: Sequence[_ShareReport], errors: ErrorCollector) -> None:
    """Fails the build as the first failed worker did (its messages go to the collector)."""
    from mkdocs.exceptions import Abort

    for report in reports:
        if report.os_error is not None:
            raise _os_error(report.os_error)
        if report.error is not None:
            errors.messages.extend(m for m in report.messages if m not in errors.messages)
            if not report.messages:
                errors.messages.append(report.error)
            raise Abort("Aborted: a page could not be built")


def _finish_cache(plugin: Any, reports: Sequence[_ShareReport]) -> None:
    """Every page is written: say how many the cache of rendered pages spared, and prune it."""
    cache = getattr(plugin, "page_cache", None)
    if not isinstance(cache, render_cache.RenderCache):
        return
    rendered, cached = sum(r.rendered for r in reports), sum(r.cached for r in reports)
    kept = (name for report in reports for name in report.kept)
    cache.finish(rendered, cached, kept, (entry for report in reports for entry in report.files))
    log.info(f"pages: {rendered:,} rendered, {cached:,} from the cache ({cache.folder})")


def _take_anchors(reports: Sequence[_ShareReport], doc_files: Sequence[File]) -> None:
    """Gives the parent's pages the anchors and anchor links the workers found."""
    by_uri = {f.src_uri: f for f in doc_files}
    for report in reports:
        for uri, anchors in report.anchors.items():
            by_uri[uri].page.present_anchor_ids = anchors  # type: ignore[union-attr]
        for uri, links in report.links.items():
            page = by_uri[uri].page
            assert page is not None
            page.links_to_anchors = {by_uri[target]: found for target, found in links.items() if target in by_uri}


def _write_shard(
    config: MkDocsConfig,
    shard: Shard,
    plugin: Any,
    doc_files: Sequence[File],
    reports: Sequence[_ShareReport],
    build_warnings: int,
) -> None:
    """The manifest of a shard: its pages, their anchors and anchor links, its warnings (site/shards.py)."""
    pages = ShardPages(total=len(doc_files), build_warnings=build_warnings)
    pages.owned = [(i, f.src_uri) for i, f in enumerate(doc_files) if shard.owns(f.src_uri)]
    for report in reports:
        pages.page_warnings += report.warnings
        pages.anchors.update((uri, sorted(found)) for uri, found in report.anchors.items())
        pages.links.update(report.links)
    audience = plugin.config.audience if isinstance(plugin, MaillagePlugin) else "public"
    write_manifest(config, shard, pages, audience)


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
    errors: ErrorCollector,
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
    if output.reusing():
        output.reuse(True)  # this worker's own files only: the parent noted its own
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
        # A page whose key is in the cache of rendered pages is written from it, unread.
        cache = render_cache.for_worker(config.plugins.get("maillage"), config, files, shared)
        # Writing over the site before last: the files known to hold their page's HTML already.
        left = render_cache.PageFiles.load(cache[0].folder) if cache is not None and output.reusing() else None
        for file in own:
            page = file.page
            assert page is not None
            excluded = file.inclusion.is_excluded()  # type: ignore[no-untyped-call]
            key = None if cache is None else render_cache.page_key(cache[1], file, excluded)
            hit = None
            if cache is not None and key is not None:
                report.kept.append(render_cache.RenderCache.name(key))
                if left is not None and left.holds(file.dest_uri, key, render_cache.page_file(file.abs_dest_path)):
                    hit = cache[0].get(key, html=False)
                    if hit is not None:
                        output.note(file.abs_dest_path)  # right as it is: neither read nor written
                if hit is None:
                    hit = cache[0].get(key)
                    if hit is not None:
                        render_cache.write(hit, file.abs_dest_path)
            if hit is not None:
                anchors: set[str] | None = set(hit.anchors)
                links = hit.links
                report.cached += 1
            else:
                warned = sum(count for _, count in counter.get_counts())
                if file.src_uri not in in_nav:
                    mkdocs_internals.populate_page(page, config, files)
                mkdocs_internals.build_page(page, config, doc_files, nav, env, excluded=excluded)
                anchors = page.present_anchor_ids
                links = {to.src_uri: dict(found) for to, found in (page.links_to_anchors or {}).items()}
                report.rendered += 1
                # A page that warned is rendered again next time: --strict sees its warning.
                if cache is not None and key is not None and sum(c for _, c in counter.get_counts()) == warned:
                    render_cache.store(cache[0], key, file.abs_dest_path, anchors, links)
            if key is not None and (left_in := render_cache.page_file(file.abs_dest_path)) is not None:
                report.files.append((file.dest_uri, left_in, key.hex()))
            if anchors:
                report.anchors[file.src_uri] = anchors
            if links:
                report.links[file.src_uri] = links
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
    report.written = sorted(output.written())
    send.send(report)
    send.close()


def build_then_index(
    config: MkDocsConfig, jobs: int, errors: ErrorCollector, shard: Shard | None = None, *, reuse: bool = False
) -> None:
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
        outcome: tuple[str, list[str], list[str] | None] = ("done", [], None)
        try:
            if isinstance(plugin, MaillagePlugin):
                plugin.index_later = True
            outcome = ("done", [], parallel_build(config, jobs, errors, shard, reuse=reuse))
        except MkDocsException as exc:  # PluginError, Abort (strict warnings), configuration
            outcome = ("failed", list(errors.messages) or [str(exc)], None)
        except GenerationError as exc:  # a generating process died (site/generation.py)
            outcome = ("failed", [str(exc)], None)
        except Exception as exc:
            cause = environment_error(exc)
            if cause is not None:  # the disk is full, read-only...: raised again in the caller
                outcome = ("os-error", _os_error_fields(cause), None)
            else:  # a bug: shown as one, with its traceback
                outcome = ("crashed", [traceback.format_exc()], None)
        send.send(outcome)
        send.close()

    builder = fork.Process(target=run, name="maillage-build")
    builder.start()
    send.close()
    pages = getattr(plugin, "page_cache", None)
    cache = pages.search_cache() if isinstance(pages, render_cache.RenderCache) and shard is None else None
    # Read while the pages are being built: this process waits meanwhile.
    known = cache.page_facts() if cache is not None else None
    listed: list[str] | None = None
    try:
        status, messages, listed = receive.recv()
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
    if shard is None:  # a shard's index is the merge's (site/shards.py)
        try:
            index_site(Path(config.site_dir), cache=cache, known=known, listed=listed)
        except SearchIndexError as exc:
            raise PluginError(f"maillage: {exc}") from None
    mark_site(Path(config.site_dir))


class ErrorCollector(logging.Handler):
    """Keeps the error messages mkdocs logs during a build."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
