"""The briefing's tables, as data frames with reader-facing column names; escaping happens in prose.table_html."""
from __future__ import annotations

import pandas as pd

from malibrief import config
from malibrief.briefing import analysis
from malibrief.briefing.figures import fmt_range
from malibrief.briefing.i18n import N_, Language, Nn_
from malibrief.briefing.vocabulary import NO_PLACE_CELL, citations, perpetrator, place

COLUMN_WORDS = {"killing": (N_("Killings: events"), N_("People killed")),
                "detention": (N_("Detentions: events"), N_("People detained")),
                "disappearance": (N_("Disappearances: events"), N_("People disappeared"))}
ATTRIBUTION_WORDS = {"stated": N_("Stated"), "alleged": N_("Alleged"), "suspected": N_("Suspected")}


def _quoting(frame: pd.DataFrame, *columns: str, rows=None, cited: bool = False) -> pd.DataFrame:
    """Mark the cells that hold the sources' own words (as-written phrases, section headings), in `columns` and
    `rows` (a mask; all rows by default): prose.table_html sets them in the sources' language, English, and in
    italics when they are `cited` as words (the count phrases), as typography sets a word that is talked about."""
    mask = [True] * len(frame) if rows is None else list(rows)
    frame.attrs["quoted"] = {column: mask for column in columns}
    frame.attrs["cited"] = list(columns) if cited else []
    return frame


ISO = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "months": "%Y-%m", "year": "%Y"}


def _with_dates(frame: pd.DataFrame, column: str, days, ends, precisions, t: Language) -> pd.DataFrame:
    """Give each cell of `column` a date, written as precisely as the source gave it ("12 March 2022", "27–31
    March 2022", "March 2022", "2022"): prose.table_html sets it below the cell's text in a <time> whose
    machine-readable value, the first day ("2022-03-12", "2022-03", "2022"), is what the page's script sorts by."""
    frame.attrs["dates"] = {column: [(t.date(d, p, e), pd.Timestamp(d).strftime(ISO[p]))
                                     for d, e, p in zip(days, ends, precisions)]}
    return frame


def _with_widths(frame: pd.DataFrame, *widths: int) -> pd.DataFrame:
    """Give a long table of text the column widths it keeps on paper: percent of the page, one per column,
    kept by column name so that they are dropped once the columns change (see prose.table_html)."""
    if len(widths) != len(frame.columns) or sum(widths) != 100:
        raise ValueError(f"widths {widths} must give one percentage per column of {list(frame.columns)}, adding to 100")
    frame.attrs["widths"] = dict(zip(frame.columns, widths))
    return frame


def _people(row, estimate: str, t: Language) -> str:
    return fmt_range(int(row["low"]), int(row["high"]), int(row["open_ended"]), estimate, int(row["best"]), t)


def _wide(grouped: pd.DataFrame, column: str, label: str, estimate: str, counted, t: Language) -> pd.DataFrame:
    """One row per value of `column`: events, and people where the input counts them, per violation."""
    out = pd.DataFrame(index=pd.Index(list(dict.fromkeys(grouped[column])), name=t(label)))
    for violation in config.VIOLATIONS:
        rows = grouped[grouped["violation"] == violation].set_index(column)
        if rows.empty or not rows["events"].sum():  # no column of zeros for a violation with no event
            continue
        events, people = COLUMN_WORDS[violation]
        out[t(events)] = rows["events"].reindex(out.index).fillna(0).astype(int)
        if violation in counted:
            out[t(people)] = rows.apply(_people, axis=1, estimate=estimate, t=t).reindex(out.index).fillna("–")
    return out.reset_index()


def year_table(per_year: pd.DataFrame, estimate: str, counted, t: Language) -> pd.DataFrame:
    return _wide(per_year.assign(year=per_year["year"].astype(str)), "year", N_("Year"), estimate, counted, t)


def region_table(violations: pd.DataFrame, estimate: str, counted, t: Language) -> pd.DataFrame:
    grouped = analysis.by_group(violations, "admin1", (*config.ADMIN1, ""))
    return _wide(grouped.assign(admin1=grouped["admin1"].replace("", t("No place named"))), "admin1", N_("Region"),
                 estimate, counted, t)


