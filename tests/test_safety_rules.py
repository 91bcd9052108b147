"""The safety rules on their own (portal_config.safety): where a key may go, which key an
environment may use, and that loading the Stripe client loads nothing of the emulator."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
import requests
from hypothesis import example, given, settings
from hypothesis import strategies as st
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from portal_config.errors import Location, UnsafeOperation
from portal_config.project import rules, safety
from portal_config.project.spec import Environment

TEST_KEY = "sk_test_51SafetyRulesKey0000000000"


def env(mode: str = "test", api_base: str | None = None) -> Environment:
    return Environment(
        name="staging",
        mode=mode,
        api_key_env="PORTAL_CONFIG_SAFETY_KEY",
        api_base=api_base,
        stripe_account=None,
        emulator=None,
        seed=None,
        vars={},
        location=Location("portal-config.yaml"),
    )


def refusal(check: str, call: Callable[..., object], *args: object) -> str:
    """The message of the refusal `call(*args)` raises, asserting which rule it came from."""
    with pytest.raises(safety.Refused) as raised:
        call(*args)
    assert raised.value.check == check
    assert isinstance(raised.value, UnsafeOperation)  # the CLI's exit code and "Error:" line
    return str(raised.value)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(safety.ALLOW_API_BASE_VAR, raising=False)
    monkeypatch.delenv("PORTAL_CONFIG_SAFETY_KEY", raising=False)


# -- is_loopback ------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert safety.is_loopback(host)


@pytest.mark.parametrize(
    "host",
    ["10.0.0.8", "0.0.0.0", "api.stripe.com", "localhost.evil", "127.0.0.1.evil.example", ""],
)
def test_hosts_that_are_not_loopback(host: str) -> None:
    assert not safety.is_loopback(host)


# -- check_api_base ---------------------------------------------------------------------------

WHERE = Location("configs/portal-config.yaml", 7, 15)  # staging's api_base line in a project file


def test_without_api_base_the_key_goes_to_stripe() -> None:
    assert safety.check_api_base("staging", None) == "https://api.stripe.com"


@pytest.mark.parametrize(
    "api_base",
    ["http://api.stripe.com", "http://10.0.0.8:12111", "http://127.1:12111", "http://0x7f.0.0.1"],
)
def test_plain_http_beyond_loopback_is_refused(api_base: str) -> None:
    message = refusal("address", safety.check_api_base, "staging", api_base)
    assert message.startswith(f"environment 'staging': refusing to send the API key to {api_base}")
    assert "plain http goes only to a loopback address" in message


@pytest.mark.parametrize(
    "api_base", ["https://api.stripe.com.evil.example", "https://127.0.0.1:12111"]
)
def test_https_to_another_host_is_refused(api_base: str) -> None:
    message = refusal("address", safety.check_api_base, "staging", api_base)
    assert message.startswith(f"environment 'staging': refusing to send the API key to {api_base}")


def test_a_refusal_starts_at_its_line_and_names_the_variable_allowing_the_host() -> None:
    message = refusal("address", safety.check_api_base, "staging", "https://evil.example", WHERE)
    assert message.startswith(
        "configs/portal-config.yaml:7:15: environment 'staging': refusing to send the API key "
        "to https://evil.example."
    )
    assert message.endswith(
        "to allow this server (https only), set PORTAL_CONFIG_ALLOW_API_BASE=evil.example in "
        "the shell that runs portal-config."
    )


def test_an_address_with_a_path_is_refused_with_the_form_to_use() -> None:
    message = refusal("address", safety.check_api_base, "prod", "https://api.stripe.com/v1")
    assert message == (
        "environment 'prod': api_base must be a server address, scheme://host[:port], like "
        "https://api.stripe.com or http://127.0.0.1:12111 (the SDK adds /v1/...), not "
        "'https://api.stripe.com/v1': a path has no place in one"
    )


# Addresses a pull request might write to send the key elsewhere, or that HTTP parsers read
# differently (urllib3, which dials, against urllib.parse): each is refused by the file's check
# (validate, which plan runs first) and by the connection's alike, however the allow-list is set.
HOSTILE = {
    "backslash-userinfo": "https://evil.example\\@api.stripe.com",
    "backslash-loopback": "http://127.0.0.1:1\\@127.0.0.1:2",
    "user@host": "https://user@api.stripe.com",
    "user:password@host": "http://user:pw@127.0.0.1:12111",
    "stripe@evil": "https://api.stripe.com@evil.example",
    "query": "http://127.0.0.1:12111?x",
    "empty-query": "http://127.0.0.1:12111?",
    "fragment": "http://127.0.0.1:12111#x",
    "path": "http://127.0.0.1:12111/v1",
    "trailing-space": "https://api.stripe.com ",
    "leading-space": " https://api.stripe.com",
    "inner-space": "https://api.stripe .com",
    "tab": "https://api.stripe.com\t",
    "newline": "https://api.stripe.com\n.evil.example",
    "nul": "https://api.stripe.com\x00.evil.example",
    "escape": "https://api.stripe.com\x1b",
    "delete": "https://api.stripe.com\x7f",
    "ipv6-zone": "http://[::1%25lo]:12111",
    "ipv6-unclosed": "http://[::1:12111",
    "short-loopback": "http://127.1:12111",
    "uppercase-host": "https://API.STRIPE.COM",
    "uppercase-scheme": "HTTPS://api.stripe.com",
    "trailing-dot": "https://api.stripe.com.",
    "percent-encoded": "https://api%2Estripe.com",
    "non-ascii": "https://api.str\u0456pe.com",
    "no-scheme": "api.stripe.com",
    "no-host": "https://",
    "empty-port": "https://api.stripe.com:",
    "port-out-of-range": "https://api.stripe.com:99999",
    "ftp": "ftp://127.0.0.1",
    "two-slashes": "https://api.stripe.com//",
}
ACCEPTED = {
    "stripe": ("https://api.stripe.com", "https://api.stripe.com"),
    "stripe-slash": ("https://api.stripe.com/", "https://api.stripe.com"),
    "stripe-443": ("https://api.stripe.com:443", "https://api.stripe.com:443"),
    "loopback": ("http://127.0.0.1:12111", "http://127.0.0.1:12111"),
    "localhost": ("http://localhost:12111/", "http://localhost:12111"),
    "ipv6-loopback": ("http://[::1]:8", "http://[::1]:8"),
}


def validate_says(api_base: str) -> list[str]:
    """What validate reports for an environment with this api_base (rules.check_environment)."""
    entry = {"mode": "test", "api_key_env": "PORTAL_CONFIG_SAFETY_KEY", "api_base": api_base}
    return [
        str(problem)
        for problem in rules.check_environment("staging", entry, lambda path, key: WHERE)
    ]


@pytest.mark.parametrize("api_base", HOSTILE.values(), ids=HOSTILE.keys())
def test_validate_and_connect_refuse_every_hostile_address_alike(
    monkeypatch: pytest.MonkeyPatch, api_base: str
) -> None:
    problems = validate_says(api_base)
    assert len(problems) == 1, problems
    assert problems[0].startswith("configs/portal-config.yaml:7:15: environment 'staging': ")
    connect = refusal("address", safety.check_api_base, "staging", api_base, WHERE)
    assert connect == problems[0]  # the same rule, the same words
    for host in {"evil.example", "api.stripe.com", parse_url_host(api_base)} - {None}:
        monkeypatch.setenv(safety.ALLOW_API_BASE_VAR, str(host))  # the allow-list changes nothing
        assert refusal("address", safety.check_api_base, "staging", api_base, WHERE) == connect


def parse_url_host(api_base: str) -> str | None:
    try:
        return parse_url(api_base).host
    except LocationParseError:
        return None


@pytest.mark.parametrize("api_base, address", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_validate_and_connect_accept_stripe_and_loopback_alike(api_base: str, address: str) -> None:
    assert validate_says(api_base) == []
    assert safety.check_api_base("staging", api_base) == address
    assert dialed(address) == dialed(api_base)


def dialed(address: str) -> tuple[str | None, int | None]:
    """The host and port requests (through urllib3) connects to for a request to `address`, as
    the SDK makes it: the address, then /v1/..., prepared by requests."""
    prepared = requests.Request("GET", f"{address.removesuffix('/')}/v1/customers").prepare()
    url = parse_url(prepared.url)
    return url.host, url.port


def test_a_hostile_address_shows_what_to_write_and_never_a_raw_control_character() -> None:
    (message,) = validate_says("https://api.stripe.com\x1b[2J")
    assert "\x1b" not in message and "\\x1b" in message
    (message,) = validate_says("https://API.Stripe.com")
    assert message.endswith("the connection reads it as https://api.stripe.com: write that")
    (message,) = validate_says("https://api.stripe.com@evil.example")
    assert "'@'" in message


ADDRESS_PIECES = st.sampled_from(
    [
        "http://",
        "https://",
        "HTTP://",
        "api.stripe.com",
        "evil.example",
        "127.0.0.1",
        "localhost",
        "[::1]",
        "[",
        "]",
        "127.1",
        ":",
        ":443",
        ":12111",
        "@",
        "\\",
        "/",
        "?",
        "#",
        "%2E",
        "%40",
        ".",
        " ",
        "\t",
        "\x00",
        "\u0456",
        "user",
        "v1",
    ]
)


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(ADDRESS_PIECES, min_size=1, max_size=7).map("".join))
@example("https://.api.stripe.com")  # an empty label, which requests refuses to dial (found here)
@example("https://api..stripe.com")
def test_the_host_urllib3_dials_is_the_host_the_rule_approved(api_base: str) -> None:
    """Whatever the file says: validate refuses it, or connect (with the allow-list naming the
    host validate read) accepts it, and then requests connects to that host and no other."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(safety.ALLOW_API_BASE_VAR, raising=False)
        problems = validate_says(api_base)
        host = parse_url_host(api_base)
        if host:
            patch.setenv(safety.ALLOW_API_BASE_VAR, host)
        try:
            address = safety.check_api_base("staging", api_base)
        except safety.Refused:
            assert problems, f"validate passes {api_base!r}, connect refuses it"
            return
        assert not problems, f"validate refuses {api_base!r}, connect accepts it"
        approved = parse_url(address)
        assert dialed(address) == dialed(api_base) == (approved.host, approved.port)
        assert approved.host == host
        loopback = approved.scheme == "http" and safety.is_loopback(str(host).strip("[]"))
        assert loopback or approved.scheme == "https"


