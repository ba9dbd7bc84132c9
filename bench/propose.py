"""Benchmark of `python -m malibrief.propose` against the project's own coding (data/raw/incidents.csv).

For each of the five chapters, twice: with the reference tables as they stand, and leaving the chapter
out (without the place aliases, places and actor phrases that only that chapter's coded mentions need).
A coded mention is found when, for each violation it codes, a candidate has the same source, section,
paragraph and violation; a candidate is right when a coded mention of its source, section and paragraph
shares one of its violations. Writes bench/propose.json and prints the tables that bench/PROPOSE.md quotes.

    PYTHONPATH=. .venv/bin/python bench/propose.py
"""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from malibrief import config  # noqa: E402
from malibrief.cleaning.actors import phrase_key  # noqa: E402
from malibrief.cleaning.places import Gazetteer  # noqa: E402
from malibrief.propose.candidates import propose  # noqa: E402
from malibrief.propose.chapter import is_heading  # noqa: E402
from malibrief.text import fold  # noqa: E402

CHAPTERS = {"AI-2021": 2021, "AI-2022": 2022, "AI-2023": 2023, "AI-2024": 2024, "HRW-2025": 2025}
COUNT = {v: f"{c}_text" for v, c in config.COUNT_COLUMNS.items()}
READ = dict(dtype=str, keep_default_na=False)
CHECK = config.ROOT.parent / "shared" / "tools" / "check_sources.py"
INDEPENDENT = ROOT / "tests" / "acceptance" / "independent_coding.csv"


def aliases_used(gazetteer: Gazetteer, phrase: str) -> set[str]:
    """The folded aliases the gazetteer matches in a place phrase, longest first as it resolves them."""
    text, used = re.sub(r"([\w'-]+) and ([\w'-]+) regions\b", r"\1 region and \2 region", fold(phrase)), set()
    for alias, _, _ in gazetteer.aliases:
        pattern = r"(?<![\w-])" + re.escape(alias) + r"(?![\w-])"
        if re.search(pattern, text):
            used.add(alias)
            text = re.sub(pattern, lambda m: " " * len(m.group()), text)
    return used


def leave_out(source_id: str, incidents: pd.DataFrame, folder: Path) -> dict:
    """Copy the reference tables into folder without what only this chapter's coded mentions need."""
    shutil.copytree(config.REFERENCE, folder, dirs_exist_ok=True)
    places = pd.read_csv(config.REFERENCE / "places.csv", **READ)
    gazetteer = Gazetteer(places)
    mine, others = set(), set()
    for row in incidents.itertuples():
        (mine if row.source_id == source_id else others).update(aliases_used(gazetteer, row.place_text))
    only = mine - others
    kept_rows = []
    for _, row in places.iterrows():
        kept = [a for a in row["aliases"].split(";") if a.strip() and fold(a.strip()) not in only]
        if kept:
            kept_rows.append({**row, "aliases": ";".join(kept)})
    pd.DataFrame(kept_rows, columns=places.columns).to_csv(folder / "places.csv", index=False)
    phrases = pd.read_csv(config.REFERENCE / "actor_phrases.csv", **READ)
    used = incidents.groupby(incidents["perpetrator_text"].map(phrase_key))["source_id"].agg(set)
    drop = {key for key, sources in used.items() if sources == {source_id}}
    phrases[~phrases["perpetrator_text"].map(phrase_key).isin(drop)].to_csv(folder / "actor_phrases.csv", index=False)
    return {"aliases_removed": len(only), "places_removed": len(places) - len(kept_rows),
            "actor_phrases_removed": len(drop)}


