"""A chapter as the codebook reads it: sections, paragraphs numbered within them, and sentences.

A paragraph is a non-empty line of the text; a heading is a short line that starts with a letter and
does not end like a sentence. Before the first heading the section is the chapter's title line ("Mali
2022", "Events of 2025"). Sentences come from sentencex, with their offsets in the paragraph, so that
every phrase taken from them can be located in the chapter word for word.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup
from sentencex import get_sentence_boundaries

# Headings that end the chapter: Amnesty's pages append a list of older news items ("Mali Newsroom").
STOP_HEADINGS = re.compile(r"newsroom$", re.I)
# A footnote line ("1. “Mali: ...”, 16 June"): the title of a cited document, not the chapter's words.
FOOTNOTE = re.compile(r"^\s*\d{1,2}\.\s")
HTML_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "figcaption", "dt", "dd", "td", "th", "div")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in the paragraph


@dataclass(frozen=True)
class Paragraph:
    section: str
    number: int
    line: int  # line number in the chapter text (1-based)
    text: str
    sentences: tuple[Sentence, ...]
    footnote: bool


def is_heading(line: str) -> bool:
    line = line.strip()
    return (bool(line) and line[0].isalpha() and len(line.split()) <= 12
            and not re.search(r"[.!?:;,\"”’)\]]\d*$", line))


def title_of(line: str, year: int) -> str | None:
    """The section name a title line gives ("The State of the World's Human Rights; Mali 2024" -> "Mali 2024")."""
    if is_heading(line) and re.search(rf"\b{year}$", line.strip()):
        return line.strip().rsplit(";", 1)[-1].strip()
    return None


def html_to_text(html: str) -> str:
    """One line per innermost block element (heading, paragraph, list item, a div of text), blank lines
    between them, as in the plain-text chapters; inline markup (links, emphasis, footnote marks) is joined
    without spaces; scripts, navigation and the page footer are dropped."""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup(["script", "style", "noscript", "template", "nav", "footer"]):
        element.decompose()
    for br in soup("br"):
        br.replace_with(" ")
    for ol in soup("ol"):  # numbered notes keep their numbers, as the text copies have them ("1. ...")
        start = str(ol.get("start", "1"))
        for number, item in enumerate(ol.find_all("li", recursive=False), start=int(start) if start.isdigit() else 1):
            item.insert(0, f"{number}. ")
    blocks = [el for el in soup.find_all(HTML_BLOCKS) if not el.find(HTML_BLOCKS)]
    lines = [" ".join(el.get_text().split()) for el in blocks]
    return "\n\n".join(line for line in lines if line) + "\n"


def read_chapter(path: Path) -> str:
    """The chapter's plain text, each line's runs of white space (no-break spaces included) made one space,
    as the source check forgives; a saved web page (.html, .htm, or text that starts with markup) is stripped."""
    text = Path(path).read_text(encoding="utf-8-sig")
    if Path(path).suffix.lower() in (".html", ".htm") or re.match(r"\s*<(?:!doctype|html)", text, re.I):
        return html_to_text(text)
    return "".join(" ".join(line.split()) + "\n" for line in text.splitlines())


# A footnote mark glued to a sentence's end ("... were killed.2 On 4 May"), where sentencex sees no break.
_FOOTNOTE_BREAK = re.compile(r"(?<=[.!?”\"])\d{1,2}(?= [A-Z])")


def sentences(text: str) -> tuple[Sentence, ...]:
    """sentencex's sentences, also split after a glued footnote mark, with their offsets."""
    found = []
    for b in get_sentence_boundaries("en", text):
        start, piece = b["start_index"], text[b["start_index"]:b["end_index"]]
        cuts = [0] + [m.end() for m in _FOOTNOTE_BREAK.finditer(piece)] + [len(piece)]
        for a, z in zip(cuts, cuts[1:]):
            part = piece[a:z]
            if part.strip():
                found.append(Sentence(part.strip(), start + a + part.index(part.strip())))
    return tuple(found)


def paragraphs(text: str, year: int) -> list[Paragraph]:
    """Every paragraph after the title line, in order, with its section and number within the section."""
    section, number, found = None, 0, []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if section is None:
            section = title_of(line, year)
            continue
        if is_heading(line):
            if STOP_HEADINGS.search(line.strip()):
                break
            section, number = line.strip(), 0
            continue
        number += 1
        found.append(Paragraph(section, number, line_no, line, sentences(line), bool(FOOTNOTE.match(line))))
    if section is None:
        raise ValueError(f"no title line ending in {year} (\"Mali {year}\", \"Events of {year}\"): "
                         "is the year right?")
    return found
