"""Coordinates of sites: the committed geocoding cache, an offline geocoder, the online ones.

A site's position comes, in this order, from the ``coordinates`` a maintainer wrote in its
YAML (precision ``exact``), from the committed cache ``data/geocache.csv`` (filled by
``maillage geocode``), or from the centroid of its commune in the gazetteer. Builds read
only these: they never call the network, so every build of the same data draws the same
map.

``maillage geocode`` fills the cache. Offline it uses ``GazetteerGeocoder``, a geopy
``Geocoder`` over the gazetteer (postcode and commune centroids); with ``--online`` it asks
the French national address base (geopy ``BANFrance``) for French addresses and Nominatim
for the others, through geopy's ``RateLimiter`` and with a user agent that names the
project, as both services' policies require.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geopy.adapters import AdapterHTTPError, BaseAdapter
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import BANFrance, Nominatim
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location

from ..locale import speaking, t
from ..registry.loader import Registry, locate_address
from ..registry.models import Site
from ..registry.problems import Message, Problem, literal, msg
from ..registry.territories import Gazetteer, Territory

CACHE_PATH = "data/geocache.csv"
CACHE_COLUMNS = ("site", "address", "lat", "lon", "source", "precision")

# From the most to the least precise. ``exact``: written by a maintainer; ``address``: a
# house number; ``street``: the street; ``locality``: a named place or district;
# ``commune``: the commune's centroid (the main settlement, see data/territories/README.md).
PRECISIONS = ("exact", "address", "street", "locality", "commune")

USER_AGENT = "maillage/0.1 (open-source directory of social and mental-health services)"

# An online answer farther than this from the centroid of the commune the address names
# is a homonym elsewhere (a "Rue de la Gare" in another town), not the site.
MAX_DISTANCE_KM = 25.0


@dataclass(frozen=True)
class Position:
    """Where a site is drawn, with where the point comes from and how precise it is."""

    lat: float
    lon: float
    source: str  # "registry", "gazetteer", "ban", "nominatim"
    precision: str  # one of PRECISIONS


@dataclass(frozen=True)
class CacheEntry:
    """One row of ``data/geocache.csv``: valid while the site's address stays the same."""

    site: str
    address: str
    position: Position


@dataclass(frozen=True)
class GeocodeProblem:
    """A site that could not be placed, or whose online answer was rejected."""

    site: str
    message: Message


class _Refused(Exception):
    """An online answer we do not take, and why (put into words when printed)."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.text("en"))
        self.message = message


@dataclass(frozen=True)
class GeocodeReport:
    """What ``geocode_sites`` did: the new cache and how each site was placed."""

    entries: dict[str, CacheEntry]
    counts: dict[str, int]  # "registry", "cache", "online", "gazetteer", "unplaced"
    problems: tuple[GeocodeProblem, ...]


def address_text(site: Site) -> str:
    """The address as one line, the key under which its geocoding is cached."""
    if site.address is None:
        return ""
    address = site.address
    place = " ".join(p for p in (address.postcode, address.city) if p)
    return ", ".join(p for p in (address.street, place) if p)


def load_geocache(root: Path) -> dict[str, CacheEntry]:
    """The committed cache, by site id; an absent file is an empty cache."""
    file = root / CACHE_PATH
    if not file.exists():
        return {}
    entries: dict[str, CacheEntry] = {}
    with file.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                position = Position(float(row["lat"]), float(row["lon"]), row["source"], row["precision"])
            except (KeyError, TypeError, ValueError) as exc:
                reason = t("cli.geocode.unreadable_row", speaking(), reason=str(exc))
                raise ValueError(f"{CACHE_PATH}:{line}:1: {reason}") from exc
            entries[row["site"]] = CacheEntry(row["site"], row["address"], position)
    return entries


def format_geocache(entries: Mapping[str, CacheEntry]) -> str:
    """The cache file's text: sorted by site id, 5 decimals (about a metre), so diffs stay small."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CACHE_COLUMNS)
    for site_id in sorted(entries):
        entry = entries[site_id]
        p = entry.position
        writer.writerow([site_id, entry.address, f"{p.lat:.5f}", f"{p.lon:.5f}", p.source, p.precision])
    return out.getvalue()


