"""From raw mentions to one validated row per event: the steps the cleaning notebook shows.

Each step is a function over data frames; `clean()` runs them in order and collects every problem in
the input before raising, so nothing is written from input that is not wholly valid.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from malibrief import config
from malibrief.cleaning import schemas
from malibrief.cleaning.actors import ActorIndex
from malibrief.cleaning.counts import CountRules, parse_count
from malibrief.cleaning.dates import DateSpan, parse_date
from malibrief.cleaning.places import Gazetteer, MaliOutline, read_boundaries
from malibrief.errors import DataError, Problem, raise_if
from malibrief.io import read_csv

PRECISION_RANK = {p: i for i, p in enumerate(config.DATE_PRECISIONS)}


@dataclass
class Inputs:
    raw_dir: Path
    reference_dir: Path
    sources: pd.DataFrame
    incidents: pd.DataFrame
    gazetteer: Gazetteer
    actors: ActorIndex
    outcome_rules: pd.DataFrame
    count_rules: CountRules
    out_of_scope: pd.DataFrame
    claimants: dict[str, str]  # claimant_text -> kind (party, inquiry, witness, other)


@dataclass
class CleaningLog:
    rows: list[dict] = field(default_factory=list)

    def add(self, step: str, count: int, detail: str) -> None:
        self.rows.append({"step": step, "count": count, "detail": detail})

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["step", "count", "detail"])


def load_inputs(raw_dir: Path = config.RAW, reference_dir: Path = config.REFERENCE) -> Inputs:
    """Read and validate the raw and reference tables; every problem is reported at once."""
    raw_dir, reference_dir = Path(raw_dir), Path(reference_dir)
    found: list[Problem] = []

    def validated(path, schema, required=()):
        frame = read_csv(path, required)
        frame, problems = schemas.check(schema, frame, path)
        found.extend(problems)
        return frame

    # The reference tables first: a bad one would otherwise also show as errors in every raw row that uses it.
    tags = validated(reference_dir / "victim_tags.csv", schemas.victim_tags_schema(), ("tag",))["tag"]
    flags = validated(reference_dir / "flags.csv", schemas.flags_schema(), ("flag", "description"))["flag"]
    places_path = reference_dir / "places.csv"
    places = validated(places_path, schemas.places_schema())
    actors = validated(reference_dir / "actors.csv", schemas.actors_schema())
    phrases = validated(reference_dir / "actor_phrases.csv", schemas.actor_phrases_schema(actors["actor"]))
    claimants_path = reference_dir / "claimants.csv"
    claimants = validated(claimants_path, schemas.claimants_schema(), ("claimant_text", "kind"))
    count_words = validated(reference_dir / "count_words.csv", schemas.count_words_schema(),
                            ("term", "kind", "low", "high", "rule"))
    outcome_rules = validated(reference_dir / "outcome_rules.csv", schemas.outcome_rules_schema(), ("pattern", "outcome"))
    for name, regions in ((config.OUTLINE_FILE, None), (config.ADMIN1_FILE, config.ADMIN1)):
        try:
            read_boundaries(reference_dir / name, regions)
        except DataError as err:
            found.extend(err.problems)
    raise_if(found)
    sources = validated(raw_dir / "sources.csv", schemas.sources_schema(), ("source_id",))
    incidents = validated(raw_dir / "incidents.csv",
                          schemas.incidents_schema(sources["source_id"], tags, flags), schemas.INCIDENT_COLUMNS)
    out_of_scope = validated(raw_dir / "out_of_scope.csv", schemas.out_of_scope_schema(sources["source_id"]),
                             ("source_id", "section", "paragraph", "violation", "count_text", "place_text", "summary"))
    raise_if(found)
    kinds = dict(zip(claimants["claimant_text"], claimants["kind"]))
    found += _claimant_problems(incidents, kinds, raw_dir / "incidents.csv", claimants_path)

    gazetteer = Gazetteer(places)
    found += [Problem(str(places_path), line, "aliases", alias, "alias belongs to more than one place")
              for alias, lines in gazetteer.duplicate_aliases() for line in lines]
    outline = MaliOutline(reference_dir / config.OUTLINE_FILE)
    for i, row in places.iterrows():
        if not outline.contains(row["latitude"], row["longitude"]):
            found.append(Problem(str(places_path), i, "latitude/longitude",
                                 f"{row['latitude']}, {row['longitude']}", "lies outside Mali's outline"))
    found += _link_problems(incidents, raw_dir / "incidents.csv")
    raise_if(found)
    return Inputs(raw_dir, reference_dir, sources, incidents, gazetteer, ActorIndex(actors, phrases), outcome_rules,
                  CountRules.from_table(count_words), out_of_scope, kinds)


def _claimant_problems(incidents: pd.DataFrame, kinds: dict[str, str], path: Path, table: Path) -> list[Problem]:
    """Every claimant is in claimants.csv, and a party's figure is flagged as one, both ways: the best estimate
    and the low/high leave out party figures by that flag."""
    problems = []
    for i, row in incidents.iterrows():
        claimant, flagged = row["claimant_text"], "party_figure" in row["flags"].split(";")
        if claimant and claimant not in kinds:
            problems.append(Problem(str(path), i, "claimant_text", claimant, f"claimant not in {table.name}: add it "
                                    "there with its kind (party, inquiry, witness, other)"))
        elif (kinds.get(claimant) == "party") != flagged:
            problems.append(Problem(str(path), i, "flags", row["flags"],
                                    "party_figure must be set exactly when the claimant is a party "
                                    f"({claimant or 'no claimant'} is {kinds.get(claimant, 'not a party')})"))
    return problems


def _link_problems(incidents: pd.DataFrame, path: Path) -> list[Problem]:
    ids = set(incidents["mention_id"])
    return [Problem(str(path), i, column, row[column], "names a mention_id that does not exist")
            for i, row in incidents.iterrows() for column in schemas.LINK_COLUMNS
            if row[column] and row[column] not in ids]


def _implausible_date(span: DateSpan, chapter_year: int, flags: str, today: date) -> str | None:
    """Why a date cannot be right, or None. A chapter reports on its year; it looks back further only for an
    event it revisits (a massacre tried later, a detention that goes on), and the coder flags those
    before_chapter_year, so only an unflagged date more than a year before the chapter's year is an error."""
    if span.start > today:
        return f"the date {span.start.isoformat()} is after the build date {today.isoformat()}"
    earliest = date(chapter_year - 1, 1, 1)
    if span.start < earliest and "before_chapter_year" not in {f.strip() for f in flags.split(";")}:
        return (f"the date {span.start.isoformat()} is more than a year before the chapter's year {chapter_year}: "
                "if the chapter revisits an earlier event, flag the mention before_chapter_year")
    return None


