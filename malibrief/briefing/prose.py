"""The briefing's sentences, built from the key figures (briefing.figures) and the analysis, so that no number
is typed. Every reader-facing string goes through the Language `t` as a whole sentence with named
placeholders, and every value from the data through `escape`; the functions return HTML.
"""
from __future__ import annotations

import base64
import re
from datetime import date

import numpy as np
import pandas as pd

from malibrief import config
from malibrief.briefing import analysis
from malibrief.briefing.figures import ETHNIC_TAGS, NAMED_TAGS, STATE_CLASSES, WOMEN_CHILDREN, fmt_range
from malibrief.briefing.i18n import N_, Language, Nn_
from malibrief.briefing.vocabulary import NO_PLACE_GIVEN, citations, perpetrator, place, region
from malibrief.text import escape

PROJECT = N_("Mali human-rights data project")
PROJECT_LINE = (N_("Published by the {project}, an open and reproducible coding of human-rights reports. "
                "Not an Amnesty International or Human Rights Watch publication."))
COUNTED_FLAGS = ("combatants_killed", "ordinary_criminal_case")  # what the default leaves out (codebook)
FLAG_WORDS = {
    "combatants_killed": N_("soldiers and fighters killed in hostilities"),
    "ordinary_criminal_case": N_("arrests in ordinary criminal cases"),
    "party_figure": N_("events whose only figure comes from a party to the conflict"),
    "killing_by_private_persons": N_("killings by private persons such as mobs"),
    "before_chapter_year": N_("events that began before the year their chapter covers"),
    "death_in_custody": N_("deaths in custody"),
    "place_ambiguous": N_("events whose place name is ambiguous"),
    "relative_date": N_("events dated from another mention's date"),
}
LEFT_OUT = {
    "un": Nn_("This briefing leaves out {what}, which are not violations, as the United Nations' human-rights "
              "reporting does: {n} event ({people}, best estimates).",
              "This briefing leaves out {what}, which are not violations, as the United Nations' human-rights "
              "reporting does: {n} events ({people}, best estimates)."),
    "chosen": Nn_("This edition leaves out {what}: {n} event ({people}, best estimates).",
                  "This edition leaves out {what}: {n} events ({people}, best estimates).")}
VIOLATION_WORDS = {"killing": N_("killings"), "detention": N_("detentions"), "disappearance": N_("disappearances")}
# {figure} is written by figures.fmt_range, as the tables write it: "136 or more", "1,480 (1,180–2,853 or more)".
PEOPLE = {"killing": Nn_("{figure} person killed", "{figure} people killed"),
          "detention": Nn_("{figure} person detained", "{figure} people detained"),
          "disappearance": Nn_("{figure} person disappeared", "{figure} people disappeared")}
EVENTS_WITH = {"killing": Nn_("{n} event with killings", "{n} events with killings"),
               "detention": Nn_("{n} event with detentions", "{n} events with detentions"),
               "disappearance": Nn_("{n} event with disappearances", "{n} events with disappearances")}
MOST_IN_YEAR = {"detention": Nn_("The most people detained in one year were in {year}: {n} person.",
                              "The most people detained in one year were in {year}: {n} people."),
                "disappearance": Nn_("The most people disappeared in one year were in {year}: {n} person.",
                                  "The most people disappeared in one year were in {year}: {n} people.")}


def _and(items: list[str], t: Language) -> str:
    """"a", "a and b", "a, b and c", in the briefing's language ("a, b et c")."""
    return t.listing(items)


def quoted(text: str) -> str:
    """The sources' own words (titles, headings, as-written phrases), escaped and marked as English: a French
    edition shows them as written, and a screen reader reads them in their language."""
    return f'<span lang="en">{escape(text)}</span>' if text else ""


# An event's or a mention's identifier ("EV-HRW-2025-005", "AI-2022-011"): a reader quotes it whole, so it never
# breaks across lines (a browser would break it at a hyphen).
IDENTIFIER = re.compile(r"\b(?:EV-)?[A-Z]+-\d{4}-\d{3}\b")


def unbroken_ids(html: str) -> str:
    """Escaped text with each identifier kept on one line."""
    return IDENTIFIER.sub(lambda m: f"<span class='nowrap'>{m[0]}</span>", html)


def _p(*sentences: str) -> str:
    return "<p>" + " ".join(s for s in sentences if s) + "</p>"


def period_words(p: dict) -> str:
    return str(p["start_year"]) if p["start_year"] == p["end_year"] else f"{p['start_year']}–{p['end_year']}"


def place_words(p: dict, t: Language) -> str:
    """Where the selection lies: "Mali", or its regions, "Mopti and Gao (Mali)"."""
    if not p["regions"]:
        return t("Mali")
    return t("{regions} (Mali)", regions=_and([escape(r) for r in p["regions"]], t))


def title(p: dict, t: Language) -> str:
    """The given title, or one that follows the selection: its place and its period."""
    if p["title"]:
        return escape(p["title"])
    return t("Killings, detentions and enforced disappearances in {place}, {period}",
             place=place_words(p, t), period=period_words(p))


def _reports(events: pd.DataFrame, data, t: Language) -> str:
    """"(3 of 5 reports)": how many chapters stand behind a sentence."""
    if analysis.input_format(data) == "acled":
        return t("(ACLED events)")
    # The count of reports behind the sentence chooses the form ("1 rapport sur 5"); English says "reports" either way.
    note = t.n("({n} of {total} reports)", "({n} of {total} reports)", len(analysis.reports(events)),
               total=t.number(len(data.sources)))
    return f"<span class='nowrap'>{note}</span>"


# The cover ----------------------------------------------------------------------------------------------

def cover(p: dict, data, t: Language, today: date) -> dict:
    """What the cover shows: title, edition, publisher, publication date, data date and a citation."""
    # The chapters behind the selection's events; all of them when it has none.
    behind = analysis.reports(analysis.select(data, p["start_year"], p["end_year"], p["regions"], p["actor_classes"],
                                              p["actors"], p["violations"], p["exclude_flags"]).events)
    sources = data.sources[data.sources["source_id"].isin(behind)] if behind and len(data.sources) else data.sources
    published = sorted(d for d in sources.get("published", pd.Series(dtype=str)) if d)
    accessed = sorted(d for d in sources.get("accessed", pd.Series(dtype=str)) if d)
    edition = (t("All-Mali edition") if not p["regions"]
               else t("{regions} edition", regions=_and([escape(r) for r in p["regions"]], t)))
    if p["actor_classes"] or p["actors"]:
        edition = t("{edition}, selected perpetrators", edition=edition)
    when = t.date(today)
    if analysis.input_format(data) == "acled":
        data_date = t("ACLED export {file}", file=escape(data.about["input_file"].iloc[0]))
    elif published:
        data_date = t("Report chapters published {first} to {last}", first=_month(published[0], t),
                      last=_month(published[-1], t))
        if accessed:
            data_date = t("{data}; read {accessed}", data=data_date, accessed=_day(accessed[-1], t))
    else:
        data_date = ""
    heading = title(p, t)
    return {"title": heading, "period": period_words(p), "edition": edition,
            "publisher": t(PROJECT_LINE, project=t(PROJECT)), "published": when, "data_date": data_date,
            "citation": t("Cite as: {project}, {title}, {edition}, {date}.", project=t(PROJECT), title=heading,
                          edition=edition, date=when),
            "kicker": t("Human-rights briefing"),
            "labels": {"edition": t("Edition"), "period": t("Period"), "published": t("Published"),
                       "data_date": t("Data"), "contents": t("Contents")},
            "subtitle": t("What {publishers} documented, counted event by event",
                          publishers=escape(publishers(data, t)) if analysis.input_format(data) != "acled" else "ACLED")}


