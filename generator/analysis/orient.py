"""Orientation: from a caller's profile to the services that fit, the near misses, the fallbacks.

The matcher works on ``OrientData``, a compact, language-neutral digest of the registry
(only what matching needs). The same digest, serialised by ``data_to_json``, is what the
orientation page's JavaScript (``generator/site/assets/orient.js``) reads: both matchers run on
identical input and follow the same rules line by line, so they must give identical
output. ``tests/vectors/orient.json`` holds the shared test vectors.

Rules (DESIGN.md, issues 7 and 17):

- a criterion the registry does not know (``None``) never excludes a service: it is
  reported "à vérifier", and the service is ranked among the matches that depend on what
  the sources do not say (``group`` "to_check"), after those whose criteria are all known
  and met ("fit"); one criterion is never both met (✓) and to check;
- within a group: services made for the person's public before generalist ones, then a
  precise area before a wide or approximate one; each match says why it stands there;
- a service is a near miss when one or two known criteria fail (a failure on the area
  counts only within ``NEAR_KM`` of the area, in the person's country);
- needs are a filter: with needs given, only services listing one of them are considered;
- when nothing matches, the fallbacks are the generalist services, helplines and "zones
  grises" case managers covering the place, the nearest services outside their area in
  the same country within ``fallback_km`` (``mkdocs.yml``'s ``orient_fallback_km``), or a
  plain "nothing nearby", and the gap in plain words with its line of the gap report.

The phrases are the catalogue's ``js.orient.m.*`` keys (``generator/locale``): French by
default, the vectors' language; ``lang`` gives another. The browser gets the French ones
in the data (``words``) and the page's language from the page.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from ..locale import N_, catalogue, lookup, t
from ..registry.dates import reference_date
from ..registry.hours import describe as describe_hours
from ..registry.loader import Registry
from ..registry.territories import LEVEL_RANK, Gazetteer
from ..registry.text import fold
from .describe import (
    condition_phrases,
    delay_phrase,
    duration_phrase,
    label,
    referrers_phrase,
    text,
)

DATA_VERSION = 3
# A service failing only because the person lives outside its area is worth arguing for
# when the person lives close by; hundreds of km away it is only a "nearest" fallback.
NEAR_KM = 50
NEAREST_FALLBACKS = 3
FALLBACK_KM = 100  # the default of mkdocs.yml's orient_fallback_km
MAX_NEAR_MISSES = 10
# Communes listed in the browser's place index: those inside a service area, and those of
# the EPCI / département / province around it, when the enclosing territory is not larger
# than this (a whole country's communes would make the page heavy).
INDEX_MAX_COMMUNES = 500
# The gap report's tables are at this level (generator/site/gaps_page.py's LEVEL): a row
# per département or province (and Brussels), its territory code as the row's anchor.
GAPS_LEVEL = "dep"
GAPS_DIR = "gaps/"
PRECISE_RANK = LEVEL_RANK["epci"]  # an EPCI or a commune is a precise area; larger ones are wide

PUBLIC_CRITERIA = ("age", "housing")  # a fallback failing one of them is not for this person
PHRASES = "js.orient.m."  # the matcher's phrases in the catalogue
OK = " ✓"
APPROXIMATE_OK = " ≈"
SEPARATOR = " ; "

CRITERIA = (
    N_("criterion.age"),
    N_("criterion.area"),
    N_("criterion.housing"),
    N_("criterion.needs"),
    N_("criterion.referrer"),
    N_("criterion.professional_requesters"),
    N_("criterion.health_insurance"),
    N_("criterion.residence_permit"),
    N_("criterion.crisis"),
    N_("criterion.non_demand"),
)


def criterion_name(criterion: str, lang: str = "fr") -> str:
    """A criterion's name for people (``"referrer"`` -> « qui fait la demande »)."""
    return t("criterion." + criterion, lang)


class ConditionCheck(NamedTuple):
    """A condition of the registry the profile can ask about (``assets/orient.js`` has the same).

    Its phrases are ``js.orient.m.cond.<criterion>.ok|fail|unknown``.
    """

    criterion: str
    field: str  # of the registry's public.conditions
    flag: str  # of the profile: the person asks about it
    failing: bool  # the service's value that fails the person


CONDITION_CHECKS = (
    ConditionCheck("health_insurance", "health_insurance_required", "no_insurance", True),
    ConditionCheck("residence_permit", "residence_permit_required", "no_residence_permit", True),
    ConditionCheck("crisis", "crisis_accepted", "crisis", False),
    ConditionCheck("non_demand", "non_demand_accepted", "non_demand", False),
)
CONDITION_PHRASE_KEYS = (
    N_("js.orient.m.cond.health_insurance.ok"),
    N_("js.orient.m.cond.health_insurance.fail"),
    N_("js.orient.m.cond.health_insurance.unknown"),
    N_("js.orient.m.cond.residence_permit.ok"),
    N_("js.orient.m.cond.residence_permit.fail"),
    N_("js.orient.m.cond.residence_permit.unknown"),
    N_("js.orient.m.cond.crisis.ok"),
    N_("js.orient.m.cond.crisis.fail"),
    N_("js.orient.m.cond.crisis.unknown"),
    N_("js.orient.m.cond.non_demand.ok"),
    N_("js.orient.m.cond.non_demand.fail"),
    N_("js.orient.m.cond.non_demand.unknown"),
)
PUBLIC_HOUSING_KEYS = (
    N_("js.orient.m.public_housing.roofless"),
    N_("js.orient.m.public_housing.houseless"),
    N_("js.orient.m.public_housing.insecure"),
    N_("js.orient.m.public_housing.inadequate"),
    N_("js.orient.m.public_housing.housed"),
    N_("js.orient.m.public_housing_people.roofless"),
    N_("js.orient.m.public_housing_people.houseless"),
    N_("js.orient.m.public_housing_people.insecure"),
    N_("js.orient.m.public_housing_people.inadequate"),
    N_("js.orient.m.public_housing_people.housed"),
)

