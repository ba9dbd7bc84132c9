"""Run the planned steps: each notebook in a fresh kernel with papermill's own engine, then the briefing rendered
to HTML and PDF. Portable: jupyter_client's public KernelManager, threads, and a process pool that works with
spawn, so the same path runs on Windows, macOS and Linux."""
from __future__ import annotations

import atexit
import contextlib
import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from malibrief import config
from malibrief.io import atomic_write, recover, staged, sweep, temporary_path
from malibrief.notebook import notebook_imports
from malibrief.pipeline.cache import Cache, digest
from malibrief.pipeline.plan import BRIEFING_NB, plan

CODE = [config.PACKAGE]  # the package imported, as the cache hashes it: an installed one is not the checkout
PRELOADING: list[threading.Thread] = []  # preload_renderer's thread, which render() waits for
KILLED: list = []  # kernel managers whose process kill_kernel killed, for reap_kernels


class BuildError(RuntimeError):
    """A step failed: the message names the notebook, the cell and the error."""


def skip_final_collection() -> None:
    """Have this process's exit leave its objects to the operating system, as every process's are in the end,
    instead of the interpreter's teardown walking them all with the garbage collector (with papermill, pandas and
    the renderers loaded, a noticeable part of a build: bench/RESULTS.md). The atexit handlers and the flushing
    of output still run; only the collector passes over what exists at exit. Not the fork server's use of the
    freeze (issue 18 §1), which froze a warmed heap to share it with forked kernels."""
    atexit.register(gc.freeze)


