"""Generate ACLED-format exports for Mali, for tests and the scale benchmark: deterministic for a seed.

The files have the shape people download (current 31 columns, or the pre-2023 set; optional unnamed
index column, HXL hashtag row, text or numeric inter codes, ISO or long dates, repeated events) and
realistic notes text; they are synthetic and describe no real event.
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
INTER_TEXT = {"1": "State forces", "2": "Rebel group", "3": "Political militia", "4": "Identity militia",
              "8": "External/Other forces"}
NOTES = ["On {date}, {actor} attacked {location} ({admin1}), killing {n} civilians, according to local sources.",
         "On {date}, unidentified gunmen abducted residents of {location} ({admin1}); their fate is unknown.",
         "Around {date}, security forces arrested several people in {location} ({admin1}) during a search operation.",
         "On {date}, {actor} clashed with militants near {location} ({admin1}). {n} fatalities reported."]


def make_export(rows: int, seed: int = 1, *, columns: str = "current", start_year: int = 2018,
                end_year: int = 2020, index_column: bool = False, hxl: bool = False, inter_as_text: bool = False,
                long_dates: bool = False, repeat_share: float = 0.0) -> pd.DataFrame:
    """A synthetic export of `rows` lines (repeats included) as ACLED formats it."""
    rng = np.random.default_rng(seed)
    unique = max(1, int(round(rows * (1 - repeat_share))))
    kinds = rng.choice(len(KINDS), size=unique, p=[k[4] for k in KINDS])
    places = rng.integers(len(PLACES), size=unique)
    days = pd.Timestamp(start_year, 1, 1) + pd.to_timedelta(
        rng.integers(0, (pd.Timestamp(end_year, 12, 31) - pd.Timestamp(start_year, 1, 1)).days + 1, size=unique), "D")
    fatalities = np.where(rng.random(unique) < 0.35, 0, rng.integers(1, 40, size=unique))
    event_type = np.array([KINDS[k][0] for k in kinds], dtype=object)
    sub = np.array([KINDS[k][1] for k in kinds], dtype=object)
    fatalities = np.where(np.isin(sub, ["Arrests", "Abduction/forced disappearance"]), 0, fatalities)
    actor1 = np.array([KINDS[k][2] for k in kinds], dtype=object)
    inter = np.array([KINDS[k][3] for k in kinds], dtype=object)
    admin1 = np.array([PLACES[p][0] for p in places], dtype=object)
    location = np.array([PLACES[p][1] for p in places], dtype=object)
    jitter = rng.uniform(-0.05, 0.05, size=(2, unique))
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
        "assoc_actor_1": np.where(actor1 == "Military Forces of Mali (2021-)", rng.choice(["", "Wagner Group"], size=unique), ""),
        "inter1": [INTER_TEXT[i] for i in inter] if inter_as_text else inter,
        "actor2": np.where(event_type == "Battles", "JNIM: Group for Support of Islam and Muslims", "Civilians (Mali)"),
        "assoc_actor_2": "", "inter2": np.where(event_type == "Battles", "2", "7"),
        "interaction": "17", "civilian_targeting": np.where(event_type == "Violence against civilians", "Civilian targeting", ""),
        "iso": "466", "region": "Western Africa", "country": "Mali",
        "admin1": admin1, "admin2": location, "admin3": location, "location": location,
        "latitude": [f"{PLACES[p][2] + j:.4f}" for p, j in zip(places, jitter[0])],
        "longitude": [f"{PLACES[p][3] + j:.4f}" for p, j in zip(places, jitter[1])],
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
    args = parser.parse_args()
    write_export(args.path, args.rows, args.seed, columns=args.columns, hxl=args.hxl, repeat_share=args.repeat_share)


if __name__ == "__main__":
    main()
