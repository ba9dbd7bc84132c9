"""Helpers shared by the benchmark's child processes. Standard library only at import time.

`briefing_notebook` loads an executed briefing notebook and sets the cover metadata exactly as
build.py's `render` does, so the naive chain and the floor render the same document as build.py.
"""
from __future__ import annotations

import ast
import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CLEAN_NB = NOTEBOOKS / "01-clean.ipynb"
BRIEFING_NB = NOTEBOOKS / "02-briefing.ipynb"


def notebook_defaults(path: Path) -> dict:
    """Name -> default value from the cell tagged `parameters` (as build.notebook_parameters reads it)."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    found = {}
    for node in ast.parse("".join(cell["source"])).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


def briefing_notebook(executed: Path, processed_dir: Path):
    """The executed briefing with nb.metadata['briefing'] filled in like build.render does."""
    import nbformat

    p = notebook_defaults(BRIEFING_NB)
    nb = nbformat.read(str(executed), as_version=4)
    period = str(p["start_year"]) if p["start_year"] == p["end_year"] else f"{p['start_year']}–{p['end_year']}"
    scope = ", ".join(p["regions"]) or "Mali"
    with open(Path(processed_dir) / "sources.csv", encoding="utf-8", newline="") as handle:
        published = sorted(row["published"] for row in csv.DictReader(handle))
    nb.metadata["briefing"] = {
        "title": p["title"], "period": period,
        "subtitle": f"Documented killings, detentions and enforced disappearances: {scope}",
        "data_date": f"Sources published {published[0]} to {published[-1]}"}
    return nb