def parse_mentions(inputs: Inputs, log: CleaningLog, today: date | None = None) -> pd.DataFrame:
    """One parsed row per mention: dates, counts, places and actors, or every problem at once. `today` is
    the build date no event may come after."""
    today = today or date.today()
    path = str(inputs.raw_dir / "incidents.csv")
    years = dict(zip(inputs.sources["source_id"], inputs.sources["events_year"].astype(int)))
    # Number words are read in the source's language (sources.csv's optional `language`, default English).
    languages = dict(zip(inputs.sources["source_id"], inputs.sources.get("language", pd.Series(dtype=str))))
    rows = {r["mention_id"]: (i, r) for i, r in inputs.incidents.iterrows()}
    rules = inputs.count_rules
    problems: list[Problem] = []
    spans: dict[str, DateSpan] = {}

    def date_of(mention_id: str, chain=()) -> DateSpan | None:
        if mention_id in spans:
            return spans[mention_id]
        i, row = rows[mention_id]
        anchor = None
        if row["date_from"]:
            if row["date_from"] in chain:
                problems.append(Problem(path, i, "date_from", row["date_from"], "date_from goes round in a circle"))
                return None
            anchor = date_of(row["date_from"], (*chain, mention_id))
            if anchor is None:
                return None
        try:
            span = parse_date(row["date_text"], years[row["source_id"]], anchor)
        except ValueError as err:
            problems.append(Problem(path, i, "date_text", row["date_text"], str(err)))
            return None
        implausible = _implausible_date(span, years[row["source_id"]], row["flags"], today)
        if implausible:
            problems.append(Problem(path, i, "date_text", row["date_text"], implausible))
        spans[mention_id] = span
        return span

    parsed = []
    for mention_id, (i, row) in rows.items():
        line = i
        out = {"mention_id": mention_id}
        span = date_of(mention_id)
        if span:
            out.update(date_start=span.start, date_end=span.end, date_precision=span.precision,
                       relative_date=span.relative)
        for column in config.COUNT_COLUMNS.values():
            phrase = row[f"{column}_text"]
            out[f"{column}_low"], out[f"{column}_high"] = 0, 0
            if phrase.strip():
                try:
                    language = languages.get(row["source_id"]) or "en"
                    out[f"{column}_low"], out[f"{column}_high"] = parse_count(phrase, rules, language)
                except ValueError as err:
                    problems.append(Problem(path, line, f"{column}_text", phrase, str(err)))
        try:
            place = inputs.gazetteer.resolve(row["place_text"])
            out.update(place="; ".join(place.places), admin1=place.admin1, admin1_all="; ".join(place.admin1_all),
                       region_reported=place.region_reported, latitude=place.latitude,
                       longitude=place.longitude, geo_precision=place.geo_precision)
        except ValueError as err:
            problems.append(Problem(path, line, "place_text", row["place_text"], str(err)))
        try:
            actors, actor_class = inputs.actors.resolve(row["perpetrator_text"])
            out.update(actor="; ".join(actors), actor_class=actor_class)
        except ValueError as err:
            problems.append(Problem(path, line, "perpetrator_text", row["perpetrator_text"], str(err)))
        out["outcome"] = outcome_of(row, out, inputs.outcome_rules)
        out["claimant_kind"] = inputs.claimants.get(row["claimant_text"], "")
        parsed.append(out)
    raise_if(problems)
    frame = inputs.incidents.merge(pd.DataFrame(parsed), on="mention_id", validate="one_to_one")
    frame["events_year"] = frame["source_id"].map(years)
    log.add("dates", len(frame), _tally(frame["date_precision"], "precision"))
    log.add("relative dates", int(frame["relative_date"].sum()), "resolved through date_from and flagged relative_date")
    log.add("places", int((frame["place_text"] != "").sum()),
            f"place phrases resolved; {int((frame['place_text'] == '').sum())} mentions name no place")
    log.add("actors", len(frame), _tally(frame["actor_class"], "class"))
    return frame


