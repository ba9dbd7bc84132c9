"""The briefing layer: reads only a processed folder, computes the figures, draws the charts, writes the text,
and renders the executed notebook. `render` is its entry point for the pipeline."""
from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path


def preload() -> None:
    """Import what rendering needs (nbconvert, WeasyPrint, pandas: about a second) and compile the page template,
    for a process that would otherwise wait: the pipeline calls it on a thread while a kernel runs the briefing,
    and in a batch's workers."""
    import weasyprint  # noqa: F401

    from malibrief.briefing import analysis, html, prose  # noqa: F401

    html.warm_up()


def publication_date() -> date:
    """Today, or the day SOURCE_DATE_EPOCH names, so that a rebuild can be byte for byte the same."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), UTC).date() if epoch else date.today()


def cover(parameters: dict, editions=()) -> dict:
    """The cover's values for the notebook's metadata (read by the template), from the briefing's parameters;
    `editions` are (language, folder) of the same briefing in other languages, in the batch folder beside it."""
    from malibrief import config
    from malibrief import params as briefing_params
    from malibrief.briefing import analysis, prose
    from malibrief.briefing.i18n import Language
    from malibrief.text import escape

    t = Language(parameters.get("lang", "en"))
    data = analysis.load(config.project_path(parameters["processed_dir"]))
    p = briefing_params.validate({}, {k: parameters[k] for k in (
        "start_year", "end_year", "regions", "actor_classes", "actors", "violations", "estimate", "exclude_flags",
        "title", "lang")}, actors=data.actors["actor"], flags=data.flags["flag"])
    links = [{"lang": lang, "label": escape(_edition_label(Language(lang))), "href": f"../{folder}/briefing.html"}
             for lang, folder in editions]
    return {**prose.cover(p, data, t, publication_date()), "lang": t.code, "author": t(prose.PROJECT),
            "editions": links}


def render(nb, html_path: Path, pdf_path: Path, parameters: dict, editions=()) -> None:
    """Render the executed briefing notebook to HTML and PDF, with the cover filled from the parameters."""
    from malibrief.briefing import html

    nb.metadata["briefing"] = cover(parameters, editions)
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
        items = "".join(item(n, t, t.listing(map(t, p[each]) if each in TRANSLATED else p[each])) for n, p in runs)
        page_lang = t.code
    return (f"<!DOCTYPE html><html lang='{page_lang}'><head><meta charset='utf-8'><title>{escape(title)}"
            f"</title></head><body>{heads}<ul>{items}</ul></body></html>\n")
