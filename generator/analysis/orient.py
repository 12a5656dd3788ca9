"""Orientation: from a caller's profile to the services that fit, the near misses, the fallbacks.

The matcher works on ``OrientData``, a compact, language-neutral digest of the registry
(only what matching needs). The same digest, serialised by ``data_to_json``, is what the
orientation page's JavaScript (``generator/site/assets/orient.js``) reads: both matchers run on
identical input and follow the same rules line by line, so they must give identical
output. ``tests/vectors/orient.json`` holds the shared test vectors.

Rules (DESIGN.md and issue 7):

- a criterion the registry does not know (``None``) never excludes a service: it is
  reported "à vérifier";
- a service matches when every known criterion holds; it is a near miss when one or two
  fail (a failure on the area counts only within ``NEAR_KM`` of the area);
- needs are a filter: with needs given, only services listing one of them are considered;
- when nothing matches, the fallbacks are the territory's generalist services, helplines
  and "zones grises" case managers, the nearest services outside the area, and the
  segment (age band / housing) is marked as a gap.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from ..registry.loader import Registry
from ..registry.territories import LEVEL_RANK, Gazetteer
from ..registry.text import fold
from .describe import (
    CONDITION_PHRASES,
    age_phrase,
    condition_phrases,
    delay_phrase,
    duration_phrase,
    label,
    referrers_phrase,
    text,
)

DATA_VERSION = 2
# A service failing only because the person lives outside its area is worth arguing for
# when the person lives close by; hundreds of km away it is only a "nearest" fallback.
NEAR_KM = 50
NEAREST_FALLBACKS = 3
MAX_NEAR_MISSES = 10
# Communes listed in the browser's place index: those inside a service area, and those of
# the EPCI / département / province around it, when the enclosing territory is not larger
# than this (a whole country's communes would make the page heavy).
INDEX_MAX_COMMUNES = 500

CRITERIA_FR = {
    "age": "âge",
    "area": "zone couverte",
    "housing": "logement",
    "needs": "besoins",
    "referrer": "qui fait la demande",
    "professional_requesters": "nombre de professionnels demandeurs",
    "health_insurance": "couverture santé",
    "residence_permit": "titre de séjour",
    "crisis": "situation de crise",
    "non_demand": "non-demande",
}


class ConditionCheck(NamedTuple):
    """A condition of the registry the profile can ask about (``assets/orient.js`` has the same)."""

    criterion: str
    field: str  # of the registry's public.conditions
    flag: str  # of the profile: the person asks about it
    failing: bool  # the service's value that fails the person
    unknown: str  # what to check when the registry does not say
    fail_note: str = ""  # after the phrase of the failing value

    @property
    def ok(self) -> str:
        return CONDITION_PHRASES[self.field][not self.failing]

    @property
    def fail(self) -> str:
        return CONDITION_PHRASES[self.field][self.failing] + self.fail_note


CONDITION_CHECKS = (
    ConditionCheck(
        "health_insurance", "health_insurance_required", "no_insurance", True, "couverture santé : à vérifier"
    ),
    ConditionCheck(
        "residence_permit", "residence_permit_required", "no_residence_permit", True, "titre de séjour : à vérifier"
    ),
    ConditionCheck("crisis", "crisis_accepted", "crisis", False, "intervention en situation de crise : à vérifier"),
    ConditionCheck(
        "non_demand",
        "non_demand_accepted",
        "non_demand",
        False,
        "« non-demande » : à vérifier",
        fail_note=" (pas de « non-demande »)",
    ),
)
OK = " ✓"


# --- the compact data ------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A territory as the matcher needs it: name, level, parents, postcodes, centroid."""

    code: str
    name: str
    level: str
    parents: tuple[str, ...] = ()
    postcodes: tuple[str, ...] = ()
    name_nl: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class ServiceCriteria:
    """One service's criteria, and the phrases staff read out to the caller."""

    id: str
    name: str
    organisation: str
    area: tuple[str, ...]
    area_text: str
    needs: tuple[str, ...]
    functions: tuple[str, ...]
    age_min: int | None = None
    age_max: int | None = None
    age_text: str = ""
    approximate: bool = False
    housing: tuple[str, ...] | None = None
    generalist: bool = False
    referrers: tuple[str, ...] | None = None
    professional_requesters: int | None = None
    conditions: Mapping[str, bool] = field(default_factory=dict)
    next_steps: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()

    @property
    def has_age(self) -> bool:
        return self.age_min is not None or self.age_max is not None


