"""``maillage build``'s cache of Pagefind runs: an edit re-indexes the shards it reaches, not all.

The search index is made in runs (``site/search.py``'s ``_run_pagefind``): one per language,
and one per shard of a language too large for one. A run's output bundle is a function of
what Pagefind reads and nothing else: the pages staged for it (their addresses and bytes),
Pagefind's version and the options it runs with. ``run_key`` digests exactly these, and a
run whose key is in the cache has its bundle unpacked from it instead of running Pagefind.

Pages are staged whole, not their findable parts only: Pagefind reads ``<html lang>``,
the page's address and metadata it may find outside ``data-pagefind-body``, and a one-page
edit changes the bytes of that page alone (the menus and the other pages are the same),
so the finer key would reuse nothing more.

Entries follow the rules of the cache of rendered pages (``site/render_cache.py``): one file
per run, ``<folder>/<key>``, written to a temporary file then renamed, checked on reading
(magic, digest of the rest: a damaged entry is a miss, never a failure); a hit touches its
entry; once the index is made, ``prune`` removes the entries it neither wrote nor used,
except those written since the build started (another build sharing the folder).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

FORMAT = b"maillage-pagefind-cache 1\n"  # first bytes of every entry; another format is a miss
SUMMARY = "last-build.json"  # what the last index found: runs made and taken from the cache
STAGES = "stages"  # the runs' stages, kept between builds (SearchCache.stage)
FACTS = "page-facts.json"  # what the last index read of each page (SearchCache.page_facts)
FACTS_FORMAT = 2
_DIGEST = 16
# The distributions whose code makes a bundle: the CLI and the binary it runs.
PAGEFIND_DISTRIBUTIONS = ("pagefind", "pagefind_bin", "pagefind_bin_extended")


def _digest(data: bytes | memoryview) -> bytes:
    return hashlib.blake2b(data, digest_size=_DIGEST).digest()


def run_key(pages: Iterable[tuple[str, bytes]], options: Sequence[str]) -> bytes:
    """The key of a Pagefind run over ``pages`` (address, digest of its bytes) with ``options``."""
    hasher = hashlib.blake2b(FORMAT, digest_size=_DIGEST)
    for name in PAGEFIND_DISTRIBUTIONS:
        hasher.update(f"{name}={_version(name)}\x00".encode())
    for option in options:
        hasher.update(option.encode("utf-8") + b"\x00")
    hasher.update(b"\x01")
    for uri, page in sorted(pages):
        hasher.update(uri.encode("utf-8") + b"\x00" + page)
    return hasher.digest()


def page_digest(content: bytes) -> bytes:
    """What ``run_key`` takes of a page's bytes."""
    return _digest(content)


# A page as a file: device, inode, modification time (ns), size. The same while the file is
# the same: a build writes a changed page as a new file (site/output.py), never over one.
PageStat = tuple[int, int, int, int]


@dataclass(frozen=True)
class PageFacts:
    """What an index read of a page (``page_digest``, and ``indexed_weight`` when it weighed it),
    kept between builds for as long as the page is the same file (``PageStat``): reading and
    weighing 75,000 pages took 3.5 s of every build at 10,000 services (bench/README.md)."""

    stat: PageStat
    digest: bytes
    weight: int | None


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return ""


