"""Every number the briefing's prose quotes, computed in one place, and how a figure is written.

`key_figures` returns a flat table of named figures; the summary and captions read only from it, so no
number is typed into the text and a test can recompute each figure from the CSV files independently.
"""
from __future__ import annotations

import pandas as pd

from malibrief.briefing import analysis

STATE_CLASSES = ("state forces", "state forces with foreign allies", "state forces with militias")
NAMED_TAGS = ("journalist", "politician", "activist", "human rights defender", "official")
VERB = {"killing": "killed", "detention": "detained", "disappearance": "disappeared"}


def date_label(day, precision: str) -> str:
    """A date as precisely as the source gave it: "19 April 2022", "March 2022" or "2022"."""
    if precision in ("day", "week"):
        return f"{day.day} {day:%B %Y}"
    return f"{day:%B %Y}" if precision in ("month", "months") else f"{day:%Y}"


def fmt_range(low: int, high: int, open_ended: int, estimate: str, best: int | None = None) -> str:
    """"1,234", "1,234–2,345", "at least 1,234": the words say how firm the figure is; the best estimate with
    its range, "500 (200–999)"."""
    if estimate == "best":
        spread = fmt_range(low, high, open_ended, "range")
        return f"{best:,}" if spread == f"{best:,}" else f"{best:,} ({spread})"
    if estimate == "low":
        return f"at least {low:,}" if (high != low or open_ended) else f"{low:,}"
    if estimate == "high":
        return f"{high:,}" + (" or more" if open_ended else "")
    more = " or more" if open_ended else ""
    return (f"{low:,}" if low == high else f"{low:,}–{high:,}") + more


def key_figures(selection: analysis.Data, which, start_year: int, end_year: int) -> dict:
    """Named figures for the selection: the only numbers the prose may quote."""
    events, violations = selection.events, selection.violations
    totals = analysis.totals(violations, which)
    per_year = analysis.by_year(violations, range(start_year, end_year + 1), which)
    figures = {
        "start_year": start_year, "end_year": end_year,
        "events": int(events["event_id"].nunique()),
        "mentions": int(events["mention_ids"].str.split("; ").str.len().sum()) if len(events) else 0,
        "sources": len({s for ids in events["source_ids"] for s in ids.split("; ")}),
    }
    for violation in which:
        for key, value in totals.loc[violation].items():
            figures[f"{violation}_{key}"] = int(value)
    if "killing" in which:
        kills = per_year[per_year["violation"] == "killing"].set_index("year")
        figures["killing_first_year_low"] = int(kills.loc[start_year, "low"])
        figures["killing_last_year_low"] = int(kills.loc[end_year, "low"])
        peak = kills["low"].idxmax()
        figures["killing_peak_year"] = int(peak)
        figures["killing_peak_low"] = int(kills.loc[peak, "low"])
        killing_events = violations[violations["violation"] == "killing"]
        figures["killing_events_state"] = int(killing_events["actor_class"].isin(STATE_CLASSES).sum())
        figures["killing_events_islamist"] = int((killing_events["actor_class"] == "Islamist armed groups").sum())
    figures["events_alleged_or_suspected"] = int(events["attribution"].isin(("alleged", "suspected")).sum())
    figures["events_named_people"] = int(analysis.has_any(events["victim_tags"], NAMED_TAGS).sum()) if len(events) else 0
    return figures


def figures_table(figures: dict) -> pd.DataFrame:
    return pd.DataFrame({"figure": list(figures), "value": list(figures.values())})
