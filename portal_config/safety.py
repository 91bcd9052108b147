"""The rules a key obeys before it leaves this machine: where it may be sent, over which
transport, and which key an environment may use. `stripe_api.connect` applies them before any
request; nothing else repeats them (the doctor learns of a refusal from `connect` itself).

No `stripe` import here, and none of the emulator: the rules are the tool's, not the emulator's.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from .errors import UnsafeOperation
from .keys import register

if TYPE_CHECKING:
    from .config import Environment

STRIPE_API = "https://api.stripe.com"
ALLOW_API_BASE_VAR = "PORTAL_CONFIG_ALLOW_API_BASE"
KEY_PREFIXES = {"test": ("sk_test_", "rk_test_"), "live": ("sk_live_", "rk_live_")}
# A key with nothing around it (not even a newline): its kind, its mode, the rest.
WHOLE_KEY = re.compile(r"(sk|rk)_(live|test)_[A-Za-z0-9_]+")
PLAIN_HTTP = (
    "plain http goes only to a loopback address (localhost, 127.0.0.1, ::1): to any "
    "other host the key would cross the network in clear; use https"
)


class Refused(UnsafeOperation):
    """A refusal before any request; `check` says which rule refused ("address" or "key"), so
    the doctor can report it as that finding without running the rule a second time."""

    def __init__(self, check: Literal["address", "key"], message: str):
        super().__init__(message)
        self.check = check


@dataclass(frozen=True)
class Cleared:
    """What the rules let through for one environment: the address and the key for it."""

    address: str
    key: str

    @property
    def key_kind(self) -> str:
        """'restricted' for an rk_ key, 'secret' for an sk_ key."""
        return "restricted" if self.key.startswith("rk_") else "secret"


def clear(env: Environment) -> Cleared:
    """Every rule, in the order they are reported: the address first, then the key."""
    address = check_api_base(env.name, env.api_base)
    return Cleared(address, api_key_for(env))


def is_loopback(host: str) -> bool:
    """localhost or a loopback IP: plain http there never leaves this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_beyond_loopback(api_base: str) -> bool:
    """http to another machine: refused whatever the environment allows, so `validate` refuses
    it offline too (rules.check_environment)."""
    parts = urlsplit(api_base)
    return parts.scheme == "http" and not is_loopback(parts.hostname or "")


def check_api_base(env_name: str, api_base: str | None) -> str:
    """A key goes only to api.stripe.com, or over plain http to a loopback address, unless
    PORTAL_CONFIG_ALLOW_API_BASE names the host (so a pull request cannot redirect the key)."""
    base = (api_base or STRIPE_API).rstrip("/")
    parts = urlsplit(base)
    host = parts.hostname or ""
    if parts.path or parts.query:
        raise Refused(
            "address",
            f"environment '{env_name}': api_base is a server address "
            f"without a path, like {STRIPE_API} or http://127.0.0.1:12111 (the SDK "
            f"adds /v1/...), not {base}",
        )
    if parts.scheme == "https" and host == "api.stripe.com":
        return base
    if plain_http_beyond_loopback(base):
        raise Refused(
            "address",
            f"environment '{env_name}': refusing to send the API key to {base}: {PLAIN_HTTP}.",
        )
    if parts.scheme == "http":
        return base  # loopback
    if parts.scheme == "https" and os.environ.get(ALLOW_API_BASE_VAR) == host:
        return base  # never plain http beyond loopback: the key would cross the network in clear
    raise Refused(
        "address",
        f"environment '{env_name}': refusing to send the API key to {base}. A key goes only to "
        f"{STRIPE_API} or to a loopback address over http; to allow this server (https only), set "
        f"{ALLOW_API_BASE_VAR}={host or '<host>'} in the shell that runs portal-config.",
    )


def trusts_proxy_env(address: str) -> bool:
    """Whether requests to `address` may go through the proxy HTTP_PROXY and friends name.
    Plain http goes only to loopback, and a proxy would carry the key in clear to another
    host; api.stripe.com (https) may use the proxy the environment sets."""
    return not address.startswith("http://")


def mode_of(key: str) -> str | None:
    """'test' or 'live' for a well-formed key (nothing around it, not even a newline)."""
    match = WHOLE_KEY.fullmatch(key)
    return match[2] if match else None


def api_key_for(env: Environment) -> str:
    """The key from the variable the environment names, checked against its mode. A refusal
    starts at the project file's `api_key_env:` line, where the variable is named."""
    name = env.api_key_env
    key = os.environ.get(name or "", "")
    register(key)  # masked in all output from now on, even if it is refused below
    where = f"{env.api_key_env_location}: " if env.api_key_env_location else ""
    kinds = KEY_PREFIXES[env.mode]
    if not key:
        raise Refused(
            "key",
            f"{where}environment '{env.name}': the variable {name} is not set. Export it with the "
            f"{env.mode} mode secret or restricted key ({kinds[0]}...).",
        )
    if key.startswith(("pk_test_", "pk_live_")):  # the one the Dashboard shows first
        raise Refused(
            "key",
            f"{where}environment '{env.name}': {name} holds a publishable key (pk_...): use the "
            f"secret key {kinds[0]}... or a restricted key {kinds[1]}...",
        )
    mode = mode_of(key)
    if mode is None:
        # Never echo it: a pasted key with a newline or a quote would otherwise end up in an error.
        raise Refused(
            "key",
            f"{where}environment '{env.name}': {name} does not hold a Stripe key (expected "
            f"{' or '.join(kinds)} followed by letters, digits or _, with no spaces or newline): "
            "export the key alone.",
        )
    if mode != env.mode:
        raise Refused(
            "key",
            f"{where}environment '{env.name}' is {env.mode} mode but {name} holds a {mode} key: "
            f"use a key starting with {' or '.join(kinds)}.",
        )
    return key
