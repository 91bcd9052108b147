"""The action installs exactly what action/requirements.lock pins, hashes checked, into its own
venv: the lock must keep up with pyproject.toml (offline: it is read, not installed; .ci/run
installs it for real through action/install.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.ci.conftest import ACTION, ROOT, load_action_script

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest's own dependency before 3.11
    import tomli as tomllib

LOCK = ROOT / "action" / "requirements.lock"
install = load_action_script("install")


def locked(text: str) -> dict[str, list[tuple[Requirement, list[str]]]]:
    """The requirements of a hashed lock by name (one per marker, as rpds-py's for Python 3.10
    and later), each with its hashes (continuation lines joined)."""
    found: dict[str, list[tuple[Requirement, list[str]]]] = {}
    for line in text.replace("\\\n", " ").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        spec, *options = line.split(" --")
        requirement = Requirement(spec)
        hashes = [o.removeprefix("hash=") for o in options if o.startswith("hash=")]
        found.setdefault(canonicalize_name(requirement.name), []).append((requirement, hashes))
    return found


def problems(lock_text: str, pyproject_text: str) -> list[str]:
    """How the lock falls short of pyproject.toml's runtime and build requirements."""
    pyproject = tomllib.loads(pyproject_text)
    wanted = [*pyproject["project"]["dependencies"], *pyproject["build-system"]["requires"]]
    lock = locked(lock_text)
    found = []
    for name, (requirement, hashes) in ((n, e) for n, entries in lock.items() for e in entries):
        pins = [s for s in requirement.specifier if s.operator == "=="]
        if len(pins) != 1 or len(requirement.specifier) != 1:
            found.append(f"{name}: not pinned with == ({requirement.specifier})")
        if not hashes or not all(h.startswith("sha256:") for h in hashes):
            found.append(f"{name}: no sha256 hashes")
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        if name not in lock:
            found.append(f"{name}: in pyproject.toml, not in the lock")
            continue
        for pin, _ in lock[name]:
            pinned = next(iter(pin.specifier)).version
            if not requirement.specifier.contains(pinned, prereleases=True):
                found.append(f"{name}: the lock's {pinned} is outside pyproject's {requirement}")
    return found


def test_the_lock_pins_every_requirement_of_pyproject_with_hashes() -> None:
    assert problems(LOCK.read_text(), (ROOT / "pyproject.toml").read_text()) == []


@pytest.mark.parametrize(
    ("lock", "problem"),
    [
        ("click==8.1.0 --hash=sha256:ab\n", "stripe: in pyproject.toml, not in the lock"),
        ("stripe==15.0.0 --hash=sha256:ab\n", "stripe: the lock's 15.0.0 is outside"),
        ("stripe>=16 --hash=sha256:ab\n", "stripe: not pinned with =="),
        ("stripe==16.1.0\n", "stripe: no sha256 hashes"),
    ],
)
def test_the_check_can_fail(lock: str, problem: str) -> None:
    pyproject = '[project]\ndependencies = ["stripe>=16,<17"]\n[build-system]\nrequires = []\n'
    assert any(p.startswith(problem) for p in problems(lock, pyproject)), problems(lock, pyproject)


def test_the_action_installs_from_the_lock_into_its_cached_venv() -> None:
    action: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    by_id = {s["id"]: s for s in steps if "id" in s}
    cache = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache@"))
    assert cache["with"] == {
        "path": "${{ steps.venv.outputs.path }}",
        "key": "${{ steps.venv.outputs.key }}",
    }
    assert "action/install.py" in by_id["venv"]["run"]
    assert "action/install.py" in by_id["install"]["run"]
    # Every later step runs the venv's python, not the one on PATH.
    for step in steps[steps.index(by_id["install"]) + 1 :]:
        if "action/" in step.get("run", ""):
            assert step["run"].lstrip().startswith('"$PORTAL_CONFIG_PYTHON"'), step["name"]
            assert step["env"]["PORTAL_CONFIG_PYTHON"] == "${{ steps.install.outputs.python }}"


def test_the_venv_key_follows_the_lock_and_the_python(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("click==8.1.0 --hash=sha256:ab\n")
    env = {"RUNNER_TEMP": str(tmp_path / "runner"), "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"}
    first = install.venv_outputs(lock, env)
    assert first["path"] == str(tmp_path / "runner" / "portal-config-venv")
    assert first["key"].startswith("portal-config-venv-Linux-X64-")
    assert install.venv_outputs(lock, env) == first
    lock.write_text("click==8.1.1 --hash=sha256:cd\n")
    assert install.venv_outputs(lock, env)["key"] != first["key"]
