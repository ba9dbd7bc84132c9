"""The set-up files agree with each other, and build.py's help tells every parameter."""
import re
import subprocess
import sys

import yaml

from malibrief import config

ROOT = config.ROOT


def pins_from_lock(name: str = "requirements-test.txt") -> dict[str, str]:
    """Exact versions from a lock file made by `make lock`, for this machine: a line whose marker (after ';')
    does not hold here (pywin32 on Linux, an older soupsieve for Python < 3.11.5) is not this machine's."""
    from packaging.markers import Marker

    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        requirement, _, marker = line.split("#", 1)[0].partition(";")
        if requirement.strip() and (not marker.strip() or Marker(marker).evaluate()):
            package, version = requirement.strip().split("==")
            pins[package.lower().replace("_", "-")] = version
    return pins


# conda-forge's lighter builds, under the name of the PyPI package they hold
CONDA_FORGE_BUILDS = {"matplotlib-base": "matplotlib", "nbconvert-core": "nbconvert"}


def pins_from_environment() -> dict[str, str]:
    """environment.yml's pins, by PyPI name."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for item in env["dependencies"]:
        entries = item["pip"] if isinstance(item, dict) else [item]
        for entry in entries:
            if "=" in entry and not entry.startswith(("python", "-")):
                name, version = re.split(r"=+", entry, maxsplit=1)
                name = name.lower().replace("_", "-")
                pins[CONDA_FORGE_BUILDS.get(name, name)] = version
    return pins


def test_environment_pins_what_the_lock_pins():
    lock = {**pins_from_lock("requirements-lab.txt"), **pins_from_lock("requirements-test.txt")}
    environment = pins_from_environment()
    assert {n: lock.get(n) for n in environment} == environment
    assert {"jupyterlab", "pandas", "matplotlib", "papermill", "nbconvert"} <= set(environment)


def test_the_locks_pin_every_dependency_of_pyproject():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, test = pins_from_lock("requirements.txt"), pins_from_lock("requirements-test.txt")
    for requirement in project["dependencies"]:
        assert re.split(r"[<>=~!\[ ]", requirement)[0].lower().replace("_", "-") in runtime, requirement
    for requirement in project["optional-dependencies"]["test"]:
        name = re.split(r"[<>=~!\[ ]", requirement)[0].lower()
        assert name in test and name not in runtime, requirement  # make briefing installs no test-only package


def test_installed_versions_match_the_lock():
    from importlib.metadata import version

    for name, pinned in pins_from_lock("requirements-test.txt").items():
        assert version(name) == pinned, name


def test_build_help_lists_every_parameter_with_its_default():
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for name in ("raw_dir", "reference_dir", "exclude_flags", "start_year", "end_year", "regions",
                 "actor_classes", "actors", "violations", "estimate", "title"):
        assert re.search(rf"^\s+{name}\s+default ", result.stdout, re.M), name
    assert "default 2021" in result.stdout and "--each" in result.stdout