# Every phrase key the matcher and the report ask for by a name made at run time (Babel sees them here).
PHRASE_KEYS = (
    N_("js.orient.m.age_between"),
    N_("js.orient.m.age_from"),
    N_("js.orient.m.age_to"),
    N_("js.orient.m.age_all"),
    N_("js.orient.m.years_one"),
    N_("js.orient.m.years"),
    N_("js.orient.m.age_unknown"),
    N_("js.orient.m.age_person_unknown"),
    N_("js.orient.m.age_below"),
    N_("js.orient.m.age_above"),
    N_("js.orient.m.area_ok"),
    N_("js.orient.m.area_approximate"),
    N_("js.orient.m.area_partial"),
    N_("js.orient.m.area_out"),
    N_("js.orient.m.area_out_km"),
    N_("js.orient.m.housing_unknown"),
    N_("js.orient.m.housing_admitted_unknown"),
    N_("js.orient.m.housing_ok"),
    N_("js.orient.m.housing_fail"),
    N_("js.orient.m.needs_ok"),
    N_("js.orient.m.referrer_unknown"),
    N_("js.orient.m.referrer_fail"),
    N_("js.orient.m.referrer_ok"),
    N_("js.orient.m.pros_wanted"),
    N_("js.orient.m.pros_unknown"),
    N_("js.orient.m.pros_fail_one"),
    N_("js.orient.m.pros_fail"),
    *CONDITION_PHRASE_KEYS,
    N_("js.orient.m.rank_specific"),
    N_("js.orient.m.rank_generalist"),
    N_("js.orient.m.rank_unstated"),
    N_("js.orient.m.rank_area"),
    N_("js.orient.m.rank_area_wide"),
    N_("js.orient.m.rank_area_approximate"),
    N_("js.orient.m.rank_area_partial"),
    N_("js.orient.m.unknown_line"),
    N_("js.orient.m.fb_case_manager"),
    N_("js.orient.m.fb_helpline"),
    N_("js.orient.m.fb_generalist"),
    N_("js.orient.m.fb_nearest"),
    N_("js.orient.m.fb_none_nearby"),
    N_("js.orient.m.fb_gap"),
    N_("js.orient.m.gap_needs"),
    N_("js.orient.m.or"),
    N_("js.orient.m.public_minors"),
    N_("js.orient.m.public_adults"),
    N_("js.orient.m.public_people"),
    N_("js.orient.m.public_any"),
    N_("js.orient.m.band_between"),
    N_("js.orient.m.band_from"),
    *PUBLIC_HOUSING_KEYS,
    N_("cli.orient_report.profile"),
    N_("cli.orient_report.fit"),
    N_("cli.orient_report.to_check"),
    N_("cli.orient_report.none"),
    N_("cli.orient_report.near"),
    N_("cli.orient_report.fallbacks"),
    N_("cli.orient_report.first"),
    N_("cli.orient_report.ranked"),
    N_("cli.orient_report.who"),
    N_("cli.orient_report.how"),
    N_("cli.orient_report.delay"),
    N_("cli.orient_report.professional"),
    N_("cli.orient_report.gaps"),
    N_("cli.orient_report.age_unknown"),
    N_("cli.orient_report.needs"),
    N_("cli.orient_report.referrer"),
)


def matcher_words(lang: str = "fr") -> dict[str, str]:
    """The matcher's phrases (``js.orient.m.*`` and ``criterion.*``) in ``lang``, French when
    missing: what orient.js needs to speak ``lang`` (``orient(data, profile, {words})``)."""
    french = catalogue("fr")
    keys = sorted(k for k in french if k.startswith(PHRASES) or k.startswith("criterion."))
    return {key: lookup(key, lang) or french[key] for key in keys}


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


class ContactInfo(NamedTuple):
    """One contact of a service, as a result shows it (``{"kind", "value", "label"}``, and
    ``"extension"`` for a phone that has one)."""

    kind: str  # phone, email, web
    value: str
    label: str | None = None
    visibility: str = "public"  # or "professional": only in a professional build
    extension: str | None = None  # a phone's extension (« poste 123 »)

    def to_json(self) -> dict[str, Any]:
        data = {"kind": self.kind, "value": self.value, "label": self.label, "visibility": self.visibility}
        if self.extension:
            data["extension"] = self.extension
        return data


CONTACT_ORDER = {"phone": 0, "email": 1, "web": 2}  # a helpdesk dials first


class Access(NamedTuple):
    """Who may ask, how, and the answer delay: short phrases, empty when the registry is silent."""

    who: str = ""
    how: str = ""
    delay: str = ""


@dataclass(frozen=True)
class ServiceCriteria:
    """One service's criteria, and what staff read out to the caller."""

    id: str
    name: str
    organisation: str
    area: tuple[str, ...]
    area_text: str
    needs: tuple[str, ...]
    functions: tuple[str, ...]
    age_min: int | None = None
    age_max: int | None = None
    approximate: bool = False
    housing: tuple[str, ...] | None = None
    generalist: bool = False
    referrers: tuple[str, ...] | None = None
    professional_requesters: int | None = None
    conditions: Mapping[str, bool] = field(default_factory=dict)
    next_steps: tuple[str, ...] = ()
    contacts: tuple[ContactInfo, ...] = ()
    access: Access = field(default_factory=Access)
    opening_hours: str | None = None  # OSM syntax, as the registry says it
    alerts: tuple[tuple[str, str, str, str], ...] = ()  # (kind, from, until, text): every one, dated

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
    fallback_km: int = FALLBACK_KM  # how far a "nearest out of zone" fallback may lie
    # country_of's answers: each service's area is asked about for every search.
    countries: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

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


