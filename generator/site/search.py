"""Search: the facets and hidden search words of each page, and the Pagefind index.

The site's only search is Pagefind (mkdocs-material's own search ships its whole index to
every visitor, which a directory of 100,000 services cannot afford). Pages mark what is
findable with ``data-pagefind-body``; inside it, service pages carry the hidden elements
that ``filter_attributes`` writes:

- Pagefind filters (the facets of the search panel): need, function, territory, age band,
  housing situation, language and self-referral;
- Pagefind metadata shown in each result: organisation, territory, "pour qui";
- hidden, low-weight search words: the names of the territories the service covers and the
  synonyms front-line people use for what the page says (``data/vocabularies/synonyms.yaml``
  and each term's own synonyms), so "SDF" finds a page that says "sans-abri".

Pagefind already folds accents ("precarite" finds "précarité") and stems French words;
misspelt words are handled in the browser (``assets/search.js`` retries with prefixes).

After mkdocs has written the site, ``index_site`` runs Pagefind over it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from babel import Locale

from ..analysis.describe import area_phrase, label, summary, text, unknown
from ..locale import LANGUAGES, N_, SOURCE, has, t
from ..registry.loader import Registry
from ..registry.models import AgeBand, Service
from ..registry.territories import Gazetteer
from ..registry.text import fold
from . import output
from .context import Asset, SiteContext
from .hours import hours_meta
from .search_cache import PageFacts, PageStat, SearchCache, page_digest, run_key

# Filter keys as Pagefind stores them; the search panel shows them in the page's language.
FACETS = ("need", "function", "territory", "age", "housing", "language", "accessibility", "self_referral")

# The filter that places a service for the query's reading (not a facet of the panel):
# "a:<code>" for each code of its area, "i:<code>" for each territory its area lies in
# (the area codes and their ancestors in the gazetteer). A place P read in a query keeps
# the services with "a:" one of P's ancestors (their area contains P) or with "i:P" (their
# area lies inside P): see assets/search.js.
PLACE_FILTER = "place"

# Pagefind keeps each filter in one file that a search using it fetches whole: at 10,000
# services the place filter was 166 kB, over the query budget by itself. Its values are
# spread over ``PLACE_BUCKETS`` filters ("place_<n>", ``place_bucket``), so a query fetches
# only the few that hold its place's values (about 6 of 64).
PLACE_BUCKETS = 64

# What a page is, for the panel's groups: only service pages carry it ("service").
KIND_FILTER = "kind"

# A hidden word every service page carries: the panel searches it when only filters are
# given (a place and a need read, nothing else), since a Pagefind search without words
# fetches the whole word index (3.6 MB at 10,000 services) and this word's chunk is small.
EVERY_SERVICE_WORD = "maillageservice"

# Hidden words that narrow the panel's searches before their filters ("narrowing words",
# ``narrowing_words``). A Pagefind search takes a time that grows with the pages its words
# match, not with those its filters keep: at 10,000 services, « every service » with a
# place and a need filter took 250 to 650 ms in Chromium for 400 results, a word of 30
# pages 30 ms. So the panel searches the words of the place's region and of the terms it
# read (Pagefind keeps the pages that have all the words), and the place filter keeps those
# whose area covers the place exactly. Each word is this prefix, a letter for its kind and
# a number (``narrowing_hash`` of a value), so that no stemmer changes it: "r" a region
# or country the service's area reaches, "n" a need, "f" a function, "h" and "a" a known
# housing situation and age band, "hu" and "au" when those are not known, and "q" a region
# and a need or function together (``pair_word``).
NARROWING_PREFIX = "maillagez"

# Pagefind matches a word its index does not have to the nearest words it has (1.5.2: a
# shard without any case-management service answers its word with a helpdesk), so the
# words narrow and filters decide: each narrowing word but those with a region is also the value of
# a filter, spread over ``TERM_BUCKETS`` filters ("term_<n>", ``term_bucket``) so that a
# query fetches only the few that hold its terms (the need facet's whole file is 31 kB at
# 10,000 services). A region's word is checked by the place filter, a region and a term's
# (``pair_word``) by the place filter and the term's.
TERM_FILTER = "term"
TERM_BUCKETS = 32

# Territory levels a facet offers: finer levels would make thousands of checkboxes.
FACET_LEVELS = ("country", "region", "dep", "province")

# Where Pagefind writes its bundle, relative to the site.
BUNDLE = "pagefind"
ENTRY = "pagefind-entry.json"  # what Pagefind writes of a bundle: its version and languages

# The attribute that marks the findable part of a page.
FINDABLE = "data-pagefind-body"

# Hidden search words count for less than what the page visibly says.
HIDDEN_WEIGHT = "0.5"

# Languages CLDR (through Babel) does not name, in the catalogues as ``language.<code>``.
OWN_LANGUAGE_NAMES = (N_("language.gcf"), N_("language.rcf"))


# Heading furniture that is not the page's text.
EXCLUDED = ".headerlink"


class SearchIndexError(RuntimeError):
    """Pagefind could not index the built site."""


@dataclass(frozen=True)
class Facets:
    """The facet values and result metadata of one service page."""

    filters: tuple[tuple[str, tuple[str, ...]], ...]  # (facet key, values), in FACETS order
    meta: tuple[tuple[str, str], ...]  # (meta key, value)
    words: tuple[str, ...]  # hidden search words

    def values(self, facet: str) -> tuple[str, ...]:
        """The values of one facet (empty when the service has none)."""
        return dict(self.filters).get(facet, ())


# --- facet values ------------------------------------------------------------------------


def territory_values(ctx: SiteContext, area: Iterable[str]) -> list[str]:
    """Names of the territories a service area is inside or covers whole, at facet levels.

    A commune-level area gives its département (or province), region and country; a
    region-level area also gives the départements inside it, so a filter on a département
    shows the services of the whole region and the country that reach it.
    """
    gazetteer = ctx.registry.gazetteer
    codes: set[str] = set()
    for code in area:
        codes |= _facet_territories(gazetteer, code)
    found = [gazetteer[c] for c in codes if c in gazetteer and gazetteer[c].level in FACET_LEVELS]
    found.sort(key=lambda t: (FACET_LEVELS.index(t.level), t.code))
    return _unique(t.label(ctx.lang) for t in found)


@lru_cache(maxsize=4096)
def _facet_territories(gazetteer: Gazetteer, code: str) -> frozenset[str]:
    # Cached: a region's or a country's descendants are thousands of communes to walk.
    codes = set(gazetteer.ancestors(code))
    territory = gazetteer.get(code)
    if territory is not None and territory.level in ("country", "region"):
        codes |= {c for c in gazetteer.descendants(code) if gazetteer[c].level in FACET_LEVELS}
    return frozenset(codes)


def place_values(gazetteer: Gazetteer, area: Iterable[str]) -> list[str]:
    """The ``PLACE_FILTER`` values of a service area: "a:" its codes, "i:" what they lie in."""
    codes = list(dict.fromkeys(area))
    inside: set[str] = set()
    for code in codes:
        inside |= gazetteer.ancestors(code) if code in gazetteer else {code}
    return [f"a:{c}" for c in codes] + [f"i:{c}" for c in sorted(inside)]


def place_bucket(value: str) -> str:
    """The filter that holds one ``PLACE_FILTER`` value: ``place_<n>``, ``n`` a 32-bit
    multiplicative hash of the value (``narrowing_hash``) modulo ``PLACE_BUCKETS``
    (``placeBucket`` in assets/search.js computes the same)."""
    return f"{PLACE_FILTER}_{narrowing_hash(value) % PLACE_BUCKETS}"


def narrowing_hash(value: str) -> int:
    """A 32-bit multiplicative hash of ``value``'s UTF-16 code units (``hash31`` in
    assets/search.js computes the same)."""
    number = 0
    for char in value:
        code = ord(char)
        units = (0xD800 + ((code - 0x10000) >> 10), 0xDC00 + (code & 0x3FF)) if code > 0xFFFF else (code,)
        for unit in units:
            number = (number * 31 + unit) & 0xFFFFFFFF
    return number


def term_bucket(word: str) -> str:
    """The filter that holds a narrowing word (``TERM_FILTER``; ``termBucket`` in assets/search.js)."""
    return f"{TERM_FILTER}_{narrowing_hash(word) % TERM_BUCKETS}"


def narrowing_word(kind: str, value: str = "") -> str:
    """One narrowing word (see ``NARROWING_PREFIX``): ``kind`` and the hash of ``value``."""
    # Ten digits: no word is the start of another (Pagefind finds the words a term starts).
    return f"{NARROWING_PREFIX}{kind}{narrowing_hash(value) if value else 0:010d}"


def pair_word(region: str, kind: str, value: str) -> str:
    """The narrowing word of a region (or country) and a need (``kind`` "n") or function
    ("f") together: a service page has one for each region its area reaches and each of its
    needs and functions. A « need + place » search looks up this one word instead of the
    region's and the need's: Pagefind fetches the part of its word index that holds each
    word searched, one per shard, and a region's and a need's words are seldom in the same
    part (14 to 18 kB each at 10,000 services). The word matches fewer pages than either,
    so the search is quicker too. ``pairWord`` in assets/search.js computes the same."""
    return narrowing_word("q", f"{region}|{kind}|{value}")


def regions_reached(gazetteer: Gazetteer, area: Iterable[str]) -> list[str]:
    """The regions and countries an area reaches: each code's country, and the regions it
    lies in or, for a country, every region of it. A place's region (or its country, for a
    country) is then reached by every service whose area contains the place or lies in it."""
    found: set[str] = set()
    for code in area:
        found |= _regions_of(gazetteer, code)
    return sorted(found)


@lru_cache(maxsize=4096)
def _regions_of(gazetteer: Gazetteer, code: str) -> frozenset[str]:
    territory = gazetteer.get(code)
    if territory is None:
        return frozenset({code.split("-", 1)[0]})
    found = {c for c in gazetteer.ancestors(code) if gazetteer[c].level in ("country", "region")}
    if territory.level == "country":
        found |= set(gazetteer.descendants(code, "region"))
    return frozenset(found)


def narrowing_words(registry: Registry, service: Service, facet_values: Facets, lang: str) -> list[str]:
    """The narrowing words of a service page (``NARROWING_PREFIX``)."""
    regions = regions_reached(registry.gazetteer, service.public.area)
    terms = [("n", value) for value in facet_values.values("need")]
    terms += [("f", value) for value in facet_values.values("function")]
    words = [narrowing_word("r", code) for code in regions]
    words += [narrowing_word(kind, value) for kind, value in terms]
    words += [pair_word(code, kind, value) for code in regions for kind, value in terms]
    if service.public.housing is None:
        words.append(narrowing_word("hu"))
    else:
        words += [narrowing_word("h", label(registry, "housing", h, lang)) for h in service.public.housing]
    age = service.public.age
    if age is None or (age.min is None and age.max is None):
        words.append(narrowing_word("au"))
    else:
        words += [narrowing_word("a", band) for band in facet_values.values("age")]
    return list(dict.fromkeys(words))


def age_bands_of(bands: Iterable[AgeBand], service: Service) -> list[AgeBand]:
    """The age bands that the service's age range overlaps (all of them when unknown)."""
    age = service.public.age
    low = age.min if age and age.min is not None else 0
    high = age.max if age and age.max is not None else 200
    return [b for b in bands if b.min <= high and (b.max if b.max is not None else 200) >= low]


