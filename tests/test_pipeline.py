"""The real path: papermill executes the real notebooks on the real data, the real renderer writes HTML
and PDF, and the figures a reader sees are checked against figures this file computes itself from the
CSV files with the csv module, never by calling the code under test."""
from __future__ import annotations

import csv
import filecmp
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from malibrief import config
from malibrief.briefing.html import render_html, render_pdf

pytestmark = pytest.mark.slow
ROOT = config.ROOT
VIOLATIONS = ["killing", "detention", "disappearance"]
HEADINGS = ["Summary", "Key figures", "Trends by year", "Who: perpetrators and victims", "Where", "When",
            "The largest events", "What became of the detained and disappeared", "Methodology and limitations",
            "Sources"]


def execute(notebook: str, out: Path, **parameters) -> nbformat.NotebookNode:
    pm.execute_notebook(str(ROOT / "notebooks" / notebook), str(out), parameters=parameters,
                        kernel_name="python3", cwd=str(ROOT / "notebooks"), progress_bar=False)
    return nbformat.read(out, as_version=4)


@pytest.fixture(scope="session")
def processed(tmp_path_factory) -> Path:
    """The cleaning notebook run on the committed raw data, into a temporary folder."""
    out = tmp_path_factory.mktemp("clean")
    execute("01-clean.ipynb", out / "01-clean.ipynb", out_dir=str(out / "processed"))
    return out / "processed"


@pytest.fixture(scope="session")
def briefing(tmp_path_factory, processed):
    """A function that runs the briefing notebook with parameters and returns its HTML soup."""
    def run(**parameters):
        out = tmp_path_factory.mktemp("briefing")
        nb = execute("02-briefing.ipynb", out / "02-briefing.ipynb", processed_dir=str(processed),
                     figures_dir=str(out / "figures"), **parameters)
        render_html(nb, out / "briefing.html")
        return nb, BeautifulSoup((out / "briefing.html").read_text(encoding="utf-8"), "html.parser"), out
    return run


@pytest.fixture(scope="session")
def default_briefing(briefing):
    return briefing()


# Independent figures, from violations.csv with the csv module -----------------------------------------

# What the default briefing leaves out: deaths of combatants in hostilities, arrests in ordinary criminal cases.
NOT_VIOLATIONS = {"combatants_killed", "ordinary_criminal_case"}


def expected_figures(processed: Path, start=2021, end=2025, regions=None, which=VIOLATIONS, left_out=NOT_VIOLATIONS):
    figures = defaultdict(lambda: {"events": set(), "low": 0, "high": 0, "open": 0})
    with open(processed / "violations.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if not start <= int(row["year"]) <= end or row["violation"] not in which:
                continue
            if left_out & set(row["flags"].split("; ")):
                continue
            if regions and row["admin1"] not in regions:
                continue
            f = figures[row["violation"]]
            f["events"].add(row["event_id"])
            f["low"] += int(row["victims_low"])
            f["high"] += int(row["victims_high"] or row["victims_low"])
            f["open"] += row["victims_high"] == ""
    return figures


def wording(f, estimate="range") -> str:
    more = " or more" if f["open"] else ""
    if estimate == "low":
        return f"at least {f['low']:,}" if f["high"] != f["low"] or f["open"] else f"{f['low']:,}"
    if estimate == "high":
        return f"{f['high']:,}{more}"
    return (f"{f['low']:,}" if f["low"] == f["high"] else f"{f['low']:,}–{f['high']:,}") + more


def key_figures_table(soup) -> dict[str, tuple[int, str]]:
    table = next(t for t in soup.find_all("table") if t.find("th") and t.find("th").get_text() == "Violation")
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]
    return {r[0].lower(): (int(r[1]), r[2]) for r in rows}


def section_text(soup, heading: str) -> str:
    start = next(h for h in soup.find_all("h2") if h.get_text(strip=True) == heading)
    parts = []
    for element in start.find_all_next():
        if element.name == "h2":
            break
        if element.name in ("p", "td", "th", "li"):
            parts.append(element.get_text(" ", strip=True))
    return " ".join(parts)


# The cleaning -------------------------------------------------------------------------------------------

def test_committed_processed_data_is_what_the_cleaning_produces(processed):
    committed = sorted(p.name for p in config.PROCESSED.iterdir() if p.is_file())
    produced = sorted(p.name for p in processed.iterdir() if p.is_file())
    assert committed == produced
    for name in produced:
        assert (config.PROCESSED / name).read_bytes() == (processed / name).read_bytes(), name


def test_committed_figures_are_what_the_default_briefing_draws(default_briefing):
    _, _, out = default_briefing
    committed = sorted(p.name for p in config.FIGURES.iterdir())
    assert committed == sorted(p.name for p in (out / "figures").iterdir())
    for name in committed:
        assert (config.FIGURES / name).read_bytes() == (out / "figures" / name).read_bytes(), name


