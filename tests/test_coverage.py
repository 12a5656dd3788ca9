"""The coverage engine ("zones grises") and ``maillage gaps``.

The mini fixture, with one more service written into the test's copy (``gamma``: 16–30
years, roofless, the whole Rhône département), pins exact gaps, partial cells and
overlaps: gamma overlaps the Métropole de Lyon's service through a parent territory, and
its age range straddles three bands. The fixture's two Brussels services state no housing
situation: they are "à vérifier" (``unknown``) wherever their age range does not exclude
the segment, never coverage.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.analysis.coverage import (
    FULL,
    NONE,
    PARTIAL,
    UNKNOWN,
    Coverage,
    CoverageError,
    admission,
    age_admission,
    compute_coverage,
    coverage_with_communes,
    geography,
    public_segments,
    select_services,
    to_csv,
    to_geojson,
    to_json,
    to_table,
    uncovered_segments,
    unknown_criteria,
    unknown_segments,
)
from generator.cli import main
from generator.registry.loader import Registry, check_registry, for_audience, load_registry
from generator.registry.territories import Gazetteer, Territory
from generator.site.context import Asset, GeneratedPage, SiteConfig, SiteContext
from generator.site.gaps_page import gaps_pages
from generator.site.gaps_page import report as gaps_report
from generator.synth import synthesize

from .conftest import ROOT, compare_golden

GOLDEN = Path(__file__).parent / "golden" / "gaps"

GAMMA = """\
id: gamma
name: Gamma
services:
  - id: gamma-outreach
    name: Maraude jeunes adultes du Rhône
    needs: [mental-health, homelessness]
    functions: [mobile-team]
    objective: Aller vers les jeunes adultes à la rue.
    public:
      age: {min: 16, max: 30}
      area: [fr-dep-69]
      area_approximate: true
      housing: [roofless]
    capacity: {places: 40}
    sources: [fixture-source]
    verified: 2023-03-01
