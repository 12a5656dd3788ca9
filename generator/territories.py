"""The gazetteer: territories with codes, names, parents, postcodes, population, centroid.

Read from ``data/territories/*.csv`` (built by ``scripts/build_gazetteer.py``). A place
typed by a person (a name, a postcode or a code) resolves to one code or to an error that
lists the candidates.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

LEVELS = ("country", "region", "dep", "province", "epci", "commune")
# `--level dep` also means a Belgian province: both are the level under the region.
LEVEL_ALIASES = {"dep": ("dep", "province"), "province": ("dep", "province")}
COLUMNS = ["code", "level", "name", "name_nl", "parents", "postcodes", "population", "lat", "lon", "precision"]


@dataclass(frozen=True, slots=True)
class Territory:
    code: str
    level: str
    name: str
    name_nl: str
    parents: tuple[str, ...]
    postcodes: tuple[str, ...]
    population: int | None
    lat: float | None
    lon: float | None
    precision: str

    def label(self, lang: str = "fr") -> str:
        """The name in ``lang`` where the gazetteer has it (Dutch for Belgium)."""
        if lang == "nl" and self.name_nl:
            return self.name_nl
        return self.name


class PlaceError(ValueError):
    """A place that resolves to no territory, or to several."""

    def __init__(self, place: str, message: str, candidates: Iterable[Territory] = ()) -> None:
        self.place = place
        self.candidates = tuple(candidates)
        super().__init__(message)


def fold(text: str) -> str:
    """Lower-case, accents removed, punctuation as spaces: 'Saint-Étienne' -> 'saint etienne'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("œ", "oe").replace("æ", "ae")
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


