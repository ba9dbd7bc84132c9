"""The set-up files agree with each other, and build.py's help tells every parameter."""
import re
import subprocess
import sys

import yaml

from malibrief import config

ROOT = config.ROOT


def pins_from_requirements() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def pins_from_environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for item in env["dependencies"]:
        if isinstance(item, str) and "=" in item and not item.startswith(("python", "pip")):
            name, version = re.split(r"=+", item, maxsplit=1)
            pins[name.lower()] = version
        if isinstance(item, dict):  # the pip: list, for packages taken from PyPI
            for line in item.get("pip", []):
                if "==" in line:
                    name, version = line.split("#", 1)[0].strip().split("==")
                    pins[name.lower()] = version
    return pins


def test_requirements_and_environment_pin_the_same_packages():
    assert pins_from_requirements() == pins_from_environment()
    assert {"jupyterlab", "pandas", "matplotlib", "seaborn", "papermill", "nbconvert"} <= set(pins_from_requirements())


def test_installed_versions_match_the_pins():
    from importlib.metadata import version

    for name, pinned in pins_from_requirements().items():
        assert version(name) == pinned, name


def test_build_help_lists_every_parameter_with_its_default():
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for name in ("raw_dir", "reference_dir", "exclude_flags", "start_year", "end_year", "regions",
                 "actor_classes", "actors", "violations", "estimate", "title"):
        assert re.search(rf"^\s+{name}\s+default ", result.stdout, re.M), name
    assert "default 2021" in result.stdout and "--each" in result.stdout
