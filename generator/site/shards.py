"""``maillage build --shard K/N`` and ``maillage build --merge DIR…``: one site, several machines.

A shard is ``parallel_build`` (``site/parallel.py``) rendering only its share of the pages:
a page belongs to shard ``share_of(src_uri, N)``, a stable hash of its source path (not
Python's salted ``hash()``), so every machine agrees without talking to the others. Every
shard still generates the whole site's Markdown (each page's address and the menus' titles
are in every page) but reads, renders and writes only its own pages. Shard 1 also writes
what is not a page: the theme's and the project's static files, the generated downloads,
data and assets, and the theme's templates (``404.html``, ``sitemap.xml``). No shard
validates anchors or makes the search index: each writes, beside its pages, a manifest
(``MANIFEST``) with what the merge needs for that — which pages it rendered (and where they
stand among the site's), their anchors and anchor links, its warnings — and a
fingerprint of everything the site is made from (registry, configuration, pages, theme
overrides, catalogues, the generator's code, the versions of mkdocs and its theme).

The merge refuses shards of different inputs or an incomplete set, links (or copies) the
shards' files into one site, checks the anchor links as ``parallel_build`` does from its
workers' reports, then makes the Pagefind index and the site's marker. The result is the
one-machine build's, file for file (``tests/site/test_shards.py``). Both write atomically
(``site/build.py``): a failed shard or merge leaves the previous output untouched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..locale import N_
from .build import SITE_MARKER, mark_site
from .render_cache import RENDERING_DISTRIBUTIONS, code_version, folder_digest, version

MANIFEST = "maillage-shard.json"
_KIND = "maillage-shard"
_FORMAT = 1
# Installed distributions whose version changes the pages: those that render them
# (render_cache.RENDERING_DISTRIBUTIONS) and those that read the registry or copy assets.
_DISTRIBUTIONS = (*RENDERING_DISTRIBUTIONS, "pydantic", "PyYAML", "XStatic-Leaflet", "XStatic-Leaflet-MarkerCluster")


class ShardError(Exception):
    """A shard or merge the command refuses: a catalogue key and its values, for the person."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def owns(self, src_uri: str) -> bool:
        return share_of(src_uri, self.count) == self.index

    @property
    def first(self) -> bool:
        """The shard that writes what is not a page (static files, downloads, theme templates)."""
        return self.index == 1


