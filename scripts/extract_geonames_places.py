#!/usr/bin/env python3
"""Extract the GeoNames villages the gazetteer uses into data/reference/geonames_places.csv.

GeoNames' villages (feature class P with no population) are not in the cities1000 and
cities500 files the PyPI packages ship. Who's On First carries GeoNames' record for
each of Mali's ~15,000 populated places, with its geonameid, name, feature code and
point unchanged (properties gn:*), in the public repository
whosonfirst-data/whosonfirst-data-admin-ml (commit 2efa70f). It is not committed: only
the records whose geonameid data/reference/place_locations.csv names (method
geonames_id, in ref or check_ref) are written, sorted by geonameid.

    python scripts/extract_geonames_places.py PATH/TO/whosonfirst-data-admin-ml.git          # write
    python scripts/extract_geonames_places.py PATH/TO/whosonfirst-data-admin-ml.git --check  # exit 1 if stale

PATH is the repository's git directory (a bare clone will do); the records are read from
its HEAD with `git`. GeoNames data: CC BY 4.0 (geonames.org); Who's On First: CC0 for its
own work, sources as credited in its LICENSE.md.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCATIONS = ROOT / "data" / "reference" / "place_locations.csv"
OUT = ROOT / "data" / "reference" / "geonames_places.csv"
COLUMNS = ["geonameid", "name", "feature_code", "admin1_code", "latitude", "longitude", "wof_id"]
METHOD = "geonames_id"


def wanted_ids(path: Path = LOCATIONS) -> list[int]:
    """GeoNames ids that place_locations.csv refers to."""
    ids = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for method, ref in ((row["method"], row["ref"]), (row["check_method"], row["check_ref"])):
                if method == METHOD:
                    if not ref.isdigit():
                        sys.exit(f"{path.name}: place {row['place_id']}: geonameid {ref!r} is not a number")
                    ids.add(int(ref))
    return sorted(ids)


def git(git_dir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], input=stdin, capture_output=True,
                          check=True).stdout


def records(git_dir: Path):
    """Every locality record (its GeoJSON properties) at the repository's HEAD."""
    listing = git(git_dir, "ls-tree", "-r", "HEAD", "data").decode()
    blobs = [line.split()[2] for line in listing.splitlines()
             if line.endswith(".geojson") and "-alt-" not in line]
    out = git(git_dir, "cat-file", "--batch", stdin="\n".join(blobs).encode() + b"\n")
    pos = 0
    for _ in blobs:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        body = out[header_end + 1: header_end + 1 + size]
        pos = header_end + 1 + size + 1
        props = json.loads(body)["properties"]
        if props.get("wof:placetype") == "locality" and "gn:geonameid" in props:
            yield props


def extract(git_dir: Path) -> bytes:
    ids = wanted_ids()
    found = {}
    for p in records(git_dir):
        gid = int(p["gn:geonameid"])
        if gid in ids:
            found[gid] = {"geonameid": gid, "name": p["gn:name"], "feature_code": p["gn:feature_code"],
                          "admin1_code": p["gn:admin1_code"], "latitude": p["gn:latitude"],
                          "longitude": p["gn:longitude"], "wof_id": p["wof:id"]}
    missing = sorted(set(ids) - set(found))
    if missing:
        sys.exit(f"extract_geonames_places: geonameids not found in {git_dir}: {missing}")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(found[i] for i in ids)
    return buf.getvalue().encode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dir", type=Path, help="git directory of whosonfirst-data-admin-ml")
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed file is out of date")
    args = parser.parse_args()
    data = extract(args.git_dir)
    if args.check:
        if not OUT.exists() or OUT.read_bytes() != data:
            print(f"{OUT.relative_to(ROOT)} is out of date", file=sys.stderr)
            return 1
        return 0
    OUT.write_bytes(data)
    print(f"{OUT.relative_to(ROOT)}: {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
