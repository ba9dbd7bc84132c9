"""Unit tests for the malibrief package: parsers, gazetteer, actors, outcomes, merging, export,
parameters, wording and analysis.

    .venv/bin/python -m pytest -q tests/test_units.py

Expected values are written out here, or recomputed with plain pandas / the csv module from the
project's own files, never taken from the function under test.
"""
from __future__ import annotations

import calendar
import csv
import io
import json
import os
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from text_to_num import text2num

from malibrief import config
from malibrief.briefing import analysis
from malibrief.briefing import prose as narrative
from malibrief.briefing.figures import fmt_range
from malibrief.briefing.i18n import Language
from malibrief.cleaning import export
from malibrief.cleaning import incidents as clean
from malibrief.cleaning.actors import ActorIndex, actor_class
from malibrief.cleaning.counts import parse_count
from malibrief.cleaning.dates import DateSpan, parse_date
from malibrief.cleaning.incidents import (
    CleaningLog,
    build_events,
    group_mentions,
    long_violations,
    outcome_of,
)
from malibrief.cleaning.places import Gazetteer, MaliOutline
from malibrief.errors import DataError
from malibrief.io import to_csv_text
from malibrief.params import ParameterError, validate

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "data" / "reference"
PROCESSED = ROOT / "data" / "processed"

PROPERTY = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------------------------------
# Shared fixtures
# --------------------------------------------------------------------------------------------------

# `cleaned` and `gazetteer` come from conftest.py.


@pytest.fixture(scope="session")
def outcome_rules():
    return pd.read_csv(REFERENCE / "outcome_rules.csv", dtype=str, keep_default_na=False)


def _count_table() -> list[dict]:
    """count_words.csv read with the csv module (not the pandas path the parser uses)."""
    with open(REFERENCE / "count_words.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


COUNT_TABLE = _count_table()
NUMBER_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
                "nineteen", "twenty"]
QUALIFIERS = {r["term"]: (r["low"], r["high"]) for r in COUNT_TABLE if r["kind"] == "qualifier"}
VAGUE = {r["term"]: (int(r["low"]), int(r["high"]) if r["high"] else None)
         for r in COUNT_TABLE if r["kind"] == "vague"}
# Every single word the count rules give a meaning to: generated names must avoid them.
RESERVED_WORDS = {w for r in COUNT_TABLE for w in r["term"].split()} | {"and", "of", "the", "them"}
MONTHS = list(calendar.month_name)[1:]


# --------------------------------------------------------------------------------------------------
# 1. parse_count
# --------------------------------------------------------------------------------------------------

def _formula(formula: str, n: int):
    """Independent reading of a low/high formula from count_words.csv ("N", "N+1", "1", "")."""
    if formula == "":
        return None
    return eval(formula, {}, {"N": n})  # the table's formulas are arithmetic on N only


# A count of no one is an error, tested below; up to four parts stay below the plausibility bound.
numbers = st.integers(min_value=1, max_value=config.MAX_VICTIMS_PER_EVENT // 5)
formatted = st.tuples(numbers, st.booleans()).map(lambda t: (t[0], f"{t[0]:,}" if t[1] else str(t[0])))
nouns = st.sampled_from(["people", "men", "women", "civilians", "villagers", "soldiers", "traders"])


@PROPERTY
@given(formatted, nouns)
def test_count_at_least_is_open_ended(nf, noun):
    n, text = nf
    assert parse_count(f"at least {text} {noun}") == (n, None)


@PROPERTY
@given(formatted, nouns)
def test_count_bare_figure_is_exact(nf, noun):
    n, text = nf
    assert parse_count(f"{text} {noun}") == (n, n)


@PROPERTY
@given(formatted)
def test_count_around_is_the_figure_without_margin(nf):
    n, text = nf
    assert parse_count(f"around {text}") == (n, n)


@PROPERTY
@given(formatted)
def test_count_more_than_is_n_plus_one_open(nf):
    n, text = nf
    assert parse_count(f"more than {text}") == (n + 1, None)


@pytest.mark.parametrize("value, word", list(enumerate(NUMBER_WORDS, start=1)))
def test_count_number_words(value, word):
    assert parse_count(f"{word} people") == (value, value)
    assert parse_count(f"{word.capitalize()} men") == (value, value)


# A grammar of count phrases: qualifier? (number | number word) noun, or a vague word, joined by
# " and " / ", ", with an optional ", and possibly more". The oracle below reads the table itself.
@st.composite
def count_part(draw):
    kind = draw(st.sampled_from(["figure", "figure", "word", "vague", "article"]))
    if kind == "vague":
        word = draw(st.sampled_from(sorted(VAGUE)))
        return f"{word} {draw(nouns)}", VAGUE[word]
    if kind == "article":
        return draw(st.sampled_from(["a woman", "a child", "an activist"])), (1, 1)
    if kind == "word":
        n = draw(st.integers(1, 20))
        text = NUMBER_WORDS[n - 1]
    else:
        n, text = draw(formatted)
    qualifier = draw(st.sampled_from([None, *sorted(QUALIFIERS)]))
    if qualifier is None:
        return f"{text} {draw(nouns)}", (n, n)
    low, high = QUALIFIERS[qualifier]
    return f"{qualifier} {text} {draw(nouns)}", (_formula(low, n), _formula(high, n))


@st.composite
def count_phrase(draw):
    parts = draw(st.lists(count_part(), min_size=1, max_size=4))
    texts = [p[0] for p in parts]
    phrase = texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]
    suffix = draw(st.booleans())
    if suffix:
        phrase += ", and possibly more"
    low = sum(p[1][0] for p in parts)
    highs = [p[1][1] for p in parts]
    high = None if suffix or any(h is None for h in highs) else sum(highs)
    return phrase, (low, high)


@PROPERTY
@given(count_phrase())
def test_count_grammar_matches_table_oracle_and_low_le_high(case):
    phrase, expected = case
    low, high = parse_count(phrase)
    assert (low, high) == expected, phrase
    assert low >= 0
    if high is not None:
        assert low <= high, phrase


def test_count_sums_of_parts():
    assert parse_count("nine men and a woman") == (10, 10)
    assert parse_count("5 men, 3 women and a child") == (9, 9)
    assert parse_count("at least 5 men and 3 women") == (8, None)


def _is_number_word(word: str) -> bool:
    """"Six", "Tens", "Hundred": text2num reads them, so a generated name must not be one."""
    try:
        text2num(word, "en")
    except ValueError:
        return False
    return True


# Capitalised names that no count rule gives a meaning to ("A", "Many", "One" would).
name_word = (st.text(alphabet="abcdefghijklmnoprstuvwyzé", min_size=2, max_size=9)
             .map(lambda s: s[0].upper() + s[1:])
             .filter(lambda w: w.lower() not in RESERVED_WORDS and not _is_number_word(w)))
person = st.lists(name_word, min_size=1, max_size=3).map(" ".join)


@PROPERTY
@given(st.lists(person, min_size=1, max_size=8), st.booleans())
def test_count_list_of_names_counts_one_per_name(names, oxford):
    k = len(names)
    if k == 1:
        phrase = names[0]
    else:
        phrase = ", ".join(names[:-1]) + ("," if oxford and k > 2 else "") + " and " + names[-1]
    assert parse_count(phrase) == (k, k), phrase


def test_count_real_name_lists():
    assert parse_count("Faty and Amy Cissé") == (2, 2)
    assert parse_count("Abba Alhassane, El Bachir Thiam, and Abdoul Karim Traoré") == (3, 3)


