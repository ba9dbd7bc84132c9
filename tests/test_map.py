"""The map and the events as GeoJSON: extents, precision on every mapped event, the GeoJSON against events.csv.

Offline, on the real reference layers; the map is drawn with matplotlib's Agg backend.
"""
from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pandas as pd
import pytest
import shapely
from matplotlib.text import Text
from shapely.geometry import shape

from malibrief import config
from malibrief.briefing import analysis, plots
from malibrief.cleaning import export
from malibrief.cleaning import incidents as clean

REF = config.REFERENCE


@pytest.fixture(scope="module")
def processed(tmp_path_factory, cleaned):
    """The cleaning's output on the real data, written as the cleaning step writes it."""
    inputs = clean.load_inputs()
    out = tmp_path_factory.mktemp("processed")
    context = {name: pd.read_csv(REF.parent / "processed" / f"{name}.csv", dtype=str, keep_default_na=False)
               for name in ("actors", "flags", "about", "victim_tags")}
    export.write_all(export.processed_files(cleaned, inputs.sources, {"sources": inputs.sources, **context}, REF), out)
    return out


@pytest.mark.parametrize("regions", [[r] for r in config.ADMIN1] + [["Mopti", "Ségou"], ["Ménaka", "Kidal"]])
def test_a_regional_extent_covers_its_regions(admin1, regions):
    west, south, east, north = plots.map_extent(admin1, regions)
    frame = shape({"type": "Polygon", "coordinates": [[(west, south), (east, south), (east, north),
                                                        (west, north), (west, south)]]})
    for region in regions:
        assert frame.contains(admin1[config.ADMIN1_POLYGON.get(region, region)])
    all_mali = plots.map_extent(admin1)
    assert (east - west) * (north - south) <= (all_mali[2] - all_mali[0]) * (all_mali[3] - all_mali[1])


def test_an_extent_also_covers_the_events_it_is_given(admin1):
    points = pd.DataFrame({"longitude": [-11.9], "latitude": [24.5]})
    west, south, east, north = plots.map_extent(admin1, ["Mopti"], points)
    assert west < -11.9 < east and south < 24.5 < north


def test_every_mapped_event_carries_a_precision(processed):
    events = analysis.load(processed).events
    placed = events.dropna(subset=["latitude", "longitude"])
    assert len(placed) > 0
    assert placed["geo_precision"].notna().all()
    assert set(pd.to_numeric(placed["geo_precision"])) <= set(config.GEO_PRECISIONS)


def test_events_geojson_is_valid_and_matches_events_csv(processed):
    collection = json.loads((processed / "events.geojson").read_text(encoding="utf-8"))
    events = analysis.load(processed).events
    placed = events.dropna(subset=["latitude", "longitude"]).set_index("event_id")
    assert collection["type"] == "FeatureCollection"
    features = {f["properties"]["event_id"]: f for f in collection["features"]}
    assert len(features) == len(collection["features"]) == len(placed)
    violations = pd.read_csv(processed / "violations.csv", dtype=str).groupby("event_id")["violation"].agg(set)
    for event_id, row in placed.iterrows():
        f = features[event_id]
        assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert (lon, lat) == pytest.approx((row["longitude"], row["latitude"]))
        props = f["properties"]
        assert props["year"] == row["year"] and props["geo_precision"] == row["geo_precision"]
        assert set(props["violations"].split("; ")) == violations[event_id]
        for column in config.COUNT_COLUMNS.values():
            for bound in ("low", "high"):
                value = row[f"{column}_{bound}"]
                assert props[f"{column}_{bound}"] == (None if pd.isna(value) else int(value))


def test_events_geojson_is_in_the_data_package(processed):
    package = json.loads((processed / "datapackage.json").read_text(encoding="utf-8"))
    assert "events.geojson" in [r["path"] for r in package["resources"]]


