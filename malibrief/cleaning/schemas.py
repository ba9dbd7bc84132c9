"""pandera schemas for the raw, reference and processed tables, and one way to report their failures.

Each failure becomes a Problem naming the file, the line, the column and the value, and all of them
are reported at once (lazy validation), so a coder fixes a whole file in one pass.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from malibrief import config
from malibrief.errors import Problem

TEXT_COLUMNS = ("date_text", "place_text", "perpetrator_text", "actor_link_text", "victims_text",
                "killed_text", "detained_text", "disappeared_text", "claimant_text", "outcome_text")
LINK_COLUMNS = ("revisits", "same_event_as", "date_from")
INCIDENT_COLUMNS = ("mention_id", "source_id", "section", "paragraph", *TEXT_COLUMNS[:8], "victim_type",
                    "victim_tags", "attribution", *TEXT_COLUMNS[8:], *LINK_COLUMNS, "flags", "summary", "summary_fr")
CLAIMANT_KINDS = ("party", "inquiry", "witness", "other")

_NOT_BLANK = pa.Check(lambda s: s.str.strip() != "", element_wise=False, error="is empty or only spaces")
_NO_PADDING = pa.Check(lambda s: (s == "") | (s.str.strip() != ""), error="holds only spaces")


def _listed(allowed, what: str) -> pa.Check:
    """Each `;`-separated item must be in the allowed set."""
    allowed = frozenset(allowed)
    return pa.Check(
        lambda s: s.map(lambda v: all(item.strip() in allowed for item in v.split(";") if item.strip())),
        error=f"holds a {what} that is not in its reference table ({what}s: data/reference)")


def _text(*checks, required=False) -> pa.Column:
    return pa.Column(str, [_NOT_BLANK] if required else [_NO_PADDING, *checks])


def sources_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema({
        "source_id": pa.Column(str, [pa.Check.str_matches(r"^[A-Z]+-\d{4}$")], unique=True),
        "publisher": _text(required=True),
        "title": _text(required=True),
        "events_year": pa.Column(str, pa.Check.str_matches(r"^\d{4}$")),
        "published": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}(-\d{2})?$")),
        "url": pa.Column(str, pa.Check.str_matches(r"^https://")),
        "language": pa.Column(str, pa.Check.isin(("", "en", "fr")), required=False),  # for number words; "" is English
        # The day the project read the chapter at its address; blank where nobody recorded it.
        "accessed": pa.Column(str, pa.Check.str_matches(r"^(\d{4}-\d{2}-\d{2})?$"), required=False),
    }, strict=False)


def incidents_schema(source_ids, victim_tags, flags) -> pa.DataFrameSchema:
    columns = {
        "mention_id": pa.Column(str, pa.Check.str_matches(r"^[A-Z]+-\d{4}-\d{3}$"), unique=True),
        "source_id": pa.Column(str, pa.Check.isin(sorted(source_ids))),
        "section": _text(required=True),
        "paragraph": pa.Column(str, pa.Check.str_matches(r"^[1-9]\d*$", error="is not a positive whole number")),
        **{c: _text() for c in TEXT_COLUMNS},
        "victim_type": pa.Column(str, pa.Check.isin(config.VICTIM_TYPES)),
        "victim_tags": _text(_listed(victim_tags, "victim tag")),
        "attribution": pa.Column(str, pa.Check.isin(("", *config.ATTRIBUTIONS))),
        **{c: pa.Column(str, pa.Check.str_matches(r"^([A-Z]+-\d{4}-\d{3})?$")) for c in LINK_COLUMNS},
        "flags": _text(_listed(flags, "flag")),
        "summary": _text(required=True),
        "summary_fr": _text(required=True),
    }
    return pa.DataFrameSchema(columns, strict=False, checks=[
        pa.Check(lambda df: (df["killed_text"].str.strip() + df["detained_text"].str.strip()
                             + df["disappeared_text"].str.strip()) != "",
                 error="killed_text: no killed_text, detained_text or disappeared_text: a mention must record a violation"),
        pa.Check(lambda df: df.apply(lambda r: r["mention_id"].startswith(r["source_id"] + "-"), axis=1),
                 error="mention_id: does not start with its source_id"),
    ])


def places_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema({
        "place_id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9]+(-[a-z0-9]+)*$"), unique=True),
        "name": _text(required=True),
        "kind": pa.Column(str, pa.Check.isin(("locality", "commune", "cercle", "region", "city"))),
        "aliases": _text(required=True),
        "admin1": pa.Column(str, pa.Check.isin(config.ADMIN1)),
        "latitude": pa.Column(float, pa.Check.in_range(10.0, 25.1), coerce=True),
        "longitude": pa.Column(float, pa.Check.in_range(-12.3, 4.3), coerce=True),
        "geo_precision": pa.Column(int, pa.Check.isin(config.GEO_PRECISIONS), coerce=True),
        "coord_source": _text(required=True),
    }, strict=False)


def actors_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema({
        "actor": pa.Column(str, unique=True),
        "group": pa.Column(str, pa.Check.isin(("state", "authority", "foreign", "islamist", "militia", "other", "unknown"))),
        "description": _text(required=True),
    }, strict=False)


def claimants_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema({
        "claimant_text": pa.Column(str, _NOT_BLANK, unique=True),
        "kind": pa.Column(str, pa.Check.isin(CLAIMANT_KINDS)),
    }, strict=False)


def actor_phrases_schema(actors) -> pa.DataFrameSchema:
    return pa.DataFrameSchema({
        "perpetrator_text": pa.Column(str, unique=True),
        "actors": pa.Column(str, [_NOT_BLANK, _listed(actors, "actor")]),
    }, strict=False)


COUNT_KINDS = ("number", "article", "name", "qualifier", "suffix", "part", "vague", "multiplier", "scaled",
               "collective", "not_a_name")
_WHOLE = r"^\d+$"
_FORMULA = r"^(N|N\+1|\d+)$"


def _rows(kind: str, test) -> callable:
    """A whole-frame check that applies `test` to the rows of one kind and passes every other row."""
    return lambda df: (df["kind"] != kind) | df.apply(test, axis=1)


def count_words_schema() -> pa.DataFrameSchema:
    """count_words.csv: each kind's low and high must be what counts.py applies (a figure, or a formula in N)."""
    whole = lambda v: bool(re.match(_WHOLE, v))  # noqa: E731
    formula = lambda v: bool(re.match(_FORMULA, v))  # noqa: E731
    return pa.DataFrameSchema({
        "term": _text(required=True),
        "kind": pa.Column(str, pa.Check.isin(COUNT_KINDS)),
        "low": pa.Column(str),
        "high": pa.Column(str),
        "rule": _text(required=True),
    }, strict=False, unique=["term", "kind"], checks=[
        pa.Check(_rows("qualifier", lambda r: formula(r["low"])), error="low: is not N, N+1 or a whole number"),
        pa.Check(_rows("qualifier", lambda r: r["high"] == "" or formula(r["high"])),
                 error="high: is not N, N+1, a whole number or empty (no upper figure)"),
        pa.Check(_rows("vague", lambda r: whole(r["low"])), error="low: is not a whole number"),
        pa.Check(_rows("vague", lambda r: r["high"] == "" or whole(r["high"])),
                 error="high: is not a whole number or empty (no upper figure)"),
        pa.Check(_rows("vague", lambda r: not (whole(r["low"]) and whole(r["high"])) or int(r["low"]) <= int(r["high"])),
                 error="high: is below low: the rule would give a count whose high is below its low"),
        pa.Check(_rows("multiplier", lambda r: whole(r["low"]) and int(r["low"]) > 1),
                 error="low: is not a whole number above 1"),
    ])


