"""Kernels forked by a KernelServer (malibrief.kernel_server, malibrief.kernels): real kernels run by papermill,
and the batch order."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import papermill as pm
import pytest

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
                     "import os, signal, sys\nwarm = 'fractions' in sys.modules\n"
                     "names = sorted(n for n in dir() if not n.startswith('_'))",
                     "import fractions\nprint(warm, names, os.getcwd() == os.environ['EXPECTED_CWD'])",
                     "print(signal.getsignal(signal.SIGCHLD) == signal.SIG_DFL, os.getppid() != os.getpid())")
    os.environ["EXPECTED_CWD"] = str(tmp_path)  # the kernel gets the environment of the process that asks for it
    try:
        with KernelServer([path]) as server:
            kernel = Kernel(server.address, tmp_path)
            sockets, pid = Path(kernel._sockets), kernel.manager.provisioner.pid
            with kernel:
                cells = _run(path, kernel, tmp_path)
                assert not kernel.manager.has_kernel  # the engine killed it at the end of the notebook
    finally:
        del os.environ["EXPECTED_CWD"]
    assert [c["execution_count"] for c in cells] == [1, 2, 3]
    assert "".join(cells[1]["outputs"][0]["text"]) == ("True ['In', 'Out', 'exit', 'get_ipython', 'open', 'os', 'quit', 'signal', 'sys', "
                                                          "'warm'] True\n")
    assert "".join(cells[2]["outputs"][0]["text"]) == "True True\n"  # its own subprocesses can be waited for
    assert not sockets.exists()
    assert _gone(pid)  # killed and reaped


def test_a_failing_cell_still_kills_the_kernel(tmp_path):
    path = _notebook(tmp_path / "n.ipynb", "raise ValueError('stop')")
    with KernelServer([path]) as server, Kernel(server.address, tmp_path) as kernel:
        pid = kernel.manager.provisioner.pid
        with pytest.raises(pm.PapermillExecutionError):
            _run(path, kernel, tmp_path)
        assert not kernel.manager.has_kernel and _gone(pid)


def test_kernels_are_separate_processes_and_quit_with_their_server(tmp_path):
    path = _notebook(tmp_path / "n.ipynb", "x = 1")
    server = KernelServer([path])
    try:
        first, second = Kernel(server.address, tmp_path), Kernel(server.address, tmp_path)
        pids = [first.manager.provisioner.pid, second.manager.provisioner.pid]
        assert pids[0] != pids[1] and not any(map(_gone, pids))
    finally:
        server.close()
    deadline = time.monotonic() + 10  # ipykernel checks for its parent every second
    while not all(map(_gone, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(map(_gone, pids))
    first.close()
    second.close()


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
              f"print(KernelServer([{str(path)!r}])._process.pid, flush=True); os._exit(0)")
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as child:
        server_pid = int(child.stdout.readline())  # the server keeps the pipe open: read its one line, not to EOF
        child.wait(timeout=60)
    deadline = time.monotonic() + 20  # it checks for its parent every second, once its imports are done
    while not _gone(server_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(server_pid)
