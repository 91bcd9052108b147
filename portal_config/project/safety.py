"""The rules a key obeys before it leaves this machine: where it may be sent, over which
transport, and which key an environment may use. `stripe_api.connection.connect` applies them
before any request (the doctor learns of a refusal from `connect` itself); validate asks
`server_address` too, offline, so an address it passes is never refused later for its form.

No `stripe` import here, and none of the emulator: the rules are the tool's, not the emulator's.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from urllib3.exceptions import LocationParseError
from urllib3.util import Url, parse_url

from ..dashboard import named
from ..errors import Location, UnsafeOperation
from ..masking import register
from .limits import shorten

if TYPE_CHECKING:
    from .spec import Environment

STRIPE_API = "https://api.stripe.com"
ALLOW_API_BASE_VAR = "PORTAL_CONFIG_ALLOW_API_BASE"
# By where an environment's objects live (Environment.space). A sandbox has keys of its own: the
# rkcs_test_ ones `stripe sandbox create` makes (https://docs.stripe.com/cli/sandbox), or the
# sk_test_/rk_test_ its Dashboard shows (https://docs.stripe.com/sandboxes/dashboard/manage-keys).
KEY_PREFIXES = {
    "test": ("sk_test_", "rk_test_"),
    "live": ("sk_live_", "rk_live_"),
    "sandbox": ("rkcs_test_", "sk_test_", "rk_test_"),
}
SANDBOX_ONLY = "rkcs_"  # a key no environment but a sandbox has
# An organization's key acts for no account of its own, in any mode; its prefix is documented
# as sk_org alone (https://docs.stripe.com/keys/organization-api-keys), so its mode is taken
# from Stripe's answers (planning/mode.confirm_mode), not from the key.
ORGANIZATION_PREFIX = "sk_org_"
ORGANIZATION_KEY = re.compile(ORGANIZATION_PREFIX + r"[A-Za-z0-9_]+")
# A key with nothing around it (not even a newline): its kind, its mode, the rest.
WHOLE_KEY = re.compile(r"(sk|rk|rkcs)_(live|test)_[A-Za-z0-9_]+")
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
        """'restricted' for an rk_ key or a CLI sandbox's rkcs_ key, 'organization' for an
        sk_org key, 'secret' for an sk_ key."""
        if self.key.startswith(ORGANIZATION_PREFIX):
            return "organization"
        return "restricted" if self.key.startswith(("rk_", "rkcs_")) else "secret"


def clear(env: Environment) -> Cleared:
    """Every rule, in the order they are reported: the address first, then the key."""
    address = check_api_base(env.name, env.api_base, env.api_base_location)
    return Cleared(address, api_key_for(env))


def is_loopback(host: str) -> bool:
    """localhost or a loopback IP: plain http there never leaves this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# A server address is scheme://host[:port], written as urllib3 (the parser requests dials with)
# reads it, and nothing else. Parsers disagree on the rest: urllib3 reads
# https://evil.example\@api.stripe.com as host evil.example, urllib.parse as api.stripe.com
# (https://github.com/urllib3/urllib3/blob/main/src/urllib3/util/url.py); '@' makes what comes
# before it a user name; urllib3 decodes %-escapes and IDNA-encodes non-ASCII hosts.
_NOT_IN_ADDRESS = re.compile(r"[\s\x00-\x1f\x7f\\@?#%]")
_WHY_NOT = {
    "@": "'@' has no place in one (what comes before it is a user name; the host is after it)",
    "\\": "'\\' has no place in one (HTTP clients disagree on where its host ends)",
    "?": "a query has no place in one",
    "#": "a fragment has no place in one",
    "%": "percent-encoding has no place in one (write the host as it is)",
}


def server_address(env_name: str, api_base: str | None) -> Url:
    """`api_base` (None: Stripe) as the HTTP stack will dial it, or Refused: anything but
    scheme://host[:port] as urllib3 writes it, and plain http beyond loopback (never allowed).
    validate (rules.check_environment) and check_api_base both ask, so they never disagree."""
    base = STRIPE_API if api_base is None else api_base
    shown = shorten(base)

    def refuse(why: str) -> Refused:
        return Refused(
            "address",
            f"environment '{env_name}': api_base must be a server address, scheme://host[:port], "
            f"like {STRIPE_API} or http://127.0.0.1:12111 (the SDK adds /v1/...), not "
            f"'{shown}': {why}",
        )

    odd = _NOT_IN_ADDRESS.search(base)
    if odd:
        raise refuse(_WHY_NOT.get(odd[0], "a space or control character has no place in one"))
    try:
        url = parse_url(base)
    except LocationParseError:
        raise refuse(
            "it cannot be read as one (a port is a number up to 65535, an IPv6 host in [])"
        ) from None
    if url.path not in (None, "", "/"):
        raise refuse("a path has no place in one")
    if url.scheme not in ("http", "https") or not url.host:
        raise refuse("it needs http:// or https:// and a host")
    address = Url(scheme=url.scheme, host=url.host, port=url.port)
    if base.removesuffix("/") != address.url:
        raise refuse(f"the connection reads it as {address.url}: write that")
    if url.host.endswith("."):
        raise refuse("write the host without its final '.'")
    if url.host.startswith(".") or ".." in url.host:  # requests refuses to dial an empty label
        raise refuse("a host's names are not empty: no '.' at its start, no '..'")
    if url.scheme == "http" and not is_loopback(url.host.strip("[]")):
        raise Refused(
            "address",
            f"environment '{env_name}': refusing to send the API key to {address.url}: "
            f"{PLAIN_HTTP}.",
        )
    return address