"""


@pytest.fixture
def registry(mini: Path) -> Registry:
    (mini / "data" / "registry" / "gamma.yaml").write_text(GAMMA, encoding="utf-8")
    return load_registry(mini)


@pytest.fixture(scope="module")
def real() -> Registry:
    return load_registry(ROOT)


def service(registry: Registry, service_id: str) -> object:
    return registry.services[service_id]


# --- criteria ------------------------------------------------------------------------------


def test_segments_are_bands_times_housing(registry: Registry) -> None:
    keys = [s.key for s in public_segments(registry)]
    assert len(keys) == 20
    assert keys[:6] == [
        "0-17/roofless",
        "0-17/houseless",
        "0-17/insecure",
        "0-17/inadequate",
        "0-17/housed",
        "18-24/roofless",
    ]
    assert keys[-1] == "60+/housed"


@pytest.mark.parametrize(
    ("service_id", "expected"),
    [
        # max 23: the minors fully, 18-24 only in part, no adult band.
        ("alpha-youth", {"0-17": FULL, "18-24": PARTIAL, "25-59": NONE, "60+": NONE}),
        # min 18, open end: every adult band fully, including the open 60+.
        ("alpha-adults", {"0-17": NONE, "18-24": FULL, "25-59": FULL, "60+": FULL}),
        # 16-30 straddles three bands.
        ("gamma-outreach", {"0-17": PARTIAL, "18-24": FULL, "25-59": PARTIAL, "60+": NONE}),
    ],
)
def test_age_bands(registry: Registry, service_id: str, expected: dict[str, int]) -> None:
    segments = {s.band: s for s in public_segments(registry) if s.housing == "housed"}
    service = registry.services[service_id]
    for band, level in expected.items():
        assert age_admission(service, segments[band]) == level, band


def test_an_unstated_criterion_is_to_check_never_coverage(registry: Registry) -> None:
    by_key = {s.key: s for s in public_segments(registry)}
    beta = registry.services["beta-housing-first"]
    adults = registry.services["alpha-adults"]  # 18+, housing not stated
    youth = registry.services["alpha-youth"]  # up to 23, housing not stated
    assert admission(beta, by_key["25-59/roofless"], registry) == FULL
    assert admission(beta, by_key["25-59/houseless"], registry) == FULL
    assert admission(beta, by_key["25-59/insecure"], registry) == NONE
    # The unstated housing: à vérifier for every housing situation of an admitted band...
    assert all(admission(adults, by_key[f"25-59/{h}"], registry) == UNKNOWN for h in registry.vocabularies.housing)
    # ...but a known criterion that excludes wins: the adults' service is not for minors.
    assert all(admission(adults, by_key[f"0-17/{h}"], registry) == NONE for h in registry.vocabularies.housing)
    # A partial age with an unstated housing is à vérifier, not partial.
    assert admission(youth, by_key["18-24/housed"], registry) == UNKNOWN
    assert unknown_criteria(adults) == ("housing",)
    assert unknown_criteria(beta) == ()


def test_an_unstated_age_is_to_check(registry: Registry) -> None:
    no_age = registry.services["beta-housing-first"].model_copy(
        update={"public": registry.services["beta-housing-first"].public.model_copy(update={"age": None})}
    )
    by_key = {s.key: s for s in public_segments(registry)}
    assert age_admission(no_age, by_key["0-17/roofless"]) == UNKNOWN
    assert admission(no_age, by_key["0-17/roofless"], registry) == UNKNOWN
    assert admission(no_age, by_key["0-17/insecure"], registry) == NONE  # the housing list excludes
    assert unknown_criteria(no_age) == ("age",)


# --- the mini registry, exactly ------------------------------------------------------------


def cell(coverage: Coverage, code: str, segment: str) -> tuple[list[str], list[str], list[str]]:
    found = coverage.cell(code, segment)
    return list(found.services), list(found.partial), list(found.unknown)


def test_communes_exact_cells(registry: Registry) -> None:
    c = compute_coverage(registry, level="commune")
    assert [t.code for t in c.territories] == sorted(t.code for t in registry.gazetteer if t.level == "commune")
    # Overlap through parent territories: beta names the Métropole, gamma the département.
    assert cell(c, "fr-commune-69266", "18-24/roofless") == (["beta-housing-first", "gamma-outreach"], [], [])
    assert c.cell("fr-commune-69266", "18-24/roofless").status == "overlap"
    assert cell(c, "fr-commune-69123", "25-59/roofless") == (["beta-housing-first"], ["gamma-outreach"], [])
    assert c.cell("fr-commune-69123", "25-59/roofless").status == "covered"
    assert cell(c, "fr-commune-69123", "0-17/roofless") == ([], ["gamma-outreach"], [])
    assert c.cell("fr-commune-69123", "0-17/roofless").status == "partial"
    assert cell(c, "fr-commune-69123", "25-59/houseless") == (["beta-housing-first"], [], [])
    assert cell(c, "fr-commune-69123", "25-59/housed") == ([], [], [])
    # Brussels: the region-wide adults' service reaches every commune through its parent,
    # but states no housing situation: à vérifier, an "à vérifier" gap.
    assert cell(c, "be-commune-21009", "18-24/housed") == ([], [], ["alpha-adults", "alpha-youth"])
    assert c.cell("be-commune-21009", "18-24/housed").status == "unknown"
    assert c.cell("be-commune-21009", "18-24/housed").is_gap
    assert cell(c, "be-commune-21009", "0-17/housed") == ([], [], ["alpha-youth"])
    assert cell(c, "be-commune-21015", "18-24/housed") == ([], [], ["alpha-adults"])
    # The adults' service is not à vérifier for minors: its age range excludes them.
    assert cell(c, "be-commune-21015", "0-17/housed") == ([], [], [])
    assert c.cell("be-commune-21015", "0-17/housed").status == "gap"
    # A commune no service names, nor any of its ancestors: a gap for every segment.
    assert all(x.status == "gap" for x in c.territory("fr-commune-42218").cells)


def test_higher_level_rows_and_areas_below(registry: Registry) -> None:
    c = compute_coverage(registry, level="dep")
    # Brussels has no province: its communes form the row of their region.
    assert [t.code for t in c.territories] == [
        "be-region-04000",
        "fr-dep-42",
        "fr-dep-69",
        "fr-dep-93",
        "fr-dep-974",
    ]
    # gamma names the département itself; beta's Métropole lies inside it: partly.
    assert cell(c, "fr-dep-69", "18-24/roofless") == (["gamma-outreach"], ["beta-housing-first"], [])
    assert cell(c, "fr-dep-69", "25-59/houseless") == ([], ["beta-housing-first"], [])
    # alpha-youth names two of the 19 communes and states no housing: à vérifier, whether
    # its area reaches the whole region or a part of it.
    assert cell(c, "be-region-04000", "0-17/insecure") == ([], [], ["alpha-youth"])
    assert cell(c, "be-region-04000", "18-24/insecure") == ([], [], ["alpha-adults", "alpha-youth"])
    epci = compute_coverage(registry, level="epci", scope=["fr-dep-69"])
    assert [t.code for t in epci.territories] == ["fr-epci-200046977"]
    assert cell(epci, "fr-epci-200046977", "18-24/roofless") == (["beta-housing-first", "gamma-outreach"], [], [])


def test_population_weighted_summary(registry: Registry) -> None:
    c = compute_coverage(registry, level="dep", scope=["fr"])
    rhone = c.territory("fr-dep-69")
    assert rhone.population == 519127 + 163684
    assert rhone.covered_population[c.index("25-59/roofless")] == 519127 + 163684
    summary = {g.segment: g for g in c.summary.segments}
    french = 35646 + 173136 + 519127 + 163684 + 149077 + 155634
    assert c.summary.population == french
    assert summary["25-59/roofless"].covered_population == 519127 + 163684
    assert summary["25-59/roofless"].covered_population_share == pytest.approx((519127 + 163684) / french)
    assert summary["18-24/roofless"].overlap_territories == 0  # at dep level, beta is partial
    assert summary["25-59/housed"].uncovered_territories == 4
    assert summary["25-59/housed"].unknown_territories == 0
    assert summary["0-17/roofless"].partial_only_territories == 1
    assert "25-59/housed" in c.summary.uncovered_everywhere
    assert "0-17/roofless" not in c.summary.uncovered_everywhere
    assert c.summary.unknown_only == ()  # no French service of the fixture leaves a criterion unstated
    assert summary["25-59/roofless"].unknown_population == 0
    # With Brussels, where alpha-adults states no housing: one more row, an à vérifier gap.
    both = {g.segment: g for g in compute_coverage(registry, level="dep").summary.segments}
    assert both["25-59/housed"].uncovered_territories == 5
    assert both["25-59/housed"].unknown_territories == 1
    assert "25-59/housed" in compute_coverage(registry, level="dep").summary.unknown_only
    # Capacity: beta's 100 places over the Métropole's 1,436,354 inhabitants, gamma's 40
    # over the Rhône's 2,000,981 (gazetteer figures), both reaching Lyon and Villeurbanne.
    expected = (100 / 1436354 + 40 / 2000981) * 100_000
    assert rhone.places_per_100k == pytest.approx(expected)
    assert c.territory("fr-dep-42").places_per_100k == 0
    assert c.summary.places == 140
    assert c.summary.date is not None and c.summary.date.isoformat() == "2024-01-17"
    assert c.summary.oldest_verified is not None and c.summary.oldest_verified.isoformat() == "2022-06-07"


def test_unknown_population_is_apart_from_covered(registry: Registry) -> None:
    # A French service that states no housing, for the whole Loire: à vérifier there,
    # and its inhabitants counted apart from the covered ones.
    loire = registry.services["gamma-outreach"].model_copy(
        update={
            "id": "loire-unknown",
            "public": registry.services["gamma-outreach"].public.model_copy(
                update={"housing": None, "area": ["fr-dep-42"]}
            ),
        }
    )
    services = dict(registry.services)
    services["loire-unknown"] = loire
    patched = dataclasses.replace(registry, services=services)
    c = compute_coverage(patched, level="dep", scope=["fr"])
    j = c.index("18-24/housed")
    loire_row = c.territory("fr-dep-42")
    assert loire_row.cells[j].status == "unknown"
    assert loire_row.cells[j].unknown == ("loire-unknown",)
    assert loire_row.unknown_population[j] == loire_row.population
    assert loire_row.covered_population[j] == 0
    g = c.summary.segments[j]
    assert g.unknown_population == loire_row.population
    assert g.covered_population == 0
    # Where a service covers fully, its inhabitants are covered, not à vérifier too.
    k = c.index("18-24/roofless")
    assert c.territory("fr-dep-42").cells[k].unknown == ("loire-unknown",)
    assert c.territory("fr-dep-69").unknown_population[k] == 0


def test_belgian_population_is_unknown(registry: Registry) -> None:
    c = compute_coverage(registry, level="commune", scope=["be"])
    assert c.summary.population is None
    assert c.summary.communes_without_population == 4
    assert all(g.covered_population_share is None for g in c.summary.segments)
    assert c.territory("be-commune-21015").population is None


def test_filters_and_scope(registry: Registry) -> None:
    c = compute_coverage(registry, need="homelessness", level="commune", scope=["fr-commune-69123"])
    assert c.summary.services == ("beta-housing-first", "gamma-outreach")
    assert [t.code for t in c.territories] == ["fr-commune-69123"]
    youth = compute_coverage(registry, function="clinical-case-management", level="region", scope=["be"])
    assert cell(youth, "be-region-04000", "0-17/housed") == ([], [], ["alpha-youth"])
    with pytest.raises(CoverageError, match="code de territoire « fr-dep-99 » inconnu"):
        compute_coverage(registry, scope=["fr-dep-99"])


def test_uncovered_segments(registry: Registry) -> None:
    every = [s.key for s in public_segments(registry)]
    assert uncovered_segments(registry, "fr-commune-42218") == every
    assert unknown_segments(registry, "fr-commune-42218") == []
    # Brussels: both services state no housing: nothing is known to be covered, and
    # everything they do not exclude by age is à vérifier.
    assert uncovered_segments(registry, "be-commune-21009") == every
    assert unknown_segments(registry, "be-commune-21009") == every
    assert uncovered_segments(registry, "be-commune-21015") == every
    schaerbeek = unknown_segments(registry, "be-commune-21015")
    assert schaerbeek == [key for key in every if not key.startswith("0-17/")]
    # At département level, a service inside it counts: partly covered is not uncovered.
    rhone = uncovered_segments(registry, "fr-dep-69")
    assert "25-59/roofless" not in rhone and "25-59/houseless" not in rhone
    assert "25-59/housed" in rhone


def test_straddling_epci_does_not_lend_its_departements() -> None:
    """An EPCI with members in two départements: a service for one does not cover the other's communes."""

    def t(code: str, level: str, parents: str, population: int | None = 10) -> Territory:
        return Territory(code, level, code, "", tuple(parents.split()), (), population, 1.0, 1.0, "")

    gazetteer = Gazetteer(
        [
            t("fr", "country", ""),
            t("fr-region-1", "region", "fr"),
            t("fr-dep-1", "dep", "fr-region-1"),
            t("fr-dep-2", "dep", "fr-region-1"),
            t("fr-epci-1", "epci", "fr-dep-1 fr-dep-2"),
            t("fr-commune-1", "commune", "fr-dep-1 fr-epci-1"),
            t("fr-commune-2", "commune", "fr-dep-2 fr-epci-1"),
        ]
    )
    geo = geography(gazetteer)
    assert "fr-dep-1" not in geo.containing("fr-commune-2")
    assert geo.containing("fr-commune-2") == {"fr-commune-2", "fr-epci-1", "fr-dep-2", "fr-region-1", "fr"}
    assert geo.containing("fr-epci-1") == {"fr-epci-1"}
    assert {"fr-dep-1", "fr-dep-2"} <= geo.touching("fr-epci-1")
    assert geo.unit("fr-commune-2", "dep") == "fr-dep-2"
    assert geo.unit("fr-commune-2", "epci") == "fr-epci-1"


