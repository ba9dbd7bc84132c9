"""Select events by the briefing's parameters and compute every figure the briefing shows or quotes.

A high of NA means a source gave no upper figure ("at least 50"): sums of highs count such an event at
its low figure and say so with `open_ended`, so an estimate is never invented.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from malibrief import config
from malibrief.errors import Problem, raise_if

READ = dict(keep_default_na=False, na_values=[""], encoding="utf-8")


@dataclass(frozen=True)
class Data:
    events: pd.DataFrame
    violations: pd.DataFrame
    sources: pd.DataFrame
    out_of_scope: pd.DataFrame
    count_rules: pd.DataFrame
    actors: pd.DataFrame
    flags: pd.DataFrame
    about: pd.DataFrame
    outline_path: Path | None = None  # the boundary files the cleaning copied into the processed folder
    admin1_path: Path | None = None
    victim_tags: pd.DataFrame = field(default_factory=pd.DataFrame)  # the tags' display names, by language


# What both cleanings write: without one of them the briefing would be wrong (an ACLED folder without about.csv
# told as the project's own coding) or empty. What only the incident coding writes (count phrases, out-of-scope
# violations) is an empty table when absent.
REQUIRED = ("events.csv", "violations.csv", "sources.csv", "actors.csv", "flags.csv", "about.csv")


def _read(path: Path, **kw) -> pd.DataFrame:
    return pd.read_csv(path, **READ, **kw) if path.exists() else pd.DataFrame()


def load(processed_dir: Path) -> Data:
    processed_dir = Path(processed_dir)
    raise_if(Problem(str(processed_dir / name), None, None, None, "not found: the briefing reads the tables the "
                     "cleaning writes; run the cleaning (python build.py), or point processed_dir at its output")
             for name in REQUIRED if not (processed_dir / name).exists())
    counts = {f"{c}_{b}": "Int64" for c in config.COUNT_COLUMNS.values() for b in ("low", "high", "best")}
    text = {c: str for c in ("place", "admin1", "admin1_all", "region_reported", "actor", "attribution",
                             "victims", "victim_tags", "outcome", "flags", "claims", "summary", "summary_fr")}
    events = _read(processed_dir / "events.csv", dtype={**counts, **text}, parse_dates=["date_start", "date_end"])
    violations = _read(processed_dir / "violations.csv",
                       dtype={"victims_low": "Int64", "victims_high": "Int64", "victims_best": "Int64",
                              "admin1": str, "flags": str,
                              "place": str, "actor": str, "attribution": str},
                       parse_dates=["date_start"])
    for frame in (events, violations):
        _with_best(frame)
        for column in frame.columns:
            if frame[column].dtype == object or str(frame[column].dtype) == "str":
                frame[column] = frame[column].fillna("")
    def context(name):
        return _read(processed_dir / f"{name}.csv", dtype=str).fillna("")

    # The boundaries the cleaning used and copied: the briefing reads nothing outside the processed folder.
    outline, admin1 = (processed_dir / name for name in (config.OUTLINE_FILE, config.ADMIN1_FILE))
    return Data(events, violations, context("sources"), context("out_of_scope"), context("count_rules"),
                context("actors"), context("flags"), context("about"), outline, admin1, context("victim_tags"))


def _with_best(frame: pd.DataFrame) -> None:
    """Data cleaned before the best estimate existed: its best is its low, the figure every account supports."""
    if "victims_low" in frame.columns and "victims_best" not in frame.columns:
        frame["victims_best"] = frame["victims_low"]
    for column in config.COUNT_COLUMNS.values():
        if f"{column}_low" in frame.columns and f"{column}_best" not in frame.columns:
            frame[f"{column}_best"] = frame[f"{column}_low"]


def coverage(events: pd.DataFrame) -> dict:
    """Mentions, events and events with no place, from one frame: the one count every sentence and table uses."""
    return {"mentions": int(events["mention_ids"].str.split("; ").str.len().sum()) if len(events) else 0,
            "events": int(events["event_id"].nunique()),
            "no_place": int((events["admin1"] == "").sum()),
            "sources": len(reports(events))}


def reports(events: pd.DataFrame) -> list[str]:
    """The chapters behind some events, in the order of the sources table."""
    return sorted({s for ids in events["source_ids"] for s in ids.split("; ") if s})


def input_format(data: Data) -> str:
    """"incidents" for the project's coding, "acled" for an ACLED export: the wording follows it."""
    return data.about["input_format"].iloc[0] if len(data.about) else "incidents"