@dataclass
class SearchCache:
    """The cache of Pagefind runs in ``folder`` (see the module docstring)."""

    folder: Path
    started: float = field(default_factory=time.time)  # entries not touched since are pruned
    kept: set[str] = field(default_factory=set)  # the entries this build used or wrote
    runs: int = 0
    reused: int = 0

    def path(self, key: bytes) -> Path:
        return self.folder / key.hex()

    def load(self, key: bytes) -> list[tuple[str, bytes]] | None:
        """The bundle stored under ``key``: its files (path, bytes); None when there is none
        (absent, damaged, another format)."""
        self.runs += 1
        self.kept.add(key.hex())
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        files = _decode(data)
        if files is None:
            return None
        with contextlib.suppress(OSError):  # removed meanwhile by another build: it was read
            os.utime(path)
        self.reused += 1
        return files

    def store(self, key: bytes, files: list[tuple[str, bytes]]) -> None:
        """Store the bundle of a Pagefind run (its files) under ``key``: whole or not at all.

        A cache that cannot be written (full disk, read-only) costs the next build time,
        not this one its output: the error is swallowed.
        """
        write_atomically(self.path(key), _encode(files))
        self.kept.add(key.hex())

    def page_facts(self) -> dict[str, list[PageFacts]]:
        """What the last indexes read of each page, for the file of each of the last two
        (``keep_page_facts``); {} when nothing (or nothing readable) is there."""
        try:
            data = json.loads((self.folder / FACTS).read_text(encoding="utf-8"))
            if data.get("format") != FACTS_FORMAT:
                return {}
            return {
                uri: [
                    PageFacts((dev, ino, mtime, size), bytes.fromhex(digest), weight)
                    for dev, ino, mtime, size, digest, weight in kept
                ]
                for uri, kept in data["pages"].items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def keep_page_facts(self, facts: dict[str, PageFacts], before: dict[str, list[PageFacts]]) -> None:
        """Keep ``facts`` for the next index, with the facts ``before`` had of another file of
        the same page (the other folder of the two a build alternates between); a cache that
        cannot be written is passed over."""
        pages = {}
        for uri, fact in facts.items():
            kept = [fact, *[f for f in before.get(uri, ()) if f.stat != fact.stat][:1]]
            pages[uri] = [[*f.stat, f.digest.hex(), f.weight] for f in kept]
        text = json.dumps({"format": FACTS_FORMAT, "pages": pages}, separators=(",", ":"))
        write_atomically(self.folder / FACTS, text.encode("utf-8"))

    def stage(self, run: int) -> Path:
        """Where the stage of the ``run``-th run waits between builds (``search._stage``): the
        site's pages it read, as hard links, to be brought up to date rather than made anew."""
        return self.folder / STAGES / f"run-{run}"

    def finish(self) -> None:
        """The index is made: prune, and write what it found (``read_summary``)."""
        remove_unused(self.folder, {*self.kept, SUMMARY, FACTS}, self.started)
        summary = json.dumps({"runs": self.runs, "reused": self.reused}) + "\n"
        with contextlib.suppress(OSError):
            (self.folder / SUMMARY).write_text(summary, encoding="utf-8")


def read_summary(folder: Path) -> tuple[int, int] | None:
    """``(runs, reused)`` of the last index made with ``folder``; None when there is none."""
    return read_counts(folder / SUMMARY, "runs", "reused")


def read_counts(path: Path, first: str, second: str) -> tuple[int, int] | None:
    """The two counts a cache's summary file ``path`` holds (the last build's: made and
    reused); None when it is missing or unreadable (the build then says nothing of it)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return int(data[first]), int(data[second])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget_summary(folder: Path) -> None:
    """Remove what the last index said (``read_summary``), before another build."""
    with contextlib.suppress(OSError):
        (folder / SUMMARY).unlink()


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (``atomic_file``); an error of the
    machine (full disk, read-only) is swallowed: the entry is just missing."""
    with contextlib.suppress(OSError), atomic_file(path) as out:
        out.write(data)


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A file to write ``path`` through: a temporary file beside it, renamed to ``path`` when
    the block ends, removed when it fails (a killed build leaves no half entry)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as found:
            return list(found)
    except OSError:
        return []


def remove_unused(folder: Path, kept: set[str], started: float) -> int:
    """Remove the files of ``folder`` a build neither used nor wrote (``kept``: their names),
    but those written since it ``started`` (another build sharing the folder); how many."""
    removed = 0
    for entry in entries(folder):
        if entry.name in kept:
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < started:
                os.unlink(entry.path)
                removed += 1
    return removed


def _encode(files: list[tuple[str, bytes]]) -> bytes:
    # Pagefind's files are compressed already: stored as they are.
    head = json.dumps([[name, len(content)] for name, content in files]).encode("utf-8")
    body = b"".join([head, b"\n", *(content for _, content in files)])
    return FORMAT + _digest(body) + body


def _decode(data: bytes) -> list[tuple[str, bytes]] | None:
    start = len(FORMAT) + _DIGEST
    view = memoryview(data)
    if not data.startswith(FORMAT) or _digest(view[start:]) != data[len(FORMAT) : start]:
        return None
    end = data.find(b"\n", start)
    try:
        listed = json.loads(data[start:end])
        files: list[tuple[str, bytes]] = []
        offset = end + 1
        for name, size in listed:
            if not isinstance(name, str) or name.startswith("/") or ".." in name.split("/"):
                return None
            files.append((name, data[offset : offset + int(size)]))
            offset += int(size)
    except (ValueError, TypeError):
        return None
    return files if offset == len(data) else None
