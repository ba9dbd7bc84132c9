"""Guards on the hand-coded tables, so that a broken edit to data/raw or data/reference fails CI."""
import csv
import subprocess
import sys

import pandas as pd
import pytest

from malibrief import config
from malibrief.cleaning.actors import ActorIndex
from malibrief.cleaning.counts import parse_count
from malibrief.cleaning.places import Gazetteer, MaliOutline

CHECK_SOURCES = config.ROOT.parent / "shared" / "tools" / "check_sources.py"
READ = dict(dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def incidents():
    return pd.read_csv(config.RAW / "incidents.csv", **READ)


def test_mention_ids_are_unique_and_numbered_per_source(incidents):
    assert incidents["mention_id"].is_unique
    for source_id, rows in incidents.groupby("source_id"):
        numbers = [int(m.rsplit("-", 1)[1]) for m in rows["mention_id"]]
        assert numbers == list(range(1, len(rows) + 1)), source_id


def test_source_ids_are_known(incidents):
    sources = pd.read_csv(config.RAW / "sources.csv", **READ)
    assert set(incidents["source_id"]) == set(sources["source_id"])
    assert sources["source_id"].is_unique


@pytest.mark.parametrize("column", ["revisits", "same_event_as", "date_from"])
def test_links_point_at_existing_mentions(incidents, column):
    ids = set(incidents["mention_id"])
    targets = [v for v in incidents[column] if v]
    assert targets, f"expected some {column} links in the data"
    assert set(targets) <= ids


def test_revisits_point_at_an_earlier_chapter(incidents):
    year = {s: int(s.split("-")[1]) for s in incidents["source_id"]}
    for row in incidents[incidents["revisits"] != ""].itertuples():
        assert year[row.revisits.rsplit("-", 1)[0]] < year[row.source_id], row.mention_id


def test_same_event_as_stays_within_a_chapter(incidents):
    for row in incidents[incidents["same_event_as"] != ""].itertuples():
        assert row.same_event_as.startswith(row.source_id + "-"), row.mention_id


def test_every_place_phrase_resolves(incidents):
    gazetteer = Gazetteer.from_file()
    for row in incidents.itertuples():
        match = gazetteer.resolve(row.place_text)
        assert bool(match.places) == bool(row.place_text.strip()), row.mention_id


def test_every_perpetrator_phrase_resolves(incidents):
    actors = ActorIndex.from_files()
    classes = {actors.resolve(p)[1] for p in incidents["perpetrator_text"]}
    assert classes <= set(config.ACTOR_CLASSES)


def test_every_count_phrase_is_covered_by_a_rule(incidents):
    for column in ("killed_text", "detained_text", "disappeared_text"):
        for phrase in incidents[column][incidents[column] != ""]:
            low, high = parse_count(phrase)
            assert low >= 1 and (high is None or high >= low), phrase


def test_every_mention_records_a_violation(incidents):
    counts = incidents[["killed_text", "detained_text", "disappeared_text"]].apply(lambda s: s.str.strip())
    assert (counts != "").any(axis=1).all()


def test_vocabularies(incidents):
    tags = set(pd.read_csv(config.REFERENCE / "victim_tags.csv", **READ)["tag"])
    flags = set(pd.read_csv(config.REFERENCE / "flags.csv", **READ)["flag"])
    assert set(incidents["victim_type"]) <= set(config.VICTIM_TYPES)
    assert set(incidents["attribution"]) <= {"", *config.ATTRIBUTIONS}
    assert {t for v in incidents["victim_tags"] for t in v.split(";") if t} <= tags
    assert {f for v in incidents["flags"] for f in v.split(";") if f} <= flags


def test_place_coordinates_lie_inside_mali_not_just_its_bounding_box():
    outline = MaliOutline()
    places = pd.read_csv(config.REFERENCE / "places.csv")
    outside = [p for p, lat, lon in zip(places["place_id"], places["latitude"], places["longitude"])
               if not outline.contains(lat, lon)]
    assert outside == []
    # The outline is a real shape: Conakry and Niamey lie near the bounding box but not in Mali.
    assert not outline.contains(9.54, -13.68) and not outline.contains(13.51, 2.11)
    assert outline.contains(12.65, -8.0)


def test_actor_phrases_name_known_actors():
    actors = set(pd.read_csv(config.REFERENCE / "actors.csv", **READ)["actor"])
    with open(config.REFERENCE / "actor_phrases.csv", encoding="utf-8", newline="") as handle:
        named = {a for row in csv.DictReader(handle) for a in row["actors"].split(";")}
    assert named <= actors


@pytest.mark.skipif(not CHECK_SOURCES.exists(), reason="../shared/tools/check_sources.py is not beside the project")
@pytest.mark.parametrize("table", ["incidents.csv", "out_of_scope.csv", "context_figures.csv"])
def test_as_written_phrases_are_word_for_word_in_their_source(table):
    result = subprocess.run([sys.executable, str(CHECK_SOURCES), str(config.RAW / table)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:]
    assert " 0 not found" in result.stdout


@pytest.mark.skipif(not config.SOURCES_DIR.exists(), reason="the sources are not beside the project")
def test_summaries_are_in_our_own_words(incidents):
    """No summary copies a run of eight words from its source."""
    texts = {s: " ".join((config.SOURCES_DIR / f"{s.lower()}.txt").read_text(encoding="utf-8").split()).casefold()
             for s in incidents["source_id"].unique()}
    for row in incidents.itertuples():
        words = row.summary.casefold().split()
        copied = [" ".join(words[i:i + 8]) for i in range(len(words) - 7)
                  if " ".join(words[i:i + 8]) in texts[row.source_id]]
        assert not copied, (row.mention_id, copied)
