"""Assisted coding (malibrief.propose): candidates from the five chapters and from text written here.

    .venv/bin/python -m pytest -q tests/test_propose.py

The chapters' sentences are read from ../shared/sources at test time, never copied here; the only words of
theirs in this file are short phrases that data/raw/incidents.csv already holds.
"""
from __future__ import annotations

import csv
import hashlib
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import papermill
import pytest

from malibrief import config
from malibrief.cleaning.counts import parse_count
from malibrief.cleaning.incidents import clean
from malibrief.propose.__main__ import main
from malibrief.propose.candidates import REVIEW_COLUMNS, incident_columns, propose, write
from malibrief.propose.chapter import html_to_text, is_heading, paragraphs, read_chapter
from malibrief.propose.review import confirmed, for_review, marked, read_candidates

CHAPTERS = {"AI-2021": 2021, "AI-2022": 2022, "AI-2023": 2023, "AI-2024": 2024, "HRW-2025": 2025}
CHECK = config.ROOT.parent / "shared" / "tools" / "check_sources.py"
NOTEBOOK = config.NOTEBOOKS / "03-propose.ipynb"
INCIDENT_COLUMNS = incident_columns()  # the header of data/raw/incidents.csv
TEXT_COLUMNS = [c for c in INCIDENT_COLUMNS if c.endswith("_text")]
# A chapter in our own words: a known place, a place the gazetteer lacks, a known actor, a count in words.
OWN_CHAPTER = """Mali 2030

Armed groups

On 4 May, the GSIM killed twelve herders near Xyzville village, Mopti region.

In June, Moussa Kanté Diallo, a teacher, was abducted by unidentified individuals in Bamako.

Gunmen kidnapped two aid workers in Bamako on 3 March. Their whereabouts remain unknown.
"""


def chapter_path(source_id: str) -> Path:
    return config.SOURCES_DIR / f"{source_id.lower()}.txt"


@pytest.fixture(scope="module")
def proposed() -> dict[str, pd.DataFrame]:
    return {s: propose(chapter_path(s), s, year) for s, year in CHAPTERS.items()}


def own_chapter(tmp_path: Path, text: str = OWN_CHAPTER) -> Path:
    path = tmp_path / "ai-2030.txt"
    path.write_text(text, encoding="utf-8")
    return path


def reference_without(tmp_path: Path, place_id: str | None = None, phrase: str | None = None) -> Path:
    folder = tmp_path / "reference"
    shutil.copytree(config.REFERENCE, folder)
    if place_id:
        places = pd.read_csv(folder / "places.csv", dtype=str, keep_default_na=False)
        places[places["place_id"] != place_id].to_csv(folder / "places.csv", index=False)
    if phrase:
        phrases = pd.read_csv(folder / "actor_phrases.csv", dtype=str, keep_default_na=False)
        phrases[phrases["perpetrator_text"] != phrase].to_csv(folder / "actor_phrases.csv", index=False)
    return folder


def row_with(frame: pd.DataFrame, column: str, value: str) -> pd.Series:
    rows = frame[frame[column] == value]
    assert len(rows) >= 1, f"no candidate with {column} {value!r}"
    return rows.iloc[0]


# ---------------------------------------------------------------- structure


def test_paragraphs_are_numbered_as_the_codebook_numbers_them():
    """Every coded (section, paragraph) exists, and its paragraph holds the coded count phrase."""
    with open(config.RAW / "incidents.csv", newline="", encoding="utf-8") as fh:
        coded = list(csv.DictReader(fh))
    for source_id, year in CHAPTERS.items():
        by_key = {(p.section, str(p.number)): p.text for p in paragraphs(read_chapter(chapter_path(source_id)), year)}
        for row in (r for r in coded if r["source_id"] == source_id):
            text = by_key[(row["section"], row["paragraph"])]
            count = row["killed_text"] or row["detained_text"] or row["disappeared_text"]
            assert count.replace("’", "'") in text.replace("’", "'"), row["mention_id"]