def check_api_base(env_name: str, api_base: str | None, where: Location | None = None) -> str:
    """The address to send the key to: api.stripe.com, or plain http to a loopback address, or
    an https host PORTAL_CONFIG_ALLOW_API_BASE names (so a pull request cannot redirect the
    key); else Refused, starting at `where` (the project file's api_base line) when given."""
    try:
        address = server_address(env_name, api_base)
    except Refused as exc:
        raise Refused("address", f"{where}: {exc}") if where else exc from None
    host = address.host or ""
    if address.scheme == "http" or host == "api.stripe.com":  # http: loopback, or refused above
        return address.url
    if os.environ.get(ALLOW_API_BASE_VAR) == host:
        return (
            address.url
        )  # never plain http beyond loopback: the key would cross the network in clear
    raise Refused(
        "address",
        f"{f'{where}: ' if where else ''}environment '{env_name}': refusing to send the API key "
        f"to {address.url}. A key goes only to {STRIPE_API} or to a loopback address over http; "
        f"to allow this server (https only), set {ALLOW_API_BASE_VAR}={host} in the shell that "
        "runs portal-config.",
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


def mode_of_variable(name: str) -> tuple[str | None, str]:
    """The mode of the key the variable `name` holds (None: no key), and what to say of it
    otherwise: 'is not set', 'is set but empty' (`export KEY=`, a secret CI left empty) or
    'does not hold a Stripe key'. The value is registered for masking, never returned."""
    value = os.environ.get(name)
    register(value or "")  # masked in all output from now on, even if it is refused
    if value is None or not value.strip():
        return None, "is not set" if value is None else "is set but empty"
    mode = mode_of(value)
    return mode, "" if mode else "does not hold a Stripe key"


def api_key_for(env: Environment) -> str:
    """The key from the variable the environment names, checked against its mode. A refusal
    starts at the project file's `api_key_env:` line, where the variable is named."""
    name = env.api_key_env or ""
    _, state = mode_of_variable(name)
    key = os.environ.get(name, "")
    where = f"{env.api_key_env_location}: " if env.api_key_env_location else ""
    kinds = KEY_PREFIXES[env.space]
    if not key.strip():
        raise Refused(
            "key",
            f"{where}environment '{env.name}': the variable {name} {state}. Export it with the "
            f"{named(env.space)} secret or restricted key ({kinds[0]}...).",
        )
    if key.startswith(("pk_test_", "pk_live_")):  # the one the Dashboard shows first
        raise Refused(
            "key",
            f"{where}environment '{env.name}': {name} holds a publishable key (pk_...): use the "
            f"secret key {kinds[0]}... or a restricted key {kinds[1]}...",
        )
    if key.startswith(ORGANIZATION_PREFIX):
        return _organization_key(env, name, key, where)
    mode = mode_of(key)
    if mode is None:
        # Never echo it: a pasted key with a newline or a quote would otherwise end up in an error.
        raise Refused(
            "key",
            f"{where}environment '{env.name}': {name} does not hold a Stripe key (expected "
            f"{' or '.join(kinds)} followed by letters, digits or _, with no spaces or newline): "
            "export the key alone.",
        )
    if key.startswith(SANDBOX_ONLY) and not env.sandbox:
        raise Refused(
            "key",
            f"{where}environment '{env.name}' is {env.mode} mode but {name} holds a sandbox's key "
            f"({SANDBOX_ONLY}{mode}_..., from `stripe sandbox create`): a sandbox is a place of "
            "its own, so write `mode: sandbox` for it, or use a key starting with "
            f"{' or '.join(kinds)}.",
        )
    if mode != env.mode:
        raise Refused(
            "key",
            f"{where}environment '{env.name}' is {named(env.space)} but {name} holds a {mode} key: "
            f"use a key starting with {' or '.join(kinds)}.",
        )
    return key


def _organization_key(env: Environment, name: str, key: str, where: str) -> str:
    """An organization's key, for an environment that names the account it acts for."""
    if not ORGANIZATION_KEY.fullmatch(key):
        raise Refused(
            "key",
            f"{where}environment '{env.name}': {name} does not hold a Stripe key (expected "
            "sk_org_ followed by letters, digits or _, with no spaces or newline): export the "
            "key alone.",
        )
    if not env.organization:
        # every request with it must send Stripe-Context (https://docs.stripe.com/context)
        raise Refused(
            "key",
            f"{where}environment '{env.name}': {name} holds an organization key (sk_org...), "
            "which acts for no account of its own: name the account in the environment, "
            "`stripe_context: acct_...` (or `stripe_accounts: {organization: [acct_..., ...]}` "
            "for several), as the organization's Dashboard shows it.",
        )
    return key
