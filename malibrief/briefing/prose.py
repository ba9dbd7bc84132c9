"""The briefing's sentences, built from the key figures (briefing.figures) so that no number is typed."""
from __future__ import annotations

import base64
import html
import re

import pandas as pd

from malibrief import config
from malibrief.briefing import analysis
from malibrief.briefing.figures import VERB, date_label, fmt_range


def _scope(params: dict) -> str:
    parts = []
    if params.get("regions"):
        parts.append("in " + ", ".join(params["regions"]))
    if params.get("actor_classes"):
        parts.append("attributed to " + ", ".join(params["actor_classes"]))
    if params.get("actors"):
        parts.append("involving " + ", ".join(params["actors"]))
    return (" " + " ".join(parts)) if parts else " in Mali"


def summary(figures: dict, largest: pd.DataFrame, which, params: dict, source_label: str,
            counted=config.VIOLATIONS) -> str:
    """Four to six sentences, each built from the key figures; they adapt to what the data says."""
    period = (f"in {figures['start_year']}" if figures["start_year"] == figures["end_year"]
              else f"between {figures['start_year']} and {figures['end_year']}")
    estimate = params["estimate"]
    verb = "records" if "ACLED" in source_label else "describe"
    if figures["events"] == 0:
        return (f"The {source_label} {'holds' if verb == 'records' else 'contain'} no documented killing, "
                f"detention or disappearance{_scope(params)} "
                f"{period} for this selection. That does not mean none took place: it means none was described "
                f"in these reports.")
    counts = [f"{fmt_range(figures[f'{v}_low'], figures[f'{v}_high'], figures[f'{v}_open_ended'], estimate)} "
              f"people {VERB[v]} in {figures[f'{v}_events']:,} event{'s' if figures[f'{v}_events'] != 1 else ''}"
              if v in counted else f"{figures[f'{v}_events']:,} {v} event{'s' if figures[f'{v}_events'] != 1 else ''}"
              for v in which]
    listing = counts[0] if len(counts) == 1 else ", ".join(counts[:-1]) + " and " + counts[-1]
    sentences = [
        f"{period.capitalize()}, the {source_label} {verb} {figures['events']:,} "
        f"event{'s' if figures['events'] != 1 else ''}{_scope(params)} within this briefing's scope: {listing}."
    ]
    if "killing" in which and figures["killing_events"] and figures["start_year"] != figures["end_year"]:
        word = analysis.change_word(figures["killing_first_year_low"], figures["killing_last_year_low"])
        sentences.append(
            f"Documented killings (low figures) {word} from {figures['killing_first_year_low']:,} in "
            f"{figures['start_year']} to {figures['killing_last_year_low']:,} in {figures['end_year']}, with the "
            f"most in {figures['killing_peak_year']} ({figures['killing_peak_low']:,}); this traces what the "
            f"sources recorded, which is not the course of the violence itself.")
    if "killing" in which and figures["killing_events"]:
        sentences.append(
            f"State forces, alone or with foreign allies or militias, are named as perpetrators in "
            f"{figures['killing_events_state']:,} of {figures['killing_events']:,} killing events, and Islamist "
            f"armed groups in {figures['killing_events_islamist']:,}.")
    if len(largest):
        top = largest.iloc[0]
        high = top["victims_high"]
        size = fmt_range(int(top["victims_low"]), int(top["victims_low"] if pd.isna(high) else high),
                         int(pd.isna(high)), estimate)
        place = top["place"] or "an unnamed place"
        sentences.append(
            f"The largest single event in the selection is in {place} ({date_label(top['date_start'], top['date_precision'])}): {size} people "
            f"{VERB[top['violation']]}, according to {top['source_ids'].replace('; ', ' and ')}.")
    if figures["events_named_people"]:
        sentences.append(
            f"{figures['events_named_people']:,} event{'s' if figures['events_named_people'] != 1 else ''} concern "
            f"journalists, politicians, activists, officials or human rights defenders, most of them named.")
    if "ACLED" in source_label:
        sentences.append("ACLED compiles these events from media and partner reports under its own coding rules; "
                         "they are what it recorded, not totals of the violations committed.")
    else:
        sentences.append("These are the incidents that the chapters chose to describe, a convenience sample; "
                         "they are not totals of the violations committed.")
    return " ".join(sentences[:6])


