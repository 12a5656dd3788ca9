"""Registry files parsed by an earlier build, kept on disk: a build parses only what changed.

Parsing YAML into Python values with the position of every node (``yamlsource``) is most of
loading a large registry: at 10,000 services, about 5 of the 7 seconds a build spends
loading it. A file whose bytes an earlier build parsed without a problem is taken from this
store instead: its data, and the positions of the nodes every load asks for (the top two
levels: an organisation's ``id``, the line of each service). Any other position is asked
for only to place a problem; the file's bytes are then parsed again, and every position is
exact (``LazyPositions``). Validation and the checks across files run on every load, as
without the store: a load with it finds what a load without it finds.

An entry is a file ``<folder>/<2 hex>/<key>``:

- its key is a digest of the file's bytes and of the parser (``FORMAT``, PyYAML's version
  and whether libyaml is used, the code of this module and of ``yamlsource``): another
  parser is another key, never a stale entry;
- it holds JSON, never pickle: an entry is data, not code. It is written to a temporary
  file then renamed, and checked on reading (magic, digest of the rest): a damaged entry is
  a miss, never a failure;
- a load that succeeded removes the entries it did not use (``prune``), except those
  written since it started, by another build sharing the folder.

Only ``maillage build`` with its cache (``.cache/maillage/pages/parsed``) uses a store.
Equivalence with a parse is ``tests/test_parsed_store.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

from . import yamlsource
from .yamlsource import Document, Path_, Positions, parse_yaml

FORMAT = b"maillage-parsed 1\n"  # the first bytes of every entry; another format is a miss
KEPT_DEPTH = 2  # the positions kept with an entry: nodes at most this deep


def _parser_digest() -> bytes:
    """What the parse of a file depends on besides its bytes."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(FORMAT)
    hasher.update(f"{yaml.__version__} {getattr(yaml, '__with_libyaml__', False)}\n".encode())
    for file in (yamlsource.__file__, __file__):
        hasher.update(Path(file).read_bytes())
    return hasher.digest()


class LazyPositions(Positions):
    """The positions of a few nodes, and of all of them parsed from the file when asked."""

    def __init__(self, raw: bytes, path: str, known: dict[Path_, tuple[int, int]]) -> None:
        self._raw, self._path, self._known = raw, path, known
        self._whole: Positions | None = None

    def whole(self) -> Positions:
        if self._whole is None:
            self._whole = parse_yaml(self._raw, self._path).positions
            self._raw = b""
        return self._whole

    @property
    def values(self) -> dict[Path_, tuple[int, int]]:  # type: ignore[override]
        return self.whole().values

    @property
    def keys(self) -> dict[Path_, tuple[int, int]]:  # type: ignore[override]
        return self.whole().keys

    @property
    def styles(self) -> dict[Path_, str]:  # type: ignore[override]
        return self.whole().styles

    def find(self, loc: tuple[Hashable, ...], *, key: bool = False) -> tuple[int, int]:
        if not key and (found := self._known.get(tuple(loc))) is not None:
            return found
        return self.whole().find(loc, key=key)


class ParsedStore:
    """The files parsed by earlier builds, in ``folder`` (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started = time.time()  # entries not used and not written since are pruned
        self.used: set[str] = set()
        self.parser = _parser_digest()
        self.hits = 0
        self.misses = 0

    def name(self, raw: bytes) -> str:
        """The name of the entry of a file of bytes ``raw``."""
        return hashlib.blake2b(self.parser + raw, digest_size=20).hexdigest()

    def path(self, name: str) -> Path:
        return self.folder / name[:2] / name

    def parse(self, raw: bytes, path: str) -> Document:
        """``parse_yaml(raw, path)``, from the store when an earlier build parsed these bytes."""
        name = self.name(raw)
        self.used.add(name)
        document = self.get(name, raw, path)
        if document is not None:
            self.hits += 1
            return document
        self.misses += 1
        document = parse_yaml(raw, path)
        self.put(name, document)
        return document

    def get(self, name: str, raw: bytes, path: str) -> Document | None:
        try:
            with open(self.path(name), "rb") as entry:
                stored = entry.read()
        except OSError:
            return None
        found = _decode(stored)
        if found is None:
            return None
        data, known = found
        return Document(path, data, LazyPositions(raw, path, known), [])

    def put(self, name: str, document: Document) -> None:
        """Keep a document parsed without a problem; an error of the machine is swallowed."""
        if document.problems or isinstance(document.positions, LazyPositions):
            return
        known = [[list(loc), *at] for loc, at in document.positions.values.items() if len(loc) <= KEPT_DEPTH]
        body = json.dumps({"data": document.data, "at": known}, ensure_ascii=False, separators=(",", ":"))
        encoded = body.encode("utf-8", "surrogatepass")
        entry = FORMAT + hashlib.blake2b(encoded, digest_size=16).hexdigest().encode() + b"\n" + encoded
        target = self.path(name)
        with contextlib.suppress(OSError):
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(entry)
                os.replace(temporary, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise

    def prune(self) -> int:
        """Remove the entries this load did not use, and leftovers of killed builds, except
        those written since it started (by another build sharing the folder)."""
        return remove_unused_entries(self.folder, self.used, self.started)


def remove_unused_entries(folder: Path, kept: set[str], started: float) -> int:
    """Remove the entries ``<folder>/<2 hex>/<name>`` whose name is not in ``kept`` (and
    leftovers of killed builds), but those written since ``started``; how many. The
    stores of this project's caches are laid out so (site/render_cache.py too)."""
    removed = 0
    for sub in _entries(folder):
        if not sub.is_dir(follow_symlinks=False) or len(sub.name) != 2:
            continue
        for entry in _entries(Path(sub.path)):
            if entry.name in kept:
                continue
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_mtime < started:
                    os.unlink(entry.path)
                    removed += 1
    return removed


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as found:
            return list(found)
    except OSError:
        return []


def _decode(stored: bytes) -> tuple[Any, dict[Path_, tuple[int, int]]] | None:
    """An entry's data and known positions; None when it is damaged or of another format."""
    head = len(FORMAT)
    if not stored.startswith(FORMAT) or stored[head + 32 : head + 33] != b"\n":
        return None
    body = stored[head + 33 :]
    if hashlib.blake2b(body, digest_size=16).hexdigest().encode() != stored[head : head + 32]:
        return None
    try:
        found = json.loads(body.decode("utf-8", "surrogatepass"))
        known = {tuple(loc): (int(line), int(col)) for loc, line, col in found["at"]}
        return found["data"], known
    except (ValueError, KeyError, TypeError):
        return None
