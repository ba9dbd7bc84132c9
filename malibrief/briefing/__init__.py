"""The briefing layer: reads only a processed folder, computes the figures, draws the charts, writes the text,
and renders the executed notebook. `render` is its entry point for the pipeline."""
from __future__ import annotations

from pathlib import Path


def render(nb, html_path: Path, pdf_path: Path, parameters: dict, editions=()) -> None:
    """Render the executed briefing notebook to HTML and PDF, with the cover filled from the parameters, in the
    briefing's language; `editions` are (language, folder) of the same briefing in other languages, beside it."""
    from malibrief import config
    from malibrief.briefing import analysis, html, prose
    from malibrief.briefing.i18n import Language

    t = Language(parameters.get("lang", "en"))

    period = (str(parameters["start_year"]) if parameters["start_year"] == parameters["end_year"]
              else f"{parameters['start_year']}–{parameters['end_year']}")
    scope = ", ".join(parameters["regions"]) or "Mali"
    data = analysis.load(config.project_path(parameters["processed_dir"]))
    nb.metadata["briefing"] = {"title": parameters["title"], "period": period,
                               "subtitle": f"Documented killings, detentions and enforced disappearances: {scope}",
                               "data_date": prose.data_date(data), "lang": t.code,
                               "labels": {"kicker": t("Human-rights briefing"), "period": t("Period"),
                                          "data_date": t("Data as of"), "contents": t("Contents")},
                               "editions": [{"lang": lang, "label": _edition_label(Language(lang)),
                                             "href": f"../{folder}/briefing.html"} for lang, folder in editions]}
    html.render_briefing(nb, html_path, pdf_path)


def _edition_label(t) -> str:
    # TRANSLATORS: the link to the edition in your language, written in your language ("Version française")
    return t("English version")