def outcome_of(row, parsed: dict, rules: pd.DataFrame) -> str:
    """What became of the detained or disappeared, by the first rule whose pattern the outcome matches."""
    held = parsed["detained_low"] or parsed["disappeared_low"]
    if not held:
        return ""
    for pattern, outcome in zip(rules["pattern"], rules["outcome"]):
        if row["outcome_text"] and re.search(pattern, row["outcome_text"], re.I):
            return outcome
    return "killed" if parsed["killed_low"] else "unknown"


def _tally(series: pd.Series, what: str) -> str:
    counts = series.value_counts()
    return "; ".join(f"{what} {k}: {v}" for k, v in sorted(counts.items()))


def _overlaps(a, b) -> bool:
    return a["date_start"] <= b["date_end"] and b["date_start"] <= a["date_end"]


def _shares_violation(a, b) -> bool:
    return any(a[f"{c}_low"] and b[f"{c}_low"] for c in config.COUNT_COLUMNS.values())


def group_mentions(mentions: pd.DataFrame, log: CleaningLog) -> dict[str, str]:
    """Map each mention to the first mention of its event (explicit links, then the same-event rule)."""
    parent = {m: m for m in mentions["mention_id"]}

    def root(m):
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    def join(a, b, reason):
        ra, rb = root(a), root(b)
        if ra != rb:
            first, second = sorted((ra, rb), key=order.get)
            parent[second] = first
            log.add("merge", 1, f"{b} joins {a}: {reason}")

    order = {m: i for i, m in enumerate(mentions.sort_values(["events_year", "mention_id"])["mention_id"])}
    for row in mentions.itertuples():
        for column, reason in (("revisits", "revisits link"), ("same_event_as", "same event, another claimant")):
            if getattr(row, column):
                join(getattr(row, column), row.mention_id, reason)
    records = mentions.to_dict("records")
    for i, a in enumerate(records):
        for b in records[i + 1:]:
            if (a["source_id"] != b["source_id"] and a["place"] and a["place"] == b["place"]
                    and _overlaps(a, b) and _shares_violation(a, b)):
                join(a["mention_id"], b["mention_id"], "same place, overlapping dates and violation")
    return {m: root(m) for m in parent}


