"""The rendering layer: a small notebook run on a real kernel, then rendered to HTML and PDF."""
import logging
import os
import re
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from pypdf import PdfReader

from malibrief.briefing import html as render

BRIEFING = {"title": "Mali: civilians under fire", "subtitle": "Killings and detentions, 2021-2025",
            "period": "January 2021 - June 2025", "data_date": "2025-07-01"}
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _source_notebook() -> nbformat.NotebookNode:
    cells = [
        new_code_cell('region = "PARAM-DEFAULT-MARKER"', metadata={"tags": ["parameters"]}),
        new_code_cell('region = "INJECTED-MARKER"', metadata={"tags": ["injected-parameters"]}),
        new_markdown_cell("# Mali: civilians under fire\n\nIntroductory paragraph."),
        new_markdown_cell("## Key figures\n\nSee the [trends](#Trends) below.\n\n### Notes"),
        new_code_cell(
            "import sys\nimport pandas as pd\n"
            "print('warning text STDERR-MARKER', file=sys.stderr)\n"
            "pd.DataFrame({'year': [2021, 2022, 2023], 'killed': [120, 340, 210]})"),
        new_code_cell("print('REMOVED-MARKER')", metadata={"tags": ["remove-cell"]}),
        new_code_cell(
            "from IPython.display import Markdown, display\n"
            "display(Markdown('## Trends\\n\\nKillings rose in 2022.\\n\\n### Notes'))"),
        new_code_cell(
            "import matplotlib\nmatplotlib.use('module://matplotlib_inline.backend_inline')\n"
            "import matplotlib.pyplot as plt\n"
            "fig, ax = plt.subplots()\nax.bar(['2021', '2022', '2023'], [120, 340, 210])\nplt.show()"),
        new_code_cell(
            "from IPython.display import HTML, display\n"
            f"display(HTML('<p>Escaped: {ESCAPED_SCRIPT}</p>'))\n"
            "display(HTML('<h2>Régions du Nord</h2><script>document.title=1</script>'\n"
            "             '<img src=\"https://example.org/x.png\" alt=\"map\" onerror=\"alert(1)\">'\n"
            "             '<a href=\"https://example.org/report\">report</a>'\n"
            "             '<style>@import url(//example.org/a.css); p {color: #222}</style>'))"),
        new_code_cell(
            "import pandas as pd\n"
            "pd.DataFrame([range(12)], columns=[f'column {i}' for i in range(12)])"),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["briefing"] = BRIEFING
    return nb


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> nbformat.NotebookNode:
    folder = tmp_path_factory.mktemp("nb")
    source, output = folder / "source.ipynb", folder / "executed.ipynb"
    nbformat.write(_source_notebook(), source)
    papermill.execute_notebook(str(source), str(output), parameters={"region": "INJECTED-MARKER"},
                               kernel_name="python3", progress_bar=False)
    return nbformat.read(output, as_version=4)


@pytest.fixture(scope="module")
def html(executed, tmp_path_factory) -> str:
    return render.render_html(executed, tmp_path_factory.mktemp("html") / "b.html").read_text()


@pytest.fixture(scope="module")
def pdf(executed, tmp_path_factory) -> PdfReader:
    return PdfReader(render.render_pdf(executed, tmp_path_factory.mktemp("pdf") / "b.pdf"))


def test_pdf_css_warnings_are_silenced(executed, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    render.render_pdf(executed, tmp_path / "b.pdf")
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]
    assert logging.getLogger("weasyprint").level == logging.WARNING  # restored afterwards


def test_notebook_has_the_cases_we_test(executed):
    tags = [t for cell in executed.cells for t in cell.metadata.get("tags", [])]
    assert {"parameters", "injected-parameters", "remove-cell"} <= set(tags)
    mimes = {m for cell in executed.cells for o in cell.get("outputs", []) for m in o.get("data", {})}
    assert {"image/png", "text/html", "text/markdown"} <= mimes


def test_nothing_runs_or_is_fetched(html):
    assert "<script" not in html.lower()
    assert "require" not in html.lower() and "mathjax" not in html.lower()
    soup = BeautifulSoup(html, "html.parser")
    loaded = [t.get(a) for t in soup.find_all(True) for a in ("src", "srcset", "poster", "background") if t.get(a)]
    assert loaded, "expected the embedded chart"
    assert all(u.startswith("data:") for u in loaded), loaded
    links = [a["href"] for a in soup.find_all("a", href=True)]
    assert all(u.startswith(("data:", "#", "https://")) for u in links), links
    assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", html, re.I)
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html)  # no event handlers
    assert soup.select_one('a[href="https://example.org/report"]')  # a link loads nothing until followed


def test_hidden_parts_are_absent(html):
    for marker in ("PARAM-DEFAULT-MARKER", "INJECTED-MARKER", "STDERR-MARKER", "REMOVED-MARKER",
                   "pd.DataFrame", "plt.subplots", "In&nbsp;[", "Out["):
        assert marker not in html


def test_escaped_markup_stays_text(html):
    assert ESCAPED_SCRIPT in html
    assert "<script>alert(1)</script>" in BeautifulSoup(html, "html.parser").get_text()


def test_cover_comes_from_metadata(html):
    soup = BeautifulSoup(html, "html.parser")
    cover = soup.select_one("header.cover").get_text(" ", strip=True)
    for value in BRIEFING.values():
        assert value in cover
    assert soup.title.string == BRIEFING["title"]
    assert not soup.main.find("h1")  # the notebook's own title is not repeated


