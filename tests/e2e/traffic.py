"""What reached the emulator, and how much of it at once: each request's arrival time and the
most handled at the same time. Wraps the emulator's handler from the test (the latency sleep is
inside it, as benchmarks/emulated.py counts), so the peak is the client's real parallelism."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Traffic:
    times: list[float] = field(default_factory=list)  # monotonic, as each request arrived
    peak: int = 0  # the most requests handled at once
    _current: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def most_in_one_second(self) -> int:
        return max((sum(1 for u in self.times if t <= u < t + 1.0) for t in self.times), default=0)


def watch(emulator: Any, method: str | None = None) -> Traffic:
    """Counts every request (or only those of `method`) from now on."""
    traffic = Traffic()
    handle = emulator.api.handle

    def counted(request: Any) -> Any:
        if method is not None and request.method != method:
            return handle(request)
        with traffic._lock:
            traffic.times.append(time.monotonic())
            traffic._current += 1
            traffic.peak = max(traffic.peak, traffic._current)
        try:
            return handle(request)
        finally:
            with traffic._lock:
                traffic._current -= 1

    emulator.api.handle = counted
    return traffic