def table_html(frame: pd.DataFrame, caption: str = "") -> str:
    """A table with every cell escaped, so markup in the data shows as text, never as markup.

    Columns of figures are marked `num` (set flush right, so digits line up) and columns of single words
    such as identifiers and dates `token` (never broken); text columns stay flush left, for reading.
    A long table of text carries its column widths on paper in `frame.attrs["widths"]` (see tables), so that
    every page of it has the same columns; once its columns change, the widths no longer apply and are left out.
    """
    if isinstance(frame.columns, pd.MultiIndex):
        raise ValueError("table_html takes one row of column names; flatten the columns first")
    columns = [frame.iloc[:, i] for i in range(frame.shape[1])]
    kinds = [_column_kind(column) for column in columns]
    head = "".join(_cell("th", name, kind) for name, kind in zip(frame.columns, kinds))
    rows = "".join("<tr>" + "".join(_cell("td", value, kind) for value, kind in zip(row, kinds)) + "</tr>"
                   for row in zip(*columns))
    widths = frame.attrs.get("widths", {})
    if list(widths) == list(frame.columns) and widths:
        colgroup = "".join(f'<col style="width: {width}%">' for width in widths.values())
        body = f'<table class="data fixed"><colgroup>{colgroup}</colgroup>'
    else:
        body = '<table class="data">'
    body += f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    return (f"<div class='table-wrap'><p class='table-caption'>{html.escape(caption)}</p>{body}</div>"
            if caption else f"<div class='table-wrap'>{body}</div>")


FIGURE = re.compile(r"–|(at least )?\d[\d,]*(–\d[\d,]*)?( or more)?")  # what fmt_range writes, or a dash for none


def _cell_text(value) -> str:
    return "" if pd.api.types.is_scalar(value) and pd.isna(value) else str(value)


def _column_kind(values: pd.Series) -> str:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return "num"
    cells = [text for text in map(_cell_text, values) if text]
    if cells and all(FIGURE.fullmatch(text) for text in cells):
        return "num"
    if cells and not any(" " in text for text in cells):
        return "token"
    return ""


def _cell(tag: str, value, kind: str) -> str:
    attribute = f' class="{kind}"' if kind else ""
    return f"<{tag}{attribute}>{html.escape(_cell_text(value))}</{tag}>"


def key_figures_table(figures: dict, which, estimate: str, counted=config.VIOLATIONS) -> pd.DataFrame:
    rows = []
    for violation in which:
        people = fmt_range(figures[f"{violation}_low"], figures[f"{violation}_high"],
                           figures[f"{violation}_open_ended"], estimate)
        rows.append({
            "Violation": violation.capitalize(),
            "Events": figures[f"{violation}_events"],
            "People (" + {"range": "low–high", "low": "low", "high": "high"}[estimate] + ")":
                people if violation in counted else "not recorded in the source",
            "Figures with no upper bound": figures[f"{violation}_open_ended"] if violation in counted else 0,
        })
    return pd.DataFrame(rows)


EMPTY = ("No documented event matches this selection, so there is nothing to chart here. That does not mean "
         "none took place: only that the sources behind this briefing describe none.")


def sample_warning(data) -> str:
    """The caveat under the key figures, in the words that fit the input."""
    if analysis.input_format(data) == "acled":
        what = "what ACLED recorded from media and partner reports under its own coding rules"
    else:
        what = (f"what {publishers(data)} chose to describe in annual report chapters: a convenience sample of "
                "the violations committed")
    return (f"**Read these figures as documented incidents, not totals.** They count {what}, not a census. "
            "A rise or fall between years can reflect reporting rather than violence.")


CAPTIONS = {
    "trends": "People killed, detained and disappeared per year, in events the sources describe. The band runs "
              "from the low to the high figure; open-ended figures ('at least 50') count at their stated minimum.",
    "events_per_year": "Number of documented events per year and violation. An event with several violations "
                       "counts once under each.",
    "actor_classes": "Documented events per year by the class of the alleged perpetrator, as the sources name them.",
    "regions": "Documented events by region (admin1, pre-2023 division), per violation. 'not stated': the source "
               "names no place.",
    "map": "Each circle is an event, its area proportional to the people it concerns (the figure the key names). "
           "A filled circle stands at the locality itself; a hollow one at a point standing in for it: a nearby "
           "village or commune seat, a cercle seat or a region's centroid, where the locality could not be located "
           "or the source names only a wider area, or the mean point of several places. Events with no place "
           "named are not shown. Regions are those of the pre-2023 division.",
    "timeline": "People per month (low figures) by the month each event began; the five largest events labelled.",
}