def write_geocache(root: Path, entries: Mapping[str, CacheEntry]) -> None:
    """Write the cache file (through a temporary file, so an interrupted run loses nothing)."""
    file = root / CACHE_PATH
    temporary = file.with_suffix(".csv.tmp")
    temporary.write_text(format_geocache(entries), encoding="utf-8")
    temporary.replace(file)


def centroid(territory: Territory | None) -> tuple[float, float] | None:
    """A territory's centroid, or None where the gazetteer has none."""
    if territory is None or territory.lat is None or territory.lon is None:
        return None
    return territory.lat, territory.lon


def site_positions(registry: Registry, cache: Mapping[str, CacheEntry] | None = None) -> dict[str, Position]:
    """Where to draw each site that can be placed: YAML coordinates, else cache, else commune.

    A cache entry counts only while the site's address is the one that was geocoded: a
    maintainer who moves a site gets the commune centroid until ``maillage geocode`` runs.
    """
    cache = cache if cache is not None else load_geocache(registry.root)
    positions: dict[str, Position] = {}
    for site_id, site in registry.sites.items():
        if site.coordinates is not None:
            positions[site_id] = Position(site.coordinates.lat, site.coordinates.lon, "registry", "exact")
            continue
        entry = cache.get(site_id)
        if entry is not None and entry.address == address_text(site):
            positions[site_id] = entry.position
            continue
        point = centroid(registry.gazetteer.get(registry.site_territory.get(site_id, "")))
        if point is not None:
            positions[site_id] = Position(point[0], point[1], "gazetteer", "commune")
    return positions


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres (haversine; plenty for a 25 km sanity check)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


_POSTCODE = re.compile(r"\b([0-9]{4,5})\b")


class GazetteerGeocoder(Geocoder):  # type: ignore[misc]
    """A geopy geocoder that needs no network: an address to its commune's centroid.

    It reads the postcode and the city of the query (a dict ``{"postalcode", "city"}`` or
    a one-line address such as ``"Rue Royale 1, 1030 Schaerbeek"``) and answers the centroid
    of the commune they name, with ``raw["precision"] == "commune"``. It answers None
    rather than a wrong point when the place is unknown or ambiguous.
    """

    def __init__(self, gazetteer: Gazetteer) -> None:
        super().__init__(user_agent=USER_AGENT)
        self.gazetteer = gazetteer

    def geocode(
        self,
        query: str | Mapping[str, str],
        *,
        exactly_one: bool = True,
        timeout: Any = DEFAULT_SENTINEL,
    ) -> Location | list[Location] | None:
        """The commune centroid of ``query``; None when it names no single known commune."""
        postcode, city = self._parse(query)
        if not city and not postcode:
            return None
        found = locate_address(self.gazetteer, postcode, city or postcode or "")
        if not isinstance(found, str):
            return None
        territory = self.gazetteer[found]
        point = centroid(territory)
        if point is None:
            return None
        raw = {"code": territory.code, "precision": "commune", "centroid": territory.precision}
        location = Location(territory.name, point, raw)
        return location if exactly_one else [location]

    @staticmethod
    def _parse(query: str | Mapping[str, str]) -> tuple[str | None, str | None]:
        if isinstance(query, Mapping):
            return query.get("postalcode") or None, query.get("city") or None
        last = query.split(",")[-1].strip()
        match = _POSTCODE.search(last) or _POSTCODE.search(query)
        postcode = match.group(1) if match else None
        city = _POSTCODE.sub("", last).strip() or None
        return postcode, city


# BAN "type" and Nominatim "addresstype" to our precisions.
_BAN_PRECISION = {"housenumber": "address", "street": "street", "locality": "locality", "municipality": "commune"}
_NOMINATIM_PRECISION = {
    "house": "address",
    "building": "address",
    "amenity": "address",
    "road": "street",
    "neighbourhood": "locality",
    "suburb": "locality",
    "quarter": "locality",
    "hamlet": "locality",
    "village": "commune",
    "town": "commune",
    "city": "commune",
    "municipality": "commune",
}


