"""Check and normalise briefing parameters before any work starts.

The names, defaults and help texts live in the notebooks' `parameters` cells (papermill's convention);
this module knows only what values each may take, so build.py and the notebook reject the same things.
"""
from __future__ import annotations

from datetime import date

from . import config
from .text import fold

LIST_PARAMETERS = ("regions", "actor_classes", "actors", "violations", "exclude_flags")
ESTIMATES = ("best", "low", "high", "range")
# ACLED's African data begin in 1997 and the chapters in 2021; a later year than next year has no events yet,
# and a briefing loops over its years (end_year 100000 would hang it).
YEARS = (1990, date.today().year + 1)


def languages() -> tuple[str, ...]:
    """English, the source language, and every language with a catalogue: a new language needs no code."""
    found = sorted(p.parent.parent.name for p in config.LOCALE_DIR.glob(f"*/LC_MESSAGES/{config.LOCALE_DOMAIN}.po"))
    return ("en", *found)


class ParameterError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("bad parameter(s):\n" + "\n".join(f"  - {p}" for p in problems))


def _as_list(name: str, value, problems: list[str]) -> list[str]:
    """A list parameter may be given as one plain value ("Mopti") or as a list (["Mopti", "Gao"])."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    problems.append(f"{name}: expected a name or a list of names, got {value!r}")
    return []


def _canonical(name: str, values: list[str], allowed, problems: list[str]) -> list[str]:
    """Match case- and accent-insensitively ("segou" is Ségou) and report what matches nothing."""
    by_fold = {fold(a): a for a in allowed}
    out = []
    for value in values:
        match = by_fold.get(fold(value.strip()))
        if match is None:
            problems.append(f"{name}: unknown value {value!r}; choose from: {', '.join(allowed)}")
        else:
            out.append(match)
    return out


def validate(values: dict, defaults: dict, actors=(), flags=()) -> dict:
    """Defaults overlaid with `values`, normalised; raises ParameterError listing every problem."""
    problems = [f"unknown parameter {name!r}; known: {', '.join(defaults)}" for name in values if name not in defaults]
    merged = {**defaults, **{k: v for k, v in values.items() if k in defaults}}
    for name in ("start_year", "end_year"):
        if name in merged and (isinstance(merged[name], bool) or not isinstance(merged[name], int)):
            problems.append(f"{name}: expected a whole year such as 2023, got {merged[name]!r}")
    years = [merged.get("start_year"), merged.get("end_year")]
    first, last = YEARS
    for name, year in zip(("start_year", "end_year"), years):
        if isinstance(year, int) and not isinstance(year, bool) and not first <= year <= last:
            problems.append(f"{name}: {year} is outside the years a briefing can cover, {first} to {last}")
    if all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        if years[0] > years[1]:
            problems.append(f"start_year {merged['start_year']} is after end_year {merged['end_year']}")
    allowed = {"regions": config.ADMIN1, "actor_classes": config.ACTOR_CLASSES,
               "violations": config.VIOLATIONS, "actors": tuple(actors), "exclude_flags": tuple(flags)}
    for name in LIST_PARAMETERS:
        if name in merged:
            merged[name] = _as_list(name, merged[name], problems)
            if allowed[name]:
                merged[name] = _canonical(name, merged[name], allowed[name], problems)
    if "violations" in merged and not merged["violations"]:
        problems.append("violations: choose at least one of killing, detention, disappearance")
    if "estimate" in merged and merged["estimate"] not in ESTIMATES:
        problems.append(f"estimate: expected one of {', '.join(ESTIMATES)}, got {merged['estimate']!r}")
    if "lang" in merged and merged["lang"] not in languages():
        problems.append(f"lang: expected one of {', '.join(languages())} (a language with a catalogue in "
                        f"{config.LOCALE_DIR.relative_to(config.PACKAGE.parent)}), got {merged['lang']!r}")
    for name, default in defaults.items():
        if isinstance(default, str) and name not in LIST_PARAMETERS and not isinstance(merged[name], str):
            problems.append(f"{name}: expected text, got {merged[name]!r}")
    if problems:
        raise ParameterError(problems)
    return merged
