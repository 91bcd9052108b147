"""A fleet environment as the project file writes it: its `stripe_accounts:` read (the file of
IDs too, within the project's bounds), the `${account.*}` names its files use checked offline,
and one account's environment (its `vars` plus the account's own) made from the fleet's.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..errors import Problem
from ..jsontypes import Data
from . import fleet, fleet_accounts
from .limits import FolderBudget, NotRead, read_file
from .loader import DataPath, Document, display_path

if TYPE_CHECKING:
    from .spec import Environment

# What `${account.*}` stands for when validate checks a file offline (no account is read): a
# value every field accepts where such a variable is written, a URL for a URL, so only what is
# wrong whatever the account holds is reported; plan checks each account's real values.
PLACEHOLDER_URL = "https://account.example"
PLACEHOLDER_ID = "acct_0000000000000000"


def read_spec(
    name: str, entry: Mapping[str, Data], document: Document, budget: FolderBudget
) -> tuple[fleet.AccountsSpec | None, list[Problem]]:
    """The accounts `environments.NAME.stripe_accounts` names (a file of IDs read), or None
    when it has none; every problem located."""
    if "stripe_accounts" not in entry:
        return None, []
    path: DataPath = ("environments", name, "stripe_accounts")
    # Broken, it still makes a fleet, so its files' ${account.*} and its file of IDs are not
    # reported again as if the environment were one account's.
    value = entry["stripe_accounts"]
    # (a mistyped `file:` too: the file it names is the fleet's, whatever the typo)
    named = (
        next((v for k, v in value.items() if difflib.get_close_matches(str(k), ["file"])), None)
        if isinstance(value, dict)
        else None
    )
    fallback = fleet.AccountsSpec(file=named if isinstance(named, str) else None)
    if "stripe_account" in entry:
        return fallback, [
            Problem(
                document.locate(path, True),
                f"environment '{name}': stripe_account (one account) and stripe_accounts (a "
                "fleet) exclude each other: keep one",
            )
        ]
    spec, problems = fleet.parse_accounts(value, path, document.locate)
    if spec is None:
        return fallback, problems
    if spec.file is None:
        return spec, problems
    file = document.path.parent / spec.file
    try:
        text = read_file(file, budget).decode("utf-8")
    except (NotRead, OSError, UnicodeDecodeError) as exc:
        reason = (
            "not UTF-8 text"
            if isinstance(exc, UnicodeDecodeError)
            else exc.strerror or str(exc)
            if isinstance(exc, OSError)
            else str(exc)
        )
        return spec, [
            Problem(
                document.locate((*path, "file"), False),
                f"cannot read the file of account IDs {display_path(file)}: {reason}",
            )
        ]
    # Kept with its problems too: the file is the fleet's, not a stray beside the project file.
    ids, problems = fleet.parse_accounts_file(text, display_path(file))
    return fleet.AccountsSpec(ids=tuple(ids), file=spec.file, where=ids), problems


def account_uses(data: Data, path: DataPath = ()) -> list[tuple[DataPath, str]]:
    """Where `data` (a file's content) uses each `${account.*}`: (path, name)."""
    if isinstance(data, dict):
        return [use for key, item in data.items() for use in account_uses(item, (*path, key))]
    if isinstance(data, list):
        return [use for n, item in enumerate(data) for use in account_uses(item, (*path, n))]
    return [(path, name) for name in fleet_accounts.account_references(data)]


def placeholders(data: Data) -> dict[str, str]:
    """Stand-ins for every `${account.*}` that `data` (a file's content) uses, for validate; a
    name no account can have too: reference_problems says what is wrong with it, once."""
    return {
        name: PLACEHOLDER_ID if name == "account.id" else PLACEHOLDER_URL
        for _, name in account_uses(data)
    }


def reference_problems(document: Document) -> list[Problem]:
    """`${account.*}` names no account can have (a typo in a field), for validate."""
    return [
        Problem(document.locate(path, False), message)
        for path, name in account_uses(document.data)
        if (message := fleet_accounts.reference_problem(name)) is not None
    ]


def account_environment(
    env: Environment, account_id: str, account: Mapping[str, Data] | None
) -> Environment:
    """The fleet environment as one account sees it: Stripe-Account set, and its variables
    (`${account.id}`, and every field of the account object when it was read)."""
    variables = fleet_accounts.account_variables(account or {"id": account_id})
    return dataclasses.replace(env, stripe_account=account_id, vars={**env.vars, **variables})


def missing_problems(
    account_id: str, document: Document, variables: Mapping[str, str]
) -> list[Problem]:
    """The account's own problem for each `${account.*}` a file uses that it lacks."""
    return [
        Problem(
            document.locate(path, False),
            fleet_accounts.missing_message(account_id, name, variables),
        )
        for path, name in account_uses(document.data)
        if name not in variables
    ]


def needs_account_object(data: Data) -> bool:
    """True when a file uses more of the account than its ID (so the account must be read)."""
    return any(name != "account.id" for _, name in account_uses(data))