def test_count_vague_words():
    low, high = parse_count("hundreds")
    assert low >= 100 and high is not None and high > low
    low, high = parse_count("Hundreds of civilians")
    assert low >= 100 and high > low
    low, high = parse_count("dozens of civilians")
    assert low >= 12 and (high is None or high > low)


def _check_count_examples(parser):
    """Examples a parser that returns (n, n) for every figure must fail."""
    assert parser("20 of the 27 detainees") == (20, 20)
    assert parser("at least 21 men, and possibly more") == (21, None)
    assert parser("at least 50 civilians") == (50, None)
    assert parser("more than 30 people") == (31, None)
    assert parser("up to 12 people") == (1, 12)


def test_count_part_of_whole_and_possibly_more():
    _check_count_examples(parse_count)


def test_count_examples_reject_a_naive_parser():
    """Guard on the guards: a parser returning (n, n) for the first figure fails the examples."""
    def naive(phrase):
        n = int(re.search(r"\d+", phrase).group())
        return n, n
    with pytest.raises(AssertionError):
        _check_count_examples(naive)


@pytest.mark.parametrize("phrase", ["-5 people", "", "people", "at least", "the crowd"])
def test_count_unknown_phrase_raises_with_message(phrase):
    with pytest.raises(ValueError) as err:
        parse_count(phrase)
    message = str(err.value)
    assert message  # never an empty error
    if phrase.startswith("-"):
        assert "negative" in message
    elif phrase:
        assert repr(phrase) in message and "count_words.csv" in message


def test_count_a_great_crowd_raises():
    with pytest.raises(ValueError):
        parse_count("a great crowd")


# Phrases the parser misreads silently: the rest after the first figure/article is never checked,
# and a digit run is not required to end at a word boundary.
MISREAD = [
    ("a dozen villagers", (12, 12)),
    ("one hundred people", (100, 100)),
    ("two thousand people", (2000, 2000)),
    ("1,2345 people", (12345, 12345)),
    ("1.000 people", (1000, 1000)),
]


@pytest.mark.parametrize("phrase, right", MISREAD)
def test_count_no_silent_misread(phrase, right):
    try:
        result = parse_count(phrase)
    except ValueError:
        return  # refusing the phrase is acceptable
    assert result == right


def test_count_up_to_zero_raises():
    """"up to 0 people" counts no one: not a violation, so not a count the parser may return."""
    with pytest.raises(ValueError):
        parse_count("up to 0 people")


@pytest.mark.parametrize("phrase", ["possibly more", ", and possibly more", "and possibly more"])
def test_count_possibly_more_alone_raises(phrase):
    with pytest.raises(ValueError):
        parse_count(phrase)


@pytest.mark.parametrize("phrase, expected", [
    ("one hundred people", (100, 100)),
    ("two thousand people", (2000, 2000)),
    ("a dozen villagers", (12, 12)),
    ("A dozen villagers", (12, 12)),
])
def test_count_multipliers_and_a_dozen(phrase, expected):
    assert parse_count(phrase) == expected


@pytest.mark.parametrize("phrase", ["1,2345 people", "1.000 people", "12,34 people"])
def test_count_malformed_figures_raise(phrase):
    with pytest.raises(ValueError):
        parse_count(phrase)


# --------------------------------------------------------------------------------------------------
# 2. parse_date
# --------------------------------------------------------------------------------------------------

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))
year_strategy = st.integers(2000, 2030)
month_numbers = st.integers(1, 12)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


@PROPERTY
@given(dates, st.sampled_from(["On {day} {month}", "on {day} {month}", "{day} {month}"]))
def test_date_day_month(d, template):
    span = parse_date(template.format(day=d.day, month=MONTHS[d.month - 1]), d.year)
    assert (span.start, span.end, span.precision, span.relative) == (d, d, "day", False)


@PROPERTY
@given(dates, st.booleans())
def test_date_us_order(d, with_year):
    phrase = f"On {MONTHS[d.month - 1]} {d.day}"
    year = d.year
    if with_year:
        phrase += f", {d.year}"
        year = 2000 + (d.year + 7) % 31  # the year in the phrase wins over the chapter's
    span = parse_date(phrase, year)
    assert (span.start, span.end, span.precision) == (d, d, "day")


@PROPERTY
@given(year_strategy, month_numbers, st.data())
def test_date_between_days_of_a_month(year, month, data):
    last = _last_day(year, month)
    a = data.draw(st.integers(1, last))
    b = data.draw(st.integers(a, last))
    span = parse_date(f"Between {a} and {b} {MONTHS[month - 1]}", year)
    assert span.start == date(year, month, a) and span.end == date(year, month, b)
    assert span.start <= span.end
    assert span.precision in ("day", "week", "month")
    # Independent precision: one day, up to a week, or more within the month.
    assert span.precision == ("day" if a == b else "week" if b - a <= 7 else "month")


@PROPERTY
@given(year_strategy, month_numbers, st.sampled_from(["In {m}", "in {m}", "During {m}", "{m}"]))
def test_date_in_month_spans_the_whole_month(year, month, template):
    span = parse_date(template.format(m=MONTHS[month - 1]), year)
    assert span.start == date(year, month, 1)
    assert span.end == date(year, month, _last_day(year, month))
    assert span.precision == "month" and not span.relative


@PROPERTY
@given(dates, st.integers(0, 20), st.sampled_from(["day", "week", "month"]), st.integers(1, 400))
def test_date_n_days_later_shifts_the_anchor(d, width, precision, n):
    anchor = DateSpan(d, d + timedelta(days=width), precision)
    span = parse_date(f"{n} days later", d.year, anchor)
    assert span.start == d + timedelta(days=n)
    assert span.end == d + timedelta(days=width + n)
    assert span.relative is True
    assert span.precision == precision


@pytest.mark.parametrize("phrase, shift", [("One week later", 7), ("Eleven days later", 11),
                                           ("two weeks later", 14), ("a week later", 7),
                                           ("The following day", 1), ("The same day", 0)])
def test_date_relative_words(phrase, shift):
    anchor = DateSpan(date(2023, 3, 10), date(2023, 3, 10), "day")
    span = parse_date(phrase, 2023, anchor)
    assert span.start == date(2023, 3, 10) + timedelta(days=shift)
    assert span.end == span.start and span.relative


# A grammar of date phrases, valid and not: day and month numbers are drawn without regard to the
# month's length, so some phrases name no real date and must be refused rather than bent.
@st.composite
def date_phrase(draw):
    year = draw(year_strategy)
    month = MONTHS[draw(month_numbers) - 1]
    other = MONTHS[draw(month_numbers) - 1]
    a, b = draw(st.integers(1, 31)), draw(st.integers(1, 31))
    anchor_day = draw(dates)
    anchor = DateSpan(anchor_day, anchor_day + timedelta(days=draw(st.integers(0, 40))),
                      draw(st.sampled_from(config.DATE_PRECISIONS)))
    phrase = draw(st.sampled_from([
        f"On {a} {month}", f"On {month} {a}", f"On {a} {month} {year}", f"Between {a} and {b} {month}",
        f"Between {month} {a} and {b}", f"Between {a} {month} and {b} {other}", f"In {month}",
        f"Between {month} and {other}", f"since {month} {year}", f"Following the coup in {month}",
        f"from {month} onwards", f"{year}", "", f"{a} days later", f"{b} weeks later", "The same day",
        "The following day", "Several days later", "later that month", "After the attack",
    ]))
    return phrase, year, draw(st.one_of(st.none(), st.just(anchor)))


@PROPERTY
@given(date_phrase())
def test_date_every_parsed_phrase_ends_on_or_after_its_start(case):
    phrase, year, anchor = case
    try:
        span = parse_date(phrase, year, anchor)
    except ValueError as err:
        assert str(err)
        return
    assert span.end >= span.start, phrase
    assert span.precision in config.DATE_PRECISIONS, phrase
    if span.relative:
        assert anchor is not None, phrase


