"""``maillage build --shard K/N`` then ``--merge``: the one-machine site, from several builds.

On the small hand-made project (104 pages in French and Dutch): three shards merged are the
one-machine ``maillage build`` file for file. Pagefind's own output is not deterministic:
indexing one site twice gives the same fragments and word index but other names (and
bytes) for its filter and meta files and ``pagefind-entry.json``; those are compared by
count, everything else byte for byte.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from generator.site.shards import MANIFEST, parse_shard, share_of
from tests.conftest import MINI, ROOT
from tests.site.test_build import MKDOCS_YML

EPOCH = "1736899200"  # 2025-01-15: dates in pages and sitemap as one build's
# Pagefind names these after a hash of contents it orders differently from one run to the next.
UNSTABLE = ("pagefind/filter/", "pagefind/pagefind-entry.json", "pagefind/pagefind.")


def _build(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", "-C", str(project), "build", "--jobs", "2", *args])


def _project(folder: Path) -> Path:
    shutil.copytree(MINI, folder)
    (folder / "mkdocs.yml").write_text(MKDOCS_YML.format(overrides=ROOT / "overrides"), encoding="utf-8")
    shutil.copytree(ROOT / "directory", folder / "directory")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The project, its one-machine site, its three shards and their merge."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        patch.setenv("LANG", "C.UTF-8")
        base = tmp_path_factory.mktemp("shards")
        project = _project(base / "mini")
        found = {"project": project, "one": base / "one", "merged": base / "merged"}
        result = _build(project, "--out", str(found["one"]))
        assert result.exit_code == 0, result.output
        for k in (1, 2, 3):
            found[f"s{k}"] = base / f"s{k}"
            result = _build(project, "--shard", f"{k}/3", "--out", str(found[f"s{k}"]))
            assert result.exit_code == 0, result.output
            assert f"shard {k}/3" in result.output
        result = _build(project, "--merge", *(str(found[f"s{k}"]) for k in (1, 2, 3)), "--out", str(found["merged"]))
        assert result.exit_code == 0, result.output
        yield found


def _files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


def test_merged_shards_are_the_one_machine_build(built: dict[str, Path]) -> None:
    one, merged = built["one"], built["merged"]
    names = _files(one)
    stable = [n for n in names if not n.startswith(UNSTABLE)]
    assert len(stable) > 200 and any(n.startswith("pagefind/fragment/") for n in stable)
    assert [n for n in _files(merged) if not n.startswith(UNSTABLE)] == stable
    different = [n for n in stable if (one / n).read_bytes() != (merged / n).read_bytes()]
    # openpyxl stamps the time into the import template (as in test_build's reproducibility test).
    assert [n for n in different if n != "downloads/modele-import.xlsx"] == []
    for prefix in UNSTABLE:  # Pagefind's unstable names: as many files, none missing
        assert len([n for n in names if n.startswith(prefix)]) == len(
            [n for n in _files(merged) if n.startswith(prefix)]
        ), prefix
    assert (
        json.loads((merged / ".maillage-site").read_text())["entries"]
        == json.loads((one / ".maillage-site").read_text())["entries"]
    )


def test_pagefind_is_the_unstable_part(built: dict[str, Path], tmp_path: Path) -> None:
    """Indexing the same pages twice: same fragments and word index, other filter names."""
    from generator.site.search import index_site

    copies = []
    for name in ("a", "b"):
        copy = tmp_path / name
        shutil.copytree(built["one"], copy, ignore=shutil.ignore_patterns("pagefind"))
        index_site(copy)
        copies.append(copy)
    a, b = (set(_files(c / "pagefind")) for c in copies)
    assert {n for n in a if n.startswith(("fragment/", "index/"))} == {
        n for n in b if n.startswith(("fragment/", "index/"))
    }
    for name in a & b:
        if name.startswith(("fragment/", "index/")):
            assert (copies[0] / "pagefind" / name).read_bytes() == (copies[1] / "pagefind" / name).read_bytes()


def test_each_shard_holds_its_pages_and_shard_1_the_rest(built: dict[str, Path]) -> None:
    pages = {n for n in _files(built["one"]) if n.endswith(".html") and n != "404.html"}
    seen: set[str] = set()
    for k in (1, 2, 3):
        shard = built[f"s{k}"]
        manifest = json.loads((shard / MANIFEST).read_text(encoding="utf-8"))
        assert (manifest["shard"], manifest["of"], manifest["pages"]) == (k, 3, 104)
        assert all(share_of(uri, 3) == k for _, uri in manifest["owned"])
        html = {n for n in _files(shard) if n.endswith(".html") and n != "404.html"}
        assert html and not html & seen
        seen |= html
        assert not (shard / "pagefind").exists()
        assert ((shard / "sitemap.xml").exists(), (shard / "downloads" / "services.csv").exists()) == (k == 1, k == 1)
    assert seen == pages
    assert min(len(json.loads((built[f"s{k}"] / MANIFEST).read_text())["owned"]) for k in (1, 2, 3)) > 20


def test_merge_refuses_shards_of_another_registry(built: dict[str, Path], tmp_path: Path) -> None:
    other = _project(tmp_path / "other")
    registry = next((other / "data" / "registry").glob("*.yaml"))
    registry.write_text(registry.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    result = _build(other, "--shard", "2/3", "--out", str(tmp_path / "s2"))
    assert result.exit_code == 0, result.output
    out = tmp_path / "site"
    shutil.copytree(built["merged"], out)
    before = (out / "index.html").read_bytes()
    result = _build(other, "--merge", str(built["s1"]), str(tmp_path / "s2"), str(built["s3"]), "--out", str(out))
    assert result.exit_code == 1
    assert "not built from the same registry, configuration and code" in result.output
    assert f"shard 2/3 ({tmp_path / 's2'})" in result.output
    assert "is unchanged" in result.output and (out / "index.html").read_bytes() == before


def test_merge_refuses_a_missing_shard_a_shard_twice_and_a_folder_that_is_none(
    built: dict[str, Path], tmp_path: Path
) -> None:
    s1, s2, s3, project = (str(built[k]) for k in ("s1", "s2", "s3", "project"))
    out = str(tmp_path / "site")
    result = _build(built["project"], "--merge", s1, s3, "--out", out)
    assert result.exit_code == 1 and "missing shard(s) 2/3" in result.output, result.output
    result = _build(built["project"], "--merge", s1, s2, s2, s3, "--out", out)
    assert result.exit_code == 1 and "shard 2/3 is given twice" in result.output, result.output
    result = _build(built["project"], "--merge", s1, s2, project, "--out", out)
    assert result.exit_code == 1 and f"{project} is not a shard" in result.output, result.output
    assert not (tmp_path / "site").exists()
    result = _build(built["project"], s1, s2, "--out", out)
    assert result.exit_code == 1 and "come after --merge" in result.output
    result = _build(built["project"], "--merge", "--out", out)
    assert result.exit_code == 1 and "give the shards' folders" in result.output


def test_merge_speaks_french_by_default(built: dict[str, Path], tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["-C", str(built["project"]), "build", "--merge", str(built["s1"]), "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 1 and "il manque la ou les parts 2/3, 3/3" in result.output, result.output


@pytest.mark.parametrize("value", ["0/3", "4/3", "2", "a/b", "1/0", "-1/2"])
def test_shard_must_be_k_of_n(value: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--lang", "en", "-C", str(ROOT), "build", "--shard", value, "--out", str(tmp_path)]
    )
    assert result.exit_code == 1 and "--shard takes K/N with 1 ≤ K ≤ N" in result.output, result.output


def test_shares_are_stable_and_even() -> None:
    """Not Python's salted hash(): every machine of a CI matrix agrees on a page's shard."""
    assert parse_shard("2/4").index == 2 and parse_shard(" 4/4 ").count == 4
    # blake2b of the source path: the same in every process and on every machine.
    assert (share_of("index.md", 4), share_of("services/a/index.md", 4)) == (3, 3)
    counts = [0] * 4
    for i in range(4000):
        counts[share_of(f"services/s{i}/index.md", 4) - 1] += 1
    assert min(counts) > 900


def test_the_merge_checks_anchor_links_as_mkdocs_does(caplog: pytest.LogCaptureFixture) -> None:
    """A link to a missing anchor of a page another shard rendered is reported in mkdocs' words."""
    import logging

    from generator.site.shards import _check_anchor_links

    manifests = [
        {"owned": [[0, "index.md"], [2, "about.md"]], "anchors": {"about.md": ["team"]}, "links": {}},
        {
            "owned": [[1, "services/a.md"]],
            "anchors": {},
            "links": {
                "services/a.md": {
                    "about.md": {"team": "../about.md#team", "gone": "../about.md#gone"},
                    "index.md": {"top": "../index.md#top"},  # index.md reported no anchor: not checked
                }
            },
        },
    ]
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        _check_anchor_links(manifests, logging.WARNING)
    assert [r.getMessage() for r in caplog.records] == [
        "Doc file 'services/a.md' contains a link '../about.md#gone', but the doc 'about.md' does not contain an"
        " anchor '#gone'."
    ]
