"""The maps' base layer: Natural Earth countries from the installed npm package, clipped and small."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from generator.site import basemap, maps
from generator.site.basemap import Window, base_layer, base_layer_bytes, clip, find_package
from tests.conftest import ROOT

needs_package = pytest.mark.skipif(find_package(ROOT) is None, reason="npm ci has not installed world-atlas")


def test_clip_cuts_a_ring_to_its_window() -> None:
    square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]
    ring = clip(square, Window(south=2.0, west=-5.0, north=5.0, east=4.0))
    assert ring[0] == ring[-1]
    assert {(round(x), round(y)) for x, y in ring} == {(0, 2), (4, 2), (4, 5), (0, 5)}
    assert clip(square, Window(20.0, 20.0, 30.0, 30.0)) == []


def test_topojson_arcs_are_decoded_and_stitched() -> None:
    # Two arcs, the second used backwards: a closed triangle. Quantized and delta-encoded.
    topology = {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "arcs": [[[0, 0], [2, 0]], [[0, 0], [1, 2], [1, -2]]],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, -2]], "properties": {"name": "Triangle"}},
                ],
            }
        },
    }
    [(name, [[ring]])] = list(basemap.polygons(topology, "countries"))
    assert name == "Triangle" and ring == [(0, 0), (2, 0), (1, 2), (0, 0)]
    layer = base_layer(topology, [Window(-1, -1, 3, 3)])
    assert layer["features"][0]["geometry"]["coordinates"] == [[[[0, 0], [2, 0], [1, 2], [0, 0]]]]


@needs_package
def test_base_layer_has_europe_and_the_overseas_departements() -> None:
    content = base_layer_bytes(ROOT)
    assert content is not None and len(content) < 250_000  # measured: 0.17 MB (bench/README.md)
    layer = json.loads(content)
    names = {f["properties"]["name"] for f in layer["features"]}
    assert {"France", "Belgium", "Netherlands", "Germany", "Spain", "Suriname", "Madagascar"} <= names
    france = next(f for f in layer["features"] if f["properties"]["name"] == "France")
    points = [p for polygon in france["geometry"]["coordinates"] for p in polygon[0]]

    def near(lat: float, lon: float) -> bool:
        return any(abs(p[1] - lat) < 0.5 and abs(p[0] - lon) < 0.5 for p in points)

    assert near(48.85, 2.35) or near(51.0, 2.4)  # metropolitan France (its coast near Dunkerque)
    assert near(4.9, -52.3)  # Guyane (Cayenne)
    assert near(-21.1, 55.5)  # La Réunion
    assert near(14.6, -61.0)  # Martinique
    # Nothing far from the windows (no Pacific, no Asia).
    assert all(-70 <= p[0] <= 62 for f in layer["features"] for poly in f["geometry"]["coordinates"] for p in poly[0])


@needs_package
def test_build_writes_the_base_layer_next_to_the_map_script() -> None:
    [asset] = list(maps.base_assets(ROOT))
    assert asset.uri == "assets/maillage/map/base.json" and maps.OWN_JS.rsplit("/", 1)[0] == "assets/maillage/map"


def test_without_the_package_the_build_warns_and_has_no_base_layer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(basemap, "_REPOSITORY", tmp_path)
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.maillage"):
        assert list(maps.base_assets(tmp_path)) == []
    assert "world-atlas" in caplog.text and "npm ci" in caplog.text
