"""A fleet environment planned: its accounts found (named in the project file, in a file of IDs,
or the platform's connected accounts kept by metadata), narrowed (`--accounts`, `--shard`), then
each account planned on its own, side by side, every request under the run's one rate limit.

One account's failure (a revoked connection answers 403, a variable its object lacks, answers
that do not come within --timeout) is that account's EnvPlan's problem, named by its ID with what
to do; the other accounts are planned.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, TypeVar

from .. import defaults, progress
from ..errors import FailureKind, PortalConfigError, Problem, StripeFailure
from ..jsontypes import Data
from ..planning.plan import EnvPlan
from ..project import config, fleet_accounts, fleet_config, spec
from ..stripe_api.gateway import Gateway
from . import plan_target

# A `slow` account (no complete answer within --timeout) fails alone, unless the first this many
# accounts to end (at least as many as run side by side) were all slow: then no account answers,
# the network is at fault, and the run stops rather than wait a timeout for each account.
STALLED_RUN = 3
T = TypeVar("T")


@dataclass(frozen=True)
class Selection:
    """Which of a fleet's accounts this run takes: `--accounts` (none: all), `--shard I/N`."""

    accounts: tuple[str, ...] = ()
    shard: tuple[int, int] | None = None
    parallelism: int = defaults.PARALLELISM

    @property
    def narrows(self) -> bool:
        return bool(self.accounts or self.shard)


@dataclass(frozen=True)
class Member:
    """One account of the fleet, and its object when it was read (for `${account.*}`)."""

    id: str
    account: Mapping[str, Any] | None = None


def members(
    env: spec.Environment, platform: Gateway, selection: Selection
) -> tuple[list[Member], list[str], int]:
    """The fleet's accounts this run takes, in the order the project (or Stripe) lists them;
    the `--accounts` IDs the fleet does not hold; and how many accounts the whole fleet has.
    A platform list that keeps no account is refused: a drift check of no account would pass."""
    spec = env.accounts
    assert spec is not None
    if spec.connected:
        connected = platform.list_connected_accounts()
        listed = fleet_accounts.select_accounts(connected, spec.metadata)
        if not listed:
            where = f"{env.location}: "  # the environment whose stripe_accounts this is
            raise PortalConfigError(where + _empty_fleet(env.name, len(connected), spec.metadata))
        found = [Member(str(a["id"]), a) for a in listed]
    else:
        found = [Member(account_id) for account_id in spec.ids]
    ids, unknown = [m.id for m in found], list[str]()
    if selection.accounts:
        ids, unknown = fleet_accounts.narrow(ids, selection.accounts)
    if selection.shard:
        ids = fleet_accounts.shard(ids, *selection.shard)
    kept = set(ids)
    return [m for m in found if m.id in kept], unknown, len(found)


def _empty_fleet(name: str, connected: int, metadata: Mapping[str, str]) -> str:
    if not connected:
        return (
            f"environment '{name}': the platform has no connected accounts, so the fleet "
            "(stripe_accounts: {connected: all}) is empty: connect accounts first, or check "
            "that the key is the platform's"
        )
    wanted = ", ".join(f"{k}: {v}" for k, v in metadata.items())
    return (
        f"environment '{name}': none of the platform's {connected} connected accounts has the "
        f"metadata stripe_accounts asks for ({{{wanted}}}), so the fleet is empty: check the "
        "filter against the accounts' metadata"
    )


def checked_configs(
    project: spec.Project,
    environment: spec.Environment,
    account_id: str,
    checked: Mapping[str, Mapping[str, Data]] | None = None,
) -> tuple[list[spec.DesiredConfig], dict[str, list[Problem]]]:
    """One account's configurations, every file's (so each is matched, and none pruned), and
    the problems of those left out, by key: a variable the account lacks, or a value of the
    account that Stripe or the rules refuse (known only now, so checked as validate would:
    the schema only where the account's values are, given `checked`: config.checked_params)."""
    chosen, left_out = [], {}
    for f in project.files:
        if environment.name not in f.environments:
            continue
        resolved = config.resolve(f, environment, (checked or {}).get(f.key))
        missing = fleet_config.missing_problems(account_id, f.document, environment.vars)
        found = missing or [p for p in resolved.problems if p.level == "error"]
        if found:
            left_out[f.key] = sorted(found)
        chosen.append(resolved.desired)
    return sorted(chosen, key=lambda d: d.key), left_out


def failure_message(
    account_id: str, exc: StripeFailure, gateway: Gateway, environment: spec.Environment
) -> str:
    """What one account's failure says: its ID, and what to do (an organization's account is
    no platform's connected one: nothing was connected, so nothing can be reconnected)."""
    if exc.kind is FailureKind.PERMISSION and environment.organization_fleet:
        return (
            f"account {account_id}: the organization key cannot act for this account "
            f"({gateway.stripe_message(exc)}): check that it is one of the organization's "
            "accounts and that the key may reach it, or leave it out of the fleet "
            "(stripe_accounts); the other accounts are not held up by it"
        )
    if exc.kind is FailureKind.PERMISSION:
        return (
            f"account {account_id}: the platform cannot act for this account "
            f"({gateway.stripe_message(exc)}): its connection may have been revoked. "
            "Reconnect it, or leave it out of the fleet (stripe_accounts); the other accounts "
            "are not held up by it"
        )
    return f"account {account_id}: {exc}"