def perpetrator_table(sel: analysis.Data, t: Language) -> pd.DataFrame:
    """Each perpetrator as the sources name them, how firmly each event is attributed to them, and the people
    killed (best estimate) in those events; an event with two perpetrators counts under each."""
    events = sel.events.assign(actor=sel.events["actor"].str.split("; ")).explode("actor")
    names = t.names(sel.actors, "actor", "actors.csv")
    rows = []
    for actor, group in events.groupby("actor", sort=False):
        row = {t("Perpetrator, as the sources name them"): names.get(actor, actor), t("Events"): len(group)}
        for attribution, word in ATTRIBUTION_WORDS.items():
            row[t(word)] = int((group["attribution"] == attribution).sum())
        row[t("People killed (best estimate)")] = int(group["killed_best"].fillna(0).sum())
        rows.append(row)
    table = pd.DataFrame(rows)
    return table.sort_values([t("Events"), t("People killed (best estimate)")], ascending=False, kind="stable")


def victim_table(sel: analysis.Data, which, counted, t: Language) -> pd.DataFrame:
    """Events and people (best estimate) by how the sources describe the victims, most events first."""
    tags = sel.events.assign(tag=sel.events["victim_tags"].str.split("; ")).explode("tag")
    tags = tags[tags["tag"].fillna("") != ""]
    names = t.names(sel.victim_tags, "tag", "victim_tags.csv") if len(sel.victim_tags) else {}
    rows = []
    for tag, group in tags.groupby("tag"):
        name = names.get(tag, tag)
        row = {t("Victims described as"): name[:1].upper() + name[1:], t("Events"): group["event_id"].nunique()}
        for violation in which:
            if violation in counted:
                row[t(COLUMN_WORDS[violation][1])] = int(group[f"{config.COUNT_COLUMNS[violation]}_best"].fillna(0).sum())
        rows.append(row)
    return pd.DataFrame(rows).sort_values(t("Events"), ascending=False, kind="stable") if rows else pd.DataFrame()


# What the chapters report became of some or all of those held (the gravest outcome for anyone held): an event
# counts under one row, and its people are all those it held, not only those the outcome befell.
OUTCOME_LABELS = {"released": N_("Some or all of those held were released"),
                  "killed": N_("Some or all of those held were killed"),
                  "detained or sentenced": N_("Some or all of those held were still detained or sentenced"),
                  "still missing": N_("Some or all of those held were still missing"),
                  "unknown": N_("The chapters do not say")}


def outcome_table(held: pd.DataFrame, t: Language) -> pd.DataFrame:
    return pd.DataFrame({t("What became of some or all of those held"):
                         [t(OUTCOME_LABELS[o]) for o in held.index],
                         t("Events"): held["events"].to_numpy(),
                         t("All people held in these events (low figure)"): held["people_low"].to_numpy()})


# The rules' terms and formulas in count_words.csv are notation ("<N> of the <M>", "N+1", "low × M"); the reader
# sees words. A term not listed is a word of the chapters, shown as written.
PHRASE_WORDS = {"<N>": N_("a figure in digits"), "<number words>": N_("number words"), "<name>": N_("a person's name"),
                "<vague> <multiplier>": N_("a vague word and a multiplier")}
# A pattern around the chapters' own words is shown as those words, quoted as the other terms are (their rule gives
# an example): a French edition never mixes them into a sentence of its own.
AS_WRITTEN = {"<N> of the <M>": "of the", "<N> of them": "of them"}
FORMULA_WORDS = {"N": N_("the figure"), "N+1": N_("the figure plus one"),
                 "low × M": N_("the vague word's low figure times the multiplier"),
                 "high × M": N_("the vague word's high figure times the multiplier")}


def _formula(value: str, t: Language) -> str:
    """A rule's low or high figure for a reader: "the figure", "the figure plus one", or a number as the language
    writes it ("1,000,000")."""
    if value in FORMULA_WORDS:
        return t(FORMULA_WORDS[value])
    return t.number(int(value)) if value.isdigit() else value


def count_rules_table(rules: pd.DataFrame, t: Language) -> pd.DataFrame:
    """The count rules as written (their rows are the documentation of the rules), under readable headings."""
    table = _with_widths(pd.DataFrame({
        t("Phrase"): [t(PHRASE_WORDS[term]) if term in PHRASE_WORDS else AS_WRITTEN.get(term, term)
                      for term in rules["term"]],
        t("Low figure"): [_formula(v, t) for v in rules["low"]], t("High figure"): [_formula(v, t) for v in rules["high"]],
        t("Rule"): t.column(rules, "rule", "count_words.csv").to_numpy(),
        t("ACLED records"): [_formula(v, t) for v in t.column(rules, "acled_convention", "count_words.csv")]}),
        15, 12, 12, 47, 14)
    return _quoting(table, t("Phrase"), rows=[term not in PHRASE_WORDS for term in rules["term"]], cited=True)


