"""The build's rules that need no notebook run: run by hand the notebooks write under build/, only the default
build writes the committed data/processed and figures/, --out never lands in the hand-made inputs, the cache
notices outputs changed by hand and survives a corrupt file, and the code runs on public, portable APIs only."""
from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys

import pytest

from malibrief import config
from malibrief.notebook import notebook_imports, notebook_parameters
from malibrief.params import ParameterError
from malibrief.pipeline import cli, plan
from malibrief.pipeline.cache import Cache

ROOT = config.ROOT


def test_notebooks_run_by_hand_write_under_build():
    assert notebook_parameters(plan.CLEAN_NB)["out_dir"][0].startswith("build/")
    assert notebook_parameters(plan.ACLED_NB)["out_dir"][0].startswith("build/")
    briefing = notebook_parameters(plan.BRIEFING_NB)
    assert briefing["figures_dir"][0].startswith("build/")
    assert briefing["processed_dir"][0] == "data/processed"  # it reads the committed tables by default


def test_only_the_default_build_writes_the_committed_folders(tmp_path):
    _, clean, runs = plan.plan({}, plan.DEFAULT_OUT, None)  # python build.py
    assert clean["out_dir"] == "data/processed" and runs[0][1]["figures_dir"] == "figures"
    _, clean, runs = plan.plan({}, tmp_path, None)  # the same into another --out
    assert clean["out_dir"] == str(tmp_path / "processed")
    assert runs[0][1]["figures_dir"] == str(tmp_path / "briefing" / "figures")
    _, clean, runs = plan.plan({"regions": ["Mopti"]}, tmp_path, None)  # a briefing parameter is enough
    assert clean["out_dir"] == str(tmp_path / "processed")
    assert runs[0][1]["figures_dir"] == str(tmp_path / "briefing" / "figures")
    assert runs[0][1]["processed_dir"] == str(tmp_path / "processed")
    _, clean, runs = plan.plan({"raw_dir": "data/raw"}, tmp_path, None)
    assert clean["out_dir"] == str(tmp_path / "processed")
    _, clean, runs = plan.plan({}, tmp_path, "violations")
    assert clean["out_dir"] == str(tmp_path / "processed")
    assert all(p["figures_dir"] == str(tmp_path / name / "figures") for name, p in runs)


@pytest.mark.parametrize("out", [config.RAW, config.REFERENCE, config.RAW / "sub", config.REFERENCE / "a" / "b"])
def test_out_may_not_be_a_folder_of_hand_made_inputs(out, capsys):
    with pytest.raises(ParameterError, match="hand-made inputs"):
        plan.check_out(out)
    assert cli.main(["--out", str(out), "-q"]) == 2
    assert "which holds hand-made inputs" in capsys.readouterr().err
    assert not (out / ".lock").exists()


def test_out_may_be_any_other_folder(tmp_path):
    plan.check_out(tmp_path)
    plan.check_out(config.DATA / "raw-copy")


def test_a_corrupt_cache_file_is_ignored_with_a_warning(tmp_path, capsys):
    (tmp_path / ".cache").mkdir()
    for text in ("{not json", "[1, 2]", '{"clean": 3}', "\xff"):
        (tmp_path / ".cache" / "steps.json").write_text(text, encoding="latin-1")
        assert Cache(tmp_path, force=False).entries == {}
        assert "cannot be read; every step runs again" in capsys.readouterr().err


def test_an_output_changed_by_hand_makes_its_step_run_again(tmp_path):
    (tmp_path / "processed").mkdir()
    table, notebook = tmp_path / "processed" / "events.csv", tmp_path / "executed.ipynb"
    table.write_text("a\n1\n")
    notebook.write_text("{}")
    cache = Cache(tmp_path, force=False)
    cache.store("clean", "key", [notebook, tmp_path / "processed"])
    assert Cache(tmp_path, force=False).fresh("clean", "key", [notebook, tmp_path / "processed"])
    table.write_text("a\n2\n")
    assert not Cache(tmp_path, force=False).fresh("clean", "key", [notebook, tmp_path / "processed"])
    table.write_text("a\n1\n")
    (tmp_path / "processed" / "extra.csv").write_text("x\n")  # a file added by hand counts too
    assert not Cache(tmp_path, force=False).fresh("clean", "key", [notebook, tmp_path / "processed"])


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed (Windows: see the README)")
def test_make_lab_opens_at_the_project_root_and_allows_root_only_when_asked():
    def lab(*args):
        done = subprocess.run(["make", "-n", "-o", ".venv/.lab", "lab", *args], cwd=ROOT, capture_output=True,
                              text=True)
        return next(line for line in done.stdout.splitlines() if "jupyter lab" in line)

    assert "--notebook-dir=." in lab() and "--allow-root" not in lab()
    assert "--allow-root" in lab("ALLOW_ROOT=1")


