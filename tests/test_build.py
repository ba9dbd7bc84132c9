"""build.py end to end: the cache re-runs only what changed, batches write one briefing per value with an
index, and parameters reach the notebooks. Each run writes under a temporary --out; `-p raw_dir data/raw`
keeps the project's own data/processed and figures out of it."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from malibrief import config

pytestmark = pytest.mark.slow
# These find the build's processes in /proc and stop them with POSIX signals: Linux only (the build itself is not).
LINUX_ONLY = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc and sends POSIX signals")
ROOT = config.ROOT


def build(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "-p", "raw_dir", "data/raw", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env)


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    """The default build, with IPython's folder (history, profiles) in a temporary folder of its own."""
    out = tmp_path_factory.mktemp("build")
    result = build("--out", str(out), env={**os.environ, "IPYTHONDIR": str(out.parent / f"{out.name}-ipython")})
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


def test_default_build_writes_both_briefings_and_keeps_executed_notebooks(first_build):
    out, result = first_build
    for name in ("briefing/briefing.html", "briefing/briefing.pdf", "executed/01-clean.ipynb",
                 "briefing/executed/02-briefing.ipynb", "processed/events.csv", "briefing/figures/map.svg"):
        assert (out / name).stat().st_size > 0, name
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(f"build: wrote briefing/briefing.html, briefing/briefing.pdf in {out}")


def test_the_build_writes_nothing_into_the_users_ipython_history(first_build):
    out, _ = first_build
    ipython = out.parent / f"{out.name}-ipython"
    assert ipython.is_dir()  # the kernels did use it
    assert not list(ipython.rglob("history.sqlite"))


def test_nothing_changed_means_nothing_runs(first_build):
    out, _ = first_build
    def mtimes():  # of the outputs, not of the cache and lock files
        return {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts
                and not p.name.startswith(".")}

    before = mtimes()
    result = build("--out", str(out))
    assert result.returncode == 0
    assert "cleaning: unchanged, skipped" in result.stderr and "briefing briefing: unchanged, skipped" in result.stderr
    after = mtimes()
    assert before == after


def test_a_changed_briefing_parameter_reruns_only_the_briefing(first_build):
    out, _ = first_build
    cleaned = (out / "executed" / "01-clean.ipynb").stat().st_mtime_ns
    result = build("--out", str(out), "-p", "estimate", "low")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "cleaning: unchanged, skipped" in result.stderr and "executing 02-briefing.ipynb" in result.stderr
    assert (out / "executed" / "01-clean.ipynb").stat().st_mtime_ns == cleaned
    text = BeautifulSoup((out / "briefing" / "briefing.html").read_text(encoding="utf-8"), "html.parser").get_text()
    assert "People (low figure)" in text and "People (best estimate)" not in text


def test_force_runs_everything(first_build):
    out, _ = first_build
    result = build("--out", str(out), "--force")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "cleaning: executing" in result.stderr and "briefing briefing: executing" in result.stderr
    assert "skipped" not in result.stderr


