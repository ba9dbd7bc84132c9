#!/usr/bin/env python3
"""Build the briefing: execute the notebooks with papermill, render HTML and PDF with nbconvert.

    python build.py                                   # the default briefing, into build/
    python build.py -p regions Mopti -p start_year 2023 --out build/mopti
    python build.py -f params.yaml                    # parameters from a YAML file
    python build.py --each regions                    # one briefing per region, and an index page
    python build.py -p input_format acled -p input_path export.csv -p start_year 2018 -p end_year 2020 --out DIR

Parameters are checked before any kernel starts; a bad one exits with status 2. A failing notebook
cell exits with status 1, keeps the executed notebook for inspection, and leaves the last rendered
briefing untouched; Ctrl-C exits with status 130 and keeps what was already written, whole. Steps whose
inputs, parameters, code and outputs have not changed are not run again. The work is in malibrief.pipeline.
"""
from malibrief.pipeline.cli import run

if __name__ == "__main__":
    run()