@dataclass(frozen=True)
class OrientData:
    """Everything orientation needs: services' criteria, territories, labels, age bands."""

    services: tuple[ServiceCriteria, ...]
    territories: Mapping[str, Place]
    labels: Mapping[str, Mapping[str, str]]
    age_bands: tuple[tuple[str, int, int | None], ...]

    def ancestors(self, code: str) -> frozenset[str]:
        """``code`` and every territory containing it (as far as the data knows them).

        An EPCI that spans several départements lists them all as parents (the Métropole
        du Grand Paris: 75, 91, 92, 93, 94, 95); going up through it would put Nanterre in
        Seine-Saint-Denis. A commune names its own département, so above ``code`` the
        parents of an EPCI are not followed.
        """
        seen = {code}
        stack = [code]
        while stack:
            current = stack.pop()
            place = self.territories.get(current)
            if place is None or (place.level == "epci" and current != code):
                continue
            for parent in place.parents:
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return frozenset(seen)

    def resolve(self, typed: str) -> str:
        """A code, postcode or name to a code, as ``Gazetteer.resolve`` does; ``PlaceNotFound``."""
        value = typed.strip()
        if value.lower() in self.territories:
            return value.lower()
        if re.fullmatch(r"[0-9]{4,5}", value):
            codes = sorted(c for c, p in self.territories.items() if value in p.postcodes)
        else:
            key = fold(value)
            codes = sorted(c for c, p in self.territories.items() if key in (fold(p.name), fold(p.name_nl)) and key)
            communes = [c for c in codes if self.territories[c].level == "commune"]
            if len(communes) == 1 and len(codes) > 1:
                codes = communes
        if len(codes) == 1:
            return codes[0]
        raise PlaceNotFound(typed, tuple(codes))


class PlaceNotFound(ValueError):
    """A typed place that names no territory of the data, or several."""

    def __init__(self, place: str, candidates: tuple[str, ...]) -> None:
        self.place = place
        self.candidates = candidates
        what = "ambiguous" if candidates else "unknown"
        super().__init__(f"{what} place '{place}'" + (f": {', '.join(candidates)}" if candidates else ""))


def _lower_first(value: str) -> str:
    return value[:1].lower() + value[1:]


