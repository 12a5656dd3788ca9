"""The edit loop's memory: what it reuses must equal what the providers make from scratch."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.registry import for_audience, load_registry
from generator.site.context import SiteConfig, SiteContext
from generator.site.incremental import ServeMemory, provider_name
from generator.site.providers import PROVIDERS

CONFIG = SiteConfig(languages=("fr", "nl"))


def _contexts(root: Path) -> list[SiteContext]:
    registry = for_audience(load_registry(root), "public")
    return [SiteContext(registry=registry, config=CONFIG, lang=lang, root=root) for lang in CONFIG.languages]


def _from_scratch(root: Path) -> list[tuple[str, str, object]]:
    return [(provider_name(p), item.uri, item.content) for ctx in _contexts(root) for p in PROVIDERS for item in p(ctx)]


def _remembered(memory: ServeMemory, root: Path) -> list[tuple[str, str, object]]:
    return [(name, item.uri, item.content) for name, item in memory.generate(_contexts(root), PROVIDERS, "s")]


@pytest.mark.parametrize(
    ("old", "new", "reuses"),
    [
        ('"+32 2 000 00 01"', '"+32 2 999 99 99"', True),  # a phone number
        ("area: [be-region-04000]", "area: [be-commune-21015]", False),  # an area: territory links everywhere
        ("name: Jeunes\n", "name: Jeunes adultes\n", True),  # a name other pages list
    ],
)
def test_memory_after_an_edit_equals_a_fresh_generation(mini: Path, old: str, new: str, reuses: bool) -> None:
    memory = ServeMemory()
    assert _remembered(memory, mini) == _from_scratch(mini)
    assert memory.stats["reused"] == 0
    file = mini / "data" / "registry" / "alpha.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert _remembered(memory, mini) == _from_scratch(mini)
    assert (memory.stats["reused"] > 0) == reuses  # the other file's service pages, the gap report


def test_plan_asks_for_a_full_build_when_the_set_of_files_changes() -> None:
    memory = ServeMemory()
    assert memory.plan(["a.md", "b.md"], "s")
    assert memory.is_changed("a.md", "A") and memory.is_changed("b.md", "B")
    memory.commit()
    assert not memory.plan(["a.md", "b.md"], "s")
    assert not memory.is_changed("a.md", "A")
    assert memory.is_changed("b.md", "B2")
    memory.commit()
    assert memory.plan(["a.md"], "s")  # a page left: links and menus may change everywhere
    assert memory.plan(["a.md", "b.md"], "other settings")