def test_cleaning_is_deterministic(processed, tmp_path):
    execute("01-clean.ipynb", tmp_path / "again.ipynb", out_dir=str(tmp_path / "processed"))
    match, mismatch, errors = filecmp.cmpfiles(processed, tmp_path / "processed",
                                               [p.name for p in processed.iterdir()], shallow=False)
    assert mismatch == [] and errors == []


def test_datapackage_is_valid_frictionless(processed):
    result = subprocess.run([str(Path(sys.executable).with_name("frictionless")), "validate",
                             str(processed / "datapackage.json")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_hxl_copies_carry_a_hashtag_row(processed):
    for name in ("events_hxl.csv", "violations_hxl.csv"):
        with open(processed / name, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header, tags = next(reader), next(reader)
        assert len(header) == len(tags) and all(t.startswith("#") for t in tags), name


# The default briefing -------------------------------------------------------------------------------------

def test_default_briefing_has_every_section_in_order(default_briefing):
    _, soup, _ = default_briefing
    found = [h.get_text(strip=True) for h in soup.find_all("h2")]
    assert [h for h in found if h in HEADINGS] == HEADINGS


def test_key_figures_equal_an_independent_count(default_briefing, processed):
    _, soup, _ = default_briefing
    shown = key_figures_table(soup)
    expected = expected_figures(processed)
    for violation in VIOLATIONS:
        assert shown[violation] == (len(expected[violation]["events"]), wording(expected[violation])), violation


def test_summary_quotes_the_computed_figures(default_briefing, processed):
    _, soup, _ = default_briefing
    summary = section_text(soup, "Summary")
    expected = expected_figures(processed)
    for violation in VIOLATIONS:
        assert wording(expected[violation]) in summary
    assert "not totals" in summary or "convenience sample" in summary


def test_every_chart_has_alt_text_and_a_caption(default_briefing):
    _, soup, out = default_briefing
    charts = soup.select("figure.chart")
    assert len(charts) == 6
    for figure in charts:
        assert len(figure.img["alt"]) > 40 and figure.img["src"].startswith("data:image/svg+xml;base64,")
        assert figure.figcaption.get_text(strip=True)
    assert sorted(p.name for p in (out / "figures").iterdir()) == sorted(
        f"{n}.{e}" for n in ("trends", "events-per-year", "actor-classes", "regions", "map", "timeline")
        for e in ("png", "svg"))


def test_charts_are_deterministic(default_briefing, briefing):
    _, _, first = default_briefing
    _, _, second = briefing()
    for path in (first / "figures").iterdir():
        assert path.read_bytes() == (second / "figures" / path.name).read_bytes(), path.name
    assert (first / "briefing.html").read_bytes() == (second / "briefing.html").read_bytes()


@pytest.fixture(scope="session")
def default_pdf(default_briefing) -> Path:
    nb, _, out = default_briefing
    return render_pdf(nb, out / "briefing.pdf")


def test_pdf_has_the_headings_figures_and_a_sane_length(default_pdf, processed, tmp_path):
    reader = PdfReader(default_pdf)
    assert 8 <= len(reader.pages) <= 60
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595) < 2 and abs(float(box.height) - 842) < 2
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for heading in HEADINGS:
        assert heading in text, heading
    expected = expected_figures(processed)
    assert wording(expected["killing"]) in text
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(default_pdf),
                        str(tmp_path / "page")], check=True)
        from PIL import Image  # matplotlib depends on Pillow

        page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
        dark = sum(1 for value in page.tobytes() if value < 128)
        assert dark > 0.002 * page.width * page.height, "page 1 is blank"


