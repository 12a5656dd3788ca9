"""The site's writer (generator/site/output.py): what mkdocs' ``write_file`` does, with fewer calls."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from generator.site import output


def test_files_land_in_new_nested_folders_with_their_bytes(tmp_path: Path) -> None:
    for n in range(3):
        output.write_file(str(tmp_path / "site" / "services" / f"s{n}" / "index.html"), f"page {n}".encode())
    output.write_file(str(tmp_path / "site" / "services" / "s1" / "index.html"), b"replaced")
    assert (tmp_path / "site/services/s0/index.html").read_bytes() == b"page 0"
    assert (tmp_path / "site/services/s1/index.html").read_bytes() == b"replaced"
    assert sorted(p.name for p in (tmp_path / "site/services").iterdir()) == ["s0", "s1", "s2"]


def test_a_folder_removed_since_it_was_remembered_is_made_again(tmp_path: Path) -> None:
    """A second build in the same process (serve, the tests) writes into a folder the first
    one made, then removed: the shortcut must not make the write fail."""
    page = tmp_path / "site" / "territories" / "fr-dep-75" / "index.html"
    output.write_file(str(page), b"first build")
    shutil.rmtree(tmp_path / "site")
    output.write_file(str(page), b"second build")
    assert page.read_bytes() == b"second build"
    shutil.rmtree(tmp_path / "site")
    output.write_file(str(page.with_name("communes.html")), b"a sibling after the removal")
    assert page.with_name("communes.html").read_bytes() == b"a sibling after the removal"


def test_writing_over_a_linked_file_leaves_the_other_name_alone(tmp_path: Path) -> None:
    """A site's file may be a hard link (a spooled download): writing that path again (a
    ``serve`` rebuild) replaces it by a new file, and never changes the other name."""
    other = tmp_path / "spool" / "data.json"
    other.parent.mkdir()
    other.write_bytes(b"the spool's")
    linked = tmp_path / "site" / "data.json"
    output.link_or_copy(str(other), str(linked))
    output.write_file(str(linked), b"new content")
    assert linked.read_bytes() == b"new content"
    assert other.read_bytes() == b"the spool's"


def test_a_large_file_is_written_whole(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    output.write_file(str(tmp_path / "downloads" / "hsds.zip"), data)
    assert (tmp_path / "downloads" / "hsds.zip").read_bytes() == data


def test_a_spooled_file_becomes_the_sites_by_a_link_and_outlives_its_spool(tmp_path: Path) -> None:
    spool = tmp_path / "spool" / "downloads" / "maillage.json.zip"
    spool.parent.mkdir(parents=True)
    spool.write_bytes(b"zip bytes")
    target = tmp_path / "site" / "downloads" / "maillage.json.zip"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"an older file in the way")
    output.link_or_copy(str(spool), str(target))
    assert os.path.samefile(spool, target)
    shutil.rmtree(tmp_path / "spool")
    assert target.read_bytes() == b"zip bytes"


def test_where_links_fail_the_file_is_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def cross_device(source: str, path: str) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)
    source = tmp_path / "cache" / "entry"
    source.parent.mkdir()
    source.write_bytes(b"content")
    target = tmp_path / "site" / "assets" / "file.json"
    output.link_or_copy(str(source), str(target))
    assert target.read_bytes() == b"content"
    assert not os.path.samefile(source, target)


def test_a_file_already_where_it_goes_is_left_alone(tmp_path: Path) -> None:
    written = tmp_path / "site" / "file.txt"
    written.parent.mkdir()
    written.write_bytes(b"written by a plugin into the site")
    output.link_or_copy(str(written), str(written))
    assert written.read_bytes() == b"written by a plugin into the site"


def test_a_missing_source_is_an_error_not_an_empty_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        output.link_or_copy(str(tmp_path / "gone"), str(tmp_path / "site" / "file"))
    assert not (tmp_path / "site" / "file").exists()
