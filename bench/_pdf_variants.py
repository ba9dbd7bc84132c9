"""What the PDF render's time depends on: the same briefing rendered with render_pdf in a few variants.

    python bench/_pdf_variants.py EXECUTED.ipynb PROCESSED_DIR FIGURES_DIR OUT_DIR RESULT.json

Variants, in this order, in one process (weasyprint imported first, untimed):
  first render   the full briefing, the first render in the process (what build.py always pays)
  full           the same again, now that fonts and WeasyPrint's caches are loaded
  charts as PNG  each chart's SVG data URI replaced by the 200 dpi PNG plots.show already saves
  no sources     without the outputs of the sources cell (source list and every-event table)
Each entry: seconds, pages, bytes of the PDF. The variants are experiments, not proposals as such.
"""
import base64
import copy
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import weasyprint  # noqa: E402,F401
from pypdf import PdfReader  # noqa: E402

from bench._common import briefing_notebook  # noqa: E402
from malibrief.render import render_pdf  # noqa: E402

SVG_URI = re.compile(r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+")


def charts_as_png(nb, figures: Path):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if html and "data:image/svg+xml" in html:
                name = re.search(r'id="fig-([^"]+)"', html).group(1)
                png = base64.b64encode((figures / f"{name}.png").read_bytes()).decode("ascii")
                output["data"]["text/html"] = SVG_URI.sub(lambda _: "data:image/png;base64," + png, html)
    return nb


def without_sources(nb):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code" and "sources_html" in cell.source:
            cell.outputs = []
    return nb


def main() -> int:
    executed, processed, figures, out, result = (Path(a) for a in sys.argv[1:6])
    out.mkdir(parents=True, exist_ok=True)
    nb = briefing_notebook(executed, processed)
    variants = [("first render", nb), ("full", nb), ("charts as PNG", charts_as_png(nb, figures)),
                ("no sources", without_sources(nb))]
    found = {}
    for index, (label, notebook) in enumerate(variants):
        path = out / f"variant-{index}.pdf"
        t = time.perf_counter()
        render_pdf(notebook, path)
        seconds = time.perf_counter() - t
        found[label] = {"seconds": seconds, "pages": len(PdfReader(str(path)).pages), "bytes": path.stat().st_size}
    result.write_text(json.dumps(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