@dataclass
class OnlineGeocoders:
    """The network geocoders, each behind geopy's RateLimiter."""

    ban: Callable[..., Location | None]
    nominatim: Callable[..., Location | None]

    @classmethod
    def create(
        cls,
        user_agent: str = USER_AGENT,
        adapter_factory: Callable[..., BaseAdapter] | None = None,
        min_delay_seconds: float = 1.0,
    ) -> OnlineGeocoders:
        """BANFrance and Nominatim; ``adapter_factory`` lets tests answer without a network."""
        options: dict[str, Any] = {"user_agent": user_agent, "timeout": 10}
        if adapter_factory is not None:
            options["adapter_factory"] = adapter_factory
        # Nominatim's usage policy: at most one request a second. The BAN allows far more,
        # but one address a second is plenty for a registry edited by hand.
        limit = {"min_delay_seconds": min_delay_seconds, "max_retries": 1, "swallow_exceptions": False}
        return cls(
            ban=RateLimiter(BANFrance(**options).geocode, **limit),
            nominatim=RateLimiter(Nominatim(**options).geocode, **limit),
        )

    def locate(self, site: Site, country: str) -> Position:
        """Ask BAN (France) or Nominatim (elsewhere); raise ``GeopyError`` when no answer."""
        assert site.address is not None
        if country == "fr":
            found = self.ban(address_text(site), exactly_one=True)
            if found is None:
                raise _Refused(msg("cli.geocode.not_found", service="BAN"))
            kind = str(found.raw.get("properties", {}).get("type", ""))
            return Position(found.latitude, found.longitude, "ban", _BAN_PRECISION.get(kind, "locality"))
        query = {
            "street": site.address.street or "",
            "postalcode": site.address.postcode or "",
            "city": site.address.city,
        }
        found = self.nominatim({k: v for k, v in query.items() if v}, exactly_one=True, country_codes=country)
        if found is None:
            raise _Refused(msg("cli.geocode.not_found", service="Nominatim"))
        kind = str(found.raw.get("addresstype") or found.raw.get("type") or "")
        return Position(found.latitude, found.longitude, "nominatim", _NOMINATIM_PRECISION.get(kind, "locality"))


def geocode_sites(
    registry: Registry,
    cache: Mapping[str, CacheEntry],
    online: OnlineGeocoders | None = None,
    refresh: bool = False,
) -> GeocodeReport:
    """Place every site that has an address but no YAML coordinates; return the new cache.

    Kept from the cache: entries whose address is unchanged (unless ``refresh``). Dropped:
    entries of sites that are gone, moved or now carry YAML coordinates. An online answer
    far from the commune the address names is rejected (a homonym elsewhere) and the site
    falls back to its commune's centroid; an address in no known territory is left out
    with a warning rather than drawn at a guessed point.
    """
    offline = GazetteerGeocoder(registry.gazetteer)
    entries: dict[str, CacheEntry] = {}
    counts = dict.fromkeys(("registry", "cache", "online", "gazetteer", "unplaced"), 0)
    problems: list[GeocodeProblem] = []
    for site_id in sorted(registry.sites):
        site = registry.sites[site_id]
        if site.coordinates is not None:
            counts["registry"] += 1
            continue
        if site.address is None:
            continue
        address = address_text(site)
        cached = cache.get(site_id)
        if cached is not None and cached.address == address and not refresh:
            entries[site_id] = cached
            counts["cache"] += 1
            continue
        code = registry.site_territory.get(site_id)
        commune = registry.gazetteer.get(code) if code else None
        if commune is None:
            found = offline.geocode({"postalcode": site.address.postcode or "", "city": site.address.city})
            commune = registry.gazetteer.get(found.raw["code"]) if isinstance(found, Location) else None
        if commune is None:
            counts["unplaced"] += 1
            problems.append(GeocodeProblem(site_id, msg("cli.geocode.no_territory", address=address)))
            continue
        home = centroid(commune)
        if online is not None:
            try:
                country = commune.code.split("-", 1)[0]
                position = online.locate(site, country)
                if home is not None and distance_km(home, (position.lat, position.lon)) > MAX_DISTANCE_KM:
                    far = distance_km(home, (position.lat, position.lon))
                    raise _Refused(msg("cli.geocode.homonym", km=f"{far:.0f}", commune=commune.name))
                entries[site_id] = CacheEntry(site_id, address, position)
                counts["online"] += 1
                continue
            except (_Refused, GeopyError, AdapterHTTPError) as exc:
                reason = exc.message if isinstance(exc, _Refused) else literal(str(exc))  # geopy's own words
                problems.append(
                    GeocodeProblem(site_id, msg("cli.geocode.online_failed", address=address, reason=reason))
                )
        if home is None:
            counts["unplaced"] += 1
            problems.append(GeocodeProblem(site_id, msg("cli.geocode.no_centroid", code=commune.code)))
            continue
        entries[site_id] = CacheEntry(site_id, address, Position(home[0], home[1], "gazetteer", "commune"))
        counts["gazetteer"] += 1
    return GeocodeReport(entries, counts, tuple(problems))


