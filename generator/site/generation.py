"""Generation in several processes, for ``maillage build --jobs`` (``site/parallel.py``'s ``parallel_build``).

The providers make the site's pages and assets from the registry one after the other;
at 10,000 services that takes about two minutes of one core before mkdocs renders a
page. Here they run in forked processes, one provider (for every language) per process,
the longest first, the gap report alone: each writes what it makes to disk (pages one after the other in
its own file, large assets as files) and sends back where. The plugin then makes the
files in the order a single process would have made them, so the site is the same byte
for byte (tests/site/test_build.py).

The processes share the loaded registry with the parent (forked, copy-on-write); what a
provider builds for itself (the gap report's working set, the territory index) is freed
with the process.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from .context import Asset, GeneratedPage, Provider, SiteContext
from .downloads_hsds import export_memo

if TYPE_CHECKING:
    from .provider_cache import ProviderCache


@dataclass(frozen=True)
class Made:
    """One generated page or asset, as a generating process left it."""

    uri: str
    page: bool  # a Markdown page (else an asset)
    edit_path: str | None = None
    spooled: tuple[str, int, int] | None = None  # a page: (file, offset, size)
    path: str | None = None  # a large asset: its file
    content: bytes | None = None  # a small asset: its bytes
    key: bytes | None = None  # made item by item (site/incremental.py, keyed_items): the item's key
    reused: bool = False  # taken from the previous output of its provider (site/provider_cache.py)


# Set before the processes fork, read by them: what _make needs (never pickled).
_STATE: tuple[Sequence[SiteContext], Sequence[Provider], Path, int, ProviderCache | None] | None = None

# Seconds of one core per provider at 10,000 services (bench/README.md, profile of the
# build): the longest start first, so that the last to finish is a short one.
_COST = {
    "territory_pages": 31,
    "hsds_downloads": 21,
    "service_pages": 15,
    "gaps_pages": 9,
    "downloads": 6,
    "organisation_pages": 4,
    "home_page": 3,
    "orient_page": 2,
}


# Providers whose working set is large (the gap report: about 1 GB at 10,000 services):
# they run alone, so that two of them never add up.
_ALONE = frozenset({"gaps_pages"})


def generate_in_processes(
    contexts: Sequence[SiteContext],
    providers: Sequence[Provider],
    jobs: int,
    folder: Path,
    spool_bytes: int,
    cache: ProviderCache | None = None,
) -> Iterator[tuple[int, Made]]:
    """Every item the providers make for ``contexts``, as ``(provider index, Made)``.

    In the order of one process: by context, then by provider, then as each provider
    yields them. Pages and assets of at least ``spool_bytes`` are left in ``folder``.
    Each provider runs in a process of its own, which gives its memory back when it ends;
    at most ``jobs`` at a time. An exception of a provider is raised here; a process
    that dies raises ``GenerationError``. With a ``cache`` (site/provider_cache.py), a
    provider whose key is there is not run: its output comes from it; the others' is stored.
    """
    global _STATE
    names = [getattr(provider, "__name__", "") for provider in providers]
    order = sorted(range(len(providers)), key=lambda i: -_COST.get(names[i], 1))
    _STATE = (contexts, providers, folder, spool_bytes, cache)
    gc.collect()
    gc.freeze()  # the processes' collections would otherwise copy the parent's heap
    fork = multiprocessing.get_context("fork")
    found: dict[int, list[list[Made]]] = {}
    # The providers whose entry is in the cache are read from it once the others run (an
    # entry found damaged then is a miss: its provider runs after them).
    stored = [p for p in order if cache is not None and cache.path(p).is_file()]
    order = [p for p in order if p not in stored]
    running: dict[Any, tuple[int, Any]] = {}  # connection -> (provider, process)
    done: list[int] = []  # providers made whose output the cache has not stored yet
    try:
        while order or running or done or stored:
            alone = any(names[p] in _ALONE for p, _ in running.values())
            while order and not alone and len(running) < jobs:
                if names[order[0]] in _ALONE and running:
                    break  # it waits until the others are done
                p = order.pop(0)
                receive, send = fork.Pipe(duplex=False)
                process = fork.Process(target=_run, args=(p, send), name=f"maillage-generate-{names[p]}")
                process.start()
                send.close()
                running[receive] = (p, process)
                alone = names[p] in _ALONE
            # Stored once the next providers run: a process is not kept waiting meanwhile.
            while done:
                p = done.pop(0)
                if cache is not None:
                    cache.put(p, found[p])
            while stored and cache is not None:
                p = stored.pop(0)
                hit = cache.get(p, folder, spool_bytes)
                if hit is None:
                    order.append(p)
                else:
                    found[p] = hit
            if not running:
                continue
            for ready in multiprocessing.connection.wait(list(running)):
                p, process = running.pop(ready)
                try:
                    outcome: Any = cast(Connection, ready).recv()
                except EOFError:
                    outcome = GenerationError(
                        f"the process generating {names[p]} stopped unexpectedly (out of memory?)"
                    )
                process.join()
                if isinstance(outcome, BaseException):
                    raise outcome
                found[p] = outcome
                done.append(p)
    finally:
        for _, process in running.values():
            process.kill()
            process.join()
        gc.unfreeze()
        _STATE = None
    if cache is not None:
        cache.prune()
    for c in range(len(contexts)):
        for p in range(len(providers)):
            for made in found[p][c]:
                yield p, made


class GenerationError(Exception):
    """A process generating pages died without an answer."""


def _run(p: int, send: Any) -> None:
    """A generating process: provider ``p``'s output, or its exception, sent back."""
    try:
        outcome: Any = _make(p)
    except BaseException as exc:  # sent to the parent, which raises it
        outcome = exc
    try:
        send.send(outcome)
    except Exception as exc:  # an exception that cannot be pickled
        send.send(GenerationError(f"{type(outcome).__name__}: {outcome} ({exc})"))
    send.close()