def publishers(data) -> str:
    """The organisations behind the sources, named from the sources table: "A and B"."""
    names = list(dict.fromkeys(data.sources["publisher"]))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def source_label(data) -> str:
    if analysis.input_format(data) == "acled":
        return f"ACLED export {data.about['input_file'].iloc[0]}"
    n = len(data.sources)
    return f"{n} report chapter{'s' if n != 1 else ''} by {publishers(data)}"


def header_html(p: dict, data) -> str:
    """Title block: title, period, scope and the date of the data, every value escaped."""
    scope = "; ".join(filter(None, [
        "regions: " + ", ".join(p["regions"]) if p["regions"] else "all regions",
        "perpetrators: " + ", ".join(p["actor_classes"] + p["actors"]) if p["actor_classes"] or p["actors"] else "",
        "violations: " + ", ".join(p["violations"]),
        "figures: " + {"range": "low to high", "low": "low", "high": "high"}[p["estimate"]],
        "left out: " + ", ".join(p["exclude_flags"]) if p["exclude_flags"] else "",
    ]))
    period = f"{p['start_year']}" if p["start_year"] == p["end_year"] else f"{p['start_year']}–{p['end_year']}"
    return (f"<h1>{html.escape(p['title'])}</h1>"
            f"<p class='subtitle'>Period {period}; {html.escape(scope)}.</p>"
            f"<p class='data-date'>Data: {html.escape(data_date(data))}.</p>")


def data_date(data) -> str:
    """What the data is and how recent: the sources' publication dates, where known."""
    published = sorted(d for d in data.sources["published"] if d)
    when = f", published {published[0]} to {published[-1]}" if published else ""
    return source_label(data) + when


def _series_text(per_year: pd.DataFrame, which, column: str) -> str:
    parts = []
    for violation in which:
        rows = per_year[per_year["violation"] == violation]
        values = ", ".join(f"{y}: {v:,}" for y, v in zip(rows["year"], rows[column]))
        parts.append(f"{violation}s {values}")
    return "; ".join(parts)


def alt_trends(per_year: pd.DataFrame, which) -> str:
    return ("Line charts of people per year for each violation, low figures: " + _series_text(per_year, which, "low")
            + ". High figures: " + _series_text(per_year, which, "high") + ".")


def alt_events_per_year(per_year: pd.DataFrame, which) -> str:
    return "Bar chart of documented events per year: " + _series_text(per_year, which, "events") + "."


def alt_actor_classes(violations: pd.DataFrame) -> str:
    counts = violations.drop_duplicates("event_id")["actor_class"].value_counts()
    return "Stacked bar chart of events per year by perpetrator class; in all years: " + ", ".join(
        f"{k} {v}" for k, v in counts.items()) + "."


def alt_regions(regions_table: pd.DataFrame) -> str:
    counts = regions_table.groupby("admin1")["events"].sum().sort_values(ascending=False)
    return "Horizontal bar chart of events by region: " + ", ".join(
        f"{k or 'not stated'} {v}" for k, v in counts.items()) + "."


def alt_map(events: pd.DataFrame) -> str:
    placed = events.dropna(subset=["latitude"])
    by_region = placed["admin1"].value_counts()
    exact = int((pd.to_numeric(placed["geo_precision"]) == 1).sum())
    return (f"Map of Mali with {len(placed)} of {len(events)} events placed, {exact} of them at the locality "
            f"itself and {len(placed) - exact} at a point standing in for it; most in "
            + ", ".join(f"{k} ({v})" for k, v in by_region.head(4).items()) + ".")


def alt_timeline(largest: pd.DataFrame) -> str:
    labelled = "; ".join(f"{r.place.split(';')[0] or 'no place given'}, {r.date_start:%B %Y}, {r.victims_low} "
                         f"people {VERB[r.violation]}" for r in largest.itertuples())
    return "Monthly bar chart of people by violation; the largest events labelled: " + labelled + "."


