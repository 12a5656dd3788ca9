"""The one module that calls mkdocs' private functions refuses an mkdocs it was not written for."""

from __future__ import annotations

import tomllib
from pathlib import Path

import mkdocs
import pytest
from mkdocs.exceptions import PluginError
from packaging.requirements import Requirement

from generator.site import mkdocs_internals
from generator.site.mkdocs_internals import SUPPORTED, check_version

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_mkdocs_is_the_supported_one() -> None:
    check_version()
    check_version(mkdocs.__version__)


@pytest.mark.parametrize("version", ["1.5.3", "1.7.0", "2.0.0", "garbage"])
def test_another_mkdocs_is_refused_naming_both_versions(version: str) -> None:
    with pytest.raises(PluginError) as caught:
        check_version(version)
    message = str(caught.value)
    assert f"mkdocs {version} is installed" in message
    assert "mkdocs 1.6.x" in message


def test_pyproject_bounds_mkdocs_to_the_supported_series() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    (requirement,) = [Requirement(r) for r in project["dependencies"] if Requirement(r).name == "mkdocs"]
    major, minor = SUPPORTED
    assert requirement.specifier.contains(f"{major}.{minor}.0")
    assert requirement.specifier.contains(f"{major}.{minor}.99")
    assert not requirement.specifier.contains(f"{major}.{minor + 1}.0")
    assert not requirement.specifier.contains(f"{major}.{minor - 1}.99")


def test_no_other_module_calls_mkdocs_private_functions() -> None:
    package = ROOT / "generator"
    for path in package.rglob("*.py"):
        if path.name == "mkdocs_internals.py":
            continue
        text = path.read_text(encoding="utf-8")
        for private in (
            "_populate_page",
            "_build_page",
            "_build_theme_template",
            "_build_extra_template",
            "_epoch_cond",
        ):
            assert private not in text, (
                f"{path.relative_to(ROOT)} calls mkdocs' {private}: use {mkdocs_internals.__name__}"
            )


@pytest.mark.parametrize(
    "path",
    [
        "services/brusano/index.md",
        "downloads/hsds/maillage-hsds.zip",
        "./services/a.md",
        "services//a.md",
        "services/./a.md",
        "services/a/",
        "services/a/.",
        "services/../a.md",
        ".",
        "/abs/a.md",
        "nl/territoires/be-commune-21015/index.md",
        "a b/é.md",
    ],
)
def test_a_generated_file_s_path_is_normalised_as_mkdocs_does(path: str) -> None:
    """``GeneratedFile`` skips mkdocs' PurePath for plain URIs (site/files.py): the same result."""
    from mkdocs.structure.files import File

    from generator.site.files import GeneratedFile

    ours = GeneratedFile(path, src_dir=None, dest_dir="/site", use_directory_urls=True)
    theirs = File(path, src_dir=None, dest_dir="/site", use_directory_urls=True)
    assert (ours.src_uri, ours.src_path, ours.dest_uri) == (theirs.src_uri, theirs.src_path, theirs.dest_uri)
