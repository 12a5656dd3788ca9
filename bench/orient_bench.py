"""Benchmark of orientation: ``orient`` on the real registry and on 10,000 synthetic services.

Run from the project root: ``python3 bench/orient_bench.py [--services 10000]``. The
baseline, in the same run, is the plainest pass over the same services: the area filter
of ``maillage list --where`` (one ``Gazetteer.covers`` per service). Loading the YAML is
timed apart: it is the same for every command.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generator.analysis.orient import (
    DETAILS_CHUNK,
    OrientData,
    Profile,
    age_range,
    build_data,
    data_to_json,
    details_to_json,
    fold,
    orient,
    places_to_json,
)
from generator.registry.loader import Registry, for_audience, load_registry

ROOT = Path(__file__).resolve().parent.parent
PROFILES = [
    {"age": 45, "place": "be-commune-21013", "housing": "roofless", "needs": ("mental-health",), "crisis": True},
    {"age": 30, "place": "be-commune-21015", "housing": "housed", "needs": ("complex-situation",)},
    {"age": 16, "place": "be-commune-21009"},
    {"age": 45, "place": "fr-commune-69123", "housing": "roofless"},
]


def best(run: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def kb(raw: bytes) -> str:
    return f"{len(raw) / 1000:.0f} KB ({len(gzip.compress(raw)) / 1000:.0f} KB gzip)"


def version_1(data: OrientData) -> dict[str, object]:
    """The page data before the split (one file, one object per service and territory): the
    baseline of the sizes, rebuilt here so both are measured on the same registry."""
    services = []
    for s in data.services:
        item: dict[str, object] = {"id": s.id, "name": s.name, "org": s.organisation, "area": list(s.area)}
        item |= {"area_text": s.area_text, "needs": list(s.needs), "functions": list(s.functions)}
        if s.has_age:
            item |= {"age": [s.age_min, s.age_max], "age_text": age_range(s.age_min, s.age_max)}
        if s.approximate:
            item["approx"] = True
        if s.housing is not None:
            item["housing"] = list(s.housing)
        if s.generalist:
            item["generalist"] = True
        if s.referrers is not None:
            item["referrers"] = list(s.referrers)
        if s.professional_requesters is not None:
            item["pros"] = s.professional_requesters
        if s.conditions:
            item["cond"] = dict(s.conditions)
        item["steps"] = list(s.next_steps)
        if s.contacts:
            item["contacts"] = [list(c) for c in s.contacts]
        services.append(item)
    territories: dict[str, dict[str, object]] = {}
    for code, p in data.territories.items():
        entry: dict[str, object] = {"n": p.name, "l": p.level}
        if p.name_nl:
            entry["nl"] = p.name_nl
        if p.parents:
            entry["p"] = list(p.parents)
        if p.postcodes:
            entry["pc"] = list(p.postcodes)
        if p.lat is not None and p.lon is not None:
            entry["c"] = [p.lat, p.lon]
        territories[code] = entry
    labels = {k: dict(v) for k, v in data.labels.items()}
    return {"version": 1, "age_bands": [list(b) for b in data.age_bands], "labels": labels,
            "territories": territories, "services": services}  # fmt: skip


def first_search_bytes(data: OrientData, places: dict[str, bytes], details: list[bytes]) -> int:
    """What the page fetches after the main file for the benchmark's profiles, at most: the
    places file of the typed name and the details chunks of the first 10 matches (DETAILED in orient.js)."""
    main_codes = {c for c, p in data.territories.items() if p.level != "commune"} | {
        c for s in data.services for c in s.area
    }
    index = {s.id: i for i, s in enumerate(data.services)}
    worst = 0
    for p in PROFILES:
        result = orient(data, Profile(**p))  # type: ignore[arg-type]
        place = str(p["place"])
        typed = fold(data.territories[place].name)[:2].replace(" ", "_")
        size = 0 if place in main_codes else len(places.get(f"n-{typed}", b""))
        chunks = {index[e.service.id] // DETAILS_CHUNK for e in result.matches[:10]}
        worst = max(worst, size + sum(len(details[k]) for k in chunks))
    return worst


def measure(name: str, registry: Registry) -> dict[str, object]:
    registry = for_audience(registry, "public")

    def cli_path() -> None:  # what `maillage orient` does after loading: digest, then match
        for p in PROFILES:
            data = build_data(registry, places=[str(p["place"])])
            orient(data, Profile(**p))  # type: ignore[arg-type]

    def baseline() -> None:
        for p in PROFILES:
            [s for s in registry.services.values() if registry.gazetteer.covers(s.public.area, str(p["place"]))]

    page_data = build_data(registry)

    def match_only() -> None:
        for p in PROFILES:
            orient(page_data, Profile(**p))  # type: ignore[arg-type]

    before = dump(version_1(page_data))
    main_file = dump(data_to_json(page_data))
    details = [dump(c) for c in details_to_json(page_data)]
    places = {k: dump(v) for k, v in places_to_json(page_data).items()}
    place_sizes = sorted(len(v) for v in places.values())
    cli, base, match = best(cli_path), best(baseline), best(match_only)
    n = len(PROFILES)
    return {
        "registry": name,
        "services": len(registry.services),
        "orient per profile (digest + match), ms": round(cli / n * 1000, 2),
        "match only (page data), ms": round(match / n * 1000, 2),
        "baseline (area filter), ms": round(base / n * 1000, 2),
        "ratio orient / baseline": round(cli / base, 1),
        "page data before (one file)": kb(before),
        "orient.json (main, at start)": kb(main_file),
        "details chunks": f"{len(details)}, largest {kb(max(details, key=len))}",
        "places files": f"{len(places)}, median {place_sizes[len(place_sizes) // 2] / 1000:.0f} KB, "
        f"largest {kb(max(places.values(), key=len))}",
        "first search fetches (worst profile), KB": round(first_search_bytes(page_data, places, details) / 1000),
        "page data build, s": round(best(lambda: build_data(registry), 1), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=10_000)
    args = parser.parse_args()
    start = time.perf_counter()
    real = load_registry(ROOT)
    print(f"load real registry: {time.perf_counter() - start:.2f} s")
    rows = [measure("real (data/)", real)]
    from generator.synth import synthesize

    with tempfile.TemporaryDirectory() as tmp:
        synthesize(args.services, Path(tmp) / "synth", project=ROOT, seed=0)
        start = time.perf_counter()
        synthetic = load_registry(Path(tmp) / "synth")
        print(f"load synthetic registry: {time.perf_counter() - start:.2f} s")
        rows.append(measure(f"maillage synth --services {args.services}", synthetic))
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    print(
        "median of rows' orient ms:",
        statistics.median(float(str(r["orient per profile (digest + match), ms"])) for r in rows),
    )


if __name__ == "__main__":
    main()
