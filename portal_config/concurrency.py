"""Jobs run side by side, at most N at once, their outcomes handed back in the jobs' order.

A stop (set by the caller, or by a job whose result says so, or that raised) starts no further
job and lets those in flight finish, so what was done is known exactly. The workers are daemon
threads: a caller that gives up on a job in flight (a second Ctrl-C) is not held at exit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
POLL_SECONDS = 0.1  # how soon a wait notices Ctrl-C (a bare lock wait may not)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    started: bool  # False: the stop came before the job began
    value: T | None = None
    error: BaseException | None = None


class SideBySide(Generic[T]):
    def __init__(
        self,
        jobs: Sequence[Callable[[], T]],
        at_once: int,
        stops: Callable[[T], bool],
        stop: threading.Event | None = None,
    ):
        self.stop = stop or threading.Event()  # the jobs may hold it before the workers start
        self._jobs, self._stops = jobs, stops
        self._outcomes: list[Outcome[T] | None] = [None] * len(jobs)
        self._next = 0
        self._changed = threading.Condition()
        for _ in range(max(1, min(at_once, len(jobs)))):
            threading.Thread(target=self._work, daemon=True).start()

    def _work(self) -> None:
        while True:
            with self._changed:
                if self._next >= len(self._jobs):
                    return
                index, self._next = self._next, self._next + 1
                if self.stop.is_set():
                    self._outcomes[index] = Outcome(started=False)
                    self._changed.notify_all()
                    continue
            try:
                value = self._jobs[index]()
                outcome: Outcome[T] = Outcome(started=True, value=value)
                if self._stops(value):
                    self.stop.set()
            except BaseException as exc:  # handed to the caller, who decides; nothing is lost
                outcome = Outcome(started=True, error=exc)
                self.stop.set()
            with self._changed:
                self._outcomes[index] = outcome
                self._changed.notify_all()

    def outcome(self, index: int, wait: bool = True) -> Outcome[T] | None:
        """The job's outcome, once it has one. Without `wait` (once stopped): None while the
        job runs, not started when no worker has taken it (none will, after the stop)."""
        with self._changed:
            while self._outcomes[index] is None:
                if not wait:
                    return None if index < self._next else Outcome(started=False)
                self._changed.wait(POLL_SECONDS)
            return self._outcomes[index]
