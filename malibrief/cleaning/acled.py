"""Read an ACLED export for Mali and map it onto the project's events and violations.

ACLED's coding differs from the project's, and the mapping says so rather than hiding it:
- killings are the fatalities of 'Violence against civilians' events (civilians killed in battles are
  not separable in ACLED); ACLED records the lowest reported figure, so low = high = fatalities;
- disappearances are 'Abduction/forced disappearance' events and detentions 'Arrests' events (ACLED codes
  only significant arrests); ACLED gives no count of people, so each counts as at least one (low 1, no high);
- an event repeated in the file (actor-based exports repeat them) counts once; an event id repeated with
  different data is an error;
- actors are mapped by name (`acled_actors.csv`), then by ACLED's naming rules (`acled_actor_patterns.csv`:
  "Military Forces of Mali (2013-2020)", "Fulani Ethnic Militia (Mali)"...), then by ACLED's inter code
  (`acled_inter_codes.csv`); names no table knows are listed with their event counts;
- a point within config.ACLED_BORDER_TOLERANCE_KM of the outline is accepted (Mali's border localities lie
  on or just beyond the simplified outline); a point further out is kept without coordinates and listed.
Everything is vectorised, so a million-row export cleans in seconds.
"""
from __future__ import annotations

import re
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
PATTERNS_FILE, INTER_FILE = "acled_actor_patterns.csv", "acled_inter_codes.csv"
CURRENT_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp")
REQUIRED = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
            "admin1", "location", "latitude", "longitude", "geo_precision", "fatalities")
OPTIONAL = ("assoc_actor_1", "inter1", "civilian_targeting", "source")
# Only these are read: ACLED's notes and the other free-text columns are most of a file's bytes.
USED = frozenset(REQUIRED + OPTIONAL)
ADMIN1_ALIASES = {"timbuktu": "Tombouctou", "taoudeni": "Taoudénit", "taoudenni": "Taoudénit"}
TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
KILLING_TYPE = "Violence against civilians"
DISAPPEARANCE_SUB = "Abduction/forced disappearance"
DETENTION_SUB = "Arrests"
# The sub-event types of the kept rows, for the French summary; another type keeps ACLED's own name.
SUB_EVENT_FR = {"Attack": "Attaque", "Sexual violence": "Violences sexuelles",
                DISAPPEARANCE_SUB: "Enlèvement ou disparition forcée", DETENTION_SUB: "Arrestations"}


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
    except pd.errors.EmptyDataError:
        raise DataError([Problem(str(path), None, None, None, "is empty: an ACLED export has a header and rows")]) from None
    except (pd.errors.ParserError, OSError, ValueError) as err:
        raise DataError([Problem(str(path), None, None, None, f"cannot be read as CSV: {err}")]) from None
    first = [v for v in frame.iloc[0] if v] if len(frame) else []
    hxl = bool(first) and all(v.startswith("#") for v in first)  # HDX's hashtag row under the header
    first_line = 3 if hxl else 2
    if hxl:
        frame = frame.iloc[1:]
    frame.index = pd.RangeIndex(first_line, first_line + len(frame))
    missing = [c for c in REQUIRED if c not in frame.columns]
    raise_if(Problem(str(path), 1, c, None, "required ACLED column is missing") for c in missing)
    if frame.empty:
        raise DataError([Problem(str(path), None, None, None, "has a header but no rows: there are no events to read")])
    raise_if(_conflicting_repeats(frame, path))
    before = len(frame)
    frame = frame[~frame["event_id_cnty"].duplicated()]
    return AcledRead(frame, path, hxl, before - len(frame))


def _conflicting_repeats(frame: pd.DataFrame, path: Path) -> list[Problem]:
    """An event id repeated with different data: an export repeats an event only as an exact copy, so one of
    the rows is another event or an edit, and counting either would be a guess."""
    repeated = frame[frame["event_id_cnty"].duplicated(keep=False)]
    if repeated.empty:
        return []
    variants = repeated.drop_duplicates()
    conflicting = variants[variants["event_id_cnty"].duplicated(keep=False)]
    problems = []
    for event_id, rows in conflicting.groupby("event_id_cnty", sort=False):
        differ = [c for c in rows.columns if rows[c].nunique() > 1]
        first = int(rows.index[0])
        problems += [Problem(str(path), int(line), "event_id_cnty", event_id,
                             f"repeats the event of line {first} with different {', '.join(differ)}: "
                             "the same id must carry the same data") for line in rows.index[1:]]
    return problems


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
        "fatalities": pa.Column(str, [
            pa.Check.str_matches(r"^\d+$", error="is not a whole number of 0 or more"),
            pa.Check(lambda s: pd.to_numeric(s, errors="coerce").fillna(0) <= config.MAX_ACLED_FATALITIES,
                     error=f"is above {config.MAX_ACLED_FATALITIES:,} deaths in one event (config.MAX_ACLED_FATALITIES): "
                           "a typing error, or an event to check in ACLED's data")]),
        "admin1": pa.Column(str, pa.Check(lambda s: admin1_of(s).notna(), error="is not a region of Mali")),
    }, strict=False)


