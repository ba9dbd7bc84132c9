"""Count phrases that were read wrong, silently (issue 19, section 3): number words and compound numbers,
multipliers after vague words, the plausibility bound, and groups that are not lists of names.

    .venv/bin/python -m pytest -q tests/test_count_phrases.py

Expected figures are written out here; the property test spells numbers in words with its own speller.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from malibrief import config
from malibrief.cleaning.counts import parse_count

# (phrase, (low, high)) as the rules in count_words.csv read them; each of these was misread before.
READ = [
    ("a hundred civilians", (100, 100)),
    ("A hundred civilians", (100, 100)),
    ("a thousand people", (1000, 1000)),
    ("several hundred", (300, 900)),
    ("several hundred people", (300, 900)),
    ("several dozen", (36, 108)),
    ("a few hundred villagers", (200, 900)),
    ("a few thousand people", (2000, 9000)),
    ("tens of thousands of people", (20_000, 99_000)),
    ("many hundreds", (200, None)),
    ("one hundred and fifty", (150, 150)),
    ("one hundred and fifty civilians", (150, 150)),
    ("one hundred and fifty civilians and a child", (151, 151)),
    ("two hundred and five men", (205, 205)),
    ("twenty-one people", (21, 21)),
    ("Thirty-four soldiers", (34, 34)),
    ("fifty people", (50, 50)),
    ("one thousand and one people", (1001, 1001)),
    ("two dozen men", (24, 24)),
    ("some hundred people", (100, 100)),
    ("about a hundred people", (100, 100)),
    ("at least a hundred civilians", (100, None)),
    ("at least one hundred and fifty people", (150, None)),
    ("more than two thousand people", (2001, None)),
    ("2 thousand people", (2000, 2000)),
    ("1,000,000 people", (1_000_000, 1_000_000)),
]


@pytest.mark.parametrize("phrase, expected", READ)
def test_count_phrase_is_read(phrase, expected):
    assert parse_count(phrase) == expected


@pytest.mark.parametrize("phrase, expected", [
    ("cent cinquante civils", (150, 150)),
    ("deux mille personnes", (2000, 2000)),
    ("vingt et un villageois", (21, 21)),
    ("quatre-vingt-dix personnes", (90, 90)),
    ("une femme", (1, 1)),
])
def test_count_french_number_words(phrase, expected):
    assert parse_count(phrase, language="fr") == expected


@pytest.mark.parametrize("phrase", ["10 billion", "2 million", "2 million people", "ten billion people",
                                    "more than 1,000,000 people", "at least 3,000,000 civilians"])
def test_count_above_the_plausibility_bound_is_refused_naming_it(phrase):
    with pytest.raises(ValueError) as err:
        parse_count(phrase)
    assert "MAX_VICTIMS_PER_EVENT" in str(err.value) and f"{config.MAX_VICTIMS_PER_EVENT:,}" in str(err.value)


@pytest.mark.parametrize("phrase", ["the villagers of Moura", "The villagers of Moura", "villagers of Moura",
                                    "the men from Boura", "people in Ogossagou and Sobane"])
def test_count_a_group_with_a_place_name_is_not_a_list_of_names(phrase):
    """A capitalised word in a phrase that starts with "the", or that follows of/from/in, is a place: the
    phrase describes a group, gives no figure, and is refused (not read as one named person)."""
    with pytest.raises(ValueError, match="describes a group"):
        parse_count(phrase)


@pytest.mark.parametrize("phrase, expected", [
    ("Bah Ndaw, and prime minister Moctar Ouane", (2, 2)),
    ("Sara Yara and sisters Faty and Amy Cissé", (3, 3)),
    ("14 residents of Tonou", (14, 14)),
    ("24 villagers of Boura", (24, 24)),
    ("Hundreds of men from Moura and neighbouring villages", (200, 999)),
])
def test_count_names_and_figures_near_places_still_read(phrase, expected):
    assert parse_count(phrase) == expected


# An English speller written here, independently of text2num: 0 < n < 1,000,000.
UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
         "seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def spell(n: int, hyphen: bool = True, british_and: bool = True) -> str:
    def below_hundred(k):
        if k < 20:
            return UNITS[k]
        return TENS[k // 10] + (("-" if hyphen else " ") + UNITS[k % 10] if k % 10 else "")

    def below_thousand(k):
        hundreds, rest = divmod(k, 100)
        if not hundreds:
            return below_hundred(rest)
        words = UNITS[hundreds] + " hundred"
        return words + ((" and " if british_and else " ") + below_hundred(rest) if rest else "")

    thousands, rest = divmod(n, 1000)
    if not thousands:
        return below_thousand(rest)
    words = below_thousand(thousands) + " thousand"
    if not rest:
        return words
    return words + (" and " if british_and and rest < 100 else " ") + below_thousand(rest)


def test_the_speller_itself():
    assert spell(150) == "one hundred and fifty"
    assert spell(21) == "twenty-one"
    assert spell(2005) == "two thousand and five"
    assert spell(123_456, british_and=False) == "one hundred twenty-three thousand four hundred fifty-six"


@settings(max_examples=300, deadline=None, database=None)
@given(st.integers(1, 999_999), st.booleans(), st.booleans(), st.booleans(),
       st.sampled_from(["", " people", " civilians", " villagers"]),
       st.sampled_from(["", "at least ", "about ", "more than "]))
def test_numbers_written_in_words_round_trip(n, hyphen, british_and, capital, noun, qualifier):
    words = spell(n, hyphen, british_and)
    if capital and not qualifier:
        words = words.capitalize()
    phrase = qualifier + words + noun
    expected = {"": (n, n), "at least ": (n, None), "about ": (n, n), "more than ": (n + 1, None)}[qualifier]
    assert parse_count(phrase) == expected, phrase


@settings(max_examples=200, deadline=None, database=None)
@given(st.sampled_from([("several", 3, 9), ("a few", 2, 9), ("Several", 3, 9)]),
       st.sampled_from([("hundred", 100), ("thousand", 1000), ("dozen", 12)]),
       st.sampled_from(["", " people", " civilians"]))
def test_vague_word_times_multiplier(vague, multiplier, noun):
    word, low, high = vague
    assert parse_count(f"{word} {multiplier[0]}{noun}") == (low * multiplier[1], high * multiplier[1])
