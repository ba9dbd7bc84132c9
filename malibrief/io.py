"""One home for reading and writing files: the CSV reader, the CSV writer and the atomic writers.

Every layer reads its tables with `read_csv` (errors name file and line), writes CSV text with `to_csv_text`
(deterministic), writes a file with `atomic_write` (never half a file) and a set of files that belong together
(the processed tables, a briefing, its charts) with `staged` (never half a set, never old and new mixed).
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from filelock import FileLock

from malibrief.errors import DataError, Problem, raise_if

if TYPE_CHECKING:
    import pandas as pd

READ = dict(dtype=str, keep_default_na=False)


def _record_lines(text: str) -> list[int]:
    """The line each data record starts on (header = line 1), counting quoted line breaks."""
    reader, starts, previous = csv.reader(io.StringIO(text)), [], 0
    for record in reader:
        if record:
            starts.append(previous + 1)
        previous = reader.line_num
    return starts[1:]


def _stray_quote(text: str) -> tuple[str, int] | None:
    """A quote that opens a field and is never closed, or closes in the middle of a field: the message and
    the line where the quote opens. Without this the parser reads on past the line ends into later rows, and
    the error (if any) names where it gave up, not where the quote opened."""
    line, opened, at_field_start, i = 1, None, True, 0
    while i < len(text):
        char = text[i]
        if opened is not None:  # inside a quoted field
            if char == '"' and text[i + 1:i + 2] == '"':
                i += 1
            elif char == '"':
                following = text[i + 1:i + 2]
                if following not in ("", ",", "\n", "\r"):
                    return (f"is not well-formed CSV: the quote that opens a field on line {opened} closes on line "
                            f"{line} in the middle of the field (a quote inside a field is written twice: \"\")",
                            opened)
                opened, at_field_start = None, False
            elif char == "\n":
                line += 1
        elif char == '"' and at_field_start:
            opened = line
        else:
            at_field_start = char in ",\n\r"
            line += char == "\n"
        i += 1
    if opened is not None:
        return f"is not well-formed CSV: an unclosed quote opens a field on line {opened} and never closes", opened
    return None


def _wrong_width(text: str) -> tuple[str, int] | None:
    """The first record with more fields than the header, and its line: pandas would otherwise read an extra field
    in the first row as an index column and shift every column, or name no line."""
    reader = csv.reader(io.StringIO(text))
    header, start = next(reader, []), 2
    for record in reader:
        if len(record) > len(header):
            return (f"is not well-formed CSV: the record on line {start} has {len(record)} fields and the header "
                    f"{len(header)} (a comma too many, or a field with a comma that needs quotes)", start)
        start = reader.line_num + 1
    return None


def read_csv(path: Path, required: tuple[str, ...] = ()) -> pd.DataFrame:
    """A table as text, indexed by line number, with a clear error for a missing, empty, mis-encoded
    or malformed file."""
    import pandas as pd  # here, not at the top: the build's no-change run imports this module and no pandas

    def fail(message, line=None):
        raise DataError([Problem(str(path), line, None, None, message)]) from None

    try:
        data = Path(path).read_bytes()
    except OSError as err:
        fail(f"cannot be read: {err.strerror}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        fail(f"is not UTF-8 text (byte {err.start}): save it as UTF-8", data[:err.start].count(b"\n") + 1)
    quote = _stray_quote(text)
    if quote:
        fail(*quote)
    width = _wrong_width(text)
    if width:
        fail(*width)
    try:
        frame = pd.read_csv(io.StringIO(text), **READ)
    except pd.errors.EmptyDataError:
        fail("is empty: it needs a header and rows")
    except pd.errors.ParserError as err:
        row = re.search(r"row (\d+)", str(err))
        fail(f"is not well-formed CSV (a row with too many fields): {err}", int(row[1]) + 1 if row else None)
    missing = [c for c in required if c not in frame.columns]
    raise_if(Problem(str(path), 1, c, None, "required column is missing") for c in missing)
    if frame.empty:
        fail("has a header but no rows")
    frame.index = _record_lines(text)
    return frame


def to_csv_text(frame: pd.DataFrame) -> str:
    """Deterministic CSV: ISO dates, text always quoted, empty for missing, Unix line ends.

    Written by pyarrow's CSV writer, about ten times as fast as pandas' at a million ACLED rows."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    table = pa.Table.from_pandas(frame, preserve_index=False)
    columns = []
    for column in table.columns:
        if pa.types.is_timestamp(column.type):
            column = pc.cast(column, pa.date32())
        elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = pc.if_else(pc.equal(column, ""), None, column)  # empty, not "", like any missing value
        columns.append(column)
    sink = io.BytesIO()
    pa_csv.write_csv(pa.table(columns, names=[str(c) for c in table.column_names]), sink)
    return sink.getvalue().decode("utf-8")


