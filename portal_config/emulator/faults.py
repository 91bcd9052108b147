"""Injected trouble for tests: latency, random 500s, and a script of faults.

Faults are test trouble, not Stripe behaviours (those are in behaviours.py). A scripted entry
matches requests by `method`, `path_prefix` and `account` (the Stripe-Account header a platform
sends for a connected account; a `remembered` one only POSTs with an Idempotency-Key). A request
meets at most one entry, the first queued one that matches it, and uses it up; it acts where it
belongs:

- in front of the API (an error `status` 500|503|429, optionally `should_retry`, or `drop`: close
  without answering), like a failure before Stripe: a retry with the same Idempotency-Key is
  processed afresh;
- `remembered`: the error happens once an idempotent request has started, so Stripe saves it
  under the request's key and replays it to a retry with the same key (a drop there saves
  nothing);
- `delay_seconds`: the request waits that long in front of the API, then goes through: a slow or
  hung network path to one account (with `account`), or a slow write that two clients race;
- on the answer, once the request was executed (and its answer saved for its key): `body`
  `truncated` (half the JSON, with a Content-Length to match), `cut` (the whole length promised,
  the connection closed half-way), `empty` (no body), `dropped` (closed without an answer: the
  write happened), `gzip_bomb`, `endless` and `oversized` (too big to read: hostile.py),
  `no_data` (a list without `data`), `items_without_id` and `items_without_metadata` (a list's
  items, or the object itself, lose the field);
  `{"answer": JSON}` sends that JSON instead (with `status` if given); `drip_seconds` sends
  the body one byte at a time, that many seconds apart.

`{"has_more_forever": true}` is a mode rather than an entry: until cleared, every list request it
matches ignores `starting_after` and says `has_more: true` (on top of the entry it meets, if
any), as a server that does not page would.
"""

from __future__ import annotations

import copy
import math
import random
import threading
import time
from dataclasses import dataclass
from typing import Any

from . import hostile
from .errors import ApiError
from .server import Delivery
from .values import Data

_MESSAGES = {
    429: "Request rate limit exceeded. Slow down your requests; see "
    "https://stripe.com/docs/rate-limits. (Injected by the emulator.)",
    500: "An unknown error occurred. (Injected by the emulator.)",
    503: "The service is temporarily unavailable. (Injected by the emulator.)",
}
_FIELDS = {
    "status",
    "should_retry",
    "method",
    "path_prefix",
    "drop",
    "remembered",
    "body",
    "answer",
    "drip_seconds",
    "has_more_forever",
    "account",
    "delay_seconds",
}
# How a `body` fault sends the answer (server.Delivery) or changes it (reshape).
_DELIVERIES = {"truncated", "cut", "empty", "dropped", *hostile.KINDS}
_RESHAPES = {"no_data", "items_without_id", "items_without_metadata"}
_MISSING = object()


@dataclass(frozen=True)
class Fault:
    """One scripted entry (see the module docstring for the fields)."""

    status: int | None = None
    should_retry: bool | None = None
    method: str | None = None
    path_prefix: str | None = None
    drop: bool = False
    remembered: bool = False
    body: str | None = None
    answer: Data = _MISSING
    drip_seconds: float = 0.0
    has_more_forever: bool = False
    account: str | None = None
    delay_seconds: float | None = None

    @classmethod
    def parse(cls, entry: dict[str, Any]) -> Fault:
        unknown = set(entry) - _FIELDS
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        fault = cls(**entry)
        if fault.delay_seconds is not None:
            fault._check_delay()
        elif fault.on_answer:
            fault._check_answer_fault()
        elif not fault.drop and fault.status not in (None, *_MESSAGES):
            raise ValueError(f"fault status must be one of {sorted(_MESSAGES)}, not {fault.status}")
        return fault

    @property
    def on_answer(self) -> bool:
        """Whether it changes the answer of an executed request rather than failing it."""
        return (
            self.body is not None
            or self.answer is not _MISSING
            or bool(self.drip_seconds)
            or self.has_more_forever
        )

    def _check_answer_fault(self) -> None:
        if self.drop or self.remembered or self.should_retry is not None:
            raise ValueError(
                "drop, remembered and should_retry fail a request; body, answer, "
                "drip_seconds and has_more_forever change its answer: not both"
            )
        if self.body is not None and self.body not in _DELIVERIES | _RESHAPES:
            raise ValueError(
                f"fault body must be one of {sorted(_DELIVERIES | _RESHAPES)}, not {self.body!r}"
            )
        if self.status is not None and (
            self.answer is _MISSING or not 200 <= int(self.status) <= 599
        ):
            raise ValueError("an answer fault takes a status (200..599) only with `answer`")
        if not (math.isfinite(self.drip_seconds) and 0 <= self.drip_seconds <= 60):
            raise ValueError("drip_seconds must be between 0 and 60")

    def _check_delay(self) -> None:
        if self.on_answer or self.drop or self.remembered or self.status is not None:
            raise ValueError("delay_seconds holds a request that then goes through: alone")
        seconds = float(self.delay_seconds or 0)
        if not (math.isfinite(seconds) and 0 <= seconds <= 60):
            raise ValueError("delay_seconds must be between 0 and 60")

    def matches(self, method: str, path: str, account: str | None = None) -> bool:
        return (
            (self.method is None or self.method.upper() == method)
            and (self.path_prefix is None or path.startswith(self.path_prefix))
            and (self.account is None or self.account == account)
        )

    def error(self) -> ApiError:
        headers = {}
        if self.should_retry is not None:
            headers["Stripe-Should-Retry"] = "true" if self.should_retry else "false"
        status = self.status or 500
        if status == 429:
            return ApiError(429, _MESSAGES[429], code="rate_limit", headers=headers)
        return ApiError(status, _MESSAGES[status], type="api_error", headers=headers)

    def reshape(self, status: int, body: Data) -> tuple[int, Data, Delivery]:
        """The answer as this fault sends it: status, JSON body and how it goes on the wire."""
        delivery = Delivery(self.body if self.body in _DELIVERIES else "whole", self.drip_seconds)
        if self.answer is not _MISSING:
            return self.status or status, copy.deepcopy(self.answer), delivery
        body = copy.deepcopy(body)
        is_list = isinstance(body, dict) and body.get("object") == "list"
        if self.body == "no_data" and is_list:
            body.pop("data", None)
        if self.body in ("items_without_id", "items_without_metadata"):
            name = self.body.rsplit("_", 1)[1]
            items = body.get("data") if is_list else [body]
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    item.pop(name, None)
        return status, body, delivery


