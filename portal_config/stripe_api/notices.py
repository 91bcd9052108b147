"""Stripe-Notice headers: stripe-python 16 turns each into a warning printed at once, which would
cut into a plan. They are collected here while Stripe is talked to and shown once each, on
stderr, when the command has printed its output (cli.main). No `stripe` import here."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

_SDK_MODULE = "_api_requestor.py"  # where stripe-python calls warnings.warn(notice)
_SUPPRESS_HINT = "\nTo suppress Stripe notices"  # the SDK's own advice, appended to each
_lock = threading.Lock()
_collected: list[str] = []


def _from_stripe(filename: str) -> bool:
    path = Path(filename)
    return path.name == _SDK_MODULE and "stripe" in path.parts


@contextmanager
def capturing() -> Iterator[None]:
    """While open, the SDK's notices are collected instead of printed; other warnings pass."""
    previous = warnings.showwarning

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if not _from_stripe(filename):
            previous(message, category, filename, lineno, file, line)
            return
        text = str(message).split(_SUPPRESS_HINT, 1)[0].strip()
        with _lock:
            if text not in _collected:
                _collected.append(text)

    with warnings.catch_warnings():
        # "always": Python's once-per-location registry would hide a notice a later run shows.
        warnings.filterwarnings("always", category=UserWarning, module=r"stripe\._api_requestor")
        warnings.showwarning = show
        try:
            yield
        finally:
            warnings.showwarning = previous


def drain() -> list[str]:
    """The notices collected so far, each once, in the order they came; then forgets them."""
    with _lock:
        found = list(_collected)
        _collected.clear()
    return found
