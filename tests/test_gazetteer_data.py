"""Checks of the committed gazetteer (data/territories/*.csv, built by scripts/build_gazetteer.py)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

TERRITORIES = Path(__file__).resolve().parent.parent / "data" / "territories"
COLUMNS = [
    "code",
    "level",
    "name",
    "name_nl",
    "parents",
    "postcodes",
    "population",
    "lat",
    "lon",
    "precision",
]
LEVELS = {"country", "region", "dep", "province", "epci", "commune"}
PRECISIONS = {"exact", "postcode", "name-matched", "fallback"}

Rows = dict[str, dict[str, str]]


@cache
def load(country: str) -> Rows:
    path = TERRITORIES / f"{country}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        rows = list(reader)
    codes = [row["code"] for row in rows]
    assert codes == sorted(codes), f"{path} is not sorted by code"
    assert len(codes) == len(set(codes)), f"{path} has duplicate codes"
    return {row["code"]: row for row in rows}


def count(rows: Rows, level: str) -> int:
    return sum(1 for row in rows.values() if row["level"] == level)


def parents(row: dict[str, str]) -> list[str]:
    return row["parents"].split()


def ancestors(rows: Rows, code: str) -> set[str]:
    found: set[str] = set()
    todo = parents(rows[code])
    while todo:
        parent = todo.pop()
        if parent not in found:
            found.add(parent)
            todo.extend(parents(rows[parent]))
    return found


@pytest.mark.parametrize("country", ["fr", "be"])
def test_rows_are_well_formed(country: str) -> None:
    rows = load(country)
    for code, row in rows.items():
        assert code == code.lower() and code.split("-")[0] == country
        assert row["level"] in LEVELS
        assert row["name"], code
        if row["population"]:
            assert int(row["population"]) >= 0
        if row["lat"] or row["lon"]:
            lat, lon = float(row["lat"]), float(row["lon"])
            assert -90 <= lat <= 90 and -180 <= lon <= 180
            assert row["precision"] in PRECISIONS, code
        else:
            assert row["precision"] == "", code
        if row["level"] != "commune":
            assert row["postcodes"] == "", code
        postcodes = row["postcodes"].split()
        assert postcodes == sorted(set(postcodes)), code


@pytest.mark.parametrize("country", ["fr", "be"])
def test_parents_exist_and_have_no_cycles(country: str) -> None:
    rows = load(country)
    roots = [code for code, row in rows.items() if not parents(row)]
    assert roots == [country]
    for code, row in rows.items():
        for parent in parents(row):
            assert parent in rows, f"{code}: unknown parent {parent}"
        assert code not in ancestors(rows, code), f"{code} is its own ancestor"
        assert country in ancestors(rows, code) or code == country


@pytest.mark.parametrize("country", ["fr", "be"])
def test_every_commune_has_a_centroid_and_a_postcode(country: str) -> None:
    rows = load(country)
    for code, row in rows.items():
        if row["level"] == "commune":
            assert row["lat"] and row["lon"] and row["precision"], code
            assert row["postcodes"], code


def test_french_counts() -> None:
    rows = load("fr")
    assert 34_000 <= count(rows, "commune") <= 35_500
    assert count(rows, "dep") == 101
    assert count(rows, "region") == 18
    assert 1_200 <= count(rows, "epci") <= 1_300
    assert count(rows, "country") == 1


def test_french_parent_levels() -> None:
    rows = load("fr")
    expected = {
        "commune": {"dep", "epci"},
        "epci": {"dep"},
        "dep": {"region"},
        "region": {"country"},
    }
    for code, row in rows.items():
        if row["level"] in expected:
            levels = {rows[p]["level"] for p in parents(row)}
            assert levels <= expected[row["level"]], code
            assert "dep" in levels or row["level"] != "commune", code
            assert sum(1 for p in parents(row) if rows[p]["level"] == "dep") <= 1 or row["level"] == "epci"


def test_french_key_facts() -> None:
    rows = load("fr")
    saint_etienne = rows["fr-commune-42218"]
    assert saint_etienne["name"] == "Saint-Étienne"
    assert "fr-dep-42" in parents(saint_etienne)
    assert parents(rows["fr-dep-42"]) == ["fr-region-84"]
    assert int(saint_etienne["population"]) > 150_000
    assert abs(float(saint_etienne["lat"]) - 45.43) < 0.1 and abs(float(saint_etienne["lon"]) - 4.39) < 0.1

    villeurbanne = rows["fr-commune-69266"]
    assert villeurbanne["name"] == "Villeurbanne"
    assert "fr-epci-200046977" in parents(villeurbanne)
    assert rows["fr-epci-200046977"]["name"] == "Métropole de Lyon"

    # Paris, Lyon and Marseille are communes; their arrondissements are not.
    for code, postcode in [("75056", "75001"), ("69123", "69003"), ("13055", "13008")]:
        assert postcode in rows[f"fr-commune-{code}"]["postcodes"].split()
    assert "fr-commune-75101" not in rows and "fr-commune-69381" not in rows

    # Corsica: lower-case codes.
    assert parents(rows["fr-commune-2a004"])[0] == "fr-dep-2a"
    assert parents(rows["fr-dep-2b"]) == ["fr-region-94"]

    # Guyane: Cayenne, in the CA du Centre Littoral (CACL, SIREN 249730045).
    cayenne = rows["fr-commune-97302"]
    assert cayenne["name"] == "Cayenne"
    assert set(parents(cayenne)) == {"fr-dep-973", "fr-epci-249730045"}
    assert "Centre Littoral" in rows["fr-epci-249730045"]["name"]
    assert parents(rows["fr-epci-249730045"]) == ["fr-dep-973"]
    assert parents(rows["fr-dep-973"]) == ["fr-region-03"]

    # Populations add up.
    communes_42 = [r for r in rows.values() if r["level"] == "commune" and "fr-dep-42" in parents(r)]
    assert int(rows["fr-dep-42"]["population"]) == sum(int(r["population"]) for r in communes_42)


def test_belgian_counts() -> None:
    rows = load("be")
    assert count(rows, "commune") == 565
    assert count(rows, "province") == 10
    assert count(rows, "region") == 3
    assert count(rows, "country") == 1


def test_belgian_key_facts() -> None:
    rows = load("be")
    for code, name, name_nl, postcode in [
        ("21015", "Schaerbeek", "Schaarbeek", "1030"),
        ("21009", "Ixelles", "Elsene", "1050"),
        ("21013", "Saint-Gilles", "Sint-Gillis", "1060"),
    ]:
        row = rows[f"be-commune-{code}"]
        assert (row["name"], row["name_nl"]) == (name, name_nl)
        assert postcode in row["postcodes"].split()
        assert parents(row) == ["be-region-04000"]
        assert abs(float(row["lat"]) - 50.84) < 0.1 and abs(float(row["lon"]) - 4.36) < 0.1
    assert parents(rows["be-region-04000"]) == ["be"]
    assert parents(rows["be-province-20001"]) == ["be-region-02000"]
    assert rows["be-commune-11002"]["name"] == "Anvers"
    assert rows["be-commune-11002"]["name_nl"] == "Antwerpen"
    for row in rows.values():
        if row["level"] == "commune":
            assert row["name_nl"], row["code"]
            assert len(parents(row)) == 1
            assert rows[parents(row)[0]]["level"] in {"province", "region"}


def test_french_populations_add_up() -> None:
    rows = load("fr")
    totals: dict[str, int] = {}
    for row in rows.values():
        if row["level"] != "commune":
            continue
        population = int(row["population"])
        dep = next(p for p in parents(row) if p.startswith("fr-dep-"))
        for code in {*parents(row), *ancestors(rows, dep)}:
            totals[code] = totals.get(code, 0) + population
    for code, row in rows.items():
        if row["level"] != "commune":
            assert int(row["population"]) == totals[code], code