def _month(text: str, t: Language) -> str:
    return t.date(pd.Timestamp(text + "-01" if len(text) == 7 else text), "month")


def _day(text: str, t: Language) -> str:
    return t.date(pd.Timestamp(text))


# Key messages ---------------------------------------------------------------------------------------------

def figure(low: int, high: int, open_ended: int, best: int, t: Language) -> str:
    """A best estimate as the tables write it (figures.fmt_range: "136 or more", "1,480 (1,180–2,853 or more)"),
    so that a sentence never drops the "or more" of a lower bound, and kept on one line."""
    return f"<span class='nowrap'>{escape(fmt_range(low, high, open_ended, 'best', best, t))}</span>"


def people(violation: str, low: int, high: int, open_ended: int, best: int, t: Language) -> str:
    """"136 or more people disappeared", "1,480 (1,180–2,853 or more) people killed"."""
    return t.n(*PEOPLE[violation], best, figure=figure(low, high, open_ended, best, t))


def _people_of(events: pd.DataFrame, violation: str, t: Language) -> str:
    """people() for some events, from their own figures (an event with no upper figure counts at its low)."""
    column = config.COUNT_COLUMNS[violation]
    low, high = events[f"{column}_low"].fillna(0), events[f"{column}_high"]
    return people(violation, int(low.sum()), int(high.fillna(low).sum()), int((high.isna() & (low > 0)).sum()),
                  int(events[f"{column}_best"].fillna(0).sum()), t)


def _people_phrase(figures: dict, violation: str, t: Language, counted) -> str:
    """"1,480 (1,180–2,853 or more) people killed", or "12 events with detentions" where the input counts no
    people."""
    if violation not in counted:
        return t.n(*EVENTS_WITH[violation], figures[f"{violation}_events"])
    return people(violation, *(figures[f"{violation}_{k}"] for k in ("low", "high", "open_ended", "best")), t)


def key_messages(sel, figures: dict, which, p: dict, data, t: Language, counted) -> list[str]:
    """Three to five computed sentences, each with its figure and the number of reports behind it."""
    events = sel.events
    if events.empty:
        return [t("The sources describe no killing, detention or disappearance in {place} in {period} for this "
                  "selection. That does not mean none took place: only that none was described.",
                  place=place_words(p, t), period=period_words(p))]
    messages = []
    found = [v for v in which if figures[f"{v}_events"]]  # never "0 people killed" in a list of what was found
    listing = _and([_people_phrase(figures, v, t, counted) for v in found], t)
    ranges = any(not figures[f"{v}_low"] == figures[f"{v}_high"] == figures[f"{v}_best"] for v in found if v in counted)
    first = FIRST_MESSAGE["acled" if analysis.input_format(data) == "acled" else
                          "ranges" if ranges else "incidents"]  # the brackets are explained only where they appear
    messages.append(t.n(*first, figures["events"], place=place_words(p, t), period=period_words(p), listing=listing,
                        reports=_reports(events, data, t)))
    if "killing" in which and figures["killing_events"] and p["start_year"] != p["end_year"]:
        messages.append(peak_sentence(sel, p, data, t, caveat=True))
    if "killing" in which and figures["killing_events"]:
        killing = sel.violations[sel.violations["violation"] == "killing"]
        state = killing[killing["actor_class"].isin(STATE_CLASSES)]
        state_events = events[events["event_id"].isin(state["event_id"])]
        n, total = figures["killing_events_state"], figures["killing_events"]
        if n == 0:  # "0 of 3 killing events, with 0 of the 40 people killed" reads badly
            messages.append(t.n(*STATE_NONE, total, reports=_reports(events[events["event_id"].isin(
                killing["event_id"])], data, t)))
        elif n == total:
            messages.append(t.n(*STATE_ALL, total, people=_people_of(state_events, "killing", t),
                                reports=_reports(state_events, data, t)))
        else:
            messages.append(t.n(
                "State forces, alone or with foreign allies or militias, are named as perpetrators in {n} of {total} "
                "killing events; these account for {people} of the {all} people killed (best estimates). {reports}",
                "State forces, alone or with foreign allies or militias, are named as perpetrators in {n} of {total} "
                "killing events; these account for {people} of the {all} people killed (best estimates). {reports}",
                n, total=t.number(total),
                people=figure(*(figures[f"killing_{k}_state"] for k in ("low", "high", "open_ended", "best")), t),
                all=figure(*(figures[f"killing_{k}"] for k in ("low", "high", "open_ended", "best")), t),
                reports=_reports(state_events, data, t)))
    fulani = events[analysis.has_any(events["victim_tags"], ETHNIC_TAGS)]
    if len(fulani):
        messages.append(t.n("In {n} event the sources describe the victims as Fulani (Peul): {listing}. {reports}",
                            "In {n} events the sources describe the victims as Fulani (Peul): {listing}. {reports}",
                            len(fulani), listing=_held_killed(fulani, which, t, counted),
                            # the caveat on the chapters comes before the count of reports that ends each message
                            reports=" ".join(filter(None, (only_chapters(fulani, events, data, t),
                                                           _reports(fulani, data, t))))))
    held = analysis.outcomes(events)
    if len(held) and len(messages) < 5:
        parts = [t.n(*OUTCOME_WORDS[o], int(row.events)) for o, row in held.iterrows() if o in OUTCOME_WORDS]
        held_events = events[(events["detained_low"] > 0) | (events["disappeared_low"] > 0)]
        if int(held["events"].sum()) == 1 and held.index[0] == "unknown":  # not "of the 1 event ... in 1 event"
            messages.append(t("In the one event in which people were detained or disappeared, the sources do not say "
                              "what became of those held. {reports}", reports=_reports(held_events, data, t)))
        elif int(held["events"].sum()) == 1:
            messages.append(t("In the one event in which people were detained or disappeared, the sources report "
                              "{outcome}. {reports}", outcome=t(OUTCOME_ONE[held.index[0]]),
                              reports=_reports(held_events, data, t)))
        else:
            messages.append(t.n("Of the {n} event in which people were detained or disappeared, the sources report "
                                "{parts}. {reports}",
                                "Of the {n} events in which people were detained or disappeared, the sources report "
                                "{parts}. {reports}", int(held["events"].sum()), parts=_and(parts, t),
                                reports=_reports(held_events, data, t)))
    return messages[:5]


STATE_ALL = Nn_("State forces, alone or with foreign allies or militias, are named as perpetrators in the one "
                "killing event, with {people} (best estimate). {reports}",
                "State forces, alone or with foreign allies or militias, are named as perpetrators in each of the {n} "
                "killing events, with {people} (best estimates). {reports}")
STATE_NONE = Nn_("No state force, alone or with foreign allies or militias, is named as perpetrator in the one "
                 "killing event. {reports}",
                 "No state force, alone or with foreign allies or militias, is named as perpetrator in any of the {n} "
                 "killing events. {reports}")
