"""Kernels started ahead of need (malibrief.kernels): a real kernel and papermill run, and the batch order."""
from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import papermill as pm
import pytest

import build
from malibrief.kernels import Kernel, imported_modules, register_engine
from malibrief.text import slug


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_imported_modules_reads_top_level_imports_in_order(tmp_path):
    path = _notebook(tmp_path / "n.ipynb", "import pandas as pd, os.path\nfrom malibrief import plots, config",
                     "%matplotlib inline\nimport never_read", "from . import local\nif True:\n    import nested",
                     "from fractions import Fraction")
    assert imported_modules(path) == ["pandas", "os.path", "malibrief", "malibrief.plots", "malibrief.config",
                                      "fractions", "fractions.Fraction"]


def test_a_started_kernel_runs_the_notebook_as_a_fresh_one_and_is_killed(tmp_path):
    # fractions is imported by nothing in a bare kernel; the warm-up imports it before the first cell runs.
    path = _notebook(tmp_path / "n.ipynb",
                     "import sys\nwarm = 'fractions' in sys.modules\nnames = sorted(n for n in dir() if not n.startswith('_'))",
                     "import fractions\nprint(warm, names, '_warm_up' in dir())")
    kernel = Kernel(path, tmp_path)
    sockets, pid = Path(kernel._sockets), kernel.manager.provisioner.pid
    with kernel:
        pm.execute_notebook(str(path), str(tmp_path / "out.ipynb"), kernel_name="python3", progress_bar=False,
                            engine_name=register_engine(), km=kernel.manager, cwd=str(tmp_path))
        assert not kernel.manager.has_kernel  # papermill's engine killed it at the end of the notebook
    out = json.loads((tmp_path / "out.ipynb").read_text())
    cells = [c for c in out["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in cells] == [1, 2]
    printed = "".join(cells[1]["outputs"][0]["text"])
    assert printed == "True ['In', 'Out', 'exit', 'get_ipython', 'open', 'quit', 'sys', 'warm'] False\n"
    assert not sockets.exists()
    with pytest.raises(ProcessLookupError):  # gone, and reaped
        os.kill(pid, 0)


def test_a_failing_cell_still_kills_the_kernel(tmp_path):
    path = _notebook(tmp_path / "n.ipynb", "raise ValueError('stop')")
    with Kernel(path, tmp_path) as kernel:
        with pytest.raises(pm.PapermillExecutionError):
            pm.execute_notebook(str(path), str(tmp_path / "out.ipynb"), kernel_name="python3", progress_bar=False,
                                engine_name=register_engine(), km=kernel.manager, cwd=str(tmp_path))
        assert not kernel.manager.has_kernel


def test_batch_runs_the_largest_briefings_first(tmp_path):
    (tmp_path / "violations.csv").write_text('"admin1"\n"Gao"\n"Mopti"\n"Mopti"\n"Kidal"\n"Mopti"\n"Gao"\n')
    pending = [(slug(r), {"regions": [r]}, None, None) for r in ("Gao", "Kidal", "Mopti", "Ménaka")]
    assert [job[0] for job in build.largest_first(pending, tmp_path, "regions")] == ["mopti", "gao", "kidal",
                                                                                     "menaka"]


def test_slug_keeps_letters_without_their_accents():
    assert [slug(s) for s in ("Ménaka", "Ségou", "Taoudénit", "Tombouctou (Timbuktu)", "…")] == [
        "menaka", "segou", "taoudenit", "tombouctou-timbuktu", "section"]