# ---------------------------------------------------------------- public, portable APIs only

PRIVATE = re.compile(r"\b(jupyter_client|papermill|nbclient)((\.\w+)*)\._\w")


def python_files():
    return [ROOT / "build.py", *sorted((ROOT / "malibrief").rglob("*.py")), *sorted((ROOT / "bench").glob("*.py"))]


def test_no_private_jupyter_client_or_papermill_name_is_used():
    found = []
    for path in python_files():
        source = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {m.group(0)}" for m in PRIVATE.finditer(source)]
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
                    "jupyter_client", "papermill", "nbclient"):
                parts = node.module.split(".") + [alias.name for alias in node.names]
                found += [f"{path.name}: from {node.module} import {p}" for p in parts if p.startswith("_")]
    assert found == []


def test_no_fork_pidfd_or_prctl_in_the_build():
    """The fork server's calls are gone. gc.freeze, which froze its warmed-up heap before each fork, is allowed
    again at one place with another use: a build's exit (pipeline.run.skip_final_collection)."""
    for path in python_files():
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"os\.fork\b|pidfd|prctl|forkserver", source), path
        assert source.count("gc.freeze") == (1 if path == ROOT / "malibrief" / "pipeline" / "run.py" else 0), path


WRAPPER = """
import os, signal, sys
for module, name in ((os, "fork"), (os, "pidfd_open"), (signal, "pidfd_send_signal")):
    if hasattr(module, name):
        delattr(module, name)
from malibrief.pipeline.cli import run
run()  # as build.py does
"""


@pytest.mark.slow
def test_a_build_succeeds_without_fork_and_pidfd(tmp_path):
    """As on Windows or macOS: os.fork, os.pidfd_open and signal.pidfd_send_signal removed from the process that
    runs build.py; a batch of two also goes through the spawn process pool."""
    result = subprocess.run([sys.executable, "-c", WRAPPER, "-p", "raw_dir", "data/raw", "--out", str(tmp_path),
                             "--each", "regions", "-p", "regions", "[Mopti, Gao]", "-j", "2", "-q"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    for name in ("mopti", "gao"):
        assert (tmp_path / name / "briefing.pdf").stat().st_size > 0
    assert (tmp_path / "index.html").exists()


# ---------------------------------------------------------------- kernels started ahead

def test_a_kernel_started_ahead_runs_the_notebooks_own_imports_then_deletes_their_names(tmp_path):
    def cell(source, tags=()):
        return {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": source, "outputs": [],
                "execution_count": None}

    notebook = tmp_path / "n.ipynb"
    notebook.write_text(json.dumps({"cells": [
        cell("import os  # a parameter cell's code is the parameters' business\nx = 1\n", ["parameters"]),
        cell("import pandas as pd\nfrom a.b import c, d as e\nimport x.y\nfrom z import *\nif x:\n    import w\n"),
        cell("%matplotlib inline\nimport q\n"),  # IPython syntax: left to the cell itself
        {"cell_type": "markdown", "metadata": {}, "source": "import m"}]}), encoding="utf-8")
    assert notebook_imports(notebook) == "import pandas as pd; from a.b import c, d as e; import x.y; del pd, c, e, x"
    notebook.write_text(json.dumps({"cells": [cell("x = 1\n")]}), encoding="utf-8")
    assert notebook_imports(notebook) == ""


@pytest.mark.slow
def test_a_kernel_started_ahead_has_the_notebooks_modules_and_none_of_its_names():
    from jupyter_core.utils import run_sync

    from malibrief.pipeline.run import start_kernel, stop_kernel

    kernel = start_kernel(plan.BRIEFING_NB)
    names = notebook_imports(plan.BRIEFING_NB).rsplit("; del ", 1)[1].split(", ")
    printed = []
    try:
        client = kernel.client()
        client.start_channels()
        run_sync(client.wait_for_ready)(timeout=60)
        code = f"import sys; print(sorted(set(dir()) & {set(names)!r}), 'malibrief.briefing.plots' in sys.modules)"
        reply = run_sync(client.execute_interactive)(
            code, output_hook=lambda msg: printed.append(msg["content"].get("text", "")), timeout=60)
        client.stop_channels()
    finally:
        stop_kernel(kernel)
    assert reply["content"]["status"] == "ok"
    assert "".join(printed).strip() == "[] True"
