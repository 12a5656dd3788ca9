"""End to end: the mkdocs plugin and ``maillage build`` on the small hand-made project."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.site.build import atomic_build
from generator.site.commands import BuildError, build_site
from generator.site.orient_page import orient_page
from tests.conftest import MINI, ROOT

MKDOCS_YML = """\
site_name: Mini
site_url: https://annuaire.example.org/
docs_dir: directory
use_directory_urls: true
theme:
  name: material
  custom_dir: {overrides}
  language: fr
  font: false
  features: [content.action.edit]
plugins:
  - maillage:
      languages: [fr, nl]
      repo_edit_base: https://example.org/mini/edit/main
markdown_extensions: [attr_list, md_in_html, admonition, tables, {{toc: {{permalink: true}}}}]
nav:
  - Accueil: index.md
  - Services: services/index.md
  - Carte: map/index.md
  - Contribuer: contribute.md
validation:
  nav:
    omitted_files: ignore
"""


@pytest.fixture
def project(mini: Path) -> Path:
    (mini / "mkdocs.yml").write_text(MKDOCS_YML.format(overrides=ROOT / "overrides"), encoding="utf-8")
    shutil.copytree(ROOT / "directory", mini / "directory")
    return mini


class StrictBuilds(NamedTuple):
    """The unchanged small project built strictly three times, dated alike, by
    ``build_site``: ``usual`` with the default processes, ``parallel`` by two processes with
    every generated asset waiting on disk, ``single`` by mkdocs' own single process; and
    its docs folder's names before and after."""

    usual: Path
    parallel: Path
    single: Path
    docs_before: list[str]
    docs_after: list[str]


@pytest.fixture(scope="module")
def strict_builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StrictBuilds]:
    """Built once for the tests that read the site of an unchanged project (each build of
    the small project takes seconds; these tests compare them, none changes them)."""
    base = tmp_path_factory.mktemp("strict")
    project = base / "mini"
    shutil.copytree(MINI, project)
    (project / "mkdocs.yml").write_text(MKDOCS_YML.format(overrides=ROOT / "overrides"), encoding="utf-8")
    shutil.copytree(ROOT / "directory", project / "directory")
    config = project / "mkdocs.yml"
    before = sorted(p.name for p in (project / "directory").iterdir())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1736899200")  # 2025-01-15
        build_site(config, base / "usual", strict=True)
        build_site(config, base / "single", strict=True, jobs=1)
        # Every generated asset waits on disk in the parallel build (large ones only, normally).
        patch.setattr("generator.site.files.SPOOL_BYTES", 1)
        build_site(config, base / "parallel", strict=True, jobs=2)
    after = sorted(p.name for p in (project / "directory").iterdir())
    yield StrictBuilds(base / "usual", base / "parallel", base / "single", before, after)


def test_plugin_builds_every_page_strictly(strict_builds: StrictBuilds) -> None:
    site = strict_builds.usual
    # Nothing generated is written into the docs folder.
    assert strict_builds.docs_after == strict_builds.docs_before
    for path in (
        "index.html",
        "services/alpha-adults/index.html",
        "nl/services/alpha-adults/index.html",
        "organisations/alpha/index.html",
        "territories/be-commune-21015/index.html",
        "needs/mental-health/index.html",
        "functions/housing-first/index.html",
        "downloads/services.csv",
        "downloads/maillage.json",
        "sitemap.xml",
    ):
        assert (site / path).is_file(), path
    page = (site / "services/alpha-adults/index.html").read_text(encoding="utf-8")
    # The edit link points at the YAML file; the public site has no professional contact.
    assert 'href="https://example.org/mini/edit/main/data/registry/alpha.yaml"' in page
    assert "pro-only@alpha.example.org" not in page
    assert "pro-only@alpha.example.org" not in (site / "downloads/contacts.csv").read_text(encoding="utf-8")
    dutch = (site / "nl/services/alpha-adults/index.html").read_text(encoding="utf-8")
    assert '<html lang="nl"' in dutch and "Begeleiding volwassenen" in dutch
    # The language switch leads to the same page in the other language.
    assert re.search(r'href="\.\./\.\./\.\./services/alpha-adults/" hreflang="fr"', dutch)
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://annuaire.example.org/services/alpha-adults/</loc>" in sitemap
    assert "<loc>https://annuaire.example.org/nl/territories/be-commune-21015/</loc>" in sitemap
    # Navigation: the map entry is dropped when no page makes it; services pages stay out of it.
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Contribuer" in home and "alpha-adults" not in home.split('class="md-content"')[0]