def self_referral(service: Service, lang: str = "fr") -> str:
    """'oui', 'non' or 'à vérifier': may the person ask for the service themself?"""
    referrers = service.access.referrers
    if referrers is None:
        return unknown(lang)
    return t("yes", lang) if "self" in referrers else t("no", lang)


def language_name(code: str, lang: str = "fr") -> str:
    """The name of a language, in ``lang``: the catalogues', else CLDR's, else the code itself."""
    key = "language." + code
    if has(key):
        return t(key, lang)
    return str(_cldr_languages(lang if lang in LANGUAGES else SOURCE).get(code, code))


@lru_cache(maxsize=8)
def _cldr_languages(lang: str) -> dict[str, str]:
    return dict(Locale.parse(lang).languages)


def facets(ctx: SiteContext, service: Service) -> Facets:
    """Every facet value, result metadata and hidden search word of a service."""
    registry, lang = ctx.registry, ctx.lang
    vocabularies = registry.vocabularies
    # An unknown criterion never excludes a service (DESIGN): a service whose housing
    # situations are not known stays under every housing situation.
    housing = service.public.housing if service.public.housing is not None else list(vocabularies.housing)
    territories = territory_values(ctx, service.public.area)
    sites = registry.sites_of(service)
    # Languages spoken by the service or at one of its sites (issue 22); a site's accessibility.
    spoken = [*(service.languages or ()), *(c for s in sites for c in s.languages or ())]
    features = [a for s in sites for a in s.accessibility or () if a in vocabularies.accessibility]
    filters = (
        ("need", tuple(_unique(label(registry, "needs", n, lang) for n in service.needs))),
        ("function", tuple(_unique(label(registry, "functions", f, lang) for f in service.functions))),
        ("territory", tuple(territories)),
        ("age", tuple(b.id for b in age_bands_of(vocabularies.age_bands, service))),
        ("housing", tuple(_unique(label(registry, "housing", h, lang) for h in housing))),
        (
            "language",
            tuple(_unique(language_name(c, lang) for c in spoken)) if spoken else (unknown(lang),),
        ),
        ("accessibility", tuple(_unique(vocabularies.accessibility[a].label.get(lang) for a in features))),
        ("self_referral", (self_referral(service, lang),)),
        (PLACE_FILTER, tuple(place_values(registry.gazetteer, service.public.area))),
        (KIND_FILTER, ("service",)),
    )
    organisation = registry.organisation_of(service.id)
    meta = (
        ("organisation", organisation.name.get(lang)),
        ("territory", area_phrase(registry, service, lang)),
        ("for_whom", summary(registry, service, lang)),
        *hours_meta(ctx, service),
    )
    return Facets(filters=filters, meta=meta, words=tuple(search_words(ctx, service, territories)))