def test_headings_are_short_lines_that_do_not_end_like_sentences():
    assert is_heading("Armed forces and their allies") and is_heading("Right to truth, justice and reparation")
    assert not is_heading("The village was left empty.") and not is_heading("according to the police.1")
    assert not is_heading("© 2025 Photo by someone")


# ---------------------------------------------------------------- phrases


@pytest.mark.parametrize("source_id", CHAPTERS)
def test_every_phrase_is_an_exact_substring_of_its_paragraph(proposed, source_id):
    frame = proposed[source_id]
    by_key = {(p.section, str(p.number)): p.text
              for p in paragraphs(read_chapter(chapter_path(source_id)), CHAPTERS[source_id])}
    assert len(frame) > 10
    for _, row in frame.iterrows():
        text = by_key[(row["section"], row["paragraph"])]
        assert row["sentence"] in text
        for column in TEXT_COLUMNS:
            position = 0
            for piece in filter(None, row[column].split(" ... ")):
                found = text.find(piece, position)
                assert found >= 0, (row["mention_id"], column, piece)
                position = found + len(piece)


@pytest.mark.parametrize("source_id", ["AI-2021", "HRW-2025"])
def test_the_source_check_passes_on_the_candidates(proposed, source_id, tmp_path):
    path = tmp_path / "candidates.csv"
    write(proposed[source_id], path)
    result = subprocess.run([sys.executable, str(CHECK), str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_candidates_have_the_columns_of_incidents_csv_then_the_review_columns(proposed):
    frame = proposed["AI-2022"]
    assert list(frame.columns) == [*INCIDENT_COLUMNS, "violations", "sentence", "missing_or_uncertain",
                                   "confidence", "confirmed"]
    assert frame["confidence"].between(0, 1).all() and (frame["summary"] == "").all()


def test_an_unknown_place_is_marked_and_never_guessed(tmp_path):
    reference = reference_without(tmp_path, place_id="kourma")
    frame = propose(chapter_path("HRW-2025"), "HRW-2025", 2025, reference_dir=reference)
    row = row_with(frame, "detained_text", "12 Fulani men")
    assert "place not in places.csv: 'Kourma'" in row["missing_or_uncertain"]
    assert "Kourma" in row["place_text"]  # as written, for the coder to add; no place is substituted
    standing = row_with(propose(chapter_path("HRW-2025"), "HRW-2025", 2025), "detained_text", "12 Fulani men")
    assert "places.csv" not in standing["missing_or_uncertain"]


def test_an_unknown_place_in_our_own_words_is_marked(tmp_path):
    frame = propose(own_chapter(tmp_path), "AI-2030", 2030)
    row = row_with(frame, "killed_text", "twelve herders")
    assert "place not in places.csv: 'Xyzville'" in row["missing_or_uncertain"]
    assert row["perpetrator_text"] == "the GSIM" and row["date_text"] == "On 4 May"


def test_an_unknown_actor_is_marked(tmp_path):
    reference = reference_without(tmp_path, phrase="Malian soldiers and Wagner fighters")
    frame = propose(chapter_path("HRW-2025"), "HRW-2025", 2025, reference_dir=reference)
    row = row_with(frame, "killed_text", "six Fulani men")
    assert row["perpetrator_text"] == "Malian soldiers and Wagner fighters"
    assert "perpetrator not in actor_phrases.csv: 'Malian soldiers and Wagner fighters'" in row["missing_or_uncertain"]


@pytest.mark.parametrize("column, phrase, low, high", [
    ("killed_text", "at least 21 men, and possibly more", 21, None),
    ("killed_text", "nine men and a woman", 10, 10),
    ("disappeared_text", "Abba Alhassane, El Bachir Thiam, and Abdoul Karim Traoré", 3, 3),
    ("detained_text", "about 100 Fulani men", 100, 100),
])
def test_counts_are_read_by_the_project_rules(proposed, column, phrase, low, high):
    row_with(proposed["HRW-2025"], column, phrase)
    assert parse_count(phrase) == (low, high)


@pytest.mark.parametrize("source_id, column, phrase", [
    ("AI-2022", "killed_text", "20 of the 27 detainees"),
    ("AI-2022", "killed_text", "approximately 130 deaths"),
    ("AI-2022", "detained_text", "Sara Yara and sisters Faty and Amy Cissé"),
    ("AI-2022", "killed_text", "Hundreds of civilians"),
    ("AI-2023", "disappeared_text", "21 others"),
    ("AI-2024", "killed_text", "17 of them"),
])
def test_count_phrases_match_the_coders(proposed, source_id, column, phrase):
    row_with(proposed[source_id], column, phrase)


def test_every_count_phrase_is_read_or_marked(proposed):
    for frame in proposed.values():
        for _, row in frame.iterrows():
            for column in ("killed_text", "detained_text", "disappeared_text"):
                if row[column]:
                    try:
                        parse_count(row[column])
                    except ValueError:
                        assert "count:" in row["missing_or_uncertain"], row[column]


def test_a_count_in_words_and_a_name_in_our_own_words(tmp_path):
    frame = propose(own_chapter(tmp_path), "AI-2030", 2030)
    assert parse_count(row_with(frame, "killed_text", "twelve herders")["killed_text"]) == (12, 12)
    row = row_with(frame, "disappeared_text", "Moussa Kanté Diallo")
    assert row["perpetrator_text"] == "unidentified individuals" and row["place_text"] == "Bamako"


def test_one_row_per_count_and_an_unknown_actor_in_our_own_words(tmp_path):
    """The second sentence repeats the disappearance: it gives the outcome, not another row."""
    frame = propose(own_chapter(tmp_path), "AI-2030", 2030)
    rows = frame[frame["paragraph"] == "3"]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["disappeared_text"], row["outcome_text"], row["date_text"]) == ("two aid workers", "remain unknown", "on 3 March")
    assert "perpetrator not in actor_phrases.csv: 'Gunmen'" in row["missing_or_uncertain"]


# ---------------------------------------------------------------- input and output


def saved_page(text: str) -> str:
    """The chapter as a web page would hold it: headings, paragraphs, notes as a numbered list whose
    numbers the markup implies, no-break spaces as entities, and page furniture around them."""
    blocks, notes = [], []
    for line in text.splitlines():
        note = re.match(r"\s*\d+\.\s+(.*)", line)
        if note:
            notes.append(f"<li>{html.escape(note[1])}</li>")
        elif line.strip():
            tag = "h2" if is_heading(line) else "p"
            body = html.escape(line.strip()).replace("\xa0", "&nbsp;")
            body = re.sub(r"(?<=\.)(\d)(?= |$)", r"<sup><a href='#fn\1'>\1</a></sup>", body)  # footnote marks
            blocks.append(f"<{tag}>{body}</{tag}>")
    if notes:
        blocks.append("<ol>" + "".join(notes) + "</ol>")
    return ("<!DOCTYPE html><html><head><title>Mali</title><script>var x = '<p>not text</p>';</script>"
            "<style>p{color:red}</style></head><body><nav><ul><li>Home</li><li>Reports</li></ul></nav><main>"
            + "\n".join(blocks) + "</main><footer><p>Cookie settings.</p></footer></body></html>")


@pytest.mark.parametrize("source_id", CHAPTERS)
def test_a_saved_web_page_gives_the_same_candidates_as_the_text(proposed, source_id, tmp_path):
    page = tmp_path / f"{source_id.lower()}.html"
    page.write_text(saved_page(chapter_path(source_id).read_text(encoding="utf-8")), encoding="utf-8")
    pd.testing.assert_frame_equal(proposed[source_id], propose(page, source_id, CHAPTERS[source_id]))


def test_markup_is_stripped_to_one_line_per_block():
    page = ("<html><body><nav><p>Menu</p></nav><div><h1>Mali 2030</h1><div>On 3 May, soldiers<br>killed <b>4</b>"
            " men.<sup>1</sup></div><ul><li><p>Item</p></li></ul></div><footer>Legal</footer></body></html>")
    assert html_to_text(page) == "Mali 2030\n\nOn 3 May, soldiers killed 4 men.1\n\nItem\n"


def test_a_byte_order_mark_does_not_hide_the_title(tmp_path):
    path = own_chapter(tmp_path)
    path.write_text("\ufeff" + OWN_CHAPTER, encoding="utf-8")
    assert len(propose(path, "AI-2030", 2030)) == 3


def test_the_command_on_a_saved_page_writes_what_the_source_check_needs(tmp_path):
    page = tmp_path / "ai-2022.html"
    page.write_text(saved_page(read_chapter(chapter_path("AI-2022"))), encoding="utf-8")
    out, sources = tmp_path / "candidates.csv", tmp_path / "sources"
    assert main([str(page), "--source-id", "AI-2022", "--year", "2022", "--out", str(out), "--sources-dir", str(sources)]) == 0
    assert list(read_candidates(out).columns) == [*INCIDENT_COLUMNS, *REVIEW_COLUMNS]
    result = subprocess.run([sys.executable, str(CHECK), str(out), "--sources", str(sources)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_never_writes_into_data_raw(tmp_path, capsys):
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in config.RAW.iterdir() if p.is_file()}
    target = config.RAW / "candidates.csv"
    with pytest.raises(SystemExit) as stop:
        main([str(chapter_path("AI-2023")), "--source-id", "AI-2023", "--year", "2023", "--out", str(target)])
    assert stop.value.code == 2 and "inside data/raw" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(chapter_path("AI-2023")), "--source-id", "AI-2023", "--year", "2023", "--out",
              str(tmp_path / "c.csv"), "--sources-dir", str(config.RAW)])
    with pytest.raises(ValueError, match="inside data/raw"):
        write(propose(chapter_path("AI-2023"), "AI-2023", 2023), config.RAW / "x" / "candidates.csv")
    with pytest.raises(SystemExit):  # the chapter's text goes nowhere in the project but build/
        main([str(chapter_path("AI-2023")), "--source-id", "AI-2023", "--year", "2023", "--out",
              str(tmp_path / "c.csv"), "--sources-dir", str(config.ROOT / "docs")])
    assert main([str(chapter_path("AI-2023")), "--source-id", "AI-2023", "--year", "2023", "--out",
                 str(tmp_path / "c.csv")]) == 0
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in config.RAW.iterdir() if p.is_file()}
    assert after == before and not (config.RAW / "x").exists()


