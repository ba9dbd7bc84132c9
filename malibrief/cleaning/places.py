"""Resolve a place phrase as written ("Kourma village, Segou region") to places, admin1 and coordinates.

Every alias in `data/reference/places.csv` found in the phrase is a match. A region the phrase names is
kept as `region_reported`; the finest places named become the event's places. Whatever words are left
must be generic ("village", "near", "the outskirts of"): a name the gazetteer does not know is an error,
never silently dropped.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

from malibrief import config
from malibrief.config import REFERENCE
from malibrief.errors import DataError, Problem, raise_if
from malibrief.io import read_csv
from malibrief.text import fold

PLACES_FILE = REFERENCE / "places.csv"
OUTLINE_FILE = REFERENCE / config.OUTLINE_FILE

# Words that may stand around place names in a phrase without naming a place themselves.
GENERIC_WORDS = frozenset("""
a an and the of in at on near to from between along across next its their his her
village villages town towns city commune communes cercle district region regions area localities locality
outskirts road capital camp military army market cattle site river home prison border neighbouring
nearby surrounding zone central northern southern eastern western northeastern south-central northeast
north south east west mali mali's country farms farm farmland herders temporary camp's main compound
outside same niger linking
""".split())  # "niger" only ever stands in "the Niger River" in these chapters
FINE_KINDS = ("locality", "commune", "city")


@dataclass(frozen=True)
class PlaceMatch:
    places: tuple[str, ...]
    admin1: str
    admin1_all: tuple[str, ...]
    region_reported: str
    latitude: float | None
    longitude: float | None
    geo_precision: int | None


class Gazetteer:
    """The places table as an alias index."""

    def __init__(self, table: pd.DataFrame):
        self.table = table
        self.aliases = sorted(
            ((fold(alias.strip()), i, alias.strip()) for i, row in self.table.iterrows()
             for alias in row["aliases"].split(";") if alias.strip()),
            key=lambda entry: -len(entry[0]))

    @classmethod
    def from_file(cls, path: Path = PLACES_FILE) -> Gazetteer:
        """The gazetteer of a places table as the cleaning reads it (malibrief.io.read_csv)."""
        return cls(read_csv(path))

    def duplicate_aliases(self) -> list[tuple[str, list]]:
        """Aliases (as written) that name more than one place, with the rows of those places; accent
        variants within one place are fine."""
        owners: dict[str, dict] = {}
        for folded, row, written in self.aliases:
            owners.setdefault(folded, {}).setdefault(row, written)
        return [(next(iter(rows.values())), sorted(rows)) for _, rows in sorted(owners.items()) if len(rows) > 1]

    def matches(self, phrase: str) -> tuple[list[int], str]:
        """Rows whose aliases occur in the phrase (longest first, no overlaps), and the words left."""
        # "the Ménaka and Gao regions" names two regions, not the towns of Ménaka and Gao.
        text = re.sub(r"([\w'-]+) and ([\w'-]+) regions\b", r"\1 region and \2 region", fold(phrase))
        found = []
        for alias, row, _ in self.aliases:
            pattern = r"(?<![\w-])" + re.escape(alias) + r"(?![\w-])"
            for m in re.finditer(pattern, text):
                found.append((m.start(), row))
            text = re.sub(pattern, lambda m: " " * len(m.group()), text)
        return [row for _, row in sorted(found)], text

    def resolve(self, phrase: str) -> PlaceMatch:
        if not phrase.strip():
            return PlaceMatch((), "", (), "", None, None, None)
        rows, rest = self.matches(phrase)
        unknown = [w for w in re.findall(r"[\w'-]+", rest) if w not in GENERIC_WORDS and not w.isdigit()]
        if not rows or unknown:
            words = ", ".join(repr(w) for w in unknown) or repr(phrase)
            raise ValueError(f"no place in {PLACES_FILE.name} matches {words}: add it, or an alias, there")
        hits = self.table.loc[list(dict.fromkeys(rows))]
        regions = hits[hits["kind"] == "region"]
        fine = hits[hits["kind"].isin(FINE_KINDS)]
        chosen = fine if len(fine) else hits[hits["kind"] == "cercle"]
        if not len(chosen):
            chosen = regions
        admin1_all = tuple(dict.fromkeys(chosen["admin1"]))
        precision = int(chosen["geo_precision"].astype(int).max())
        if len(chosen) > 1:
            precision = max(precision, 2)
        return PlaceMatch(
            places=tuple(chosen["name"]),
            admin1=admin1_all[0],
            admin1_all=admin1_all,
            region_reported="; ".join(regions["name"]),
            latitude=round(float(chosen["latitude"].astype(float).mean()), 4),
            longitude=round(float(chosen["longitude"].astype(float).mean()), 4),
            geo_precision=precision,
        )


def read_boundaries(path: Path, names=None) -> list[tuple[str, object]]:
    """The (name, polygon) features of a boundary file, or a DataError naming the file and the feature: it
    must be GeoJSON, with at least one feature, each a valid Polygon or MultiPolygon, and, where `names` is
    given, each with a `name` property among them."""
    path = Path(path)

    def fail(message, column=None, value=None, line=None):
        raise DataError([Problem(str(path), line, column, value, message)])

    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        fail(f"cannot be read: {err.strerror}")
    except UnicodeDecodeError:
        fail("is not UTF-8 text")
    except json.JSONDecodeError as err:
        fail(f"is not GeoJSON: {err.msg} (column {err.colno})", line=err.lineno)
    features = collection.get("features", [collection]) if isinstance(collection, dict) else None
    if not features or not isinstance(features, list):
        fail("is not a GeoJSON FeatureCollection with features")
    problems, found = [], []
    for i, feature in enumerate(features):
        where = f"features[{i}]"
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind not in ("Polygon", "MultiPolygon"):
            problems.append(Problem(str(path), None, f"{where}.geometry.type", kind, "is not a Polygon or MultiPolygon"))
            continue
        try:
            polygon = shape(geometry)
        except (ValueError, TypeError, IndexError, KeyError, AttributeError) as err:
            problems.append(Problem(str(path), None, f"{where}.geometry", None, f"cannot be read as a polygon: {err}"))
            continue
        if not polygon.is_valid:
            problems.append(Problem(str(path), None, f"{where}.geometry", None,
                                    f"is not a valid polygon: {explain_validity(polygon)}"))
        name = (feature.get("properties") or {}).get("name")
        if names is not None and name not in names:
            problems.append(Problem(str(path), None, f"{where}.properties.name", name,
                                    f"is not a region name; known: {', '.join(names)}"))
        found.append((name, polygon))
    raise_if(problems)
    return found


class MaliOutline:
    """Mali's national outline, to tell a point inside Mali from one in a neighbour's bounding box."""

    def __init__(self, path: Path = OUTLINE_FILE):
        self.path = path

    @cached_property
    def geometry(self):
        return read_boundaries(self.path)[0][1]

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.geometry.covers(Point(longitude, latitude))