@pytest.mark.parametrize("phrase", ["On 31 February", "On 30 February", "On February 30", "On 31 April",
                                    "Between 20 and 31 June"])
def test_date_impossible_day_raises(phrase):
    with pytest.raises(ValueError, match="not a real date"):
        parse_date(phrase, 2023)


def test_date_29_february_only_in_leap_years():
    assert parse_date("On 29 February", 2024).start == date(2024, 2, 29)
    with pytest.raises(ValueError):
        parse_date("On 29 February", 2023)


@PROPERTY
@given(year_strategy, month_numbers, st.integers(1, 28), st.integers(1, 28))
def test_date_span_ending_before_it_starts_raises(year, month, a, b):
    assume(a > b)
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_date(f"Between {a} and {b} {MONTHS[month - 1]}", year)


@pytest.mark.parametrize("phrase", ["One week later", "The same day", "Eleven days later", "later that month"])
def test_date_relative_without_anchor_raises(phrase):
    with pytest.raises(ValueError, match="date_from"):
        parse_date(phrase, 2023)


def test_date_following_the_coup_in_may():
    span = parse_date("Following the coup in May", 2021)
    assert (span.start, span.end, span.precision) == (date(2021, 5, 1), date(2021, 5, 31), "month")


def test_date_since_a_month_starts_that_month():
    span = parse_date("since September 2021", 2023)
    assert span.start == date(2021, 9, 1)
    assert span.start.year != 2023  # the year in the phrase wins


@pytest.mark.parametrize("phrase", ["", "   ", "."])
def test_date_empty_phrase_is_the_whole_year(phrase):
    span = parse_date(phrase, 2022)
    assert (span.start, span.end, span.precision, span.relative) == (
        date(2022, 1, 1), date(2022, 12, 31), "year", False)


def test_date_examples_from_the_chapters():
    assert parse_date("between 27 and 31 March", 2022) == DateSpan(date(2022, 3, 27), date(2022, 3, 31), "week")
    assert parse_date("Between May 8 and 11", 2024) == DateSpan(date(2024, 5, 8), date(2024, 5, 11), "week")
    assert parse_date("in December 2020", 2021) == DateSpan(date(2020, 12, 1), date(2020, 12, 31), "month")
    assert parse_date("Also in March", 2023) == DateSpan(date(2023, 3, 1), date(2023, 3, 31), "month")


# --------------------------------------------------------------------------------------------------
# 3. Gazetteer and Mali's outline
# --------------------------------------------------------------------------------------------------

