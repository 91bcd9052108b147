"""Executes a Plan through the gateway, one write per change (up to N side by side in an
environment), and records what was and was not done in an ApplyReport, in plan order
(render/apply_report.py words it).

Before each write the configuration is read again: if it changed since it was planned, it is not
written (no silent revert of a change made in between). Writes carry idempotency keys derived from
the change (changes.Change.idempotency_key), so re-running an interrupted apply never duplicates.
A failure on Stripe's side (a 5xx, rate limits, an answer that cannot be read) costs only its own
change: the others still go ahead, so repeated runs converge. A failure every request would meet
(the network, the key, the run's time) stops the apply there.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from ..concurrency import Outcome, SideBySide
from ..errors import FailureKind, StripeFailure
from ..planning.changes import Change, Create
from ..planning.plan import Plan
from ..portal.configuration import Configuration
from ..progress import change_finished
from ..stripe_api.gateway import Gateway
from .recheck import Arrivals
from .write import (
    Meanwhile,
    check_created,
    record_login_page,
    settle_defaults,
    still_as_planned,
    unconfirmed_fields,
    write_once,
)


@dataclass
class ApplyReport:
    done: list[tuple[Change, str]] = field(default_factory=list)  # (change, configuration id)
    changed_meanwhile: list[Change] = field(default_factory=list)
    refused: list[Change] = field(default_factory=list)  # the default or another app's
    rejected: list[tuple[Change, str]] = field(default_factory=list)  # Stripe said no: why
    # Written, but Stripe's answer holds other values for these fields than were sent.
    unconfirmed: list[tuple[Change, list[str]]] = field(default_factory=list)
    # Not written: Stripe failed (5xx, rate limits) or answered the re-read unreadably.
    not_written: list[tuple[Change, str]] = field(default_factory=list)
    # Sent, but the answer was lost or unreadable: it may or may not have been written.
    uncertain: list[tuple[Change, str]] = field(default_factory=list)
    failed: tuple[Change, str] | None = None  # stopped here: network, key, the run's time
    # Other changes that failed while side by side with the first failure.
    also_failed: list[tuple[Change, str]] = field(default_factory=list)
    not_run: list[Change] = field(default_factory=list)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not (
            self.changed_meanwhile
            or self.refused
            or self.rejected
            or self.failed
            or self.also_failed
            or self.not_run
            or self.unconfirmed
            or self.not_written
            or self.uncertain
        )


def _apply_one(
    change: Change,
    gateway: Gateway,
    project: str,
    arrivals: Arrivals,
    report: ApplyReport,
    progress: Callable[[str], None],
    listed: frozenset[str] = frozenset(),
) -> bool:
    """One change, recorded in the report (`listed`: the IDs its account's plan listed). False:
    stop here (the network failed, the key was refused or the run's time is spent: the rest
    would fail too). A request Stripe rejects or fails on its side is recorded and the rest
    still applies."""
    try:
        if not still_as_planned(change, gateway, project, arrivals):
            raise Meanwhile
        answer = write_once(change, gateway, project, arrivals)
        if isinstance(change, Create):
            check_created(change, answer, project, listed)
    except Meanwhile:
        report.changed_meanwhile.append(change)
        progress(
            f"  ! {change.key} ({change.config_id or 'new'}) in {change.where} "
            f"{change.meanwhile}: not written"
        )
        return True
    except StripeFailure as exc:
        if exc.kind.stops_the_run(fleet_account=bool(change.account)):
            report.failed = (change, str(exc))
            return False
        if exc.kind is FailureKind.DEFAULT_REFUSED:
            report.refused.append(change)
            progress(
                f"  ! {change.key} ({change.config_id}) in {change.where}: Stripe refused the "
                "change (the default configuration, or another application's)"
            )
            return True
        # Stripe refused this request (or, for a fleet's account, the platform may not act for
        # it): rejected; one that failed on Stripe's side or in transit: not written, or uncertain.
        lost = (
            (report.uncertain if exc.kind.uncertain else report.not_written)
            if exc.kind.one_change_only
            else report.rejected
        )
        lost.append((change, str(exc)))
        progress(f"  ! {change.key} ({change.config_id or 'new'}) in {change.where}: {exc}")
        return True
    config_id = str(answer.get("id") or change.config_id)
    report.done.append((change, config_id))
    progress(f"  {change.key} ({config_id}) in {change.where}: {change.past}")
    unsettled: list[str] = []
    if isinstance(change, Create):
        answer, unsettled = settle_defaults(change, answer, gateway, project)
    answer = record_login_page(change, answer, gateway, project)
    differing = unconfirmed_fields(change, answer) + unsettled
    if differing:
        report.unconfirmed.append((change, differing))
        progress(
            f"  ! {change.key} ({config_id}) in {change.where}: Stripe's answer holds other "
            f"values than were written for {', '.join(differing)}"
        )
    return True


class _Stopped(Exception):
    """The run was stopped after this change's re-read: its write was never sent."""


class _StopBeforeWrite:
    """The environment's gateway, refusing to start a write once the run is stopped (Ctrl-C,
    or a failure elsewhere): a change re-read but not yet written is simply not run."""

    def __init__(self, gateway: Gateway, stop: threading.Event):
        self._gateway, self._stop = gateway, stop

    def __getattr__(self, name: str) -> object:  # the reads, as the gateway has them
        return getattr(self._gateway, name)

    def create_configuration(self, params: dict[str, Any], idempotency_key: str) -> Configuration:
        if self._stop.is_set():
            raise _Stopped
        return self._gateway.create_configuration(params, idempotency_key)

    def update_configuration(
        self, config_id: str, params: dict[str, Any], idempotency_key: str
    ) -> Configuration:
        if self._stop.is_set():
            raise _Stopped
        return self._gateway.update_configuration(config_id, params, idempotency_key)


@dataclass
class _Done:
    """One change's share of the report and its progress lines, merged in plan order."""

    report: ApplyReport
    lines: list[str]
    go_on: bool


def _merge(into: ApplyReport, part: ApplyReport) -> None:
    """One change's report into the run's: every list, whatever fields the report grows."""
    for name in (f.name for f in dataclasses.fields(ApplyReport)):
        value = getattr(part, name)
        if isinstance(value, list):
            getattr(into, name).extend(value)
    into.interrupted |= part.interrupted
    if part.failed is not None:
        if into.failed is None:
            into.failed = part.failed
        else:
            into.also_failed.append(part.failed)


IN_DOUBT = "interrupted (Ctrl-C) during this write: it may or may not have reached Stripe"


def _fail(report: ApplyReport, change: Change, reason: str) -> None:
    _merge(report, ApplyReport(failed=(change, reason)))


def _record(
    change: Change,
    outcome: Outcome[_Done] | None,
    report: ApplyReport,
    progress: Callable[[str], None],
) -> None:
    if outcome is None:  # left in flight by a second Ctrl-C
        _fail(report, change, IN_DOUBT)
    elif not outcome.started or isinstance(outcome.error, _Stopped):
        report.not_run.append(change)
    elif isinstance(outcome.error, KeyboardInterrupt):
        report.interrupted = True
        _fail(report, change, IN_DOUBT)
    elif outcome.error is not None:
        raise outcome.error
    else:
        assert outcome.value is not None
        _merge(report, outcome.value.report)
        for line in outcome.value.lines:
            progress(line)


@dataclass(frozen=True)
class _Target:
    """Where one change is written: its account's gateway, that account's arrivals, and the
    IDs its plan listed there."""

    gateway: Gateway
    arrivals: Arrivals
    listed: frozenset[str] = frozenset()


def _apply_group(
    work: list[tuple[Change, _Target]],
    project: str,
    report: ApplyReport,
    progress: Callable[[str], None],
    parallelism: int,
) -> bool:
    """One environment's changes (a fleet's: all its accounts'), up to `parallelism` side by
    side (each its re-read, then its write); results and progress lines in plan order. False:
    the run stops here."""
    stop = threading.Event()
    guarded = {id(t): cast(Gateway, _StopBeforeWrite(t.gateway, stop)) for _, t in work}

    def job(change: Change, target: _Target) -> _Done:
        part, lines = ApplyReport(), list[str]()
        try:
            gateway = guarded[id(target)]
            go_on = _apply_one(
                change, gateway, project, target.arrivals, part, lines.append, target.listed
            )
        finally:
            change_finished()  # the status line's count (progress.py)
        return _Done(part, lines, go_on)

    changes = [change for change, _ in work]
    runner = SideBySide(
        [functools.partial(job, c, t) for c, t in work],
        parallelism,
        stops=lambda done: not done.go_on,
        stop=stop,
    )
    index, interrupts = 0, 0
    while index < len(changes):
        try:
            outcome = runner.outcome(index, wait=interrupts < 2)
            index += 1
            _record(changes[index - 1], outcome, report, progress)
        except KeyboardInterrupt:
            interrupts += 1
            stop.set()
            report.interrupted = True
            if interrupts == 1:
                progress(
                    "  Ctrl-C: stopping once the writes in flight are done (Ctrl-C again "
                    "to stop at once)"
                )
    return not runner.stop.is_set()


def _groups(plan: Plan, gateways: dict[str, Gateway]) -> list[list[tuple[Change, _Target]]]:
    """The plan's changes by environment, in plan order; a fleet's accounts are one group (so
    they are written side by side), each change with its own account's gateway."""
    groups: dict[str, list[tuple[Change, _Target]]] = {}
    for env in plan.envs:
        if not env.changes:
            continue
        gateway = gateways[env.env]
        if env.account is not None:
            gateway = gateway.for_account(env.account)
        # A plan read now holds what it listed; one loaded from a file, their fingerprints.
        listed = {str(c["id"]) for c in env.listed} | set(env.saved_fingerprints or ())
        target = _Target(gateway, Arrivals(gateway, env.newest_id), frozenset(listed))
        groups.setdefault(env.env, []).extend((c, target) for c in env.changes)
    return list(groups.values())


def apply_plan(
    plan: Plan, gateways: dict[str, Gateway], progress: Callable[[str], None], parallelism: int = 1
) -> ApplyReport:
    """Environments in plan order; in each, up to `parallelism` changes side by side (a fleet's
    accounts side by side too). A failure every request would meet (or Ctrl-C) starts nothing
    more: what was in flight finishes and is reported as it ended."""
    report = ApplyReport()
    going = True
    for work in _groups(plan, gateways):
        if not going:
            report.not_run += [change for change, _ in work]
            continue
        going = _apply_group(work, plan.project, report, progress, parallelism)
    return report
