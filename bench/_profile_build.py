"""Run build.py's main() in this process with timers around its phases; write the breakdown as JSON.

    python bench/_profile_build.py --json RESULT.json -- --force --quiet --out DIR -p raw_dir data/raw

Same work as `python build.py ...`, only reordered so that the phases do not overlap: the heavy parent
imports (papermill, nbformat, nbconvert via malibrief.render, WeasyPrint) are done and timed first, then
main() runs with wrappers (time.perf_counter, no sampling) around
  - the kernel server's launch (malibrief.kernel_server.KernelServer: its imports go on in its own process),
  - each kernel's request to the server (malibrief.kernels.Kernel: fork, answered once the server has imported
    the modules of the notebooks up to this one),
  - nbclient's kernel start (start_new_kernel_client: until the forked kernel answers),
  - each cell's execution (NotebookClient.execute_cell: the parent's wait for the kernel),
  - papermill's notebook writes (NotebookExecutionManager.save),
  - the kernel shutdown (NotebookClient._cleanup_kernel),
  - malibrief.render: the export (nbconvert + BeautifulSoup, once for both outputs), the HTML write, the paged
    version for the PDF, WeasyPrint's HTML.render (layout) and Document.write_pdf.
Also records each executed notebook's per-cell durations from cell.metadata.papermill.
"""
from __future__ import annotations

import argparse
import functools
import json
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

T_START = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

phases: dict[str, float] = defaultdict(float)
state = {"notebook": "?"}


def timed_import(label: str, statement: str) -> None:
    t = time.perf_counter()
    exec(statement, {})
    phases[f"import {label}"] += time.perf_counter() - t


WARM_UP = "renderers' warm-up"  # on build.py's preload thread, while the kernel runs the briefing's cells
PRELOAD_THREAD = "preload-renderer"


def wrap(owner, name: str, label, nested_ok: bool = True) -> None:
    """Replace owner.name by a wrapper adding its wall time to phases[label()] (label may read state).
    What the warm-up does on the preload thread counts as the warm-up only, not as the render's steps."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        if label != WARM_UP and threading.current_thread().name == PRELOAD_THREAD:
            return original(*args, **kwargs)
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            phases[label(args, kwargs) if callable(label) else label] += time.perf_counter() - t

    setattr(owner, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("build_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    build_args = [a for a in args.build_args if a != "--"]

    timed_import("build.py (yaml, malibrief.params)", "import build")
    timed_import("papermill", "import papermill")
    timed_import("nbformat", "import nbformat")
    timed_import("malibrief.render (nbconvert, bs4)", "import malibrief.render")
    timed_import("weasyprint", "import weasyprint")

    import weasyprint
    from nbclient import NotebookClient
    from papermill.engines import NotebookExecutionManager

    import build
    import malibrief.render as render

    def nb_label(kind):
        return lambda a, k: f"{state['notebook']}: {kind}"

    original_execute = build.execute

    def execute(source, target, parameters, quiet, server):
        state["notebook"] = "clean" if source.name == build.CLEAN_NB.name else "briefing"
        t = time.perf_counter()
        try:
            return original_execute(source, target, parameters, quiet, server)
        finally:
            phases[f"{state['notebook']}: papermill total"] += time.perf_counter() - t

    build.execute = execute
    import malibrief.kernel_server
    import malibrief.kernels
    wrap(malibrief.kernel_server.KernelServer, "__init__", "kernel server launched")
    wrap(malibrief.kernels.Kernel, "__init__", nb_label("kernel forked"))
    wrap(NotebookClient, "start_new_kernel", nb_label("kernel start"))
    wrap(NotebookClient, "start_new_kernel_client", nb_label("kernel start"))
    wrap(NotebookClient, "execute_cell", nb_label("cells"))
    wrap(NotebookClient, "_cleanup_kernel", nb_label("kernel shutdown"))
    wrap(NotebookExecutionManager, "save", nb_label("notebook writes"))
    wrap(render, "warm_up", WARM_UP)
    wrap(render, "render_briefing", "render total")
    wrap(render, "_document", "render: export (nbconvert + bs4, once for both)")
    wrap(render, "_write_html", "HTML: write")
    wrap(render, "_paged", "PDF: paged version (A4 rules)")
    wrap(weasyprint.HTML, "render", "PDF: WeasyPrint layout (HTML.render)")
    wrap(weasyprint.document.Document, "write_pdf", "PDF: WeasyPrint write_pdf")

    t = time.perf_counter()
    status = build.main(build_args)
    phases["build.main total"] = time.perf_counter() - t
    phases["in-process total"] = time.perf_counter() - T_START
    if status != 0:
        return status

    out = Path(build_args[build_args.index("--out") + 1]).resolve()
    cells = []
    for label, name in (("clean", build.CLEAN_NB.name), ("briefing", build.BRIEFING_NB.name)):
        nb = json.loads((out / "executed" / name).read_text(encoding="utf-8"))
        meta = nb["metadata"].get("papermill", {})
        phases[f"{label}: papermill metadata duration"] = meta.get("duration") or 0.0
        for index, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                source = "".join(cell["source"]).strip()
                first = next((line for line in source.splitlines()
                              if line.strip() and not line.startswith(("import ", "from "))), source[:60])
                cells.append({"notebook": label, "index": index, "first_line": first[:70],
                              "duration": cell["metadata"].get("papermill", {}).get("duration") or 0.0})
    args.json.write_text(json.dumps({"phases": dict(phases), "cells": cells, "end_time": time.time()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