def methodology(data, p: dict) -> str:
    if analysis.input_format(data) == "acled":
        return ACLED_METHODOLOGY.format(label=source_label(data), events=len(data.events),
                                        tolerance=config.ACLED_BORDER_TOLERANCE_KM)
    events = data.events
    mentions = int(events["mention_ids"].str.split("; ").str.len().sum())
    merged = int((events["mention_ids"].str.contains(";")).sum())  # the whole dataset, whatever the selection
    no_place = int((events["admin1"] == "").sum())
    return f"""
**Where the data comes from.** The {source_label(data)} were read sentence by sentence and every killing,
deprivation of liberty and enforced disappearance they describe was coded by hand into {mentions:,} mentions
(`data/raw/incidents.csv`), keeping each source's own words for when, where, who and how many. The cleaning step
merged them into {len(events):,} events; {merged:,} events combine more than one mention. The codebook
(`docs/codebook.md`) gives the rules.

**What is counted.** An event counts in the year it began, even when a detention runs on into later years.
A count phrase becomes a low and a high figure by the written rules below; where a source gives no upper figure
("at least 50"), the high estimate counts it at its stated minimum and the tables say "or more". An event told by
several sources, or by one source with a party's competing figure, keeps every figure: its low is the lowest and
its high the highest any of them gives, and each claimant is listed in the data (`claims`).

**The merge rule.** Two mentions are one event when the raw data links them (a later chapter revisiting the same
event; the same chapter giving another claimant's figure), or when two different chapters give the same place,
overlapping dates and the same violation. Each merge is listed in the cleaning log.

**Places.** Regions are the pre-2023 first-level division, so that series stay comparable across the 2023 reform
(the new regions the chapters name, such as Bandiagara or Douentza, are kept as reported and counted under their
former region); an event whose places lie in two regions counts in either region's briefing. {no_place:,} events,
mostly arrests of named people, name no place: they count in national totals, under "not stated" by region, in no
region's briefing, and they are not on the map.

**What an event is.** One incident whose victims the source counts in two groups (civilians and soldiers), or that
it tells in stages with their own counts (a round-up, then executions of some of those held), stays as separate
events, one per count, so that no figure is added to or taken from another. Deaths of soldiers and fighters in
hostilities (flag `combatants_killed`) and arrests in ordinary criminal cases (flag `ordinary_criminal_case`) are
coded but are not violations: the default briefing leaves them out.

**Limitations.** These are incidents that {publishers(data)} documented in annual report chapters: a small,
selective sample of the violations committed in Mali, shaped by access, by the organisations' priorities and by
the length of a chapter. A rise or fall between years can reflect reporting rather than violence. Perpetrators
are as the sources attribute them, and the tables show how firm each attribution is. Government figures (for
example the army's count of "terrorists") are kept with their claimant and flagged.

**Not counted.** Torture and other ill-treatment, rape and sexual violence, injuries, looting and destruction are
outside the three violations this briefing counts. {_not_counted(data, p)}
"""


def _not_counted(data, p: dict) -> str:
    """What the out-of-scope table at the end of the methodology holds, and, in a regional briefing, what it
    leaves out: the reports the cleaning could place in no region."""
    period = analysis.out_of_scope(data, p["start_year"], p["end_year"])
    if not p["regions"]:
        return (f"The last table of this section lists what else the chapters report for the period "
                f"({_reports(len(period))}), with their own figures." if len(period) else
                "The chapters report nothing else for the period.")
    listed = analysis.out_of_scope(data, p["start_year"], p["end_year"], p["regions"])
    unplaced = int((period["admin1_all"] == "").sum())
    sentence = (f"The last table of this section lists what else the chapters report in the chosen regions for the "
                f"period ({_reports(len(listed))}), with their own figures." if len(listed) else
                "The chapters report nothing else in the chosen regions for the period.")
    if unplaced == 1:
        sentence += (" Another report names no place in Mali, or none at all: it is listed only in the all-Mali "
                     "briefing.")
    elif unplaced:
        sentence += (f" Another {unplaced:,} reports name no place in Mali, or none at all (the arrest of a named "
                     "person, a measure taken nationwide): they are listed only in the all-Mali briefing.")
    return sentence


def _reports(n: int) -> str:
    return f"{n:,} report" if n == 1 else f"{n:,} reports"


