"""The pre-commit hook, installed by pre-commit itself from this repository (try-repo).

try-repo builds the hook's environment from PyPI in a fresh store on every run (about 15 s), so
the two cases run side by side, once each, and are marked slow: `-m "not slow"` skips them.
try-repo reads the repository's committed files, plus changes to files git already tracks.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci.conftest import ROOT

pytestmark = pytest.mark.slow
TYPO = (
    "configs/standard.yaml:16:3: unknown field 'invoice_histroy' (did you mean 'invoice_history'?)"
)


def project(folder: Path, broken: bool) -> Path:
    """A git repository holding this repository's configs/ (with a typo when BROKEN)."""
    shutil.copytree(ROOT / "configs", folder / "configs")
    if broken:
        standard = folder / "configs" / "standard.yaml"
        standard.write_text(standard.read_text().replace("invoice_history:", "invoice_histroy:"))
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    subprocess.run(["git", "add", "-A"], cwd=folder, check=True)
    return folder


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    """`pre-commit try-repo ROOT portal-config-validate --all-files` in a good and a broken
    project, at the same time: {case: (exit code, output)}."""
    started = {}
    for case in ("good", "broken"):
        folder = project(tmp_path_factory.mktemp(case), broken=case == "broken")
        log = folder.parent / f"{case}.log"
        with log.open("w") as out:  # a file, not a pipe: neither run can block on a full pipe
            started[case] = (
                log,
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "pre_commit",
                        "try-repo",
                        str(ROOT),
                        "portal-config-validate",
                        "--all-files",
                        "--color",
                        "never",
                    ],
                    cwd=folder,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                ),
            )
    return {
        case: (proc.wait(timeout=600), log.read_text()) for case, (log, proc) in started.items()
    }


def test_good_configs_pass(runs: dict[str, tuple[int, str]]) -> None:
    code, output = runs["good"]
    assert code == 0, output
    assert "portal-config validate" in output and "Passed" in output


def test_a_broken_config_fails_with_its_position(runs: dict[str, tuple[int, str]]) -> None:
    code, output = runs["broken"]
    assert code == 1, output
    assert "Failed" in output and TYPO in output
