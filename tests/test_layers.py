"""The package's layers import one way: cleaning never imports the briefing; the briefing reads only the processed
folder and never imports the cleaning; the pipeline calls the briefing through its entry point only; the shared
modules (config, io, errors, text, params, notebook) import no layer. Each notebook's code keeps its layer's rules.
The installed package reads its own data, not the checkout's; config is the one home of the vocabularies.
Notebooks carry no outputs."""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from IPython.core.inputtransformer2 import TransformerManager

import malibrief
from malibrief import config
from malibrief.text import fold

PACKAGE = Path(malibrief.__file__).resolve().parent  # the package imported, which the rules are about
SHARED = {"config", "io", "errors", "text", "params", "notebook"}
# The notebooks' layers, by the number they start with: 01 cleans, 02 briefs, 03 helps code (as the cleaning).
NOTEBOOK_LAYERS = {"01": "cleaning", "02": "briefing", "03": "propose"}
# What the briefing may not name: the project's data folder, its raw and reference folders, the project root they
# hang from and the chapters' text; as config attributes, imported names, or text (getattr, a path).
OUTSIDE_PROCESSED = re.compile(r"DATA|ROOT|SOURCES_DIR|RAW\w*|REFERENCE\w*")
OUTSIDE_PROCESSED_TEXT = re.compile(r"(^|[/\\])data[/\\]+(raw|reference)\b|^(raw|reference)$")


def _module(path: Path) -> tuple[ast.Module, list[str]]:
    """A module's syntax tree and its package, for resolving relative imports."""
    return ast.parse(path.read_text(encoding="utf-8")), list(path.relative_to(PACKAGE.parent).parts[:-1])


def _notebook(path: Path) -> tuple[ast.Module, list[str]]:
    """The notebook's code cells as one syntax tree, IPython syntax (%magic) turned into Python as the kernel does."""
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    transform = TransformerManager().transform_cell
    return ast.Module([node for c in cells for node in ast.parse(transform("".join(c["source"]))).body], []), []


def _imports(tree: ast.Module, package: list[str]) -> set[str]:
    """Every malibrief name the code imports, relative imports resolved ("from ..cleaning import x")."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("malibrief")}


def _reads_outside_processed(tree: ast.Module, package: list[str]) -> set[str]:
    """What in the code names a folder other than the processed one: config.RAW, `from malibrief.config import
    DATA`, getattr(config, "REFERENCE"), "data/raw" or a path part "reference"."""
    found = {f".{n.attr}" for n in ast.walk(tree) if isinstance(n, ast.Attribute) and OUTSIDE_PROCESSED.fullmatch(n.attr)}
    found |= {i for i in _imports(tree, package)
              if i.startswith("malibrief.config.") and OUTSIDE_PROCESSED.fullmatch(i.rsplit(".", 1)[1])}
    return found | {repr(n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    and (OUTSIDE_PROCESSED.fullmatch(n.value) or OUTSIDE_PROCESSED_TEXT.search(n.value))}


def _cleaning_problems(tree, package) -> set[str]:
    return {i for i in _imports(tree, package) if i.startswith(("malibrief.briefing", "malibrief.pipeline"))}


def _briefing_problems(tree, package) -> set[str]:
    imports = {i for i in _imports(tree, package) if i.startswith(("malibrief.cleaning", "malibrief.pipeline"))}
    return imports | _reads_outside_processed(tree, package)


RULES = {"cleaning": _cleaning_problems, "propose": _cleaning_problems, "briefing": _briefing_problems}


def _modules(layer: str):
    return sorted((PACKAGE / layer).rglob("*.py")) if layer else sorted(PACKAGE.glob("*.py"))


def _notebooks():
    return sorted(config.NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("path", _modules("cleaning") + _modules("propose"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_cleaning_and_assisted_coding_never_import_the_briefing_or_the_pipeline(path):
    assert not _cleaning_problems(*_module(path))


@pytest.mark.parametrize("path", _modules("briefing"), ids=lambda p: p.name)
def test_the_briefing_never_imports_the_cleaning_and_reads_no_raw_or_reference_folder(path):
    assert not _briefing_problems(*_module(path)), "the briefing reads only the processed folder"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_each_notebook_keeps_its_layers_rules(path):
    layer = NOTEBOOK_LAYERS.get(path.name[:2])
    assert layer, f"{path.name}: a notebook starts with the number of its layer, one of {NOTEBOOK_LAYERS}"
    assert not RULES[layer](*_notebook(path)), f"{path.name} belongs to the {layer} layer"


@pytest.mark.parametrize("path", _modules("pipeline"), ids=lambda p: p.name)
def test_the_pipeline_uses_no_layer_internals(path):
    tree, package = _module(path)
    layers = {i for i in _imports(tree, package) if i.startswith(("malibrief.briefing", "malibrief.cleaning"))}
    assert layers <= {"malibrief.briefing"}, layers  # `from malibrief import briefing`: its entry point only
    # nor by name, through importlib
    named = {n.value for n in ast.walk(tree)
             if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.startswith("malibrief.")}
    assert not {n for n in named if n.startswith(("malibrief.briefing.", "malibrief.cleaning."))}, named


@pytest.mark.parametrize("path", [p for p in _modules("") if p.stem in SHARED], ids=lambda p: p.name)
def test_shared_modules_import_no_layer(path):
    assert not {i for i in _imports(*_module(path)) if i.startswith(("malibrief.briefing", "malibrief.cleaning",
                                                                     "malibrief.pipeline"))}


def test_the_rules_see_imports_and_reads():
    """The checks above would pass vacuously if the parser missed imports, or the briefing's check missed a read."""
    assert "malibrief.briefing" in _imports(*_module(PACKAGE / "pipeline" / "run.py"))  # from malibrief import briefing
    assert any(i.startswith("malibrief.cleaning") for i in _imports(*_module(PACKAGE / "cleaning" / "incidents.py")))
    assert "malibrief.cleaning.counts.number_word" in _imports(*_module(PACKAGE / "propose" / "extract.py"))  # relative
    assert "malibrief.briefing.analysis" in _imports(*_notebook(config.NOTEBOOKS / "02-briefing.ipynb"))
    assert "malibrief.cleaning.export" in _imports(*_notebook(config.NOTEBOOKS / "01-clean-acled.ipynb"))
    reads = {'config.DATA / "reference"', "config.RAW", "config.REFERENCE_X", "config.ROOT / 'data' / 'raw'",
             "config.SOURCES_DIR", 'getattr(config, "RAW")', 'Path("data/raw")', 'Path("../data/reference/x.csv")',
             'Path("data") / "reference"', "from malibrief.config import DATA", "from ..config import REFERENCE"}
    for code in reads:
        assert _reads_outside_processed(ast.parse(code), ["malibrief", "briefing"]), code
    fine = 'config.PROCESSED; config.project_path("data/processed"); "the reference table"; {"data"}; t.raw_text'
    assert not _reads_outside_processed(ast.parse(fine), ["malibrief", "briefing"])


