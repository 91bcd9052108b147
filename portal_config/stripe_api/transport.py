"""How requests reach Stripe under the SDK: each within one deadline (connect, first byte, the
whole body and its parsed JSON together), no answer larger than MAX_ANSWER_BYTES, all of a run's
requests within its time, backoff between retries, and what a failure of `requests` says about
whether a request got out. No `stripe` import here: stripe_api's HTTP client calls `fetch`.

A socket timeout bounds one read only, so a server that drips a byte at a time would hold a
request for ever; each request therefore runs on a worker thread (one of a pool the run's
requests share) that the caller stops waiting for at the deadline, cutting its connection.
"""

from __future__ import annotations

import json
import queue
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar, cast

import requests
from urllib3.util import Url, parse_url

from .. import defaults
from ..jsontypes import Data
from ..project.limits import shorten
from . import requestlog

T = TypeVar("T")

# A run (one command, per environment) stops asking Stripe after this many request deadlines.
RUN_DEADLINE_FACTOR = 20
CHUNK = 64 * 1024
# The most of one answer read, as sent and as decoded. Stripe's largest is a page of 100
# configurations or prices: ~1.2 KB each as the tool writes them, up to ~30 KB with 50 metadata
# keys of 500 characters (Stripe's metadata limits), so 3 MB at most: beyond this, no answer of
# Stripe's, but a proxy's or a hostile server's (a gzip bomb, an endless body).
MAX_ANSWER_BYTES = 8 * 2**20
NOT_JSON = object()  # what `Answer.json` holds when the body is not JSON
BACKSTOP_SECONDS = 1.0


class TooSlow(Exception):
    """No complete answer within the deadline."""


class TooLarge(Exception):
    """The answer went past MAX_ANSWER_BYTES (as sent or decoded): it was not read further."""


@dataclass(frozen=True)
class Answer:
    """One whole answer: its body, status and headers, and the body's JSON (NOT_JSON when it
    is none), parsed within the request's deadline."""

    content: bytes
    status: int
    headers: Mapping[str, str]
    json: object


class Redirected(Exception):
    """A 3xx answer, not followed: Stripe's API answers 2xx, 4xx or 5xx, never a redirect
    (https://docs.stripe.com/api/errors, "HTTP status code summary"), so whatever answered is not
    Stripe itself; and a redirect followed would take the request, and perhaps its key, to a
    host the safety rules never saw (requests follows them by default:
    https://requests.readthedocs.io/en/latest/user/quickstart/#redirection-and-history)."""

    def __init__(self, url: str, status: int, location: str | None):
        asked = parse_url(url)
        server = Url(scheme=asked.scheme, host=asked.host, port=asked.port).url
        to = f" (a redirect to {shorten(location)})" if location else " (a redirect)"
        super().__init__(
            f"{server} answered HTTP {status}{to}, not followed: Stripe's API never redirects"
        )


@dataclass
class TimeBudget:
    """The time one environment's requests may take: `request_seconds` each, and all of them
    (retries and the waits between them included) `run_seconds`. Only time spent asking Stripe
    counts, not a person reading the plan before confirming."""

    request_seconds: float = defaults.REQUEST_SECONDS
    run_seconds: float = defaults.REQUEST_SECONDS * RUN_DEADLINE_FACTOR
    spent: float = 0.0
    _since: float | None = None  # since when at least one request (or its retries) is under way
    _active: int = 0  # requests under way: apply writes side by side (concurrency.py)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def for_request_seconds(cls, seconds: float) -> TimeBudget:
        return cls(seconds, seconds * RUN_DEADLINE_FACTOR)

    @contextmanager
    def asking(self) -> Iterator[None]:
        """Counts the time inside as spent on Stripe: the wall time during which at least one
        request is under way, however many run side by side."""
        with self._lock:
            if self._active == 0:
                self._since = time.monotonic()
            self._active += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                if self._active == 0 and self._since is not None:
                    self.spent += time.monotonic() - self._since
                    self._since = None

    def remaining(self) -> float:
        with self._lock:
            running = 0.0 if self._since is None else time.monotonic() - self._since
            return self.run_seconds - self.spent - running

    def next_request(self) -> float:
        """The deadline of a request starting now: its own, or what is left of the run's."""
        return min(self.request_seconds, self.remaining())


class _Workers:
    """The run's request workers: daemon threads, each reused for request after request (a
    thread per request was a share of a fleet's CPU). A request takes an idle one, or starts
    one when none is idle, so one given up on (still cutting its connection) never holds up
    the next; there are never more than the most requests under way at once."""

    def __init__(self) -> None:
        self._idle: list[queue.SimpleQueue[Callable[[], None]]] = []
        self._lock = threading.Lock()

    def run(self, job: Callable[[], None], then: Callable[[], None]) -> None:
        """`job()` on a worker, then `then()` once the worker is idle again."""
        with self._lock:
            inbox = self._idle.pop() if self._idle else None
        if inbox is None:
            inbox = queue.SimpleQueue()
            threading.Thread(
                target=self._serve, args=(inbox,), name="portal-config-request", daemon=True
            ).start()

        def whole() -> None:
            try:
                job()
            finally:
                with self._lock:
                    self._idle.append(inbox)
                then()  # after: the caller's next request finds this worker idle

        inbox.put(whole)

    @staticmethod
    def _serve(inbox: queue.SimpleQueue[Callable[[], None]]) -> None:
        while True:
            inbox.get()()


