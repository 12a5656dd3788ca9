"""The cache of rendered pages (generator/site/render_cache.py): a warm build is a fresh build.

End to end on the small hand-made project with ``maillage build --jobs 2`` (the cache is
the page-rendering processes'): a full build fills the cache, a phone number changes, the
build with the warm cache renders only the pages the edit reaches, and its site is, file
for file, the site of a fresh build without cache. A damaged entry is a miss; a change of
the configuration renders every page again. These builds follow one another on one project
and one cache (a module fixture: five builds for the whole story), each test checks its part.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from generator.site import render_cache
from generator.site.render_cache import FORMAT, CachedPage, RenderCache
from tests.conftest import MINI, ROOT
from tests.site.test_build import MKDOCS_YML

# Written by openpyxl with the time of the build (test_build.py's reproducibility test says
# why); Pagefind names its fragments anew on every run. Neither is a rendered page.
UNSTABLE = ("downloads/modele-import.xlsx",)


def _project(folder: Path) -> Path:
    shutil.copytree(MINI, folder)
    (folder / "mkdocs.yml").write_text(MKDOCS_YML.format(overrides=ROOT / "overrides"), encoding="utf-8")
    shutil.copytree(ROOT / "directory", folder / "directory")
    return folder


def build(project: Path, out: Path, *options: str) -> tuple[int, int]:
    """``maillage build --jobs 2``; the pages it rendered and took from the cache, as it says.

    Each build is a process of its own, as in CI: what a process draws anew (its hash
    seed, the marker of the build's own scripts) must not change a key.
    """
    command = [sys.executable, "-m", "generator", "-C", str(project), "build", "--jobs", "2", "--out", str(out)]
    result = subprocess.run([*command, *options], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    said = re.search(r"pages : (\d+) rendues, (\d+) reprises du cache", result.stdout)
    if "--no-cache" in options:
        assert said is None, result.stdout
        return 0, 0
    assert said is not None, result.stdout
    return int(said.group(1)), int(said.group(2))


def tree(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and "pagefind" not in p.parts and p.relative_to(site).as_posix() not in UNSTABLE
    }


def entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.glob("??/*") if p.is_file())


class Story(NamedTuple):
    """One cache through the builds of a maintainer's day (each build's pages rendered and
    taken from the cache, and the cache's entries after it). Keys hold the project's
    folder: the builds share one project, in this order, and each test reads its part."""

    folder: Path
    cold: tuple[int, int]
    cold_entries: int
    edited: tuple[int, int]
    edited_entries: int
    damaged: tuple[int, int]
    reconfigured: tuple[int, int]


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1736899200")  # 2025-01-15: the same date for every build
        for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):  # the counts are read in French
            patch.delenv(name, raising=False)
        patch.setenv("LANG", "C.UTF-8")
        folder = tmp_path_factory.mktemp("render-cache")
        project, cache = _project(folder / "mini"), folder / "cache"
        # a: a full build fills the cache.
        cold = build(project, folder / "a", "--cache", str(cache))
        cold_entries = len(entries(cache))
        # b: a phone number changes, the warm build; c: the same project without cache.
        registry = project / "data" / "registry" / "alpha.yaml"
        text = registry.read_text(encoding="utf-8")
        assert '"+32 2 000 00 01"' in text
        registry.write_text(text.replace('"+32 2 000 00 01"', '"+32 2 999 99 99"'), encoding="utf-8")
        edited = build(project, folder / "b", "--cache", str(cache))
        edited_entries = len(entries(cache))
        build(project, folder / "c", "--no-cache")
        # d: three entries damaged, each its own way.
        damaged = entries(cache)[:3]
        damaged[0].write_bytes(damaged[0].read_bytes()[:-40])  # cut short
        damaged[1].write_bytes(b"not an entry")  # another format
        body = bytearray(damaged[2].read_bytes())
        body[len(FORMAT) + 20] ^= 0xFF  # one byte changed
        damaged[2].write_bytes(bytes(body))
        after_damage = build(project, folder / "d", "--cache", str(cache))
        # e: a new setting.
        config = project / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8").replace("site_name: Mini", "site_name: Maxi"), "utf-8")
        reconfigured = build(project, folder / "e", "--cache", str(cache))
        yield Story(folder, cold, cold_entries, edited, edited_entries, after_damage, reconfigured)


def test_a_warm_build_renders_the_edited_pages_only_and_equals_a_fresh_build(story: Story) -> None:
    rendered, cached = story.cold
    assert cached == 0 and rendered > 100
    assert story.cold_entries == rendered

    warm_rendered, warm_cached = story.edited
    assert warm_rendered + warm_cached == rendered
    # The pages that show the phone number (the service's and its organisation's, in each
    # language), not the hundred others.
    assert 1 <= warm_rendered <= 12, warm_rendered
    warm, fresh = tree(story.folder / "b"), tree(story.folder / "c")
    assert warm.keys() == fresh.keys()
    assert [name for name in warm if warm[name] != fresh[name]] == []
    assert "+32 2 999 99 99" in (story.folder / "b" / "services" / "alpha-adults" / "index.html").read_text("utf-8")
    # The entries the edit replaced are pruned: one per page of the site.
    assert story.edited_entries == rendered


def test_a_damaged_entry_is_a_miss_and_a_new_setting_renders_everything(story: Story) -> None:
    rendered, _ = story.cold
    assert story.damaged == (3, rendered - 3)
    assert tree(story.folder / "d") == tree(story.folder / "b")
    assert story.reconfigured == (rendered, 0)
    assert "Maxi" in (story.folder / "e" / "index.html").read_text("utf-8")


def test_entries_are_checked_on_reading(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path)
    page = CachedPage(html="<p>é</p>\n".encode(), anchors=frozenset({"a", "b"}), links={"x.md": {"a": "x.md#a"}})
    key = bytes(range(16))
    cache.put(key, page)
    assert cache.get(key) == page
    assert cache.get(bytes(16)) is None  # absent
    stored = cache.path(key)
    for damaged in (b"", FORMAT, stored.read_bytes()[:-1], stored.read_bytes() + b"x"):
        stored.write_bytes(damaged)
        assert cache.get(key) is None
    assert not list(tmp_path.glob("*/.tmp-*"))  # no temporary file left behind


def test_an_entry_read_without_its_html_gives_its_anchors_and_links(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path)
    page = CachedPage(html=b"<h2 id='a'>A</h2>", anchors=frozenset({"a"}), links={"x.md": {"a": "x.md#a"}})
    key = bytes(range(16))
    cache.put(key, page)
    assert cache.get(key, html=False) == CachedPage(html=b"", anchors=page.anchors, links=page.links)
    stored = cache.path(key)
    stored.write_bytes(stored.read_bytes()[:-1])  # its HTML cut short: checked all the same
    assert cache.get(key, html=False) is None


def test_page_files_say_which_file_holds_which_page_the_last_two_times(tmp_path: Path) -> None:
    """``PageFiles``: a page's file is known to hold the HTML of a key when that file (device,
    inode, modification time, size) was left by a build with that key; the last two files
    per page are kept (the site and the site before last), the pages gone are forgotten."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_bytes(b"<p>a</p>")
    (site / "b.html").write_bytes(b"<p>b</p>")
    a1, b1 = render_cache.page_file(str(site / "a.html")), render_cache.page_file(str(site / "b.html"))
    assert a1 is not None and b1 is not None
    k1, k2 = bytes(16), bytes([1]) * 16
    render_cache.PageFiles().keep(tmp_path, [("a.html", a1, k1.hex()), ("b.html", b1, k1.hex())])
    files = render_cache.PageFiles.load(tmp_path)
    assert files.holds("a.html", k1, a1) and not files.holds("a.html", k2, a1) and not files.holds("a.html", k1, b1)
    assert not files.holds("a.html", k1, None)
    # A second build in another folder: a.html in a new file, b.html gone.
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.html").write_bytes(b"<p>a, again</p>")
    a2 = render_cache.page_file(str(other / "a.html"))
    assert a2 is not None and a2 != a1
    files.keep(tmp_path, [("a.html", a2, k2.hex())])
    files = render_cache.PageFiles.load(tmp_path)
    assert files.holds("a.html", k2, a2) and files.holds("a.html", k1, a1) and not files.holds("b.html", k1, b1)
    # The same file left again: one entry for it, the other folder's kept.
    files.keep(tmp_path, [("a.html", a2, k2.hex())])
    assert render_cache.PageFiles.load(tmp_path).pages["a.html"] == [(a2, k2.hex()), (a1, k1.hex())]
    # Written over: not that file any more.
    (other / "a.html").write_bytes(b"<p>a, once more</p>")
    assert not render_cache.PageFiles.load(tmp_path).holds("a.html", k2, render_cache.page_file(str(other / "a.html")))
    assert render_cache.page_file(str(tmp_path / "none.html")) is None and render_cache.page_file(str(site)) is None
    for damaged in (b"", b"{", b'{"format": 0, "pages": {}}', b'{"format": 1, "pages": {"a.html": [[1]]}}'):
        (tmp_path / render_cache.WRITTEN).write_bytes(damaged)
        assert render_cache.PageFiles.load(tmp_path).pages == {}


