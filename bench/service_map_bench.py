"""The service page's map: one folium map per page (before) against the data block (now).

Usage: ``python3 bench/service_map_bench.py [--services 1000] [--sample 10] [--out bench/out/service-map]``

``maillage synth --services N`` writes a synthetic registry over the real gazetteer. In one
process, for the three languages, the benchmark makes each service's map fragment:

- before: the folium map of ``generator/site/maps.py`` as it was until issue #9 (kept here only,
  as ``folium_service_map_html``): a ``folium.Map`` per page, its area found by scanning the
  gazetteer (``descendants``) every time, rendered and cut into the page;
- now: ``generator.site.maps.service_map_html``, timed cold (a fresh registry: the per-build
  caches of areas and positions filled on the way) and warm (the rest of a build), plus
  ``service_map_assets`` (the shared area files) once per language.

The folium path is slow (about 30 ms a page), so it runs on every ``--sample``-th service;
the new one on the same sample (for the ratio) and on all services. Reported: ms per page,
the ratio, and the fragment sizes (median and largest) with the shared files.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import folium  # noqa: E402

from generator.exchange.geocode import address_text, site_positions  # noqa: E402
from generator.registry.loader import Registry, for_audience, load_registry  # noqa: E402
from generator.registry.models import Service  # noqa: E402
from generator.registry.territories import Territory  # noqa: E402
from generator.site import maps  # noqa: E402
from generator.site.context import SiteConfig, SiteContext  # noqa: E402
from generator.synth import synthesize  # noqa: E402

LANGUAGES = ("fr", "nl", "en")


# --- before: the folium service map, as generator/site/maps.py had it ---------------------------


def _old_area_features(ctx: SiteContext, codes: Iterable[str]) -> tuple[list[dict[str, Any]], list[Territory]]:
    gazetteer = ctx.registry.gazetteer
    shapes = maps.load_boundaries(ctx.root)
    features: list[dict[str, Any]] = []
    territories: list[Territory] = []
    for code in codes:
        territory = gazetteer.get(code)
        if territory is None:
            continue
        territories.append(territory)
        label = territory.label(ctx.lang)
        if code in shapes:
            features.append(maps._feature(maps._rounded(shapes[code]), label, "outline"))
            continue
        communes = gazetteer.descendants(code, "commune") if territory.level != "commune" else []
        dots = [gazetteer[c] for c in communes if gazetteer[c].lat is not None]
        if dots and len(dots) <= maps.MAX_AREA_DOTS:
            for commune in dots:
                point = {"type": "Point", "coordinates": [round(commune.lon or 0, 4), round(commune.lat or 0, 4)]}
                features.append(maps._feature(point, f"{commune.label(ctx.lang)} ({label})", "dot"))
        elif territory.lat is not None and territory.lon is not None:
            point = {"type": "Point", "coordinates": [round(territory.lon, 4), round(territory.lat, 4)]}
            features.append(maps._feature(point, label, "centroid"))
    return features, territories


def folium_service_map_html(ctx: SiteContext, service: Service, base: str | None = None) -> str:
    """The service map before issue #9: a folium map per page."""
    base = base if base is not None else "../" * (2 + ctx.prefix.count("/"))
    registry = ctx.registry
    positions = site_positions(registry)
    sites = registry.sites_of(service)
    placed = [(s, positions[s.id]) for s in sites if s.id in positions]
    features, territories = _old_area_features(ctx, service.public.area)
    points = [(p.lat, p.lon) for _, p in placed] + list(maps._feature_points(features))
    m = maps.new_map(ctx, points)
    maps._add_area(m, features, maps.t("map.area_served", ctx.lang))
    for site, position in placed:
        tooltip = site.name.get(ctx.lang)
        if site.address:
            tooltip += f" — {address_text(site)}"
        folium.Marker([position.lat, position.lon], tooltip=maps.js_safe(tooltip)).add_to(m)
    title = f"{maps.t('map.area_served', ctx.lang)} — {service.name.get(ctx.lang)}"
    text = maps.map_text(ctx, base, sites, positions, territories)
    return maps.embed(maps.render_map(m), base, title, text)


# --- the measurement -----------------------------------------------------------------------


def contexts(registry: Registry, project: Path) -> list[SiteContext]:
    return [SiteContext(registry, SiteConfig(), lang, project) for lang in LANGUAGES]


def run(
    make: Callable[[SiteContext, Service], str], ctxs: list[SiteContext], services: list[Service]
) -> tuple[float, list[int]]:
    """(seconds, fragment sizes in bytes) for every service in every language."""
    sizes: list[int] = []
    start = time.perf_counter()
    for ctx in ctxs:
        for service in services:
            sizes.append(len(make(ctx, service).encode("utf-8")))
    return time.perf_counter() - start, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=10, help="time the folium path on every N-th service")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "service-map")
    args = parser.parse_args()

    project = args.out / "project"
    synthesize(args.services, project, project=ROOT, seed=1)

    def fresh() -> Registry:
        return for_audience(load_registry(project), "public")

    registry = fresh()
    every = sorted(registry.services.values(), key=lambda s: s.id)
    sample = every[:: args.sample]
    print(f"{len(every)} services, {len(sample)} sampled, {len(LANGUAGES)} languages")

    old_time, old_sizes = run(folium_service_map_html, contexts(registry, project), sample)
    cold_registry = fresh()  # empty per-build caches
    cold_time, _ = run(maps.service_map_html, contexts(cold_registry, project), sample)
    warm_time, new_sizes = run(maps.service_map_html, contexts(cold_registry, project), sample)
    all_registry = fresh()
    all_ctxs = contexts(all_registry, project)
    start = time.perf_counter()
    shared = [a for ctx in all_ctxs for a in maps.service_map_assets(ctx)]
    assets_time = time.perf_counter() - start
    all_time, all_sizes = run(maps.service_map_html, all_ctxs, every)

    pages = len(sample) * len(LANGUAGES)
    old_ms, cold_ms, warm_ms = (1000 * x / pages for x in (old_time, cold_time, warm_time))
    all_ms = 1000 * (all_time + assets_time) / (len(every) * len(LANGUAGES))
    area_files = [a for a in shared if a.uri.startswith(maps.AREAS_DIR)]
    print(f"folium per page (sample):            {old_ms:8.2f} ms")
    print(f"data block per page, cold (sample):  {cold_ms:8.3f} ms   ratio {old_ms / cold_ms:6.0f}x")
    print(f"data block per page, warm (sample):  {warm_ms:8.3f} ms   ratio {old_ms / warm_ms:6.0f}x")
    print(
        f"data block per page, all {len(every) * len(LANGUAGES)} pages (area files included): {all_ms:.3f} ms; "
        f"the whole build's maps {all_time + assets_time:.2f} s (folium, extrapolated: "
        f"{old_ms * len(every) * len(LANGUAGES) / 1000:.0f} s)"
    )
    print(
        f"fragment bytes: folium median {statistics.median(old_sizes):,.0f}, largest {max(old_sizes):,}; "
        f"now median {statistics.median(all_sizes):,.0f}, largest {max(all_sizes):,} "
        f"(sample: median {statistics.median(new_sizes):,.0f})"
    )
    if area_files:
        sizes = [len(a.content) for a in area_files]
        print(
            f"shared area files: {len(area_files)} ({len(LANGUAGES)} languages), "
            f"median {statistics.median(sizes):,.0f} B, largest {max(sizes):,} B, total {sum(sizes) / 1e6:.2f} MB"
        )


if __name__ == "__main__":
    main()
