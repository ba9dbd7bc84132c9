"""The briefing layer: reads only a processed folder, computes the figures, draws the charts, writes the text,
and renders the executed notebook. `render` is its entry point for the pipeline."""
from __future__ import annotations

from pathlib import Path


def render(nb, html_path: Path, pdf_path: Path, parameters: dict) -> None:
    """Render the executed briefing notebook to HTML and PDF, with the cover filled from the parameters."""
    from malibrief import config
    from malibrief.briefing import analysis, html, prose

    period = (str(parameters["start_year"]) if parameters["start_year"] == parameters["end_year"]
              else f"{parameters['start_year']}–{parameters['end_year']}")
    scope = ", ".join(parameters["regions"]) or "Mali"
    data = analysis.load(config.project_path(parameters["processed_dir"]))
    nb.metadata["briefing"] = {"title": parameters["title"], "period": period,
                               "subtitle": f"Documented killings, detentions and enforced disappearances: {scope}",
                               "data_date": prose.data_date(data)}
    html.render_briefing(nb, html_path, pdf_path)
