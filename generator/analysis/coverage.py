"""Coverage analysis ("zones grises"): which services cover each territory and public segment.

A public segment is an age band (``data/vocabularies/age-bands.yaml``) crossed with a
housing situation; its key is ``"<band>/<housing>"``, e.g. ``"18-24/roofless"``.

Decisions this module makes (see also the gap report's method note):

- Criteria. A service covers a segment **fully** when its criteria are known and admit the
  whole segment, **partly** when they are known and admit only some of it. A criterion the
  registry does not state (``None``: no age range, no housing list) is never taken as
  admitting anyone: a service whose known criteria admit the segment but which leaves one
  unstated is **à vérifier** ("unknown") for it — it would cover the segment only if the
  unstated criterion admitted it. An adult programme whose age limits the sources do not
  give is à vérifier for minors, not coverage. A criterion that excludes the segment wins
  over an unstated one (not covered); an unstated one wins over a partial one (à vérifier:
  a partial cover that rests on a guess is still a guess). An age range covers a band
  fully when it contains the whole band (open ends count), partly when they only
  intersect. A housing list names the segment's situation (full), or only a narrower
  term whose ``parent`` is that situation (partial), or neither (not covered).
- Cells. Each service reaching a cell is in exactly one of ``services`` (full),
  ``partial`` and ``unknown``. A cell is ``covered`` (one full service), ``overlap`` (two
  or more), ``partial`` (partial services only, perhaps with à vérifier ones), ``unknown``
  (an "à vérifier" gap: à vérifier services only) or ``gap`` (no service at all). As in
  DESIGN.md, ``gap`` and ``unknown`` cells are both gaps: no service is known to cover.
- Area. A service covers a territory fully when one of its area codes **contains** the
  territory (the territory itself or a containing ancestor). It covers the territory
  **partly** when one of its area codes lies inside it or straddles it (a commune-level
  service, counted at département level, covers that département partly): only some of
  its inhabitants are reached.
- Containment. The gazetteer lists an EPCI's départements as its parents, but an EPCI
  can straddle several départements: that edge means "has members in", not "lies in".
  So containment never climbs from an EPCI to a département unless the EPCI has exactly
  one; a commune reaches its département through its own parent.
- Levels. ``dep`` means départements and Belgian provinces. A commune with no territory
  at the requested level is counted in its nearest larger territory: the 19 Brussels
  communes have no province, so at ``dep`` level they form the row of the
  Brussels-Capital region; communes outside any EPCI fall back to their département.
- Population. Population-weighted coverage counts the inhabitants of the communes where
  at least one service covers the segment fully, over the inhabitants of communes whose
  population is known (Belgian populations are unknown: their share is ``None``). The
  "à vérifier" population is apart: the inhabitants of communes where no service covers
  the segment fully but some service is à vérifier for it (the two never overlap).
- Capacity. A service's places are spread evenly over the population of its area; a
  territory's capacity is the places per 100,000 inhabitants that reach it, from the
  services whose area reaches it and whose places are known.
- Status. Planned services (announced, not yet running) and closed services cover
  nothing: they are not in the analysis at all.

The engine indexes services by area code and holds each set of services as a bit mask
(a Python ``int``), so a cell is a few ``&`` operations; communes that share the same
covering area codes share one computation.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import weakref
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .. import locale
from ..registry.loader import Registry
from ..registry.models import AgeBand, Service
from ..registry.territories import LEVEL_RANK, Gazetteer, Territory
from .scope import default_scope

LEVEL_CHOICES = ("commune", "epci", "dep", "region", "country")
_AGE_CAP = 200  # an open upper end of a band or a range

# How a service's criteria admit a segment. UNKNOWN: the known criteria do not exclude
# it, and one criterion is not stated (see the module docstring).
NONE, PARTIAL, FULL, UNKNOWN = 0, 1, 2, 3
COVERING_STATES = ("active", "pilot")  # planned and closed services cover nothing


class CoverageError(ValueError):
    """A bad request (unknown scope code, unknown level)."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One public segment: an age band crossed with a housing situation."""

    key: str
    band: str
    housing: str
    age_min: int
    age_max: int | None


CellStatus = Literal["gap", "unknown", "partial", "covered", "overlap"]
# Every status, in order of increasing cover (a gap, an "à vérifier" gap, ...).
CELL_STATUSES: tuple[CellStatus, ...] = ("gap", "unknown", "partial", "covered", "overlap")


class Cell:
    """The services reaching one territory and segment: fully, partly and "à vérifier"
    (sorted ids; each service in one of the three).

    A cell keeps its three counts and, to name its services when asked, its row's two area
    masks (shared by the row's cells) and its segment's place: the three masks over the
    analysis' services are remade then, never kept. At 100,000 services a mask weighs
    12.5 kB, and a report has a row of cells per commune and per analysis.
    """

    __slots__ = (
        "_j",
        "_partial_ids",
        "_row",
        "_services",
        "_unknown_ids",
        "full_count",
        "partial_count",
        "unknown_count",
    )

    def __init__(self, counts: tuple[int, int, int], row: _Row, j: int) -> None:
        self.full_count, self.partial_count, self.unknown_count = counts
        self._row = row
        self._j = j
        self._services: tuple[str, ...] | None = None
        self._partial_ids: tuple[str, ...] | None = None
        self._unknown_ids: tuple[str, ...] | None = None

    def masks(self) -> tuple[int, int, int]:
        """The (full, partial, unknown) masks over the analysis' services, remade."""
        return self._row.masks(self._j)

    @property
    def services(self) -> tuple[str, ...]:
        """The services covering the segment fully, by id."""
        if self._services is None:
            self._services = self._row.ids_of(self.masks()[0])
        return self._services

    @property
    def partial(self) -> tuple[str, ...]:
        """The services covering the segment partly, by id."""
        if self._partial_ids is None:
            self._partial_ids = self._row.ids_of(self.masks()[1])
        return self._partial_ids

    @property
    def unknown(self) -> tuple[str, ...]:
        """The services "à vérifier": they would cover the segment only if a criterion the
        registry does not state admitted it (by id)."""
        if self._unknown_ids is None:
            self._unknown_ids = self._row.ids_of(self.masks()[2])
        return self._unknown_ids

    @property
    def status(self) -> CellStatus:
        """``gap`` (no service), ``unknown`` (à vérifier services only), ``partial`` (partial
        services, no full one), ``covered`` (one full service) or ``overlap`` (2+ full)."""
        if self.full_count:
            return "overlap" if self.full_count > 1 else "covered"
        if self.partial_count:
            return "partial"
        return "unknown" if self.unknown_count else "gap"

    @property
    def is_gap(self) -> bool:
        """Whether no service is known to cover the segment, even partly (DESIGN.md's gap,
        "à vérifier" gaps included)."""
        return not (self.full_count or self.partial_count)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cell):
            return NotImplemented
        return (self.services, self.partial, self.unknown) == (other.services, other.partial, other.unknown)

    def __hash__(self) -> int:
        return hash((self.services, self.partial, self.unknown))

    def __repr__(self) -> str:
        return f"Cell(services={self.services!r}, partial={self.partial!r}, unknown={self.unknown!r})"


