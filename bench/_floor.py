"""The floor, minus the kernel: both notebooks' code cells run once in one Python process, then one render per output.

    python bench/_floor.py --out DIR --executed BUILD/executed/02-briefing.ipynb --json RESULT.json

The cells run in one IPython InteractiveShell (one namespace, no kernel, no ZMQ): like `exec` of each cell,
plus the display formatting a kernel also does (DataFrame HTML reprs, the last expression of a cell), so
the cells do the same work they do under papermill. Parameters: each notebook's `parameters` cell, then
the values build.py would inject (raw_dir data/raw, out_dir DIR/processed, processed_dir DIR/processed,
figures_dir DIR/figures). Imports are paid once, for both notebooks.

The renders use the executed briefing of a build.py run (same content; this process has no notebook of
its own) with the cover metadata build.py sets, written to DIR/floor.html and DIR/floor.pdf.
Writes {"phases": {name: seconds}, "end_time": time.time()} to --json; the caller takes the
process exit (interpreter finalization) from end_time.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import BRIEFING_NB, CLEAN_NB  # noqa: E402


def code_cells(path: Path, injected: dict) -> list[str]:
    """The notebook's code cells as papermill would run them: parameters, then injected values, then the rest."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    sources = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        sources.append("".join(cell["source"]))
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            sources.append("\n".join(f"{name} = {value!r}" for name, value in injected.items()))
    return sources


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--executed", type=Path, required=True)
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    phases = {}
    t = time.perf_counter()
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # no sqlite history file: nothing to write at exit
    shell = InteractiveShell.instance(config=config)
    phases["import IPython + shell"] = time.perf_counter() - t

    runs = [("clean cells", CLEAN_NB, {"raw_dir": "data/raw", "out_dir": str(out / "processed")}),
            ("briefing cells", BRIEFING_NB, {"processed_dir": str(out / "processed"),
                                             "figures_dir": str(out / "figures")})]
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        for label, path, injected in runs:
            t = time.perf_counter()
            for index, source in enumerate(code_cells(path, injected)):
                result = shell.run_cell(source, store_history=False, silent=False)
                if not result.success:
                    error = result.error_in_exec or result.error_before_exec
                    sys.__stderr__.write(f"{path.name}: code cell {index} failed: {error!r}\n")
                    return 1
            phases[label] = time.perf_counter() - t

    t = time.perf_counter()
    from bench._common import briefing_notebook
    from malibrief.render import render_html, render_pdf

    nb = briefing_notebook(args.executed, out / "processed")
    phases["render: imports + read notebook"] = time.perf_counter() - t
    t = time.perf_counter()
    render_html(nb, out / "floor.html")
    phases["render HTML"] = time.perf_counter() - t
    t = time.perf_counter()
    import weasyprint  # noqa: F401  (render_pdf imports it; timed apart from the rendering itself)
    phases["import weasyprint"] = time.perf_counter() - t
    t = time.perf_counter()
    render_pdf(nb, out / "floor.pdf")
    phases["render PDF"] = time.perf_counter() - t
    args.json.write_text(json.dumps({"phases": phases, "end_time": time.time()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