# --- hidden search words -----------------------------------------------------------------


@lru_cache(maxsize=8)
def _synonym_index(groups: tuple[tuple[str, ...], ...]) -> dict[str, list[tuple[tuple[str, ...], tuple[int, ...]]]]:
    """Synonym forms by their first folded word: (words of the form, its groups), longest first."""
    owners: dict[tuple[str, ...], list[int]] = {}
    for number, group in enumerate(groups):
        for word in group:
            form = tuple(fold(word).split())
            if form and number not in owners.setdefault(form, []):
                owners[form].append(number)
    index: dict[str, list[tuple[tuple[str, ...], tuple[int, ...]]]] = {}
    for form in sorted(owners, key=lambda f: (-len(f), f)):
        index.setdefault(form[0], []).append((form, tuple(owners[form])))
    return index


def synonyms_in(registry: Registry, words: str) -> list[str]:
    """Every synonym of every word or phrase of ``words`` that a synonym group lists.

    At each word the longest form wins and its words are consumed: "pair aidant" brings the
    peer-support group, and its "aidant" does not bring the carers' group.
    """
    groups = registry.vocabularies.synonyms
    index = _synonym_index(groups)
    tokens = fold(words).split()
    found: set[int] = set()
    i = 0
    while i < len(tokens):
        step = 1
        for form, numbers in index.get(tokens[i], ()):
            if tuple(tokens[i : i + len(form)]) == form:
                found.update(numbers)
                step = len(form)
                break
        i += step
    return _unique(word for number in sorted(found) for word in groups[number])


def _service_text(service: Service, lang: str) -> str:
    parts = [service.name.get(lang), text(service.objective, lang), text(service.public.summary, lang)]
    for value in (service.public.description, service.method, service.team, service.attention, service.timing):
        parts.append(text(value, lang))
    return "\n".join(parts)


def search_words(ctx: SiteContext, service: Service, territories: Iterable[str] = ()) -> list[str]:
    """Words a service page is found by without showing them.

    The names of the territories it covers, the labels of its needs and functions in the
    other languages with their synonyms, and the synonyms of what its text says.
    """
    registry = ctx.registry
    words: list[str] = list(territories)
    for vocabulary, ids in (("needs", service.needs), ("functions", service.functions)):
        for term_id in ids:
            term = registry.vocabularies.vocabulary(vocabulary).get(term_id)
            if term is not None:
                words += [term.label.get(lang) for lang in ("fr", "nl", "en") if term.label.has(lang)]
                words += term.synonyms
    words += synonyms_in(registry, _service_text(service, ctx.lang) + "\n" + "\n".join(words))
    return _unique(words)


# --- HTML ----------------------------------------------------------------------------------


def filter_attributes(ctx: SiteContext, service: Service) -> str:
    """Hidden HTML carrying a service page's Pagefind filters, metadata and search words.

    Put it inside the page's ``data-pagefind-body`` element. Values are held in attributes
    (``key[data-value]``), so commas and colons in names stay part of the value.
    """
    found = facets(ctx, service)
    lines = ['<div class="maillage-search-data" hidden>']
    for key, values in found.filters:
        for value in values:
            stored = place_bucket(value) if key == PLACE_FILTER else key
            lines.append(f'<span data-pagefind-filter="{stored}[data-value]" data-value="{escape(value)}"></span>')
    for key, value in found.meta:
        lines.append(f'<span data-pagefind-meta="{key}[data-value]" data-value="{escape(value)}"></span>')
    narrowing = narrowing_words(ctx.registry, service, found, ctx.lang)
    for word in narrowing:
        if not word.startswith((NARROWING_PREFIX + "r", NARROWING_PREFIX + "q")):
            lines.append(f'<span data-pagefind-filter="{term_bucket(word)}[data-value]" data-value="{word}"></span>')
    lines.append("</div>")
    words = _hidden_words((EVERY_SERVICE_WORD, *narrowing, *found.words))
    if words:
        lines.append(words)
    return "\n".join(lines)


def _hidden_words(words: Iterable[str]) -> str:
    joined = " · ".join(escape(w) for w in words)
    if not joined:
        return ""
    return (
        f'<div class="maillage-search-words" hidden aria-hidden="true" '
        f'data-pagefind-weight="{HIDDEN_WEIGHT}">{joined}</div>'
    )


def facet_value(ctx: SiteContext, facet: str, value: str) -> str:
    """The facet value for an id or code (a need id, a territory code…); other values as is."""
    registry = ctx.registry
    vocabulary = {"need": "needs", "function": "functions", "housing": "housing"}.get(facet)
    if vocabulary and value in registry.vocabularies.vocabulary(vocabulary):
        return label(registry, vocabulary, value, ctx.lang)
    if facet == "territory" and value in registry.gazetteer:
        return registry.gazetteer[value].label(ctx.lang)
    if facet == "language":
        return language_name(value, ctx.lang)
    return value


def search_link(ctx: SiteContext, facet: str, value: str, query: str = "") -> str:
    """A link that opens the search panel with one facet checked.

    ``value`` may be an id or code (``mental-health``, ``be-region-04000``) or the facet
    value itself. The link is relative to the current page (``?q=&filter=need:Santé mentale``):
    the search panel is in every page's header and reads it on load.
    """
    if facet not in FACETS:
        raise ValueError(f"unknown facet {facet!r}; known: {', '.join(FACETS)}")
    params = {"q": query, "filter": f"{facet}:{facet_value(ctx, facet, value)}"}
    return "?" + urlencode(params, quote_via=quote)


# --- assets ------------------------------------------------------------------------------

ASSETS = ("search.js", "search.css")
ASSET_DIR = "assets/maillage"


def search_assets(ctx: SiteContext) -> Iterator[Asset]:
    """The search panel's script and style, copied into the site once (not per language);
    the words it reads in a query (``reading_json``) for each language, and the places
    files (``places_files``) once."""
    yield Asset(uri=f"{READING_DIR}/reading-{ctx.lang}.json", content=_json(reading_json(ctx)))
    if ctx.prefix:
        return
    folder = resources.files("generator.site") / "assets"
    for name in ASSETS:
        content = (folder / name).read_bytes()
        yield Asset(uri=f"{ASSET_DIR}/{name}", content=served_script(content) if name.endswith(".js") else content)
    for key, rows in places_files(ctx.registry.gazetteer).items():
        yield Asset(uri=f"{READING_DIR}/places-{key}.json", content=_json(rows))


