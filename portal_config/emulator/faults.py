"""Injected trouble for tests: latency, random 500s, and a script of errors and dropped connections.

A fault answers before the request reaches the API (and its idempotency layer), like a failure
in front of Stripe, so a retry with the same Idempotency-Key is processed afresh.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass
from typing import Any

from .errors import ApiError

_MESSAGES = {
    429: "Request rate limit exceeded. Slow down your requests; see "
    "https://stripe.com/docs/rate-limits. (Injected by the emulator.)",
    500: "An unknown error occurred. (Injected by the emulator.)",
    503: "The service is temporarily unavailable. (Injected by the emulator.)",
}
_FIELDS = {"status", "should_retry", "method", "path_prefix", "drop", "remembered"}


@dataclass(frozen=True)
class Fault:
    """One scripted answer: an error `status`, or `drop` (close without answering).
    `remembered`: the error happens after execution started, so Stripe saves it under the
    request's idempotency key and replays it to a retry with the same key."""

    status: int = 500
    should_retry: bool | None = None
    method: str | None = None
    path_prefix: str | None = None
    drop: bool = False
    remembered: bool = False

    @classmethod
    def parse(cls, entry: dict[str, Any]) -> Fault:
        unknown = set(entry) - _FIELDS
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        fault = cls(**entry)
        if not fault.drop and fault.status not in _MESSAGES:
            raise ValueError(f"fault status must be one of {sorted(_MESSAGES)}, not {fault.status}")
        return fault

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method) and (
            self.path_prefix is None or path.startswith(self.path_prefix)
        )

    def error(self) -> ApiError:
        headers = {}
        if self.should_retry is not None:
            headers["Stripe-Should-Retry"] = "true" if self.should_retry else "false"
        if self.status == 429:
            return ApiError(429, _MESSAGES[429], code="rate_limit", headers=headers)
        return ApiError(self.status, _MESSAGES[self.status], type="api_error", headers=headers)


class Drop(Exception):
    """Close the connection without an answer."""


class Faults:
    """The knobs. `latency` (seconds) delays every API request; `failure_rate` (0..1) answers
    that share with a 500, from a seeded random so a run repeats; `script` queues faults."""

    def __init__(self, seed: int = 0):
        self.latency: float = 0.0
        self.failure_rate: float = 0.0
        self._random = random.Random(seed)
        self._script: list[Fault] = []
        self._lock = threading.Lock()

    def script(self, entries: list[dict[str, Any]]) -> None:
        """Queue faults; each request takes the first queued entry that matches it."""
        parsed = [Fault.parse(entry) for entry in entries]
        with self._lock:
            self._script.extend(parsed)

    @property
    def pending(self) -> int:
        return len(self._script)

    def clear(self) -> None:
        with self._lock:
            self._script.clear()
            self.latency = 0.0
            self.failure_rate = 0.0

    def configure(self, settings: dict[str, Any]) -> None:
        """The HTTP control form: {"script": [...], "latency_ms": n, "failure_rate": f,
        "clear": b} (milliseconds, as the command's --latency)."""
        allowed = {"script", "latency_ms", "failure_rate", "clear"}
        unknown = set(settings) - allowed
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}; the settings "
                             f"are {', '.join(sorted(allowed))}")
        latency = float(settings.get("latency_ms", 0)) / 1000
        rate = float(settings.get("failure_rate", 0))
        if not math.isfinite(latency) or latency < 0 or not 0 <= rate <= 1:
            raise ValueError("latency_ms must be >= 0 and failure_rate between 0 and 1")
        if settings.get("clear"):
            self.clear()
        if "latency_ms" in settings:
            self.latency = latency
        if "failure_rate" in settings:
            self.failure_rate = rate
        self.script(list(settings.get("script", [])))

    def check(self, method: str, path: str, remembered: bool = False) -> None:
        """Raise the fault this request meets (ApiError or Drop), if any: in front of the API,
        or (`remembered`) inside it, once an idempotent request has started."""
        with self._lock:
            fault = next((f for f in self._script if f.matches(method, path)
                          and f.remembered == remembered), None)
            if fault is not None:
                self._script.remove(fault)
            elif remembered:
                return
            elif self.failure_rate and self._random.random() < self.failure_rate:
                fault = Fault(status=500)
        if fault is None:
            return
        if fault.drop:
            raise Drop()
        raise fault.error()
