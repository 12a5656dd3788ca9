"""The HSDS export through ``maillage build``'s memo (site/hsds_memo.py): after an edit, only
the organisations it reaches are exported again, and the files are those of an export made
from scratch, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.exchange.hsds import registry_files, registry_zip, zip_bytes
from generator.registry.loader import Registry, for_audience, load_registry
from generator.site.hsds_memo import PIECE, HsdsMemo
from generator.site.incremental import Dumps
from tests.conftest import ROOT

BASE = b"settings"


def _registry(root: Path) -> Registry:
    return for_audience(load_registry(root), "public")


def _memo(folder: Path, registry: Registry, base: bytes = BASE) -> HsdsMemo:
    return HsdsMemo(folder, base, Dumps(), registry)


def _edit(root: Path, name: str, old: str, new: str) -> None:
    file = root / "data" / "registry" / name
    text = file.read_text(encoding="utf-8")
    assert old in text, name
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped project's data, free to modify."""
    target = tmp_path / "shipped"
    shutil.copytree(ROOT / "data", target / "data")
    return target


def test_an_export_through_the_memo_is_the_export(shipped: Path, tmp_path: Path) -> None:
    registry = _registry(shipped)
    expected = registry_files(registry)
    cold = _memo(tmp_path / "memo", registry)
    assert registry_files(registry, cold) == expected
    organisations = len(registry.organisations)
    assert (cold.made, cold.reused) == (2 * organisations, 0)  # each one's object, then its services'
    warm = _memo(tmp_path / "memo", registry)
    assert registry_files(registry, warm) == expected
    assert (warm.made, warm.reused) == (0, 2 * organisations)


def test_the_zip_made_as_the_files_are_released_is_the_zip_of_the_files(shipped: Path, tmp_path: Path) -> None:
    """The site's HSDS download is zipped from the writer's buffers, each released once in
    the zip (``registry_zip``): the same bytes as zipping the files, with or without the
    memo, and the files it keeps (the descriptor; all for a small registry) are the export's."""
    registry = _registry(shipped)
    files = registry_files(registry)
    expected = zip_bytes(files)
    assert registry_zip(registry) == (expected, files)
    assert list(registry_zip(registry)[1]) == list(files)  # in the same order
    descriptor = "datapackage/datapackage.json"
    assert registry_zip(registry, kept=lambda name: name == descriptor) == (expected, {descriptor: files[descriptor]})
    for memo in (_memo(tmp_path / "memo", registry), _memo(tmp_path / "memo", registry)):  # cold, then warm
        assert registry_zip(registry, memo, lambda name: False) == (expected, {})
    _edit(shipped, *EDITS["phone"])
    edited = _registry(shipped)
    assert (
        registry_zip(edited, _memo(tmp_path / "memo", edited), lambda name: False)[0]
        == zip_bytes(registry_files(edited))
        != expected
    )


