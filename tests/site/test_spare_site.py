"""A build with a cache writes over the site before last (generator/site/build.py's spare).

``maillage build`` keeps the site it replaces in the cache (``previous-site``) and writes the
next build over it: a file that already holds the right bytes is left where it is, what
the build does not write is removed, and the result is the site a build into an empty
folder makes, byte for byte, Pagefind's bundle included. End to end on the small
hand-made project with ``maillage build --jobs 2``, as a maintainer rebuilds ``site/``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from generator.site import output, render_cache, search
from generator.site.build import SITE_MARKER, SPARE
from generator.site.search_cache import SearchCache
from tests.conftest import ROOT

# Written by openpyxl with the time of the build (test_build.py's reproducibility test).
UNSTABLE = "downloads/modele-import.xlsx"
PHONE, NEW_PHONE = '"+32 2 000 00 01"', '"+32 2 999 99 99"'


def _build(project: Path, out: Path, *options: str, ok: bool = True) -> str:
    command = [sys.executable, "-m", "generator", "-C", str(project), "build", "--jobs", "2", "--out", str(out)]
    result = subprocess.run([*command, *options], capture_output=True, text=True, cwd=ROOT, check=False)
    assert (result.returncode == 0) == ok, result.stdout + result.stderr
    return result.stdout + result.stderr


def _fresh(project: Path, out: Path, cache: Path) -> None:
    """A build into the empty folder ``out`` with a copy of ``cache`` that has no spare."""
    copy = out.with_name(out.name + "-cache")
    shutil.copytree(cache, copy, ignore=lambda folder, names: [SPARE] if Path(folder) == cache else [])
    _build(project, out, "--cache", str(copy))
    assert not (copy / SPARE).exists()


def _tree(site: Path) -> dict[str, bytes]:
    """Every file of a site, the time-stamped spreadsheet template aside."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and p.relative_to(site).as_posix() != UNSTABLE
    }


def _folders(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_dir()}


def _edit_phone(project: Path) -> None:
    registry = project / "data" / "registry" / "alpha.yaml"
    text = registry.read_text(encoding="utf-8")
    assert PHONE in text
    registry.write_text(text.replace(PHONE, NEW_PHONE), encoding="utf-8")


def test_a_rebuild_writes_over_the_site_before_last_and_equals_a_build_into_an_empty_folder(
    project: Path, tmp_path: Path
) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    spare = cache / SPARE
    _build(project, site, "--cache", str(cache))
    assert not spare.exists()  # nothing was replaced
    first = _tree(site)
    _build(project, site, "--cache", str(cache))
    # The site replaced is kept as the spare: the first build's files, the same inodes.
    assert _tree(spare) == first and (spare / SITE_MARKER).is_file()
    home = (spare / "index.html").stat().st_ino

    # The spare is not trusted: a page changed without changing its size, files and a
    # folder that no build wrote, a page of the search index that is no more.
    pages = sorted(spare.rglob("index.html"))
    about = next(p for p in pages if "alpha-adults" not in str(p) and p != spare / "index.html")
    damaged = about.read_bytes().replace(b"<title>", b"<TITLE>", 1)
    assert damaged != about.read_bytes()
    about.write_bytes(damaged)
    (spare / "notes.txt").write_text("someone's notes", encoding="utf-8")
    (spare / "services" / "gone" / "index.html").parent.mkdir(parents=True)
    (spare / "services" / "gone" / "index.html").write_text("<html>a service removed since</html>", encoding="utf-8")
    stale = spare / search.BUNDLE / "fragment" / "fr_stale.pf_fragment"
    stale.write_bytes(b"an old fragment")

    _edit_phone(project)
    said = _build(project, site, "--cache", str(cache))
    # The third build was written over the first one's site: an unchanged page kept its inode.
    assert (site / "index.html").stat().st_ino == home
    assert "+32 2 999 99 99" in (site / "services" / "alpha-adults" / "index.html").read_text("utf-8")
    assert not (site / "notes.txt").exists() and not (site / "services" / "gone").exists()
    assert not (site / search.BUNDLE / "fragment" / "fr_stale.pf_fragment").exists()
    assert "<TITLE>" not in (site / about.relative_to(spare)).read_text("utf-8")
    assert not [p.name for p in site.iterdir() if p.name.startswith(".") and p.name != SITE_MARKER]
    assert "pages" in said

    # Its unchanged pages were found right by their files (render_cache.PageFiles): each
    # page's last two files are known, this site's and the spare's.
    left = render_cache.PageFiles.load(cache)
    home_key = bytes.fromhex(left.pages["index.html"][0][1])
    for folder in (site, spare):
        assert left.holds("index.html", home_key, render_cache.page_file(str(folder / "index.html")))
    assert len(left.pages["index.html"]) == 2

    # The second build's site waits in the cache for the next one.
    assert (spare / SITE_MARKER).is_file()
    assert PHONE.strip('"') in (spare / "services" / "alpha-adults" / "index.html").read_text("utf-8")

    # The same project and cache into an empty folder: the same site, byte for byte (the
    # search runs come from the same cache), with the same folders.
    _fresh(project, tmp_path / "fresh", cache)
    fresh = _tree(tmp_path / "fresh")
    rebuilt = _tree(site)
    assert rebuilt.keys() == fresh.keys()
    assert [name for name in rebuilt if rebuilt[name] != fresh[name]] == []
    assert _folders(site) == _folders(tmp_path / "fresh")
    # And its pages are those of a build without any cache (Pagefind names its files anew
    # on each run: compared in tests/site/test_build_cache.py).
    _build(project, tmp_path / "plain", "--no-cache")
    plain = {k: v for k, v in _tree(tmp_path / "plain").items() if search.BUNDLE not in k.split("/")}
    assert {k: v for k, v in rebuilt.items() if search.BUNDLE not in k.split("/")} == plain


