"""Render the executed briefing notebook to a self-contained HTML page and an A4 PDF.

Both come from one HTML document made with the project's nbconvert template
(templates/briefing). What the notebook emitted, and the cover, go through an allowlist sanitiser (nh3):
only the tags and attributes a briefing uses survive, and only data: images. A Content-Security-Policy
forbids every network load and allows only the page's own script (table search and sort), by its hash:
the briefing has to open offline and be safe to pass around.
"""
from __future__ import annotations

import base64
import contextlib
import copy
import functools
import gc
import hashlib
import logging
import re
from pathlib import Path

import nbformat
import nh3
from bs4 import BeautifulSoup, Tag
from nbconvert import HTMLExporter
from traitlets.config import Config

from malibrief.config import NOTEBOOKS
from malibrief.io import atomic_write
from malibrief.text import slug

TEMPLATES = Path(__file__).parent / "templates"
PDF_CSS = TEMPLATES / "briefing" / "static" / "pdf.css"  # the A4 rules, added after the screen styles for the PDF

# Papermill's parameter cells are plumbing, not content; remove-cell is the usual opt-out tag.
HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell"}
# Vector before raster, images before markup; JavaScript and widget types are never chosen.
MIME_PRIORITY = ["image/svg+xml", "image/png", "image/jpeg", "text/html", "text/markdown",
                 "text/latex", "text/plain"]
# What a briefing's body may hold: the allowlist (anything else is dropped, scripts and styles with their content).
TAGS = {"a", "abbr", "aside", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "div", "dl",
        "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol",
        "p", "pre", "section", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
        "thead", "time", "tr", "ul"}
ATTRIBUTES = {"*": {"class", "id", "lang", "title"}, "a": {"href", "download", "hreflang"}, "img": {"src", "alt", "width", "height"},
              "th": {"scope", "colspan", "rowspan"}, "td": {"colspan", "rowspan"}, "col": {"style", "span"},
              "table": {"data-search"}, "time": {"datetime"}}
URL_SCHEMES = {"https", "data"}
SCRIPT = TEMPLATES / "briefing" / "static" / "table.js"
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src '{hash}'; base-uri 'none'; "
       "form-action 'none'")
# From these column counts a table is set smaller in the PDF, then on a landscape page.
WIDE_TABLE_COLUMNS, VERY_WIDE_TABLE_COLUMNS = 6, 16


def render_html(nb: nbformat.NotebookNode, out_path: Path) -> Path:
    """Write the briefing as one HTML file with everything it needs inlined."""
    with _no_gc():
        return _write_html(_document(nb), Path(out_path))


def render_pdf(nb: nbformat.NotebookNode, out_path: Path) -> Path:
    """Write the briefing as an A4 PDF: cover, contents with page numbers, numbered pages."""
    with _no_gc():
        return _write_pdf(_document(nb), Path(out_path))


def render_briefing(nb: nbformat.NotebookNode, html_path: Path, pdf_path: Path) -> None:
    """Write both, from one export of the notebook: the HTML, then the same document with the A4 rules as PDF."""
    with _no_gc():
        document = _document(nb)
        _write_html(document, Path(html_path))
        _write_pdf(document, Path(pdf_path))