@dataclass(frozen=True, slots=True)
class TerritoryCoverage:
    """One territory of the analysis, its cells aligned with ``Coverage.segments``."""

    code: str
    name: str
    level: str
    population: int | None  # inhabitants of its communes inside the scope, when known
    cells: tuple[Cell, ...]
    covered_population: tuple[int | None, ...]  # per segment, inhabitants with a full service
    # per segment, inhabitants with no full service but one "à vérifier"
    unknown_population: tuple[int | None, ...]
    places_per_100k: float | None
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class SegmentSummary:
    """One segment over the whole scope."""

    segment: str
    covered_population: int | None
    covered_population_share: float | None
    unknown_population: int | None  # no full service, one "à vérifier": apart from covered
    unknown_population_share: float | None
    uncovered_territories: int  # neither full nor partial service ("à vérifier" gaps included)
    unknown_territories: int  # of the uncovered ones, those with a service "à vérifier"
    partial_only_territories: int
    overlap_territories: int  # two or more full services


@dataclass(frozen=True, slots=True)
class Summary:
    """The figures of the whole analysis."""

    territories: int
    communes: int
    population: int | None
    communes_without_population: int
    services: tuple[str, ...]
    segments: tuple[SegmentSummary, ...]
    uncovered_everywhere: tuple[str, ...]  # segments no service is known to cover, even partly, anywhere
    unknown_only: tuple[str, ...]  # of those, the segments with a service "à vérifier" somewhere
    places: int
    services_with_places: int
    places_per_100k: float | None
    approximate_areas: tuple[str, ...]
    date: dt.date | None  # the registry's newest verification: the report's date
    oldest_verified: dt.date | None  # of the services analysed
    newest_verified: dt.date | None


@dataclass(frozen=True, slots=True)
class Coverage:
    """The result of ``compute_coverage``."""

    need: str | None
    function: str | None
    level: str
    scope: tuple[str, ...]
    segments: tuple[Segment, ...]
    territories: tuple[TerritoryCoverage, ...]
    summary: Summary

    def index(self, segment: str) -> int:
        """The position of a segment key in ``segments`` (and in each territory's cells)."""
        for i, s in enumerate(self.segments):
            if s.key == segment:
                return i
        raise KeyError(segment)

    def territory(self, code: str) -> TerritoryCoverage:
        for t in self.territories:
            if t.code == code:
                return t
        raise KeyError(code)

    def cell(self, code: str, segment: str) -> Cell:
        return self.territory(code).cells[self.index(segment)]


@dataclass(frozen=True, slots=True)
class CommuneRow:
    """Communes of one territory (of the analysis' level) that share one coverage.

    A ``rest`` row (``code == unit``) stands for every commune of ``unit`` not listed in a
    row of its own: those only services covering the whole territory reach. Its
    ``services`` are those services (covering some segment fully), its ``unknown_services``
    those "à vérifier" for some segment (a service is never both: one that leaves a
    criterion unstated covers no segment fully); a commune's own row lists only the
    services it adds to them. ``cells`` are each commune's cells, aligned with
    ``Coverage.segments``; ``population`` is the sum over the row's communes when known.
    """

    unit: str
    code: str
    name: str
    communes: int
    population: int | None
    cells: tuple[Cell, ...]
    services: tuple[str, ...]
    places_per_100k: float | None
    lat: float | None
    lon: float | None
    unknown_services: tuple[str, ...] = ()

    @property
    def rest(self) -> bool:
        """Whether the row stands for the territory's other communes."""
        return self.code == self.unit


# --- criteria ------------------------------------------------------------------------------


def public_segments(registry: Registry) -> tuple[Segment, ...]:
    """The registry's segments, bands in file order, then housing in vocabulary order."""
    return tuple(
        Segment(f"{band.id}/{housing}", band.id, housing, band.min, band.max)
        for band in registry.vocabularies.age_bands
        for housing in registry.vocabularies.housing
    )


def age_admission(service: Service, band: AgeBand | Segment) -> int:
    """FULL, PARTIAL or NONE: how the service's age range admits the band; UNKNOWN when
    the registry states no age range."""
    age = service.public.age
    if age is None:
        return UNKNOWN
    low, high = (band.age_min, band.age_max) if isinstance(band, Segment) else (band.min, band.max)
    s_low = age.min if age.min is not None else 0
    s_high = age.max if age.max is not None else _AGE_CAP
    b_high = high if high is not None else _AGE_CAP
    if s_low <= low and b_high <= s_high:
        return FULL
    if s_low <= b_high and low <= s_high:
        return PARTIAL
    return NONE


def housing_admission(service: Service, housing: str, registry: Registry) -> int:
    """FULL, PARTIAL or NONE: how the service's housing list admits a situation; UNKNOWN
    when the registry states no housing list."""
    admitted = service.public.housing
    if admitted is None:
        return UNKNOWN
    if housing in admitted:
        return FULL
    terms = registry.vocabularies.housing
    if any(terms[h].parent == housing for h in admitted if h in terms):
        return PARTIAL
    return NONE


def admission(service: Service, segment: Segment, registry: Registry) -> int:
    """FULL when the service's criteria are known and admit the whole segment, PARTIAL when
    they are known and admit some of it, UNKNOWN when none excludes it but one is not
    stated ("à vérifier"), else NONE."""
    age = age_admission(service, segment)
    housing = housing_admission(service, segment.housing, registry)
    if age == NONE or housing == NONE:
        return NONE
    if age == UNKNOWN or housing == UNKNOWN:
        return UNKNOWN
    return min(age, housing)


# The criteria a segment is made of; a service that leaves one unstated is "à vérifier".
SEGMENT_CRITERIA = ("age", "housing")