def temporary_path(path: Path) -> Path:
    """Where a file is written before it replaces `path`: hidden, beside it, unique, and found by sweep() if a
    kill leaves it; it keeps path's suffix (papermill wants notebooks to end in .ipynb)."""
    path = Path(path)
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")


def atomic_write(out_path: Path, content: bytes | Callable[[BinaryIO], object]) -> Path:
    """Write `content` (bytes, or a function that writes to a binary file) to a temp file beside out_path,
    then os.replace it: readers see the old file or the new one, never half of one."""
    write = content if callable(content) else (lambda f: f.write(content))
    out_path = Path(out_path)
    tmp = temporary_path(out_path)
    f = open(tmp, "xb")  # mode 0o666 minus umask, like a normal file
    try:
        with f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out_path


# A set of files is a folder, written whole into a staging folder beside it and switched in by two renames:
#   1. <target>      -> .<name>.old-<id>     (skipped when there is no old set)
#   2. .<name>.staging-<id> -> <target>
#   3. .<name>.old-<id> is removed
# The old set is whole until 2 and the new one from 2; the staging folder is complete before 1 starts, so
# recover() finishes a switch killed between 1 and 2 and removes what a killed writer left.


def _sibling(target: Path, kind: str, run_id: str = "*") -> Path:
    return target.parent / f".{target.name}.{kind}-{run_id}"


def set_lock(target: Path) -> FileLock:
    """The lock of one output set, in a file beside it: one writer (or recovery) at a time."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(target.parent / f".{target.name}.lock")


def _recover(target: Path) -> None:
    for old in target.parent.glob(_sibling(target, "old").name):
        staging = _sibling(target, "staging", old.name.rsplit("-", 1)[1])
        if not target.exists():  # killed between the two renames
            os.replace(staging if staging.is_dir() else old, target)
        shutil.rmtree(old, ignore_errors=True)
    for leftover in target.parent.glob(_sibling(target, "staging").name):
        shutil.rmtree(leftover, ignore_errors=True)  # a writer killed before its switch
    for tmp in target.parent.glob(f".{target.name}.*.tmp{target.suffix}"):  # an atomic_write killed midway
        tmp.unlink(missing_ok=True)


def recover(target: Path) -> None:
    """Finish a switch left half done at `target` and remove the staging folders and temporary files that a
    killed writer left beside it."""
    with set_lock(target):
        _recover(Path(target))


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    """An empty staging folder to write the set `target` into; when the block ends without error it replaces
    `target` whole. An error in the block or in the switch leaves `target` as it was."""
    target = Path(target)
    with set_lock(target):
        _recover(target)
        run_id = uuid.uuid4().hex[:8]
        staging = _sibling(target, "staging", run_id)
        staging.mkdir()
        try:
            yield staging
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        old = _sibling(target, "old", run_id)
        try:  # on Windows a set cannot be moved while one of its files is open in another program
            if target.exists():
                os.replace(target, old)
            os.replace(staging, target)
        except BaseException:
            if old.exists() and not target.exists():
                os.replace(old, target)  # if this fails too, the next recover() finishes the switch
            shutil.rmtree(staging, ignore_errors=True)
            raise
        shutil.rmtree(old, ignore_errors=True)


def sweep(folder: Path) -> None:
    """Remove the temporary files that atomic_write calls killed outright left anywhere under `folder`; only for
    a folder no one else is writing into (the build holds its lock)."""
    for tmp in Path(folder).rglob(".*.tmp*"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
