"""Reference tables are validated like the raw ones (issue 19, section 6): a bad count_words.csv,
outcome_rules.csv, flags.csv, victim_tags.csv, out_of_scope.csv or boundary GeoJSON is a DataError naming
the file, the row (or feature) and the column, never a bare ValueError, AttributeError, re.error,
IndexError or KeyError; a count rule with low above high is blamed on count_words.csv.

    .venv/bin/python -m pytest -q tests/test_reference_tables.py
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from malibrief import config
from malibrief.cleaning import incidents as clean
from malibrief.cleaning.counts import load_rules
from malibrief.errors import DataError

PROJECT = Path(__file__).resolve().parent.parent


def copy_inputs(tmp: Path) -> tuple[Path, Path]:
    raw, reference = tmp / "raw", tmp / "reference"
    shutil.copytree(PROJECT / "data" / "raw", raw)
    shutil.copytree(PROJECT / "data" / "reference", reference)
    return raw, reference


def line_of(path: Path, column: str, value: str) -> int:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return int(frame.index[frame[column] == value][0]) + 2


def edit(path: Path, line: int, column: str, value: str) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[line - 2, column] = value
    frame.to_csv(path, index=False)


def error_of(raw: Path, reference: Path) -> str:
    with pytest.raises(DataError) as caught:  # a DataError, not a bare ValueError, KeyError or re.error
        clean.clean(raw, reference)
    return str(caught.value)


def named(text: str, file: str, line: int | None, column: str, value, message: str) -> bool:
    where = file + (f", line {line}" if line is not None else "") + f", column {column!r}"
    if value is not None:
        where += f": value {value!r}"
    return any(where in row and message in row for row in text.splitlines())


# (file, the row's key column and value, column, bad value, message)
CELLS = [
    ("count_words.csv", "term", "dozens", "high", "10", "is below low"),
    ("count_words.csv", "term", "several", "low", "three", "is not a whole number"),
    ("count_words.csv", "term", "at least", "low", "N+2", "is not N, N+1 or a whole number"),
    ("count_words.csv", "term", "hundred", "low", "a hundred", "is not a whole number above 1"),
    ("count_words.csv", "term", "many", "kind", "vauge", "isin"),
    ("outcome_rules.csv", "outcome", "released", "pattern", "released|(freed", "is not a regular expression"),
    ("outcome_rules.csv", "outcome", "still missing", "outcome", "gone", "isin"),
    ("flags.csv", "flag", "party_figure", "flag", "Party Figure", "is not a flag name"),
    ("flags.csv", "flag", "party_figure", "flag", "death_in_custody", "is a duplicate"),
    ("flags.csv", "flag", "party_figure", "description", "", "is empty"),
    ("victim_tags.csv", "tag", None, "tag", "", "is empty"),
]


@pytest.mark.parametrize("file, key, key_value, column, value, message", CELLS,
                         ids=[f"{c[0]}-{c[3]}-{c[4] or 'empty'}" for c in CELLS])
def test_a_bad_reference_cell_is_named(tmp_path, file, key, key_value, column, value, message):
    raw, reference = copy_inputs(tmp_path)
    path = reference / file
    line = line_of(path, key, key_value) if key_value else 2
    edit(path, line, column, value)
    text = error_of(raw, reference)
    assert named(text, file, line, column, value, message), text
    assert "incidents.csv" not in text  # the rule is to blame, not the phrases it reads


def test_a_rule_with_low_above_high_is_blamed_on_count_words_by_parse_count_too(tmp_path):
    _, reference = copy_inputs(tmp_path)
    line = line_of(reference / "count_words.csv", "term", "hundreds")
    edit(reference / "count_words.csv", line, "high", "150")
    with pytest.raises(DataError) as caught:
        load_rules(reference / "count_words.csv")
    assert named(str(caught.value), "count_words.csv", line, "high", "150", "is below low")


def test_a_missing_column_in_count_words_is_named(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    frame = pd.read_csv(reference / "count_words.csv", dtype=str, keep_default_na=False)
    frame.drop(columns=["kind"]).to_csv(reference / "count_words.csv", index=False)
    assert "count_words.csv, line 1, column 'kind': required column is missing" in error_of(raw, reference)


@pytest.mark.parametrize("column, value, message", [
    ("source_id", "XX-2021", "isin"),
    ("violation", "arson", "isin"),
    ("paragraph", "two", "is not a positive whole number"),
    ("summary", "", "is empty"),
])
def test_a_bad_out_of_scope_row_is_named(tmp_path, column, value, message):
    raw, reference = copy_inputs(tmp_path)
    edit(raw / "out_of_scope.csv", 4, column, value)
    assert named(error_of(raw, reference), "out_of_scope.csv", 4, column, value, message)


def _outline(reference: Path) -> dict:
    return json.loads((reference / config.OUTLINE_FILE).read_text(encoding="utf-8"))


@pytest.mark.parametrize("file, breaks, column, message", [
    (config.OUTLINE_FILE, lambda d: {**d, "features": [{**d["features"][0], "geometry": {"type": "Point",
                                                                                        "coordinates": [0, 15]}}]},
     "features[0].geometry.type", "is not a Polygon or MultiPolygon"),
    (config.OUTLINE_FILE, lambda d: {**d, "features": [{**d["features"][0], "geometry": {
        "type": "Polygon", "coordinates": [[[0, 10], [2, 12], [2, 10], [0, 12], [0, 10]]]}}]},
     "features[0].geometry", "is not a valid polygon"),
    (config.OUTLINE_FILE, lambda d: {**d, "features": [{**d["features"][0], "geometry": {
        "type": "Polygon", "coordinates": "none"}}]},
     "features[0].geometry", "cannot be read as a polygon"),
    (config.ADMIN1_FILE, lambda d: {**d, "features": [{**f, "properties": {**f["properties"], "name": "Atlantis"}}
                                                      if i == 3 else f for i, f in enumerate(d["features"])]},
     "features[3].properties.name", "is not a region name"),
])
def test_a_bad_boundary_feature_is_named(tmp_path, file, breaks, column, message):
    raw, reference = copy_inputs(tmp_path)
    path = reference / file
    path.write_text(json.dumps(breaks(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")
    text = error_of(raw, reference)
    assert any(f"{file}, column {column!r}" in row and message in row for row in text.splitlines()), text


@pytest.mark.parametrize("content, message", [
    ('{"type": "FeatureCollection", "features": [', "is not GeoJSON"),
    ('{"type": "FeatureCollection", "features": []}', "with features"),
    ("[1, 2]", "with features"),
])
def test_an_unreadable_boundary_file_is_named(tmp_path, content, message):
    raw, reference = copy_inputs(tmp_path)
    (reference / config.OUTLINE_FILE).write_text(content, encoding="utf-8")
    text = error_of(raw, reference)
    assert any(config.OUTLINE_FILE in row and message in row for row in text.splitlines()), text


def test_the_real_reference_tables_pass():
    assert len(clean.load_inputs().out_of_scope) > 0


@pytest.mark.parametrize("file, column, value, message", [
    ("acled_actor_patterns.csv", "pattern", "Military Forces of (Mali", "is not a regular expression"),
    ("acled_actor_patterns.csv", "group", "army", "is not a group"),
    ("acled_inter_codes.csv", "group", "rebels", "is not a group"),
    ("acled_actors.csv", "group", "", "is not a group"),
])
def test_a_bad_acled_actor_table_is_named(tmp_path, file, column, value, message):
    from malibrief.cleaning import acled

    _, reference = copy_inputs(tmp_path)
    edit(reference / file, 3, column, value)
    with pytest.raises(DataError) as caught:
        acled.actor_rules(reference)
    assert named(str(caught.value), file, 3, column, value, message), str(caught.value)
