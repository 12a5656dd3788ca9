"""``maillage build``'s cache of rendered pages: a one-service edit renders a few pages, not all.

Rendering the pages (Markdown to HTML, then the theme's template) is most of a build. A
page's HTML is a function of a few things only, and this module keys each page by all of
them (``page_key``):

- the page's own: its Markdown as the providers generated it (its meta included), its
  source and destination URIs, its edit link, whether it is a draft;
- the whole build's (``global_part``), the same for every page: the mkdocs configuration
  as resolved (plugin options, audience, languages, ``extra``; not ``site_dir``, a
  temporary folder), the navigation (each menu page's title, URL and Markdown: titles are
  in every page's menu), the sorted URIs and URLs of every file (links, the language
  menus and the home page's entry points read them), the theme's templates outside
  installed packages (``overrides/``) and the project's own words (``locale/``), the
  versions of mkdocs, mkdocs-material, Markdown and its extensions, Jinja, and the code
  version: a digest of every file of the ``generator`` package.

A hit writes the cached bytes and restores the page's anchors and anchor links (what the
parent checks links with); a miss renders the page and stores it. A page whose rendering
logged a warning is not stored, so that ``--strict`` sees the warning on every build.

Entries are files ``<folder>/<2 hex>/<key>``, written to a temporary file then renamed (a
killed build leaves no half entry) and checked on reading (magic, digest of the rest): a
damaged entry is a miss, never a failure. An entry holds the page's anchors and links, then
its HTML compressed: a build over the site before last reads only the first part of a page
whose file holds its HTML already (``PageFiles``). A hit touches its entry; once a build succeeded,
``prune`` removes the entries it neither wrote nor used (the rendering processes report
their keys), except those written since it started. Builds that share a folder at the same
time are safe: a rename replaces an entry whole, and an entry another build removes is a
miss.

Only the parallel build (``--jobs`` 2 or more, the default on a machine with two CPUs or
more) uses the cache; equivalence with a fresh build is ``tests/site/test_render_cache.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import stat
import sys
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..registry.parsed import remove_unused_entries
from . import output, search_cache
from .csp import _TOKEN as _OWN_TOKEN
from .incremental import digest
from .search_cache import SearchCache, write_atomically

FORMAT = b"maillage-page-cache 2\n"  # first bytes of every entry; another format is a miss
SUMMARY = "last-build.json"  # what the last build found: pages rendered and taken from the cache
WRITTEN = "written-pages.json"  # the file each page's HTML was last found in (PageFiles)
WRITTEN_FORMAT = 1
SEARCH_FOLDER = "pagefind"  # the cache of Pagefind runs (site/search_cache.py), in the pages' folder
# Installed distributions whose code renders pages: a new version of any is another output.
RENDERING_DISTRIBUTIONS = (
    "mkdocs",
    "mkdocs-material",
    "markdown",
    "pymdown-extensions",
    "jinja2",
    "markupsafe",
    "pygments",
    "babel",
    "minify-html",  # pages past national_scale's limit are minified (site/minify.py)
    "mkdocs-minify-html-plugin",
)
GENERATOR = Path(__file__).resolve().parent.parent  # the package whose code version keys every page
_NOT_CONFIG = frozenset({"site_dir"})  # where this build writes (a temporary folder), not what


@dataclass(frozen=True)
class CachedPage:
    """A rendered page as the cache keeps it: its HTML and what the parent checks links with."""

    html: bytes
    anchors: frozenset[str]
    links: dict[str, dict[str, str]]  # target page's src_uri -> anchor -> link, as in parallel's report


@dataclass
class RenderCache:
    """The cache of rendered pages in ``folder`` (see the module docstring)."""

    folder: Path
    started: float = field(default_factory=time.time)  # entries not touched since are pruned
    prune_after: bool = True  # False for a build that renders only part of the pages

    def path(self, key: bytes) -> Path:
        name = self.name(key)
        return self.folder / name[:2] / name

    @staticmethod
    def name(key: bytes) -> str:
        """The file name of ``key``'s entry (what ``prune`` is told to keep)."""
        return key.hex()

    def get(self, key: bytes, *, html: bool = True) -> CachedPage | None:
        """The page stored under ``key``, or None (absent, damaged, another format).

        ``html=False``: its anchors and links only (its HTML, compressed, is not read: the
        page's file holds it already, ``PageFiles``)."""
        path = self.path(key)
        try:
            with open(path, "rb") as entry:
                data = entry.read()
        except OSError:
            return None
        page = _decode(data, html)
        if page is not None:
            with contextlib.suppress(OSError):  # removed meanwhile by another build: it was read
                os.utime(path)
        return page

    def put(self, key: bytes, page: CachedPage) -> None:
        """Store ``page`` under ``key``: whole or not at all (temporary file, then rename).

        A cache that cannot be written (full disk, read-only) costs the next build time,
        not this one its output: the error is swallowed.
        """
        write_atomically(self.path(key), _encode(page))

    def search_cache(self) -> SearchCache:
        """The cache of this build's Pagefind runs (site/search_cache.py), beside its pages'."""
        return SearchCache(self.folder / SEARCH_FOLDER, started=self.started)

    def prune(self, kept: Iterable[str]) -> int:
        """Remove the entries this build neither wrote nor used (``kept``: their names), and
        leftovers of killed builds; an entry written since it started (by another build
        sharing the folder) stays.

        The set of names, not file times alone: an entry the previous build wrote a moment
        before this one started is as old as this build's own, on the kernel's coarse clock.
        """
        return remove_unused_entries(self.folder, set(kept), self.started)

    def finish(
        self, rendered: int, cached: int, kept: Iterable[str], files: Iterable[tuple[str, PageFile, str]] = ()
    ) -> None:
        """The build succeeded: prune (unless partial) and write what it found (``read_summary``).

        ``kept``: the names of the entries the build wrote or used (``name``); ``files``: the
        file each page was left in, with its key (``PageFiles``; a whole build's only).
        """
        if self.prune_after:
            self.prune(kept)
            PageFiles.load(self.folder).keep(self.folder, files)
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            summary = json.dumps({"rendered": rendered, "cached": cached}) + "\n"
            (self.folder / SUMMARY).write_text(summary, encoding="utf-8")


