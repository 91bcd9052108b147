"""The pre-commit hook, installed by pre-commit itself from this repository (try-repo).

pre-commit builds the hook's environment from PyPI (about half a minute, once for both cases:
they share PRE_COMMIT_HOME), so these are marked slow: `-m "not slow"` skips them.
try-repo reads the repository's committed files, plus changes to files git already tracks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo ROOT portal-config-validate --all-files` in PROJECT, a git repo."""
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT),
                           "portal-config-validate", "--all-files"], cwd=project, env=env,
                          capture_output=True, text=True, check=False, timeout=600)


def test_good_configs_pass(tmp_path: Path, pre_commit_home: Path) -> None:
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    done = try_repo(tmp_path, pre_commit_home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "portal-config validate" in done.stdout and "Passed" in done.stdout


def test_a_broken_config_fails_with_its_position(tmp_path: Path, pre_commit_home: Path) -> None:
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    standard = tmp_path / "configs" / "standard.yaml"
    standard.write_text(standard.read_text().replace("invoice_history:", "invoice_histroy:"))
    done = try_repo(tmp_path, pre_commit_home)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout
    assert ("configs/standard.yaml:16:3: unknown field 'invoice_histroy' (did you mean "
            "'invoice_history'?)") in done.stdout