FIRST_MESSAGE = {
    "incidents": Nn_("In {place}, {period}, the chapters describe {n} event within this briefing's scope: {listing} "
                     "(best estimates). {reports}",
                     "In {place}, {period}, the chapters describe {n} events within this briefing's scope: {listing} "
                     "(best estimates). {reports}"),
    "ranges": Nn_("In {place}, {period}, the chapters describe {n} event within this briefing's scope: {listing} "
                  "(best estimates, with the range of the accounts in brackets). {reports}",
                  "In {place}, {period}, the chapters describe {n} events within this briefing's scope: {listing} "
                  "(best estimates, with the range of the accounts in brackets). {reports}"),
    "acled": Nn_("In {place}, {period}, ACLED records {n} event within this briefing's scope: {listing}. {reports}",
                 "In {place}, {period}, ACLED records {n} events within this briefing's scope: {listing}. {reports}")}
OUTCOME_WORDS = {"released": Nn_("release in {n} event", "release in {n} events"),
                 "killed": Nn_("death in {n} event", "death in {n} events"),
                 "detained or sentenced": Nn_("continued detention or a sentence in {n} event",
                                           "continued detention or a sentence in {n} events"),
                 "still missing": Nn_("no news of the missing in {n} event", "no news of the missing in {n} events"),
                 "unknown": Nn_("no outcome in {n} event", "no outcome in {n} events")}


OUTCOME_ONE = {"released": N_("a release"), "killed": N_("the death of those held"),
               "detained or sentenced": N_("continued detention or a sentence"),
               "still missing": N_("no news of the missing")}


def _held_killed(events: pd.DataFrame, which, t: Language, counted) -> str:
    parts = [_people_of(events, violation, t) for violation in which if violation in counted
             and events[f"{config.COUNT_COLUMNS[violation]}_best"].fillna(0).sum()]
    return _and(parts, t) or t("no figure given")


def only_chapters(tagged: pd.DataFrame, events: pd.DataFrame, data, t: Language) -> str:
    """When fewer chapters describe victims as Fulani than stand behind the selection, name them: the count is
    what those chapters chose to say, not a comparison over time."""
    behind = analysis.reports(tagged)
    if analysis.input_format(data) == "acled" or len(behind) >= len(analysis.reports(events)):
        return ""
    sources = data.sources.set_index("source_id")
    names = [t("the {publisher} chapter on {year}", publisher=escape(sources.loc[s, "publisher"]),
               year=str(sources.loc[s, "events_year"])) if s in sources.index else escape(s) for s in behind]
    return t.n("Only {chapters} describes victims as Fulani (Peul): the figure follows what that chapter chose to "
               "report and is no comparison over time.",
               "Only {chapters} describe victims as Fulani (Peul): the figure follows what those chapters chose to "
               "report and is no comparison over time.", len(behind), chapters=_and(names, t))


def years_words(years: list[int], t: Language) -> str:
    """"in 2024", "in 2023 and 2024", "from 2023 to 2025" (three or more years in a row)."""
    if len(years) == 1:
        return t("in {year}", year=str(years[0]))
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return t("from {first} to {last}", first=str(years[0]), last=str(years[-1]))
    return t("in {years}", years=_and([str(y) for y in years], t))


def peak_sentence(sel, p: dict, data, t: Language, caveat: bool = False) -> str:
    """Where documented killings peaked and what the sources describe after it: never end year against end year.
    Figures as the year table writes them ("183 or more"). With `caveat`, as a key message that stands alone: a
    trend in what the chapters report is not necessarily one in the violence."""
    killing = sel.violations[sel.violations["violation"] == "killing"]
    per_year = analysis.by_year(killing, range(p["start_year"], p["end_year"] + 1), ("killing",)).set_index("year")
    peak, after = analysis.peak_and_after(per_year["best"])
    in_peak = sel.events[sel.events["year"] == peak]
    best = int(per_year.loc[peak, "best"])
    top = analysis.largest_events(killing[killing["year"] == peak], sel.events, 1)
    largest = ""
    if len(top) and best > 1:  # "all in one event" where that event is the whole year, never "200 of them"
        at = escape(place(t, top.iloc[0]["place"].split(";")[0])) if top.iloc[0]["place"] else ""
        if int(top.iloc[0]["victims_best"]) == best:
            largest = t(", all in one event at {place}", place=at) if at else t(", all in one event")
        elif at:
            largest = t.n(", {n} of them in one event at {place}", ", {n} of them in one event at {place}",
                          int(top.iloc[0]["victims_best"]), place=at)

    def in_year(year) -> str:
        return figure(*(int(per_year.loc[year, k]) for k in ("low", "high", "open_ended", "best")), t)

    sentence = t.n("Documented killings peaked in {year}, with {figure} person killed (best estimate){largest}.",
                   "Documented killings peaked in {year}, with {figure} people killed (best estimate){largest}.",
                   best, year=str(peak), figure=in_year(peak), largest=largest)
    described = [y for y, _ in after if per_year.loc[y, "events"]]
    none = [y for y, _ in after if not per_year.loc[y, "events"]]  # a year of no killing is said, not "0 in 2024"
    listing = _and([t("{figure} in {year}", figure=in_year(y), year=str(y)) for y in described], t)
    if not after:
        sentence += " " + t("It is the last year of the period.")
    elif not described:
        sentence += " " + t.n("The sources describe no killing in the following year.",
                              "The sources describe no killing in the following years.", len(none))
    elif none:
        sentence += " " + t("In the years after, the sources describe {listing}; they describe no killing {when}.",
                            listing=listing, when=years_words(none, t))
    else:
        sentence += " " + t("In the years after, the sources describe {listing}.", listing=listing)
    if caveat:
        sentence += " " + t("These chapters are a convenience sample: the figures trace what was reported, not "
                            "necessarily how the violence itself changed.")
    return sentence + " " + _reports(in_peak, data, t)


# Trends ---------------------------------------------------------------------------------------------------

def trend_html(sel, data, p: dict, which, t: Language, counted) -> str:
    """The peak and what followed, the previous period of the same length where the sources cover it, and the
    warning that a trend in reporting is not a trend in violence."""
    sentences = []
    if "killing" in which and len(sel.violations[sel.violations["violation"] == "killing"]) \
            and p["start_year"] != p["end_year"]:
        sentences.append(peak_sentence(sel, p, data, t))
    for violation in [v for v in which if v != "killing" and v in counted]:
        rows = sel.violations[sel.violations["violation"] == violation]
        if rows.empty:
            continue
        per_year = analysis.by_year(rows, range(p["start_year"], p["end_year"] + 1), (violation,)).set_index("year")
        peak = int(per_year["best"].idxmax())
        sentences.append(t.n(*MOST_IN_YEAR[violation], int(per_year.loc[peak, "best"]), year=str(peak)))
    sentences.append(previous_period(data, p, which, t))
    sentences.append(t("These lines trace what the sources chose to describe, year by year; a rise or a fall can "
                       "come from reporting (access, priorities, the length of a chapter) rather than from the "
                       "violence itself."))
    return _p(*sentences)