def served_script(source: bytes) -> bytes:
    """The panel's script as the site serves it, minified by rjsmin (comments and blanks out,
    names kept: 70 kB written, 41 kB served, fetched by every first search; the comments
    stay in the repository)."""
    import rjsmin

    minified: str = rjsmin.jsmin(source.decode("utf-8"))
    return (minified + "\n").encode("utf-8")


# --- reading a query: the words and places files of assets/search.js ------------------------

READING_DIR = "assets/maillage/search"
READING_DATA = "search_reading.yaml"

# Name words that do not key a places file: a query's "saint" would fetch every Saint-…,
# "communes" every communauté de communes.
PLACE_NAME_STOPWORDS = frozenset(
    (
        *("saint", "sainte", "saints", "saintes", "sint", "sur", "sous", "lez", "en", "et"),
        *("les", "la", "le", "de", "des", "du", "aux", "au"),
        *("communaute", "communes", "commune", "agglomeration", "metropole", "urbaine", "pays"),
    )
)

# A places file holds the names with a word that starts with its key: the first
# ``PLACE_KEY_LETTERS`` letters of the word (the whole word when shorter).
PLACE_KEY_LETTERS = 4

# The order a term is read in when one phrase names several (a need before a public).
TERM_FACETS = (("need", "needs"), ("function", "functions"), ("housing", "housing"))


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@lru_cache(maxsize=1)
def reading_data() -> dict[str, Any]:
    """The panel's own reading data (generator/site/search_reading.yaml)."""
    import yaml

    text = (resources.files("generator.site") / READING_DATA).read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def place_keys(name: str, split: frozenset[str] = frozenset()) -> set[str]:
    """The places files a territory name is listed in: ``PLACE_KEY_LETTERS`` letters of
    each of its folded words of three letters or more that is not a
    ``PLACE_NAME_STOPWORDS`` (of its longest word when none is); one letter more for as
    long as the key is in ``split`` (a file that would be too large) and the word has more."""
    words = fold(name).split()
    keys = [w for w in words if len(w) >= 3 and w not in PLACE_NAME_STOPWORDS]
    if not keys and words:
        keys = [max(words, key=len)]
    found = set()
    for word in keys:
        letters = PLACE_KEY_LETTERS
        while "n-" + word[:letters] in split and len(word) > letters:
            letters += 1
        found.add("n-" + word[:letters])
    return found


def postcode_key(postcode: str) -> str:
    """The places file of a postcode: its first three digits."""
    return "p-" + postcode[:3]


# A names file larger than this is cut by one more letter (``place_keys``).
PLACES_FILE_BYTES = 24 * 1024


def places_files(gazetteer: Gazetteer) -> dict[str, list[list[Any]]]:
    """Every territory of the gazetteer, by ``place_keys`` and ``postcode_key``.

    A row: ``[code, name, Dutch name or "", postcodes (space-separated), context code,
    ancestor codes (``_ancestors``), population]``; the context is the département,
    province or region the panel names after a commune or EPCI. In a file, rows come by
    level (country first) then by population, largest first: the first of several places
    of the same name is the one read, the others are offered.
    """
    return _places(gazetteer)[0]


def places_split(gazetteer: Gazetteer) -> frozenset[str]:
    """The names files cut by one more letter (the panel must know to ask for those)."""
    return _places(gazetteer)[1]


@lru_cache(maxsize=2)
def _places(gazetteer: Gazetteer) -> tuple[dict[str, list[list[Any]]], frozenset[str]]:
    rank = {"country": 0, "region": 1, "dep": 2, "province": 2, "epci": 3, "commune": 4}
    ordered = sorted(gazetteer, key=lambda p: (rank.get(p.level, 5), -(p.population or 0), p.code))
    rows = [
        (
            place,
            [
                place.code,
                place.name,
                place.name_nl if place.name_nl != place.name else "",
                " ".join(place.postcodes),
                _context(gazetteer, place.code),
                _ancestors(gazetteer, place.code),
                place.population or 0,
            ],
        )
        for place in ordered
    ]

    def names_keys(place: Any, split: frozenset[str]) -> set[str]:
        return place_keys(place.name, split) | (place_keys(place.name_nl, split) if place.name_nl else set())

    # Cut the files too large by one more letter, again until none is (or its words end):
    # "n-vill" then "n-ville" (Villeneuve-…, Villefranche-…, Villeurbanne) then "n-villeu".
    sizes = [(place, len(_json(row))) for place, row in rows]
    split: frozenset[str] = frozenset()
    while True:
        weight: dict[str, int] = {}
        for place, size in sizes:
            for key in names_keys(place, split):
                weight[key] = weight.get(key, 0) + size
        more = {k for k, w in weight.items() if w > PLACES_FILE_BYTES} - split
        if not more:
            break
        split |= more
    files: dict[str, list[list[Any]]] = {}
    for place, row in rows:
        for key in names_keys(place, split) | {postcode_key(p) for p in place.postcodes}:
            files.setdefault(key, []).append(row)
    return dict(sorted(files.items())), split


def _unused_terms(registry: Registry, lang: str) -> list[list[str]]:
    """``[facet, value]`` of the needs and functions no service works on: the panel does not
    search their narrowing words (Pagefind would fetch the part of its word index nearest to
    a word it lacks, and find nothing the filters keep)."""
    used = {("need", n) for s in registry.services.values() for n in s.needs}
    used |= {("function", f) for s in registry.services.values() for f in s.functions}
    return [
        [facet, label(registry, vocabulary, term_id, lang)]
        for facet, vocabulary in (("need", "needs"), ("function", "functions"))
        for term_id in registry.vocabularies.vocabulary(vocabulary)
        if (facet, term_id) not in used
    ]


def _grouped_terms(rows: Iterable[list[str]]) -> list[list[Any]]:
    """``[phrase, facet, value(, label)]`` rows as one ``[facet, value, phrases(, label)]`` per term."""
    terms: dict[tuple[str, ...], list[str]] = {}
    for phrase, *term in sorted(rows):
        terms.setdefault(tuple(term), []).append(phrase)
    return [[facet, value, phrases, *label] for (facet, value, *label), phrases in sorted(terms.items())]


def _ancestors(gazetteer: Gazetteer, code: str) -> list[str]:
    """What contains ``code``, without itself and without its country (the panel takes the
    country from the code: "fr-…" is in "fr")."""
    return sorted(gazetteer.ancestors(code) - {code, code.split("-", 1)[0]})