def _places_rows() -> list[dict]:
    with open(REFERENCE / "places.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


PLACES_ROWS = _places_rows()
ALIASES = [(alias.strip(), row["name"], row["admin1"]) for row in PLACES_ROWS
           for alias in row["aliases"].split(";") if alias.strip()]


def test_gazetteer_village_and_region(gazetteer):
    match = gazetteer.resolve("Kourma village, Segou region")
    assert match.places == ("Kourma",)
    assert match.admin1 == "Ségou"
    assert match.region_reported != ""
    assert match.latitude is not None and match.longitude is not None


def test_gazetteer_is_accent_and_case_insensitive(gazetteer):
    plain = gazetteer.resolve("Kourma village, Segou region")
    assert gazetteer.resolve("Kourma village, Ségou region") == plain
    assert gazetteer.resolve("KOURMA village, ségou Region") == plain


def test_gazetteer_several_places(gazetteer):
    match = gazetteer.resolve("on the road between Goundam and Diré villages, in Timbuktu region")
    assert set(match.places) == {"Goundam", "Diré"}
    assert match.admin1 == "Tombouctou"
    assert match.geo_precision >= 2  # several places are never as precise as one locality
    rows = [r for r in PLACES_ROWS if r["name"] in ("Goundam", "Diré") and r["kind"] == "city"]
    assert match.latitude == pytest.approx(sum(float(r["latitude"]) for r in rows) / 2, abs=1e-4)


def test_gazetteer_unknown_word_raises_naming_it(gazetteer):
    with pytest.raises(ValueError, match="'atlantis'"):
        gazetteer.resolve("Atlantis village")


def test_gazetteer_unknown_word_beside_a_known_place_raises(gazetteer):
    with pytest.raises(ValueError, match="'atlantis'"):
        gazetteer.resolve("Kourma and Atlantis villages, Segou region")


def test_the_map_draws_the_boundaries_the_cleaning_copied(tmp_path, cleaned):
    reference = tmp_path / "reference"
    reference.mkdir()
    for name in config.BOUNDARY_FILES:
        (reference / name).write_text(f'{{"type": "FeatureCollection", "features": [], "name": "{name}"}}')
    sources = pd.read_csv(ROOT / "data" / "raw" / "sources.csv", dtype=str, keep_default_na=False)
    context = {name: pd.read_csv(ROOT / "data" / "processed" / f"{name}.csv", dtype=str, keep_default_na=False)
               for name in ("sources", "actors", "flags", "victim_tags", "about")}
    files = export.processed_files(cleaned, sources, context=context, reference_dir=reference)
    for name in config.BOUNDARY_FILES:
        assert files[name] == (reference / name).read_text()
    export.write_all(files, tmp_path / "processed")
    data = analysis.load(tmp_path / "processed")
    assert (data.outline_path, data.admin1_path) == (tmp_path / "processed" / config.OUTLINE_FILE,
                                                    tmp_path / "processed" / config.ADMIN1_FILE)
    assert data.count_rules.empty  # written only from the incident coding: an ACLED briefing has none


def test_a_processed_folder_without_a_table_the_briefing_needs_is_an_error_naming_it(tmp_path):
    import shutil

    shutil.copytree(ROOT / "data" / "processed", tmp_path / "processed")
    for name in ("violations.csv", "about.csv"):
        (tmp_path / "processed" / name).unlink()
    with pytest.raises(DataError, match=r"violations\.csv: not found") as error:
        analysis.load(tmp_path / "processed")
    assert "about.csv: not found" in str(error.value)  # every missing table at once
    (tmp_path / "processed" / "count_rules.csv").unlink()  # only the incident coding writes it
    shutil.copy(ROOT / "data" / "processed" / "violations.csv", tmp_path / "processed")
    shutil.copy(ROOT / "data" / "processed" / "about.csv", tmp_path / "processed")
    assert analysis.load(tmp_path / "processed").count_rules.empty


def test_out_of_scope_rows_get_the_regions_of_their_places_and_the_rest_none_logged(gazetteer):
    rows = pd.DataFrame({"source_id": ["S"] * 4, "place_text": [
        "Kourma village, Segou region", "the road linking the towns of Boni, Douentza, Hombori and Gossi",
        "", "the cities of Geneva and Paris"]}, index=[2, 3, 4, 5])
    log = CleaningLog()
    placed = clean.place_out_of_scope(rows, gazetteer, log)
    assert placed["admin1_all"].tolist() == ["Ségou", "Mopti; Tombouctou", "", ""]
    assert placed.drop(columns="admin1_all").equals(rows)
    # Only the place that could not be put in Mali is logged, with its line; no place named is no problem.
    assert log.table()[["step", "count", "detail"]].values.tolist() == [
        ["out of scope: no region", 1, "line 5: 'the cities of Geneva and Paris' (S)"]]


def _out_of_scope_data(about="incidents", **columns):
    rows = {"source_id": ["A", "A", "B", "B", "B"], "violation": ["torture"] * 5,
            "count_text": ["", "two men", "", "", ""], "place_text": ["Kayes", "Gao; Mopti", "Mopti", "", "Paris"],
            "summary": ["v", "w", "x", "y", "z"], "admin1_all": ["Kayes", "Gao; Mopti", "Mopti", "", ""]}
    rows.update(columns)
    return analysis.Data(events=pd.DataFrame(), violations=pd.DataFrame(),
                         sources=pd.DataFrame({"source_id": ["A", "B"], "events_year": ["2021", "2024"]}),
                         out_of_scope=pd.DataFrame({k: v for k, v in rows.items() if v is not None}),
                         count_rules=pd.DataFrame(), actors=pd.DataFrame(), flags=pd.DataFrame(),
                         about=pd.DataFrame([{"input_format": about}]))


def test_out_of_scope_keeps_the_period_and_the_chosen_regions():
    data = _out_of_scope_data()
    assert analysis.out_of_scope(data, 2021, 2025)["summary"].tolist() == ["v", "w", "x", "y", "z"]
    assert analysis.out_of_scope(data, 2022, 2025)["summary"].tolist() == ["x", "y", "z"]
    assert analysis.out_of_scope(data, 2021, 2025, ["Mopti"])["summary"].tolist() == ["w", "x"]
    assert analysis.out_of_scope(data, 2021, 2025, "Mopti")["summary"].tolist() == ["w", "x"]
    assert analysis.out_of_scope(data, 2021, 2025, ["Kidal"]).empty
    assert analysis.out_of_scope(_out_of_scope_data(about="acled"), 2021, 2025, ["Mopti"]).empty
    with pytest.raises(ValueError, match="run the cleaning again"):
        analysis.out_of_scope(_out_of_scope_data(admin1_all=None), 2021, 2025, ["Mopti"])


@pytest.mark.parametrize("regions, expected", [
    ([], "the chapters also report 5 accounts of torture or ill-treatment for this selection."),
    (["Mopti"], "also report 2 accounts of torture or ill-treatment for this selection. This briefing does not count "
                "them; the annex lists them by kind. Another 2 reports name no place in Mali: they are listed only "
                "in the all-Mali edition."),
    (["Kayes"], "also report 1 account of torture or ill-treatment for this selection."),
    (["Kidal"], "The chapters report nothing else for this selection."),
])
def test_what_is_not_counted_says_what_the_chapters_report_and_where(regions, expected):
    text = narrative.not_counted_html(_out_of_scope_data(), {"start_year": 2021, "end_year": 2025, "regions": regions},
                                      Language())
    assert expected in text


@pytest.mark.parametrize("phrase", ["", "   "])
def test_gazetteer_empty_phrase(gazetteer, phrase):
    match = gazetteer.resolve(phrase)
    assert match.places == () and match.admin1 == ""
    assert match.latitude is None and match.longitude is None and match.geo_precision is None


@pytest.mark.parametrize("alias, name, admin1", ALIASES)
def test_gazetteer_every_alias_resolves_to_its_place(gazetteer, alias, name, admin1):
    match = gazetteer.resolve(alias)
    assert match.places == (name,) and match.admin1 == admin1


def test_gazetteer_real_table_has_no_duplicate_alias(gazetteer):
    assert gazetteer.duplicate_aliases() == []


def test_gazetteer_duplicate_alias_is_reported_with_both_rows():
    table = pd.read_csv(REFERENCE / "places.csv", dtype=str, keep_default_na=False).head(3).copy()
    table.index = [2, 3, 4]  # line numbers, as clean.read_csv labels rows
    table.loc[2, "aliases"] = table.loc[2, "aliases"] + ";Twin Town"
    table.loc[4, "aliases"] = "Twin Town;" + table.loc[4, "aliases"]
    assert Gazetteer(table).duplicate_aliases() == [("Twin Town", [2, 4])]


def test_gazetteer_accent_variants_within_one_place_are_not_duplicates():
    table = pd.read_csv(REFERENCE / "places.csv", dtype=str, keep_default_na=False).head(2).copy()
    table.iloc[0, table.columns.get_loc("aliases")] = "Ségou region;Segou region"
    assert Gazetteer(table).duplicate_aliases() == []


@pytest.mark.parametrize("name, latitude, longitude, inside", [
    ("Bamako", 12.65, -8.0, True),
    ("Conakry", 9.54, -13.68, False),
    ("Niamey", 13.51, 2.11, False),
])
def test_mali_outline(name, latitude, longitude, inside):
    assert MaliOutline().contains(latitude, longitude) is inside, name


# --------------------------------------------------------------------------------------------------
# 4. Actors
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("groups, expected", [
    ({"state", "foreign"}, "state forces with foreign allies"),
    ({"state", "militia"}, "state forces with militias"),
    ({"state", "foreign", "militia"}, "state forces with foreign allies"),
    ({"state"}, "state forces"),
    ({"islamist"}, "Islamist armed groups"),
    ({"foreign"}, "foreign forces"),
    ({"militia"}, "militias"),
    ({"unknown"}, "unknown"),
    ({"islamist", "unknown"}, "Islamist armed groups"),
    ({"islamist", "militia"}, "other"),
])
def test_actor_class_rule(groups, expected):
    assert actor_class(groups) == expected


GROUPS = ["state", "foreign", "islamist", "militia", "other", "unknown"]


@PROPERTY
@given(st.sets(st.sampled_from(GROUPS), min_size=1))
def test_actor_class_is_always_a_known_class(groups):
    result = actor_class(groups)
    assert result in config.ACTOR_CLASSES
    if {"state", "foreign"} <= groups:
        assert result == "state forces with foreign allies"


@pytest.fixture(scope="session")
def actor_index():
    return ActorIndex.from_files()


def test_actors_two_actors_state_with_foreign_allies(actor_index):
    assert actor_index.resolve("Malian soldiers and Wagner fighters") == (
        ("Malian armed forces", "Wagner Group"), "state forces with foreign allies")


def test_actors_state_with_militia(actor_index):
    assert actor_index.resolve("Malian soldiers and members of the Dozo") == (
        ("Malian armed forces", "Dozo militias"), "state forces with militias")


def test_actors_phrase_is_compared_normalised(actor_index):
    expected = actor_index.resolve("Malian soldiers and Wagner fighters")
    assert actor_index.resolve("  malian SOLDIERS   and Wagner fighters.") == expected


def test_actors_empty_phrase_is_unidentified(actor_index):
    assert actor_index.resolve("") == (("Perpetrator not named",), "unknown")
    assert actor_index.resolve("   ") == (("Perpetrator not named",), "unknown")


def test_actors_unknown_phrase_raises(actor_index):
    with pytest.raises(ValueError, match="actor_phrases.csv"):
        actor_index.resolve("little green men")


def test_actors_every_listed_phrase_resolves_to_its_actors(actor_index):
    with open(REFERENCE / "actor_phrases.csv", encoding="utf-8", newline="") as handle:
        phrases = list(csv.DictReader(handle))
    assert phrases
    for row in phrases:
        actors, cls = actor_index.resolve(row["perpetrator_text"])
        assert actors == tuple(a.strip() for a in row["actors"].split(";")), row
        assert cls in config.ACTOR_CLASSES


# --------------------------------------------------------------------------------------------------
# 5. Outcome rules
# --------------------------------------------------------------------------------------------------

def _held(detained=0, disappeared=0, killed=0) -> dict:
    return {"detained_low": detained, "disappeared_low": disappeared, "killed_low": killed}


@pytest.mark.parametrize("text, parsed, expected", [
    ("remain missing", _held(disappeared=3), "still missing"),
    ("Their whereabouts remained unknown", _held(disappeared=1), "still missing"),
    ("released on March 11", _held(detained=2), "released"),
    ("10 of them were remanded in custody in Bamako until their release in December", _held(detained=10),
     "released"),
    ("sentenced to two years in prison", _held(detained=1), "detained or sentenced"),
    ("their bodies were found days later", _held(disappeared=4), "killed"),
    ("", _held(detained=5, killed=2), "killed"),
    ("", _held(disappeared=5, killed=1), "killed"),
    ("", _held(detained=5), "unknown"),
    ("", _held(killed=7), ""),
    ("released on March 11", _held(killed=7), ""),
    ("", _held(), ""),
])
def test_outcome_rules(outcome_rules, text, parsed, expected):
    assert outcome_of({"outcome_text": text}, parsed, outcome_rules) == expected


def test_outcome_rule_outcomes_are_known(outcome_rules):
    assert set(outcome_rules["outcome"]) <= set(config.OUTCOMES)
    for pattern in outcome_rules["pattern"]:
        re.compile(pattern)  # every rule is a valid regular expression


# --------------------------------------------------------------------------------------------------
# 6. Merging mentions into events
# --------------------------------------------------------------------------------------------------

MOURA = ["AI-2022-011", "AI-2022-012", "AI-2022-013", "AI-2023-016"]


@pytest.fixture(scope="module")
def mentions():
    return clean.parse_mentions(clean.load_inputs(), clean.CleaningLog())


@pytest.fixture(scope="module")
def groups(mentions):
    return group_mentions(mentions, CleaningLog())


@pytest.fixture(scope="module")
def built(mentions, groups):
    return build_events(mentions, groups)


def _raw_links() -> list[tuple[str, str]]:
    with open(ROOT / "data" / "raw" / "incidents.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [(r["mention_id"], r[c]) for r in rows for c in ("revisits", "same_event_as") if r[c]]


def test_merge_moura_links_make_one_group(groups):
    assert len({groups[m] for m in MOURA}) == 1
    assert groups["AI-2023-016"] == "AI-2022-011"  # the group is named after its first mention


def test_merge_every_explicit_link_joins(groups):
    links = _raw_links()
    assert ("AI-2023-016", "AI-2022-011") in links
    for mention, target in links:
        assert groups[mention] == groups[target], (mention, target)


def test_merge_logs_each_join(mentions):
    log = CleaningLog()
    group_mentions(mentions, log)
    merges = [r for r in log.rows if r["step"] == "merge"]
    assert len(merges) >= len(_raw_links())
    assert any("AI-2023-016" in r["detail"] and "revisits" in r["detail"] for r in merges)


def test_build_events_moura_counts(mentions, built):
    event = built[built["mention_ids"].str.contains("AI-2022-011")]
    assert len(event) == 1
    event = event.iloc[0]
    members = event["mention_ids"].split("; ")
    assert set(MOURA) <= set(members)
    rows = mentions[mentions["mention_id"].isin(members)]
    killing = rows[rows["killed_low"] > 0]
    assert event["killed_low"] == killing["killed_low"].min()
    if killing["killed_high"].isna().any():
        assert event["killed_high"] is None or pd.isna(event["killed_high"])
    else:
        assert event["killed_high"] == killing["killed_high"].max()
    assert {"AI-2022", "AI-2023"} <= set(event["source_ids"].split("; "))
    assert event["year"] == 2022
    assert (event["date_start"], event["date_end"]) == (date(2022, 3, 27), date(2022, 3, 31))


def test_build_events_one_row_per_group(mentions, groups, built):
    assert len(built) == len(set(groups.values()))
    listed = [m for ids in built["mention_ids"] for m in ids.split("; ")]
    assert sorted(listed) == sorted(mentions["mention_id"])


def test_build_events_ids_are_named_after_their_first_mention(built):
    """Stable ids: an event is named after its first mention, so adding an earlier event renumbers nothing."""
    first = built["mention_ids"].str.split("; ").str[0]
    assert (built["event_id"] == "EV-" + first).all()
    assert built["event_id"].is_unique


def _pair(mentions, *, source_b="S-B", place_b=None, shift_b=0, violation_b="killed"):
    """Two mentions copied from one real row with a place and a killing, told apart by id and source."""
    base = mentions[(mentions["place"] != "") & (mentions["killed_low"] > 0)
                    & (mentions["detained_low"] == 0) & (mentions["disappeared_low"] == 0)].iloc[[0]]
    base = base.assign(revisits="", same_event_as="", date_from="")
    a = base.assign(mention_id="T-1", source_id="S-A", events_year=2023)
    b = base.assign(mention_id="T-2", source_id=source_b, events_year=2024,
                    date_start=base["date_start"] + timedelta(days=shift_b),
                    date_end=base["date_end"] + timedelta(days=shift_b))
    if place_b is not None:
        b = b.assign(place=place_b)
    if violation_b != "killed":
        b = b.assign(killed_low=0, killed_high=0.0, **{f"{violation_b}_low": 4, f"{violation_b}_high": 4.0})
    return pd.concat([a, b], ignore_index=True)


def test_merge_same_place_rule_joins_other_sources(mentions):
    assert group_mentions(_pair(mentions), CleaningLog()) == {"T-1": "T-1", "T-2": "T-1"}


@pytest.mark.parametrize("change", [
    dict(source_b="S-A"),  # the same source never describes one event twice
    dict(place_b="Somewhere else"),
    dict(shift_b=400),  # dates that do not overlap
    dict(violation_b="detained"),  # no violation in common
])
def test_merge_same_place_rule_needs_every_condition(mentions, change):
    assert group_mentions(_pair(mentions, **change), CleaningLog()) == {"T-1": "T-1", "T-2": "T-2"}


def _linked(mentions, counts) -> pd.DataFrame:
    """Copies of one real row, every later one linked to the first, with the given killed counts."""
    base = mentions[mentions["place"] != ""].iloc[[0]].assign(revisits="", same_event_as="", date_from="")
    rows = [base.assign(mention_id=f"T-{i}", source_id=f"S-{i}", events_year=2020 + i,
                        same_event_as="" if i == 0 else "T-0", killed_low=low,
                        killed_high=np.nan if high is None else float(high))
            for i, (low, high) in enumerate(counts)]
    return pd.concat(rows, ignore_index=True)


killed_counts = st.one_of(
    st.just((0, 0)),
    st.integers(1, 500).flatmap(lambda low: st.tuples(st.just(low), st.one_of(st.none(), st.integers(low, 900)))))


@PROPERTY
@given(st.lists(killed_counts, min_size=1, max_size=5))
def test_build_events_counts_span_all_mentions(mentions, counts):
    frame = _linked(mentions, counts)
    event = build_events(frame, group_mentions(frame, CleaningLog())).iloc[0]
    present = [(low, high) for low, high in counts if low > 0]
    if not present:
        assert (event["killed_low"], event["killed_high"]) == (0, 0)
        return
    assert event["killed_low"] == min(low for low, _ in present)
    if any(high is None for _, high in present):
        assert event["killed_high"] is None or pd.isna(event["killed_high"])
    else:
        assert event["killed_high"] == max(high for _, high in present)


def test_event_year_is_year_of_most_precise_date(mentions):
    frame = _linked(mentions, [(3, 3), (3, 3)])
    frame.loc[0, ["date_start", "date_end", "date_precision", "events_year"]] = [
        date(2023, 11, 1), date(2024, 2, 29), "months", 2023]
    frame.loc[1, ["date_start", "date_end", "date_precision", "events_year"]] = [
        date(2024, 1, 10), date(2024, 1, 10), "day", 2025]
    event = build_events(frame, group_mentions(frame, CleaningLog())).iloc[0]
    assert event["year"] == 2024
    assert (event["date_start"], event["date_precision"]) == (date(2024, 1, 10), "day")
    assert event["event_id"] == "EV-" + event["mention_ids"].split("; ")[0]


def test_long_violations_one_row_per_event_and_violation(cleaned):
    events = cleaned.events
    expected = sum(int((events[f"{c}_low"] > 0).sum()) for c in config.COUNT_COLUMNS.values())
    long = long_violations(events)
    assert len(long) == expected
    for violation, column in config.COUNT_COLUMNS.items():
        rows = long[long["violation"] == violation]
        assert int(rows["victims_low"].sum()) == int(events[f"{column}_low"].sum())
    assert not long.duplicated(["event_id", "violation"]).any()


# --------------------------------------------------------------------------------------------------
# 7. Export
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def files(cleaned):
    sources = pd.read_csv(ROOT / "data" / "raw" / "sources.csv", dtype=str, keep_default_na=False)
    return export.processed_files(cleaned, sources, context={})


@pytest.fixture
def out_dir(tmp_path):
    folder = tmp_path / "processed"
    folder.mkdir()
    (folder / "a.csv").write_text("old a\n", encoding="utf-8")
    (folder / "b.csv").write_text("old b\n", encoding="utf-8")
    return folder


def _snapshot(folder: Path) -> dict[str, str | None]:
    """Every entry in a folder with its text (None for a folder), hidden entries included."""
    return {p.name: (p.read_text(encoding="utf-8") if p.is_file() else None) for p in sorted(folder.iterdir())}


def _fields_yaml() -> dict:
    return yaml.safe_load((ROOT / "malibrief" / "cleaning" / "fields.yaml").read_text(encoding="utf-8"))


def test_to_csv_text_iso_dates_and_empty_na():
    frame = pd.DataFrame({
        "day": pd.to_datetime(["2023-01-05", None, "2021-12-31"]),
        "count": pd.array([3, None, 0], dtype="Int64"),
        "text": ["Ségou", None, ""],
        "share": [0.5, np.nan, 2.0],
    })
    assert to_csv_text(frame) == ('"day","count","text","share"\n2023-01-05,3,"Ségou",0.5\n,,,\n'
                                         '2021-12-31,0,,2\n')


def test_to_csv_text_round_trips_text_that_needs_quoting():
    awkward = ['say "no"', "a, b", "two\nlines", "Kidal; Gao", "  spaced  "]
    text = to_csv_text(pd.DataFrame({"text": awkward, "n": range(5)}))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["text", "n"], *([t, str(i)] for i, t in enumerate(awkward))]


def test_to_csv_text_is_deterministic_and_leaves_input_alone(cleaned):
    before = cleaned.events.copy()
    first = to_csv_text(cleaned.events)
    assert to_csv_text(cleaned.events) == first
    pd.testing.assert_frame_equal(cleaned.events, before)
    assert "\r" not in first


def test_processed_files_are_deterministic(cleaned, files):
    sources = pd.read_csv(ROOT / "data" / "raw" / "sources.csv", dtype=str, keep_default_na=False)
    assert export.processed_files(cleaned, sources, context={}) == files


def test_events_csv_dates_are_iso(files):
    events = pd.read_csv(io.StringIO(files["events.csv"]), dtype=str, keep_default_na=False)
    for column in ("date_start", "date_end"):
        assert events[column].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), column