def admin1_of(names: pd.Series) -> pd.Series:
    """ACLED's admin1 spellings (Segou, Timbuktu, Menaka...) as the project's; None where not a region.
    Mapped over the unique values, so a million rows cost a dozen lookups."""
    by_fold = {fold(a): a for a in config.ADMIN1} | ADMIN1_ALIASES
    return names.map({name: by_fold.get(fold(name.strip())) for name in names.unique()})


def validate(read_: AcledRead) -> pd.DataFrame:
    """Every problem at once: missing values, unparseable dates and coordinates, non-numeric or implausible
    fatalities. Only what cannot be read is refused; where a point lies is `locate`'s business."""
    from malibrief.cleaning.schemas import check

    frame, problems = check(schema(), read_.frame, read_.path)
    raise_if(problems)
    return frame


@dataclass
class Located:
    frame: pd.DataFrame  # the rows, coordinates emptied where they lie beyond the tolerance
    near_border: pd.DataFrame  # outside the outline but within the tolerance: accepted as they are
    outside: pd.DataFrame  # beyond the tolerance: kept without coordinates, listed in the cleaning log


def _km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance (haversine, mean Earth radius)."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


def locate(frame: pd.DataFrame, outline: MaliOutline,
           tolerance_km: float = config.ACLED_BORDER_TOLERANCE_KM) -> Located:
    """Tell points inside Mali, near its border and beyond it. The outline is simplified to about 1 km and
    ACLED places border localities (Tin Zaouaten, In Khalil, Anderamboukane) on their real coordinates, so a
    point a few km outside is Malian; a point far outside (a sign error in a longitude) keeps its event, its
    region (ACLED's admin1) and its count, but not its coordinates, and is listed."""
    lat, lon = pd.to_numeric(frame["latitude"]), pd.to_numeric(frame["longitude"])
    mali = outline.geometry
    shapely.prepare(mali)
    out = ~shapely.covers(mali, shapely.points(lon.to_numpy(), lat.to_numpy()))
    columns = ["event_id_cnty", "location", "admin1", "latitude", "longitude"]
    report = frame.loc[out, columns].copy()
    if len(report):
        points = shapely.points(lon[out].to_numpy(), lat[out].to_numpy())
        nearest = shapely.get_coordinates(shapely.shortest_line(points, mali)).reshape(-1, 2, 2)[:, 1]
        report["km_outside"] = _km(lat[out], lon[out], nearest[:, 1], nearest[:, 0]).round(1)
    else:
        report["km_outside"] = pd.Series(dtype=float)
    far = report["km_outside"] > tolerance_km
    located = frame.copy()
    located.loc[report.index[far], ["latitude", "longitude"]] = ""
    return Located(located, report[~far], report[far])


@dataclass(frozen=True)
class ActorRules:
    """ACLED actor names to canonical actors and groups: by name, by ACLED's naming rules, by inter code."""
    names: dict[str, tuple[str, str]]  # folded name -> (actor, group)
    patterns: tuple[tuple[re.Pattern, str, str], ...]
    inter: dict[str, str]  # inter code ("1") or its name, folded ("state forces") -> group

    def match(self, name: str) -> tuple[str, str] | None:
        if fold(name) in self.names:
            return self.names[fold(name)]
        return next(((actor, group) for pattern, actor, group in self.patterns if pattern.fullmatch(name.strip())),
                    None)

    def by_inter(self, code: str) -> str | None:
        return self.inter.get(fold(code.strip()))


def actor_rules(reference_dir: Path = config.REFERENCE) -> ActorRules:
    """The three actor tables, validated: a bad row is named with its file, line and column."""
    from malibrief.io import read_csv

    reference_dir = Path(reference_dir)
    groups = ("state", "authority", "foreign", "islamist", "militia", "other", "unknown")
    problems: list[Problem] = []

    def table(name, required):
        frame = read_csv(reference_dir / name, required)
        for line, row in frame.iterrows():
            if row["group"] not in groups:
                problems.append(Problem(str(reference_dir / name), line, "group", row["group"],
                                        f"is not a group; choose from: {', '.join(groups)}"))
        return frame

    names = table(ACTORS_FILE.name, ("acled_actor", "actor", "group"))
    patterns_table = table(PATTERNS_FILE, ("pattern", "actor", "group"))
    inter = table(INTER_FILE, ("code", "name", "group"))
    patterns = []
    for line, row in patterns_table.iterrows():
        try:
            patterns.append((re.compile(row["pattern"], re.I), row["actor"], row["group"]))
        except re.error as err:
            problems.append(Problem(str(reference_dir / PATTERNS_FILE), line, "pattern", row["pattern"],
                                    f"is not a regular expression: {err}"))
    raise_if(problems)
    return ActorRules(
        names={fold(p): (a, g) for p, a, g in zip(names["acled_actor"], names["actor"], names["group"])},
        patterns=tuple(patterns),
        inter={fold(k): g for c, n, g in zip(inter["code"], inter["name"], inter["group"]) for k in (c, n)})