# --- output formats (golden) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("commune.json", ["--level", "commune", "--format", "json"]),
        ("dep.json", ["--level", "dep", "--format", "json"]),
        ("dep.csv", ["--level", "dep", "--format", "csv"]),
        ("dep.table", ["--level", "dep"]),
        ("rhone-communes.geojson", ["--level", "commune", "--scope", "Rhône", "--format", "geojson"]),
        ("homelessness-region.table", ["--need", "homelessness", "--level", "region"]),
    ],
)
def test_cli_golden(mini: Path, registry: Registry, name: str, args: list[str], update_goldens: bool) -> None:
    result = CliRunner().invoke(main, ["-C", str(mini), "gaps", *args])
    assert result.exit_code == 0, result.output
    compare_golden(GOLDEN / name, result.stdout, update_goldens)


def test_json_matches_design_shape(registry: Registry) -> None:
    data = to_json(compute_coverage(registry, level="commune"))
    assert set(data) == {"segments", "territories", "summary"}
    first = data["territories"][0]
    assert {"code", "name", "population", "segments"} <= set(first)
    assert set(first["segments"]) == set(data["segments"])
    assert set(first["segments"]["0-17/housed"]) == {"services", "partial", "unknown"}
    # Each service in at most one of the three lists, everywhere.
    for territory in data["territories"]:
        for found in territory["segments"].values():
            ids = found["services"] + found["partial"] + found["unknown"]
            assert len(ids) == len(set(ids)), territory["code"]
    json.dumps(data)  # plain JSON types only