def test_professional_build_marks_every_page(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(project / "mkdocs.yml", site, "professional")
    for path in ("index.html", "services/alpha-adults/index.html", "contribute/index.html"):
        assert "Version professionnelle" in (site / path).read_text(encoding="utf-8"), path
    assert "mailto:pro-only@alpha.example.org" in (site / "services/alpha-adults/index.html").read_text(
        encoding="utf-8"
    )


def test_registry_error_is_one_plugin_error_with_positions(project: Path, tmp_path: Path) -> None:
    alpha = project / "data" / "registry" / "alpha.yaml"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("verified: 2024-01-17", "verifed: 2024-01-17", 1))
    with pytest.raises(BuildError) as caught:
        build_site(project / "mkdocs.yml", tmp_path / "site")
    message = str(caught.value)
    # The site speaks French, and so do the problems it reports.
    assert re.search(r"data/registry/alpha\.yaml:\d+:\d+: .*clé inconnue « verifed ».*\[unknown-key\]", message)
    assert re.search(r"data/registry/alpha\.yaml:\d+:\d+: .*« verified » est obligatoire \[missing\]", message)
    assert "Traceback" not in message


def test_failed_build_leaves_the_previous_site(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    runner = CliRunner()
    first = runner.invoke(main, ["-C", str(project), "build", "--out", str(out)])
    assert first.exit_code == 0, first.output
    index = (out / "index.html").read_bytes()
    assert (out / "pagefind").is_dir()
    alpha = project / "data" / "registry" / "alpha.yaml"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("area: [be-region-04000]", "area: [be-region-99]"))
    second = runner.invoke(main, ["-C", str(project), "build", "--out", str(out)])
    assert second.exit_code == 1
    assert "maillage : le registre a 1 problème(s) :" in second.output  # the command's language, all of it
    assert "territoire inconnu « be-region-99 »" in second.output and "the registry" not in second.output
    english = runner.invoke(main, ["-C", str(project), "--lang", "en", "build", "--out", str(out)])
    assert english.exit_code == 1
    assert "maillage: the registry has 1 problem(s):" in english.output
    assert "unknown territory 'be-region-99'" in english.output
    assert "Traceback" not in second.output
    assert (out / "index.html").read_bytes() == index
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini", "public"]  # no temporary leftovers


def test_atomic_build_swaps_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "site"
    atomic_build(out, [lambda d: (d / "a.txt").write_text("1")])
    assert (out / "a.txt").read_text() == "1"

    def broken(folder: Path) -> None:
        (folder / "a.txt").write_text("2")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        atomic_build(out, [broken])
    assert (out / "a.txt").read_text() == "1"
    atomic_build(out, [lambda d: (d / "b.txt").write_text("3")])
    assert sorted(p.name for p in out.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_atomic_build_writes_over_the_spare_and_keeps_the_site_it_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.site.build import holds_earlier_site

    out, spare = tmp_path / "site", tmp_path / "cache" / "previous-site"
    seen: list[tuple[bool, list[str]]] = []

    def step(text: str) -> Any:
        def write(folder: Path) -> None:
            seen.append((holds_earlier_site(folder), sorted(p.name for p in folder.iterdir())))
            (folder / "a.txt").write_text(text)

        return write

    atomic_build(out, [step("1")], spare)
    atomic_build(out, [step("2")], spare)
    assert (spare / "a.txt").read_text() == "1"  # the site replaced, kept
    atomic_build(out, [step("3")], spare)
    assert seen == [(False, []), (False, []), (True, ["a.txt"])]  # the third got the first's folder
    assert (out / "a.txt").read_text() == "3" and (spare / "a.txt").read_text() == "2"

    def broken(folder: Path) -> None:
        (folder / "a.txt").write_text("half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        atomic_build(out, [broken], spare)
    assert (out / "a.txt").read_text() == "3"
    assert spare.is_dir()  # given back, to be written over next time
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "site"]

    # On another file system (no rename between the cache and the site's folder): a fresh
    # folder, and the site replaced removed, as without a spare.
    rename = Path.rename

    def across(self: Path, target: Any) -> Any:
        if "cache" in str(self) or "cache" in str(target):
            raise OSError(18, "Invalid cross-device link")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", across)
    shutil.rmtree(spare)
    atomic_build(out, [step("4")], spare)
    atomic_build(out, [step("5")], spare)
    assert seen[-2:] == [(False, []), (False, [])]
    assert (out / "a.txt").read_text() == "5" and not spare.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "site"]


