#!/usr/bin/env python3
"""Extract the OpenStreetMap nodes the gazetteer uses into data/reference/osm_places.csv.

The source is the SQLite database of Mali's OpenStreetMap place, amenity and other
"main" nodes (Geofabrik extract of September 2019) published as Africa/mali.sqlite.zip
in the public repository ObiWanLansi/GeoData (commit 3f600c7). It is not committed:
only the rows whose node ids data/reference/place_locations.csv names (columns ref and
check_ref with method osm) are written, sorted by id, so re-running gives the same file.

    python scripts/extract_osm_places.py PATH/TO/mali.sqlite[.zip]          # write
    python scripts/extract_osm_places.py PATH/TO/mali.sqlite[.zip] --check  # exit 1 if stale

Standard library only. OpenStreetMap data: © OpenStreetMap contributors, ODbL 1.0.
"""
from __future__ import annotations

import argparse
import csv
import io
import sqlite3
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCATIONS = ROOT / "data" / "reference" / "place_locations.csv"
OUT = ROOT / "data" / "reference" / "osm_places.csv"
COLUMNS = ["osm_id", "name", "tag", "value", "latitude", "longitude"]


def wanted_ids(path: Path = LOCATIONS) -> list[int]:
    """OSM node ids that place_locations.csv refers to."""
    ids = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for method, ref in ((row["method"], row["ref"]), (row["check_method"], row["check_ref"])):
                if method == "osm":
                    if not ref.isdigit():
                        sys.exit(f"{path.name}: place {row['place_id']}: OSM ref {ref!r} is not a node id")
                    ids.add(int(ref))
    return sorted(ids)


def open_database(source: Path) -> sqlite3.Connection:
    """The database, read into memory (from inside the zip if given the zip)."""
    if source.suffix == ".zip":
        with zipfile.ZipFile(source) as archive:
            data = archive.read("mali.sqlite")
    else:
        data = source.read_bytes()
    con = sqlite3.connect(":memory:")
    con.deserialize(data)
    return con


def extract(source: Path) -> bytes:
    ids = wanted_ids()
    con = open_database(source)
    rows = {r[0]: r for r in con.execute(
        f"SELECT ID, NAME, TAG, VALUE, LAT, LON FROM NODE WHERE ID IN ({','.join('?' * len(ids))})", ids)}
    missing = [i for i in ids if i not in rows]
    if missing:
        sys.exit(f"{source}: OSM nodes not found: {missing}")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i in ids:
        osm_id, name, tag, value, lat, lon = rows[i]
        writer.writerow([osm_id, name, tag, value, f"{lat:.7f}", f"{lon:.7f}"])
    return buf.getvalue().encode("utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", type=Path, help="mali.sqlite or mali.sqlite.zip from ObiWanLansi/GeoData")
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if the file differs")
    args = ap.parse_args()
    data = extract(args.source)
    if args.check:
        if not OUT.exists() or OUT.read_bytes() != data:
            print(f"out of date: {OUT.relative_to(ROOT)}")
            return 1
    else:
        OUT.write_bytes(data)
    print(f"{OUT.relative_to(ROOT)}: {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
