"""Bad input gets a clear error, a non-zero exit, and leaves every output as it was.

Each case breaks one thing in a temporary copy of data/raw or data/reference (or passes one bad
parameter) and checks that the error names the file, the line, the column and the value, that the
run stops, and that the project's data/processed/ and last rendered briefing are byte-identical.

    .venv/bin/python -m pytest -q tests/test_bad_input.py
"""
from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import papermill
import pytest
from shapely.geometry import Point, shape

from malibrief.cleaning import incidents as clean
from malibrief.errors import DataError
from malibrief.pipeline import cli as build
from malibrief.pipeline import run

PROJECT = Path(__file__).resolve().parent.parent

CLEAN_NB = PROJECT / "notebooks" / "01-clean.ipynb"
ROW = 5  # the line of incidents.csv the row cases break (header = line 1); its date_from is empty


# ---------------------------------------------------------------- helpers


def tree_digest(*paths: Path) -> dict[str, str]:
    """sha256 of every file under the given paths (files or folders); missing paths are recorded."""
    found = {}
    for root in paths:
        if not root.exists():
            found[str(root)] = "missing"
        for path in sorted(root.rglob("*") if root.is_dir() else [root] if root.exists() else []):
            if path.is_file():
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def project_outputs() -> dict[str, str]:
    """The project's processed tables and last rendered briefing, which no bad input may touch."""
    return tree_digest(PROJECT / "data" / "processed", PROJECT / "figures", PROJECT / "build" / "briefing")


@pytest.fixture(autouse=True)
def outputs_untouched():
    before = project_outputs()
    yield
    assert project_outputs() == before, "data/processed/ or build/briefing.* changed"


def copy_inputs(tmp: Path) -> tuple[Path, Path]:
    """Fresh copies of data/raw and data/reference under tmp, to break at will."""
    raw, reference = tmp / "raw", tmp / "reference"
    shutil.copytree(PROJECT / "data" / "raw", raw)
    shutil.copytree(PROJECT / "data" / "reference", reference)
    return raw, reference


def read_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def write_table(frame: pd.DataFrame, path: Path, **options) -> None:
    frame.to_csv(path, index=False, **options)


def edit_cell(path: Path, line: int, column: str, value: str) -> str:
    """Set one cell, addressed as a person reads the file (header = line 1); return the old value."""
    frame = read_table(path)
    old = frame.loc[line - 2, column]
    frame.loc[line - 2, column] = value
    write_table(frame, path)
    return old


def clean_error(raw: Path, reference: Path) -> str:
    """The text of the DataError that cleaning these inputs must raise."""
    with pytest.raises(DataError) as caught:
        clean.clean(raw, reference)
    return str(caught.value)


def expect_problem(text: str, file: str, line: int | None, column: str | None, value, message: str | None):
    """One line of the error names the file, line, column and value, and says what is wrong."""
    where = file + (f", line {line}" if line is not None else "") + (f", column {column!r}" if column else "")
    if value is not None:
        where += f": value {value!r}"
    hits = [row for row in text.splitlines() if where in row]
    assert hits, f"no problem reads {where!r} in:\n{text}"
    if message:
        assert any(message in row for row in hits), f"{where!r} does not say {message!r} in:\n{text}"


# ---------------------------------------------------------------- a copy that is not broken is clean


def test_unbroken_copy_cleans(tmp_path):
    """The baseline: the copy and the read/write round trip alone raise nothing."""
    raw, reference = copy_inputs(tmp_path)
    edit_cell(raw / "incidents.csv", ROW, "summary", read_table(raw / "incidents.csv").loc[ROW - 2, "summary"])
    assert len(clean.clean(raw, reference).events) > 0


# ---------------------------------------------------------------- one bad cell in a raw or reference table

