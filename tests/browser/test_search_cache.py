"""The search panel on an index made warm: after an edit, the Pagefind runs taken from the
cache (generator/site/search_cache.py) and the one made again find, in Chromium, what a
fresh index of the same pages finds (tests/browser/test_search.py's site, in three shards)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.site import search
from generator.site.search_cache import SearchCache
from tests.browser import test_search
from tests.browser.test_search import _open_and_type, _result_urls, _serve

pytestmark = pytest.mark.browser

search_site = test_search.search_site  # the session's fixture: the site is built once

EDITED = "services/ucsd-lyon/index.html"
ADDED = "<p>Permanence nocturne du vendredi.</p>"


@pytest.fixture(scope="module")
def servers(search_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The search site indexed warm after an edit, and the same pages indexed fresh."""
    base = tmp_path_factory.mktemp("search-cache")
    warm = base / "warm"
    shutil.copytree(search_site, warm, ignore=shutil.ignore_patterns(search.BUNDLE))
    french = sum(search.indexed_weight((warm / uri).read_bytes()) for uri, _ in search.language_pages(warm)[0])
    limit = french // 3 + french // 10
    cold = search.index_site(warm, shard_bytes=limit, cache=SearchCache(base / "cache"))
    # The services in three runs, the other pages in two (search.LATER_PARTS).
    assert cold.runs == 5 and cold.reused == 0
    page = warm / EDITED
    text = page.read_text(encoding="utf-8")
    findable = re.search(rf"<article {search.FINDABLE}[^>]*>", text)
    assert findable is not None
    page.write_text(text[: findable.end()] + ADDED + text[findable.end() :], encoding="utf-8")
    again = search.index_site(warm, shard_bytes=limit, cache=SearchCache(base / "cache"))
    assert (again.runs, again.reused) == (5, 4)  # the edited page's shard only
    fresh = base / "fresh"
    shutil.copytree(warm, fresh, ignore=shutil.ignore_patterns(search.BUNDLE))
    search.index_site(fresh, shard_bytes=limit)
    served = [_serve(warm), _serve(fresh)]
    yield next(served[0]), next(served[1])
    for server in served:
        next(server, None)


@pytest.mark.parametrize("query", ["nocturne", "case management bruxelles", "logement", "SDF"])
def test_a_warm_index_finds_what_a_fresh_index_finds(page: Any, servers: tuple[str, str], query: str) -> None:
    found = []
    for base in servers:
        _open_and_type(page, base, query)
        found.append(sorted(_result_urls(page, 1)))
    assert found[0] == found[1]
    if query == "nocturne":  # the edit is found: its shard was indexed again
        assert any("ucsd-lyon" in url for url in found[0])