def test_csv_columns_follow_fields_yaml(files):
    spec = _fields_yaml()
    for table in ("events", "violations"):
        header = next(csv.reader(io.StringIO(files[f"{table}.csv"])))
        assert header == list(spec[table]), table


def test_hxl_copies_have_tag_row(files):
    spec = _fields_yaml()
    for table in ("events", "violations"):
        plain = files[f"{table}.csv"].split("\n")
        hxl = files[f"{table}_hxl.csv"].split("\n")
        assert hxl[0] == plain[0]
        assert hxl[1] == ",".join(spec[table][c]["hxl"] for c in spec[table])
        assert hxl[2:] == plain[1:]


def test_processed_files_names(files):
    assert set(files) == {"events.csv", "violations.csv", "events_hxl.csv", "violations_hxl.csv",
                          "cleaning_log.csv", "datapackage.json", "events.geojson"}


def test_events_csv_rows_match_cleaned(cleaned, files):
    events = pd.read_csv(io.StringIO(files["events.csv"]), dtype=str, keep_default_na=False)
    assert list(events["event_id"]) == list(cleaned.events["event_id"])
    high = ["" if pd.isna(h) else str(int(h)) for h in cleaned.events["killed_high"]]
    assert list(events["killed_high"]) == high


def test_write_all_writes_every_file(files, tmp_path):
    target = tmp_path / "fresh"
    written = export.write_all(files, target)
    assert sorted(p.name for p in written) == sorted(files)
    for name, text in files.items():
        assert (target / name).read_bytes().decode("utf-8") == text, name
    assert sorted(p.name for p in target.iterdir()) == sorted(files)  # no scratch folder left