def read_summary(folder: Path) -> tuple[int, int] | None:
    """``(rendered, cached)`` of the last build that used ``folder``; None when there is none."""
    return search_cache.read_counts(folder / SUMMARY, "rendered", "cached")


def forget_summary(folder: Path) -> None:
    """Remove what the last build said (``read_summary``, the search's too), before another one."""
    with contextlib.suppress(OSError):
        (folder / SUMMARY).unlink()
    search_cache.forget_summary(folder / SEARCH_FOLDER)
    from . import provider_cache  # it imports the providers, which import this module's users

    with contextlib.suppress(OSError):
        (folder / provider_cache.FOLDER / provider_cache.SUMMARY).unlink()


def read_search_summary(folder: Path) -> tuple[int, int] | None:
    """``(runs, reused)``: the Pagefind runs of the last build that used ``folder``, and
    those taken from the cache; None when there is none."""
    return search_cache.read_summary(folder / SEARCH_FOLDER)


def _encode(page: CachedPage) -> bytes:
    # The anchors and links first, as they are: a page whose file is right already needs
    # them and not its HTML, which follows compressed.
    head = json.dumps({"anchors": sorted(page.anchors), "links": page.links}, sort_keys=True).encode("utf-8")
    body = len(head).to_bytes(4, "big") + head + zlib.compress(page.html, 1)
    return FORMAT + digest(body) + body


def _decode(data: bytes, html: bool = True) -> CachedPage | None:
    start = len(FORMAT) + 16
    view = memoryview(data)
    if not data.startswith(FORMAT) or digest(data[start:]) != data[len(FORMAT) : start]:
        return None
    try:
        size = int.from_bytes(view[start : start + 4], "big")
        found = json.loads(view[start + 4 : start + 4 + size].tobytes())
        content = zlib.decompress(view[start + 4 + size :]) if html else b""
        return CachedPage(html=content, anchors=frozenset(found["anchors"]), links=found["links"])
    except (zlib.error, ValueError, KeyError, TypeError):
        return None


