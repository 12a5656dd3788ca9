"""Benchmark of orientation: ``orient`` on the real registry and on 10,000 synthetic services.

Run from the project root: ``python3 bench/orient_bench.py [--services 10000]``. The
baseline, in the same run, is the plainest pass over the same services: the area filter
of ``maillage list --where`` (one ``Gazetteer.covers`` per service). Loading the YAML is
timed apart: it is the same for every command.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generator.orient import Profile, build_data, data_to_json, orient
from generator.registry import Registry, for_audience, load_registry

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

    size = len(json.dumps(data_to_json(page_data), ensure_ascii=False, separators=(",", ":")).encode())
    cli, base, match = best(cli_path), best(baseline), best(match_only)
    n = len(PROFILES)
    return {
        "registry": name,
        "services": len(registry.services),
        "orient per profile (digest + match), ms": round(cli / n * 1000, 2),
        "match only (page data), ms": round(match / n * 1000, 2),
        "baseline (area filter), ms": round(base / n * 1000, 2),
        "ratio orient / baseline": round(cli / base, 1),
        "page data orient.json, bytes": size,
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