def _actor_groups(names: pd.Series, inter: pd.Series, rules: ActorRules,
                  fallback: bool = True) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Canonical actor, group and how it was found ("table", "inter code", "none") per row. Mapped over the
    unique (name, inter) pairs, so a million rows cost a few hundred lookups. A name no table knows keeps its
    own name as the actor; its group comes from its inter code (`fallback`), else it is "other"."""
    codes, pairs = pd.factorize(names + "\x1f" + inter)
    found = []
    for pair in pairs:
        name, code = pair.split("\x1f")
        match = rules.match(name) if name else None
        if match:
            found.append((*match, "table"))
        elif not name:
            found.append(("", "", ""))
        elif fallback and rules.by_inter(code):
            found.append((name, rules.by_inter(code), "inter code"))
        else:
            found.append((name, "other" if fallback else "", "none"))
    columns = np.array(found, dtype=object).reshape(-1, 3)
    return tuple(pd.Series(columns[codes, i], index=names.index) for i in range(3))


def unmapped_actors(names: pd.Series, groups: pd.Series, how: pd.Series, role: str) -> pd.DataFrame:
    """Names no table knows, with their event counts and the group they were given, largest first."""
    rows = pd.DataFrame({"acled_actor": names, "group": groups, "how": how})
    rows = rows[rows["how"].isin(("inter code", "none"))]
    counted = rows.groupby(["acled_actor", "group", "how"]).size().rename("events").reset_index()
    counted.insert(1, "role", role)
    counted["group"] = counted["group"].where(counted["group"] != "", "left out of the class")
    return counted.sort_values(["events", "acled_actor"], ascending=[False, True]).reset_index(drop=True)


def to_events(frame: pd.DataFrame, source_name: str, rules: ActorRules | None = None) -> tuple[pd.DataFrame, dict]:
    """The project's events from validated (and located) ACLED rows, and what the mapping did, for the
    cleaning log."""
    from malibrief.cleaning.actors import actor_class

    rules = actor_rules() if rules is None else rules
    killing = frame["event_type"].eq(KILLING_TYPE) & frame["fatalities"].astype(int).gt(0)
    disappearance = frame["sub_event_type"].eq(DISAPPEARANCE_SUB)
    detention = frame["sub_event_type"].eq(DETENTION_SUB)
    keep = killing | disappearance | detention
    rows = frame[keep]
    if rows.empty:
        raise DataError([Problem(source_name, None, "event_type/sub_event_type", None,
                                 f"none of its {len(frame):,} events is a killing ('{KILLING_TYPE}' with fatalities), "
                                 f"a detention ('{DETENTION_SUB}') or a disappearance ('{DISAPPEARANCE_SUB}'): "
                                 "there is nothing for the briefing to count")])
    inter = rows.get("inter1", pd.Series("", index=rows.index)).fillna("")
    actor, group, how = _actor_groups(rows["actor1"], inter, rules)
    assoc = rows.get("assoc_actor_1", pd.Series("", index=rows.index)).fillna("")
    assoc_first = assoc.str.split(";").str[0].str.strip()
    # An associated actor no table knows is listed but left out of the class: ACLED's inter code is actor1's.
    assoc_actor, assoc_group, assoc_how = _actor_groups(assoc_first, inter, rules, fallback=False)
    pair = group + "|" + assoc_group
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
        "summary_fr": (rows["sub_event_type"].map(SUB_EVENT_FR).fillna(rows["sub_event_type"])
                       + " à " + rows["location"] + ", " + admin1.fillna(rows["admin1"])),
    })
    events = events.sort_values(["date_start", "event_id"], kind="stable").reset_index(drop=True)
    unmapped = pd.concat([unmapped_actors(rows["actor1"], group, how, "actor1"),
                          unmapped_actors(assoc_first, assoc_group, assoc_how, "assoc_actor_1")], ignore_index=True)
    return events, {"rows kept": int(keep.sum()), "rows without a counted violation": int((~keep).sum()),
                    "unknown actors": sorted(set(unmapped["acled_actor"])), "unmapped actors": unmapped}


def sources_row(path: Path, events: pd.DataFrame) -> pd.DataFrame:
    years = f"{events['year'].min()}-{events['year'].max()}" if len(events) else ""
    return pd.DataFrame([{"source_id": "ACLED", "publisher": "ACLED",
                          "title": f"ACLED export {Path(path).name} ({years})",
                          "events_year": str(events["year"].min()) if len(events) else "",
                          "published": "", "url": "https://acleddata.com/"}])