def _next_steps(registry: Registry, service_id: str, lang: str = "fr") -> tuple[Access, tuple[str, ...]]:
    """Who may ask, how and the delay; and the next steps, which start with the same three
    (the fiche de liaison lists them all) then say what else the caller must know (the
    registry's own words are French where it has no translation)."""
    service = registry.services[service_id]
    access = Access(
        who=referrers_phrase(registry, service.access, lang) if service.access.referrers is not None else "",
        how=text(service.access.form, lang),
        delay=delay_phrase(service.access, lang),
    )
    steps = [t("orient.step.who", lang, who=referrers_phrase(registry, service.access, lang))]
    if access.how:
        steps.append(t("orient.step.how", lang, how=access.how))
    if access.delay:
        steps.append(t("orient.step.delay", lang, delay=access.delay))
    if service.access.process:
        steps.append(t("orient.step.then", lang, text=text(service.access.process, lang)))
    duration = duration_phrase(service.duration, lang)
    if duration:
        steps.append(t("orient.step.duration", lang, text=duration))
    for name, value, phrase in condition_phrases(service.public.conditions, lang):
        if name in ("diagnosis_required", "consent_required") and value:
            steps.append(t("orient.step.note", lang, text=phrase))
    if service.public.exclusions:
        steps.append(t("orient.step.exclusions", lang, text=text(service.public.exclusions, lang)))
    if service.status.state == "pilot":
        steps.append(t("orient.step.pilot", lang))
    return access, tuple(steps)


def _contacts(registry: Registry, service_id: str, lang: str = "fr") -> tuple[ContactInfo, ...]:
    """The service's contacts (its organisation's when it has none), phone first; the
    registry is already filtered for the audience (no professional contact in public)."""
    contacts = registry.services[service_id].contacts or registry.organisation_of(service_id).contacts
    found = [ContactInfo(c.kind, c.value, _one_line(c.label, lang), c.visibility, c.extension) for c in contacts]
    # Phones first, and of each kind the public lines before the professionals' direct ones.
    return tuple(sorted(found, key=lambda c: (CONTACT_ORDER.get(c.kind, len(CONTACT_ORDER)), c.visibility != "public")))


def _alerts(registry: Registry, service_id: str) -> tuple[tuple[str, str, str, str], ...]:
    """The service's alerts and its sites' (the text prefixed with the site's name), as the
    service page shows them; which are current is decided when a result is made."""
    service = registry.services[service_id]
    pairs = [(a, "") for a in service.alerts]
    pairs += [(a, s.name.get("fr")) for s in registry.sites_of(service) for a in s.alerts]
    rows = []
    for alert, where in pairs:
        text = alert.text.get("fr") if alert.text else ""
        if where:
            text = f"{where} : {text}" if text else where
        rows.append((alert.kind, alert.start.isoformat(), alert.until.isoformat(), text))
    return tuple(rows)


UPCOMING_DAYS = 15  # an alert starting within this many days is shown ("à partir du …"), as hours.js does


def current_alerts(alerts: Iterable[Sequence[str]], today: dt.date) -> list[dict[str, Any]]:
    """The alerts in effect ``today`` or starting within ``UPCOMING_DAYS`` (``upcoming``)."""
    first, horizon = today.isoformat(), (today + dt.timedelta(days=UPCOMING_DAYS)).isoformat()
    return [
        {"kind": kind, "from": start, "until": until, "text": text, "upcoming": start > first}
        for kind, start, until, text in alerts
        if until >= first and start <= horizon
    ]


def _one_line(value: object, lang: str) -> str | None:
    """A label as the registry gives it (a line, or a line per language), or ``None``."""
    if value is None:
        return None
    found = value.get(lang) if hasattr(value, "get") else str(value)
    return str(found) if found else None


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