def unknown_criteria(service: Service) -> tuple[str, ...]:
    """The segment criteria (``SEGMENT_CRITERIA``) the registry does not state for a
    service: why it is "à vérifier" where it is."""
    public = service.public
    return tuple(name for name, value in (("age", public.age), ("housing", public.housing)) if value is None)


# --- geography -----------------------------------------------------------------------------


class Geography:
    """Containment over the gazetteer (see the module docstring on EPCIs), memoised."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._contain: dict[str, frozenset[str]] = {}
        self._touch: dict[str, frozenset[str]] = {}
        self.communes: tuple[Territory, ...] = tuple(
            sorted((t for t in gazetteer if t.level == "commune"), key=lambda t: t.code)
        )
        under: dict[str, list[int]] = defaultdict(list)
        for i, commune in enumerate(self.communes):
            for code in self.containing(commune.code):
                under[code].append(i)
        self._under = {code: tuple(found) for code, found in under.items()}
        self._units: dict[str, tuple[str, ...]] = {}
        self._scopes: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._scope_sets: dict[tuple[str, ...], frozenset[int]] = {}
        self._totals: dict[tuple[tuple[str, ...], str], dict[str, tuple[int, int, int]]] = {}

    def communes_under(self, code: str) -> tuple[int, ...]:
        """Positions in ``communes`` of the communes inside ``code`` (itself, for a commune)."""
        return self._under.get(code, ())

    def units(self, level: str) -> tuple[str, ...]:
        """For each commune (by position), the territory of ``level`` it is counted in."""
        found = self._units.get(level)
        if found is None:
            found = self._units[level] = tuple(self.unit(c.code, level) for c in self.communes)
        return found

    def in_scope_set(self, scope: tuple[str, ...]) -> frozenset[int]:
        found = self._scope_sets.get(scope)
        if found is None:
            found = self._scope_sets[scope] = frozenset(self.in_scope(scope))
        return found

    def unit_totals(self, scope: tuple[str, ...], level: str) -> dict[str, tuple[int, int, int]]:
        """Per territory of ``level``: its communes in ``scope``, their inhabitants, how many have a population."""
        key = (scope, level)
        found = self._totals.get(key)
        if found is None:
            totals: dict[str, list[int]] = {}
            units = self.units(level)
            for i in self.in_scope(scope):
                population = self.communes[i].population
                figures = totals.setdefault(units[i], [0, 0, 0])
                figures[0] += 1
                if population is not None:
                    figures[1] += population
                    figures[2] += 1
            found = self._totals[key] = {unit: (a, b, c) for unit, (a, b, c) in totals.items()}
        return found

    def in_scope(self, scope: tuple[str, ...]) -> tuple[int, ...]:
        """Positions of the communes inside any of the ``scope`` codes, in order."""
        found = self._scopes.get(scope)
        if found is None:
            found = self._scopes[scope] = tuple(sorted({i for code in scope for i in self.communes_under(code)}))
        return found

    def containing(self, code: str) -> frozenset[str]:
        """Every territory that contains ``code``, itself included."""
        found = self._contain.get(code)
        if found is not None:
            return found
        result = {code}
        territory = self.gazetteer.get(code)
        if territory is not None:
            parents = territory.parents
            if territory.level == "epci" and len(parents) != 1:
                parents = ()
            for parent in parents:
                if territory.level == "commune" and parent.startswith("fr-epci-"):
                    result.add(parent)  # an EPCI contains its communes, but climb no further
                else:
                    result |= self.containing(parent)
        frozen = frozenset(result)
        self._contain[code] = frozen
        return frozen

    def touching(self, code: str) -> frozenset[str]:
        """Every territory that shares inhabitants with ``code``, itself included."""
        found = self._touch.get(code)
        if found is not None:
            return found
        territory = self.gazetteer.get(code)
        if territory is None or territory.level == "commune":
            result = self.containing(code)
        else:
            # Above the commune, a parent edge means "has members in" (an EPCI's départements).
            result = frozenset({code}).union(*(self.touching(p) for p in territory.parents))
        self._touch[code] = result
        return result

    def unit(self, commune: str, level: str) -> str:
        """The territory at ``level`` a commune is counted in, else its nearest larger one."""
        if level == "commune":
            return commune
        rank = LEVEL_RANK[level]
        best: tuple[int, str] | None = None
        for code in self.containing(commune):
            territory = self.gazetteer.get(code)
            if territory is None:
                continue
            r = LEVEL_RANK.get(territory.level, -1)
            if r <= rank and (best is None or r > best[0] or (r == best[0] and code < best[1])):
                best = (r, code)
        return best[1] if best else commune


_GEOGRAPHIES: dict[int, tuple[weakref.ref[Gazetteer], Geography]] = {}


def geography(gazetteer: Gazetteer) -> Geography:
    """The (cached) containment view of a gazetteer."""
    cached = _GEOGRAPHIES.get(id(gazetteer))
    if cached is not None and cached[0]() is gazetteer:
        return cached[1]
    result = Geography(gazetteer)
    _GEOGRAPHIES[id(gazetteer)] = (weakref.ref(gazetteer), result)
    return result


# --- the engine ----------------------------------------------------------------------------


def _bits(mask: int) -> Iterator[int]:
    """The positions of the set bits, lowest first."""
    if mask.bit_count() < 64:
        while mask:
            low = mask & -mask
            yield low.bit_length() - 1
            mask ^= low
        return
    # Each step above costs the whole mask: with thousands of bits over 100,000 services,
    # finding them in its binary text is 25 times faster.
    text = bin(mask)[:1:-1]
    find = text.find
    i = find("1")
    while i >= 0:
        yield i
        i = find("1", i + 1)


class _Criteria:
    """An analysis' services (by id, in bit order) and, per segment, the masks of those
    whose criteria admit it fully, partly, or leave one unstated ("à vérifier")."""

    __slots__ = ("crit_full", "crit_part", "crit_unknown", "ids")

    def __init__(self, ids: tuple[str, ...], segments: int) -> None:
        self.ids = ids
        self.crit_full = [0] * segments
        self.crit_part = [0] * segments
        self.crit_unknown = [0] * segments

    def ids_of(self, mask: int) -> tuple[str, ...]:
        # Bits follow the services' order, which is by id: no sorting needed.
        ids = self.ids
        return tuple(ids[i] for i in _bits(mask))

    def masks(self, full_area: int, touch_area: int, j: int) -> tuple[int, int, int]:
        """The (full, partial, unknown) service masks of one segment in a territory.

        A service whose area reaches the territory only in part covers it partly when its
        criteria are known, and stays "à vérifier" when one is not: the guess is the news.
        """
        cf, cp, cu = self.crit_full[j], self.crit_part[j], self.crit_unknown[j]
        if not touch_area:  # a commune: nothing lies below it
            return full_area & cf, full_area & cp, full_area & cu
        touch = touch_area & ~full_area
        return full_area & cf, (full_area & cp) | (touch & (cf | cp)), (full_area | touch) & cu


class _Row:
    """What the cells of one territory (or of communes alike) share: the services whose
    area contains it and those whose area lies partly in it, as masks."""

    __slots__ = ("criteria", "full_area", "touch_area")

    def __init__(self, criteria: _Criteria, full_area: int, touch_area: int) -> None:
        self.criteria = criteria
        self.full_area = full_area
        self.touch_area = touch_area

    def masks(self, j: int) -> tuple[int, int, int]:
        return self.criteria.masks(self.full_area, self.touch_area, j)

    def ids_of(self, mask: int) -> tuple[str, ...]:
        return self.criteria.ids_of(mask)


class _Index:
    """Services of one selection as bit masks: by area code, by segment admission."""

    def __init__(self, registry: Registry, services: Sequence[Service], segments: Sequence[Segment]) -> None:
        self.geo = geography(registry.gazetteer)
        self.full_area: dict[str, int] = defaultdict(int)
        self.touch_area: dict[str, int] = defaultdict(int)  # services with an area code strictly inside
        criteria = self.criteria = _Criteria(tuple(s.id for s in services), len(segments))
        crit_full, crit_part, crit_unknown = criteria.crit_full, criteria.crit_part, criteria.crit_unknown
        # Places per inhabitant that each area code brings (from the services naming it).
        self.code_density: dict[str, float] = defaultdict(float)
        facts = _facts(registry, segments)
        for i, service in enumerate(services):
            bit = 1 << i
            found = facts.get(service.id)
            if found is None or found[0] is not service:
                found = facts[service.id] = _service_facts(service, segments, registry, self.geo)
            _, admissions, above, density, outer = found
            for code in service.public.area:
                self.full_area[code] |= bit
            for code in above:
                self.touch_area[code] |= bit
            for j, level in enumerate(admissions):
                if level == FULL:
                    crit_full[j] |= bit
                elif level == PARTIAL:
                    crit_part[j] |= bit
                elif level == UNKNOWN:
                    crit_unknown[j] |= bit
            if density is not None:
                for code in outer:
                    self.code_density[code] += density
        self._rows: dict[tuple[int, int], tuple[Cell, ...]] = {}

    def area_mask(self, code: str) -> int:
        mask = 0
        for ancestor in self.geo.containing(code):
            mask |= self.full_area.get(ancestor, 0)
        return mask

    def ids_of(self, mask: int) -> tuple[str, ...]:
        return self.criteria.ids_of(mask)

    def cells(self, full_area: int, touch_area: int) -> tuple[Cell, ...]:
        """Per segment, the cell of a territory (shared between territories alike)."""
        key = (full_area, touch_area)
        found = self._rows.get(key)
        if found is None:
            row = _Row(self.criteria, full_area, touch_area)
            found = tuple(
                Cell((full.bit_count(), partial.bit_count(), unknown.bit_count()), row, j)
                for j, (full, partial, unknown) in enumerate(self.masks(full_area, touch_area))
            )
            self._rows[key] = found
        return found

    def masks(self, full_area: int, touch_area: int) -> list[tuple[int, int, int]]:
        """Per segment, the (full, partial, unknown) service masks of a territory
        (``_Criteria.masks``)."""
        masks = self.criteria.masks
        return [masks(full_area, touch_area, j) for j in range(len(self.criteria.crit_full))]


_Facts = tuple[Service, tuple[int, ...], frozenset[str], float | None, list[str]]
# Per registry and segments: what each service brings to any analysis (its admission of
# each segment, the codes its area lies strictly inside, its capacity density). A report
# runs one analysis per need and function over the same services: computed once each.
_FACTS: dict[int, tuple[weakref.ref[Registry], tuple[Segment, ...], dict[str, _Facts]]] = {}


def _facts(registry: Registry, segments: Sequence[Segment]) -> dict[str, _Facts]:
    key = tuple(segments)
    cached = _FACTS.get(id(registry))
    if cached is None or cached[0]() is not registry or cached[1] != key:
        _FACTS.clear()  # one registry at a time: never keep an old one's facts
        cached = _FACTS[id(registry)] = (weakref.ref(registry), key, {})
    return cached[2]


def _service_facts(service: Service, segments: Sequence[Segment], registry: Registry, geo: Geography) -> _Facts:
    admissions = tuple(admission(service, segment, registry) for segment in segments)
    above: set[str] = set()
    for code in service.public.area:
        above |= geo.touching(code) - {code}
    density, outer = _density(service, registry.gazetteer, geo)
    return service, admissions, frozenset(above), density, outer


def _density(service: Service, gazetteer: Gazetteer, geo: Geography) -> tuple[float | None, list[str]]:
    """The service's places per inhabitant of its area (when both are known), and the
    area's outer codes (a code inside another code of the same area adds no inhabitants).

    A commune inside two outer codes of one area (an EPCI and a département it straddles)
    would count the service twice: registries do not write such areas, and capacity is an
    estimate anyway.
    """
    area = set(service.public.area)
    outer = sorted(c for c in area if not (geo.containing(c) - {c}) & area)
    places = service.capacity.places if service.capacity else None
    if places is None:
        return None, outer
    total = 0
    for code in outer:
        territory = gazetteer.get(code)
        if territory is None or territory.population is None:
            return None, outer
        total += territory.population
    return (places / total if total else None), outer


def select_services(registry: Registry, need: str | None = None, function: str | None = None) -> list[Service]:
    """The services an analysis counts: matching need and function, active or pilot (not
    planned, not closed), by id."""
    return sorted(
        (
            s
            for s in registry.services.values()
            if s.status.state in COVERING_STATES
            and (need is None or need in s.needs)
            and (function is None or function in s.functions)
        ),
        key=lambda s: s.id,
    )


def compute_coverage(
    registry: Registry,
    need: str | None = None,
    function: str | None = None,
    level: str = "commune",
    scope: Iterable[str] = (),
) -> Coverage:
    """Coverage of every territory at ``level`` inside ``scope``, for every public segment.

    ``scope`` is a list of territory codes (default: the countries of the services).
    Raises ``CoverageError`` for an unknown level or scope code.
    """
    return _paused(registry, need, function, level, tuple(scope), detail=False)[0]


def coverage_with_communes(
    registry: Registry,
    need: str | None = None,
    function: str | None = None,
    level: str = "dep",
    scope: Iterable[str] = (),
) -> tuple[Coverage, tuple[CommuneRow, ...]]:
    """``compute_coverage`` at ``level``, and its communes as ``CommuneRow``s from the same pass.

    Per territory of ``level`` that a service reaches: one row for the communes whose
    services are exactly those whose area contains the whole territory (``rest``), then
    one row per commune that some service reaches on its own (a commune, an EPCI, a
    straddling area). Territories no service reaches get no row: all their communes are
    gaps. This is every commune's coverage at the cost of the communes that differ, where
    a commune-level ``Coverage`` costs one ``TerritoryCoverage`` per commune.
    """
    return _paused(registry, need, function, level, tuple(scope), detail=True)


def _paused(
    registry: Registry, need: str | None, function: str | None, level: str, scope: tuple[str, ...], *, detail: bool
) -> tuple[Coverage, tuple[CommuneRow, ...]]:
    # The analysis allocates tens of thousands of small tracked objects; with a large
    # registry loaded, the collector's full passes over it would cost more than the work.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _compute(registry, need, function, level, scope, detail)
    finally:
        if paused:
            gc.enable()


def _compute(
    registry: Registry, need: str | None, function: str | None, level: str, scope: tuple[str, ...], detail: bool
) -> tuple[Coverage, tuple[CommuneRow, ...]]:
    if level not in LEVEL_CHOICES and level != "province":
        raise CoverageError(
            locale.t("cli.coverage.unknown_level", locale.speaking(), level=level, choices=", ".join(LEVEL_CHOICES))
        )
    gazetteer = registry.gazetteer
    scope_codes = tuple(sorted(set(scope))) or default_scope(registry)
    for code in scope_codes:
        if code not in gazetteer:
            raise CoverageError(locale.t("cli.coverage.unknown_scope", locale.speaking(), code=code))
    segments = public_segments(registry)
    services = select_services(registry, need, function)
    index = _Index(registry, services, segments)
    geo = index.geo
    n = len(segments)

    # Communes first: the population figures of every level are sums over them. Only the
    # communes some area code reaches get a mask; communes are then grouped by (territory
    # of the level, mask), so each distinct situation is computed once.
    commune_masks: dict[int, int] = defaultdict(int)
    commune_density: dict[int, float] = defaultdict(float)
    for code, mask in index.full_area.items():
        density = index.code_density.get(code, 0.0)
        for i in geo.communes_under(code):
            commune_masks[i] |= mask
            if density:
                commune_density[i] += density
    # The same services reach every commune of a mask, so its places too.
    mask_density: dict[int, float] = {0: 0.0}
    units_of = geo.units(level)
    # Start from every commune in its territory with no service, then move the reached ones.
    groups: dict[tuple[str, int], list[int]] = {
        (unit, 0): list(totals) for unit, totals in geo.unit_totals(scope_codes, level).items()
    }
    scoped_set = geo.in_scope_set(scope_codes)
    for i, mask in commune_masks.items():
        if not mask or i not in scoped_set:
            continue
        mask_density.setdefault(mask, commune_density.get(i, 0.0))
        home = units_of[i]
        inhabitants = geo.communes[i].population
        figures = (1, inhabitants or 0, 0 if inhabitants is None else 1)
        group = groups.setdefault((home, mask), [0, 0, 0])
        base = groups[(home, 0)]
        for k in range(3):
            group[k] += figures[k]
            base[k] -= figures[k]
    groups = {key: figures for key, figures in groups.items() if figures[0]}
    per_area: dict[int, tuple[tuple[bool, ...], tuple[bool, ...], float]] = {}
    units: dict[str, _Accumulator] = {}
    communes = 0
    without_population = 0
    for (unit_code, area), (count, inhabitants, with_population) in groups.items():
        known = per_area.get(area)
        if known is None:
            masks = index.masks(area, 0)  # nothing lies below a commune
            unknown = tuple(not full and unknown != 0 for full, _, unknown in masks)
            known = (
                tuple(full != 0 for full, _, _ in masks),
                unknown if any(unknown) else (),  # most areas have none: no loop over nothing
                mask_density[area],
            )
            per_area[area] = known
        unit = units.get(unit_code)
        if unit is None:
            unit = units[unit_code] = _Accumulator(n)
        communes += count
        without_population += count - with_population
        if with_population:
            unit.add(inhabitants, *known)

    territories = []
    for code in sorted(units):
        acc = units[code]
        territory = gazetteer.get(code)
        population = acc.population if acc.known else None
        territories.append(
            TerritoryCoverage(
                code=code,
                name=territory.name if territory else code,
                level=territory.level if territory else "commune",
                population=population,
                cells=index.cells(index.area_mask(code), index.touch_area.get(code, 0)),
                covered_population=tuple(acc.covered) if acc.known else (None,) * n,
                unknown_population=tuple(acc.unknown) if acc.known else (None,) * n,
                places_per_100k=(acc.places / acc.population * 100_000) if acc.known and acc.population else None,
                lat=territory.lat if territory else None,
                lon=territory.lon if territory else None,
            )
        )
    summary = _summarise(registry, services, segments, territories, units, communes, without_population)
    coverage = Coverage(need, function, level, scope_codes, segments, tuple(territories), summary)
    if not detail:
        return coverage, ()
    totals = geo.unit_totals(scope_codes, level)
    return coverage, _commune_rows(index, commune_masks, mask_density, scoped_set, units_of, totals)


def _commune_rows(
    index: _Index,
    commune_masks: dict[int, int],
    mask_density: dict[int, float],
    scoped: frozenset[int],
    units_of: tuple[str, ...],
    totals: dict[str, tuple[int, int, int]],
) -> tuple[CommuneRow, ...]:
    """The ``CommuneRow``s of ``coverage_with_communes``, from the pass's commune masks."""
    geo = index.geo
    gazetteer = geo.gazetteer
    any_full = any_unknown = 0
    for crit in index.criteria.crit_full:
        any_full |= crit
    for crit in index.criteria.crit_unknown:
        any_unknown |= crit
    # Which communes differ from their territory's whole-area services, by territory.
    baselines: dict[str, int] = {}
    own: dict[str, list[int]] = defaultdict(list)
    for i, mask in commune_masks.items():
        if not mask or i not in scoped:
            continue
        unit = units_of[i]
        baseline = baselines.get(unit)
        if baseline is None:
            baseline = baselines[unit] = index.area_mask(unit)
        if mask != baseline:
            own[unit].append(i)
    rows: list[CommuneRow] = []
    for unit in sorted(baselines):
        baseline = baselines[unit]
        territory = gazetteer.get(unit)
        count, inhabitants, with_population = totals.get(unit, (0, 0, 0))
        listed = sorted(own.get(unit, ()))
        for i in listed:
            population = geo.communes[i].population
            count -= 1
            if population is not None:
                inhabitants -= population
                with_population -= 1
        density = mask_density.get(baseline, 0.0) if baseline else 0.0
        rows.append(
            CommuneRow(
                unit=unit,
                code=unit,
                name=territory.name if territory else unit,
                communes=count,
                population=inhabitants if with_population else None,
                cells=index.cells(baseline, 0),
                services=index.ids_of(baseline & any_full),
                unknown_services=index.ids_of(baseline & any_unknown),
                places_per_100k=density * 100_000 if with_population and inhabitants else None,
                lat=None,
                lon=None,
            )
        )
        for i in listed:
            commune = geo.communes[i]
            mask = commune_masks[i]
            density = mask_density.get(mask, 0.0)
            rows.append(
                CommuneRow(
                    unit=unit,
                    code=commune.code,
                    name=commune.name,
                    communes=1,
                    population=commune.population,
                    cells=index.cells(mask, 0),  # nothing lies below a commune: no partial area
                    services=index.ids_of(mask & any_full & ~baseline),
                    unknown_services=index.ids_of(mask & any_unknown & ~baseline),
                    places_per_100k=density * 100_000 if commune.population else None,
                    lat=commune.lat,
                    lon=commune.lon,
                )
            )
    return tuple(rows)


