"""HSDS export and import speed on a synthetic registry, against loading it (baseline).

    python3 bench/hsds_bench.py --services 2000

Prints the time to load the registry (the baseline every command pays), to export it to
HSDS (nested objects + tables + CSV bytes) and to import the export back, best of N.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.exchange.hsds import export_files, export_hsds, import_hsds, read_hsds, write_export
from generator.registry.loader import load_registry


def best(runs: int, action: Callable[[], Any]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from generator.synth import synthesize

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "synth"
        synthesize(args.services, root, project=Path(__file__).resolve().parents[1])
        load = best(1, lambda: load_registry(root))
        registry = load_registry(root)
        export = best(args.runs, lambda: export_files(export_hsds(registry)))
        out = Path(folder) / "hsds"
        write_export(export_hsds(registry), out)
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        read = best(args.runs, lambda: read_hsds(out / "datapackage"))
        services, organizations = read_hsds(out / "datapackage")
        back = best(args.runs, lambda: import_hsds(services, organizations, registry))
    print(f"services: {len(registry.services)}, export size {size / 1e6:.1f} MB")
    print(f"load registry (baseline): {load:.2f} s")
    print(f"export (objects + CSV): {export:.2f} s  ratio {export / load:.2f}")
    print(f"read data package: {read:.2f} s  ratio {read / load:.2f}")
    print(f"import to models: {back:.2f} s  ratio {back / load:.2f}")


if __name__ == "__main__":
    main()
