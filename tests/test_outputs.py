"""Output sets are replaced whole (malibrief.io.staged): an error, a fault inside the switch or a kill at any
moment leaves the whole old set or the whole new one, and the next run recovers a switch left half done."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from malibrief import io
from malibrief.cleaning import export

FILES = 40


def write_set(folder: Path, generation: int) -> None:
    for n in range(FILES):
        (folder / f"part-{n:02}.txt").write_text(f"{generation}\n" * 2000)


def generation(folder: Path) -> int:
    """The one generation every file of the set holds; fails on a partial or mixed set."""
    found = {(folder / f"part-{n:02}.txt").read_text() for n in range(FILES)}
    assert sorted(p.name for p in folder.iterdir()) == [f"part-{n:02}.txt" for n in range(FILES)]
    assert len(found) == 1, "a mixed set"
    text = found.pop()
    assert len(set(text.splitlines())) == 1 and text.count("\n") == 2000, "a partial file"
    return int(text.splitlines()[0])


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.rglob("*") if ".staging-" in p.name or ".old-" in p.name
                  or ".tmp" in p.name)


def test_a_set_is_replaced_whole(tmp_path):
    target = tmp_path / "set"
    for n in (1, 2):
        with io.staged(target) as staging:
            write_set(staging, n)
        assert generation(target) == n
    assert leftovers(tmp_path) == []


def test_an_error_while_writing_leaves_the_old_set(tmp_path):
    target = tmp_path / "set"
    with io.staged(target) as staging:
        write_set(staging, 1)
    with pytest.raises(RuntimeError), io.staged(target) as staging:
        write_set(staging, 2)
        raise RuntimeError("the notebook failed")
    assert generation(target) == 1 and leftovers(tmp_path) == []


def failing_replace(monkeypatch, fail_from: int, fail_until: int = 10**9):
    """os.replace, as malibrief.io calls it, failing from its `fail_from`-th call (1-based) to `fail_until`."""
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append((src, dst))
        if fail_from <= len(calls) <= fail_until:
            raise OSError(28, "No space left on device (injected)")
        return real(src, dst)

    monkeypatch.setattr(io.os, "replace", replace)
    return calls


def test_a_fault_in_the_switch_puts_the_old_set_back(tmp_path, monkeypatch):
    target = tmp_path / "set"
    with io.staged(target) as staging:
        write_set(staging, 1)
    failing_replace(monkeypatch, 2, 2)  # the old set is moved aside, then moving the new one in fails
    with pytest.raises(OSError, match="injected"), io.staged(target) as staging:
        write_set(staging, 2)
    assert generation(target) == 1 and leftovers(tmp_path) == []


def test_the_next_run_finishes_a_switch_left_half_done(tmp_path, monkeypatch):
    target = tmp_path / "set"
    with io.staged(target) as staging:
        write_set(staging, 1)
    failing_replace(monkeypatch, 2)  # every rename after the first fails: as if the build died between them
    with pytest.raises(OSError, match="injected"), io.staged(target) as staging:
        write_set(staging, 2)
    assert not target.exists() and leftovers(tmp_path)
    monkeypatch.undo()
    io.recover(target)  # what the next build does first
    assert generation(target) == 2 and leftovers(tmp_path) == []


def test_the_cleaning_export_is_replaced_whole(tmp_path, monkeypatch):
    """export.write_all, failing between two renames, used to leave data/processed without datapackage.json."""
    out = tmp_path / "processed"
    old = {"events.csv": "a\n1\n", "datapackage.json": "{}\n"}
    export.write_all(old, out)
    failing_replace(monkeypatch, 2, 2)
    with pytest.raises(OSError, match="injected"):
        export.write_all({"events.csv": "a\n2\n", "violations.csv": "b\n", "datapackage.json": "{ }\n"}, out)
    assert {p.name: p.read_text() for p in out.iterdir()} == old and leftovers(tmp_path) == []


WRITER = """
import sys, itertools
from pathlib import Path
from malibrief import io
from test_outputs import write_set
for n in itertools.count(int(sys.argv[2])):
    with io.staged(Path(sys.argv[1])) as staging:
        write_set(staging, n)
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killed_at_any_moment_a_set_is_whole_old_or_whole_new(tmp_path):
    """A writer replacing a set over and over, killed outright at 30 moments: after each kill the set is whole
    (or, killed between the two renames, made whole by recover), and nothing is left beside it."""
    target = tmp_path / "set"
    with io.staged(target) as staging:
        write_set(staging, 1)
    path = [str(Path(__file__).parent), str(Path(io.__file__).parent.parent), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    seen = set()
    for attempt in range(30):
        before = generation(target)
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(before + 1)], env=env)
        time.sleep(0.4 + 0.041 * attempt)  # start-up, then a spread of moments within the writes
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        if target.exists():
            seen.add("whole")
            assert generation(target) >= before
        else:
            seen.add("between the renames")
        io.recover(target)
        assert generation(target) >= before
        assert leftovers(tmp_path) == []
    assert "whole" in seen
