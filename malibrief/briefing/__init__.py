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


# --each values shown translated on the index page (config's vocabularies); regions, actors and flags are names.
TRANSLATED = ("actor_classes", "violations")


def index_page(runs, each: str) -> str:
    """A batch's index page, in the briefings' language; for --each lang, each edition in its own language.
    `runs` are (folder, parameters) of the briefings."""
    from html import escape

    from malibrief.briefing.i18n import N_, Language

    headings = {"regions": N_("One briefing per region"), "actor_classes": N_("One briefing per perpetrator class"),
                "actors": N_("One briefing per perpetrator"), "violations": N_("One briefing per violation"),
                "exclude_flags": N_("One briefing per borderline case left out")}

    def item(name, t, label):
        lang = escape(t.code)
        return (f'<li lang="{lang}"><a href="{escape(name)}/briefing.html" hreflang="{lang}">{escape(label)}'
                f'</a> (<a href="{escape(name)}/briefing.pdf" hreflang="{lang}">PDF</a>)</li>')

    if each == "lang":
        languages = [Language(p["lang"]) for _, p in runs]
        titles = [t("The briefing in every language") for t in languages]
        heads = "".join(f'<h1 lang="{t.code}">{escape(title)}</h1>' for t, title in zip(languages, titles))
        items = "".join(item(n, t, t.locale.get_display_name(t.code).capitalize()) for (n, _), t in zip(runs, languages))
        page_lang, title = languages[0].code, " / ".join(titles)
    else:
        t = Language(runs[0][1].get("lang", "en"))
        title = heading = t(headings[each])
        heads = f"<h1>{escape(heading)}</h1>"
        items = "".join(item(n, t, ", ".join(map(t, p[each]) if each in TRANSLATED else p[each])) for n, p in runs)
        page_lang = t.code
    return (f"<!DOCTYPE html><html lang='{page_lang}'><head><meta charset='utf-8'><title>{escape(title)}"
            f"</title></head><body>{heads}<ul>{items}</ul></body></html>\n")
