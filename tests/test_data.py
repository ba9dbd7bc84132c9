"""Guards on the hand-coded tables, so that a broken edit to data/raw or data/reference fails CI."""
import subprocess
import sys

import pandas as pd
import pytest

from malibrief import config
from malibrief.cleaning.counts import parse_count
from malibrief.cleaning.places import MaliOutline

CHECK_SOURCES = config.ROOT.parent / "shared" / "tools" / "check_sources.py"
READ = dict(dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def incidents():
    return pd.read_csv(config.RAW / "incidents.csv", **READ)


# What the schemas (malibrief/cleaning/schemas.py) check, the cleaning applies and test_the_committed_data_cleans
# runs: the tests below check what they do not.

def test_mention_ids_are_numbered_per_source(incidents):
    for source_id, rows in incidents.groupby("source_id"):
        numbers = [int(m.rsplit("-", 1)[1]) for m in rows["mention_id"]]
        assert numbers == list(range(1, len(rows) + 1)), source_id


def test_every_source_has_rows(incidents):
    sources = pd.read_csv(config.RAW / "sources.csv", **READ)
    assert set(sources["source_id"]) - set(incidents["source_id"]) == set()


def test_the_committed_data_cleans(cleaned):
    """Every schema, vocabulary, link, place, perpetrator, claimant and count rule is the cleaning's to check:
    the committed tables pass them all (a broken edit raises DataError naming file, line, column and value)."""
    assert len(cleaned.events) and len(cleaned.violations)


def test_revisits_point_at_an_earlier_chapter(incidents):
    year = {s: int(s.split("-")[1]) for s in incidents["source_id"]}
    for row in incidents[incidents["revisits"] != ""].itertuples():
        assert year[row.revisits.rsplit("-", 1)[0]] < year[row.source_id], row.mention_id


def test_same_event_as_stays_within_a_chapter(incidents):
    for row in incidents[incidents["same_event_as"] != ""].itertuples():
        assert row.same_event_as.startswith(row.source_id + "-"), row.mention_id


def test_place_coordinates_lie_inside_mali_not_just_its_bounding_box():
    outline = MaliOutline()
    places = pd.read_csv(config.REFERENCE / "places.csv")
    outside = [p for p, lat, lon in zip(places["place_id"], places["latitude"], places["longitude"])
               if not outline.contains(lat, lon)]
    assert outside == []
    # The outline is a real shape: Conakry and Niamey lie near the bounding box but not in Mali.
    assert not outline.contains(9.54, -13.68) and not outline.contains(13.51, 2.11)
    assert outline.contains(12.65, -8.0)


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


@pytest.mark.parametrize("table", ["incidents.csv", "out_of_scope.csv"])
def test_summaries_stand_alone(table):
    """A summary is read alone, in a case box or a row of a table: it never leans on another row ("The same
    operation...", "He was also...") nor cites a chapter in its text ("per AI-2022"): the citations have a column."""
    rows = pd.read_csv(config.RAW / table, **READ)
    for column in ("summary", "summary_fr"):
        leaning = rows[rows[column].str.contains(r"^(?:The same|In the same|Also|Another|A further|He|She|They)\b|"
                                                 r"^(?:Le même|La même|Les mêmes|Il|Elle)\b|\b(?:AI|HRW)-20\d\d\b")]
        assert leaning.empty, leaning[column].tolist()


# ---------------------------------------------------------------- what the headline counts (issue 14)


def _named_actors(phrase: str, actors: pd.DataFrame) -> set[str]:
    """The actors a phrase names: every actor's name and aliases found as whole words, the longest form winning
    where two overlap ("foreign military personnel" names Foreign military personnel, not the army's "military")."""
    import re

    from malibrief.text import fold

    text = fold(phrase)
    forms = sorted(((fold(f.strip()), actor) for actor, aliases in zip(actors.index, actors["aliases"])
                    for f in [actor, *aliases.split(";")] if f.strip()), key=lambda f: -len(f[0]))
    named, taken = set(), []
    for form, actor in forms:
        for m in re.finditer(r"(?<!\w)" + re.escape(form) + r"(?!\w)", text):
            if not any(m.start() < end and start < m.end() for start, end in taken):
                taken.append((m.start(), m.end()))
                named.add(actor)
    return named


def test_no_phrase_maps_to_an_actor_it_does_not_name():
    """The actor is who the passage names: each canonical actor of a phrase must be named in it, by its name
    or one of the aliases actors.csv documents ("foreign military personnel" is not Wagner)."""
    actors = pd.read_csv(config.REFERENCE / "actors.csv", **READ).set_index("actor")
    phrases = pd.read_csv(config.REFERENCE / "actor_phrases.csv", **READ)
    wrong = [f"{phrase!r} -> {actor}" for phrase, names in zip(phrases["perpetrator_text"], phrases["actors"])
             for actor in (a.strip() for a in names.split(";")) if actor not in _named_actors(phrase, actors)]
    assert not wrong, wrong
    assert "Wagner Group / Africa Corps" not in actors.index


def test_the_actor_check_can_fail():
    actors = pd.read_csv(config.REFERENCE / "actors.csv", **READ).set_index("actor")
    assert "Malian armed forces" not in _named_actors("foreign military personnel", actors)
    assert "Islamic State Sahel" not in _named_actors("the UN mission", actors)
    assert _named_actors("Malian soldiers and Wagner fighters", actors) >= {"Malian armed forces", "Wagner Group"}


def test_a_party_figure_never_sets_the_low_or_the_best():
    """Sofara: the army's "22 presumed terrorists" is a claim; Amnesty's "at least 30" sets the low. Every event
    with an account that is not a party's takes its figures from such accounts only."""
    events = pd.read_csv(config.PROCESSED / "events.csv", **READ).set_index("event_id")
    assert events.loc["EV-AI-2021-006", "detained_low"] == "30"
    mentions = pd.read_csv(config.RAW / "incidents.csv", **READ).set_index("mention_id")
    claimants = dict(pd.read_csv(config.REFERENCE / "claimants.csv", **READ)[["claimant_text", "kind"]].values)
    for event_id, event in events.iterrows():
        group = mentions.loc[event["mention_ids"].split("; ")]
        for column in config.COUNT_COLUMNS.values():
            present = group[group[f"{column}_text"] != ""]
            own = present[present["claimant_text"].map(lambda c: claimants.get(c) != "party")]
            if len(own) and len(own) < len(present):
                lows = [parse_count(p)[0] for p in own[f"{column}_text"]]
                assert int(event[f"{column}_low"]) == min(lows), (event_id, column)
                assert int(event[f"{column}_best"]) >= min(lows), (event_id, column)


def test_a_violations_best_lies_between_its_low_and_high():
    """events_schema checks the events' figures; violations_schema only that each figure is at least 1."""
    frame = pd.read_csv(config.PROCESSED / "violations.csv", **READ)
    low, best = frame["victims_low"].astype(int), frame["victims_best"].astype(int)
    high = pd.to_numeric(frame["victims_high"]).fillna(float("inf"))
    assert ((low <= best) & (best <= high)).all()


def test_moura_best_is_the_ohchr_figure_within_amnestys_range():
    """Moura: OHCHR's "some 500" summarily executed is the best, within Amnesty's "hundreds"."""
    moura = pd.read_csv(config.PROCESSED / "events.csv", **READ).set_index("event_id").loc["EV-AI-2022-011"]
    assert (moura["killed_low"], moura["killed_best"], moura["killed_high"]) == ("200", "500", "999")


def test_the_default_leaves_out_combatant_deaths_and_criminal_cases_and_one_parameter_brings_them_back():
    from malibrief.briefing import analysis
    from malibrief.notebook import notebook_parameters
    from malibrief.pipeline.plan import BRIEFING_NB

    default = notebook_parameters(BRIEFING_NB)["exclude_flags"][0]
    assert default == ["combatants_killed", "ordinary_criminal_case"]
    data = analysis.load(config.PROCESSED)
    counted = analysis.select(data, 2021, 2025, exclude_flags=default).events
    everything = analysis.select(data, 2021, 2025, exclude_flags=[]).events
    flagged = everything[analysis.has_any(everything["flags"], default)]
    assert len(flagged) and not analysis.has_any(counted["flags"], default).any()
    assert len(everything) == len(counted) + len(flagged)
