"""Answers too big to read, for the tests of a client's bounds (faults.py `body`): each is the
answer's own JSON with blanks inside it (valid JSON, so only a bound can refuse it), sent as:

- `gzip_bomb`: gzip-encoded, 2 GiB once decoded from ~2 MiB on the wire;
- `endless`: chunked and never ending (at most ~64 MB/s, so a client that never stops meets
  its deadline before it fills memory);
- `oversized`: 100 MB, with its Content-Length.

A server counts what it wrote of such bodies (`EmulatorHTTPServer.hostile_sent`), so a test can
tell how far a client read."""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Iterator
from functools import cache

MIB = 1 << 20
BOMB_BYTES = 2048 * MIB
OVERSIZED_BYTES = 100 * MIB
KINDS = ("gzip_bomb", "endless", "oversized")
# The gzip member header of RFC 1952 §2.3: magic, deflate, no flags, no time, unknown OS.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


@cache
def _blanks() -> bytes:
    """A MiB of blanks, made on first use: every embedded emulator imports this module, and a
    MiB costs about a millisecond and a MiB of memory (issue 24)."""
    return b" " * MIB


def headers(kind: str) -> list[str]:
    """The header lines that describe how the body goes."""
    if kind == "oversized":
        return [f"Content-Length: {OVERSIZED_BYTES}"]
    encoding = ["Content-Encoding: gzip"] if kind == "gzip_bomb" else []
    return [*encoding, "Transfer-Encoding: chunked"]


def body(kind: str, payload: bytes) -> Iterator[bytes]:
    """The body's parts: `payload` (a JSON object) with blanks before its closing brace."""
    opening, closing = payload[:-1], payload[-1:]
    if kind == "oversized":
        yield opening
        left = OVERSIZED_BYTES - len(payload)
        while left > 0:
            yield _blanks()[: min(left, MIB)]
            left -= MIB
        yield closing
    elif kind == "endless":
        yield opening
        while True:
            time.sleep(0.001)
            yield _blanks()[: 64 * 1024]
    else:
        yield from _bomb(opening, closing)


def _bomb(opening: bytes, closing: bytes) -> Iterator[bytes]:
    """A gzip member of BOMB_BYTES blanks, built in milliseconds: after a sync flush, the
    deflate blocks of one MiB of blanks refer only to the blanks before them, so the same
    bytes decode to one more MiB wherever they are repeated (RFC 1951 §3.2)."""
    blanks = _blanks()
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    yield _GZIP_HEADER + deflate.compress(opening + blanks) + deflate.flush(zlib.Z_SYNC_FLUSH)
    again = deflate.compress(blanks) + deflate.flush(zlib.Z_SYNC_FLUSH)
    crc = zlib.crc32(opening + blanks)
    for _ in range(BOMB_BYTES // MIB - 1):
        yield again
        crc = zlib.crc32(blanks, crc)
    crc = zlib.crc32(closing, crc)
    size = len(opening) + BOMB_BYTES + len(closing)
    yield deflate.compress(closing) + deflate.flush() + struct.pack("<II", crc, size % 2**32)