def write_coordinates(file: Path, positions: Mapping[str, Position]) -> list[str]:
    """Add ``coordinates`` to the sites of one registry file, keeping its comments and order.

    Only sites that have no coordinates yet are touched; returns the ids written.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.util import load_yaml_guess_indent

    text = file.read_text(encoding="utf-8")
    _, indent, offset = load_yaml_guess_indent(text)
    yaml = YAML()  # round trip: comments, key order and quoting survive
    yaml.preserve_quotes = True
    yaml.width = 4096
    # Keep the file's own indentation ("  - id:" lists), so the diff is the new lines only.
    sequence, offset = indent or 2, offset or 0
    yaml.indent(mapping=max(sequence - offset, 2), sequence=sequence, offset=offset)
    data = yaml.load(text)
    written: list[str] = []
    for site in data.get("sites") or []:
        position = positions.get(str(site.get("id")))
        if position is None or "coordinates" in site:
            continue
        point = CommentedMap([("lat", round(position.lat, 5)), ("lon", round(position.lon, 5))])
        point.fa.set_flow_style()
        keys = list(site.keys())
        at = keys.index("address") + 1 if "address" in keys else len(keys)
        site.insert(at, "coordinates", point)
        written.append(str(site["id"]))
    if written:
        out = io.StringIO()
        yaml.dump(data, out)
        file.write_text(out.getvalue(), encoding="utf-8")
    return written


def precise_positions(entries: Iterable[CacheEntry]) -> dict[str, Position]:
    """The cache entries worth writing into YAML: a house number or a street, not a centroid."""
    return {e.site: e.position for e in entries if e.position.precision in ("address", "street")}


def problem_lines(registry: Registry, problems: Iterable[GeocodeProblem], lang: str | None = None) -> list[str]:
    """Each problem as ``path:line:col: warning: site 'x': message [geocode]``, at the site's
    address, in ``lang`` (the command's language by default)."""
    from ..registry.yamlsource import read_yaml

    documents: dict[str, Any] = {}
    lines: list[str] = []
    for problem in problems:
        org_id = registry.site_organisation[problem.site]
        path = registry.files[org_id]
        if path not in documents:
            documents[path] = read_yaml(registry.root / path, path).positions
        index = [s.id for s in registry.organisations[org_id].sites].index(problem.site)
        line, col = documents[path].find(("sites", index, "address"))
        message = msg("cli.geocode.site", site=problem.site, problem=problem.message)
        lines.append(Problem(path, line, col, message, "geocode", severity="warning").line_text(lang or speaking()))
    return sorted(lines)


def write_registry_coordinates(registry: Registry, entries: Iterable[CacheEntry]) -> dict[str, list[str]]:
    """``--write``: put precise cache positions into the maintainers' YAML; files -> site ids."""
    by_file: dict[str, dict[str, Position]] = {}
    for site_id, position in precise_positions(entries).items():
        path = registry.files[registry.site_organisation[site_id]]
        by_file.setdefault(path, {})[site_id] = position
    written: dict[str, list[str]] = {}
    for path, positions in sorted(by_file.items()):
        done = write_coordinates(registry.root / path, positions)
        if done:
            written[path] = done
    return written
