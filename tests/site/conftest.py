"""Fixtures of the site's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.site.test_build import MKDOCS_YML


@pytest.fixture
def project(mini: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small hand-made project, ready for ``maillage build`` (its mkdocs.yml, the docs)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1736899200")  # 2025-01-15: the same date for every build
    (mini / "mkdocs.yml").write_text(MKDOCS_YML.format(overrides=ROOT / "overrides"), encoding="utf-8")
    shutil.copytree(ROOT / "directory", mini / "directory")
    return mini
