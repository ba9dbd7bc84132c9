"""The French edition: summaries, display names, catalogue, typography, numbers and dates, and the build."""
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from malibrief import config

READ = dict(dtype=str, keep_default_na=False)
# French typography: a narrow no-break space (U+202F) before ; : ! ? and inside « guillemets », never a plain space
# or none (docs/translating.md); the typographic apostrophe. A colon with no space after it (12:30, https://) is none.
BAD_TYPOGRAPHY = {
    "plain space before ; : ! ?": re.compile(r" [;:!?]"),
    "no space before ; ! ?": re.compile(r"[^\s\u00a0\u202f][;!?](?=\s|$)"),
    "no space before :": re.compile(r"\S:(?=\s|$)"),
    "U+00A0 where the style is U+202F": re.compile(r"\u00a0[;:!?»]|«\u00a0"),
    "« without a no-break space after it": re.compile(r"«(?![\u00a0\u202f])"),
    "» without a no-break space before it": re.compile(r"(?<![\u00a0\u202f])»"),
    "straight apostrophe": re.compile(r"'"),
    'straight quotation marks': re.compile(r'"'),
}
# Words a French text about Mali should not use: their French forms are the ones on the right.
ENGLISH_VOCABULARY = {r"\bFulani\b": "Peuls", r"\bISGS\b": "EIGS", r"\bTimbuktu\b": "Tombouctou",
                      r"\bSegou\b": "Ségou", r"\bMenaka\b": "Ménaka"}


def typography_problems(text: str) -> list[str]:
    return [name for name, pattern in BAD_TYPOGRAPHY.items() if pattern.search(text)]


@pytest.mark.parametrize("table", ["incidents.csv", "out_of_scope.csv"])
def test_every_row_has_a_french_summary_after_the_english_one(table):
    rows = pd.read_csv(config.RAW / table, **READ)
    columns = list(rows.columns)
    assert columns.index("summary_fr") == columns.index("summary") + 1
    assert (rows["summary_fr"].str.strip() != "").all()
    assert (rows["summary_fr"] != rows["summary"]).all()


@pytest.mark.parametrize("table", ["incidents.csv", "out_of_scope.csv"])
def test_french_summaries_are_one_sentence_in_french_typography(table):
    rows = pd.read_csv(config.RAW / table, **READ)
    assert (rows["summary_fr"].str.strip() != "").all()
    for row in rows.assign(mention_id=rows.get("mention_id", rows.index + 2)).itertuples():
        assert not typography_problems(row.summary_fr), (row.mention_id, typography_problems(row.summary_fr))
        assert row.summary_fr.endswith(".") and ". " not in row.summary_fr.replace("env. ", ""), row.mention_id
        for english, french in ENGLISH_VOCABULARY.items():
            assert not re.search(english, row.summary_fr), (row.mention_id, english, french)


# --- the catalogue --------------------------------------------------------------------------------------------

KEYWORDS = {"t": (1,), "n": (1, 2), "N_": (1,), "Nn_": (1, 2)}  # as in the Makefile's `make messages`


