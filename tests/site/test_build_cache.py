"""maillage build's caches beside the rendered pages': Pagefind's runs and the providers' output.

The cache of Pagefind runs (generator/site/search_cache.py): a warm index is a fresh index.

A site's search index is made in runs (one per language, one per shard of a large one);
``maillage build --cache`` keeps each run's bundle under a key of what Pagefind reads, and
a later build takes the runs whose pages did not change from it. Pagefind names its filter
and meta files (and so writes ``pagefind-entry.json``) differently on every run of the same
pages (tests/site/test_shards.py): those are compared by count, everything else byte for byte.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.site import provider_cache, search
from generator.site.context import Asset
from generator.site.providers import PROVIDERS
from generator.site.render_cache import SEARCH_FOLDER
from generator.site.search_cache import FACTS, FORMAT, STAGES, SUMMARY, SearchCache, page_digest, read_summary
from tests.conftest import ROOT

WORDS = "accompagnement logement santé mentale précarité équipe mobile "


def _unstable(name: str) -> bool:
    """Pagefind's names drawn anew on each run (its filter and meta files, and the entry naming them)."""
    parts = name.split("/")
    return "filter" in parts or parts[-1].startswith("pagefind.") or parts[-1] == "pagefind-entry.json"


def _bundle(site: Path) -> tuple[dict[str, bytes], dict[str, int]]:
    """The bundle's files that any two runs write alike, and how many of the others per folder."""
    stable: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    root = site / search.BUNDLE
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if not path.is_file():
            continue
        if _unstable(name):
            folder = name.rsplit("/", 1)[0] if "/" in name else ""
            counts[folder] = counts.get(folder, 0) + 1
        else:
            stable[name] = path.read_bytes()
    return stable, counts


def _write(site: Path, uri: str, lang: str, text: str) -> None:
    (site / uri).parent.mkdir(parents=True, exist_ok=True)
    (site / uri).write_text(
        f'<html lang="{lang}"><body><nav>Menu</nav><main data-pagefind-body><h1>{uri}</h1><p>{text}</p>'
        f'<div data-pagefind-filter="need">logement</div></main></body></html>',
        encoding="utf-8",
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """31 French pages (30 services indexed in three shards by ``SHARD``, the home page in a
    fourth) and two Dutch ones."""
    folder = tmp_path / "site"
    for i in range(30):
        _write(folder, f"services/s{i:02d}/index.html", "fr", f"service {i} " + WORDS * 20)
    _write(folder, "index.html", "fr", "Annuaire " + WORDS)
    _write(folder, "nl/index.html", "nl", "Gids geestelijke gezondheid")
    _write(folder, "nl/services/s00/index.html", "nl", "Mobiel team kwetsbaarheid")
    return folder


def _shard_bytes(site: Path) -> int:
    """A shard's weight that cuts the French pages in three, with room for an edit."""
    french = sum(search.indexed_weight((site / uri).read_bytes()) for uri, _ in search.language_pages(site)[0])
    return french // 3 + french // 10


def test_a_warm_index_reuses_the_runs_an_edit_did_not_reach_and_equals_a_fresh_index(
    site: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    limit = _shard_bytes(site)
    cold = search.index_site(site, shard_bytes=limit, cache=SearchCache(cache))
    assert (cold.runs, cold.reused) == (5, 0)  # three French service shards, the home page's, one Dutch run
    assert read_summary(cache) == (5, 0)
    again = search.index_site(site, shard_bytes=limit, cache=SearchCache(cache))
    assert (again.runs, again.reused) == (5, 5)

    page = site / "services" / "s07" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("service 7 ", "service 7 hébergement "), "utf-8")
    warm = search.index_site(site, shard_bytes=limit, cache=SearchCache(cache))
    assert (warm.runs, warm.reused) == (5, 4)  # the edited page's shard only
    assert read_summary(cache) == (5, 4)
    entries = [p for p in cache.iterdir() if p.name not in (SUMMARY, FACTS, STAGES)]
    assert len(entries) == 5  # the edited shard's old entry pruned
    # What the index read of each page is kept with the file it was (site/search_cache.py).
    facts = SearchCache(cache).page_facts()
    assert sorted(facts) == sorted(uri for group in search.language_pages(site) for uri, _ in group)
    assert facts["services/s07/index.html"][0].digest == page_digest(page.read_bytes())
    # And the page's file as it was before the edit, as a build that alternates between two
    # folders finds it again (site/build.py's spare); the other pages did not change.
    assert len(facts["services/s07/index.html"]) == 2
    assert all(len(kept) == 1 for uri, kept in facts.items() if uri != "services/s07/index.html")

    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(search.BUNDLE))
    search.index_site(fresh, shard_bytes=limit)
    assert _bundle(site) == _bundle(fresh)
    assert json.loads((site / "pagefind" / search.SHARDS_FILE).read_text(encoding="utf-8")) == {
        "fr": ["shard-1/", "shard-2/"],
        search.LATER: {"fr": ["shard-3/"]},  # the pages other than services: merged when needed
    }
    assert not [p for p in site.iterdir() if p.name.startswith(".")]  # no part or stage left