def test_the_installed_package_reads_its_own_data_and_the_cache_hashes_it(tmp_path):
    """The catalogues, templates and fields.yaml are found in the package imported, and the cache's code key is that
    package, even where the project folder is elsewhere (`pip install .`, then a build in the project folder)."""
    code = ("import json; from malibrief import config, params; from malibrief.pipeline import run; "
            "from malibrief.briefing import html; from malibrief.cleaning import export; "
            "print(json.dumps([str(config.LOCALE_DIR), [str(p) for p in run.CODE], params.languages(), "
            "str(html.TEMPLATES), str(export.FIELDS_FILE)]))")
    shown = subprocess.run([sys.executable, "-c", code], env={**os.environ, "MALIBRIEF_ROOT": str(tmp_path)},
                           capture_output=True, text=True, check=True).stdout
    locale, hashed, languages, templates, fields = json.loads(shown)
    assert Path(locale) == PACKAGE / "briefing" / "locale" and "fr" in languages
    assert hashed == [str(PACKAGE)]
    for path in (templates, fields):  # found in the package, not under the project folder MALIBRIEF_ROOT names
        assert PACKAGE in Path(path).resolve().parents, path


def test_the_data_packages_enums_are_configs_vocabularies(monkeypatch):
    """config is the one home of the region list and the other vocabularies: the schema takes them from there."""
    from malibrief.cleaning import export

    def enums():
        package = export.datapackage(pd.DataFrame(columns=["publisher", "title", "url"]))
        return {(r["name"], f["name"]): f["constraints"]["enum"] for r in package["resources"] if "schema" in r
                for f in r["schema"]["fields"] if "enum" in f.get("constraints", {})}

    committed = json.loads((config.PROCESSED / "datapackage.json").read_text(encoding="utf-8"))
    events = next(r for r in committed["resources"] if r["name"] == "events")
    assert next(f for f in events["schema"]["fields"] if f["name"] == "admin1")["constraints"] == {
        "enum": ["", *config.ADMIN1]}
    assert enums()["events", "admin1"] == ["", *config.ADMIN1]
    assert enums()["events", "actor_class"] == list(config.ACTOR_CLASSES)
    assert enums()["violations", "violation"] == list(config.VIOLATIONS)
    monkeypatch.setattr(config, "ADMIN1", (*config.ADMIN1, "Nioro"))  # a change in config changes the schema
    assert enums()["events", "admin1"] == ["", *config.ADMIN1]


def test_no_file_of_the_package_lists_the_regions_again():
    """Only config.py names every region; a file that names them all holds a second copy of the list."""
    regions = [re.compile(rf"\b{re.escape(fold(name))}\b") for name in config.ADMIN1]
    copies = [str(path.relative_to(PACKAGE)) for path in sorted(PACKAGE.rglob("*"))
              if path.suffix in {".py", ".yaml", ".json", ".csv", ".html", ".j2", ".js", ".css", ".po", ".pot", ".md"}
              and path.name != "config.py" and "__pycache__" not in path.parts
              and all(r.search(fold(path.read_text(encoding="utf-8"))) for r in regions)]
    assert not copies, f"{copies}: take the regions from config.ADMIN1"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, path.name