# id, folder, file, line, column, new value, expected message fragment (None: location and value only)
CELL_CASES = [
    ("date-31-february", "raw", "incidents.csv", ROW, "date_text", "On 31 February", "not a real date"),
    ("date-sometime", "raw", "incidents.csv", ROW, "date_text", "sometime", "no date rule covers"),
    ("date-after-the-build-date", "raw", "incidents.csv", ROW, "date_text", "On 3 January 2099", "after the build date"),
    ("date-years-before-the-chapter", "raw", "incidents.csv", ROW, "date_text", "In March 2015",
     "more than a year before the chapter's year"),
    ("relative-date-without-date-from", "raw", "incidents.csv", ROW, "date_text", "One week later",
     "a relative date needs date_from"),
    ("negative-count", "raw", "incidents.csv", ROW, "killed_text", "-5 people", "cannot be negative"),
    ("count-no-rule-covers", "raw", "incidents.csv", ROW, "killed_text", "countless", "no count rule"),
    ("count-a-great-crowd", "raw", "incidents.csv", ROW, "killed_text", "a great crowd", "no count rule"),
    ("unknown-place", "raw", "incidents.csv", ROW, "place_text", "Atlantis village", "no place in places.csv"),
    ("unknown-perpetrator", "raw", "incidents.csv", ROW, "perpetrator_text", "the men from Mars",
     "perpetrator phrase not in actor_phrases.csv"),
    ("duplicate-mention-id", "raw", "incidents.csv", ROW, "mention_id", "AI-2021-001", "duplicate"),
    ("mention-id-not-from-its-source", "raw", "incidents.csv", ROW, "mention_id", "HRW-2025-901",
     "does not start with its source_id"),
    ("text-only-spaces", "raw", "incidents.csv", ROW, "victims_text", "   ", "only spaces"),
    ("summary-only-spaces", "raw", "incidents.csv", ROW, "summary", "   ", "only spaces"),
    ("unknown-source-id", "raw", "incidents.csv", ROW, "source_id", "XX-2021", None),
    ("unknown-victim-tag", "raw", "incidents.csv", ROW, "victim_tags", "giants", "victim tag"),
    ("unknown-flag", "raw", "incidents.csv", ROW, "flags", "not_a_flag", "flag"),
    ("revisits-missing-mention", "raw", "incidents.csv", ROW, "revisits", "AI-2021-999",
     "names a mention_id that does not exist"),
    ("date-from-missing-mention", "raw", "incidents.csv", ROW, "date_from", "AI-2021-999",
     "names a mention_id that does not exist"),
    ("actor-phrase-to-unknown-actor", "reference", "actor_phrases.csv", 4, "actors", "Martian army",
     "not in its reference table"),
]


def _case_id(case):
    return case[0] if isinstance(case, tuple) else None


@pytest.mark.parametrize("case_id, folder, file, line, column, value, message", CELL_CASES, ids=_case_id)
def test_bad_cell(tmp_path, case_id, folder, file, line, column, value, message):
    raw, reference = copy_inputs(tmp_path)
    path = (raw if folder == "raw" else reference) / file
    assert edit_cell(path, line, column, value) != value
    expect_problem(clean_error(raw, reference), file, line, column, value, message)