def test_write_all_replaces_the_whole_set(out_dir):
    """The folder is one set: a file the new set does not write is not left beside it."""
    export.write_all({"a.csv": "new a\n", "c.csv": "new c\n"}, out_dir)
    assert _snapshot(out_dir) == {"a.csv": "new a\n", "c.csv": "new c\n"}


def test_write_all_failed_write_leaves_folder_unchanged(out_dir, monkeypatch):
    before = _snapshot(out_dir)

    def failing_write(self, *args, **kwargs):
        raise OSError("read-only")

    monkeypatch.setattr(Path, "write_text", failing_write)
    with pytest.raises(OSError):
        export.write_all({"a.csv": "new a\n"}, out_dir)
    monkeypatch.undo()
    assert _snapshot(out_dir) == before


def test_write_all_failed_move_leaves_folder_unchanged(out_dir, monkeypatch):
    before = _snapshot(out_dir)
    real_replace = os.replace
    calls = []

    def flaky_replace(src, dst, *args, **kwargs):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", flaky_replace)
    with pytest.raises(OSError):
        export.write_all({"a.csv": "new a\n", "b.csv": "new b\n", "c.csv": "new c\n"}, out_dir)
    monkeypatch.undo()
    after = _snapshot(out_dir)
    assert after == before


def test_datapackage_declares_types_and_enums(files):
    package = json.loads(files["datapackage.json"])
    events = next(r for r in package["resources"] if r["name"] == "events")
    fields = {f["name"]: f for f in events["schema"]["fields"]}
    assert fields["year"]["type"] == "integer"
    assert fields["date_start"]["type"] == "date" and fields["date_end"]["type"] == "date"
    assert fields["latitude"]["type"] == "number"
    assert fields["killed_low"]["type"] == "integer"
    assert set(fields["actor_class"]["constraints"]["enum"]) == set(config.ACTOR_CLASSES)
    assert set(fields["date_precision"]["constraints"]["enum"]) == set(config.DATE_PRECISIONS)
    assert {f["type"] for f in fields.values()} >= {"string", "integer", "date", "number"}
    assert events["schema"]["primaryKey"] == ["event_id"]


def test_datapackage_fresh_output_is_valid(files, tmp_path):
    """frictionless validates the package the cleaning writes (the committed one is that, byte for byte)."""
    import frictionless

    export.write_all(files, tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])[:5]


def test_events_geo_precision_is_whole_in_output(files):
    """geo_precision is written as a whole number ("3", never "3.0": events with no place leave it
    empty, which once turned the column into floats that frictionless rejects as integers)."""
    events = pd.read_csv(io.StringIO(files["events.csv"]), dtype=str, keep_default_na=False)
    assert set(events["geo_precision"]) <= {"", "1", "2", "3"}
    assert "" in set(events["geo_precision"]) and "3" in set(events["geo_precision"])