def outcome_rules_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema({
        "pattern": pa.Column(str, [_NOT_BLANK, pa.Check(lambda s: s.map(_compiles),
                                                        error="is not a regular expression (Python re)")]),
        "outcome": pa.Column(str, pa.Check.isin(config.OUTCOMES)),
    }, strict=False)


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def flags_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema({
        "flag": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z_]*$", error="is not a flag name (lower case and _)"),
                          unique=True),
        "description": _text(required=True),
    }, strict=False)


def victim_tags_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema({"tag": pa.Column(str, _NOT_BLANK, unique=True)}, strict=False)


def out_of_scope_schema(source_ids) -> pa.DataFrameSchema:
    return pa.DataFrameSchema({
        "source_id": pa.Column(str, pa.Check.isin(sorted(source_ids))),
        "section": _text(required=True),
        "paragraph": pa.Column(str, pa.Check.str_matches(r"^[1-9]\d*$", error="is not a positive whole number")),
        "violation": pa.Column(str, pa.Check.isin(config.OUT_OF_SCOPE_VIOLATIONS)),
        "count_text": _text(),
        "place_text": _text(),
        "summary": _text(required=True),
    }, strict=False)


def events_schema() -> pa.DataFrameSchema:
    count = pa.Column("Int64", pa.Check.ge(0), nullable=False)
    open_count = pa.Column("Int64", pa.Check.ge(0), nullable=True)
    violations = {}
    for column in config.COUNT_COLUMNS.values():
        violations[f"{column}_low"] = count
        violations[f"{column}_high"] = open_count
        violations[f"{column}_best"] = count
    return pa.DataFrameSchema({
        "event_id": pa.Column(str, pa.Check.str_matches(r"^[A-Za-z0-9-]+$"), unique=True),  # EV-<mention_id>, or ACLED's
        "year": pa.Column(int, pa.Check.in_range(1990, 2100)),
        "date_start": pa.Column("datetime64[ns]"),
        "date_end": pa.Column("datetime64[ns]"),
        "date_precision": pa.Column(str, pa.Check.isin(config.DATE_PRECISIONS)),
        "admin1": pa.Column(str, pa.Check.isin(("", *config.ADMIN1))),
        # Mali's bounding box and config.ACLED_BORDER_TOLERANCE_KM (0.1 degree) around it: ACLED's border points
        "latitude": pa.Column(float, pa.Check.in_range(10.0 - 0.1, 25.1 + 0.1), nullable=True),
        "longitude": pa.Column(float, pa.Check.in_range(-12.3 - 0.1, 4.3 + 0.1), nullable=True),
        "actor_class": pa.Column(str, pa.Check.isin(config.ACTOR_CLASSES)),
        "victim_type": pa.Column(str, pa.Check.isin(config.VICTIM_TYPES)),
        "outcome": pa.Column(str, pa.Check.isin(("", *config.OUTCOMES))),
        **violations,
    }, strict=False, checks=[
        pa.Check(lambda df: df["date_end"] >= df["date_start"], error="date_end: is before date_start"),
        *[pa.Check(lambda df, c=c: df[f"{c}_high"].isna() | (df[f"{c}_high"] >= df[f"{c}_low"]),
                   error=f"{c}_high: is below {c}_low") for c in config.COUNT_COLUMNS.values()],
        *[pa.Check(lambda df, c=c: (df[f"{c}_best"] >= df[f"{c}_low"])
                   & (df[f"{c}_high"].isna() | (df[f"{c}_best"] <= df[f"{c}_high"])),
                   error=f"{c}_best: lies outside {c}_low to {c}_high") for c in config.COUNT_COLUMNS.values()],
    ])