def build_data(
    registry: Registry,
    *,
    places: Iterable[str] | None = None,
    fallback_km: int = FALLBACK_KM,
    lang: str = "fr",
) -> OrientData:
    """The compact data of ``registry`` (already filtered for the audience).

    ``places``: the territory codes the caller will ask about (the CLI's ``--where``);
    ``None`` builds the browser's index of every place a person may type. ``lang``: the
    labels' and area names' language (the browser's data is French).
    """
    gazetteer = registry.gazetteer
    services = []
    areas: set[str] = set()
    for service in registry.services.values():
        if service.status.state == "planned":  # takes no one yet; its place may be typed all the same
            areas.update(service.public.area)
        if service.status.state in ("closed", "planned"):
            continue
        age = service.public.age
        access, steps = _next_steps(registry, service.id, lang)
        public = service.public
        names = [gazetteer[c].label(lang) if c in gazetteer else c for c in public.area]
        areas.update(public.area)
        services.append(
            ServiceCriteria(
                id=service.id,
                name=service.name.get(lang),
                organisation=registry.organisation_of(service.id).name.get(lang),
                area=tuple(public.area),
                area_text=", ".join(names),
                needs=tuple(service.needs),
                functions=tuple(service.functions),
                age_min=age.min if age else None,
                age_max=age.max if age else None,
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
                contacts=_contacts(registry, service.id, lang),
                access=access,
                opening_hours=service.opening_hours,
                alerts=_alerts(registry, service.id),
            )
        )
    wanted = set(areas) | (set(places) if places is not None else index_codes(gazetteer, areas))
    codes: set[str] = set()
    for code in wanted:
        codes |= gazetteer.ancestors(code)
    territories = {c: _place(gazetteer[c]) for c in sorted(codes) if c in gazetteer}
    vocabularies = registry.vocabularies
    labels = {
        name: {term: label(registry, name, term, lang) for term in vocabularies.vocabulary(name)}
        for name in ("housing", "needs", "referrers", "functions")
    }
    bands = tuple((b.id, b.min, b.max) for b in vocabularies.age_bands)
    return OrientData(tuple(services), territories, labels, bands, fallback_km)


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
    age: int  # in ages: [min, max]; -1 unknown
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
        age = ages.add([s.age_min, s.age_max]) if s.has_age else -1
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
        "fallback_km": data.fallback_km,
        # The matcher's phrases in French; the page gives its own language's (matcher_words).
        "words": matcher_words("fr"),
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
    ``[organisation, next steps, contacts, [who, how, delay]]`` for each service (then its
    opening hours, or null, and its alerts ``[kind, from, until, text]`` when it has either), a contact
    as ``[kind, value, label]`` (``label`` null when none), with its visibility fourth
    when it is ``"professional"`` (a professional build only) or a phone extension fifth."""
    rows: list[list[Any]] = []
    for s in data.services:
        row: list[Any] = [s.organisation, list(s.next_steps), [_contact_row(c) for c in s.contacts], list(s.access)]
        if s.opening_hours or s.alerts:
            row += [s.opening_hours, [list(a) for a in s.alerts]]
        rows.append(row)
    return [rows[i : i + DETAILS_CHUNK] for i in range(0, len(rows), DETAILS_CHUNK)]


def _contact_row(contact: ContactInfo) -> list[Any]:
    row: list[Any] = [contact.kind, contact.value, contact.label]
    if contact.visibility != "public" or contact.extension:
        row.append(contact.visibility)
    if contact.extension:
        row.append(contact.extension)
    return row


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
        age: Sequence[Any] = raw["ages"][row.age] if row.age >= 0 else (None, None)
        lists = raw["lists"]
        detail: Sequence[Any] = detail_rows[i] if i < len(detail_rows) else ("", [], [], ("", "", ""))
        organisation, steps, contacts, access = detail[:4]
        hours, alerts = (detail[4], detail[5]) if len(detail) > 5 else (None, [])
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
                approximate=bool(row.flags & APPROXIMATE),
                housing=tuple(lists[row.housing]) if row.housing >= 0 else None,
                generalist=bool(row.flags & GENERALIST),
                referrers=tuple(lists[row.referrers]) if row.referrers >= 0 else None,
                professional_requesters=row.professional_requesters,
                conditions=dict(raw["conditions"][row.conditions]),
                next_steps=tuple(steps),
                contacts=tuple(ContactInfo(*c) for c in contacts),
                access=Access(*access),
                opening_hours=hours,
                alerts=tuple((a[0], a[1], a[2], a[3]) for a in alerts),
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
    return OrientData(tuple(services), territories, raw["labels"], bands, raw.get("fallback_km", FALLBACK_KM))


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
Group = Literal["fit", "to_check"]
FallbackKind = Literal["generalist", "helpline", "case-manager", "nearest", "none-nearby", "gap"]


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
    made_for: tuple[str, ...] = ()  # the person's criteria the service restricts its public to, met
    same_country: bool = True  # the service's area is in the person's country

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status == "fail")

    @property
    def unknown(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status == "unknown")

    @property
    def unknown_criteria(self) -> tuple[str, ...]:
        """The criteria the registry does not state (for this person), once each, in order."""
        return tuple(dict.fromkeys(c.criterion for c in self.unknown))

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(c.text for c in self.checks if c.status == "ok")

    @property
    def group(self) -> Group:
        return "to_check" if self.unknown else "fit"

    def rank_key(self) -> tuple[Any, ...]:
        """Known and met first; made for this public before generalist; precise area first."""
        return (self.group != "fit", self.tier, -len(self.made_for), self.area_rank, self.service.id)

    @property
    def tier(self) -> int:
        """0 made for this person's public or need, 1 generalist or helpline (meant to take
        anyone), 2 a service whose public the sources do not state (it may be meant for
        someone else)."""
        if self.service.generalist or "helpline" in self.service.functions:
            return 1
        return 0 if self.made_for else 2

    @property
    def area_rank(self) -> int:
        """0 precise, 1 wide, 2 approximate, 3 partial (the area holds only part of the place)."""
        if self.specificity < 0:
            return 3
        if self.service.approximate:
            return 2
        return 0 if self.specificity >= PRECISE_RANK else 1


@dataclass(frozen=True)
class Fallback:
    kind: FallbackKind
    detail: str
    service: str | None = None
    name: str | None = None
    evaluation: Evaluation | None = None
    distance_km: int | None = None
    gaps_url: str | None = None


@dataclass(frozen=True)
class Result:
    profile: Profile
    place_name: str
    matches: tuple[Evaluation, ...]
    near_misses: tuple[Evaluation, ...]
    fallbacks: tuple[Fallback, ...]
    segment: str
    lang: str = "fr"  # of the matcher's phrases
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # the data's vocabulary labels

    def to_json(self) -> dict[str, Any]:
        """The shape of DESIGN.md (``orient --format json``), with a few extra keys."""
        profile = self.profile.to_json()
        profile["place_name"] = self.place_name
        profile["segment"] = self.segment
        lang = self.lang
        return {
            "profile": profile,
            "matches": [
                {
                    **_entry(e.service, e, lang),
                    "group": e.group,
                    "rank_reason": rank_reason(e, lang),
                    "reasons": list(e.reasons),
                    "to_check": [c.text for c in e.unknown],
                }
                for e in self.matches
            ],
            "near_misses": [
                {
                    **_entry(e.service, e, lang),
                    "failed": [{"criterion": c.criterion, "detail": c.text} for c in e.failed],
                    "reasons": list(e.reasons),
                }
                for e in self.near_misses
            ],
            "fallbacks": [
                {
                    **_entry(f.evaluation.service if f.evaluation else None, f.evaluation, lang),
                    "service": f.service,
                    "name": f.name,
                    "kind": f.kind,
                    "detail": f.detail,
                    "distance_km": f.distance_km,
                    "gaps_url": f.gaps_url,
                }
                for f in self.fallbacks
            ],
        }


def _entry(service: ServiceCriteria | None, evaluation: Evaluation | None, lang: str) -> dict[str, Any]:
    """What every entry carries: the service, its contacts, how to ask, what is not known,
    its opening hours (OSM syntax, or null) and its alerts current today."""
    unknown = list(evaluation.unknown_criteria) if evaluation else []
    return {
        "service": service.id if service else None,
        "name": service.name if service else None,
        "organisation": service.organisation if service else "",
        "unknown": unknown,
        "unknown_text": unknown_line(unknown, lang),
        "contacts": [c.to_json() for c in service.contacts] if service else [],
        "access": service.access._asdict() if service else Access()._asdict(),
        "next_steps": list(service.next_steps) if service else [],
        "opening_hours": service.opening_hours if service else None,
        "alerts": current_alerts(service.alerts, reference_date()) if service else [],
    }


def unknown_line(criteria: Sequence[str], lang: str = "fr") -> str:
    """« non renseigné dans les sources : âge, qui fait la demande » ("" when nothing is)."""
    if not criteria:
        return ""
    return _say("unknown_line", lang, criteria=", ".join(criterion_name(c, lang) for c in criteria))


def rank_reason(e: Evaluation, lang: str = "fr") -> str:
    """Why a match stands where it does: made for this public or generalist, and its area."""
    if e.service.generalist:
        who = _say("rank_generalist", lang)
    elif "helpline" in e.service.functions:
        who = _say("fb_helpline", lang)
    elif e.made_for:
        who = _say("rank_specific", lang, criteria=", ".join(criterion_name(c, lang) for c in e.made_for))
    else:
        who = _say("rank_unstated", lang)
    area = ("rank_area", "rank_area_wide", "rank_area_approximate", "rank_area_partial")[e.area_rank]
    return who + SEPARATOR + _say(area, lang, area=e.service.area_text)


# --- matching -----------------------------------------------------------------------------


def _say(key: str, lang: str, **values: object) -> str:
    """The matcher's phrase ``js.orient.m.<key>`` in ``lang``."""
    return t(PHRASES + key, lang, **values)


