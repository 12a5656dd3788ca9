"""``maillage build``: build the whole site aside, then swap it in.

The site is built into a fresh temporary folder next to the target (same file system, so
the final rename is atomic); the previous output is replaced only when every step
succeeded. A failed build leaves it untouched and removes its own leftovers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

BuildStep = Callable[[Path], None]


def atomic_build(out: Path, steps: list[BuildStep]) -> None:
    """Run ``steps`` (each given the temporary site folder) and make the result ``out``.

    Any exception from a step propagates after the temporary folder is removed; ``out``
    is then exactly as it was.
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-build-", dir=out.parent))
    try:
        for step in steps:
            step(work)
        # mkdtemp makes the folder private (0700); a published site is world-readable.
        os.chmod(work, 0o755)
        swap(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def swap(new: Path, out: Path) -> None:
    """Replace ``out`` by ``new``: two renames, the old tree removed only afterwards."""
    if not out.exists():
        new.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        old.rename(out)  # put the previous site back
        raise
    shutil.rmtree(old, ignore_errors=True)
