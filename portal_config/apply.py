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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from .arrivals import Arrivals
from .changes import Change, Create, Deactivate
from .errors import StripeFailure
from .gateway import Gateway
from .match import identity_of
from .plan import Plan, current_state, fingerprint
from .progress import change_finished
from .sidebyside import Outcome, SideBySide


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


class _Meanwhile(Exception):
    """What the change was to do happened meanwhile, or the configuration changed: not written."""


def _identity(change: Change, project: str) -> tuple[str | None, ...]:
    return (project, change.env, change.key)


def _existing_id(change: Change) -> str:
    # Every change but a create names its configuration: plan.py sets it, a saved plan keeps it.
    return cast(str, change.config_id)


def _still_as_planned(change: Change, gateway: Gateway, project: str, arrivals: Arrivals) -> bool:
    """Read Stripe just before the write: no silent revert of a change made in between, no
    second configuration for an identity that appeared meanwhile (asking only for what was
    created since the plan: arrivals.py), no deactivation of what prune must never touch (a
    saved plan file could have been edited)."""
    if isinstance(change, Create):
        return not arrivals.holds(_identity(change, project))
    now = gateway.retrieve_configuration(_existing_id(change))
    if isinstance(change, Deactivate):
        # Never the default; a prune (no file asks for it) only what this project created here.
        if now.get("is_default") or (
            change.pruned and identity_of(now)[:2] != (project, change.env)
        ):
            return False
    return fingerprint(now) == change.fingerprint


def _update(change: Change, gateway: Gateway, idempotency_key: str) -> dict[str, Any]:
    """The write to an existing configuration, and Stripe's answer: the configuration as it
    now is."""
    answer: dict[str, Any] = gateway.update_configuration(
        _existing_id(change), dict(change.params), idempotency_key
    )
    return answer


# How many of an identity's create keys apply may find spent (each by a failed create Stripe
# keeps for 24 hours) before it gives up: far more than a day of edits after failed creates.
CREATE_GENERATIONS = 10


def _create(change: Create, gateway: Gateway, project: str, arrivals: Arrivals) -> dict[str, Any]:
    """The create, under its identity's key (Create.idempotency_key). A key Stripe will not run
    again (its saved failure replayed, or an idempotency_error: another apply, or an earlier run
    with other content, used it) is given up only once a re-read shows no configuration with this
    identity; then the next generation's key, the one every other apply would use next. One
    that does show was created meanwhile: not created again."""
    failure: StripeFailure | None = None
    for generation in range(1, CREATE_GENERATIONS + 1):
        key = change.idempotency_key(project, generation)
        try:
            answer: dict[str, Any] = gateway.create_configuration(dict(change.params), key)
            return answer
        except StripeFailure as exc:
            if not (exc.replayed or exc.kind == "idempotency"):
                raise
            if arrivals.holds(_identity(change, project)):
                raise _Meanwhile from exc
            failure = exc
    assert failure is not None
    raise failure


def unconfirmed_fields(change: Change, answer: dict[str, Any]) -> list[str]:
    """The planned fields whose value in Stripe's answer is not the one written: the next plan
    would show them again (e.g. a field Stripe leaves out unless the request expands it)."""
    keys = [
        f.path.removeprefix("metadata.") for f in change.fields if f.path.startswith("metadata.")
    ]
    state = current_state(answer, keys)
    return [f.path for f in change.fields if state.get(f.path) != f.new]


def _write_once(
    change: Change, gateway: Gateway, project: str, arrivals: Arrivals
) -> dict[str, Any]:
    if isinstance(change, Create):
        return _create(change, gateway, project, arrivals)
    key = change.idempotency_key(project)
    try:
        return _update(change, gateway, key)
    except StripeFailure as exc:
        if not exc.replayed:
            raise
        # Stripe keeps a failed answer for its key for 24 hours, so the same key can never
        # succeed: this is a new attempt, with a key of its own, once Stripe shows the earlier
        # one left nothing behind.
        if not _still_as_planned(change, gateway, project, arrivals):
            raise
        return _update(change, gateway, f"{key}-{time.time_ns()}")


# Failures that concern one request only: the next change may well succeed (slow: a fleet's
# account that did not answer in time; its siblings may well).
ONE_CHANGE_FAILURES = ("server", "rate_limit", "malformed", "slow")


def _apply_one(
    change: Change,
    gateway: Gateway,
    project: str,
    arrivals: Arrivals,
    report: ApplyReport,
    progress: Callable[[str], None],
) -> bool:
    """One change, recorded in the report. False: stop here (the network failed, the key was
    refused or the run's time is spent: the rest would fail too). A request Stripe rejects or
    fails on its side is recorded and the rest still applies."""
    try:
        if not _still_as_planned(change, gateway, project, arrivals):
            raise _Meanwhile
        answer = _write_once(change, gateway, project, arrivals)
    except _Meanwhile:
        report.changed_meanwhile.append(change)
        progress(
            f"  ! {change.key} ({change.config_id or 'new'}) in {change.where} "
            f"{change.meanwhile}: not written"
        )
        return True
    except StripeFailure as exc:
        if exc.kind == "default_refused":
            report.refused.append(change)
            progress(
                f"  ! {change.key} ({change.config_id}) in {change.where}: Stripe refused the "
                "change (the default configuration, or another application's)"
            )
            return True
        # A fleet's account the platform cannot act for (403) costs only that account's changes.
        if exc.kind in ("refused", "missing", "idempotency") or (
            change.account and exc.kind == "permission"
        ):
            report.rejected.append((change, str(exc)))
            progress(f"  ! {change.key} ({change.config_id or 'new'}) in {change.where}: {exc}")
            return True
        if exc.kind in (*ONE_CHANGE_FAILURES, "uncertain"):
            lost = report.uncertain if exc.kind == "uncertain" else report.not_written
            lost.append((change, str(exc)))
            progress(f"  ! {change.key} ({change.config_id or 'new'}) in {change.where}: {exc}")
            return True
        report.failed = (change, str(exc))
        return False
    config_id = str(answer.get("id") or change.config_id)
    report.done.append((change, config_id))
    progress(f"  {change.key} ({config_id}) in {change.where}: {change.past}")
    differing = unconfirmed_fields(change, answer)
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

    def create_configuration(self, params: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        if self._stop.is_set():
            raise _Stopped
        return self._gateway.create_configuration(params, idempotency_key)

    def update_configuration(
        self, config_id: str, params: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
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
    """Where one change is written: its account's gateway, and that account's arrivals."""

    gateway: Gateway
    arrivals: Arrivals


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
            go_on = _apply_one(change, gateway, project, target.arrivals, part, lines.append)
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
        target = _Target(gateway, Arrivals(gateway, env.newest_id))
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
