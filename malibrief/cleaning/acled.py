"""Read an ACLED export for Mali and map it onto the project's events and violations.

ACLED's coding differs from the project's, and the mapping says so rather than hiding it:
- killings are the fatalities of 'Violence against civilians' events (civilians killed in battles are
  not separable in ACLED); ACLED records the lowest reported figure, so low = high = fatalities;
- disappearances are 'Abduction/forced disappearance' events and detentions 'Arrests' events (ACLED codes
  only significant arrests); ACLED gives no count of people, so each counts as at least one (low 1, no high);
- an event repeated in the file (actor-based exports repeat them) counts once.
Everything is vectorised, so a million-row export cleans in seconds.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import shapely

from malibrief import config
from malibrief.cleaning.places import MaliOutline
from malibrief.errors import DataError, Problem, raise_if
from malibrief.text import fold

ACTORS_FILE = config.REFERENCE / "acled_actors.csv"
CURRENT_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp")
REQUIRED = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
            "admin1", "location", "latitude", "longitude", "geo_precision", "fatalities")
OPTIONAL = ("assoc_actor_1", "civilian_targeting", "source")
# Only these are read: ACLED's notes and the other free-text columns are most of a file's bytes.
USED = frozenset(REQUIRED + OPTIONAL)
ADMIN1_ALIASES = {"timbuktu": "Tombouctou", "taoudeni": "Taoudénit", "taoudenni": "Taoudénit"}
TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
KILLING_TYPE = "Violence against civilians"
DISAPPEARANCE_SUB = "Abduction/forced disappearance"
DETENTION_SUB = "Arrests"


@dataclass
class AcledRead:
    frame: pd.DataFrame
    path: Path
    hxl_row: bool
    repeated: int


def read(path: Path) -> AcledRead:
    """The export as text columns, with line numbers as the index; an HXL row and an index column are dropped."""
    path = Path(path)
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8").columns
        # pyarrow parses in parallel: a million rows in about a second.
        frame = pd.read_csv(path, engine="pyarrow", dtype=str, keep_default_na=False, na_values=[],
                            usecols=[c for c in header if c in USED])
    except UnicodeDecodeError:
        raise DataError([Problem(str(path), None, None, None, "is not UTF-8 text: save it as UTF-8")]) from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, OSError, ValueError) as err:
        raise DataError([Problem(str(path), None, None, None, f"cannot be read as CSV: {err}")]) from None
    first = [v for v in frame.iloc[0] if v] if len(frame) else []
    hxl = bool(first) and all(v.startswith("#") for v in first)  # HDX's hashtag row under the header
    first_line = 3 if hxl else 2
    if hxl:
        frame = frame.iloc[1:]
    frame.index = pd.RangeIndex(first_line, first_line + len(frame))
    missing = [c for c in REQUIRED if c not in frame.columns]
    raise_if(Problem(str(path), 1, c, None, "required ACLED column is missing") for c in missing)
    before = len(frame)
    frame = frame[~frame["event_id_cnty"].duplicated()]
    return AcledRead(frame, path, hxl, before - len(frame))


def _event_dates(values: pd.Series) -> pd.Series:
    """ISO dates ("2020-03-12") or ACLED's long form ("12 March 2020"); anything else becomes NaT."""
    iso = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    long = pd.to_datetime(values.where(iso.isna()), format="%d %B %Y", errors="coerce")
    return iso.fillna(long)


def schema() -> pa.DataFrameSchema:
    number = r"^-?\d+(\.\d+)?$"
    return pa.DataFrameSchema({
        "event_id_cnty": pa.Column(str, pa.Check.str_length(min_value=1)),
        "event_date": pa.Column(str, pa.Check(lambda s: _event_dates(s).notna(),
                                              error="is not a date (ISO 2020-03-12 or 12 March 2020)")),
        "time_precision": pa.Column(str, pa.Check.isin(tuple(TIME_PRECISION))),
        "latitude": pa.Column(str, pa.Check.str_matches(number, error="is not a number")),
        "longitude": pa.Column(str, pa.Check.str_matches(number, error="is not a number")),
        "geo_precision": pa.Column(str, pa.Check.isin(("1", "2", "3"))),
        "fatalities": pa.Column(str, pa.Check.str_matches(r"^\d+$", error="is not a whole number of 0 or more")),
        "admin1": pa.Column(str, pa.Check(lambda s: admin1_of(s).notna(), error="is not a region of Mali")),
    }, strict=False)


def admin1_of(names: pd.Series) -> pd.Series:
    """ACLED's admin1 spellings (Segou, Timbuktu, Menaka...) as the project's; None where not a region.
    Mapped over the unique values, so a million rows cost a dozen lookups."""
    by_fold = {fold(a): a for a in config.ADMIN1} | ADMIN1_ALIASES
    return names.map({name: by_fold.get(fold(name.strip())) for name in names.unique()})


def validate(read_: AcledRead, outline: MaliOutline) -> pd.DataFrame:
    """Every problem at once: missing values, unparseable dates, non-numeric fatalities, points outside Mali."""
    from malibrief.cleaning.schemas import check

    frame, problems = check(schema(), read_.frame, read_.path)
    ok = frame["latitude"].str.match(r"^-?\d+(\.\d+)?$") & frame["longitude"].str.match(r"^-?\d+(\.\d+)?$")
    lat = pd.to_numeric(frame["latitude"].where(ok), errors="coerce")
    lon = pd.to_numeric(frame["longitude"].where(ok), errors="coerce")
    mali = outline.geometry
    shapely.prepare(mali)
    inside = shapely.contains_xy(mali, lon.fillna(0).to_numpy(), lat.fillna(0).to_numpy())
    for line in frame.index[ok & ~inside][:200]:
        problems.append(Problem(str(read_.path), int(line), "latitude/longitude",
                                f"{frame.at[line, 'latitude']}, {frame.at[line, 'longitude']}", "lies outside Mali"))
    raise_if(problems)
    return frame


