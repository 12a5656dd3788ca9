"""``maillage build``'s cache of the providers' output: an edit regenerates the providers it reaches.

Before a page is rendered, every provider makes its pages' Markdown and its assets from the
registry (``site/generation.py``): about 85 s of one core at 10,000 services, every build.
A provider's output is a function of what it reads, which ``site/incremental.py`` already
knows for ``maillage serve``: the registry as a whole, or without its contacts for the
providers that read none (``CONTACT_BLIND``, and those whose parts all are). Here a
provider's key (``provider_keys``) is a digest of:

- the registry as it reads it (``incremental.registry_prints``: every organisation's model,
  with or without contacts, the vocabularies, programmes and sources);
- the build's settings: the plugin's options, the mkdocs configuration (but where it
  writes), the reference date, the bytes of ``data/`` outside the registry (the gazetteer),
  of the docs folder, the theme overrides, the project's ``locale/`` and ``package-lock.json``
  (the scripts copied from ``node_modules``), the versions of every installed distribution, and the code
  version (every file of the ``generator`` package);
- the provider's name and the languages.

A hit gives back what the provider made (pages to the build's spool, large assets as
files), so the build goes on as if the provider had run; the marker of the build's own
scripts (site/csp.py, a secret drawn by each build) is stored as a placeholder and given
back as this build's. Entries are files
``<folder>/<key>``, written whole (temporary file, then rename; ``search_cache.write_atomically``),
checked on reading (a damaged entry is a miss), touched when used; once the providers are
done, the entries this build neither used nor wrote are removed, but for those written
since it started (another build sharing the folder).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ..registry.dates import reference_date
from ..registry.loader import Registry
from .context import Provider, SiteContext
from .csp import _TOKEN as _OWN_TOKEN
from .downloads_hsds import MemoFor, hsds_downloads
from .generation import Made
from .hsds_memo import FOLDER as HSDS_FOLDER
from .hsds_memo import HsdsMemo
from .incremental import (
    CONTACT_BLIND,
    KEYED,
    PARTS,
    Dumps,
    KeyedItem,
    RegistryPrints,
    keyed_items,
    provider_name,
    registry_prints,
)
from .search_cache import atomic_file, read_counts, remove_unused, write_atomically

FORMAT = b"maillage-provider-cache 3\n"  # first bytes of every entry; another format is a miss
_DIGEST = 16
_NOT_CONFIG = frozenset({"site_dir"})
# The marker of the build's own scripts (site/csp.py) is a secret each build draws: kept as
# this placeholder, and given back as the build's own marker.
_OWN_PLACEHOLDER = b"\x00maillage-own-script\x00"


def _digest(data: bytes | memoryview) -> bytes:
    return hashlib.blake2b(data, digest_size=_DIGEST).digest()


def blind(provider: Provider) -> bool:
    """Whether ``provider`` reads no contact (it or every part of it is ``CONTACT_BLIND``)."""
    parts = PARTS.get(provider, (provider,))
    name = provider_name(provider)
    return name in _BLIND_WHOLE or all(provider_name(part) in CONTACT_BLIND for part in parts)


# Providers that read no contact besides incremental.CONTACT_BLIND's: territory pages list the
# services of a territory by name, public and area (serve remakes them from the services
# without their contacts, incremental.ServeMemory._territory_pages).
_BLIND_WHOLE = frozenset({"territory_pages"})


def build_settings(root: Path, config: Any, site_config: Any) -> bytes:
    """What the providers' output depends on besides the registry (see the module docstring)."""
    from .render_cache import GENERATOR, _stable, code_version, folder_digest

    hasher = hashlib.blake2b(FORMAT, digest_size=_DIGEST)

    def add(*parts: str | bytes) -> None:
        for part in parts:
            hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
            hasher.update(b"\x00")

    add(sys.version, code_version(), repr(site_config), reference_date().isoformat())
    add(_stable({key: value for key, value in config.items() if key not in _NOT_CONFIG}))
    add(*sorted(f"{d.metadata['Name']}={d.version}" for d in importlib.metadata.distributions()))
    data = root / "data"
    for path in sorted(data.iterdir()) if data.is_dir() else []:
        if path.name == "registry" or path.name.startswith("."):
            continue  # the registry is read through its models (registry_prints)
        add(path.name, folder_digest(path) if path.is_dir() else _digest(path.read_bytes()))
    for folder in [Path(config.docs_dir), *(Path(d) for d in config.theme.dirs[:1]), root / "locale"]:
        add(str(folder), folder_digest(folder))
    # The scripts copied from node_modules: the project's, else this repository's (site/hours.py).
    for lock in (root / "package-lock.json", GENERATOR.parent / "package-lock.json"):
        add(_digest(lock.read_bytes()) if lock.is_file() else b"")
    return hasher.digest()


