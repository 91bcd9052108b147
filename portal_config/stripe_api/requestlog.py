"""`--verbose`: each HTTP request to Stripe as one line on stderr, as it ends: method, path,
status, Stripe's request ID, how long it took and the key (masked), and for a 429 which of
Stripe's limits it met; each retry client.py waits for. transport.fetch logs every request
through `logged`, so the SDK's requests, retries and every command's are logged alike.

What a 429's `Stripe-Rate-Limited-Reason` says is decided here too (failures.py words a 429
that outlasts the retries with it). Nothing heavy is imported: cli.py turns the log on or off
for every command, offline ones included."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from .. import masking, progress
from ..project.limits import shorten

# What each Stripe-Rate-Limited-Reason of a 429 means (https://docs.stripe.com/rate-limits);
# another reason is named as Stripe gives it.
RATE_LIMITED_REASONS = {
    "global-rate": "more requests a second to this account than Stripe allows",
    "endpoint-rate": "more requests a second to one endpoint than Stripe allows",
    "global-concurrency": "more requests at once to this account than Stripe allows",
    "endpoint-concurrency": "more requests at once to one endpoint than Stripe allows",
    "resource-specific": "a limit of one object or kind of request",
}
_REASON = re.compile(r"[a-z][a-z0-9_-]{0,40}")
_SHOWN_PATH = 200  # characters of a path and query: the expand parameters make it long

_on = False


def turn_on(on: bool) -> None:
    """Log (or not) every request from now on: cli.py, once per invocation."""
    global _on
    _on = on


def reason_said(header: str) -> str:
    """A 429's Stripe-Rate-Limited-Reason as 'REASON: what it means' (or 'REASON'), or '' when
    it is none or not a plain name (nothing of such a header reaches a terminal)."""
    reason = header.strip()
    if not _REASON.fullmatch(reason):
        return ""
    meaning = RATE_LIMITED_REASONS.get(reason)
    return f"{reason}: {meaning}" if meaning else reason


def header(headers: Mapping[str, str] | None, name: str) -> str:
    """A header's value, whatever the case of its name (HTTP names are case-insensitive)."""
    return next((str(v) for k, v in (headers or {}).items() if k.lower() == name), "")


class Logged:
    """What the request logged got: transport.fetch calls `answered` with its answer."""

    def __init__(self) -> None:
        self.status: int | None = None
        self.headers: Mapping[str, str] = {}

    def answered(self, status: int, headers: Mapping[str, str]) -> None:
        self.status, self.headers = status, headers


def _request(method: str, url: str) -> str:
    from urllib3.util import parse_url  # only when logging: offline commands stay lean

    return f"Stripe: {method.upper()} {shorten(parse_url(url).request_uri, _SHOWN_PATH)}"


def _who(headers: Mapping[str, str] | None) -> str:
    """The key as it may be shown (`sk_test_...WXYZ`), never more, and the account acted for:
    a fleet's (Stripe-Account) or an organization key's (Stripe-Context)."""
    shown = masking.masked_keys(header(headers, "authorization")) or ["[key]"]
    account = header(headers, "stripe-account") or header(headers, "stripe-context")
    return f"key {shown[0]}" + (f", account {shorten(account)}" if account else "")


@contextmanager
def logged(
    method: str, url: str, headers: Mapping[str, str] | None, failure: Callable[[Exception], str]
) -> Iterator[Logged]:
    """Around one request: its line once it ends (answered, or failed, in `failure`'s words,
    and re-raised)."""
    record = Logged()
    if not _on:
        yield record
        return
    started = time.monotonic()
    try:
        yield record
    except Exception as exc:
        took = f"{(time.monotonic() - started) * 1000:.0f} ms"
        what = shorten(failure(exc), 160)
        progress.note(f"{_request(method, url)} -> no answer ({took}, {_who(headers)}): {what}")
        raise
    took = f"{(time.monotonic() - started) * 1000:.0f} ms"
    request_id = shorten(header(record.headers, "request-id")) or "no request ID"
    said = [request_id, took, _who(headers)]
    if record.status == 429:
        reason = reason_said(header(record.headers, "stripe-rate-limited-reason"))
        said.append(f"rate limited: {reason}" if reason else "rate limited")
    progress.note(f"{_request(method, url)} -> {record.status} ({', '.join(said)})")


def retrying(attempt: int, retries: int, delay: float) -> None:
    """client.py waits `delay` seconds before retry number `attempt` (1-based) of `retries`."""
    if _on:
        progress.note(f"Stripe: retry {attempt} of {retries} in {delay * 1000:.0f} ms")