def test_missing_map_layer_is_a_clear_error(tmp_path, cleaned):
    from malibrief.errors import DataError

    for name in config.BOUNDARY_FILES[:-1]:
        (tmp_path / name).write_text((REF / name).read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(DataError, match=config.BOUNDARY_FILES[-1]):
        export.processed_files(cleaned, pd.DataFrame(columns=["publisher", "title", "url"]), {}, tmp_path)


@pytest.mark.parametrize("regions", [(), ("Mopti",)])
def test_the_map_has_no_axes_no_small_text_and_covers_its_regions(processed, admin1, regions):
    data = analysis.load(processed)
    plots.setup()
    fig = plots.mali_map(data.events, data.outline_path, data.admin1_path, "low", regions=regions)
    fig.canvas.draw()
    ax = fig.axes[0]
    assert not ax.axison
    texts = [t for a in fig.axes for t in a.findobj(Text) if t.get_text().strip()] + \
            [t for t in fig.findobj(Text) if t.get_text().strip()]
    assert min(t.get_fontsize() for t in texts) >= 7.5
    west, east = ax.get_xlim()
    south, north = ax.get_ylim()
    want = plots.map_extent(admin1, regions, data.events.dropna(subset=["latitude", "longitude"])
                            [lambda e: e["admin1"].isin(regions)] if regions else None)
    assert west <= want[0] and south <= want[1] and east >= want[2] and north >= want[3]
    shown = [t.get_text() for t in ax.texts]
    if regions:
        assert "Mopti" in shown and "MOPTI" in shown
    else:
        assert {"Bamako", "Kayes", "Gao", "Kidal", "Tombouctou", "Niger"} <= set(shown)
        assert {"ALGERIA", "NIGER", "BURKINA FASO", "MAURITANIA"} <= set(shown)
    plt.close(fig)


def test_the_map_is_deterministic(processed, tmp_path):
    data = analysis.load(processed)
    plots.setup()
    outputs = []
    for run in range(2):
        fig = plots.mali_map(data.events, data.outline_path, data.admin1_path, "low", regions=("Mopti",))
        plots.show(fig, "map", "title", "alt", "caption", tmp_path / str(run))
        outputs.append((tmp_path / str(run) / "map.svg").read_bytes())
    assert outputs[0] == outputs[1]
    assert b"<text" in outputs[0]  # the SVG keeps its text as text


def test_events_at_a_seat_or_centroid_are_drawn_hollow(processed):
    """Filled circles at precision 1, hollow ones (no face colour) at 2 and 3: as many of each as events."""
    data = analysis.load(processed)
    placed = data.events.dropna(subset=["latitude", "longitude"])
    plots.setup()
    fig = plots.mali_map(placed, data.outline_path, data.admin1_path, "low")
    exact = pd.to_numeric(placed["geo_precision"]) == 1
    drawn = {"filled": 0, "hollow": 0}
    want = {"filled": 0, "hollow": 0}
    for column in config.COUNT_COLUMNS.values():
        counted = placed[f"{column}_low"] > 0
        want["filled"] += int((counted & exact).sum())
        want["hollow"] += int((counted & ~exact).sum())
    for c in fig.axes[0].collections[:-len(plots._features(REF / config.CAPITALS_FILE))]:
        if len(c.get_offsets()):
            drawn["hollow" if len(c.get_facecolor()) == 0 else "filled"] += len(c.get_offsets())
    assert drawn == want
    plt.close(fig)


def _regional_map(processed, regions):
    """The map of a briefing on `regions` (all of Mali when empty), as the briefing draws it."""
    data = analysis.load(processed)
    plots.setup()
    events = data.events[data.events["admin1"].isin(regions)] if regions else data.events
    return plots.mali_map(events, data.outline_path, data.admin1_path, "best", regions=regions)


@pytest.mark.parametrize("regions", [(), ("Mopti",)])
def test_map_labels_collide_with_no_label_and_no_capital_marker(processed, regions):
    """Every name on the map stands clear of every other name and of the capitals' squares ("Ba■mako")."""
    fig = _regional_map(processed, regions)
    fig.canvas.draw()
    ax, renderer = fig.axes[0], fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text().strip()]
    clashes = [(a, b) for i, (a, box) in enumerate(boxes) for b, other in boxes[i + 1:] if box.overlaps(other)]
    squares = [c for c in ax.collections if len(c.get_offsets()) == 1 and c.get_paths()
               and len(c.get_paths()[0].vertices) == 5]  # the capitals' square markers
    covered = [(name, tuple(c.get_offsets()[0])) for c in squares for name, box in boxes
               if box.contains(*ax.transData.transform(c.get_offsets()[0]))]
    assert not clashes, clashes
    assert not covered, covered
    plt.close(fig)


def test_a_regional_map_keys_only_the_symbols_it_draws(processed):
    """The Mopti map draws no Bamako, so its key does not list it; the national map does."""
    keyed = {}
    for regions in ((), ("Mopti",)):
        fig = _regional_map(processed, regions)
        keyed[regions] = {t.get_text() for legend in fig.legends for t in legend.get_texts()}
        plt.close(fig)
    assert "Bamako" in keyed[()] and "Bamako" not in keyed[("Mopti",)]
    assert "regional capital" in keyed[("Mopti",)]


@pytest.mark.parametrize("regions", [(), ("Mopti",)])
def test_region_names_stand_inside_their_region(processed, admin1, regions):
    fig = _regional_map(processed, regions)
    fig.canvas.draw()
    ax, renderer = fig.axes[0], fig.canvas.get_renderer()
    outside = []
    for text in ax.texts:
        name = text.get_text().title()
        match = [n for n in admin1 if n.upper() == text.get_text()]
        if match:
            box = text.get_window_extent(renderer)
            centre = ax.transData.inverted().transform(((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))
            if not admin1[match[0]].contains(shapely.Point(centre)):
                outside.append(name)
    assert not outside
    plt.close(fig)
