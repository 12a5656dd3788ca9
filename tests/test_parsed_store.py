"""``ParsedStore``: files parsed by an earlier build, on disk; a load with it equals a fresh one.

The shipped registry and the small project are loaded with a store twice: the second load
parses nothing and gives the same registry. A problem in a file taken from the store is
placed where a fresh check places it (its positions are parsed then). A damaged entry is a
miss, a file with a problem is never stored, and a load prunes the entries it did not use.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from pathlib import Path

import pytest

import generator.registry.parsed
from generator.registry.loader import check_registry, load_registry
from generator.registry.parsed import FORMAT, LazyPositions, ParsedStore
from generator.registry.yamlsource import parse_yaml

from .conftest import ROOT


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the store parses, in order."""
    seen: list[str] = []
    parse = generator.registry.parsed.parse_yaml

    def counting(raw: bytes, path: str) -> generator.registry.parsed.Document:
        seen.append(path)
        return parse(raw, path)

    monkeypatch.setattr(generator.registry.parsed, "parse_yaml", counting)
    return seen


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_the_shipped_registry_from_the_store_equals_a_fresh_load(tmp_path: Path, parsed: list[str]) -> None:
    store = ParsedStore(tmp_path / "parsed")
    first = load_registry(ROOT, store=store)
    files = len(parsed)
    assert files > 40 and store.misses == files and store.hits == 0
    assert len(_entries(tmp_path / "parsed")) == files
    parsed.clear()
    again = ParsedStore(tmp_path / "parsed")
    stored = load_registry(ROOT, store=again)
    assert parsed == [] and again.hits == files
    fresh = load_registry(ROOT)
    for loaded in (first, stored):
        assert loaded.organisations == fresh.organisations
        assert loaded.services == fresh.services
        assert loaded.vocabularies == fresh.vocabularies
        assert (loaded.programmes, loaded.sources) == (fresh.programmes, fresh.sources)
        assert (loaded.files, loaded.lines, loaded.site_territory) == (fresh.files, fresh.lines, fresh.site_territory)
        assert loaded.warnings == fresh.warnings


def _edit(root: Path, name: str, old: str, new: str) -> None:
    file = root / "data" / name
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new), encoding="utf-8")


def test_an_edit_parses_the_edited_file_only_and_prunes_its_old_entry(
    mini: Path, tmp_path: Path, parsed: list[str]
) -> None:
    folder = tmp_path / "parsed"
    load_registry(mini, store=ParsedStore(folder))
    before = _entries(folder)
    parsed.clear()
    _edit(mini, "registry/alpha.yaml", '"+32 2 000 00 01"', '"+32 2 999 99 99"')
    store = ParsedStore(folder)
    store.started = time.time() + 10  # every entry older than the load: only the set of names keeps one
    edited = load_registry(mini, store=store)
    assert parsed == ["data/registry/alpha.yaml"]
    after = _entries(folder)
    assert len(after) == len(before)  # the old alpha.yaml gone, the new one kept
    assert len(set(before) - set(after)) == 1
    assert edited.services["alpha-adults"].contacts[0].value == "+32 2 999 99 99"
    fresh = load_registry(mini)
    assert (edited.services, edited.lines) == (fresh.services, fresh.lines)


def test_an_entry_written_since_the_load_started_is_kept(mini: Path, tmp_path: Path) -> None:
    folder = tmp_path / "parsed"
    other = folder / "ab" / ("ab" + "0" * 38)
    other.parent.mkdir(parents=True)
    other.write_bytes(b"another build's entry")
    stale = folder / "cd" / ("cd" + "0" * 38)
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an entry no file uses")
    os.utime(stale, (time.time() - 60, time.time() - 60))
    store = ParsedStore(folder)
    store.started = time.time() - 30
    load_registry(mini, store=store)
    assert other.exists() and not stale.exists()


def test_problems_in_files_from_the_store_are_placed_as_a_fresh_check_places_them(mini: Path, tmp_path: Path) -> None:
    folder = tmp_path / "parsed"
    load_registry(mini, store=ParsedStore(folder))
    # Unchanged registry files now name a need that is gone: their problems are deep in them.
    _edit(mini, "vocabularies/needs.yaml", "id: mental-health", "id: mental-wellbeing")
    store = ParsedStore(folder)
    registry, problems = check_registry(mini, store=store)
    assert registry is None
    assert store.hits >= 2  # alpha.yaml and beta.yaml came from the store
    expected = check_registry(mini)[1]
    assert problems == expected
    assert {p.path for p in problems} >= {"data/registry/alpha.yaml", "data/registry/beta.yaml"}
    assert all(p.line > 1 for p in problems if p.path.startswith("data/registry/"))