def test_formats_agree(registry: Registry) -> None:
    c = compute_coverage(registry, level="dep")
    rows = to_csv(c).splitlines()
    assert len(rows) == 1 + len(c.territories) * 20
    assert "fr-dep-69,Rhône,dep,682811,18-24/roofless,covered,gamma-outreach,beta-housing-first," in to_csv(c)
    features = to_geojson(c)["features"]
    rhone = next(f for f in features if f["properties"]["code"] == "fr-dep-69")
    assert rhone["properties"]["18-24/roofless"] == 1
    assert rhone["properties"]["18-24/roofless:partial"] == 1
    assert rhone["properties"]["18-24/roofless:unknown"] == 0
    brussels = next(f for f in features if f["properties"]["code"] == "be-region-04000")
    assert brussels["properties"]["25-59/housed:unknown"] == 1
    assert brussels["properties"]["gaps"] == 20  # no service is known to cover any segment
    # of which à vérifier: all (alpha-youth, à vérifier for minors, has communes inside)
    assert brussels["properties"]["unknown_gaps"] == 20
    assert "be-region-04000,Bruxelles-Capitale" in to_csv(c) or "be-region-04000," in to_csv(c)
    assert ",25-59/housed,unknown,,,alpha-adults," in to_csv(c)
    assert rhone["geometry"]["coordinates"] == [4.67228, 45.82632]
    assert "Rhône" in to_table(c)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--need", "mental-helth"], "--need : terme inconnu « mental-helth » (vouliez-vous dire « mental-health » ?)"),
        (["--function", "nope"], "--function : terme inconnu « nope »"),
        (["--scope", "Atlantis"], "--scope : aucun territoire ne s'appelle « Atlantis »"),
        (["--scope", "Saint-Denis"], "--scope : « Saint-Denis » désigne plusieurs territoires ; choisissez-en un :"),
    ],
)
def test_cli_errors(mini: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["-C", str(mini), "gaps", *args])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.startswith(message)


