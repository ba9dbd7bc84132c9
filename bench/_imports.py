"""Import cost inside a notebook's kernel: the notebook's own import statements, timed in a fresh process.

    python bench/_imports.py notebooks/02-briefing.ipynb    # prints one JSON object

The process first imports what a running ipykernel already holds (ipykernel, IPython; untimed), then
runs every import statement of the notebook's code cells in order and times them. Each notebook runs
in its own kernel under papermill, so each pays its imports in full.
"""
import ast
import json
import sys
import time
from pathlib import Path

import ipykernel.ipkernel  # noqa: F401  (already loaded in a kernel)
import IPython.display  # noqa: F401

notebook = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
timings = {}
for cell in notebook["cells"]:
    if cell["cell_type"] != "code":
        continue
    for node in ast.parse("".join(cell["source"])).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            statement = ast.unparse(node)
            t = time.perf_counter()
            exec(statement, {})
            timings[statement] = time.perf_counter() - t
print(json.dumps({"total": sum(timings.values()), "statements": timings}))
