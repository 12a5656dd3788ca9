"""The gazetteer reader: resolution of names and postcodes, ancestry, coverage."""

from __future__ import annotations

import re

import pytest

from generator.registry.territories import LEVEL_RANK, Gazetteer, PlaceError

from .conftest import ROOT


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load(ROOT / "data" / "territories")


def test_resolve_name_postcode_code(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("Villeurbanne").code == "fr-commune-69266"
    assert gazetteer.resolve("saint etienne").code == "fr-commune-42218"
    assert gazetteer.resolve("1030").code == "be-commune-21015"
    assert gazetteer.resolve("Schaarbeek").code == "be-commune-21015"
    assert gazetteer.resolve("FR-DEP-42").code == "fr-dep-42"


def test_ambiguous_name_lists_candidates(gazetteer: Gazetteer) -> None:
    with pytest.raises(PlaceError) as caught:
        gazetteer.resolve("Saint-Denis")
    codes = {t.code for t in caught.value.candidates}
    assert {"fr-commune-93066", "fr-commune-97411"} <= codes
    assert "is ambiguous: " in str(caught.value) and "(fr-commune-93066)" in str(caught.value)


def test_unknown_place_suggests(gazetteer: Gazetteer) -> None:
    with pytest.raises(PlaceError, match="did you mean 'Villeurbanne'"):
        gazetteer.resolve("Villeurbane")
    with pytest.raises(PlaceError, match="no commune has the postcode 99999"):
        gazetteer.resolve("99999")


def test_ancestors_through_epci_and_department(gazetteer: Gazetteer) -> None:
    villeurbanne = gazetteer.ancestors("fr-commune-69266")
    assert {"fr-epci-200046977", "fr-dep-69", "fr-region-84", "fr"} <= villeurbanne
    assert gazetteer.covers(["fr-epci-200046977"], "fr-commune-69266")
    assert gazetteer.covers(["be-region-04000"], "be-commune-21015")
    assert not gazetteer.covers(["be-commune-21009"], "be-commune-21015")


def test_an_epci_across_departments_does_not_put_a_commune_in_the_others(gazetteer: Gazetteer) -> None:
    nanterre = gazetteer.resolve("Nanterre").code
    assert gazetteer.covers(["fr-dep-92"], nanterre)
    assert not gazetteer.covers(["fr-dep-93"], nanterre)  # Métropole du Grand Paris spans 75, 91-95
    grand_paris = next(p for p in gazetteer[nanterre].parents if p.startswith("fr-epci-"))
    assert gazetteer.ancestors(grand_paris) == {grand_paris, "fr-region-11", "fr"}


def test_descendants_by_level(gazetteer: Gazetteer) -> None:
    brussels = gazetteer.descendants("be-region-04000", "commune")
    assert len(brussels) == 19 and "be-commune-21015" in brussels
    assert len(gazetteer.descendants("fr-epci-200046977", "commune")) == 58


def test_level_ranks_are_the_browsers() -> None:
    """The orientation page ranks levels as the Python matcher does."""
    script = (ROOT / "generator" / "site" / "assets" / "orient.js").read_text(encoding="utf-8")
    table = re.search(r"var LEVEL_RANK = \{([^}]*)\}", script)
    assert table is not None
    ranks = {k.strip(): int(v) for k, v in (pair.split(":") for pair in table.group(1).split(","))}
    assert ranks == LEVEL_RANK
