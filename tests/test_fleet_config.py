"""A fleet environment as validate reads it: `stripe_accounts` beside `stripe_account`, a file
of IDs, `${account.*}` in a fleet and outside one, and one account's environment."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from portal_config.project import config, fleet_config


@pytest.fixture(autouse=True)
def in_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages name files relative to where the command runs


PROJECT = """\
version: 1
project: acme
environments:
  fleet:
    mode: test
    api_key_env: KEY
    {accounts}
  solo:
    mode: test
    api_key_env: KEY
"""


def problems(tmp_path: Path, accounts: str, files: dict[str, str]) -> list[str]:
    (tmp_path / "portal-config.yaml").write_text(PROJECT.format(accounts=accounts))
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    _, found = config.collect_problems(tmp_path)
    return [str(p) for p in found]


def test_one_account_and_a_fleet_exclude_each_other(tmp_path: Path) -> None:
    found = problems(tmp_path, "stripe_account: acct_1\n    stripe_accounts: [acct_2]", {})
    assert found == [
        "portal-config.yaml:8:5: environment 'fleet': stripe_account (one account) and "
        "stripe_accounts (a fleet) exclude each other: keep one"
    ]


def test_a_file_of_ids_is_read_and_its_lines_located(tmp_path: Path) -> None:
    (tmp_path / "ids.txt").write_text("acct_1\nnot-an-id\n")
    found = problems(tmp_path, "stripe_accounts: {file: ids.txt}", {})
    assert found == [
        "ids.txt:2:1: 'not-an-id' is not a Stripe account ID: write acct_ and letters or "
        "digits, as the Dashboard shows it"
    ]
    (tmp_path / "ids.txt").write_text("acct_1  # first\nacct_2\n")
    project, found = config.collect_problems(tmp_path)
    assert found == []
    accounts = project.environments["fleet"].accounts
    assert accounts is not None and accounts.ids == ("acct_1", "acct_2")


def test_account_variables_belong_to_fleets_only(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "stripe_accounts: [acct_1]",
        {"a.yaml": 'default_return_url: "https://x.example/${account.id}"\n'},
    )
    assert len(found) == 1
    assert found == [
        "a.yaml:1:21: undefined variable ${account.id} (${account.*} is only for a fleet: an "
        "environment with stripe_accounts) (in environment solo)"
    ]
    fleet_only = problems(
        tmp_path,
        "stripe_accounts: [acct_1]",
        {
            "a.yaml": "environments: [fleet]\n"
            'default_return_url: "${account.business_profile.url}"\n'
        },
    )
    assert fleet_only == []


def test_an_account_environment_holds_the_accounts_fields(tmp_path: Path) -> None:
    (tmp_path / "portal-config.yaml").write_text(
        PROJECT.format(accounts="stripe_accounts: [acct_1]")
    )
    project = config.load_project(tmp_path)
    env = fleet_config.account_environment(
        project.environments["fleet"],
        "acct_1",
        {"id": "acct_1", "metadata": {"app_url": "https://a.example"}, "charges_enabled": True},
    )
    assert env.stripe_account == "acct_1"
    assert env.vars == {"account.id": "acct_1", "account.metadata.app_url": "https://a.example"}
    assert fleet_config.account_environment(env, "acct_2", None).vars["account.id"] == "acct_2"


def test_a_field_no_account_has_is_reported_once(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "stripe_accounts: [acct_1]",
        {"a.yaml": 'environments: [fleet]\nname: "${account.busines_profile.name}"\n'},
    )
    assert found == [
        "a.yaml:2:7: ${account.busines_profile.name}: the account object has no field "
        "'busines_profile' (did you mean business_profile?)"
    ]


def test_a_typo_in_stripe_accounts_is_one_message_and_keeps_the_fleet(tmp_path: Path) -> None:
    (tmp_path / "ids.txt").write_text("acct_1\n")
    found = problems(
        tmp_path,
        "stripe_accounts: {fil: ids.txt}",
        {"a.yaml": 'environments: [fleet]\nname: "${account.id}"\n'},
    )
    assert found == [
        "portal-config.yaml:7:23: stripe_accounts: unknown key 'fil' (did you mean file?) "
        "(stripe_accounts takes {file: accounts.txt} or {connected: all, metadata: ...})"
    ]


def test_a_fleets_checked_params_are_the_ones_validate_resolved(tmp_path: Path) -> None:
    """A plan checks each account against the params loading resolved for the fleet (with
    stand-ins for `${account.*}`): taken from the loaded file, not filled and checked again."""
    files = {
        "a.yaml": "name: ${account.id}\nenvironments: [fleet]\n",
        "b.yaml": "name: B\nenvironments: [solo]\n",
    }
    assert problems(tmp_path, "stripe_accounts: [acct_1]", files) == []
    project = config.load_project(tmp_path)
    fleet = project.environments["fleet"]
    first, again = config.checked_params(project, fleet), config.checked_params(project, fleet)
    assert list(first) == ["a"] and first["a"]["name"].startswith("acct_")
    assert first["a"] is again["a"]