def distance_km(a: Place, b: Place) -> int | None:
    """Great-circle distance between two centroids, rounded half up to the km."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return math.floor(6371 * 2 * math.asin(math.sqrt(min(1.0, h))) + 0.5)


def _years(n: int, lang: str) -> str:
    return _say("years_one" if n == 1 else "years", lang, n=n)


def age_range(low: int | None, high: int | None, lang: str = "fr") -> str:
    """« de 0 à 23 ans », « 18 ans ou plus », « jusqu'à 25 ans », « tous âges »."""
    if low is not None and high is not None:
        return _say("age_between", lang, min=low, max=high)
    if low:
        return _say("age_from", lang, min=low)
    if high is not None:
        return _say("age_to", lang, max=high)
    return _say("age_all", lang)


def _age_checks(service: ServiceCriteria, profile: Profile, lang: str) -> list[Check]:
    if not service.has_age:
        return [Check("age", "unknown", _say("age_unknown", lang))]
    limits = age_range(service.age_min, service.age_max, lang)
    if profile.age is None:
        return [Check("age", "unknown", _say("age_person_unknown", lang, range=limits))]
    if service.age_min is not None and profile.age < service.age_min:
        gap = _years(service.age_min - profile.age, lang)
        return [Check("age", "fail", _say("age_below", lang, age=profile.age, gap=gap, range=limits))]
    if service.age_max is not None and profile.age > service.age_max:
        gap = _years(profile.age - service.age_max, lang)
        return [Check("age", "fail", _say("age_above", lang, age=profile.age, gap=gap, range=limits))]
    return [Check("age", "ok", limits + OK)]


def _area_checks(
    data: OrientData, service: ServiceCriteria, place: Place, ancestors: frozenset[str], lang: str
) -> tuple[list[Check], int, int | None]:
    covering = [c for c in service.area if c in ancestors]
    values = {"place": place.name, "area": service.area_text}
    if covering:
        rank = max(LEVEL_RANK.get(data.territories[c].level if c in data.territories else "", -1) for c in covering)
        if service.approximate:
            return [Check("area", "ok", _say("area_approximate", lang, **values) + APPROXIMATE_OK)], rank, None
        return [Check("area", "ok", _say("area_ok", lang, **values) + OK)], rank, None
    inside = [c for c in service.area if place.code in data.ancestors(c)]
    if inside:
        return [Check("area", "unknown", _say("area_partial", lang, **values))], -1, None
    distances = [
        d
        for d in (distance_km(place, data.territories[c]) for c in service.area if c in data.territories)
        if d is not None
    ]
    nearest = min(distances) if distances else None
    if nearest is None:
        return [Check("area", "fail", _say("area_out", lang, **values))], -1, None
    return [Check("area", "fail", _say("area_out_km", lang, km=nearest, **values))], -1, nearest


def _housing_checks(data: OrientData, service: ServiceCriteria, profile: Profile, lang: str) -> list[Check]:
    names = data.labels["housing"]
    if service.housing is None:
        return [Check("housing", "unknown", _say("housing_unknown", lang))] if profile.housing else []
    admitted = ", ".join(_lower_first(names.get(h, h)) for h in service.housing)
    if profile.housing is None:
        return [Check("housing", "unknown", _say("housing_admitted_unknown", lang, admitted=admitted))]
    mine = names.get(profile.housing, profile.housing)
    if profile.housing in service.housing:
        return [Check("housing", "ok", _say("housing_ok", lang, housing=_lower_first(mine)) + OK)]
    return [Check("housing", "fail", _say("housing_fail", lang, housing=mine, admitted=admitted))]


