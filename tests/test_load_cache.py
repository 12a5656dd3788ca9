"""``LoadCache``: a load that reuses the previous one's files gives what a fresh load gives."""

from __future__ import annotations

from pathlib import Path

import pytest

import generator.registry.loader
from generator.registry.loader import LoadCache, check_registry, for_audience, load_registry


def _edit(root: Path, name: str, old: str, new: str) -> None:
    file = root / "data" / "registry" / name
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the loader parses, in order."""
    seen: list[str] = []
    parse = generator.registry.loader.parse_yaml

    def counting(raw: bytes, path: str) -> generator.registry.loader.Document:
        seen.append(path)
        return parse(raw, path)

    monkeypatch.setattr(generator.registry.loader, "parse_yaml", counting)
    return seen


def test_a_cached_load_parses_only_the_edited_file_and_equals_a_fresh_one(mini: Path, parsed: list[str]) -> None:
    cache = LoadCache()
    load_registry(mini, cache=cache)
    assert "data/registry/beta.yaml" in parsed
    parsed.clear()
    _edit(mini, "alpha.yaml", '"+32 2 000 00 01"', '"+32 2 999 99 99"')
    cached = load_registry(mini, cache=cache)
    assert parsed == ["data/registry/alpha.yaml"]
    assert cache.changed == {"data/registry/alpha.yaml"}
    load_registry(mini, cache=cache)
    assert cache.changed == set()
    fresh = load_registry(mini)
    assert cached.organisations == fresh.organisations
    assert cached.services == fresh.services
    assert (cached.files, cached.lines, cached.site_territory) == (fresh.files, fresh.lines, fresh.site_territory)
    assert cached.warnings == fresh.warnings
    assert cached.services["alpha-adults"].contacts[0].value == "+32 2 999 99 99"


def test_errors_found_through_the_cache_are_those_of_a_fresh_check(mini: Path) -> None:
    cache = LoadCache()
    load_registry(mini, cache=cache)
    # A cross-file error (an unknown site) in the edited file, a parse-level one in the other.
    _edit(mini, "alpha.yaml", "sites: [alpha-siege]", "sites: [alpha-nowhere]")
    assert check_registry(mini, cache=cache)[1] == check_registry(mini)[1]
    _edit(mini, "beta.yaml", "verified: ", "verified: someday #")
    problems = check_registry(mini, cache=cache)[1]
    assert problems == check_registry(mini)[1]
    errors = {p.path for p in problems if p.severity == "error"}
    assert errors == {"data/registry/alpha.yaml", "data/registry/beta.yaml"}
    # Fixed again: the same registry as before the errors.
    _edit(mini, "alpha.yaml", "sites: [alpha-nowhere]", "sites: [alpha-siege]")
    _edit(mini, "beta.yaml", "verified: someday #", "verified: ")
    assert load_registry(mini, cache=cache).organisations == load_registry(mini).organisations


def test_a_removed_file_leaves_the_cached_load(mini: Path) -> None:
    cache = LoadCache()
    assert "beta" in load_registry(mini, cache=cache).organisations
    (mini / "data" / "registry" / "beta.yaml").unlink()
    problems = check_registry(mini, cache=cache)[1]
    assert problems == check_registry(mini)[1]
    assert not any("beta" in path for path in cache.files)


def test_the_gazetteer_is_read_again_when_its_files_change(mini: Path) -> None:
    cache = LoadCache()
    first = load_registry(mini, cache=cache).gazetteer
    assert load_registry(mini, cache=cache).gazetteer is first
    csv = mini / "data" / "territories" / "mini.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("Schaerbeek", "Schaarbeek-Schaerbeek"), encoding="utf-8")
    second = load_registry(mini, cache=cache).gazetteer
    assert second is not first
    assert second["be-commune-21015"].name == load_registry(mini).gazetteer["be-commune-21015"].name


def test_the_audience_copy_of_an_unchanged_organisation_is_kept(mini: Path) -> None:
    cache = LoadCache()
    before = for_audience(load_registry(mini, cache=cache), "public", cache)
    _edit(mini, "alpha.yaml", '"+32 2 000 00 01"', '"+32 2 999 99 99"')
    after = for_audience(load_registry(mini, cache=cache), "public", cache)
    assert after.organisations["beta"] is before.organisations["beta"]
    assert after.organisations["alpha"] is not before.organisations["alpha"]
    assert after.organisations == for_audience(load_registry(mini), "public").organisations
    # No professional contact reaches the public copy, cached or not.
    assert all(c.visibility == "public" for s in after.services.values() for c in s.contacts)