_WORKERS = _Workers()


def within(seconds: float, work: Callable[[], T], on_late: Callable[[], None]) -> T:
    """`work()`'s result, or TooSlow once `seconds` have passed (then `on_late()` runs, to cut
    the connection the worker still holds). The workers are daemon threads: an abandoned one
    never holds up the exit."""
    outcome: list[tuple[bool, object]] = []
    done = threading.Event()

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread as it is
            outcome.append((False, exc))

    _WORKERS.run(run, done.set)
    if not done.wait(max(seconds, 0.0)):
        on_late()
        raise TooSlow(f"no complete answer within {seconds:g} s")
    succeeded, value = outcome[0]
    if not succeeded:
        raise cast(BaseException, value)
    return cast(T, value)


def _cut(held: list[requests.Response]) -> None:
    """Shut the socket of a request given up on, so its worker ends (best effort: the socket is
    found through urllib3's response, once the headers came)."""
    for response in held:
        sock = getattr(getattr(response.raw, "connection", None), "sock", None)
        if isinstance(sock, socket.socket):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def fetch(
    session: requests.Session,
    seconds: float,
    method: str,
    url: str,
    headers: Mapping[str, str] | None,
    body: Data,
    verify: str | bool,
) -> Answer:
    """One request and its whole answer, parsed, within `seconds`: TooSlow, TooLarge, Redirected,
    or requests' own errors."""
    held: list[requests.Response] = []

    def run() -> Answer:
        # requests' own timeout only ends an abandoned worker: later than `within`'s deadline,
        # so that one decides.
        response = session.request(
            method,
            url,
            headers=headers,
            data=body,
            timeout=seconds + BACKSTOP_SECONDS,
            stream=True,
            verify=verify,
            allow_redirects=False,
        )
        held.append(response)
        if 300 <= response.status_code < 400:
            response.close()
            raise Redirected(url, response.status_code, response.headers.get("Location"))
        content = _bounded_body(response)
        return Answer(content, response.status_code, response.headers, _json(content))

    with requestlog.logged(method, url, headers, _failure) as logged:  # --verbose
        answer = within(seconds, run, lambda: _cut(held))
        logged.answered(answer.status, answer.headers)
    return answer


def _failure(exc: Exception) -> str:
    """A failed request in a few words (requestlog): requests' own errors by their reason."""
    if isinstance(exc, requests.exceptions.RequestException):
        return network_reason(str(exc))
    return str(exc) or type(exc).__name__


def _bounded_body(response: requests.Response) -> bytes:
    """The body, decoded, at most MAX_ANSWER_BYTES of it as sent (`raw.tell()`: a gzip stream
    can grow on the wire without growing once decoded) and as decoded; TooLarge past either,
    the connection closed so it is never reused half-read. urllib3 >= 2.6 decodes at most a
    chunk's worth per read, so a gzip bomb is never expanded whole
    (https://github.com/urllib3/urllib3/security/advisories/GHSA-2xpw-w6gg-jr37)."""
    parts: list[bytes] = []
    decoded = 0
    for part in response.iter_content(CHUNK):
        decoded += len(part)
        if decoded > MAX_ANSWER_BYTES or response.raw.tell() > MAX_ANSWER_BYTES:
            response.close()
            raise TooLarge(f"an answer larger than {MAX_ANSWER_BYTES // 2**20} MiB")
        parts.append(part)
    return b"".join(parts)


def _json(content: bytes) -> object:
    """The body's JSON, or NOT_JSON (not JSON, not UTF-8, or nested past Python's limit)."""
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return NOT_JSON


def body_cut(cause: BaseException | None) -> bool:
    """The connection closed part-way through the answer: the request had arrived."""
    return isinstance(
        cause, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)
    )


def never_sent(cause: BaseException | None) -> bool:
    """No connection was made, so the request cannot have reached the server."""
    return isinstance(cause, requests.exceptions.ConnectTimeout) or (
        isinstance(cause, requests.exceptions.ConnectionError)
        and "NewConnectionError" in str(cause)
    )


def network_reason(text: str) -> str:
    """The one telling phrase in the SDK's several-line connection error."""
    for pattern in (
        r"\[Errno -?\d+\] ([^'\")]+)",
        r"(Read timed out|timed out)",
        r"Network error: (\w+)",
    ):
        found = re.search(pattern, text)
        if found:
            return found[1].strip()
    return "connection failed"


def backoff(attempt: int, first: float, most: float) -> float:
    """Seconds before retry number `attempt` (0-based): doubling from `first` up to `most`, with
    jitter (half to all of it), so clients failing together do not retry together."""
    return float(min(first * 2**attempt, most) * random.uniform(0.5, 1.0))