class _Accumulator:
    __slots__ = ("covered", "known", "places", "population", "unknown")

    def __init__(self, n: int) -> None:
        self.population = 0
        self.known = False
        self.covered = [0] * n
        self.unknown = [0] * n
        self.places = 0.0

    def add(self, population: int, covered: tuple[bool, ...], unknown: tuple[bool, ...], density: float) -> None:
        self.known = True
        self.population += population
        self.places += population * density
        for j, yes in enumerate(covered):
            if yes:
                self.covered[j] += population
        for j, yes in enumerate(unknown):
            if yes:
                self.unknown[j] += population


def _summarise(
    registry: Registry,
    services: Sequence[Service],
    segments: Sequence[Segment],
    territories: Sequence[TerritoryCoverage],
    units: dict[str, _Accumulator],
    communes: int,
    without_population: int,
) -> Summary:
    known = [a for a in units.values() if a.known]
    population = sum(a.population for a in known) if known else None
    per_segment = []
    uncovered_everywhere = []
    unknown_only = []
    # Territories alike share one tuple of cells (``_Index.cells``): each distinct row's
    # statuses are read once, weighted by how many territories hold it.
    rows: dict[int, list[Any]] = {}
    for t in territories:
        row = rows.get(id(t.cells))
        if row is None:
            rows[id(t.cells)] = [t.cells, 1]
        else:
            row[1] += 1
    for j, segment in enumerate(segments):
        statuses: dict[str, int] = dict.fromkeys(CELL_STATUSES, 0)
        for cells, count in rows.values():
            statuses[cells[j].status] += count
        covered = sum(a.covered[j] for a in known) if known else None
        share = covered / population if covered is not None and population else None
        unknown = sum(a.unknown[j] for a in known) if known else None
        unknown_share = unknown / population if unknown is not None and population else None
        gaps, unknown_gaps = statuses["gap"], statuses["unknown"]
        if gaps + unknown_gaps == len(territories):
            uncovered_everywhere.append(segment.key)
            if unknown_gaps:
                unknown_only.append(segment.key)
        per_segment.append(
            SegmentSummary(
                segment=segment.key,
                covered_population=covered,
                covered_population_share=share,
                unknown_population=unknown,
                unknown_population_share=unknown_share,
                uncovered_territories=gaps + unknown_gaps,
                unknown_territories=unknown_gaps,
                partial_only_territories=statuses["partial"],
                overlap_territories=statuses["overlap"],
            )
        )
    with_places = [s for s in services if s.capacity and s.capacity.places is not None]
    reached = sum(a.places for a in known)
    verified = [s.verified for s in services]
    return Summary(
        territories=len(territories),
        communes=communes,
        population=population,
        communes_without_population=without_population,
        services=tuple(s.id for s in services),
        segments=tuple(per_segment),
        uncovered_everywhere=tuple(uncovered_everywhere),
        unknown_only=tuple(unknown_only),
        places=sum(s.capacity.places or 0 for s in with_places if s.capacity),
        services_with_places=len(with_places),
        places_per_100k=reached / population * 100_000 if population else None,
        approximate_areas=tuple(s.id for s in services if s.public.area_approximate),
        date=registry.newest_verification,
        oldest_verified=min(verified, default=None),
        newest_verified=max(verified, default=None),
    )