def people_counted(data: Data) -> tuple[str, ...]:
    """Violations whose victims the input counts; ACLED gives no count of people arrested or abducted."""
    return ("killing",) if input_format(data) == "acled" else config.VIOLATIONS


def has_any(series: pd.Series, wanted) -> pd.Series:
    wanted = set(wanted)
    return series.map(lambda v: bool(wanted & {x.strip() for x in str(v).split(";")}))


def select(data: Data, start_year: int, end_year: int, regions=(), actor_classes=(), actors=(),
           violations=(), exclude_flags=()) -> Data:
    """The events and violations the parameters ask for; an empty list means no restriction."""
    events = data.events
    mask = events["year"].between(start_year, end_year)
    if regions:  # an event in two regions belongs to both regions' briefings
        mask &= has_any(events["admin1_all"], regions)
    if actor_classes:
        mask &= events["actor_class"].isin(actor_classes)
    if actors:
        mask &= has_any(events["actor"], actors)
    if exclude_flags:
        mask &= ~has_any(events["flags"], exclude_flags)
    chosen = data.violations[data.violations["event_id"].isin(events.loc[mask, "event_id"])]
    if violations:
        chosen = chosen[chosen["violation"].isin(violations)]
    events = events[mask & events["event_id"].isin(chosen["event_id"])]
    return replace(data, events=events.reset_index(drop=True), violations=chosen.reset_index(drop=True))


def out_of_scope(data: Data, start_year: int, end_year: int, regions=()) -> pd.DataFrame:
    """What the chapters report beyond the three violations, for the period (by the year each chapter covers);
    with regions chosen, only the rows the cleaning placed in one of them. An ACLED export has none."""
    rows = data.out_of_scope
    if input_format(data) == "acled" or rows.empty:
        return rows.iloc[0:0]
    years = dict(zip(data.sources["source_id"], data.sources["events_year"].astype(int)))
    rows = rows[rows["source_id"].map(years).between(start_year, end_year)]
    if regions:
        if "admin1_all" not in rows.columns:
            raise ValueError("out_of_scope.csv has no admin1_all column: it was written before out-of-scope rows "
                             "were placed in regions; run the cleaning again")
        rows = rows[has_any(rows["admin1_all"], [regions] if isinstance(regions, str) else regions)]
    return rows.reset_index(drop=True)


def _sums(frame: pd.DataFrame) -> pd.Series:
    high = frame["victims_high"]
    return pd.Series({
        "events": int(frame["event_id"].nunique()),
        "low": int(frame["victims_low"].sum()),
        "best": int(frame["victims_best"].sum()),
        "high": int(high.fillna(frame["victims_low"]).sum()),
        "open_ended": int(high.isna().sum()),
    })


def totals(violations: pd.DataFrame, which=config.VIOLATIONS) -> pd.DataFrame:
    """Events and victims (low, high) per violation, with a row for each violation even when it has none."""
    rows = {v: _sums(violations[violations["violation"] == v]) for v in which}
    return pd.DataFrame(rows).T.rename_axis("violation").astype(int)


def by_year(violations: pd.DataFrame, years, which=config.VIOLATIONS) -> pd.DataFrame:
    index = pd.MultiIndex.from_product([list(years), list(which)], names=["year", "violation"])
    if violations.empty:
        return pd.DataFrame(0, index=index, columns=["events", "low", "best", "high", "open_ended"]).reset_index()
    grouped = violations.groupby(["year", "violation"]).apply(_sums, include_groups=False)
    return grouped.reindex(index, fill_value=0).astype(int).reset_index()