def previous_period(data, p: dict, which, t: Language) -> str:
    """The same figures for the period of the same length just before, when the sources cover it."""
    length = p["end_year"] - p["start_year"] + 1
    first, last = p["start_year"] - length, p["start_year"] - 1
    if analysis.input_format(data) == "acled":
        covered = int(data.events["year"].min()) if len(data.events) else p["start_year"]
    else:
        covered = int(data.sources["events_year"].astype(int).min()) if len(data.sources) else p["start_year"]
    if first < covered:
        return t("The chapters start with the events of {year}, so no earlier period of the same length can be "
                 "compared with this one.", year=str(covered))
    before = analysis.select(data, first, last, p["regions"], p["actor_classes"], p["actors"], which,
                             p["exclude_flags"])
    now = analysis.select(data, p["start_year"], p["end_year"], p["regions"], p["actor_classes"], p["actors"],
                          which, p["exclude_flags"])
    return t("In the period of the same length just before ({period}), the sources describe {before}, against "
             "{now} in this period.", period=str(first) if first == last else f"{first}–{last}",
             before=t.n("{n} event", "{n} events", before.events["event_id"].nunique()),
             now=t.number(now.events["event_id"].nunique()))


# Perpetrators, victims, places, outcomes -----------------------------------------------------------------

def perpetrators_html(sel, figures: dict, t: Language) -> str:
    events = sel.events
    if events.empty:
        return ""
    named = events[events["attribution"] != ""]
    firm = {a: int((named["attribution"] == a).sum()) for a in config.ATTRIBUTIONS}
    firmness = ""
    if len(named) and max(firm.values()) == len(named):  # one firmness for all: "in each", not "in 17 ... in 0"
        firmness = t.n(*ALL_FIRM[max(firm, key=firm.get)], len(named))
    elif len(named):
        how = _and([t(FIRMNESS[a], n=t.number(k)) for a, k in firm.items() if k], t)  # never "a suspicion in 0"
        firmness = t.n("The sources name a perpetrator in {n} event: {how}.",
                       "The sources name a perpetrator in {n} events: {how}.", len(named), how=how)
    return _p(firmness,
              t.n("No perpetrator is named in {n} event.", "No perpetrator is named in {n} events.",
                  figures["events_no_perpetrator"]) if figures["events_no_perpetrator"] else "",
              t("The table gives the perpetrators in the sources' own terms; foreign military personnel are "
                "named Wagner or Africa Corps only where the chapter does."))


FIRMNESS = {"stated": N_("as a fact in {n}"), "alleged": N_("as an allegation in {n}"),
            "suspected": N_("as a suspicion in {n}")}
ALL_FIRM = {"stated": Nn_("The sources name a perpetrator in {n} event and state who did it.",
                          "The sources name a perpetrator in {n} events and state who did it in each."),
            "alleged": Nn_("The sources name a perpetrator in {n} event and allege it.",
                           "The sources name a perpetrator in {n} events and allege it in each."),
            "suspected": Nn_("The sources name a perpetrator in {n} event and report a suspicion.",
                             "The sources name a perpetrator in {n} events and report a suspicion in each.")}


def _of(t: Language, n: int, total: int, some: tuple, every: tuple, none: tuple, **values) -> str:
    """"{n} of {total}", or the words for all of them and for none of them: "17 of 17" and "0 of 17" read badly.
    `some` is chosen by n, `every` and `none` by the total (the form for one: "the one event")."""
    if n == total:
        return t.n(*every, total, **values)
    if n == 0:
        return t.n(*none, total, **values)
    return t.n(*some, n, total=t.number(total), **values)


def victims_html(sel, which, t: Language, counted, data=None) -> str:
    events = sel.events
    if events.empty:
        return ""
    civilians = events[events["victim_type"] == "civilians"]
    sentences = [_of(t, len(civilians), len(events),
                     Nn_("The victims are civilians in {n} of {total} events.",
                         "The victims are civilians in {n} of {total} events."),
                     Nn_("The victims are civilians in the one event.", "The victims are civilians in each of the {n} events."),
                     Nn_("The victims are not civilians in the one event.",
                         "In none of the {n} events are the victims civilians."))]
    fulani = events[analysis.has_any(events["victim_tags"], ETHNIC_TAGS)]
    if len(fulani):
        years = sorted(set(fulani["year"].astype(int)))
        sentences.append(t.n("In {n} event the sources describe the victims as Fulani (Peul), in {years}: {listing}.",
                             "In {n} events the sources describe the victims as Fulani (Peul), in {years}: {listing}.",
                             len(fulani), years=_and([str(y) for y in years], t),
                             listing=_held_killed(fulani, which, t, counted)))
        if data is not None:
            sentences.append(only_chapters(fulani, events, data, t))
    named = events[analysis.has_any(events["victim_tags"], NAMED_TAGS)]
    if len(named):
        sentences.append(t.n("Journalists, politicians, activists, officials or human rights defenders are among "
                             "the victims in {n} event: {listing}.",
                             "Journalists, politicians, activists, officials or human rights defenders are among "
                             "the victims in {n} events: {listing}.", len(named),
                             listing=_held_killed(named, which, t, counted)))
    women = events[analysis.has_any(events["victim_tags"], WOMEN_CHILDREN)]
    if len(women):
        sentences.append(t.n("The sources say that women or children were among the victims in {n} event.",
                             "The sources say that women or children were among the victims in {n} events.",
                             len(women)))
    return _p(*sentences)


def events_by_region(events: pd.DataFrame) -> pd.Series:
    """Distinct events per region, most first; an event in two regions counts in each: the Where text and the
    regions chart's title say the same number."""
    placed = events[events["admin1"] != ""]
    return placed["admin1"].str.split("; ").explode().value_counts()


def where_html(sel, t: Language) -> str:
    events = sel.events
    if events.empty:
        return ""
    reach = analysis.coverage(events)
    placed = events[events["admin1"] != ""]
    top = events_by_region(events).head(3)
    unplaced = events[events["admin1"] == ""]
    held = int(((unplaced["detained_low"] > 0) | (unplaced["disappeared_low"] > 0)).sum())
    no_place = ""
    if reach["no_place"]:  # what most of them are, when most are detentions or disappearances
        no_place = t.n(*NO_PLACE["held" if held > len(unplaced) / 2 else "any"], reach["no_place"])
    if len(top) == 1 and int(top.iloc[0]) == len(events):  # a region's edition: not "most are in Mopti (17)"
        return _p(t.n("The one event is in {region}.", "Each of the {n} events is in {region}.", len(events),
                      region=escape(region(t, top.index[0]))))
    if len(top) == 1:
        where = t.n("It is in {region}.", "All are in {region}.", len(placed), region=escape(region(t, top.index[0])))
    else:
        where = t("Most are in {listing}.", listing=_and(
            [t("{region} ({n})", region=escape(r), n=t.number(int(n))) for r, n in top.items()], t)) if len(top) else ""
    return _p(t.n("The sources place {n} event in a region.", "The sources place {n} events in a region.", len(placed))
              if len(placed) else "", where, no_place)


NO_PLACE = {"held": Nn_("No place is named in {n} event, a detention or disappearance: it counts in the totals, not "
                        "on the map.", "No place is named in {n} events, most of them detentions or disappearances: "
                        "they count in the totals, not on the map."),
            "any": Nn_("No place is named in {n} event: it counts in the totals, not on the map.",
                       "No place is named in {n} events: they count in the totals, not on the map.")}


