"""Kernels started ahead of need, so that starting them overlaps other work in a build.

Each kernel serves one notebook and is killed once it has run, like the kernel papermill would start,
only earlier: it boots and imports the modules the notebook imports while build.py is still importing
papermill or running the previous notebook. The imports bind no name and count no execution, so the
notebook meets the namespace and execution counts of a new kernel. Killing it when it is done, instead
of asking it to exit, skips the half second an interpreter holding pandas takes to tear itself down;
every file the notebook wrote is closed by then.

    with Kernel(notebook, cwd) as kernel:
        papermill.execute_notebook(notebook, out, engine_name=ENGINE, km=kernel.manager, ...)
"""
from __future__ import annotations

import ast
import functools
import json
import shutil
import tempfile
from pathlib import Path

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

ENGINE = "malibrief-prestarted"  # papermill engine name, registered by register_engine()

WARM_UP = """\
def _warm_up(names):
    import importlib
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:  # not a module (e.g. a class imported by name): the notebook will say if it is missing
            pass
_warm_up({names!r})
del _warm_up
"""


def imported_modules(notebook: Path) -> list[str]:
    """Modules named by the notebook's top-level import statements, in order, with `from m import x`
    as both m and m.x (x may be a submodule)."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    names = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        try:
            body = ast.parse("".join(cell["source"])).body
        except SyntaxError:  # IPython syntax (magics): such a cell is left to the notebook
            continue
        for node in body:
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return list(dict.fromkeys(names))


class Kernel:
    """A python3 kernel started now for `notebook`, importing its modules; hand `manager` to papermill."""

    def __init__(self, notebook: Path, cwd: Path):
        # IPC sockets in a private folder: no TCP port is opened, so none can be taken by another process.
        self._sockets = tempfile.mkdtemp(prefix="malibrief-kernel-")
        # The async manager is the one papermill (nbclient) would make; it drives it on this thread's loop.
        self.manager = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=f"{self._sockets}/k")
        self._client = None
        try:
            # No IPython history database: a build has no use for it, and nothing is left to write at the kill.
            run_sync(self.manager.start_kernel)(cwd=str(cwd), extra_arguments=["--HistoryManager.enabled=False"])
            self._client = BlockingKernelClient()
            self._client.load_connection_info(self.manager.get_connection_info())
            self._client.start_channels(iopub=False, stdin=False, hb=False, control=False)
            # Queued until the kernel is up; the kernel answers papermill's first request after it.
            self._client.execute(WARM_UP.format(names=imported_modules(notebook)), silent=True, store_history=False)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Kill the kernel (if it is still running) and remove its connection files."""
        if self._client is not None:
            self._client.stop_channels()
            self._client = None
        if self.manager.has_kernel:
            run_sync(self.manager.shutdown_kernel)(now=True)
        shutil.rmtree(self._sockets, ignore_errors=True)

    def __enter__(self) -> Kernel:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@functools.cache
def register_engine() -> str:
    """Register, once, the papermill engine that runs a notebook on a Kernel's manager and kills the
    kernel at the end; returns its name. (papermill's own engine leaves a kernel it did not start
    running, with its client's sockets and threads.)"""
    from papermill import engines
    from papermill.clientwrap import PapermillNotebookClient

    class Client(PapermillNotebookClient):
        def setup_kernel(self, **kwargs):
            return super().setup_kernel(cleanup_kc=True, **kwargs)

    class Engine(engines.NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            kwargs.pop("input_path", None)
            return Client(nb_man, kernel_name=kernel_name, log=engines.logger, log_output=log_output,
                          stdout_file=stdout_file, stderr_file=stderr_file, startup_timeout=start_timeout,
                          timeout=execution_timeout, shutdown_kernel="immediate", **kwargs).execute()

    engines.papermill_engines.register(ENGINE, Engine)
    return ENGINE
