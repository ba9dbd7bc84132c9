"""Dates and years (issue 19, section 7): spans that cross a year are read and count in the year they
begin; dates after the build date, or long before the chapter's year without the before_chapter_year flag,
are errors naming the row; start_year and end_year stay within a sane range.

    .venv/bin/python -m pytest -q tests/test_dates_and_years.py
"""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from malibrief.cleaning import incidents as clean
from malibrief.cleaning.dates import DateSpan, parse_date
from malibrief.errors import DataError
from malibrief.params import ParameterError, validate

PROJECT = Path(__file__).resolve().parent.parent
DEFAULTS = {"start_year": 2021, "end_year": 2025}


@pytest.mark.parametrize("phrase, year, start, end", [
    ("between December 2021 and January 2022", 2021, date(2021, 12, 1), date(2022, 1, 31)),
    ("from November 2024 to February 2025", 2024, date(2024, 11, 1), date(2025, 2, 28)),
    ("From November 2024 to February", 2024, date(2024, 11, 1), date(2025, 2, 28)),
    ("between December and January 2022", 2021, date(2021, 12, 1), date(2022, 1, 31)),
    ("between 20 December 2021 and 5 January 2022", 2021, date(2021, 12, 20), date(2022, 1, 5)),
    ("between December 2023 and March 2024", 2024, date(2023, 12, 1), date(2024, 3, 31)),
])
def test_a_span_across_a_year_is_read(phrase, year, start, end):
    span = parse_date(phrase, year)
    assert (span.start, span.end) == (start, end)
    assert span.precision == "months"


def test_a_span_within_a_year_reads_as_before():
    assert parse_date("between 10 April and 10 July", 2022) == DateSpan(date(2022, 4, 10), date(2022, 7, 10), "months")
    assert parse_date("Between April and August", 2023) == DateSpan(date(2023, 4, 1), date(2023, 8, 31), "months")


def test_a_span_across_a_year_without_years_is_refused_with_a_hint():
    with pytest.raises(ValueError, match="name the years"):
        parse_date("between December and January", 2022)


def copy_inputs(tmp: Path) -> tuple[Path, Path]:
    raw, reference = tmp / "raw", tmp / "reference"
    shutil.copytree(PROJECT / "data" / "raw", raw)
    shutil.copytree(PROJECT / "data" / "reference", reference)
    return raw, reference


def set_cells(path: Path, mention_id: str, **values) -> int:
    """Set cells of one mention; return its line (header = line 1)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    index = frame.index[frame["mention_id"] == mention_id][0]
    for column, value in values.items():
        frame.loc[index, column] = value
    frame.to_csv(path, index=False)
    return int(index) + 2


def test_an_event_across_a_year_counts_in_the_year_it_began_and_keeps_its_end(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    set_cells(raw / "incidents.csv", "AI-2021-004", date_text="between December 2021 and January 2022")
    events = clean.clean(raw, reference).events
    event = events[events["mention_ids"].str.split("; ").map(lambda ids: "AI-2021-004" in ids)].iloc[0]
    assert event["year"] == 2021
    assert (event["date_start"], event["date_end"]) == (pd.Timestamp("2021-12-01"), pd.Timestamp("2022-01-31"))


@pytest.mark.parametrize("date_text, message", [
    ("On 3 January 2099", "after the build date"),
    ("In March 2015", "more than a year before the chapter's year 2021"),
])
def test_an_implausible_date_names_the_row(tmp_path, date_text, message):
    raw, reference = copy_inputs(tmp_path)
    line = set_cells(raw / "incidents.csv", "AI-2021-004", date_text=date_text)
    with pytest.raises(DataError) as err:
        clean.clean(raw, reference)
    where = f"incidents.csv, line {line}, column 'date_text': value {date_text!r}"
    assert any(where in row and message in row for row in str(err.value).splitlines()), str(err.value)


def test_an_earlier_event_the_chapter_revisits_is_read_when_flagged(tmp_path):
    """A 2019 massacre tried in 2021: flagged before_chapter_year, so its date is no error."""
    raw, reference = copy_inputs(tmp_path)
    set_cells(raw / "incidents.csv", "AI-2021-004", date_text="In March 2019", flags="before_chapter_year")
    events = clean.clean(raw, reference).events
    event = events[events["mention_ids"].str.contains("AI-2021-004")].iloc[0]
    assert event["year"] == 2019 and "before_chapter_year" in event["flags"]


def test_the_real_data_passes_the_date_checks(cleaned):
    """Every real mention dated before its chapter's year carries before_chapter_year (checked here
    independently of the cleaning's own check)."""
    mentions = cleaned.mentions
    early = mentions[pd.to_datetime(mentions["date_start"]).dt.year < mentions["events_year"]]
    assert len(early) and early["flags"].str.contains("before_chapter_year").all()


@pytest.mark.parametrize("values, fragment", [
    ({"end_year": 100000}, "end_year: 100000 is outside"),
    ({"start_year": 1900}, "start_year: 1900 is outside"),
    ({"start_year": -5, "end_year": 2021}, "start_year: -5 is outside"),
    ({"end_year": date.today().year + 2}, f"end_year: {date.today().year + 2} is outside"),
])
def test_years_are_limited_to_a_sane_range(values, fragment):
    with pytest.raises(ParameterError) as err:
        validate(values, DEFAULTS)
    assert fragment in str(err.value) and "1990" in str(err.value)


def test_years_in_range_pass():
    assert validate({"start_year": 1990, "end_year": date.today().year + 1}, DEFAULTS)["start_year"] == 1990