def test_mention_ids_follow_the_coded_ones(proposed, tmp_path):
    with open(config.RAW / "incidents.csv", newline="", encoding="utf-8") as fh:
        last = max(int(r["mention_id"].rsplit("-", 1)[1]) for r in csv.DictReader(fh) if r["source_id"] == "HRW-2025")
    assert proposed["HRW-2025"]["mention_id"].iloc[0] == f"HRW-2025-{last + 1:03d}"
    ids = propose(own_chapter(tmp_path), "AI-2030", 2030)["mention_id"].tolist()
    assert ids == [f"AI-2030-{n:03d}" for n in range(1, len(ids) + 1)]


def test_a_wrong_year_or_a_bad_triggers_table_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no title line ending in 2021"):
        propose(chapter_path("AI-2023"), "AI-2023", 2021)
    reference = reference_without(tmp_path)
    triggers = (reference / "triggers.csv").read_text(encoding="utf-8").splitlines()
    triggers[1] = triggers[1].replace("killing,killed,after", "murdering,killed,after", 1)
    (reference / "triggers.csv").write_text("\n".join(triggers) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"triggers.csv, line 2, column 'violation': value 'murdering': must be one"):
        propose(chapter_path("AI-2023"), "AI-2023", 2023, reference_dir=reference)


