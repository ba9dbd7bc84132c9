"""Turn a count phrase as the source wrote it ("at least 50 civilians", "hundreds") into a low and a high.

The rules are data, not code: `data/reference/count_words.csv` says what each word means, and this
module only applies them. A high of None means the source gives no upper figure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from malibrief.config import REFERENCE
from malibrief.text import normalise

COUNT_WORDS_FILE = REFERENCE / "count_words.csv"

_SUFFIX = re.compile(r",?\s*(?:and\s+)?possibly more$")
_PARTS = re.compile(r",\s+(?:and\s+)?|\s+and\s+")
# A figure ends at a space or the end: "1,2345" and "1.000" match no rule rather than a wrong one.
_DIGITS = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?=\s|$)")


@dataclass(frozen=True)
class CountRules:
    numbers: dict[str, int]
    qualifiers: dict[str, tuple[str, str]]  # phrase -> (low formula, high formula) in terms of N
    vague: dict[str, tuple[int, int | None]]
    articles: frozenset[str]
    multipliers: dict[str, int]
    collective: frozenset[str]

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> CountRules:
        def rows(kind):
            return table[table["kind"] == kind].itertuples()

        def number_or_none(value):
            return None if pd.isna(value) or value == "" else int(value)

        return cls(
            numbers={r.term: int(r.low) for r in rows("number") if r.term != "<N>"},
            qualifiers={r.term: (str(r.low), "" if pd.isna(r.high) else str(r.high)) for r in rows("qualifier")},
            vague={r.term: (int(r.low), number_or_none(r.high)) for r in rows("vague")},
            articles=frozenset(r.term for r in rows("article")),
            multipliers={r.term: int(r.low) for r in rows("multiplier")},
            collective=frozenset(r.term for r in rows("collective")),
        )


@lru_cache(maxsize=4)
def load_rules(path: Path = COUNT_WORDS_FILE) -> CountRules:
    return CountRules.from_table(pd.read_csv(path, dtype=str, keep_default_na=False))


def _apply(formula: str, n: int) -> int | None:
    if formula == "":
        return None
    if formula == "N":
        return n
    if formula == "N+1":
        return n + 1
    return int(formula)


def _number_at(text: str, rules: CountRules) -> tuple[int, str] | None:
    """The figure a phrase starts with, in digits or words ("two thousand"), and the rest of the phrase."""
    match = _DIGITS.match(text)
    if match:
        number, rest = int(match.group().replace(",", "")), text[match.end():].strip()
    else:
        word, _, rest = text.partition(" ")
        if word.lower() not in rules.numbers:
            return None
        number = rules.numbers[word.lower()]
    word, _, after = rest.partition(" ")
    if word.lower() in rules.multipliers:
        return number * rules.multipliers[word.lower()], after
    return number, rest


def _quantity(part: str, rules: CountRules) -> tuple[int, int | None] | None:
    """Low and high of one quantity phrase, or None when it does not start with a quantity."""
    lower = part.lower()
    for qualifier in sorted(rules.qualifiers, key=len, reverse=True):
        if lower.startswith(qualifier + " "):
            found = _number_at(part[len(qualifier) + 1:], rules)
            if found is None:
                return None
            low, high = rules.qualifiers[qualifier]
            return _apply(low, found[0]), _apply(high, found[0])
    for word in sorted(rules.vague, key=len, reverse=True):
        if lower == word or lower.startswith(word + " "):
            return rules.vague[word]
    found = _number_at(part, rules)
    if found is not None:
        # "20 of the 27 detainees" and "five of them" count the part; nothing else needs the rest.
        return found[0], found[0]
    words = lower.split()
    if words[0] in rules.articles and not rules.collective & set(words):
        return 1, 1
    return None


def _is_name(part: str) -> bool:
    return any(word[:1].isupper() for word in part.split())


def parse_count(phrase: str, rules: CountRules | None = None) -> tuple[int, int | None]:
    """Low and high for a count phrase; raises ValueError when no rule covers it."""
    rules = rules or load_rules()
    text = normalise(phrase)
    if not text:
        raise ValueError("empty count phrase")
    if text.startswith("-"):
        raise ValueError("a count cannot be negative")
    open_ended = bool(_SUFFIX.search(text))
    text = _SUFFIX.sub("", text)
    if not text:
        raise ValueError(f"{phrase!r} gives no figure")
    parts = [p for p in _PARTS.split(text) if p]
    quantities = [_quantity(p, rules) for p in parts]
    if len(parts) == 1 or not all(q is not None for q in quantities):
        # "10 political and military figures" is one quantity whose noun has two adjectives.
        whole = _quantity(text, rules)
        if whole is not None:
            quantities = [whole]
    if all(q is not None for q in quantities):
        low = sum(q[0] for q in quantities)
        highs = [q[1] for q in quantities]
        high = None if open_ended or any(h is None for h in highs) else sum(highs)
        if high == 0 or (high is not None and high < low):
            raise ValueError(f"{phrase!r} gives no one, or a high below the low: not a count of victims")
        return low, high
    if not any(q is not None for q in quantities) and all(_is_name(p) for p in parts):
        return len(parts), (None if open_ended else len(parts))
    raise ValueError(f"no count rule in {COUNT_WORDS_FILE.name} covers {phrase!r}")
