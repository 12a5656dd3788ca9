"""Incremental build (issue 24, item 2): a one-service edit rebuilt with the cache of rendered pages.

For each size N, in one run:

1. ``maillage synth --services N`` writes a synthetic project (seed 0), unless WORK holds it;
2. build A: ``maillage build --cache CACHE``, a full build that fills an empty cache;
3. one service's organisation changes its phone number (the first ``kind: phone`` of the
   first registry file that has one: a Belgian organisation, pages in three languages; with
   ``--french``, of the first file outside Belgium, pages in French only);
4. build B: the same command, the cache warm: only the pages the edit reaches are rendered,
   and only the Pagefind runs (one per language or shard) whose pages changed are made;
5. build C: ``maillage build --no-cache``, fresh, into another folder (``--alongside``: from
   an edited copy of the project, at the same time as A, which saves wall time on a loaded
   machine);
With ``--rebuild``, the builds go where a maintainer's do, into one ``site/`` folder,
each replacing the previous one: the site replaced waits in the cache (``previous-site``)
and the next build is written over it (generator/site/build.py). A is then followed by
A2, the same registry built again (the A site becomes the spare), and B is written over
A's site.

6. B and C are compared file by file (every byte, the same set of files). Two files differ
   between any two fresh builds and are listed apart: the Pagefind fragments' names and
   the spreadsheet template openpyxl stamps with the time (``tests/site/test_build.py``).

Each build runs in a fresh process whose phases are timed from inside (the registry's
loading, the providers' generation, the pages' rendering, the Pagefind index: functions of
``generator.site`` wrapped by the child process, the times appended to a file by whichever
forked process ran them). Peak memory is not measured here (``bench/run.py`` does).

Usage::

    python3 bench/build_cache_bench.py --sizes 1000 10000 --work /tmp/cache-bench
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = (
    ("registry", "generator.site.plugin", "load_registry"),
    ("generation", "generator.site.plugin", "generate_in_processes"),
    ("rendering", "generator.site.parallel", "_render_in_workers"),
    ("pagefind", "generator.site.parallel", "index_site"),
    # The process that builds the pages, whole (the phases above but Pagefind are in it).
    ("builder", "generator.site.parallel", "parallel_build"),
    # What an earlier site (the spare) had and this build did not write, removed.
    ("prune", "generator.site.parallel", "_remove_the_rest"),
    # The new site put in place of the previous one, which is removed (or kept as the spare).
    ("swap", "generator.site.build", "swap"),
)


def child(log: Path, args: list[str]) -> None:
    """Run ``maillage ARGS`` in this process with each phase's function timed into ``log``."""
    import importlib

    sys.path.insert(0, str(ROOT))
    for phase, module_name, name in PHASES:
        module = importlib.import_module(module_name)
        original = getattr(module, name)

        def timed(*a: object, _f: object = original, _p: str = phase, **k: object) -> object:
            start = time.perf_counter()
            result = None
            try:
                result = _f(*a, **k)  # type: ignore[operator]
                if isinstance(result, Iterator):  # the generation yields its pages as they come
                    return _drained(result, _p, start, log)
                return result
            finally:
                if not isinstance(result, Iterator):
                    _note(log, _p, start)

        setattr(module, name, timed)
    _time_providers(log)
    from generator.cli import main

    main(args, standalone_mode=True)


def _time_providers(log: Path) -> None:
    """Each provider's own time (``provider:NAME``, in its generating process), the provider
    cache's reads and writes (``cache_get``, ``cache_put``, in the parent), and the Pagefind
    phase's parts (its runs, its cache's reads and writes, the merge)."""
    from mkdocs.structure.files import Files

    from generator.site import generation, provider_cache, search, search_cache
    from generator.site.incremental import provider_name

    make = generation._make

    def timed_make(p: int) -> object:
        start = time.perf_counter()
        try:
            return make(p)
        finally:
            assert generation._STATE is not None
            _note(log, f"provider:{provider_name(generation._STATE[1][p])}", start)

    generation._make = timed_make  # type: ignore[assignment]
    for owner, method, label in (
        (provider_cache.ProviderCache, "get", "cache_get"),
        (provider_cache.ProviderCache, "put", "cache_put"),
        (search_cache.SearchCache, "load", "pagefind_cache_get"),
        (search_cache.SearchCache, "store", "pagefind_cache_put"),
        # The runs' files written into the site's bundle (only those that changed).
        (search.BundleWriter, "merge", "pagefind_merge"),
        (search.BundleWriter, "shard", "pagefind_merge"),
        (search.BundleWriter, "finish", "pagefind_merge"),
        # Writing what is not a page (downloads, assets, redirects) into the new site.
        (Files, "copy_static_files", "static_files"),
    ):
        original = getattr(owner, method)

        def timed(self: object, *a: object, _f: object = original, _m: str = label, **k: object) -> object:
            start = time.perf_counter()
            try:
                return _f(self, *a, **k)  # type: ignore[operator]
            finally:
                _note(log, _m, start)

        setattr(owner, method, timed)
    # Inside the Pagefind phase: the runs themselves (the rest of the phase: listing the
    # pages, reading them for the runs' keys, writing the bundle).
    for name, label in (("_pagefind", "pagefind_runs"),):
        function = getattr(search, name)

        def timed_function(*a: object, _f: object = function, _m: str = label, **k: object) -> object:
            start = time.perf_counter()
            try:
                return _f(*a, **k)  # type: ignore[operator]
            finally:
                _note(log, _m, start)

        setattr(search, name, timed_function)


