"""How a Stripe API key is kept out of output and files: the keys this run loaded (masked by their
value, whatever their shape), the pattern of a key in text, and the one masking function every
line the CLI writes goes through (`MaskedStream`, installed over stdout and stderr by cli.main),
as does every file it writes (`write_masked`).

Masking runs on the final text, after rendering, and finds a key however a renderer encoded it
(`&#95;` in the markdown report, `\u005f` in JSON): one rule that holds for every renderer.
(What a key must look like to be sent is a safety rule: safety.py.)"""

from __future__ import annotations

import bisect
import contextlib
import html.entities
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

_BODY = r"[A-Za-z0-9]{10,}"
# A sandbox's key from `stripe sandbox create` starts rkcs_test_ (https://docs.stripe.com/cli/sandbox);
# an organization's key starts sk_org, whatever its mode or permissions
# (https://docs.stripe.com/keys/organization-api-keys): whether a mode follows is not documented.
_SECRET = r"(?:sk|rk)_(?:live|test)_|rkcs_(?:live|test)_|sk_org_(?:(?:live|test)_)?"
SECRET_KEY = re.compile(rf"(?<![A-Za-z0-9])(?:{_SECRET}){_BODY}")
# The one rule of what a secret is: SECRET_KEY's keys, and also a publishable key (tied to one
# account and mode) and a webhook signing secret. Output masks them, validate refuses them in a
# file (rules.find_secrets), import refuses to write them (importer.py).
KEY_LIKE = re.compile(rf"{SECRET_KEY.pattern}|(?<![A-Za-z0-9])(pk_(?:live|test)_|whsec_){_BODY}")
# Every KEY_LIKE match holds one of these (sk_, rk_, pk_, rkcs_, whsec_): a text without any
# holds no key, told far sooner than KEY_LIKE's own scan tells it (validate reads every file).
_KEY_MARKS = ("k_", "cs_", "whsec_")


def may_hold_key(text: str) -> bool:
    """False when `text` certainly holds nothing KEY_LIKE matches."""
    return any(mark in text for mark in _KEY_MARKS)


# Every key-like prefix, as a pattern an editor's JSON Schema can reuse (ECMA 262 reads it too).
KEY_PREFIX = rf"whsec_|pk_(?:live|test)_|{_SECRET}"
_PREFIX = re.compile(KEY_PREFIX)
_CORE = re.compile(rf"(?:{_SECRET})[A-Za-z0-9_]+")
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


# How output may write a character of a key (markup.py writes `_` as `&#95;`): an HTML character
# reference, numeric (also without its `;`, as browsers read it) or named (`&lowbar;`), see
# https://html.spec.whatwg.org/multipage/parsing.html#character-reference-state; a JSON `\uXXXX`
# escape (RFC 8259, section 7); a markdown backslash escape of punctuation (CommonMark 0.31,
# section 2.4); a URL's percent-encoding (RFC 3986, section 2.1).
_ENCODED = re.compile(
    r"&#(?:[xX](?P<hex>[0-9a-fA-F]{1,6})|(?P<dec>[0-9]{1,7}));?"
    r"|&(?P<name>[A-Za-z][A-Za-z0-9]{1,31};)"
    r"|\\u(?P<json>[0-9a-fA-F]{4})"
    r"|\\(?P<punct>[!-/:-@\[-`{-~])"
    r"|%(?P<percent>[0-9a-fA-F]{2})"
)


def _character(match: re.Match[str]) -> str | None:
    """The one character an encoded one stands for (None: not a character after all)."""
    if match["name"]:
        named = html.entities.html5.get(match["name"], "")
        return named if len(named) == 1 else None
    if match["punct"]:
        return match["punct"]
    number = next(match[g] for g in ("hex", "dec", "json", "percent") if match[g])
    code = int(number, 10 if match["dec"] else 16)
    return chr(code) if code <= 0x10FFFF else None


