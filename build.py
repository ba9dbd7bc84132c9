#!/usr/bin/env python3
"""Build the briefing: execute the notebooks with papermill, render HTML and PDF with nbconvert.

    python build.py                                   # the default briefing, into build/
    python build.py -p regions Mopti -p start_year 2023 --out build/mopti
    python build.py -f params.yaml                    # parameters from a YAML file
    python build.py --each regions                    # one briefing per region, and an index page
    python build.py -p input_format acled -p input_path export.csv -p start_year 2018 -p end_year 2020 --out DIR

Parameters are checked before any kernel starts; a bad one exits with status 2. A failing notebook
cell exits with status 1, keeps the executed notebook for inspection, and leaves the last rendered
briefing untouched; Ctrl-C exits with status 130 and keeps what was already written, whole. Steps whose
inputs, parameters and code have not changed are not run again.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import gc
import hashlib
import html
import importlib
import json
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver
from pathlib import Path

import yaml

from malibrief import config
from malibrief.params import LIST_PARAMETERS, ParameterError, validate
from malibrief.text import slug

# nbformat, which papermill and nbconvert import, never checks string formats; but jsonschema, which nbformat
# imports, builds rfc3987_syntax's IRI grammar at import when that package is installed: 0.9 s of every
# build. Refusing that one import, in this process only, leaves jsonschema without an "iri" format check.
sys.modules.setdefault("rfc3987_syntax", None)

CLEAN_NB = config.NOTEBOOKS / "01-clean.ipynb"
ACLED_NB = config.NOTEBOOKS / "01-clean-acled.ipynb"
CLEANING = {"incidents": CLEAN_NB, "acled": ACLED_NB}  # input_format -> the notebook that cleans it
BRIEFING_NB = config.NOTEBOOKS / "02-briefing.ipynb"
PATH_PARAMETERS = ("raw_dir", "reference_dir", "out_dir", "processed_dir", "figures_dir")
CODE = [config.ROOT / "malibrief"]
# What rendering imports (nbconvert and BeautifulSoup through malibrief.render; WeasyPrint; pandas through
# malibrief.analysis, for the data date on the cover): imported ahead of need, see preload_renderer and worker_pool.
RENDERERS = ("malibrief.render", "weasyprint", "malibrief.analysis", "malibrief.narrative")
PRELOADING: list[threading.Thread] = []  # preload_renderer's thread, which render() waits for


class BuildError(RuntimeError):
    """A step failed: the message names the notebook, the cell and the error."""


def notebook_parameters(path: Path) -> dict[str, tuple[object, str]]:
    """Name -> (default, help) from the cell tagged `parameters`, read without starting Jupyter."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    source = "".join(cell["source"])
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            line = source.splitlines()[node.lineno - 1]
            comment = line.split("#", 1)[1].strip() if "#" in line else ""
            found[node.targets[0].id] = (ast.literal_eval(node.value), comment)
    return found


