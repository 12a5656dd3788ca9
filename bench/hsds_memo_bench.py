"""The HSDS export of a build through its memo (site/hsds_memo.py), against the plain export.

    python3 bench/hsds_memo_bench.py --services 10000 --work /tmp/hsds-memo

In one process, on a synthetic registry (``maillage synth``, seed 0, kept in WORK): the plain
export (``registry_files``, the baseline), the export through an empty memo (a full build's),
through the warm memo (nothing changed), and after one phone number edited (a pull
request's), each checked equal to the plain export of the same registry. Ratios to the
baseline are the result; the machine is shared.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.exchange.hsds import registry_files  # noqa: E402
from generator.registry.loader import Registry, for_audience, load_registry  # noqa: E402
from generator.site.hsds_memo import HsdsMemo  # noqa: E402
from generator.site.incremental import Dumps  # noqa: E402


def _registry(project: Path) -> Registry:
    return for_audience(load_registry(project), "public")


def _edit_one_phone(project: Path) -> str:
    for file in sorted((project / "data" / "registry").rglob("*.yaml")):
        text = file.read_text(encoding="utf-8")
        at = text.find("kind: phone")
        if at < 0:
            continue
        value = text.index("value: ", at) + len("value: ")
        digit = next(i for i in range(value, len(text)) if text[i].isdigit())
        file.write_text(text[:digit] + str((int(text[digit]) + 1) % 10) + text[digit + 1 :], encoding="utf-8")
        return str(file.relative_to(project))
    raise SystemExit("no phone number in the registry")


def _timed(label: str, action, baseline: float | None = None):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    took = time.perf_counter() - start
    ratio = f" ({took / baseline:.2f}x the plain export)" if baseline else ""
    print(f"{label}: {took:.2f} s{ratio}", flush=True)
    return result, took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--work", type=Path, required=True)
    options = parser.parse_args()
    project = options.work / f"s{options.services}"
    if not project.exists():
        command = [sys.executable, "-m", "generator", "synth", "--services", str(options.services)]
        command += ["--out", str(project)]
        subprocess.run(command, cwd=ROOT, check=True)
    memo_folder = options.work / "memo"
    shutil.rmtree(memo_folder, ignore_errors=True)
    registry = _registry(project)
    plain, baseline = _timed("plain export", lambda: registry_files(registry))
    cold = HsdsMemo(memo_folder, b"bench", Dumps(), registry)
    files, _ = _timed("through an empty memo", lambda: registry_files(registry, cold), baseline)
    assert files == plain
    warm = HsdsMemo(memo_folder, b"bench", Dumps(), registry)
    files, _ = _timed("through the warm memo, nothing changed", lambda: registry_files(registry, warm), baseline)
    assert files == plain and warm.made == 0
    print(f"edited: {_edit_one_phone(project)}")
    edited = _registry(project)
    expected = registry_files(edited)
    after = HsdsMemo(memo_folder, b"bench", Dumps(), edited)
    files, _ = _timed("through the memo after one phone edit", lambda: registry_files(edited, after), baseline)
    assert files == expected and files != plain
    print(f"organisations' parts made {after.made}, read back {after.reused}")
    size = sum(p.stat().st_size for p in memo_folder.iterdir())
    print(f"memo: {size / 1e6:.1f} MB on disk for {sum(len(v) for v in plain.values()) / 1e6:.1f} MB of files")


if __name__ == "__main__":
    main()
