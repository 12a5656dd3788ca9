"""The organisations' fingerprints kept between builds (``provider_cache.PrintsMemo``): a
build serialises only the organisations whose file changed, and its prints are those of a
build without the memo."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.registry.loader import Registry, for_audience, load_registry
from generator.site.incremental import Dumps, registry_prints
from generator.site.provider_cache import PrintsMemo
from tests.conftest import ROOT

SETTINGS = b"code version, configuration, audience"


def _registry(root: Path) -> Registry:
    return for_audience(load_registry(root), "public")


def _prints(registry: Registry, memo: Path | None) -> tuple[object, int]:
    dumps = Dumps()
    seeded = 0
    if memo is not None:
        kept = PrintsMemo(memo, SETTINGS)
        seeded = kept.seed(registry, dumps)
    prints = registry_prints(registry, SETTINGS.hex(), dumps)
    if memo is not None:
        kept.keep(registry, dumps)
    return prints, seeded


def _edit(root: Path, name: str, old: str, new: str) -> None:
    file = root / "data" / "registry" / name
    text = file.read_text(encoding="utf-8")
    assert old in text, name
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_prints_through_the_memo_are_those_made_without_it(tmp_path: Path) -> None:
    project = tmp_path / "shipped"
    shutil.copytree(ROOT / "data", project / "data")
    memo = tmp_path / "registry-prints.json"
    registry = _registry(project)
    organisations = len(registry.organisations)
    assert _prints(registry, memo) == (_prints(registry, None)[0], 0)
    assert _prints(_registry(project), memo) == (_prints(registry, None)[0], organisations)
    # A phone changed in one file: that organisation is serialised again, and the prints change.
    before = _prints(registry, None)[0]
    _edit(project, "bru-stars.yaml", "0485 71 19 42", "0485 71 19 43")
    edited = _registry(project)
    fresh = _prints(edited, None)[0]
    assert fresh != before
    assert _prints(edited, memo) == (fresh, organisations - 1)
    assert _prints(edited, memo) == (fresh, organisations)


def test_a_memo_of_other_settings_or_damaged_is_none(tmp_path: Path) -> None:
    memo = tmp_path / "registry-prints.json"
    registry = _registry(ROOT)
    expected = _prints(registry, None)[0]
    _prints(registry, memo)
    dumps = Dumps()
    assert PrintsMemo(memo, b"another code version").seed(registry, dumps) == 0
    for damage in (b"", b"{", b"[]", b'{"settings": 1}', memo.read_bytes()[:-40]):
        memo.write_bytes(damage)
        assert _prints(registry, memo) == (expected, 0)
    # A file's digest that is not the file's: its organisation is serialised again.
    text = memo.read_text(encoding="utf-8")
    digest = registry.file_digests["data/registry/bru-stars.yaml"].hex()
    memo.write_text(text.replace(digest, "0" * len(digest)), encoding="utf-8")
    assert _prints(registry, memo) == (expected, len(registry.organisations) - 1)
