"""What an endpoint handler gets: the validated parameters and the store of its mode and account."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from .errors import no_such
from .store import AccountState

SANDBOX_KEY = "rkcs_test_"  # `stripe sandbox create`'s keys (behaviours.py, "sandboxes")


def sandbox_mode(key: str) -> str:
    """The mode an rkcs_test_ key selects: its own sandbox, in the API's test mode, apart from
    the account's test mode and every other sandbox (named by a digest: no key in the state)."""
    return "sandbox:" + hashlib.sha256(key.encode()).hexdigest()[:16]


def is_sandbox(mode: str) -> bool:
    return mode.startswith("sandbox:")


def api_mode(mode: str) -> str:
    """test or live, as the API sees a mode: a sandbox is test mode (docs.stripe.com/sandboxes)."""
    return "test" if is_sandbox(mode) else mode


def other_mode_of(mode: str) -> str | None:
    """Where Stripe's 404 says a similar object exists: the other mode; a sandbox has none."""
    return None if is_sandbox(mode) else "live" if mode == "test" else "test"


@dataclass
class Call:
    state: AccountState
    mode: str  # "test" | "live" | a sandbox's (sandbox_mode): test mode, objects of its own
    account: str | None  # the Stripe-Account, None for the platform itself
    params: dict[str, Any]
    now: int
    target: str | None = None  # the ID in the path, e.g. bpc_... of /configurations/{configuration}
    refuse_default_updates: bool = False
    first_becomes_default: bool = False
    subscription_update_needs_products: bool = False
    creation_defaults: dict[str, Any] | None = None  # params-shaped: a new configuration's
    application: str | None = None  # the caller's Connect application, None for the account itself
    object_id: str | None = None  # a seed's chosen ID for the object being created
    other_mode: AccountState | None = None  # the same account's objects in the other mode
    request_id: str | None = None  # the API request running it (an event's `request`)
    idempotency_key: str | None = None
    portal_base: str | None = None  # where the emulator serves (a session's url is its page)

    @property
    def livemode(self) -> bool:
        return self.mode == "live"

    def get(self, kind: str, object_id: str | None, noun: str, param: str) -> dict[str, Any]:
        """The object a parameter names, or Stripe's 400 resource_missing naming `param`."""
        return self._find(kind, object_id, noun, param, 400)

    def target_object(self, kind: str, noun: str) -> dict[str, Any]:
        """The object the URL's path names, or Stripe's 404, e.g. "No such configuration:
        'bpc_x'" (param `id`)."""
        return self._find(kind, self.target, noun, "id", 404)

    def _find(
        self, kind: str, object_id: str | None, noun: str, param: str, status: int
    ) -> dict[str, Any]:
        found = self.state.collection(kind).get(object_id or "")
        if found is None:
            other_mode = self.other_mode.collection(kind) if self.other_mode else {}
            elsewhere = (object_id or "") in other_mode
            other = other_mode_of(self.mode) if elsewhere else None
            raise no_such(noun, object_id or "", param, other, status)
        return found