def _context(gazetteer: Gazetteer, code: str) -> str:
    """The territory that situates ``code`` for a reader: its département or province, else
    its region; "" for a region or a country."""
    territory = gazetteer[code]
    if territory.level in ("country", "region"):
        return ""
    path = gazetteer.path(code)
    for level in ("dep", "province", "region"):
        found = [t.code for t in path if t.level == level and t.code != code]
        if found:
            return found[-1]
    return ""


def reading_json(ctx: SiteContext) -> dict[str, Any]:
    """What the panel reads in a query, in ``ctx.lang``.

    ``terms``: ``[facet, value, folded phrases, label]`` (no label when it is the value):
    the labels (in the three languages) and synonyms of the needs, functions and housing
    situations, and the words of the age bands; a phrase several terms share goes to the
    first (``TERM_FACETS``). One row per term, not per phrase: the file is fetched by
    every first search (19.6 kB per phrase, 8.3 kB per term).
    ``places``: the names people use for a territory whose gazetteer name differs (a row
    of ``places_files``). ``names``: each region, département and province by code, in the
    language (the chips' context and the territory facet's values); ``parents``: the
    territory each of them lies in (the facet's hierarchy). ``stopwords``: words that say nothing on their own.
    ``not_places``: words that are a commune's name but, alone in a query, mean
    something else ("rue", "place", "ans"). ``split``, ``key_letters`` and
    ``name_stopwords``: how to find the places file of a word (``place_keys``).
    ``unused``: the needs and functions no service works on (``_unused_terms``).
    """
    registry, lang = ctx.registry, ctx.lang
    data = reading_data()
    seen: dict[str, list[str]] = {}
    for facet, vocabulary in TERM_FACETS:
        for term_id, term in registry.vocabularies.vocabulary(vocabulary).items():
            value = label(registry, vocabulary, term_id, lang)
            phrases = [term.label.get(code) for code in LANGUAGES if term.label.has(code)] + list(term.synonyms)
            for phrase in phrases:
                key = fold(phrase)
                if key and key not in seen:
                    seen[key] = [key, facet, value]
    bands = {b.id: b for b in registry.vocabularies.age_bands}
    for band_id, phrases in (data.get("age") or {}).items():
        band = bands.get(str(band_id))
        if band is None:
            continue
        for phrase in phrases:
            key = fold(str(phrase))
            if key and key not in seen:
                seen[key] = [key, "age", band.id, band.label.get(lang)]
    gazetteer = registry.gazetteer
    places = []
    for alias, code in (data.get("places") or {}).items():
        if code in gazetteer:
            t = gazetteer[code]
            places.append(
                [fold(str(alias)), code, t.label(lang), _context(gazetteer, code), _ancestors(gazetteer, code)]
            )
    upper = [t for t in gazetteer if t.level in FACET_LEVELS]
    names = {t.code: t.label(lang) for t in upper}
    parents = {t.code: p.code for t in upper if t.level != "country" for p in gazetteer.path(t.code)[-2:-1]}
    return {
        "terms": _grouped_terms(seen.values()),
        "places": places,
        "names": dict(sorted(names.items())),
        "parents": dict(sorted(parents.items())),
        "stopwords": sorted({fold(str(w)) for w in data.get("stopwords") or ()} - {""}),
        "split": sorted(places_split(gazetteer)),
        "key_letters": PLACE_KEY_LETTERS,
        "name_stopwords": sorted(PLACE_NAME_STOPWORDS),
        "not_places": sorted({fold(str(w)) for w in data.get("not_places") or ()} - {""}),
        "unused": _unused_terms(registry, lang),
    }


# --- indexing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexReport:
    """What Pagefind indexed."""

    pages: int
    files: int
    bytes: int
    runs: int = 0  # Pagefind runs the index was made in (with a cache: those it took from it too)
    reused: int = 0  # runs whose bundle came from the cache (site/search_cache.py)


def index_site(
    site_dir: Path,
    *,
    language: str | None = None,
    shard_bytes: int | None = None,
    cache: SearchCache | None = None,
    known: dict[str, list[PageFacts]] | None = None,
    listed: Iterable[str] | None = None,
) -> IndexReport:
    """Run Pagefind over a built site; the bundle goes to ``site_dir/pagefind/``.

    Only pages with a ``data-pagefind-body`` element are indexed, and only that element
    (navigation, header and footer stay out). Each page goes to the index of its
    ``<html lang>`` (French pages to a French index, stemmed for French; Dutch ones to a
    Dutch index), which is the index the search panel of a page of that language loads;
    ``language`` forces one index for all. A language whose findable parts weigh more than
    ``shard_bytes`` (default ``SHARD_BYTES``) is indexed in shards (see ``_run_pagefind``).
    With a ``cache`` (``maillage build``'s), a run whose pages did not change since a
    previous build takes its bundle from it (site/search_cache.py); ``known``: its page
    facts, read already (``SearchCache.page_facts``: read while the pages were being built).
    ``listed``: every file of the site, by its path in it, when the caller knows them (a
    build over the site before last, ``parallel._remove_the_rest``): its HTML pages are
    not searched for in the site's folders.
    Raises ``SearchIndexError`` when Pagefind fails.
    """
    site_dir = Path(site_dir).resolve()
    # Without any data-pagefind-body, Pagefind would index every page whole, menus and all.
    if not any(FINDABLE in page.read_text(encoding="utf-8", errors="replace") for page in site_dir.rglob("*.html")):
        raise SearchIndexError(f"{site_dir}: no page to index (no page has a {FINDABLE} element)")
    runs, written = _run_pagefind(
        site_dir, language, SHARD_BYTES if shard_bytes is None else shard_bytes, cache, known, listed
    )
    pages = indexed_pages(site_dir)
    if not pages:
        raise SearchIndexError(f"{site_dir}: Pagefind indexed no page")
    if cache is not None:
        cache.finish()
    reused = cache.reused if cache is not None else 0
    return IndexReport(pages=pages, files=len(written), bytes=sum(written.values()), runs=runs, reused=reused)


# Pagefind's indexer holds about half a kilobyte of memory per word it indexes, every page
# of a run at once (measured: 1,000 pages of 1,500 words take 1 GB; the French pages of a
# 10,000-service directory, 3.3 GB). One run indexes at most this many bytes of findable
# HTML (``indexed_weight``: about 23 MB of memory per MB at 10,000 services) of one
# language; more are indexed in several runs ("shards"), each its own bundle, which the
# search panel searches as one (assets/search.js). See bench/README.md.
SHARD_BYTES = 48 * 1024 * 1024

