"""The emulator as the benchmarks use it: filled fast in-process, with latency, and watched.

Filling goes straight into the store (one validated create, then copies with fresh IDs), so an
account of 10,000 configurations takes a fraction of a second instead of 10,000 HTTP requests.
The in-flight counter wraps the emulator's request handler from outside (the emulator's request
log has when each request arrived, not when it ended) and is not part of the emulator itself.
"""

from __future__ import annotations

import copy
import random
import re
import string
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from portal_config.emulator import Emulator

# Products the generated files offer (by lookup key), seeded into every account.
PRODUCTS_SEED: dict[str, Any] = {
    "products": [
        {
            "name": "Pro",
            "prices": [
                {
                    "lookup_key": "pro_monthly",
                    "unit_amount": 2900,
                    "recurring": {"interval": "month"},
                },
                {
                    "lookup_key": "pro_yearly",
                    "unit_amount": 29000,
                    "recurring": {"interval": "year"},
                },
            ],
        },
        {
            "name": "Team",
            "prices": [
                {
                    "lookup_key": "team_monthly",
                    "unit_amount": 9900,
                    "recurring": {"interval": "month"},
                },
                {
                    "lookup_key": "team_yearly",
                    "unit_amount": 99000,
                    "recurring": {"interval": "year"},
                },
            ],
        },
    ]
}

# What an unmanaged configuration (made in the Dashboard or by another tool) looks like.
_FILLER_PARAMS: dict[str, Any] = {
    "business_profile": {
        "headline": "Made elsewhere",
        "privacy_policy_url": "https://example.com/privacy",
    },
    "default_return_url": "https://example.com/account",
    "features": {
        "customer_update": {"enabled": True, "allowed_updates": ["email", "address"]},
        "invoice_history": {"enabled": True},
        "payment_method_update": {"enabled": True},
        "subscription_cancel": {"enabled": True, "mode": "at_period_end"},
    },
    "metadata": {"owner": "dashboard"},
}
_ID_ALPHABET = string.ascii_letters + string.digits
_ID_SEGMENT = re.compile(r"^(bpc|price|prod|cus)_[A-Za-z0-9]+$")


class InFlight:
    """Counts API requests being handled at once (the latency sleep included): the peak is the
    client's real parallelism. Installed by shadowing `api.handle` on the instance."""

    def __init__(self, emulator: Emulator):
        self._lock = threading.Lock()
        self.current = 0
        self.peak = 0
        handle: Callable[..., Any] = emulator.api.handle

        def counted(request: Any) -> Any:
            with self._lock:
                self.current += 1
                self.peak = max(self.peak, self.current)
            try:
                return handle(request)
            finally:
                with self._lock:
                    self.current -= 1

        emulator.api.handle = counted  # type: ignore[method-assign]

    def reset(self) -> None:
        with self._lock:
            self.peak = self.current


class BenchEmulator:
    """A started in-memory emulator with products seeded in the given Connect accounts
    (None: the platform account itself)."""

    def __init__(self, accounts: tuple[str | None, ...] = (None,)):
        self.emulator = Emulator()
        self.in_flight = InFlight(self.emulator)
        self.url = self.emulator.start(host="127.0.0.1", port=0)
        self._random = random.Random(1)
        for account in accounts:
            self.emulator.seed(copy.deepcopy(PRODUCTS_SEED), mode="test", account=account)

    def close(self) -> None:
        self.emulator.stop()

    @property
    def latency(self) -> float:
        return self.emulator.faults.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.emulator.faults.latency = seconds

    def fill(self, count: int, account: str | None = None) -> None:
        """Add `count` unmanaged configurations to the account, without HTTP."""
        if count <= 0:
            return
        answer = self.emulator.api.call(
            "POST",
            "/v1/billing_portal/configurations",
            copy.deepcopy(_FILLER_PARAMS),
            account=account,
        )
        store = self.emulator.store
        with store.lock:
            configurations = store.account("test", account).configurations
            # as stored: the answer leaves out `products` unless expanded, as Stripe does
            template = configurations.pop(answer["id"])
            for i in range(count):
                config = copy.deepcopy(template)
                config["id"] = self._new_id()
                config["name"] = f"Unmanaged portal {i}"
                config["created"] = config["updated"] = template["created"] - count + i
                configurations[config["id"]] = config

    def configuration_count(self, account: str | None = None) -> int:
        with self.emulator.store.lock:
            return len(self.emulator.store.account("test", account).configurations)

    def _new_id(self) -> str:
        return "bpc_1" + "".join(self._random.choice(_ID_ALPHABET) for _ in range(23))

    # -- what the client asked for --------------------------------------------------------

    def start_watching(self) -> None:
        self.emulator.clear_log()
        self.in_flight.reset()

    def requests_by_endpoint(self) -> dict[str, int]:
        """Requests since start_watching, as 'GET /v1/billing_portal/configurations/{id}': n."""
        counts: Counter[str] = Counter()
        for entry in self.emulator.request_log:
            path = "/".join(
                "{id}" if _ID_SEGMENT.match(part) else part for part in entry.path.split("/")
            )
            counts[f"{entry.method} {path}"] += 1
        return dict(sorted(counts.items()))

    def failed_requests(self) -> int:
        return sum(1 for e in self.emulator.request_log if e.status is None or e.status >= 400)
