"""Stripe's rules that its schema does not state, and the tool's own policies.

The checks on data take data that already passed the schema (schema.py), so shapes are known.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from ..errors import Location, Problem
from ..jsontypes import Data
from ..masking import KEY_LIKE, mask_secrets, may_hold_key
from ..portal import identity
from ..portal.model import LOOKUP_PREFIX, PRODUCTS_PATH
from .limits import shorten
from .loader import DataPath, Document, value_at
from .safety import Refused, server_address
from .schema import Locate, dotted

# Raw IDs that differ per account and mode (a product may have a custom ID: only prod_ counts).
ID_PREFIXES = ("prod_", "price_", "pmc_")
URL_FIELDS: tuple[DataPath, ...] = (
    ("default_return_url",),
    ("business_profile", "privacy_policy_url"),
    ("business_profile", "terms_of_service_url"),
)
_CANCEL = ("features", "subscription_cancel")
# Stripe's metadata docs (docs.stripe.com/api/metadata): "up to 50 keys"; portal-config adds its
# identity keys to every configuration it creates or adopts, and the login page record to one
# with a login page. (Key and value lengths: schema.py.)
METADATA_KEYS = 50 - len(identity.OWN_KEYS)
# Stripe's Price API reference, lookup_key: "This may be up to 200 characters."
LOOKUP_KEY_LENGTH = 200
# Stripe's URL fields take absolute URLs; RFC 3986 has no spaces or control characters in one
# (and Python's urlsplit lets them through), and a port is a number up to 65535.
_NOT_IN_URLS = re.compile(r"[\s\x00-\x1f\x7f]")


# What each key-like prefix is called (masking.KEY_LIKE: the one rule of what a secret is, the same
# for what validate refuses in a file and what import refuses to write).
_KIND = {  # by prefix, the longest first: rkcs_ is a sandbox's, sk_org an organization's
    "rkcs_": "sandbox key",
    "sk_org": "organization key",
    "sk": "secret key",
    "rk": "restricted key",
    "pk": "publishable key",
    "wh": "webhook signing secret",
}


def _kind(key: str) -> str:
    return next(kind for prefix, kind in _KIND.items() if key.startswith(prefix))


def find_secrets(document: Document) -> list[Problem]:
    """Key-like strings (masking.KEY_LIKE) anywhere in a file: in its text, comments included, and
    in its values as loaded, so a key spelled with YAML escapes (`"sk\\u005flive_..."`), which
    the text does not show, is found too."""
    found: dict[tuple[int, int], str] = {}
    text = document.text
    for match in KEY_LIKE.finditer(text) if may_hold_key(text) else ():
        line_start = text.rfind("\n", 0, match.start()) + 1
        found[(text.count("\n", 0, match.start()) + 1, match.start() - line_start + 1)] = match[0]
    lines = {line for line, _ in found}
    # One look at every value first: KEY_LIKE looks behind only for letters and digits, so a key
    # in a value is a key in the values joined by line breaks (most files have none).
    joined = "\n".join(_texts(document.data))
    texts = _strings(document.data, ()) if may_hold_key(joined) and KEY_LIKE.search(joined) else ()
    for path, value in texts:
        for match in KEY_LIKE.finditer(value):
            where = document.locate(path)  # only here: a file's places are found when asked
            if where.line not in lines:  # the text showed no key there: an escaped one
                found[(where.line, where.col)] = match[0]
    return [
        Problem(
            Location(document.file, line, column),
            f"this looks like a Stripe {_kind(key)} ({mask_secrets(key)}): keys never "
            "belong in files; put it in an environment variable named by api_key_env, and roll "
            "the key in the Dashboard if it was committed",
        )
        for (line, column), key in sorted(found.items())
    ]


def _texts(data: Data) -> list[str]:
    """Every string in `data` (what _strings yields, without the paths)."""
    texts, stack = [], [data]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            texts.append(node)
        elif isinstance(node, dict):
            stack += node.values()
        elif isinstance(node, list):
            stack += node
    return texts


def _strings(data: Data, path: DataPath) -> Iterator[tuple[DataPath, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for n, value in enumerate(data):
            yield from _strings(value, (*path, n))


def check_environment(name: str, entry: Mapping[str, Any], locate: Locate) -> list[Problem]:
    """An environment reaches Stripe with a key, or the built-in emulator without one; its
    api_base is a server address, never plain http beyond this machine (safety.server_address:
    the rule every connection applies before sending the key)."""
    path = ("environments", name)
    base = entry.get("api_base")
    if isinstance(base, str):
        try:
            server_address(name, base)
        except Refused as exc:
            return [Problem(locate((*path, "api_base"), False), str(exc))]
    if "api_key_env" in entry and "emulator" in entry:
        return [
            Problem(
                locate((*path, "emulator"), True),
                f"environment '{name}': api_key_env "
                "and emulator exclude each other (the emulator needs no key)",
            )
        ]
    if "api_key_env" not in entry and "emulator" not in entry:
        return [
            Problem(
                locate(path, True),
                f"environment '{name}' needs api_key_env (the NAME "
                "of the variable holding its key) or emulator (a state file for the "
                "built-in Stripe emulator)",
            )
        ]
    if "seed" in entry and "emulator" not in entry:
        return [
            Problem(
                locate((*path, "seed"), True),
                f"environment '{name}': seed is only for an emulator environment",
            )
        ]
    fleet = entry.get("stripe_accounts")
    if "stripe_context" in entry and isinstance(fleet, dict) and "organization" in fleet:
        return [
            Problem(
                locate((*path, "stripe_context"), True),
                f"environment '{name}': stripe_context and stripe_accounts: {{organization: "
                "[...]} exclude each other: each account of the organization is its own "
                "context (for a platform's connected accounts, use {connected: all} or a list)",
            )
        ]
    if "stripe_context" in entry and "stripe_account" in entry:
        # Stripe-Context supersedes Stripe-Account (https://docs.stripe.com/context)
        return [
            Problem(
                locate((*path, "stripe_account"), True),
                f"environment '{name}': stripe_context and stripe_account exclude each other: "
                "name the account in stripe_context (acct_platform/acct_connected for a "
                "platform's connected account)",
            )
        ]
    return []


def check_params(params: Mapping[str, Any], live: bool, locate: Locate) -> list[Problem]:
    """One environment's merged params, variables filled: what Stripe (or our policy) refuses."""
    problems = []
    path: DataPath
    cancel = value_at(params, _CANCEL) or {}
    if (
        cancel.get("proration_behavior") == "create_prorations"
        and cancel.get("mode", "at_period_end") != "immediately"
    ):
        path = (*_CANCEL, "proration_behavior")
        problems.append(
            Problem(
                locate(path, False),
                f"{dotted(path)}: create_prorations needs "
                "mode: immediately; nothing is prorated at period end",
            )
        )
    for index, entry in enumerate(value_at(params, PRODUCTS_PATH) or []):
        quantity = entry.get("adjustable_quantity") or {}
        low, high = quantity.get("minimum"), quantity.get("maximum")
        if low is not None and high is not None and low > high:
            path = (*PRODUCTS_PATH, index, "adjustable_quantity", "minimum")
            problems.append(
                Problem(
                    locate(path, False), f"{dotted(path)}: {low} is greater than the maximum {high}"
                )
            )
        for n, price in enumerate(entry.get("prices") or []):
            length = len(price) - len(LOOKUP_PREFIX)
            if price.startswith(LOOKUP_PREFIX) and length > LOOKUP_KEY_LENGTH:
                path = (*PRODUCTS_PATH, index, "prices", n)
                problems.append(
                    Problem(
                        locate(path, False),
                        f"{dotted(path)}: the lookup key "
                        f"is {length} characters; Stripe allows at most "
                        f"{LOOKUP_KEY_LENGTH}",
                    )
                )
    metadata = value_at(params, ("metadata",)) or {}
    written = [key for key, value in metadata.items() if value is not None]  # null: removed
    if len(written) > METADATA_KEYS:
        problems.append(
            Problem(
                locate(("metadata",), True),
                f"metadata: {len(written)} keys; "
                f"at most {METADATA_KEYS} allowed (Stripe allows 50, and "
                f"portal-config adds up to {len(identity.OWN_KEYS)} keys of its own)",
            )
        )
    for key in metadata:
        if str(key).startswith(identity.RESERVED_PREFIX):
            problems.append(
                Problem(
                    locate(("metadata", key), True),
                    f"metadata.{shorten(key)}: "
                    f"{identity.RESERVED_PREFIX}* keys are portal-config's "
                    "identity keys, written by the tool: remove it (use `key:` "
                    "to name the configuration)",
                )
            )
    for path in URL_FIELDS:
        url = value_at(params, path)
        message = _url_problem(url, live) if isinstance(url, str) else None
        if message:
            problems.append(Problem(locate(path, False), f"{dotted(path)}: {message}"))
    return problems