class Drop(Exception):
    """Close the connection without an answer."""


class Faults:
    """The knobs. `latency` (seconds) delays every API request; `failure_rate` (0..1) answers
    that share with a 500 (with `Stripe-Should-Retry` set to `failure_should_retry` unless it is
    None), from a seeded random so a run repeats; `script` queues faults."""

    def __init__(self, seed: int = 0):
        self.latency: float = 0.0
        self.failure_rate: float = 0.0
        self.failure_should_retry: bool | None = None
        self._random = random.Random(seed)
        self._script: list[Fault] = []
        self._lock = threading.Lock()

    def script(self, entries: list[dict[str, Any]]) -> None:
        """Queue faults; each request takes the first queued entry that matches it."""
        parsed = [Fault.parse(entry) for entry in entries]
        with self._lock:
            self._script.extend(parsed)

    def reseed(self, seed: int) -> None:
        """Start the random failures' sequence again from `seed`, so a scenario repeats."""
        with self._lock:
            self._random.seed(seed)

    @property
    def pending(self) -> int:
        return len(self._script)

    def clear(self) -> None:
        with self._lock:
            self._script.clear()
            self.latency = 0.0
            self.failure_rate = 0.0
            self.failure_should_retry = None

    def configure(self, settings: dict[str, Any]) -> None:
        """The HTTP control form: {"script": [...], "latency_ms": n, "failure_rate": f,
        "failure_should_retry": b, "clear": b} (milliseconds, as the command's --latency)."""
        allowed = {"script", "latency_ms", "failure_rate", "failure_should_retry", "clear"}
        unknown = set(settings) - allowed
        if unknown:
            raise ValueError(
                f"unknown setting(s): {', '.join(sorted(unknown))}; the settings "
                f"are {', '.join(sorted(allowed))}"
            )
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
        if "failure_should_retry" in settings:
            if settings["failure_should_retry"] not in (True, False, None):
                raise ValueError("failure_should_retry must be true, false or null")
            self.failure_should_retry = settings["failure_should_retry"]
        self.script(list(settings.get("script", [])))

    def _first(self, method: str, path: str, idempotent: bool, account: str | None) -> Fault | None:
        """The entry this request meets: the first queued one that matches it (a `remembered`
        one only an idempotent POST; `has_more_forever` is a mode, met by no one)."""
        return next(
            (
                f
                for f in self._script
                if f.matches(method, path, account)
                and not f.has_more_forever
                and (idempotent or not f.remembered)
            ),
            None,
        )

    def check(
        self,
        method: str,
        path: str,
        remembered: bool = False,
        idempotent: bool = False,
        account: str | None = None,
    ) -> None:
        """Raise the fault this request meets (ApiError or Drop), if any: in front of the API,
        or (`remembered`) inside it, once an idempotent request has started. A delay is waited
        here, in front of the API, and the request goes on."""
        with self._lock:
            fault = self._first(method, path, idempotent or remembered, account)
            if fault is not None and not fault.on_answer and fault.remembered == remembered:
                self._script.remove(fault)
            elif remembered:
                return
            elif self.failure_rate and self._random.random() < self.failure_rate:
                fault = Fault(status=500, should_retry=self.failure_should_retry)
            else:
                return
        if fault.delay_seconds is not None:
            time.sleep(fault.delay_seconds)
            return
        if fault.drop:
            raise Drop()
        raise fault.error()

    def pages_forever(self, method: str, path: str) -> bool:
        """Whether a `has_more_forever` fault holds this request (its cursor is then ignored)."""
        with self._lock:
            return any(f.has_more_forever and f.matches(method, path) for f in self._script)

    def answer_fault(
        self, method: str, path: str, idempotent: bool, account: str | None = None
    ) -> Fault | None:
        """The answer fault this executed request meets, used up."""
        with self._lock:
            fault = self._first(method, path, idempotent, account)
            if fault is None or not fault.on_answer:
                return None
            self._script.remove(fault)
        return fault