def test_an_output_changed_by_hand_is_made_again(first_build):
    """It used to say "unchanged, skipped" and render from the changed file."""
    out, _ = first_build
    table = out / "processed" / "events.csv"
    good = table.read_bytes()
    table.write_bytes(good.replace(b"Mopti", b"Mopty", 1))
    result = build("--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "cleaning: executing" in result.stderr and table.read_bytes() == good
    assert "briefing briefing: unchanged, skipped" in result.stderr  # its input is as it was


def test_each_renders_one_briefing_per_value_with_an_index(tmp_path):
    result = build("--out", str(tmp_path), "--each", "violations", "-q")
    assert result.returncode == 0, result.stderr[-3000:]
    index = BeautifulSoup((tmp_path / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in index.find_all("a")]
    assert links == [f"{v}/briefing.{e}" for v in ("killing", "detention", "disappearance") for e in ("html", "pdf")]
    for violation in ("killing", "detention", "disappearance"):
        page = BeautifulSoup((tmp_path / violation / "briefing.html").read_text(encoding="utf-8"), "html.parser")
        table = next(t for t in page.find_all("table") if t.find("th").get_text() == "Violation")
        names = {"killing": "Killings", "detention": "Detentions", "disappearance": "Disappearances"}
        assert [tr.find("td").get_text() for tr in table.find("tbody").find_all("tr")] == [names[violation]]


def test_actors_and_flags_are_checked_against_the_chosen_reference_folder(tmp_path):
    """The briefing accepts the perpetrators and flags the cleaning copied from -p reference_dir: so must the
    parameter check that build.py makes before any kernel starts."""
    import shutil

    from malibrief.params import ParameterError
    from malibrief.pipeline import plan as build_module

    reference = tmp_path / "reference"
    shutil.copytree(ROOT / "data" / "reference", reference)
    with open(reference / "actors.csv", "a", encoding="utf-8") as handle:
        handle.write('Test militia,militia,"A militia only this reference folder knows"\n')
    with open(reference / "flags.csv", "a", encoding="utf-8") as handle:
        handle.write('test_flag,"A flag only this reference folder knows"\n')
    chosen = {"actors": ["Test militia"], "exclude_flags": ["test_flag"]}
    with pytest.raises(ParameterError, match="Test militia"):
        build_module.plan(chosen, tmp_path / "out", None)
    _, _, runs = build_module.plan({**chosen, "reference_dir": str(reference)}, tmp_path / "out", None)
    assert runs[0][1]["actors"] == ["Test militia"] and runs[0][1]["exclude_flags"] == ["test_flag"]
    (reference / "flags.csv").unlink()
    with pytest.raises(ParameterError, match="reference_dir: cannot read the flag column of .*flags.csv"):
        build_module.plan({**chosen, "reference_dir": str(reference)}, tmp_path / "out", None)


def test_parameters_file_and_plain_list_values(tmp_path):
    (tmp_path / "params.yaml").write_text("regions: [Gao, Ménaka]\nstart_year: 2022\n", encoding="utf-8")
    result = build("--out", str(tmp_path / "out"), "-f", str(tmp_path / "params.yaml"), "-p", "end_year", "2023", "-q")
    assert result.returncode == 0, result.stderr[-3000:]
    page = tmp_path / "out" / "briefing" / "briefing.html"
    text = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text()
    assert "Killings, detentions and enforced disappearances in Gao and Ménaka (Mali), 2022–2023" in text
    assert "Gao and Ménaka edition" in text


def test_a_kernel_that_dies_is_reported_and_its_notebook_kept(tmp_path):
    import nbformat

    from malibrief.pipeline import run as build_module

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import os\nos._exit(1)")])
    nbformat.write(notebook, tmp_path / "dies.ipynb")
    with pytest.raises(build_module.BuildError) as err:
        build_module.execute(tmp_path / "dies.ipynb", tmp_path / "out" / "dies.ipynb", {}, True)
    assert "dies.ipynb" in str(err.value) and "kept" in str(err.value)


def _marked(mark: str) -> list[int]:
    """Live processes (not zombies) whose environment carries `mark`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if mark.encode() in (entry / "environ").read_bytes() and \
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


@contextlib.contextmanager
def running_batch(tmp_path: Path, **popen):
    """A three-region batch, yielded once its processes are all up (build.py, two workers and their kernels)
    with the mark that finds them; any left at the end are killed."""
    # They all inherit the build's environment, so a mark in it finds them.
    mark = f"MALIBRIEF_TEST_MARK={uuid.uuid4().hex}"
    env = {**os.environ, mark.split("=")[0]: mark.split("=")[1]}
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "-p", "raw_dir", "data/raw", "-q", "--force",
                                "--out", str(tmp_path), "--each", "regions", "-p", "regions", "[Mopti, Gao, Kidal]"],
                               cwd=ROOT, env=env, **popen)
    try:
        deadline = time.monotonic() + 120
        while len(_marked(mark)) < 5 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, "the batch ended before the test could stop it"
        yield process, mark
    finally:
        for pid in _marked(mark):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _left_after_30_s(mark: str) -> list[int]:
    deadline = time.monotonic() + 30
    while _marked(mark) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _marked(mark)


@LINUX_ONLY
def test_a_batch_killed_outright_leaves_no_process_behind(tmp_path):
    with running_batch(tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as (process, mark):
        process.kill()
        process.wait()
        assert _left_after_30_s(mark) == []


@LINUX_ONLY
def test_ctrl_c_stops_a_batch_with_a_message_and_leaves_no_process_behind(tmp_path):
    # A terminal's Ctrl-C: SIGINT to the whole process group, with SIGINT not ignored (as it is in background jobs).
    with running_batch(tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                       preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) as (process, mark):
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 130
        # No KeyboardInterrupt traceback from any process. (A worker that was being started at that moment may
        # still print why it could not start: the pool it was joining is gone.)
        assert "build: interrupted" in err and "KeyboardInterrupt" not in err
        assert _left_after_30_s(mark) == []


# ---------------------------------------------------------------- outputs replaced whole, one build at a time


def set_digest(folder: Path) -> dict[str, str]:
    import hashlib

    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "02-briefing.ipynb"}


def whole_sets(out: Path) -> dict[str, dict]:
    """The processed set and the briefing set (HTML, PDF, charts; the executed notebook, which carries run times,
    by its parameters), after what the next build does first: recover a switch left half done."""
    import json

    from malibrief import io

    for name in ("processed", "briefing"):
        io.recover(out / name)
    notebook = json.loads((out / "briefing" / "executed" / "02-briefing.ipynb").read_text(encoding="utf-8"))
    injected = next(c for c in notebook["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    title = next(line for line in injected["source"] if line.startswith("title"))
    return {"processed": set_digest(out / "processed"), "briefing": set_digest(out / "briefing"), "title": title}


def leftovers(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob("*") if ".staging-" in p.name or ".old-" in p.name or ".tmp" in p.name]


def kill_marked(mark: str) -> None:
    """SIGKILL the build and every process it started (kernels included), and wait until they are gone."""
    while pids := _marked(mark):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)


@LINUX_ONLY
def test_a_build_killed_at_any_moment_leaves_whole_old_or_whole_new_sets(tmp_path):
    """The old sets come from one copy of the inputs and title, the new ones from another (a source's title
    changed, so every processed set differs too); builds of the new ones are killed outright at eight moments
    spread over a build, and each output set is then the whole old one or the whole new one."""
    import shutil

    for side in ("old", "new"):
        shutil.copytree(ROOT / "data" / "raw", tmp_path / side / "raw")
    sources = tmp_path / "new" / "raw" / "sources.csv"
    sources.write_text(sources.read_text(encoding="utf-8").replace("Report 2021/22: Mali", "Report 2021/22 (Mali)"),
                       encoding="utf-8")
    args = {side: ["-q", "-p", "raw_dir", str(tmp_path / side / "raw"), "-p", "title", side] for side in ("old", "new")}
    sets = {}
    for side in ("old", "new"):
        started = time.monotonic()
        result = build("--out", str(tmp_path / side / "out"), *args[side])
        assert result.returncode == 0, result.stderr[-2000:]
        duration = time.monotonic() - started
        sets[side] = whole_sets(tmp_path / side / "out")
    assert sets["old"]["processed"] != sets["new"]["processed"] and sets["old"]["title"] != sets["new"]["title"]
    seen = []
    for k in range(1, 9):
        out = tmp_path / f"killed-{k}"
        shutil.copytree(tmp_path / "old" / "out", out)
        mark = f"MALIBRIEF_TEST_MARK={uuid.uuid4().hex}"
        env = {**os.environ, mark.split("=")[0]: mark.split("=")[1]}
        subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--force", "--out", str(out), *args["new"]],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * k / 9)
        kill_marked(mark)
        found = whole_sets(out)
        for part in ("processed", "briefing"):
            assert found[part] in (sets["old"][part], sets["new"][part]), (k, part)
        assert found["title"] == (sets["new"] if found["briefing"] == sets["new"]["briefing"] else sets["old"])["title"]
        seen.append(["old", "new"][found["processed"] == sets["new"]["processed"]]
                    + "/" + ["old", "new"][found["briefing"] == sets["new"]["briefing"]])
    assert "old/old" in seen and "new/old" in seen, seen  # killed before any switch and between the two steps
    result = build("--out", str(out), *args["new"])  # the next run recovers and completes
    assert result.returncode == 0, result.stderr[-2000:]
    assert leftovers(out) == [] and whole_sets(out) == sets["new"]


def test_a_second_build_on_the_same_folder_waits_for_the_first(tmp_path):
    """Two builds on one --out used to share the cache's files: a later build then said "unchanged, skipped"
    while the HTML showed the other region. The second now says the folder is in use and waits."""
    from filelock import FileLock, Timeout

    command = [sys.executable, str(ROOT / "build.py"), "-p", "raw_dir", "data/raw", "--out", str(tmp_path)]
    first = subprocess.Popen([*command, "-p", "regions", "Mopti"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    while first.poll() is None:  # until the first build holds the folder's lock
        try:
            FileLock(tmp_path / ".lock").acquire(timeout=0).lock.release()
            time.sleep(0.02)
        except Timeout:
            break
    second = subprocess.run([*command, "-p", "regions", "Gao"], cwd=ROOT, capture_output=True, text=True)
    assert first.wait() == 0 and second.returncode == 0, second.stderr[-2000:]
    assert f"build: {tmp_path} is in use by another build; waiting for it to finish" in second.stderr
    assert "in use" not in first.stderr.read()
    page = BeautifulSoup((tmp_path / "briefing" / "briefing.html").read_text(encoding="utf-8"), "html.parser").get_text()
    assert "Gao edition" in page and "Mopti (Mali)" not in page
    again = build("--out", str(tmp_path), "-p", "regions", "Gao")
    assert "briefing briefing: unchanged, skipped" in again.stderr
    again = build("--out", str(tmp_path), "-p", "regions", "Mopti")
    assert "executing 02-briefing.ipynb" in again.stderr
