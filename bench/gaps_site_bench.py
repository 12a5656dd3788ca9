"""The gap report of the site (``gaps_pages``) at scale: the old provider against the new one.

For each size, ``maillage synth --services N`` writes a registry (seed 0, reused when
present); each variant then runs in a fresh process: load the registry (timed apart),
keep its public part, and consume ``gaps_pages`` for each language ("fr", "nl", "en") as
the mkdocs plugin does. The old variant is the provider and engine of a git revision
(``--baseline``, default the commit before the change), read with ``git show`` and loaded
under other module names, so both run in the same benchmark on the same registry.

Reported per variant: CPU and wall time of the provider (all languages), peak resident
memory of the process (registry included), bytes of pages (Markdown, all languages) and
of downloads.

    python3 bench/gaps_site_bench.py --sizes 1000 10000 --out /tmp/gapsbench
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import resource
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "881aa44"  # the last commit before the gap report's scale work
LANGUAGES = ("fr", "nl", "en")


def _module_from_source(name: str, source: str) -> types.ModuleType:
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


def old_provider(revision: str) -> Any:
    """``gaps_pages`` of ``revision``, with its own coverage engine (and engine caches)."""

    def show(path: str) -> str:
        return subprocess.run(
            ["git", "show", f"{revision}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout

    # Both package layouts: before the move to generator/{registry,analysis,exchange,site}/
    # (flat modules, "from .registry import") and after it; imports go to today's modules.
    flat = not show_exists(revision, "generator/analysis/coverage.py")
    coverage = show("generator/coverage.py" if flat else "generator/analysis/coverage.py")
    if flat:
        for old, new in (("models", "models"), ("registry", "loader"), ("territories", "territories")):
            coverage = coverage.replace(f"from .{old} import", f"from generator.registry.{new} import")
    else:
        coverage = coverage.replace("from ..registry.", "from generator.registry.")
        coverage = coverage.replace("from .", "from generator.analysis.")
    _module_from_source("gaps_old_coverage", coverage)
    page = show("generator/site/gaps_page.py")
    page = page.replace("from ..coverage import", "from gaps_old_coverage import")
    page = page.replace("from ..analysis.coverage import", "from gaps_old_coverage import")
    for old, new in (("models", "models"), ("registry", "loader"), ("territories", "territories")):
        page = page.replace(f"from ..{old} import", f"from generator.registry.{new} import")
    page = page.replace("from ..registry.", "from generator.registry.")
    page = page.replace("from ..analysis.", "from generator.analysis.")
    page = page.replace("from .", "from generator.site.")
    return _module_from_source("gaps_old_page", page).gaps_pages


def show_exists(revision: str, path: str) -> bool:
    """Whether ``path`` exists at ``revision``."""
    found = subprocess.run(["git", "cat-file", "-e", f"{revision}:{path}"], cwd=ROOT, capture_output=True)
    return found.returncode == 0


def child(variant: str, project: Path, revision: str) -> dict[str, Any]:
    """One variant in this process: the figures as a dict."""
    from generator.registry.loader import for_audience, load_registry
    from generator.site.context import Asset, SiteConfig, SiteContext

    if variant == "old":
        gaps_pages = old_provider(revision)
    else:
        from generator.site.gaps_page import gaps_pages
    import generator.site.maps  # noqa: F401  # the map hook's import, outside both timings

    started = time.perf_counter()
    gc.disable()  # as maillage build does while loading
    registry = for_audience(load_registry(project), "public")
    gc.enable()
    load = time.perf_counter() - started
    pages = downloads = files = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for lang in LANGUAGES:
        ctx = SiteContext(registry, SiteConfig(), lang=lang, root=project)
        for item in gaps_pages(ctx):
            if isinstance(item, Asset):
                downloads += len(item.content)
                files += 1
            else:
                pages += len(item.content.encode("utf-8"))
    return {
        "variant": variant,
        "services": len(registry.services),
        "load_s": round(load, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "wall_s": round(time.perf_counter() - wall, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "pages_bytes": pages,
        "download_bytes": downloads,
        "download_files": files,
    }


def run(variant: str, project: Path, revision: str, timeout: float) -> dict[str, Any]:
    """One variant in a fresh process (its own peak memory, no cache from the other)."""
    command = [sys.executable, __file__, "--child", variant, "--project", str(project), "--baseline", revision]
    try:
        done = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"variant": variant, "timeout_s": timeout}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--out", type=Path, default=Path("/tmp/gaps-site-bench"))
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the old provider")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per variant and size")
    parser.add_argument("--only", choices=("old", "new"), help="run one variant")
    parser.add_argument("--child", choices=("old", "new"), help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.project, args.baseline)))
        return
    for size in args.sizes:
        project = args.out / f"s{size}"
        if not (project / "data").exists():
            subprocess.run(
                [sys.executable, "-m", "generator", "synth", "--services", str(size), "--out", str(project)],
                cwd=ROOT,
                check=True,
            )
        results = [run(v, project, args.baseline, args.timeout) for v in ("old", "new") if args.only in (None, v)]
        for result in results:
            print(json.dumps({"size": size, **result}), flush=True)
        if len(results) == 2 and "cpu_s" in results[0] and "cpu_s" in results[1]:
            old, new = results
            print(
                f"{size} services: CPU {old['cpu_s']} s -> {new['cpu_s']} s ({old['cpu_s'] / new['cpu_s']:.1f}x); "
                f"downloads {old['download_bytes'] / 1e6:.1f} MB -> {new['download_bytes'] / 1e6:.1f} MB; "
                f"pages {old['pages_bytes'] / 1e6:.1f} MB -> {new['pages_bytes'] / 1e6:.1f} MB; "
                f"peak {old['peak_mb']} MB -> {new['peak_mb']} MB",
                flush=True,
            )


if __name__ == "__main__":
    main()
