"""Stripe list objects: cursor pagination, newest first."""

from __future__ import annotations

from typing import Any

from .errors import invalid, no_such

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


def paginate(
    newest_first: list[dict[str, Any]], params: dict[str, Any], url: str, noun: str
) -> dict[str, Any]:
    """One page of a list: `limit` objects after `starting_after` or just before `ending_before`."""
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
    ids = [item["id"] for item in newest_first]
    if after:
        window = newest_first[_position(ids, after, noun, "starting_after") + 1 :]
        page = window[:limit]
    elif before:
        window = newest_first[: _position(ids, before, noun, "ending_before")]
        page = window[-limit:]
    else:
        window = newest_first
        page = window[:limit]
    return {"object": "list", "data": page, "has_more": len(window) > limit, "url": url}


def _position(ids: list[str], cursor: str, noun: str, param: str) -> int:
    try:
        return ids.index(cursor)
    except ValueError:
        raise no_such(noun, cursor, param) from None