@contextlib.contextmanager
def _no_gc():
    """No cyclic garbage collection while rendering: the parsed page and WeasyPrint's boxes are hundreds of
    thousands of young objects that the collector would walk again and again (a fifth of the render's time) to
    find nothing. What they leave is collected once, at the next collection after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write_html(document: BeautifulSoup, out_path: Path) -> Path:
    html = str(document).encode("utf-8")
    return atomic_write(out_path, lambda f: f.write(html))


def _write_pdf(document: BeautifulSoup, out_path: Path) -> Path:
    """Lay out the paged version of `document` (changing it) with WeasyPrint and write it as PDF."""
    return atomic_write(out_path, lambda f: _laid_out(document).write_pdf(f, pdf_tags=True))


def _laid_out(document: BeautifulSoup):
    """The paged version of `document` (changing it), laid out in pages by WeasyPrint."""
    import weasyprint  # slow to import and only needed here

    # Only data: URIs may be loaded; anything else is refused and logged as an error.
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
    css_logger = logging.getLogger("weasyprint")
    level = css_logger.level
    css_logger.setLevel(logging.ERROR)  # CSS warnings (unsupported properties) are noise
    try:
        return weasyprint.HTML(string=_paged(document), url_fetcher=fetcher).render()
    finally:
        css_logger.setLevel(level)


def warm_up() -> None:
    """Export a one-cell notebook, so that the exporter is made and its templates compiled (0.1-0.2 s) before the
    first briefing needs them."""
    _document(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Briefing\n\nText.")]))


@functools.cache
def _exporter() -> HTMLExporter:
    """One exporter per process: each new one compiles its templates again (0.1 s)."""
    config = Config()
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    config.HTMLExporter.exclude_anchor_links = True  # ids are made here, from the heading text
    config.HTMLExporter.embed_images = True
    config.NbConvertBase.display_data_priority = MIME_PRIORITY
    return HTMLExporter(config=config, template_name="briefing", extra_template_basedirs=[str(TEMPLATES)])


def _document(nb: nbformat.NotebookNode) -> BeautifulSoup:
    """The briefing as a cleaned HTML document, for the screen."""
    html, _ = _exporter().from_notebook_node(_visible_part(nb), resources={"metadata": {"path": str(NOTEBOOKS)}})
    soup = BeautifulSoup(html, "html.parser")
    _sanitise(soup)
    _fill_cover(soup)
    _add_heading_ids(soup)
    _fill_toc(soup)
    _wrap_tables(soup)
    _add_script(soup)
    return soup


def _paged(document: BeautifulSoup) -> str:
    """Turn `document` into its paged version (A4 rules after the screen styles, no embedded downloads)."""
    style = document.new_tag("style", attrs={"type": "text/css"})
    style.string = "\n" + PDF_CSS.read_text(encoding="utf-8") + _page_numbers(document.html.get("lang", "en"))
    document.head.find_all("style")[-1].insert_after("\n", style)
    for element in document.select("script, .screen-only"):  # the script and the embedded downloads serve the screen
        element.decompose()
    for link in document.select("a.edition"):  # the cover's link to another language's edition: its PDF
        link["href"] = link["href"].removesuffix(".html") + ".pdf"
    return str(document)


def _visible_part(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Copy of the notebook without hidden cells, stderr, and code cells left with no output."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.name == "stderr")]
            if not cell.outputs:
                continue
        cells.append(cell)
    nb.cells = cells
    return nb


def _page_numbers(lang: str) -> str:
    """The footer "Page 3 of 15" in the briefing's language: one whole string, its placeholders become counters."""
    from malibrief.briefing.i18n import Language
    from malibrief.params import languages

    t = Language(lang if lang in languages() else "en")
    text = t("Page {page} of {pages}")
    parts = re.split(r"(\{page\}|\{pages\})", text)
    content = " ".join({"{page}": "counter(page)", "{pages}": "counter(pages)"}.get(part, '"' + part.replace('"', '\\"')
                                                                                      + '"') for part in parts if part)
    return f"\n@page {{ @bottom-right {{ content: {content}; }} }}\n"


def _sanitise(soup: BeautifulSoup) -> None:
    """Clean the cover and the body with the allowlist; the page's own head (styles, CSP) is the template's."""
    for part in (soup.select_one("header.cover"), soup.main):
        if part is None:
            continue
        clean = nh3.clean(part.decode_contents(), tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                          attribute_filter=_keep_attribute, filter_style_properties={"width"},
                          link_rel="noopener noreferrer")
        part.clear()
        part.append(BeautifulSoup(clean, "html.parser"))
    cover_title = soup.select_one(".cover-title")
    if soup.title is not None and cover_title is not None:
        soup.title.string = cover_title.get_text(" ", strip=True)


