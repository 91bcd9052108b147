"""Saved plans (`plan --out`, `apply --plan`): applied exactly as reviewed, or not at all.

A plan file holds the writes with their exact requests and, per environment, a fingerprint of
every configuration Stripe listed when it was planned. If any of them changed since, the plan is
stale and nothing is written. No key is ever in the file: apply takes it from the environment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .changes import from_data
from .errors import Location, PlanStaleError, PortalConfigError, Problem
from .plan import EnvPlan, Plan

FILE_FORMAT = "portal-config-plan"
FILE_VERSION = 1


def _problem_data(problem: Problem) -> dict[str, Any]:
    where = problem.location
    return {"file": where.file, "line": where.line, "col": where.col,
            "message": problem.message, "level": problem.level}


def _problem(data: Mapping[str, Any]) -> Problem:
    return Problem(Location(data["file"], data["line"], data["col"]), data["message"],
                   data["level"])


def save(plan: Plan, path: Path) -> None:
    document = {
        "format": FILE_FORMAT, "version": FILE_VERSION, "project": plan.project,
        "environments": [{
            "name": e.env, "mode": e.mode, "stripe_fingerprint": e.stripe_fingerprint,
            "changes": [c.data() for c in e.changes],
            "in_sync": e.in_sync, "unmanaged": e.unmanaged, "prunable": e.prunable,
            "default_kept": e.default_kept,
            "problems": [_problem_data(p) for p in e.problems], "labels": e.labels,
        } for e in plan.envs],
    }
    path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load(path: Path, project_name: str) -> Plan:
    """The saved plan; each environment keeps the fingerprint of Stripe when it was made."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PortalConfigError(f"{path}: cannot read the plan file ({exc}): save one with "
                                "`portal-config plan --out FILE`") from exc
    if document.get("format") != FILE_FORMAT or document.get("version") != FILE_VERSION:
        raise PortalConfigError(f"{path}: not a portal-config plan file of version "
                                f"{FILE_VERSION}: make it again with `plan --out`")
    if document["project"] != project_name:
        raise PortalConfigError(f"{path} was made for project '{document['project']}', not "
                                f"'{project_name}': use the project file it was made with")
    envs = [EnvPlan(env=e["name"], mode=e["mode"], changes=[from_data(c) for c in e["changes"]],
                    in_sync=[tuple(x) for x in e["in_sync"]],
                    unmanaged=[tuple(x) for x in e["unmanaged"]],
                    prunable=[tuple(x) for x in e["prunable"]],
                    default_kept=[tuple(x) for x in e.get("default_kept", [])],
                    problems=[_problem(p) for p in e["problems"]],
                    labels=e["labels"], stripe_fingerprint=e["stripe_fingerprint"])
            for e in document["environments"]]
    return Plan(project=project_name, envs=envs)


def refuse_if_stale(plan: Plan, now: Mapping[str, str]) -> None:
    """`now`: each environment's stripe_fingerprint as read just before applying."""
    stale = [e.env for e in plan.envs if now.get(e.env) != e.stripe_fingerprint]
    if stale:
        raise PlanStaleError(
            f"the saved plan is stale: Stripe's configurations in {', '.join(stale)} changed "
            "since it was made. Nothing was written; run `portal-config plan --out` again, "
            "review it, and apply that.")