def flags_table(data: analysis.Data, start_year: int, end_year: int, regions, excluded,
                t: Language) -> pd.DataFrame:
    """Each borderline case and its events in the period and regions, counted by analysis.left_out, the one
    computation the text's sentence on what is left out uses, so that the two cannot disagree."""
    flags = data.flags
    listed = pd.concat([flags, pd.DataFrame([{"flag": "relative_date"}])], ignore_index=True)
    descriptions = [*t.column(flags, "description", "flags.csv"),  # the flags table's own words, in its language
                    t("the date is worked out from another mention's date")]
    counts = [len(analysis.left_out(data, start_year, end_year, regions, [f]).events) for f in listed["flag"]]
    return _with_widths(pd.DataFrame({
        t("Borderline case"): [d[:1].upper() + d[1:] for d in descriptions],
        t("Events in the period"): counts,
        t("In this briefing"): [t("left out") if f in excluded else t("counted") for f in listed["flag"]],
    }), 64, 18, 18)


OOS_LABELS = {"torture": N_("Torture and ill-treatment"), "sexual violence": N_("Rape and sexual violence"),
              "injury": N_("Injuries"), "destruction": N_("Destruction"), "looting": N_("Looting"),
              "threats": N_("Threats"),
              "other": N_("Other measures and abuses (sieges, bans, convictions)")}


def out_of_scope_summary(rows: pd.DataFrame, t: Language) -> pd.DataFrame:
    """What else the chapters report, by kind: reports and the chapters that give them."""
    if rows.empty:
        return pd.DataFrame()
    grouped = rows.groupby("violation")
    return pd.DataFrame({t("Kind"): [t(OOS_LABELS[k]) if k in OOS_LABELS else k for k in grouped.groups],
                         t("Reports"): grouped.size().to_numpy(),
                         t("Chapters"): [", ".join(sorted(set(g["source_id"]))) for _, g in grouped]}) \
        .sort_values(t("Reports"), ascending=False, kind="stable")


def out_of_scope_table(rows: pd.DataFrame, t: Language) -> pd.DataFrame:
    """Rows of analysis.out_of_scope, for the reader."""
    table = _with_widths(pd.DataFrame({
        t("Source"): rows["source_id"], t("Kind"): [t(OOS_LABELS[k]) if k in OOS_LABELS else k for k in rows["violation"]],
        t("As the source puts it"): rows["count_text"], t("Place"): rows["place_text"],
        t("What"): t.column(rows, "summary", "out_of_scope.csv")}), 11, 14, 19, 20, 36)
    return _quoting(table, t("As the source puts it"), t("Place"))


def event_table(events: pd.DataFrame, t: Language, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every event with its perpetrator and the firmness of the attribution, its figures (best estimate) and the
    passages it is coded from."""
    names = t.names(actors, "actor", "actors.csv") if actors is not None and len(actors) else {}
    perpetrators = [perpetrator(t, t.separated(names.get(a, a) for a in listed.split("; ")) if listed else "",
                                attribution) for listed, attribution in zip(events["actor"], events["attribution"])]
    figures = []
    for row in events.itertuples():
        parts = [t.n(*label, int(getattr(row, f"{c}_best"))) for c, label in
                 (("killed", Nn_("{n} killed", "{n} killed")), ("detained", Nn_("{n} detained", "{n} detained")),
                  ("disappeared", Nn_("{n} disappeared", "{n} disappeared")))
                 if getattr(row, f"{c}_low") and getattr(row, f"{c}_low") > 0]
        figures.append("\n".join(parts))  # one figure a line (briefing.css), never split from its word on screen
    places = [t.separated(place(t, name) for name in names.split("; ")) if names else t(NO_PLACE_CELL)
              for names in events["place"]]
    # The date sits under the event's identifier, so that the table keeps the width its text needs on paper.
    table = _with_widths(pd.DataFrame({
        t("Event and date"): events["event_id"], t("Place"): places, t("Perpetrator"): perpetrators,
        t("People (best)"): figures, t("What happened"): t.column(events, "summary", "events.csv"),
        t("Sources (mention, section, paragraph)"): [citations(t, c) for c in events["citations"]]}),
        17, 11, 12, 11, 29, 20)  # the first column holds "EV-HRW-2025-014" and "April–December 2022" unbroken
    _with_dates(table, t("Event and date"), events["date_start"], events["date_end"], events["date_precision"], t)
    return _quoting(table, t("Sources (mention, section, paragraph)"))