def _keep_attribute(tag: str, name: str, value: str):
    """Images load only from data: (the charts); a link may point anywhere, since it loads nothing until followed."""
    if tag == "img" and name == "src" and not value.strip().lower().startswith("data:image/"):
        return None
    if tag == "a" and name == "href" and value.strip().lower().startswith("data:") \
            and not value.strip().lower().startswith("data:text/csv"):
        return None
    return value


def _add_script(soup: BeautifulSoup) -> None:
    """The page's one script, inline, allowed by its hash in the Content-Security-Policy."""
    code = SCRIPT.read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii")
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    if policy is None:
        policy = soup.new_tag("meta", attrs={"http-equiv": "Content-Security-Policy"})
        soup.head.insert(0, policy)
    policy["content"] = CSP.format(hash=f"sha256-{digest}")
    if soup.select_one("table.events") is None:
        return
    script = soup.new_tag("script")
    script.string = code
    soup.body.append(script)


def _fill_cover(soup: BeautifulSoup) -> None:
    """Without briefing metadata the first h1 becomes the cover title; never show it twice."""
    cover_title, first_h1 = soup.select_one(".cover-title"), soup.main.find("h1")
    if first_h1 is None:
        return
    heading = first_h1.get_text(" ", strip=True)
    if not cover_title.get_text(strip=True):
        cover_title.string = soup.title.string = heading
        first_h1.decompose()
    elif heading.casefold() == cover_title.get_text(" ", strip=True).casefold():
        first_h1.decompose()


def _add_heading_ids(soup: BeautifulSoup) -> None:
    """Give every heading in the body an id from its text (-2, -3 for repeats) and keep old links."""
    headings = soup.main.find_all(re.compile(r"^h[1-6]$"))
    heading_ids = {id(h) for h in headings}
    taken = {t["id"] for t in soup.find_all(id=True) if id(t) not in heading_ids}
    renamed = {}
    for heading in headings:
        text = heading.get_text(" ", strip=True)
        base = slug(text)
        new_id, n = base, 1
        while new_id in taken:
            n += 1
            new_id = f"{base}-{n}"
        taken.add(new_id)
        # Links written for Jupyter ("#Key-figures") or to an output's own id still work.
        for old_id in (heading.get("id"), text.replace(" ", "-")):
            if old_id:
                renamed.setdefault(old_id, new_id)
        heading["id"] = new_id
    for link in soup.main.select('a[href^="#"]'):
        link["href"] = "#" + renamed.get(link["href"][1:], link["href"][1:])


def _fill_toc(soup: BeautifulSoup) -> None:
    """List the h2 headings, with their h3 nested, wherever in the body they come from."""
    nav = soup.select_one("nav.toc")
    top = soup.new_tag("ol")
    current = None
    for heading in soup.main.find_all(["h2", "h3"]):
        item = soup.new_tag("li")
        link = soup.new_tag("a", href="#" + heading["id"])
        link.string = heading.get_text(" ", strip=True)
        item.append(link)
        if heading.name == "h3" and current is not None:
            if current.ol is None:
                current.append(soup.new_tag("ol"))
            current.ol.append(item)
        else:
            top.append(item)
            current = item if heading.name == "h2" else None
    if top.li is None:
        nav.decompose()
    else:
        nav.append(top)


def _wrap_tables(soup: BeautifulSoup) -> None:
    """Let tables scroll on narrow screens; mark wide ones so the PDF can shrink or turn them."""
    for table in soup.main.find_all("table"):
        if table.find_parent("table"):
            continue
        columns = max((sum(_span(cell) for cell in row.find_all(["td", "th"], recursive=False))
                       for row in table.find_all("tr")), default=0)
        classes = ["table-scroll"]
        if columns >= WIDE_TABLE_COLUMNS:
            classes.append("wide")
        if columns >= VERY_WIDE_TABLE_COLUMNS:
            classes.append("x-wide")
        table.wrap(soup.new_tag("div", attrs={"class": " ".join(classes)}))


def _span(cell: Tag) -> int:
    span = str(cell.get("colspan", "1"))
    return int(span) if span.isdigit() else 1


