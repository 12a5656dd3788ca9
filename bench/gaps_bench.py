"""Benchmark of the coverage engine: every French commune x every segment x N services.

Usage (from the project root)::

    python3 bench/gaps_bench.py --services 10000

It writes a synthetic registry with ``maillage synth`` (``generator.synth``) under
``bench/out/`` (git-ignored) unless it is already there, loads it, then times:

- the engine, ``compute_coverage(level="commune", scope=["fr"])``: cold (first call,
  which builds the gazetteer's containment index) and warm (best of three);
- the baseline, a plain loop over the cells: for each commune, each segment, each
  service, "does its area contain the commune, and do its criteria admit the segment?".
  It is timed on an evenly spaced sample of communes and extrapolated to all of them;
  its cells are checked against the engine's on that sample.

The ratio is baseline / engine (warm), both measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.analysis.coverage import FULL, NONE, admission, compute_coverage, geography, public_segments  # noqa: E402
from generator.registry.loader import Registry, load_registry  # noqa: E402


def synthetic_registry(services: int, out: Path, seed: int) -> Path:
    """The synthetic project for ``services`` services (written once, then reused)."""
    if not (out / "data" / "registry").is_dir():
        from generator.synth import synthesize

        synthesize(services, out, project=ROOT, seed=seed)
    return out


def naive_cells(registry: Registry, commune: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The cells of one commune by checking every segment against every service."""
    geo = geography(registry.gazetteer)
    containing = geo.containing(commune)
    cells = []
    for segment in public_segments(registry):
        full: list[str] = []
        partial: list[str] = []
        for service in registry.services.values():
            if service.status.state == "closed" or containing.isdisjoint(service.public.area):
                continue
            level = admission(service, segment, registry)
            if level == FULL:
                full.append(service.id)
            elif level != NONE:
                partial.append(service.id)
        cells.append((tuple(sorted(full)), tuple(sorted(partial))))
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample", type=int, default=20, help="communes timed with the plain loop")
    parser.add_argument("--out", type=Path, help="synthetic project folder (default bench/out/synth-N)")
    args = parser.parse_args()
    out = args.out or ROOT / "bench" / "out" / f"synth-{args.services}"

    started = time.perf_counter()
    project = synthetic_registry(args.services, out, args.seed)
    registry = load_registry(project)
    loaded = time.perf_counter() - started

    started, cpu = time.perf_counter(), time.process_time()
    coverage = compute_coverage(registry, level="commune", scope=["fr"])
    cold, cold_cpu = time.perf_counter() - started, time.process_time() - cpu
    warm, warm_cpu = [], []
    for _ in range(3):
        started, cpu = time.perf_counter(), time.process_time()
        coverage = compute_coverage(registry, level="commune", scope=["fr"])
        warm.append(time.perf_counter() - started)
        warm_cpu.append(time.process_time() - cpu)
    engine = min(warm)
    started = time.perf_counter()
    compute_coverage(registry, level="dep", scope=["fr"])
    dep_level = time.perf_counter() - started

    communes = [t.code for t in coverage.territories]
    step = max(1, len(communes) // args.sample)
    sample = communes[::step][: args.sample]
    started, cpu = time.perf_counter(), time.process_time()
    naive = {code: naive_cells(registry, code) for code in sample}
    per_commune = (time.perf_counter() - started) / len(sample)
    per_commune_cpu = (time.process_time() - cpu) / len(sample)
    baseline = per_commune * len(communes)
    baseline_cpu = per_commune_cpu * len(communes)
    for code, cells in naive.items():
        got = [(c.services, c.partial) for c in coverage.territory(code).cells]
        if got != cells:
            raise SystemExit(f"engine and plain loop disagree on {code}")

    segments = len(coverage.segments)
    services = len(registry.services)
    cells = len(communes) * segments
    print(f"services {services}, French communes {len(communes)}, segments {segments}")
    print(f"cells {cells:,}, service checks of the plain loop {cells * services:,}")
    print("                                        wall      CPU")
    print(f"load registry                      {loaded:8.2f} s")
    print(f"engine, commune level, cold        {cold:8.2f} s {cold_cpu:8.2f} s")
    print(f"engine, commune level, warm (best) {engine:8.2f} s {min(warm_cpu):8.2f} s")
    print(f"engine, département level          {dep_level:8.2f} s")
    print(f"plain loop, {len(sample)} communes timed       {per_commune * len(sample):8.2f} s")
    print(f"plain loop, extrapolated           {baseline:8.0f} s {baseline_cpu:8.0f} s")
    print(f"ratio plain loop / engine (warm)   {baseline / engine:8.0f} x {baseline_cpu / min(warm_cpu):8.0f} x")
    print(f"ratio plain loop / engine (cold)   {baseline / cold:8.0f} x {baseline_cpu / cold_cpu:8.0f} x")
    print(f"sampled cells identical            {len(sample) * segments}")


if __name__ == "__main__":
    main()