# Which extra shards hold each language: {"fr": ["shard-1/", ...]}, in the main bundle, and
# under "later" those the search panel merges only when it searches beyond the services:
# {"fr": [...], "later": {"fr": ["shard-4/"]}} (``_run_pagefind``).
SHARDS_FILE = "maillage-shards.json"
LATER = "later"
# The other pages (organisations, territories…) of a language cut in shards are indexed in
# this many times the runs their weight needs: an organisation edited makes one of them
# again, in 3.6 s instead of 5.5 s at 10,000 services (about 2,000 pages instead of 4,000),
# and only a search beyond the services fetches them (a page list and an index part more).
LATER_PARTS = 2


def _run_pagefind(
    site_dir: Path,
    language: str | None,
    shard_bytes: int,
    cache: SearchCache | None = None,
    known: dict[str, list[PageFacts]] | None = None,
    listed: Iterable[str] | None = None,
) -> tuple[int, dict[str, int]]:
    """Index the site with Pagefind, one language (or shard of one) at a time; the number of
    runs, and the bundle's files with their sizes.

    A site in three languages is indexed in three runs, one per language folder, so that
    the memory peak is the largest language's, not the sum; the runs' bundles are then
    merged into one (``BundleWriter``). A language whose pages' findable parts
    (``indexed_weight``) weigh more than ``shard_bytes`` is cut in shards (``_shards``): the
    first shard joins the main bundle, the others become bundles of their own
    (``pagefind/shard-N/``), listed in ``pagefind/maillage-shards.json`` for the search panel
    to merge. A language cut in shards has its service pages and its other pages
    (organisations, territories, needs…) in runs of their own, the others listed as "later"
    (``LATER``): a search that the panel answers with services (« need + place ») does not
    fetch their index (their page list alone is 30 kB at 10,000 services, 4,000 pages).
    Each run sees its pages through a folder of hard links that mirrors the site,
    so the addresses Pagefind records are the site's. With a ``cache``, a run whose key
    (``search_cache.run_key``: its pages' addresses and bytes, Pagefind's version and
    options) is there is taken from it, and a run made is stored in it. The bundle is
    written over the site's earlier one, if any: only the files that changed are
    (``BundleWriter``).
    """
    stats: dict[str, PageStat] = {}
    pages_found = _html_pages(site_dir, stats) if listed is None else _listed_pages(site_dir, listed, stats)
    groups = language_pages(site_dir, pages=pages_found) if not language else [sorted(pages_found)]
    runs: list[tuple[int, list[tuple[str, int]]]] = []  # (group, pages)
    later: set[int] = set()  # the runs of other pages than services, in a group cut in shards
    # What the last index read of each page, while the page is the same file (site/search_cache.py).
    # A build with a cache alternates between two folders (the site and the spare,
    # site/build.py): each page's facts are kept for the file of each.
    if known is None:
        known = cache.page_facts() if cache is not None else {}
    facts: dict[str, PageFacts] = {}  # page -> its digest (the runs' keys) and weight, as read now
    for g, pages in enumerate(groups):
        heavy = sum(size for _, size in pages) > shard_bytes
        if heavy or cache is not None:
            # Maybe more than one run: weigh each page by what Pagefind will index of it.
            weighed = []
            for uri, size in pages:
                stat = stats[uri]
                fact = next((f for f in known.get(uri, ()) if f.stat == stat), None)
                if fact is None or (heavy and fact.weight is None):
                    content = (site_dir / uri).read_bytes()
                    digest = page_digest(content) if cache is not None else b""
                    fact = PageFacts(stat, digest, indexed_weight(content) if heavy else None)
                facts[uri] = fact
                weighed.append((uri, fact.weight if heavy and fact.weight is not None else size))
            pages = weighed
            if heavy and any(weight for _, weight in pages):
                # A page with nothing findable (no data-pagefind-body: the redirects of old
                # territory addresses, 23,805 at 10,000 services) is not indexed beside pages
                # that have some; left out of the runs, it is not read by Pagefind at all.
                pages = [page for page in pages if page[1]]
        services: list[tuple[str, int]] = []
        others: list[tuple[str, int]] = []
        for page in pages:
            (services if _service_page(page[0]) else others).append(page)
        if heavy and services and others and sum(size for _, size in pages) > shard_bytes:
            # Services first: the group's first run is the one in the main bundle.
            runs.extend((g, shard) for shard in _shards(services, shard_bytes))
            rest = _shards(others, shard_bytes, LATER_PARTS)
            later.update(range(len(runs), len(runs) + len(rest)))
            runs.extend((g, shard) for shard in rest)
        else:
            runs.extend((g, shard) for shard in _shards(pages, shard_bytes))
    options = _indexing_options(language)
    bundle = BundleWriter(site_dir / BUNDLE)
    first: dict[int, int] = {}  # each group's first run: the main bundle; the others are shards
    for i, (g, _) in enumerate(runs):
        first.setdefault(g, i)
    shards: dict[str, Any] = {}
    part = site_dir / f".{BUNDLE}-part"
    stage = site_dir / f".{BUNDLE}-stage"
    try:
        for i, (g, pages) in enumerate(runs):
            key = None if cache is None else run_key(((uri, facts[uri].digest) for uri, _ in pages), options)
            files = None if cache is None or key is None else cache.load(key)
            if files is None:
                for leftover in (part, stage):
                    shutil.rmtree(leftover, ignore_errors=True)
                glob = _in_place(pages, runs, i)
                if glob is not None:
                    # A language in one run: Pagefind reads its pages where they are (the same
                    # bundle as from a stage; staging and removing thousands of links took longer
                    # than the run).
                    _pagefind(site_dir, ["--output-path", str(part), "--glob", glob], language)
                else:
                    kept = None if cache is None else cache.stage(i)
                    if kept is not None and _take(kept, stage):
                        output.files_and_folders_only(str(stage))  # links are made through its folders
                    _stage(site_dir, stage, (uri for uri, _ in pages), partial(_same_page, facts, known))
                    _pagefind(stage, ["--output-path", str(part)], language, shown=site_dir)
                    if kept is None or not _take(stage, kept):
                        shutil.rmtree(stage, ignore_errors=True)
                files = _read_part(part)
                shutil.rmtree(part, ignore_errors=True)
                if cache is not None and key is not None:
                    cache.store(key, files)
            if first[g] == i:
                bundle.merge(files)
            else:
                name = f"shard-{len(bundle.shards) + 1}"
                found = bundle.shard(name, files)
                listed = shards.setdefault(LATER, {}) if i in later else shards
                for lang in found.get("languages", {}):
                    listed.setdefault(lang, []).append(f"{name}/")
        bundle.finish(json.dumps(shards, sort_keys=True).encode("utf-8"))
        if cache is not None:
            cache.keep_page_facts(facts, known)
    finally:
        for leftover in (part, stage):
            shutil.rmtree(leftover, ignore_errors=True)
    return len(runs), bundle.written


def _service_page(uri: str) -> bool:
    """Whether the page at ``uri`` is a service's (``services/…``, ``nl/services/…``)."""
    parts = uri.split("/", 2)
    return parts[0] == "services" or (len(parts) > 2 and len(parts[0]) == 2 and parts[1] == "services")


