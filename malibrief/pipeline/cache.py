"""Which steps can be skipped: a step is fresh when its inputs, parameters and code hash as they did when it
last ran, and the outputs it wrote still hash as they did then (a file changed by hand makes it run again)."""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from malibrief.io import atomic_write


def digest(paths, *extra) -> str:
    """Content hash over files (recursively) and extra values: the cache key of a step."""
    h = hashlib.sha256()
    for root in paths:
        root = Path(root)
        for path in sorted(root.rglob("*") if root.is_dir() else [root]):
            if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith("."):
                h.update(str(path.relative_to(root.parent)).encode())
                h.update(path.read_bytes())
    h.update(json.dumps(extra, sort_keys=True, default=str).encode())
    return h.hexdigest()


class Cache:
    """The steps' keys and output hashes, in <out>/.cache/steps.json."""

    def __init__(self, out: Path, force: bool):
        self.path, self.force = Path(out) / ".cache" / "steps.json", force
        self.entries = {} if force else self._read()

    def _read(self) -> dict:
        if not self.path.exists():
            return {}
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(entries, dict) and all(isinstance(v, dict) for v in entries.values()):
                return entries
        except (OSError, ValueError):
            pass
        print(f"build: warning: the cache {self.path} cannot be read; every step runs again", file=sys.stderr)
        return {}

    def fresh(self, step: str, key: str, outputs) -> bool:
        entry = self.entries.get(step)
        return (not self.force and entry is not None and entry.get("key") == key
                and all(Path(p).exists() for p in outputs) and entry.get("outputs") == digest(outputs))

    def store(self, step: str, key: str, outputs) -> None:
        self.entries[step] = {"key": key, "outputs": digest(outputs)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(self.entries, indent=1, sort_keys=True).encode())