def test_marking_escapes_the_text_before_wrapping_the_phrases():
    text = 'On 4 May, <b>"soldiers"</b> & others killed 12 men.'
    out = marked(text, [(text.index("12 men"), text.index("12 men") + 6, "killed_text"), (0, 8, "date_text")])
    assert out == ('<mark title="date_text">On 4 May</mark>, &lt;b&gt;&quot;soldiers&quot;&lt;/b&gt; &amp; others '
                   'killed <mark title="killed_text">12 men</mark>.')


def test_confirmed_rows_have_the_columns_of_incidents_csv(proposed):
    frame = proposed["AI-2024"].copy()
    frame.loc[frame.index[1], "confirmed"] = "yes"
    rows = confirmed(frame, [frame["mention_id"].iloc[0]])
    assert list(rows.columns) == list(INCIDENT_COLUMNS)
    assert rows["mention_id"].tolist() == frame["mention_id"].iloc[:2].tolist()
    with pytest.raises(ValueError, match="not among the candidates"):
        confirmed(frame, ["AI-2024-999"])


def test_review_keeps_the_coders_edits_unless_asked_to_propose_again(tmp_path):
    out = tmp_path / "candidates.csv"
    first, _ = for_review(own_chapter(tmp_path), "AI-2030", 2030, out)
    edited = first.copy()
    edited.loc[0, "confirmed"], edited.loc[0, "summary"] = "yes", "Our own summary."
    write(edited, out)
    again, _ = for_review(own_chapter(tmp_path), "AI-2030", 2030, out)
    assert again.loc[0, "summary"] == "Our own summary." and confirmed(again)["summary"].tolist() == ["Our own summary."]
    fresh, _ = for_review(own_chapter(tmp_path), "AI-2030", 2030, out, refresh=True)
    assert fresh.loc[0, "summary"] == ""


