"""Projects built for the security tests: the real registry with planted markers, and a
registry whose every text is an injection payload."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from ..conftest import MINI, ROOT

SITE_PARTS = ("mkdocs.yml", "directory", "overrides")


def new_project(target: Path, data: Path) -> Path:
    """A project folder with the site configuration of this repository and ``data``."""
    target.mkdir(parents=True)
    for part in SITE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        elif source.exists():
            shutil.copy(source, target / part)
    shutil.copytree(data, target / "data")
    return target


def build(project: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "-C", str(project), "build", "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=900,
    )


def rewrite_registry(project: Path, change: object) -> None:
    """Apply ``change(organisation_dict, index)`` to every registry file of ``project``."""
    files = sorted((project / "data" / "registry").rglob("*.yaml"))
    for index, file in enumerate(files):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        change(data, index)  # type: ignore[operator]
        file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


__all__ = ["MINI", "ROOT", "build", "new_project", "rewrite_registry"]
