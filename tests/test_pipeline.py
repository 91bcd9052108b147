"""pipeline/: one target planned (plan_target.read_environment) and a fleet fanned out over its
accounts (fanout.plan_all -> fleet_plan), against the in-memory FakeGateway: what each account's
plan holds when one account fails, when a failure is the whole run's, and which accounts a
narrowed run takes. (tests/e2e drive the same over HTTP through the emulator.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portal_config.errors import PortalConfigError, StripeFailure
from portal_config.pipeline import fanout, plan_target
from portal_config.pipeline.fleet_plan import Selection
from portal_config.planning.changes import Create
from portal_config.project import config
from portal_config.project.spec import Project

from .support.gateway import FakeGateway
from .support.projects import new_project
from .support.samples import stripe_config

ACCOUNTS = ("acct_1", "acct_2", "acct_3")
PROJECT_FILE = f"""\
version: 1
project: acme
environments:
  local:
    mode: test
    emulator: state.json
  tenants:
    mode: test
    api_key_env: PORTAL_CONFIG_TEST_KEY
    stripe_accounts: [{", ".join(ACCOUNTS)}]
  shop:
    mode: test
    api_key_env: PORTAL_CONFIG_ORG_KEY
    stripe_context: acct_shop
"""
STANDARD = "name: Standard\nfeatures:\n  invoice_history: {enabled: true}\n"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    path = new_project(tmp_path / "configs", {"std.yaml": STANDARD}, PROJECT_FILE)
    return config.load_project(path)


def target(*configurations: dict[str, Any]) -> FakeGateway:
    """One environment's gateway: its configurations, no prices."""
    gateway = FakeGateway(list(configurations))
    gateway.prices = {}
    return gateway


def fleet(**failing: StripeFailure) -> FakeGateway:
    """The platform of `tenants`: each account empty; `failing[acct]` fails its listing."""
    accounts = {a: FakeGateway([]) for a in ACCOUNTS}
    for account_id, failure in failing.items():
        accounts[account_id].failures["list"] = [failure]
    return FakeGateway([], "tenants", accounts=accounts)


def test_one_target_is_planned_from_what_its_gateway_lists(project: Project) -> None:
    empty = plan_target.read_environment(project, "local", target())
    assert [(type(c), c.key) for c in empty.changes] == [(Create, "std")]
    assert not empty.problems
    matching = stripe_config("bpc_1", "std", name="Standard")
    matching["features"]["invoice_history"]["enabled"] = True
    gateway = target(matching)
    in_sync = plan_target.read_environment(project, "local", gateway)
    assert in_sync.changes == () and in_sync.in_sync == (("std", "bpc_1"),)
    assert gateway.lists == 1  # one listing, nothing else read


def test_a_fleet_is_one_plan_per_account_in_fleet_order(project: Project) -> None:
    result = fanout.plan_all(project, {"tenants": fleet()})
    assert [e.account for e in result.envs] == list(ACCOUNTS)
    assert all([c.key for c in e.changes] == ["std"] for e in result.envs)
    assert all(c.account == e.account for e in result.envs for c in e.changes)
    assert result.fleet_sizes == {"tenants": 3}


def test_an_account_that_fails_is_its_own_problem_and_the_others_are_planned(
    project: Project,
) -> None:
    revoked = StripeFailure("no access to acct_2", "permission")
    result = fanout.plan_all(project, {"tenants": fleet(acct_2=revoked)})
    by_account = {e.account: e for e in result.envs}
    assert list(by_account) == list(ACCOUNTS)
    failed = by_account["acct_2"]
    assert failed.changes == ()
    assert [p.message for p in failed.problems] == [
        "account acct_2: the platform cannot act for this account (no access to acct_2): its "
        "connection may have been revoked. Reconnect it, or leave it out of the fleet "
        "(stripe_accounts); the other accounts are not held up by it"
    ]
    assert [c.key for c in by_account["acct_1"].changes] == ["std"]
    assert [c.key for c in by_account["acct_3"].changes] == ["std"]
    assert result.has_problems


def test_a_failure_every_account_would_meet_ends_the_run(project: Project) -> None:
    rejected = StripeFailure("Invalid API Key provided", "authentication")
    with pytest.raises(StripeFailure, match="Invalid API Key") as raised:
        fanout.plan_all(project, {"tenants": fleet(acct_1=rejected)}, selection=Selection())
    assert raised.value.kind == "authentication"


def test_when_no_account_answers_in_time_the_run_stops(project: Project) -> None:
    slow = {a: StripeFailure(f"{a} sent no answer in time", "slow") for a in ACCOUNTS}
    with pytest.raises(StripeFailure, match="no account of the fleet answered") as raised:
        fanout.plan_all(project, {"tenants": fleet(**slow)}, selection=Selection(parallelism=1))
    assert raised.value.kind == "connection"


def test_a_narrowed_run_plans_only_its_accounts_of_the_whole_fleet(project: Project) -> None:
    result = fanout.plan_all(project, {"tenants": fleet()}, selection=Selection(("acct_3",)))
    assert [e.account for e in result.envs] == ["acct_3"]
    assert result.fleet_sizes == {"tenants": 3}  # the whole fleet, for the output


def test_an_account_the_fleet_does_not_hold_is_refused(project: Project) -> None:
    with pytest.raises(PortalConfigError, match="--accounts acct_9: no fleet"):
        fanout.plan_all(project, {"tenants": fleet()}, selection=Selection(("acct_9",)))


def test_a_fleet_plan_not_saved_keeps_per_account_only_its_plan(project: Project) -> None:
    # issue 24: memory per account. A saved plan fingerprints what each account listed; one
    # that is only shown keeps the account's plan (changes, in sync, unmanaged), not what it
    # was made from.
    in_sync = stripe_config("bpc_1", "std", env="tenants", name="Standard")
    in_sync["features"]["invoice_history"]["enabled"] = True
    other = stripe_config("bpc_2", name="Made elsewhere")
    accounts = {a: FakeGateway([dict(in_sync), dict(other)]) for a in ACCOUNTS}
    platform = FakeGateway([], "tenants", accounts=accounts)

    shown = fanout.plan_all(project, {"tenants": platform}, slim=True)
    assert [e.in_sync for e in shown.envs] == [(("std", "bpc_1"),)] * 3
    assert [e.unmanaged for e in shown.envs] == [(("bpc_2", "Made elsewhere", None),)] * 3
    assert all(e.bindings == () and e.listed == () for e in shown.envs)

    saved = fanout.plan_all(project, {"tenants": platform})
    assert all(len(e.listed) == 2 for e in saved.envs)


def test_an_organization_keys_mode_is_read_from_the_balance_only_before_a_write(
    project: Project,
) -> None:
    # nothing else answered and the plan writes: one balance read confirms the mode
    empty = target()
    assert not plan_target.read_environment(project, "shop", empty).problems
    assert empty.balances == 1
    # a plan that writes nothing, a configuration that answered, a key that says its mode: none
    for env, gateway, keys in (
        ("shop", target(), set()),
        ("shop", target(stripe_config("bpc_1", "other")), None),
        ("local", target(), None),
    ):
        plan_target.read_environment(project, env, gateway, keys=keys)
        assert gateway.balances == 0, env
    live = FakeGateway([], "shop", mode="live")
    live.prices = {}
    (problem,) = plan_target.read_environment(project, "shop", live).problems
    assert "Stripe answered with a live mode balance" in problem.message