def test_confirmed_rows_appended_to_the_raw_data_pass_the_cleaning(proposed, tmp_path):
    """What the coder appends is in the raw format: with a summary written in each language and only rows whose places,
    actors and claimants the tables know, the cleaning takes the whole file (relative dates included,
    through the date_from that propose suggests)."""
    raw = tmp_path / "raw"
    shutil.copytree(config.RAW, raw)
    frame = proposed["HRW-2025"].copy()
    counted = (frame["killed_text"] + frame["detained_text"] + frame["disappeared_text"]) != ""
    known = ~frame["missing_or_uncertain"].str.contains("places.csv|actor_phrases.csv|claimants.csv")
    frame = frame[counted & known].assign(summary="Written by the coder.", summary_fr="Rédigé par le codeur.")
    assert frame["date_from"].ne("").any()
    rows = confirmed(frame, frame["mention_id"].tolist())
    with open(raw / "incidents.csv", "a", encoding="utf-8", newline="") as fh:
        fh.write(rows.to_csv(index=False, header=False, lineterminator="\n"))
    cleaned = clean(raw, config.REFERENCE)
    assert set(rows["mention_id"]) <= set(cleaned.mentions["mention_id"])


@pytest.mark.slow
def test_the_review_notebook_runs_on_a_chapter(tmp_path):
    out, confirmed_out = tmp_path / "candidates.csv", tmp_path / "confirmed.csv"
    papermill.execute_notebook(
        str(NOTEBOOK), str(tmp_path / "run.ipynb"), kernel_name="python3", cwd=str(NOTEBOOK.parent),
        progress_bar=False, log_output=False,
        parameters=dict(chapter=str(chapter_path("AI-2024")), source_id="AI-2024", year=2024, out=str(out),
                        sources_dir=str(tmp_path / "sources"), confirmed_out=str(confirmed_out),
                        accepted=["AI-2024-020", "AI-2024-021"]))
    candidates = read_candidates(out)
    rows = pd.read_csv(confirmed_out, dtype=str, keep_default_na=False)
    assert list(rows.columns) == list(INCIDENT_COLUMNS)
    expected = candidates[candidates["mention_id"].isin(["AI-2024-020", "AI-2024-021"])][list(INCIDENT_COLUMNS)]
    pd.testing.assert_frame_equal(rows, expected.reset_index(drop=True))
    run = (tmp_path / "run.ipynb").read_text(encoding="utf-8")
    assert "<mark title=" in run and (tmp_path / "sources" / "ai-2024.txt").is_file()