def parse_value(text: str):
    """As papermill reads -p values: YAML scalars and lists, never code; anything else stays text."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, (str, int, float, bool, list)) else text


def _reference_column(reference: Path, name: str, column: str) -> list[str]:
    import csv

    try:
        with open(reference / name, encoding="utf-8", newline="") as handle:
            return [row[column] for row in csv.DictReader(handle)]
    except (OSError, KeyError, UnicodeDecodeError) as err:
        raise ParameterError([f"reference_dir: cannot read the {column} column of {reference / name} "
                              f"({type(err).__name__}: {err})"]) from None


def plan(values: dict, out: Path, each: str | None) -> tuple[Path, dict, list[tuple[str, dict]]]:
    """The cleaning notebook and its parameters, and one (name, parameters) per briefing, all validated;
    raises ParameterError listing every problem."""
    values = dict(values)
    input_format = values.pop("input_format", "incidents")
    problems = []
    if input_format not in CLEANING:
        problems.append(f"input_format: expected one of {', '.join(CLEANING)}, got {input_format!r}")
        input_format = "incidents"
    cleaning = CLEANING[input_format]
    clean_spec, brief_spec = notebook_parameters(cleaning), notebook_parameters(BRIEFING_NB)
    known = set(clean_spec) | set(brief_spec)
    unknown = [n for n in values if n not in known or n in ("out_dir", "processed_dir", "figures_dir")]
    problems += [f"unknown parameter {n!r} for input_format {input_format}; see --help" for n in unknown]
    clean_values = {n: v for n, v in values.items() if n in clean_spec and n not in brief_spec and n not in unknown}
    for name in ("raw_dir", "reference_dir"):
        if name in clean_values and not config.project_path(str(clean_values[name])).is_dir():
            problems.append(f"{name}: {clean_values[name]!r} is not a folder")
    if input_format == "acled" and not config.project_path(str(clean_values.get("input_path", ""))).is_file():
        problems.append(f"input_path: {clean_values.get('input_path', '')!r} is not a file (an ACLED export is needed)")
    if each and each not in LIST_PARAMETERS:
        problems.append(f"--each: expected a list parameter ({', '.join(LIST_PARAMETERS)}), got {each!r}")
    brief_values = {n: v for n, v in values.items() if n in brief_spec and n not in unknown}
    if problems:
        raise ParameterError(problems)
    defaults = {n: d for n, (d, _) in brief_spec.items() if n not in PATH_PARAMETERS}
    # The briefing checks these against what the cleaning copies from its reference folder: so does this.
    reference = config.project_path(str(clean_values.get("reference_dir", "data/reference")))
    checks = dict(actors=_reference_column(reference, "actors.csv", "actor"),
                  flags=[*_reference_column(reference, "flags.csv", "flag"), "relative_date"])
    base = validate(brief_values, defaults, **checks)
    own_data = not clean_values and input_format == "incidents"
    clean = {**clean_values, "out_dir": "data/processed" if own_data else str(out / "processed")}
    processed = clean["out_dir"]
    if not each:
        figures = "figures" if own_data and base == validate({}, defaults, **checks) else str(out / "figures")
        return cleaning, clean, [("briefing", {**base, "processed_dir": processed, "figures_dir": figures})]
    every = {"regions": config.ADMIN1, "actor_classes": config.ACTOR_CLASSES, "violations": config.VIOLATIONS,
             "actors": checks["actors"], "exclude_flags": checks["flags"]}  # --each's values when -p gives none
    chosen = base[each] or list(every[each])
    runs = []
    for value in chosen:
        name = slug(value, empty="value")
        runs.append((name, {**validate({**brief_values, each: [value]}, defaults, **checks),
                            "processed_dir": processed, "figures_dir": str(out / name / "figures")}))
    return cleaning, clean, runs


def digest(paths, *extra) -> str:
    """Content hash over files (recursively) and extra values: the cache key of a step."""
    h = hashlib.sha256()
    for root in paths:
        root = Path(root)
        for path in sorted(root.rglob("*") if root.is_dir() else [root]):
            if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith("."):
                h.update(str(path.relative_to(root.parent)).encode())
                h.update(path.read_bytes())
    h.update(json.dumps(extra, sort_keys=True, default=str).encode())
    return h.hexdigest()


class Cache:
    def __init__(self, out: Path, force: bool):
        self.path, self.force = out / ".cache" / "steps.json", force
        self.entries = json.loads(self.path.read_text()) if self.path.exists() and not force else {}

    def fresh(self, step: str, key: str, outputs) -> bool:
        return not self.force and self.entries.get(step) == key and all(Path(p).exists() for p in outputs)

    def store(self, step: str, key: str) -> None:
        self.entries[step] = key
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.entries, indent=1, sort_keys=True))
        os.replace(tmp, self.path)


def execute(source: Path, target: Path, parameters: dict, quiet: bool, server_address: str) -> None:
    """Run a notebook in a fresh kernel forked by the kernel server at `server_address`, requested before
    papermill is imported so that it starts meanwhile; on failure the executed notebook stays for inspection."""
    with start_kernel(source, server_address) as kernel:
        import papermill as pm

        from malibrief.kernels import register_engine

        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            pm.execute_notebook(str(source), str(target), parameters=parameters, kernel_name="python3",
                                engine_name=register_engine(), km=kernel.manager, cwd=str(config.NOTEBOOKS),
                                progress_bar=not quiet, log_output=False,
                                # written once at the end, failed or not, not after every cell (0.2 s a briefing)
                                request_save_on_cell_execute=False)
        except pm.PapermillExecutionError as err:
            first_line = next((line for line in (err.source or "").splitlines() if line.strip()), "")
            raise BuildError(f"{source.name} failed in the cell run as [{err.exec_count}], which starts "
                             f"{first_line.strip()!r}: {err.ename}: {err.evalue}\n"
                             f"  the executed notebook is kept: {target}") from None
        except Exception as err:  # a kernel that dies
            raise BuildError(f"{source.name} could not run: {type(err).__name__}: {err}\n"
                             f"  the executed notebook, if any, is kept: {target}") from None


def render(executed: Path, html_path: Path, pdf_path: Path, parameters: dict) -> None:
    import nbformat

    for thread in PRELOADING:  # never render beside the warm-up: WeasyPrint is not made for threads
        thread.join()
    from malibrief.render import render_briefing

    # The renderers make many short-lived cyclic objects (parse trees, layout boxes), so the collector runs often,
    # and each full run walks every imported module's objects too. Frozen, those are out of its way: ~0.35 s a render.
    gc.collect()
    gc.freeze()
    nb = nbformat.read(executed, as_version=4)
    period = (str(parameters["start_year"]) if parameters["start_year"] == parameters["end_year"]
              else f"{parameters['start_year']}–{parameters['end_year']}")
    scope = ", ".join(parameters["regions"]) or "Mali"
    nb.metadata["briefing"] = {"title": parameters["title"], "period": period,
                               "subtitle": f"Documented killings, detentions and enforced disappearances: {scope}",
                               "data_date": _data_date(Path(config.project_path(parameters["processed_dir"])))}
    render_briefing(nb, html_path, pdf_path)


def _data_date(processed: Path) -> str:
    from malibrief import analysis, narrative

    return narrative.data_date(analysis.load(processed))


def briefing_job(name: str, parameters: dict, folder: Path, key: str, quiet: bool,
                 server_address: str) -> tuple[str, str]:
    """Execute and render one briefing; run in a worker process for batches."""
    executed = folder / "executed" / BRIEFING_NB.name
    execute(BRIEFING_NB, executed, parameters, quiet, server_address)
    render(executed, folder / "briefing.html", folder / "briefing.pdf", parameters)
    return name, key


def say(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def start_kernel(notebook: Path, server_address: str):
    """A kernel for `notebook`, forked now by the kernel server at `server_address`."""
    from malibrief.kernels import Kernel

    try:
        return Kernel(server_address, config.NOTEBOOKS)
    except Exception as err:
        raise BuildError(f"{notebook.name} could not run: {type(err).__name__}: {err}") from None


def start_kernel_server(notebooks: list[Path]):
    """The process that forks every kernel of this build, having imported what `notebooks` import, in order."""
    from malibrief.kernel_server import KernelServer

    return KernelServer(notebooks, config.NOTEBOOKS)


def preload_renderer() -> None:
    """Import the renderers (nbconvert, WeasyPrint: ~0.7 s) and warm them up (~0.3 s) on a thread while a kernel
    runs the briefing and this process only waits; render() waits for it to end, then finds that work done.
    An error is left for render() to raise."""
    def load():
        with contextlib.suppress(Exception):
            for name in RENDERERS:
                importlib.import_module(name)
            importlib.import_module("malibrief.render").warm_up()

    thread = threading.Thread(target=load, name="preload-renderer", daemon=True)
    thread.start()
    PRELOADING.append(thread)


@contextlib.contextmanager
def worker_pool(jobs: int):
    """Processes for a batch's briefings. Not forked from this process, which runs kernel clients whose threads
    a child would inherit broken, but from multiprocessing's fork server, started now: it imports papermill and
    the renderers once, and warms them up, while this process goes on; each worker is forked with that done.
    If the batch stops (a failure, Ctrl-C), briefings not started are dropped and running ones are not waited
    for: their kernels go with the kernel server."""
    context = multiprocessing.get_context("forkserver")
    # __main__ first: it refuses rfc3987_syntax; malibrief.warm last: importing it warms the renderers up.
    context.set_forkserver_preload(["__main__", "papermill", *RENDERERS, "malibrief.warm"])
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited: Ctrl-C during its imports is not for it
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=worker_setup,
                               initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def worker_setup(build_pid: int) -> None:
    """In a worker: leave Ctrl-C to the build, and exit as soon as the build process is gone, even killed
    outright, instead of waiting forever for work that will not come (the fork server's child is not told)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pidfd = os.pidfd_open(build_pid)

    def watch():
        select.select([pidfd], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-build", daemon=True).start()


def largest_first(pending: list, processed: Path, each: str) -> list:
    """The briefings ordered by how many lines of violations.csv name their value, largest first: a batch
    then ends on small briefings, instead of one core working through a big one while the other idles."""
    values = [parameters[each][0] for _, parameters, _, _ in pending]
    sizes = dict.fromkeys(values, 0)
    with open(processed / "violations.csv", encoding="utf-8") as lines:
        for line in lines:
            for value in values:
                sizes[value] += value in line
    return sorted(pending, key=lambda job: -sizes[job[1][each][0]])


def build(values: dict, out: Path, each: str | None, force: bool, quiet: bool, jobs: int) -> list[Path]:
    cleaning, clean_parameters, runs = plan(values, out, each)
    cache = Cache(out, force)
    inputs = config.project_path(clean_parameters.get("input_path") or clean_parameters.get("raw_dir", "data/raw"))
    reference = config.project_path(clean_parameters.get("reference_dir", "data/reference"))
    processed = config.project_path(clean_parameters["out_dir"])
    clean_key = digest([cleaning, inputs, reference, *CODE], clean_parameters)
    clean_executed = out / "executed" / cleaning.name
    clean_fresh = cache.fresh("clean", clean_key, [clean_executed, processed / "events.csv"])

    with contextlib.ExitStack() as stack:
        # When the cleaning runs, the kernel server starts now and imports both notebooks' modules, the
        # briefing's while the cleaning runs; otherwise it starts once a briefing is found to need running.
        # So does a batch's pool of workers.
        server = None if clean_fresh else stack.enter_context(start_kernel_server([cleaning, BRIEFING_NB]))
        pool = stack.enter_context(worker_pool(jobs)) if len(runs) > 1 and not clean_fresh else None
        if clean_fresh:
            say(quiet, f"cleaning: unchanged, skipped ({processed})")
        else:
            say(quiet, f"cleaning: executing {cleaning.name} -> {processed}")
            execute(cleaning, clean_executed, clean_parameters, quiet, server.address)
            cache.store("clean", clean_key)
        pending, written = [], []
        for name, parameters in runs:
            folder = out if each is None else out / name
            key = digest([BRIEFING_NB, processed, reference, *CODE], parameters)  # after the cleaning wrote it
            outputs = [folder / "briefing.html", folder / "briefing.pdf", folder / "executed" / BRIEFING_NB.name]
            written += outputs[:2]
            if cache.fresh(f"briefing:{name}", key, outputs):
                say(quiet, f"briefing {name}: unchanged, skipped")
            else:
                pending.append((name, parameters, folder, key))
        if pending and server is None:
            server = stack.enter_context(start_kernel_server([BRIEFING_NB]))
        if len(pending) == 1:
            name, parameters, folder, key = pending[0]
            say(quiet, f"briefing {name}: executing {BRIEFING_NB.name}, rendering HTML and PDF")
            preload_renderer()
            cache.store(f"briefing:{name}", briefing_job(name, parameters, folder, key, quiet, server.address)[1])
        elif pending:
            say(quiet, f"{len(pending)} briefings: executing and rendering on {jobs} processes")
            pool = pool or stack.enter_context(worker_pool(jobs))
            futures = [pool.submit(briefing_job, n, p, f, k, True, server.address)
                       for n, p, f, k in largest_first(pending, processed, each)]
            for future in futures:
                name, key = future.result()
                cache.store(f"briefing:{name}", key)
                say(quiet, f"briefing {name}: done")
    if each:
        written.append(write_index(out, runs, each))
    return written


def write_index(out: Path, runs, each: str) -> Path:
    items = "".join(f'<li><a href="{html.escape(n)}/briefing.html">{html.escape(", ".join(p[each]))}</a> '
                    f'(<a href="{html.escape(n)}/briefing.pdf">PDF</a>)</li>' for n, p in runs)
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Briefings by {html.escape(each)}"
            f"</title></head><body><h1>One briefing per value of {html.escape(each)}</h1><ul>{items}</ul>"
            f"</body></html>\n")
    path = out / "index.html"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    return path


def parameter_help() -> str:
    lines = ["notebook parameters (-p NAME VALUE; lists as YAML, e.g. -p regions '[Mopti, Gao]', or one value):",
             f"  input_format    default 'incidents': the input to clean, {' or '.join(CLEANING)} (an ACLED export,"
             " given by input_path)"]
    for notebook in (CLEAN_NB, ACLED_NB, BRIEFING_NB):
        lines.append(f"  {notebook.name}:")
        for name, (default, meaning) in notebook_parameters(notebook).items():
            if name not in PATH_PARAMETERS[2:]:
                lines.append(f"    {name:<15} default {default!r}: {meaning}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=parameter_help(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="set a notebook parameter (repeatable)")
    parser.add_argument("-f", "--parameters-file", type=Path, help="YAML file of parameters (-p wins)")
    parser.add_argument("--out", type=Path, default=config.ROOT / "build", help="output folder (default: build/)")
    parser.add_argument("--each", help="one briefing per value of a list parameter (" + ", ".join(LIST_PARAMETERS)
                        + "); all its values unless -p gives some")
    parser.add_argument("--force", action="store_true", help="run every step, ignoring the cache")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the last line")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="parallel briefings (default: cores)")
    args = parser.parse_args(argv)
    values = {}
    if args.parameters_file:
        try:
            loaded = yaml.safe_load(args.parameters_file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as err:
            print(f"build: cannot read {args.parameters_file}: {err}", file=sys.stderr)
            return 2
        if not isinstance(loaded, dict):
            print(f"build: {args.parameters_file} must hold NAME: VALUE pairs", file=sys.stderr)
            return 2
        values.update(loaded)
    values.update({name: parse_value(value) for name, value in args.parameter})
    out = args.out.resolve()
    started = time.perf_counter()
    try:
        written = build(values, out, args.each, args.force, args.quiet, max(1, args.jobs))
    except ParameterError as err:
        print(f"build: {err}", file=sys.stderr)
        return 2
    except BuildError as err:
        print(f"build: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"build: cannot write: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("build: interrupted; what was already written is kept, and nothing is half-written", file=sys.stderr)
        return 130
    shown = ", ".join(str(p.relative_to(out)) for p in written[:4]) + (" ..." if len(written) > 4 else "")
    print(f"build: wrote {shown} in {out} ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    status = main()
    gc.freeze()  # nothing is left to collect: skipping the final collection saves ~0.7 s at exit
    sys.exit(status)
