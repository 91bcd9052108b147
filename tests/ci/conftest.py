"""Shared by the CI glue's tests: the repository root, the CI files, the action's scripts."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.ci.fake_github import FakeGitHub
from tests.ci.fake_gitlab import FakeGitLab

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
GITHUB_WORKFLOWS = sorted((ROOT / "examples" / "github").glob("*.yml"))
GITLAB_CI = ROOT / "examples" / "gitlab" / ".gitlab-ci.yml"
RELEASE_WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "slow: installs a pre-commit hook environment from PyPI (deselect with -m 'not slow')",
    )


def load_action_script(name: str) -> ModuleType:
    """action/NAME.py as a module: the action's scripts are not part of the package."""
    path = ROOT / "action" / f"{name}.py"
    if str(path.parent) not in sys.path:  # a script's own folder, as when python runs it
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(f"portal_config_action_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout with this repository's configs/, committed, and a runner's temp folder."""
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    (tmp_path / "runner").mkdir()
    for args in (
        ["init", "-q"],
        ["add", "configs"],
        ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base"],
    ):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)
    return tmp_path


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    """The local GitHub stand-in, served for the test."""
    fake = FakeGitHub()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    """The local GitLab stand-in, served for the test."""
    fake = FakeGitLab()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
