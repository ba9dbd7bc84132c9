"""The briefing layer: reads only a processed folder, computes the figures, draws the charts, writes the text,
and renders the executed notebook. `render` is its entry point for the pipeline."""
from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path


def preload() -> None:
    """Import what rendering needs (nbconvert, WeasyPrint, pandas: about a second), for a process that would
    otherwise wait: the pipeline calls it on a thread while a kernel runs the briefing, and in a batch's workers."""
    import weasyprint  # noqa: F401

    from malibrief.briefing import analysis, html, prose  # noqa: F401


def publication_date() -> date:
    """Today, or the day SOURCE_DATE_EPOCH names, so that a rebuild can be byte for byte the same."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), UTC).date() if epoch else date.today()


def cover(parameters: dict) -> dict:
    """The cover's values for the notebook's metadata (read by the template), from the briefing's parameters."""
    from malibrief import config
    from malibrief import params as briefing_params
    from malibrief.briefing import analysis, prose
    from malibrief.briefing.i18n import Language

    t = Language(parameters.get("lang", "en"))
    data = analysis.load(config.project_path(parameters["processed_dir"]))
    p = briefing_params.validate({}, {k: parameters[k] for k in (
        "start_year", "end_year", "regions", "actor_classes", "actors", "violations", "estimate", "exclude_flags",
        "title")}, actors=data.actors["actor"], flags=data.flags["flag"])
    return {**prose.cover(p, data, t, publication_date()), "lang": t.code, "author": t(prose.PROJECT)}


def render(nb, html_path: Path, pdf_path: Path, parameters: dict) -> None:
    """Render the executed briefing notebook to HTML and PDF, with the cover filled from the parameters."""
    from malibrief.briefing import html

    nb.metadata["briefing"] = cover(parameters)
    html.render_briefing(nb, html_path, pdf_path)