def _referrer_checks(data: OrientData, service: ServiceCriteria, profile: Profile, lang: str) -> list[Check]:
    if service.referrers is None:
        # Who may ask is what a referral needs first: unknown, it is to check for everyone.
        return [Check("referrer", "unknown", _say("referrer_unknown", lang))]
    if profile.referrer is None:
        return []
    names = data.labels["referrers"]
    mine = _lower_first(names.get(profile.referrer, profile.referrer))
    if profile.referrer not in service.referrers:
        allowed = ", ".join(_lower_first(names.get(r, r)) for r in service.referrers)
        return [Check("referrer", "fail", _say("referrer_fail", lang, who=mine, allowed=allowed))]
    checks = [Check("referrer", "ok", _say("referrer_ok", lang, who=mine) + OK)]
    required = service.professional_requesters
    if profile.referrer == "professional" and required is not None and required > 1:
        wanted = _say("pros_wanted", lang, n=required)
        if profile.professionals is None:
            checks.append(Check("professional_requesters", "unknown", _say("pros_unknown", lang, wanted=wanted)))
        elif profile.professionals < required:
            key = "pros_fail" if profile.professionals > 1 else "pros_fail_one"
            checks.append(
                Check("professional_requesters", "fail", _say(key, lang, wanted=wanted, n=profile.professionals))
            )
        else:
            checks.append(Check("professional_requesters", "ok", wanted + OK))
    return checks


def _condition_checks(service: ServiceCriteria, profile: Profile, lang: str) -> list[Check]:
    checks = []
    for condition in CONDITION_CHECKS:
        if not getattr(profile, condition.flag):
            continue
        value = service.conditions.get(condition.field)
        key = f"cond.{condition.criterion}."
        if value is None:
            checks.append(Check(condition.criterion, "unknown", _say(key + "unknown", lang)))
        elif value == condition.failing:
            checks.append(Check(condition.criterion, "fail", _say(key + "fail", lang)))
        else:
            checks.append(Check(condition.criterion, "ok", _say(key + "ok", lang) + OK))
    return checks


def _made_for(data: OrientData, service: ServiceCriteria, checks: Sequence[Check], needs_met: int) -> tuple[str, ...]:
    """The person's criteria the service narrows its public to, and meets: what makes it
    "made for" this person rather than open to all."""
    met = {c.criterion for c in checks if c.status == "ok"}
    found = []
    if "age" in met and not (not service.age_min and service.age_max is None):
        found.append("age")
    if "housing" in met and service.housing is not None and len(service.housing) < len(data.labels["housing"]):
        found.append("housing")
    if needs_met:
        found.append("needs")
    return tuple(found)


def country_of(data: OrientData, code: str) -> str | None:
    """The country containing ``code`` (as far as the data knows it)."""
    if code not in data.countries:
        ancestors = data.ancestors(code)
        found = sorted(c for c in ancestors if c in data.territories and data.territories[c].level == "country")
        data.countries[code] = found[0] if found else None
    return data.countries[code]


def evaluate(
    data: OrientData, service: ServiceCriteria, profile: Profile, ancestors: frozenset[str], lang: str = "fr"
) -> Evaluation:
    """Every criterion of ``service`` against ``profile``, in a fixed order.

    A service whose area is out of reach (farther than a near miss or a nearest fallback
    may be, or in another country) is judged on its area alone: nothing else about it is
    shown, and most services of a national directory are out of reach of one person."""
    place = data.territories[profile.place]
    area, specificity, distance = _area_checks(data, service, place, ancestors, lang)
    country = country_of(data, profile.place)
    same = specificity >= 0 or any(country_of(data, c) == country for c in service.area)
    reach = max(NEAR_KM, data.fallback_km)
    if area[0].status == "fail" and (distance is None or distance > reach or not same):
        return Evaluation(service, tuple(area), specificity, distance, 0, (), same)
    checks = _age_checks(service, profile, lang)
    checks += area
    checks += _housing_checks(data, service, profile, lang)
    met = [n for n in service.needs if n in profile.needs]
    if met:
        needs = ", ".join(_lower_first(data.labels["needs"].get(n, n)) for n in met)
        checks.append(Check("needs", "ok", _say("needs_ok", lang, needs=needs) + OK))
    checks += _referrer_checks(data, service, profile, lang)
    checks += _condition_checks(service, profile, lang)
    made_for = _made_for(data, service, checks, len(met))
    return Evaluation(service, tuple(checks), specificity, distance, len(met), made_for, same)


def segment_of(data: OrientData, profile: Profile) -> str:
    """The public segment key ``<band>/<housing>`` (``<band>`` alone when housing is unknown)."""
    band = _band(data, profile)
    band_id = band[0] if band else "?"
    return f"{band_id}/{profile.housing}" if profile.housing else band_id


def _band(data: OrientData, profile: Profile) -> tuple[str, int, int | None] | None:
    if profile.age is None:
        return None
    for band in data.age_bands:
        if profile.age >= band[1] and (band[2] is None or profile.age <= band[2]):
            return band
    return None


def orient(data: OrientData, profile: Profile, lang: str = "fr") -> Result:
    """Matches (ranked), near misses and (when nothing matches) fallbacks for ``profile``."""
    if profile.place not in data.territories:
        raise PlaceNotFound(profile.place, ())
    place = data.territories[profile.place]
    ancestors = data.ancestors(profile.place)
    evaluations = []
    for service in data.services:
        if profile.needs and not any(n in profile.needs for n in service.needs):
            continue
        evaluations.append(evaluate(data, service, profile, ancestors, lang))
    matches = sorted((e for e in evaluations if not e.failed), key=Evaluation.rank_key)
    near = []
    for e in evaluations:
        failed = e.failed
        if not 1 <= len(failed) <= 2:
            continue
        if any(c.criterion == "area" for c in failed) and (
            e.distance_km is None or e.distance_km > NEAR_KM or not e.same_country
        ):
            continue
        near.append(e)
    near.sort(key=lambda e: (len(e.failed), e.distance_km if e.distance_km is not None else 0, e.service.id))
    segment = segment_of(data, profile)
    fallbacks = [] if matches else _fallbacks(data, profile, place, ancestors, evaluations, lang)
    near_misses = tuple(near[:MAX_NEAR_MISSES])
    return Result(profile, place.name, tuple(matches), near_misses, tuple(fallbacks), segment, lang, data.labels)


