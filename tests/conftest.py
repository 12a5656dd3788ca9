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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The first file of tests that read the real site (``built_site``, made once for the
    run), then the files that do not, then the other files that do; each file's tests in
    their order.

    ``pytest -n 2`` gives whole files to the workers in this order (pyproject.toml: ``--dist
    loadfile --no-loadscope-reorder``): while one worker builds the real site, the other
    runs files that do not wait for it (with the site's files in turn with the others, it
    still waited for the build on its second file: 94 s at load 12).
    """
    files: dict[Path, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.path, []).append(item)
    site, other = [], []
    for tests in files.values():
        (site if any("built_site" in getattr(t, "fixturenames", ()) for t in tests) else other).append(tests)
    items[:] = [item for tests in [*site[:1], *other, *site[1:]] for item in tests]


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
