"""What the review notebook shows and writes: each candidate beside its paragraph with its phrases
marked, and the rows the coder confirmed, ready to append to data/raw/incidents.csv."""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from .. import config
from ..cleaning.schemas import INCIDENT_COLUMNS
from ..io import read_csv
from .candidates import REVIEW_COLUMNS, propose, write
from .chapter import paragraphs, read_chapter

PHRASE_COLUMNS = ("date_text", "place_text", "perpetrator_text", "victims_text", "killed_text", "detained_text",
                  "disappeared_text", "claimant_text", "outcome_text")
YES = {"yes", "y", "x", "1", "true", "ok"}


def locate(phrase: str, text: str, around: int = 0) -> list[tuple[int, int]]:
    """Where each piece of a phrase (pieces joined by " ... ") is in the text, in order, looking first
    from `around` (the candidate's sentence) and then from the start."""
    for start in dict.fromkeys((around, 0)):
        spans, position = [], start
        for piece in phrase.split(" ... "):
            found = text.find(piece, position)
            if found < 0:
                break
            spans.append((found, found + len(piece)))
            position = found + len(piece)
        else:
            return spans
    return []


def marked(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The text escaped, with each span wrapped in <mark title=column>; a span overlapping an earlier one
    is left out rather than nested."""
    out, position = [], 0
    for start, end, column in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < position:
            continue
        out += [html.escape(text[position:start]),
                f'<mark title="{html.escape(column)}">', html.escape(text[start:end]), "</mark>"]
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


def candidate_html(row: pd.Series, paragraph: str) -> str:
    """One candidate: its id and violations, its paragraph with the phrases marked, the phrases by
    column, and what the coder must still check."""
    around = max(paragraph.find(row["sentence"]), 0)
    spans = [(a, b, column) for column in PHRASE_COLUMNS if row[column]
             for a, b in locate(row[column], paragraph, around)]
    cells = "".join(f"<tr><th>{html.escape(c)}</th><td>{html.escape(row[c])}</td></tr>"
                    for c in (*PHRASE_COLUMNS, "victim_type", "victim_tags", "attribution", "flags") if row[c])
    return (f'<div class="candidate"><h4>{html.escape(row["mention_id"])} · {html.escape(row["violations"])} · '
            f'{html.escape(row["section"])}, paragraph {html.escape(str(row["paragraph"]))} · confidence '
            f'{html.escape(str(row["confidence"]))}</h4>'
            f'<p class="paragraph">{marked(paragraph, spans)}</p><table>{cells}</table>'
            f'<p class="notes"><em>{html.escape(row["missing_or_uncertain"])}</em></p></div>')


STYLE = ("<style>.candidate{border-top:1px solid #999;margin:1em 0;padding-top:.5em}"
         ".candidate mark{background:#fde68a}.candidate th{text-align:left;padding-right:1em}"
         ".candidate .notes{color:#555}</style>")


def review_html(candidates: pd.DataFrame, text: str, year: int) -> str:
    """Every candidate beside its paragraph, as one HTML fragment for the notebook."""
    by_key = {(p.section, str(p.number)): p.text for p in paragraphs(text, year)}
    return STYLE + "".join(candidate_html(row, by_key[(row["section"], str(row["paragraph"]))])
                           for _, row in candidates.iterrows())


def confirmed(candidates: pd.DataFrame, accepted=()) -> pd.DataFrame:
    """The rows the coder confirmed (`confirmed` says yes, or the id is in `accepted`), in the columns of
    data/raw/incidents.csv (all but the review columns), ready to append. `accepted` may also be one string of ids ("AI-2025-001, AI-2025-004")."""
    accepted = set(accepted.replace(",", " ").split() if isinstance(accepted, str) else accepted)
    unknown = accepted - set(candidates["mention_id"])
    if unknown:
        raise ValueError(f"accepted ids not among the candidates: {', '.join(sorted(unknown))}")
    keep = candidates["mention_id"].isin(accepted) | candidates["confirmed"].str.strip().str.lower().isin(YES)
    columns = [c for c in candidates.columns if c not in REVIEW_COLUMNS]
    return candidates.loc[keep, columns].reset_index(drop=True)


def for_review(chapter: Path, source_id: str, year: int, out: Path, sources_dir: Path | None = None,
               reference_dir: Path = config.REFERENCE, refresh: bool = False) -> tuple[pd.DataFrame, str]:
    """The candidates to review and the chapter's text: proposed and written to `out` the first time (or
    when `refresh`), read back from `out` afterwards so that the coder's edits there are kept."""
    text = read_chapter(chapter)
    if refresh or not Path(out).exists():
        write(propose(chapter, source_id, year, reference_dir, config.RAW, text=text), out, text, source_id, sources_dir)
    return read_candidates(out), text


def read_candidates(path: Path) -> pd.DataFrame:
    """A candidates file as propose wrote it and the coder edited it; a missing column is a clear error."""
    return read_csv(path, (*INCIDENT_COLUMNS, *REVIEW_COLUMNS)).reset_index(drop=True)
