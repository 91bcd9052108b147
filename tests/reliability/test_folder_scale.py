"""Issue 24: the folder's bounds admit a project of 10,000 ordinary files (each like
configs/standard.yaml: variables, lookup keys, metadata), while a folder of hostile files meets
them as before (tests/reliability/test_hostile_files.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from benchmarks.workload import write_project
from tests.support.cli import run_cli

FILES = 10_000


@pytest.mark.scale
def test_validate_passes_a_project_of_ten_thousand_small_files(tmp_path: Path) -> None:
    project = write_project(tmp_path, "http://127.0.0.1:9", [("bench", None)], FILES)
    started = time.monotonic()
    outcome = run_cli("--config", str(project), "validate")
    elapsed = time.monotonic() - started
    assert outcome.exit_code == 0, (outcome.stdout + outcome.stderr)[-2000:]
    assert f"{FILES} files, 0 errors, 0 warnings" in outcome.stderr
    assert elapsed < 60  # bounded; about 15 s on a shared 2-core machine