def provider_keys(
    contexts: Sequence[SiteContext],
    providers: Sequence[Provider],
    settings: bytes,
    prints: RegistryPrints | None = None,
) -> list[bytes]:
    """Each provider's key for ``contexts`` (one per language) with the build's ``settings``
    (``prints``: ``registry_prints`` of the registry with them, made here when not given)."""
    if not contexts:
        return [b"" for _ in providers]
    if prints is None:
        prints = registry_prints(contexts[0].registry, settings.hex())
    languages = ",".join(context.lang for context in contexts)
    keys = []
    for provider in providers:
        registry = prints.contact_blind if blind(provider) else prints.whole
        hasher = hashlib.blake2b(settings, digest_size=_DIGEST)
        for part in (registry, provider_name(provider).encode("utf-8"), languages.encode("utf-8")):
            hasher.update(part + b"\x00")
        keys.append(hasher.digest())
    return keys


FOLDER = "providers"  # in the folder of the cache of rendered pages (site/render_cache.py)
SUMMARY = "last-build.json"  # providers run and taken from the cache by the last build
PRINTS = "registry-prints.json"  # the organisations' fingerprints by file (PrintsMemo)
_PRINTED = ("full", "blind")  # what registry_prints asks of each organisation


class PrintsMemo:
    """The fingerprints (``Dumps``) of each organisation as an earlier build found them, by
    its file's path and the digest of the file's bytes, in ``file``.

    An organisation's model is made from its file alone, and the audience's copy from the
    model: the same bytes, with the same settings (code version, configuration, audience:
    ``build_settings``), give the same fingerprints. ``registry_prints`` then serialises only
    the organisations whose file changed (2.2 s of a one-service edit at 10,000 services
    before). A memo of other settings, or unreadable, is none."""

    def __init__(self, file: Path, settings: bytes) -> None:
        self.file, self.settings = file, settings.hex()
        self.found: dict[str, list[str]] = {}
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            data = json.loads(file.read_bytes())
            if data.get("settings") == self.settings and isinstance(data.get("files"), dict):
                self.found = data["files"]

    def seed(self, registry: Registry, dumps: Dumps) -> int:
        """Give ``dumps`` the fingerprints of the organisations whose file is unchanged; how many."""
        seeded = 0
        for organisation in registry.organisations.values():
            path = registry.files.get(organisation.id, "")
            entry = self.found.get(path)
            digest = registry.file_digests.get(path)
            if digest is None or not isinstance(entry, list) or len(entry) != 2 + len(_PRINTED):
                continue
            if entry[0] != digest.hex() or entry[-1] != organisation.id:
                continue
            with contextlib.suppress(ValueError, TypeError):
                values = [bytes.fromhex(value) for value in entry[1:-1]]
                for what, value in zip(_PRINTED, values, strict=True):
                    dumps.seed(organisation, what, value)
                seeded += 1
        return seeded

    def keep(self, registry: Registry, dumps: Dumps) -> None:
        """Write the fingerprints ``dumps`` holds now, if they differ from those read."""
        files: dict[str, list[str]] = {}
        for organisation in registry.organisations.values():
            path = registry.files.get(organisation.id, "")
            digest = registry.file_digests.get(path)
            values = [dumps.known(organisation, what) for what in _PRINTED]
            if digest is not None and all(values):
                files[path] = [digest.hex(), *(v.hex() for v in values if v), organisation.id]
        if files != self.found:
            data = json.dumps({"settings": self.settings, "files": files}, sort_keys=True)
            write_atomically(self.file, data.encode("utf-8"))