# --------------------------------------------------------------------------------------------------
# 8. Parameters
# --------------------------------------------------------------------------------------------------

# The briefing notebook's defaults (paths left out, as build.py leaves them out).
DEFAULTS = {
    "start_year": 2021, "end_year": 2025, "regions": [], "actor_classes": [], "actors": [],
    "violations": ["killing", "detention", "disappearance"], "estimate": "range", "exclude_flags": [],
    "title": "Killings, detentions and enforced disappearances in Mali",
}


def test_params_single_region_becomes_list():
    assert validate({"regions": "Mopti"}, DEFAULTS)["regions"] == ["Mopti"]


def test_params_region_is_accent_insensitive():
    assert validate({"regions": "segou"}, DEFAULTS)["regions"] == ["Ségou"]
    assert validate({"regions": ["MOPTI", "ségou"]}, DEFAULTS)["regions"] == ["Mopti", "Ségou"]


def test_params_defaults_pass_through():
    assert validate({}, DEFAULTS) == DEFAULTS


def test_params_lists_every_problem():
    with pytest.raises(ParameterError) as err:
        validate({"start_year": 2024, "end_year": 2021, "regions": ["Atlantis"], "colour": "red"}, DEFAULTS)
    problems = err.value.problems
    assert len(problems) == 3
    assert any("colour" in p for p in problems)
    assert any("start_year 2024 is after end_year 2021" in p for p in problems)
    assert any("Atlantis" in p for p in problems)
    assert all(p in str(err.value) for p in problems)


@pytest.mark.parametrize("value", [True, 2021.0, "2021"])
def test_params_year_must_be_an_int(value):
    with pytest.raises(ParameterError, match="start_year: expected a whole year"):
        validate({"start_year": value}, DEFAULTS)


def test_params_unknown_names_and_values():
    with pytest.raises(ParameterError) as err:
        validate({"regions": 5, "estimate": "mid", "actors": ["Nobody"]}, DEFAULTS, actors=["Dozo militias"])
    text = " ".join(err.value.problems)
    assert "regions: expected a name or a list" in text and "estimate" in text and "'Nobody'" in text


def test_params_bool_year_reported_once():
    with pytest.raises(ParameterError) as err:
        validate({"end_year": False}, DEFAULTS)
    assert err.value.problems == ["end_year: expected a whole year such as 2023, got False"]


# --------------------------------------------------------------------------------------------------
# 9. fmt_range
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("low, high, open_ended, estimate, expected", [
    (1234, 1234, 0, "range", "1,234"),
    (1234, 2345, 0, "range", "1,234–2,345"),
    (1234, 2345, 2, "range", "1,234–2,345 or more"),
    (50, 50, 1, "range", "50 or more"),
    (1234, 1234, 0, "low", "1,234"),
    (1234, 2345, 0, "low", "at least 1,234"),
    (50, 50, 1, "low", "at least 50"),
    (1234, 2345, 0, "high", "2,345"),
    (1234, 2345, 1, "high", "2,345 or more"),
])
def test_fmt_range(low, high, open_ended, estimate, expected):
    assert fmt_range(low, high, open_ended, estimate) == expected


@pytest.mark.parametrize("low, high, open_ended, best, expected", [
    (200, 999, 0, 500, "500 (200–999)"),
    (183, 183, 1, 183, "183 or more"),  # one figure: no range to repeat
    (7, 7, 0, 7, "7"),
    (1100, 2000, 1, 1201, "1,201 (1,100–2,000 or more)"),
])
def test_fmt_range_best_gives_the_range_beside_it(low, high, open_ended, best, expected):
    assert fmt_range(low, high, open_ended, "best", best) == expected


def _cells(markup: str) -> list[list[tuple[str, str]]]:
    """(class, text) of every cell, row by row, read with a parser rather than by the code under test."""
    from bs4 import BeautifulSoup

    table = BeautifulSoup(markup, "html.parser").table
    return [[(" ".join(cell.get("class", [])), cell.get_text()) for cell in row.find_all(["th", "td"])]
            for row in table.find_all("tr")]


def test_table_sets_figures_right_words_unbroken_text_left():
    frame = pd.DataFrame({"Event": ["EV-1", "EV-2"], "People": ["1,234–2,345 or more", "–"],
                          "Events": [3, 12], "Low": ["at least 50", None], "What": ["<b>a & b</b>", "plain text"]})
    assert _cells(narrative.table_html(frame)) == [
        [("token", "Event"), ("num", "People"), ("num", "Events"), ("num", "Low"), ("", "What")],
        [("token", "EV-1"), ("num", "1,234–2,345 or more"), ("num", "3"), ("num", "at least 50"), ("", "<b>a & b</b>")],
        [("token", "EV-2"), ("num", "–"), ("num", "12"), ("num", ""), ("", "plain text")]]


def test_table_widths_fix_the_columns_until_the_columns_change():
    from malibrief.briefing import tables

    frame = tables._with_widths(pd.DataFrame({"a": ["x"], "b": ["y z"]}), 30, 70)
    markup = narrative.table_html(frame, "caption")
    assert 'class="data fixed"' in markup and '<col style="width: 30%"><col style="width: 70%">' in markup
    # A reader adapting the notebook drops a column: the table loses its set widths, not its rendering.
    markup = narrative.table_html(frame.drop(columns="b"))
    assert "<col" not in markup and 'class="data"' in markup
    for widths in [(30,), (30, 60), (30, 40, 30)]:
        with pytest.raises(ValueError, match="one percentage per column"):
            tables._with_widths(pd.DataFrame({"a": ["x"], "b": ["y z"]}), *widths)


def test_table_takes_odd_columns_and_cells():
    frame = pd.DataFrame([[1.5, ["a", "b"], pd.NA, -2]], columns=["x", "x", "y", "z"])
    assert _cells(narrative.table_html(frame)) == [
        [("num", "x"), ("", "x"), ("", "y"), ("num", "z")],
        [("num", "1.5"), ("", "['a', 'b']"), ("", ""), ("num", "-2")]]
    with pytest.raises(ValueError, match="flatten the columns"):
        narrative.table_html(pd.DataFrame([[1]], columns=pd.MultiIndex.from_tuples([("a", "b")])))


# --------------------------------------------------------------------------------------------------
# 10. Analysis against plain pandas
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def data():
    return analysis.load(PROCESSED)


@pytest.fixture(scope="session")
def plain():
    """events.csv and violations.csv read with plain pandas, everything as text."""
    read = dict(dtype=str, keep_default_na=False)
    return pd.read_csv(PROCESSED / "events.csv", **read), pd.read_csv(PROCESSED / "violations.csv", **read)


def test_select_mopti_equals_plain_pandas(data, plain):
    events, violations = plain
    years = events["year"].astype(int)
    chosen = analysis.select(data, int(years.min()), int(years.max()), regions=["Mopti"])
    expected = events[events["admin1"] == "Mopti"]
    assert list(chosen.events["event_id"]) == list(expected["event_id"])
    assert list(chosen.events["killed_low"].astype(int)) == list(expected["killed_low"].astype(int))
    assert list(chosen.violations["event_id"]) == list(violations[violations["admin1"] == "Mopti"]["event_id"])


def test_select_year_and_region(data, plain):
    events, _ = plain
    chosen = analysis.select(data, 2023, 2023, regions=["Mopti"])
    expected = events[(events["admin1"] == "Mopti") & (events["year"] == "2023")]
    assert list(chosen.events["event_id"]) == list(expected["event_id"])
    assert len(expected) > 0