def test_a_type_error_in_a_stored_file_points_inside_its_one_line_value(mini: Path, tmp_path: Path) -> None:
    """A validation problem uses ``styles`` and ``values`` (quoted scalars): parsed on demand."""
    folder = tmp_path / "parsed"
    file = mini / "data" / "registry" / "alpha.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("needs: [mental-health, complex-situation]", 'needs: "mental-health"'), "utf-8")
    expected = check_registry(mini)[1]
    assert any(p.severity == "error" for p in expected)
    for _ in range(2):
        assert check_registry(mini, store=ParsedStore(folder))[1] == expected


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-5],  # cut short
        lambda data: data[:-3] + b"ZZZ",  # the JSON changed, not its digest
        lambda data: b"maillage-parsed 0\n" + data[len(FORMAT) :],  # another format
        lambda data: b"",
    ],
    ids=["truncated", "changed", "format", "empty"],
)
def test_a_damaged_entry_is_a_miss(mini: Path, tmp_path: Path, parsed: list[str], damage: object) -> None:
    folder = tmp_path / "parsed"
    load_registry(mini, store=ParsedStore(folder))
    for entry in _entries(folder):
        entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]
    parsed.clear()
    store = ParsedStore(folder)
    loaded = load_registry(mini, store=store)
    assert store.hits == 0 and len(parsed) == store.misses > 2
    fresh = load_registry(mini)
    assert (loaded.services, loaded.lines) == (fresh.services, fresh.lines)


def test_a_changed_entry_with_a_matching_digest_is_read_as_data_never_run(tmp_path: Path) -> None:
    """An entry is JSON: whatever it holds comes back as values, not as code or objects."""
    store = ParsedStore(tmp_path / "parsed")
    raw = b"id: x\n"
    name = store.name(raw)
    body = json.dumps({"data": {"id": "__import__('os').system('false')"}, "at": [[[], 1, 1]]}).encode()
    import hashlib

    entry = FORMAT + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b"\n" + body
    store.path(name).parent.mkdir(parents=True)
    store.path(name).write_bytes(entry)
    document = store.parse(raw, "x.yaml")
    assert document.data == {"id": "__import__('os').system('false')"}


ODD = """\
plain: texte accentué — « guillemets »
escaped: "\\U0001F600 astral, \\u00e9 and \\t tab"
ints: [0, -7, 12345678901234567890123, 0x1F, 0o17]
floats: [1.5, -0.0, .inf, -.inf, .nan, 1e300]
flags: [true, false, yes, no, ~, null]
dates: [2026-12-07, 2026-12-07T10:00:00Z]
empty: {}
none: []
nested:
  - {a: [1, {b: "c"}], "quoted key": 'single'}
  - |
    block
    text
  - >
    folded
    text
"""


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and (a == b or repr(a) == repr(b))


def test_every_kind_of_value_and_position_comes_back_as_parsed(tmp_path: Path) -> None:
    raw = ODD.encode("utf-8")
    fresh = parse_yaml(raw, "odd.yaml")
    assert fresh.problems == []
    first = ParsedStore(tmp_path / "parsed").parse(raw, "odd.yaml")
    store = ParsedStore(tmp_path / "parsed")
    stored = store.parse(raw, "odd.yaml")
    assert store.hits == 1 and isinstance(stored.positions, LazyPositions)
    for document in (first, stored):
        assert _same(document.data, fresh.data)
    assert math.copysign(1, stored.data["floats"][1]) == -1
    assert stored.positions.find(("nested", 0)) == fresh.positions.find(("nested", 0))
    positions = stored.positions
    for loc in fresh.positions.values:
        assert positions.find(loc) == fresh.positions.find(loc), loc
    for loc in fresh.positions.keys:
        assert positions.find(loc, key=True) == fresh.positions.find(loc, key=True), loc
    assert positions.styles == fresh.positions.styles


def test_a_file_with_a_problem_is_not_stored(tmp_path: Path, parsed: list[str]) -> None:
    raw = b"id: a\nid: b\n"  # a duplicate key
    for _ in range(2):
        document = ParsedStore(tmp_path / "parsed").parse(raw, "dup.yaml")
        assert [p.code for p in document.problems] == ["yaml-duplicate-key"]
    assert len(parsed) == 2
    assert not (tmp_path / "parsed").exists() or _entries(tmp_path / "parsed") == []


def test_a_store_that_cannot_be_written_costs_time_not_the_load(mini: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the store's folder would be")
    loaded = load_registry(mini, store=ParsedStore(blocked / "parsed"))
    assert loaded.services == load_registry(mini).services


def test_another_parser_is_another_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = b"id: x\n"
    before = ParsedStore(tmp_path).name(raw)
    monkeypatch.setattr(generator.registry.parsed, "FORMAT", b"maillage-parsed 2\n")
    assert ParsedStore(tmp_path).name(raw) != before
    shutil.rmtree(tmp_path, ignore_errors=True)
