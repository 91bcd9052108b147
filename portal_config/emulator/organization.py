"""Organization keys and Stripe-Context (behaviours.py, "organization keys" and "Stripe-Context"):
which account a request acts for, as the headers name it.

An organization key (`sk_org...`) belongs to no account: every request with one names the account
in `Stripe-Context`, either an account of the organization (`acct_...`) or a platform's connected
account (`acct_platform/acct_connected`), and never in `Stripe-Account`. An account's objects are
its own however it is reached, so `acct_platform/acct_connected` acts on the same objects as the
platform's key with `Stripe-Account: acct_connected`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import connect
from .errors import ApiError
from .store import Store

# The docs name only `sk_org` (https://docs.stripe.com/keys/organization-api-keys: "Organization
# API keys all have the same sk_org prefix, regardless of their permission levels"); the mode
# after it is the emulator's own way to tell test keys from live ones.
ORG_MODES = {"sk_org_test_": "test", "sk_org_live_": "live"}
CONTEXT_DOCS = "https://docs.stripe.com/context"
ACCOUNT = re.compile(r"acct_[A-Za-z0-9]+")
Reach = Callable[[str | None, str], None]


def is_org_key(key: str) -> bool:
    return key.startswith("sk_org_")


def acting_for(key: str, headers: dict[str, str], reach: Reach) -> str | None:
    """The account a request acts for (None: the key's own), from Stripe-Context (or, for an
    account's own key, Stripe-Account); `reach(platform, account)` raises for an account the
    caller cannot reach (`platform` None: the key's own account, or the organization)."""
    context = headers.get("stripe-context")
    account = headers.get("stripe-account")
    if is_org_key(key):
        if account is not None:
            raise ApiError(
                400,
                "The Stripe-Account header cannot be used with an organization API key: name "
                f"the account in the Stripe-Context header instead. See {CONTEXT_DOCS}.",
            )
        if not headers.get("stripe-version"):
            raise ApiError(
                400,
                "Requests made with an organization API key must include the Stripe-Version "
                "header (e.g. Stripe-Version: 2026-10-28.endive). See "
                "https://docs.stripe.com/keys/organization-api-keys.",
            )
        if not context:
            raise ApiError(
                400,
                "Requests made with an organization API key must include the Stripe-Context "
                "header to identify the account they affect (Stripe-Context: acct_..., or "
                f"acct_platform/acct_connected for a connected account). See {CONTEXT_DOCS}.",
            )
    if context is None:
        if account is not None:
            reach(None, account)
        return account
    if account is not None and account != context.rpartition("/")[2]:
        raise ApiError(
            400,
            "Stripe-Account and Stripe-Context name different accounts: send Stripe-Context "
            f"alone. See {CONTEXT_DOCS}.",
        )
    parent: str | None = None
    for part in context.split("/"):
        reach(parent, part)
        parent = part
    return parent


def reach(store: Store, key: str, mode: str) -> Reach:
    """`reach(platform, account)` raises 403 (connect.no_access) for an account the caller
    cannot act for: malformed, revoked, or not one of the platform's connected accounts in this
    mode (connect.reachable); `platform` None is the key's own account, or for an organization's
    key the organization, whose accounts are any well-formed ID (membership is not modelled)."""

    def check(platform: str | None, account: str) -> None:
        with store.lock:
            if platform is None:
                own = not is_org_key(key)
                connected = store.connected_accounts(mode) if own else {}
            else:
                state = store.existing(mode, platform)
                connected = state.accounts if state is not None else {}
            revoked = store.revoked_accounts
            if not ACCOUNT.fullmatch(account) or not connect.reachable(connected, revoked, account):
                raise connect.no_access(key, account)

    return check
