"""The site's HSDS download (``downloads_hsds.hsds_downloads``) made once, as a cold build's
generating process makes it: its time and the memory it adds to the loaded registry
(issue 24: at 100,000 services it was the largest process of a shard's build).

Usage: ``python3 bench/hsds_download_memory.py PROJECT``, e.g. on ``maillage synth
--services 100000 --out /tmp/p100k``; run from the code to measure (``PYTHONPATH``). The
process' peak resident memory (``VmHWM``) is reset once the registry is loaded, so the
peak printed is that of the export, the registry included.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from generator.registry.loader import for_audience, load_registry
from generator.site.context import SiteConfig, SiteContext
from generator.site.downloads_hsds import hsds_downloads


def status_gb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024 / 1e9
    raise KeyError(field)


def main() -> None:
    project = Path(sys.argv[1])
    start = time.perf_counter()
    registry = for_audience(load_registry(project), "public")
    loaded = status_gb("VmRSS")
    print(f"loaded in {time.perf_counter() - start:.0f} s, resident {loaded:.2f} GB", flush=True)
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # resets VmHWM to the current resident size
    ctx = SiteContext(registry=registry, config=SiteConfig(), lang="fr", root=project)
    start = time.perf_counter()
    sizes = {asset.uri: len(asset.content) for asset in hsds_downloads(ctx)}  # type: ignore[union-attr,arg-type]
    spent = time.perf_counter() - start
    peak = status_gb("VmHWM")
    added = peak - loaded
    print(f"{len(registry.services)} services: {spent:.1f} s, peak {peak:.2f} GB (+{added:.2f} GB over the registry)")
    for uri, size in sorted(sizes.items()):
        print(f"  {uri}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
