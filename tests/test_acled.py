"""An ACLED export as input: read in every shape people download, validated, mapped, and run through the
whole path to HTML and PDF; the key figures equal counts taken directly from the generated file."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from malibrief import config
from malibrief.cleaning import acled, acled_sample
from malibrief.cleaning.places import MaliOutline
from malibrief.errors import DataError

ROOT = config.ROOT


def expected(export: pd.DataFrame, start: int, end: int) -> dict:
    """Independent counts from the generated frame: unique events, years, ACLED's categories."""
    rows = export[~export["event_id_cnty"].str.startswith("#")].drop_duplicates("event_id_cnty")  # HXL row out
    dates = pd.to_datetime(rows["event_date"], format="mixed")
    rows = rows[dates.dt.year.between(start, end)]
    fatalities = rows["fatalities"].astype(int)
    killing = (rows["event_type"] == "Violence against civilians") & (fatalities > 0)
    return {"killing": (int(killing.sum()), f"{int(fatalities[killing].sum()):,}"),
            "detention": (int((rows["sub_event_type"] == "Arrests").sum()), "not recorded in the source"),
            "disappearance": (int((rows["sub_event_type"] == "Abduction/forced disappearance").sum()),
                              "not recorded in the source")}


@pytest.mark.parametrize("options", [
    dict(columns="current", hxl=True, index_column=True, repeat_share=0.2),
    dict(columns="pre2023", long_dates=True, inter_as_text=True, repeat_share=0.1),
], ids=["current-hxl-index-repeats", "pre2023-long-dates-text-inter"])
def test_reading_every_export_shape(tmp_path, options):
    path = acled_sample.write_export(tmp_path / "export.csv", 400, seed=3, **options)
    read = acled.read(path)
    assert read.hxl_row == options.get("hxl", False)
    assert read.repeated == 400 - read.frame["event_id_cnty"].nunique() and read.frame["event_id_cnty"].is_unique
    assert "" not in read.frame.columns
    events, mapping = acled.to_events(acled.validate(read), path.name)
    assert events["event_id"].is_unique
    assert set(events["admin1"]) <= set(config.ADMIN1) and "Tombouctou" in set(events["admin1"])
    assert mapping["unknown actors"] == []  # every name of the sample follows ACLED's naming rules
    assert set(events.loc[events["actor"] == "Fulani militias", "actor_class"]) == {"militias"}
    assert (events["detained_high"].isna() == (events["detained_low"] == 1)).all()


@pytest.mark.parametrize("column, value, message", [
    ("event_date", "the twelfth of never", "is not a date"),
    ("fatalities", "a few", "is not a whole number"),
    ("latitude", "14.5N", "is not a number"),
])
def test_bad_values_are_named_with_their_line(tmp_path, column, value, message):
    export = acled_sample.make_export(50, seed=5)
    export.loc[7, column] = value
    path = tmp_path / "export.csv"
    export.to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        acled.validate(acled.read(path))
    text = str(err.value)
    assert f"line 9, column '{column}': value '{value}'" in text and message in text


def test_points_outside_mali_are_listed_not_refused_and_missing_columns(tmp_path):
    export = acled_sample.make_export(50, seed=5)
    export.loc[3, ["latitude", "longitude"]] = ["14.7", "-17.4"]  # Dakar
    export.to_csv(tmp_path / "outside.csv", index=False)
    located = acled.locate(acled.validate(acled.read(tmp_path / "outside.csv")), MaliOutline())
    assert list(located.outside.index) == [5] and located.outside["km_outside"].iloc[0] > 300
    assert located.frame.loc[5, ["latitude", "longitude"]].tolist() == ["", ""]
    export.drop(columns=["fatalities"]).to_csv(tmp_path / "missing.csv", index=False)
    with pytest.raises(DataError, match="column 'fatalities'.*required ACLED column is missing"):
        acled.read(tmp_path / "missing.csv")


@pytest.fixture(scope="module", params=[
    dict(columns="current", hxl=True, repeat_share=0.1, realistic=True),
    dict(columns="pre2023", index_column=True, long_dates=True, inter_as_text=True, repeat_share=0.1),
], ids=["current-hxl-realistic", "pre2023-index"])
def acled_build(tmp_path_factory, request):
    folder = tmp_path_factory.mktemp("acled")
    export = acled_sample.make_export(300, seed=11, start_year=2018, end_year=2020, **request.param)
    export.to_csv(folder / "export.csv", index=False, lineterminator="\n")
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "-q", "-p", "input_format", "acled",
                             "-p", "input_path", str(folder / "export.csv"), "-p", "start_year", "2018",
                             "-p", "end_year", "2020", "--out", str(folder / "out")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    return export, folder / "out"


@pytest.mark.slow
def test_acled_briefing_key_figures_equal_the_file(acled_build):
    export, out = acled_build
    soup = BeautifulSoup((out / "briefing" / "briefing.html").read_text(encoding="utf-8"), "html.parser")
    table = next(t for t in soup.find_all("table") if t.find("th").get_text() == "Violation")
    names = {"Killings": "killing", "Detentions": "detention", "Disappearances": "disappearance"}
    shown = {names[tr.find_all("td")[0].get_text()]: (int(tr.find_all("td")[1].get_text()), tr.find_all("td")[2].get_text())
             for tr in table.find("tbody").find_all("tr")}
    assert shown == expected(export, 2018, 2020)
    assert len(PdfReader(out / "briefing" / "briefing.pdf").pages) >= 5


@pytest.mark.slow
def test_acled_briefing_wording_follows_its_source(acled_build):
    _, out = acled_build
    text = " ".join(BeautifulSoup((out / "briefing" / "briefing.html").read_text(encoding="utf-8"), "html.parser").get_text().split())
    assert "report chapters by Amnesty International" not in text
    assert "chose to describe in annual report chapters" not in text
    assert "ACLED export export.csv" in text and "ACLED records" in text
    assert "ACLED records the lowest reported figure" in text  # the methodology describes ACLED's coding
    log = pd.read_csv(out / "processed" / "cleaning_log.csv", dtype=str, keep_default_na=False)
    assert "unknown actors" in set(log["step"])
    unmapped = pd.read_csv(out / "processed" / "unmapped_actors.csv", dtype=str, keep_default_na=False)
    assert list(unmapped.columns) == ["acled_actor", "role", "group", "how", "events"]


@pytest.mark.slow
def test_acled_run_never_touches_the_projects_processed_data(acled_build):
    _, out = acled_build
    assert (out / "processed" / "events.csv").exists()
    committed = pd.read_csv(config.PROCESSED / "events.csv", dtype=str)
    assert committed["event_id"].str.startswith("EV-").all()
