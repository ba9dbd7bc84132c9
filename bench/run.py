#!/usr/bin/env python3
"""Benchmark the build against its floor and against the Linux-only build it replaced, in one run.

    python bench/run.py [--runs 3] [--results bench/RESULTS.md]

Every build writes into a temporary --out with -p raw_dir data/raw, so the project's data/processed, figures/
and build/ are never touched. The old build (commit OLD, before the layers change) runs from a `git worktree`
of that commit, with its own data and code first on PYTHONPATH. Rounds are interleaved (one of each
measurement per round) so that outside load spreads over all of them. The report is RESULTS.template.md filled.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
OLD = "ef9d5f0"  # today's Linux-only build: forked kernels from a kernel server, fork-server pool
KERNEL_START = """
import time
from jupyter_client import KernelManager
from malibrief.notebook import notebook_imports
from malibrief.pipeline.plan import BRIEFING_NB, CLEAN_NB

def started():
    km = KernelManager(kernel_name="python3")
    t = time.perf_counter()
    km.start_kernel()
    kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=60)
    return km, kc, time.perf_counter() - t

km, kc, start = started()
kc.stop_channels(); km.shutdown_kernel(now=True)
imports = []
for notebook in (CLEAN_NB, BRIEFING_NB):  # each in a fresh kernel, as the build's kernels run them when they boot
    km, kc, _ = started()
    t = time.perf_counter()
    assert kc.execute_interactive(notebook_imports(notebook), timeout=60)["content"]["status"] == "ok"
    imports.append(time.perf_counter() - t)
    kc.stop_channels(); km.shutdown_kernel(now=True)
print(start, *imports)
"""
RENDER = """
import sys, time, nbformat
from pathlib import Path
import weasyprint
from malibrief import briefing
from malibrief.briefing import analysis, html, prose  # imported before the clock starts: the renders alone are timed
from malibrief.pipeline.plan import plan
out, floor = Path(sys.argv[1]), Path(sys.argv[2])
path = out / "briefing" / "executed" / "02-briefing.ipynb"
parameters = plan({"raw_dir": "data/raw"}, out, None)[2][0][1]  # as the cold build rendered it
timings = []
for write in (html.render_html, html.render_pdf, None):  # one render per output, then both from one export
    nb = nbformat.read(path, as_version=4)
    t = time.perf_counter()
    if write is None:
        briefing.render(nb, floor / "floor.html", floor / "floor.pdf", parameters)
    else:
        nb.metadata["briefing"] = briefing.cover(parameters)
        write(nb, floor / ("floor.pdf" if write is html.render_pdf else "floor.html"))
    timings.append(time.perf_counter() - t)
print(*timings)
"""


def timed(command: list[str], cwd: Path = ROOT, env: dict | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"bench: {' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return elapsed, done.stdout + done.stderr


def cpu_seconds() -> float:
    """User and system CPU time of the processes this one has waited for: a build, its workers and kernels."""
    import resource  # POSIX only, like the old build this benchmark compares with

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cells(notebook: Path) -> float:
    """Seconds the code cells took, as papermill records them in the executed notebook."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return sum(c["metadata"].get("papermill", {}).get("duration") or 0 for c in nb["cells"])


def build(tree: Path, out: Path, *args: str) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return timed([sys.executable, str(tree / "build.py"), "-p", "raw_dir", "data/raw", "--out", str(out), *args],
                 cwd=tree, env=env)


