"""Where the emulator of an `emulator:` environment writes (issue 18.3): its state, .lock and
temporary files stay inside the project's tree (paths.project_tree), even for plan, and never
go through a symbolic link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.reliability.harness import PROJECT, assert_well_behaved, new_project
from tests.support.cli import run_cli

STANDARD = "name: Standard\nfeatures:\n  invoice_history: {enabled: true}\n"


def _emulated(tmp_path: Path, state: str) -> Path:
    """A project (in tmp_path/repo/configs) whose `local` environment keeps its state at `state`."""
    text = PROJECT.replace("emulator: state.json", f"emulator: {state}")
    return new_project(tmp_path / "repo" / "configs", {"standard.yaml": STANDARD}, text)


@pytest.mark.parametrize("where", ["elsewhere/state.json", "victim"])
def test_plan_never_creates_an_emulator_state_outside_the_project(
    tmp_path: Path, where: str
) -> None:
    (tmp_path / "victim").write_text("kept\n")
    project = _emulated(tmp_path, str(tmp_path / where))
    outcome = run_cli("--config", str(project), "plan", "--env", "local")
    assert assert_well_behaved(outcome, "stderr") == [
        f"{project}:6:15: environment 'local': the emulator's state file {tmp_path / where} "
        "is outside the project (its repository; without one, the folder above the project "
        "file's): keep it inside, e.g. ../.portal-config/emulator-state.json"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo", "victim"]
    assert (tmp_path / "victim").read_text() == "kept\n"


def test_the_emulator_state_may_sit_anywhere_in_the_repository(tmp_path: Path) -> None:
    (tmp_path / "repo" / "configs").mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    project = _emulated(tmp_path, "../.portal-config/state.json")
    outcome = run_cli("--config", str(project), "plan", "--env", "local")
    assert outcome.exit_code == 0, outcome
    assert (tmp_path / "repo" / ".portal-config" / "state.json.lock").is_file()


def test_the_emulator_never_locks_through_a_symbolic_link(tmp_path: Path) -> None:
    project = _emulated(tmp_path, "../state/state.json")
    (tmp_path / "repo" / "state").mkdir()
    lock = tmp_path / "repo" / "state" / "state.json.lock"
    os.symlink(tmp_path / "planted", lock)
    outcome = run_cli("--config", str(project), "plan", "--env", "local")
    assert outcome.exit_code == 1 and "Traceback" not in outcome.output
    assert outcome.stderr == (
        f"Error: environment 'local': cannot open {lock} (Too many levels of symbolic links): "
        "a state file's lock is a plain file beside it, never a symbolic link (remove it)\n"
    )
    assert not (tmp_path / "planted").exists()
