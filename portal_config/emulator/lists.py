"""Stripe list objects: cursor pagination, newest first."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from itertools import islice
from typing import Any

from .errors import invalid, no_such

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


def paginate(
    newest_first: Iterable[dict[str, Any]], params: dict[str, Any], url: str, noun: str
) -> dict[str, Any]:
    """One page of a list: `limit` objects after `starting_after` or just before `ending_before`.
    `newest_first` is walked once and only a page of it held, so listing an account of 50,000
    pages in ~100 objects of memory per request, as the test of a plan's memory (which shares
    the emulator's process) must see the plan's alone (tests/e2e/test_plan_memory.py)."""
    limit = params.get("limit", DEFAULT_LIMIT)
    if limit < 1:
        raise invalid("This value must be greater than or equal to 1.", "limit")
    if limit > MAX_LIMIT:
        raise invalid(f"This value must be less than or equal to {MAX_LIMIT}.", "limit")
    after, before = params.get("starting_after"), params.get("ending_before")
    if after and before:
        raise invalid(
            "You may only specify one of these parameters: ending_before, starting_after.",
            "ending_before",
            code="parameters_exclusive",
        )
    items = iter(newest_first)
    if before:
        # the `limit` just before the cursor, and whether any is before them
        window: deque[dict[str, Any]] = deque(maxlen=limit + 1)
        for item in items:
            if item["id"] == before:
                page = list(window)[-limit:]
                return _list(page, len(window) > limit, url)
            window.append(item)
        raise no_such(noun, before, "ending_before")
    if after:
        for item in items:
            if item["id"] == after:
                break
        else:
            raise no_such(noun, after, "starting_after")
    page = list(islice(items, limit + 1))  # one more than the page: has_more
    return _list(page[:limit], len(page) > limit, url)


def _list(page: list[dict[str, Any]], has_more: bool, url: str) -> dict[str, Any]:
    return {"object": "list", "data": page, "has_more": has_more, "url": url}
