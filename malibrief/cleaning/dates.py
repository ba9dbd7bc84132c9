"""Turn a date phrase as the source wrote it ("On 3 January", "Between May 8 and 11") into a span.

Absolute phrases take the chapter's year unless they name one. Relative phrases ("One week later",
"The same day") count from the mention that `date_from` names, and are flagged as relative.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from malibrief.cleaning.counts import number_word
from malibrief.text import normalise

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH = "(" + "|".join(MONTHS) + ")"
_DAY = r"(\d{1,2})"
_YEAR = r"(?:,? (\d{4}))?"
_LEADING = re.compile(
    r"^(?:also |later |early |late |mid-|mid |the end of |the start of |the beginning of )*"
    r"(?:on|in|during|by|at|of|throughout)?\s*", re.I)


@dataclass(frozen=True)
class DateSpan:
    start: date
    end: date
    precision: str  # day, week, month, months, year
    relative: bool = False


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _span_precision(start: date, end: date) -> str:
    days = (end - start).days
    if days == 0:
        return "day"
    if days <= 7:
        return "week"
    if start.month == end.month and start.year == end.year:
        return "month"
    return "months"


def _across(start_year: str | None, end_year: str | None, year: int, start: tuple, end: tuple) -> tuple[date, date]:
    """The two ends of a span that may cross a year: a year the phrase gives on one end only carries to the
    other, a year earlier or later where the months need it ("December and January 2022" starts in 2021).
    A day of None is the month's last. Without any year both ends take the chapter's year."""
    def at(y, month_day):
        month, day = month_day
        return _month_end(y, month) if day is None else date(y, month, day)

    if start_year and end_year:
        return at(int(start_year), start), at(int(end_year), end)
    if end_year:
        last = at(int(end_year), end)
        first = at(int(end_year), start)
        return (at(int(end_year) - 1, start) if first > last else first), last
    first_year = int(start_year) if start_year else year
    first, last = at(first_year, start), at(first_year, end)
    if start_year and last < first:
        last = at(first_year + 1, end)
    return first, last


def _absolute(text: str, year: int) -> DateSpan | None:
    def y(group):
        return int(group) if group else year

    patterns = [
        # 3 January [2021]
        (rf"^{_DAY} {_MONTH}{_YEAR}$", None,
         lambda m: (date(y(m[3]), MONTHS[m[2]], int(m[1])),) * 2),
        # February 7[, 2025]
        (rf"^{_MONTH} {_DAY}{_YEAR}$", None,
         lambda m: (date(y(m[3]), MONTHS[m[1]], int(m[2])),) * 2),
        # between 27 and 31 March
        (rf"^between {_DAY} and {_DAY} {_MONTH}{_YEAR}$", None,
         lambda m: (date(y(m[4]), MONTHS[m[3]], int(m[1])), date(y(m[4]), MONTHS[m[3]], int(m[2])))),
        # between May 8 and 11
        (rf"^between {_MONTH} {_DAY} and {_DAY}{_YEAR}$", None,
         lambda m: (date(y(m[4]), MONTHS[m[1]], int(m[2])), date(y(m[4]), MONTHS[m[1]], int(m[3])))),
        # between 10 April and 10 July; between 20 December 2021 and 5 January 2022
        (rf"^between {_DAY} {_MONTH}{_YEAR} and {_DAY} {_MONTH}{_YEAR}$", None,
         lambda m: _across(m[3], m[6], year, (MONTHS[m[2]], int(m[1])), (MONTHS[m[5]], int(m[4])))),
        # between April and August; June and November; from May to September;
        # between December 2021 and January 2022; from November 2024 to February 2025
        (rf"^(?:between |from )?{_MONTH}{_YEAR} (?:and|to) {_MONTH}{_YEAR}$", "months",
         lambda m: _across(m[2], m[4], year, (MONTHS[m[1]], 1), (MONTHS[m[3]], None))),
        # following the coup in May: an event dated by another in a named month
        (rf"^(?:following|after) (?:the |a |an )?[\w-]+ in {_MONTH}{_YEAR}$", "month",
         lambda m: (date(y(m[2]), MONTHS[m[1]], 1), _month_end(y(m[2]), MONTHS[m[1]]))),
        # March [2022]; since September 2021 (a continuing detention dates from its start)
        (rf"^(?:since )?{_MONTH}{_YEAR}$", "month",
         lambda m: (date(y(m[2]), MONTHS[m[1]], 1), _month_end(y(m[2]), MONTHS[m[1]]))),
        # from August onwards
        (rf"^from {_MONTH} onwards$", "months",
         lambda m: (date(year, MONTHS[m[1]], 1), date(year, 12, 31))),
        # 2020
        (r"^(\d{4})$", "year", lambda m: (date(int(m[1]), 1, 1), date(int(m[1]), 12, 31))),
    ]
    for pattern, precision, make in patterns:
        match = re.match(pattern, text)
        if match:
            try:
                start, end = make(match)
            except ValueError as err:
                raise ValueError(f"{text!r} is not a real date ({err})") from None
            if end < start:
                raise ValueError(f"the date span {text!r} ends before it starts (if it crosses into the next "
                                 f"year, name the years: 'between December 2021 and January 2022')")
            return DateSpan(start, end, precision or _span_precision(start, end))
    return None


def _how_many(word: str) -> int | None:
    """"3", "a", "two" in "3 days later", "a week later", "two weeks later"."""
    if word.isdigit():
        return int(word)
    found = (1, 1) if word == "a" else number_word([word])
    return found[0] if found else None


def _relative(text: str, anchor: DateSpan) -> DateSpan | None:
    if re.fullmatch(r"(?:the )?same day|that day", text):
        return DateSpan(anchor.start, anchor.end, anchor.precision, True)
    if re.fullmatch(r"(?:the )?(?:following|next) day", text):
        return DateSpan(anchor.start + timedelta(1), anchor.end + timedelta(1), anchor.precision, True)
    match = re.fullmatch(r"(\d+|\w+) (day|week)s? later", text)
    n = _how_many(match[1]) if match else None
    if n is not None:
        shift = timedelta(days=n * (7 if match[2] == "week" else 1))
        precision = "week" if match[2] == "week" else anchor.precision
        return DateSpan(anchor.start + shift, anchor.end + shift, precision, True)
    if re.fullmatch(r"(?:several |a few )?days later", text):
        return DateSpan(anchor.start + timedelta(2), anchor.end + timedelta(9), "week", True)
    if re.fullmatch(r"(?:later |in )?(?:that|the same) month", text):
        start = anchor.start.replace(day=1)
        return DateSpan(start, _month_end(start.year, start.month), "month", True)
    if re.fullmatch(r"soon afterwards|later|afterwards|after .+", text):
        return DateSpan(anchor.start, date(anchor.start.year, 12, 31), "months", True)
    return None


def parse_date(phrase: str, year: int, anchor: DateSpan | None = None) -> DateSpan:
    """The span a date phrase names; an empty phrase is the chapter's whole year."""
    text = normalise(phrase).lower().rstrip(",")
    if not text and anchor is not None:  # undated but told as part of another mention ("after an IED ...")
        return DateSpan(anchor.start, anchor.end, anchor.precision, True)
    if not text:
        return DateSpan(date(year, 1, 1), date(year, 12, 31), "year")
    if anchor is not None:
        span = _relative(_LEADING.sub("", text), anchor) or _relative(text, anchor)
        if span:
            return span
    span = _absolute(_LEADING.sub("", text), year)
    if span is None:
        hint = "" if anchor else " (a relative date needs date_from)"
        raise ValueError(f"no date rule covers {phrase!r}{hint}")
    return span
