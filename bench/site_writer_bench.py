"""The site's files written the way mkdocs writes them, then the way ``site/output.py`` does,
in turns (issue 24: a warm build at 10,000 services writes about 100,000 files).

Usage: ``python3 bench/site_writer_bench.py SITE WORK [ROUNDS]``: every file of the built
SITE (but its Pagefind bundle) is read into memory, then written under WORK by each writer
in turn, ROUNDS times (default 3); the folder is removed and the disk synced between runs.
Prints each run's time, then each writer's median and the ratio.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

from mkdocs import utils

from generator.site import output


def main() -> None:
    site, work = Path(sys.argv[1]), Path(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    files = []
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.relative_to(site).parts[0] != "pagefind":
            files.append((str(path.relative_to(site)), path.read_bytes()))
    folders = len({os.path.dirname(name) for name, _ in files})
    print(f"{len(files):,} files in {folders:,} folders, {sum(len(d) for _, d in files) / 1e6:.0f} MB", flush=True)
    writers = {
        "mkdocs write_file": lambda path, data: utils.write_file(data, path),
        "output.write_file": output.write_file,
    }
    times: dict[str, list[float]] = {name: [] for name in writers}
    for round_ in range(rounds):
        for name, write in writers.items():
            target = work / f"run-{round_}"
            shutil.rmtree(target, ignore_errors=True)
            os.sync()
            start = time.perf_counter()
            for relative, data in files:
                write(os.path.join(target, relative), data)
            spent = time.perf_counter() - start
            times[name].append(spent)
            print(f"round {round_ + 1}, {name}: {spent:.1f} s", flush=True)
            shutil.rmtree(target, ignore_errors=True)
    medians = {name: statistics.median(found) for name, found in times.items()}
    for name, median in medians.items():
        print(f"{name}: median {median:.1f} s")
    first, second = medians.values()
    print(f"ratio: {second / first:.2f}")


if __name__ == "__main__":
    main()
