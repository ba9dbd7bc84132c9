"""The real path: papermill executes the real notebooks on the real data, the real renderer writes HTML
and PDF, and the figures a reader sees are checked against figures this file computes itself from the
CSV files with the csv module, never by calling the code under test."""
from __future__ import annotations

import csv
import filecmp
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from malibrief import config
from malibrief.briefing import cover
from malibrief.briefing.html import render_html, render_pdf
from malibrief.notebook import notebook_parameters
from tests.pdf_layout import pdf_pages

pytestmark = pytest.mark.slow
ROOT = config.ROOT
VIOLATIONS = ["killing", "detention", "disappearance"]
HEADINGS = ["Key messages", "Trends", "Perpetrators", "Victims", "Where", "Outcomes and accountability", "Cases",
            "What this briefing does not count", "Methodology", "Annex"]
DEFAULTS = {name: value for name, (value, _) in notebook_parameters(ROOT / "notebooks" / "02-briefing.ipynb").items()}
NAMES = {"Killings": "killing", "Detentions": "detention", "Disappearances": "disappearance"}


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
        nb.metadata["briefing"] = cover({**DEFAULTS, **parameters, "processed_dir": str(processed)})
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
    figures = defaultdict(lambda: {"events": set(), "low": 0, "high": 0, "best": 0, "open": 0})
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
            f["best"] += int(row.get("victims_best") or row["victims_low"])  # data before the best estimate: low
            f["high"] += int(row["victims_high"] or row["victims_low"])
            f["open"] += row["victims_high"] == ""
    return figures


def wording(f, estimate="best") -> str:
    more = " or more" if f["open"] else ""
    if estimate == "best":
        spread = wording(f, "range")
        return spread if f["low"] == f["high"] == f["best"] else f"{f['best']:,} ({spread})"
    if estimate == "low":
        return f"at least {f['low']:,}" if f["high"] != f["low"] or f["open"] else f"{f['low']:,}"
    if estimate == "high":
        return f"{f['high']:,}{more}"
    return (f"{f['low']:,}" if f["low"] == f["high"] else f"{f['low']:,}–{f['high']:,}") + more


def key_figures_table(soup) -> dict[str, tuple[int, str]]:
    table = next(t for t in soup.find_all("table") if t.find("th") and t.find("th").get_text() == "Violation")
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]
    return {NAMES[r[0]]: (int(r[1]), r[2]) for r in rows}


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


def test_key_messages_quote_the_computed_figures_and_their_reports(default_briefing, processed):
    _, soup, _ = default_briefing
    messages = [li.get_text(" ", strip=True) for li in soup.select("ul.key-messages li")]
    assert 3 <= len(messages) <= 5
    expected = expected_figures(processed)
    for violation in VIOLATIONS:  # as the tables write it, "or more" kept: "136 or more people disappeared"
        assert f"{wording(expected[violation])} people {VERBS[violation]}" in messages[0]
    assert all(re.search(r"\(\d+ of \d+ reports?\)$", m) for m in messages), messages
    summary = section_text(soup, "Key messages")
    assert "not totals" in summary or "convenience sample" in summary


VERBS = {"killing": "killed", "detention": "detained", "disappearance": "disappeared"}


def test_the_trend_message_keeps_its_lower_bounds_and_says_it_traces_reporting(default_briefing, processed):
    """Key message 2 stands alone: each year after the peak as the year table writes it ("183 or more in 2023"),
    and the caveat that a trend in what the chapters report is not necessarily one in the violence."""
    _, soup, _ = default_briefing
    message = [li.get_text(" ", strip=True) for li in soup.select("ul.key-messages li")][1]
    years = {y: expected_figures(processed, start=y, end=y, which=["killing"])["killing"] for y in range(2021, 2026)}
    peak = max(years, key=lambda y: years[y]["best"])
    assert f"peaked in {peak}, with {wording(years[peak])} people killed" in message
    for year in range(peak + 1, 2026):
        assert f"{wording(years[year])} in {year}" in message, year
    assert any(years[y]["open"] for y in range(peak + 1, 2026)) and "or more in" in message
    assert "convenience sample" in message and "not necessarily" in message


