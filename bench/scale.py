#!/usr/bin/env python3
"""Scale benchmark: the ACLED cleaning step on generated exports of 10,000, 100,000 and 1,000,000 rows.

Each size is generated once (not timed) by malibrief.acled_sample, with realistic notes text; then each run
is a fresh Python process that reads, validates, cleans (maps and checks) and writes, timing each stage and
reading the process's peak resident memory after it. Writes bench/SCALE.md.

    python bench/scale.py [--runs 5] [--sizes 10000 100000 1000000]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_SECONDS, TARGET_MB = 15, 2048
STAGE = r"""
import json, resource, sys, time
from pathlib import Path
from malibrief.cleaning import acled, export
from malibrief.cleaning import incidents as clean
from malibrief.cleaning.places import MaliOutline

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

path, out = Path(sys.argv[1]), Path(sys.argv[2])
result, t = {}, time.perf_counter()
read = acled.read(path)
result["read"] = (time.perf_counter() - t, peak()); t = time.perf_counter()
rows = acled.locate(acled.validate(read), MaliOutline()).frame
result["validate"] = (time.perf_counter() - t, peak()); t = time.perf_counter()
log = clean.CleaningLog()
events, mapping = acled.to_events(rows, path.name)
events, violations = clean.finalise(events, log)
result["clean"] = (time.perf_counter() - t, peak()); t = time.perf_counter()
files = export.processed_files(clean.Cleaned(events, events, violations, log.table()), acled.sources_row(path, events), {})
export.write_all(files, out)
result["write"] = (time.perf_counter() - t, peak())
result["events"] = len(events)
print(json.dumps(result))
"""
STAGES = ("read", "validate", "clean", "write")


def measure(path: Path, runs: int) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            done = subprocess.run([sys.executable, "-c", STAGE, str(path), out], capture_output=True, text=True,
                                  check=True)
            results.append(json.loads(done.stdout))
    return results


def report(sizes_results: dict[int, list[dict]]) -> str:
    lines = ["## Scale: the ACLED cleaning step", "",
             "Median seconds over the runs (min-max), and the process's peak resident memory after each stage "
             f"(medians). Target at 1,000,000 rows: at most {TARGET_SECONDS} s and {TARGET_MB / 1024:.0f} GB for the "
             "whole step.", "",
             "| rows | events | read | validate | clean | write | total s (min-max) | peak MB | s per 100k rows |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size, results in sizes_results.items():
        stages = {s: statistics.median(r[s][0] for r in results) for s in STAGES}
        totals = [sum(r[s][0] for s in STAGES) for r in results]
        peak = statistics.median(r["write"][1] for r in results)
        lines.append(f"| {size:,} | {results[0]['events']:,} | " + " | ".join(f"{stages[s]:.2f}" for s in STAGES)
                     + f" | {statistics.median(totals):.2f} ({min(totals):.2f}-{max(totals):.2f}) | {peak:,.0f} | "
                     f"{statistics.median(totals) / size * 100_000:.2f} |")
    largest = max(sizes_results)
    total = statistics.median(sum(r[s][0] for s in STAGES) for r in sizes_results[largest])
    peak = statistics.median(r["write"][1] for r in sizes_results[largest])
    verdict = "meets" if total <= TARGET_SECONDS and peak <= TARGET_MB else "misses"
    lines += ["", f"At {largest:,} rows the step takes {total:.1f} s and peaks at {peak:,.0f} MB: it {verdict} the "
              f"target ({TARGET_SECONDS} s, {TARGET_MB:,} MB).", ""]
    return "\n".join(lines)


def main() -> None:
    sys.path.insert(0, str(HERE.parent))
    from malibrief.cleaning import acled_sample

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = acled_sample.write_export(Path(folder) / f"acled-{size}.csv", size, seed=7, repeat_share=0.05)
            results[size] = measure(path, args.runs)
            print(f"{size:,} rows: done", file=sys.stderr)
    (HERE / "SCALE.md").write_text(report(results), encoding="utf-8")
    print(report(results))


if __name__ == "__main__":
    main()
