"""Real ACLED exports (issue 19, section 2): border localities are accepted, points far out are listed not
refused, actor names follow ACLED's naming rules, and the export's other faults are named.

    .venv/bin/python -m pytest -q tests/test_acled_real_exports.py

Expected counts are taken from the generated frame with plain pandas, never from the mapping under test.
"""
from __future__ import annotations

import pandas as pd
import papermill
import pytest

from malibrief import config
from malibrief.cleaning import acled, acled_sample
from malibrief.cleaning.places import MaliOutline
from malibrief.errors import SHOWN, DataError

NOTEBOOK = config.NOTEBOOKS / "01-clean-acled.ipynb"
STATE = r"^(?:Military|Police) Forces of Mali\b"  # how ACLED names Mali's own forces, whatever the period


@pytest.fixture(scope="module")
def realistic(tmp_path_factory):
    path = tmp_path_factory.mktemp("acled") / "export.csv"
    acled_sample.write_export(path, 3000, seed=7, realistic=True, repeat_share=0.1, hxl=True)
    return path, pd.read_csv(path, dtype=str, keep_default_na=False).iloc[1:]  # the HXL row out


def kept(export: pd.DataFrame) -> pd.DataFrame:
    """The rows with a violation the briefing counts, each event once, straight from the file."""
    rows = export.drop_duplicates("event_id_cnty")
    killing = rows["event_type"].eq("Violence against civilians") & rows["fatalities"].astype(int).gt(0)
    held = rows["sub_event_type"].isin(["Arrests", "Abduction/forced disappearance"])
    return rows[killing | held]


def test_border_localities_are_accepted_and_a_far_point_is_listed(realistic):
    path, export = realistic
    located = acled.locate(acled.validate(acled.read(path)), MaliOutline())
    rows = export.drop_duplicates("event_id_cnty")
    border = rows[rows["location"].str.startswith("Border locality")]
    assert len(border) > 20
    assert set(located.near_border["event_id_cnty"]) == set(border["event_id_cnty"])
    assert (located.near_border["km_outside"] <= config.ACLED_BORDER_TOLERANCE_KM).all()
    far = rows[(rows["location"] == "Nioro") & rows["longitude"].astype(float).gt(0)]  # the sign error
    assert list(located.outside["event_id_cnty"]) == list(far["event_id_cnty"])
    assert len(located.frame) == len(rows)  # nothing refused, nothing dropped


def test_a_point_beyond_the_tolerance_keeps_its_event_without_coordinates(realistic):
    path, export = realistic
    located = acled.locate(acled.validate(acled.read(path)), MaliOutline())
    events, _ = acled.to_events(located.frame, path.name)
    far = located.outside["event_id_cnty"].iloc[0]
    row = events[events["event_id"] == far]
    if len(row):  # the sign-error row may be a battle, which the briefing does not count
        assert row["latitude"].isna().all() and row["admin1"].iloc[0] == "Kayes"
    assert len(events) == len(kept(export))


