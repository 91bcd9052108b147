"""Reliability harness: the e2e project (tests/e2e/conftest.py) against one emulator, with
retries made quick, so hostile answers and fault scripts run in seconds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Project
from tests.e2e.stripe_state import LIVE_KEY, TEST_KEY


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same retries, without the waiting (backoff is stripe_api's, not the SDK's)."""
    from portal_config import stripe_api

    monkeypatch.setattr(stripe_api, "RETRY_DELAY", 0.002)
    monkeypatch.setattr(stripe_api, "RETRY_DELAY_MAX", 0.01)


@pytest.fixture
def emulator() -> Iterator[Any]:
    from portal_config.emulator import Emulator

    emu = Emulator()
    emu.start(host="127.0.0.1", port=0)
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def project(tmp_path: Path, emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", TEST_KEY)
    monkeypatch.setenv("PORTAL_CONFIG_E2E_LIVE_KEY", LIVE_KEY)
    return Project(tmp_path, emulator)