def _independent_sums(violations: pd.DataFrame) -> dict:
    out = {}
    for v in config.VIOLATIONS:
        rows = violations[violations["violation"] == v]
        low = rows["victims_low"].astype(int)
        high = [int(h) if h else int(lo) for lo, h in zip(rows["victims_low"], rows["victims_high"])]
        out[v] = {"events": rows["event_id"].nunique(), "low": int(low.sum()),
                  "best": int(rows["victims_best"].astype(int).sum()), "high": sum(high),
                  "open_ended": int((rows["victims_high"] == "").sum())}
    return out


def test_totals_equal_independent_sums(data, plain):
    _, violations = plain
    chosen = analysis.select(data, 1900, 2100)
    assert len(chosen.violations) == len(violations)
    totals = analysis.totals(chosen.violations)
    assert totals.to_dict("index") == _independent_sums(violations)


def test_by_year_equals_independent_sums_and_fills_zeros(data, plain):
    _, violations = plain
    years = range(2019, 2026)  # 2019 has no events: its rows must be zeros
    table = analysis.by_year(data.violations, years).set_index(["year", "violation"])
    for year in years:
        expected = _independent_sums(violations[violations["year"] == str(year)])
        for v in config.VIOLATIONS:
            assert table.loc[(year, v)].to_dict() == expected[v], (year, v)


@pytest.mark.parametrize("series, peak, after", [
    ({2021: 78, 2022: 686, 2023: 198, 2024: 136, 2025: 103}, 2022, [(2023, 198), (2024, 136), (2025, 103)]),
    ({2021: 5, 2022: 5}, 2021, [(2022, 5)]),  # a tie goes to the first year
    ({2021: 1, 2022: 9}, 2022, []),
])
def test_peak_and_after_tells_the_peak_not_the_end_years(series, peak, after):
    assert analysis.peak_and_after(pd.Series(series)) == (peak, after)


def _flagged_data():
    """Three events: one flagged in Gao, one unflagged in Mopti, one flagged in both regions in 2020."""
    events = pd.DataFrame({"event_id": ["E1", "E2", "E3"], "year": [2023, 2024, 2020],
                           "admin1_all": ["Gao", "Mopti", "Gao; Mopti"], "actor_class": ["state forces"] * 3,
                           "actor": ["FAMa"] * 3, "flags": ["combatants_killed", "", "combatants_killed"]})
    violations = pd.DataFrame({"event_id": ["E1", "E2", "E3"], "violation": ["killing"] * 3})
    flags = pd.DataFrame({"flag": ["combatants_killed"], "description": ["soldiers or fighters killed"]})
    return analysis.Data(events=events, violations=violations, sources=pd.DataFrame(), out_of_scope=pd.DataFrame(),
                         count_rules=pd.DataFrame(), actors=pd.DataFrame(), flags=flags, about=pd.DataFrame())


@pytest.mark.parametrize("regions, expected", [([], 1), (["Mopti"], 0), (["Gao"], 1)])
def test_the_borderline_table_counts_what_the_text_leaves_out(regions, expected):
    """The annex's table and the sentence on what is left out count the same events: the edition's regions."""
    from malibrief.briefing import tables

    data = _flagged_data()
    gone = analysis.left_out(data, 2021, 2025, regions, ["combatants_killed"])
    table = tables.flags_table(data, 2021, 2025, regions, ["combatants_killed"], Language())
    assert len(gone.events) == expected
    assert table.loc[0, "Events in the period"] == expected


@pytest.mark.parametrize("attribution, en, fr", [("stated", "FAMa", "FAMa"), ("", "FAMa", "FAMa"),
                                                 ("alleged", "FAMa (alleged)", "FAMa (selon des allégations)"),
                                                 ("suspected", "FAMa (suspected)", "FAMa (selon des soupçons)")])
def test_the_perpetrator_keeps_the_firmness_of_its_attribution(attribution, en, fr):
    from malibrief.briefing.vocabulary import perpetrator

    assert perpetrator(Language(), "FAMa", attribution) == en
    assert perpetrator(Language("fr"), "FAMa", attribution) == fr


def test_a_name_ending_with_a_bracket_takes_the_firmness_inside_it():
    """Never "(FAMa) (selon des allégations)", two brackets in a row."""
    from malibrief.briefing.vocabulary import perpetrator

    assert perpetrator(Language(), "JNIM (GSIM)", "alleged") == "JNIM (GSIM, alleged)"
    assert perpetrator(Language("fr"), "Forces armées maliennes (FAMa)", "alleged") == \
        "Forces armées maliennes (FAMa\u202f; selon des allégations)"
    assert perpetrator(Language("fr"), "Forces armées maliennes (FAMa)", "suspected") == \
        "Forces armées maliennes (FAMa\u202f; selon des soupçons)"
    # a semicolon, so that the firmness is not read as part of the name's own aside
    assert perpetrator(Language("fr"), "État islamique au Sahel (EIS, anciennement EIGS)", "alleged") == \
        "État islamique au Sahel (EIS, anciennement EIGS\u202f; selon des allégations)"


def test_the_regions_chart_title_counts_distinct_events_as_the_where_text_does():
    events = pd.DataFrame({"event_id": ["E1", "E2", "E3", "E4"], "admin1": ["Mopti", "Gao; Mopti", "", "Gao"]})
    assert narrative.events_by_region(events).sort_index().to_dict() == {"Gao": 2, "Mopti": 2}
    assert narrative.title_regions(events[events["event_id"] != "E4"], Language()) == "Mopti has the most events: 2"


def test_the_victims_ethnicity_names_the_only_chapters_that_give_it():
    data = analysis.Data(events=pd.DataFrame(), violations=pd.DataFrame(), out_of_scope=pd.DataFrame(),
                         sources=pd.DataFrame({"source_id": ["AI-2021", "HRW-2025"], "events_year": ["2021", "2025"],
                                               "publisher": ["Amnesty International", "Human Rights Watch"]}),
                         count_rules=pd.DataFrame(), actors=pd.DataFrame(), flags=pd.DataFrame(),
                         about=pd.DataFrame([{"input_format": "incidents"}]))
    events = pd.DataFrame({"source_ids": ["AI-2021", "HRW-2025", "HRW-2025; AI-2021"]})
    assert narrative.only_chapters(events.iloc[[1]], events, data, Language()).startswith(
        "Only the Human Rights Watch chapter on 2025 describes victims as Fulani (Peul)")
    assert narrative.only_chapters(events.iloc[[2]], events, data, Language()) == ""  # every chapter does


def test_a_trend_panel_of_zeros_keeps_whole_numbers_on_its_axis():
    """A region with killings and no detention: the detentions panel runs 0 to 1, not 0 to 0.054 in steps of 0.006."""
    import matplotlib.pyplot as plt

    from malibrief.briefing import plots

    years = [2021, 2022, 2023]
    per_year = pd.DataFrame([{"violation": v, "year": y, "events": n, "low": n, "high": n, "best": n}
                             for v, counts in (("killing", (0, 49, 17)), ("detention", (0, 0, 0)))
                             for y, n in zip(years, counts)])
    plots.setup()
    fig = plots.trends(per_year, ("killing", "detention"), config.VIOLATIONS, Language())
    try:
        for ax in fig.axes[:2]:
            ticks = [tick for tick in ax.get_yticks() if ax.get_ylim()[0] <= tick <= ax.get_ylim()[1]]
            assert len(ticks) >= 2 and all(float(tick).is_integer() for tick in ticks), ticks
    finally:
        plt.close(fig)