def test_trend_is_told_by_its_peak_never_by_the_end_years(default_briefing, processed):
    _, soup, _ = default_briefing
    per_year = defaultdict(int)
    with open(processed / "violations.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["violation"] == "killing" and 2021 <= int(row["year"]) <= 2025 \
                    and not NOT_VIOLATIONS & set(row["flags"].split("; ")):
                per_year[int(row["year"])] += int(row.get("victims_best") or row["victims_low"])
    peak = max(sorted(per_year), key=lambda y: per_year[y])
    trends = section_text(soup, "Trends")
    assert f"Documented killings peaked in {peak}, with {per_year[peak]:,} " in trends  # then its range, if any
    assert not re.search(r"rose from|fell from", soup.get_text())


def test_every_chart_has_alt_text_and_a_caption(default_briefing):
    _, soup, out = default_briefing
    charts = soup.select("figure.chart")
    assert len(charts) == 4
    for figure in charts:
        assert len(figure.img["alt"]) > 40 and figure.img["src"].startswith("data:image/svg+xml;base64,")
        assert figure.select_one(".chart-title").get_text(strip=True) and figure.select_one(".chart-note")
    assert re.search(r"peaked in 20\d\d, with [\d,]+ people killed", charts[0].get_text())  # a title states the finding
    assert sorted(p.name for p in (out / "figures").iterdir()) == sorted(
        f"{n}.{e}" for n in ("trends", "actor-classes", "regions", "map") for e in ("png", "svg"))


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
    assert 8 <= len(reader.pages) <= 16
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


INTERNAL = re.compile(r"[a-z]+_[a-z_]+|data/(raw|processed|reference)|\.csv\b|cell-id|\bclaims\b|\bEV-[A-Z]+-\d{4}-\d+_")


def _pdf_lines(pdf: Path) -> list[str]:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.splitlines()


def _reader_text(lines) -> str:
    """The text a reader sees, without the one box that may name parameters: the reproduce box's commands."""
    return "\n".join(line for line in lines if "build.py" not in line)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed (CI installs it)")
def test_pdf_is_tagged_titled_and_short(default_pdf):
    info = dict(line.split(":", 1) for line in subprocess.run(["pdfinfo", str(default_pdf)], capture_output=True,
                                                              text=True, check=True).stdout.splitlines() if ":" in line)
    info = {k.strip(): v.strip() for k, v in info.items()}
    assert info["Tagged"] == "yes"
    assert PdfReader(default_pdf).trailer["/Root"]["/Lang"] == "en"
    assert info["Title"] == "Killings, detentions and enforced disappearances in Mali, 2021–2025"
    assert info["Author"]
    assert int(info["Pages"]) <= 16
    pages = subprocess.run(["pdftotext", str(default_pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    annex = next(i for i, page in enumerate(pages, 1) if re.search(r"^Annex$", page, re.M) and i > 2)
    assert annex - 1 <= 8, f"the main part runs to page {annex - 1}"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed (CI installs it)")
def test_pdf_shows_no_internal_name_and_breaks_no_date_or_figure(default_pdf):
    lines = _pdf_lines(default_pdf)
    found = INTERNAL.findall(_reader_text(lines))
    assert not [f for f in found if f], found
    broken = []
    for line, after in zip(lines, lines[1:]):
        line, after = line.strip(), after.strip()
        if re.search(r"\b\d{4}-(\d{1,2}(-\d?)?)?$", line) and re.match(r"[-\d]", after):  # 2021-01-0 / 3
            broken.append((line, after))
        # a figure cut at its grouping comma has at most three digits before it: "2023, / 136" is a list
        if (re.search(r"(?<![\d,])\d{1,3}(,\d{3})*,$|\d–$", line) and re.match(r"\d", after)) or \
                (re.search(r"\d( or)?$", line) and re.match(r"(or )?more\b", after)):
            broken.append((line, after))  # 1,1 / 07; 308– / 1,107; 1,107 or / more
    assert broken == []


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed (CI installs it)")
def test_pdf_writes_dates_at_their_precision_and_the_count_rules_in_words(default_pdf):
    """The every-event table gives "March 2022" for a month, "12 March 2022" for a day, never an ISO date; the count
    rules read as words ("the figure", not "<N>" or "N+1") with numbers grouped ("1,000,000")."""
    text = subprocess.run(["pdftotext", str(default_pdf), "-"], capture_output=True, text=True, check=True).stdout
    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    events = text[text.index("Every event in this briefing"):]
    assert not re.search(r"(?<![\w-])\d{4}-\d{2}(-\d{2})?(?![\w-])", text), "an ISO date"
    assert re.search(rf"^({months}) 20\d\d$", events, re.M) and re.search(rf"^\d{{1,2}} ({months}) 20\d\d$", events, re.M)
    rules = text[text.index("How count phrases become figures"):text.index("Borderline cases")]
    assert not re.search(r"<\w+>|\bN\+1\b|× M\b|\b\d{5,}\b", rules), "notation or an ungrouped number"
    assert "1,000,000" in rules and "the figure" in rules


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed (CI installs it)")
def test_pdf_sets_no_word_over_another(default_pdf):
    """A word too long for its table column (an event identifier, a date) runs into the next column's words."""
    overlapping = []
    for number, page in pdf_pages(default_pdf):
        boxes = [(float(w["xmin"]), float(w["ymin"]), float(w["xmax"]), float(w["ymax"]), w.get_text())
                 for w in page.find_all("word")]
        for i, a in enumerate(boxes):
            overlapping += [(number, a[4], b[4]) for b in boxes[i + 1:]
                            if min(a[2], b[2]) - max(a[0], b[0]) > .5 and min(a[3], b[3]) - max(a[1], b[1]) > .5]
    assert overlapping == []


def test_the_summaries_a_reader_sees_stand_alone(default_briefing):
    """A case box or a row of the every-event table is read on its own: no summary leans on another row ("The same
    operation...") or cites a chapter in its text ("per AI-2022"): the citations have their own column."""
    _, soup, _ = default_briefing
    summaries = [p.get_text(" ", strip=True) for p in soup.select("aside.case > p:nth-of-type(2)")]
    summaries += [tr.find_all("td")[4].get_text(" ", strip=True) for tr in soup.select("table.events tbody tr")]
    assert len(summaries) > 50
    leaning = [s for s in summaries if re.match(r"(The same|In the same|Also|Another|A further)\b", s)
               or re.search(r"\b(AI|HRW)-20\d\d\b", s)]
    assert leaning == []


def test_html_shows_no_internal_name(default_briefing):
    _, soup, _ = default_briefing
    for box in soup.select(".reproduce pre, .screen-only"):
        box.decompose()
    found = [f for f in INTERNAL.findall(soup.get_text("\n")) if f]
    assert found == []


PAGE_MARGIN_PT = 18 / 25.4 * 72  # pdf.css: 18 mm left and right


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed (CI installs it)")
def test_the_map_prints_no_text_under_7_points(default_pdf):
    """The map is drawn with nothing under plots.MIN_TEXT points; on paper it must not be scaled down below 7 pt
    (issue 15: readable at A4 print size). Its smallest text is the footer's; pdftotext's box of a word is the
    font's ascent plus descent, 1.164 times its size in DejaVu Sans."""
    from malibrief.briefing import plots

    footer_words = ("Natural", "Earth.", "GeoNames", "OpenStreetMap")
    (page,) = [page for _, page in pdf_pages(default_pdf)
               if all(page.find("word", string=word) for word in footer_words)]
    footer = [w for w in page.find_all("word") if w.get_text() in footer_words]
    assert len(footer) >= 3
    for word in footer:
        size = (float(word["ymax"]) - float(word["ymin"])) / 1.164
        assert size >= 7, (word.get_text(), round(size, 2))
        assert abs(size - plots.MIN_TEXT) < 0.3, "the map is not printed at the size it was drawn"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed (CI installs it)")
def test_pdf_keeps_every_word_inside_the_page_margins(default_pdf):
    """A table or heading that runs off the paper loses figures without any error: find every word's box."""
    outside = []
    for number, page in pdf_pages(default_pdf):
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
    assert "In the period of the same length just before (2020–2022)" not in section_text(soup, "Trends")
    assert "Killings, detentions and enforced disappearances in Mali, 2023–2025" == soup.title.get_text()


@pytest.mark.parametrize("regions", ["Mopti", ["Mopti"], "mopti"])
def test_region_briefing_equals_the_region_rows(briefing, processed, regions):
    _, soup, _ = briefing(regions=regions)
    shown = key_figures_table(soup)
    expected = expected_figures(processed, regions={"Mopti"})
    for violation in VIOLATIONS:
        assert shown[violation] == (len(expected[violation]["events"]), wording(expected[violation]))
    assert "Mopti edition" in soup.select_one("header.cover").get_text()
    assert soup.title.get_text() == "Killings, detentions and enforced disappearances in Mopti (Mali), 2021–2025"
    # What the chapters report beyond the three violations: Mopti's own rows only.
    table = next(t for t in soup.find_all("table") if t.find("th") and t.find("th").get_text() == "Source")
    with open(processed / "out_of_scope.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    mopti = [r["summary"] for r in rows if "Mopti" in r["admin1_all"].split("; ")]
    unplaced = sum(r["admin1_all"] == "" for r in rows)
    assert [tr.find_all("td")[-1].get_text() for tr in table.tbody.find_all("tr")] == mopti
    not_counted = section_text(soup, "What this briefing does not count")
    assert len(mopti) > 1 and unplaced > 1 and f"Another {unplaced} reports name no place in Mali" in not_counted


def test_a_selection_with_no_events_says_so(briefing):
    """One sentence says that the sources describe nothing; the sections with nothing to say are left out (no bare
    heading, no table of zeros), and the contents list follows."""
    _, soup, out = briefing(regions=["Kidal"], start_year=2021, end_year=2021)
    assert "The sources describe no killing, detention or disappearance" in section_text(soup, "Key messages")
    assert not soup.select("figure.chart")
    assert not any(t.find("th") and t.find("th").get_text() == "Violation" for t in soup.find_all("table"))
    headings = [h.get_text(strip=True) for h in soup.main.find_all("h2")]
    assert headings == ["Key messages", "What this briefing does not count", "Methodology", "Annex"]
    assert [a.get_text(strip=True) for a in soup.select("nav.toc > ol > li > a")] == headings


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


def _rewrite(path: Path, change) -> None:
    rows = list(csv.DictReader(open(path, encoding="utf-8", newline="")))
    change(rows)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def probe():
    """A local HTTP server that records every request: a page that loads anything from it fails the test."""
    import http.server
    import threading

    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def _browser(p):
    return p.chromium.launch(executable_path=shutil.which("chromium"), args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"])


@pytest.fixture(scope="module")
def marked_up(tmp_path_factory, probe):
    """A briefing whose raw tables and parameters carry markup that would run or fetch if it were live."""
    url, _ = probe
    tmp_path = tmp_path_factory.mktemp("markup")
    raw = tmp_path / "raw"
    shutil.copytree(config.RAW, raw)

    def summary(rows):
        rows[0]["summary"] = f"<script>alert('summary')</script><img src={url}/summary onerror=alert(1)>"

    def publisher(rows):
        for row in rows:
            row["publisher"] += f" <span style=\"background: image-set('{url}/publisher' 1x)\">[x]({url}/md)</span>"

    def out_of_scope(rows):
        rows[0]["place_text"] = f"<link rel=stylesheet href={url}/place>![map]({url}/markdown-image)"

    _rewrite(raw / "incidents.csv", summary)
    _rewrite(raw / "sources.csv", publisher)
    _rewrite(raw / "out_of_scope.csv", out_of_scope)
    execute("01-clean.ipynb", tmp_path / "clean.ipynb", raw_dir=str(raw), out_dir=str(tmp_path / "processed"))
    title = f"<b>Bold</b> <script>alert('title')</script><img src={url}/title>"
    nb = execute("02-briefing.ipynb", tmp_path / "briefing.ipynb", processed_dir=str(tmp_path / "processed"),
                 figures_dir=str(tmp_path / "figures"), title=title)
    nb.metadata["briefing"] = cover({**DEFAULTS, "title": title, "processed_dir": str(tmp_path / "processed")})
    render_html(nb, tmp_path / "briefing.html")
    return tmp_path / "briefing.html"


def test_markup_in_parameters_and_data_is_shown_as_text(marked_up):
    soup = BeautifulSoup(marked_up.read_text(encoding="utf-8"), "html.parser")
    scripts = soup.find_all("script")
    assert len(scripts) == 1 and "table.events" in scripts[0].string  # the page's own, allowed by its hash
    assert not soup.select("main img:not([src^='data:']), link, [style*='image-set']")
    assert not [a for tag in soup.find_all(True) for a in tag.attrs if a.startswith("on")]
    text = soup.get_text()
    assert "<script>alert('summary')</script>" in text and "<b>Bold</b>" in text and "<link rel=stylesheet" in text
    assert "![map](" in text  # Markdown syntax in data stays text too
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "default-src 'none'" in policy and "img-src data:" in policy and "'sha256-" in policy


@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium is not installed (CI installs it)")
def test_markup_in_data_loads_nothing_in_a_browser_and_the_table_script_runs(marked_up, probe):
    from playwright.sync_api import sync_playwright

    _, hits = probe
    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(marked_up.resolve().as_uri(), wait_until="load")
        page.wait_for_timeout(500)
        page.fill("input.table-search", "Moura")
        shown = page.evaluate("Array.from(document.querySelectorAll('table.events tbody tr')).filter(r => !r.hidden).length")
        total = page.evaluate("document.querySelectorAll('table.events tbody tr').length")
        browser.close()
    assert hits == []
    assert 0 < shown < total
    assert not [e for e in errors if "Content Security Policy" in e and "script" in e], errors


@pytest.fixture(scope="module")
def marked_up_acled(tmp_path_factory, probe):
    """A briefing from an ACLED export (third-party data) and reference tables that carry markup: ACLED's location,
    actor and notes, the export's file name, a gazetteer place name and a flag's description."""
    import pandas as pd

    from malibrief.cleaning import acled_sample

    url, _ = probe
    tmp_path = tmp_path_factory.mktemp("markup-acled")
    reference = tmp_path / "reference"
    shutil.copytree(config.REFERENCE, reference)

    def flag(rows):
        rows[0]["description"] += f" <img src={url}/flag onerror=alert(1)>"

    _rewrite(reference / "flags.csv", flag)
    export = tmp_path / "export [x](y) _b_ <i>.csv"
    acled_sample.write_export(export, 400, seed=3)
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    frame.loc[:, "location"] = frame["location"] + f"<img src={url}/location>"
    frame.loc[:, "notes"] = f"<script>fetch('{url}/notes')</script>"
    frame.loc[frame.index[:50], "actor1"] = f"<b style=\"background: image-set('{url}/actor' 1x)\">Militia</b>"
    frame.to_csv(export, index=False, lineterminator="\n")
    processed = tmp_path / "processed"
    execute("01-clean-acled.ipynb", tmp_path / "clean.ipynb", input_path=str(export), reference_dir=str(reference),
            out_dir=str(processed))
    nb = execute("02-briefing.ipynb", tmp_path / "briefing.ipynb", processed_dir=str(processed),
                 figures_dir=str(tmp_path / "figures"), start_year=2018, end_year=2020, exclude_flags=[])
    nb.metadata["briefing"] = cover({**DEFAULTS, "start_year": 2018, "end_year": 2020, "exclude_flags": [],
                                     "processed_dir": str(processed)})
    render_html(nb, tmp_path / "briefing.html")
    return tmp_path / "briefing.html"


def test_markup_in_an_acled_export_and_the_reference_tables_is_shown_as_text(marked_up_acled, probe):
    from playwright.sync_api import sync_playwright

    soup = BeautifulSoup(marked_up_acled.read_text(encoding="utf-8"), "html.parser")
    assert not soup.select("main img:not([src^='data:']), main script, main b[style], [style*='image-set']")
    assert "<img src=" in soup.get_text()
    _, hits = probe
    before = len(hits)
    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page()
        page.goto(marked_up_acled.resolve().as_uri(), wait_until="load")
        page.wait_for_timeout(500)
        browser.close()
    assert hits[before:] == []


@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium is not installed (CI installs it)")
@pytest.mark.parametrize("width", [390, 1280])
def test_html_fits_the_screen_and_tables_scroll_in_their_own_box(default_briefing, width):
    from playwright.sync_api import sync_playwright

    _, _, out = default_briefing
    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto((out / "briefing.html").resolve().as_uri(), wait_until="load")
        document = page.evaluate("document.documentElement.scrollWidth")
        charts = page.evaluate("Array.from(document.querySelectorAll('figure.chart')).map(f => f.getBoundingClientRect().right)")
        main = page.evaluate("document.querySelector('main').clientWidth")
        browser.close()
    assert document == width
    assert charts and all(w <= width for w in charts)
    if width == 1280:
        assert main > 1000  # tables and charts use the width of a large screen


@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium is not installed (CI installs it)")
def test_on_a_phone_charts_that_scroll_show_the_tables_scroll_cue(default_briefing):
    """At 390 px a chart keeps a legible size and scrolls sideways in its box, with the shadow at the edge that the
    tables show; the chart's white lets it through. Its caption and the tables' captions stay in view."""
    from playwright.sync_api import sync_playwright

    _, _, out = default_briefing
    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport={"width": 390, "height": 900})
        page.goto((out / "briefing.html").resolve().as_uri(), wait_until="load")
        charts = page.evaluate("""Array.from(document.querySelectorAll('figure.chart')).map(f => {
            const s = getComputedStyle(f);
            return [f.scrollWidth > f.clientWidth, s.overflowX, s.backgroundImage, s.backgroundAttachment,
                    getComputedStyle(f.querySelector('img')).mixBlendMode];})""")
        table = page.evaluate("""(() => { const s = getComputedStyle(document.querySelector('.table-scroll'));
            return [s.backgroundImage, s.backgroundAttachment]; })()""")
        captions = page.evaluate("""Array.from(document.querySelectorAll('.table-scroll caption, figure.chart figcaption'))
            .map(c => c.getBoundingClientRect().right)""")
        browser.close()
    assert charts and all(c[0] for c in charts), "a chart that does not scroll needs no cue"
    assert "radial-gradient" in table[0] and "local" in table[1]
    assert all(c[1] == "auto" and [c[2], c[3]] == table and c[4] == "multiply" for c in charts), charts
    assert captions and max(captions) <= 390


# JupyterLab and the committed notebooks -----------------------------------------------------------------

@pytest.mark.parametrize("notebook", sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")))
def test_committed_notebooks_have_one_parameters_cell_and_the_default_kernel(notebook):
    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)  # their outputs: tests/test_layers.py
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
    assert nb.metadata.kernelspec.name == "python3"