def test_pruning_keeps_what_the_build_used_and_what_another_build_wrote_since(tmp_path: Path) -> None:
    """The previous build's entries are pruned however close in time they were written (a
    build that starts a second after the last one ended is usual in CI); an entry the
    build did not use but another build sharing the folder wrote after it started stays."""
    import os

    cache = RenderCache(tmp_path, started=1_000_000.0)
    page = CachedPage(html=b"<p>x</p>", anchors=frozenset(), links={})
    used, replaced, concurrent, leftover = (bytes([n]) * 16 for n in range(4))
    for key, written in ((used, 999_999.9), (replaced, 999_999.9), (concurrent, 1_000_000.5)):
        cache.put(key, page)
        os.utime(cache.path(key), (written, written))
    killed = cache.path(leftover).parent / ".tmp-killed"
    killed.parent.mkdir(parents=True, exist_ok=True)
    killed.write_bytes(b"half")
    os.utime(killed, (999_000.0, 999_000.0))

    assert cache.prune([RenderCache.name(used)]) == 2
    assert sorted(p.name for p in tmp_path.glob("??/*")) == sorted(RenderCache.name(k) for k in (used, concurrent))


def test_the_configuration_part_of_keys_has_no_object_address() -> None:
    from mkdocs.config import load_config

    first = render_cache._stable(dict(load_config(str(ROOT / "mkdocs.yml"))))
    second = render_cache._stable(dict(load_config(str(ROOT / "mkdocs.yml"))))
    assert first == second and " at 0x" not in first and "MaillagePlugin" in first


def test_a_key_does_not_depend_on_the_process_s_script_marker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The marker of the build's own scripts is drawn anew by each process (site/csp.py)."""
    from types import SimpleNamespace

    from generator.site import csp
    from generator.site.csp import own_script

    def key(body: str) -> bytes:
        content = f"# Carte\n\n{body}\n".encode()
        page = SimpleNamespace(src_uri="map/index.md", dest_uri="map/index.html", url="map/", edit_uri=None)
        page.content_bytes = content
        return render_cache.page_key(b"base", page, False)

    mine = key(own_script("show()"))
    assert mine != key("<p>show()</p>")
    # Another process: another marker in its Markdown, the same key.
    other_marker = "0" * 32
    monkeypatch.setattr(render_cache, "_OWN_TOKEN", other_marker)
    assert key(own_script("show()").replace(csp._TOKEN, other_marker)) == mine