def share_of(src_uri: str, count: int) -> int:
    """The shard (1..count) that renders the page ``src_uri``: the same on every machine."""
    digest = hashlib.blake2b(src_uri.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count + 1


def parse_shard(text: str) -> Shard:
    """``K/N`` (``2/4``) as a ``Shard``; ``ShardError`` unless 1 ≤ K ≤ N."""
    index, _, count = text.strip().partition("/")
    if not (index.isdigit() and count.isdigit()) or not 1 <= int(index) <= int(count):
        raise ShardError(N_("cli.build.shard.invalid"), value=text)
    return Shard(int(index), int(count))


# --- what a shard writes ---------------------------------------------------------------------


@dataclass
class ShardPages:
    """What a shard's page-rendering processes found, for the manifest."""

    owned: list[tuple[int, str]] = field(default_factory=list)  # (position among the site's pages, src_uri)
    anchors: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    build_warnings: int = 0  # logged by the building process (every shard logs the same)
    page_warnings: int = 0  # logged while rendering this shard's pages
    total: int = 0  # pages of the whole site


def write_manifest(config: Any, shard: Shard, pages: ShardPages, audience: str) -> None:
    """Write the manifest of ``shard`` into the site folder of ``config``."""
    config_file = Path(config.config_file_path or "mkdocs.yml")
    manifest = {
        "kind": _KIND,
        "format": _FORMAT,
        "shard": shard.index,
        "of": shard.count,
        "audience": audience,
        "fingerprint": fingerprint(config_file, audience, shard.count),
        "pages": pages.total,
        "warnings": {"build": pages.build_warnings, "pages": pages.page_warnings},
        "owned": pages.owned,
        "anchors": pages.anchors,
        "links": pages.links,
    }
    path = Path(config.site_dir) / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def fingerprint(config_file: Path, audience: str, count: int) -> str:
    """What the site is made from, hashed: two shards merge only when theirs are equal.

    The project's ``mkdocs.yml``, ``data/``, ``locale/``, docs folder and theme overrides,
    the generator's own files and the versions of the libraries that render pages. Paths
    are taken relative to their folder: two checkouts of one commit agree.
    """
    from .commands import source_folders

    root = config_file.resolve().parent
    digest = hashlib.sha256()

    def feed(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    feed("shards", f"{count} {audience}".encode())
    feed("mkdocs.yml", config_file.read_bytes())
    feed("generator", code_version())
    folders = [("data", root / "data"), ("locale", root / "locale")]
    folders += [(f"source{i}", folder) for i, folder in enumerate(source_folders(config_file))]
    for label, folder in folders:
        feed(label, folder_digest(folder))
    for name in _DISTRIBUTIONS:
        feed(f"dist/{name}", version(name).encode())
    lock = root / "package-lock.json"  # opening_hours and world-atlas, copied into the site
    if lock.is_file():
        feed("package-lock.json", lock.read_bytes())
    return digest.hexdigest()


# --- the merge -------------------------------------------------------------------------------


def read_manifests(folders: Sequence[Path]) -> list[dict[str, Any]]:
    """The manifests of ``folders``, checked: every shard 1..N exactly once, of the same inputs."""
    manifests = []
    for folder in folders:
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ShardError(N_("cli.build.merge.not_a_shard"), folder=folder) from None
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise ShardError(N_("cli.build.merge.unreadable"), folder=folder, message=str(exc)) from None
        if not isinstance(manifest, dict) or manifest.get("kind") != _KIND or manifest.get("format") != _FORMAT:
            raise ShardError(N_("cli.build.merge.unreadable"), folder=folder, message=MANIFEST)
        manifest["folder"] = folder
        manifests.append(manifest)
    first = manifests[0]
    for manifest in manifests[1:]:
        if manifest["fingerprint"] != first["fingerprint"] or manifest["of"] != first["of"]:
            raise ShardError(
                N_("cli.build.merge.different_inputs"),
                folder=manifest["folder"],
                shard=f"{manifest['shard']}/{manifest['of']}",
                other=first["folder"],
                other_shard=f"{first['shard']}/{first['of']}",
            )
    count = first["of"]
    seen: dict[int, Path] = {}
    for manifest in manifests:
        if manifest["shard"] in seen:
            raise ShardError(
                N_("cli.build.merge.twice"),
                shard=f"{manifest['shard']}/{count}",
                folder=manifest["folder"],
                other=seen[manifest["shard"]],
            )
        seen[manifest["shard"]] = manifest["folder"]
    missing = [str(k) for k in range(1, count + 1) if k not in seen]
    if missing:
        raise ShardError(N_("cli.build.merge.missing"), shards=", ".join(f"{k}/{count}" for k in missing))
    if sum(len(m["owned"]) for m in manifests) != first["pages"]:
        raise ShardError(N_("cli.build.merge.incomplete"), expected=first["pages"])
    return sorted(manifests, key=lambda m: int(m["shard"]))


def merge_site(config_file: Path, site_dir: Path, folders: Sequence[Path], *, strict: bool = False) -> str:
    """Assemble the shards in ``folders`` into ``site_dir`` (empty), check its anchor links,
    make its search index and marker. Returns the audience the shards were built for.

    Raises ``ShardError`` (the shards do not make one site) or ``BuildError`` (a warning in
    strict mode, the search index failed).
    """
    from mkdocs import utils
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException, PluginError

    from .commands import BuildError
    from .parallel import ErrorCollector
    from .plugin import MaillagePlugin
    from .search import SearchIndexError, index_site

    manifests = read_manifests(folders)
    errors = ErrorCollector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(errors)
    counter = utils.CountHandler()
    counter.setLevel(logging.WARNING)
    logger.addHandler(counter)
    try:
        config = load_config(str(config_file), site_dir=str(site_dir), strict=strict)
        config.plugins.on_startup(command="build", dirty=False)  # as build_site (site/commands.py)
        plugin = config.plugins.get("maillage")
        if isinstance(plugin, MaillagePlugin):
            plugin.index_later = True  # the index is made below, once the anchors are checked
        config = config.plugins.on_config(config)
        _assemble(manifests, site_dir)
        _check_anchor_links(manifests, config.validation.links.anchors)
        config.plugins.on_post_build(config=config)
        first = manifests[0]["warnings"]["build"]
        warnings = first + sum(m["warnings"]["pages"] for m in manifests)
        warnings += sum(count for _, count in counter.get_counts())
        if config.strict and warnings:
            raise Abort(f"Aborted with {warnings} warnings in strict mode!")
        try:
            index_site(site_dir)
        except SearchIndexError as exc:
            raise PluginError(f"maillage: {exc}") from None
    except MkDocsException as exc:
        raise BuildError("\n".join(errors.messages) or str(exc)) from None
    finally:
        logger.removeHandler(errors)
        logger.removeHandler(counter)
    mark_site(site_dir)
    return str(manifests[0]["audience"])


def _assemble(manifests: Sequence[dict[str, Any]], site_dir: Path) -> None:
    """Every file of every shard into ``site_dir``: hard links where the file system allows, else copies."""
    owner: dict[str, Path] = {}
    for manifest in manifests:
        folder: Path = manifest["folder"]
        for top, dirs, names in os.walk(folder):
            dirs.sort()
            relative = os.path.relpath(top, folder)
            target = site_dir if relative == "." else site_dir / relative
            target.mkdir(exist_ok=True)
            for name in sorted(names):
                if relative == "." and name in (MANIFEST, SITE_MARKER):
                    continue
                key = name if relative == "." else f"{relative}/{name}"
                if key in owner:
                    raise ShardError(N_("cli.build.merge.overlap"), path=key, folder=folder, other=owner[key])
                owner[key] = folder
                _link_or_copy(Path(top) / name, target / name)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(source, target)


def _check_anchor_links(manifests: Sequence[dict[str, Any]], level: int) -> None:
    """mkdocs' ``Page.validate_anchor_links`` over the shards' reports, in the site's page order.

    As in ``parallel_build``: a page whose rendering found no anchor was not reported, and
    links to it are not checked (mkdocs' "page was somehow not rendered"). mkdocs' own
    method runs on stand-ins of its files and pages, so its messages are the same.
    """
    from mkdocs.structure.pages import Page

    anchors: dict[str, set[str]] = {}
    links: dict[str, dict[str, dict[str, str]]] = {}
    order: list[tuple[int, str]] = []
    for manifest in manifests:
        for uri, found in manifest["anchors"].items():
            anchors[uri] = set(found)
        links.update(manifest["links"])
        order.extend((int(position), uri) for position, uri in manifest["owned"])
    files = {uri: _Stand(src_uri=uri, page=_Stand(present_anchor_ids=anchors.get(uri))) for _, uri in order}
    for _, uri in sorted(order):
        if uri not in links:
            continue
        to_anchors = {files[target]: found for target, found in links[uri].items() if target in files}
        page = _Stand(file=files[uri], links_to_anchors=to_anchors)
        Page.validate_anchor_links(page, files=None, log_level=level)  # type: ignore[arg-type]


class _Stand:
    """A stand-in for an mkdocs file or page: its attributes, and equal only to itself."""

    def __init__(self, **attributes: Any) -> None:
        self.__dict__.update(attributes)