PAGE_MARGIN_PT = 18 / 25.4 * 72  # pdf.css: 18 mm left and right


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed (CI installs it)")
def test_pdf_keeps_every_word_inside_the_page_margins(default_pdf):
    """A table or heading that runs off the paper loses figures without any error: find every word's box."""
    words = subprocess.run(["pdftotext", "-bbox", str(default_pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    outside = []
    for number, page in enumerate(BeautifulSoup(words, "html.parser").find_all("page"), 1):
        right = float(page["width"]) - PAGE_MARGIN_PT
        outside += [(number, word.get_text()) for word in page.find_all("word") if float(word["xmax"]) > right + 1]
    assert outside == []


@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium is not installed (CI installs it)")
def test_html_opens_offline_with_every_image_loaded(default_briefing):
    from playwright.sync_api import sync_playwright

    _, _, out = default_briefing
    url = (out / "briefing.html").resolve().as_uri()
    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.route("**/*", lambda route: route.continue_() if route.request.url in (url,) or
                   route.request.url.startswith("data:") else route.abort())
        page.goto(url, wait_until="load")
        images = page.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
        browser.close()
    assert images and all(images)
    assert [r for r in requests if r != url and not r.startswith("data:")] == []


# Parameters change what they should --------------------------------------------------------------------

def test_start_year_removes_earlier_years_everywhere(briefing, processed):
    _, soup, _ = briefing(start_year=2023)
    year_table = next(t for t in soup.find_all("table") if t.find("th") and t.find("th").get_text() == "Year")
    assert [tr.find("td").get_text() for tr in year_table.find("tbody").find_all("tr")] == ["2023", "2024", "2025"]
    for img in soup.select("figure.chart img"):
        assert "2021" not in img["alt"] and "2022" not in img["alt"]
    shown = key_figures_table(soup)
    expected = expected_figures(processed, start=2023)
    for violation in VIOLATIONS:
        assert shown[violation] == (len(expected[violation]["events"]), wording(expected[violation]))
    first, last = (sum(int(r["victims_low"]) for r in csv.DictReader(open(processed / "violations.csv"))
                       if r["violation"] == "killing" and r["year"] == str(y)
                       and not NOT_VIOLATIONS & set(r["flags"].split("; "))) for y in (2023, 2025))
    word = "rose" if last > first else "fell" if last < first else "stayed level"
    assert f"Documented killings (low figures) {word} from {first:,} in 2023 to {last:,} in 2025" in \
        section_text(soup, "Summary")


@pytest.mark.parametrize("regions", ["Mopti", ["Mopti"], "mopti"])
def test_region_briefing_equals_the_region_rows(briefing, processed, regions):
    _, soup, _ = briefing(regions=regions)
    shown = key_figures_table(soup)
    expected = expected_figures(processed, regions={"Mopti"})
    for violation in VIOLATIONS:
        assert shown[violation] == (len(expected[violation]["events"]), wording(expected[violation]))
    assert "regions: Mopti" in soup.get_text()
    # What the chapters report beyond the three violations: Mopti's own rows only.
    table = next(t for t in soup.find_all("table") if t.find("th") and t.find("th").get_text() == "Source")
    with open(processed / "out_of_scope.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    mopti = [r["summary"] for r in rows if "Mopti" in r["admin1_all"].split("; ")]
    unplaced = sum(r["admin1_all"] == "" for r in rows)
    assert [tr.find_all("td")[-1].get_text() for tr in table.tbody.find_all("tr")] == mopti
    methodology = section_text(soup, "Methodology and limitations")
    assert len(mopti) > 1 and f"in the chosen regions for the period ({len(mopti)} reports)" in methodology
    assert unplaced > 1 and f"Another {unplaced} reports name no place in Mali" in methodology


def test_a_selection_with_no_events_says_so(briefing):
    _, soup, out = briefing(regions=["Kidal"], start_year=2021, end_year=2021)
    assert "contain no documented" in section_text(soup, "Summary")
    assert not soup.select("figure.chart")
    assert all(count == 0 for count, _ in key_figures_table(soup).values())


def test_one_violation(briefing, processed):
    _, soup, _ = briefing(violations=["disappearance"])
    shown = key_figures_table(soup)
    assert list(shown) == ["disappearance"]
    expected = expected_figures(processed, which=["disappearance"])["disappearance"]
    assert shown["disappearance"] == (len(expected["events"]), wording(expected))


@pytest.mark.parametrize("estimate", ["low", "high"])
def test_estimate_low_or_high(briefing, processed, estimate):
    _, soup, _ = briefing(estimate=estimate)
    shown = key_figures_table(soup)
    expected = expected_figures(processed)
    for violation in VIOLATIONS:
        assert shown[violation][1] == wording(expected[violation], estimate)


def test_markup_in_parameters_and_data_is_shown_as_text(briefing, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(config.RAW, raw)
    rows = list(csv.DictReader(open(raw / "incidents.csv", encoding="utf-8", newline="")))
    rows[0]["summary"] = "<script>alert('summary')</script><img src=x onerror=alert(1)>"
    with open(raw / "incidents.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    execute("01-clean.ipynb", tmp_path / "clean.ipynb", raw_dir=str(raw), out_dir=str(tmp_path / "processed"))
    nb = execute("02-briefing.ipynb", tmp_path / "briefing.ipynb", processed_dir=str(tmp_path / "processed"),
                 figures_dir=str(tmp_path / "figures"), title="<b>Bold</b> <script>alert('title')</script>")
    render_html(nb, tmp_path / "briefing.html")
    page = (tmp_path / "briefing.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find_all("script") == [] and soup.find_all("img", src="x") == []
    assert not [a for tag in soup.find_all(True) for a in tag.attrs if a.startswith("on")]
    text = soup.get_text()
    assert "<script>alert('summary')</script>" in text
    assert "<b>Bold</b>" in text


# JupyterLab and the committed notebooks -----------------------------------------------------------------

@pytest.mark.parametrize("notebook", sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")))
def test_committed_notebooks_carry_no_outputs_and_one_parameters_cell(notebook):
    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
    assert nb.metadata.kernelspec.name == "python3"
