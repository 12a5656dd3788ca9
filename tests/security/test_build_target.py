"""Nothing lost by choosing the wrong folder: ``maillage build`` replaces its target whole, so
it refuses any target that is not a site it made (issue 20, item 1), and a killed build's
temporary folders are removed by the next one (item 15)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from generator.cli import main
from generator.site.build import SITE_MARKER, TargetError, atomic_build, check_target, read_marker

from .conftest import MINI, new_project

# Written against the command line's English words (the French ones: tests/test_cli_text.py).
pytestmark = pytest.mark.usefixtures("english")


def _listing(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` (links not followed) with its size: what must not change."""
    return {
        str(p.relative_to(folder)): p.lstat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("target")
    project = new_project(base / "project", MINI / "data")
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (project / "generator").mkdir()
    (project / "generator" / "__init__.py").write_text("")
    return project


def _build(project: Path, out: str, cwd: Path) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["-C", str(project), "build", "--jobs", "1", "--out", out])
    finally:
        os.chdir(old)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("out", "code"),
    [
        (".", "target-holds-project"),
        ("..", "target-holds-project"),
        ("/", "target-holds-project"),
        ("data", "target-in-project-sources"),
        ("data/registry", "target-in-project-sources"),
        ("data/new-site", "target-in-project-sources"),
        ("directory", "target-in-project-sources"),
        ("directory/site", "target-in-project-sources"),
        ("overrides", "target-in-project-sources"),
        (".git", "target-in-project-sources"),
        ("generator", "target-in-project-sources"),
    ],
)
def test_refuses_the_project_and_its_sources(project: Path, out: str, code: str) -> None:
    before = _listing(project)
    status, output = _build(project, out, cwd=project)
    assert status == 1, output
    assert output.startswith(f"maillage build: {out}: ") and output.rstrip().endswith(f"[{code}]"), output
    assert _listing(project) == before, "a refused build changed the project"
    assert not list(project.parent.glob(".*-build-*")) and not list(project.glob(".*-build-*"))


def test_refuses_a_link_to_the_project(project: Path, tmp_path: Path) -> None:
    (tmp_path / "site").symlink_to(project)
    (tmp_path / "data-link").symlink_to(project / "data")
    before = _listing(project)
    for link in ("site", "data-link"):
        status, output = _build(project, str(tmp_path / link), cwd=tmp_path)
        assert status == 1 and "[target-" in output, output
    assert _listing(project) == before


def test_refuses_a_folder_it_did_not_make(project: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "notes.txt").write_text("mine")
    status, output = _build(project, str(home), cwd=tmp_path)
    assert status == 1
    assert "Documents, notes.txt would be deleted" in output and output.rstrip().endswith("[target-not-a-site]")
    assert sorted(p.name for p in home.iterdir()) == ["Documents", "notes.txt"]


