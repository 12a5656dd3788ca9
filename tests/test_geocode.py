"""Geocoding: the committed cache, the offline gazetteer geocoder, the online path, --write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from geopy.adapters import BaseSyncAdapter

from generator.cli import main
from generator.exchange import geocode as geo
from generator.registry.loader import load_registry

# Written against the command line's English words (the French ones: tests/test_cli_text.py).
pytestmark = pytest.mark.usefixtures("english")

SCHAERBEEK = (50.86760, 4.37371)  # the mini gazetteer's centroid of be-commune-21015
LYON = (45.74906, 4.84789)

# Two more sites for the mini project: one in Lyon (French, for the BAN), one in Paris,
# a commune the mini gazetteer does not know.
EXTRA_SITES = """  - id: alpha-lyon
    name: Antenne de Lyon
    address: {street: 10 Rue de la République, postcode: "69002", city: Lyon}
  - id: alpha-paris
    name: Antenne de Paris
    address: {street: 1 Rue de Rivoli, postcode: "75001", city: Paris}
services:
"""


@pytest.fixture
def project(mini: Path) -> Path:
    file = mini / "data" / "registry" / "alpha.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("services:\n", EXTRA_SITES, 1), encoding="utf-8")
    return mini


class CannedAdapter(BaseSyncAdapter):  # type: ignore[misc]
    """A geopy adapter that answers from canned JSON and records every request."""

    answers: ClassVar[dict[str, Any]] = {}
    requests: ClassVar[list[tuple[str, dict[str, str]]]] = []

    def __init__(self, *, proxies: Any = None, ssl_context: Any = None) -> None:
        super().__init__(proxies=proxies, ssl_context=ssl_context)

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        CannedAdapter.requests.append((url, headers))
        return CannedAdapter.answers[urlsplit(url).netloc]

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        return json.dumps(self.get_json(url, timeout=timeout, headers=headers))


def ban_answer(lat: float, lon: float, kind: str) -> dict[str, Any]:
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"label": "10 Rue de la République 69002 Lyon", "type": kind, "score": 0.9},
    }
    return {"type": "FeatureCollection", "features": [feature]}


def nominatim_answer(lat: float, lon: float, kind: str) -> list[dict[str, Any]]:
    return [{"lat": str(lat), "lon": str(lon), "display_name": "Rue Royale 1, Schaerbeek", "addresstype": kind}]


def canned(answers: dict[str, Any]) -> geo.OnlineGeocoders:
    CannedAdapter.answers = answers
    CannedAdapter.requests = []
    return geo.OnlineGeocoders.create("maillage-tests/1.0", adapter_factory=CannedAdapter, min_delay_seconds=0)


def test_offline_geocoder_answers_the_commune_centroid_with_its_precision(project: Path) -> None:
    registry = load_registry(project)
    geocoder = geo.GazetteerGeocoder(registry.gazetteer)
    found = geocoder.geocode("Rue Royale 1, 1030 Schaerbeek")
    assert found is not None and not isinstance(found, list)
    assert (found.latitude, found.longitude) == SCHAERBEEK
    assert found.raw == {"code": "be-commune-21015", "precision": "commune", "centroid": "postcode"}
    # Structured query, and a name alone.
    assert geocoder.geocode({"postalcode": "69002", "city": "Lyon"}).raw["code"] == "fr-commune-69123"
    # Two Saint-Denis and no postcode: no guess.
    assert geocoder.geocode("Saint-Denis") is None
    assert geocoder.geocode("Rue de Rivoli, 75001 Paris") is None


def test_offline_run_places_sites_at_their_commune_and_warns_about_unknown_places(project: Path) -> None:
    registry = load_registry(project)
    report = geo.geocode_sites(registry, {})
    assert report.counts == {"registry": 0, "cache": 0, "online": 0, "gazetteer": 2, "unplaced": 1}
    siege = report.entries["alpha-siege"]
    assert siege.address == "Rue Royale 1, 1030 Schaerbeek"
    assert siege.position == geo.Position(*SCHAERBEEK, "gazetteer", "commune")
    # Paris is in no territory the gazetteer knows: a warning, never a wrong point.
    assert "alpha-paris" not in report.entries
    [line] = geo.problem_lines(registry, report.problems, "en")
    assert line.startswith("data/registry/alpha.yaml:")
    assert "site 'alpha-paris': address '1 Rue de Rivoli, 75001 Paris' is in no known territory" in line
    assert line.endswith("[geocode]")
    assert "alpha-paris" not in geo.site_positions(registry, report.entries)


def test_cache_hit_is_used_without_asking_the_network(project: Path) -> None:
    registry = load_registry(project)
    cached = geo.CacheEntry(
        "alpha-siege", "Rue Royale 1, 1030 Schaerbeek", geo.Position(50.8669, 4.3674, "nominatim", "address")
    )
    geo.write_geocache(project, {"alpha-siege": cached})
    cache = geo.load_geocache(project)
    assert cache == {"alpha-siege": cached}
    # Only the Lyon site is not in the cache; a request to Nominatim would raise KeyError.
    online = canned({"api-adresse.data.gouv.fr": ban_answer(45.76, 4.836, "street")})
    report = geo.geocode_sites(load_registry(project), cache, online)
    assert report.entries["alpha-siege"] == cached
    assert report.counts["cache"] == 1
    assert [urlsplit(url).netloc for url, _ in CannedAdapter.requests] == ["api-adresse.data.gouv.fr"]
    # The build reads the cache: the site is drawn at the cached point.
    assert geo.site_positions(registry)["alpha-siege"] == cached.position


def test_cache_entry_of_a_moved_site_is_ignored(project: Path) -> None:
    registry = load_registry(project)
    moved = geo.CacheEntry("alpha-siege", "Avenue Louise 1, 1050 Ixelles", geo.Position(50.83, 4.36, "ban", "address"))
    assert geo.site_positions(registry, {"alpha-siege": moved})["alpha-siege"].precision == "commune"


def test_cache_file_is_sorted_and_stable(project: Path) -> None:
    entries = {
        "b": geo.CacheEntry("b", "x, 1000 Bruxelles", geo.Position(50.1234567, 4.1, "ban", "street")),
        "a": geo.CacheEntry("a", "y, 1030 Schaerbeek", geo.Position(50.5, 4.5, "gazetteer", "commune")),
    }
    text = geo.format_geocache(entries)
    assert text.splitlines() == [
        "site,address,lat,lon,source,precision",
        'a,"y, 1030 Schaerbeek",50.50000,4.50000,gazetteer,commune',
        'b,"x, 1000 Bruxelles",50.12346,4.10000,ban,street',
    ]


def test_online_path_with_canned_answers(project: Path) -> None:
    registry = load_registry(project)
    online = canned(
        {
            "api-adresse.data.gouv.fr": ban_answer(45.76, 4.836, "housenumber"),
            "nominatim.openstreetmap.org": nominatim_answer(50.8669, 4.3674, "building"),
        }
    )
    report = geo.geocode_sites(registry, {}, online)
    assert report.entries["alpha-lyon"].position == geo.Position(45.76, 4.836, "ban", "address")
    assert report.entries["alpha-siege"].position == geo.Position(50.8669, 4.3674, "nominatim", "address")
    assert report.counts["online"] == 2
    by_host = {urlsplit(url).netloc: (url, headers) for url, headers in CannedAdapter.requests}
    ban_url, _ = by_host["api-adresse.data.gouv.fr"]
    assert parse_qs(urlsplit(ban_url).query)["q"] == ["10 Rue de la République, 69002 Lyon"]
    nominatim_url, headers = by_host["nominatim.openstreetmap.org"]
    query = parse_qs(urlsplit(nominatim_url).query)
    assert query["postalcode"] == ["1030"] and query["countrycodes"] == ["be"]
    assert headers["User-Agent"] == "maillage-tests/1.0"


def test_online_answer_far_from_the_commune_is_rejected(project: Path) -> None:
    registry = load_registry(project)
    # A "Rue de la République" in Marseille, 280 km away: a homonym, not the site.
    online = canned(
        {
            "api-adresse.data.gouv.fr": ban_answer(43.30, 5.37, "housenumber"),
            "nominatim.openstreetmap.org": [],
        }
    )
    report = geo.geocode_sites(registry, {}, online)
    assert report.entries["alpha-lyon"].position == geo.Position(*LYON, "gazetteer", "commune")
    assert report.entries["alpha-siege"].position.source == "gazetteer"
    messages = {p.site: p.message.text("en") for p in report.problems}
    assert "km from Lyon, a homonym elsewhere" in messages["alpha-lyon"]
    assert "Nominatim found no such address" in messages["alpha-siege"]


def test_cli_writes_the_cache_and_yaml_only_with_write(project: Path) -> None:
    runner = CliRunner()
    file = project / "data" / "registry" / "alpha.yaml"
    before = file.read_text(encoding="utf-8")
    result = runner.invoke(main, ["-C", str(project), "geocode"])
    assert result.exit_code == 0, result.output
    assert "2 at their commune's centroid" in result.stdout
    assert "1 not placed" in result.stdout
    assert "alpha-paris" in result.stderr and "[geocode]" in result.stderr
    assert (project / "data" / "geocache.csv").read_text(encoding="utf-8").count("\n") == 3
    assert file.read_text(encoding="utf-8") == before  # never touched without --write
    # Commune centroids are not written into YAML: only house-number or street precision.
    result = runner.invoke(main, ["-C", str(project), "geocode", "--write"])
    assert file.read_text(encoding="utf-8") == before


def test_write_coordinates_keeps_comments_and_order(project: Path) -> None:
    file = project / "data" / "registry" / "alpha.yaml"
    before = file.read_text(encoding="utf-8")
    written = geo.write_coordinates(file, {"alpha-siege": geo.Position(50.866912, 4.367401, "ban", "address")})
    assert written == ["alpha-siege"]
    after = file.read_text(encoding="utf-8")
    assert after.startswith("# A hand-made organisation for tests")
    assert (
        '    address: {street: Rue Royale 1, postcode: "1030", city: Schaerbeek}\n'
        "    coordinates: {lat: 50.86691, lon: 4.3674}\n"
    ) in after
    # Nothing else changed, and the file still loads with the new coordinates.
    assert after.replace("    coordinates: {lat: 50.86691, lon: 4.3674}\n", "") == before
    site = load_registry(project).sites["alpha-siege"]
    assert site.coordinates is not None and site.coordinates.lat == 50.86691
    assert geo.write_coordinates(file, {"alpha-siege": geo.Position(1, 1, "ban", "address")}) == []
