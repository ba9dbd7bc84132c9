"""Kernels forked from one process that has already imported what the notebooks import.

A batch of briefings needs one kernel per briefing, and each new kernel spends about a second of CPU
booting Python, ipykernel, pandas, matplotlib and malibrief before its first cell. The server pays that
once: it imports them, then forks a kernel for each request. A forked kernel is a new process with a
fresh IPython shell, namespace and execution count, like any kernel jupyter_client starts; only the
modules it would have imported are already in memory, shared with the server until written to.

    with KernelServer([notebook], cwd) as server:  # in the build process
        Kernel(server.address, cwd)               # anywhere, e.g. in a worker process

The server runs `serve()`: it starts no thread of its own and no ZeroMQ context before it forks (numpy's
OpenBLAS threads have their own fork handlers). Each kernel is a child of the server and is killed when the
server goes. What differs from a kernel started from scratch: the modules were imported in the server's
process, so warnings they print at import go to the build's terminal, not to a cell, and what they read
from the environment at import is the build's environment, which is what the kernel gets too.
"""
from __future__ import annotations

import ast
import contextlib
import ctypes
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
REQUEST_TIMEOUT = 120  # seconds a Kernel waits for the server, which may still be importing
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


class KernelServer:
    """Start the server process, working in `cwd` as the kernels will. It imports the modules of each notebook
    in turn and serves the requests already waiting after each notebook's modules, so the first notebook's
    kernel need not wait for the rest."""

    def __init__(self, notebooks: list[Path], cwd: Path):
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
                pass_fds=[listener.fileno()], stdin=subprocess.DEVNULL, cwd=cwd,
                start_new_session=True)  # Ctrl-C in a terminal is for the build, which then stops the server

    def close(self) -> None:
        """Stop the server, and with it any kernel still running."""
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
    os.environ["JPY_PARENT_PID"] = str(os.getpid())  # read by ipykernel at import: each kernel watches the server
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # debugpy, imported here, would warn about frozen modules
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they end: a dead one is gone at once
    listener = socket.socket(fileno=listener_fd)
    groups = [[*KERNEL_MODULES, *groups[0]], *groups[1:]] if groups else [KERNEL_MODULES]
    try:
        for group in groups:
            for name in group:
                with contextlib.suppress(Exception):  # not a module, or a broken one: the notebook will say
                    importlib.import_module(name)
            gc.freeze()  # what is imported stays out of the collector's reach, so kernels share its pages longer
            while select.select([listener], [], [], 0)[0]:
                _answer(listener)
        while os.getppid() == parent:
            if select.select([listener], [], [], 1)[0]:
                _answer(listener)
    finally:
        shutil.rmtree(os.path.dirname(listener.getsockname()), ignore_errors=True)


def _answer(listener: socket.socket) -> None:
    """Fork a kernel for one request and send back its pid and a pidfd for it; a request that fails is
    answered with the error, and the server goes on."""
    connection, _ = listener.accept()
    with connection:
        try:
            connection.settimeout(10)
            request = json.loads(_read_line(connection))
            pid, pidfd = _fork_kernel(request, listener, connection)
            try:
                socket.send_fds(connection, [json.dumps({"pid": pid}).encode() + b"\n"], [pidfd])
            finally:
                os.close(pidfd)
        except Exception as err:  # noqa: BLE001 (one failed request must not stop the server)
            with contextlib.suppress(OSError):
                connection.sendall(json.dumps({"error": f"{type(err).__name__}: {err}"}).encode() + b"\n")


def _read_line(connection: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError("the request ended early")
        data += chunk
    return data


def _fork_kernel(request: dict, listener: socket.socket, connection: socket.socket) -> tuple[int, int]:
    """Fork one kernel and return its pid and a pidfd for it, once the child is set up: its
    own session (so its process group can be signalled), its folder and environment; or raise what failed."""
    server = os.getpid()
    ready, started = os.pipe()
    pid = os.fork()
    if pid:
        os.close(started)
        with os.fdopen(ready, "rb") as pipe:
            failure = pipe.read()  # empty once the child has set itself up
        if failure:
            raise RuntimeError(f"the kernel could not start: {failure.decode(errors='replace').strip()}")
        return pid, os.pidfd_open(pid)  # ProcessLookupError if it died since
    code = 1
    try:
        os.close(ready)
        listener.close()
        connection.close()
        os.setsid()
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != server:  # the server went before the line above
            os._exit(1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the notebook's own subprocesses must be waitable
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"], JPY_PARENT_PID=str(server))
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        if "numpy" in sys.modules:  # a fresh kernel seeds numpy's global generator anew; so does this one
            sys.modules["numpy"].random.seed()
        sys.argv = ["ipykernel_launcher", *request["arguments"]]
        os.close(started)  # the server reads an empty pipe: set up
    except BaseException:
        with contextlib.suppress(Exception):
            os.write(started, traceback.format_exc().splitlines()[-1].encode())
        os._exit(1)
    try:
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        traceback.print_exc()
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


class ForkedKernel:
    """The part of a Popen that jupyter_client uses, for a kernel the server forked: not this process's
    child, so it is watched through a pidfd, which always names that process, never one that reused its
    pid; its exit status cannot be read: a dead kernel reports -SIGKILL if this process killed it, else 1."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int):
        self.pid = pid
        self.returncode = None
        self.killed = False
        self._pidfd = pidfd

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
        # A blocking exchange: nothing else runs on this event loop while a kernel starts.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(REQUEST_TIMEOUT)
            connection.connect(self.server)
            connection.sendall(json.dumps(request).encode() + b"\n")
            data, fds, _, _ = socket.recv_fds(connection, 65536, 1)
            while data and not data.endswith(b"\n"):
                chunk = connection.recv(65536)
                data += chunk
                if not chunk:
                    break
        reply = json.loads(data or b'{"error": "the kernel server closed the connection"}')
        if "error" in reply or not fds:
            for fd in fds:
                os.close(fd)
            raise RuntimeError(f"the kernel server could not start a kernel: {reply.get('error')}")
        self.process = ForkedKernel(reply["pid"], fds[0])
        self.pid = self.pgid = reply["pid"]
        self.cwd = kwargs["cwd"]
        return self.connection_info

    async def send_signal(self, signum: int) -> None:
        """As LocalProvisioner's (to the kernel's process group), unless the pidfd says the kernel is gone:
        then its pid, and so its group's id, may belong to another process by now."""
        if self.process and self.process.poll() is None:
            await super().send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        """As LocalProvisioner's, then wait (a second at most) until the pidfd says the kernel is gone, so that
        jupyter_client, which checks right after and then every 0.1 s, finds it gone at once."""
        if self.process:
            self.process.killed = True
        await super().kill(restart)
        if self.process:
            self.process.poll(timeout=1)