def test_a_site_is_replaced_and_marked_then_refused_once_someone_adds_to_it(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()  # an empty folder is fine
    status, output = _build(project, str(out), cwd=tmp_path)
    assert status == 0, output
    written = read_marker(out)
    assert written is not None and {"index.html", "sitemap.xml", "pagefind"} <= written
    assert SITE_MARKER not in written
    status, output = _build(project, str(out), cwd=tmp_path)  # its own site: replaced
    assert status == 0, output
    (out / ".git").mkdir()  # a deployment's repository, say: the swap would delete it
    status, output = _build(project, str(out), cwd=tmp_path)
    assert status == 1 and "(.git would be deleted)" in output, output
    assert (out / ".git").is_dir()


def test_a_build_after_a_serve_or_a_merge_in_the_same_process_is_whole(project: Path, tmp_path: Path) -> None:
    """mkdocs keeps the maillage plugin object across the builds of one process (it has
    ``on_startup``). A ``serve`` leaves its memory in it and a merge its ``index_later``;
    a plain build after them in the same process (a test worker) skipped its search index
    and its marker, and the next build refused the site. Each build now starts as mkdocs'
    own ``build`` command does."""
    from generator.site.incremental import ServeMemory

    plugin = load_config(str(project / "mkdocs.yml")).plugins["maillage"]
    assert plugin is load_config(str(project / "mkdocs.yml")).plugins["maillage"]  # the same object
    plugin.memory = ServeMemory()  # type: ignore[attr-defined]
    plugin.index_later = True  # type: ignore[attr-defined]
    out = tmp_path / "public"
    status, output = _build(project, str(out), cwd=tmp_path)
    assert status == 0, output
    written = read_marker(out)
    assert written is not None and {"index.html", "pagefind"} <= written
    assert (out / "pagefind" / "pagefind-entry.json").is_file()
    status, output = _build(project, str(out), cwd=tmp_path)  # its own site: replaced
    assert status == 0, output


def test_a_site_built_in_the_project_before_the_marker_is_accepted(project: Path, tmp_path: Path) -> None:
    legacy = project / "site"
    (legacy / "assets").mkdir(parents=True)
    (legacy / "index.html").write_text("<!doctype html><title>old</title>")
    (legacy / "sitemap.xml").write_text(
        '<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>'
    )
    assert check_target(legacy, project) == legacy.resolve()
    # The same outside the project is someone's folder: refused.
    outside = tmp_path / "site"
    outside.mkdir()
    for name in ("index.html", "sitemap.xml"):
        (outside / name).write_bytes((legacy / name).read_bytes())
    with pytest.raises(TargetError, match=r"target-not-a-site"):
        check_target(outside, project)
    with pytest.raises(TargetError, match=r"target-not-a-folder"):
        check_target(outside / "index.html", project)
    # Without a sitemap (not a mkdocs site) it is refused in the project as well.
    (legacy / "sitemap.xml").unlink()
    with pytest.raises(TargetError, match=r"target-not-a-site"):
        check_target(legacy, project)
    (legacy / "index.html").unlink()
    (legacy / "assets").rmdir()
    legacy.rmdir()


def test_plain_mkdocs_build_refuses_a_site_dir_in_the_sources(project: Path) -> None:
    before = _listing(project)
    config = project / "mkdocs.yml"
    original = config.read_text(encoding="utf-8")
    try:
        for site_dir in ("data", "overrides", "/"):
            config.write_text(original.replace("site_dir: site", f"site_dir: {site_dir}"), encoding="utf-8")
            with pytest.raises(Abort):
                mkdocs_build(load_config(str(config)))
            after = _listing(project)
            after["mkdocs.yml"] = before["mkdocs.yml"]
            assert after == before, f"site_dir: {site_dir} changed the project"
    finally:
        config.write_text(original, encoding="utf-8")


def test_plain_mkdocs_build_refuses_site_dir_dot(project: Path, tmp_path: Path) -> None:
    # mkdocs itself refuses a site_dir holding the docs folder; with the docs elsewhere it
    # would empty the project: the plugin refuses it.
    docs = tmp_path / "docs"
    shutil.copytree(project / "directory", docs)
    config = project / "mkdocs.yml"
    original = config.read_text(encoding="utf-8")
    before = _listing(project)
    try:
        hostile = original.replace("site_dir: site", "site_dir: .").replace("docs_dir: directory", f"docs_dir: {docs}")
        config.write_text(hostile, encoding="utf-8")
        with pytest.raises(Abort):
            mkdocs_build(load_config(str(config)))
    finally:
        config.write_text(original, encoding="utf-8")
    assert _listing(project) == before


@pytest.fixture
def gone_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.fixture
def running_pid() -> Iterator[int]:
    process = subprocess.Popen(["sleep", "60"])
    yield process.pid
    process.kill()
    process.wait()


def test_a_killed_builds_folders_are_removed_by_the_next_build(tmp_path: Path, gone_pid: int, running_pid: int) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("old")
    stale = [
        tmp_path / f".site-build-{gone_pid}-abc",
        tmp_path / f".site-old-{gone_pid}-def",
        tmp_path / f".maillage-spool-{gone_pid}-x",
    ]
    running = [tmp_path / f".site-build-{running_pid}-abc", tmp_path / f".maillage-spool-{running_pid}-y"]
    others = [tmp_path / ".site-build-nopid", tmp_path / f".other-build-{gone_pid}-abc", tmp_path / "notes"]
    for folder in stale + running + others:
        folder.mkdir()
        (folder / "page.html").write_text("x")
    atomic_build(out, [lambda d: (d / "index.html").write_text("new")])
    assert (out / "index.html").read_text() == "new"
    assert not any(folder.exists() for folder in stale), "a killed build's folders are removed"
    assert all(folder.exists() for folder in running + others), "a running build's folders and others' are kept"


def test_a_build_killed_between_the_renames_gets_its_previous_site_back(tmp_path: Path, gone_pid: int) -> None:
    previous = tmp_path / f".site-old-{gone_pid}-abc"
    previous.mkdir()
    (previous / "index.html").write_text("previous")

    def fails(folder: Path) -> None:
        raise RuntimeError("the new build fails")

    with pytest.raises(RuntimeError):
        atomic_build(tmp_path / "site", [fails])
    assert (tmp_path / "site" / "index.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
