"""A Connect fleet's own decisions, pure (no I/O, no Stripe): which accounts an environment's
`stripe_accounts:` names, a stable share of them for one CI shard, the `${account.*}` variables
each account gives, and when a run changes too much of the fleet at once.

    stripe_accounts: [acct_1..., acct_2...]                    # a list
    stripe_accounts: {file: accounts.txt}                      # one ID a line, # comments
    stripe_accounts: {connected: all, metadata: {portal: managed}}   # GET /v1/accounts, filtered
    stripe_accounts: {organization: [acct_1..., acct_2...]}    # an organization key's accounts
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..errors import Location, Problem
from ..jsontypes import Data

# The per-account decisions live beside this module; imported from here, as one fleet API.
from .loader import DataPath

Locate = Callable[[DataPath, bool], Location]  # config.py's Document.locate: (path, key) -> where

ACCOUNT_ID = re.compile(r"acct_[A-Za-z0-9]+")


@dataclass(frozen=True)
class AccountsSpec:
    """What `stripe_accounts:` names: `ids` (a list), `file` (its lines are parse_accounts_file's
    to read), or `connected` (the platform's list, kept where its metadata has every pair)."""

    ids: tuple[str, ...] = ()
    file: str | None = None
    connected: bool = False
    metadata: Mapping[str, str] = field(default_factory=dict)
    # `{organization: [...]}`: accounts of an organization, each reached with the organization
    # key through Stripe-Context: acct_... (https://docs.stripe.com/context)
    organization: bool = False
    # Where each listed ID is written (its list item, or its line in the file): one account's
    # problem is located there.
    where: Mapping[str, Location] = field(default_factory=dict, compare=False)


# -- stripe_accounts: -----------------------------------------------------------------------


def parse_accounts(
    value: Data, path: DataPath, locate: Locate
) -> tuple[AccountsSpec | None, list[Problem]]:
    """The spec `value` (found at `path`) gives, or None and every problem, each located."""
    if isinstance(value, list):
        return _listed(value, path, locate)
    if isinstance(value, dict):
        return _mapping(value, path, locate)
    hint = ""
    if isinstance(value, str) and ACCOUNT_ID.fullmatch(value):
        hint = f" (for one account write stripe_account: {value}, or a list: [{value}])"
    return None, [
        Problem(
            locate(path, False),
            "stripe_accounts takes a list of acct_... IDs, "
            "{file: accounts.txt} or {connected: all}" + hint,
        )
    ]


def _id_list(items: list[Data], path: DataPath, locate: Locate) -> tuple[list[str], list[Problem]]:
    if not items:
        return [], [
            Problem(
                locate(path, False),
                "stripe_accounts names no account: list acct_... IDs, or use {connected: all}",
            )
        ]
    ids: list[str] = []
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        where = locate((*path, index), False)
        if not isinstance(item, str) or not ACCOUNT_ID.fullmatch(item):
            problems.append(
                Problem(
                    where,
                    f"{item!r} is not a Stripe account ID: write "
                    "acct_ and letters or digits, as the Dashboard shows it",
                )
            )
        elif item in first:
            earlier = locate((*path, first[item]), False)
            problems.append(
                Problem(where, f"{item} is listed twice (first {_at(earlier)}): remove one")
            )
        else:
            first[item] = index
            ids.append(item)
    return ids, problems


# Stripe documents no request that lists an organization's accounts: its keys reach "any
# account within the organization" named in Stripe-Context, and the organization's accounts are
# listed in its Dashboard (https://docs.stripe.com/keys/organization-api-keys,
# https://docs.stripe.com/get-started/account/orgs/build: at most 75 accounts).
_NO_ORGANIZATION_LIST = (
    "stripe_accounts.organization: Stripe documents no API that lists an organization's "
    "accounts, so {organization: all} cannot be read: list them, {organization: [acct_..., "
    "acct_...]}, as the organization's Dashboard shows them; for a platform's connected "
    "accounts, write stripe_context: acct_platform and stripe_accounts: {connected: all}"
)


def _organization(
    value: Mapping[str, Data], path: DataPath, locate: Locate
) -> tuple[AccountsSpec | None, list[Problem]]:
    """`{organization: [acct_..., ...]}`; `all` is refused (_NO_ORGANIZATION_LIST)."""
    problems = [
        Problem(
            locate((*path, key), True),
            f"stripe_accounts: {{organization: [...]}} takes no other key, not '{key}'",
        )
        for key in value
        if key != "organization"
    ]
    at: DataPath = (*path, "organization")
    accounts = value["organization"]
    if accounts == "all":
        return None, [*problems, Problem(locate(at, False), _NO_ORGANIZATION_LIST)]
    if not isinstance(accounts, list):
        return None, [
            *problems,
            Problem(
                locate(at, False),
                "stripe_accounts.organization takes a list of the organization's account IDs, "
                "[acct_..., acct_...]",
            ),
        ]
    spec, found = _listed(accounts, at, locate, organization=True)
    return (spec if not problems else None), problems + found


def _listed(
    items: list[Data], path: DataPath, locate: Locate, organization: bool = False
) -> tuple[AccountsSpec | None, list[Problem]]:
    """A list of account IDs, each located at its item."""
    ids, problems = _id_list(items, path, locate)
    where = {
        item: locate((*path, n), False) for n, item in enumerate(items) if isinstance(item, str)
    }
    spec = AccountsSpec(ids=tuple(ids), where=where, organization=organization)
    return (spec if not problems else None), problems


def _mapping(
    value: Mapping[str, Data], path: DataPath, locate: Locate
) -> tuple[AccountsSpec | None, list[Problem]]:
    if "organization" in value:
        return _organization(value, path, locate)
    if "file" in value and "connected" in value:
        return None, [
            Problem(
                locate((*path, "connected"), True),
                "stripe_accounts: file and "
                "connected exclude each other (a file of IDs, or the platform's "
                "connected accounts)",
            )
        ]
    known = (
        {"file"}
        if "file" in value
        else {"connected", "metadata"}
        if "connected" in value
        else {"file", "connected", "metadata"}
    )
    takes = (
        "{file: ...} takes no other key"
        if "file" in value
        else "{connected: all} takes metadata: and nothing else"
        if "connected" in value
        else "stripe_accounts takes {file: accounts.txt} or {connected: all, metadata: ...}"
    )
    problems = [
        Problem(
            locate((*path, key), True),
            f"stripe_accounts: unknown key '{key}'{_did_you_mean(str(key), sorted(known))} "
            f"({takes})",
        )
        for key in value
        if key not in known
    ]
    if problems and not {"file", "connected"} & set(value):  # one message: the typo's
        return None, problems
    if "file" in value:
        name = value["file"]
        if not isinstance(name, str) or not name.strip():
            problems.append(
                Problem(
                    locate((*path, "file"), False),
                    "stripe_accounts.file "
                    "names a file of account IDs beside the project file, "
                    "e.g. accounts.txt",
                )
            )
        return (AccountsSpec(file=name) if not problems else None), problems
    if "connected" not in value:
        return None, [
            *problems,
            Problem(
                locate(path, False),
                "stripe_accounts needs file: "
                "(a file of IDs) or connected: all (the platform's "
                "connected accounts)",
            ),
        ]
    if value["connected"] != "all":
        problems.append(
            Problem(
                locate((*path, "connected"), False),
                "stripe_accounts."
                "connected takes `all` (every connected account, narrowed by "
                f"metadata:), not {value['connected']!r}",
            )
        )
    metadata, found = _metadata_filter(value.get("metadata"), (*path, "metadata"), locate)
    problems += found
    return (AccountsSpec(connected=True, metadata=metadata) if not problems else None), problems


def _metadata_filter(
    value: Data, path: DataPath, locate: Locate
) -> tuple[dict[str, str], list[Problem]]:
    if value is None:
        return {}, []
    if not isinstance(value, dict):
        return {}, [
            Problem(
                locate(path, False),
                "stripe_accounts.metadata is a mapping of "
                "metadata keys to values, e.g. {portal: managed}",
            )
        ]
    wanted: dict[str, str] = {}
    problems = []
    for key, item in value.items():
        where = locate((*path, key), False)
        if item is None:
            problems.append(
                Problem(
                    where,
                    f"stripe_accounts.metadata.{key} needs a value (the "
                    "metadata value an account must have)",
                )
            )
        elif isinstance(item, bool):
            shown = str(item).lower()
            problems.append(
                Problem(
                    where,
                    f"stripe_accounts.metadata.{key}: {shown} is not a "
                    "string, and Stripe's metadata values are: quote it "
                    f"('{shown}')",
                )
            )
        elif isinstance(item, (str, int, float)):
            wanted[str(key)] = str(item)
        else:
            problems.append(
                Problem(
                    where,
                    f"stripe_accounts.metadata.{key}: a value, not a "
                    "list or mapping (an account matches when its metadata "
                    "has every pair)",
                )
            )
    return wanted, problems


def parse_accounts_file(text: str, file: str) -> tuple[dict[str, Location], list[Problem]]:
    """The IDs of a `{file: ...}` file's text, in order, each with where it is written: one a
    line, `#` to the end of a line is a comment, blank lines skipped; problems at
    FILE:LINE:COL (`file` as it should be shown)."""
    ids: dict[str, Location] = {}
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        content = line.split("#", 1)[0]
        words = content.split()
        if not words:
            continue
        where = Location(file, number, len(content) - len(content.lstrip()) + 1)
        if len(words) > 1:
            problems.append(Problem(where, "one account ID a line (put a note after #)"))
        elif not ACCOUNT_ID.fullmatch(words[0]):
            problems.append(
                Problem(
                    where,
                    f"'{words[0]}' is not a Stripe account ID: write "
                    "acct_ and letters or digits, as the Dashboard shows it",
                )
            )
        elif words[0] in first:
            problems.append(
                Problem(
                    where,
                    f"{words[0]} is listed twice (first on line {first[words[0]]}): remove one",
                )
            )
        else:
            first[words[0]] = number
            ids[words[0]] = where
    if not ids and not problems:
        problems.append(Problem(Location(file), "names no account: write one acct_... ID a line"))
    return ids, problems


def _did_you_mean(key: str, names: list[str]) -> str:
    close = difflib.get_close_matches(key, names, n=1) if key not in names else []
    return f" (did you mean {close[0]}?)" if close else ""


def _at(where: Location) -> str:
    return f"on line {where.line}" if where.line else f"in {where.file}"
