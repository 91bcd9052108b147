"""A status line on stderr while a plan reads Stripe or an apply writes, once it has taken more
than about a second: pages read, changes written, and the seconds so far, which a timer moves
on while Stripe is slow to answer (1.5-4 s a page seen), not only when a page arrives. Only on a
terminal: a log or a pipe gets nothing, so CI output and `--format json` stay as they are.

The steps that do the work report to whichever status line is shown (`page_read`,
`change_finished`); while none is, those calls cost nothing. Lines printed meanwhile go through
`echo`, which lifts the status line off and puts it back under them.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

SHOW_AFTER = 1.0  # seconds: a quick command never flickers a status line
REDRAW_EVERY = 0.1
TICK = 0.5  # seconds between the timer's redraws: the seconds shown keep moving
STOP_WAIT = 1.0  # the most a closing status line waits for its timer's last redraw
CLEAR = "\r\x1b[K"


class ProgressLine:
    def __init__(
        self, stream: TextIO, total: int | None = None, clock: Callable[[], float] = time.monotonic
    ):
        self.stream, self.total, self.clock = stream, total, clock
        self.started = clock()
        self.pages = self.objects = self.finished = self.accounts = 0
        self._shown = ""
        self._drawn_at = 0.0
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._timer: threading.Thread | None = None

    def text(self) -> str:
        seconds = f" ({int(self.clock() - self.started)} s)"
        if self.total is not None:
            return f"Applying: {self.finished} of {self.total} changes done{seconds}"
        accounts = f"{self.accounts:,} accounts planned, " if self.accounts else ""
        return f"Reading Stripe: {accounts}{self.pages} pages, {self.objects:,} objects{seconds}"

    def tick(self) -> None:
        """Redrawn with the seconds so far, though nothing was read or written meanwhile."""
        self.update()

    def start(self) -> None:
        """The timer: a tick every TICK seconds until `stop` (a daemon thread, which never
        holds up the exit)."""

        def run() -> None:
            while not self._stopped.wait(TICK):
                self.tick()

        self._timer = threading.Thread(target=run, name="portal-config-progress", daemon=True)
        self._timer.start()

    def stop(self) -> None:
        """The timer ended (waiting at most STOP_WAIT for a redraw under way), the line cleared."""
        self._stopped.set()
        if self._timer is not None:
            self._timer.join(STOP_WAIT)
        self.clear()

    def update(
        self, pages: int = 0, objects: int = 0, finished: int = 0, accounts: int = 0
    ) -> None:
        with self._lock:
            self.pages += pages
            self.objects += objects
            self.finished += finished
            self.accounts += accounts
            now = self.clock()
            if now - self.started >= SHOW_AFTER and now - self._drawn_at >= REDRAW_EVERY:
                self._draw(self.text())
                self._drawn_at = now

    def _draw(self, text: str) -> None:
        self.stream.write(CLEAR + text)
        self.stream.flush()
        self._shown = text

    def echo(self, line: str) -> None:
        """A line of output on the same stream, the status line kept under it."""
        with self._lock:
            shown = bool(self._shown)
            if shown:
                self.stream.write(CLEAR)
            self.stream.write(line + "\n")
            if shown:
                self._draw(self.text())
            self.stream.flush()

    def clear(self) -> None:
        with self._lock:
            if self._shown:
                self.stream.write(CLEAR)
                self.stream.flush()
                self._shown = ""


_current: ProgressLine | None = None


@contextmanager
def shown(total: int | None = None, stream: TextIO | None = None) -> Iterator[ProgressLine | None]:
    """A status line on `stream` (stderr) while open, if it is a terminal: pages read, or with
    `total` changes done of that many. Yields None (nothing shown) off a terminal."""
    global _current
    stream = stream or sys.stderr
    if not stream.isatty():
        yield None
        return
    status = _current = ProgressLine(stream, total)
    status.start()
    try:
        yield status
    finally:
        _current = None
        status.stop()


def note(line: str) -> None:
    """A line on stderr (`--verbose`'s request log), the status line, if shown, kept under it."""
    if _current is not None:
        _current.echo(line)
    else:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def page_read(objects: int) -> None:
    if _current is not None:
        _current.update(pages=1, objects=objects)


def account_planned() -> None:
    """A fleet's account planned (fleet_plan.py)."""
    if _current is not None:
        _current.update(accounts=1)


def change_finished() -> None:
    if _current is not None:
        _current.update(finished=1)