def _make(p: int) -> list[list[Made]]:
    """In a generating process: what provider ``p`` makes, per context.

    A provider made item by item (``incremental.KEYED``) with a cache takes the items whose
    key did not change from its previous output there (``ProviderCache.previous``)."""
    assert _STATE is not None
    contexts, providers, folder, spool_bytes, cache = _STATE
    pages = folder / f"pages-{os.getpid()}-{p}.md"
    previous = cache.previous(p, providers[p]) if cache is not None else None
    per_context: list[list[Made]] = []
    with open(pages, "wb") as out, export_memo(cache.export_memo(providers[p]) if cache is not None else None):
        spool = _Spool(out, pages, folder, spool_bytes)
        for c, context in enumerate(contexts):
            if previous is None:
                per_context.append([spool.add(item) for item in providers[p](context)])
                continue
            items: list[Made] = []
            for keyed in previous.keyed(context):
                found = previous.find(c, keyed.key) if keyed.key is not None else None
                if found is None:
                    items.append(spool.add(keyed.make(), keyed.key))
                else:
                    uri, page, edit_path, content = found
                    items.append(spool.add_bytes(uri, page, edit_path, content, keyed.key))
            per_context.append(items)
    return per_context


class _Spool:
    """Where a generating process leaves what it makes: pages one after the other in one
    file, assets of at least ``spool_bytes`` as files, smaller ones in the ``Made``."""

    def __init__(self, out: BinaryIO, pages: Path, folder: Path, spool_bytes: int) -> None:
        self._out, self._pages, self._folder, self._spool_bytes = out, pages, folder, spool_bytes
        self._offset = 0

    def add(self, item: GeneratedPage | Asset, key: bytes | None = None) -> Made:
        content = item.content.encode("utf-8") if isinstance(item.content, str) else item.content
        if isinstance(item, GeneratedPage):
            return self.add_bytes(item.uri, True, item.edit_path, content, key, reused=False)
        return self.add_bytes(item.uri, False, None, content, key, reused=False)

    def add_bytes(
        self, uri: str, page: bool, edit_path: str | None, content: bytes, key: bytes | None, *, reused: bool = True
    ) -> Made:
        if page:
            self._out.write(content)
            made = Made(uri, True, edit_path, spooled=(str(self._pages), self._offset, len(content)), key=key)
            self._offset += len(content)
        elif len(content) >= self._spool_bytes:
            path = self._folder / "assets" / uri
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            made = Made(uri, False, path=str(path), key=key)
        else:
            made = Made(uri, False, content=content, key=key)
        return replace(made, reused=True) if reused else made