def test_a_spare_is_written_through_its_own_folders_only(tmp_path: Path) -> None:
    """A link left in the spare (someone's, in the site it was) never sends a file elsewhere."""
    from generator.site import output

    out, spare, elsewhere = tmp_path / "site", tmp_path / "cache" / "previous-site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("someone's")
    (spare / "b").mkdir(parents=True)
    (spare / "a").symlink_to(elsewhere, target_is_directory=True)
    (spare / "b" / "page.html").symlink_to(elsewhere / "keep.txt")
    os.mkfifo(spare / "b" / "pipe")

    def write(folder: Path) -> None:
        output.reuse(True)
        try:
            output.write_file(str(folder / "a" / "keep.txt"), b"site")
            output.write_file(str(folder / "b" / "page.html"), b"someone's")
        finally:
            output.reuse(False)

    atomic_build(out, [write], spare)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]
    assert (elsewhere / "keep.txt").read_text() == "someone's"
    assert not (out / "a").is_symlink() and (out / "a" / "keep.txt").read_text() == "site"
    assert not (out / "b" / "page.html").is_symlink() and (out / "b" / "page.html").read_text() == "someone's"
    assert sorted(p.name for p in (out / "b").iterdir()) == ["page.html"]


def _files(site: Path) -> list[str]:
    # Pagefind names its index fragments differently from one run to the next: the pages,
    # downloads and assets are what must not change.
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and "pagefind" not in p.parts)


def test_builds_are_reproducible(strict_builds: StrictBuilds) -> None:
    """Two builds of one project write the same files (the one with the default processes,
    the CPUs; the other with two, spooling every asset to disk: a way to hold them, not a
    change of them)."""
    first, second = strict_builds.usual, strict_builds.parallel
    names = _files(first)
    assert names == _files(second)
    different = [n for n in names if (first / n).read_bytes() != (second / n).read_bytes()]
    # The import template is written by openpyxl, which stamps the time into the workbook
    # (generator/exchange/spreadsheet.py, not the site's pages): reported, not hidden elsewhere.
    assert [n for n in different if n != "downloads/modele-import.xlsx"] == []


def test_parallel_build_writes_what_mkdocs_writes(strict_builds: StrictBuilds) -> None:
    """Pages rendered by two processes are byte for byte mkdocs' own single-process build."""
    single, parallel = strict_builds.single, strict_builds.parallel
    names = _files(single)
    assert len(names) > 100 and names == _files(parallel)
    different = [n for n in names if (single / n).read_bytes() != (parallel / n).read_bytes()]
    assert [n for n in different if n != "downloads/modele-import.xlsx"] == []
    assert not list(parallel.parent.glob(".maillage-spool-*"))  # the spool is removed
    # The translated menu's titles come from pages another process rendered (a page whose
    # Markdown was freed too early showed "None" in the menu).
    menus = [p for p in parallel.rglob("*.html") if "\n    None\n" in p.read_text(encoding="utf-8")]
    assert menus == []


def test_parallel_build_counts_a_worker_warning_in_strict_mode(project: Path, tmp_path: Path) -> None:
    """A broken link on a page another process renders still fails ``--strict``, with its message."""
    (project / "directory" / "about.md").write_text("# À propos\n\n[perdu](nulle-part.md)\n", encoding="utf-8")
    with pytest.raises(BuildError, match="strict mode"):
        build_site(project / "mkdocs.yml", tmp_path / "site", strict=True, jobs=2)
    build_site(project / "mkdocs.yml", tmp_path / "lenient", strict=False, jobs=2)
    assert (tmp_path / "lenient" / "about" / "index.html").is_file()


def test_jobs_must_be_a_number(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILLAGE_JOBS", "deux")
    with pytest.raises(BuildError, match="MAILLAGE_JOBS must be a whole number"):
        build_site(project / "mkdocs.yml", tmp_path / "site")


def test_a_generating_process_that_dies_fails_the_build_with_a_message(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed (out of memory, say) while it generates pages: the build stops and says so."""
    from generator.site.providers import PROVIDERS

    def killed(ctx: Any) -> Any:
        os._exit(9)

    killed.__name__ = "orient_page"
    monkeypatch.setattr("generator.site.plugin.PROVIDERS", [killed if p is orient_page else p for p in PROVIDERS])
    with pytest.raises(BuildError, match="the process generating orient_page stopped unexpectedly"):
        build_site(project / "mkdocs.yml", tmp_path / "site", jobs=2)
    assert not (tmp_path / "site").exists() or not any((tmp_path / "site").rglob("*.html"))
