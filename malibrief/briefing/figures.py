"""Every number the briefing's prose quotes, computed in one place, and how a figure is written.

`key_figures` returns a flat table of named figures; the sentences read only from it (or from the same
analysis functions), so no number is typed into the text, and `figures_table` shows each one with a readable
label in the annex, so that a reader can trace every claim.
"""
from __future__ import annotations

import pandas as pd

from malibrief import config
from malibrief.briefing import analysis
from malibrief.briefing.i18n import N_, Language

STATE_CLASSES = ("state forces", "state forces with foreign allies", "state forces with militias")
ISLAMIST = ("Islamist armed groups",)
NAMED_TAGS = ("journalist", "politician", "activist", "human rights defender", "official")
ETHNIC_TAGS = ("Fulani",)
WOMEN_CHILDREN = ("women", "children")
VERB = {"killing": "killed", "detention": "detained", "disappearance": "disappeared"}


def fmt_range(low: int, high: int, open_ended: int, estimate: str, best: int | None = None,
              t: Language = Language()) -> str:
    """"1,234", "1,234–2,345", "at least 1,234": the words say how firm the figure is. The best estimate is one
    figure, with the range of the accounts beside it: "500 (200–999)"."""
    n = t.number
    if estimate == "best":
        spread, best = fmt_range(low, high, open_ended, "range", t=t), low if best is None else best
        if low == high == best:  # one figure, perhaps open-ended: "183" or "183 or more"
            return spread
        return t("{best} ({range})", best=n(best), range=spread)
    if estimate == "low":
        return t("at least {low}", low=n(low)) if (high != low or open_ended) else n(low)
    if estimate == "high":
        return t("{high} or more", high=n(high)) if open_ended else n(high)
    if low == high:
        return t("{low} or more", low=n(low)) if open_ended else n(low)
    return (t("{low}–{high} or more", low=n(low), high=n(high)) if open_ended
            else t("{low}–{high}", low=n(low), high=n(high)))


def span(low: int, high: int, open_ended: int, t: Language = Language()) -> str:
    """The low-to-high range on its own, for beside a best estimate."""
    return fmt_range(low, high, open_ended, "range", t=t)


def key_figures(selection: analysis.Data, which, start_year: int, end_year: int) -> dict:
    """Named figures for the selection: the only numbers the prose may quote."""
    events, violations = selection.events, selection.violations
    totals = analysis.totals(violations, which)
    per_year = analysis.by_year(violations, range(start_year, end_year + 1), which)
    reach = analysis.coverage(events)
    figures = {"events": reach["events"], "mentions": reach["mentions"], "sources": reach["sources"],
               "events_no_place": reach["no_place"]}
    for violation in which:
        for key, value in totals.loc[violation].items():
            figures[f"{violation}_{key}"] = int(value)
    if "killing" in which:
        kills = per_year[per_year["violation"] == "killing"].set_index("year")["best"]
        if kills.sum():  # no peak where no one was killed (the first year would stand for it)
            peak, _ = analysis.peak_and_after(kills)
            figures["killing_peak_year"] = peak
            figures["killing_peak_best"] = int(kills.loc[peak])
        killing = violations[violations["violation"] == "killing"]
        by_state = analysis.totals(killing[killing["actor_class"].isin(STATE_CLASSES)], ("killing",)).loc["killing"]
        figures["killing_events_state"] = int(by_state["events"])
        figures["killing_best_state"] = int(by_state["best"])
        for key in ("low", "high", "open_ended"):  # the range beside the best estimate, as the tables write it
            figures[f"killing_{key}_state"] = int(by_state[key])
        figures["killing_events_islamist"] = int(killing["actor_class"].isin(ISLAMIST).sum())
    figures["events_alleged_or_suspected"] = int(events["attribution"].isin(("alleged", "suspected")).sum())
    figures["events_no_perpetrator"] = int((events["attribution"] == "").sum())
    def tagged(tags) -> int:
        return int(analysis.has_any(events["victim_tags"], tags).sum()) if len(events) else 0

    figures["events_named_people"] = tagged(NAMED_TAGS)
    figures["events_fulani"] = tagged(ETHNIC_TAGS)
    fulani = events[analysis.has_any(events["victim_tags"], ETHNIC_TAGS)] if len(events) else events
    for violation in which:
        column = config.COUNT_COLUMNS[violation]
        figures[f"fulani_{column}_best"] = int(fulani[f"{column}_best"].fillna(0).sum()) if len(fulani) else 0
    figures["events_women_children"] = tagged(WOMEN_CHILDREN)
    return figures


LABELS = {
    "events": N_("Events in this briefing"),
    "mentions": N_("Mentions in the chapters behind these events"),
    "sources": N_("Report chapters behind these events"),
    "events_no_place": N_("Events that name no place"),
    "killing_peak_year": N_("Year with the most people killed (best estimate)"),
    "killing_peak_best": N_("People killed in that year (best estimate)"),
    "killing_events_state": N_("Killing events attributed to state forces (alone or with allies or militias)"),
    "killing_best_state": N_("People killed in those events (best estimate)"),
    "killing_low_state": N_("People killed in those events (low figure)"),
    "killing_high_state": N_("People killed in those events (high figure)"),
    "killing_open_ended_state": N_("Those events with no upper figure"),
    "killing_events_islamist": N_("Killing events attributed to Islamist armed groups"),
    "fulani_killed_best": N_("People killed in the events whose victims are described as Fulani (best estimate)"),
    "fulani_detained_best": N_("People detained in those events (best estimate)"),
    "fulani_disappeared_best": N_("People disappeared in those events (best estimate)"),
    "events_alleged_or_suspected": N_("Events whose perpetrator is alleged or suspected, not stated"),
    "events_no_perpetrator": N_("Events that name no perpetrator"),
    "events_named_people": N_("Events whose victims include journalists, politicians, activists or officials"),
    "events_fulani": N_("Events whose victims the chapters describe as Fulani (Peul)"),
    "events_women_children": N_("Events whose victims include women or children"),
}
PART_LABELS = {
    "events": N_("{violation}: events"),
    "low": N_("{violation}: people, low figure"),
    "high": N_("{violation}: people, high figure"),
    "best": N_("{violation}: people, best estimate"),
    "open_ended": N_("{violation}: events with no upper figure"),
}
VIOLATION_NAMES = {"killing": N_("Killings"), "detention": N_("Detentions"), "disappearance": N_("Disappearances")}


def figures_table(figures: dict, t: Language = Language()) -> pd.DataFrame:
    """Every figure the text quotes, under a label a reader understands."""
    labels = []
    for name in figures:
        violation, _, part = name.partition("_")
        if violation in VIOLATION_NAMES and part in PART_LABELS:
            labels.append(t(PART_LABELS[part], violation=t(VIOLATION_NAMES[violation])))
        else:
            labels.append(t(LABELS[name]))
    return pd.DataFrame({t("Figure"): labels, t("Value"): [t.number(v) if not name.endswith("_year") else str(v)
                                                            for name, v in figures.items()]})
