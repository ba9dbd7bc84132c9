"""A fresh kernel for each notebook, forked by a KernelServer (malibrief.kernel_server) and run by papermill.

A kernel is requested before papermill is imported, so that it starts while papermill loads, and it is
killed as soon as its notebook ends: instead of asking it to exit, which costs the half second an
interpreter holding pandas takes to tear itself down; every file the notebook wrote is closed by then.

    with KernelServer([notebook], cwd) as server, Kernel(server.address, cwd) as kernel:
        papermill.execute_notebook(notebook, out, engine_name=register_engine(), km=kernel.manager, ...)
"""
from __future__ import annotations

import contextlib
import functools
import math
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from malibrief.kernel_server import ForkingProvisioner


class Kernel:
    """A python3 kernel forked now by the server at `server`, working in `cwd`; hand `manager` to papermill."""

    def __init__(self, server: str, cwd: Path):
        # IPC sockets in a private folder: no TCP port is opened, so none can be taken by another process. The
        # folder is inside the server's, which the server removes as it goes, even if this process is killed.
        self._sockets = tempfile.mkdtemp(prefix="kernel-", dir=os.path.dirname(server))
        # The async manager is the one papermill (nbclient) would make; it drives it on this thread's loop.
        self.manager = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=f"{self._sockets}/k",
                                          client_class=f"{__name__}.ReadyClient", kernel_id=str(uuid.uuid4()))
        self.manager.provisioner = ForkingProvisioner(kernel_id=self.manager.kernel_id, server=server,
                                                      kernel_spec=self.manager.kernel_spec, parent=self.manager)
        try:
            # No IPython history database: a build has no use for it, and nothing is left to write at the kill.
            run_sync(self.manager.start_kernel)(cwd=str(cwd), extra_arguments=["--HistoryManager.enabled=False"])
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Kill the kernel (if it is still running) and remove its connection files."""
        if self.manager.has_kernel:
            run_sync(self.manager.shutdown_kernel)(now=True)
        shutil.rmtree(self._sockets, ignore_errors=True)

    def __enter__(self) -> Kernel:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ReadyClient(AsyncKernelClient):
    """jupyter_client's client, except that waiting for a kernel to be ready does not end with 0.2 s of
    listening for IOPub messages to throw away: nbclient ignores IOPub messages that answer none of its
    requests. As jupyter_client does, the kernel is ready once it has answered kernel_info on the shell
    channel and IOPub has carried a message (so no output of the first cell can be missed)."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        while True:
            self.kernel_info()
            with contextlib.suppress(Empty):
                reply = await self.shell_channel.get_msg(timeout=1)
                if reply["msg_type"] == "kernel_info_reply":
                    await self.iopub_channel.get_msg(timeout=0.2)
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


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

    name = "malibrief-forked"
    engines.papermill_engines.register(name, Engine)
    return name