# --- for territory pages ------------------------------------------------------------------

_ALL_SERVICES: dict[int, tuple[weakref.ref[Registry], _Index, tuple[Segment, ...]]] = {}


def _territory_masks(registry: Registry, code: str) -> list[tuple[Segment, tuple[int, int, int]]]:
    cached = _ALL_SERVICES.get(id(registry))
    if cached is None or cached[0]() is not registry:
        segments = public_segments(registry)
        cached = (weakref.ref(registry), _Index(registry, select_services(registry), segments), segments)
        _ALL_SERVICES[id(registry)] = cached
    _, index, segments = cached
    masks = index.masks(index.area_mask(code), index.touch_area.get(code, 0))
    return list(zip(segments, masks, strict=True))


def uncovered_segments(registry: Registry, code: str) -> list[str]:
    """Segments that no service (any need) is known to cover, fully or partly, in territory
    ``code`` ("à vérifier" gaps included: see ``unknown_segments``)."""
    return [s.key for s, (full, partial, _) in _territory_masks(registry, code) if not full and not partial]


def unknown_segments(registry: Registry, code: str) -> list[str]:
    """Of ``uncovered_segments``, those for which some service is "à vérifier" in ``code``."""
    return [
        s.key
        for s, (full, partial, unknown) in _territory_masks(registry, code)
        if not full and not partial and unknown
    ]