def one_round(tmp: Path, old_tree: Path, n: int, batch: bool) -> dict[str, float]:
    got, out = {}, tmp / "new"
    cpu = cpu_seconds()
    got["cold"], _ = build(ROOT, out, "--force", "-q")
    got["cold, CPU-seconds"] = cpu_seconds() - cpu
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start, *imports = map(float, timed([sys.executable, "-c", KERNEL_START], env=env)[1].split()[:3])
    got["kernel start"] = start
    got["imports, cleaning"], got["imports, briefing"] = imports
    got["cells, cleaning"] = cells(out / "executed" / "01-clean.ipynb")
    got["cells, briefing"] = cells(out / "briefing" / "executed" / "02-briefing.ipynb")
    rendered = timed([sys.executable, "-c", RENDER, str(out), str(tmp)], env=env)[1].split()[:3]
    got["render, HTML"], got["render, PDF"], shared = map(float, rendered)
    got["floor"] = sum(value for name, value in got.items() if not name.startswith("cold"))
    got["render, both from one export"] = shared
    got["floor with one shared render"] = got["floor"] - got["render, HTML"] - got["render, PDF"] + shared
    got["no-change rebuild"], log = build(ROOT, out)
    assert log.count("unchanged, skipped") == 2, log
    got["changed briefing parameter"], log = build(ROOT, out, "-p", "estimate", ["low", "high"][n % 2])
    assert "cleaning: unchanged, skipped" in log and "executing 02-briefing.ipynb" in log, log
    got["old cold"], _ = build(old_tree, tmp / "old", "--force", "-q")
    if batch:
        cpu = cpu_seconds()
        got["batch"], _ = build(ROOT, tmp / "batch", "--force", "-q", "--each", "regions")
        got["batch, CPU-seconds"] = cpu_seconds() - cpu
    return got


def row(name: str, values: list[float]) -> str:
    return f"| {name} | {statistics.median(values):.2f} | {min(values):.2f}–{max(values):.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-batch", action="store_true", help="skip the 11-region batch (the slowest part)")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    load_before, started = os.getloadavg(), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        tmp, old_tree = Path(folder), Path(folder) / "old-tree"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old_tree), OLD], cwd=ROOT, check=True)
        try:
            build(ROOT, tmp / "new", "-q")  # untimed warm-up of both, so that the first round is not the coldest
            build(old_tree, tmp / "old", "-q")
            rounds = [one_round(tmp, old_tree, n, not args.no_batch) for n in range(args.runs)]
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)], cwd=ROOT, check=False)
    m = {name: [r[name] for r in rounds] for name in rounds[0]}
    med = {name: statistics.median(values) for name, values in m.items()}
    ratio = lambda a, b: f"{med[a] / med[b]:.2f}× (minima {min(m[a]) / min(m[b]):.2f}×)"  # noqa: E731
    verdict = lambda ok: "**met**" if ok else "**not met**"  # noqa: E731
    report = Template((ROOT / "bench" / "RESULTS.template.md").read_text(encoding="utf-8")).substitute(
        runs=args.runs, minutes=f"{(time.perf_counter() - started) / 60:.1f}", old=OLD,
        commit=subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip(),
        load_before=" ".join(f"{x:.2f}" for x in load_before), load_after=" ".join(f"{x:.2f}" for x in os.getloadavg()),
        cores=os.cpu_count(), machine=f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"papermill {version('papermill')}, jupyter_client {version('jupyter_client')}",
        rows="\n".join(row(name, values) for name, values in m.items()),
        cold_floor=ratio("cold", "floor"), cold_shared=ratio("cold", "floor with one shared render"),
        cold_old=ratio("cold", "old cold"),
        nochange=f"{med['no-change rebuild']:.2f} s", nochange_met=verdict(med["no-change rebuild"] < 0.5),
        floor_met=verdict(med["cold"] <= med["floor"]),
        shared_met=verdict(med["cold"] <= med["floor with one shared render"]),
        briefing_only=f"{med['changed briefing parameter']:.2f} s",
        batch=ratio("batch", "cold") if "batch" in m else "not measured (--no-batch)",
        batch_met=verdict(med["batch"] <= 3 * med["cold"]) if "batch" in m else "–",
        batch_cores=f"{med['batch, CPU-seconds'] / (3 * med['cold']):.1f}" if "batch" in m else "–")
    args.results.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