def say(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def start_kernel(notebook: Path):
    """A python3 kernel for `notebook`, started now in the notebooks' folder, so that it boots while this process
    does other work; papermill then runs the notebook in it. As it boots it runs the notebook's own import
    statements (notebook_imports), so that they too are done ahead; nothing else has run in it. It is
    jupyter_client's AsyncKernelManager, the one nbclient makes itself, started on the same per-thread event loop
    that nbclient runs on (jupyter_core's run_sync), so that nbclient notices a kernel that dies."""
    from jupyter_client import AsyncKernelManager
    from jupyter_core.utils import run_sync

    manager = AsyncKernelManager(kernel_name="python3")
    # The kernel's own log (its warning that local TCP is unencrypted) is not the reader's business: errors only.
    # Its history stays in memory, as in the kernels nbclient starts itself: a build's cells are not the user's
    # IPython history, and parallel kernels do not take turns at one SQLite file.
    arguments = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.hist_file=:memory:"]
    if imports := notebook_imports(notebook):
        arguments.append(f"--IPKernelApp.exec_lines={imports}")
    run_sync(manager.start_kernel)(cwd=str(config.NOTEBOOKS), extra_arguments=arguments)
    return manager


def stop_kernel(manager) -> None:
    from jupyter_core.utils import run_sync

    with contextlib.suppress(Exception):
        run_sync(manager.shutdown_kernel)(now=True)


def kill_kernel(manager) -> None:
    """Kill the kernel's process now and leave the rest of its shutdown (reaping it, removing its connection file)
    to reap_kernels(), called once other work is done: right after the kill the process is not gone yet, and
    jupyter_client's wait for it would poll, sleeping 0.1 s."""
    from jupyter_core.utils import run_sync

    with contextlib.suppress(Exception):
        run_sync(manager.provisioner.kill)()
    KILLED.append(manager)


def reap_kernels() -> None:
    while KILLED:
        stop_kernel(KILLED.pop())


def import_papermill():
    """papermill, imported without rfc3987_syntax. Where JupyterLab is installed, jsonschema (which nbformat
    imports) finds that optional package and builds some 35 parsers from its grammar as it is imported: 0.85 s, in
    the build and in each worker, for the "iri" formats that no notebook schema uses
    (python-jsonschema/jsonschema#1428). Marked absent here, jsonschema skips those two formats, as it does
    wherever the package is not installed."""
    sys.modules.setdefault("rfc3987_syntax", None)
    import papermill

    return papermill


def execute(source: Path, target: Path, parameters: dict, quiet: bool, kernel=None, failed: Path | None = None):
    """Run a notebook with papermill in `kernel` (started ahead) or a new one, into a temporary file moved to
    `target` when it ends (never half a notebook); on failure it is moved to `failed` (default: target) and
    kept for inspection."""
    kernel = kernel or start_kernel(source)
    pm = import_papermill()

    target.parent.mkdir(parents=True, exist_ok=True)
    written = temporary_path(target)
    try:
        pm.execute_notebook(str(source), str(written), parameters=parameters, kernel_name="python3", km=kernel,
                            cwd=str(config.NOTEBOOKS), progress_bar=not quiet, log_output=False,
                            # written once at the end, failed or not, not after every cell
                            request_save_on_cell_execute=False)
    except Exception as err:
        kept = failed or target
        if written.exists():
            kept.parent.mkdir(parents=True, exist_ok=True)
            os.replace(written, kept)
        if isinstance(err, pm.PapermillExecutionError):
            first_line = next((line for line in (err.source or "").splitlines() if line.strip()), "")
            raise BuildError(f"{source.name} failed in the cell run as [{err.exec_count}], which starts "
                             f"{first_line.strip()!r}: {err.ename}: {err.evalue}\n"
                             f"  the executed notebook is kept: {kept}") from None
        # a kernel that dies
        raise BuildError(f"{source.name} could not run: {type(err).__name__}: {err}\n"
                         f"  the executed notebook, if any, is kept: {kept}") from None
    else:
        os.replace(written, target)
    finally:
        kill_kernel(kernel)


def preload_renderer() -> None:
    """Import the renderers (~0.7 s) on a thread while a kernel runs the briefing and this process only waits;
    render() waits for it. An error is left for render() to raise."""
    def load():
        with contextlib.suppress(Exception):
            import_papermill()  # first: the renderers import nbformat too
            from malibrief import briefing

            briefing.preload()

    thread = threading.Thread(target=load, name="preload-renderer", daemon=True)
    thread.start()
    PRELOADING.append(thread)


def render(executed: Path, html_path: Path, pdf_path: Path, parameters: dict, editions=()) -> None:
    import nbformat

    for thread in PRELOADING:  # never render beside the import: WeasyPrint is not made for threads
        thread.join()
    from malibrief import briefing

    nb = nbformat.read(executed, as_version=4)
    briefing.render(nb, html_path, pdf_path, parameters, editions)


def briefing_job(name: str, parameters: dict, folder: Path, key: str, quiet: bool, kernel=None,
                 editions=()) -> tuple[str, str]:
    """Execute and render one briefing into a staging folder that then replaces `folder` whole, and the same for
    its charts when they go elsewhere (the default build's figures/); run in a worker process for batches.
    `editions` are (language, folder) of the same briefing in other languages, for the cover's links."""
    figures = config.project_path(parameters["figures_dir"])
    failed = folder.parent / "failed" / f"{folder.name}.ipynb"
    with contextlib.ExitStack() as stack:
        staging = stack.enter_context(staged(folder))
        staged_figures = (staging / figures.relative_to(folder) if figures.is_relative_to(folder)
                          else stack.enter_context(staged(figures)))
        executed = staging / "executed" / BRIEFING_NB.name
        execute(BRIEFING_NB, executed, {**parameters, "figures_dir": str(staged_figures)}, quiet, kernel, failed)
        render(executed, staging / "briefing.html", staging / "briefing.pdf", parameters, editions)
        reap_kernels()
    failed.unlink(missing_ok=True)  # from an earlier failed run
    return name, key


def briefing_outputs(folder: Path, parameters: dict) -> list[Path]:
    """What a briefing's cache entry hashes: its folder (HTML, PDF, executed notebook) and its charts."""
    figures = config.project_path(parameters["figures_dir"])
    return [folder] if figures.is_relative_to(folder) else [folder, figures]


def worker_setup() -> None:
    """In a worker: leave Ctrl-C to the build, import the renderers once, and exit as soon as the build process is
    gone, even killed outright, instead of waiting forever for work that will not come."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    skip_final_collection()
    parent = multiprocessing.parent_process()

    def watch():
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    if parent is not None:
        threading.Thread(target=watch, name="exit-with-build", daemon=True).start()
    import_papermill()
    from malibrief import briefing

    briefing.preload()


@contextlib.contextmanager
def worker_pool(jobs: int):
    """Processes for a batch's briefings, spawned (as on Windows and macOS), each importing papermill and the
    renderers once. They start now (a pool would start them as work arrives: no-op jobs make it), so that they
    get ready while the cleaning runs. If the batch stops (a failure, Ctrl-C), briefings not started are
    dropped."""
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=worker_setup)
    # Started with Ctrl-C ignored (as worker_setup then keeps it), so that one pressed while a worker's Python is
    # still starting does not kill it with a traceback: the build alone answers Ctrl-C.
    main = threading.current_thread() is threading.main_thread()  # only there may handlers change
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        for _ in range(jobs):
            pool.submit(int)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def largest_first(pending: list, processed: Path, each: str) -> list:
    """The briefings ordered by how many lines of violations.csv name their value, largest first: a batch
    then ends on small briefings, instead of one core working through a big one while the other idles.
    Editions in several languages are the same size: they keep their order."""
    if each == "lang":
        return pending
    values = [parameters[each][0] for _, parameters, _, _ in pending]
    sizes = dict.fromkeys(values, 0)
    with open(processed / "violations.csv", encoding="utf-8") as lines:
        for line in lines:
            for value in values:
                sizes[value] += value in line
    return sorted(pending, key=lambda job: -sizes[job[1][each][0]])


@contextlib.contextmanager
def output_lock(out: Path):
    """One build at a time per output folder (a file lock, portable): a second build says that the folder is in
    use and waits for the first to finish, so that two never share the cache or one output set."""
    from filelock import FileLock, Timeout

    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out / ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(f"build: {out} is in use by another build; waiting for it to finish (Ctrl-C to stop)",
              file=sys.stderr, flush=True)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def build(values: dict, out: Path, each: str | None, force: bool, quiet: bool, jobs: int) -> list[Path]:
    cleaning, clean_parameters, runs = plan(values, out, each)
    with output_lock(out):
        return build_locked(cleaning, clean_parameters, runs, out, each, force, quiet, jobs)


def build_locked(cleaning, clean_parameters, runs, out, each, force, quiet, jobs) -> list[Path]:
    inputs = config.project_path(clean_parameters.get("input_path") or clean_parameters.get("raw_dir", "data/raw"))
    reference = config.project_path(clean_parameters.get("reference_dir", "data/reference"))
    processed = config.project_path(clean_parameters["out_dir"])
    folders = {name: out / name for name, _ in runs}
    # What a build killed outright left: switches half done, staging folders, temporary files.
    for target in {processed, *(path for name, p in runs for path in briefing_outputs(folders[name], p))}:
        recover(target)
    sweep(out)
    cache = Cache(out, force)
    clean_key = digest([cleaning, inputs, reference, *CODE], clean_parameters)
    clean_executed = out / "executed" / cleaning.name
    clean_outputs = [clean_executed, processed]
    clean_fresh = cache.fresh("clean", clean_key, clean_outputs)

    def stale_briefings() -> list:
        """The briefings to run: keyed on the processed folder as the cleaning left it."""
        pending = []
        for name, parameters in runs:
            key = digest([BRIEFING_NB, processed, reference, *CODE],
                         {**parameters, "editions": editions(runs, name, each)})
            if cache.fresh(f"briefing:{name}", key, briefing_outputs(folders[name], parameters)):
                say(quiet, f"briefing {name}: unchanged, skipped")
            else:
                pending.append((name, parameters, folders[name], key))
        return pending

    pending = None
    if clean_fresh:
        say(quiet, f"cleaning: unchanged, skipped ({processed})")
        pending = stale_briefings()
    # Kernels start now, the cleaning's first, then a single briefing's, so that they boot and run their notebook's
    # imports while this process imports papermill and the cleaning runs.
    ahead = {}
    if not clean_fresh:
        ahead["clean"] = start_kernel(cleaning)
    if len(runs) == 1 and pending != []:
        ahead["briefing"] = start_kernel(BRIEFING_NB)
    written = [folders[name] / f"briefing.{ext}" for name, _ in runs for ext in ("html", "pdf")]
    try:
        with contextlib.ExitStack() as stack:
            jobs = min(jobs, len(runs))
            pool = stack.enter_context(worker_pool(jobs)) if len(runs) > 1 and not clean_fresh else None
            if not clean_fresh:
                say(quiet, f"cleaning: executing {cleaning.name} -> {processed}")
                execute(cleaning, clean_executed, clean_parameters, quiet, ahead.pop("clean"))
                cache.store("clean", clean_key, clean_outputs)
                pending = stale_briefings()
            outputs = {name: briefing_outputs(folders[name], parameters) for name, parameters in runs}
            if len(pending) == 1 and "briefing" in ahead:
                name, parameters, folder, key = pending[0]
                say(quiet, f"briefing {name}: executing {BRIEFING_NB.name}, rendering HTML and PDF")
                preload_renderer()
                briefing_job(name, parameters, folder, key, quiet, ahead.pop("briefing"), editions(runs, name, each))
                cache.store(f"briefing:{name}", key, outputs[name])
            elif pending:
                if pool is None:
                    jobs = min(jobs, len(pending))
                    pool = stack.enter_context(worker_pool(jobs))
                say(quiet, f"{len(pending)} briefings: executing and rendering on {jobs} processes")
                futures = [pool.submit(briefing_job, n, p, f, k, True, None, editions(runs, n, each))
                           for n, p, f, k in largest_first(pending, processed, each)]
                for future in futures:
                    name, key = future.result()
                    cache.store(f"briefing:{name}", key, outputs[name])
                    say(quiet, f"briefing {name}: done")
    finally:
        for kernel in ahead.values():  # not used: the briefing was fresh, or a step failed
            stop_kernel(kernel)
        reap_kernels()
    if each:
        written.append(write_index(out, runs, each))
    return written


def editions(runs, name: str, each: str | None) -> list[tuple[str, str]]:
    """(language, folder) of the other editions of the same briefing, for --each lang: each links to the others."""
    if each != "lang":
        return []
    return [(parameters["lang"], other) for other, parameters in runs if other != name]


def write_index(out: Path, runs, each: str) -> Path:
    from malibrief import briefing

    return atomic_write(out / "index.html", briefing.index_page(runs, each).encode("utf-8"))
