"""Shared fixtures: the real project, the small hand-made registry, golden files."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
SHARED = ROOT.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="Rewrite golden files from the output.")


# Browser files whose own fixtures build a site once per worker (test_search.py's and
# test_search_cache.py's search site, the map's and the orientation's sites): handed out first
# among the browser files. (A scheduler handing out the other browser tests one by one was
# tried: 1,349 s for the whole suite in CI against 1,239 s without it, idle machine.)
_WHOLE_BROWSER_FILES = ("test_search.py", "test_search_cache.py", "test_map.py", "test_orient_page.py")
# Single browser tests of a minute or more (the relevance suite's 56 queries, every page at
# 375 px, every service page's share link, every link of the site...): started first among
# the browser tests, so that neither worker is left alone with one at the end.
_LONG_BROWSER_FILES = (
    "test_search_relevance.py",
    "test_reflow.py",
    "test_share.py",
    "test_links.py",
    "test_a11y_validity.py",
    "test_gaps_page.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The order in which ``pytest -n 2`` hands out the test files (pyproject.toml: ``--dist
    loadfile --no-loadscope-reorder``):

    1. the first file of tests that read the real site (``built_site``, made once for the
       run): while one worker builds the site, the other runs files that do not wait for it;
    2. the files that do not read it, each whole;
    3. the browser files whose own fixtures build a site (``_WHOLE_BROWSER_FILES``), each whole;
    4. the files of long single browser tests (``_LONG_BROWSER_FILES``), then the other files
       of the site: the run ends on short files, not on a minute-long test.
    """
    files: dict[Path, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.path, []).append(item)
    site, other = [], []
    for tests in files.values():
        (site if any("built_site" in getattr(t, "fixturenames", ()) for t in tests) else other).append(tests)
    rest = site[1:]

    def rank(tests: list[pytest.Item]) -> int:
        name = tests[0].path.name
        if name in _WHOLE_BROWSER_FILES:
            return 0
        return 1 if name in _LONG_BROWSER_FILES else 2

    rest.sort(key=rank)  # stable: the collection's order within each rank
    items[:] = [item for tests in [*site[:1], *other, *rest] for item in tests]


@pytest.fixture(autouse=True)
def _french_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line speaks the locale's language: the tests run under a French one."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line in English (``LANG=en_GB.UTF-8``), for tests written against its English words."""
    monkeypatch.setenv("LANG", "en_GB.UTF-8")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A copy of the small hand-made project, free to modify."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


def compare_golden(path: Path, actual: str, update: bool) -> None:
    """Assert ``actual`` equals the golden file (or rewrite it with --update-goldens)."""
    if update or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not update:
            pytest.fail(f"golden file {path.name} was missing and has been written; check it")
    assert actual == path.read_text(encoding="utf-8")


def built_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder ``name`` that ``make(folder)`` makes, once for the whole test run.

    Shared by pytest-xdist's workers: each has a base temporary folder of its own under the
    run's, and the first to arrive makes the folder under a file lock while the other waits
    (a session fixture alone is made once per worker). A ``make`` that fails is not taken
    for done: the next test that asks tries again, and fails with its own message.
    """
    base = factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder, done = shared / name, shared / f"{name}.done"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            make(folder)
            done.touch()
    return folder