@pytest.mark.parametrize("name, actor, actor_class", [
    ("Military Forces of Mali (2013-2020)", "Malian armed forces", "state forces"),
    ("Military Forces of Mali (2021-)", "Malian armed forces", "state forces"),
    ("Military Forces of Mali (2012-2020) Prison Guards", "Malian armed forces", "state forces"),
    ("Police Forces of Mali (2013-2020)", "Malian security forces", "state forces"),
    ("Police Forces of Mali (2021-) Gendarmerie", "Malian gendarmerie", "state forces"),
    ("Military Forces of Burkina Faso (2022-)", "Foreign state forces", "foreign forces"),
    ("Military Forces of France (2017-) Operation Barkhane", "French forces", "foreign forces"),
    ("JNIM: Group for Support of Islam and Muslims", "JNIM (GSIM)", "Islamist armed groups"),
    ("Katiba Macina", "JNIM (GSIM)", "Islamist armed groups"),
    ("Islamic State (Greater Sahara)", "Islamic State Sahel", "Islamist armed groups"),
    ("Islamic State (Sahel)", "Islamic State Sahel", "Islamist armed groups"),
    ("AQIM: Al Qaeda in the Islamic Maghreb", "AQIM", "Islamist armed groups"),
    ("Ansar Dine", "Ansar Dine", "Islamist armed groups"),
    ("Dozo Militia", "Dozo militias", "militias"),
    ("Dozo Communal Militia (Mali)", "Dozo militias", "militias"),
    ("Dan Na Ambassagou", "Dan Na Ambassagou", "militias"),
    ("Fulani Ethnic Militia (Mali)", "Fulani militias", "militias"),
    ("Dogon Ethnic Militia (Mali)", "Dogon militias", "militias"),
    ("Bambara Communal Militia (Mali)", "Other ethnic and communal militias", "militias"),
    ("Unidentified Armed Group (Mali)", "Unidentified armed men", "unknown"),
])
def test_actor_names_follow_acleds_naming_rules(name, actor, actor_class):
    frame = acled_sample.make_export(1, seed=1).assign(
        event_type="Violence against civilians", sub_event_type="Attack", fatalities="3", actor1=name,
        assoc_actor_1="", inter1="")
    events, mapping = acled.to_events(frame, "one.csv")
    assert (events["actor"].iloc[0], events["actor_class"].iloc[0]) == (actor, actor_class)
    assert mapping["unknown actors"] == []


@pytest.mark.parametrize("inter, actor_class", [("3", "militias"), ("Identity militia", "militias"),
                                                ("1", "state forces"), ("", "other")])
def test_an_unknown_name_is_classed_by_its_inter_code_and_listed(inter, actor_class):
    frame = acled_sample.make_export(3, seed=1).assign(
        event_type="Violence against civilians", sub_event_type="Attack", fatalities="3",
        actor1="Hunters of the Seno Plain", assoc_actor_1="", inter1=inter)
    events, mapping = acled.to_events(frame, "three.csv")
    assert set(events["actor_class"]) == {actor_class}
    listed = mapping["unmapped actors"]
    assert listed[["acled_actor", "role", "events"]].values.tolist() == [["Hunters of the Seno Plain", "actor1", 3]]
    assert listed["how"].iloc[0] == ("inter code" if inter else "none")


def test_an_unknown_associate_is_listed_and_does_not_make_the_event_other():
    frame = acled_sample.make_export(2, seed=1).assign(
        event_type="Violence against civilians", sub_event_type="Attack", fatalities="3",
        actor1="Military Forces of Mali (2013-2020)", assoc_actor_1="Hunters of the Seno Plain", inter1="1")
    events, mapping = acled.to_events(frame, "two.csv")
    assert set(events["actor_class"]) == {"state forces"}
    assert mapping["unmapped actors"][["acled_actor", "role", "events"]].values.tolist() == \
        [["Hunters of the Seno Plain", "assoc_actor_1", 2]]


def test_other_stays_under_5_percent_and_unmapped_names_are_counted(realistic):
    path, export = realistic
    located = acled.locate(acled.validate(acled.read(path)), MaliOutline())
    events, mapping = acled.to_events(located.frame, path.name)
    assert (events["actor_class"] == "other").mean() < 0.05
    rows = kept(export)
    unmapped = mapping["unmapped actors"]
    for name in ("Self-Defence Group of the Seno (Mali)", "Gunmen of the Western Hills"):
        assert unmapped.loc[unmapped["acled_actor"] == name, "events"].iloc[0] == (rows["actor1"] == name).sum()
    associate = "Hunters of the Seno Plain"
    assert unmapped.loc[unmapped["acled_actor"] == associate, "events"].iloc[0] == \
        (rows["assoc_actor_1"] == associate).sum()
    state = rows["actor1"].str.contains(STATE)
    assert events["actor_class"].str.startswith("state forces").sum() == state.sum()