def test_allowing_a_host_takes_https_and_that_host_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(safety.ALLOW_API_BASE_VAR, "stripe-proxy.internal")
    assert (
        safety.check_api_base("e", "https://stripe-proxy.internal")
        == "https://stripe-proxy.internal"
    )
    for refused in (
        "http://stripe-proxy.internal",
        "https://other.internal",
        "https://stripe-proxy.internal.evil.example",
        "https://stripe-proxy.internal@evil.example",
    ):
        refusal("address", safety.check_api_base, "e", refused)


def test_plain_http_never_trusts_a_proxy() -> None:
    assert not safety.trusts_proxy_env("http://127.0.0.1:12111")
    assert safety.trusts_proxy_env("https://api.stripe.com")


# -- api_key_for ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode, key",
    [
        ("test", TEST_KEY),
        ("test", "rk_test_abc_123"),
        ("live", "sk_live_51xyz"),
        ("live", "rk_live_1"),
    ],
)
def test_a_key_of_the_environment_mode_is_used(
    monkeypatch: pytest.MonkeyPatch, mode: str, key: str
) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_SAFETY_KEY", key)
    assert safety.api_key_for(env(mode)) == key


def test_an_unset_variable_is_refused_with_the_key_to_export() -> None:
    message = refusal("key", safety.api_key_for, env("live"))
    assert message == (
        "environment 'staging': the variable PORTAL_CONFIG_SAFETY_KEY is not "
        "set. Export it with the live mode secret or restricted key "
        "(sk_live_...)."
    )


