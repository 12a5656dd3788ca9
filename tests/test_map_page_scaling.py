"""The map's data grows linearly with a service's area (issue 20, item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.analysis import describe
from generator.registry.loader import for_audience, load_registry
from generator.site import map_page
from generator.site.context import SiteConfig, SiteContext
from generator.site.map_page import AREA, map_data

COMMUNES = [
    "be-commune-21004", "be-commune-21009", "be-commune-21013", "be-commune-21015", "fr-commune-42207",
    "fr-commune-42218", "fr-commune-69123", "fr-commune-69266", "fr-commune-93066", "fr-commune-97411",
]  # fmt: skip

WIDE = f"""id: wide
name: Large
services:
  - id: wide-service
    name: Service partout
    needs: [mental-health]
    functions: [case-management]
    objective: Un objectif.
    public:
      area: [{", ".join(COMMUNES)}]
    contacts: [{{kind: phone, value: "+32 2 000 00 09"}}]
    sources: [fixture-source]
    verified: 2024-01-17
"""


def test_each_service_summary_is_made_once(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (mini / "data" / "registry" / "wide.yaml").write_text(WIDE, encoding="utf-8")
    registry = for_audience(load_registry(mini), "public")
    ctx = SiteContext(registry, SiteConfig(), "fr", mini)
    calls: list[str] = []
    made = map_page.summary

    def counted(registry_: object, service: object, lang: str = "fr") -> str:
        calls.append(service.id)  # type: ignore[attr-defined]
        return made(registry_, service, lang)  # type: ignore[arg-type]

    monkeypatch.setattr(map_page, "summary", counted)
    data = map_data(ctx)
    services = data.index["services"]
    wide = next(i for i, s in enumerate(registry.services) if s == "wide-service")
    at_areas = [p for p in data.index["points"] if p[3] == AREA and p[2] == wide]
    assert len(at_areas) == len(COMMUNES)  # drawn at each commune of its area
    assert sorted(calls) == sorted(set(calls)), "a summary was made more than once"
    assert len(calls) <= len(services)
    # Every chunk that shows the service has its full row, with its summary.
    for chunk in data.chunks:
        row = chunk["services"].get(str(wide))
        if row is not None:
            assert row[0] == "wide-service" and row[3] == "+32 2 000 00 09"
            assert "Saint-Étienne" in chunk["texts"][row[2]]
    # Counted once per place, each service once per département, province or region.
    places, ids = data.by_territory["fr-dep-69"]
    assert places == 3 and "wide-service" in ids  # Lyon, Villeurbanne, and the Métropole de Lyon service


def test_an_area_phrase_names_a_bounded_number_of_territories(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (mini / "data" / "registry" / "wide.yaml").write_text(WIDE, encoding="utf-8")
    registry = load_registry(mini)
    service = registry.services["wide-service"]
    full = describe.area_phrase(registry, service)
    assert full.split(", ")[-1] == "Saint-Denis" and len(full.split(", ")) == len(COMMUNES)
    monkeypatch.setattr(describe, "AREA_NAMES", 3)
    assert describe.area_phrase(registry, service) == "Bruxelles, Ixelles, Saint-Gilles et 7 autres territoires"
    assert describe.area_phrase(registry, service, "nl") == "Brussel, Elsene, Sint-Gillis en 7 andere gebieden"
    assert describe.summary(registry, service, "en").endswith("Saint-Gilles and 7 other territories")
