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

With ``--baseline REV`` (e.g. the commit before a change to the engine), the engine of
that git revision is loaded under another module name and timed on the same registry in
the same run, alternating with today's (cold, then best of three warm calls each): the
"before / after" of a change, without the noise of two runs on a shared machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.analysis.coverage import (  # noqa: E402
    COVERING_STATES,
    FULL,
    NONE,
    UNKNOWN,
    admission,
    compute_coverage,
    geography,
    public_segments,
)
from generator.registry.loader import Registry, load_registry  # noqa: E402


def synthetic_registry(services: int, out: Path, seed: int) -> Path:
    """The synthetic project for ``services`` services (written once, then reused)."""
    if not (out / "data" / "registry").is_dir():
        from generator.synth import synthesize

        synthesize(services, out, project=ROOT, seed=seed)
    return out


Cells = list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]


def naive_cells(registry: Registry, commune: str) -> Cells:
    """The cells of one commune (full, partial, "à vérifier") by checking every segment
    against every service."""
    geo = geography(registry.gazetteer)
    containing = geo.containing(commune)
    cells = []
    for segment in public_segments(registry):
        full: list[str] = []
        partial: list[str] = []
        unknown: list[str] = []
        for service in registry.services.values():
            if service.status.state not in COVERING_STATES or containing.isdisjoint(service.public.area):
                continue
            level = admission(service, segment, registry)
            if level == FULL:
                full.append(service.id)
            elif level == UNKNOWN:
                unknown.append(service.id)
            elif level != NONE:
                partial.append(service.id)
        cells.append((tuple(sorted(full)), tuple(sorted(partial)), tuple(sorted(unknown))))
    return cells


def old_engine(revision: str) -> Any:
    """``compute_coverage`` of a git revision, loaded under another module name (its own caches)."""
    source = subprocess.run(
        ["git", "show", f"{revision}:generator/analysis/coverage.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    source = source.replace("from ..", "from generator.").replace("from .scope", "from generator.analysis.scope")
    spec = importlib.util.spec_from_loader("gaps_bench_old_coverage", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    exec(compile(source, f"<coverage.py at {revision}>", "exec"), module.__dict__)
    return module.compute_coverage


def timed(function: Any, registry: Registry) -> tuple[float, float]:
    """Wall and CPU seconds of one commune-level analysis of France."""
    started, cpu = time.perf_counter(), time.process_time()
    function(registry, level="commune", scope=["fr"])
    return time.perf_counter() - started, time.process_time() - cpu


def compare(registry: Registry, revision: str) -> None:
    """Today's engine against ``revision``'s, alternating, on the same registry."""
    old = old_engine(revision)
    figures: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    for name, function in (("before", old), ("after", compute_coverage)):
        figures[name].append(timed(function, registry))  # cold: each builds its own caches
    for _ in range(3):
        for name, function in (("before", old), ("after", compute_coverage)):
            figures[name].append(timed(function, registry))
    print(f"engine before ({revision}) and after, same registry, same run:")
    print("                                        wall      CPU")
    for name in ("before", "after"):
        cold, warm = figures[name][0], figures[name][1:]
        print(f"{name:>6}, cold                       {cold[0]:8.2f} s {cold[1]:8.2f} s")
        print(
            f"{name:>6}, warm (best of 3)           {min(w[0] for w in warm):8.2f} s {min(w[1] for w in warm):8.2f} s"
        )
    before = min(w[1] for w in figures["before"][1:])
    after = min(w[1] for w in figures["after"][1:])
    print(f"ratio after / before (warm CPU)    {after / before:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample", type=int, default=20, help="communes timed with the plain loop")
    parser.add_argument("--out", type=Path, help="synthetic project folder (default bench/out/synth-N)")
    parser.add_argument("--baseline", help="a git revision whose engine to time against today's, in the same run")
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
        got = [(c.services, c.partial, c.unknown) for c in coverage.territory(code).cells]
        if got != cells:
            raise SystemExit(f"engine and plain loop disagree on {code}")

    segments = len(coverage.segments)
    services = len(registry.services)
    n_cells = len(communes) * segments
    print(f"services {services}, French communes {len(communes)}, segments {segments}")
    print(f"cells {n_cells:,}, service checks of the plain loop {n_cells * services:,}")
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
    if args.baseline:
        print()
        compare(registry, args.baseline)


if __name__ == "__main__":
    main()