def actor_table(path: Path = ACTORS_FILE) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _actor_groups(names: pd.Series, table: pd.DataFrame) -> tuple[pd.Series, pd.Series, list[str]]:
    """Canonical actor and group per ACLED actor name; names the table does not know go to 'other'."""
    lookup = {fold(p): (a, g) for p, a, g in zip(table["acled_actor"], table["actor"], table["group"])}
    unique = pd.Series(names.unique())
    found = unique.map(lambda n: lookup.get(fold(n)))
    unknown = sorted(n for n, f in zip(unique, found) if f is None and n)
    actor = dict(zip(unique, [f[0] if f else n for n, f in zip(unique, found)]))
    group = dict(zip(unique, [f[1] if f else "other" for f in found]))
    return names.map(actor), names.map(group), unknown


def to_events(frame: pd.DataFrame, source_name: str, table: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict]:
    """The project's events from validated ACLED rows, and what the mapping did, for the cleaning log."""
    from malibrief.cleaning.actors import actor_class

    table = actor_table() if table is None else table
    killing = frame["event_type"].eq(KILLING_TYPE) & frame["fatalities"].astype(int).gt(0)
    disappearance = frame["sub_event_type"].eq(DISAPPEARANCE_SUB)
    detention = frame["sub_event_type"].eq(DETENTION_SUB)
    keep = killing | disappearance | detention
    rows = frame[keep]
    actor, group, unknown = _actor_groups(rows["actor1"], table)
    assoc = rows.get("assoc_actor_1", pd.Series("", index=rows.index)).fillna("")
    assoc_first = assoc.str.split(";").str[0].str.strip()
    assoc_actor, assoc_group, unknown_assoc = _actor_groups(assoc_first, table)
    pair = group + "|" + assoc_group.where(assoc_first != "", "")
    classes = {p: actor_class({g for g in p.split("|") if g}) for p in pair.unique()}
    date = _event_dates(rows["event_date"])
    admin1 = admin1_of(rows["admin1"])
    precision = rows["time_precision"].map(TIME_PRECISION)
    start = date.where(precision != "week", date - pd.Timedelta(days=3))
    start = start.where(precision != "month", date.dt.to_period("M").dt.to_timestamp())
    end = date.where(precision != "week", date + pd.Timedelta(days=3))
    end = end.where(precision != "month", date.dt.to_period("M").dt.to_timestamp(how="end").dt.normalize())
    fatalities = rows["fatalities"].astype(int)
    one_if = {"detained": detention[keep], "disappeared": disappearance[keep]}
    events = pd.DataFrame({
        "event_id": rows["event_id_cnty"],
        "year": date.dt.year.astype(int),  # ACLED's date, not the start of a week that may reach back a year
        "date_start": start.astype("datetime64[ns]"), "date_end": end.astype("datetime64[ns]"),
        "date_precision": precision,
        "place": rows["location"], "admin1": admin1, "admin1_all": admin1,
        "region_reported": rows["admin1"],
        "latitude": pd.to_numeric(rows["latitude"]).round(4), "longitude": pd.to_numeric(rows["longitude"]).round(4),
        "geo_precision": rows["geo_precision"].astype(int).astype("Int64"),
        "actor": actor.where(assoc_first == "", actor + "; " + assoc_actor),
        "actor_class": pair.map(classes),
        "attribution": "stated",
        "victims": rows.get("civilian_targeting", pd.Series("", index=rows.index)).replace("", "not recorded"),
        "victim_type": np.where(rows["event_type"].eq(KILLING_TYPE), "civilians", "unknown"),
        "victim_tags": "",
        "outcome": np.where(detention[keep] | disappearance[keep], "unknown", ""),
        "killed_low": fatalities.where(killing[keep], 0).astype("Int64"),
        "killed_high": fatalities.where(killing[keep], 0).astype("Int64"),
        "killed_best": fatalities.where(killing[keep], 0).astype("Int64"),  # ACLED's one figure is its best too
        **{f"{c}_low": v.astype(int).astype("Int64") for c, v in one_if.items()},
        **{f"{c}_best": v.astype(int).astype("Int64") for c, v in one_if.items()},
        **{f"{c}_high": pd.Series(np.where(v, pd.NA, 0), index=rows.index, dtype="Int64") for c, v in one_if.items()},
        "killed_text": "", "detained_text": "", "disappeared_text": "",
        "claims": "", "actor_link": "", "flags": "",
        "source_ids": "ACLED", "mention_ids": rows["event_id_cnty"],
        "citations": rows.get("source", pd.Series("", index=rows.index)),
        "summary": rows["sub_event_type"] + " in " + rows["location"] + ", " + rows["admin1"],
    })
    events = events.sort_values(["date_start", "event_id"], kind="stable").reset_index(drop=True)
    return events, {"rows kept": int(keep.sum()), "rows without a counted violation": int((~keep).sum()),
                    "unknown actors": sorted(set(unknown) | set(unknown_assoc))}


def sources_row(path: Path, events: pd.DataFrame) -> pd.DataFrame:
    years = f"{events['year'].min()}-{events['year'].max()}" if len(events) else ""
    return pd.DataFrame([{"source_id": "ACLED", "publisher": "ACLED",
                          "title": f"ACLED export {Path(path).name} ({years})",
                          "events_year": str(events["year"].min()) if len(events) else "",
                          "published": "", "url": "https://acleddata.com/"}])