def _in_place(pages: list[tuple[str, int]], runs: list[tuple[int, list[tuple[str, int]]]], i: int) -> str | None:
    """The glob of run ``i``'s pages in the site when they are a whole group of
    ``language_pages`` (a language folder, ``nl/**/*.html``; the default language's top
    files and folders, ``{index.html,services/**/*.html,…}``) in one run; None for a shard,
    or a name a glob would read otherwise."""
    group = runs[i][0]
    if sum(1 for g, _ in runs if g == group) != 1 or not pages:
        return None
    tops = sorted({uri.split("/", 1)[0] + ("/**/*.html" if "/" in uri else "") for uri, _ in pages})
    if any(re.search(r"[][{}*?,!\\]", top.split("/", 1)[0]) for top in tops):
        return None
    return tops[0] if len(tops) == 1 else "{" + ",".join(tops) + "}"


def _html_pages(site_dir: Path, stats: dict[str, PageStat] | None = None) -> Iterator[tuple[str, int]]:
    """Every HTML page of the site outside Pagefind's bundle and hidden folders, with its size.

    Each folder's pages, then its folders', by name (``os.walk``'s order); read with
    ``os.scandir`` and plain strings: a national site has tens of thousands of pages, and
    every build with a cache lists them (bench/README.md). ``stats`` gets each page's
    ``PageStat``."""

    def walk(folder: str, prefix: str) -> Iterator[tuple[str, int]]:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            return
        folders = []
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if is_folder:
                hidden = entry.name.startswith(".") or (prefix == "" and entry.name == BUNDLE)
                if not hidden and not entry.is_symlink():
                    folders.append(entry)
            elif entry.name.endswith(".html"):
                found = entry.stat()
                if stats is not None:
                    stats[prefix + entry.name] = (found.st_dev, found.st_ino, found.st_mtime_ns, found.st_size)
                yield prefix + entry.name, found.st_size
        for entry in folders:
            yield from walk(entry.path, f"{prefix}{entry.name}/")

    yield from walk(str(site_dir), "")


