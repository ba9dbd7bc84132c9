"""The command line: `python build.py [-p NAME VALUE ...] [-f params.yaml] [--each NAME] [--out DIR]`."""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

import yaml

from malibrief import config
from malibrief.notebook import notebook_parameters
from malibrief.params import LIST_PARAMETERS, ParameterError
from malibrief.pipeline.plan import (
    ACLED_NB,
    BRIEFING_NB,
    CLEAN_NB,
    CLEANING,
    DEFAULT_OUT,
    PATH_PARAMETERS,
    parse_value,
)

DESCRIPTION = "Build the briefing: execute the notebooks with papermill, render HTML and PDF with nbconvert."


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
    from malibrief.pipeline.run import BuildError, build

    os.environ.setdefault("MALIBRIEF_ROOT", str(config.ROOT))  # the kernels find the project as this process does
    parser = argparse.ArgumentParser(description=DESCRIPTION, epilog=parameter_help(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="set a notebook parameter (repeatable)")
    parser.add_argument("-f", "--parameters-file", type=Path, help="YAML file of parameters (-p wins)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: build/)")
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


def run() -> None:
    """The entry point of build.py and malibrief-build: main() in a process that lives only for the build.
    Such a process leaves its garbage to its exit, and its exit leaves it to the operating system: the render
    alone leaves hundreds of thousands of objects in cycles for the collector to find, on the way to the output
    (bench/RESULTS.md). A batch's workers, which render again and again, keep collecting; main() itself, which
    the tests call, leaves the collector alone."""
    from malibrief.pipeline.run import skip_final_collection

    gc.disable()
    skip_final_collection()
    sys.exit(main())