def build_events(mentions: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    """One row per event; its counts span all its mentions; its date is the most precise one given."""
    by_group: dict[str, list[dict]] = {}
    for record in mentions.to_dict("records"):  # plain dicts: per-event DataFrame slicing cost ~0.6 s for 91 events
        by_group.setdefault(groups[record["mention_id"]], []).append(record)
    events = [_event(sorted(g, key=lambda r: (r["events_year"], r["mention_id"]))) for g in by_group.values()]
    frame = pd.DataFrame(events).sort_values(["date_start", "mention_ids"], kind="stable").reset_index(drop=True)
    # Named after its first mention, so an id never changes when coding adds an earlier event.
    frame.insert(0, "event_id", "EV-" + frame["mention_ids"].str.split("; ").str[0])
    return frame


def _first(group: list[dict], column: str):
    """The first mention with a value in column, else the event's first mention."""
    return next((r for r in group if r[column]), group[0])


def _joined(values) -> str:
    return "; ".join(dict.fromkeys(v.strip() for value in values for v in str(value).split(";") if v.strip()))


def _event(group: list[dict]) -> dict:
    primary = group[0]
    dated = min(group, key=lambda r: PRECISION_RANK[r["date_precision"]])  # the first of the most precise
    placed, acting = _first(group, "place"), _first(group, "perpetrator_text")
    known_outcomes = [r["outcome"] for r in group if r["outcome"] and r["outcome"] != "unknown"]
    # An event is borderline only if every account of it is: Moura stays in when the government's figure is
    # left out, because Amnesty's own account of it is not a party's figure.
    per_mention = [set(r["flags"].split(";")) - {""} for r in group]
    flags = set.intersection(*per_mention)
    if dated["relative_date"]:
        flags.add("relative_date")
    described = [r for r, f in zip(group, per_mention) if "party_figure" not in f] or group
    victim_types = {r["victim_type"] for r in described}
    event = {
        "year": dated["date_start"].year,
        "date_start": dated["date_start"], "date_end": dated["date_end"], "date_precision": dated["date_precision"],
        **{c: placed[c] for c in ("place", "admin1", "admin1_all", "region_reported",
                                  "latitude", "longitude", "geo_precision")},
        "actor": acting["actor"], "actor_class": acting["actor_class"], "attribution": acting["attribution"],
        "victims": _first(group, "victims_text")["victims_text"],
        "victim_type": victim_types.pop() if len(victim_types) == 1 else "mixed",
        "victim_tags": _joined(r["victim_tags"] for r in group),
        "outcome": known_outcomes[-1] if known_outcomes else _first(group, "outcome")["outcome"],
    }
    for column in config.COUNT_COLUMNS.values():
        event.update(_figures(group, column))
    event.update(
        claims=" | ".join(_claim(r) for r in group if r["claimant_text"]),
        actor_link=_joined(r["actor_link_text"] for r in group),
        flags="; ".join(sorted(flags)),
        source_ids="; ".join(dict.fromkeys(r["source_id"] for r in group)),
        mention_ids="; ".join(r["mention_id"] for r in group),
        citations="; ".join(f"{r['mention_id']} ({r['section']}, para {r['paragraph']})" for r in group),
        summary=primary["summary"], summary_fr=primary["summary_fr"],
    )
    return event


CREDIBILITY = {"inquiry": 0}  # claimant kinds ranked above the rest for the best estimate; party figures never count


def _is_party(mention: dict) -> bool:
    return mention["claimant_kind"] == "party" or "party_figure" in mention["flags"].split(";")


def _figures(group: list[dict], column: str) -> dict:
    """Low, high and best for one violation of an event, from the accounts that are not a party's (a party's own
    figure is a claim, kept in `claims`); only when every account is a party's do its figures stand, flagged.

    Best is the figure of the most credible account: an inquiry's or the UN's finding first, then an exact figure
    before a vague phrase, then the latest chapter; a vague or open-ended account gives its low."""
    present = [r for r in group if r[f"{column}_low"] > 0]
    if not present:
        return {f"{column}_low": 0, f"{column}_high": 0, f"{column}_best": 0, f"{column}_text": ""}
    basis = [r for r in present if not _is_party(r)] or present
    highs = [r[f"{column}_high"] for r in basis]
    low = int(min(r[f"{column}_low"] for r in basis))
    high = None if any(pd.isna(h) for h in highs) else int(max(highs))
    def rank(r):
        exact = pd.notna(r[f"{column}_high"]) and r[f"{column}_high"] == r[f"{column}_low"]
        return CREDIBILITY.get(r["claimant_kind"], 1), not exact, -r["events_year"]

    chosen = min(basis, key=rank)
    best = max(low, int(chosen[f"{column}_low"]))
    return {f"{column}_low": low, f"{column}_high": high, f"{column}_best": best if high is None else min(best, high),
            f"{column}_text": " | ".join(f"{r['mention_id']}: {r[f'{column}_text']}" for r in present)}


def _claim(mention: dict) -> str:
    """Who gave a mention's figure, of what kind, and the figure: "AI-2022-012: the government announced (party):
    203 “jihadists”"."""
    figures = "; ".join(mention[f"{c}_text"] for c in config.COUNT_COLUMNS.values() if mention[f"{c}_text"])
    return f"{mention['mention_id']}: {mention['claimant_text']} ({mention['claimant_kind']}): {figures}"


def long_violations(events: pd.DataFrame) -> pd.DataFrame:
    """One row per event and violation, for charts and sums."""
    keep = ["event_id", "year", "date_start", "admin1", "place", "actor", "actor_class", "attribution",
            "victim_type", "flags"]
    parts = []
    for violation, column in config.COUNT_COLUMNS.items():
        rows = events[events[f"{column}_low"] > 0]
        parts.append(rows[keep].assign(violation=violation, victims_low=rows[f"{column}_low"],
                                       victims_high=rows[f"{column}_high"], victims_best=rows[f"{column}_best"]))
    frame = pd.concat(parts)  # each part keeps the events' row numbers as its index
    rank = frame["violation"].map({v: i for i, v in enumerate(config.VIOLATIONS)}).to_numpy()
    return frame.iloc[np.lexsort((rank, frame.index.to_numpy()))].reset_index(drop=True)


def drop_flagged(events: pd.DataFrame, exclude_flags, log: CleaningLog) -> pd.DataFrame:
    exclude = set(exclude_flags or ())
    if not exclude:
        return events
    hit = events["flags"].map(lambda f: bool(exclude & set(f.split("; "))))
    log.add("flags left out", int(hit.sum()), f"events carrying {', '.join(sorted(exclude))}")
    return events[~hit].reset_index(drop=True)


def check_exclude_flags(exclude_flags, reference_dir: Path) -> None:
    known = set(read_csv(Path(reference_dir) / "flags.csv", ("flag",))["flag"]) | {"relative_date"}
    raise_if(Problem("parameter exclude_flags", None, None, f, f"unknown flag; known: {', '.join(sorted(known))}")
             for f in exclude_flags or () if f not in known)


def finalise(events: pd.DataFrame, log: CleaningLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Give the events their final types, derive the long table, and validate both."""
    events = events.copy()
    for column in config.COUNT_COLUMNS.values():
        events[f"{column}_low"] = events[f"{column}_low"].astype("Int64")
        events[f"{column}_high"] = events[f"{column}_high"].astype("Int64")
        events[f"{column}_best"] = events[f"{column}_best"].astype("Int64")
    for column in ("date_start", "date_end"):
        events[column] = pd.to_datetime(events[column]).astype("datetime64[ns]")
    events["year"] = events["year"].astype(int)
    events["geo_precision"] = events["geo_precision"].astype("Int64")  # empty where no place is named
    violations = long_violations(events)
    as_written = {"events.csv": events, "violations.csv": violations}  # lines as the files will have them
    raise_if(p for name, frame in as_written.items() for p in schemas.check(
        schemas.events_schema() if name == "events.csv" else schemas.violations_schema(),
        frame.set_axis(range(2, len(frame) + 2)), name)[1])
    log.add("events out", len(events), "one row per event")
    log.add("violations out", len(violations), "one row per event and violation")
    flagged = events["flags"][events["flags"] != ""].str.split("; ").explode()
    log.add("flagged", int((events["flags"] != "").sum()), _tally(flagged, "flag") if len(flagged) else "")
    return events, violations


def place_out_of_scope(out_of_scope: pd.DataFrame, gazetteer: Gazetteer, log: CleaningLog) -> pd.DataFrame:
    """The out-of-scope rows with the regions their places lie in (`admin1_all`), so that a regional briefing
    lists its own. These rows are context, never counted: a place phrase the gazetteer cannot put in Mali
    (abroad, "along roads") leaves the row without a region instead of stopping the cleaning, and the log lists
    each one; a row that names no place has none either. Rows without a region show only in briefings that
    choose no region."""
    regions = []
    for line, row in out_of_scope.iterrows():
        try:
            regions.append("; ".join(gazetteer.resolve(row["place_text"]).admin1_all))
        except ValueError:
            regions.append("")
            log.add("out of scope: no region", 1, f"line {line}: {row['place_text']!r} ({row['source_id']})")
    return out_of_scope.assign(admin1_all=regions)


@dataclass
class Cleaned:
    mentions: pd.DataFrame
    events: pd.DataFrame
    violations: pd.DataFrame
    log: pd.DataFrame


def clean(raw_dir: Path = config.RAW, reference_dir: Path = config.REFERENCE, exclude_flags=()) -> Cleaned:
    """All steps in order, as the cleaning notebook runs them one by one."""
    log = CleaningLog()
    check_exclude_flags(exclude_flags, reference_dir)
    inputs = load_inputs(raw_dir, reference_dir)
    log.add("rows in", len(inputs.incidents), "mentions read")
    mentions = parse_mentions(inputs, log)
    events = drop_flagged(build_events(mentions, group_mentions(mentions, log)), exclude_flags, log)
    events, violations = finalise(events, log)
    return Cleaned(mentions, events, violations, log.table())
