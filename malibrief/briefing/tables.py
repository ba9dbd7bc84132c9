"""The briefing's tables, as data frames with reader-facing column names; html.escape happens in narrative."""
from __future__ import annotations

import pandas as pd

from malibrief import config
from malibrief.briefing import analysis
from malibrief.briefing.figures import date_label, fmt_range


def _with_widths(frame: pd.DataFrame, *widths: int) -> pd.DataFrame:
    """Give a long table of text the column widths it keeps on paper: percent of the page, one per column,
    kept by column name so that they are dropped once the columns change (see narrative.table_html)."""
    if len(widths) != len(frame.columns) or sum(widths) != 100:
        raise ValueError(f"widths {widths} must give one percentage per column of {list(frame.columns)}, adding to 100")
    frame.attrs["widths"] = dict(zip(frame.columns, widths))
    return frame


def _people(row, estimate: str) -> str:
    return fmt_range(int(row["low"]), int(row["high"]), int(row["open_ended"]), estimate)


def _wide(grouped: pd.DataFrame, column: str, label: str, estimate: str, counted=config.VIOLATIONS) -> pd.DataFrame:
    """One row per value of `column`: events, and people where the input counts them, per violation."""
    out = pd.DataFrame(index=pd.Index(list(dict.fromkeys(grouped[column])), name=label))
    for violation in config.VIOLATIONS:
        rows = grouped[grouped["violation"] == violation].set_index(column)
        if rows.empty:
            continue
        out[f"{violation.capitalize()}: events"] = rows["events"].reindex(out.index).fillna(0).astype(int)
        if violation in counted:
            out[f"{violation.capitalize()}: people"] = (rows.apply(_people, axis=1, estimate=estimate)
                                                       .reindex(out.index).fillna("–"))
    return out.reset_index()


def year_table(per_year: pd.DataFrame, estimate: str, counted=config.VIOLATIONS) -> pd.DataFrame:
    return _wide(per_year, "year", "Year", estimate, counted)


def actor_table(violations: pd.DataFrame, estimate: str, counted=config.VIOLATIONS) -> pd.DataFrame:
    return _wide(analysis.by_group(violations, "actor_class", config.ACTOR_CLASSES), "actor_class",
                 "Perpetrator class", estimate, counted)


def victim_table(violations: pd.DataFrame, estimate: str, counted=config.VIOLATIONS) -> pd.DataFrame:
    return _wide(analysis.by_group(violations, "victim_type", config.VICTIM_TYPES), "victim_type",
                 "Victims", estimate, counted)


def region_table(violations: pd.DataFrame, estimate: str, counted=config.VIOLATIONS) -> pd.DataFrame:
    grouped = analysis.by_group(violations, "admin1", (*config.ADMIN1, ""))
    return _wide(grouped.assign(admin1=grouped["admin1"].replace("", "not stated")), "admin1", "Region", estimate, counted)


def attribution_table(events: pd.DataFrame) -> pd.DataFrame:
    table = pd.crosstab(events["actor_class"], events["attribution"].replace("", "no perpetrator named"))
    table = table.reindex([c for c in config.ACTOR_CLASSES if c in table.index])
    return table.rename_axis(index="Perpetrator class", columns=None).reset_index()


def largest_table(largest: pd.DataFrame, estimate: str) -> pd.DataFrame:
    return pd.DataFrame({
        "Date": [date_label(d, p) for d, p in zip(largest["date_start"], largest["date_precision"])],
        "Place": largest["place"].replace("", "not stated"),
        "Perpetrator": largest["actor"],
        "Violation": largest["violation"],
        "People": [fmt_range(int(lo), int(lo if pd.isna(hi) else hi), int(pd.isna(hi)), estimate)
                   for lo, hi in zip(largest["victims_low"], largest["victims_high"])],
        "Sources": largest["source_ids"],
    })


def outcome_table(held: pd.DataFrame) -> pd.DataFrame:
    return held.reset_index().rename(columns={
        "outcome": "What became of them (the gravest outcome the source gives for anyone held)", "events": "Events",
        "people_low": "People held in these events (low; the outcome may concern only some of them)"})


def count_rules_table(rules: pd.DataFrame) -> pd.DataFrame:
    """count_words.csv as written: its rows are the documentation of the rules (not the translations beside them)."""
    rules = rules[["term", "kind", "low", "high", "rule", "acled_convention"]]
    return _with_widths(rules.reset_index(drop=True).rename(columns={
                            "term": "Phrase", "kind": "Kind", "low": "Low", "high": "High",
                            "rule": "Rule", "acled_convention": "ACLED records"}),
                        22, 11, 6, 6, 41, 14)


def flags_table(flags: pd.DataFrame, events: pd.DataFrame, excluded) -> pd.DataFrame:
    counts = events["flags"].str.split("; ").explode().value_counts()
    listed = pd.concat([flags, pd.DataFrame([{"flag": "relative_date",
                        "description": "(set by the cleaning) the date counts from another mention's date"}])])
    return _with_widths(pd.DataFrame({
        "Flag": listed["flag"], "Meaning": listed["description"],
        "Events in the period": [int(counts.get(f, 0)) for f in listed["flag"]],
        "In this briefing": ["left out" if f in excluded else "counted" for f in listed["flag"]],
    }), 27, 45, 14, 14)


def out_of_scope_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of analysis.out_of_scope, for the reader."""
    return _with_widths(pd.DataFrame({
        "Source": rows["source_id"], "Violation": rows["violation"],
        "As the source puts it": rows["count_text"].replace("", "(no figure)"), "Place": rows["place_text"],
        "What": rows["summary"]}), 11, 12, 21, 20, 36)


def event_sources_table(events: pd.DataFrame) -> pd.DataFrame:
    return _with_widths(pd.DataFrame({
        "Event": events["event_id"], "Date": events["date_start"].dt.strftime("%Y-%m-%d"),
        "Place": events["place"].replace("", "not stated"), "Summary": events["summary"],
        "Sources (mention, section, paragraph)": events["citations"]}), 16, 11, 14, 34, 25)


def actor_year_table(violations: pd.DataFrame, years) -> pd.DataFrame:
    """Events per canonical perpetrator and year; an event with two perpetrators counts under each."""
    events = violations.drop_duplicates("event_id")
    named = events.assign(actor=events["actor"].str.split("; ")).explode("actor")
    table = pd.crosstab(named["actor"], named["year"]).reindex(columns=list(years), fill_value=0)
    table = table.assign(Total=table.sum(axis=1)).sort_values(["Total"], ascending=False, kind="stable")
    return table.rename_axis(index="Perpetrator", columns=None).reset_index()
