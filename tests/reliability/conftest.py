"""Reliability harness: the e2e project (tests/e2e/conftest.py) against one emulator, with
retries made quick, so hostile answers and fault scripts run in seconds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Project, make_project


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same retries, without the waiting (backoff is stripe_api's, not the SDK's)."""
    from portal_config.stripe_api import client

    monkeypatch.setattr(client, "RETRY_DELAY", 0.002)
    monkeypatch.setattr(client, "RETRY_DELAY_MAX", 0.01)


@pytest.fixture
def project(tmp_path: Path, emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Project:
    """The e2e project on tests/conftest.py's plain emulator (one behaviour: the documented)."""
    return make_project(tmp_path, emulator, monkeypatch)