class _Origins:
    """Where each character of a decoded text starts in the text it was decoded from: kept per
    encoded character only, so a long text costs memory for what it encodes, not its length."""

    def __init__(self) -> None:
        self.decoded: list[int] = []  # where each encoded character is in the decoded text
        self.start: list[int] = []  # and where it starts and ends in the text
        self.end: list[int] = []

    def __getitem__(self, at: int) -> int:
        i = bisect.bisect_right(self.decoded, at) - 1
        if i < 0:
            return at
        if self.decoded[i] == at:
            return self.start[i]
        return self.end[i] + at - self.decoded[i] - 1


def _decoded(text: str) -> tuple[str, _Origins]:
    """`text` with every encoded character decoded, and where each character came from."""
    parts: list[str] = []
    origins = _Origins()
    at = length = 0
    for match in _ENCODED.finditer(text):
        character = _character(match)
        if character is not None:
            parts += [text[at : match.start()], character]
            length += match.start() - at
            origins.decoded.append(length)
            length += 1
            origins.start.append(match.start())
            origins.end.append(match.end())
            at = match.end()
    return "".join(parts) + text[at:], origins


def _key_spans(text: str) -> list[tuple[int, int]]:
    """Where keys are in `text`: every key this run loaded, and every key-like string, as
    (start, end), overlapping ones joined."""
    spans = [m.span() for m in KEY_LIKE.finditer(text)]
    for key in _loaded:
        at = text.find(key)
        while at >= 0:
            spans.append((at, at + len(key)))
            at = text.find(key, at + 1)
    joined: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if joined and start < joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def _masked(text: str) -> list[tuple[int, int, str]]:
    """Each key in `text`, found decoded: (start, end, what shows in its place), as written."""
    decoded, starts = _decoded(text)
    found = []
    for start, end in _key_spans(decoded):
        prefix = len(prefix_of(decoded[start:end]))
        kept = (
            f"{text[starts[start] : starts[start + prefix]]}..."
            f"{text[starts[end - 4] : starts[end]]}"
            if prefix
            else "[key]"
        )
        found.append((starts[start], starts[end], kept))
    return found


def masked_keys(text: str) -> list[str]:
    """Each key in `text` as it may be shown (`sk_live_...WXYZ`)."""
    return [kept for _, _, kept in _masked(text)]


def mask_secrets(text: str) -> str:
    """Every key this run loaded, and every key-like string, as `sk_live_...WXYZ`, also where
    the text encodes it (`sk&#95;live&#95;...WXYZ`: what is kept stays as it was written)."""
    out, at = [], 0
    for start, end, kept in _masked(text):
        out += [text[at:start], kept]
        at = end
    return "".join(out) + text[at:] if out else text


def write_masked(path: Path, text: str) -> None:
    """Every file portal-config writes goes through the masking its output does."""
    path.write_text(mask_secrets(text), encoding="utf-8")


def find_keys(text: str) -> list[str]:
    """The prefix of each key-like string (KEY_LIKE) in `text`: `sk_live_`, `whsec_`, ..."""
    return [prefix_of(m[0]) for m in KEY_LIKE.finditer(text)]


class MaskedStream:
    """A text stream writing to `inner` with every line masked (`mask_secrets`), so no output
    path (click.echo, a --debug traceback, a progress line from a thread) can print a key. A
    partial line waits for its end or a flush: a key written in pieces is whole when masked.

    Its `buffer` takes bytes through the same masking: click writes shell completion's script and
    answers as bytes to a text stream's buffer (click.echo, click/shell_completion.py), which
    must neither fail nor pass around the masking."""

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

    @property
    def buffer(self) -> _MaskedBytes:
        return _MaskedBytes(self)

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


class _MaskedBytes:
    """A MaskedStream's `buffer`: bytes decoded in the stream's encoding, then masked as text."""

    def __init__(self, text: MaskedStream):
        self.text = text

    def write(self, data: bytes) -> int:
        self.text.write(bytes(data).decode(self.text.encoding, "replace"))
        return len(data)

    def flush(self) -> None:
        self.text.flush()


@contextlib.contextmanager
def masked_output() -> Iterator[None]:
    """stdout and stderr through MaskedStream until the block ends (flushed then)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = MaskedStream(out), MaskedStream(err)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = out, err