PageFile = tuple[int, int, int, int]  # a file as os.stat finds it: device, inode, modification time (ns), size


def page_file(path: str) -> PageFile | None:
    """``path``'s ``PageFile``; None when it is not a regular file (or not there)."""
    try:
        found = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return (found.st_dev, found.st_ino, found.st_mtime_ns, found.st_size)


@dataclass
class PageFiles:
    """For each page (its ``dest_uri``), the files its HTML was last written to or found
    right in, with the key of that HTML: the last two, since a build writes over the site
    before last (site/build.py), and the builds alternate between two folders.

    A build over that site whose page has a key found here with the file it finds (the same
    device, inode, modification time and size) leaves the file as it is without reading
    the page's HTML from the cache or comparing it: at 10,000 services, 640 MB of HTML
    decompressed and compared for one page changed. A file changed by the build is always a
    new file (``output.write_file``), with another inode. Kept in ``WRITTEN``; unreadable,
    it is none."""

    pages: dict[str, list[tuple[PageFile, str]]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> PageFiles:
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            data = json.loads((folder / WRITTEN).read_bytes())
            if data.get("format") == WRITTEN_FORMAT:
                pages = {
                    uri: [((int(a), int(b), int(c), int(d)), str(key)) for a, b, c, d, key in found]
                    for uri, found in data["pages"].items()
                }
                return cls(pages)
        return cls()

    def holds(self, uri: str, key: bytes, found: PageFile | None) -> bool:
        """Whether the file ``found`` (at ``uri``) holds the HTML of key ``key``."""
        return found is not None and (found, key.hex()) in self.pages.get(uri, ())

    def keep(self, folder: Path, now: Iterable[tuple[str, PageFile, str]]) -> None:
        """Write the files this build left (``now``: each page's, with its key) and, for each
        page, the one before if it is another file."""
        pages: dict[str, list[tuple[PageFile, str]]] = {}
        for uri, found, key in now:
            before = [entry for entry in self.pages.get(uri, ()) if entry[0] != found]
            pages[uri] = [(found, key), *before[:1]]
        data = {"format": WRITTEN_FORMAT, "pages": {u: [[*f, k] for f, k in e] for u, e in sorted(pages.items())}}
        write_atomically(folder / WRITTEN, json.dumps(data, separators=(",", ":")).encode("utf-8"))


# --- keys -------------------------------------------------------------------------------------


def page_key(base: bytes, file: Any, excluded: bool) -> bytes:
    """The key of ``file``'s page: ``base`` (``global_part``) and everything of the page's own."""
    hasher = hashlib.blake2b(base, digest_size=16)
    for part in (file.src_uri, file.dest_uri, file.url, str(file.edit_uri), str(excluded)):
        hasher.update(part.encode("utf-8") + b"\x00")
    hasher.update(_markdown(file))
    return hasher.digest()


def _markdown(file: Any) -> bytes:
    """``file``'s content with the build's script marker (site/csp.py) made constant.

    The marker is a secret drawn by each process and dropped from the HTML once the page's
    policy is made (``add_policy``): two builds of the same page differ by it in their
    Markdown only, and must share a key.
    """
    return bytes(file.content_bytes).replace(_OWN_TOKEN.encode("ascii"), b"\x00own-script\x00")


def global_part(config: Any, files: Iterable[Any], menu: Iterable[Any], root: Path) -> bytes:
    """What every page's HTML depends on (see the module docstring); ``menu`` are the
    navigation's files in every language, read already (their pages have their titles)."""
    hasher = hashlib.blake2b(digest_size=16)

    def add(*parts: str | bytes) -> None:
        for part in parts:
            hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
            hasher.update(b"\x00")

    add(sys.version, *(f"{name}={version(name)}" for name in sorted(_distributions(config))))
    add(code_version())
    add(_stable({key: value for key, value in config.items() if key not in _NOT_CONFIG}))
    for folder in [*config.theme.dirs, str(root / "locale")]:
        if not _installed(Path(folder)):
            add(folder, folder_digest(Path(folder)))
    for file in menu:
        page = file.page
        add(file.src_uri, file.url, str(page.title if page is not None else ""), digest(_markdown(file)))
    add(*sorted(f"{f.src_uri}\t{f.dest_uri}\t{f.url}" for f in files))
    return hasher.digest()


_code: list[bytes] = []


def code_version() -> bytes:
    """A digest of every file of the ``generator`` package (its code, words and assets)."""
    if not _code:
        _code.append(folder_digest(GENERATOR))
    return _code[0]


def folder_digest(folder: Path) -> bytes:
    """A digest of the names and bytes of the files under ``folder`` (no caches, no hidden files)."""
    hasher = hashlib.blake2b(digest_size=16)
    if not folder.is_dir():
        return hasher.digest()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") or part == "__pycache__" for part in relative.parts) or not path.is_file():
            continue
        hasher.update(relative.as_posix().encode("utf-8") + b"\x00" + digest(path.read_bytes()))
    return hasher.digest()


def _installed(folder: Path) -> bool:
    """Whether ``folder`` is part of an installed package (its version stands for its files)."""
    return any(part in ("site-packages", "dist-packages") for part in folder.resolve().parts)


def _distributions(config: Any) -> set[str]:
    """``RENDERING_DISTRIBUTIONS`` and those of the configuration's plugins and Markdown extensions."""
    found = set(RENDERING_DISTRIBUTIONS)
    modules = [type(plugin).__module__ for plugin in config.plugins.values()]
    modules += [name if isinstance(name, str) else type(name).__module__ for name in config.markdown_extensions]
    owners = importlib.metadata.packages_distributions()
    for module in modules:
        found.update(owners.get(module.split(".")[0], ()))
    return found


def version(distribution: str) -> str:
    """An installed distribution's version, "" when it is not installed."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _stable(value: Any, depth: int = 0) -> str:
    """A text of ``value`` that is equal from one process to the next for equal settings
    (no object addresses): mappings sorted, plugins by their options, functions by name."""
    if depth > 12:
        return "…"
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    if isinstance(value, Path):
        return repr(str(value))
    if isinstance(value, Mapping):
        items = sorted((str(k), _stable(v, depth + 1)) for k, v in value.items())
        extra = f"{getattr(value, 'name', '')}{getattr(value, 'dirs', '')}" if hasattr(value, "dirs") else ""
        return type(value).__name__ + extra + "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(_stable(v, depth + 1) for v in value)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_stable(v, depth + 1) for v in value) + "]"
    options = getattr(value, "config", None)
    if isinstance(options, Mapping):  # a plugin: its options are what it renders with
        return f"{type(value).__module__}.{type(value).__qualname__}({_stable(options, depth + 1)})"
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__qualname__)}"
    text = repr(value)
    return type(value).__qualname__ if " at 0x" in text else text


# --- in a page-rendering process (site/parallel.py's _render_share) -----------------------------


def for_worker(plugin: Any, config: Any, files: Iterable[Any], menu: Iterable[Any]) -> tuple[RenderCache, bytes] | None:
    """The build's cache and the global part of its keys, or None when the build has no cache.

    The build's cache is ``page_cache`` on the maillage plugin (set by ``build_site``).
    """
    cache = getattr(plugin, "page_cache", None)
    if not isinstance(cache, RenderCache):
        return None
    return cache, global_part(config, files, menu, Path(getattr(plugin, "root", ".")))


def write(page: CachedPage, destination: str) -> None:
    """Write a cached page where mkdocs would have (as mkdocs' ``write_file`` would, with
    fewer system calls: ``site/output.py``)."""
    output.write_file(destination, page.html)


def store(
    cache: RenderCache, key: bytes, destination: str, anchors: set[str] | None, links: dict[str, dict[str, str]]
) -> None:
    """Keep the page mkdocs just wrote to ``destination`` (none when it wrote nothing: an empty page)."""
    try:
        html = Path(destination).read_bytes()
    except OSError:
        return
    cache.put(key, CachedPage(html=html, anchors=frozenset(anchors or ()), links=links))
