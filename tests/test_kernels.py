"""Kernels forked by a KernelServer (malibrief.kernel_server, malibrief.kernels): real kernels run by papermill,
and the batch order."""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from jupyter_core.utils import run_sync

import build
from malibrief.kernel_server import KernelServer, imported_modules
from malibrief.kernels import Kernel, register_engine
from malibrief.text import slug


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _run(path: Path, kernel: Kernel, cwd: Path) -> list[dict]:
    out = path.with_name("out.ipynb")
    pm.execute_notebook(str(path), str(out), kernel_name="python3", progress_bar=False,
                        engine_name=register_engine(), km=kernel.manager, cwd=str(cwd))
    return [c for c in json.loads(out.read_text())["cells"] if c["cell_type"] == "code"]


def _gone(pid: int) -> bool:
    """No such process, or only its exit status is left (a zombie, whoever has to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def test_imported_modules_reads_top_level_imports_in_order(tmp_path):
    path = _notebook(tmp_path / "n.ipynb", "import pandas as pd, os.path\nfrom malibrief import plots, config",
                     "%matplotlib inline\nimport never_read", "from . import local\nif True:\n    import nested",
                     "from fractions import Fraction")
    assert imported_modules(path) == ["pandas", "os.path", "malibrief", "malibrief.plots", "malibrief.config",
                                      "fractions", "fractions.Fraction"]


def test_a_forked_kernel_runs_the_notebook_as_a_fresh_one_and_is_killed(tmp_path):
    # fractions is imported by nothing in a bare kernel; the server imports it before forking the kernel.
    path = _notebook(tmp_path / "n.ipynb",
                     "import os, subprocess, sys\nwarm = 'fractions' in sys.modules\n"
                     "names = sorted(n for n in dir() if not n.startswith('_'))",
                     "import fractions\nprint(warm, names, os.getcwd() == os.environ['EXPECTED_CWD'])",
                     "print(subprocess.run(['false']).returncode)")
    with KernelServer([path], tmp_path) as server:
        os.environ["EXPECTED_CWD"] = str(tmp_path)  # the kernel gets the environment of the process that asks
        try:
            kernel = Kernel(server.address, tmp_path)
        finally:
            del os.environ["EXPECTED_CWD"]
        sockets, pid = Path(kernel._sockets), kernel.manager.provisioner.pid
        with kernel:
            cells = _run(path, kernel, tmp_path)
            assert not kernel.manager.has_kernel  # the engine killed it at the end of the notebook
    assert [c["execution_count"] for c in cells] == [1, 2, 3]
    assert "".join(cells[1]["outputs"][0]["text"]) == ("True ['In', 'Out', 'exit', 'get_ipython', 'open', "
                                                        "'os', 'quit', 'subprocess', 'sys', 'warm'] True\n")
    # Its own subprocesses report their exit status (the server ignores SIGCHLD; its kernels must not).
    assert "".join(cells[2]["outputs"][0]["text"]) == "1\n"
    assert not sockets.exists()
    assert _gone(pid)  # killed and reaped


def test_a_failing_cell_still_kills_the_kernel(tmp_path):
    path = _notebook(tmp_path / "n.ipynb", "raise ValueError('stop')")
    with KernelServer([path], tmp_path) as server, Kernel(server.address, tmp_path) as kernel:
        pid = kernel.manager.provisioner.pid
        with pytest.raises(pm.PapermillExecutionError):
            _run(path, kernel, tmp_path)
        assert not kernel.manager.has_kernel and _gone(pid)


def test_kernels_are_separate_processes_and_die_with_their_server(tmp_path):
    path = _notebook(tmp_path / "n.ipynb", "x = 1")
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(KernelServer([path], tmp_path))
        kernels = [stack.enter_context(Kernel(server.address, tmp_path)) for _ in range(2)]
        for kernel in kernels:
            client = kernel.manager.client()
            client.start_channels()
            run_sync(client.wait_for_ready)(timeout=60)
            client.stop_channels()
        pids = [kernel.manager.provisioner.pid for kernel in kernels]
        assert pids[0] != pids[1] and not any(map(_gone, pids))
        server.close()
        deadline = time.monotonic() + 10
        while not all(map(_gone, pids)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(map(_gone, pids))


def test_a_kernel_that_cannot_start_is_reported_and_the_server_goes_on(tmp_path):
    path = _notebook(tmp_path / "n.ipynb", "x = 1")
    with KernelServer([path], tmp_path) as server:
        with pytest.raises(RuntimeError, match="could not start a kernel.*No such file or directory"):
            Kernel(server.address, tmp_path / "missing")
        with socket.socket(socket.AF_UNIX) as rude:  # a client that hangs up without asking
            rude.connect(server.address)
        with Kernel(server.address, tmp_path) as kernel:
            assert kernel.manager.provisioner.pid > 0


def test_batch_runs_the_largest_briefings_first(tmp_path):
    (tmp_path / "violations.csv").write_text('"admin1"\n"Gao"\n"Mopti"\n"Mopti"\n"Kidal"\n"Mopti"\n"Gao"\n')
    pending = [(slug(r), {"regions": [r]}, None, None) for r in ("Gao", "Kidal", "Mopti", "Ménaka")]
    assert [job[0] for job in build.largest_first(pending, tmp_path, "regions")] == ["mopti", "gao", "kidal",
                                                                                     "menaka"]


def test_slug_keeps_letters_without_their_accents():
    assert [slug(s) for s in ("Ménaka", "Ségou", "Taoudénit", "Tombouctou (Timbuktu)", "…")] == [
        "menaka", "segou", "taoudenit", "tombouctou-timbuktu", "section"]


def test_the_server_quits_when_the_build_that_started_it_is_gone(tmp_path):
    path = _notebook(tmp_path / "n.ipynb", "x = 1")
    script = (f"import os; from malibrief.kernel_server import KernelServer; "
              f"print(KernelServer([{str(path)!r}], {str(tmp_path)!r})._process.pid, flush=True); os._exit(0)")
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as child:
        server_pid = int(child.stdout.readline())  # the server keeps the pipe open: read its one line, not to EOF
        child.wait(timeout=60)
    deadline = time.monotonic() + 20  # it checks for its parent every second, once its imports are done
    while not _gone(server_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(server_pid)
