"""Generate ACLED-format exports for Mali, for tests and the scale benchmark: deterministic for a seed.

The files have the shape people download (current 31 columns, or the pre-2023 set; optional unnamed
index column, HXL hashtag row, text or numeric inter codes, ISO or long dates, repeated events) and
realistic notes text; they are synthetic and describe no real event. `realistic=True` adds what real
exports hold and a first version of the reader refused or misread: actor names with ACLED's period
suffixes and naming rules, and border localities a few km outside the simplified outline.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from malibrief.cleaning.acled import CURRENT_COLUMNS

PRE_2023_COLUMNS = ("data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year", "time_precision",
                    "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
                    "inter2", "interaction", "region", "country", "admin1", "admin2", "admin3", "location",
                    "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities",
                    "timestamp", "iso3")
# (ACLED admin1 spelling, location, latitude, longitude): towns well inside Mali.
PLACES = [("Mopti", "Sevare", 14.53, -4.09), ("Mopti", "Bandiagara", 14.35, -3.61), ("Segou", "Niono", 14.25, -5.99),
          ("Segou", "Macina", 13.96, -5.36), ("Gao", "Ansongo", 15.66, 0.50), ("Timbuktu", "Goundam", 16.41, -3.67),
          ("Menaka", "Menaka", 15.92, 2.40), ("Bamako", "Bamako", 12.65, -8.00), ("Kayes", "Nioro", 15.23, -9.59),
          ("Sikasso", "Koutiala", 12.39, -5.46), ("Koulikoro", "Kati", 12.74, -8.07), ("Kidal", "Kidal", 18.44, 1.41),
          ("Taoudeni", "Taoudenni", 22.68, -3.98)]
# (event_type, sub_event_type, actor1, inter code, share of rows)
KINDS = [("Violence against civilians", "Attack", "Military Forces of Mali (2021-)", "1", 0.2),
         ("Violence against civilians", "Attack", "JNIM: Group for Support of Islam and Muslims", "2", 0.2),
         ("Violence against civilians", "Attack", "Islamic State (Sahel)", "2", 0.1),
         ("Violence against civilians", "Abduction/forced disappearance", "Unidentified Armed Group (Mali)", "3", 0.1),
         ("Violence against civilians", "Attack", "Dozo Communal Militia (Mali)", "4", 0.05),
         ("Strategic developments", "Arrests", "Police Forces of Mali (2021-)", "1", 0.1),
         ("Battles", "Armed clash", "Military Forces of Mali (2021-)", "1", 0.15),
         ("Violence against civilians", "Attack", "Wagner Group", "8", 0.05),
         ("Violence against civilians", "Attack", "Fulani Ethnic Militia (Mali)", "4", 0.05)]
# A realistic export, as ACLED names actors: period suffixes, units, the JNIM and Islamic State families, ethnic
# and communal militias; two names no table knows (one with an inter code, one without) and a few 'other' ones.
REALISTIC_KINDS = [
    ("Violence against civilians", "Attack", "Military Forces of Mali (2013-2020)", "1", 0.10),
    ("Violence against civilians", "Attack", "Military Forces of Mali (2021-)", "1", 0.10),
    ("Strategic developments", "Arrests", "Police Forces of Mali (2013-2020)", "1", 0.05),
    ("Strategic developments", "Arrests", "Police Forces of Mali (2021-) Gendarmerie", "1", 0.03),
    ("Violence against civilians", "Abduction/forced disappearance", "Military Forces of Mali (2013-2020) Prison Guards", "1", 0.02),
    ("Violence against civilians", "Attack", "JNIM: Group for Support of Islam and Muslims", "2", 0.10),
    ("Violence against civilians", "Abduction/forced disappearance", "Katiba Macina", "2", 0.04),
    ("Violence against civilians", "Attack", "Islamic State (Greater Sahara)", "2", 0.05),
    ("Violence against civilians", "Attack", "Islamic State (Sahel)", "2", 0.05),
    ("Violence against civilians", "Attack", "AQIM: Al Qaeda in the Islamic Maghreb", "2", 0.04),
    ("Violence against civilians", "Attack", "Ansar Dine", "2", 0.03),
    ("Violence against civilians", "Attack", "Dozo Militia", "4", 0.05),
    ("Violence against civilians", "Attack", "Dan Na Ambassagou", "4", 0.05),
    ("Violence against civilians", "Attack", "Fulani Ethnic Militia (Mali)", "4", 0.04),
    ("Violence against civilians", "Attack", "Dogon Ethnic Militia (Mali)", "4", 0.03),
    ("Violence against civilians", "Attack", "Bambara Communal Militia (Mali)", "4", 0.02),
    ("Violence against civilians", "Abduction/forced disappearance", "Unidentified Armed Group (Mali)", "3", 0.05),
    ("Violence against civilians", "Attack", "Wagner Group", "8", 0.03),
    ("Violence against civilians", "Attack", "Self-Defence Group of the Seno (Mali)", "3", 0.02),
    ("Violence against civilians", "Attack", "Gunmen of the Western Hills", "", 0.005),
    ("Violence against civilians", "Attack", "Civilians (Mali)", "7", 0.01),
    ("Violence against civilians", "Attack", "MNLA: National Movement for the Liberation of Azawad", "2", 0.005),
    ("Battles", "Armed clash", "Military Forces of Mali (2013-2020)", "1", 0.14),
]
STATE_ASSOCIATES = ["", "", "Wagner Group", "Dozo Militia", "Hunters of the Seno Plain"]  # the last: unmapped
BORDER_KM = (1, 3, 5, 8)  # how far outside the simplified outline the border points lie
INTER_TEXT = {"1": "State forces", "2": "Rebel group", "3": "Political militia", "4": "Identity militia",
              "8": "External/Other forces"}
NOTES = ["On {date}, {actor} attacked {location} ({admin1}), killing {n} civilians, according to local sources.",
         "On {date}, unidentified gunmen abducted residents of {location} ({admin1}); their fate is unknown.",
         "Around {date}, security forces arrested several people in {location} ({admin1}) during a search operation.",
         "On {date}, {actor} clashed with militants near {location} ({admin1}). {n} fatalities reported."]


def border_places(count: int = 12) -> list[tuple[str, str, float, float]]:
    """Points 1 to 8 km outside Mali's simplified outline, pushed out from vertices spread along it, each
    with the region whose polygon is nearest: where ACLED puts border localities. Computed from the
    reference boundaries, never typed in."""
    import json

    import shapely
    from shapely.geometry import Point, shape

    from malibrief import config
    from malibrief.cleaning.places import MaliOutline

    mali = MaliOutline().geometry
    regions = [(f["properties"]["name"], shape(f["geometry"])) for f in
               json.loads((config.REFERENCE / config.ADMIN1_FILE).read_text(encoding="utf-8"))["features"]]
    ring = np.asarray(mali.exterior.coords)[:-1]
    centre = np.asarray(mali.centroid.coords[0])
    out = []
    for n, index in enumerate(np.linspace(0, len(ring) - 1, count).astype(int)):
        vertex = ring[index]
        direction = (vertex - centre) / np.linalg.norm(vertex - centre)
        km = BORDER_KM[n % len(BORDER_KM)]
        lon = vertex[0] + direction[0] * km / (111.32 * np.cos(np.radians(vertex[1])))
        lat = vertex[1] + direction[1] * km / 110.57
        if shapely.covers(mali, Point(lon, lat)):
            continue  # a concave stretch: pushed out from the centre, the point fell inside
        region = min(regions, key=lambda r: r[1].distance(Point(lon, lat)))[0]
        out.append((region, f"Border locality {n + 1}", round(float(lat), 4), round(float(lon), 4)))
    return out


def make_export(rows: int, seed: int = 1, *, columns: str = "current", start_year: int = 2018,
                end_year: int = 2020, index_column: bool = False, hxl: bool = False, inter_as_text: bool = False,
                long_dates: bool = False, repeat_share: float = 0.0, realistic: bool = False) -> pd.DataFrame:
    """A synthetic export of `rows` lines (repeats included) as ACLED formats it. `realistic` names actors
    as real exports do (period suffixes, ethnic militias, associated actors), puts one event in twenty at
    a border locality just outside the simplified outline, and one point far out by a longitude's sign error
    (the first Nioro row)."""
    rng = np.random.default_rng(seed)
    unique = max(1, int(round(rows * (1 - repeat_share))))
    kinds_table = REALISTIC_KINDS if realistic else KINDS
    shares = np.array([k[4] for k in kinds_table])
    kinds = rng.choice(len(kinds_table), size=unique, p=shares / shares.sum())
    if realistic:
        places_table = PLACES + border_places()
        border = len(places_table) - len(PLACES)
        weights = np.array([0.95 / len(PLACES)] * len(PLACES) + [0.05 / border] * border)
        places = rng.choice(len(places_table), size=unique, p=weights / weights.sum())
    else:
        places_table, places = PLACES, rng.integers(len(PLACES), size=unique)
    days = pd.Timestamp(start_year, 1, 1) + pd.to_timedelta(
        rng.integers(0, (pd.Timestamp(end_year, 12, 31) - pd.Timestamp(start_year, 1, 1)).days + 1, size=unique), "D")
    fatalities = np.where(rng.random(unique) < 0.35, 0, rng.integers(1, 40, size=unique))
    event_type = np.array([kinds_table[k][0] for k in kinds], dtype=object)
    sub = np.array([kinds_table[k][1] for k in kinds], dtype=object)
    fatalities = np.where(np.isin(sub, ["Arrests", "Abduction/forced disappearance"]), 0, fatalities)
    actor1 = np.array([kinds_table[k][2] for k in kinds], dtype=object)
    inter = np.array([kinds_table[k][3] for k in kinds], dtype=object)
    admin1 = np.array([places_table[p][0] for p in places], dtype=object)
    location = np.array([places_table[p][1] for p in places], dtype=object)
    jitter = rng.uniform(-0.05, 0.05, size=(2, unique)) * (places < len(PLACES))  # border points stay put
    latitude = [places_table[p][2] + j for p, j in zip(places, jitter[0])]
    longitude = [places_table[p][3] + j for p, j in zip(places, jitter[1])]
    if realistic:
        nioro = np.flatnonzero(location == "Nioro")
        if len(nioro):
            longitude[nioro[0]] = -longitude[nioro[0]]  # a sign error: east of Mali, in the Sahara
    state = np.char.startswith(actor1.astype(str), "Military Forces of Mali")
    dates = days.strftime("%d %B %Y") if long_dates else days.strftime("%Y-%m-%d")
    note_index = rng.integers(len(NOTES), size=unique)
    notes = [NOTES[i].format(date=d, actor=a, location=loc, admin1=ad, n=f)
             for i, d, a, loc, ad, f in zip(note_index, days.strftime("%d %B %Y"), actor1, location, admin1, fatalities)]
    frame = pd.DataFrame({
        "event_id_cnty": [f"MLI{n}" for n in range(1, unique + 1)],
        "event_date": dates, "year": days.year.astype(str),
        "time_precision": rng.choice(["1", "2", "3"], size=unique, p=[0.8, 0.15, 0.05]),
        "disorder_type": np.where(event_type == "Battles", "Political violence", "Political violence"),
        "event_type": event_type, "sub_event_type": sub, "actor1": actor1,
        "assoc_actor_1": np.where(state if realistic else actor1 == "Military Forces of Mali (2021-)",
                                  rng.choice(STATE_ASSOCIATES if realistic else ["", "Wagner Group"], size=unique), ""),
        "inter1": [INTER_TEXT.get(i, "") for i in inter] if inter_as_text else inter,
        "actor2": np.where(event_type == "Battles", "JNIM: Group for Support of Islam and Muslims", "Civilians (Mali)"),
        "assoc_actor_2": "", "inter2": np.where(event_type == "Battles", "2", "7"),
        "interaction": "17", "civilian_targeting": np.where(event_type == "Violence against civilians", "Civilian targeting", ""),
        "iso": "466", "region": "Western Africa", "country": "Mali",
        "admin1": admin1, "admin2": location, "admin3": location, "location": location,
        "latitude": [f"{v:.4f}" for v in latitude], "longitude": [f"{v:.4f}" for v in longitude],
        "geo_precision": rng.choice(["1", "2", "3"], size=unique, p=[0.7, 0.25, 0.05]),
        "source": "Local media", "source_scale": "Local partner-National", "notes": notes,
        "fatalities": fatalities.astype(str), "tags": "", "timestamp": "1700000000",
    })
    if repeat_share:
        frame = pd.concat([frame, frame.sample(rows - unique, replace=True, random_state=seed)], ignore_index=True)
    if columns == "pre2023":
        frame = frame.assign(data_id=[str(10_000 + i) for i in range(len(frame))],
                             event_id_no_cnty=frame["event_id_cnty"].str[3:], iso3="MLI")[list(PRE_2023_COLUMNS)]
    else:
        frame = frame[list(CURRENT_COLUMNS)]
    if hxl:
        tags = {"event_id_cnty": "#event+code", "event_date": "#date+occurred", "admin1": "#adm1+name",
                "location": "#loc+name", "latitude": "#geo+lat", "longitude": "#geo+lon", "fatalities": "#affected+killed",
                "actor1": "#group+name+first", "event_type": "#event+type", "sub_event_type": "#event+type+sub",
                "notes": "#description", "timestamp": "#date+updated"}
        hashtags = pd.DataFrame([[tags.get(c, "#meta+" + c.replace("_", "")) for c in frame.columns]], columns=frame.columns)
        frame = pd.concat([hashtags, frame], ignore_index=True)
    if index_column:
        frame.insert(0, "", [str(i) for i in range(len(frame))])
    return frame


def write_export(path: Path, rows: int, seed: int = 1, **options) -> Path:
    make_export(rows, seed, **options).to_csv(path, index=False, lineterminator="\n")
    return Path(path)


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic ACLED-format export for Mali.")
    parser.add_argument("path", type=Path)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--columns", choices=("current", "pre2023"), default="current")
    parser.add_argument("--hxl", action="store_true")
    parser.add_argument("--repeat-share", type=float, default=0.0)
    parser.add_argument("--realistic", action="store_true",
                        help="actor names as real exports give them, and points at and beyond the border")
    args = parser.parse_args()
    write_export(args.path, args.rows, args.seed, columns=args.columns, hxl=args.hxl, repeat_share=args.repeat_share,
                 realistic=args.realistic)


if __name__ == "__main__":
    main()