def score(source_id: str, candidates: pd.DataFrame, incidents: pd.DataFrame) -> dict:
    coded = incidents[incidents["source_id"] == source_id]
    found = count_same = place_same = actor_same = 0
    for _, m in coded.iterrows():
        violations = [v for v, col in COUNT.items() if m[col]]
        here = candidates[(candidates["section"] == m["section"]) & (candidates["paragraph"] == m["paragraph"])]
        per = {v: here[here["violations"].str.split(";").map(lambda vs, v=v: v in vs)] for v in violations}
        if not all(len(c) for c in per.values()):
            continue
        found += 1
        count_same += all((per[v][COUNT[v]] == m[COUNT[v]]).any() for v in violations)
        matching = pd.concat(per.values())
        place_same += bool((matching["place_text"] == m["place_text"]).any())
        actor_same += bool((matching["perpetrator_text"] == m["perpetrator_text"]).any())
    right = exact = 0
    for _, c in candidates.iterrows():
        mentions = coded[(coded["section"] == c["section"]) & (coded["paragraph"] == c["paragraph"])]
        right += any(any(m[COUNT[v]] for v in c["violations"].split(";")) for _, m in mentions.iterrows())
        exact += any(any(c[COUNT[v]] and c[COUNT[v]] == m[COUNT[v]] for v in c["violations"].split(";"))
                     for _, m in mentions.iterrows())
    return {"coded": len(coded), "candidates": len(candidates), "found": found, "right": right, "exact": exact,
            "recall": found / len(coded), "precision": right / len(candidates) if len(candidates) else 0.0,
            "exact_rows": exact / len(candidates) if len(candidates) else 0.0,
            "count_identical": count_same / found if found else 0.0,
            "place_identical": place_same / found if found else 0.0,
            "perpetrator_identical": actor_same / found if found else 0.0}


def score_independent(source_id: str, candidates: pd.DataFrame, independent: pd.DataFrame) -> dict:
    """The same measures against tests/acceptance/independent_coding.csv, a second coder's rows (one per
    violation, the count in `count_text`), coded without the project's data."""
    coded = independent[independent["source_id"] == source_id]
    has = candidates["violations"].str.split(";")
    found = count_same = place_same = 0
    for _, m in coded.iterrows():
        here = candidates[(candidates["section"] == m["section"]) & (candidates["paragraph"] == m["paragraph"])
                          & has.map(lambda vs, wanted=m["violation"]: wanted in vs)]
        if len(here):
            found += 1
            count_same += bool((here[COUNT[m["violation"]]] == m["count_text"]).any())
            place_same += bool((here["place_text"] == m["place_text"]).any())
    right = sum(any((coded["section"] == c["section"]) & (coded["paragraph"] == c["paragraph"])
                     & coded["violation"].isin(c["violations"].split(";")))
                for _, c in candidates.iterrows())
    return {"coded": len(coded), "candidates": len(candidates), "found": found, "right": right,
            "recall": found / len(coded), "precision": right / len(candidates),
            "count_identical": count_same / found if found else 0.0,
            "place_identical": place_same / found if found else 0.0}