NOT_ABSOLUTE, NOT_HTTPS = "not an absolute http(s) URL", "plain http in live mode"


def url_defect(url: str, live: bool) -> str | None:
    """What is wrong with a URL Stripe will send customers to: not an absolute http(s) URL (a
    space, a control character, a bad port, no host), or plain http in live mode (the tool's
    policy); None when nothing is. validate and doctor both ask."""
    if _NOT_IN_URLS.search(url):
        return NOT_ABSOLUTE
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return NOT_ABSOLUTE
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return NOT_ABSOLUTE
    if live and parts.scheme != "https":
        return NOT_HTTPS
    return None


def _url_problem(url: str, live: bool) -> str | None:
    """validate's words for url_defect."""
    defect = url_defect(url, live)
    if defect is None:
        return None
    shown = shorten(url)
    if not url:  # one way to say "no URL here", the one pull writes (stripe_fields.py)
        return "is empty: write null to leave it unset"
    if defect == NOT_HTTPS:
        return f"must be an https URL in a live environment, got '{shown}'"
    if _NOT_IN_URLS.search(url):
        return (
            f"must be a URL without spaces or control characters, got '{shown}' (write a "
            "space as %20)"
        )
    try:
        urlsplit(url).port  # noqa: B018
    except ValueError as exc:
        return f"must be an http(s) URL, got '{shown}' ({shorten(str(exc))})"
    return f"must be an http(s) URL, got '{shown}'"


def raw_ids(params: Mapping[str, Any]) -> Iterator[tuple[DataPath, str]]:
    """Where params name a product, price or payment method configuration by its raw ID."""
    pmc = ("features", "payment_method_update", "payment_method_configuration")
    found: list[tuple[DataPath, Any]] = [(pmc, value_at(params, pmc))]
    for index, entry in enumerate(value_at(params, PRODUCTS_PATH) or []):
        found.append(((*PRODUCTS_PATH, index, "product"), entry.get("product")))
        found += [((*PRODUCTS_PATH, index, "prices", n), p) for n, p in enumerate(entry["prices"])]
    for path, value in found:
        if isinstance(value, str) and value.startswith(ID_PREFIXES):
            yield path, value
