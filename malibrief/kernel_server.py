"""Kernels forked from one process that has already imported what the notebooks import.

A batch of briefings needs one kernel per briefing, and each new kernel spends about a second of CPU
booting Python, ipykernel, pandas, matplotlib and malibrief before its first cell. The server pays that
once: it imports them, then forks a kernel for each request. A forked kernel is a new process with a
fresh IPython shell, namespace and execution count, like any kernel jupyter_client starts; only the
modules it would have imported are already in memory, shared with the server until written to.

    with KernelServer([notebook]) as server:  # in the build process
        Kernel(server.address, cwd)             # anywhere, e.g. in a worker process

The server itself runs `serve()`, with no thread and no ZeroMQ context before it forks, so each kernel
starts from a single-threaded copy. Each kernel is a child of the server and quits when the server goes.
"""
from __future__ import annotations

import ast
import asyncio
import contextlib
import gc
import importlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Unicode

# What ipykernel sets before a kernel's first import of matplotlib; the server imports matplotlib earlier.
MPLBACKEND = "module://matplotlib_inline.backend_inline"


# What a kernel imports as it starts, before any cell: imported by the server, each kernel starts in 0.05 s, not 0.12 s.
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython.core.debugger",
                  "IPython.core.completerlib", "IPython.core.oinspect", "IPython.extensions.storemagic",
                  "tornado.gen", "tornado.queues", "tornado.platform.asyncio")


class KernelServer:
    """Start the server process; it imports the modules of each notebook in turn, and serves the requests
    already waiting after each notebook's modules, so the first notebook's kernel need not wait for the rest."""

    def __init__(self, notebooks: list[Path]):
        groups = [imported_modules(notebook) for notebook in notebooks]
        self._folder = tempfile.mkdtemp(prefix="malibrief-kernels-")
        self.address = os.path.join(self._folder, "server")
        # Bound and listening before the server starts: a Kernel that asks early waits in the queue.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(self.address)
            listener.listen(64)
            self._process = subprocess.Popen(
                [sys.executable, "-c", "import sys, json, malibrief.kernel_server as s; "
                 "s.serve(int(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3]))",
                 str(listener.fileno()), json.dumps(groups), str(os.getpid())],
                pass_fds=[listener.fileno()], stdin=subprocess.DEVNULL, cwd=self._folder)

    def close(self) -> None:
        """Stop the server; a kernel still running notices within a second and quits."""
        self._process.kill()
        self._process.wait()
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> KernelServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


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


def serve(listener_fd: int, groups: list[list[str]], parent: int) -> None:
    """Import ipykernel and the first group of modules, fork a kernel for each request already waiting, and so
    on for each group; then fork one for each request that comes, until killed or no longer the child of
    `parent` (the process that started it, which may be gone before this one even starts)."""
    os.environ.setdefault("MPLBACKEND", MPLBACKEND)
    os.environ["JPY_PARENT_PID"] = str(os.getpid())  # read by ipykernel at import: each kernel quits if the server goes
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # as jupyter_client sets it for a kernel, before debugpy loads
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they end: a dead one is gone at once
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the build, which then stops the server
    listener = socket.socket(fileno=listener_fd)
    groups = [[*KERNEL_MODULES, *groups[0]], *groups[1:]] if groups else [KERNEL_MODULES]
    for group in groups:
        for name in group:
            with contextlib.suppress(ImportError):  # not a module (a class imported by name): the notebook will say
                importlib.import_module(name)
        gc.freeze()  # what is imported stays out of the collector's reach, so kernels share its pages longer
        while select.select([listener], [], [], 0)[0]:
            _answer(listener)
    while os.getppid() == parent:
        if select.select([listener], [], [], 1)[0]:
            _answer(listener)


def _answer(listener: socket.socket) -> None:
    connection, _ = listener.accept()
    with connection, connection.makefile("rw", encoding="utf-8") as stream:
        try:
            reply = {"pid": _fork_kernel(json.loads(stream.readline()), listener, connection)}
        except (OSError, ValueError, KeyError, TypeError) as err:  # a bad request fails alone
            reply = {"error": f"{type(err).__name__}: {err}"}
        with contextlib.suppress(OSError):
            stream.write(json.dumps(reply) + "\n")


def _fork_kernel(request: dict, listener: socket.socket, connection: socket.socket) -> int:
    """Fork one kernel; return its pid once it leads its own session (so its process group can be signalled)."""
    ready, started = os.pipe()
    pid = os.fork()
    if pid:
        os.close(started)
        os.read(ready, 1)  # empty when the child has called setsid (or died)
        os.close(ready)
        return pid
    try:
        os.close(ready)
        listener.close()
        connection.close()
        os.setsid()
        os.close(started)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the notebook's own subprocesses must be waitable
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"], JPY_PARENT_PID=str(os.getppid()))
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        sys.argv = ["ipykernel_launcher", *request["arguments"]]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        traceback.print_exc()
        code = 1
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


class ForkedKernel:
    """The part of a Popen that jupyter_client uses, for a kernel the server forked: not this process's
    child, so it is watched through a pidfd and its exit status cannot be read; a dead kernel reports
    -SIGKILL if this process killed it, else 1."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode = None
        self._pidfd = os.pidfd_open(pid)
        self.killed = False

    def poll(self, timeout: float = 0) -> int | None:
        if self.returncode is None and select.select([self._pidfd], [], [], timeout)[0]:
            self.returncode = -signal.SIGKILL if self.killed else 1
            os.close(self._pidfd)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        return self.poll(timeout)

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:  # as Popen does: a process known to be gone is not signalled
            self.killed |= signum == signal.SIGKILL
            with contextlib.suppress(ProcessLookupError):  # gone since
                signal.pidfd_send_signal(self._pidfd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkingProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, except that the kernel is forked by the server at `server`."""

    server = Unicode()

    async def launch_kernel(self, cmd: list[str], **kwargs) -> dict:
        if "-f" not in cmd:
            raise RuntimeError(f"not an ipykernel command (no -f connection file): {cmd}")
        # The server runs ipykernel in this environment: the kernel spec's interpreter is not used.
        request = {"arguments": cmd[cmd.index("-f"):], "cwd": str(kwargs["cwd"]), "env": kwargs["env"]}
        reader, writer = await asyncio.open_unix_connection(self.server)
        try:
            writer.write(json.dumps(request).encode() + b"\n")
            await writer.drain()
            line = await reader.readline()
        finally:
            writer.close()
        reply = json.loads(line or b'{"error": "the kernel server closed the connection"}')
        if "error" in reply:
            raise RuntimeError(f"the kernel server could not start a kernel: {reply['error']}")
        self.process = ForkedKernel(reply["pid"])
        self.pid = self.pgid = reply["pid"]
        self.cwd = kwargs["cwd"]
        return self.connection_info

    async def kill(self, restart: bool = False) -> None:
        """As LocalProvisioner's, then wait (a second at most) until the pidfd says the kernel is gone, so that
        jupyter_client, which checks right after and then every 0.1 s, finds it gone at once."""
        if self.process:
            self.process.killed = True
        await super().kill(restart)
        if self.process:
            self.process.poll(timeout=1)
