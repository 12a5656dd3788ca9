"""The gap report's analyses one after the other, kept as the report keeps them: time and
resident memory after each (issue 24: the report at 100,000 services).

Usage: ``python3 bench/gaps_report_memory.py PROJECT [STOP_GB]``, e.g. on
``maillage synth --services 100000 --out /tmp/p100k``. Stops past STOP_GB (default 15) of
resident memory. Prints the registry's loading, then one line per analysis.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from generator.analysis import coverage
from generator.registry.loader import load_registry
from generator.site import gaps_page


def resident_gb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e9


def main() -> None:
    project = Path(sys.argv[1])
    stop = float(sys.argv[2]) if len(sys.argv) > 2 else 15.0
    start = time.perf_counter()
    registry = load_registry(project)
    print(f"loaded {time.perf_counter() - start:.0f} s, resident {resident_gb():.2f} GB", flush=True)
    found, _ = gaps_page.selections(registry)
    codes = coverage.default_scope(registry)
    kept = []
    total = 0.0
    for selection in found:
        start = time.perf_counter()
        kept.append(gaps_page.analyse(registry, selection, codes))
        spent = time.perf_counter() - start
        total += spent
        analysis = kept[-1]
        print(
            f"{selection.slug}: {spent:.1f} s, resident {resident_gb():.2f} GB, "
            f"{len(analysis.communes)} rows, {len(analysis.units.summary.services)} services",
            flush=True,
        )
        if resident_gb() > stop:
            print(f"stopped past {stop} GB")
            return
    print(f"{len(kept)} analyses in {total:.1f} s")


if __name__ == "__main__":
    main()