# --- output --------------------------------------------------------------------------------


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def summary_json(coverage: Coverage) -> dict[str, Any]:
    """The ``summary`` object of ``gaps --format json``."""
    s = coverage.summary
    return {
        "need": coverage.need,
        "function": coverage.function,
        "level": coverage.level,
        "scope": list(coverage.scope),
        "date": s.date.isoformat() if s.date else None,
        "freshness": {
            "oldest_verified": s.oldest_verified.isoformat() if s.oldest_verified else None,
            "newest_verified": s.newest_verified.isoformat() if s.newest_verified else None,
        },
        "services": list(s.services),
        "approximate_areas": list(s.approximate_areas),
        "territories": s.territories,
        "communes": s.communes,
        "population": s.population,
        "communes_without_population": s.communes_without_population,
        "segments": {
            g.segment: {
                "covered_population": g.covered_population,
                "covered_population_share": _round(g.covered_population_share),
                "unknown_population": g.unknown_population,
                "unknown_population_share": _round(g.unknown_population_share),
                "uncovered_territories": g.uncovered_territories,
                "unknown_territories": g.unknown_territories,
                "partial_only_territories": g.partial_only_territories,
                "overlap_territories": g.overlap_territories,
            }
            for g in s.segments
        },
        "uncovered_everywhere": list(s.uncovered_everywhere),
        "unknown_only": list(s.unknown_only),
        "capacity": {
            "places": s.places,
            "services_with_places": s.services_with_places,
            "places_per_100k": _round(s.places_per_100k, 2),
        },
    }