def _next_steps(registry: Registry, service_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the caller must do next (who may ask, the form, the delay) and the contacts."""
    service = registry.services[service_id]
    steps = [f"Qui peut demander : {referrers_phrase(registry, service.access)}"]
    if service.access.form:
        steps.append(f"Demande : {text(service.access.form)}")
    delay = delay_phrase(service.access)
    if delay:
        steps.append(f"Délai de réponse : {delay}")
    if service.access.process:
        steps.append(f"Ensuite : {text(service.access.process)}")
    duration = duration_phrase(service.duration)
    if duration:
        steps.append(f"Durée : {duration}")
    for name, value, phrase in condition_phrases(service.public.conditions):
        if name in ("diagnosis_required", "consent_required") and value:
            steps.append(f"À savoir : {phrase}")
    if service.public.exclusions:
        steps.append(f"Exclusions : {text(service.public.exclusions)}")
    if service.status.state == "pilot":
        steps.append("Projet pilote : vérifier qu'il accepte de nouvelles demandes")
    contacts = []
    for contact in service.contacts:
        name = f"{contact.label} : " if contact.label else ""
        contacts.append(f"{name}{contact.value}")
    return tuple(steps), tuple(contacts)


def _place(territory: Any) -> Place:
    return Place(
        code=territory.code,
        name=territory.name,
        level=territory.level,
        parents=tuple(territory.parents),
        postcodes=tuple(territory.postcodes),
        name_nl=territory.name_nl if territory.name_nl != territory.name else "",
        lat=round(territory.lat, 4) if territory.lat is not None else None,
        lon=round(territory.lon, 4) if territory.lon is not None else None,
    )


def index_codes(gazetteer: Gazetteer, areas: Iterable[str]) -> set[str]:
    """The territories a person may type in the browser: see ``INDEX_MAX_COMMUNES``."""
    codes: set[str] = set()
    enclosing: set[str] = set()
    for area in set(areas):
        enclosing.add(area)
        for ancestor in gazetteer.ancestors(area):
            territory = gazetteer.get(ancestor)
            if territory and territory.level == "epci":
                enclosing.add(ancestor)
    for code in sorted(enclosing):
        territory = gazetteer.get(code)
        if territory is None:
            continue
        if territory.level == "commune":
            codes.add(code)
            continue
        communes = gazetteer.descendants(code, "commune")
        if len(communes) <= INDEX_MAX_COMMUNES:
            codes.update(communes)
    return codes


def build_data(registry: Registry, *, places: Iterable[str] | None = None) -> OrientData:
    """The compact data of ``registry`` (already filtered for the audience).

    ``places``: the territory codes the caller will ask about (the CLI's ``--where``);
    ``None`` builds the browser's index of every place a person may type.
    """
    gazetteer = registry.gazetteer
    services = []
    areas: set[str] = set()
    for service in registry.services.values():
        if service.status.state == "closed":
            continue
        age = service.public.age
        steps, contacts = _next_steps(registry, service.id)
        public = service.public
        names = [gazetteer[c].name if c in gazetteer else c for c in public.area]
        areas.update(public.area)
        services.append(
            ServiceCriteria(
                id=service.id,
                name=service.name.get("fr"),
                organisation=registry.organisation_of(service.id).name.get("fr"),
                area=tuple(public.area),
                area_text=", ".join(names),
                needs=tuple(service.needs),
                functions=tuple(service.functions),
                age_min=age.min if age else None,
                age_max=age.max if age else None,
                age_text=age_phrase(age) if age and (age.min is not None or age.max is not None) else "",
                approximate=public.area_approximate,
                housing=tuple(public.housing) if public.housing is not None else None,
                generalist=service.generalist,
                referrers=tuple(service.access.referrers) if service.access.referrers is not None else None,
                professional_requesters=service.access.professional_requesters,
                conditions={
                    name: value
                    for name, value in public.conditions.model_dump().items()
                    if value is not None and name in {c.field for c in CONDITION_CHECKS}
                },
                next_steps=steps,
                contacts=contacts,
            )
        )
    wanted = set(areas) | (set(places) if places is not None else index_codes(gazetteer, areas))
    codes: set[str] = set()
    for code in wanted:
        codes |= gazetteer.ancestors(code)
    territories = {c: _place(gazetteer[c]) for c in sorted(codes) if c in gazetteer}
    vocabularies = registry.vocabularies
    labels = {
        name: {term: label(registry, name, term) for term in vocabularies.vocabulary(name)}
        for name in ("housing", "needs", "referrers", "functions")
    }
    bands = tuple((b.id, b.min, b.max) for b in vocabularies.age_bands)
    return OrientData(tuple(services), territories, labels, bands)


DETAILS_CHUNK = 64  # services per details file: a result shows a few, fetched on demand


def _front_code(previous: str, value: str) -> list[Any]:
    """``[shared prefix length with previous, rest]``: sorted ids and codes share long prefixes."""
    shared = 0
    limit = min(len(previous), len(value))
    while shared < limit and previous[shared] == value[shared]:
        shared += 1
    return [shared, value[shared:]]


class ServiceRow(NamedTuple):
    """One service of ``data_to_json``'s ``services``, a JSON array in this order.

    Numbers are rows of the data's tables; -1 is unknown. ``assets/orient.js`` (``expand``)
    reads the same array by position.
    """

    shared: int  # characters of the previous service's id this id starts with
    rest: str  # the rest of the id
    name: int  # in names
    area: int  # in areas: [codes, text]
    needs: int  # in lists
    functions: int  # in lists
    age: int  # in ages: [min, max, text]; -1 unknown
    housing: int  # in lists; -1 unknown
    referrers: int  # in lists; -1 unknown
    conditions: int  # in conditions
    flags: int  # 1: approximate area, 2: generalist
    professional_requesters: int | None


APPROXIMATE, GENERALIST = 1, 2


class _Table:
    """Distinct values in first-seen order: rows hold an index instead of repeating them."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._index: dict[str, int] = {}

    def add(self, value: Any) -> int:
        key = json.dumps(value, ensure_ascii=False, sort_keys=True)
        if key not in self._index:
            self._index[key] = len(self.items)
            self.items.append(value)
        return self._index[key]


def data_to_json(data: OrientData) -> dict[str, Any]:
    """The compact JSON the orientation page downloads: what matching and ranking need.

    Repeated values (names, area lists, needs, criteria) sit once in tables; ids and
    territory codes are front-coded; display-only parts (organisation, next steps,
    contacts) are in ``details_to_json``'s chunks, fetched when a result is shown.
    """
    names, areas, lists, ages, conds = _Table(), _Table(), _Table(), _Table(), _Table()
    rows = []
    previous = ""
    for s in data.services:
        shared, rest = _front_code(previous, s.id)
        # The criteria go into the tables first: their order is the bytes of the file.
        age = ages.add([s.age_min, s.age_max, s.age_text]) if s.has_age else -1
        housing = lists.add(list(s.housing)) if s.housing is not None else -1
        referrers = lists.add(list(s.referrers)) if s.referrers is not None else -1
        conditions = conds.add(dict(s.conditions))
        row = ServiceRow(
            shared=shared,
            rest=rest,
            name=names.add(s.name),
            area=areas.add([list(s.area), s.area_text]),
            needs=lists.add(list(s.needs)),
            functions=lists.add(list(s.functions)),
            age=age,
            housing=housing,
            referrers=referrers,
            conditions=conditions,
            flags=(APPROXIMATE if s.approximate else 0) | (GENERALIST if s.generalist else 0),
            professional_requesters=s.professional_requesters,
        )
        previous = s.id
        rows.append(list(row))
    named = _service_areas(data)  # once: per territory it made this loop territories × services
    codes = [c for c in data.territories if not _on_demand(data, c, named)]
    position = {code: i for i, code in enumerate(codes)}
    levels = _Table()
    places = []
    previous = ""
    for code in codes:
        p = data.territories[code]
        # Parents the data does not hold stay codes (strings); held ones are row numbers.
        parents = [position.get(c, c) for c in p.parents]
        centroid = [p.lat, p.lon] if p.lat is not None and p.lon is not None else 0
        place = [*_front_code(previous, code), p.name, levels.add(p.level), parents, " ".join(p.postcodes), centroid]
        if p.name_nl:
            place.append(p.name_nl)
        previous = code
        places.append(place)
    return {
        "version": DATA_VERSION,
        "chunk": DETAILS_CHUNK,
        "age_bands": [list(b) for b in data.age_bands],
        "labels": {k: dict(v) for k, v in data.labels.items()},
        "levels": levels.items,
        "territories": places,
        "names": names.items,
        "areas": areas.items,
        "lists": lists.items,
        "ages": ages.items,
        "conditions": conds.items,
        "services": rows,
    }


def _service_areas(data: OrientData) -> frozenset[str]:
    return frozenset(c for s in data.services for c in s.area)


def _on_demand(data: OrientData, code: str, areas: frozenset[str] | None = None) -> bool:
    """A commune no service names: only the person's own place, fetched once typed."""
    place = data.territories[code]
    return place.level == "commune" and code not in (areas if areas is not None else _service_areas(data))


def _key(value: str) -> str:
    return value.replace(" ", "_")


def place_keys(place: Place) -> set[str]:
    """The places files that list ``place``: by code (all but the last two characters), by
    the first two letters of its folded names, by the first two digits of its postcodes."""
    keys = {"c-" + _key(place.code[:-2])}
    keys |= {"n-" + _key(fold(n)[:2]) for n in (place.name, place.name_nl) if fold(n)}
    keys |= {"p-" + pc[:2] for pc in place.postcodes}
    return keys


def places_to_json(data: OrientData) -> dict[str, list[list[Any]]]:
    """The communes no service names, by ``place_keys``: the page fetches the one file what
    is typed needs (see ``placeKey`` in orient.js) instead of every commune at start.

    A row: ``[code, name, parents, postcodes, centroid, name_nl?]``; parents are rows of
    the main data's territories (numbers) or codes.
    """
    areas = _service_areas(data)
    main = [c for c in data.territories if not _on_demand(data, c, areas)]
    position = {code: i for i, code in enumerate(main)}
    files: dict[str, list[list[Any]]] = {}
    for code, p in data.territories.items():
        if not _on_demand(data, code, areas):
            continue
        centroid = [p.lat, p.lon] if p.lat is not None and p.lon is not None else 0
        row: list[Any] = [code, p.name, [position.get(c, c) for c in p.parents], " ".join(p.postcodes), centroid]
        if p.name_nl:
            row.append(p.name_nl)
        for key in place_keys(p):
            files.setdefault(key, []).append(row)
    return dict(sorted(files.items()))


def details_to_json(data: OrientData) -> list[list[list[Any]]]:
    """Display-only parts by chunks of ``DETAILS_CHUNK`` services, in the order of the data:
    ``[organisation, next steps, contacts]`` for each service."""
    rows = [[s.organisation, list(s.next_steps), list(s.contacts)] for s in data.services]
    return [rows[i : i + DETAILS_CHUNK] for i in range(0, len(rows), DETAILS_CHUNK)]


def _front_decode(rows: Iterable[Sequence[Any]]) -> list[str]:
    values: list[str] = []
    previous = ""
    for row in rows:
        previous = previous[: row[0]] + row[1]
        values.append(previous)
    return values


def data_from_json(
    raw: Mapping[str, Any],
    details: Sequence[Sequence[Sequence[Any]]] = (),
    places: Iterable[Sequence[Sequence[Any]]] = (),
) -> OrientData:
    """Read back ``data_to_json``'s output, the ``details`` chunks and the ``places`` files
    loaded so far (tests run the Python matcher on it); a service whose chunk is missing has
    no next steps, a commune whose file is missing is unknown."""
    services = []
    detail_rows = [row for chunk in details for row in chunk]
    rows = raw["services"]
    for i, (service_id, items) in enumerate(zip(_front_decode(rows), rows, strict=True)):
        row = ServiceRow(*items)
        area, area_text = raw["areas"][row.area]
        age: Sequence[Any] = raw["ages"][row.age] if row.age >= 0 else (None, None, "")
        lists = raw["lists"]
        organisation, steps, contacts = detail_rows[i] if i < len(detail_rows) else ("", [], [])
        services.append(
            ServiceCriteria(
                id=service_id,
                name=raw["names"][row.name],
                organisation=organisation,
                area=tuple(area),
                area_text=area_text,
                needs=tuple(lists[row.needs]),
                functions=tuple(lists[row.functions]),
                age_min=age[0],
                age_max=age[1],
                age_text=age[2],
                approximate=bool(row.flags & APPROXIMATE),
                housing=tuple(lists[row.housing]) if row.housing >= 0 else None,
                generalist=bool(row.flags & GENERALIST),
                referrers=tuple(lists[row.referrers]) if row.referrers >= 0 else None,
                professional_requesters=row.professional_requesters,
                conditions=dict(raw["conditions"][row.conditions]),
                next_steps=tuple(steps),
                contacts=tuple(contacts),
            )
        )
    rows = raw["territories"]
    codes = _front_decode(rows)
    territories = {}
    for code, entry in zip(codes, rows, strict=True):
        centroid = entry[6] or [None, None]
        territories[code] = Place(
            code=code,
            name=entry[2],
            level=raw["levels"][entry[3]],
            parents=tuple(codes[c] if isinstance(c, int) else c for c in entry[4]),
            postcodes=tuple(entry[5].split()),
            name_nl=entry[7] if len(entry) > 7 else "",
            lat=centroid[0],
            lon=centroid[1],
        )
    for chunk in places:
        for commune in chunk:
            centroid = commune[4] or [None, None]
            territories[commune[0]] = Place(
                code=commune[0],
                name=commune[1],
                level="commune",
                parents=tuple(codes[c] if isinstance(c, int) else c for c in commune[2]),
                postcodes=tuple(commune[3].split()),
                name_nl=commune[5] if len(commune) > 5 else "",
                lat=centroid[0],
                lon=centroid[1],
            )
    bands = tuple((b[0], b[1], b[2]) for b in raw["age_bands"])
    return OrientData(tuple(services), territories, raw["labels"], bands)


# --- the profile and the result ----------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """The person being oriented, as the helpdesk hears it on the phone."""

    place: str  # a territory code
    age: int | None = None
    housing: str | None = None
    needs: tuple[str, ...] = ()
    referrer: str | None = None  # self, relative, professional
    professionals: int | None = None  # distinct institutions asking
    no_insurance: bool = False
    no_residence_permit: bool = False
    crisis: bool = False
    non_demand: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "age": self.age,
            "housing": self.housing,
            "needs": list(self.needs),
            "referrer": self.referrer,
            "professionals": self.professionals,
            "no_insurance": self.no_insurance,
            "no_residence_permit": self.no_residence_permit,
            "crisis": self.crisis,
            "non_demand": self.non_demand,
        }


CheckStatus = Literal["ok", "fail", "unknown"]
FallbackKind = Literal["generalist", "helpline", "case-manager", "nearest", "gap"]


@dataclass(frozen=True)
class Check:
    """One criterion of one service against the profile: ok, fail or unknown."""

    criterion: str
    status: CheckStatus
    text: str


@dataclass(frozen=True)
class Evaluation:
    service: ServiceCriteria
    checks: tuple[Check, ...]
    specificity: int  # level rank of the most precise area code covering the place; -1 none
    distance_km: int | None  # from the place to the nearest area centroid, when outside
    needs_met: int

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status == "fail")

    @property
    def unknown(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status == "unknown")

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(c.text for c in self.checks if c.status != "fail")


