"""Journey: a team starts from nothing. In an empty repository, `init` writes the project file
for their test-mode account, `import` (run from a subfolder: the project file is found up to the
repository's root) writes the portal they clicked together, and `plan` then shows no changes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.support.cli import run_cli

from .stripe_state import TEST_KEY, client


def test_init_import_plan_from_an_empty_repository(
    emulator: Any, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "billing"
    (root / ".git").mkdir(parents=True)
    (root / "app").mkdir()
    monkeypatch.chdir(root / "app")
    monkeypatch.setenv("STRIPE_STAGING_SECRET_KEY", TEST_KEY)
    made = client(SimpleNamespace(emulator=emulator)).v1.billing_portal.configurations.create(
        {"name": "Self-serve", "features": {"invoice_history": {"enabled": True}}}
    )

    started = run_cli(
        "--config", str(root / "configs"), "init", "--from-env", "STRIPE_STAGING_SECRET_KEY",
        "--api-base", emulator.url,
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    assert "portal-config import --env staging" in started.stdout

    imported = run_cli("import", "--env", "staging")
    assert imported.exit_code == 0, imported.output
    assert made.id in imported.output
    planned = run_cli("plan", "--env", "staging", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert "No changes." in planned.stdout
    assert TEST_KEY not in started.output + imported.output + planned.output