ACLED_METHODOLOGY = """
**Where the data comes from.** This briefing was built from the {label}: ACLED's events, not the project's
coding of Amnesty International and Human Rights Watch reports. ACLED codes political violence from media,
partner and other reports under its own rules; {events:,} of its events carry a violation this briefing counts.

**How ACLED's events become this briefing's.** Killings are the fatalities of ACLED's 'Violence against
civilians' events, so civilians killed in battles, which ACLED does not separate, are left out. ACLED records
the lowest reported figure, so the low and the high are that one figure. Disappearances are its
'Abduction/forced disappearance' events and detentions its 'Arrests' events; ACLED codes only significant
arrests and gives no count of the people arrested or abducted, so for those two violations this briefing
shows events, not people. An event repeated in the export counts once. Perpetrator classes follow ACLED's
first actor and its first associated actor, mapped by name (`data/reference/acled_actors.csv`), by ACLED's
naming rules (`acled_actor_patterns.csv`: "Military Forces of Mali (2013-2020)", "Fulani Ethnic Militia (Mali)")
and, for a name no table knows, by ACLED's inter code (`acled_inter_codes.csv`); the cleaning lists those names
with their event counts (`unmapped_actors.csv`). Regions follow ACLED's admin1, which uses the same pre-2023
division as the project; a point within {tolerance:g} km of Mali's outline is a border locality, and one
further out keeps its event and region but not its place on the map.

**Limitations.** ACLED's coverage depends on what is reported and on its sources in Mali; a rise or fall
between years can reflect reporting rather than violence. Torture, sexual violence and injuries are not
counted here.
"""


def sources_html(data, selection) -> str:
    if analysis.input_format(data) == "acled":
        return (f"<p>Data: {html.escape(source_label(data))}, from ACLED (Armed Conflict Location & Event Data), "
                "<a href=\"https://acleddata.com/\">https://acleddata.com/</a>. Cite ACLED as its terms of use "
                "require, and each event by its ACLED identifier (event_id_cnty).</p>")
    cited = {s for ids in selection.events["source_ids"] for s in ids.split("; ")}
    items = "".join(
        f"<li><strong>{html.escape(r.source_id)}</strong>: {html.escape(r.publisher)}, "
        f"<em>{html.escape(r.title)}</em> (published {html.escape(r.published)}). "
        f"<a href=\"{html.escape(r.url)}\">{html.escape(r.url)}</a>"
        f"{'' if r.source_id in cited else ' (no event in this selection)'}</li>"
        for r in data.sources.itertuples())
    return (f"<p>The chapters behind this briefing:</p><ul>{items}</ul>"
            "<p><strong>How to cite.</strong> Mali human-rights briefing: killings, detentions and enforced "
            "disappearances documented by Amnesty International and Human Rights Watch, with the period and "
            "parameters shown at the top of this page, and the event identifiers (EV-...) of the events you use.</p>"
            "<p><strong>Corrections.</strong> Each event lists the chapter, section and paragraph it is coded from. "
            "If a figure, a place or an attribution differs from its source, please open an issue in the project's "
            "repository naming the event identifier and the passage; corrections are made in the raw data, never in "
            "the processed tables, and every briefing is rebuilt from them.</p>")


EMBED_LIMIT = 5_000_000  # bytes of CSV embedded in the HTML page; beyond it the page would be too heavy to open


def downloads_html(selection) -> str:
    """The selection's data as CSV, embedded in the page, so the reader takes it away with no server."""
    from malibrief.io import to_csv_text

    links = []
    for name, frame in (("events", selection.events), ("violations", selection.violations)):
        text = to_csv_text(frame).encode("utf-8")
        if len(text) > EMBED_LIMIT:
            links.append(f"<li>{name}.csv ({len(frame):,} rows) is too large to embed in this page: take it from "
                         f"the processed folder of this build</li>")
            continue
        data = base64.b64encode(text).decode("ascii")
        links.append(f"<li><a download=\"{name}.csv\" href=\"data:text/csv;charset=utf-8;base64,{data}\">"
                     f"{name}.csv</a> ({len(frame):,} rows)</li>")
    return ("<p><strong>Download the data behind this briefing</strong> (this selection; the full tables and the "
            "charts as PNG and SVG are in the project's <code>data/processed/</code> and <code>figures/</code>):</p>"
            f"<ul>{''.join(links)}</ul>")