# --- the shipped registry ------------------------------------------------------------------


def test_real_villeurbanne_roofless_adult_mental_health(real: Registry) -> None:
    # The sources give no age limits for Un chez-soi d'abord: à vérifier, for adults too.
    c = compute_coverage(real, need="mental-health", level="commune", scope=["fr-commune-69266"])
    assert "ucsd-lyon" in c.cell("fr-commune-69266", "25-59/roofless").unknown
    assert "ucsd-lyon" not in c.cell("fr-commune-69266", "25-59/roofless").services


def test_real_schaerbeek_roofless_adult(real: Registry) -> None:
    c = compute_coverage(real, level="commune", scope=["be-commune-21015"])
    full = c.cell("be-commune-21015", "25-59/roofless").services
    assert "em107-precarite" in full
    assert "25-59/roofless" not in uncovered_segments(real, "be-commune-21015")


def test_real_commune_without_service_is_a_gap(real: Registry) -> None:
    # L'Abergement-Clémenciat (Ain): no service names it, its EPCI, département or region.
    code = "fr-commune-01001"
    c = compute_coverage(real, level="commune", scope=[code])
    assert all(x.status == "gap" for x in c.territory(code).cells)
    assert uncovered_segments(real, code) == [s.key for s in public_segments(real)]


def test_real_national_departement_level(real: Registry) -> None:
    c = compute_coverage(real, need="mental-health", level="dep")
    codes = {t.code for t in c.territories}
    assert "be-region-04000" in codes and "be-province-20001" in codes and "fr-dep-69" in codes
    assert c.summary.communes > 35_000
    assert c.cell("fr-dep-69", "25-59/roofless").partial == ()
    assert c.cell("fr-dep-69", "25-59/roofless").unknown == ("ucsd-lyon",)
    assert "ucsd-saint-etienne" in c.summary.approximate_areas
    assert "ucsd-lyon" not in c.summary.approximate_areas


