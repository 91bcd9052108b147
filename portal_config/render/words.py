"""What a report compared, in words. A plan compares the files with Stripe; a diff compares the
files at a git revision with the working tree and never reads Stripe, so it must not speak of
it. Text and markdown take their headline and closing line from here. Decides nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..dashboard import labelled, portal_settings_url
from ..planning.plan import EnvPlan, Plan
from ..planning.shown import NAMED_UNCLAIMED, Unmanaged

PLAN_IN_SYNC = "No changes. Stripe matches the configuration files."


@dataclass(frozen=True)
class Wording:
    command: str  # plan | diff: the markdown's marker
    title: str  # the markdown's heading
    in_sync: str  # the closing line when nothing differs
    file_gone: str  # ... when only configurations whose file is gone differ
    rerun: str  # the command that shows everything, `{envs}` standing for `--env E ...`
    legend: str  # heads the text's legend of the symbols used
    compared: str | None = None  # one line saying what was compared (a diff's)
    drift: bool = False  # plan --detailed-exitcode: a plan that differs is headed "Drift: ..."


def plan_wording(drift: bool = False) -> Wording:
    return Wording(
        command="plan",
        title="portal-config plan",
        in_sync=PLAN_IN_SYNC,
        file_gone="No changes, but configurations whose file is gone are still active (see Notes).",
        rerun="portal-config plan {envs}",
        legend="portal-config will perform these actions",
        drift=drift,
    )


def diff_wording(rev: str) -> Wording:
    return Wording(
        command="diff",
        title=f"portal-config diff against {rev}",
        in_sync=f"No changes between {rev} and the working tree.",
        file_gone=f"No other changes between {rev} and the working tree, but files were "
        "removed (see Notes).",
        rerun=f"portal-config diff --base {rev} {{envs}}",
        legend=f"Changes from {rev} to the working tree",
        compared=f"Desired state at {rev} -> working tree, per environment (offline: Stripe was "
        "not read; lookup keys are not resolved).",
    )


PLAN = plan_wording()


def drift_headline(plan: Plan, wording: Wording) -> str | None:
    """`Drift: ...` naming the environments whose Stripe differs from the files, for a
    `plan --detailed-exitcode` that found a difference (the files are what is meant)."""
    if not wording.drift or not plan.differs:
        return None
    return f"Drift: Stripe differs from the configuration files in {places(plan)}."


def places(plan: Plan) -> str:
    """The environments that differ, a fleet as how many of its accounts do."""
    names = []
    for name in dict.fromkeys(e.env for e in plan.envs if e.differs):
        if name in plan.fleets:
            n = plan.fleet_counts(name)["with_changes"]
            name += f" ({n} of {plan.fleets[name]} accounts)"
        names.append(name)
    return ", ".join(names)


def fleet_lines(plan: Plan) -> list[str]:
    """One line per fleet: its accounts in sync, with changes, failed; the share of the fleet
    when --shard or --accounts took one."""
    lines = []
    for name, size in plan.fleets.items():
        n = plan.fleet_counts(name)
        whole = plan.fleet_sizes.get(name, size)
        share = f" (of {whole} in the fleet)" if whole != size else ""
        failed = f", {n['failed']} failed (see Problems)" if n["failed"] else ""
        others = sum(bool(e.unmanaged) for e in plan.envs if e.env == name and e.account)
        left = f" {others} hold configurations no file claims, left alone." if others else ""
        lines.append(
            f"Fleet {name}: {size} account(s){share}: {n['in_sync']} in sync, "
            f"{n['with_changes']} with changes{failed}.{left}"
        )
    return lines


def looks_like(env: str, key: str, config_id: str, mark: Callable[[str], str]) -> str:
    """How a plan points an unmanaged configuration to the file it looks like (match.look_alikes)
    rather than let the file's create beside it pass unsaid; `mark`: the format's code span."""
    return (
        f"looks like {mark(key)}: pin it with {mark(f'ids: {{{env}: {config_id}}}')} or run "
        f"{mark(f'import --env {env}')}"
    )


def closing_line(plan: Plan, wording: Wording) -> str:
    if plan.changes:
        n = plan.counts()
        line = "Plan: " + ", ".join(f"{number} to {kind}" for kind, number in n.items()) + "."
        if plan.has_problems:
            line += " Files with problems are left out (see Problems)."
        return line
    if plan.has_problems:
        gone = " (but see Notes: configurations whose file is gone)" if plan.differs else ""
        return f"No changes for the configurations that could be planned{gone}; see Problems."
    if plan.differs:
        return wording.file_gone
    return wording.in_sync


def history_unavailable(reason: str) -> str:
    """The note of a plan whose drift's history could not be read (the plan itself stands)."""
    return f"when and by whom the drift was made is unavailable (Stripe's events): {reason}"


def left_alone(alone: Sequence[Unmanaged], also: int, name: Callable[[Unmanaged], str]) -> str:
    """The note of the configurations no file claims: the first NAMED_UNCLAIMED, then a count
    of the rest; `also`: how many more the plan counted without keeping (shown.Unclaimed)."""
    named = ", ".join(name(u) for u in alone[:NAMED_UNCLAIMED])
    every = len(alone) + also
    more = every - min(len(alone), NAMED_UNCLAIMED)
    rest = f", and {more} more (`--format json` lists every one)" if more > 0 else ""
    return f"{every} configuration(s) no file claims, left alone: {named}{rest}"


def prunable_note(count: int, listed: str) -> str:
    """The note of configurations this project made whose file is gone (`listed`, as marked)."""
    return (
        f"{count} configuration(s) whose file is gone: {listed}; `apply --prune` would "
        "deactivate them"
    )


def default_kept_note(space: str) -> str:
    """What follows a configuration's name when its file is gone but Stripe made it the default."""
    return (
        f"has no file any more, but Stripe made it the {labelled(space)} default, and Stripe "
        "cannot deactivate the default: make another configuration the default in the "
        f"Dashboard at {portal_settings_url(space)}, then `apply --prune` retires it"
    )


def unmanaged_notes(
    env: EnvPlan, name: Callable[[Unmanaged], str], mark: Callable[[str], str]
) -> list[str]:
    """The notes of the configurations no file claims, in any format (`name`: how it names one,
    `mark`: its code span): those left alone, then each that looks like a file (looks_like)."""
    alone = [u for u in env.unmanaged if u[0] not in env.looks_like]
    notes = [left_alone(alone, env.unmanaged_more, name)] if alone else []
    for u in env.unmanaged:
        if u[0] in env.looks_like:
            notes.append(f"{name(u)} {looks_like(env.env, env.looks_like[u[0]], u[0], mark)}")
    return notes
