"""One `maillage build` measured as `bench/run.py` measures it: wall time and the peak of the
process tree's summed PSS, split between Python and Pagefind.

Usage: ``python3 bench/build_once.py PROJECT OUT`` (PROJECT e.g. from ``maillage synth``;
set ``PYTHONPATH`` to a worktree to measure another commit, as in bench/README.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import maillage, timed


def main() -> None:
    project, out = Path(sys.argv[1]), Path(sys.argv[2])
    run = timed([*maillage(project, "build", "--out", str(out))], project, 4 * 3600)
    print(
        f"build {run.seconds:.1f} s / {run.peak_mb:,.0f} MB "
        f"(Python {run.other_peak_mb:,.0f} MB, Pagefind {run.search_peak_mb:,.0f} MB), exit {run.code} {run.note}"
    )


if __name__ == "__main__":
    main()
