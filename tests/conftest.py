"""Shared fixtures: a running Stripe emulator and real stripe SDK clients pointed at it; a
stream that says it is a terminal."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from portal_config.emulator import Emulator


class Terminal(io.StringIO):
    """stdin or stderr as a person's terminal: a live confirmation, a status line."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True, scope="session")
def _no_stripe_telemetry() -> None:
    """The SDK would report request timings to Stripe in a header; keep tests hermetic."""
    import stripe

    stripe.enable_telemetry = False


def started_emulator(**settings: Any) -> Iterator[Emulator]:
    """A started, in-memory emulator on a free loopback port, stopped when the generator is
    closed: the body of every `emulator` fixture (`settings`: its behaviour switches)."""
    emu = Emulator(**settings)
    emu.start(host="127.0.0.1", port=0)
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A started, in-memory emulator on a free loopback port; stopped after the test."""
    yield from started_emulator()


@pytest.fixture
def stripe_client(emulator: Emulator) -> Callable[..., Any]:
    """make(key="sk_test_123", account=None, retries=0) -> a stripe.StripeClient on the emulator."""
    import stripe

    def make(key: str = "sk_test_123", account: str | None = None, retries: int = 0) -> Any:
        return stripe.StripeClient(
            key,
            base_addresses={"api": emulator.url},
            stripe_account=account,
            max_network_retries=retries,
        )

    return make
