"""Zips deflated in pieces (``exchange/zipped.py``): valid zips, as small as a whole deflate,
the same bytes with or without a store of pieces, and an edit deflates only its pieces."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest

from generator.exchange.zipped import PIECE, pieces, zipped


class Store(dict[bytes, bytes]):
    """Pieces kept in memory; counts what is asked and what is written."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = self.written = 0

    def get_piece(self, key: bytes) -> bytes | None:
        self.asked += 1
        return self.get(key)

    def put_piece(self, key: bytes, data: bytes) -> None:
        self.written += 1
        self[key] = data


def _lines(count: int, seed: int, width: int = 120) -> bytes:
    """CSV-like rows of varied lengths and content, as an export's tables hold."""
    rng = random.Random(seed)
    words = ["santé", "mentale", "logement", "accueil", "Bruxelles", "Saint-Étienne", "+32 2 000 00 00", "aidants"]
    rows = []
    for i in range(count):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, width // 8)))
        rows.append(f"{i:08d},{rng.getrandbits(64):016x},{text}\r\n")
    return "".join(rows).encode("utf-8")


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return {
        "a.csv": _lines(30_000, 1),  # short lines: pieces of many lines
        "b.ndjson": _lines(400, 2, width=40_000),  # long lines: a few lines per piece
        "c.csv": b"",  # empty
        "d.txt": b"no line end at all " * 50_000,  # one line, with no end
        "e.csv": b"id,name\r\n",
    }


def test_pieces_cover_the_bytes_at_line_ends(files: dict[str, bytes]) -> None:
    for data in files.values():
        cut = list(pieces(data))
        assert b"".join(data[a:b] for a, b in cut) == data
        assert all(a < b for a, b in cut)
        assert all(data[b - 1 : b] == b"\n" for _, b in cut[:-1])
    sizes = [b - a for a, b in pieces(files["a.csv"])]
    assert len(sizes) > 5 and PIECE / 4 < sum(sizes) / len(sizes) < PIECE * 4


def test_the_zip_is_valid_and_the_same_with_or_without_a_store(files: dict[str, bytes], tmp_path: Path) -> None:
    plain = zipped(sorted(files.items()))
    store = Store()
    cold = zipped(sorted(files.items()), store)
    warm_store = Store()
    warm_store.update(store)
    warm = zipped(sorted(files.items()), warm_store)
    assert plain == cold == warm
    assert store.written > 10 and warm_store.written == 0
    archive = zipfile.ZipFile(io.BytesIO(plain))
    assert archive.testzip() is None
    assert {name: archive.read(name) for name in archive.namelist()} == files
    assert [i.date_time for i in archive.infolist()] == [(1980, 1, 1, 0, 0, 0)] * len(files)
    if shutil.which("unzip"):  # another reader than Python's
        (tmp_path / "x.zip").write_bytes(plain)
        done = subprocess.run(["unzip", "-tq", str(tmp_path / "x.zip")], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_deflated_in_pieces_the_zip_is_as_small_as_deflated_whole(files: dict[str, bytes]) -> None:
    whole = sum(len(zlib.compress(data, 6)) for data in files.values())
    archive = zipfile.ZipFile(io.BytesIO(zipped(sorted(files.items()))))
    pieced = sum(info.compress_size for info in archive.infolist())
    assert pieced < whole * 1.003  # deflated without the window before: 1.007


def test_an_edit_deflates_only_the_pieces_it_reaches(files: dict[str, bytes]) -> None:
    store = Store()
    zipped(sorted(files.items()), store)
    for name, at in (("a.csv", 0.5), ("b.ndjson", 0.3), ("a.csv", 0.0), ("b.ndjson", 0.99)):
        edited = dict(files)
        data = edited[name]
        line = data.index(b"\n", int(len(data) * at)) + 1  # a line's start: one of its characters changed
        edited[name] = data[: line + 12] + b"9" + data[line + 13 :]
        before = store.written
        made = zipped(sorted(edited.items()), store)
        assert made == zipped(sorted(edited.items()))
        assert 1 <= store.written - before <= 3, (name, at)  # its piece, the next one (primed by it), maybe a cut moved
        assert zipfile.ZipFile(io.BytesIO(made)).read(name) == edited[name]


def test_an_edit_at_a_pieces_end_deflates_the_next_piece_again(files: dict[str, bytes]) -> None:
    """The next piece is primed with the end of the edited one: its deflated bytes change."""
    store = Store()
    zipped(sorted(files.items()), store)
    data = files["a.csv"]
    cut = list(pieces(data))[3][1]  # the end of the fourth piece
    last = data.rindex(b"\n", 0, cut - 1) + 1  # its last line, whose checksum makes the cut: left alone
    line = data.rindex(b"\n", 0, last - 1) + 1  # the line before it, within the window the next piece sees
    edited = dict(files, **{"a.csv": data[:line] + data[line : last - 2].replace(b"a", b"e") + data[last - 2 :]})
    assert edited["a.csv"] != data
    before = store.written
    made = zipped(sorted(edited.items()), store)
    assert made == zipped(sorted(edited.items()))
    assert store.written - before >= 2
    assert zipfile.ZipFile(io.BytesIO(made)).read("a.csv") == edited["a.csv"]


def test_a_line_added_moves_no_cut_elsewhere(files: dict[str, bytes]) -> None:
    data = files["a.csv"]
    middle = data.index(b"\n", len(data) // 2) + 1
    added = data[:middle] + b"99999999,new,a service added\r\n" + data[middle:]
    before = {data[a:b] for a, b in pieces(data)}
    after = {added[a:b] for a, b in pieces(added)}
    assert len(before - after) <= 2 and len(after - before) <= 2
