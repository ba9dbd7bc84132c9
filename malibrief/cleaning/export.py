"""Write the processed tables, their HXL copies and a frictionless data package, all or nothing.

Every file is first written into a staging folder beside the target, which then replaces the target whole, so
neither a failure nor a kill leaves a half-written or mixed set of outputs.
"""
from __future__ import annotations

import csv
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from malibrief import config
from malibrief.cleaning.incidents import Cleaned
from malibrief.errors import Problem, raise_if
from malibrief.io import staged, to_csv_text

FIELDS_FILE = Path(__file__).with_name("fields.yaml")
LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
           "path": "https://creativecommons.org/licenses/by/4.0/"}


@lru_cache(maxsize=1)
def fields() -> dict:
    return yaml.safe_load(FIELDS_FILE.read_text(encoding="utf-8"))


def _ordered(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    spec = fields()[table]
    missing = [c for c in spec if c not in frame.columns]
    if missing:
        raise ValueError(f"{table}: columns {missing} are described in {FIELDS_FILE.name} but not produced")
    return frame[list(spec)]


def _hxl_text(csv_text: str, table: str) -> str:
    """The same CSV with HXL hashtags as its second row, as HDX reads it."""
    header, _, body = csv_text.partition("\n")
    tags = ",".join(fields()[table][c]["hxl"] for c in next(csv.reader([header])))
    return f"{header}\n{tags}\n{body}"


ACLED_PACKAGE = {
    "name": "acled-mali-mapped-to-briefing",
    "title": "ACLED events for Mali, mapped onto the briefing's events and violations",
    "description": "An ACLED export read, validated and mapped by malibrief.cleaning.acled: killings are fatalities of "
                   "violence against civilians; arrests and abductions are counted as events. ACLED's data, "
                   "under ACLED's terms of use.",
    "licenses": [{"name": "ACLED-terms", "title": "ACLED terms of use", "path": "https://acleddata.com/terms-of-use/"}],
}


def vocabularies() -> dict[tuple[str, str], list]:
    """(table, column) -> the values it may take, from config, the vocabularies' one home: fields.yaml does not
    type them again, and the schema's enums follow a change there."""
    return {("events", "date_precision"): list(config.DATE_PRECISIONS),
            ("events", "admin1"): ["", *config.ADMIN1],  # empty where the source names no place
            ("events", "geo_precision"): list(config.GEO_PRECISIONS),
            ("events", "actor_class"): list(config.ACTOR_CLASSES),
            ("events", "victim_type"): list(config.VICTIM_TYPES),
            ("events", "outcome"): ["", *config.OUTCOMES],  # empty where nobody was detained or disappeared
            ("violations", "violation"): list(config.VIOLATIONS)}


def datapackage(sources: pd.DataFrame, input_format: str = "incidents") -> dict:
    enums = vocabularies()

    def schema(table):
        def constraints(name, spec):
            found = {**spec.get("constraints", {}), **({"enum": enums[table, name]} if (table, name) in enums else {})}
            return {"constraints": found} if found else {}

        return {"fields": [{"name": name, "type": spec["type"], "description": spec["description"],
                            **constraints(name, spec)} for name, spec in fields()[table].items()]}

    package = {
        "name": "mali-human-rights-violations-2021-2025",
        "title": "Killings, detentions and enforced disappearances in Mali, 2021-2025, as documented "
                 "by Amnesty International and Human Rights Watch",
        "description": "Incidents coded by hand from five annual report chapters, merged into events. "
                       "A convenience sample of what two organisations documented, not a census.",
        "licenses": [LICENCE],
        "sources": [{"title": f"{r.publisher}: {r.title}", "path": r.url} for r in sources.itertuples()],
        "resources": [
            {"name": "events", "path": "events.csv", "format": "csv", "mediatype": "text/csv",
             "encoding": "utf-8", "description": "One row per event", "schema": {
                 **schema("events"), "primaryKey": ["event_id"]}},
            {"name": "violations", "path": "violations.csv", "format": "csv", "mediatype": "text/csv",
             "encoding": "utf-8", "description": "One row per event and violation", "schema": {
                 **schema("violations"), "foreignKeys": [
                     {"fields": ["event_id"], "reference": {"resource": "events", "fields": ["event_id"]}}]}},
            {"name": "events-geojson", "path": "events.geojson", "format": "geojson",
             "mediatype": "application/geo+json", "encoding": "utf-8",
             "description": "The events that have a place, as GeoJSON points (WGS 84) for QGIS or kepler.gl: "
                            "event_id, year, date_start, place, admin1, violations ('; '-separated), the low and "
                            "high figures per violation as in events.csv (null: no upper figure) and geo_precision "
                            "(1 the locality itself; 2 or 3 a seat or centroid standing in). Events with no place "
                            "are left out."},
        ],
    }
    return package | ACLED_PACKAGE if input_format == "acled" else package


GEOJSON_PROPERTIES = ("event_id", "year", "date_start", "place", "admin1")


def events_geojson(events: pd.DataFrame, violations: pd.DataFrame) -> str:
    """The events with a place as a GeoJSON FeatureCollection of points, one feature per line.

    Built column-wise (pandas' JSON writer for the properties), so a million ACLED events take seconds."""
    counts = [f"{c}_{b}" for c in config.COUNT_COLUMNS.values() for b in ("low", "high")]
    columns = [*GEOJSON_PROPERTIES, *counts, "geo_precision", "latitude", "longitude"]
    placed = events[columns][events["latitude"].notna() & events["longitude"].notna()]
    # which violations each event has, as a bit per violation, then the "; "-joined names of each combination
    position = pd.Index(placed["event_id"].to_numpy(dtype=object)).get_indexer(
        violations["event_id"].to_numpy(dtype=object))
    kind = violations["violation"].to_numpy(dtype=object)
    bits = np.zeros(len(placed), dtype=int)
    for bit, violation in enumerate(config.VIOLATIONS):
        bits[position[(kind == violation) & (position >= 0)]] |= 1 << bit
    names = np.array(["; ".join(v for bit, v in enumerate(config.VIOLATIONS) if combo >> bit & 1)
                      for combo in range(1 << len(config.VIOLATIONS))], dtype=object)
    def whole(column):  # integers, NA kept (written as null)
        return column.astype("Int64").reset_index(drop=True)

    props = pd.DataFrame({
        **{name: placed[name].to_numpy(dtype=object) for name in ("event_id", "place", "admin1")},
        "year": whole(placed["year"]), "date_start": placed["date_start"].dt.strftime("%Y-%m-%d").to_numpy(),
        "violations": names[bits], **{c: whole(placed[c]) for c in counts},
        "geo_precision": whole(placed["geo_precision"])},
        columns=[*GEOJSON_PROPERTIES, "violations", *counts, "geo_precision"])
    properties = props.to_json(orient="records", lines=True, force_ascii=False).splitlines()
    features = ",\n".join(
        f'{{"type": "Feature", "properties": {p}, "geometry": {{"type": "Point", "coordinates": [{x}, {y}]}}}}'
        for p, x, y in zip(properties, placed["longitude"].astype(float).tolist(),
                           placed["latitude"].astype(float).tolist()))
    return '{"type": "FeatureCollection", "features": [\n' + features + ("\n" if features else "") + "]}\n"


def _input_format(context: dict[str, pd.DataFrame]) -> str:
    about = context.get("about")
    return about["input_format"].iloc[0] if about is not None and len(about) else "incidents"


def processed_files(cleaned: Cleaned, sources: pd.DataFrame, context: dict[str, pd.DataFrame],
                    reference_dir: Path | None = None) -> dict[str, str]:
    """Every processed file's name and text; nothing is written here.

    `context` holds the tables the briefing needs beside the events (sources, count rules, out-of-scope
    violations), and `reference_dir` the boundaries the map draws, so the briefing reads only what this step
    wrote.
    """
    missing = [name for name in config.BOUNDARY_FILES if reference_dir and not (Path(reference_dir) / name).exists()]
    raise_if(Problem(str(Path(reference_dir) / name), None, None, None,
                     "not found: the map draws it, and the cleaning copies it next to the events "
                     "(scripts/make_boundaries.py and make_map_context.py write it)") for name in missing)
    boundaries = {name: (Path(reference_dir) / name).read_text(encoding="utf-8")
                  for name in config.BOUNDARY_FILES} if reference_dir else {}
    events = to_csv_text(_ordered(cleaned.events, "events"))
    violations = to_csv_text(_ordered(cleaned.violations, "violations"))
    return {
        "events.csv": events,
        "violations.csv": violations,
        "events.geojson": events_geojson(cleaned.events, cleaned.violations),
        "events_hxl.csv": _hxl_text(events, "events"),
        "violations_hxl.csv": _hxl_text(violations, "violations"),
        "cleaning_log.csv": to_csv_text(cleaned.log),
        "datapackage.json": json.dumps(datapackage(sources, _input_format(context)), indent=2, ensure_ascii=False) + "\n",
        **{f"{name}.csv": to_csv_text(frame) for name, frame in context.items()},
        **boundaries,
    }


def write_all(files: dict[str, str], out_dir: Path) -> list[Path]:
    """Write every file into a staging folder, then switch it in for out_dir whole (malibrief.io.staged):
    out_dir holds the whole old set or the whole new one at every moment."""
    out_dir = Path(out_dir)
    with staged(out_dir) as staging:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8", newline="")
    return [out_dir / name for name in files]
