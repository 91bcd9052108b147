"""Whose a configuration is, and the account's default: the one home of both decisions.

Identity: every configuration portal-config creates (or adopts) carries three metadata keys, the
project, the environment and the file's key, so two environments sharing one account and mode,
or two repositories sharing an account, each find and touch only their own. Metadata is the only
place Stripe keeps a caller's own data (https://docs.stripe.com/api/metadata).

The default: the configuration portal sessions use unless told otherwise, flagged `is_default`.
The flag is read-only (not a create or update parameter:
https://docs.stripe.com/api/customer_portal/configurations/create), Stripe makes a default when
the portal settings are saved in the Dashboard, and refuses to change one through the API with a
message and no error code (Ghost's handling of it: https://github.com/TryGhost/Ghost/pull/27468).
So a file claims it with `default: true` rather than by identity, nothing ever creates it, and
nothing ever deactivates it.

Plain mappings in (a configuration as Stripe answers it), no I/O. The emulator keeps its own
copy of these names: it imports nothing of the product.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

PROJECT = "portal_config_project"
ENV = "portal_config_env"
KEY = "portal_config_key"
KEYS = (PROJECT, ENV, KEY)
# Every metadata key starting so is the tool's: a file may not write one (rules.py).
RESERVED_PREFIX = "portal_config_"
# Stripe's field flagging the default (read-only).
DEFAULT_FLAG = "is_default"
# What `ids` lists the default as, and the key import gives a default without a name.
DEFAULT_NAME = "default"
# How Stripe's refusal to change the default (or another application's) begins: it has no code.
DEFAULT_REFUSAL = "You cannot make any changes to a PortalConfiguration"

# The login page URL as the last apply saw it: Stripe makes a new one when the login page is
# turned off and on ("If false, the previously generated url, if any, will be deactivated":
# https://docs.stripe.com/api/customer_portal/configurations/update), so links published with
# the old one fail; doctor compares the two.
LOGIN_URL = "portal_config_login_url"
# Every metadata key the tool may write: each counts against Stripe's 50 (rules.py).
OWN_KEYS = (*KEYS, LOGIN_URL)

Identity = tuple[str | None, ...]  # (project, environment, key); None where a key is absent
C = TypeVar("C", bound=Mapping[str, Any])


def of(obj: Mapping[str, Any]) -> Identity:
    """A configuration's identity as its metadata says it."""
    metadata = obj.get("metadata") or {}
    return tuple(metadata.get(k) for k in KEYS)


def stamp(project: str, env: str, key: str) -> dict[str, str]:
    """The identity metadata a create (or an adopt) writes."""
    return dict(zip(KEYS, (project, env, key), strict=True))


def only_identity(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    """The identity keys of some metadata (what a plan keeps of a configuration no file claims)."""
    metadata = metadata or {}
    return {k: metadata[k] for k in KEYS if k in metadata}


def without_identity(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    """Some metadata without the tool's own keys (identity, the login record): what a person
    writes in a file."""
    return {k: v for k, v in (metadata or {}).items() if not str(k).startswith(RESERVED_PREFIX)}


def login_url(obj: Mapping[str, Any]) -> str | None:
    """The configuration's login page URL now, None when its login page is off."""
    login = obj.get("login_page") or {}
    return str(login["url"]) if login.get("enabled") and login.get("url") else None


def recorded_login_url(obj: Mapping[str, Any]) -> str | None:
    """The login page URL the last apply recorded, None when none was."""
    return (obj.get("metadata") or {}).get(LOGIN_URL) or None


def login_record(obj: Mapping[str, Any]) -> dict[str, str] | None:
    """The metadata that records the configuration's login page URL as it now is ("" clears a
    record of a login page now off), None when the record is right."""
    now = login_url(obj)
    if now == recorded_login_url(obj):
        return None
    return {LOGIN_URL: now or ""}


def is_ours(obj: Mapping[str, Any], project: str, env: str) -> bool:
    """Created (or adopted) by this project for this environment."""
    return of(obj)[:2] == (project, env)


def project_key(obj: Mapping[str, Any], project: str) -> str | None:
    """The key this project gave the configuration, in whichever environment; None if none."""
    identity = of(obj)
    return str(identity[2]) if identity[0] == project and identity[2] else None


def is_default(obj: Mapping[str, Any] | None) -> bool:
    """Whether Stripe flags the configuration as the account's default."""
    return bool(obj and obj.get(DEFAULT_FLAG))


def defaults(configurations: Iterable[C]) -> list[C]:
    """The configurations flagged default (Stripe keeps one per mode; a broken answer may not)."""
    return [c for c in configurations if is_default(c)]


def default_of(configurations: Iterable[C]) -> C | None:
    """The account's default configuration, None when the mode has none yet."""
    return next(iter(defaults(configurations)), None)


def may_deactivate(obj: Mapping[str, Any]) -> bool:
    """Stripe refuses to change the default through the API, and sessions need one: never."""
    return not is_default(obj)


def default_first(obj: Mapping[str, Any]) -> bool:
    """A sort key putting the default before every other configuration."""
    return not is_default(obj)