def extracted() -> dict:
    """Every msgid the briefing uses, as pybabel extract finds it with babel.cfg, and where."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(config.ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {}
    for filename, line, message, _, _ in extract_from_dir(config.ROOT, method_map, options_map, keywords=KEYWORDS):
        found.setdefault(message, f"{filename}:{line}")
    return found


def test_the_extractor_finds_what_babel_alone_misses():
    import io

    from babel.messages.extract import extract

    source = b'''
sentence = t.n("{n} event: {listing}.", "{n} events: {listing}.", n, listing=_and(items, t))
years = t("In the years after, {listing}.", listing=_and([t("{n} in {year}", n=1, year=2) for y in ys], t))
heading = f"<h3>{t('Annex')}</h3><p>{t('Sources: {citations}.', citations=c)}</p>"
PEOPLE = {"killing": Nn_("{n} person killed", "{n} people killed")}
LABELS = {"killing": N_("Killed")}
'''
    found = {m[1] for m in extract("malibrief.briefing.i18n:extract_python", io.BytesIO(source), keywords=KEYWORDS)}
    assert found == {("{n} event: {listing}.", "{n} events: {listing}."), "In the years after, {listing}.",
                     "{n} in {year}", "Annex", "Sources: {citations}.", ("{n} person killed", "{n} people killed"),
                     "Killed"}


@pytest.fixture(scope="module")
def catalogue():
    from babel.messages.pofile import read_po

    from malibrief.briefing.i18n import catalogue_path

    with open(catalogue_path("fr"), "rb") as handle:
        return read_po(handle, locale="fr")


def test_every_string_of_the_briefing_has_a_french_translation(catalogue):
    messages = {m.id if isinstance(m.id, str) else tuple(m.id): m for m in catalogue if m.id}
    found = extracted()
    assert len(found) > 30, "the extraction found almost nothing: is babel.cfg right?"
    missing = [f"{where}: {msgid!r}" for msgid, where in found.items()
               if msgid not in messages or messages[msgid].fuzzy
               or not all(messages[msgid].string if isinstance(msgid, tuple) else [messages[msgid].string])]
    assert not missing, "untranslated (run make messages, then translate):\n" + "\n".join(missing)


def test_the_template_and_the_catalogue_hold_exactly_the_strings_the_code_uses(catalogue):
    """briefing.pot is a fresh extraction, and the French catalogue has its msgids, no more, no fewer and no
    obsolete ones: `pybabel update` after `pybabel extract` (make messages) then changes nothing (locations name
    files, not lines, so that an edit elsewhere in a file does not churn the catalogues)."""
    from babel.messages.pofile import read_po

    def ids(messages):
        return {m.id if isinstance(m.id, str) else tuple(m.id) for m in messages if m.id}

    with open(config.LOCALE_DIR / f"{config.LOCALE_DOMAIN}.pot", "rb") as handle:
        template = ids(read_po(handle))
    found = set(extracted())
    assert template == found, {"in briefing.pot, not in the code": sorted(map(str, template - found)),
                               "in the code, not in briefing.pot (run make messages)": sorted(map(str, found - template))}
    assert ids(catalogue) == template, {"in the .po only": sorted(map(str, ids(catalogue) - template)),
                                        "in the .pot only": sorted(map(str, template - ids(catalogue)))}
    assert not catalogue.obsolete, f"obsolete entries (#~) left in the .po: {list(catalogue.obsolete)}"


def test_translations_keep_the_placeholders_and_french_typography(catalogue):
    placeholder = re.compile(r"\{[a-z_]+\}")
    for message in catalogue:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if any("Babel date pattern" in comment for comment in message.auto_comments):
            continue  # its straight quotes are the pattern's syntax
        for msgid, msgstr in zip(ids * len(strings), strings):
            assert set(placeholder.findall(msgstr)) <= set(placeholder.findall(" ".join(ids))), (msgid, msgstr)
            text = re.sub(r"<[^>]+>|&\w+;", "", msgstr)  # markup and entities are not typography
            assert not typography_problems(text), (msgid, msgstr, typography_problems(text))
        if isinstance(message.id, tuple):  # the plural keeps {n}; the singular may spell it out
            assert "{n}" in strings[-1] or "{n}" not in message.id[1], message.id


def test_the_plural_form_is_picked_by_the_catalogues_own_header(tmp_path, monkeypatch):
    """French has two forms (0 and 1 singular), Bambara one, Arabic six: the catalogue says, no code does."""
    from malibrief.briefing import i18n

    def catalogue(header: str, forms: list[str]) -> Path:
        strings = "\n".join(f'msgstr[{i}] "{form}"' for i, form in enumerate(forms))
        path = tmp_path / f"{len(forms)}.po"
        path.write_text(f'msgid ""\nmsgstr ""\n"Plural-Forms: {header}\\n"\n\nmsgid "{{n}} event"\n'
                        f'msgid_plural "{{n}} events"\n{strings}\n', encoding="utf-8")
        return path

    cases = {"nplurals=2; plural=(n > 1);": (["{n} événement", "{n} événements"],
                                               {0: "0 événement", 1: "1 événement", 2: "2 événements"}),
             "nplurals=1; plural=0;": (["{n} one-form"], {1: "1 one-form", 5: "5 one-form"}),
             "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);":
                 ([f"{{n}} form{i}" for i in range(6)], {0: "0 form0", 2: "2 form2", 7: "7 form3", 11: "11 form4",
                                                        102: "102 form5"})}
    for header, (forms, expected) in cases.items():
        path = catalogue(header, forms)
        monkeypatch.setattr(i18n, "catalogue_path", lambda lang, path=path: path)
        i18n._catalogue.cache_clear()
        for n, text in expected.items():
            assert i18n.Language("fr").n("{n} event", "{n} events", n) == text, (header, n)
    i18n._catalogue.cache_clear()


def test_a_missing_translation_names_the_string_and_never_falls_back_to_english():
    from malibrief.briefing.i18n import Language, MissingTranslation

    with pytest.raises(MissingTranslation, match="no such sentence"):
        Language("fr")("no such sentence in the briefing")


def test_reference_columns_in_french_and_a_missing_one_is_named():
    from malibrief.briefing.i18n import Language, MissingTranslation

    t = Language("fr")
    actors = pd.read_csv(config.REFERENCE / "actors.csv", **READ)
    names = t.names(actors, "actor", "actors.csv")
    assert Language("en").names(actors, "actor")["Dozo militias"] == "Dozo militias"
    assert names["Malian armed forces"] == "Forces armées maliennes (FAMa)"
    assert names["Dozo militias"] == "Chasseurs dozos"
    assert t.names(pd.read_csv(config.REFERENCE / "victim_tags.csv", **READ), "tag")["Fulani"] == "Peuls"
    for table, columns in {"flags.csv": ["description"], "victim_tags.csv": ["description"],
                           "count_words.csv": ["rule", "acled_convention"]}.items():
        frame = pd.read_csv(config.REFERENCE / table, **READ)
        for column in columns:
            for text in t.column(frame, column, table):
                assert not typography_problems(text), (table, column, text)
    with pytest.raises(MissingTranslation, match=r"flags\.csv.*description_fr.*is empty"):
        flags = pd.read_csv(config.REFERENCE / "flags.csv", **READ)
        t.column(flags.assign(description_fr=""), "description", "flags.csv")
    with pytest.raises(MissingTranslation, match="no column 'rule_fr'"):
        t.column(pd.DataFrame({"rule": ["x"]}), "rule", "count_words.csv")


def test_the_vocabulary_covers_configs_code_values():
    from malibrief.briefing import vocabulary

    for name in ("VIOLATIONS", "VICTIM_TYPES", "ATTRIBUTIONS", "DATE_PRECISIONS", "ACTOR_CLASSES", "OUTCOMES"):
        assert set(getattr(config, name)) <= set(getattr(vocabulary, name)), name
    kinds = set(pd.read_csv(config.REFERENCE / "count_words.csv", **READ)["kind"])
    assert kinds <= set(vocabulary.COUNT_KINDS)
    assert set(pd.read_csv(config.RAW / "out_of_scope.csv", **READ)["violation"]) <= set(vocabulary.NOT_COUNTED)


# --- numbers and dates ----------------------------------------------------------------------------------------

def test_french_numbers_and_dates_come_from_babel():
    from datetime import date

    from malibrief.briefing.i18n import Language

    fr, en = Language("fr"), Language("en")
    assert fr.number(1201) == "1\u202f201" and en.number(1201) == "1,201"
    assert fr.number(2.5) == "2,5" and en.number(2.5) == "2.5"
    assert fr.date(date(2022, 3, 12)) == "12 mars 2022" and en.date(date(2022, 3, 12)) == "12 March 2022"
    assert fr.date(date(2022, 3, 1), "month") == "mars 2022"
    assert fr.date(date(2022, 1, 1), "year") == "2022"


# --- the parameter --------------------------------------------------------------------------------------------

def test_lang_is_checked_and_each_lang_gives_one_folder_per_language(tmp_path):
    from malibrief.params import ParameterError, languages
    from malibrief.pipeline.plan import plan

    assert languages() == ("en", "fr")
    with pytest.raises(ParameterError, match="lang: expected one of en, fr"):
        plan({"lang": "de"}, tmp_path, None)
    _, _, runs = plan({}, tmp_path, "lang")
    assert [(name, p["lang"]) for name, p in runs] == [("en", "en"), ("fr", "fr")]
    _, _, runs = plan({"lang": "fr", "regions": "Mopti"}, tmp_path, "lang")
    assert [(name, p["lang"], p["regions"]) for name, p in runs] == [("fr", "fr", ["Mopti"])]
    _, _, runs = plan({"lang": "fr"}, tmp_path, "regions")
    assert {p["lang"] for _, p in runs} == {"fr"} and len(runs) == len(config.ADMIN1)


def test_the_pdf_page_numbers_follow_the_language():
    from malibrief.briefing.html import _page_numbers

    assert 'content: "Page " counter(page) " of " counter(pages);' in _page_numbers("en")
    assert 'content: "Page " counter(page) " sur " counter(pages);' in _page_numbers("fr")


# --- the French edition, built ---------------------------------------------------------------------------------

# Words that are English and never French: a French text that uses them has English left in it.
ENGLISH_WORDS = set("""the of and to in is was were are with for from that this which by not be been has have had
it its they their them who what when where there these those than into per each other any some more most only
people events event killed detained disappeared killing killings detention detentions disappearance
disappearances chapter chapters briefing report reports named state armed group groups year years between
against after before during about""".split())
ENGLISH_ALLOWED = 0  # file names are code, the rules' number words are quotations (lang="en")


def french_text_outside_quotations(html: str) -> str:
    """The page's text without what may stay English: quotations and source titles (lang="en"), code, URLs."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.select('[lang="en"], code, pre, style, script, .url'):
        tag.decompose()
    return soup.body.get_text(" ")


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("editions")
    result = subprocess.run([sys.executable, str(config.ROOT / "build.py"), "-q", "--each", "lang", "--out", str(out),
                             "-p", "raw_dir", "data/raw"], capture_output=True, text=True, cwd=config.ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.mark.slow
def test_each_lang_builds_both_editions_each_linking_to_the_other(editions):
    from bs4 import BeautifulSoup
    from pypdf import PdfReader

    index = (editions / "index.html").read_text(encoding="utf-8")
    assert 'href="en/briefing.html"' in index and 'href="fr/briefing.html"' in index and "Français" in index
    for lang, other, label in (("en", "fr", "Version française"), ("fr", "en", "English version")):
        soup = BeautifulSoup((editions / lang / "briefing.html").read_text(encoding="utf-8"), "html.parser")
        assert soup.html["lang"] == lang
        link = soup.select_one("a.edition")
        assert link["href"] == f"../{other}/briefing.html" and link["lang"] == other and link.get_text() == label
        pdf = PdfReader(editions / lang / "briefing.pdf")
        assert pdf.trailer["/Root"]["/Lang"] == lang
        uris = [a.get_object()["/A"].get("/URI") for a in pdf.pages[0].get("/Annots") or []]
        assert f"../{other}/briefing.pdf" in uris


@pytest.mark.slow
def test_the_french_edition_has_no_english_left_outside_quotations(editions):
    html = (editions / "fr" / "briefing.html").read_text(encoding="utf-8")
    text = french_text_outside_quotations(html)
    english = [w for w in re.findall(r"[^\W\d_]+", text) if w.lower() in ENGLISH_WORDS]
    assert len(english) <= ENGLISH_ALLOWED, english
    assert "Peuls" in text or "peul" in text  # the vocabulary of the French-language sources
    assert not re.search(r"\bFulani\b", text)
    assert 'lang="en"' in html  # the as-written phrases and the sources' titles are there, marked as English


@pytest.mark.slow
def test_the_french_edition_writes_numbers_and_dates_the_french_way(editions):
    text = french_text_outside_quotations((editions / "fr" / "briefing.html").read_text(encoding="utf-8"))
    assert re.search(r"\b\d{1,3}\u202f\d{3}\b", text), "thousands with a narrow no-break space, as Babel writes them"
    assert not re.search(r"\b\d{1,3},\d{3}\b", text), "no English thousands separator"
    months = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
    assert re.search(rf"\b\d{{1,2}} ({months}) \d{{4}}\b", text), "dates as 12 mars 2022"
    assert not re.search(r"\b(January|February|March|April|June|July|August|September|October|November|December)\b",
                         text)
    problems = {name: [text[max(0, m.start() - 30):m.end() + 10] for m in pattern.finditer(text)][:3]
                for name, pattern in BAD_TYPOGRAPHY.items() if pattern.search(text)}
    assert not problems, problems  # the catalogue's and the data's typography, as the reader sees it


@pytest.mark.slow
def test_the_french_every_event_table_dates_and_cites_in_french(editions):
    """Dates as precisely as the source gives them, by Babel ("mars 2022", "12 mars 2022"), and the paragraph of a
    citation in French ("§ 5"), not the English "para"."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((editions / "fr" / "briefing.html").read_text(encoding="utf-8"), "html.parser")
    rows = soup.select("table.events tbody tr")
    dates = [tr.find("time").get_text() for tr in rows]
    months = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
    day = rf"(vers le )?((1er|\d{{1,2}})(–(1er|\d{{1,2}}))? )?(({months}) )?\d{{4}}"  # "27–31 mars 2022"
    assert all(re.fullmatch(rf"(({months})–)?{day}", d) for d in dates), dates
    assert any(re.fullmatch(rf"({months}) \d{{4}}", d) for d in dates)
    sources = " ".join(tr.find_all("td")[-1].get_text() for tr in rows)
    assert "§\u00a0" in sources and ", para " not in sources


HEADING_PT = 12  # a line at least this tall in pdftotext's boxes is set at a heading's size (h3 11 pt, text 9.5 pt)


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed (CI installs it)")
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_heading_ends_a_page_and_no_page_of_the_main_part_is_left_mostly_empty(editions, lang):
    """A heading at a page's foot is cut off from what it heads, and the cases' heading and intro from the boxes they
    introduce; a chart too tall for the rest of its page moves on and leaves a hole (the longer French text once
    pushed the map over and left half a page blank). The main part's last page, before the annex, may end short."""
    from bs4 import BeautifulSoup

    from tests.pdf_layout import MARGIN_PT, body_lines, pdf_pages

    soup = BeautifulSoup((editions / lang / "briefing.html").read_text(encoding="utf-8"), "html.parser")
    headings = {" ".join(h.get_text(" ").split()) for h in soup.select("main h2, main h3")}
    annex = soup.select_one("main h2.annex").get_text(strip=True)
    cases = soup.select_one("main div.cases")
    cases_heading = cases.find_previous("h2").get_text(strip=True)
    first_case = " ".join(cases.select_one("aside.case h3").get_text(" ").split())
    pages = {number: body_lines(page) for number, page in pdf_pages(editions / lang / "briefing.pdf") if number > 1}
    at_foot = [(number, last) for number, lines in pages.items() for k in (1, 2, 3)
               if (last := " ".join(line[2] for line in lines[-k:])) in headings
               and all(bottom - top >= HEADING_PT for top, bottom, _ in lines[-k:])]
    assert at_foot == []

    def page_of(text):
        return next(number for number, lines in pages.items() if number > 2 and text in [line[2] for line in lines])

    assert page_of(cases_heading) == page_of(first_case)
    area = 842 - 2 * MARGIN_PT  # an A4 page's text area, in points
    filled = {number: (lines[-1][1] - MARGIN_PT) / area for number, lines in pages.items()}
    assert {number: round(filled[number], 2) for number in range(2, page_of(annex) - 1) if filled[number] < .6} == {}


def test_the_first_of_a_month_is_written_as_french_writes_it():
    from datetime import date

    from malibrief.briefing.i18n import Language

    assert Language("fr").date(date(2026, 12, 1)) == "1er décembre 2026"
    assert Language("fr").date(date(2022, 3, 12)) == "12 mars 2022"
    assert Language("en").date(date(2026, 12, 1)) == "1 December 2026"


@pytest.mark.parametrize("precision, start, end, en, fr", [
    ("week", date(2022, 3, 27), date(2022, 3, 31), "27–31 March 2022", "27–31 mars 2022"),
    ("week", date(2022, 3, 1), date(2022, 3, 5), "1–5 March 2022", "1er–5 mars 2022"),
    ("week", date(2024, 3, 30), date(2024, 4, 2), "30 March\u2009–\u20092 April 2024", "30 mars\u2009–\u20092 avril 2024"),
    ("week", date(2024, 3, 24), date(2024, 3, 24), "about 24 March 2024", "vers le 24 mars 2024"),  # "one week later"
    ("months", date(2022, 4, 19), date(2022, 12, 31), "April–December 2022", "avril–décembre 2022"),
    ("months", date(2021, 12, 1), date(2022, 1, 31), "December 2021\u2009–\u2009January 2022",
     "décembre 2021\u2009–\u2009janvier 2022"),
    ("month", date(2022, 3, 1), date(2022, 3, 31), "March 2022", "mars 2022"),
    ("year", date(2022, 1, 1), date(2022, 12, 31), "2022", "2022")])
def test_a_date_says_what_its_precision_supports_and_no_more(precision, start, end, en, fr):
    """A span of days or of months is written as a span, a day worked out from another ("one week later") as
    about that day: never a day the source does not give, nor only the first month of several."""
    from malibrief.briefing.i18n import Language

    assert Language("en").date(start, precision, end) == en
    assert Language("fr").date(start, precision, end) == fr
