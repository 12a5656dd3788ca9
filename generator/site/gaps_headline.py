"""The gap report's headline: what an analysis says, in three to five sentences.

A policy officer reads these before any table (issue 19): which publics no known service
admits anywhere, where the most people live without any service, what is only "à
vérifier" and why (a criterion the registry does not state), the best-covered public, and
the date of the data in words. Every figure comes from the analysis; places are named.

The sentences are the catalogue's ``report.headline.*`` keys, filled in with names and
numbers as the page's language writes them (``gaps_page._number``, ``i18n.date_text``).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from babel.lists import format_list

from ..analysis.coverage import Coverage, Segment, TerritoryCoverage, unknown_criteria
from ..locale import N_, t
from ..registry.loader import Registry
from .i18n import date_text

PLACES = 3  # territories named in a sentence
PUBLICS = 4  # publics named one by one before "and N others"

Number = Callable[[int | float | None, str], str]


@dataclass(frozen=True)
class Words:
    """How the page writes its figures: numbers, shares and public segments."""

    number: Number
    share: Callable[[float | None, str], str]
    segment: Callable[[Segment, str], str]  # « 18-24 ans · Sans abri »
    band: Callable[[Segment, str], str]  # « 18-24 ans »


def _list(items: Sequence[str], lang: str) -> str:
    return format_list(list(items), locale=lang) if items else ""


def headline(registry: Registry, coverage: Coverage, lang: str, words: Words) -> list[str]:
    """The sentences (HTML, values escaped) that open an analysis of the gap report."""
    sentences = [
        _nowhere(coverage, lang, words),
        _largest_uncovered(coverage, lang, words),
        _to_check(registry, coverage, lang, words),
    ]
    best = _best_covered(coverage, lang, words)
    if best:
        sentences.append(best)
    sentences.append(_date(coverage, lang))
    return sentences


def _publics(segments: Sequence[Segment], all_segments: Sequence[Segment], lang: str, words: Words) -> list[str]:
    """Segments as short labels; an age band whose every housing situation is listed is
    named once (« 0-17 ans, toutes situations de logement »)."""
    housing_count = len({s.housing for s in all_segments})
    by_band: dict[str, list[Segment]] = {}
    for segment in segments:
        by_band.setdefault(segment.band, []).append(segment)
    labels: list[str] = []
    for band_segments in by_band.values():
        if len(band_segments) == housing_count and housing_count > 1:
            labels.append(t("report.headline.band_all", lang, band=words.band(band_segments[0], lang)))
        else:
            labels += [words.segment(s, lang) for s in band_segments]
    return labels


def _nowhere(coverage: Coverage, lang: str, words: Words) -> str:
    s = coverage.summary
    nowhere = [seg for seg in coverage.segments if seg.key in s.uncovered_everywhere]
    if not nowhere:
        return t("report.headline.nowhere_none", lang)
    if len(nowhere) == len(coverage.segments):
        return t("report.headline.nowhere_all", lang, total=len(nowhere))
    labels = _publics(nowhere, coverage.segments, lang, words)
    shown = [html.escape(label) for label in labels[:PUBLICS]]
    if len(labels) > PUBLICS:
        shown.append(t("report.headline.others", lang, n=len(labels) - PUBLICS))
    # Which of them are "à vérifier" somewhere is said by the next sentences and the list
    # under the summary: on a phone's first screen, one sentence each.
    return t("report.headline.nowhere", lang, n=len(nowhere), total=len(coverage.segments), publics=_list(shown, lang))


def _place(territory: TerritoryCoverage, lang: str, words: Words, without: int | None = None, total: int = 0) -> str:
    """« Nord (2 608 346 hab.) », with the publics it has no service for when ``without``."""
    name = html.escape(territory.name)
    known = territory.population is not None
    population = words.number(territory.population, lang)
    if without is None:
        key = N_("report.headline.place") if known else N_("report.headline.place_unknown")
        return t(key, lang, name=name, population=population)
    key = N_("report.headline.place_without") if known else N_("report.headline.place_unknown_without")
    return t(key, lang, name=name, population=population, n=without, total=total)


def _by_population(territories: Sequence[TerritoryCoverage]) -> list[TerritoryCoverage]:
    # The most populous first; unknown populations after the known ones, by name.
    return sorted(territories, key=lambda x: (x.population is None, -(x.population or 0), x.name))


def _largest_uncovered(coverage: Coverage, lang: str, words: Words) -> str:
    """Where the most people live with no service at all: territories with nothing, or else
    those where the most inhabitants × publics have none."""
    total = len(coverage.territories)
    empty = [x for x in coverage.territories if all(cell.status == "gap" for cell in x.cells)]
    if empty:
        ranked = _by_population(empty)
        places = [_place(x, lang, words) for x in ranked[:PLACES]]
        key = N_("report.headline.empty_one") if len(empty) == 1 else N_("report.headline.empty")
        sentence = t(key, lang, n=len(empty), total=total, places=_list(places, lang))
        unknown = sum(1 for x in empty if x.population is None)
        if unknown:
            sentence += " " + t("report.headline.population_unknown", lang, n=unknown)
        return sentence
    segments = len(coverage.segments)
    weighted = [
        (x, sum(1 for cell in x.cells if cell.status == "gap"))
        for x in coverage.territories
        if any(cell.status == "gap" for cell in x.cells)
    ]
    if not weighted:
        return t("report.headline.everywhere_some", lang)
    weighted.sort(key=lambda item: (item[0].population is None, -(item[0].population or 0) * item[1], item[0].name))
    places = [_place(x, lang, words, n, segments) for x, n in weighted[:PLACES]]
    return t("report.headline.largest", lang, places=_list(places, lang))


# What a service may leave unstated, as the catalogue's words: « quel âge », « quelles
# situations de logement », both.
CRITERIA_KEYS = {
    ("age",): N_("report.headline.criteria.age"),
    ("housing",): N_("report.headline.criteria.housing"),
    ("age", "housing"): N_("report.headline.criteria.both"),
}


def _to_check(registry: Registry, coverage: Coverage, lang: str, words: Words) -> str:
    """The "à vérifier" cells: how many, which criterion is missing, a service for example,
    and the public for which most people are in that case."""
    cells = 0
    services: set[str] = set()
    for territory in coverage.territories:
        for cell in territory.cells:
            if cell.status == "unknown":
                cells += 1
                services.update(cell.unknown)
    if not cells:
        return t("report.headline.to_check_none", lang)
    missing = {c for service_id in services for c in unknown_criteria(registry.services[service_id])}
    stated = tuple(c for c in ("age", "housing") if c in missing) or ("age", "housing")
    criteria = t(CRITERIA_KEYS[stated], lang)
    shares = [
        (g.unknown_population_share or 0.0, -j, j)
        for j, g in enumerate(coverage.summary.segments)
        if any(x.cells[j].status == "unknown" for x in coverage.territories)
    ]
    _, _, j = max(shares)
    # The example: the service à vérifier for the most people in that public (the first
    # by id among equals), so that the example and the share tell one story.
    weight: Counter[str] = Counter()
    for territory in coverage.territories:
        if territory.cells[j].status == "unknown":
            weight.update(dict.fromkeys(territory.cells[j].unknown, territory.population or 0))
    example_id = min(weight, key=lambda i: (-weight[i], i))
    example = html.escape(registry.services[example_id].name.get(lang))
    key = N_("report.headline.to_check_one") if len(services) == 1 else N_("report.headline.to_check")
    sentence = t(key, lang, cells=words.number(cells, lang), services=len(services), criteria=criteria, example=example)
    share = coverage.summary.segments[j].unknown_population_share
    if share:
        segment = html.escape(words.segment(coverage.segments[j], lang))
        sentence += " " + t("report.headline.to_check_share", lang, share=words.share(share, lang), segment=segment)
    return sentence


def _best_covered(coverage: Coverage, lang: str, words: Words) -> str:
    """The public with the largest share of people covered (known criteria, whole public)."""
    covered = [
        (g.covered_population_share or 0.0, -j, j)
        for j, g in enumerate(coverage.summary.segments)
        if any(x.cells[j].full_count for x in coverage.territories)
    ]
    if not covered:
        partial = sum(1 for x in coverage.territories for cell in x.cells if cell.status == "partial")
        if partial:
            return t("report.headline.covered_none_partial", lang, n=words.number(partial, lang))
        return t("report.headline.covered_none", lang)
    share, _, j = max(covered)
    segment = html.escape(words.segment(coverage.segments[j], lang))
    if not share:
        # Covered only where the population is not known (Belgium): say where, not « 0 % ».
        covered_in = [x for x in coverage.territories if x.cells[j].full_count]
        where = [html.escape(x.name) for x in _by_population(covered_in)]
        if len(where) > PLACES:
            where = [*where[:PLACES], t("report.headline.others_places", lang, n=len(where) - PLACES)]
        return t("report.headline.best_places", lang, segment=segment, places=_list(where, lang))
    return t("report.headline.best", lang, segment=segment, share=words.share(share, lang))


def _date(coverage: Coverage, lang: str) -> str:
    s = coverage.summary
    if s.date is None:
        return t("report.headline.date_unknown", lang)
    if s.oldest_verified is None or s.newest_verified is None or s.oldest_verified == s.newest_verified:
        return t("report.headline.date", lang, date=date_text(s.date, lang))
    return t(
        "report.headline.date_between",
        lang,
        date=date_text(s.date, lang),
        oldest=date_text(s.oldest_verified, lang),
        newest=date_text(s.newest_verified, lang),
    )