# Edits of the shipped registry, in the words its maintainers write: a phone number, a
# service's area, an organisation's name (on every one of its services' objects).
EDITS = {
    "phone": ("bru-stars.yaml", "value: 0485 71 19 42", "value: 0485 71 19 43"),
    "area": ("dune.yaml", "area: [be-region-04000]", "area: [be-commune-21004]"),
    "name": ("brusano.yaml", "name: Brusano\n", "name: Brusano asbl\n"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_after_an_edit_only_its_organisation_is_exported_again(shipped: Path, tmp_path: Path, edit: str) -> None:
    name, old, new = EDITS[edit]
    before = _registry(shipped)
    registry_files(before, _memo(tmp_path / "memo", before))
    _edit(shipped, name, old, new)
    after = _registry(shipped)
    memo = _memo(tmp_path / "memo", after)
    files = registry_files(after, memo)
    assert files == registry_files(after)
    assert files != registry_files(before)
    assert memo.made == 2  # the edited organisation's object and its services'
    assert memo.reused == 2 * len(after.organisations) - 2
    assert memo.done() == 2  # its entries of before are gone, the others kept
    assert len(list((tmp_path / "memo").iterdir())) == 2 * len(after.organisations)


def test_a_site_another_organisation_names_is_in_that_organisations_key(mini: Path, tmp_path: Path) -> None:
    # Beta's service works from Alpha's seat; then Alpha's seat moves.
    _edit(mini, "beta.yaml", "    verified: 2022-06-07", "    sites: [alpha-siege]\n    verified: 2022-06-07")
    before = _registry(mini)
    assert before.site_organisation["alpha-siege"] == "alpha"
    registry_files(before, _memo(tmp_path / "memo", before))
    _edit(mini, "alpha.yaml", "street: Rue Royale 1,", "street: Rue Royale 2,")
    after = _registry(mini)
    memo = _memo(tmp_path / "memo", after)
    files = registry_files(after, memo)
    assert files == registry_files(after)
    assert b"Rue Royale 2" in files["services.ndjson"].split(b"Logement d'abord Lyon")[1]
    assert (memo.made, memo.reused) == (4, 0)  # both organisations exported again


def test_other_settings_or_a_damaged_entry_make_the_export_again(shipped: Path, tmp_path: Path) -> None:
    registry = _registry(shipped)
    expected = registry_files(registry)
    registry_files(registry, _memo(tmp_path / "memo", registry))
    other = _memo(tmp_path / "memo", registry, b"another code version")
    assert registry_files(registry, other) == expected
    assert other.reused == 0
    registry_files(registry, _memo(tmp_path / "damaged", registry))
    for entry in sorted((tmp_path / "damaged").iterdir())[:3]:
        data = bytearray(entry.read_bytes())
        data[-1] ^= 0xFF
        entry.write_bytes(bytes(data))
    damaged = _memo(tmp_path / "damaged", registry)
    assert registry_files(registry, damaged) == expected
    assert damaged.made == 3


def test_the_zips_pieces_are_kept_and_a_damaged_one_is_deflated_again(shipped: Path, tmp_path: Path) -> None:
    """The memo keeps the zip's deflated pieces (exchange/zipped.py) as they are; a damaged
    one is a miss, and the zip is still that of the files."""
    registry = _registry(shipped)
    expected = zip_bytes(registry_files(registry))
    folder = tmp_path / "memo"
    assert registry_zip(registry, _memo(folder, registry), lambda name: False)[0] == expected
    pieces = sorted(entry for entry in folder.iterdir() if entry.name.startswith(PIECE.hex()))
    assert len(pieces) >= 10  # one per member at least
    kept = {entry: entry.read_bytes() for entry in pieces}
    for entry, data in kept.items():
        entry.write_bytes(data[:-3] + bytes([data[-3] ^ 0xFF]) + data[-2:])
    memo = _memo(folder, registry)
    assert registry_zip(registry, memo, lambda name: False)[0] == expected
    memo.done()
    assert {entry: entry.read_bytes() for entry in folder.iterdir() if entry.name.startswith(PIECE.hex())} == kept


def test_a_packed_group_writes_what_its_records_write_one_by_one() -> None:
    """The memo keeps an organisation's records as a group (not JSON in JSON): written into
    an export that holds some of its rows' ids already, it gives what writing each record
    would; what is not such a group is refused, and the export then makes its records."""
    from generator.exchange.hsds.writer import _pack, _unpack, _Writer

    records = [
        ('{"id":"a","name":"Équipe « mobile » 107 — 🙂"}\n', [("service", "a", 'a,"two\r\nlines",x\r\n')]),
        ("{}\n", []),
        (
            '{"id":"b"}\n',
            [("phone", "p1", "p1,+32 2 000 00 00\r\n"), ("attribute", "t", "t,,\r\n"), ("phone", "p1", "p1,again\r\n")],
        ),
        ('{"id":"c"}\n', [("attribute", "t", "t,later,\r\n"), ("attribute", "u", "u,é,\r\n")]),
    ]
    before = ("{}\n", [("attribute", "t", "t,first,\r\n")])  # an id written by an earlier organisation
    one_by_one, grouped = _Writer(), _Writer()
    for writer in (one_by_one, grouped):
        writer.add_record(before, "service")
    for written in records:
        one_by_one.add_record(written, "service")
    grouped.add_group(_unpack(_pack(records)), "service")
    assert grouped.files() == one_by_one.files()
    empty = _unpack(_pack([]))
    assert bytes(empty.lines) == b"" and empty.tables == []
    packed = _pack(records)
    for wrong in (b"", b"\x00" * 8, packed[:-1], packed + b"x", b'[{"not": "records"}]'):
        with pytest.raises(ValueError):
            _unpack(wrong)