def to_json(coverage: Coverage) -> dict[str, Any]:
    """The ``gaps --format json`` object of DESIGN.md."""
    keys = [s.key for s in coverage.segments]
    return {
        "segments": keys,
        "territories": [
            {
                "code": t.code,
                "name": t.name,
                "level": t.level,
                "population": t.population,
                "places_per_100k": _round(t.places_per_100k, 2),
                "segments": {
                    key: {"services": list(cell.services), "partial": list(cell.partial), "unknown": list(cell.unknown)}
                    for key, cell in zip(keys, t.cells, strict=True)
                },
            }
            for t in coverage.territories
        ],
        "summary": summary_json(coverage),
    }


CSV_COLUMNS = (
    "code",
    "name",
    "level",
    "population",
    "segment",
    "status",
    "services",
    "partial",
    "unknown",
    "covered_population",
    "unknown_population",
    "places_per_100k",
    "lat",
    "lon",
)


def to_csv(coverage: Coverage, territories: Iterable[TerritoryCoverage] | None = None) -> str:
    """One row per territory and segment; service ids separated by spaces.

    ``status`` is the cell's (``CELL_STATUSES``: ``unknown`` is an "à vérifier" gap);
    ``unknown`` lists the services à vérifier, ``unknown_population`` the inhabitants with
    no full service but one à vérifier.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for t in coverage.territories if territories is None else territories:
        places = _round(t.places_per_100k, 2)
        for segment, cell, covered, unknown in zip(
            coverage.segments, t.cells, t.covered_population, t.unknown_population, strict=True
        ):
            writer.writerow(
                (
                    t.code,
                    t.name,
                    t.level,
                    _blank(t.population),
                    segment.key,
                    cell.status,
                    " ".join(cell.services),
                    " ".join(cell.partial),
                    " ".join(cell.unknown),
                    _blank(covered),
                    _blank(unknown),
                    _blank(places),
                    _blank(t.lat),
                    _blank(t.lon),
                )
            )
    return out.getvalue()


def to_wide_csv(coverage: Coverage, territories: Iterable[TerritoryCoverage] | None = None) -> str:
    """One row per territory: per segment the number of full services (``<segment>``), of
    partial ones (``<segment>:partial``) and of "à vérifier" ones (``<segment>:unknown``);
    ``services`` lists every service covering some segment fully. Ten times smaller than
    ``to_csv`` for the same territories.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    keys = [s.key for s in coverage.segments]
    writer.writerow(
        ["code", "name", "level", "population", "places_per_100k", "lat", "lon", "services"]
        + [column for key in keys for column in _count_columns(key)]
    )
    for t in coverage.territories if territories is None else territories:
        # One OR per cell, one decode per row: decoding every cell's ids and merging them
        # was most of the time at a thousand services.
        full = 0
        for cell in t.cells:
            full |= cell.masks()[0]
        reaching = t.cells[0]._row.ids_of(full) if t.cells else ()
        row: list[object] = [
            t.code,
            t.name,
            t.level,
            _blank(t.population),
            _blank(_round(t.places_per_100k, 2)),
            _blank(t.lat),
            _blank(t.lon),
            " ".join(reaching),
        ]
        for cell in t.cells:
            row += [cell.full_count, cell.partial_count, cell.unknown_count]
        writer.writerow(row)
    return out.getvalue()


def _count_columns(key: str) -> tuple[str, str, str]:
    """The count columns of one segment in the wide and commune CSVs."""
    return key, f"{key}:partial", f"{key}:unknown"


COMMUNE_COLUMNS = (
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
)


