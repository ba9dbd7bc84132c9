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


@pytest.mark.parametrize("table", ["incidents.csv", "out_of_scope.csv"])
def test_every_row_has_a_french_summary_after_the_english_one(table):
    rows = pd.read_csv(config.RAW / table, **READ)
    columns = list(rows.columns)
    assert columns.index("summary_fr") == columns.index("summary") + 1
    assert (rows["summary_fr"].str.strip() != "").all()
    assert (rows["summary_fr"] != rows["summary"]).all()


@pytest.mark.parametrize("table", ["incidents.csv", "out_of_scope.csv"])
def test_french_summaries_are_one_sentence_in_french_typography(table):
    rows = pd.read_csv(config.RAW / table, **READ)
    assert (rows["summary_fr"].str.strip() != "").all()
    for row in rows.assign(mention_id=rows.get("mention_id", rows.index + 2)).itertuples():
        assert not typography_problems(row.summary_fr), (row.mention_id, typography_problems(row.summary_fr))
        assert row.summary_fr.endswith(".") and ". " not in row.summary_fr.replace("env. ", ""), row.mention_id
        for english, french in ENGLISH_VOCABULARY.items():
            assert not re.search(english, row.summary_fr), (row.mention_id, english, french)