def _fallbacks(
    data: OrientData,
    profile: Profile,
    place: Place,
    ancestors: frozenset[str],
    evaluations: Sequence[Evaluation],
    lang: str,
) -> list[Fallback]:
    kinds: dict[FallbackKind, int] = {"generalist": 0, "helpline": 1, "case-manager": 2}
    found: list[tuple[int, str, Fallback]] = []
    for service in data.services:
        kind: FallbackKind
        if not any(c in ancestors for c in service.area):
            continue
        if "case-management" in service.functions and service.generalist:
            kind, key = "case-manager", "fb_case_manager"
        elif "helpline" in service.functions:
            kind, key = "helpline", "fb_helpline"
        elif service.generalist:
            kind, key = "generalist", "fb_generalist"
        else:
            continue
        # Whatever the need, a fallback must still take this person's public (age, housing);
        # a condition it does not meet (a crisis) leaves it a lead to discuss.
        e = evaluate(data, service, profile, ancestors, lang)
        if any(c.criterion in PUBLIC_CRITERIA for c in e.failed):
            continue
        found.append((kinds[kind], service.id, Fallback(kind, _say(key, lang), service.id, service.name, e)))
    found.sort(key=lambda f: (f[0], f[1]))
    fallbacks = [f[2] for f in found]
    outside = [
        e
        for e in evaluations
        if e.distance_km is not None
        and e.distance_km <= data.fallback_km
        and e.same_country
        and e.failed
        and all(c.criterion == "area" for c in e.failed)
    ]
    outside.sort(key=lambda e: (e.distance_km if e.distance_km is not None else 0, e.service.id))
    for e in outside[:NEAREST_FALLBACKS]:
        detail = _say("fb_nearest", lang, area=e.service.area_text, km=e.distance_km)
        fallbacks.append(Fallback("nearest", detail, e.service.id, e.service.name, e, e.distance_km))
    if not outside:
        detail = _say("fb_none_nearby", lang, km=data.fallback_km, place=place.name)
        fallbacks.append(Fallback("none-nearby", detail))
    fallbacks.append(
        Fallback("gap", gap_line(data, profile, place, lang), None, place.name, gaps_url=gaps_url(data, profile))
    )
    return fallbacks


def public_phrase(data: OrientData, profile: Profile, lang: str = "fr") -> str:
    """« les adultes de 25 à 59 ans logés »: the person's public segment in words."""
    band = _band(data, profile)
    if band is None:
        people = _say("public_any", lang)
    else:
        _, low, high = band
        ages = _say("band_between", lang, min=low, max=high) if high is not None else _say("band_from", lang, min=low)
        noun = "public_minors" if high is not None and high <= 17 else "public_adults" if low >= 18 else "public_people"
        people = _say(noun, lang, range=ages)
    if profile.housing:
        # « les personnes » is feminine in French: « logées », where « les adultes » are « logés ».
        group = "public_housing." if band is not None else "public_housing_people."
        key = PHRASES + group + profile.housing
        housing = (
            t(key, lang)
            if lookup(key, lang)
            else _lower_first(data.labels["housing"].get(profile.housing, profile.housing))
        )
        people += " " + housing
    return people


def gap_line(data: OrientData, profile: Profile, place: Place, lang: str = "fr") -> str:
    """« Aucun service recensé à Schaerbeek pour les adultes de 25 à 59 ans logés, en santé
    mentale : c'est une zone grise »."""
    needs = ""
    if profile.needs:
        names = [_lower_first(data.labels["needs"].get(n, n)) for n in profile.needs]
        needs = _say("gap_needs", lang, needs=f" {_say('or', lang)} ".join(names))
    return _say("fb_gap", lang, place=place.name, public=public_phrase(data, profile, lang), needs=needs)


def gap_unit(data: OrientData, code: str) -> str:
    """The row of the gap report's tables a place is counted in: its département or province
    (Brussels: the region), as ``Geography.unit`` picks it."""
    rank = LEVEL_RANK[GAPS_LEVEL]
    best: tuple[int, str] | None = None
    for ancestor in sorted(data.ancestors(code)):
        place = data.territories.get(ancestor)
        level_rank = LEVEL_RANK.get(place.level, -1) if place else -1
        if place is not None and level_rank <= rank and (best is None or level_rank > best[0]):
            best = (level_rank, ancestor)
    return best[1] if best else code


def gaps_url(data: OrientData, profile: Profile) -> str:
    """The gap report's line for the person's place: the page of their need when they gave
    one (and a service lists it: the report has a page only then), else the overview."""
    page = GAPS_DIR
    if len(profile.needs) == 1 and any(profile.needs[0] in s.needs for s in data.services):
        page = f"{GAPS_DIR}needs/{profile.needs[0]}/"
    return f"{page}#{gap_unit(data, profile.place)}"


# --- the text for people ------------------------------------------------------------------


