"""doctor's checks of each file's configuration: present, active, in sync (or its file gone)."""

from __future__ import annotations

from ..errors import Location
from ..planning.changes import Change
from ..planning.match import Binding, Status
from .observation import Finding, Observation, failed


def _judge_binding(
    b: Binding, change: Change | None, compared: bool, obs: Observation
) -> list[Finding]:
    """One file's configuration (or one whose file is gone), by its status."""
    check, fix = f"configuration {b.key}", f"`portal-config apply {obs.env_option}`"
    if b.status is Status.PROBLEM:
        pin = b.desired.pinned_id if b.desired else None
        other = obs.pinned_other_mode.get(pin or "")
        if other and b.problem:
            return [_pinned_in_the_other_mode(b.problem.location, pin or "", other, obs)]
        return [
            Finding(
                "configuration",
                "problem",
                str(b.problem),
                f"then run `portal-config plan {obs.env_option}` to check",
            )
        ]
    if b.status is Status.FILE_GONE:
        return [
            Finding(
                check,
                "warning",
                f"{b.config_id} is still active but no file describes it any more",
                f"{fix[:-1]} --prune` deactivates it, or restore its file",
            )
        ]
    if b.status is Status.MISSING:
        return [
            Finding(
                check,
                "problem",
                f"{b.file} has no configuration in {obs.where} yet: sessions cannot use it",
                f"run {fix}",
            )
        ]
    if b.status is Status.RETIRED:
        if b.obj is not None and b.obj.active:
            return [
                Finding(
                    check,
                    "warning",
                    f"{b.config_id} is active, but {b.file} retires it (active: false)",
                    f"{fix} deactivates it",
                )
            ]
        return []
    if b.status not in (Status.ACTIVE, Status.INACTIVE):
        return []
    findings = []
    if b.status is Status.INACTIVE:
        findings.append(
            Finding(
                check,
                "problem",
                f"{b.config_id} is inactive: portal sessions created with it fail",
                f"{fix} reactivates it (the file wants it active)",
            )
        )
    paths = [f.path for f in change.fields if f.path != "active"] if change else []
    if not compared:
        if b.status is Status.ACTIVE:
            findings.append(
                Finding(
                    check,
                    "ok",
                    f"{b.config_id} exists and is active (its "
                    "fields are compared once the files are fixed)",
                )
            )
    elif paths:
        shown = ", ".join(paths[:4]) + (f" and {len(paths) - 4} more" if len(paths) > 4 else "")
        findings.append(
            Finding(
                check,
                "warning",
                f"{b.config_id} differs from {b.file} in {len(paths)} field(s): {shown}",
                f"review with `portal-config "
                f"plan {obs.env_option}`; apply restores the file, or copy Stripe's "
                "values into the file",
            )
        )
    elif b.status is Status.ACTIVE:
        findings.append(
            Finding(check, "ok", f"{b.config_id} exists, is active and matches {b.file}")
        )
    return findings


def _pinned_in_the_other_mode(where: Location, pin: str, other: str, obs: Observation) -> Finding:
    """`ids:` pins a configuration Stripe says exists in the other mode: a live/test mix-up."""
    mode = obs.mode
    return Finding(
        "configuration",
        "problem",
        f"{where}: {pin} is a {other}-mode configuration pinned in a {mode}-mode environment "
        f"('{obs.where}'): Stripe says a similar object exists in {other} mode, so sessions "
        "created with it fail",
        f"pin this environment's own {mode} mode configuration (`portal-config ids "
        f"{obs.env_option}` lists them), or remove the pin and apply",
    )


def judge_files(obs: Observation) -> list[Finding]:
    """Each file's configuration: present, active, in sync (a drift summary)."""
    # A fleet's account's file is left out of that account's plan; one environment's refuses.
    held = "leave the file out in this account" if obs.account else "refuse"
    findings = [
        Finding(
            "files",
            "problem",
            problem,
            f"fix this first: until then plan and apply {held}, and doctor cannot compare the "
            "files' fields with Stripe",
        )
        for problem in obs.file_problems
    ]
    if obs.read_failure:
        findings.append(failed("files", "reading what the files refer to", obs.read_failure))
    changes = {c.key: c for c in obs.plan.changes} if obs.plan else {}
    for b in obs.bindings:
        findings += _judge_binding(b, changes.get(b.key), obs.plan is not None, obs)
    return findings
