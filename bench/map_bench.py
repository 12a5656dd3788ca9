"""Map page weight and load time in Chromium at 1,000 and 10,000 sites.

Usage: ``python3 bench/map_bench.py [--sites 1000 10000] [--out bench/out/map]``

For each size, ``maillage synth`` writes a synthetic registry with enough services to hold
that many sites; the map provider's output is built with mkdocs-material and served over
HTTP on localhost; Chromium (network blocked) loads ``map/`` until every cluster is drawn.
Reported: bytes transferred for the page load (HTML, scripts, styles, images, data), and
the time from navigation to clusters drawn. The baseline in the same run is plain folium:
one ``folium.Marker`` with a popup per site inside a ``MarkerCluster``, the way folium's
documentation does it, saved as a standalone HTML file and loaded the same way.
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import statistics
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.registry.loader import for_audience, load_registry  # noqa: E402
from generator.site.context import Asset, GeneratedPage, SiteConfig, SiteContext  # noqa: E402
from generator.site.map_page import map_data, map_page  # noqa: E402
from generator.site.maps import library_assets  # noqa: E402
from generator.site.words import words_assets  # noqa: E402
from generator.synth import synthesize  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MKDOCS_YML = """\
site_name: Maillage (banc des cartes)
docs_dir: docs
site_dir: site
theme:
  name: material
  language: fr
  font: false
plugins: []
"""
SITES_PER_SERVICE = 0.45  # what maillage synth gives (measured: 448 sites for 1,000 services)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def build(sites: int, out: Path) -> tuple[Path, int]:
    """A built site whose map page has about ``sites`` sites; returns (site dir, points)."""
    project = out / "project"
    synthesize(round(sites / SITES_PER_SERVICE), project, project=ROOT, seed=1)
    registry = for_audience(load_registry(project), "public")
    ctx = SiteContext(registry=registry, config=SiteConfig(), root=project)
    docs = out / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Accueil\n", encoding="utf-8")
    # The words file too: the page fetches it (the zoom buttons' and marks' names).
    for item in [*map_page(ctx), *words_assets(ctx)]:
        path = docs / item.uri
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(item, GeneratedPage):
            path.write_text(item.content, encoding="utf-8")
        elif isinstance(item, Asset):
            path.write_bytes(item.content)
    baseline(ctx, docs / "baseline.html")
    (out / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    mkdocs_build(load_config(str(out / "mkdocs.yml")))
    return out / "site", len(map_data(ctx).index["points"])


def baseline(ctx: SiteContext, file: Path) -> None:
    """Plain folium: a Marker with its popup per site, in a MarkerCluster, local libraries."""
    import folium
    from folium.plugins import MarkerCluster

    from generator.analysis.describe import summary
    from generator.exchange.geocode import site_positions

    registry = ctx.registry
    positions = site_positions(registry)
    m = folium.Map(location=[46.5, 2.5], zoom_start=6, tiles=None, maxZoom=18)
    cluster = MarkerCluster().add_to(m)
    for service in registry.services.values():
        for site in registry.sites_of(service):
            if site.id in positions:
                p = positions[site.id]
                text = f"<b>{service.name}</b><br>{summary(registry, service)}"
                folium.Marker([p.lat, p.lon], popup=folium.Popup(text, parse_html=True)).add_to(cluster)
    html = m.get_root().render()
    # Point folium's CDN links at the local copies, so the baseline loads offline too.
    local = {a.uri.rsplit("/", 1)[-1]: a.uri for a in library_assets()}
    for name, uri in local.items():
        html = html.replace(f"https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/{name}", uri)
        html = html.replace(f"https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/{name}", uri)
    # jQuery, which folium's popups call, comes from a CDN too: a two-line stand-in instead
    # (it spares the baseline jQuery's 87 kB, so the comparison favours the baseline).
    shim = (
        "<script>window.$=function(h){var d=document.createElement('div');"
        "d.innerHTML=h;return [d.firstChild];};</script>"
    )
    html = html.replace("</head>", shim + "</head>", 1)
    file.write_text(html, encoding="utf-8")


def _guard(fetched: set[str], route: Any) -> None:
    """Serve localhost and record the path; abort anything else."""
    parts = urlsplit(route.request.url)
    if parts.hostname in ("127.0.0.1", "localhost"):
        fetched.add(parts.path)
        route.continue_()
    else:
        route.abort()


def measure(browser: Any, site: Path, url: str, ready: str, runs: int = 3) -> tuple[int, float]:
    """(bytes of the files loaded, median seconds until ``ready`` is drawn) over ``runs`` cold loads.

    Bytes are the sizes on disk of every file the page fetched (no compression, as Python's
    HTTP server sends them), so a large response is counted whole.
    """
    sizes: list[int] = []
    times: list[float] = []
    for _ in range(runs):
        context = browser.new_context()
        page = context.new_page()
        fetched: set[str] = set()

        page.route("**/*", functools.partial(_guard, fetched))
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=300_000)
        page.wait_for_selector(ready, timeout=300_000)
        times.append(time.perf_counter() - start)
        page.wait_for_load_state("networkidle", timeout=300_000)
        total = 0
        for path in fetched:
            file = site / path.lstrip("/")
            file = file / "index.html" if file.is_dir() else file
            total += file.stat().st_size if file.is_file() else 0
        sizes.append(total)
        context.close()
    return max(sizes), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "map")
    parser.add_argument("--reuse", action="store_true", help="Measure the sites an earlier run built in --out.")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for sites in args.sites:
            out = args.out / str(sites)
            if args.reuse and (out / "site" / "map" / "index.html").exists():
                index = (out / "site" / "assets" / "maillage" / "map" / "sites.fr.js").read_text(encoding="utf-8")
                site, points = out / "site", len(json.loads(index.split("=", 1)[1].rstrip(";\n"))["points"])
            else:
                site, points = build(sites, out)
            server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{server.server_address[1]}/"
            size, seconds = measure(browser, site, base + "map/", ".marker-cluster")
            base_size, base_seconds = measure(browser, site, base + "baseline.html", ".marker-cluster")
            server.shutdown()
            server.server_close()
            rows.append((sites, points, size, seconds, base_size, base_seconds))
        browser.close()
    print("| sites asked | points drawn | map page | load | plain folium | load | size ratio | time ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for sites, points, size, seconds, base_size, base_seconds in rows:
        print(
            f"| {sites:,} | {points:,} | {size / 1e6:.2f} MB | {seconds:.2f} s | {base_size / 1e6:.2f} MB "
            f"| {base_seconds:.2f} s | {size / base_size:.2f} | {seconds / base_seconds:.2f} |"
        )


if __name__ == "__main__":
    main()
