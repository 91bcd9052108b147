"""A platform's connected accounts: the account objects, GET /v1/accounts[/{id}], and who may be
named in Stripe-Account (behaviours.py: connected accounts list, revoked account 403).

The accounts live in the platform's own store of each mode (AccountState.accounts), so a fleet
of 10,000 is one dict, persisted with the rest, and made without HTTP (`add_accounts`).
"""

from __future__ import annotations

import copy
import secrets
import string
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .context import Call
from .errors import ApiError, EmulatorError, mask_key
from .lists import paginate
from .objects import account as generic_account
from .store import AccountState
from .values import Data

# Every field of the account object the emulator models, at its default; the subset of Stripe's
# account object (docs.stripe.com/api/accounts/object) a platform reads to tell accounts apart.
BUSINESS_PROFILE: dict[str, Any] = {
    "annual_revenue": None,
    "estimated_worker_count": None,
    "mcc": None,
    "name": None,
    "product_description": None,
    "support_address": None,
    "support_email": None,
    "support_phone": None,
    "support_url": None,
    "url": None,
}
SEED_FIELDS = {
    "id",
    "business_profile",
    "metadata",
    "email",
    "country",
    "default_currency",
    "charges_enabled",
    "details_submitted",
    "payouts_enabled",
    "type",
    "created",
    "revoked",
}
TYPES = ("standard", "express", "custom", "none")
_ALPHABET = string.ascii_letters + string.digits
Spec = Mapping[str, Any] | Callable[[int], Mapping[str, Any]]  # a value, or one per index


def new_account(fields: Mapping[str, Any], *, now: int, where: str = "") -> dict[str, Any]:
    """An account object from a seed entry's fields (anything not given at its default);
    raises EmulatorError naming `where` for a field Stripe's object does not have."""
    unknown = set(fields) - SEED_FIELDS
    if unknown:
        raise EmulatorError(
            f"{where}unknown field(s) {', '.join(sorted(unknown))} "
            f"(a connected account takes {', '.join(sorted(SEED_FIELDS))})"
        )
    profile = fields.get("business_profile") or {}
    if not isinstance(profile, Mapping) or set(profile) - set(BUSINESS_PROFILE):
        raise EmulatorError(f"{where}business_profile takes {', '.join(BUSINESS_PROFILE)}")
    metadata = fields.get("metadata") or {}
    if not isinstance(metadata, Mapping):
        raise EmulatorError(f"{where}metadata must be a mapping of keys to strings")
    account_type = fields.get("type", "standard")
    if account_type not in TYPES:
        raise EmulatorError(f"{where}type must be one of {', '.join(TYPES)}")
    account_id = fields.get("id") or _account_id()
    if not isinstance(account_id, str) or not account_id.startswith("acct_"):
        raise EmulatorError(f"{where}id must start with acct_, not {account_id!r}")
    return {
        "id": account_id,
        "object": "account",
        "business_profile": {**BUSINESS_PROFILE, **copy.deepcopy(dict(profile))},
        "business_type": None,
        "capabilities": {},
        "charges_enabled": bool(fields.get("charges_enabled", True)),
        "country": fields.get("country", "US"),
        "created": int(fields.get("created", now)),
        "default_currency": fields.get("default_currency", "usd"),
        "details_submitted": bool(fields.get("details_submitted", True)),
        "email": fields.get("email"),
        # Stripe's metadata values are strings; a seed's `42` is stored as Stripe would echo it.
        "metadata": {str(k): str(v) for k, v in metadata.items()},
        "payouts_enabled": bool(fields.get("payouts_enabled", True)),
        "type": account_type,
    }


def _account_id() -> str:
    """acct_1 and 15 letters or digits, like Stripe's; one urandom call, not one a character
    (objects.new_id's way), which made 10,000 accounts take half a second."""
    return "acct_1" + "".join(_ALPHABET[byte % len(_ALPHABET)] for byte in secrets.token_bytes(15))


def add_accounts(
    state: AccountState,
    revoked: set[str],
    entries: Iterable[Mapping[str, Any]],
    *,
    now: int,
    where: str = "connected_accounts",
) -> list[str]:
    """Add seed entries ({id?, business_profile?, metadata?, revoked?, ...}) to a platform's
    store; `revoked: true` adds the ID to `revoked`. Returns the IDs, in order."""
    made = []
    for index, entry in enumerate(entries):
        label = f"{where}[{index}]: "
        if not isinstance(entry, Mapping):
            raise EmulatorError(f"{label}a connected account is a mapping ({{id?, metadata?}})")
        # `seed`: what the account itself holds (seed.py seeds it once the account exists)
        fields = {k: v for k, v in entry.items() if k != "seed"}
        account = new_account(fields, now=now, where=label)
        if account["id"] in state.accounts:
            raise EmulatorError(f"{label}{account['id']} is already a connected account")
        state.accounts[account["id"]] = account
        if entry.get("revoked"):
            revoked.add(account["id"])
        made.append(account["id"])
    return made


def generated(
    count: int, metadata: Spec | None, business_profile: Spec | None
) -> Iterable[dict[str, Any]]:
    """`count` seed entries; a Spec given as a function is called with each 1-based index."""

    def value(spec: Spec | None, index: int) -> Mapping[str, Any]:
        return {} if spec is None else spec(index) if callable(spec) else spec

    for index in range(1, count + 1):
        yield {
            "metadata": value(metadata, index),
            "business_profile": value(business_profile, index),
        }


# -- who may be named in Stripe-Account -------------------------------------------------------


def no_access(key: str, account: str) -> ApiError:
    """Stripe's answer for an account the key cannot reach: malformed, not connected, revoked."""
    return ApiError(
        403,
        f"The provided key '{mask_key(key)}' does not have access to account '{account}' (or "
        "that account does not exist). Application access may have been revoked.",
        code="account_invalid",
    )


def reachable(connected: Mapping[str, Data], revoked: set[str], account: str) -> bool:
    """A revoked connection never is; otherwise a platform with connected accounts reaches only
    those (so a typo is caught), and one without any reaches any well-formed ID (the emulator's
    behaviour before it modelled connected accounts, which tests of one account rely on)."""
    if account in revoked:
        return False
    return not connected or account in connected


# -- endpoints -------------------------------------------------------------------------------


def list_accounts(call: Call) -> dict[str, Any]:
    """The platform's connected accounts, newest first; through Stripe-Account the caller is a
    connected account, which is no platform, so its list is empty (as Stripe says of one)."""
    created = call.params.get("created")
    newest_first = sorted(
        (a for a in reversed(call.state.accounts.values()) if _within(a["created"], created)),
        key=lambda a: -a["created"],
    )
    return paginate(newest_first, call.params, "/v1/accounts", "account")


def retrieve_connected_account(call: Call) -> dict[str, Any]:
    """A connected account; the Api refused unreachable IDs before (no_access)."""
    found = call.state.accounts.get(call.target or "")
    if found is not None:
        return found
    return generic_account(call.target or "", livemode=call.livemode)


def _within(value: int, bounds: Data) -> bool:
    if bounds is None:
        return True
    if isinstance(bounds, int):
        return value == bounds
    checks = {"gt": value.__gt__, "gte": value.__ge__, "lt": value.__lt__, "lte": value.__le__}
    return all(checks[op](limit) for op, limit in bounds.items())
