"""python -m malibrief.propose CHAPTER --source-id AI-2025 --year 2025 --out build/candidates.csv

Proposes the incidents of a new chapter for a coder to review; never writes into data/raw.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .. import config
from ..errors import DataError
from .candidates import check_out_paths, propose, write
from .chapter import read_chapter


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m malibrief.propose", description=__doc__.splitlines()[0])
    ap.add_argument("chapter", type=Path, help="the chapter: a plain-text file, or a saved web page (.html)")
    ap.add_argument("--source-id", required=True, help="its source_id, e.g. AI-2025 (as in data/raw/sources.csv)")
    ap.add_argument("--year", required=True, type=int, help="the year the chapter covers (its title line ends in it)")
    ap.add_argument("--out", required=True, type=Path, help="the candidates CSV to write (never inside data/raw)")
    ap.add_argument("--reference-dir", type=Path, default=config.REFERENCE, help="folder of the reference tables")
    ap.add_argument("--raw-dir", type=Path, default=config.RAW,
                    help="folder whose incidents.csv gives the next free mention number (only read)")
    ap.add_argument("--sources-dir", type=Path,
                    help="also write the chapter's plain text there as <source_id lower case>.txt, so that "
                         "check_sources.py --sources DIR can check the candidates (needed for a new chapter "
                         "or a saved web page; under build/ or outside the project)")
    args = ap.parse_args(argv)
    try:
        check_out_paths(args.out, args.sources_dir)
    except ValueError as err:
        ap.error(str(err))
    start = time.perf_counter()
    try:
        text = read_chapter(args.chapter)
        frame = propose(args.chapter, args.source_id, args.year, args.reference_dir, args.raw_dir, text=text)
        write(frame, args.out, text, args.source_id, args.sources_dir)
    except (OSError, UnicodeDecodeError, ValueError, DataError) as err:
        print(f"propose: {args.chapter}: {err}", file=sys.stderr)
        return 2
    print(f"{len(frame)} candidates from {args.chapter} written to {args.out} ({time.perf_counter() - start:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
