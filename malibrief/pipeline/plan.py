"""Turn parameters into steps: the cleaning notebook with its parameters, and one parameter set per briefing.

Every value is checked here, before any kernel starts, against the notebooks' own `parameters` cells and the
reference folder the cleaning will copy for the briefing.
"""
from __future__ import annotations

import csv
from pathlib import Path

import yaml

from malibrief import config
from malibrief.notebook import notebook_parameters
from malibrief.params import LIST_PARAMETERS, ParameterError, languages, validate
from malibrief.text import slug

CLEAN_NB = config.NOTEBOOKS / "01-clean.ipynb"
ACLED_NB = config.NOTEBOOKS / "01-clean-acled.ipynb"
CLEANING = {"incidents": CLEAN_NB, "acled": ACLED_NB}  # input_format -> the notebook that cleans it
BRIEFING_NB = config.NOTEBOOKS / "02-briefing.ipynb"
PATH_PARAMETERS = ("raw_dir", "reference_dir", "out_dir", "processed_dir", "figures_dir")
# Folders a build may never write into: the hand-made inputs.
PROTECTED = (config.RAW, config.REFERENCE)
DEFAULT_OUT = config.ROOT / "build"  # build.py's --out when none is given
# --each takes a list parameter, or lang: one edition per language, in folders en/, fr/ ... that link to each other.
EACH_PARAMETERS = (*LIST_PARAMETERS, "lang")


def parse_value(text: str):
    """As papermill reads -p values: YAML scalars and lists, never code; anything else stays text."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, (str, int, float, bool, list)) else text


def _reference_column(reference: Path, name: str, column: str) -> list[str]:
    try:
        with open(reference / name, encoding="utf-8", newline="") as handle:
            return [row[column] for row in csv.DictReader(handle)]
    except (OSError, KeyError, UnicodeDecodeError) as err:
        raise ParameterError([f"reference_dir: cannot read the {column} column of {reference / name} "
                              f"({type(err).__name__}: {err})"]) from None


def check_out(out: Path) -> None:
    """Refuse an output folder that is, or lies inside, a folder of hand-made inputs."""
    out = Path(out).resolve()
    for folder in PROTECTED:
        if out == folder.resolve() or folder.resolve() in out.parents:
            raise ParameterError([f"--out: {out} is inside {folder.relative_to(config.ROOT)}, which holds hand-made "
                                  "inputs that a build never writes; choose another folder"])


def plan(values: dict, out: Path, each: str | None) -> tuple[Path, dict, list[tuple[str, dict]]]:
    """The cleaning notebook and its parameters, and one (name, parameters) per briefing, all validated;
    raises ParameterError listing every problem. Briefing `name` is written to <out>/<name>/ (HTML, PDF, executed
    notebook and, except for the default build's figures/, its charts)."""
    check_out(out)
    values = dict(values)
    input_format = values.pop("input_format", "incidents")
    problems = []
    if input_format not in CLEANING:
        problems.append(f"input_format: expected one of {', '.join(CLEANING)}, got {input_format!r}")
        input_format = "incidents"
    cleaning = CLEANING[input_format]
    clean_spec, brief_spec = notebook_parameters(cleaning), notebook_parameters(BRIEFING_NB)
    known = set(clean_spec) | set(brief_spec)
    unknown = [n for n in values if n not in known or n in ("out_dir", "processed_dir", "figures_dir")]
    problems += [f"unknown parameter {n!r} for input_format {input_format}; see --help" for n in unknown]
    clean_values = {n: v for n, v in values.items() if n in clean_spec and n not in brief_spec and n not in unknown}
    for name in ("raw_dir", "reference_dir"):
        if name in clean_values and not config.project_path(str(clean_values[name])).is_dir():
            problems.append(f"{name}: {clean_values[name]!r} is not a folder")
    if input_format == "acled" and not config.project_path(str(clean_values.get("input_path", ""))).is_file():
        problems.append(f"input_path: {clean_values.get('input_path', '')!r} is not a file (an ACLED export is needed)")
    if each and each not in EACH_PARAMETERS:
        problems.append(f"--each: expected a list parameter or lang ({', '.join(EACH_PARAMETERS)}), got {each!r}")
    brief_values = {n: v for n, v in values.items() if n in brief_spec and n not in unknown}
    # lang is one language per briefing; with --each lang, -p lang may name several (all by default).
    langs = brief_values.pop("lang", None) if each == "lang" else None
    if problems:
        raise ParameterError(problems)
    defaults = {n: d for n, (d, _) in brief_spec.items() if n not in PATH_PARAMETERS}
    # The briefing checks these against what the cleaning copies from its reference folder: so does this.
    reference = config.project_path(str(clean_values.get("reference_dir", "data/reference")))
    checks = dict(actors=_reference_column(reference, "actors.csv", "actor"),
                  flags=[*_reference_column(reference, "flags.csv", "flag"), "relative_date"])
    base = validate(brief_values, defaults, **checks)
    # Only the default build (no parameter, no --each, the default --out) refreshes the committed data/processed
    # and figures/; any other cleans into its own --out, so that it never rewrites them. Two default builds share
    # build/ and so its lock: they never write the committed folders at the same time.
    default = not clean_values and input_format == "incidents" and not each and \
        Path(out).resolve() == DEFAULT_OUT.resolve() and base == validate({}, defaults, **checks)
    clean = {**clean_values, "out_dir": "data/processed" if default else str(out / "processed")}
    processed = clean["out_dir"]
    if not each:
        figures = "figures" if default else str(out / "briefing" / "figures")
        return cleaning, clean, [("briefing", {**base, "processed_dir": processed, "figures_dir": figures})]
    every = {"regions": config.ADMIN1, "actor_classes": config.ACTOR_CLASSES, "violations": config.VIOLATIONS,
             "actors": checks["actors"], "exclude_flags": checks["flags"]}  # --each's values when -p gives none
    if each == "lang":
        chosen = [langs] if isinstance(langs, str) else list(langs or languages())
    else:
        chosen = base[each] or list(every[each])
    runs = []
    for value in chosen:
        parameters = validate({**brief_values, each: value if each == "lang" else [value]}, defaults, **checks)
        name = slug(str(value), empty="value")
        runs.append((name, {**parameters, "processed_dir": processed, "figures_dir": str(out / name / "figures")}))
    return cleaning, clean, runs
