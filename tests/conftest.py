"""Fixtures shared by the test files; `pytest tests/test_x.py` runs on its own (pyproject.toml puts the project
root on the path)."""
from __future__ import annotations

import pytest

from malibrief import config


@pytest.fixture(scope="session")
def cleaned():
    """The full cleaning run on the committed raw data, once per session (about 3 s)."""
    from malibrief.cleaning import incidents as clean

    return clean.clean()


@pytest.fixture(scope="session")
def gazetteer():
    from malibrief.cleaning.places import Gazetteer

    return Gazetteer.from_file(config.REFERENCE / "places.csv")


@pytest.fixture(scope="session")
def admin1():
    """The committed admin-1 polygons (the pre-2023 regions), by name, as shapely shapes."""
    import json

    from shapely.geometry import shape

    features = json.loads((config.REFERENCE / config.ADMIN1_FILE).read_text(encoding="utf-8"))["features"]
    return {f["properties"]["name"]: shape(f["geometry"]) for f in features}