def source_check(candidates: pd.DataFrame) -> str:
    """The project's source check on the candidates, as the coder runs it: its last line's verdict."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "candidates.csv"
        candidates.to_csv(path, index=False)
        result = subprocess.run([sys.executable, str(CHECK), str(path)], capture_output=True, text=True)
    missing = re.search(r"(\d+) not found", result.stdout)
    return "passes" if result.returncode == 0 else f"{missing[1] if missing else '?'} not found"


def as_page(text: str) -> str:
    """The chapter as a saved web page would hold it: one heading or paragraph element per line."""
    return "<!DOCTYPE html><html><body><nav><p>Menu</p></nav><main>" + "".join(
        f"<{'h2' if is_heading(line) else 'p'}>{html.escape(line.strip())}</{'h2' if is_heading(line) else 'p'}>"
        for line in text.splitlines() if line.strip()) + "</main><footer><p>Legal</p></footer></body></html>"


def same_from_page(chapter: Path, source_id: str, year: int, raw_dir: Path, standing: pd.DataFrame) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / f"{source_id.lower()}.html"
        page.write_text(as_page(chapter.read_text(encoding="utf-8")), encoding="utf-8")
        return propose(page, source_id, year, raw_dir=raw_dir).equals(standing)


def main() -> None:
    incidents = pd.read_csv(config.RAW / "incidents.csv", **READ)
    independent = pd.read_csv(INDEPENDENT, **READ)
    # Number candidates after an empty raw folder, as for a new chapter: the ids play no part in the scores.
    empty_raw = Path(tempfile.mkdtemp())
    results = {}
    for source_id, year in CHAPTERS.items():
        chapter = config.SOURCES_DIR / f"{source_id.lower()}.txt"
        start = time.perf_counter()
        standing = propose(chapter, source_id, year, raw_dir=empty_raw)
        seconds = time.perf_counter() - start
        with tempfile.TemporaryDirectory() as folder:
            removed = leave_out(source_id, incidents, Path(folder))
            left_out = propose(chapter, source_id, year, reference_dir=Path(folder), raw_dir=empty_raw)
        results[source_id] = {"seconds": round(seconds, 2), "removed": removed,
                              "html_copy_same": same_from_page(chapter, source_id, year, empty_raw, standing),
                              "independent": score_independent(source_id, standing, independent),
                              "standing": score(source_id, standing, incidents) | {"source_check": source_check(standing)},
                              "left_out": score(source_id, left_out, incidents) | {"source_check": source_check(left_out)}}
    (ROOT / "bench" / "propose.json").write_text(json.dumps(results, indent=2) + "\n")
    for run in ("standing", "left_out"):
        print(f"\n{run}\n| chapter | coded | candidates | found | recall | precision | count identical | "
              "place identical | perpetrator identical | rows with a coded count | source check |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        totals = {k: 0 for k in ("coded", "candidates", "found", "right", "exact")}
        counts = places = actors = 0
        for source_id, r in results.items():
            s = r[run]
            print(f"| {source_id} | {s['coded']} | {s['candidates']} | {s['found']} | {s['recall']:.0%} | "
                  f"{s['precision']:.0%} | {s['count_identical']:.0%} | {s['place_identical']:.0%} | "
                  f"{s['perpetrator_identical']:.0%} | {s['exact_rows']:.0%} | {s['source_check']} |")
            for k in totals:
                totals[k] += s[k]
            counts += s["count_identical"] * s["found"]
            places += s["place_identical"] * s["found"]
            actors += s["perpetrator_identical"] * s["found"]
        t = totals
        print(f"| all | {t['coded']} | {t['candidates']} | {t['found']} | {t['found'] / t['coded']:.0%} | "
              f"{t['right'] / t['candidates']:.0%} | {counts / t['found']:.0%} | {places / t['found']:.0%} | "
              f"{actors / t['found']:.0%} | {t['exact'] / t['candidates']:.0%} | |")
    print("\nagainst the independent coding (tables as they stand)\n| chapter | coded rows | candidates | found | recall "
          "| precision | count identical | place identical |\n|---|---:|---:|---:|---:|---:|---:|---:|")
    totals = {k: 0 for k in ("coded", "candidates", "found", "right")}
    counts = places = 0
    for source_id, r in results.items():
        s = r["independent"]
        print(f"| {source_id} | {s['coded']} | {s['candidates']} | {s['found']} | {s['recall']:.0%} | "
              f"{s['precision']:.0%} | {s['count_identical']:.0%} | {s['place_identical']:.0%} |")
        for k in totals:
            totals[k] += s[k]
        counts += s["count_identical"] * s["found"]
        places += s["place_identical"] * s["found"]
    t = totals
    print(f"| all | {t['coded']} | {t['candidates']} | {t['found']} | {t['found'] / t['coded']:.0%} | "
          f"{t['right'] / t['candidates']:.0%} | {counts / t['found']:.0%} | {places / t['found']:.0%} |")
    print("\nseconds per chapter:", {k: r["seconds"] for k, r in results.items()})
    print("removed when left out:", {k: r["removed"] for k, r in results.items()})
    print("a saved-page copy gives the same candidates:", {k: r["html_copy_same"] for k, r in results.items()})


if __name__ == "__main__":
    main()