def test_a_language_read_in_place_gives_the_bundle_of_its_staged_pages(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each language is one run: Pagefind reads its pages where they are, without a stage of links.
    _write(site, "nl/organisations/o1/index.html", "nl", "Vereniging " + WORDS)
    _write(site, "a-propos.html", "fr", "À propos " + WORDS)
    staged = tmp_path / "staged"
    shutil.copytree(site, staged)
    globs = [search._in_place(p, [(0, p)], 0) for p in search.language_pages(site)]
    assert globs == ["{a-propos.html,index.html,services/**/*.html}", "nl/**/*.html"]
    search.index_site(site)
    monkeypatch.setattr(search, "_in_place", lambda *_: None)
    search.index_site(staged)
    assert _bundle(site) == _bundle(staged)
    assert not [p for p in site.iterdir() if p.name.startswith(".")]
    # A shard is staged: its pages are not a whole language.
    french = search.language_pages(site)[0]
    assert search._in_place(french[:5], [(0, french[:5]), (0, french[5:])], 0) is None


def test_the_pages_are_listed_in_the_order_of_a_walk_without_the_bundle_and_hidden_folders(site: Path) -> None:
    for uri in ("pagefind/x.html", ".pagefind-stage-0/y.html", "nl/.hidden/z.html", "b/pagefind/w.html", "b/a.htm"):
        _write(site, uri, "fr", "texte")
    (site / "a-link").symlink_to(site / "services", target_is_directory=True)
    expected = []
    for here, folders, files in os.walk(site):
        folders[:] = sorted(d for d in folders if not d.startswith(".") and (Path(here) != site or d != search.BUNDLE))
        expected += [
            ((Path(here) / f).relative_to(site).as_posix(), (Path(here) / f).stat().st_size)
            for f in sorted(files)
            if f.endswith(".html")
        ]
    assert list(search._html_pages(site)) == expected
    assert "b/pagefind/w.html" in dict(expected) and not any("a-link" in uri for uri, _ in expected)


def test_a_damaged_entry_is_a_miss(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    limit = _shard_bytes(site)
    search.index_site(site, shard_bytes=limit, cache=SearchCache(cache))
    entries = sorted(p for p in cache.iterdir() if p.name != SUMMARY)
    whole = entries[0].read_bytes()
    entries[0].write_bytes(whole[:-100])  # cut short
    middle = bytearray(entries[1].read_bytes())
    middle[len(middle) // 2] ^= 0xFF  # one byte changed
    entries[1].write_bytes(bytes(middle))
    entries[2].write_bytes(b"maillage-pagefind-cache 0\n" + whole[len(FORMAT) :])  # another format
    entries[3].write_bytes(b"")
    report = search.index_site(site, shard_bytes=limit, cache=SearchCache(cache))
    assert (report.runs, report.reused, report.pages) == (5, 1, 33)  # the fifth entry was left whole
    assert entries[0].read_bytes() == whole  # written again, whole
    assert search.index_site(site, shard_bytes=limit, cache=SearchCache(cache)).reused == 5


def test_pruning_keeps_what_another_build_wrote_since_this_one_started(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    old, leftover = cache / ("ab" * 16), cache / ".tmp-killed"
    for path in (old, leftover):
        path.write_bytes(b"x")
        os.utime(path, (time.time() - 60, time.time() - 60))
    mine = SearchCache(cache)
    newer = cache / ("cd" * 16)
    newer.write_bytes(b"y")  # another build sharing the folder, since this one started
    search.index_site(site, cache=mine)
    names = {p.name for p in cache.iterdir()}
    assert newer.name in names and old.name not in names and leftover.name not in names
    assert len(names - {SUMMARY, FACTS, newer.name}) == 2  # this build's two runs: French, Dutch


def test_a_page_s_shard_depends_on_its_address_only() -> None:
    """One page edited, added or removed moves no other page; the shards weigh about the same."""
    rng = random.Random(24)
    pages = [(f"services/s{i:05d}/index.html", rng.randint(1_000, 30_000)) for i in range(6_000)]
    total = sum(w for _, w in pages)
    limit = total // 4 + total // 20  # four shards, with room for the edits below

    def where(found: list[list[tuple[str, int]]]) -> dict[str, int]:
        return {uri: n for n, shard in enumerate(found) for uri, _ in shard}

    before = search._shards(pages, limit)
    assert len(before) == 4
    assert max(sum(w for _, w in shard) for shard in before) < limit * 1.1
    assert all(shard == sorted(shard) for shard in before)  # in address order
    edited = [(uri, w * 3 if uri.endswith("s00100/index.html") else w) for uri, w in pages]
    added = sorted([*pages, ("services/new/index.html", 20_000)])
    removed = pages[:50] + pages[51:]
    for other in (edited, added, removed):
        after = where(search._shards(other, limit))
        moved = {uri for uri, n in where(before).items() if uri in after and after[uri] != n}
        assert moved == set()


def test_a_small_language_is_one_run() -> None:
    pages = [("a/index.html", 10), ("b/index.html", 20)]
    assert search._shards(pages, 100) == [pages]


# --- maillage build, end to end -------------------------------------------------------------


def _build(project: Path, out: Path, *options: str) -> tuple[int, int] | None:
    """``maillage build --jobs 2`` as a process of its own; the Pagefind runs it made and reused."""
    command = [sys.executable, "-m", "generator", "-C", str(project), "build", "--jobs", "2", "--out", str(out)]
    result = subprocess.run([*command, *options], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    said = re.search(r"index de recherche : (\d+) passages de Pagefind, dont (\d+) repris du cache", result.stdout)
    return None if said is None else (int(said.group(1)), int(said.group(2)))


def _languages_changed(before: Path, after: Path) -> int:
    """How many language groups of pages (search.language_pages) differ between two sites."""
    changed = 0
    for group in search.language_pages(after):
        if any(
            not (before / uri).is_file() or (before / uri).read_bytes() != (after / uri).read_bytes()
            for uri, _ in group
        ):
            changed += 1
    return changed


def test_a_warm_build_takes_unchanged_runs_and_providers_from_the_cache_and_equals_a_fresh_build(
    project: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    runs, reused = _build(project, tmp_path / "a", "--cache", str(cache)) or (0, -1)
    assert runs >= 2 and reused == 0  # French and Dutch
    assert provider_cache.read_summary(cache / provider_cache.FOLDER) == (len(PROVIDERS), 0)
    assert len([p for p in (cache / SEARCH_FOLDER).iterdir() if p.name not in (SUMMARY, FACTS)]) == runs

    registry = project / "data" / "registry" / "alpha.yaml"
    text = registry.read_text(encoding="utf-8")
    assert '"+32 2 000 00 01"' in text
    registry.write_text(text.replace('"+32 2 000 00 01"', '"+32 2 999 99 99"'), encoding="utf-8")
    warm = _build(project, tmp_path / "b", "--cache", str(cache))
    assert _build(project, tmp_path / "c", "--no-cache") is None  # no cache, nothing said of one

    changed = _languages_changed(tmp_path / "a", tmp_path / "b")
    assert warm == (runs, runs - changed)
    assert _bundle(tmp_path / "b") == _bundle(tmp_path / "c")

    # The providers that read no contact were not run again: their output came from the cache.
    made, reused = provider_cache.read_summary(cache / provider_cache.FOLDER) or (0, 0)
    assert made + reused == len(PROVIDERS) and reused >= 9  # home, needs, functions, territories, gaps, search, …
    # The service and organisation pages were made one by one: of 3 services and 2 organisations
    # in French and Dutch, with their 2 indexes each, the edited service's and its
    # organisation's pages again (its page lists the services' contacts), the others as they were.
    assert provider_cache.read_items(cache / provider_cache.FOLDER) == (4, 14 - 4)
    assert _tree(tmp_path / "b") == _tree(tmp_path / "c")


def test_an_organisation_edit_remakes_its_pages_and_its_services_pages_only(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _build(project, tmp_path / "a", "--cache", str(cache))
    assert provider_cache.read_items(cache / provider_cache.FOLDER) == (14, 0)
    registry = project / "data" / "registry" / "alpha.yaml"
    text = registry.read_text(encoding="utf-8")
    # The organisation gets a phone number of its own: shown on its page and on its services'.
    contact = '  - {kind: phone, value: "+32 2 111 11 11", visibility: public}\n'
    phone = f"website: https://alpha.example.org\ncontacts:\n{contact}"
    registry.write_text(text.replace("website: https://alpha.example.org\n", phone, 1), encoding="utf-8")
    _build(project, tmp_path / "b", "--cache", str(cache))
    # Alpha's page and its 2 services' pages, in French and Dutch; not beta's, nor the indexes
    # (names and summaries, no contact).
    assert provider_cache.read_items(cache / provider_cache.FOLDER) == (6, 14 - 6)
    _build(project, tmp_path / "c", "--no-cache")
    assert _tree(tmp_path / "b") == _tree(tmp_path / "c")
    # It moves: the address of its site is on its page, its services' and in the indexes' data.
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("Rue Royale 1,", "Rue Royale 12,", 1), encoding="utf-8")
    _build(project, tmp_path / "d", "--cache", str(cache))
    made, reused = provider_cache.read_items(cache / provider_cache.FOLDER) or (0, 0)
    assert made + reused == 14 and 6 <= made <= 10 and reused >= 4  # beta's pages at least
    _build(project, tmp_path / "e", "--no-cache")
    assert _tree(tmp_path / "d") == _tree(tmp_path / "e")


def _tree(site: Path) -> dict[str, bytes]:
    """Every file of a site but Pagefind's bundle and the time-stamped spreadsheet template."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and search.BUNDLE not in p.parts and p.name != "modele-import.xlsx"
    }


# --- the providers' output -------------------------------------------------------------------


def _keys(root: Path) -> dict[str, bytes]:
    from generator.registry.loader import for_audience, load_registry
    from generator.site.context import SiteConfig, SiteContext
    from generator.site.incremental import provider_name

    registry = for_audience(load_registry(root), "public")
    contexts = [SiteContext(registry=registry, config=SiteConfig(), lang=lang, root=root) for lang in ("fr", "nl")]
    keys = provider_cache.provider_keys(contexts, PROVIDERS, b"settings")
    return {provider_name(p): key for p, key in zip(PROVIDERS, keys, strict=True)}


def test_a_contact_edit_changes_the_keys_of_the_providers_that_read_contacts_only(mini: Path) -> None:
    before = _keys(mini)
    registry = mini / "data" / "registry" / "alpha.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace('"+32 2 000 00 01"', '"+32 2 999 99 99"'), encoding="utf-8"
    )
    after = _keys(mini)
    same = sorted(name for name in before if before[name] == after[name])
    assert same == [
        "accessibility_page",
        "function_pages",
        "gaps_pages",
        "home_page",
        "need_pages",
        "search_assets",
        "service_map_assets",
        "territory_pages",
        "words_assets",
    ]
    registry.write_text(registry.read_text(encoding="utf-8").replace("Alpha", "Alfa", 1), encoding="utf-8")
    renamed = _keys(mini)
    assert all(renamed[name] != after[name] for name in after)  # a name is read by every page provider


def test_a_damaged_provider_entry_is_a_miss(tmp_path: Path) -> None:
    from generator.site.generation import Made

    spool = tmp_path / "spool"
    spool.mkdir()
    page = spool / "pages.md"
    page.write_bytes(b"# Une page\n")
    made = [[Made("a.md", True, "data/registry/a.yaml", spooled=(str(page), 0, 11)), Made("b.js", False, content=b"1")]]
    cache = provider_cache.ProviderCache(tmp_path / "cache", [b"\x01" * 16])
    cache.put(0, made)
    found = cache.get(0, spool, 1024)
    assert found is not None and [(m.uri, m.page, m.edit_path, m.content) for m in found[0]] == [
        ("a.md", True, "data/registry/a.yaml", None),
        ("b.js", False, None, b"1"),
    ]
    assert found[0][0].spooled is not None
    with provider_cache._Contents() as contents:
        assert contents.of(found[0][0]) == b"# Une page\n"
    entry = cache.path(0)
    whole = entry.read_bytes()
    other = b"maillage-provider-cache 0\n" + whole[len(provider_cache.FORMAT) :]
    for damaged in (whole[:-1], whole[:-3] + b"xyz", b"", other, whole[:40] + b"\xff" + whole[41:]):
        entry.write_bytes(damaged)
        assert cache.get(0, spool, 1024) is None


def _first(ctx: object) -> Iterator[Asset]:
    Path(str(ctx), "first").write_text("ran", encoding="utf-8")
    yield Asset("first.txt", b"1")


def _second(ctx: object) -> Iterator[Asset]:
    Path(str(ctx), "second").write_text("ran", encoding="utf-8")
    yield Asset("second.txt", b"2")


def test_an_entry_found_damaged_while_the_others_run_makes_its_provider_run(tmp_path: Path) -> None:
    """``generate_in_processes`` starts the providers to run first and reads the cached ones
    meanwhile: an entry found damaged then is a miss, and its provider runs after."""
    from generator.site.generation import generate_in_processes

    ran = tmp_path / "ran"
    ran.mkdir()
    spool = tmp_path / "spool"
    spool.mkdir()

    def made(cache: provider_cache.ProviderCache) -> list[tuple[int, str, bytes | None]]:
        for name in ("first", "second"):
            (ran / name).unlink(missing_ok=True)
        found = generate_in_processes([ran], [_first, _second], 2, spool, 1024, cache)  # type: ignore[list-item]
        return [(p, item.uri, item.content) for p, item in found]

    keys = [b"\x01" * 16, b"\x02" * 16]
    expected = [(0, "first.txt", b"1"), (1, "second.txt", b"2")]
    assert made(provider_cache.ProviderCache(tmp_path / "cache", keys)) == expected
    assert sorted(p.name for p in ran.iterdir()) == ["first", "second"]
    assert made(provider_cache.ProviderCache(tmp_path / "cache", keys)) == expected
    assert list(ran.iterdir()) == []  # both from the cache
    entry = provider_cache.ProviderCache(tmp_path / "cache", keys).path(0)
    entry.write_bytes(entry.read_bytes()[:-1])
    assert made(provider_cache.ProviderCache(tmp_path / "cache", keys)) == expected
    assert [p.name for p in ran.iterdir()] == ["first"]
