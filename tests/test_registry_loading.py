"""Loading the registry: what it refuses to read, and the ids it records.

Symbolic links under ``data/`` are refused before anything is read, with a message that
names the link and nothing of its target. An id names one organisation or one service,
so that ``Registry.files`` and ``Registry.lines`` (edit links, review messages) are right.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.registry.loader import check_registry, load_registry
from generator.registry.problems import RegistryError
from generator.registry.yamlsource import read_yaml
from generator.site.context import SiteConfig

from .conftest import MINI, ROOT

SECRET = "TOP-SECRET-CONTENT-0123456789"

# --- symbolic links -------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the project, holding what a link may point to."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "secret.txt").write_text(f"{SECRET}:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    # A valid organisation file: published if the link were followed.
    valid = (MINI / "data" / "registry" / "beta.yaml").read_text(encoding="utf-8")
    (folder / "gamma.yaml").write_text(valid.replace("id: beta", "id: gamma", 1).replace("beta-", "gamma-"))
    shutil.copytree(MINI / "data" / "registry", folder / "registry")
    shutil.copytree(MINI / "data" / "territories", folder / "territories")
    shutil.copytree(MINI / "data" / "vocabularies", folder / "vocabularies")
    shutil.copy(MINI / "data" / "sources.yaml", folder / "sources.yaml")
    shutil.copy(MINI / "data" / "programmes.yaml", folder / "programmes.yaml")
    return folder


def _replace_by_link(path: Path, target: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target)


# (the link, relative to the project; its target, relative to ``outside`` or absolute)
LINKS = {
    "to-etc-passwd": ("data/registry/passwd.yaml", "/etc/passwd"),
    "to-a-secret": ("data/registry/secret.yaml", "secret.txt"),
    "to-a-valid-registry-file": ("data/registry/gamma.yaml", "gamma.yaml"),
    "in-a-sub-folder": ("data/registry/sub/gamma.yaml", "gamma.yaml"),
    "dangling": ("data/registry/gone.yaml", "no-such-file.yaml"),
    "registry-folder": ("data/registry", "registry"),
    "sub-folder": ("data/registry/more", "registry"),
    "territory-file": ("data/territories/mini.csv", "territories/mini.csv"),
    "territories-folder": ("data/territories", "territories"),
    "vocabulary-file": ("data/vocabularies/needs.yaml", "vocabularies/needs.yaml"),
    "sources": ("data/sources.yaml", "sources.yaml"),
    "programmes": ("data/programmes.yaml", "programmes.yaml"),
    "data-folder": ("data", "."),
    "geocache": ("data/geocache.csv", "secret.txt"),
}


@pytest.mark.parametrize("case", sorted(LINKS))
def test_symbolic_links_are_refused_and_nothing_of_the_target_is_shown(case: str, mini: Path, outside: Path) -> None:
    link, target = LINKS[case]
    if case == "data-folder":
        shutil.copytree(mini / "data", outside / "data")
        target = str(outside / "data")
    path = mini / link
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace_by_link(path, outside / target)
    for fmt in ("text", "github", "json"):
        result = CliRunner().invoke(main, ["-C", str(mini), "check", "--format", fmt])
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit), "never a traceback"
        out = result.output
        if fmt == "text":
            first = out.splitlines()[0]
            assert first.startswith(f"{link}:1:1: est un lien symbolique : ") and first.endswith(" [symlink]"), out
        if fmt == "github":
            assert out.startswith(f"::error file={link},line=1,col=1::est un lien symbolique"), out
        # Nothing of the target: neither its content nor its path.
        assert SECRET not in out and "root:" not in out
        assert str(outside) not in out and "elsewhere" not in out and "/etc" not in out
    with pytest.raises(RegistryError, match=r"\[symlink\]"):
        load_registry(mini)


def test_a_link_inside_the_project_is_refused_too(mini: Path) -> None:
    """Simplest and safest: every link, not only those leading out (see ``symbolic_links``)."""
    (mini / "kept").mkdir()
    shutil.move(mini / "data" / "registry" / "beta.yaml", mini / "kept" / "beta.yaml")
    (mini / "data" / "registry" / "beta.yaml").symlink_to(Path("..") / ".." / "kept" / "beta.yaml")
    registry, problems = check_registry(mini)
    assert registry is None
    assert [str(p) for p in problems] == [
        "data/registry/beta.yaml:1:1: est un lien symbolique : data/ doit contenir les fichiers eux-mêmes, "
        "et un lien peut mener hors du projet ; remplacez-le par une copie du fichier ou du dossier [symlink]"
    ]


def test_a_link_loop_is_refused_without_reading_it(mini: Path) -> None:
    loop = mini / "data" / "registry" / "loop.yaml"
    loop.symlink_to(loop.name)
    (mini / "data" / "registry" / "deep").symlink_to(".")
    _, problems = check_registry(mini)
    assert [(p.path, p.code) for p in problems] == [
        ("data/registry/deep", "symlink"),
        ("data/registry/loop.yaml", "symlink"),
    ]


def test_serve_fingerprints_the_links_themselves(mini: Path) -> None:
    """``serve`` stats data/ before loading: a dangling link must reach the loader, not raise."""
    from mkdocs.config import load_config

    from generator.site.serve_patch import settings as _settings

    from .site.test_build import MKDOCS_YML

    (mini / "mkdocs.yml").write_text(MKDOCS_YML.format(overrides=ROOT / "overrides"), encoding="utf-8")
    shutil.copytree(ROOT / "directory", mini / "directory")
    (mini / "data" / "territories" / "gone.csv").symlink_to(mini / "no-such-file.csv")
    config = load_config(str(mini / "mkdocs.yml"))
    assert "gone.csv" in _settings(mini, config, SiteConfig())


# --- one id names one organisation or one service ----------------------------------------

COLLISION = """\
id: gamma
name: Gamma
services:
  - id: gamma-service
    name: Un service
    needs: [mental-health]
    functions: [case-management]
    objective: Un objectif.
    public:
      area: [be-region-04000]
    sources: [fixture-source]
    verified: 2024-01-17
  - id: beta
    name: Le service qui porte le nom d'une organisation
    needs: [mental-health]
    functions: [case-management]
    objective: Un objectif.
    public:
      area: [be-region-04000]
    sources: [fixture-source]
    verified: 2024-01-17
