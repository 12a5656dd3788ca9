"""The synthetic registry: valid, deterministic, realistic enough to benchmark with."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from generator.registry.loader import Registry, check_registry
from generator.synth import scalar, synthesize

from .conftest import ROOT


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Registry]:
    out = tmp_path_factory.mktemp("synth") / "project"
    summary = synthesize(200, out, project=ROOT, seed=3)
    assert summary.services == 200
    registry, problems = check_registry(out)
    assert registry is not None, "\n".join(str(p) for p in problems[:20])
    assert problems == []  # not even a warning (every site's commune is found)
    return out, registry


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_passes_check_with_exactly_n_unique_services(synthetic: tuple[Path, Registry]) -> None:
    _, registry = synthetic
    # Duplicate ids are check errors, so a valid registry of 200 services has 200 ids.
    assert len(registry.services) == 200
    assert len(registry.organisations) > 20
    assert len(registry.sites) >= len(registry.organisations)


def test_same_seed_same_bytes_other_seed_other_bytes(synthetic: tuple[Path, Registry], tmp_path: Path) -> None:
    first, _ = synthetic
    synthesize(200, tmp_path / "again", project=ROOT, seed=3)
    synthesize(200, tmp_path / "other", project=ROOT, seed=4)
    assert _files(tmp_path / "again" / "data") == _files(first / "data")
    assert _files(tmp_path / "other" / "data" / "registry") != _files(first / "data" / "registry")


def test_realistic_mix(synthetic: tuple[Path, Registry]) -> None:
    _, registry = synthetic
    gazetteer = registry.gazetteer
    levels = Counter(gazetteer[code].level for s in registry.services.values() for code in s.public.area)
    assert {"commune", "epci", "dep", "region", "country"} <= set(levels)
    assert levels["commune"] > levels["country"]
    services = list(registry.services.values())
    assert any(s.name.has("nl") and s.name.has("fr") for s in services)  # Brussels, bilingual
    assert any(c.visibility == "professional" for s in services for c in s.contacts)
    assert any(s.public.age is not None and s.public.age.max is not None for s in services)
    assert any(s.access.answer_delay is not None for s in services)
    assert any(site.coordinates is not None for site in registry.sites.values())
    # Sites without a territory code are located by postcode and city.
    assert any(site.address and not site.address.territory for site in registry.sites.values())
    assert len({registry.site_territory[s] for s in registry.sites}) > 20
    # Service texts are paragraphs, not placeholders.
    assert sum(len(s.method.get("fr")) for s in services if s.method) / len(services) > 250


@pytest.mark.parametrize(
    ("value", "quoted"),
    [("Saint-Étienne", False), ("yes", True), ("12", True), ("a: b", True), ("« x »", False), ("-x", True)],
)
def test_scalar_quotes_only_what_yaml_would_misread(value: str, quoted: bool) -> None:
    assert scalar(value).startswith('"') is quoted
