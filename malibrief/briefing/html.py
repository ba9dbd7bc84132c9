"""Render the executed briefing notebook to a self-contained HTML page and an A4 PDF.

Both come from one HTML document made with the project's nbconvert template
(templates/briefing) and then cleaned with BeautifulSoup, so that nothing in it can run
or fetch anything: the briefing has to open offline and be safe to pass around.
"""
from __future__ import annotations

import copy
import functools
import logging
import re
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup, Tag
from nbconvert import HTMLExporter
from traitlets.config import Config

from malibrief.briefing.i18n import Language
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
# Elements that run code or load something, whatever their attributes say.
ACTIVE_ELEMENTS = ["script", "noscript", "iframe", "frame", "frameset", "object", "embed",
                   "applet", "link", "base", "meta[http-equiv]"]
URL_ATTRIBUTES = {"href", "xlink:href", "src", "srcset", "poster", "background", "action",
                  "formaction", "ping"}
CSS_IMPORT = re.compile(r"@import[^;]*;?", re.I)
CSS_REMOTE_URL = re.compile(r"url\(\s*(?!['\"]?\s*data:)[^)]*\)", re.I)
# The cover's links to the same briefing in another language, in the batch folder beside this one (--each lang).
EDITION_LINK = re.compile(r"^\.\./[a-z0-9-]+/briefing\.html$")
PAGE_NUMBER = '"Page " counter(page) " of " counter(pages)'  # as pdf.css writes it, in English
# From these column counts a table is set smaller in the PDF, then on a landscape page.
WIDE_TABLE_COLUMNS, VERY_WIDE_TABLE_COLUMNS = 6, 16


def render_html(nb: nbformat.NotebookNode, out_path: Path) -> Path:
    """Write the briefing as one HTML file with everything it needs inlined."""
    return _write_html(_document(nb), Path(out_path))


def render_pdf(nb: nbformat.NotebookNode, out_path: Path) -> Path:
    """Write the briefing as an A4 PDF: cover, contents with page numbers, numbered pages."""
    return _write_pdf(_document(nb), Path(out_path))


def render_briefing(nb: nbformat.NotebookNode, html_path: Path, pdf_path: Path) -> None:
    """Write both, from one export of the notebook: the HTML, then the same document with the A4 rules as PDF."""
    document = _document(nb)
    _write_html(document, Path(html_path))
    _write_pdf(document, Path(pdf_path))


def _write_html(document: BeautifulSoup, out_path: Path) -> Path:
    html = str(document).encode("utf-8")
    return atomic_write(out_path, lambda f: f.write(html))


def _write_pdf(document: BeautifulSoup, out_path: Path) -> Path:
    """Lay out the paged version of `document` (changing it) with WeasyPrint and write it as PDF."""
    return atomic_write(out_path, _laid_out(document).write_pdf)


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
    _make_inert(soup)
    _fill_cover(soup)
    _add_heading_ids(soup)
    _fill_toc(soup)
    _wrap_tables(soup)
    return soup


def _paged(document: BeautifulSoup) -> str:
    """Turn `document` into its paged version (A4 rules after the screen styles, no embedded downloads)."""
    style = document.new_tag("style", attrs={"type": "text/css"})
    language = Language(document.html.get("lang", "en") if document.html else "en")
    css = PDF_CSS.read_text(encoding="utf-8").replace(PAGE_NUMBER, _page_number(language))
    style.string = "\n" + _inert_css(css)
    document.head.find_all("style")[-1].insert_after("\n", style)
    _drop_embedded_downloads(document)
    for link in document.select("a.edition"):  # the PDF links to the other edition's PDF
        link["href"] = link["href"].removesuffix(".html") + ".pdf"
    return str(document)


def _page_number(t: Language) -> str:
    """The page footer's CSS content in the briefing's language: "Page " counter(page) " of " counter(pages)."""
    words = re.split(r"(\{page\}|\{pages\})", t("Page {page} of {pages}"))
    css = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    return " ".join(css.get(w) or '"' + w.replace("\\", "\\\\").replace('"', '\\"') + '"' for w in words if w)


def _drop_embedded_downloads(soup: BeautifulSoup) -> None:
    """Data files embedded as download links serve the HTML reader; on paper they would only bloat the PDF."""
    for link in soup.select('a[href^="data:"]'):
        note = soup.new_tag("span")
        note.string = f"{link.get_text(strip=True)} (embedded in the HTML briefing)"
        link.replace_with(note)


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


def _make_inert(soup: BeautifulSoup) -> None:
    """Remove everything that could execute or reach the network; keep links' text readable."""
    for element in soup.select(", ".join(ACTIVE_ELEMENTS)):
        element.decompose()
    for style in soup.find_all("style"):
        style.string = _inert_css(style.get_text())
    for tag in soup.find_all(True):
        for name in list(tag.attrs):
            if name not in tag.attrs:  # an earlier attribute turned the tag into text
                continue
            if name.startswith("on"):
                del tag[name]
            elif name == "style":
                tag[name] = CSS_REMOTE_URL.sub("none", tag[name])
            elif tag.name == "a" and name == "href" and tag[name].strip().lower().startswith("https://"):
                tag["rel"] = "noopener noreferrer"  # a link loads nothing until the reader follows it
            elif name in URL_ATTRIBUTES and not _is_local(tag[name]) and not _is_edition_link(tag, name):
                _drop_url(soup, tag, name)


def _inert_css(css: str) -> str:
    return CSS_REMOTE_URL.sub("none", CSS_IMPORT.sub("", css))


def _is_edition_link(tag: Tag, name: str) -> bool:
    """The template's link to another language's edition: a relative link that loads nothing by itself."""
    return tag.name == "a" and name == "href" and "edition" in tag.get("class", []) and bool(EDITION_LINK.match(tag[name]))


def _is_local(url: str) -> bool:
    return url.strip().lower().startswith(("#", "data:"))


def _drop_url(soup: BeautifulSoup, tag: Tag, name: str) -> None:
    """Outside links become text plus the address; outside images become their alt text."""
    if tag.name == "a" and name == "href":
        url, text = tag["href"].strip(), tag.get_text(" ", strip=True)
        if url and url != text:
            note = soup.new_tag("span", attrs={"class": "link-url"})
            note.string = f" ({url})"
            tag.append(note)
        tag.name, tag.attrs = "span", {"class": "link"}
    elif tag.name == "img" and name == "src":
        alt = tag.get("alt") or "not embedded"
        tag.name, tag.attrs = "span", {"class": "missing-image"}
        tag.string = f"[image: {alt}]"
    else:
        del tag[name]


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
    taken = {tag["id"] for tag in soup.find_all(id=True) if id(tag) not in heading_ids}
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


