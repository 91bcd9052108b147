"""A Connect fleet's per-account decisions, pure (no I/O, no Stripe): which connected accounts a
`{connected: all, metadata: ...}` keeps, a stable share of them for one CI shard, the
`${account.*}` variables each account gives, and when a run changes too much of the fleet at once.
fleet.py re-exports these beside its parsing of `stripe_accounts:`.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from typing import TypeVar

from .. import defaults
from ..jsontypes import Data

AccountT = TypeVar("AccountT", bound=Mapping[str, Data])  # an account object, dict or SDK's
# config.py's ${var} syntax: $${ is a literal ${, and an unclosed ${ is config's problem.
_VARIABLE = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
PREFIX = "account."
# The account object's top-level fields (docs.stripe.com/api/accounts/object), so a typo in
# ${account.<field>...} is caught offline instead of once per account.
ACCOUNT_FIELDS = (
    "id",
    "object",
    "business_profile",
    "business_type",
    "capabilities",
    "charges_enabled",
    "company",
    "controller",
    "country",
    "created",
    "default_currency",
    "details_submitted",
    "email",
    "external_accounts",
    "future_requirements",
    "groups",
    "individual",
    "metadata",
    "payouts_enabled",
    "requirements",
    "settings",
    "tos_acceptance",
    "type",
)
BUSINESS_PROFILE_FIELDS = (
    "annual_revenue",
    "estimated_worker_count",
    "mcc",
    "name",
    "product_description",
    "support_address",
    "support_email",
    "support_phone",
    "support_url",
    "url",
)
_HASHES = {
    "business_profile",
    "metadata",
    "capabilities",
    "company",
    "controller",
    "individual",
    "requirements",
    "settings",
    "tos_acceptance",
    "future_requirements",
}

# A run that covers fewer accounts than this has no threshold (octoDNS's MIN_EXISTING_RECORDS):
# its plan lists every account's change, and any share of it is one or two accounts. This is
# also how a change is tried on a few accounts first (`--accounts`).
MIN_FLEET_FOR_THRESHOLD = 10


# -- which accounts -------------------------------------------------------------------------


def select_accounts(
    accounts: Iterable[AccountT], metadata_filter: Mapping[str, str]
) -> list[AccountT]:
    """The accounts (objects of GET /v1/accounts) whose metadata has every pair of the filter;
    an empty filter keeps all. Order is kept."""
    return [
        account
        for account in accounts
        if all((account.get("metadata") or {}).get(k) == v for k, v in metadata_filter.items())
    ]


def narrow(account_ids: Iterable[str], wanted: Iterable[str]) -> tuple[list[str], list[str]]:
    """`--accounts`: the fleet's IDs that are wanted (fleet order), and the wanted IDs that are
    not in the fleet (the caller's error: a typo, or an account the selection left out)."""
    fleet = list(account_ids)
    wanted_set = set(wanted)
    members = set(fleet)
    return (
        [a for a in fleet if a in wanted_set],
        [w for w in dict.fromkeys(wanted) if w not in members],
    )


def shard_of(account_id: str, count: int) -> int:
    """The 1-based shard of `count` an account falls in: a SHA-256 of its ID, so the same on
    every machine and run (Python's hash() of a str is salted per process)."""
    digest = hashlib.sha256(account_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def shard(account_ids: Iterable[str], index: int, count: int) -> list[str]:
    """The accounts of shard `index` of `count` (1-based), in the order given. Shards 1..count
    cover the fleet without overlap; an account keeps its shard as others come and go."""
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"shard {index}/{count}: I must be between 1 and N")
    return [a for a in account_ids if shard_of(a, count) == index]


def parse_shard(text: str) -> tuple[int, int]:
    """`--shard I/N` as (I, N); ValueError with what to write instead."""
    match = re.fullmatch(r"\s*(-?\d+)\s*/\s*(-?\d+)\s*", text)
    if match is None:
        raise ValueError(
            f"--shard takes I/N, e.g. 2/3 for the second of three shards, not {text!r}"
        )
    index, count = int(match[1]), int(match[2])
    if count < 1:
        raise ValueError(f"--shard {text}: N is the number of shards, at least 1")
    if not 1 <= index <= count:
        raise ValueError(
            f"--shard {text}: I counts from 1 to N ({count}), as a CI matrix of "
            f"{count} jobs would: 1/{count} .. {count}/{count}"
        )
    return index, count


# -- ${account.*} ---------------------------------------------------------------------------


def account_variables(account: Mapping[str, Data]) -> dict[str, str]:
    """`account.id`, `account.business_profile.url`, `account.metadata.app_url`, ...: every
    string or number of the account object by its dotted path (lists, nulls and booleans are
    left out: none reads as text in a URL or a name)."""
    found: dict[str, str] = {}

    def walk(value: Data, name: str) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, f"{name}.{key}")
        elif isinstance(value, str) or (
            isinstance(value, (int, float)) and not isinstance(value, bool)
        ):
            found[name] = str(value)

    walk(account, PREFIX.rstrip("."))
    return found


def account_references(value: Data) -> list[str]:
    """The `${account.*}` names a text (or every string in a YAML value) uses, each once, in
    order of first use."""
    names: dict[str, None] = {}
    if isinstance(value, str):
        for match in _VARIABLE.finditer(value):
            if match[1] is not None and match[1].startswith(PREFIX):
                names.setdefault(match[1], None)
    elif isinstance(value, Mapping):
        for item in value.values():
            names.update(dict.fromkeys(account_references(item)))
    elif isinstance(value, list):
        for item in value:
            names.update(dict.fromkeys(account_references(item)))
    return list(names)