def to_communes_csv(
    analyses: Iterable[tuple[str, Coverage, Sequence[CommuneRow]]], services_for: Container[str] | None = None
) -> str:
    """The communes of several analyses in one CSV, from ``coverage_with_communes``.

    ``analyses`` gives (name, coverage, rows) per analysis; every coverage must have the
    same segments. One line per ``CommuneRow``: the rest of a territory (``code`` is the
    territory's, ``communes`` how many it stands for) or one commune; per segment the
    number of full services (``<segment>``), partial ones (``<segment>:partial``) and
    "à vérifier" ones (``<segment>:unknown``).
    The ``services`` and ``unknown_services`` columns are filled for the analyses named in
    ``services_for`` (all when ``None``).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = False
    for name, coverage, rows in analyses:
        # Rows share their cells: count each tuple once (by id, while ``rows`` holds them).
        counts: dict[int, list[int]] = {}
        named = services_for is None or name in services_for
        if not header:
            keys = [s.key for s in coverage.segments]
            writer.writerow([*COMMUNE_COLUMNS, *(c for key in keys for c in _count_columns(key))])
            header = True
        for r in rows:
            found = counts.get(id(r.cells))
            if found is None:
                found = counts[id(r.cells)] = [
                    n for c in r.cells for n in (c.full_count, c.partial_count, c.unknown_count)
                ]
            writer.writerow(
                [
                    name,
                    r.unit,
                    r.code,
                    r.name,
                    r.communes,
                    _blank(r.population),
                    _blank(_round(r.places_per_100k, 2)),
                    _blank(r.lat),
                    _blank(r.lon),
                    " ".join(r.services) if named else "",
                    " ".join(r.unknown_services) if named else "",
                    *found,
                ]
            )
    return out.getvalue()


def _blank(value: object) -> object:
    return "" if value is None else value


def to_geojson(coverage: Coverage, territories: Iterable[TerritoryCoverage] | None = None) -> dict[str, Any]:
    """Points at the territories' centroids; per segment, the number of full services.

    Properties ``<segment>`` hold that number, ``<segment>:partial`` the number of partial
    ones, ``<segment>:unknown`` the number of "à vérifier" ones; ``gaps`` counts the
    segments no service is known to cover, ``unknown_gaps`` those of them with a service à
    vérifier. Territories without coordinates are left out (the CSV has them all).
    """
    features = []
    keys = [s.key for s in coverage.segments]
    for t in coverage.territories if territories is None else territories:
        if t.lat is None or t.lon is None:
            continue
        properties: dict[str, Any] = {
            "code": t.code,
            "name": t.name,
            "level": t.level,
            "population": t.population,
            "places_per_100k": _round(t.places_per_100k, 2),
            "gaps": sum(1 for c in t.cells if c.is_gap),
            "unknown_gaps": sum(1 for c in t.cells if c.status == "unknown"),
        }
        for key, cell in zip(keys, t.cells, strict=True):
            properties[key] = cell.full_count
            properties[f"{key}:partial"] = cell.partial_count
            properties[f"{key}:unknown"] = cell.unknown_count
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [t.lon, t.lat]},
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _percent(share: float, lang: str) -> str:
    text = f"{share:.1%}"
    return text.replace(".", ",").replace("%", "\u202f%") if lang == "fr" else text


def _mark(cell: Cell) -> str:
    """The number of full services (``*`` from 10), ``~`` for partial only, ``?`` for an
    "à vérifier" gap, ``·`` for a gap."""
    count = cell.full_count
    if count:
        return str(count) if count < 10 else "*"
    if cell.partial_count:
        return "~"
    return "?" if cell.unknown_count else "·"


def to_table(
    coverage: Coverage,
    lang: str = "fr",
    housing: Mapping[str, str] | None = None,
    services: Mapping[str, str] | None = None,
) -> str:
    """A text table: one line per territory, one column per segment, then the summary.

    A column shows the number of full services (``*`` for ten or more), ``~`` for
    partial cover only, ``?`` for a gap where some service is "à vérifier" (it would cover
    the segment only if a criterion the registry does not state admitted it), ``·`` for a
    gap. Words in ``lang``; ``housing`` and ``services``
    name the housing situations and the services (their ids otherwise).
    """
    housing = housing or {}
    services = services or {}
    keys = [s.key for s in coverage.segments]
    name_width = min(32, max([len(t.name) for t in coverage.territories] + [9]))
    lines = []
    bands = list(dict.fromkeys(s.band for s in coverage.segments))
    housings = list(dict.fromkeys(s.housing for s in coverage.segments))
    legend = ", ".join(f"{i + 1} = {housing.get(h, h)}" for i, h in enumerate(housings))
    lines.append(locale.t("cli.gaps.legend", lang, legend=legend))
    lines.append(locale.t("cli.gaps.marks", lang))
    territory, population_word = locale.t("cli.gaps.territory", lang), locale.t("cli.gaps.population", lang)
    header = f"{territory:<{name_width}} {population_word:>10}  " + "  ".join(
        f"{b:<{len(housings) * 2 - 1}}" for b in bands
    )
    lines.append(header)
    for row in coverage.territories:
        marks = [_mark(cell) for cell in row.cells]
        width = len(housings)
        groups = [" ".join(marks[i : i + width]) for i in range(0, len(keys), width)]
        population = "" if row.population is None else str(row.population)
        lines.append(f"{row.name[:name_width]:<{name_width}} {population:>10}  " + "  ".join(groups))
    s = coverage.summary
    by_key = {segment.key: segment for segment in coverage.segments}

    def segment_name(key: str) -> str:
        segment = by_key.get(key)
        if segment is None:
            return key
        return f"{segment.band} {housings.index(segment.housing) + 1}"

    lines.append("")
    lines.append(
        locale.t("cli.gaps.totals", lang, territories=s.territories, communes=s.communes, services=len(s.services))
    )
    for g in s.segments:
        share = (
            locale.t("cli.gaps.none", lang)
            if g.covered_population_share is None
            else _percent(g.covered_population_share, lang)
        )
        line = locale.t(
            "cli.gaps.segment",
            lang,
            share=f"{share:>6}",
            gaps=g.uncovered_territories,
            partial=g.partial_only_territories,
            overlaps=g.overlap_territories,
        )
        unknown = (
            locale.t("cli.gaps.none", lang)
            if g.unknown_population_share is None
            else _percent(g.unknown_population_share, lang)
        )
        line += "  " + locale.t("cli.gaps.segment_unknown", lang, share=unknown, gaps=g.unknown_territories)
        lines.append(f"  {segment_name(g.segment):<10} {line}")
    if s.uncovered_everywhere:
        names = ", ".join(segment_name(key) for key in s.uncovered_everywhere)
        lines.append(locale.t("cli.gaps.uncovered", lang, segments=names))
        if s.unknown_only:
            names = ", ".join(segment_name(key) for key in s.unknown_only)
            lines.append("  " + locale.t("cli.gaps.unknown_only", lang, segments=names))
    if s.approximate_areas:
        names = ", ".join(services.get(key, key) for key in s.approximate_areas)
        lines.append(locale.t("cli.gaps.approximate", lang, services=names))
    fresh = (
        locale.t("cli.gaps.between", lang, oldest=s.oldest_verified, newest=s.newest_verified)
        if s.oldest_verified
        else locale.t("cli.gaps.none", lang)
    )
    lines.append(locale.t("cli.gaps.verified", lang, verified=fresh, date=s.date))
    return "\n".join(lines) + "\n"
