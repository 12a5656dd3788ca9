"""The maps' offline base layer: land and country borders from Natural Earth, shipped with the site.

Markers on blank grey cannot tell Brussels from Rennes. Tiles would, but they are fetched
from a third party (the visitor's position goes with them) and need a network: they stay
an opt-in layer (``maps.new_map``). Underneath, every map draws this base layer, a single
file of the site (``assets/maillage/map/base.json``) made at build time from the npm
package ``world-atlas`` (Natural Earth's admin-0 countries as TopoJSON, public domain),
installed by ``npm ci`` at the repository root, never vendored and never downloaded by the
build.

The TopoJSON is decoded here (arcs delta-decoded and stitched into rings), clipped to the
windows where the directory's services are (Western Europe, and the French overseas
départements: Antilles, Guyane, Réunion and Mayotte, Saint-Pierre-et-Miquelon), and its
coordinates rounded to 0.01° (about 1 km, the scale of the 1:50 million source). The
50m edition is used: measured on this build, 110m saves about 100 kB but draws Belgium
as a quadrilateral and drops Martinique and Réunion (see ``bench/README.md``, Map page).

Without the package (``npm ci`` not run) the build goes on with a warning and the maps
have no base layer: a directory must still build where only Python is installed, and
points on a plain background are what the site showed before.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

PACKAGE = "world-atlas"
EDITION = "countries-50m.json"
# The repository's own node_modules (``npm ci`` at its root), for a project elsewhere.
_REPOSITORY = Path(__file__).resolve().parents[2]


class Window(NamedTuple):
    """A part of the world the base layer keeps, in degrees."""

    south: float
    west: float
    north: float
    east: float


# Wide enough that the usual views (the countries served, a region, an island) never reach
# an edge; no wider, since every map page loads the file (measured: 0.16 MB).
WINDOWS: tuple[Window, ...] = (
    Window(34.0, -14.0, 61.0, 22.0),  # Western Europe: France, Belgium and their neighbours
    Window(9.0, -70.0, 21.0, -56.0),  # Antilles: Guadeloupe, Martinique, Saint-Martin
    Window(-2.0, -60.0, 9.0, -48.0),  # Guyane and its neighbours
    Window(-27.0, 38.0, -9.0, 62.0),  # Réunion, Mayotte, Madagascar, Mauritius
    Window(45.5, -58.5, 48.0, -54.5),  # Saint-Pierre-et-Miquelon
)

Ring = list[tuple[float, float]]  # (lon, lat), closed


def find_package(root: Path, name: str = PACKAGE) -> Path | None:
    """``node_modules/<name>`` of the project at ``root``, else of this repository, if installed."""
    for base in (root, _REPOSITORY):
        folder = base / "node_modules" / name
        if (folder / "package.json").is_file():
            return folder
    return None


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The topology's arcs in degrees (quantized and delta-encoded in the file)."""
    transform = topology.get("transform")
    decoded: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        points: list[tuple[float, float]] = []
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            for dx, dy in arc:
                x, y = x + dx, y + dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        decoded.append(points)
    return decoded


def _ring(indexes: Sequence[int], arcs: list[list[tuple[float, float]]]) -> Ring:
    ring: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc if not ring else arc[1:])
    return ring


def polygons(topology: dict[str, Any], name: str) -> Iterator[tuple[str, list[list[Ring]]]]:
    """Each geometry of object ``name`` as ``(its name, [polygon: [outer ring, holes…]])``."""
    arcs = _arcs(topology)
    for geometry in topology["objects"][name]["geometries"]:
        label = str((geometry.get("properties") or {}).get("name", ""))
        if geometry["type"] == "Polygon":
            yield label, [[_ring(r, arcs) for r in geometry["arcs"]]]
        elif geometry["type"] == "MultiPolygon":
            yield label, [[_ring(r, arcs) for r in polygon] for polygon in geometry["arcs"]]


def clip(ring: Ring, window: Window) -> Ring:
    """``ring`` cut to ``window`` (Sutherland–Hodgman: a rectangle is convex)."""

    def cut(points: Ring, inside: Any, cross: Any) -> Ring:
        out: Ring = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    out.append(cross(previous, current))
                out.append(current)
            elif inside(previous):
                out.append(cross(previous, current))
        return out

    def at_x(x: float) -> Any:
        return lambda a, b: (x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]))

    def at_y(y: float) -> Any:
        return lambda a, b: (a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y)

    points = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else list(ring)
    for inside, cross in (
        (lambda p: p[0] >= window.west, at_x(window.west)),
        (lambda p: p[0] <= window.east, at_x(window.east)),
        (lambda p: p[1] >= window.south, at_y(window.south)),
        (lambda p: p[1] <= window.north, at_y(window.north)),
    ):
        if not points:
            break
        points = cut(points, inside, cross)
    return points + points[:1] if points else []


def _compact(ring: Ring, digits: int) -> list[list[float]]:
    out: list[list[float]] = []
    for lon, lat in ring:
        point = [round(lon, digits), round(lat, digits)]
        if not out or point != out[-1]:
            out.append(point)
    return out


def _overlaps(ring: Ring, window: Window) -> bool:
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return not (
        max(lons) < window.west or min(lons) > window.east or max(lats) < window.south or min(lats) > window.north
    )


def base_layer(topology: dict[str, Any], windows: Iterable[Window] = WINDOWS, digits: int = 2) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the countries inside ``windows``, one MultiPolygon each."""
    windows = tuple(windows)
    features: list[dict[str, Any]] = []
    for name, shapes in polygons(topology, "countries"):
        kept: list[list[list[list[float]]]] = []
        for shape in shapes:
            for window in windows:
                if not shape or not shape[0] or not _overlaps(shape[0], window):
                    continue
                rings = [_compact(clip(ring, window), digits) for ring in shape]
                rings = [r for r in rings if len(r) >= 4]
                if rings and rings[0] == _compact(clip(shape[0], window), digits):
                    kept.append(rings)
        if kept:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"name": name},
                    "geometry": {"type": "MultiPolygon", "coordinates": kept},
                }
            )
    features.sort(key=lambda f: f["properties"]["name"])
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=2)
def _base_bytes(path: str, stamp: float) -> bytes:
    topology = json.loads(Path(path).read_text(encoding="utf-8"))
    return json.dumps(base_layer(topology), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def base_layer_bytes(root: Path) -> bytes | None:
    """The base layer file's content, or ``None`` when ``world-atlas`` is not installed."""
    package = find_package(root)
    if package is None or not (package / EDITION).is_file():
        return None
    source = package / EDITION
    return _base_bytes(str(source), source.stat().st_mtime)