def outcomes_html(sel, t: Language) -> str:
    held = analysis.outcomes(sel.events)
    if held.empty:
        taken = sel.violations["violation"].isin(("detention", "disappearance")).any()
        return _p(t("The sources say nothing of what became of the people detained or disappeared.") if taken
                  else t("The selection holds no detention or disappearance."))
    released = int(held["events"].get("released", 0))
    missing = int(held["events"].get("still missing", 0))
    followed = int(held["events"].drop("unknown", errors="ignore").sum())  # "unknown": the chapters do not say
    return _p(_of(t, followed, int(held["events"].sum()), *FOLLOWED),
              t.n("In {n} of them those held were released.", "In {n} of them those held were released.", released)
              if released else "",
              t.n("In {n} of them those held were still missing when the chapter was written.",
                  "In {n} of them those held were still missing when the chapter was written.", missing)
              if missing else "",
              t("The table gives the gravest outcome a chapter reports for anyone held. Investigations, trials and "
                "convictions that the sources mention are listed under what this briefing does not count."))


FOLLOWED = (Nn_("The sources say what became of the people detained or disappeared in {n} of {total} events.",
                "The sources say what became of the people detained or disappeared in {n} of {total} events."),
            Nn_("The sources say what became of the people detained or disappeared in the one event.",
                "The sources say what became of the people detained or disappeared in each of the {n} events."),
            Nn_("The sources do not say what became of the people detained or disappeared in the one event.",
                "The sources do not say what became of the people detained or disappeared in any of the {n} "
                "events."))


# Case boxes ---------------------------------------------------------------------------------------------

CASE_FIGURE = {"killing": N_("Killed: {best}"), "detention": N_("Detained: {best}"),
               "disappearance": N_("Disappeared: {best}")}
RULES = {"largest": N_("The largest event by best estimate"),
         "most reported": N_("The event told by the most chapters"),
         "held": N_("The largest detention or disappearance")}


NAMED_AS = Nn_("Perpetrator as the source names it: {actor}.", "Perpetrators as the source names them: {actor}.")


def _case_place(row, t: Language) -> str:
    """A case's heading starts with its place as the tables write it, else its region, else says none is given."""
    where = place(t, row["place"].split(";")[0]) or (region(t, row["admin1"].split("; ")[0]) if row["admin1"]
                                                      else t(NO_PLACE_GIVEN))
    return where[:1].upper() + where[1:]  # "Prison de Bollé", "The Mopti region"


def case_boxes_html(sel, t: Language) -> str:
    """Up to three boxes chosen by analysis.cases's written rule: date, place, what happened, figures, citations."""
    summaries = dict(zip(sel.events["event_id"], t.column(sel.events, "summary", "events.csv")))
    names = t.names(sel.actors, "actor", "actors.csv")

    def actors(row) -> str:
        return escape(perpetrator(t, t.separated(names.get(a, a) for a in row["actor"].split("; ")), row["attribution"]))

    boxes = []
    for rule, row in analysis.cases(sel):
        figures = []
        for violation, column in config.COUNT_COLUMNS.items():
            if row[f"{column}_low"] and row[f"{column}_low"] > 0:
                low, high, best = int(row[f"{column}_low"]), row[f"{column}_high"], int(row[f"{column}_best"])
                high = low if pd.isna(high) else int(high)
                figures.append(t(CASE_FIGURE[violation],
                                 best=figure(low, high, int(pd.isna(row[f"{column}_high"])), best, t)))
        boxes.append(
            f"<aside class='case'><p class='case-rule'>{t(RULES[rule])}</p>"
            f"<h3>{escape(_case_place(row, t))}, "
            f"<span class='nowrap'>{t.date(row['date_start'], row['date_precision'], row['date_end'])}</span></h3>"
            f"<p>{escape(summaries[row['event_id']])}</p><p class='case-figures'>{t.separated(figures)}.</p>"
            f"<p class='case-cite'>{t.n(*NAMED_AS, len(row['actor'].split('; ')), actor=actors(row))} "
            f"{t('Sources: {citations}.', citations=unbroken_ids(quoted(citations(t, row['citations']))))}</p></aside>")
    if not boxes:
        return ""
    return (_p(t("The cases are chosen by a fixed rule: the largest event by best estimate, the event told by the "
                 "most chapters, and the largest detention or disappearance, each event once. Figures are best estimates, with "
                 "the range of the accounts in brackets where they differ."))
            + "<div class='cases'>" + "".join(boxes) + "</div>")


# What is not counted -------------------------------------------------------------------------------------

OOS_WORDS = {"torture": Nn_("{n} account of torture or ill-treatment", "{n} accounts of torture or ill-treatment"),
             "sexual violence": Nn_("{n} account of rape or sexual violence",
                                    "{n} accounts of rape or sexual violence"),
             "injury": Nn_("{n} account of injuries", "{n} accounts of injuries"),
             "destruction": Nn_("{n} account of destruction", "{n} accounts of destruction"),
             "looting": Nn_("{n} account of looting", "{n} accounts of looting"),
             "threats": Nn_("{n} account of threats", "{n} accounts of threats"),
             "other": Nn_("{n} other measure or abuse (sieges, bans, convictions)",
                            "{n} other measures and abuses (sieges, bans, convictions)")}


def not_counted_html(data, p: dict, t: Language) -> str:
    """What the chapters report beyond the three violations, counted by kind; the list is in the annex."""
    if analysis.input_format(data) == "acled":
        return _p(t("ACLED's torture, sexual violence and injuries are not counted here."))
    rows = analysis.out_of_scope(data, p["start_year"], p["end_year"], p["regions"])
    if rows.empty:
        return _p(t("The chapters report nothing else for this selection."))
    kinds = rows["violation"].value_counts()
    parts = [t.n(*OOS_WORDS.get(k, Nn_("{n} other account", "{n} other accounts")), int(n)) for k, n in kinds.items()]
    sentence = t("Beyond killings, detentions and disappearances the chapters also report {listing} for this "
                 "selection. This briefing does not count them; the annex lists them by kind.",
                 listing=_and(parts, t))
    if p["regions"]:
        everywhere = analysis.out_of_scope(data, p["start_year"], p["end_year"])
        unplaced = int((everywhere["admin1_all"] == "").sum())
        if unplaced:
            sentence += " " + t.n("Another {n} report names no place in Mali: it is listed only in the all-Mali "
                                  "edition.", "Another {n} reports name no place in Mali: they are listed only in "
                                  "the all-Mali edition.", unplaced)
    return _p(sentence)


def left_out_html(data, p: dict, which, t: Language) -> str:
    """How many events and people the flags leave out, in words, and how to bring them back."""
    gone = analysis.left_out(data, p["start_year"], p["end_year"], p["regions"], p["exclude_flags"])
    if gone.events.empty:
        return _p(t("This briefing leaves out no event of the period by its borderline-case rules."))
    described = dict(zip(data.flags.get("flag", []), data.flags.get("description", [])))  # a flag we have no words for
    what = _and([t(FLAG_WORDS[f]) if f in FLAG_WORDS else escape(described.get(f, f)) for f in p["exclude_flags"]], t)
    totals = analysis.totals(gone.violations, which)
    people = _and([_people_phrase({f"{v}_{k}": int(totals.loc[v, k]) for k in totals.columns}, v, t, which)
                   for v in which if totals.loc[v, "events"]], t)
    # The UN's practice is the reason only for the default's two flags (codebook, "What the headline counts").
    forms = LEFT_OUT["un" if set(p["exclude_flags"]) <= set(COUNTED_FLAGS) else "chosen"]
    return _p(t.n(*forms, len(gone.events), what=what, people=people),
              t("They stay in the data, and one setting of the build brings them back (the annex gives the command)."))