def test_toc_links_to_headings_from_markdown_and_outputs(html):
    soup = BeautifulSoup(html, "html.parser")
    links = {a.get_text(): a["href"] for a in soup.select("nav.toc a")}
    assert links["Key figures"] == "#key-figures"
    assert links["Trends"] == "#trends"  # a text/markdown output
    assert links["Régions du Nord"] == "#regions-du-nord"  # a text/html output
    ids = [t["id"] for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    for href in [a["href"] for a in soup.find_all("a", href=True) if a["href"].startswith("#")]:
        assert href[1:] in ids, href
    nested = [a["href"] for a in soup.select("nav.toc li li a")]
    assert nested == ["#notes", "#notes-2"]
    assert soup.select_one('main a[href="#trends"]')  # the Jupyter-style link was kept working


def test_tables_scroll_and_wide_ones_are_marked(html):
    soup = BeautifulSoup(html, "html.parser")
    wrappers = [t.parent["class"] for t in soup.main.find_all("table")]
    assert wrappers == [["table-scroll"], ["table-scroll", "wide"]]


def test_svg_is_preferred_to_png(tmp_path):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>'
    chart = new_output("display_data", data={"image/svg+xml": svg, "image/png": "iVBORw0KGgo=",
                                             "text/plain": "<Figure>"})
    nb = new_notebook(cells=[new_markdown_cell("# T"), new_code_cell("chart()", outputs=[chart])])
    html = render.render_html(nb, tmp_path / "svg.html").read_text()
    assert "data:image/svg+xml;base64," in html and "data:image/png" not in html


def test_html_is_deterministic(executed, html, tmp_path):
    first = render.render_html(executed, tmp_path / "1.html").read_bytes()
    second = render.render_html(executed, tmp_path / "2.html").read_bytes()
    assert first == second == html.encode("utf-8")


def test_one_export_for_both_outputs_gives_what_each_renderer_gives_alone(executed, html, tmp_path):
    render.render_briefing(executed, tmp_path / "b.html", tmp_path / "b.pdf")
    assert (tmp_path / "b.html").read_text() == html
    # The PDF carries its own paged styles and no embedded downloads, as render_pdf's does: the same bytes.
    assert (tmp_path / "b.pdf").read_bytes() == render.render_pdf(executed, tmp_path / "alone.pdf").read_bytes()


def test_cover_falls_back_to_first_h1(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("# Fallback title\n\n## Section")])
    soup = BeautifulSoup(render.render_html(nb, tmp_path / "f.html").read_text(), "html.parser")
    assert soup.select_one(".cover-title").get_text() == "Fallback title"
    assert soup.title.string == "Fallback title"
    assert not soup.main.find("h1")


def test_pdf_is_a4_with_cover_contents_and_body(pdf):
    assert len(pdf.pages) >= 2
    for page in pdf.pages:
        assert abs(float(page.mediabox.width) - 595) <= 1
        assert abs(float(page.mediabox.height) - 842) <= 1
    cover, contents = pdf.pages[0].extract_text(), pdf.pages[1].extract_text()
    assert BRIEFING["title"] in cover and BRIEFING["period"] in cover
    assert re.search(r"Key figures[ .]*\d+", contents), contents
    text = "\n".join(page.extract_text() for page in pdf.pages[1:])  # the contents open the first page of text
    assert "Key figures" in text and "Trends" in text
    assert re.search(r"Page 2 of \d+", pdf.pages[1].extract_text())


@pytest.mark.parametrize("renderer", [render.render_html, render.render_pdf])
def test_failed_render_keeps_previous_file(renderer, executed, tmp_path, monkeypatch):
    out = tmp_path / "briefing.out"
    out.write_bytes(b"previous briefing")

    def disk_full(fd):
        raise OSError("disk full")  # fails after the new content was written to the temp file

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="disk full"):
        renderer(executed, out)
    assert out.read_bytes() == b"previous briefing"
    assert [p.name for p in tmp_path.iterdir()] == ["briefing.out"]  # no temp file left behind


@pytest.mark.skipif(getattr(os, "geteuid", lambda: 1)() == 0 or sys.platform == "win32",
                    reason="root, and Windows, can write to read-only directories")
def test_unwritable_directory_keeps_previous_file(executed, tmp_path):
    out = tmp_path / "briefing.html"
    out.write_bytes(b"previous briefing")
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(PermissionError):
            render.render_html(executed, out)
    finally:
        tmp_path.chmod(0o755)
    assert out.read_bytes() == b"previous briefing"


def test_written_file_has_normal_permissions(executed, tmp_path):
    out = render.render_html(executed, tmp_path / "b.html")
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    assert isinstance(out, Path)


def test_allowlist_keeps_no_style_that_could_fetch_and_the_policy_forbids_loads(tmp_path):
    markup = ("<p style=\"background: image-set('http://127.0.0.1:9/x' 1x)\">styled</p>"
              "<svg><image href='http://127.0.0.1:9/y'/></svg><form action='https://example.org'><input></form>")
    nb = new_notebook(cells=[new_markdown_cell("# T"),
                             new_code_cell("x", outputs=[new_output("display_data", data={"text/html": markup})])])
    page = render.render_html(nb, tmp_path / "p.html").read_text()
    soup = BeautifulSoup(page, "html.parser")
    assert "styled" in soup.main.get_text()
    assert not soup.main.select("[style], svg, image, form, input")
    assert "127.0.0.1" not in page
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert policy.startswith("default-src 'none'; img-src data:;")