def text_report(result: Result, lang: str = "fr") -> str:
    """The result as a helpdesk reads it on screen (``orient --format text``): no ids."""
    data = result.to_json()  # the matcher's phrases are in result.lang: orient(..., lang) too
    lines = [t("cli.orient_report.profile", lang, profile=profile_phrase(result, lang)), ""]
    fit = [m for m in data["matches"] if m["group"] == "fit"]
    to_check = [m for m in data["matches"] if m["group"] == "to_check"]
    if not data["matches"]:
        lines.append(t("cli.orient_report.none", lang))
    for heading, group in (("cli.orient_report.fit", fit), ("cli.orient_report.to_check", to_check)):
        if not group:
            continue
        if lines[-1]:
            lines.append("")
        lines.append(t(heading, lang, n=len(group)))
        for m in group:
            first = m is data["matches"][0]
            lines.append("")
            lines.append(f"* {_title(m)}")
            why = "cli.orient_report.first" if first else "cli.orient_report.ranked"
            lines.append("    " + t(why, lang, reason=m["rank_reason"]))
            if m["reasons"]:
                lines.append("    " + SEPARATOR.join(m["reasons"]))
            if m["unknown_text"]:
                lines.append("    " + m["unknown_text"])
            lines.extend(_contact_lines(m, lang))
            lines.extend(_hours_lines(m, lang))
            # The next steps start with who, how and the delay, which the contact lines said.
            said = 1 + bool(m["access"]["how"]) + bool(m["access"]["delay"])
            lines.extend(f"    → {step}" for step in m["next_steps"][said:])
    if data["near_misses"]:
        lines += ["", t("cli.orient_report.near", lang)]
        for n in data["near_misses"]:
            failed = SEPARATOR.join(
                t("cli.orient_report.failed", lang, criterion=criterion_name(f["criterion"], lang), detail=f["detail"])
                for f in n["failed"]
            )
            lines += ["", f"* {_title(n)}", f"    {failed}"]
            lines.extend(_contact_lines(n, lang))
    if data["fallbacks"]:
        lines += ["", t("cli.orient_report.fallbacks", lang)]
        for f in data["fallbacks"]:
            lines.append("")
            lines.append(f"* {f['name']} — {f['detail']}" if f["service"] else f"* {f['detail']}")
            if f["service"] and f["unknown_text"]:
                lines.append("    " + f["unknown_text"])
            lines.extend(_contact_lines(f, lang))
            if f["gaps_url"]:
                lines.append("    " + t("cli.orient_report.gaps", lang, url=f["gaps_url"]))
    return "\n".join(lines)


def _title(entry: Mapping[str, Any]) -> str:
    organisation = entry["organisation"]
    same = not organisation or fold(organisation) in fold(entry["name"]) or fold(entry["name"]) in fold(organisation)
    return entry["name"] if same else f"{entry['name']} — {organisation}"


def _contact_lines(entry: Mapping[str, Any], lang: str) -> list[str]:
    """Two or three short lines: the phones, the e-mail and web addresses, how to ask."""
    lines = []
    marks = {"phone": "☎", "email": "✉", "web": "↗"}
    professional = t("cli.orient_report.professional", lang)
    for kinds in (("phone",), ("email", "web")):
        parts = []
        for c in entry["contacts"]:
            if c["kind"] not in kinds:
                continue
            notes = [n for n in (c["label"], professional if c["visibility"] != "public" else None) if n]
            value = c["value"]
            if c.get("extension"):
                value += ", " + t("js.orient.extension", lang, extension=c["extension"])
            parts.append(f"{marks[c['kind']]} {value}" + (f" ({', '.join(notes)})" if notes else ""))
        if parts:
            lines.append("    " + " · ".join(parts))
    access = entry["access"]
    said = [t(f"cli.orient_report.{k}", lang, **{k: access[k]}) for k in ("who", "how", "delay") if access[k]]
    if said:
        lines.append("    " + " · ".join(said))
    return lines


_ALERT_KINDS = {
    "closed": N_("js.hours.alert.closed"),
    "moved": N_("js.hours.alert.moved"),
    "full": N_("js.hours.alert.full"),
    "changed_hours": N_("js.hours.alert.changed_hours"),
    "info": N_("js.hours.alert.info"),
}


def _hours_lines(entry: Mapping[str, Any], lang: str) -> list[str]:
    """The entry's current alerts (« ⚠ Fermé jusqu'au 31 juillet 2030 — … ») and its hours in
    words (as written when words cannot say them)."""
    from babel.dates import format_date

    lines = []
    for alert in entry.get("alerts") or []:
        day = dt.date.fromisoformat(alert["from"] if alert["upcoming"] else alert["until"])
        date = format_date(day, "d MMMM y", locale=lang)
        when = (
            t("js.hours.alert.from", lang, date=date)
            if alert["upcoming"]
            else t("js.hours.alert.until", lang, date=date)
        )
        said = f"{t(_ALERT_KINDS[alert['kind']], lang)} {when}"
        lines.append("    ⚠ " + said + (f" — {alert['text']}" if alert["text"] else ""))
    expression = entry.get("opening_hours")
    if expression:
        lines.append("    " + t("cli.orient_report.hours", lang, hours=describe_hours(expression, lang) or expression))
    return lines


def profile_phrase(result: Result, lang: str = "fr") -> str:
    """The profile in words: « 30 ans, réside à Schaerbeek, logé (…), besoins : santé mentale »."""
    p = result.profile
    parts = [_years(p.age, lang) if p.age is not None else t("cli.orient_report.age_unknown", lang)]
    parts.append(t("js.orient.lives", lang, place=result.place_name))
    labels = result.labels
    if p.housing:
        parts.append(_lower_first(labels["housing"].get(p.housing, p.housing)))
    if p.needs:
        needs = ", ".join(_lower_first(labels["needs"].get(n, n)) for n in p.needs)
        parts.append(t("cli.orient_report.needs", lang, needs=needs))
    if p.referrer:
        who = _lower_first(labels["referrers"].get(p.referrer, p.referrer))
        if p.professionals:
            who += f" ({p.professionals})"
        parts.append(t("cli.orient_report.referrer", lang, who=who))
    flags = (
        ("no_insurance", N_("orient.no_insurance")),
        ("no_residence_permit", N_("orient.no_residence_permit")),
        ("crisis", N_("orient.crisis")),
        ("non_demand", N_("orient.non_demand")),
    )
    parts += [t(key, lang) for name, key in flags if getattr(p, name)]
    return ", ".join(parts)
