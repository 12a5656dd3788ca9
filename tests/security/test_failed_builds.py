"""Nothing lost: a build that fails at any stage leaves the previous site exactly as it was."""

from __future__ import annotations

import errno
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import mkdocs.utils
import pytest
from click.testing import CliRunner

import generator.site.build
import generator.site.parallel
import generator.site.plugin
from generator.cli import main
from generator.site import output as site_output
from generator.site import providers
from generator.site.search import SearchIndexError

from .conftest import MINI, new_project

# Written against the command line's English words (the French ones: tests/test_cli_text.py).
pytestmark = pytest.mark.usefixtures("english")


def _fingerprint(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, dict[str, str]]]:
    base = tmp_path_factory.mktemp("failed-builds")
    project = new_project(base / "project", MINI / "data")
    out = base / "site"
    result = CliRunner().invoke(main, ["-C", str(project), "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    yield project, out, _fingerprint(out)


def _build_fails(project: Path, out: Path, before: dict[str, str], *extra: str) -> str:
    result = CliRunner().invoke(main, ["-C", str(project), "build", "--out", str(out), *extra])
    assert result.exit_code != 0, "the build was expected to fail"
    assert _fingerprint(out) == before, "a failed build changed the previous site"
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}-")]
    assert leftovers == [], f"temporary folders left behind: {leftovers}"
    return result.output


def test_fails_while_generating_pages(
    built: tuple[Path, Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, out, before = built

    def broken(ctx: object) -> list[object]:
        raise ValueError("a page generator failed")

    monkeypatch.setattr(providers, "PROVIDERS", [*providers.PROVIDERS, broken])
    monkeypatch.setattr(generator.site.plugin, "PROVIDERS", [*generator.site.plugin.PROVIDERS, broken])
    _build_fails(project, out, before)


def test_fails_in_mkdocs_configuration(built: tuple[Path, Path, dict[str, str]]) -> None:
    project, out, before = built
    config = project / "mkdocs.yml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original.replace("name: material", "name: no-such-theme"), encoding="utf-8")
    try:
        output = _build_fails(project, out, before)
        assert "Traceback" not in output
    finally:
        config.write_text(original, encoding="utf-8")


def test_fails_while_indexing_search(built: tuple[Path, Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    project, out, before = built

    def broken(site_dir: Path, *args: object, **kwargs: object) -> None:
        raise SearchIndexError("pagefind failed")

    monkeypatch.setattr(generator.site.plugin, "index_site", broken)  # one process
    monkeypatch.setattr(generator.site.parallel, "index_site", broken)  # after the forked build
    output = _build_fails(project, out, before)
    assert "pagefind failed" in output and "Traceback" not in output


def test_fails_while_swapping(built: tuple[Path, Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    project, out, before = built
    real_rename = Path.rename

    def rename(self: Path, target: Path) -> Path:  # the new site cannot take the old one's place
        if Path(target) == out and ".site-build-" in self.name:
            raise OSError("disk full")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    _build_fails(project, out, before)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_disk_is_said_in_one_line(
    built: tuple[Path, Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    project, out, before = built
    real_write = mkdocs.utils.write_file

    def write_file(content: bytes, path: str) -> None:  # the disk fills up while pages are written
        if path.endswith(os.path.join("about", "index.html")):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        real_write(content, path)

    def write_cached(path: str, content: bytes) -> None:  # pages from the cache of rendered pages
        write_file(content, path)

    monkeypatch.setattr(mkdocs.utils, "write_file", write_file)
    monkeypatch.setattr(site_output, "write_file", write_cached)
    output = _build_fails(project, out, before, "--jobs", jobs)
    assert re.fullmatch(
        r"maillage: build failed: no space left on device \(\S+/about/index\.html\); "
        r"the previous site is unchanged\n",
        output,
    ), output


def test_build_after_failures_succeeds(built: tuple[Path, Path, dict[str, str]]) -> None:
    project, out, before = built
    result = CliRunner().invoke(main, ["-C", str(project), "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    after = _fingerprint(out)

    # Pagefind (1.5) writes its filter and metadata indexes in an order that changes from
    # run to run (upstream issue Pagefind/pagefind#638: the fragments are stable, "other
    # files will still change"); everything else must be byte-identical.
    def stable(files: dict[str, str]) -> dict[str, str]:
        unstable = ("pagefind/filter/", "pagefind/pagefind-entry.json", "pagefind/pagefind.")
        return {k: v for k, v in files.items() if not k.startswith(unstable)}

    assert stable(after) == stable(before), "two builds of the same registry give the same bytes"
    assert sorted(k for k in after if k.startswith("pagefind/fragment/")) == sorted(
        k for k in before if k.startswith("pagefind/fragment/")
    )
