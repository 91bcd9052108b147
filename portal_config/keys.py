"""How a Stripe API key is kept out of output and files: the keys this run loaded (masked by their
value, whatever their shape), the pattern of a key in text, and the one masking function every
line the CLI writes goes through (`MaskedStream`, installed over stdout and stderr by cli.main).
(What a key must look like to be sent is a safety rule: safety.py.)"""

from __future__ import annotations

import re
import threading
from typing import TextIO

_BODY = r"[A-Za-z0-9]{10,}"
SECRET_KEY = re.compile(rf"(?<![A-Za-z0-9])(sk|rk)_(live|test)_{_BODY}")
# What never goes into a file import writes: SECRET_KEY's keys, and also a publishable key (tied
# to one account and mode) and a webhook signing secret.
KEY_LIKE = re.compile(rf"{SECRET_KEY.pattern}|(?<![A-Za-z0-9])(pk_(?:live|test)_|whsec_){_BODY}")
_PREFIX = re.compile(r"(?:whsec|[spr]k_(?:live|test))_")
_CORE = re.compile(r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9_]+")
_SHORTEST = 12  # a value this short (a placeholder, a typo) would be masked all over the output

_loaded: set[str] = set()


def register(key: str) -> None:
    """A key this run loaded: from now on it is masked wherever it appears, even where no pattern
    would find it (a key with `_` in it, a key with a newline)."""
    # the key-like part (a pasted key may carry a quote or a space), or else all of it
    for value in _CORE.findall(key) or [key.strip()]:
        if len(value) >= _SHORTEST:
            _loaded.add(value)


def forget() -> None:
    """A new run starts with no key loaded."""
    _loaded.clear()


def prefix_of(key: str) -> str:
    """`sk_live_` for a live secret key: what may be said of a key without showing it."""
    match = _PREFIX.match(key)
    return match[0] if match else ""


def _short(key: str) -> str:
    return f"{prefix_of(key)}...{key.strip()[-4:]}" if prefix_of(key) else "[key]"


def mask_secrets(text: str) -> str:
    """Every key this run loaded, and every key-like string, as `sk_live_...WXYZ`."""
    for key in sorted(_loaded, key=len, reverse=True):  # a key before one it contains
        if key in text:
            text = text.replace(key, _short(key))
    return SECRET_KEY.sub(lambda m: f"{m[1]}_{m[2]}_...{m[0][-4:]}", text)


def find_keys(text: str) -> list[str]:
    """The prefix of each key-like string (KEY_LIKE) in `text`: `sk_live_`, `whsec_`, ..."""
    return [prefix_of(m[0]) for m in KEY_LIKE.finditer(text)]


class MaskedStream:
    """A text stream writing to `inner` with every line masked (`mask_secrets`), so no output
    path (click.echo, a --debug traceback, a progress line from a thread) can print a key. A
    partial line waits for its end or a flush: a key written in pieces is whole when masked.

    No `buffer` attribute: click would write bytes to it, past the masking."""

    def __init__(self, inner: TextIO):
        self.inner = inner
        self._pending = ""
        self._lock = threading.Lock()

    @property
    def encoding(self) -> str:
        # click takes a stream without an encoding for a misconfigured one and rewraps it
        return getattr(self.inner, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:
        return getattr(self.inner, "errors", None) or "strict"

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # click probes with b"" to learn it is a text stream
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        with self._lock:
            head, newline, self._pending = (self._pending + text).rpartition("\n")
            if newline:
                self.inner.write(mask_secrets(head + newline))
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self.inner.write(mask_secrets(self._pending))
                self._pending = ""
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return self.inner.closed