def read_summary(folder: Path) -> tuple[int, int] | None:
    """``(made, reused)``: the providers the last build with ``folder`` ran and took from it."""
    return read_counts(folder / SUMMARY, "made", "reused")


def for_build(
    page_cache: Any, root: Path, config: Any, site_config: Any, contexts: Sequence[SiteContext]
) -> ProviderCache | None:
    """The providers' cache of a build whose cache of rendered pages is ``page_cache``
    (``RenderCache``, None for a build without cache), keyed for ``PROVIDERS``."""
    from .providers import PROVIDERS
    from .render_cache import RenderCache

    if not isinstance(page_cache, RenderCache):
        return None
    settings = build_settings(root, config, site_config)
    dumps = Dumps()  # kept for the item keys (the generating processes inherit it)
    prints = None
    if contexts:
        memo = PrintsMemo(page_cache.folder / FOLDER / PRINTS, settings)
        memo.seed(contexts[0].registry, dumps)
        prints = registry_prints(contexts[0].registry, settings.hex(), dumps)
        memo.keep(contexts[0].registry, dumps)
    keys = provider_keys(contexts, PROVIDERS, settings, prints)
    return ProviderCache(
        page_cache.folder / FOLDER,
        keys,
        started=page_cache.started,
        names=[provider_name(p) for p in PROVIDERS],
        languages=",".join(context.lang for context in contexts),
        prints=prints,
        dumps=dumps,
    )