def _listed_pages(site_dir: Path, listed: Iterable[str], stats: dict[str, PageStat]) -> Iterator[tuple[str, int]]:
    """``_html_pages`` from the site's files as listed (``index_site``'s ``listed``): the same
    pages in the same order, without listing the site's folders (75,000 at 10,000 services)."""
    pages = []
    for uri in listed:
        parts = uri.split("/")
        if not uri.endswith(".html") or parts[0] == BUNDLE or any(p.startswith(".") for p in parts[:-1]):
            continue
        # os.walk's order: in each folder, its pages by name, then its folders by name.
        pages.append(((*((1, part) for part in parts[:-1]), (0, parts[-1])), uri))
    for _, uri in sorted(pages):
        try:
            found = os.stat(site_dir / uri, follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISREG(found.st_mode):
            stats[uri] = (found.st_dev, found.st_ino, found.st_mtime_ns, found.st_size)
            yield uri, found.st_size


def language_pages(
    site_dir: Path,
    stats: dict[str, PageStat] | None = None,
    *,
    pages: Iterable[tuple[str, int]] | None = None,
) -> list[list[tuple[str, int]]]:
    """The site's pages by language: the default language's, then each language folder's.

    A language folder is a top-level folder named by a two-letter code with its own
    ``index.html`` (``nl/``, ``en/``); the default language is everything else. Each page
    comes with its size in bytes; each list is in the order of the addresses. ``pages``:
    the site's pages as ``_html_pages`` gives them, found already.
    """
    folders = [p.name for p in site_dir.iterdir() if p.is_dir()]
    languages = sorted(f for f in folders if re.fullmatch(r"[a-z]{2}", f) and (site_dir / f / "index.html").is_file())
    groups: dict[str, list[tuple[str, int]]] = {"": [], **{lang: [] for lang in languages}}
    for uri, size in _html_pages(site_dir, stats) if pages is None else pages:
        top = uri.split("/", 1)[0]
        groups[top if top in groups and "/" in uri else ""].append((uri, size))
    return [pages for pages in groups.values() if pages]


_BLOCK = re.compile(rb"<(/?)(?:div|section|article|aside|nav|header|footer|main|ul|ol|p|table)\b[^>]*>")


_SEARCH_DATA = b'class="maillage-search-data"'


def indexed_weight(page: bytes) -> int:
    """About how much of an HTML page Pagefind indexes: its findable part, in bytes.

    From ``data-pagefind-body`` to the end of the article, without the elements marked
    ``data-pagefind-ignore`` (a territory page's long lists of services) and without a
    service page's hidden filters and metadata (``filter_attributes``). Markup is
    counted with the text: this is a weight for cutting shards, not a word count.
    """
    start = page.find(FINDABLE.encode())
    if start < 0:
        return 0
    end = page.find(b"</article>", start)
    end = len(page) if end < 0 else end
    weight = end - start
    # The hidden filters and metadata of a service page are markup, not words to index.
    data = page.find(_SEARCH_DATA, start, end)
    if data >= 0:
        opening = page.rfind(b"<", start, data)
        closing = page.find(b"</div>", data, end)
        if closing >= 0:
            weight -= closing + len(b"</div>") - opening
    ignored = page.find(b"data-pagefind-ignore", start, end)
    while ignored >= 0:
        opening = page.rfind(b"<", start, ignored)
        depth, closing = 0, end
        for tag in _BLOCK.finditer(page, opening, end):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                closing = tag.end()
                break
        weight -= closing - opening
        ignored = page.find(b"data-pagefind-ignore", closing, end)
    return weight


def _shards(pages: list[tuple[str, int]], limit: int, parts: int = 1) -> list[list[tuple[str, int]]]:
    """``pages`` cut in as few runs as keep each under about ``limit`` bytes (``parts`` times
    as many), in address order.

    A page's run is drawn from its address alone (a digest of it, ``_slot``), not from the
    weight of the pages before it: an edit that changes one page's weight, or adds or
    removes a page, changes that page's run only, and the others are taken from the cache
    (site/search_cache.py). Among thousands of pages the runs weigh about the same; the
    number of runs changes only when the language's weight passes a multiple of ``limit``.
    """
    total = sum(size for _, size in pages)
    count = max(1, -(-total // max(1, limit))) * parts
    if count == 1:
        return [pages]
    shards: list[list[tuple[str, int]]] = [[] for _ in range(count)]
    for page in pages:
        shards[_slot(page[0], count)].append(page)
    return [shard for shard in shards if shard]


def _slot(uri: str, count: int) -> int:
    """The run (0..count-1) of the page at ``uri``: the same on every build."""
    return int.from_bytes(hashlib.blake2b(uri.encode("utf-8"), digest_size=8).digest(), "big") % count


def _same_page(facts: dict[str, PageFacts], known: dict[str, list[PageFacts]], uri: str, stat: PageStat) -> bool:
    """Whether the file of ``stat`` holds the bytes the site's page ``uri`` holds now, from
    what the index read of both (the spare's file, left in a kept stage, as often as not)."""
    now = facts.get(uri)
    return now is not None and any(f.stat == stat and f.digest == now.digest for f in known.get(uri, ()))


def _stage(
    site_dir: Path, stage: Path, uris: Iterable[str], same: Callable[[str, PageStat], bool] | None = None
) -> None:
    """A folder that holds ``uris`` where the site has them, as hard links (copies where links fail).

    ``stage`` may hold an earlier run's stage (kept in the cache, ``SearchCache.stage``): a
    link that is already the site's file stays, the others are made again, and what the
    run does not read is removed. Making a shard's stage anew meant thousands of folders
    made and removed: 10 s of a one-service edit at 10,000 services (bench/README.md).
    ``same`` tells a link to another file with the same bytes, which is kept too."""
    before: dict[str, PageStat] = {}
    if stage.is_dir():
        for folder, _, names in os.walk(stage):
            for name in names:
                path = os.path.join(folder, name)
                with contextlib.suppress(OSError):
                    found = os.lstat(path)
                    before[path] = (found.st_dev, found.st_ino, found.st_mtime_ns, found.st_size)
    kept: list[str] = []
    for uri in uris:
        source, target = site_dir / uri, stage / uri
        name = str(target)
        kept.append(name)
        found = os.stat(source)
        there = before.get(name)
        if there is not None and (there[:2] == (found.st_dev, found.st_ino) or (same is not None and same(uri, there))):
            continue
        output.make_folder(str(target.parent))
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    if before:
        output.prune(str(stage), kept)


def _take(source: Path, target: Path) -> bool:
    """Move the folder ``source`` to ``target`` (absent); False when it cannot (another file
    system, ``target`` taken meanwhile)."""
    if os.path.lexists(target):
        return False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        source.rename(target)
    except OSError:
        return False
    return True


def _read_part(part: Path) -> list[tuple[str, bytes]]:
    """The files Pagefind wrote in ``part``: (path in the bundle, bytes), by path."""
    return [(p.relative_to(part).as_posix(), p.read_bytes()) for p in sorted(part.rglob("*")) if p.is_file()]


class BundleWriter:
    """The site's Pagefind bundle, put together from its runs' files.

    The runs of each language's first shard share the main bundle (``merge``: files of the
    same name must be the same, and their ``pagefind-entry.json`` become one); the other
    shards are bundles of their own under it (``shard``). A file that already holds the
    right bytes (a build written over an earlier site, site/build.py's spare) is left as
    it is, and ``finish`` removes what no run wrote: a one-page edit rewrites the index
    files it changed, not the 35,000 of a national site's bundle.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.entry: dict[str, Any] = {}
        self.shards: list[str] = []
        self._main: dict[str, bytes] = {}  # file of the main bundle -> digest of its bytes
        self.written: dict[str, int] = {}  # every file of the bundle -> its size

    def _put(self, path: Path, data: bytes) -> None:
        name = str(path)
        self.written[name] = len(data)
        if not output.same(name, data):
            output.write_file(name, data)

    def merge(self, files: Sequence[tuple[str, bytes]]) -> None:
        """A language's run into the main bundle."""
        found: dict[str, Any] = {}
        for name, content in files:
            if name == ENTRY:
                found = json.loads(content)
                continue
            digest = hashlib.blake2b(content, digest_size=16).digest()
            if self._main.setdefault(name, digest) != digest:
                raise SearchIndexError(f"{self.folder / name}: two Pagefind runs wrote different files of one name")
            if str(self.folder / name) not in self.written:  # another language's run put it there
                self._put(self.folder / name, content)
        if not self.entry:
            self.entry = found
        elif found.get("version") != self.entry.get("version"):
            raise SearchIndexError(f"{self.folder}: Pagefind versions differ between runs")
        else:
            self.entry["languages"].update(found.get("languages", {}))

    def shard(self, name: str, files: Sequence[tuple[str, bytes]]) -> dict[str, Any]:
        """A run as the bundle of its own ``name`` (``shard-N``); its ``pagefind-entry.json``."""
        self.shards.append(name)
        found: dict[str, Any] = {}
        for file, content in files:
            if file == ENTRY:
                found = json.loads(content)
            self._put(self.folder / name / file, content)
        return found

    def finish(self, shards_file: bytes) -> None:
        """The main bundle's entry and the list of shards; then what no run wrote removed."""
        self._put(self.folder / ENTRY, json.dumps(self.entry, ensure_ascii=False).encode("utf-8"))
        self._put(self.folder / SHARDS_FILE, shards_file)
        output.prune(str(self.folder), self.written)


def _pagefind(site_dir: Path, options: list[str], language: str | None, *, shown: Path | None = None) -> None:
    """Run the Pagefind binary that the ``pagefind`` package ships, as its CLI.

    A separate process rather than the package's asynchronous API: when the indexer dies
    (out of memory on a very large site), the API waits for an answer that never comes,
    whereas a process ends with a status that becomes an error here.
    """
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), *options, "--silent"]
    command += _indexing_options(language)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit status {done.returncode}"
        raise SearchIndexError(f"{shown or site_dir}: Pagefind failed: {reason}")


def _indexing_options(language: str | None) -> list[str]:
    """What Pagefind is told besides where to read and write (part of a cached run's key)."""
    # Material's permalink sign (¶, in an <a class="headerlink"> inside every heading)
    # would end every title and excerpt.
    options = ["--exclude-selectors", EXCLUDED]
    if language:
        options += ["--force-language", language]
    return options


def indexed_pages(site_dir: Path) -> int:
    """How many pages the Pagefind bundle of a site holds, shards included (0 when there is none)."""
    bundle = site_dir / BUNDLE
    if not (bundle / "pagefind-entry.json").is_file():
        return 0
    count = 0
    for entry in [bundle / "pagefind-entry.json", *sorted(bundle.glob("shard-*/pagefind-entry.json"))]:
        languages = json.loads(entry.read_text(encoding="utf-8")).get("languages", {})
        count += sum(int(language.get("page_count", 0)) for language in languages.values())
    return count


def bundle_files(site_dir: Path) -> Iterator[Path]:
    """The files Pagefind wrote into a site."""
    yield from sorted(p for p in (site_dir / BUNDLE).rglob("*") if p.is_file())


def _unique(values: Iterable[str]) -> list[str]:
    """Values in order, without repeats (compared without case and accents)."""
    seen: dict[str, str] = {}
    for value in values:
        key = fold(value) or value
        if value and key not in seen:
            seen[key] = value
    return list(seen.values())
