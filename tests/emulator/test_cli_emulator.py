"""`portal-config emulator` as a user runs it: a separate process, stopped with Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import stripe

from tests.support.cli import run_cli
from tests.support.emulator_process import RUN_CLI, start


def test_the_command_serves_seeds_and_saves_state_on_ctrl_c(tmp_path: Path) -> None:
    state, seed = tmp_path / "state.json", tmp_path / "seed.yaml"
    seed.write_text("default_configuration: true\ncustomers:\n  - {id: cus_cli}\n")
    process, url = start(
        "--port",
        "0",
        "--state",
        str(state),
        "--seed",
        str(seed),
        "--refuse-default-updates",
        "--latency",
        "1",
    )
    try:
        client: Any = stripe.StripeClient("sk_test_cli", base_addresses={"api": url})
        made = client.v1.billing_portal.configurations.create(
            {"features": {"invoice_history": {"enabled": True}}}
        )
        session = client.v1.billing_portal.sessions.create(
            {"customer": "cus_cli", "return_url": "https://example.com/account"}
        )
        assert session.url.startswith(f"{url}/p/session/test_")
        default = client.v1.billing_portal.configurations.list({"is_default": True}).data[0]
        try:
            client.v1.billing_portal.configurations.update(default.id, {"name": "x"})
            raise AssertionError("the default configuration was updated")
        except stripe.InvalidRequestError as exc:
            assert "You cannot make any changes" in str(exc)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 130
    assert "Traceback" not in stderr
    saved = json.loads(state.read_text())
    assert made.id in [c["id"] for c in saved["accounts"]["test:"]["configurations"]]


def test_the_command_refuses_a_non_loopback_host() -> None:
    result = subprocess.run(
        [sys.executable, "-c", RUN_CLI, "emulator", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 1
    assert "loopback" in result.stderr and "Traceback" not in result.stderr


def test_the_reported_behaviours_are_options_and_products_need_expand() -> None:
    process, url = start(
        "--port", "0", "--first-becomes-default", "--connect-application", "ca_platform"
    )
    try:
        client: Any = stripe.StripeClient("sk_test_cli", base_addresses={"api": url})
        first = client.v1.billing_portal.configurations.create(
            {"features": {"invoice_history": {"enabled": True}}}
        )
        assert first.is_default is True and first.application is None
        connected: Any = stripe.StripeClient(
            "sk_test_cli", base_addresses={"api": url}, stripe_account="acct_1"
        )
        made = connected.v1.billing_portal.configurations.create(
            {"features": {"invoice_history": {"enabled": True}}}
        )
        assert made.application == "ca_platform"
        plain = client.v1.billing_portal.configurations.retrieve(first.id).to_dict()
        assert "products" not in plain["features"]["subscription_update"]
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
    assert process.returncode == 130


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("products: [\n  {name: Pro\n", ":3:1: "),  # YAML that does not parse
        ("prodcts: []\n", ":1:1: "),  # a seed key misspelt
        ("test:\n  customers: []\nlive:\n  prodcts: []\n", ":4:3: "),  # in one mode's seed
        ("- products\n", ":1:1: "),  # not a mapping
        ("customers: {id: cus_1}\n", ":1:12: "),  # a list that is not one
    ],
)
def test_a_seed_file_problem_is_located_and_serves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, said: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("seed.yaml").write_text(text)
    result = run_cli("emulator", "--port", "0", "--seed", "seed.yaml")
    assert result.exit_code == 1, result.output
    assert f"seed.yaml{said}" in result.stderr, result.stderr
    assert result.stderr.endswith("Error: 1 error(s) in the seed file\n"), result.stderr
    assert "Traceback" not in result.output and "listening" not in result.output


def test_an_object_the_emulator_refuses_in_a_seed_file_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("seed.yaml").write_text("products:\n  - {name: Pro, prices: [{lookup_key: pro}]}\n")
    result = run_cli("emulator", "--port", "0", "--seed", "seed.yaml")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: seed.yaml: "), result.stderr
    assert "Traceback" not in result.output


def test_a_state_file_in_use_is_not_blamed_on_the_seed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal_config.emulator.store import Store

    monkeypatch.chdir(tmp_path)
    Path("seed.yaml").write_text("customers:\n  - {id: cus_1}\n")
    held = Store(tmp_path / "state.json")
    held.open()  # another emulator holds the state
    try:
        result = run_cli("emulator", "--port", "0", "--state", "state.json", "--seed", "seed.yaml")
    finally:
        held.close()
    assert result.exit_code == 1, result.output
    assert "is in use by another emulator" in result.stderr
    assert "seed.yaml" not in result.stderr, result.stderr
