#!/usr/bin/env python3
"""Benchmark build.py on this machine and write bench/RESULTS.md (and bench/results.json, the raw numbers).

    .venv/bin/python bench/run.py              # 5 runs of everything: about 20 minutes on 2 cores
    .venv/bin/python bench/run.py --quick      # 2 runs, for trying changes to the benchmark
    .venv/bin/python bench/run.py --runs 3 --no-batch

What is measured (each N times, wall clock with time.perf_counter around subprocess.run):
  1. cold build: `build.py --force --quiet --out TMP -p raw_dir data/raw`, against the naive chain
     (papermill CLI for each notebook, then one `python -c` process for the HTML and one for the PDF,
     both calling malibrief.render like build.py does);
  2. the floor: one bare kernel start and stop, plus both notebooks' code cells run once in one
     process, plus one HTML and one PDF render (bench/_kernel_start.py, bench/_floor.py);
  3. no-change rebuild: build.py again on the same --out, cache warm;
  4. batch: `--each regions` (11 briefings) against the single briefing of 1;
  5. scale (ACLED input): only when malibrief.acled exists; a placeholder otherwise.
Plus, for the breakdown, an instrumented build (bench/_profile_build.py), the import cost inside each
notebook's kernel (bench/_imports.py) and one cProfile of the PDF render (bench/_cprofile_pdf.py).

Nothing is written outside a temporary folder except bench/RESULTS.md and bench/results.json: every run
passes --out TMP/... and `-p raw_dir data/raw`, so the processed tables and figures go under TMP too.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = ROOT / ".venv" / "bin"
PY = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
PAPERMILL = str(VENV_BIN / "papermill") if (VENV_BIN / "papermill").exists() else "papermill"
RAW = ["-p", "raw_dir", "data/raw"]
PACKAGES = ["papermill", "nbconvert", "nbclient", "nbformat", "jupyter_client", "ipykernel", "weasyprint",
            "pandas", "matplotlib", "jsonschema", "rfc3987-syntax"]
REGIONS = 11  # config.ADMIN1
TARGET_SPEEDUP, TARGET_WARM, TARGET_BATCH = 3.0, 0.5, 3.0
# One process per render step, as a user without build.py would script it; same renderer and template.
RENDER_SNIPPET = ("import sys; from pathlib import Path; from bench._common import briefing_notebook; "
                  "from malibrief.render import {fn}; "
                  "{fn}(briefing_notebook(Path(sys.argv[1]), Path(sys.argv[2])), Path(sys.argv[3]))")


# Where the measured commands run: a copy of the working tree made at the start (see snapshot()), or the
# working tree itself with --in-place. ENV puts that tree first on sys.path for build.py and its kernels.
PROJECT = ROOT
ENV = dict(os.environ)
SNAPSHOT_IGNORE = (".venv", ".git", "build", "coding", ".pytest_cache", ".hypothesis", "__pycache__", "*.pyc",
                   ".ipynb_checkpoints", "*.egg-info", ".cache", "RESULTS.md", "results.json")


class BenchError(RuntimeError):
    pass


def tool(name: str) -> Path:
    return PROJECT / "bench" / name


def snapshot(tmp: Path) -> Path:
    """Copy the working tree (code, notebooks, data; no .venv, .git, build) so that edits others make
    while the benchmark runs neither change the code under measurement nor invalidate the cache."""
    dest = tmp / "project"
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(*SNAPSHOT_IGNORE), symlinks=True)
    return dest


def tree_hash(root: Path) -> str:
    """Short content hash of the code and notebooks measured, to tell versions apart in RESULTS.md."""
    h = hashlib.sha256()
    for part in ("build.py", "malibrief", "notebooks"):
        base = root / part
        for path in sorted(base.rglob("*") if base.is_dir() else [base]):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(root)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:12]


def run(cmd, label: str, timeout: float | None = None) -> tuple[float, str]:
    """Run cmd from the project root; return (wall seconds, stdout). A failure stops the benchmark."""
    cmd = [str(c) for c in cmd]
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=PROJECT, env=ENV, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{label} did not finish within {timeout:.0f} s: {' '.join(cmd)}") from None
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise BenchError(f"{label} failed with status {proc.returncode}: {' '.join(cmd)}\n"
                         f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return elapsed, proc.stdout


def need(*paths: Path) -> None:
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise BenchError(f"expected output missing: {', '.join(missing)}")


# ---------------------------------------------------------------- one round of measurements

def measure_build(tmp: Path, i: int, s: dict) -> None:
    out = tmp / f"r{i}-build"
    t, _ = run([PY, "build.py", "--force", "--quiet", "--out", out, *RAW], "cold build")
    need(out / "briefing.html", out / "briefing.pdf", out / "processed" / "events.csv")
    s["build"].append(t)
    pdf = out / "briefing.pdf"
    before = pdf.stat().st_mtime_ns
    t, _ = run([PY, "build.py", "--quiet", "--out", out, *RAW], "no-change rebuild")
    if pdf.stat().st_mtime_ns != before:
        raise BenchError("the no-change rebuild rewrote briefing.pdf: the cache did not hold")
    s["warm"].append(t)


def measure_naive(tmp: Path, i: int, s: dict) -> None:
    out = tmp / f"r{i}-naive"
    out.mkdir()
    processed, figures = out / "processed", out / "figures"
    executed_clean, executed_briefing = out / "01-clean.ipynb", out / "02-briefing.ipynb"
    steps = [
        ("papermill 01-clean (CLI)", [PAPERMILL, "notebooks/01-clean.ipynb", executed_clean,
                                      "-p", "raw_dir", "data/raw", "-p", "out_dir", processed]),
        ("papermill 02-briefing (CLI)", [PAPERMILL, "notebooks/02-briefing.ipynb", executed_briefing,
                                         "-p", "processed_dir", processed, "-p", "figures_dir", figures]),
        ("python -c render_html", [PY, "-c", RENDER_SNIPPET.format(fn="render_html"),
                                   executed_briefing, processed, out / "briefing.html"]),
        ("python -c render_pdf", [PY, "-c", RENDER_SNIPPET.format(fn="render_pdf"),
                                  executed_briefing, processed, out / "briefing.pdf"]),
    ]
    total = 0.0
    for label, cmd in steps:
        t, _ = run(cmd, f"naive chain: {label}")
        s[f"naive: {label}"].append(t)
        total += t
    need(out / "briefing.html", out / "briefing.pdf")
    s["naive"].append(total)


def measure_floor(tmp: Path, i: int, s: dict, executed: Path) -> None:
    t, stdout = run([PY, tool("_kernel_start.py")], "bare kernel start")
    kernel = json.loads(stdout.strip().splitlines()[-1])
    s["floor: kernel start (until ready)"].append(kernel["start"])
    s["floor: kernel stop"].append(kernel["stop"])
    s["bare kernel process (wall)"].append(t)
    out, result = tmp / f"r{i}-floor", tmp / f"r{i}-floor.json"
    t, _ = run([PY, tool("_floor.py"), "--out", out, "--executed", executed, "--json", result], "floor")
    gone = time.time()
    need(out / "floor.html", out / "floor.pdf")
    data = json.loads(result.read_text())
    for name, value in data["phases"].items():
        s[f"floor: {name}"].append(value)
    exit_time = max(0.0, gone - data["end_time"])
    s["floor: process exit (interpreter finalization)"].append(exit_time)
    s["floor: process start and the rest"].append(t - exit_time - sum(data["phases"].values()))
    s["floor: cells + renders process (wall)"].append(t)
    s["floor"].append(kernel["start"] + kernel["stop"] + t)


def measure_profile(tmp: Path, i: int, s: dict, cells: dict) -> None:
    out, result = tmp / f"r{i}-profile", tmp / f"r{i}-profile.json"
    t, _ = run([PY, tool("_profile_build.py"), "--json", result, "--",
                "--force", "--quiet", "--out", out, *RAW], "instrumented build")
    gone = time.time()
    data = json.loads(result.read_text())
    for name, value in data["phases"].items():
        s[f"profile: {name}"].append(value)
    s["profile: wall"].append(t)
    exit_time = max(0.0, gone - data["end_time"])
    s["profile: interpreter exit"].append(exit_time)
    s["profile: interpreter start"].append(t - data["phases"]["in-process total"] - exit_time)
    for cell in data["cells"]:
        key = (cell["notebook"], cell["index"])
        cells.setdefault(key, {"first_line": cell["first_line"], "durations": []})["durations"].append(cell["duration"])
    code = ("import json, time\nt = time.perf_counter()\nimport rfc3987_syntax\na = time.perf_counter() - t\n"
            "import nbformat\nprint(json.dumps([a, time.perf_counter() - t]))")
    try:
        _, stdout = run([PY, "-c", code], "nbformat import")
        rfc, nbf = json.loads(stdout.strip().splitlines()[-1])
        s["import rfc3987_syntax"].append(rfc)
        s["import nbformat (fresh process)"].append(nbf)
    except BenchError:
        pass  # rfc3987_syntax not installed: nothing to report
    for label, tail in (("plain", ""), ("gc.freeze()", "import gc; gc.freeze()\n")):
        code = ("import time, sys\nimport papermill, weasyprint, malibrief.render, malibrief.plots, malibrief.analysis\n"
                f"print(repr(time.time()))\nsys.stdout.flush()\n{tail}")
        _, stdout = run([PY, "-c", code], "exit cost")
        s[f"exit after heavy imports: {label}"].append(max(0.0, time.time() - float(stdout.strip().splitlines()[-1])))
    for notebook in ("01-clean", "02-briefing"):
        _, stdout = run([PY, tool("_imports.py"), PROJECT / "notebooks" / f"{notebook}.ipynb"], "kernel imports")
        s[f"kernel imports: {notebook}"].append(json.loads(stdout.strip().splitlines()[-1])["total"])


def measure_pdf_variants(tmp: Path, i: int, s: dict, warmup: Path, pdf_info: dict) -> None:
    result = tmp / f"r{i}-variants.json"
    run([PY, tool("_pdf_variants.py"), warmup / "executed" / "02-briefing.ipynb", warmup / "processed",
         warmup / "figures", tmp / f"r{i}-variants", result], "PDF variants")
    for label, found in json.loads(result.read_text()).items():
        s[f"pdf variant: {label}"].append(found["seconds"])
        pdf_info[label] = {"pages": found["pages"], "bytes": found["bytes"]}


SCALE_YEARS = ("2018", "2020")  # malibrief.acled_sample's default period
SCALE_TIMEOUT = 1800


def make_exports(tmp: Path, sizes: list[int]) -> dict[int, Path]:
    """Synthetic ACLED exports (malibrief.acled_sample, deterministic), one per size; not timed."""
    paths = {rows: tmp / f"acled-{rows}.csv" for rows in sizes}
    code = ("import sys\nfrom malibrief.acled_sample import write_export\n"
            "for arg in sys.argv[1:]:\n    rows, path = arg.split('=', 1)\n    write_export(path, int(rows))")
    run([PY, "-c", code, *(f"{rows}={path}" for rows, path in paths.items())], "making ACLED exports", SCALE_TIMEOUT)
    return paths


def measure_scale(tmp: Path, i: int, s: dict, exports: dict[int, Path], info: dict) -> None:
    """build.py on ACLED exports of growing size, --force; notebook durations from the executed notebooks."""
    for rows, path in exports.items():
        out = tmp / f"r{i}-scale-{rows}"
        t, _ = run([PY, "build.py", "--force", "--quiet", "--out", out, "-p", "input_format", "acled",
                    "-p", "input_path", path, "-p", "start_year", SCALE_YEARS[0], "-p", "end_year", SCALE_YEARS[1]],
                   f"ACLED build, {rows} rows", SCALE_TIMEOUT)
        need(out / "briefing.html", out / "briefing.pdf")
        s[f"scale {rows}: build"].append(t)
        for executed in (out / "executed").glob("*.ipynb"):
            duration = json.loads(executed.read_text(encoding="utf-8"))["metadata"].get("papermill", {}).get("duration")
            part = "briefing notebook" if executed.name == "02-briefing.ipynb" else "cleaning notebook"
            s[f"scale {rows}: {part}"].append(duration or 0.0)
        info[rows] = {"export bytes": path.stat().st_size, "pdf bytes": (out / "briefing.pdf").stat().st_size,
                      "html bytes": (out / "briefing.html").stat().st_size}


def measure_batch(tmp: Path, i: int, s: dict) -> None:
    out = tmp / f"r{i}-batch"
    t, _ = run([PY, "build.py", "--force", "--quiet", "--out", out, *RAW, "--each", "regions"], "batch")
    pdfs = sorted(out.glob("*/briefing.pdf"))
    if len(pdfs) != REGIONS:
        raise BenchError(f"--each regions wrote {len(pdfs)} PDFs, expected {REGIONS}")
    need(out / "index.html")
    s["batch"].append(t)


# ---------------------------------------------------------------- environment

def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), None) if Path("/proc/meminfo").exists() else None
    code = ("import json, sys, importlib.metadata as m\n"
            "def v(p):\n    try: return m.version(p)\n    except m.PackageNotFoundError: return 'not installed'\n"
            f"print(json.dumps({{'python': sys.version.split()[0], 'packages': {{p: v(p) for p in {PACKAGES!r}}}}}))")
    _, stdout = run([PY, "-c", code], "versions")
    versions = json.loads(stdout)
    return {"cores": os.cpu_count(), "processors in /proc/cpuinfo": len(models),
            "cpu model": models[0] if models else platform.processor() or "unknown",
            "memory GiB": round(int(mem) / 1024 ** 2, 1) if mem else None,
            "os": f"{platform.system()} {platform.release()}", **versions}


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def acled_available() -> bool:
    code = ("import importlib.util, malibrief\n"
            "print(hasattr(malibrief, 'acled') or importlib.util.find_spec('malibrief.acled') is not None)")
    try:
        _, stdout = run([PY, "-c", code], "ACLED check")
    except BenchError:
        return False
    return stdout.strip().endswith("True")


# ---------------------------------------------------------------- report

def stat(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def fmt(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}"


def row_stat(values: list[float]) -> str:
    st = stat(values)
    return f"{fmt(st['median'])} | {fmt(st['min'])}–{fmt(st['max'])}"


def met(ok: bool) -> str:
    return "**yes**" if ok else "**no**"


def med(s: dict, key: str) -> float:
    return statistics.median(s[key]) if s.get(key) else float("nan")


def report(s: dict, cells: dict, pdf_profile: dict | None, pdf_info: dict, scale_info: dict, env: dict,
           meta: dict) -> str:
    runs, lines = meta["runs"], []
    add = lines.append
    build, naive, floor, warm = med(s, "build"), med(s, "naive"), med(s, "floor"), med(s, "warm")
    speedup, speedup_min = naive / build, min(s["naive"]) / min(s["build"])
    over_floor, over_floor_min = build / floor, min(s["build"]) / min(s["floor"])
    add("# Benchmark results")
    add("")
    add(f"Written by `bench/run.py --runs {runs}`{' --no-batch' if meta['no_batch'] else ''} "
        f"in {meta['elapsed'] / 60:.1f} minutes; see `bench/README.md` for what each line measures. "
        "Raw numbers: `bench/results.json`.")
    add("")
    add(f"**Numbers are noisy and from one machine.** It has {env['cores']} cores and other sessions may have "
        f"been running tests on it at the same time (load average {meta['load_start']} at the start, "
        f"{meta['load_end']} at the end). Each figure is the median of {runs} runs with the range beside it; "
        "ratios are of medians, with the ratio of the minima (the least disturbed runs) beside them. Runs are "
        "interleaved (round 1 of everything, then round 2, ...) and follow one untimed warm-up build, so a "
        "burst of outside load spreads over all measurements instead of landing on one.")
    add("")
    if meta["in_place"]:
        add(f"Measured on the working tree itself (`--in-place`; code hash {meta['code hash']} at the end "
            "of the run): edits made while it ran may be part of the numbers.")
    else:
        add(f"Measured on a copy of the working tree taken at the start (code hash {meta['code hash']} over "
            "build.py, malibrief/ and notebooks/), with that copy first on PYTHONPATH for build.py and its "
            "kernels, so that edits others made while it ran are not part of the numbers.")
    add("")
    add("## Machine")
    add("")
    add("| | |")
    add("|---|---|")
    add(f"| CPU | {env['cpu model']} |")
    add(f"| cores | {env['cores']} |")
    add(f"| memory | {env['memory GiB']} GiB |")
    add(f"| OS | {env['os']} |")
    add(f"| Python | {env['python']} |")
    for name, version in env["packages"].items():
        add(f"| {name} | {version} |")
    add("")
    add("## Results")
    add("")
    add(f"Seconds, wall clock of the whole command (process start to exit), {runs} runs.")
    add("")
    add("| measurement | what runs | median | min–max |")
    add("|---|---|---:|---:|")
    add(f"| cold build | `build.py --force --quiet --out TMP -p raw_dir data/raw` | {row_stat(s['build'])} |")
    add(f"| naive chain | 2× `papermill` CLI + `python -c render_html` + `python -c render_pdf` | {row_stat(s['naive'])} |")
    add(f"| floor | bare kernel start+stop + both notebooks' cells in one process + one render each | {row_stat(s['floor'])} |")
    floor_no_exit = [f - e for f, e in zip(s["floor"], s["floor: process exit (interpreter finalization)"])]
    add(f"| floor without its process's exit | the same, less the floor process's final garbage collection | {row_stat(floor_no_exit)} |")
    add(f"| no-change rebuild | `build.py` again, same --out, cache warm | {row_stat(s['warm'])} |")
    if s.get("batch"):
        add(f"| batch | `build.py --force ... --each regions` ({REGIONS} briefings, -j {env['cores']}) | {row_stat(s['batch'])} |")
    add(f"| single briefing | = cold build | {row_stat(s['build'])} |")
    add("")
    add("## Ratios and targets")
    add("")
    add("| ratio | medians | minima | target | met |")
    add("|---|---:|---:|---|---|")
    add(f"| naive chain / build.py | {speedup:.2f}× | {speedup_min:.2f}× | ≥ {TARGET_SPEEDUP:.0f}× | {met(speedup >= TARGET_SPEEDUP)} |")
    add(f"| build.py / floor | {over_floor:.2f}× | {over_floor_min:.2f}× | (as close to 1 as possible) | – |")
    add(f"| build.py / floor without its exit | {build / statistics.median(floor_no_exit):.2f}× | "
        f"{min(s['build']) / min(floor_no_exit):.2f}× | – | – |")
    add(f"| no-change rebuild | {warm:.2f} s | {min(s['warm']):.2f} s | < {TARGET_WARM} s | {met(warm < TARGET_WARM)} |")
    if s.get("batch"):
        batch = med(s, "batch")
        ratio, ratio_min = batch / build, min(s["batch"]) / min(s["build"])
        edge = (ratio <= TARGET_BATCH) != (ratio_min <= TARGET_BATCH)
        add(f"| batch ({REGIONS} briefings) / single briefing | {ratio:.2f}× | {ratio_min:.2f}× | ≤ {TARGET_BATCH:.0f}× | "
            f"{'**on the edge** (medians and minima disagree)' if edge else met(ratio <= TARGET_BATCH)} |")
    add("")

    add("### The naive chain, step by step (medians)")
    add("")
    add("| step | median | min–max |")
    add("|---|---:|---:|")
    for key in sorted(k for k in s if k.startswith("naive: ")):
        add(f"| {key[7:]} | {row_stat(s[key])} |")
    add("")
    add("### The floor, part by part (medians)")
    add("")
    add("| part | median | min–max |")
    add("|---|---:|---:|")
    for key in ["floor: kernel start (until ready)", "floor: kernel stop", "floor: import IPython + shell",
                "floor: clean cells", "floor: briefing cells", "floor: render: imports + read notebook",
                "floor: render HTML", "floor: import weasyprint", "floor: render PDF",
                "floor: process exit (interpreter finalization)", "floor: process start and the rest"]:
        if s.get(key):
            add(f"| {key[7:]} | {row_stat(s[key])} |")
    add("")

    # ------------------------------------------------------------ where the time goes
    p = lambda key: med(s, f"profile: {key}")  # noqa: E731
    wall = med(s, "profile: wall")
    add("## Where the time goes")
    add("")
    add(f"An instrumented cold build (`bench/_profile_build.py`: build.py's `main()` with timers around its "
        f"phases, same arguments) run {runs} times; medians. Its wall time is {fmt(wall)} s "
        f"(min {fmt(min(s['profile: wall']))}) against the plain cold build's {fmt(build)} s "
        f"(min {fmt(min(s['build']))}): the same work, timed on different runs of a shared machine, so read the "
        "shares (of the instrumented wall time) rather than the seconds.")
    add("")
    rows = []
    parent_imports = [k[len("profile: "):] for k in s if k.startswith("profile: import ")]
    rows.append(("Python start (build process)", p("interpreter start")))
    for key in parent_imports:
        rows.append((f"parent {key}", p(key)))
    server = p("kernel server launched")
    rows.append(("kernel server launched (its imports go on in its own process)", server))
    for nb, name in (("clean", "01-clean"), ("briefing", "02-briefing")):
        total, start, cells_t = p(f"{nb}: papermill total"), p(f"{nb}: kernel start"), p(f"{nb}: cells")
        fork, writes, stop = p(f"{nb}: kernel forked"), p(f"{nb}: notebook writes"), p(f"{nb}: kernel shutdown")
        rows.append((f"{name}: kernel forked by the server (waits for the server's imports up to this notebook)",
                     fork))
        rows.append((f"{name}: waiting for the forked kernel to answer", start))
        rows.append((f"{name}: cells (their imports already done by the server)", cells_t))
        rows.append((f"{name}: papermill notebook write (once, at the end)", writes))
        rows.append((f"{name}: kernel kill", stop))
        rows.append((f"{name}: other papermill work (read, inject parameters, ...)",
                     total - fork - start - cells_t - writes - stop))
    render_total, export = p("render total"), p("render: export (nbconvert + bs4, once for both)")
    html_write, paged = p("HTML: write"), p("PDF: paged version (A4 rules)")
    layout, write_pdf = p("PDF: WeasyPrint layout (HTML.render)"), p("PDF: WeasyPrint write_pdf")
    rows.append(("render: export (nbconvert + BeautifulSoup, once for both outputs)", export))
    rows.append(("HTML: write", html_write))
    rows.append(("PDF: paged version of the same document (A4 rules, no downloads)", paged))
    rows.append(("PDF: WeasyPrint layout (HTML.render)", layout))
    rows.append(("PDF: WeasyPrint drawing and output (write_pdf)", write_pdf))
    rows.append(("render: other (reading the executed notebook, cover data)",
                 render_total - export - html_write - paged - layout - write_pdf))
    rows.append(("Python exit (build process: interpreter finalization, mostly garbage collection)",
                 p("interpreter exit")))
    accounted = sum(v for _, v in rows)
    rows.append(("not accounted for (planning, hashing, cache, reading the notebook, medians not adding up)",
                 wall - accounted))
    add("| phase | median s | share |")
    add("|---|---:|---:|")
    for label, value in rows:
        add(f"| {label} | {fmt(value)} | {100 * value / wall:.0f}% |")
    add(f"| **total (wall)** | **{fmt(wall)}** | 100% |")
    add("")
    if s.get("profile: renderers' warm-up"):
        warm_up = p("renderers' warm-up")
        add(f"Not in the sum: the renderers' warm-up ({fmt(warm_up)} s), on build.py's preload thread while the "
            "kernel runs the briefing's cells.")
        add("")
    kernel_starts = sum(p(f"{nb}: kernel forked") + p(f"{nb}: kernel start") for nb in ("clean", "briefing"))
    kernel_stops = p("clean: kernel shutdown") + p("briefing: kernel shutdown")
    cells_total = p("clean: cells") + p("briefing: cells")
    kernel_imports = med(s, "kernel imports: 01-clean") + med(s, "kernel imports: 02-briefing")
    imports_total = sum(p(k) for k in parent_imports)
    pdf_total = paged + layout + write_pdf
    add("In short (medians):")
    add("")
    add(f"- **kernels**: {fmt(server)} s to launch the kernel server, {fmt(kernel_starts)} s from asking for "
        f"each kernel to its first answer, {fmt(kernel_stops)} s to kill them (a bare kernel starts in "
        f"{fmt(med(s, 'floor: kernel start (until ready)'))} s). The profile does the build process's imports "
        "first, so here the server imports while nothing else runs; in a plain build it imports while build.py "
        "imports papermill, and the briefing's modules while the cleaning runs;")
    add(f"- **notebook cells**: {fmt(cells_total)} s, not counting the notebooks' own imports (pandas, "
        f"matplotlib, pandera, shapely via malibrief: {fmt(kernel_imports)} s in fresh processes), which the "
        "kernel server does once, before it forks the kernels;")
    add(f"- **renders**: {fmt(render_total)} s: one export for both outputs ({fmt(export)} s), the HTML write, "
        f"and the **PDF** {fmt(pdf_total)} s (WeasyPrint layout {fmt(layout)} s + write_pdf {fmt(write_pdf)} s);")
    add(f"- **imports in the build process**: {fmt(imports_total)} s "
        f"(papermill {fmt(p('import papermill'))} s, now without jsonschema's rfc3987_syntax grammar; "
        f"weasyprint {fmt(p('import weasyprint'))} s; in a plain build the renderers are imported on a thread "
        f"while the briefing runs), plus {fmt(p('interpreter start'))} s Python start;")
    add(f"- **exits**: the build process takes {fmt(p('interpreter exit'))} s to exit after its last line "
        "(interpreter finalization: the final garbage collection over every module and object). A process that "
        "only imports papermill, WeasyPrint and malibrief's render/plots/analysis takes "
        f"{fmt(med(s, 'exit after heavy imports: plain'))} s to exit, and "
        f"{fmt(med(s, 'exit after heavy imports: gc.freeze()'))} s with `gc.freeze()` as its last line. "
        "build.py ends with `gc.freeze()`, and kills its kernels instead of waiting for the same teardown there.")
    add("")
    add("Slowest notebook cells (from `cell.metadata.papermill.duration` of the executed notebooks, medians):")
    add("")
    add("| notebook | cell | first line | median s |")
    add("|---|---:|---|---:|")
    ranked = sorted(cells.items(), key=lambda kv: -statistics.median(kv[1]["durations"]))
    for (nb, index), info in ranked[:8]:
        first = info["first_line"].replace("|", "\\|")
        add(f"| {nb} | {index} | `{first}` | {statistics.median(info['durations']):.2f} |")
    add("")
    variant = lambda label: med(s, f"pdf variant: {label}")  # noqa: E731
    if s.get("pdf variant: full"):
        full, first = variant("full"), variant("first render")
        add("What the PDF render's time depends on (`bench/_pdf_variants.py`: `render_pdf` of the warm-up "
            f"build's briefing in one process, {runs} runs, medians):")
        add("")
        add("| variant | median s | min–max | pages | PDF size |")
        add("|---|---:|---:|---:|---:|")
        for label in ("first render", "full", "charts as PNG", "no sources"):
            info = pdf_info.get(label, {})
            add(f"| {label} | {row_stat(s[f'pdf variant: {label}'])} | {info.get('pages', '?')} | "
                f"{info.get('bytes', 0) / 1024:.0f} KiB |")
        add("")
        add("*first render*: the full briefing as the first render of the process, which is what build.py does; "
            "*full*: the same again; *charts as PNG*: the six SVG charts swapped for the 200 dpi PNGs "
            "`plots.show` already writes; *no sources*: without the sources cell's output (source list and the "
            f"every-event table). The first render of a process takes {fmt(first)} s against {fmt(full)} s for "
            f"a second one; PNG charts change the render by {fmt(full - variant('charts as PNG'))} s; the sources "
            f"section costs {fmt(full - variant('no sources'))} s "
            f"({pdf_info.get('full', {}).get('pages', 0) - pdf_info.get('no sources', {}).get('pages', 0)} pages).")
        add("")
    if pdf_profile:
        total = pdf_profile["total"]
        add("One PDF render under cProfile (`bench/_cprofile_pdf.py`, imports done beforehand). cProfile slows "
            f"it to {fmt(total)} s and weighs pure-Python code more than C (Pango, HarfBuzz), so check a share "
            "against the variants above before acting on it. Own time per library part:")
        add("")
        add("| part | share of own time |")
        add("|---|---:|")
        for label, value in sorted(pdf_profile["groups"].items(), key=lambda kv: -kv[1]):
            if value / total >= 0.01:
                add(f"| {label} | {100 * value / total:.0f}% |")
        add("")
        add("Cumulative (overlapping) steps in the same profile:")
        add("")
        add("| step | share of the render |")
        add("|---|---:|")
        for label, value in pdf_profile["cumulative"].items():
            add(f"| {label} | {100 * value / total:.0f}% |")
        add("")

    # ------------------------------------------------------------ the verdicts
    add("## Why the targets are met or missed")
    add("")
    extra = naive - build
    add(f"**build.py against the naive chain: {speedup:.2f}× (target {TARGET_SPEEDUP:.0f}×), "
        f"{'met' if speedup >= TARGET_SPEEDUP else 'missed'}.** "
        f"Both run two kernels, the same cells and the same two renders. build.py saves what the naive chain "
        f"repeats per process (three more interpreter starts; the imports of papermill, nbformat, nbconvert and "
        f"WeasyPrint, each with jsonschema's IRI grammar; the notebooks' imports, once per kernel; two exports "
        f"of the notebook to HTML) and hides what it can behind other work: one kernel server imports both "
        f"notebooks' modules while build.py imports papermill and while the cleaning runs, kernels are forked "
        f"from it ready to run, the renderers are imported while the briefing runs, and kernels are killed, not "
        f"waited for. All that is "
        f"{fmt(extra)} s of the naive chain's {fmt(naive)} s. A {TARGET_SPEEDUP:.0f}× speed-up would need a "
        f"cold build of {fmt(naive / TARGET_SPEEDUP)} s, "
        + ("below the floor itself " if naive / TARGET_SPEEDUP < floor else "close to the floor ")
        + f"({fmt(floor)} s: one kernel, every cell once, one render each), and the floor is the cells "
        f"({fmt(cells_total)} s in the profile) and the renders ({fmt(render_total)} s, the PDF "
        f"{fmt(pdf_total)} s of it), which the naive chain also pays. So orchestration cannot reach it; "
        "making the cells and renders cheaper shrinks both routes by the same seconds (see *What changed* "
        f"below for what was done). build.py is {over_floor:.2f}× the floor.")
    add("")
    add(f"**No-change rebuild: {warm:.2f} s (target < {TARGET_WARM} s), "
        f"{'met' if warm < TARGET_WARM else 'missed'}.** It starts Python, imports yaml and malibrief.params, "
        "hashes the inputs, finds every step fresh and exits without importing papermill or starting a kernel.")
    add("")
    if s.get("batch"):
        batch = med(s, "batch")
        ratio = batch / build
        per_briefing = p("briefing: papermill total") + render_total
        rounds = math.ceil(REGIONS / env["cores"])
        fixed = p("clean: papermill total") + imports_total
        implied = (batch - fixed) / rounds
        allowed = (TARGET_BATCH * build - fixed) / rounds
        ratio_min = min(s["batch"]) / min(s["build"])
        if (ratio <= TARGET_BATCH) != (ratio_min <= TARGET_BATCH):
            verdict = (f"on the edge: {'met' if ratio <= TARGET_BATCH else 'missed'} by the medians, "
                       f"{'met' if ratio_min <= TARGET_BATCH else 'missed'} by the minima ({ratio_min:.2f}×)")
        else:
            verdict = ("met" if ratio <= TARGET_BATCH else "missed") + (
                " (by a margin within the noise)" if abs(ratio - TARGET_BATCH) < 0.25 else "")
        add(f"**Batch: {REGIONS} briefings take {ratio:.2f}× one briefing (target ≤ {TARGET_BATCH:.0f}×), "
            f"{verdict}.** "
            f"The cleaning and the build process's imports ({fmt(fixed)} s) are paid once, and so are the "
            f"notebook's imports ({fmt(med(s, 'kernel imports: 02-briefing'))} s in a fresh process) and the "
            f"renderers' imports, which the kernel server and the workers' fork server do once while the cleaning "
            f"runs. Every briefing still pays its cells and both renders, all CPU-bound: with both cores busy there "
            f"is nothing to hide them behind, so what made the single build faster by overlapping does nothing "
            f"here, and the batch's ratio to it grows as the single build gets faster. The batch runs the largest "
            f"briefings first, so that it ends on small ones. With {env['cores']} cores and `-j {env['cores']}`, "
            f"{REGIONS} briefings run as {rounds} rounds on the busier worker, so the measured {fmt(batch)} s "
            f"means about ({fmt(batch)} − {fmt(fixed)}) / {rounds} ≈ {fmt(implied)} s per regional briefing "
            f"(the all-Mali briefing takes {fmt(per_briefing)} s of notebook and renders; a region's has fewer "
            f"events, so smaller tables and PDF). Staying within {TARGET_BATCH:.0f}× means at most "
            f"{fmt(allowed)} s per regional briefing on this machine. With 2 cores, a batch of 11 cannot come "
            "near 1×: at best it is 6 briefings' worth of time, and each briefing's own work (its cells, which "
            "draw six charts, and one PDF render of at least the static sections) is paid 11 times.")
        add("")

    add("## Scale (ACLED input)")
    add("")
    scale = meta.get("scale", {})
    measured = [rows for rows in scale.get("sizes", []) if s.get(f"scale {rows}: build")]
    if not meta.get("acled"):
        add("> **PLACEHOLDER — not measured.** This will be measured once the ACLED reader exists "
            "(`malibrief.acled`, being built by someone else). `bench/run.py` checks for it with an import "
            "check and skips this section until then.")
    elif scale.get("skipped"):
        add("> **Not measured in this run** (`--no-scale`). `malibrief.acled` exists; run without `--no-scale`.")
    else:
        add(f"> Measured on the code of this run's copy (hash {meta.get('code hash')}).")
        add("")
        add("### The whole build on ACLED exports (measured by run.py)")
        add("")
        add(f"`build.py --force --quiet --out TMP -p input_format acled -p input_path EXPORT -p start_year "
            f"{scale['years'][0]} -p end_year {scale['years'][1]}` on synthetic exports made by "
            "`malibrief.acled_sample.write_export(path, rows)` (deterministic, seed 1, events in 2018–2020; the "
            "killings, detentions and disappearances among them become the briefing's events), "
            f"{scale['runs']} run{'s' if scale['runs'] != 1 else ''} per size, interleaved with the rounds above. Seconds; the notebook columns are "
            "papermill's durations from the executed notebooks; *the rest* is kernel starts, imports and the "
            "HTML and PDF renders.")
        add("")
        if measured:
            add("| export rows | export size | build.py median | min–max | cleaning notebook | briefing notebook "
                "| the rest | PDF size | HTML size |")
            add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for rows in measured:
                info = scale_info.get(rows, {})
                total = med(s, f"scale {rows}: build")
                clean_nb, brief_nb = med(s, f"scale {rows}: cleaning notebook"), med(s, f"scale {rows}: briefing notebook")
                add(f"| {rows:,} | {info.get('export bytes', 0) / 2 ** 20:.1f} MiB | {row_stat(s[f'scale {rows}: build'])} "
                    f"| {fmt(clean_nb)} | {fmt(brief_nb)} | {fmt(total - clean_nb - brief_nb)} "
                    f"| {info.get('pdf bytes', 0) / 2 ** 20:.1f} MiB | {info.get('html bytes', 0) / 2 ** 20:.1f} MiB |")
            add("")
            if len(measured) > 1:
                small, large = measured[0], measured[-1]
                grow = med(s, f"scale {large}: build") / med(s, f"scale {small}: build")
                rest = lambda r: (med(s, f"scale {r}: build") - med(s, f"scale {r}: cleaning notebook")  # noqa: E731
                                  - med(s, f"scale {r}: briefing notebook"))
                add(f"From {small:,} to {large:,} rows ({large // small}× the input) the build takes {grow:.1f}× as "
                    f"long. The cleaning notebook grows from {fmt(med(s, f'scale {small}: cleaning notebook'))} s to "
                    f"{fmt(med(s, f'scale {large}: cleaning notebook'))} s, the briefing notebook from "
                    f"{fmt(med(s, f'scale {small}: briefing notebook'))} s to "
                    f"{fmt(med(s, f'scale {large}: briefing notebook'))} s, and the rest, mostly the renders, from "
                    f"{fmt(rest(small))} s to {fmt(rest(large))} s; the PDF stays small "
                    f"({scale_info.get(small, {}).get('pdf bytes', 0) / 2 ** 20:.1f} MiB and "
                    f"{scale_info.get(large, {}).get('pdf bytes', 0) / 2 ** 20:.1f} MiB), because an ACLED "
                    "briefing does not list every event, and the map draws points beyond 2,000 as an image. "
                    "What grows is the briefing notebook's own work (selections, charts over more events).")
                add("")
        if meta.get("scale error"):
            add("The measurement stopped with an error (the reader or its build.py wiring may be mid-change):")
            add("")
            add("```")
            add(meta["scale error"].strip()[-1500:])
            add("```")
            add("")
    scale_md = BENCH / "SCALE.md"  # written by bench/scale.py (the ACLED reader's own benchmark)
    if meta.get("acled") and scale_md.is_file():
        text = scale_md.read_text(encoding="utf-8").strip().splitlines()
        if text and text[0].startswith("#"):
            text = text[1:]
        while text and not text[0].strip():
            text = text[1:]
        add("### The ACLED cleaning step alone (bench/scale.py)")
        add("")
        add("Folded in from `bench/SCALE.md` as `bench/scale.py` last wrote it (not re-measured by run.py; run "
            "`bench/scale.py` to refresh it). It times the reader's stages in one process, without kernels or "
            "rendering.")
        add("")
        lines.extend(line.replace("## ", "#### ", 1) if line.startswith("## ") else line for line in text)
        add("")

    sources_cost = variant("full") - variant("no sources") if s.get("pdf variant: full") else float("nan")
    png_saving = variant("full") - variant("charts as PNG") if s.get("pdf variant: full") else float("nan")
    png_size = (pdf_info["charts as PNG"]["bytes"] / max(1, pdf_info["full"]["bytes"])
                if pdf_info.get("full") and pdf_info.get("charts as PNG") else float("nan"))
    add("## What changed because of the profiles, and what is left")
    add("")
    add("The previous RESULTS.md (same machine, 2026-11-24, before this change) measured the cold build at "
        "8.87 s, the naive chain at 20.5 s (2.32×) and the batch at 26.4 s (2.97× the single build by the "
        "medians, 3.19× by the minima), on a machine under some outside load. Changed since, after the profiles "
        "above; unlike the changes before them, these change what the briefing looks like, each for the better "
        "on its own account:")
    add("")
    add("1. **Chart text stays text in the SVG** (`svg.fonttype: none`, DejaVu Sans with the reader's sans-serif "
        "as fallback): WeasyPrint sets the labels as text instead of drawing every glyph as a path, the SVG "
        "files are half the size, and the labels can be selected and searched in the PDF and edited in a "
        "drawing program. The PNG files are unchanged. About 0.7 s less per PDF of the all-Mali briefing, "
        "0.1 s less in the cells.")
    add("2. **Long tables of text keep set column widths on paper** (the every-event table, the out-of-scope, "
        "count-rule and flag tables: `table-layout: fixed` from widths carried by each table), so WeasyPrint no "
        "longer measures every cell to size the columns. Text columns are now set flush left and figures flush "
        "right, identifiers unbroken, and long headings wrap: one table's people column used to run off the "
        "page (a test now checks that no word of the PDF lies beyond the margin). The all-Mali PDF went from "
        "24 to 21 pages.")
    add("3. **A regional briefing lists only its own out-of-scope rows**: the cleaning places them in regions "
        "with the gazetteer. Regions with none show no table (Kidal's PDF: 10 pages to 7), which each of the "
        "batch's 11 PDFs used to lay out in full.")
    add("4. **The renderers are warmed up in idle time** (`render.warm_up`: templates compiled, CSS selectors "
        "parsed, fonts loaded, ~0.3 s a process): by build.py's preload thread while the kernel runs the "
        "briefing, and once by the batch's fork server for every worker.")
    add("")
    add("Earlier changes still in place (the outputs byte for byte as before each): a kernel server that imports "
        "the notebooks' modules once and forks a fresh kernel per notebook (`malibrief/kernel_server.py`); no "
        "idle waits around kernels (no 0.2 s IOPub listening after the ready check, a pidfd instead of 0.1 s "
        "polls at kill); one nbconvert export for both outputs, the exporter made once per process; batch "
        "workers forked from a preloaded fork server; `gc.freeze()` before each render; build.py refuses the "
        "import of `rfc3987_syntax`, whose grammar jsonschema builds at import for a format check nbformat never "
        f"makes ({fmt(med(s, 'import rfc3987_syntax'))} s in a fresh process); the renderers imported on a "
        "thread while the briefing runs; the cleaning's event building on plain records (0.64 s → 0.03 s); "
        "each chart's crop computed once for its PNG and SVG; the executed notebook written once, at the end; "
        "CSV written by pyarrow (events.csv for 300,000 ACLED rows 1.76 s → 0.20 s); batches run the largest "
        "briefings first.")
    add("")
    add("Left, by the time at stake:")
    add("")
    add(f"1. **The PDF render ({fmt(pdf_total)} s)** is the largest step of a build. WeasyPrint lays "
        f"out and draws in Python, mostly setting text (Pango calls through cffi, one line at a time); the "
        f"sources section costs {fmt(sources_cost)} s of it; "
        + (f"PNG charts would save {fmt(png_saving)} s at {png_size:.1f}× the file size and blurrier print, which "
           "is not a clear win." if png_saving > 0 else
           f"PNG charts would save nothing now that the SVG charts' text is set as text ({fmt(-png_saving)} s "
           f"slower, at {png_size:.1f}× the file size)."))
    add(f"2. **The briefing's cells ({fmt(p('briefing: cells'))} s)**: mostly matplotlib laying out and drawing "
        "six charts for their files: the crop (0.08 s for all six), the 200 dpi PNGs (about 0.7 s, of which "
        "0.15 s compressing) and the SVGs (about 0.3 s). The PNGs are what people paste into slides and "
        "documents; a lower resolution would save a little and is an editor's call, not a benchmark's.")
    add("")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each measurement (default 5)")
    parser.add_argument("--quick", action="store_true", help="2 runs, for trying the benchmark itself")
    parser.add_argument("--no-batch", action="store_true", help="skip the --each regions batch (the slowest part)")
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS.md", help="where to write the report")
    parser.add_argument("--in-place", action="store_true",
                        help="measure the working tree itself, not a copy taken at the start")
    parser.add_argument("--no-scale", action="store_true", help="skip the ACLED scale measurement")
    parser.add_argument("--scale-rows", default="1000,10000,100000",
                        help="rows of the synthetic ACLED exports (default 1000,10000,100000)")
    parser.add_argument("--scale-runs", type=int, default=3, help="runs per export size (default 3, at most --runs)")
    parser.add_argument("--from-json", type=Path, metavar="RESULTS_JSON",
                        help="measure nothing: write the report again from a results.json of an earlier run")
    args = parser.parse_args(argv)
    if args.from_json:
        raw = json.loads(args.from_json.read_text(encoding="utf-8"))
        cells = {(c["notebook"], c["index"]): {"first_line": c["first_line"], "durations": c["durations"]}
                 for c in raw["cells"]}
        text = report(defaultdict(list, raw["samples"]), cells, raw.get("pdf_cprofile"), raw.get("pdf_variants", {}),
                      {int(k): v for k, v in raw.get("scale", {}).items()}, raw["machine"], raw["meta"])
        args.results.write_text(text, encoding="utf-8")
        print(f"bench: wrote {args.results} from {args.from_json}")
        return 0
    sizes = [int(n) for n in args.scale_rows.split(",") if n.strip()]
    runs = 2 if args.quick else max(1, args.runs)
    started = time.perf_counter()
    env = machine()
    meta = {"runs": runs, "no_batch": args.no_batch, "load_start": loadavg(), "in_place": args.in_place}
    print(f"bench: {runs} runs on {env['cores']} cores ({env['cpu model']}); load {meta['load_start']}", flush=True)
    s: dict[str, list[float]] = defaultdict(list)
    cells: dict = {}
    pdf_info: dict = {}
    scale_info: dict = {}
    pdf_profile = None
    global PROJECT
    with tempfile.TemporaryDirectory(prefix="malibrief-bench-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            if not args.in_place:
                PROJECT = snapshot(tmp)
                ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")]))
                _, stdout = run([PY, "-c", "import malibrief; print(malibrief.__file__)"], "snapshot check")
                if not Path(stdout.strip()).resolve().is_relative_to(PROJECT.resolve()):
                    raise BenchError(f"malibrief is imported from {stdout.strip()}, not from the copy {PROJECT}")
            meta["code hash"] = tree_hash(PROJECT)
            meta["acled"] = acled_available()
            print(f"bench: measuring {'the working tree' if args.in_place else 'a copy of the working tree'} "
                  f"(code hash {meta['code hash']})", flush=True)
            warmup = tmp / "warmup"
            t, _ = run([PY, "build.py", "--force", "--quiet", "--out", warmup, *RAW], "warm-up build")
            executed = warmup / "executed" / "02-briefing.ipynb"
            need(executed, warmup / "briefing.pdf")
            print(f"bench: warm-up build {t:.1f} s (not counted)", flush=True)
            exports = None
            if meta["acled"] and not args.no_scale:
                try:
                    exports = make_exports(tmp, sizes)
                except BenchError as err:
                    meta["scale error"] = str(err)[:3000]
            meta["scale"] = {"sizes": sizes, "runs": min(runs, max(1, args.scale_runs)),
                             "skipped": args.no_scale, "years": SCALE_YEARS}
            for i in range(1, runs + 1):
                # Rotate the order each round so no measurement always follows the same neighbour.
                steps = [("cold build + rebuild", lambda: measure_build(tmp, i, s)),
                         ("naive chain", lambda: measure_naive(tmp, i, s)),
                         ("floor", lambda: measure_floor(tmp, i, s, executed)),
                         ("instrumented build", lambda: measure_profile(tmp, i, s, cells)),
                         ("PDF variants", lambda: measure_pdf_variants(tmp, i, s, warmup, pdf_info))]
                shift = (i - 1) % len(steps)
                steps = steps[shift:] + steps[:shift]
                if not args.no_batch:
                    steps.append(("batch", lambda: measure_batch(tmp, i, s)))
                for label, step in steps:
                    step()
                if exports and i <= meta["scale"]["runs"]:
                    try:
                        measure_scale(tmp, i, s, exports, scale_info)
                    except BenchError as err:  # a reader still being built may fail; the rest still counts
                        meta["scale error"] = str(err)[:3000]
                        exports = None
                summary = ", ".join(f"{k} {s[k][-1]:.1f} s" for k in ("build", "warm", "naive", "floor", "batch")
                                    if s.get(k))
                if exports and i <= meta["scale"]["runs"]:
                    summary += ", ACLED " + ", ".join(f"{rows} rows {s[f'scale {rows}: build'][-1]:.1f} s"
                                                     for rows in exports)
                print(f"bench: run {i}/{runs}: {summary}", flush=True)
                for leftover in tmp.glob(f"r{i}-*"):
                    shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
            if meta.get("scale error"):
                print(f"bench: ACLED scale measurement failed: {meta['scale error'][:500]}", file=sys.stderr)
            result = tmp / "cprofile-pdf.json"
            run([PY, tool("_cprofile_pdf.py"), executed, warmup / "processed", tmp / "cprofile.pdf", result],
                "cProfile of the PDF render")
            pdf_profile = json.loads(result.read_text())
        except BenchError as err:
            print(f"bench: {err}", file=sys.stderr)
            return 1
    meta["load_end"] = loadavg()
    meta["elapsed"] = time.perf_counter() - started
    text = report(s, cells, pdf_profile, pdf_info, scale_info, env, meta)
    args.results.write_text(text, encoding="utf-8")
    raw = {"machine": env, "meta": meta, "samples": s,
           "cells": [{"notebook": nb, "index": i, **v} for (nb, i), v in sorted(cells.items())],
           "pdf_variants": pdf_info, "scale": {str(k): v for k, v in scale_info.items()},
           "pdf_cprofile": pdf_profile}
    args.results.with_name("results.json").write_text(json.dumps(raw, indent=1), encoding="utf-8")
    print(f"bench: wrote {args.results} in {meta['elapsed'] / 60:.1f} min", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