@dataclass
class ProviderCache:
    """The cache of the providers' output in ``folder`` (see the module docstring)."""

    folder: Path
    keys: list[bytes]  # provider index -> its key (``provider_keys``)
    started: float = field(default_factory=time.time)
    kept: set[str] = field(default_factory=set)
    made: int = 0  # providers run
    reused: int = 0  # providers taken from the cache
    # For the providers made item by item (incremental.KEYED): their names (pointers to their
    # latest entry), the languages, the registry's prints and the models' fingerprints.
    names: list[str] = field(default_factory=list)
    languages: str = ""
    prints: RegistryPrints | None = None
    dumps: Dumps = field(default_factory=Dumps)
    items_made: int = 0  # items of those providers made
    items_reused: int = 0  # and taken from their previous output

    def path(self, p: int) -> Path:
        return self.folder / self.keys[p].hex()

    def pointer(self, p: int) -> Path | None:
        """The file naming provider ``p``'s latest entry (None: the provider has no name here)."""
        if p >= len(self.names):
            return None
        return self.folder / f"{self.names[p]}.{self.languages}.latest"

    def previous(self, p: int, provider: Provider) -> Previous | None:
        """For a provider made item by item (``incremental.KEYED``), its items' keys and its
        latest entry's items by key (none when it has none, damaged or of another format);
        None for the others. Called by the provider's generating process."""
        if provider not in KEYED or self.prints is None:
            return None
        found: dict[tuple[int, bytes], tuple[str, bool, str | None, int, int]] = {}
        pointer = self.pointer(p)
        entry: BinaryIO | None = None
        try:
            latest = pointer.read_text(encoding="ascii").strip() if pointer is not None else ""
            if latest and latest != self.keys[p].hex() and all(ch in "0123456789abcdef" for ch in latest):
                entry = open(self.folder / latest, "rb")  # noqa: SIM115 (closed by Previous.close)
                listed = _verified_head(entry)
                offset = len(FORMAT) + _DIGEST
                for c, row in enumerate(listed or []):
                    for uri, page, edit_path, size, key in row:
                        if key is not None:
                            found[(c, key)] = (uri, page, edit_path, offset, size)
                        offset += size
        except OSError:
            found = {}
        if entry is not None and not found:
            entry.close()
            entry = None
        return Previous(provider, self.prints, self.dumps, entry, found)

    def export_memo(self, provider: Provider) -> MemoFor | None:
        """For the HSDS export, its memo of each organisation's objects (``site/hsds_memo.py``),
        in ``FOLDER/hsds``; None for the other providers. Called by its generating process."""
        if provider is not hsds_downloads or self.prints is None:
            return None
        base, dumps = self.prints.base, self.dumps
        return lambda registry: HsdsMemo(self.folder / HSDS_FOLDER, base, dumps, registry)

    def get(self, p: int, spool: Path, spool_bytes: int) -> list[list[Made]] | None:
        """Provider ``p``'s output from the cache, its pages and large assets written into
        ``spool`` as a generating process would have; None when there is none (absent,
        damaged, another format). Read one item at a time: an entry may weigh hundreds of MB."""
        path = self.path(p)
        self.kept.add(path.name)
        own = _OWN_TOKEN.encode("ascii")
        pages = spool / f"cached-pages-{os.getpid()}-{p}.md"
        per_context: list[list[Made]] = []
        try:
            with open(path, "rb") as entry, open(pages, "wb") as out:
                listed = _verified_head(entry)
                if listed is None:
                    return None
                entry.seek(len(FORMAT) + _DIGEST)
                offset = 0
                for items in listed:
                    made: list[Made] = []
                    for uri, page, edit_path, size, key in items:
                        content = entry.read(size).replace(_OWN_PLACEHOLDER, own)
                        if page:
                            out.write(content)
                            spooled = (str(pages), offset, len(content))
                            made.append(Made(uri, True, edit_path, spooled=spooled, key=key))
                            offset += len(content)
                        elif len(content) >= spool_bytes:
                            asset = spool / "assets" / uri
                            asset.parent.mkdir(parents=True, exist_ok=True)
                            asset.write_bytes(content)
                            made.append(Made(uri, False, path=str(asset), key=key))
                        else:
                            made.append(Made(uri, False, content=content, key=key))
                    per_context.append(made)
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        self.reused += 1
        return per_context

    def put(self, p: int, per_context: list[list[Made]]) -> None:
        """Keep provider ``p``'s output (as its process left it) under its key: whole or not
        at all (temporary file, then rename), one item in memory at a time. A cache that
        cannot be written costs the next build time, not this one its output."""
        self.made += 1
        path = self.path(p)
        own = _OWN_TOKEN.encode("ascii")
        try:
            with atomic_file(path) as out, _Contents() as contents:
                out.write(FORMAT + bytes(_DIGEST))
                hasher = hashlib.blake2b(digest_size=_DIGEST)
                listed = []
                for made in per_context:
                    row = []
                    for item in made:
                        content = contents.of(item).replace(own, _OWN_PLACEHOLDER)
                        out.write(content)
                        hasher.update(content)
                        key = None if item.key is None else item.key.hex()
                        row.append([item.uri, item.page, item.edit_path, len(content), key])
                        if item.key is not None:
                            self.items_reused += item.reused
                            self.items_made += not item.reused
                    listed.append(row)
                head = json.dumps(listed).encode("utf-8")
                tail = head + len(head).to_bytes(8, "big")
                out.write(tail)
                hasher.update(tail)
                out.seek(len(FORMAT))
                out.write(hasher.digest())
        except OSError:
            return
        self.kept.add(path.name)
        pointer = self.pointer(p)
        if pointer is not None and any(item.key is not None for made in per_context for item in made):
            with contextlib.suppress(OSError):
                write_atomically(pointer, path.name.encode("ascii"))

    def prune(self) -> int:
        """Remove the entries this build neither used nor wrote (but newer ones: another build's),
        and say how many providers ran and how many came from the cache (``read_summary``)."""
        self.kept.update((SUMMARY, PRINTS))
        self.kept.update(pointer.name for p in range(len(self.keys)) if (pointer := self.pointer(p)) is not None)
        counts = {"made": self.made, "reused": self.reused, "items_made": self.items_made}
        summary = json.dumps({**counts, "items_reused": self.items_reused}) + "\n"
        write_atomically(self.folder / SUMMARY, summary.encode("utf-8"))
        return remove_unused(self.folder, self.kept, self.started)


