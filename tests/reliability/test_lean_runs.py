"""Issue 24: a command imports only what it uses, and the emulator writes its state only when
it changed. Asserted on the import set (`python -X importtime`, which names every module a run
imports: https://docs.python.org/3/using/cmdline.html#cmdoption-X) and on the state file's
inode and mtime, never on timings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run_cli

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
# Heavy modules (asyncio alone is ~10 ms, stripe with requests ~40 ms) the offline commands never
# use. (importlib.metadata is not among them: urllib3, whose URL parser validate uses, imports it.)
NOT_OFFLINE = {"stripe", "requests", "asyncio"}


def _imported(tmp_path: Path, *args: str) -> set[str]:
    """The modules `python -m portal_config ARGS` imports, run on a copy of the shipped configs."""
    project = tmp_path / "repo" / "configs"
    if not project.exists():
        shutil.copytree(CONFIGS, project)
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "portal_config", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}  # the first is the header


@pytest.mark.parametrize("args", [["validate"], ["--help"], ["schema"]])
def test_offline_commands_import_neither_stripe_nor_asyncio(
    tmp_path: Path, args: list[str]
) -> None:
    assert _imported(tmp_path, *args) & NOT_OFFLINE == set()


def test_plan_on_the_emulator_imports_stripe_it_uses(tmp_path: Path) -> None:
    # The counterpart: the test above would pass for a run that imports nothing at all.
    assert "stripe" in _imported(tmp_path, "plan", "--env", "local")


def test_a_plan_that_changes_nothing_leaves_the_emulator_state_untouched(tmp_path: Path) -> None:
    project = tmp_path / "repo" / "configs"
    shutil.copytree(CONFIGS, project)
    (tmp_path / "repo" / ".git").mkdir()
    config = str(project / "portal-config.yaml")
    assert run_cli("--config", config, "apply", "--env", "local", "--yes").exit_code == 0
    state = tmp_path / "repo" / ".portal-config" / "emulator-state.json"
    before = state.stat()
    outcome = run_cli("--config", config, "plan", "--env", "local")
    assert outcome.exit_code == 0, outcome
    after = state.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(p.name for p in state.parent.iterdir()) == [state.name, state.name + ".lock"]
