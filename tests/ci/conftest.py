"""Shared by the CI glue's tests: the repository root, the CI files, the action's scripts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

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
    spec = importlib.util.spec_from_file_location(f"portal_config_action_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module