"""


def test_a_service_with_an_organisations_id_is_refused(mini: Path) -> None:
    (mini / "data" / "registry" / "gamma.yaml").write_text(COLLISION, encoding="utf-8")
    result = CliRunner().invoke(main, ["-C", str(mini), "check"])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[0] == (
        "data/registry/gamma.yaml:13:9: services[1].id: l'identifiant de service « beta » est déjà celui d'une "
        "organisation (dans data/registry/beta.yaml) ; un identifiant désigne une seule organisation ou un seul "
        "service [duplicate-id]"
    )
    registry, _ = check_registry(mini)
    assert registry is None, "the organisation 'beta' would be recorded in gamma.yaml"


def test_the_other_way_round_too(mini: Path) -> None:
    """An organisation named like a service elsewhere: the service is the one refused, positioned."""
    text = (MINI / "data" / "registry" / "beta.yaml").read_text(encoding="utf-8")
    (mini / "data" / "registry" / "beta.yaml").write_text(text.replace("id: beta\n", "id: alpha-adults\n", 1))
    _, problems = check_registry(mini)
    assert [(p.path, p.field, p.code) for p in problems if p.severity == "error"] == [
        ("data/registry/alpha.yaml", "services[0].id", "duplicate-id")
    ]


@pytest.mark.parametrize("root", [MINI, ROOT], ids=["mini", "shipped"])
def test_every_id_is_recorded_in_its_own_file_and_line(root: Path) -> None:
    """``files`` and ``lines`` (edit links, review messages) point at the item's own ``id:``."""
    registry = load_registry(root)
    # (id, where its mapping is, where its line is: an organisation's ``id:``, a service's ``- ``)
    items: list[tuple[str, tuple[str | int, ...], tuple[str | int, ...]]] = []
    for organisation in registry.organisations.values():
        items.append((organisation.id, (), ("id",)))
        items += [(s.id, ("services", i), ("services", i)) for i, s in enumerate(organisation.services)]
    assert sorted(i for i, _, _ in items) == sorted(registry.files) == sorted(registry.lines)
    for item, loc, line_loc in items:
        document = read_yaml(root / registry.files[item], registry.files[item])
        data = document.data
        for part in loc:
            data = data[part]
        assert data["id"] == item
        assert registry.lines[item] == document.positions.find(line_loc)[0]


def test_a_file_name_cannot_start_a_workflow_command(mini: Path) -> None:
    """A name is written by the pull request's author: ``--format github`` escapes it whole."""
    name = "x%0A\r\n::error file=README.md,line=1::forged.yaml"
    (mini / "data" / "registry" / name).write_text("id: [\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-C", str(mini), "check", "--format", "github"])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("::error file=data/registry/x%250A%0D%0A%3A%3Aerror file=README.md%2Cline=1%3A%3A")