def _note(log: Path, phase: str, start: float) -> None:
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"{phase} {time.perf_counter() - start:.3f}\n")


def _drained(items: Iterator[object], phase: str, start: float, log: Path) -> Iterator[object]:
    try:
        yield from items
    finally:
        _note(log, phase, start)


def build(project: Path, out: Path, work: Path, label: str, *extra: str, replace: bool = False) -> dict[str, object]:
    """One ``maillage build`` in a fresh process: wall time, phases, its output's last lines.

    ``replace``: ``out`` holds the previous build's site, which this one replaces."""
    log = work / f"phases-{label}.txt"
    log.unlink(missing_ok=True)
    if not replace:
        # As in CI, the build starts without a previous site (replacing one removes it: the
        # ``swap`` phase, 22 s for 127,000 files at 10,000 services on this machine).
        shutil.rmtree(out, ignore_errors=True)
    os.sync()  # and the disk done with it and with the previous build's writes before this one starts
    command = [sys.executable, __file__, "--child", str(log), "--", "-C", str(project), "build", "--out", str(out)]
    start = time.perf_counter()
    done = subprocess.run([*command, *extra], capture_output=True, text=True, cwd=ROOT, check=False)
    seconds = time.perf_counter() - start
    phases: dict[str, float] = {}
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            phase, value = line.split()
            phases[phase] = phases.get(phase, 0.0) + float(value)
    summary = re.search(r"(\d+) \S+, (\d+) \S+ \S+ cache", done.stdout)
    searched = re.search(r"(\d+) (?:passages de Pagefind|Pagefind runs), (?:dont )?(\d+)", done.stdout)
    result: dict[str, object] = {
        "label": label,
        "seconds": round(seconds, 1),
        "exit": done.returncode,
        "phases": {k: round(v, 1) for k, v in phases.items()},
        "rendered": int(summary.group(1)) if summary else None,
        "cached": int(summary.group(2)) if summary else None,
        "pagefind_runs": int(searched.group(1)) if searched else None,
        "pagefind_reused": int(searched.group(2)) if searched else None,
        "load": [round(x, 1) for x in os.getloadavg()],  # at the end of the build
    }
    if "--cache" in extra:  # the providers run and taken from the cache (site/provider_cache.py)
        cache = Path(extra[extra.index("--cache") + 1])
        try:
            providers = json.loads((cache / "providers" / "last-build.json").read_text(encoding="utf-8"))
            result["providers_made"], result["providers_reused"] = providers["made"], providers["reused"]
        except (OSError, ValueError, KeyError):
            pass
    if done.returncode:
        result["stderr"] = done.stderr[-2000:]
    print(json.dumps(result), flush=True)
    return result


def edit_one_phone(project: Path, french: bool = False) -> Path:
    """Change the first phone number of the first registry file that has one; the file changed.

    ``french``: of the first file outside Belgium's folders (``be-…``), whose services have
    their pages in French only (the first file, Belgian, has pages in three languages)."""
    for path in sorted((project / "data" / "registry").rglob("*.yaml")):
        if french and path.relative_to(project / "data" / "registry").parts[0].startswith("be-"):
            continue
        text = path.read_text(encoding="utf-8")
        match = re.search(r"(- kind: phone\n\s+value: )(.+)\n", text)
        if match:
            # Another number than the one there (a project edited by a previous run has this one).
            number = "01 98 76 54 32" if match.group(2).strip("'\"") == "01 23 45 67 89" else "01 23 45 67 89"
            changed = text[: match.start(2)] + number + text[match.end(2) :]
            path.write_text(changed, encoding="utf-8")
            return path
    raise SystemExit(f"{project}: no phone number to edit")


