"""The action, the workflows and the hook manifest are valid for GitHub, GitLab and pre-commit.

check-jsonschema ships the schemas (SchemaStore's) inside the package, so this runs offline.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci.conftest import ACTION, GITHUB_WORKFLOWS, GITLAB_CI, RELEASE_WORKFLOW, ROOT

SCHEMAS = {  # one run per schema; a failure names the file
    "vendor.github-actions": [ACTION],
    "vendor.github-workflows": [*GITHUB_WORKFLOWS, RELEASE_WORKFLOW],
    # every job has a timeout
    "custom.github-workflows-require-timeout": [*GITHUB_WORKFLOWS, RELEASE_WORKFLOW],
    "vendor.gitlab-ci": [GITLAB_CI],
}


def check(paths: list[Path], schema: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("schema", SCHEMAS)
def test_files_are_valid(schema: str) -> None:
    assert SCHEMAS[schema], "files to check"
    done = check(SCHEMAS[schema], schema)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("schema", "text"),
    [
        (
            "vendor.github-workflows",
            (
                "on: push\njobs:\n  plan:\n    runs-on: ubuntu-latest\n"
                "    step:\n      - run: portal-config plan\n"
            ),
        ),
        (
            "vendor.github-actions",
            (
                "name: x\ndescription: y\nruns:\n  using: composite\n"
                "  steps:\n    - run: portal-config plan\n"
            ),
        ),
        ("vendor.gitlab-ci", "plan:\n  script: portal-config plan\n  when: sometimes\n"),
    ],
    ids=["workflow", "action", "gitlab"],
)
def test_a_broken_file_is_refused(tmp_path: Path, schema: str, text: str) -> None:
    """The check can fail: `step:` for `steps:`, a run step without `shell:`, a bad `when:`."""
    path = tmp_path / "broken.yml"
    path.write_text(text, encoding="utf-8")
    done = check([path], schema)
    assert done.returncode == 1 and "Schema validation errors" in done.stdout, done.stdout


def test_the_pre_commit_manifest_is_valid(tmp_path: Path) -> None:
    manifest = ROOT / ".pre-commit-hooks.yaml"
    ok = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(manifest)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / ".pre-commit-hooks.yaml"
    broken.write_text(
        manifest.read_text(encoding="utf-8").replace("language: python", "language: pythn")
    )
    refused = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(broken)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert refused.returncode == 1 and "pythn" in refused.stdout + refused.stderr
