"""The safety rules on their own (portal_config.safety): where a key may go, which key an
environment may use, and that loading the Stripe client loads nothing of the emulator."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from portal_config import safety
from portal_config.config import Environment
from portal_config.errors import Location, UnsafeOperation

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


@pytest.mark.parametrize(
    "api_base, address",
    [
        (None, "https://api.stripe.com"),
        ("https://api.stripe.com/", "https://api.stripe.com"),
        ("http://127.0.0.1:12111", "http://127.0.0.1:12111"),
        ("http://localhost:12111/", "http://localhost:12111"),
        ("http://[::1]:8", "http://[::1]:8"),
    ],
)
def test_stripe_and_loopback_receive_the_key(api_base: str | None, address: str) -> None:
    assert safety.check_api_base("staging", api_base) == address


@pytest.mark.parametrize(
    "api_base",
    [
        "http://api.stripe.com",
        "http://10.0.0.8:12111",
        "https://api.stripe.com@evil.example",
        "https://api.stripe.com.evil.example",
        "https://127.0.0.1:12111",
        "ftp://127.0.0.1",
    ],
)
def test_every_other_address_is_refused(api_base: str) -> None:
    message = refusal("address", safety.check_api_base, "staging", api_base)
    assert message.startswith(f"environment 'staging': refusing to send the API key to {api_base}")


def test_a_refusal_names_the_variable_that_allows_the_host() -> None:
    message = refusal("address", safety.check_api_base, "staging", "https://evil.example")
    assert message.endswith(
        "to allow this server (https only), set "
        "PORTAL_CONFIG_ALLOW_API_BASE=evil.example in the shell that runs "
        "portal-config."
    )


def test_an_address_with_a_path_is_refused_with_the_form_to_use() -> None:
    message = refusal("address", safety.check_api_base, "prod", "https://api.stripe.com/v1")
    assert message == (
        "environment 'prod': api_base is a server address without a path, like "
        "https://api.stripe.com or http://127.0.0.1:12111 (the SDK adds /v1/...), "
        "not https://api.stripe.com/v1"
    )


def test_allowing_a_host_takes_https_and_that_host_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(safety.ALLOW_API_BASE_VAR, "stripe-proxy.internal")
    assert (
        safety.check_api_base("e", "https://stripe-proxy.internal")
        == "https://stripe-proxy.internal"
    )
    for refused in ("http://stripe-proxy.internal", "https://other.internal"):
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


# -- what loading the Stripe client loads -----------------------------------------------------


def test_the_stripe_client_loads_nothing_of_the_emulator() -> None:
    code = (
        "import sys\nimport portal_config.stripe_api\n"
        "print('stripe' in sys.modules, sorted(m for m in sys.modules\n"
        "      if m == 'portal_config.emulator' or m.startswith('portal_config.emulator.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True []"