def test_a_failed_build_leaves_the_site_and_gives_the_spare_back(project: Path, tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    _build(project, site, "--cache", str(cache))
    _build(project, site, "--cache", str(cache))
    before = _tree(site)
    registry = project / "data" / "registry" / "alpha.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("name:", "name: [", 1), encoding="utf-8")
    said = _build(project, site, "--cache", str(cache), ok=False)
    assert "alpha.yaml" in said and "Traceback" not in said
    assert _tree(site) == before
    assert (cache / SPARE).is_dir()  # not lost: the next build writes over it
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    registry.write_text(text.replace(PHONE, NEW_PHONE), encoding="utf-8")
    _build(project, site, "--cache", str(cache))
    _fresh(project, tmp_path / "fresh", cache)
    assert _tree(site) == _tree(tmp_path / "fresh")


def test_without_a_cache_nothing_is_kept(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(project, site, "--no-cache")
    _build(project, site, "--no-cache")
    assert not (project / ".cache").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini", "site"]


# --- the writer ------------------------------------------------------------------------------


def test_writing_over_an_earlier_file_leaves_it_when_it_is_right_and_notes_it(tmp_path: Path) -> None:
    right, wrong, new = (str(tmp_path / name) for name in ("right.html", "wrong.html", "a/new.html"))
    Path(right).write_bytes(b"same")
    Path(wrong).write_bytes(b"samf")  # the same size, another byte
    inodes = os.stat(right).st_ino, os.stat(wrong).st_ino
    output.reuse(True)
    try:
        for path in (right, wrong, new):
            output.write_file(path, b"same")
        assert output.written() == {right, wrong, new}
    finally:
        output.reuse(False)
    assert [Path(p).read_bytes() for p in (right, wrong, new)] == [b"same"] * 3
    assert os.stat(right).st_ino == inodes[0]  # left as it was
    assert output.written() == set()


def test_pruning_removes_what_was_not_written_and_the_folders_left_empty(tmp_path: Path) -> None:
    for name in ("index.html", "a/index.html", "a/old.css", "b/c/index.html", "pagefind/x.pf", ".maillage-site"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name, encoding="utf-8")
    kept = [str(tmp_path / "index.html"), str(tmp_path / "a" / "index.html")]
    removed = output.prune(str(tmp_path), kept, skip=("pagefind", ".maillage-site"))
    assert removed == 2
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert left == [".maillage-site", "a", "a/index.html", "index.html", "pagefind", "pagefind/x.pf"]


def test_an_index_made_over_an_earlier_bundle_is_the_index_made_afresh(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for i in range(12):
        page = site / "services" / f"s{i:02d}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(
            f'<html lang="fr"><body><main data-pagefind-body><h1>Service {i}</h1>'
            f"<p>accompagnement logement santé mentale {i}</p></main></body></html>",
            encoding="utf-8",
        )
    cache = SearchCache(tmp_path / "cache")
    search.index_site(site, shard_bytes=500, cache=cache)
    # An earlier bundle with a file no run writes, then a page edited.
    (site / search.BUNDLE / "shard-9").mkdir()
    (site / search.BUNDLE / "shard-9" / "old.pf_meta").write_bytes(b"old")
    page = site / "services" / "s03" / "index.html"
    page.write_text(page.read_text("utf-8").replace("logement", "hébergement"), encoding="utf-8")
    report = search.index_site(site, shard_bytes=500, cache=SearchCache(tmp_path / "cache"))
    assert report.runs >= 3 and 1 <= report.runs - report.reused < report.runs
    again = tmp_path / "again"
    shutil.copytree(site, again, ignore=shutil.ignore_patterns(search.BUNDLE))
    search.index_site(again, shard_bytes=500, cache=SearchCache(tmp_path / "cache"))
    assert _tree(site) == _tree(again)
    assert not (site / search.BUNDLE / "shard-9").exists()
    assert re.search(r"hébergement", (site / "services" / "s03" / "index.html").read_text("utf-8"))


def test_a_kept_stage_is_brought_up_to_date_link_by_link(tmp_path: Path) -> None:
    site, stage = tmp_path / "site", tmp_path / "stage"
    for uri in ("a/index.html", "b/index.html", "c/index.html"):
        (site / uri).parent.mkdir(parents=True, exist_ok=True)
        (site / uri).write_text(uri, encoding="utf-8")
    search._stage(site, stage, ["a/index.html", "b/index.html", "c/index.html"])
    kept = (stage / "a" / "index.html").stat().st_ino
    # b is written anew (a new file, as the site's writer does), c leaves the run, d joins it.
    (site / "b" / "index.html").unlink()
    (site / "b" / "index.html").write_text("b, edited", encoding="utf-8")
    (site / "d" / "index.html").parent.mkdir()
    (site / "d" / "index.html").write_text("d", encoding="utf-8")
    search._stage(site, stage, ["a/index.html", "b/index.html", "d/index.html"])
    assert (stage / "a" / "index.html").stat().st_ino == kept
    assert (stage / "b" / "index.html").read_text("utf-8") == "b, edited"
    assert sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()) == [
        "a/index.html",
        "b/index.html",
        "d/index.html",
    ]
    assert not (stage / "c").exists()
    for uri in ("a/index.html", "b/index.html", "d/index.html"):
        assert (stage / uri).stat().st_ino == (site / uri).stat().st_ino
    # a is written anew with the same bytes (the other folder of the two a build alternates
    # between): a link to a file known to hold them is kept, any other made again.
    (site / "a" / "index.html").unlink()
    (site / "a" / "index.html").write_text("a/index.html", encoding="utf-8")
    (site / "d" / "index.html").unlink()
    (site / "d" / "index.html").write_text("d", encoding="utf-8")
    asked: list[str] = []

    def same(uri: str, stat: tuple[int, int, int, int]) -> bool:
        asked.append(uri)
        return uri == "a/index.html"

    search._stage(site, stage, ["a/index.html", "b/index.html", "d/index.html"], same)
    assert sorted(asked) == ["a/index.html", "d/index.html"]
    assert (stage / "a" / "index.html").stat().st_ino == kept != (site / "a" / "index.html").stat().st_ino
    assert (stage / "d" / "index.html").stat().st_ino == (site / "d" / "index.html").stat().st_ino
