"""What a notebook's cells declare, read from its JSON without starting Jupyter: its parameters (for the command
line, the build's plan and the briefing's own "how to reproduce" defaults) and its imports (for a kernel started
ahead). A shared module: the briefing's notebook and the pipeline both read it, and it imports no layer."""
from __future__ import annotations

import ast
import json
from pathlib import Path


def _cells(path: Path) -> list[dict]:
    return [c for c in json.loads(Path(path).read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


def _is_parameters(cell: dict) -> bool:
    return "parameters" in cell.get("metadata", {}).get("tags", [])


def notebook_parameters(path: Path) -> dict[str, tuple[object, str]]:
    """Name -> (default, help) from the cell tagged `parameters` (papermill's convention)."""
    source = "".join(next(c for c in _cells(path) if _is_parameters(c))["source"])
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            line = source.splitlines()[node.lineno - 1]
            comment = line.split("#", 1)[1].strip() if "#" in line else ""
            found[node.targets[0].id] = (ast.literal_eval(node.value), comment)
    return found


def notebook_imports(path: Path) -> str:
    """The import statements at the top level of the notebook's code cells, as one line of code that runs them and
    then deletes the names they bind: a kernel started ahead runs it as it boots (IPython's exec_lines), so that
    the imports are done while the build does other work, and the notebook starts with an empty namespace."""
    statements, names = [], []
    for cell in _cells(path):
        if _is_parameters(cell):
            continue
        try:
            body = ast.parse("".join(cell["source"])).body
        except SyntaxError:  # IPython syntax (%magic, !shell): the cell shows its own error when it runs
            continue
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0) \
                    and all(alias.name != "*" for alias in node.names):
                statements.append(ast.unparse(node))
                names += [alias.asname or alias.name.split(".")[0] for alias in node.names]
    if not statements:
        return ""
    return "; ".join([*statements, "del " + ", ".join(dict.fromkeys(names))])
