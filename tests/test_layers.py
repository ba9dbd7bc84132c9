"""The package's layers import one way: cleaning never imports the briefing; the briefing reads only the processed
folder and never imports the cleaning; the pipeline calls the briefing through its entry point only; the shared
modules (config, io, errors, text, params) import no layer. Notebooks carry no outputs."""
from __future__ import annotations

import ast
import json

import pytest

from malibrief import config

PACKAGE = config.ROOT / "malibrief"
SHARED = {"config", "io", "errors", "text", "params"}


def _imports(path) -> set[str]:
    """Every malibrief name a module imports, relative imports resolved ("from ..cleaning import x")."""
    package = list(path.relative_to(config.ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("malibrief")}


def _modules(layer: str):
    return sorted((PACKAGE / layer).rglob("*.py")) if layer else sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", _modules("cleaning") + _modules("propose"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_cleaning_and_assisted_coding_never_import_the_briefing_or_the_pipeline(path):
    assert not {i for i in _imports(path) if i.startswith(("malibrief.briefing", "malibrief.pipeline"))}


@pytest.mark.parametrize("path", _modules("briefing"), ids=lambda p: p.name)
def test_the_briefing_never_imports_the_cleaning_and_reads_no_raw_or_reference_folder(path):
    assert not {i for i in _imports(path) if i.startswith(("malibrief.cleaning", "malibrief.pipeline"))}
    names = {n.attr for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Attribute)}
    assert not names & {"RAW", "REFERENCE"}, "the briefing reads only the processed folder"


@pytest.mark.parametrize("path", _modules("pipeline"), ids=lambda p: p.name)
def test_the_pipeline_uses_no_layer_internals(path):
    layers = {i for i in _imports(path) if i.startswith(("malibrief.briefing", "malibrief.cleaning"))}
    assert layers <= {"malibrief.briefing"}, layers  # `from malibrief import briefing`: its entry point only
    # nor by name, through importlib
    named = {n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.startswith("malibrief.")}
    assert not {n for n in named if n.startswith(("malibrief.briefing.", "malibrief.cleaning."))}, named


@pytest.mark.parametrize("path", [p for p in _modules("") if p.stem in SHARED], ids=lambda p: p.name)
def test_shared_modules_import_no_layer(path):
    assert not {i for i in _imports(path) if i.startswith(("malibrief.briefing", "malibrief.cleaning",
                                                           "malibrief.pipeline"))}


def test_the_rules_see_imports():
    """The checks above would pass vacuously if the parser missed imports."""
    assert "malibrief.briefing" in _imports(PACKAGE / "pipeline" / "run.py") | {
        i.rsplit(".", 1)[0] for i in _imports(PACKAGE / "pipeline" / "run.py")}
    assert any(i.startswith("malibrief.cleaning") for i in _imports(PACKAGE / "cleaning" / "incidents.py"))
    assert "malibrief.cleaning.counts.number_word" in _imports(PACKAGE / "propose" / "extract.py")  # relative


@pytest.mark.parametrize("path", sorted(config.NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, path.name
