"""The memory of a command's process tree, second by second: where a build's peak falls.

Usage: ``python3 bench/timeline.py LOG -- COMMAND...``, e.g.
``python3 bench/timeline.py /tmp/t.log -- python3 -m generator -C DIR build --out SITE``.

Each line of LOG is one sample: seconds since the start, the tree's summed PSS, the part
of it in Pagefind processes, then ``pid:name:MB`` for every process of the tree above
20 MB (the same ``/proc`` reading as ``bench/run.py``'s peak). The last line is the exit
code, the wall time and the peak. A process appearing or leaving marks a phase: the
generating processes, the two page workers, each Pagefind run.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import _is_pagefind, _pss_kb, _tree


def _name(pid: int) -> str:
    try:
        return Path(Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()).name[:10]
    except OSError:
        return "?"


def main() -> None:
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    log, command = Path(sys.argv[1]), sys.argv[3:]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    with log.open("w") as out:
        while process.poll() is None:
            sizes = {pid: _pss_kb(pid) // 1024 for pid in _tree(process.pid)}
            total = sum(sizes.values())
            search = sum(size for pid, size in sizes.items() if _is_pagefind(pid))
            peak = max(peak, total)
            each = " ".join(f"{pid}:{_name(pid)}:{size}" for pid, size in sorted(sizes.items()) if size > 20)
            print(f"{time.perf_counter() - start:7.1f} total {total:5d} pf {search:5d} | {each}", file=out, flush=True)
            time.sleep(1)
        summary = f"exit {process.returncode} in {time.perf_counter() - start:.1f} s, peak {peak:,} MB"
        print(summary, file=out)
    print(summary)


if __name__ == "__main__":
    main()