def test_duplicate_mention_id_names_both_rows(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    first = read_table(raw / "incidents.csv").loc[0, "mention_id"]
    edit_cell(raw / "incidents.csv", ROW, "mention_id", first)
    text = clean_error(raw, reference)
    for line in (2, ROW):
        expect_problem(text, "incidents.csv", line, "mention_id", first, "duplicate")


def test_row_without_any_violation(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    frame = read_table(raw / "incidents.csv")
    frame.loc[ROW - 2, ["killed_text", "detained_text", "disappeared_text"]] = ""
    write_table(frame, raw / "incidents.csv")
    text = clean_error(raw, reference)
    hits = [r for r in text.splitlines() if f"incidents.csv, line {ROW}" in r and "must record a violation" in r]
    assert hits and any("killed_text" in r for r in hits), text


def test_row_check_names_only_the_columns_it_concerns(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    edit_cell(raw / "incidents.csv", ROW, "mention_id", "HRW-2025-901")
    text = clean_error(raw, reference)
    named = set(re.findall(r"column '(\w+)': value .*does not start with its source_id", text))
    assert named and named <= {"mention_id", "source_id"}, text


# ---------------------------------------------------------------- whole-file faults


def test_missing_column(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    write_table(read_table(raw / "incidents.csv").drop(columns=["victim_type"]), raw / "incidents.csv")
    expect_problem(clean_error(raw, reference), "incidents.csv", 1, "victim_type", None, "required column is missing")


def _write_latin1(raw: Path) -> None:
    frame = read_table(raw / "incidents.csv")
    frame.loc[ROW - 2, "victims_text"] = "Amadou Kéita"
    write_table(frame, raw / "incidents.csv", encoding="latin-1", errors="replace")


def test_wrong_encoding(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    _write_latin1(raw)
    text = clean_error(raw, reference)
    expect_problem(text, "incidents.csv", None, None, None, "is not UTF-8 text")
    assert "save it as UTF-8" in text


def test_wrong_encoding_names_the_line(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    _write_latin1(raw)
    lines = (raw / "incidents.csv").read_bytes().split(b"\n")
    bad_line = next(n for n, line in enumerate(lines, 1) if not _is_utf8(line))
    assert f"incidents.csv, line {bad_line}" in clean_error(raw, reference)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_empty_file(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    (raw / "incidents.csv").write_bytes(b"")
    expect_problem(clean_error(raw, reference), "incidents.csv", None, None, None, "is empty")


def test_header_only(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    header = (raw / "incidents.csv").read_text(encoding="utf-8").splitlines()[0]
    (raw / "incidents.csv").write_text(header + "\n", encoding="utf-8")
    expect_problem(clean_error(raw, reference), "incidents.csv", None, None, None, "has a header but no rows")


def _append_unclosed_quote(raw: Path) -> int:
    """Add a last row whose section opens a quote that never closes; return its line number."""
    path = raw / "incidents.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + 'AI-2024-999,AI-2024,"Abuses by armed groups,2,In May,Gao,,,a man,,,civilians,,'
                    'stated,,,,,,,A row whose quote never closes.\n', encoding="utf-8")
    return len(text.splitlines()) + 1


def test_unclosed_quote(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    _append_unclosed_quote(raw)
    expect_problem(clean_error(raw, reference), "incidents.csv", None, None, None, "is not well-formed CSV")


def test_unclosed_quote_names_the_line(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    line = _append_unclosed_quote(raw)
    assert f"incidents.csv, line {line}: is not well-formed CSV: an unclosed quote opens a field on line {line}" \
        in clean_error(raw, reference)


def test_unclosed_quote_in_the_middle_names_the_line_where_it_opens(tmp_path):
    """A quote opened in one row and closed in a later one: the parser would read on across the rows; the
    error names the line where the quote opens."""
    raw, reference = copy_inputs(tmp_path)
    path = raw / "incidents.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    row = next(n for n, line in enumerate(lines[1:], 2) if '"' not in line)  # a record with no quotes of its own
    head, _, rest = lines[row - 1].partition(",")
    lines[row - 1] = f'{head},"{rest}'  # a quote opens its second field and never closes on that line
    path.write_text("\n".join(lines), encoding="utf-8")
    text = clean_error(raw, reference)
    expect_problem(text, "incidents.csv", row, None, None, f"the quote that opens a field on line {row}")


def test_line_numbers_after_a_multiline_field(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    frame = read_table(raw / "incidents.csv")
    frame.loc[1, "summary"] += "\nA second line of summary."
    frame.loc[5, "place_text"] = "Atlantis village"
    write_table(frame, raw / "incidents.csv")
    lines = (raw / "incidents.csv").read_text(encoding="utf-8").splitlines()
    physical = next(n for n, text in enumerate(lines, 1) if "Atlantis village" in text)
    expect_problem(clean_error(raw, reference), "incidents.csv", physical, "place_text", "Atlantis village",
                   "no place")


# ---------------------------------------------------------------- reference tables


def test_duplicate_alias_across_two_places(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    places = read_table(reference / "places.csv")
    mopti = list(places["place_id"]).index("region-mopti")
    edit_cell(reference / "places.csv", mopti + 2, "aliases", places.loc[mopti, "aliases"] + ";Nara region")
    text = clean_error(raw, reference)
    hits = [r for r in text.splitlines() if "places.csv" in r and "'aliases'" in r and "nara region" in r.lower()]
    assert hits and "more than one place" in hits[0], text


def test_duplicate_alias_names_the_lines(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    places = read_table(reference / "places.csv")
    mopti, nara = (list(places["place_id"]).index(p) for p in ("region-mopti", "region-nara"))
    edit_cell(reference / "places.csv", mopti + 2, "aliases", places.loc[mopti, "aliases"] + ";Nara region")
    text = clean_error(raw, reference)
    assert f"places.csv, line {mopti + 2}" in text or f"places.csv, line {nara + 2}" in text, text


@pytest.mark.parametrize("place_id", ["region--mopti", "-mopti", "mopti-", "Mopti"])
def test_a_malformed_place_id_names_its_line(tmp_path, place_id):
    raw, reference = copy_inputs(tmp_path)
    line = list(read_table(reference / "places.csv")["place_id"]).index("region-mopti") + 2
    edit_cell(reference / "places.csv", line, "place_id", place_id)
    text = clean_error(raw, reference)
    assert any("places.csv" in row and "place_id" in row and place_id in row for row in text.splitlines()), text


@pytest.mark.parametrize("latitude, longitude, country", [("13.5", "2.5", "Niger"), ("11.0", "-11.5", "Guinea")],
                         ids=["point-in-niger", "point-in-guinea"])
def test_place_outside_mali(tmp_path, latitude, longitude, country):
    raw, reference = copy_inputs(tmp_path)
    outline = shape(json.loads((reference / "mali_outline.geojson").read_text(encoding="utf-8"))["features"][0]["geometry"])
    point = Point(float(longitude), float(latitude))
    assert 10 <= point.y <= 25 and -12.3 <= point.x <= 4.3, "the point must pass the bounding-box check"
    assert not outline.covers(point), f"the point must lie outside Mali ({country})"
    line = list(read_table(reference / "places.csv")["place_id"]).index("region-mopti") + 2
    frame = read_table(reference / "places.csv")
    frame.loc[line - 2, ["latitude", "longitude"]] = [latitude, longitude]
    write_table(frame, reference / "places.csv")
    expect_problem(clean_error(raw, reference), "places.csv", line, "latitude/longitude",
                   f"{float(latitude)}, {float(longitude)}", "outside Mali")


# ---------------------------------------------------------------- the real cleaning notebook


NOTEBOOK_CASES = {case[0]: case for case in CELL_CASES if isinstance(case, tuple)}


@pytest.mark.slow
@pytest.mark.parametrize("case_id", ["date-31-february", "unknown-place", "duplicate-mention-id"])
def test_cleaning_notebook_stops(tmp_path, case_id):
    _, folder, file, line, column, value, message = NOTEBOOK_CASES[case_id]
    raw, reference = copy_inputs(tmp_path)
    edit_cell((raw if folder == "raw" else reference) / file, line, column, value)
    out = tmp_path / "processed"
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        papermill.execute_notebook(str(CLEAN_NB), str(tmp_path / "out.ipynb"), kernel_name="python3",
                                   parameters=dict(raw_dir=str(raw), reference_dir=str(reference), out_dir=str(out)),
                                   cwd=str(CLEAN_NB.parent), progress_bar=False, log_output=False)
    assert caught.value.ename == "DataError"
    expect_problem(caught.value.evalue, file, line, column, value, message)
    assert not out.exists(), "the cleaning notebook wrote output from bad input"


# ---------------------------------------------------------------- parameters, checked before any kernel


def _no_notebook(*args, **kwargs):
    raise AssertionError("a notebook was executed although a parameter is bad")


PARAMETER_CASES = [
    ("unknown-name", ["-p", "colour", "red"], ["unknown parameter 'colour'"]),
    ("start-year-not-a-year", ["-p", "start_year", "abc"], ["start_year", "'abc'"]),
    ("end-year-100000", ["-p", "end_year", "100000"], ["end_year: 100000 is outside"]),
    ("start-year-1900", ["-p", "start_year", "1900"], ["start_year: 1900 is outside"]),
    ("start-year-after-end-year", ["-p", "start_year", "2025", "-p", "end_year", "2021"],
     ["start_year 2025", "end_year 2021"]),
    ("unknown-region", ["-p", "regions", "Atlantis"], ["regions", "'Atlantis'"]),
    ("unknown-violation", ["-p", "violations", "torture"], ["violations", "'torture'"]),
    ("estimate-median", ["-p", "estimate", "median"], ["estimate", "'median'"]),
    ("unknown-exclude-flag", ["-p", "exclude_flags", "bogus"], ["exclude_flags", "'bogus'"]),
    ("raw-dir-not-a-folder", ["-p", "raw_dir", "/nonexistent/raw"], ["raw_dir", "/nonexistent/raw"]),
    ("each-unknown", ["--each", "colour"], ["--each", "'colour'"]),
]


@pytest.mark.parametrize("case_id, argv, expected", PARAMETER_CASES, ids=[c[0] for c in PARAMETER_CASES])
def test_bad_parameter(tmp_path, monkeypatch, capsys, case_id, argv, expected):
    monkeypatch.setattr(run, "execute", _no_notebook)
    out = tmp_path / "out"
    assert build.main([*argv, "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "bad parameter" in err
    for part in expected:
        assert part in err, err
    assert not out.exists()


# ---------------------------------------------------------------- builds that fail


CODE_TITLE = "__import__('os').system('touch {marker}')"


def run_build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "build.py"), *args, "-q"], cwd=PROJECT,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def good_build(tmp_path_factory):
    """One good build from a temporary copy of the inputs, titled with text that looks like code."""
    before = project_outputs()
    tmp = tmp_path_factory.mktemp("build")
    raw, reference = copy_inputs(tmp)
    out, marker = tmp / "out", tmp / "pwned"
    title = CODE_TITLE.format(marker=marker)
    args = ["--out", str(out), "-p", "raw_dir", str(raw), "-p", "reference_dir", str(reference), "-p", "title", title]
    result = run_build(*args)
    assert result.returncode == 0, result.stderr
    assert project_outputs() == before, "a build from a temporary copy touched the project's outputs"
    return dict(raw=raw, reference=reference, out=out, marker=marker, title=title, args=args)


@pytest.mark.slow
def test_parameter_that_looks_like_code_stays_text(good_build):
    assert not good_build["marker"].exists(), "the title parameter was executed as code"
    page = (good_build["out"] / "briefing" / "briefing.html").read_text(encoding="utf-8")
    assert good_build["title"] in page or html.escape(good_build["title"]) in page


@pytest.fixture(scope="module")
def failed_rebuild(good_build):
    """Break the copy the good build read, then build again into the same folder."""
    out = good_build["out"]
    before = tree_digest(out / "briefing", out / "processed")
    edit_cell(good_build["raw"] / "incidents.csv", ROW, "place_text", "Atlantis village")
    result = run_build(*good_build["args"])
    after = tree_digest(out / "briefing", out / "processed")
    return dict(result=result, before=before, after=after, out=out)


@pytest.mark.slow
def test_failing_cell_exits_1_naming_notebook_and_cell(failed_rebuild):
    result = failed_rebuild["result"]
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(r"01-clean\.ipynb failed in the cell run as \[\d+\], which starts .*: DataError", result.stderr), \
        result.stderr


@pytest.mark.slow
def test_failing_cell_message_names_file_line_column_value(failed_rebuild):
    expect_problem(failed_rebuild["result"].stderr, "incidents.csv", ROW, "place_text", "Atlantis village",
                   "no place in places.csv")


@pytest.mark.slow
def test_failing_cell_keeps_the_executed_notebook(failed_rebuild):
    kept = failed_rebuild["out"] / "executed" / "01-clean.ipynb"
    assert str(kept) in failed_rebuild["result"].stderr
    cells = json.loads(kept.read_text(encoding="utf-8"))["cells"]
    failed = [c for c in cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert len(failed) == 1 and failed[0]["outputs"][-1]["ename"] == "DataError"
    count = re.search(r"run as \[(\d+)\]", failed_rebuild["result"].stderr)
    assert count and int(count.group(1)) == failed[0]["execution_count"]


@pytest.mark.slow
def test_failing_cell_is_named_so_the_user_can_find_it(failed_rebuild):
    """The message gives the execution count and the first line of the failing cell, both of which the
    user finds in the kept executed notebook (and the line in notebooks/01-clean.ipynb too)."""
    found = re.search(r"failed in the cell run as \[(\d+)\], which starts '([^']+)'", failed_rebuild["result"].stderr)
    assert found, failed_rebuild["result"].stderr
    count, first_line = int(found[1]), found[2]
    kept = json.loads((failed_rebuild["out"] / "executed" / "01-clean.ipynb").read_text(encoding="utf-8"))["cells"]
    failing = next(c for c in kept if any(o.get("output_type") == "error" for o in c.get("outputs", [])))
    assert failing["execution_count"] == count
    assert first_line in "".join(failing["source"])
    assert first_line in CLEAN_NB.read_text(encoding="utf-8").replace('\\"', '"')


@pytest.mark.slow
def test_failing_build_leaves_last_briefing_byte_identical(failed_rebuild):
    assert failed_rebuild["result"].returncode != 0
    before, after = failed_rebuild["before"], failed_rebuild["after"]
    assert any(path.endswith("briefing.pdf") for path in before) and before == after


def test_unwritable_output_folder(tmp_path):
    raw, reference = copy_inputs(tmp_path)
    (tmp_path / "afile").write_text("a file, not a folder\n")
    out = tmp_path / "afile" / "out"
    result = run_build("--out", str(out), "-p", "raw_dir", str(raw), "-p", "reference_dir", str(reference))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "cannot write" in result.stderr and str(tmp_path / "afile") in result.stderr, result.stderr
    assert (tmp_path / "afile").read_text() == "a file, not a folder\n"