# Methodology ----------------------------------------------------------------------------------------------

def methodology_html(data, p: dict, t: Language) -> str:
    """One page: where the data comes from, what is counted, the merge rule, places, limitations."""
    if analysis.input_format(data) == "acled":
        return "".join(_p(s) for s in (
            t("This briefing was built from an ACLED export ({file}): ACLED's events, not the project's coding of "
              "Amnesty International and Human Rights Watch reports. ACLED codes political violence from media, "
              "partner and other reports under its own rules; {n} of its events carry a violation this briefing "
              "counts.", file=escape(data.about["input_file"].iloc[0]), n=t.number(len(data.events))),
            t("Killings are the fatalities of ACLED's violence against civilians, so civilians killed in battles are "
              "left out; ACLED records the lowest reported figure, so low, high and best are that one figure. "
              "Disappearances are its abductions and detentions its arrests; ACLED gives no count of the people "
              "arrested or abducted, so for those this briefing shows events, not people."),
            t("Perpetrator classes follow ACLED's first actor and its first associated actor, mapped by name, by "
              "ACLED's naming rules (\"Military Forces of Mali (2013-2020)\", \"Fulani Ethnic Militia (Mali)\") and, "
              "for a name no table knows, by ACLED's actor type; the cleaning log lists the names left unmapped. "
              "Regions follow ACLED's first-level division, the same as the project's; a point within {tolerance} km "
              "of Mali's outline is a border locality, and one further out keeps its event and region but not its "
              "place on the map.", tolerance=t.number(config.ACLED_BORDER_TOLERANCE_KM)),
            t("ACLED's coverage depends on what is reported; a rise or fall between years can reflect reporting "
              "rather than violence.")))
    period = analysis.select(data, p["start_year"], p["end_year"])
    reach = analysis.coverage(period.events)
    merged = int(period.events["mention_ids"].str.contains(";").sum())
    chosen = analysis.select(data, p["start_year"], p["end_year"], p["regions"], p["actor_classes"], p["actors"],
                             p["violations"], p["exclude_flags"])
    chosen_events = analysis.coverage(chosen.events)["events"]
    return "".join(_p(s) for s in (
        t("<strong>Where the data comes from.</strong> The {label} were read sentence by sentence, and every killing, "
          "deprivation of liberty and enforced disappearance they describe for {period} was coded by hand: {mentions} "
          "mentions, merged into {events} events ({merged}). Each keeps the source's own "
          "words for when, where, who and how many; the summaries are the project's own words. {counted}",
          label=escape(source_label(data, t)), period=period_words(p), mentions=t.number(reach["mentions"]),
          events=t.number(reach["events"]),
          merged=t.n("{n} of them told more than once", "{n} of them told more than once", merged) if merged
          else t("none of them told more than once"),
          counted=t.n("This briefing counts {n} of these events ({mentions}).",
                      "This briefing counts {n} of these events ({mentions}).", chosen_events,
                      mentions=t.n("{n} mention", "{n} mentions", analysis.coverage(chosen.events)["mentions"]))
          if chosen_events else t("This briefing counts none of these events.")),
        t("<strong>What is counted.</strong> An event counts in the year it began. A count phrase becomes a low and a "
          "high figure by the written rules in the annex; a source that gives no upper figure (\"at least 50\") is "
          "counted at its minimum and marked \"or more\". The best estimate is the figure of the most credible account "
          "that is not a party's: an inquiry's or the UN's finding first, then an exact figure before a vague phrase, "
          "then the latest chapter. A party's own figure, such as the army's count of \"terrorists\", is kept as a "
          "claim and never sets a figure where another account exists."),
        t.n("<strong>How many reports.</strong> The note that ends a sentence, such as \"(3 of 5 reports)\", "
            "says how many of the {n} report chapter describe at least one of the events the sentence counts.",
            "<strong>How many reports.</strong> The note that ends a sentence, such as \"(3 of 5 reports)\", "
            "says how many of the {n} report chapters describe at least one of the events the sentence counts.",
            len(data.sources)),
        t("<strong>What an event is.</strong> Two mentions are one event when the data links them (a later chapter "
          "revisiting it, another claimant's figure) or when two chapters give the same place, overlapping dates and "
          "the same violation. An incident whose victims a source counts in two groups, or tells in stages with their "
          "own counts, stays as separate events, so that no figure is added to another."),
        t("<strong>Places.</strong> Regions are the first-level division before the 2023 reform, so that the series "
          "stay comparable; the new regions the chapters name are counted under their former region. An event that "
          "names no place counts in the national totals and in no region's edition."),
        t("<strong>Limitations.</strong> These are incidents that {publishers} chose to describe in annual report "
          "chapters: a small, selective sample of the violations committed in Mali, shaped by access, by the "
          "organisations' priorities and by the length of a chapter. Perpetrators are as the sources name them, "
          "with the firmness of each attribution (stated, alleged, suspected).", publishers=escape(publishers(data, t)))))


# Sources and the annex ----------------------------------------------------------------------------------

def publishers(data, t: Language = Language()) -> str:
    """The organisations behind the sources, named from the sources table: "A and B"."""
    names = list(dict.fromkeys(data.sources["publisher"])) if len(data.sources) else []
    return _and(names, t)


# Publishers that overwrite a country page each year are cited by the Internet Archive's copy of the year.
ARCHIVE = "https://web.archive.org/web/"


def source_label(data, t: Language = Language()) -> str:
    if analysis.input_format(data) == "acled":
        return t("ACLED export {file}", file=data.about["input_file"].iloc[0])
    return t.n("{n} report chapter by {publishers}", "{n} report chapters by {publishers}", len(data.sources),
               publishers=publishers(data, t))


def sources_html(data, selection, t: Language) -> str:
    if analysis.input_format(data) == "acled":
        return _p(t("Data: {label}, from ACLED (Armed Conflict Location &amp; Event Data), "
                    "<a href=\"https://acleddata.com/\">https://acleddata.com/</a>. Cite ACLED as its terms of use "
                    "require, and each event by its ACLED identifier.", label=escape(source_label(data, t))))
    cited = set(analysis.reports(selection.events))
    items = []
    for r in data.sources.itertuples():
        accessed = getattr(r, "accessed", "")
        items.append(
            "<li>" + t("<strong>{id}</strong>: {publisher}, <em>{title}</em>, published {published}.",
                       id=escape(r.source_id), publisher=escape(r.publisher), title=quoted(r.title),
                       published=_month(r.published, t) if r.published else t("date not given"))
            + f" <a class='url' href=\"{escape(r.url)}\">{escape(r.url)}</a>"
            + (" " + t("(The Internet Archive's copy: the publisher's page now shows a later year.)")
               if r.url.startswith(ARCHIVE) else "")
            + (" " + t("Read {date}.", date=_day(accessed, t)) if accessed else "")
            + ("" if r.source_id in cited else " " + t("(No event of this selection.)")) + "</li>")
    return "<ul class='sources'>" + "".join(items) + "</ul>" + _p(
        t("<strong>Corrections.</strong> Each event lists the chapter, section and paragraph it is coded from. If a "
          "figure, a place or an attribution differs from its source, please tell the project, naming the event "
          "identifier and the passage; corrections are made in the coded data and every briefing is rebuilt."))