@pytest.mark.parametrize(
    "mode, key, other", [("live", TEST_KEY, "test"), ("test", "rk_live_abc", "live")]
)
def test_a_key_of_the_other_mode_is_refused(
    monkeypatch: pytest.MonkeyPatch, mode: str, key: str, other: str
) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_SAFETY_KEY", key)
    message = refusal("key", safety.api_key_for, env(mode))
    assert f"is {mode} mode but PORTAL_CONFIG_SAFETY_KEY holds a {other} key" in message
    assert key not in message


@pytest.mark.parametrize(
    "value", [TEST_KEY + "\n", f'"{TEST_KEY}"', f" {TEST_KEY}", "sk_test_ 51abc", "hunter2"]
)
def test_what_is_not_a_key_is_refused_and_never_echoed(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_SAFETY_KEY", value)
    message = refusal("key", safety.api_key_for, env("test"))
    assert "does not hold a Stripe key (expected sk_test_ or rk_test_ followed by" in message
    assert value.strip() not in message


@pytest.mark.parametrize("mode", ["test", "live"])
def test_a_publishable_key_is_named_as_one(monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_SAFETY_KEY", f"pk_{mode}_51abc")
    message = refusal("key", safety.api_key_for, env(mode))
    assert message.endswith(
        f"PORTAL_CONFIG_SAFETY_KEY holds a publishable key (pk_...): use the "
        f"secret key sk_{mode}_... or a restricted key rk_{mode}_..."
    )
    assert "51abc" not in message


# -- clear: every rule, in order --------------------------------------------------------------


def test_the_address_is_judged_before_the_key() -> None:
    refusal("address", safety.clear, env("test", api_base="https://evil.example"))  # no key set


def test_clearing_gives_the_address_the_key_and_its_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_SAFETY_KEY", "rk_test_abc")
    cleared = safety.clear(env("test", api_base="http://127.0.0.1:9/"))
    assert (cleared.address, cleared.key, cleared.key_kind) == (
        "http://127.0.0.1:9",
        "rk_test_abc",
        "restricted",
    )
    monkeypatch.setenv("PORTAL_CONFIG_SAFETY_KEY", TEST_KEY)
    assert safety.clear(env("test")).key_kind == "secret"


def test_a_sandbox_key_from_the_cli_is_a_restricted_one() -> None:
    # `stripe sandbox create` hands out restricted keys (rk + cs: docs.stripe.com/cli/sandbox),
    # so doctor's hint is the restricted key's (give it write access), not a secret key's
    cleared = safety.Cleared("https://api.stripe.com", "rkcs_test_51QaZ0123456789abcdWXYZ")
    assert cleared.key_kind == "restricted"


# -- what loading the Stripe client loads -----------------------------------------------------


def test_the_stripe_client_loads_nothing_of_the_emulator() -> None:
    code = (
        "import sys\nimport portal_config.stripe_api.connection\n"
        "print('stripe' in sys.modules, sorted(m for m in sys.modules\n"
        "      if m == 'portal_config.emulator' or m.startswith('portal_config.emulator.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True []"
