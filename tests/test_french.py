"""The French edition: summaries, display names, catalogue, typography, numbers and dates, and the build."""
import re

import pandas as pd
import pytest

from malibrief import config

READ = dict(dtype=str, keep_default_na=False)
# French typography: a no-break space (U+00A0) or narrow no-break space (U+202F) before ; : ! ? and inside
# « guillemets »; the typographic apostrophe.
BAD_TYPOGRAPHY = {
    "plain space before ; : ! ?": re.compile(r" [;:!?]"),
    "no space before ; ! ?": re.compile(r"[^\s\u00a0\u202f][;!?](?=\s|$)"),
    "« without a no-break space after it": re.compile(r"«(?![\u00a0\u202f])"),
    "» without a no-break space before it": re.compile(r"(?<![\u00a0\u202f])»"),
    "straight apostrophe": re.compile(r"'"),
    'straight quotation marks': re.compile(r'"'),
}
# Words a French text about Mali should not use: their French forms are the ones on the right.
ENGLISH_VOCABULARY = {r"\bFulani\b": "Peuls", r"\bISGS\b": "EIGS", r"\bTimbuktu\b": "Tombouctou",
                      r"\bSegou\b": "Ségou", r"\bMenaka\b": "Ménaka"}


def typography_problems(text: str) -> list[str]:
    return [name for name, pattern in BAD_TYPOGRAPHY.items() if pattern.search(text)]


@pytest.fixture(scope="module")
def incidents():
    return pd.read_csv(config.RAW / "incidents.csv", **READ)


def test_every_mention_has_a_french_summary_after_the_english_one(incidents):
    columns = list(incidents.columns)
    assert columns.index("summary_fr") == columns.index("summary") + 1
    assert (incidents["summary_fr"].str.strip() != "").all()
    assert (incidents["summary_fr"] != incidents["summary"]).all()


def test_french_summaries_are_one_sentence_in_french_typography(incidents):
    for row in incidents.itertuples():
        assert not typography_problems(row.summary_fr), (row.mention_id, typography_problems(row.summary_fr))
        assert row.summary_fr.endswith(".") and ". " not in row.summary_fr.replace("env. ", ""), row.mention_id
        for english, french in ENGLISH_VOCABULARY.items():
            assert not re.search(english, row.summary_fr), (row.mention_id, english, french)