class _Contents:
    """The bytes of what generating processes made: their spool files opened once each."""

    def __init__(self) -> None:
        self._open: dict[str, BinaryIO] = {}

    def __enter__(self) -> _Contents:
        return self

    def __exit__(self, *_: object) -> None:
        for handle in self._open.values():
            handle.close()

    def of(self, made: Made) -> bytes:
        if made.spooled is not None:
            file, offset, size = made.spooled
            handle = self._open.get(file)
            if handle is None:
                handle = self._open[file] = open(file, "rb")  # noqa: SIM115 (closed on exit)
            handle.seek(offset)
            return handle.read(size)
        if made.path is not None:
            return Path(made.path).read_bytes()
        return made.content or b""


Listed = tuple[str, bool, str | None, int, bytes | None]  # uri, page, edit path, size, item key


def _verified_head(entry: BinaryIO) -> list[list[Listed]] | None:
    """The list of an entry's items (uri, page, edit path, size, item key), once its digest is
    checked; None when the entry is damaged or of another format.

    An entry is ``FORMAT``, the digest of the rest, the items' bytes one after the other,
    their list (JSON) and the list's length (8 bytes).
    """
    if entry.read(len(FORMAT)) != FORMAT:
        return None
    expected = entry.read(_DIGEST)
    hasher = hashlib.blake2b(digest_size=_DIGEST)
    while chunk := entry.read(1 << 20):
        hasher.update(chunk)
    if hasher.digest() != expected:
        return None
    start = len(FORMAT) + _DIGEST
    end = entry.seek(0, os.SEEK_END)
    if end < start + 8:
        return None
    entry.seek(end - 8)
    length = int.from_bytes(entry.read(8), "big")
    if length > end - start - 8:
        return None
    entry.seek(end - 8 - length)
    try:
        listed = [
            [
                (str(uri), bool(page), None if edit is None else str(edit), int(size), _key(key))
                for uri, page, edit, size, key in row
            ]
            for row in json.loads(entry.read(length))
        ]
    except (ValueError, TypeError):
        return None
    sizes = [item[3] for row in listed for item in row]
    return listed if sum(sizes) == end - start - 8 - length and all(s >= 0 for s in sizes) else None


def _key(key: object) -> bytes | None:
    return None if key is None else bytes.fromhex(str(key))


def read_items(folder: Path) -> tuple[int, int] | None:
    """``(made, reused)``: the items of the providers made item by item (``incremental.KEYED``)
    the last build with ``folder`` made and took from their previous output."""
    return read_counts(folder / SUMMARY, "items_made", "items_reused")


class Previous:
    """A provider made item by item (``incremental.KEYED``): its items with their keys, and
    its latest entry's items by key (``ProviderCache.previous``), read in its generating process."""

    def __init__(
        self,
        provider: Provider,
        prints: RegistryPrints,
        dumps: Dumps,
        entry: BinaryIO | None,
        found: dict[tuple[int, bytes], tuple[str, bool, str | None, int, int]],
    ) -> None:
        self._provider, self._prints, self._dumps = provider, prints, dumps
        self._entry, self._found = entry, found
        self._own = _OWN_TOKEN.encode("ascii")

    def keyed(self, context: SiteContext) -> Iterator[KeyedItem]:
        """The provider's items for ``context``, in its order, with their keys."""
        return keyed_items(self._provider, context, self._prints, self._dumps)

    def find(self, c: int, key: bytes) -> tuple[str, bool, str | None, bytes] | None:
        """The item of key ``key`` in context ``c`` of the latest entry: (uri, page, edit path,
        bytes), or None."""
        hit = self._found.get((c, key))
        if hit is None or self._entry is None:
            return None
        uri, page, edit_path, offset, size = hit
        try:
            self._entry.seek(offset)
            content = self._entry.read(size)
        except OSError:
            return None
        return None if len(content) != size else (uri, page, edit_path, content.replace(_OWN_PLACEHOLDER, self._own))