def differences(left: Path, right: Path) -> list[str]:
    """Relative paths that differ between the two trees (content, or present in one only)."""
    found: list[str] = []

    def walk(a: Path, b: Path, prefix: str) -> None:
        names_a, names_b = set(os.listdir(a)), set(os.listdir(b))
        found.extend(prefix + n for n in sorted(names_a ^ names_b))
        for name in sorted(names_a & names_b):
            pa, pb = a / name, b / name
            if pa.is_dir() and pb.is_dir():
                walk(pa, pb, f"{prefix}{name}/")
            elif pa.is_dir() != pb.is_dir() or not filecmp.cmp(pa, pb, shallow=False):
                found.append(prefix + name)

    walk(left, right, "")
    return found


def run_size(
    services: int,
    work: Path,
    alongside: bool,
    keep_cache: bool,
    fresh_build: bool = True,
    french: bool = False,
    warm: bool = False,
    rebuild: bool = False,
) -> dict[str, object]:
    folder = work / f"s{services}"
    project = folder / "project"
    if not project.exists():
        synth = [sys.executable, "-m", "generator", "synth", "--services", str(services), "--out", str(project)]
        subprocess.run(synth, cwd=ROOT, check=True, capture_output=True)
    cache = folder / "cache"
    if not keep_cache:
        shutil.rmtree(cache, ignore_errors=True)
    results: dict[str, object] = {"services": services}
    fresh = project
    if alongside:  # C from an edited copy, built at the same time as A (saves wall time, not CPU)
        fresh = folder / "project-edited"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(project, fresh)
        edit_one_phone(fresh, french)
        with ThreadPoolExecutor(2) as pool:
            a = pool.submit(build, project, folder / "a", folder, f"{services}-A", "--cache", str(cache))
            c = pool.submit(build, fresh, folder / "c", folder, f"{services}-C", "--no-cache")
            results["A"], results["C"] = a.result(), c.result()
    elif rebuild:
        site = folder / "site"
        if not warm:
            shutil.rmtree(cache / "previous-site", ignore_errors=True)
            results["A"] = build(project, site, folder, f"{services}-A", "--cache", str(cache))
        if not (warm and (cache / "previous-site").is_dir()):  # a warm run may have its spare already
            results["A2"] = build(project, site, folder, f"{services}-A2", "--cache", str(cache), replace=True)
    elif not warm:
        results["A"] = build(project, folder / "a", folder, f"{services}-A", "--cache", str(cache))
    edited = edit_one_phone(project, french)
    results["edited"] = str(edited.relative_to(project))
    b = folder / ("site" if rebuild else "b")
    results["B"] = build(project, b, folder, f"{services}-B", "--cache", str(cache), replace=rebuild)
    if not alongside and fresh_build:
        results["C"] = build(project, folder / "c", folder, f"{services}-C", "--no-cache")
    if not fresh_build:
        print(json.dumps(results), flush=True)
        return results
    diff = differences(b, folder / "c")
    unstable = [d for d in diff if d.startswith("pagefind") or d == "downloads/modele-import.xlsx"]
    results["identical"] = len(diff) == len(unstable)  # but for what differs between any two fresh builds
    results["differences"] = [d for d in diff if d not in unstable][:20]
    results["unstable_differences"] = len(unstable)
    print(json.dumps(results), flush=True)
    return results


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), sys.argv[4:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--alongside", action="store_true", help="build C from an edited copy at the same time as A")
    parser.add_argument("--keep-cache", action="store_true", help="start A with the cache WORK holds (not full)")
    parser.add_argument("--no-fresh", action="store_true", help="no build C (times of A and B only)")
    parser.add_argument(
        "--french", action="store_true", help="edit a French service (pages in French only), not the first file's"
    )
    parser.add_argument(
        "--warm", action="store_true", help="no build A: WORK holds a previous run's warm cache (implies --keep-cache)"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="every build into one site/ folder, written over the one before last"
    )
    options = parser.parse_args()
    options.work.mkdir(parents=True, exist_ok=True)
    for services in options.sizes:
        run_size(
            services,
            options.work.resolve(),
            options.alongside,
            options.keep_cache or options.warm,
            not options.no_fresh,
            options.french,
            options.warm,
            options.rebuild,
        )


if __name__ == "__main__":
    main()
