"""The package layout follows the data flow, and the import-linter contract in pyproject.toml
holds: registry < analysis | exchange < site < synth < cli. No module imports from a layer above
its own, not even inside a function."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on ``project``'s pyproject.toml, the package imported from ``project``."""
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )


def test_no_module_imports_from_a_layer_above() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_an_import_up_the_layers_breaks_the_contract(tmp_path: Path) -> None:
    # A copy of the package where the registry asks the site for something, inside a
    # function (the kind of import a lazy dodge would hide): the contract must see it.
    shutil.copytree(ROOT / "generator", tmp_path / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    dates = tmp_path / "generator" / "registry" / "dates.py"
    dates.write_text(dates.read_text() + "\n\ndef _up() -> None:\n    from ..site import markup  # noqa: F401\n")
    done = lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "generator.registry.dates -> generator.site.markup" in done.stdout


def test_the_old_plugin_path_still_names_the_plugin() -> None:
    # Existing mkdocs.yml files and installs name generator.plugin:MaillagePlugin.
    from generator.plugin import MaillagePlugin
    from generator.site.plugin import MaillagePlugin as moved

    assert MaillagePlugin is moved