@dataclass(frozen=True)
class Fallback:
    kind: FallbackKind
    detail: str
    service: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Result:
    profile: Profile
    place_name: str
    matches: tuple[Evaluation, ...]
    near_misses: tuple[Evaluation, ...]
    fallbacks: tuple[Fallback, ...]
    segment: str

    def to_json(self) -> dict[str, Any]:
        """The shape of DESIGN.md (``orient --format json``), with a few extra keys."""
        profile = self.profile.to_json()
        profile["place_name"] = self.place_name
        profile["segment"] = self.segment
        return {
            "profile": profile,
            "matches": [
                {
                    "service": e.service.id,
                    "name": e.service.name,
                    "organisation": e.service.organisation,
                    "reasons": list(e.reasons),
                    "to_check": [c.text for c in e.unknown],
                    "next_steps": list(e.service.next_steps),
                    "contacts": list(e.service.contacts),
                }
                for e in self.matches
            ],
            "near_misses": [
                {
                    "service": e.service.id,
                    "name": e.service.name,
                    "failed": [{"criterion": c.criterion, "detail": c.text} for c in e.failed],
                    "reasons": list(e.reasons),
                }
                for e in self.near_misses
            ],
            "fallbacks": [
                {"kind": f.kind, "service": f.service, "name": f.name, "detail": f.detail} for f in self.fallbacks
            ],
        }