# --- the gap report page -------------------------------------------------------------------


def report(registry: Registry, lang: str = "fr") -> dict[str, GeneratedPage | Asset]:
    ctx = SiteContext(for_audience(registry, "public"), SiteConfig(), lang=lang, root=registry.root)
    return {item.uri: item for item in gaps_pages(ctx)}


def text(item: GeneratedPage | Asset) -> str:
    return item.content if isinstance(item, GeneratedPage) else item.content.decode("utf-8")


def test_report_pages_and_downloads(registry: Registry) -> None:
    items = report(registry)
    assert "gaps/index.md" in items
    assert "gaps/needs/homelessness/index.md" in items
    assert "gaps/functions/mobile-team/index.md" in items
    # A need no service meets gets no page: the overview names it instead.
    assert "gaps/needs/hoarding/index.md" not in items
    assert "fonction « " in text(items["gaps/index.md"]) or "besoin « " in text(items["gaps/index.md"])
    assert "assets/maillage/sortable.js" in items
    # One commune file for the whole report, none per analysis.
    assert not any(uri.endswith("-communes.csv") for uri in items)
    communes = list(csv.reader(io.StringIO(text(items["gaps/data/communes.csv"]))))
    assert communes[0][:11] == [
        "analysis",
        "unit",
        "code",
        "name",
        "communes",
        "population",
        "places_per_100k",
        "lat",
        "lon",
        "services",
        "unknown_services",
    ]
    homelessness = [row for row in communes[1:] if row[0] == "need-homelessness"]
    # Only the départements a service reaches: the Rhône's rest (gamma, département-wide;
    # the fixture's gazetteer has no other Rhône commune), then Lyon and Villeurbanne,
    # which beta reaches on its own and which list only what they add to the rest.
    assert [row[2] for row in homelessness] == ["fr-dep-69", "fr-commune-69123", "fr-commune-69266"]
    assert [row[4] for row in homelessness] == ["0", "1", "1"]
    # Service ids are named on the rows of the analysis of all services only.
    assert [row[9] for row in homelessness] == ["", "", ""]
    everything = {row[2]: row for row in communes[1:] if row[0] == "all"}
    assert everything["fr-dep-69"][9] == "gamma-outreach"
    assert everything["fr-commune-69266"][9] == "beta-housing-first"
    # 18-24 roofless in Villeurbanne: gamma and beta fully.
    assert homelessness[2][communes[0].index("18-24/roofless")] == "2"
    # Départements: one row each, a column pair per public (18-24 roofless in the Rhône:
    # gamma fully, beta partly, Lyon and Villeurbanne only).
    departements = list(csv.reader(io.StringIO(text(items["gaps/data/all-departements.csv"]))))
    rhone = next(row for row in departements if row[0] == "fr-dep-69")
    assert rhone[:5] == ["fr-dep-69", "Rhône", "dep", "682811", "8.96"]  # gamma 5.86 + beta 3.10
    assert rhone[7] == "gamma-outreach"
    column = departements[0].index("18-24/roofless")
    assert rhone[column : column + 2] == ["1", "1"]
    geojson = json.loads(text(items["gaps/data/all-departements.geojson"]))
    assert {f["properties"]["code"] for f in geojson["features"]} == {
        "be-region-04000",
        "fr-dep-42",
        "fr-dep-69",
        "fr-dep-93",
        "fr-dep-974",
    }
    # Other languages get the pages, not a second copy of the downloads.
    dutch = report(registry, "nl")
    assert "nl/gaps/index.md" in dutch
    assert not any(isinstance(item, Asset) for item in dutch.values())