def test_a_repeated_id_with_different_data_is_named(tmp_path):
    export = acled_sample.make_export(20, seed=5)
    twin = export.iloc[[4]].assign(fatalities="99")
    pd.concat([export, twin], ignore_index=True).to_csv(tmp_path / "twins.csv", index=False)
    with pytest.raises(DataError) as err:
        acled.read(tmp_path / "twins.csv")
    assert "line 22, column 'event_id_cnty': value 'MLI5': repeats the event of line 6 with different fatalities" \
        in str(err.value)
    pd.concat([export, export.iloc[[4]]], ignore_index=True).to_csv(tmp_path / "copy.csv", index=False)
    assert acled.read(tmp_path / "copy.csv").repeated == 1  # an exact copy counts once, as before


def test_zero_rows_and_no_counted_violation_are_clear_errors(tmp_path):
    export = acled_sample.make_export(20, seed=5)
    export.iloc[:0].to_csv(tmp_path / "header.csv", index=False)
    with pytest.raises(DataError, match="has a header but no rows"):
        acled.read(tmp_path / "header.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataError, match="is empty"):
        acled.read(tmp_path / "empty.csv")
    battles = export.assign(event_type="Battles", sub_event_type="Armed clash")
    with pytest.raises(DataError, match="none of its 20 events is a killing"):
        acled.to_events(battles, "battles.csv")


def test_implausible_fatalities_are_named(tmp_path):
    export = acled_sample.make_export(20, seed=5)
    export.loc[2, "fatalities"] = "50000"
    export.to_csv(tmp_path / "typo.csv", index=False)
    with pytest.raises(DataError) as err:
        acled.validate(acled.read(tmp_path / "typo.csv"))
    assert "line 4, column 'fatalities': value '50000': is above 10,000" in str(err.value)
    assert "MAX_ACLED_FATALITIES" in str(err.value)


def test_the_error_list_is_capped(tmp_path):
    export = acled_sample.make_export(400, seed=5)
    export["event_date"] = "the twelfth of never"
    export.to_csv(tmp_path / "dates.csv", index=False)
    with pytest.raises(DataError) as err:
        acled.validate(acled.read(tmp_path / "dates.csv"))
    text = str(err.value)
    assert len(err.value.problems) == 400
    assert text.count("\n  - ") == SHOWN and f"and {400 - SHOWN} more problem(s) not listed" in text
    assert len(text) < 200 * SHOWN


@pytest.mark.slow
def test_cleaning_notebook_counts_state_forces_as_the_file_does(realistic, tmp_path):
    path, export = realistic
    out = tmp_path / "processed"
    papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "executed.ipynb"), kernel_name="python3",
                               parameters=dict(input_path=str(path), out_dir=str(out)),
                               cwd=str(NOTEBOOK.parent), progress_bar=False, log_output=False)
    read = dict(dtype=str, keep_default_na=False)
    events, log = pd.read_csv(out / "events.csv", **read), pd.read_csv(out / "cleaning_log.csv", **read)
    rows = kept(export)
    state = rows["actor1"].str.contains(STATE)
    assert events["actor_class"].str.startswith("state forces").sum() == state.sum()
    killing = state & rows["event_type"].eq("Violence against civilians")
    by_state = events[events["actor_class"].str.startswith("state forces")]
    assert by_state["killed_low"].astype(int).sum() == rows.loc[killing, "fatalities"].astype(int).sum()
    assert (events["actor_class"] == "other").mean() < 0.05
    far = log[log["step"] == "point outside Mali"]
    assert len(far) == 1 and "km outside" in far["detail"].iloc[0]
    near = log.loc[log["step"] == "points near the border", "count"].astype(int).iloc[0]
    assert near == export.drop_duplicates("event_id_cnty")["location"].str.startswith("Border locality").sum()
    unmapped = pd.read_csv(out / "unmapped_actors.csv", **read)
    assert "Hunters of the Seno Plain" in set(unmapped["acled_actor"])
    details = log.loc[log["step"] == "unmapped actor", "detail"]
    assert len(details) == len(unmapped)
    for name, role in zip(unmapped["acled_actor"], unmapped["role"]):
        assert details.str.startswith(f"{name} ({role})").any(), name