def reproduce_html(p: dict, defaults: dict, t: Language, data=None) -> str:
    """The one place where parameter names appear: the exact command that rebuilds this edition, and, when its
    borderline-case rules leave events out, the one that counts them too."""
    import shlex

    args = []
    for name, value in p.items():
        if name in defaults and value != defaults[name]:
            shown = value if isinstance(value, str) else ("[" + ", ".join(value) + "]" if isinstance(value, list)
                                                          else str(value))
            args += ["-p", name, shown]
    command = " ".join(shlex.quote(a) for a in ["python", "build.py", *args])
    back = "python build.py " + " ".join(shlex.quote(a) for a in args + ["-p", "exclude_flags", "[]"]) \
        if p.get("exclude_flags") and (data is None or len(analysis.left_out(
            data, p["start_year"], p["end_year"], p["regions"], p["exclude_flags"]).events)) else ""
    return ("<div class='reproduce'>" + _p(t("<strong>Reproduce this briefing.</strong> From the project's folder, "
                                             "with its environment installed:"))
            + f"<pre><code>{escape(command)}</code></pre>"
            + (_p(t("To count the borderline cases this edition leaves out as well:"))
               + f"<pre><code>{escape(back)}</code></pre>" if back else "") + "</div>")


EMBED_LIMIT = 5_000_000  # bytes of CSV embedded in the HTML page; beyond it the page would be too heavy to open


def downloads_html(selection, t: Language) -> str:
    """The selection's data as CSV, embedded in the page (the PDF drops the links and says where the files are)."""
    from malibrief.io import to_csv_text

    links = []
    for name, frame in (("events", selection.events), ("violations", selection.violations)):
        text = to_csv_text(frame).encode("utf-8")
        rows = t.n("{n} row", "{n} rows", len(frame))
        if len(text) > EMBED_LIMIT:
            links.append("<li>" + t("{name}.csv ({rows}) is too large to embed in this page: take it from the "
                                    "project's data folder.", name=name, rows=rows) + "</li>")
            continue
        data = base64.b64encode(text).decode("ascii")
        links.append(f"<li><a download=\"{name}.csv\" href=\"data:text/csv;charset=utf-8;base64,{data}\">"
                     f"<code>{name}.csv</code></a> ({rows})</li>")  # a file name, in no language
    return ("<div class='screen-only'>" + _p(t("<strong>Download the data behind this briefing</strong> (this "
                                                "selection):")) + f"<ul>{''.join(links)}</ul></div>"
            + "<div class='print-only'>" + _p(t("The data behind this briefing, as CSV files, comes with the web "
                                                 "version of this briefing and with the project's published data."))
            + "</div>")


# Tables as HTML ---------------------------------------------------------------------------------------------

def table_html(frame: pd.DataFrame, caption: str = "", css: str = "", search: str = "",
               t: Language = Language()) -> str:
    """A table with every cell escaped, so markup in the data shows as text, never as markup, and a real caption.

    Columns of figures are marked `num` (set flush right, never broken) and columns of single words such as
    identifiers and dates `token` (never broken); text columns stay flush left, for reading.
    A long table of text carries its column widths on paper in `frame.attrs["widths"]` (see tables), so that
    every page of it has the same columns; once its columns change, the widths no longer apply and are left out.
    """
    if isinstance(frame.columns, pd.MultiIndex):
        raise ValueError("table_html takes one row of column names; flatten the columns first")
    columns = [frame.iloc[:, i] for i in range(frame.shape[1])]
    kinds = [_column_kind(column) for column in columns]
    head = "".join(_cell("th", name, kind, ' scope="col"') for name, kind in zip(frame.columns, kinds))
    # The sources' own words (tables._quoting) are English whatever the briefing's language; words cited as words
    # (the count phrases) are set in italics as well.
    quoted_cells = [frame.attrs.get("quoted", {}).get(name, [False] * len(frame)) for name in frame.columns]
    cited = [name in frame.attrs.get("cited", ()) for name in frame.columns]
    # A column with dates (tables._with_dates): each cell's date, with its machine-readable value.
    dates = [frame.attrs.get("dates", {}).get(name) for name in frame.columns]
    rows = "".join("<tr>" + "".join(_cell("td", value, " ".join(filter(None, (kind, "cited" if as_word and quote[i] else ""))),
                                          ' lang="en"' if quote[i] and _cell_text(value) else "", t,
                                          when[i] if when else None)
                                    for value, kind, quote, as_word, when in zip(row, kinds, quoted_cells, cited, dates))
                   + "</tr>"
                   for i, row in enumerate(zip(*columns)))
    widths = frame.attrs.get("widths", {})
    fixed = list(widths) == list(frame.columns) and bool(widths)
    classes = " ".join(filter(None, ["data", css, "fixed" if fixed else ""]))
    searchable = f' data-search="{escape(search)}"' if search else ""  # the placeholder of the page script's box
    body = f'<table class="{classes}"{searchable}>' + (f"<caption>{escape(caption)}</caption>" if caption else "")
    if fixed:
        body += "<colgroup>" + "".join(f'<col style="width: {width}%">' for width in widths.values()) + "</colgroup>"
    return body + f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


# What fmt_range writes ("1,234", "at least 5", "50–99 or more", "500 (200–999)"), or a dash for none;
# in French as Babel and the catalogue write it too: "1 234", "au moins 5", "50 à 99 ou plus".
_RANGE = r"(at least |au moins )?\d[\d,\u202f]*((–| à )\d[\d,\u202f]*)?( or more| ou plus)?"
FIGURE = re.compile(rf"–|{_RANGE}( \({_RANGE}\))?")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}|(\d{1,2}(er)? )?(\w+ )?\d{4}")  # 2022-03-12, 12 March 2022, 1er mars 2022, 2022


def _cell_text(value, t: Language = Language()) -> str:
    """A cell as text; whole numbers with the language's digit grouping."""
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return ""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return t.number(int(value))
    return str(value)


def _column_kind(values: pd.Series) -> str:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return "num"
    cells = [text for text in map(_cell_text, values) if text]
    if cells and all(FIGURE.fullmatch(text) for text in cells):
        return "num"
    if cells and all(DATE.fullmatch(text) for text in cells):
        return "token"
    if cells and not any(" " in text for text in cells):
        return "token"
    return ""


def _cell(tag: str, value, kind: str, extra: str = "", t: Language = Language(), when=None) -> str:
    """A cell, escaped; `when` is a date (its words, its machine-readable value) set after the cell's text."""
    attribute = f' class="{kind}"' if kind else ""
    text = unbroken_ids(escape(_cell_text(value, t)))
    if when:
        text += f' <time datetime="{escape(when[1])}">{escape(when[0])}</time>'
    return f"<{tag}{attribute}{extra}>{text}</{tag}>"