def test_report_states_date_freshness_and_approximate_areas(registry: Registry) -> None:
    page = text(report(registry)["gaps/index.md"])
    # Dates in words (issue 19): the headline's last sentence.
    assert "Données au 17 janvier 2024 ; services vérifiés entre le 7 juin 2022 et le 17 janvier 2024." in page
    assert "Maraude jeunes adultes du Rhône ≈" in page
    # The Rhône row: gamma (approximate area) covers 18-24 roofless fully, beta partly.
    row = next(line for line in page.splitlines() if line.startswith('<tr id="fr-dep-69">'))
    assert '<td class="maillage-gaps-covered" data-sort="1">1 ≈</td>' in row
    # The services behind the cell, named and linked under the table (not in a hover title).
    assert (
        "<li>18-24 ans · Roofless — Entièrement : "
        '<a href="../services/gamma-outreach/">Maraude jeunes adultes du Rhône</a>; '
        'En partie : <a href="../services/beta-housing-first/">Logement d&#x27;abord Lyon</a></li>'
    ) in page
    assert '<a href="../territories/fr-dep-69/">Rhône</a>' in row
    assert '<script src="../assets/maillage/sortable.js"></script>' in page
    sub = text(report(registry)["gaps/needs/homelessness/index.md"])
    assert '<script src="../../../assets/maillage/sortable.js"></script>' in sub
    assert 'href="../../data/communes.csv"' in sub
    assert "<li>0-17 ans · Housed</li>" in sub  # uncovered everywhere (the fixture's labels are English)
    assert "<li>0-17 ans · Roofless</li>" not in sub  # gamma covers minors in part


def test_report_is_reproducible(registry: Registry) -> None:
    first = {uri: text(item) for uri, item in report(registry).items()}
    second = {uri: text(item) for uri, item in report(load_registry(registry.root)).items()}
    assert first == second


def test_real_report_is_bounded(real: Registry) -> None:
    items = report(real)
    pages = {uri: text(item) for uri, item in items.items() if uri.endswith(".md")}
    assert len(pages) > 10
    for uri, page in pages.items():
        # Départements and provinces in the HTML, never the 35,000 communes.
        assert len(page) < 500_000, uri
        assert "fr-commune-" not in page, uri
        assert page.count('<tr id="') <= 112, uri
        assert '<script src="http' not in page and "cdn" not in page.lower(), uri
    total = sum(len(item.content) for item in items.values())
    assert total < 40_000_000
    communes = text(items["gaps/data/communes.csv"])
    assert len(communes) < 2_000_000
    villeurbanne = next(line for line in communes.splitlines() if line.startswith("all,fr-dep-69,fr-commune-69266,"))
    assert "ucsd-lyon" in villeurbanne  # à vérifier: in unknown_services


