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
from ..export import write_all
from .candidates import propose
from .chapter import read_chapter


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m malibrief.propose", description=__doc__.splitlines()[0])
    ap.add_argument("chapter", type=Path, help="the chapter: a plain-text file, or a saved web page (.html)")
    ap.add_argument("--source-id", required=True, help="its source_id, e.g. AI-2025 (as in data/raw/sources.csv)")
    ap.add_argument("--year", required=True, type=int, help="the year the chapter covers (its title line ends in it)")
    ap.add_argument("--out", required=True, type=Path, help="the candidates CSV to write (never inside data/raw)")
    ap.add_argument("--reference-dir", type=Path, default=config.REFERENCE, help="folder of the reference tables")
    ap.add_argument("--raw-dir", type=Path, default=config.RAW,
                    help="folder whose incidents.csv gives the next free mention number (read only)")
    ap.add_argument("--sources-dir", type=Path,
                    help="also write the chapter's plain text there as <source_id lower case>.txt, so that "
                         "check_sources.py --sources DIR can check the candidates (needed for a saved web page)")
    args = ap.parse_args(argv)
    for option, path in (("--out", args.out), ("--sources-dir", args.sources_dir)):
        if path is not None and _inside(path, config.RAW):
            ap.error(f"{option} {path} is inside data/raw: propose never writes there; review the candidates, "
                     "then append the confirmed rows to data/raw/incidents.csv yourself")
    if args.sources_dir is not None and _inside(args.sources_dir, config.ROOT) \
            and not _inside(args.sources_dir, config.ROOT / "build"):
        ap.error(f"--sources-dir {args.sources_dir} is inside the project but not under build/: the sources' text "
                 "is never committed")
    start = time.perf_counter()
    try:
        text = read_chapter(args.chapter)
        frame = propose(args.chapter, args.source_id, args.year, args.reference_dir, args.raw_dir, text=text)
    except (OSError, UnicodeDecodeError, ValueError, DataError) as err:
        print(f"propose: {args.chapter}: {err}", file=sys.stderr)
        return 2
    write_all({args.out.name: frame.to_csv(index=False, lineterminator="\n")}, args.out.parent)
    if args.sources_dir is not None:
        write_all({f"{args.source_id.lower()}.txt": text}, args.sources_dir)
    print(f"{len(frame)} candidates from {args.chapter} written to {args.out} "
          f"({time.perf_counter() - start:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