def key_figures_table(figures: dict, which, estimate: str, counted, t: Language) -> pd.DataFrame:
    """One row per violation: events, people (best estimate) and the range the accounts give."""
    rows = []
    for violation in which:
        low, high, open_ended = (figures[f"{violation}_{k}"] for k in ("low", "high", "open_ended"))
        people = fmt_range(low, high, open_ended, estimate, figures[f"{violation}_best"], t)
        row = {
            t("Violation"): t(VIOLATION_WORDS[violation].capitalize()),
            t("Events"): figures[f"{violation}_events"],
            t("People ({estimate})", estimate=t(ESTIMATE_WORDS[estimate])):
                people if violation in counted else t("not recorded in the source"),
        }
        rows.append(row)
    return pd.DataFrame(rows)


ESTIMATE_WORDS = {"best": N_("best estimate"), "range": N_("low–high"), "low": N_("low figure"),
                  "high": N_("high figure")}

def sample_warning(data, t: Language) -> str:
    """The caveat under the key messages, in the words that fit the input."""
    if analysis.input_format(data) == "acled":
        return _p(t("<strong>Read these figures as documented incidents, not totals.</strong> They count what ACLED "
                    "recorded from media and partner reports under its own coding rules, not a census."))
    return _p(t("<strong>Read these figures as documented incidents, not totals.</strong> They count what {publishers} "
                "chose to describe in annual report chapters: a convenience sample of the violations committed, not a "
                "census.", publishers=escape(publishers(data, t))))


# Charts: a title that states the finding, alt text that gives the data, a note on how to read it ---------

CAPTIONS = {
    "trends": N_("People per year, by the year each event began. The line is the best estimate; the band runs from "
              "the lowest to the highest figure the accounts give (an open-ended figure counts at its minimum)."),
    "actor_classes": N_("Events per year by the class of perpetrator the sources name; an event counts once."),
    "regions": N_("Events by region (the division before 2023). The bars count events per violation: an event "
               "with several violations counts under each, so a region's bars can add up to more than its events."),
    "map": N_("Each circle is an event, its area proportional to the people it concerns. A filled circle stands at "
           "the locality itself; a hollow one at a point standing in for it: a nearby village, a commune or cercle "
           "seat, a region's centre or the mean point of several places. Events that name no place are not shown; "
           "regions are those before 2023."),
}


def caption(name: str, t: Language) -> str:
    return t(CAPTIONS[name])


def title_trends(per_year: pd.DataFrame, which, t: Language) -> str:
    """The peak of the first violation with people in it: a Bamako edition with no killing tells its detentions."""
    found = [v for v in which if per_year.loc[per_year["violation"] == v, "best"].sum()]
    if not found:
        return t("People killed, detained and disappeared per year")
    first = found[0]
    rows = per_year[per_year["violation"] == first].set_index("year")
    peak = int(rows["best"].idxmax())
    return t.n(*PEAK_TITLE[first], int(rows.loc[peak, "best"]), year=str(peak))


PEAK_TITLE = {"killing": Nn_("Killings documented in the sources peaked in {year}, with {n} person killed",
                          "Killings documented in the sources peaked in {year}, with {n} people killed"),
              "detention": Nn_("Detentions documented in the sources peaked in {year}, with {n} person detained",
                            "Detentions documented in the sources peaked in {year}, with {n} people detained"),
              "disappearance": Nn_("Disappearances documented in the sources peaked in {year}, with {n} person "
                                "disappeared", "Disappearances documented in the sources peaked in {year}, with {n} "
                                "people disappeared")}


def _series_text(per_year: pd.DataFrame, which, column: str, t: Language) -> str:
    parts = []
    for violation in which:
        rows = per_year[per_year["violation"] == violation]
        values = t.listing(t("{year}: {n}", year=str(y), n=t.number(int(v))) for y, v in zip(rows["year"], rows[column]))
        parts.append(t("{violation} {values}", violation=t(VIOLATION_WORDS[violation]), values=values))
    return t.separated(parts)


def alt_trends(per_year: pd.DataFrame, which, t: Language) -> str:
    return t("Line charts of people per year for each violation. Best estimates: {best}. Lowest figures: {low}. "
             "Highest figures: {high}.", best=_series_text(per_year, which, "best", t),
             low=_series_text(per_year, which, "low", t), high=_series_text(per_year, which, "high", t))


def _class_counts(violations: pd.DataFrame) -> pd.Series:
    return violations.drop_duplicates("event_id")["actor_class"].value_counts()


def title_actors(sel, t: Language) -> str:
    counts = _class_counts(sel.violations)
    state = int(counts[counts.index.isin(STATE_CLASSES)].sum())
    total = int(counts.sum())
    return _of(t, state, total,
               Nn_("State forces are named in {n} of {total} events", "State forces are named in {n} of {total} events"),
               Nn_("State forces are named in the one event", "State forces are named in each of the {n} events"),
               Nn_("State forces are not named in the one event", "State forces are named in none of the {n} events"))


def alt_actor_classes(violations: pd.DataFrame, t: Language) -> str:
    return t("Stacked bar chart of events per year by perpetrator class; over the period: {listing}.",
             listing=t.listing(t("{name} {n}", name=escape(t(k) if k in config.ACTOR_CLASSES else k),
                                 n=t.number(int(v))) for k, v in _class_counts(violations).items()))


def title_regions(events: pd.DataFrame, t: Language) -> str:
    """The region with the most events, counted as the Where text counts them (not the bars, per violation)."""
    counts = events_by_region(events)
    if counts.empty:
        return t("No event names a place")
    return t.n("{region} has the most events: {n}", "{region} has the most events: {n}", int(counts.iloc[0]),
               region=escape(counts.index[0]))


def alt_regions(regions_table: pd.DataFrame, t: Language) -> str:
    counts = regions_table.groupby("admin1")["events"].sum().sort_values(ascending=False)
    return t("Horizontal bar chart of events by region: {listing}.", listing=t.listing(
        t("{name} {n}", name=escape(k or t("no place named")), n=t.number(int(v))) for k, v in counts.items()))


def title_map(sel, t: Language) -> str:
    placed = sel.events[sel.events["latitude"].notna()] if "latitude" in sel.events else sel.events.iloc[0:0]
    return _of(t, len(placed), len(sel.events),
               Nn_("The map shows {n} of {total} events", "The map shows {n} of {total} events"),
               Nn_("The one event can be placed on the map", "Each of the {n} events can be placed on the map"),
               Nn_("The one event cannot be placed on the map", "None of the {n} events can be placed on the map"))


def alt_map(events: pd.DataFrame, t: Language) -> str:
    placed = events.dropna(subset=["latitude"])
    by_region = placed["admin1"].value_counts()
    exact = int((pd.to_numeric(placed["geo_precision"]) == 1).sum())
    shown = (t.n("the one event", "all {n} events", len(events)) if len(placed) == len(events)
             else t("{n} of {total} events", n=t.number(len(placed)), total=t.number(len(events))))
    where = (t("all in {region}", region=escape(region(t, by_region.index[0]))) if len(by_region) == 1 else
             t("most in {listing}", listing=t.listing(t("{name} ({n})", name=escape(k), n=t.number(int(v)))
                                                    for k, v in by_region.head(4).items())))
    return t("Map of Mali with {shown} placed, {exact} of them at the locality itself and {other} at a point standing "
             "in for it; {where}.", shown=shown, exact=t.number(exact), other=t.number(len(placed) - exact),
             where=where)