# --- matching -----------------------------------------------------------------------------


def distance_km(a: Place, b: Place) -> int | None:
    """Great-circle distance between two centroids, rounded half up to the km."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return math.floor(6371 * 2 * math.asin(math.sqrt(min(1.0, h))) + 0.5)


def _years(n: int) -> str:
    return f"{n} an" if n == 1 else f"{n} ans"


def _age_checks(service: ServiceCriteria, profile: Profile) -> list[Check]:
    if not service.has_age:
        return [Check("age", "unknown", "âge : à vérifier")]
    if profile.age is None:
        return [Check("age", "unknown", f"{service.age_text} : âge de la personne à vérifier")]
    if service.age_min is not None and profile.age < service.age_min:
        gap = _years(service.age_min - profile.age)
        return [Check("age", "fail", f"{profile.age} ans : {gap} en dessous de l'âge minimum ({service.age_text})")]
    if service.age_max is not None and profile.age > service.age_max:
        gap = _years(profile.age - service.age_max)
        return [Check("age", "fail", f"{profile.age} ans : {gap} au-dessus de la limite ({service.age_text})")]
    return [Check("age", "ok", service.age_text + OK)]


def _area_checks(
    data: OrientData, service: ServiceCriteria, place: Place, ancestors: frozenset[str]
) -> tuple[list[Check], int, int | None]:
    covering = [c for c in service.area if c in ancestors]
    if covering:
        rank = max(LEVEL_RANK.get(data.territories[c].level if c in data.territories else "", -1) for c in covering)
        checks = [Check("area", "ok", f"réside à {place.name}, dans la zone couverte ({service.area_text})" + OK)]
        if service.approximate:
            checks.append(Check("area", "unknown", "zone couverte approximative : à vérifier"))
        return checks, rank, None
    inside = [c for c in service.area if place.code in data.ancestors(c)]
    if inside:
        message = f"{place.name} : la zone couverte ({service.area_text}) n'en couvre qu'une partie, à vérifier"
        return [Check("area", "unknown", message)], -1, None
    distances = [
        d
        for d in (distance_km(place, data.territories[c]) for c in service.area if c in data.territories)
        if d is not None
    ]
    nearest = min(distances) if distances else None
    message = f"réside à {place.name}, hors de la zone couverte ({service.area_text})"
    if nearest is not None:
        message += f", à {nearest} km"
    return [Check("area", "fail", message)], -1, nearest


def _housing_checks(data: OrientData, service: ServiceCriteria, profile: Profile) -> list[Check]:
    names = data.labels["housing"]
    if service.housing is None:
        return [Check("housing", "unknown", "logement : à vérifier")] if profile.housing else []
    admitted = ", ".join(_lower_first(names.get(h, h)) for h in service.housing)
    if profile.housing is None:
        return [Check("housing", "unknown", f"logement admis : {admitted} — à vérifier")]
    mine = names.get(profile.housing, profile.housing)
    if profile.housing in service.housing:
        return [Check("housing", "ok", f"logement : {_lower_first(mine)}" + OK)]
    return [Check("housing", "fail", f"{mine} : non admis (admis : {admitted})")]


def _referrer_checks(data: OrientData, service: ServiceCriteria, profile: Profile) -> list[Check]:
    if profile.referrer is None:
        return []
    names = data.labels["referrers"]
    if service.referrers is None:
        return [Check("referrer", "unknown", "qui peut faire la demande : à vérifier")]
    mine = _lower_first(names.get(profile.referrer, profile.referrer))
    if profile.referrer not in service.referrers:
        allowed = ", ".join(_lower_first(names.get(r, r)) for r in service.referrers)
        return [Check("referrer", "fail", f"demande par {mine} non prévue (demande par : {allowed})")]
    checks = [Check("referrer", "ok", f"demande possible par {mine}" + OK)]
    required = service.professional_requesters
    if profile.referrer == "professional" and required is not None and required > 1:
        wanted = f"{required} professionnels d'institutions distinctes"
        if profile.professionals is None:
            checks.append(Check("professional_requesters", "unknown", f"{wanted} requis : à vérifier"))
        elif profile.professionals < required:
            given = profile.professionals
            checks.append(
                Check("professional_requesters", "fail", f"{wanted} requis ({given} indiqué{'s' if given > 1 else ''})")
            )
        else:
            checks.append(Check("professional_requesters", "ok", wanted + OK))
    return checks


def _condition_checks(service: ServiceCriteria, profile: Profile) -> list[Check]:
    checks = []
    for condition in CONDITION_CHECKS:
        if not getattr(profile, condition.flag):
            continue
        value = service.conditions.get(condition.field)
        if value is None:
            checks.append(Check(condition.criterion, "unknown", condition.unknown))
        elif value == condition.failing:
            checks.append(Check(condition.criterion, "fail", condition.fail))
        else:
            checks.append(Check(condition.criterion, "ok", condition.ok + OK))
    return checks


def evaluate(data: OrientData, service: ServiceCriteria, profile: Profile, ancestors: frozenset[str]) -> Evaluation:
    """Every criterion of ``service`` against ``profile``, in a fixed order."""
    place = data.territories[profile.place]
    checks = _age_checks(service, profile)
    area, specificity, distance = _area_checks(data, service, place, ancestors)
    checks += area
    checks += _housing_checks(data, service, profile)
    met = [n for n in service.needs if n in profile.needs]
    if met:
        needs = ", ".join(_lower_first(data.labels["needs"].get(n, n)) for n in met)
        checks.append(Check("needs", "ok", f"répond au besoin : {needs}" + OK))
    checks += _referrer_checks(data, service, profile)
    checks += _condition_checks(service, profile)
    return Evaluation(service, tuple(checks), specificity, distance, len(met))


def segment_of(data: OrientData, profile: Profile) -> str:
    """The public segment key ``<band>/<housing>`` (``<band>`` alone when housing is unknown)."""
    band = "?"
    if profile.age is not None:
        for band_id, low, high in data.age_bands:
            if profile.age >= low and (high is None or profile.age <= high):
                band = band_id
                break
    return f"{band}/{profile.housing}" if profile.housing else band


def orient(data: OrientData, profile: Profile) -> Result:
    """Matches, near misses and (when nothing matches) fallbacks for ``profile``."""
    if profile.place not in data.territories:
        raise PlaceNotFound(profile.place, ())
    place = data.territories[profile.place]
    ancestors = data.ancestors(profile.place)
    evaluations = []
    for service in data.services:
        if profile.needs and not any(n in profile.needs for n in service.needs):
            continue
        evaluations.append(evaluate(data, service, profile, ancestors))
    matches = sorted(
        (e for e in evaluations if not e.failed),
        key=lambda e: (-e.specificity, len(e.unknown), -e.needs_met, e.service.id),
    )
    near = []
    for e in evaluations:
        failed = e.failed
        if not 1 <= len(failed) <= 2:
            continue
        if any(c.criterion == "area" for c in failed) and (e.distance_km is None or e.distance_km > NEAR_KM):
            continue
        near.append(e)
    near.sort(key=lambda e: (len(e.failed), e.distance_km if e.distance_km is not None else 0, e.service.id))
    segment = segment_of(data, profile)
    fallbacks = [] if matches else _fallbacks(data, profile, place, ancestors, evaluations, segment)
    return Result(profile, place.name, tuple(matches), tuple(near[:MAX_NEAR_MISSES]), tuple(fallbacks), segment)


def _fallbacks(
    data: OrientData,
    profile: Profile,
    place: Place,
    ancestors: frozenset[str],
    evaluations: Sequence[Evaluation],
    segment: str,
) -> list[Fallback]:
    kinds: dict[FallbackKind, int] = {"generalist": 0, "helpline": 1, "case-manager": 2}
    found: list[tuple[int, str, Fallback]] = []
    for service in data.services:
        kind: FallbackKind
        if not any(c in ancestors for c in service.area):
            continue
        if "case-management" in service.functions and service.generalist:
            kind, detail = (
                "case-manager",
                "case manager « des zones grises » : pour une situation qui n'entre dans aucune case",
            )
        elif "helpline" in service.functions:
            kind, detail = "helpline", "ligne d'aide à l'orientation"
        elif service.generalist:
            kind, detail = "generalist", "service généraliste du territoire"
        else:
            continue
        found.append((kinds[kind], service.id, Fallback(kind, detail, service.id, service.name)))
    found.sort(key=lambda f: (f[0], f[1]))
    fallbacks = [f[2] for f in found]
    outside = [
        e
        for e in evaluations
        if e.distance_km is not None and all(c.criterion == "area" for c in e.failed) and e.failed
    ]
    outside.sort(key=lambda e: (e.distance_km if e.distance_km is not None else 0, e.service.id))
    for e in outside[:NEAREST_FALLBACKS]:
        detail = f"le plus proche hors zone : {e.service.area_text}, à {e.distance_km} km"
        fallbacks.append(Fallback("nearest", detail, e.service.id, e.service.name))
    detail = f"aucun service ne correspond au segment {segment} à {place.name} : zone grise à signaler"
    fallbacks.append(Fallback("gap", detail, None, place.name))
    return fallbacks


def text_report(result: Result) -> str:
    """The result as a helpdesk reads it on screen (``orient --format text``)."""
    lines = [f"Profil : {_profile_phrase(result)}", ""]
    if result.matches:
        lines.append(f"{len(result.matches)} service(s) correspondent :")
        for e in result.matches:
            lines.append("")
            lines.append(f"* {e.service.name} — {e.service.organisation} [{e.service.id}]")
            lines.extend(f"    {reason}" for reason in e.reasons)
            lines.extend(f"    → {step}" for step in e.service.next_steps)
            lines.extend(f"    ☎ {contact}" for contact in e.service.contacts)
    else:
        lines.append("Aucun service ne correspond.")
    if result.near_misses:
        lines.append("")
        lines.append("Presque (à négocier) :")
        for e in result.near_misses:
            failed = " ; ".join(f"{CRITERIA_FR.get(c.criterion, c.criterion)} : {c.text}" for c in e.failed)
            lines.append(f"* {e.service.name} [{e.service.id}] — {failed}")
    if result.fallbacks:
        lines.append("")
        lines.append("Pistes :")
        for f in result.fallbacks:
            who = f"{f.name} [{f.service}] — " if f.service else ""
            lines.append(f"* {who}{f.detail}")
    return "\n".join(lines)


def _profile_phrase(result: Result) -> str:
    p = result.profile
    parts = [f"{p.age} ans" if p.age is not None else "âge inconnu", f"à {result.place_name}"]
    if p.housing:
        parts.append(p.housing)
    if p.needs:
        parts.append("besoins : " + ", ".join(p.needs))
    if p.referrer:
        parts.append(f"demande : {p.referrer}")
    flags = {
        "no_insurance": "sans couverture santé",
        "no_residence_permit": "sans titre de séjour",
        "crisis": "en crise",
        "non_demand": "en non-demande",
    }
    parts += [phrase for name, phrase in flags.items() if getattr(p, name)]
    return ", ".join(parts)
