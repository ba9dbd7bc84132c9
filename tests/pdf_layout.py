"""Reading a rendered PDF as a reader sees its pages: pdftotext's boxes for each word and line, in points."""
from __future__ import annotations

import subprocess
from pathlib import Path

from bs4 import BeautifulSoup

MARGIN_PT = 20 / 25.4 * 72  # pdf.css: 20 mm at the top and the bottom, where the running title and page number sit


def pdf_pages(pdf: Path):
    """(page number, page) for each page of `pdf`, its lines and their words with their boxes as pdftotext
    -bbox-layout gives them."""
    words = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    return enumerate(BeautifulSoup(words, "html.parser").find_all("page"), 1)


def body_lines(page) -> list[tuple[float, float, str]]:
    """(top, bottom, text) of each line of the page's text area, without its running title and page number, from
    the top of the page down."""
    height = float(page["height"])
    lines = [(float(line["ymin"]), float(line["ymax"]), " ".join(w.get_text() for w in line.find_all("word")))
             for line in page.find_all("line")]
    return sorted(line for line in lines if line[0] > MARGIN_PT - 2 and line[1] < height - MARGIN_PT + 2)