class Gazetteer:
    """All territories by code, with lookups by name, postcode and ancestry."""

    def __init__(self, territories: Iterable[Territory]) -> None:
        self.by_code: dict[str, Territory] = {t.code: t for t in territories}
        self._ancestors: dict[str, frozenset[str]] = {}
        self._descendants: dict[tuple[str, str | None], tuple[str, ...]] = {}

    @classmethod
    def load(cls, folder: Path) -> Gazetteer:
        """Read every CSV of ``folder`` (sorted, so the result never depends on the disk)."""
        return cls(t for f in sorted(folder.glob("*.csv")) for t in read_csv(f))

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def __getitem__(self, code: str) -> Territory:
        return self.by_code[code]

    def __iter__(self) -> Iterator[Territory]:
        return iter(self.by_code.values())

    def __len__(self) -> int:
        return len(self.by_code)

    def get(self, code: str) -> Territory | None:
        return self.by_code.get(code)

    def ancestors(self, code: str) -> frozenset[str]:
        """Every territory that contains ``code``, the code itself included."""
        cached = self._ancestors.get(code)
        if cached is not None:
            return cached
        result = {code}
        territory = self.by_code.get(code)
        if territory and territory.level == "epci" and len(territory.parents) > 1:
            # An EPCI across several départements lies inside none of them, only inside
            # what contains them all (their region, when they share one; the country).
            result |= frozenset.intersection(*(self.ancestors(p) for p in territory.parents))
        elif territory:
            for parent in territory.parents:
                if territory.level == "commune" and self.by_code.get(parent, territory).level == "epci":
                    # A commune's own département is among its parents: going up through
                    # its EPCI would add the other départements that EPCI spans.
                    result.add(parent)
                else:
                    result |= self.ancestors(parent)
        frozen = frozenset(result)
        self._ancestors[code] = frozen
        return frozen

    @cached_property
    def children(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = defaultdict(list)
        for t in self.by_code.values():
            for parent in t.parents:
                found[parent].append(t.code)
        return {k: tuple(sorted(v)) for k, v in found.items()}

    def descendants(self, code: str, level: str | None = None) -> list[str]:
        """Every territory inside ``code`` (optionally only at ``level``), sorted."""
        # Cached: a national directory asks for the communes of the same few hundred areas
        # once per service that names them (a tenth of a second for a whole country).
        key = (code, level)
        cached = self._descendants.get(key)
        if cached is None:
            cached = self._descendants[key] = tuple(self._walk_down(code, level))
        return list(cached)

    def _walk_down(self, code: str, level: str | None) -> list[str]:
        seen: set[str] = set()
        stack = [code]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        levels = LEVEL_ALIASES.get(level, (level,)) if level else None
        return sorted(c for c in seen if levels is None or self.by_code[c].level in levels)

    def covers(self, area: Iterable[str], code: str) -> bool:
        """Whether a service area (codes at any level) covers territory ``code``."""
        return not self.ancestors(code).isdisjoint(area)

    @cached_property
    def _by_name(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for t in self.by_code.values():
            for name in {t.name, t.name_nl} - {""}:
                index[fold(name)].append(t.code)
        return index

    @cached_property
    def _by_postcode(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for t in self.by_code.values():
            for postcode in t.postcodes:
                index[postcode].append(t.code)
        return index

    def resolve(self, place: str) -> Territory:
        """A code, a postcode or a name to its territory; ``PlaceError`` otherwise.

        A name shared by several territories (or a postcode shared by several communes)
        is ambiguous: the error lists the candidates with their codes. Among territories
        of different levels with the same name, the commune wins (Paris the commune, not
        the département of the same name) only when exactly one commune has that name.
        """
        text = place.strip()
        if text.lower() in self.by_code:
            return self.by_code[text.lower()]
        if re.fullmatch(r"[0-9]{4,5}", text):
            codes = self._by_postcode.get(text, [])
            return self._one(place, codes, f"no commune has the postcode {text}")
        codes = self._by_name.get(fold(text), [])
        communes = [c for c in codes if self.by_code[c].level == "commune"]
        if len(communes) == 1 and len(codes) > 1:
            codes = communes
        return self._one(place, codes, f"no territory is named '{text}'")

    def _one(self, place: str, codes: list[str], missing: str) -> Territory:
        unique = sorted(set(codes))
        if len(unique) == 1:
            return self.by_code[unique[0]]
        if not unique:
            hint = self.suggest_name(place)
            raise PlaceError(place, missing + (f" (did you mean {hint}?)" if hint else ""))
        candidates = [self.by_code[c] for c in unique]
        listing = ", ".join(f"{t.name} ({t.code})" for t in candidates[:12])
        more = f" and {len(candidates) - 12} more" if len(candidates) > 12 else ""
        raise PlaceError(place, f"'{place}' is ambiguous: {listing}{more}", candidates)

    def suggest_name(self, place: str) -> str:
        close = difflib.get_close_matches(fold(place), list(self._by_name), n=1, cutoff=0.85)
        if not close:
            return ""
        code = sorted(self._by_name[close[0]])[0]
        return f"'{self.by_code[code].name}' ({code})"

    def suggest_code(self, code: str) -> str | None:
        """The closest existing code of the same kind, for a "did you mean" hint."""
        prefix = code.rsplit("-", 1)[0] + "-" if "-" in code else ""
        pool = [c for c in self.by_code if c.startswith(prefix)] if prefix else list(self.by_code)
        close = difflib.get_close_matches(code, pool, n=1, cutoff=0.8)
        return close[0] if close else None

    def path(self, code: str) -> list[Territory]:
        """From the country down to ``code``, following first parents."""
        chain: list[Territory] = []
        current = self.by_code.get(code)
        while current is not None and current not in chain:
            chain.append(current)
            main = [p for p in current.parents if not p.startswith("fr-epci-")] or list(current.parents)
            current = self.by_code.get(main[0]) if main else None
        return list(reversed(chain))


def read_csv(file: Path) -> Iterator[Territory]:
    with file.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield Territory(
                code=row["code"],
                level=row["level"],
                name=row["name"],
                name_nl=row.get("name_nl") or "",
                parents=tuple(row["parents"].split()),
                postcodes=tuple(row["postcodes"].split()),
                population=int(row["population"]) if row.get("population") else None,
                lat=float(row["lat"]) if row.get("lat") else None,
                lon=float(row["lon"]) if row.get("lon") else None,
                precision=row.get("precision") or "",
            )