def reference_problem(name: str) -> str | None:
    """What is wrong with `${name}` for any account (validate's offline check), or None."""
    parts = name[len(PREFIX) :].split(".") if name.startswith(PREFIX) else []
    if not parts or not all(parts):
        return (
            f"${{{name}}}: name a field of the account, e.g. ${{account.id}} or "
            "${account.metadata.KEY}"
        )
    top = parts[0]
    if top not in ACCOUNT_FIELDS:
        return f"${{{name}}}: the account object has no field '{top}'" + _hint(top, ACCOUNT_FIELDS)
    if top in _HASHES and len(parts) == 1:
        example = "metadata.KEY" if top == "metadata" else f"{top}.FIELD"
        return f"${{{name}}} is a hash: name one of its values, e.g. ${{account.{example}}}"
    if top == "business_profile" and parts[1] not in BUSINESS_PROFILE_FIELDS:
        return f"${{{name}}}: business_profile has no field '{parts[1]}'" + _hint(
            parts[1], BUSINESS_PROFILE_FIELDS
        )
    return None


def missing_variables(value: Data, variables: Mapping[str, str]) -> list[str]:
    """The `${account.*}` names `value` uses that this account's variables lack."""
    return [name for name in account_references(value) if name not in variables]


def missing_message(account_id: str, name: str, variables: Mapping[str, str]) -> str:
    """That account's problem, with its ID and what to do. A metadata key is checked only here
    (any key may exist), so a near one this account has is suggested; a field validate checked
    gets no other name: this account lacks the value."""
    field_name = name[len(PREFIX) :]
    hint, where = "", f"{field_name} on the account (in its Dashboard or the API)"
    if field_name.startswith("metadata."):
        key = field_name.removeprefix("metadata.")
        keys = [v.removeprefix(PREFIX + "metadata.") for v in variables if ".metadata." in v]
        close = difflib.get_close_matches(key, keys, n=1, cutoff=0.8)
        hint = f" (did you mean ${{{PREFIX}metadata.{close[0]}}}?)" if close else ""
        where = f"the metadata key {key} on the account"
    return (
        f"account {account_id} has no {field_name}, used as ${{{name}}}{hint}: set {where}, or "
        "leave the account out of the fleet; its other files are held back with it"
    )


def _hint(word: str, choices: Iterable[str], as_variable: bool = False) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    if not close:
        return ""
    return f" (did you mean {f'${{{PREFIX}{close[0]}}}' if as_variable else close[0]}?)"


# -- the safety threshold -------------------------------------------------------------------


def over_threshold(changed_accounts: int, covered: int, share: float = defaults.THRESHOLD) -> bool:
    """True when a run would change more than `share` of the `covered` accounts it plans, so
    apply needs --force.

    The share is of the accounts this run covers (a shard's, or those --accounts names), never
    of the whole fleet: then every shard of a fleet-wide change is held alike, whatever size
    SHA-256 gave it, and splitting a run cannot slip a mistaken file past the threshold. Count
    the accounts whose existing configurations a run updates or deactivates; an account that
    only gets a new configuration does not count (octoDNS counts updates and deletes, not
    creates), so a first rollout over a fleet goes through. A run covering fewer than
    MIN_FLEET_FOR_THRESHOLD accounts is never over it."""
    if not 0 < share <= 1:
        raise ValueError(
            f"the threshold is a share of the fleet above 0 and at most 100%, not {share:g}"
        )
    if covered < MIN_FLEET_FOR_THRESHOLD:
        return False
    return changed_accounts > allowed_changes(covered, share)


def allowed_changes(covered: int, share: float = defaults.THRESHOLD) -> int:
    """The most accounts one run may change without --force (for a run that has a limit)."""
    # A tolerance for float shares: 0.3 * 10 is 3.0000000000000004, and 3 of 10 is allowed.
    return math.floor(share * covered + 1e-9)


def threshold_message(
    changed_accounts: int, covered: int, fleet_size: int, share: float = defaults.THRESHOLD
) -> str:
    """Why apply holds the run, and the ways on. Sharding is never offered: each shard is
    measured by its own accounts, so it would be held just the same."""
    percent = 100 * changed_accounts / covered if covered else 0
    whole = covered == fleet_size
    part = "" if whole else f"; {covered} of the fleet's {fleet_size}"
    text = (
        f"this run would change {changed_accounts} of the {covered} accounts it covers "
        f"({percent:.0f}%{part}), more than the {share:.0%} "
        f"({allowed_changes(covered, share)} accounts) one run may change: read the plan (a "
        "mistaken file would rewrite every tenant's portal); if the change is meant for all "
        "of them, re-run with --force (or --threshold 100%)"
    )
    if whole:
        text += (
            ", or try it on a few accounts first (--accounts acct_...; a run of fewer than "
            f"{MIN_FLEET_FOR_THRESHOLD} accounts has no threshold)"
        )
    return text


def parse_share(text: str) -> float:
    """A threshold as written: `30%` or `0.3`; ValueError with what to write instead."""
    written = text.strip()
    try:
        share = float(written[:-1]) / 100 if written.endswith("%") else float(written)
    except ValueError:
        raise ValueError(
            f"a threshold is a share of the fleet, e.g. 30% or 0.3, not {text!r}"
        ) from None
    if not 0 < share <= 1:
        raise ValueError(f"a threshold is above 0 and at most 100%, not {text!r}")
    return share
