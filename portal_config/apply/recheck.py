"""What a create's re-check needs: the configurations created in an environment since its plan
listed it (a concurrent deploy may have made the same one meanwhile), each fetched once.

Each re-check asks only for what is newer than the newest configuration seen so far
(`ending_before`): one request for a page of the few made since the last check, whatever the
account's size, and whether the account was empty when planned or not. Every identity on those
pages is kept, so a configuration fetched during one change's check still counts for another.
"""

from __future__ import annotations

import threading

from ..portal import identity
from ..stripe_api.gateway import Gateway


class Arrivals:
    def __init__(self, gateway: Gateway, newest_planned: str | None):
        self._gateway = gateway
        self._cursor = newest_planned  # None: the plan listed nothing, so every one is new
        self._seen: set[identity.Identity] = set()
        self._lock = threading.Lock()  # changes are re-checked side by side

    def holds(self, wanted: identity.Identity) -> bool:
        """Whether a configuration with this identity was created since the plan."""
        with self._lock:
            cursor = self._cursor
        newer = self._gateway.configurations_newer_than(cursor)  # newest first
        with self._lock:
            self._seen.update(identity.of(c) for c in newer)
            # Only from where this listing started: a check listed side by side may have moved
            # the cursor meanwhile (either way, every identity listed is in _seen).
            if newer and self._cursor == cursor:
                self._cursor = str(newer[0]["id"])
            return wanted in self._seen
