"""Stripe's list endpoints read page by page as plain JSON, through the SDK's `raw_request`.

The SDK still does the HTTP, auth, retries and errors (stripe_api hands in `get`, one GET as
parsed JSON); only building a `StripeObject` for every object of every page (and turning it back
into a dict) is skipped: at 10,000 configurations that was two thirds of a plan's CPU. Lists are
newest first: `starting_after` pages towards older objects, `ending_before` towards newer ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from . import progress

PAGE_SIZE = 100  # Stripe's largest `limit`
Get = Callable[[str, Mapping[str, Any]], dict[str, Any]]  # (path, query) -> the parsed answer


def pages(get: Get, path: str, params: Mapping[str, Any],
          newer_than: str | None = None) -> Iterator[list[dict[str, Any]]]:
    """Each page's objects: every object, or with `newer_than` only those listed before it
    (created after it), following `has_more` either way."""
    cursor_name, cursor = ("ending_before", newer_than) if newer_than else ("starting_after", None)
    while True:
        query = {**params, "limit": PAGE_SIZE, **({cursor_name: cursor} if cursor else {})}
        page = get(path, query)
        data: list[dict[str, Any]] = page.get("data") or []
        progress.page_read(len(data))
        yield data
        if not page.get("has_more") or not data:
            return
        # Towards older objects: after this page's last; towards newer: before its first.
        cursor = str(data[0 if newer_than else -1]["id"])


def list_all(get: Get, path: str, params: Mapping[str, Any],
             newer_than: str | None = None) -> list[dict[str, Any]]:
    """Every object of the list (newest first)."""
    found: list[dict[str, Any]] = []
    for data in pages(get, path, params, newer_than):
        if newer_than:
            found[:0] = data  # each page is newer than the one before it
        else:
            found += data
    return found
