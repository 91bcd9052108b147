"""`portal-config doctor` over a fleet environment: the checks doctor makes for one environment,
made in each account of the fleet this run takes, as that account sees them (Stripe-Account, its
own `${account.*}`), side by side through the platform's one connection and rate limit.

The fleet's own findings (a broken file, a refused key, a failed list of connected accounts)
are said once, not per account. An account doctor cannot read (a revoked connection answers
403) is a failed account, named by its ID with what to do; the other accounts are still checked.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..errors import FailureKind, Problem, StripeFailure
from ..jsontypes import Data
from ..pipeline import fleet_plan, fleet_read
from ..project import config, fleet_config, spec
from ..stripe_api.gateway import Gateway
from .judge import judge, judge_key, judge_loading
from .observation import Finding, Observation, exit_code, failed
from .read import failure, opened, read

HEALTHY, WITH_FINDINGS, FAILED = "healthy", "with_findings", "failed"


def worst(codes: Iterable[int]) -> int:
    """The worst of several exit codes: a problem (1) over warnings (2) over all ok (0)."""
    found = set(codes)
    return 1 if 1 in found else 2 if 2 in found else 0


@dataclass(frozen=True)
class AccountFindings:
    account: str
    findings: list[Finding]
    failed: bool = False  # doctor could not read the account (a revoked connection: 403)

    @property
    def status(self) -> str:
        return FAILED if self.failed else WITH_FINDINGS if exit_code(self.findings) else HEALTHY


@dataclass(frozen=True)
class FleetFindings:
    env: str
    mode: str
    findings: list[Finding]  # the fleet's own, said once
    accounts: list[AccountFindings]  # in fleet order

    @property
    def exit_code(self) -> int:
        return worst([exit_code(self.findings), *(exit_code(a.findings) for a in self.accounts)])

    def count(self, status: str) -> int:
        return sum(1 for a in self.accounts if a.status == status)


@dataclass(frozen=True)
class Asked:
    """What doctor was asked besides the fleet: the customer (one account's) and its sessions."""

    customer: str | None = None
    allow_live: bool = False
    show_url: bool = False
    flow: str | None = None  # --flow: a deep link's flow type to check in each account
    flow_price: str | None = None  # --price: the price its subscription_update_confirm offers


def examine_fleet(
    project: spec.Project,
    env_name: str,
    selection: fleet_plan.Selection,
    asked: Asked,
    problems: Sequence[Problem] = (),
    timeout: float | None = None,
    max_rps: float | None = None,
) -> FleetFindings:
    """Every account of the fleet this run takes, examined and judged; `problems`: the files'
    own errors (doctor.load), the fleet's findings."""
    env = project.environments[env_name]
    platform_obs = Observation(env=env, load_problems=list(problems))
    with opened(platform_obs, timeout, max_rps) as platform:
        findings = judge_loading(platform_obs)
        if platform is None:
            return FleetFindings(env_name, env.space, judge_key(platform_obs) + findings, [])
        checked = config.checked_params(project, env)  # once for the fleet, as plan's
        examine = functools.partial(_examine_account, project, env_name, platform, asked, checked)
        unread = functools.partial(_unread_account, env, platform)
        try:
            accounts = fleet_read.each_account(env, platform, selection, examine, unread)
        except StripeFailure as exc:  # listing the accounts, or one every account would meet
            platform_obs.list_failure = failure(platform, exc)
            listing = (
                judge_key(platform_obs)
                if exc.kind is FailureKind.AUTHENTICATION
                else [
                    failed(
                        "accounts",
                        "reading the fleet's connected accounts",
                        platform_obs.list_failure,
                    )
                ]
            )
            return FleetFindings(env_name, env.space, listing + findings, [])
    return FleetFindings(env_name, env.space, findings, accounts)


def _examine_account(
    project: spec.Project,
    env_name: str,
    platform: Gateway,
    asked: Asked,
    checked: Mapping[str, Mapping[str, Data]],
    member: fleet_plan.Member,
) -> AccountFindings:
    """One account's findings; raises the StripeFailure of its first reads (the account's own,
    or the run's: fleet_plan.side_by_side)."""
    gateway = platform.for_account(member.id)
    environment = fleet_plan.member_environment(project, env_name, platform, member)
    configurations = gateway.list_configurations()  # the first request to the account
    obs = Observation(
        env=environment,
        customer_id=asked.customer,
        allow_live=asked.allow_live,
        key_kind=platform.key_kind,
        flow=asked.flow,
        flow_price=asked.flow_price,
    )
    own = fleet_plan.checked_configs(project, environment, member.id, checked)
    read(obs, project, gateway, configurations, own)
    return AccountFindings(member.id, judge(obs, asked.show_url))


def _unread_account(
    env: spec.Environment, platform: Gateway, member: fleet_plan.Member, exc: StripeFailure
) -> AccountFindings:
    """An account doctor could not read: a failed account, named by its ID with what to do."""
    if exc.kind is FailureKind.PERMISSION:
        message = fleet_plan.failure_message(member.id, exc, platform, env)
        return AccountFindings(member.id, [Finding("account", "problem", message)], True)
    unread = Observation(
        env=fleet_config.account_environment(env, member.id, member.account),
        key_kind=platform.key_kind,
        list_failure=failure(platform, exc),
    )
    return AccountFindings(member.id, judge_key(unread), True)
