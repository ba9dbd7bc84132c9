"""Acceptance: an independent coding of the five chapters (tests/acceptance/, made without seeing the project's
data) finds each of its incidents in data/raw/incidents.csv, with its count."""
from __future__ import annotations

import pandas as pd
import pytest

from malibrief import config
from malibrief.cleaning.counts import parse_count

ACCEPTANCE = config.ROOT / "tests" / "acceptance" / "independent_coding.csv"
READ = dict(dtype=str, keep_default_na=False)
# The codebook codes people held in an unknown location as disappeared (an enforced disappearance is itself a
# deprivation of liberty), where the independent coding also gave them a detention row.
ALSO = {"detention": ("detained_text", "disappeared_text")}
# Rows the project codes elsewhere, on purpose, with the reason.
CODED_ELSEWHERE = {
    ("AI-2021", "MALI 2021", "2", "detention"): "the chapter's opening summary of the May coup arrests, coded where "
                                               "the chapter tells them (AI-2021-010, Arbitrary arrests)",
}


def _figures(phrase: str):
    try:
        return parse_count(phrase)
    except ValueError:
        return None


def _unmatched() -> list[str]:
    independent = pd.read_csv(ACCEPTANCE, **READ)
    coded = pd.read_csv(config.RAW / "incidents.csv", **READ)
    missing = []
    for row in independent.itertuples():
        if (row.source_id, row.section, row.paragraph, row.violation) in CODED_ELSEWHERE:
            continue
        passage = coded[(coded["source_id"] == row.source_id) & (coded["section"] == row.section)
                        & (coded["paragraph"] == row.paragraph)]
        phrases = [p for column in ALSO.get(row.violation, (f"{config.COUNT_COLUMNS[row.violation]}_text",))
                   for p in passage[column] if p]
        wanted = _figures(row.count_text)
        # one count may be coded as several mentions (two named people): their figures add up
        together = [_figures(p) for p in phrases]
        total = (sum(f[0] for f in together), sum(f[1] for f in together)) if None not in together and all(
            f[1] is not None for f in together) and together else None
        if not phrases:
            missing.append(f"{row.source_id} {row.section!r} para {row.paragraph}: no {row.violation} coded "
                           f"({row.count_text!r})")
        elif not (row.count_text in phrases or (wanted is not None and (wanted in together or wanted == total))):
            missing.append(f"{row.source_id} {row.section!r} para {row.paragraph}: {row.violation} {row.count_text!r} "
                           f"{wanted} not among {phrases}")
    return missing


def test_the_independent_coding_is_all_in_the_data():
    missing = _unmatched()
    assert not missing, f"{len(missing)} incidents of the independent coding are not in the data:\n" + "\n".join(missing)


@pytest.mark.parametrize("column", ["source_id", "section", "paragraph", "violation", "count_text"])
def test_the_independent_coding_is_complete(column):
    independent = pd.read_csv(ACCEPTANCE, **READ)
    assert (independent[column] != "").all()