def by_group(violations: pd.DataFrame, column: str, order=None) -> pd.DataFrame:
    """Events and victims per value of `column` and violation, wide, largest first unless an order is given."""
    if violations.empty:
        return pd.DataFrame()
    grouped = violations.groupby([column, "violation"]).apply(_sums, include_groups=False).reset_index()
    return grouped if order is None else grouped.assign(
        _o=grouped[column].map({v: i for i, v in enumerate(order)})).sort_values(["_o", "violation"]).drop(columns="_o")


def victim_tag_counts(events: pd.DataFrame) -> pd.DataFrame:
    tags = events.assign(tag=events["victim_tags"].str.split("; ")).explode("tag")
    tags = tags[tags["tag"].fillna("") != ""]
    return tags.groupby("tag").agg(events=("event_id", "nunique")).sort_values("events", ascending=False)


def largest_events(violations: pd.DataFrame, events: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The n largest event-violations by best estimate, ties broken by low, high, then date and id."""
    ranked = violations.assign(_high=violations["victims_high"].fillna(violations["victims_low"]))
    ranked = ranked.sort_values(["victims_best", "victims_low", "_high", "date_start", "event_id"],
                                ascending=[False, False, False, True, True]).head(n)
    return ranked.merge(events[["event_id", "source_ids", "date_precision"]], on="event_id", how="left")


def cases(selection: Data) -> list[tuple[str, pd.Series]]:
    """Up to three emblematic events, by a written rule: the largest by best estimate; the one told by the most
    chapters (then by the most mentions); the largest detention or disappearance. Each event is chosen once;
    ties go to the earlier event, then the lower identifier."""
    events = selection.events
    if events.empty:
        return []
    people = sum(events[f"{c}_best"].fillna(0) for c in config.COUNT_COLUMNS.values())
    held = events["detained_best"].fillna(0) + events["disappeared_best"].fillna(0)
    ranked = events.assign(_people=people, _held=held,
                           _chapters=events["source_ids"].str.split("; ").str.len(),
                           _mentions=events["mention_ids"].str.split("; ").str.len())
    chosen, taken = [], set()
    for rule, keys, keep in (("largest", ["_people"], ranked["_people"] > 0),
                             ("most reported", ["_chapters", "_mentions", "_people"], ranked["_chapters"] > 1),
                             ("held", ["_held"], ranked["_held"] > 0)):
        pool = ranked[keep & ~ranked["event_id"].isin(taken)]
        if pool.empty:
            continue
        row = pool.sort_values([*keys, "date_start", "event_id"],
                               ascending=[False] * len(keys) + [True, True]).iloc[0]
        taken.add(row["event_id"])
        chosen.append((rule, row))
    return chosen


def left_out(data: Data, start_year: int, end_year: int, regions, flags) -> Data:
    """The events of the period and regions that the flags leave out of the selection."""
    everything = select(data, start_year, end_year, regions)
    if not flags:
        return replace(everything, events=everything.events.iloc[0:0], violations=everything.violations.iloc[0:0])
    mask = has_any(everything.events["flags"], flags)
    ids = everything.events.loc[mask, "event_id"]
    return replace(everything, events=everything.events[mask].reset_index(drop=True),
                   violations=everything.violations[everything.violations["event_id"].isin(ids)].reset_index(drop=True))


def peak_and_after(series: pd.Series) -> tuple[int, list[tuple[int, int]]]:
    """The year a yearly series peaked (the first, on a tie) and the years after it with their values."""
    peak = int(series.idxmax())
    return peak, [(int(y), int(v)) for y, v in series.items() if y > peak]


def outcomes(events: pd.DataFrame) -> pd.DataFrame:
    held = events[(events["detained_low"] > 0) | (events["disappeared_low"] > 0)]
    people_low = held["detained_low"].where(held["detained_low"] > 0, held["disappeared_low"])
    table = held.assign(people=people_low).groupby("outcome").agg(events=("event_id", "size"), people_low=("people", "sum"))
    return table.reindex([o for o in config.OUTCOMES if o in table.index])


def monthly(violations: pd.DataFrame) -> pd.DataFrame:
    month = violations["date_start"].dt.to_period("M").dt.to_timestamp()
    return violations.assign(month=month).groupby(["month", "violation"])["victims_low"].sum().reset_index()