def violations_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema({
        "event_id": pa.Column(str),
        "year": pa.Column(int),
        "violation": pa.Column(str, pa.Check.isin(config.VIOLATIONS)),
        "actor_class": pa.Column(str, pa.Check.isin(config.ACTOR_CLASSES)),
        "victims_low": pa.Column("Int64", pa.Check.ge(1)),
        "victims_high": pa.Column("Int64", pa.Check.ge(1), nullable=True),
        "victims_best": pa.Column("Int64", pa.Check.ge(1)),
    }, strict=False, unique=["event_id", "violation"])


def seats_schema() -> pa.DataFrameSchema:
    """data/reference/seats.csv, which only scripts/ read: the seat town of every region (config.ADMIN1, each
    once) and of every cercle, by its GeoNames name; a region's row has the map's label and its kind of capital."""
    def region(frame):
        return frame["level"] == "region"

    return pa.DataFrameSchema({
        "level": pa.Column(str, pa.Check.isin(("region", "cercle"))),
        "unit": _text(required=True),
        "geonames": _text(required=True),
        "label": pa.Column(str, _NO_PADDING),
        "capital": pa.Column(str, pa.Check.isin(("national", "regional", ""))),
    }, strict=True, unique=["level", "unit"], checks=[
        pa.Check(lambda f: ~region(f) | f["unit"].isin(config.ADMIN1), error="unit: a region of config.ADMIN1"),
        pa.Check(lambda f: region(f) == (f["label"] != ""), error="label: given for a region, and only for one"),
        pa.Check(lambda f: region(f) == (f["capital"] != ""),
                 error="capital: national or regional for a region, empty for a cercle"),
        pa.Check(lambda f: set(config.ADMIN1) <= set(f.loc[region(f), "unit"]), error="unit: a seat for every region"),
        pa.Check(lambda f: (f["capital"] == "national").sum() == 1, error="capital: exactly one national capital"),
    ])


def check(schema: pa.DataFrameSchema, frame: pd.DataFrame, file: str | Path) -> tuple[pd.DataFrame, list[Problem]]:
    """The frame as the schema coerces it, and every way it breaks the schema. The frame's index holds
    the line numbers; a check over whole rows names its column in its message ("mention_id: ...")."""
    try:
        return schema.validate(frame, lazy=True), []
    except pa.errors.SchemaErrors as err:
        found = set()
        for case in err.failure_cases.itertuples():
            if case.check == "column_in_dataframe":
                found.add(Problem(str(file), None, case.failure_case, None, "required column is missing"))
                continue
            line = None if case.index is None or pd.isna(case.index) else int(case.index)
            column = case.column if isinstance(case.column, str) else None
            value = case.failure_case if column else None
            message = _describe(str(case.check))
            named = re.match(r"^(\w+): (.*)$", message)
            if named and named[1] in frame.columns:
                column, message = named[1], named[2]
                value = frame.at[line, column] if line in frame.index else None
            found.add(Problem(str(file), line, column, value, message))
        return frame, sorted(found, key=lambda p: (p.row or 0, p.column or "", p.message))


def _describe(check: str) -> str:
    if check == "field_uniqueness" or check == "multiple_fields_uniqueness":
        return "is a duplicate: it must be unique"
    if check.startswith("dtype("):
        return f"has the wrong type: expected {check[6:-1]}"
    if check.startswith("coerce_dtype("):
        return f"cannot be read as {check[13:-1]}"
    if re.match(r"^\w+\(", check):
        return f"fails the check {check}"
    return check
