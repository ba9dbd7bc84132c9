"""cProfile of one PDF render (malibrief.render.render_pdf) of an executed briefing; JSON summary.

    python bench/_cprofile_pdf.py EXECUTED.ipynb PROCESSED_DIR OUT.pdf RESULT.json

Imports are done before profiling. Own time (tottime) is summed per library part, which splits the
profiled total exactly; a few cumulative times name the expensive steps. cProfile slows Python-heavy
code several times over, so read the shares, not the seconds.
"""
import cProfile
import json
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import weasyprint  # noqa: E402,F401

from bench._common import briefing_notebook  # noqa: E402
from malibrief.render import render_pdf  # noqa: E402

GROUPS = [  # first match wins: (label, substring of the file path)
    ("WeasyPrint: SVG images", "weasyprint/svg/"),
    ("WeasyPrint: text shaping and line breaks", "weasyprint/text/"),
    ("WeasyPrint: layout", "weasyprint/layout/"),
    ("WeasyPrint: CSS", "weasyprint/css/"),
    ("WeasyPrint: drawing", "weasyprint/draw/"),
    ("WeasyPrint: PDF output", "weasyprint/pdf/"),
    ("WeasyPrint: other", "weasyprint/"),
    ("pydyf (PDF objects)", "pydyf/"),
    ("cffi (Pango/HarfBuzz calls)", "cffi/"),
    ("tinycss2 / cssselect2 / html5lib", "tinycss2/"),
    ("tinycss2 / cssselect2 / html5lib", "cssselect2/"),
    ("tinycss2 / cssselect2 / html5lib", "html5lib/"),
    ("nbconvert + jinja2 + mistune", "nbconvert/"),
    ("nbconvert + jinja2 + mistune", "jinja2/"),
    ("nbconvert + jinja2 + mistune", "mistune/"),
    ("BeautifulSoup", "bs4/"),
    ("malibrief.render", "malibrief/"),
]
CUMULATIVE = {  # label: (file suffix, function name)
    "SVG image drawing (svg draw)": ("weasyprint/svg/__init__.py", "draw"),
    "page layout (layout_document)": ("weasyprint/layout/__init__.py", "layout_document"),
    "table layout (table_layout)": ("weasyprint/layout/table.py", "table_layout"),
    "line breaking (split_first_line)": ("weasyprint/text/line_break.py", "split_first_line"),
    "write_pdf (drawing + PDF output)": ("weasyprint/document.py", "write_pdf"),
    "HTML export (nbconvert + bs4)": ("malibrief/render.py", "_document"),
}


def main() -> int:
    executed, processed, out_pdf, result = (Path(a) for a in sys.argv[1:5])
    nb = briefing_notebook(executed, processed)
    profile = cProfile.Profile()
    profile.enable()
    render_pdf(nb, out_pdf)
    profile.disable()
    stats = pstats.Stats(profile).stats  # (file, line, name) -> (cc, nc, tottime, cumtime, callers)
    groups, total = {}, 0.0
    for (file, _line, _name), (_cc, _nc, tottime, _cum, _callers) in stats.items():
        total += tottime
        label = next((g for g, part in GROUPS if part in file.replace("\\", "/")), "other (stdlib, builtins)")
        groups[label] = groups.get(label, 0.0) + tottime
    cumulative = {}
    for label, (suffix, name) in CUMULATIVE.items():
        cumulative[label] = max((cum for (file, _l, fn), (_cc, _nc, _tt, cum, _c) in stats.items()
                                 if fn == name and file.replace("\\", "/").endswith(suffix)), default=0.0)
    Path(result).write_text(json.dumps({"total": total, "groups": groups, "cumulative": cumulative}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
