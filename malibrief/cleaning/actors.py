"""Resolve a perpetrator phrase as written to canonical actors and one actor class.

`data/reference/actor_phrases.csv` maps each phrase to its actors; `actors.csv` gives each actor a
group; the class follows from the groups by the rule in `actor_class`, so it is never stored twice.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from malibrief.config import REFERENCE
from malibrief.io import read_csv
from malibrief.text import normalise

ACTORS_FILE = REFERENCE / "actors.csv"
PHRASES_FILE = REFERENCE / "actor_phrases.csv"
NOT_NAMED = "Perpetrator not named"  # the source names nobody, as for most arrests of named people

_SINGLE_GROUP_CLASS = {
    "state": "state forces",
    "authority": "civilian state authorities",
    "foreign": "foreign forces",
    "islamist": "Islamist armed groups",
    "militia": "militias",
    "other": "other",
    "unknown": "unknown",
}


def actor_class(groups: set[str]) -> str:
    """State forces with foreign allies outrank state forces with militias: the allies are the news."""
    if "state" in groups and "foreign" in groups:
        return "state forces with foreign allies"
    if "state" in groups and "militia" in groups:
        return "state forces with militias"
    if len(groups) == 1:
        return _SINGLE_GROUP_CLASS[next(iter(groups))]
    known = groups - {"unknown"}
    return _SINGLE_GROUP_CLASS[next(iter(known))] if len(known) == 1 else "other"


def phrase_key(phrase: str) -> str:
    return normalise(phrase).casefold()


class ActorIndex:
    def __init__(self, actors: pd.DataFrame, phrases: pd.DataFrame):
        self.group = dict(zip(actors["actor"], actors["group"]))
        self.phrases = {phrase_key(p): [a.strip() for a in actors_.split(";") if a.strip()]
                        for p, actors_ in zip(phrases["perpetrator_text"], phrases["actors"])}

    @classmethod
    def from_files(cls, actors: Path = ACTORS_FILE, phrases: Path = PHRASES_FILE) -> ActorIndex:
        """The index of the reference tables as the cleaning reads them (malibrief.io.read_csv)."""
        return cls(read_csv(actors), read_csv(phrases))

    def resolve(self, phrase: str) -> tuple[tuple[str, ...], str]:
        """Canonical actors and their class; no phrase at all means the source named no perpetrator."""
        if not phrase.strip():
            actors = [NOT_NAMED]
        else:
            actors = self.phrases.get(phrase_key(phrase))
            if actors is None:
                raise ValueError(f"perpetrator phrase not in {PHRASES_FILE.name}: add it there with its actors")
        return tuple(actors), actor_class({self.group[a] for a in actors})
