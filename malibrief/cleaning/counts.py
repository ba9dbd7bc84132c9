"""Turn a count phrase as the source wrote it ("at least 50 civilians", "hundreds") into a low and a high.

The rules are data, not code: `data/reference/count_words.csv` says what each word means, and this
module only applies them. Number words ("one hundred and fifty", French "cent cinquante") are read by
text2num, in the source's language. A high of None means the source gives no upper figure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
from text_to_num import text2num

from malibrief.cleaning.schemas import check, count_words_schema
from malibrief.config import MAX_VICTIMS_PER_EVENT, REFERENCE
from malibrief.errors import raise_if
from malibrief.io import read_csv
from malibrief.text import normalise

COUNT_WORDS_FILE = REFERENCE / "count_words.csv"

_SUFFIX = re.compile(r",?\s*(?:and\s+)?possibly more$")
_PARTS = re.compile(r",\s+(?:and\s+)?|\s+and\s+")
# A figure ends at a space or the end: "1,2345" and "1.000" match no rule rather than a wrong one.
_DIGITS = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?=\s|$)")
_LONGEST_NUMBER = 12  # words; "one hundred and twenty-three thousand four hundred and fifty-six" is 9


@dataclass(frozen=True)
class CountRules:
    qualifiers: dict[str, tuple[str, str]]  # phrase -> (low formula, high formula) in terms of N
    vague: dict[str, tuple[int, int | None]]
    articles: frozenset[str]
    multipliers: dict[str, int]
    collective: frozenset[str]
    not_names: frozenset[str]

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> CountRules:
        def rows(kind):
            return table[table["kind"] == kind].itertuples()

        def number_or_none(value):
            return None if pd.isna(value) or value == "" else int(value)

        return cls(
            qualifiers={r.term: (str(r.low), "" if pd.isna(r.high) else str(r.high)) for r in rows("qualifier")},
            vague={r.term: (int(r.low), number_or_none(r.high)) for r in rows("vague")},
            articles=frozenset(r.term for r in rows("article")),
            multipliers={r.term: int(r.low) for r in rows("multiplier")},
            collective=frozenset(r.term for r in rows("collective")),
            not_names=frozenset(r.term for r in rows("not_a_name")),
        )

    def scale(self, word: str) -> int | None:
        """The multiplier a word names, singular or plural ("hundred", "hundreds"), else None."""
        word = word.lower()
        return self.multipliers.get(word) or (self.multipliers.get(word[:-1]) if word.endswith("s") else None)


@lru_cache(maxsize=4)
def load_rules(path: Path = COUNT_WORDS_FILE) -> CountRules:
    """The rules of a count_words.csv, validated: a bad row is a DataError naming its line and column."""
    table, problems = check(count_words_schema(), read_csv(path, ("term", "kind", "low", "high", "rule")), path)
    raise_if(problems)
    return CountRules.from_table(table)


def number_word(words: list[str], language: str = "en") -> tuple[int, int] | None:
    """The value of the longest run of number words that `words` starts with, and how many words it takes."""
    for k in range(min(len(words), _LONGEST_NUMBER), 0, -1):
        try:
            return text2num(" ".join(words[:k]), language), k
        except ValueError:
            continue
    return None


def _compounds_as_digits(text: str, rules: CountRules, language: str) -> str:
    """Number words joined by "and" written as digits ("one hundred and one thousand" is 101000), so
    that splitting the phrase at "and" into parts ("nine men and a woman") cannot split a number."""
    words, out, i = text.split(" "), [], 0
    while i < len(words):
        run = words[i:]
        if len(run) > 1 and run[0].lower() in rules.articles and run[1].lower() in rules.multipliers:
            run = ["one", *run[1:]]
        found = None if rules.scale(run[0]) else number_word(run, language)
        if found and any(w.lower() in ("and", "et") for w in run[:found[1]]):
            out.append(str(found[0]))
            i += found[1]
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def _apply(formula: str, n: int) -> int | None:
    if formula == "":
        return None
    if formula == "N":
        return n
    if formula == "N+1":
        return n + 1
    return int(formula)


def _number_at(text: str, rules: CountRules, language: str, bare: bool = False) -> tuple[int, str] | None:
    """The figure a phrase starts with, in digits or words ("two thousand"), and the rest of the phrase.
    `bare` lets a multiplier stand alone, as after a qualifier ("some hundred")."""
    match = _DIGITS.match(text)
    if match:
        number, rest = int(match.group().replace(",", "")), text[match.end():].strip()
    else:
        words = text.split(" ")
        first = words[0].lower()
        if rules.scale(first) or first in rules.vague:
            # "hundred", "hundreds", "tens": text2num reads them, but alone they are the vague and article rules'
            if not (bare and first in rules.multipliers):
                return None
            words = ["one", *words]
        elif len(words) > 1 and first in rules.articles and words[1].lower() in rules.multipliers:
            words = ["one", *words[1:]]  # "a hundred and fifty" is "one hundred and fifty"
        found = number_word(words, language)
        if found is None:
            return None
        number, rest = found[0], " ".join(words[found[1]:])
    word, _, after = rest.partition(" ")
    while word.lower() in rules.multipliers:  # "2 million", "two dozen"
        number *= rules.multipliers[word.lower()]
        rest = after
        word, _, after = rest.partition(" ")
    return number, rest


def _vague_scale(rest: list[str], rules: CountRules) -> int:
    """What a vague word is multiplied by: "several hundred", "many thousands", "tens of thousands"."""
    if rest and rules.scale(rest[0]):
        return rules.scale(rest[0])
    if len(rest) > 1 and rest[0] == "of" and rest[1].endswith("s") and rules.scale(rest[1]):
        return rules.scale(rest[1])
    return 1


def _quantity(part: str, rules: CountRules, language: str) -> tuple[int, int | None] | None:
    """Low and high of one quantity phrase, or None when it does not start with a quantity."""
    lower = part.lower()
    for qualifier in sorted(rules.qualifiers, key=len, reverse=True):
        if lower.startswith(qualifier + " "):
            found = _number_at(part[len(qualifier) + 1:], rules, language, bare=True)
            if found is None:
                return None
            low, high = rules.qualifiers[qualifier]
            return _apply(low, found[0]), _apply(high, found[0])
    for word in sorted(rules.vague, key=len, reverse=True):
        if lower == word or lower.startswith(word + " "):
            low, high = rules.vague[word]
            scale = _vague_scale(lower[len(word):].split(), rules)
            return low * scale, None if high is None else high * scale
    found = _number_at(part, rules, language)
    if found is not None:
        # "20 of the 27 detainees" and "five of them" count the part; nothing else needs the rest.
        return found[0], found[0]
    words = lower.split()
    if words[0] in rules.articles and not rules.collective & set(words):
        return 1, 1
    return None


def _names_a_group(part: str, rules: CountRules) -> bool:
    """"the villagers of Moura": a phrase that starts with "the", or ties people to a place with "of",
    "from" or "in", describes a group; its capitalised words are places, not names."""
    words = part.split()
    return words[0].lower() in rules.not_names or any(w in rules.not_names for w in words)


def _is_name(part: str, rules: CountRules) -> bool:
    return not _names_a_group(part, rules) and any(word[:1].isupper() for word in part.split())


def parse_count(phrase: str, rules: CountRules | None = None, language: str = "en") -> tuple[int, int | None]:
    """Low and high for a count phrase; raises ValueError when no rule covers it, or when it counts more
    people than one event plausibly has (config.MAX_VICTIMS_PER_EVENT)."""
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
    text = _compounds_as_digits(text, rules, language)
    parts = [p for p in _PARTS.split(text) if p]
    quantities = [_quantity(p, rules, language) for p in parts]
    if len(parts) == 1 or not all(q is not None for q in quantities):
        # "10 political and military figures" is one quantity whose noun has two adjectives.
        whole = _quantity(text, rules, language)
        if whole is not None:
            quantities = [whole]
    if all(q is not None for q in quantities):
        low = sum(q[0] for q in quantities)
        highs = [q[1] for q in quantities]
        high = None if open_ended or any(h is None for h in highs) else sum(highs)
        if high == 0 or (high is not None and high < low):
            raise ValueError(f"{phrase!r} gives no one, or a high below the low: not a count of victims")
        if max(low, high or 0) > MAX_VICTIMS_PER_EVENT:
            raise ValueError(f"{phrase!r} reads as {max(low, high or 0):,} people, more than the "
                             f"{MAX_VICTIMS_PER_EVENT:,} one event can plausibly have (config.MAX_VICTIMS_PER_EVENT)")
        return low, high
    if not any(q is not None for q in quantities):
        if all(_is_name(p, rules) for p in parts):
            return len(parts), (None if open_ended else len(parts))
        if any(_names_a_group(p, rules) for p in parts):
            raise ValueError(f"{phrase!r} describes a group, not named people (kind not_a_name in "
                             f"{COUNT_WORDS_FILE.name}): give the figure the source gives, or leave the count empty")
    raise ValueError(f"no count rule in {COUNT_WORDS_FILE.name} covers {phrase!r}")