def member_environment(
    project: spec.Project, env_name: str, platform: Gateway, member: Member
) -> spec.Environment:
    """The fleet environment as this account sees it (`${account.*}`); its object is read only
    when a file needs more of it than its ID. Raises StripeFailure when that read fails."""
    account = member.account
    if account is None and any(
        fleet_config.needs_account_object(f.document.data)
        for f in project.files
        if env_name in f.environments
    ):
        account = platform.retrieve_account(member.id)
    return fleet_config.account_environment(project.environments[env_name], member.id, account)


def plan_account(
    project: spec.Project,
    env_name: str,
    platform: Gateway,
    member: Member,
    *,
    prune: bool = False,
    adopt: bool = False,
    keys: Collection[str] | None = None,
    checked: Mapping[str, Mapping[str, Data]] | None = None,
    slim: bool = False,
    named: int | None = None,
) -> EnvPlan:
    """One account's plan; raises its StripeFailure (side_by_side says whose it is)."""
    gateway = platform.for_account(member.id)
    environment = member_environment(project, env_name, platform, member)
    files, left_out = checked_configs(project, environment, member.id, checked)
    result = plan_target.read_environment(
        project,
        env_name,
        gateway,
        prune=prune,
        adopt=adopt,
        partial=True,
        keys=keys,
        files=files,
        left_out=left_out,
        slim=slim,
        named=named,
    )
    return result.of_account(member.id)


def plan_fleet(
    project: spec.Project,
    env_name: str,
    platform: Gateway,
    selection: Selection,
    *,
    prune: bool = False,
    adopt: bool = False,
    keys: Collection[str] | None = None,
    slim: bool = False,
    named: int | None = None,
) -> tuple[list[EnvPlan], list[str], int]:
    """Every account of the fleet this run takes, planned side by side, in fleet order; the
    `--accounts` IDs this fleet does not hold; and the whole fleet's size. An account's own
    failure is its EnvPlan's problem; the other accounts are planned. `slim`, `named`: the plan
    is only shown (plan_target.read_environment, EnvPlan.of_account)."""
    env = project.environments[env_name]
    chosen, unknown, size = members(env, platform, selection)
    checked = config.checked_params(project, env)  # once for the fleet, not per account

    def job(member: Member) -> EnvPlan:
        try:
            return plan_account(
                project,
                env_name,
                platform,
                member,
                prune=prune,
                adopt=adopt,
                keys=keys,
                checked=checked,
                slim=slim,
                named=named,
            )
        finally:
            progress.account_planned()  # the status line's count, on a terminal

    def failed(member: Member, exc: StripeFailure) -> EnvPlan:
        # located where the fleet names the account: its list item, or its line in the file of IDs
        where = env.accounts.where.get(member.id) if env.accounts else None
        problem = Problem(where or env.location, failure_message(member.id, exc, platform, env))
        return EnvPlan(env_name, env.mode, problems=(problem,), account=member.id)

    return side_by_side(chosen, selection.parallelism, job, failed), unknown, size


class _Stalls:
    """Whether any account has answered, and how many ended slow before one did."""

    def __init__(self, limit: int):
        self._limit, self._slow, self._answered = limit, 0, False
        self._lock = threading.Lock()

    def answered(self) -> None:
        with self._lock:
            self._answered = True

    def slow(self, exc: StripeFailure) -> None:
        """Raises the run's failure once `limit` accounts were slow and none answered."""
        with self._lock:
            self._slow += 1
            if self._answered or self._slow < self._limit:
                return
        raise StripeFailure(
            f"no account of the fleet answered: the first {self._slow} each sent no complete "
            f"answer in time, so the network (or api_base) is at fault; the last: {exc}",
            FailureKind.CONNECTION,
        ) from exc


def side_by_side(
    chosen: Sequence[Member],
    parallelism: int,
    read: Callable[[Member], T],
    failed: Callable[[Member, StripeFailure], T],
) -> list[T]:
    """`read` of each account, at most `parallelism` at once, in the accounts' order. A
    StripeFailure `read` raises is that account's (`failed` says it) and the others go on;
    one every account would meet (FailureKind.stops_the_run: the network, the key; or no
    account answering in time) ends the run at once: the accounts not yet started are not
    tried, those under way finish."""
    if not chosen:
        return []
    stalls = _Stalls(max(parallelism, STALLED_RUN))

    def attempt(member: Member) -> T:
        try:
            value = read(member)
        except StripeFailure as exc:
            if exc.kind.stops_the_run(fleet_account=True):
                raise  # every account would meet it: the run's failure, said once
            if exc.kind is FailureKind.SLOW:
                stalls.slow(exc)
            else:
                stalls.answered()
            return failed(member, exc)
        stalls.answered()
        return value

    with ThreadPoolExecutor(max_workers=min(parallelism, len(chosen))) as pool:
        futures = [pool.submit(attempt, member) for member in chosen]
        wait(futures, return_when=FIRST_EXCEPTION)
        if any(f.done() and f.exception() for f in futures):
            for future in futures:
                future.cancel()
        return [f.result() for f in futures if not f.cancelled()]


def refuse_unknown(unknown_per_fleet: Sequence[list[str]]) -> None:
    """`--accounts` IDs that no fleet of the run holds (a typo, or an account its selection
    leaves out) are refused: a run that silently plans nothing for them would look clean."""
    if not unknown_per_fleet:
        return
    everywhere = set.intersection(*(set(u) for u in unknown_per_fleet))
    missing = [a for a in unknown_per_fleet[0] if a in everywhere]
    if missing:
        raise PortalConfigError(
            f"--accounts {missing[0]}: no fleet of the chosen environments holds this "
            "account: check the ID, and the fleet's stripe_accounts (its metadata filter)"
        )