@pytest.mark.parametrize("need", [None, "mental-health"])
def test_commune_rows_match_commune_level(real: Registry, need: str | None) -> None:
    # Every commune of a reached territory gets exactly its commune-level cells: from its
    # own row, or from its territory's rest row; the others are gaps everywhere.
    units, rows = coverage_with_communes(real, need=need, level="dep")
    assert units == compute_coverage(real, need=need, level="dep")
    communes = compute_coverage(real, need=need, level="commune")
    units_of = geography(real.gazetteer).units("dep")
    positions = {c.code: i for i, c in enumerate(geography(real.gazetteer).communes)}
    own = {row.code: row for row in rows if not row.rest}
    rest = {row.unit: row for row in rows if row.rest}
    counted = dict.fromkeys(rest, 0)
    for t in communes.territories:
        unit = units_of[positions[t.code]]
        row = own.get(t.code)
        if row is None and unit in rest:
            row = rest[unit]
            counted[unit] += 1
        if row is None:
            assert all(c.status == "gap" for c in t.cells), t.code
            continue
        assert row.cells == t.cells, t.code
        assert set(row.services) | set(rest[unit].services) == {i for c in t.cells for i in c.services}
    assert counted == {unit: row.communes for unit, row in rest.items()}
    assert sum(row.communes for row in rows) < communes.summary.communes


def test_report_is_computed_once_per_registry(registry: Registry) -> None:
    public = for_audience(registry, "public")
    first = gaps_report(public, ())
    assert gaps_report(public, ()) is first
    # Another language's pages reuse it: same analyses, no downloads of its own.
    ctx = SiteContext(public, SiteConfig(), lang="en", root=registry.root)
    assert not [item for item in gaps_pages(ctx) if isinstance(item, Asset)]
    assert gaps_report(public, ()) is first


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    out = tmp_path_factory.mktemp("synth") / "project"
    synthesize(1500, out, project=ROOT, seed=5)
    registry, problems = check_registry(out)
    assert registry is not None, "\n".join(str(p) for p in problems[:20])
    return registry


def test_cells_name_the_services_a_plain_reading_of_areas_and_criteria_finds(synthetic: Registry) -> None:
    # A hundred services reach some of these communes: their cells are decoded from masks
    # of many set bits, and must name exactly what a service-by-service reading does.
    registry = synthetic
    geo = geography(registry.gazetteer)
    segments = public_segments(registry)
    services = select_services(registry)
    scope = ("fr-dep-75", "fr-dep-13", "be-region-04000")
    coverage = compute_coverage(registry, level="commune", scope=scope)
    assert len(coverage.territories) > 40
    widest = 0
    for t in coverage.territories:
        inside = geo.containing(t.code)
        reaching = [s for s in services if inside.intersection(s.public.area)]
        for segment, cell in zip(segments, t.cells, strict=True):
            levels = {s.id: admission(s, segment, registry) for s in reaching}
            assert cell.services == tuple(i for i, level in levels.items() if level == FULL), (t.code, segment.key)
            assert cell.partial == tuple(i for i, level in levels.items() if level == PARTIAL)
            assert cell.unknown == tuple(i for i, level in levels.items() if level == UNKNOWN)
            widest = max(widest, len(cell.services), len(cell.partial), len(cell.unknown))
            assert (cell.full_count, cell.partial_count, cell.unknown_count) == (
                len(cell.services),
                len(cell.partial),
                len(cell.unknown),
            )
    assert widest >= 64  # the decoding of masks with many bits was exercised
