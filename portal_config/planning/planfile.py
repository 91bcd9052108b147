"""Saved plans (`plan --out`, `apply --plan`): applied exactly as reviewed, or not at all.

A plan file holds the writes with their exact requests and, per environment, a fingerprint of
each configuration Stripe listed when it was planned. A file that does not match its schema
(data/plan-file.schema.json) or its project is refused as a whole; if any configuration changed
in Stripe since, the plan is stale, the refusal names which, and nothing is written. No key is
ever in the file: apply takes it from the environment.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from ..errors import Location, PlanStaleError, PortalConfigError, Problem
from ..jsontypes import Data
from ..masking import mask_secrets, masked_keys, write_masked
from ..portal import identity
from ..portal.openapi import packaged_json
from ..project.limits import (
    MAX_DEPTH,
    MAX_PLAN_BYTES,
    STDIN,
    NotRead,
    depth,
    named,
    read_input,
    shorten,
)
from ..project.schema import describe, dotted
from .changes import from_data
from .plan import EnvPlan, Plan, fingerprints

FILE_FORMAT = "portal-config-plan"
FILE_VERSION = 2  # 2: a fingerprint per configuration (1 had one per environment)
REMAKE = "make it again with `portal-config plan --out`"


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return packaged_json("plan-file.schema.json")


def _problem_data(problem: Problem) -> dict[str, Any]:
    where = problem.location
    return {
        "file": where.file,
        "line": where.line,
        "col": where.col,
        "message": problem.message,
        "level": problem.level,
    }


def _problem(data: Mapping[str, Any]) -> Problem:
    return Problem(
        Location(data["file"], data["line"], data["col"]), data["message"], data["level"]
    )


def _refuse_keys_in_writes(plan: Plan, outcome: str) -> None:
    """No plan file writes a key: a saved plan is masked like all output (keys.write_masked), so
    a write that masking would change (a key escaped in a file, which no pattern finds in its
    text) would apply another value than the one reviewed; and a plan file read back may come
    from elsewhere (a CI artifact, stdin, an edit). `outcome`: what happens to this plan."""
    for change in (c for e in plan.envs for c in e.changes):
        found = masked_keys(json.dumps(change.params))
        if found:
            raise PortalConfigError(
                f"{change.file or change.config_id}: the plan would write what looks like a "
                f"Stripe key ({found[0]}) to {change.key} in {change.where}: keys never belong in "
                f"files (roll this one if it was committed); {outcome}"
            )


def save(plan: Plan, path: Path) -> None:
    """The plan as a file (`-`: on stdout), masked like all output: a value Stripe holds that
    looks like a key (the `before` of a change) is stored as `sk_live_...WXYZ`. Its fingerprints
    are of the configurations as Stripe listed them, unmasked, so a stale plan is still told
    apart."""
    _refuse_keys_in_writes(plan, "the plan was not saved")
    document = {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "project": plan.project,
        "environments": [
            {
                "name": e.env,
                "mode": e.mode,
                "fingerprints": e.fingerprints,
                "newest_id": e.newest_id,
                "changes": [c.data() for c in e.changes],
                "in_sync": e.in_sync,
                "unmanaged": e.unmanaged,
                "looks_like": e.looks_like,
                "prunable": e.prunable,
                "default_kept": e.default_kept,
                "problems": [_problem_data(p) for p in e.problems],
                "labels": e.labels,
            }
            for e in plan.envs
        ],
    }
    text = json.dumps(document, indent=1, sort_keys=True) + "\n"
    if path == STDIN:
        sys.stdout.write(mask_secrets(text))
        sys.stdout.flush()
    else:
        write_masked(path, text)


class DamagedPlan(PortalConfigError):
    """A plan file that is not as `plan --out` wrote it: FILE: where (a JSON path): what."""

    def __init__(self, path: Path, where: str, what: str):
        super().__init__(
            f"{named(path)}: {where}: {what}. The file was changed after it was saved; "
            f"{REMAKE}, review it, and apply that"
        )


def _schema_message(error: ValidationError) -> str:
    """jsonschema's error in a few words, never the whole (possibly long) value."""
    rule: Data = error.validator_value
    instance: Data = error.instance
    if error.validator == "required":
        return f"'{next(k for k in rule if k not in instance)}' is missing"
    if error.validator == "type":
        return (
            f"must be {' or '.join(rule) if isinstance(rule, list) else rule}, not "
            f"{describe(instance)}"
        )
    if error.validator in ("enum", "const"):
        allowed = rule if error.validator == "enum" else [rule]
        return f"must be {' or '.join(json.dumps(v) for v in allowed)}, not {describe(instance)}"
    return error.message if len(error.message) <= 120 else error.message[:117] + "..."


def _too_deep(path: Path) -> PortalConfigError:
    return PortalConfigError(
        f"{named(path)}: cannot read the plan file (nested more than {MAX_DEPTH} levels deep; "
        f"`plan --out` writes far fewer): {REMAKE}"
    )


def _read(path: Path) -> dict[str, Any]:
    """The file's JSON, read within the bounds of limits.py: a regular file (never a FIFO or a
    device, which could block or never end) or stdin's pipe, so many bytes, so deep (the
    schema's checks recurse)."""
    try:
        document = json.loads(read_input(path, MAX_PLAN_BYTES).decode("utf-8"))
    except RecursionError:  # json recurses as it decodes: past Python's limit, this
        raise _too_deep(path) from None
    except (OSError, ValueError, NotRead) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise PortalConfigError(
            f"{named(path)}: cannot read the plan file ({shorten(why, 200)}): save one with "
            "`portal-config plan --out FILE`"
        ) from None
    if depth(document) > MAX_DEPTH:
        raise _too_deep(path)
    if (
        not isinstance(document, dict)
        or document.get("format") != FILE_FORMAT
        or document.get("version") != FILE_VERSION
    ):
        raise PortalConfigError(
            f"{named(path)}: not a portal-config plan file of version {FILE_VERSION}: {REMAKE}"
        )
    error = best_match(Draft202012Validator(schema()).iter_errors(document))
    if error is not None:
        raise DamagedPlan(path, dotted(error.absolute_path) or "the file", _schema_message(error))
    return document


def _check_consistency(
    path: Path, document: Mapping[str, Any], environments: Mapping[str, str]
) -> None:
    """What the schema cannot say: the project's environments, each once and in its mode;
    each change in its own environment's entry, against a configuration listed then."""
    seen: set[str] = set()
    for i, entry in enumerate(document["environments"]):
        name, where = entry["name"], f"environments[{i}]"
        if name not in environments:
            raise DamagedPlan(
                path,
                f"{where}.name",
                f"environment '{name}' is not in the project "
                f"file (it has {', '.join(environments)})",
            )
        if name in seen:
            raise DamagedPlan(path, f"{where}.name", f"environment '{name}' appears twice")
        seen.add(name)
        if entry["mode"] != environments[name]:
            raise DamagedPlan(
                path,
                f"{where}.mode",
                f"'{entry['mode']}', but '{name}' is {environments[name]} mode in the project file",
            )
        for j, change in enumerate(entry["changes"]):
            at = f"{where}.changes[{j}]"
            if change["env"] != name:
                raise DamagedPlan(
                    path,
                    f"{at}.env",
                    f"'{change['env']}' in the entry of "
                    f"environment '{name}' (a change belongs to its own)",
                )
            config_id = change["id"]
            if (
                config_id is not None
                and entry["fingerprints"].get(config_id) != change["fingerprint"]
            ):
                raise DamagedPlan(
                    path,
                    f"{at}.id",
                    f"{config_id} was not listed in {name} as "
                    "this change found it when the plan was made",
                )


def _env_plan(path: Path, index: int, entry: Mapping[str, Any]) -> EnvPlan:
    where = f"environments[{index}]"
    changes = []
    for j, data in enumerate(entry["changes"]):
        try:
            changes.append(from_data(data))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # a value the schema lets through but its field cannot hold
            raise DamagedPlan(path, f"{where}.changes[{j}]", f"cannot be read ({exc})") from exc
    return EnvPlan(
        env=entry["name"],
        mode=entry["mode"],
        changes=tuple(changes),
        in_sync=tuple((k, i) for k, i in entry["in_sync"]),
        unmanaged=tuple((i, n, a) for i, n, a in entry["unmanaged"]),
        looks_like=dict(entry.get("looks_like", {})),
        prunable=tuple((k, i) for k, i in entry["prunable"]),
        default_kept=tuple((k, i) for k, i in entry.get("default_kept", [])),
        problems=tuple(_problem(p) for p in entry["problems"]),
        labels=entry["labels"],
        saved_fingerprints=dict(entry["fingerprints"]),
        newest_id=entry.get("newest_id"),
    )


def load(path: Path, project_name: str, environments: Mapping[str, str]) -> Plan:
    """The saved plan, refused unless it is as saved and for this project. `environments`: the
    project's, name -> mode. Each environment keeps the fingerprints of Stripe when planned."""
    return _plan(path, _read(path), project_name, environments)


def _plan(
    path: Path, document: Mapping[str, Any], project_name: str, environments: Mapping[str, str]
) -> Plan:
    if document["project"] != project_name:
        raise PortalConfigError(
            f"{named(path)} was made for project '{document['project']}', not "
            f"'{project_name}': use the project file it was made with"
        )
    _check_consistency(path, document, environments)
    envs = tuple(_env_plan(path, i, e) for i, e in enumerate(document["environments"]))
    plan = Plan(project=project_name, envs=envs)
    _refuse_keys_in_writes(plan, f"{named(path)} is refused")
    return plan


def load_alone(path: Path) -> Plan:
    """A saved plan read without its project file (`show`): checked against its schema and
    itself, named by the project and environments it records."""
    document = _read(path)  # once: stdin (`-`) can be read only once
    environments = {e["name"]: e["mode"] for e in document["environments"]}
    return _plan(path, document, str(document["project"]), environments)


def _names(
    env: EnvPlan, project: str, configurations: Sequence[Mapping[str, Any]]
) -> dict[str, str]:
    """What to call each configuration ID: its key where a file claims it (or this project
    created it since), else its name in the Dashboard."""
    names = {i: f"'{name}' ({i})" for i, name, _ in env.unmanaged if name}
    for c in configurations:
        key = identity.project_key(c, project)
        if key:
            names[str(c["id"])] = f"{key} ({c['id']})"
        elif c.get("name"):
            names.setdefault(str(c["id"]), f"'{c['name']}' ({c['id']})")
    pairs = [
        *env.in_sync,
        *env.prunable,
        *env.default_kept,
        *((c.key, c.config_id) for c in env.changes if c.config_id and c.key),
    ]
    names.update({config_id: f"{key} ({config_id})" for key, config_id in pairs})
    return names


def _listed(names: list[str], verb: str, verbs: str) -> str:
    head = ", ".join(names[:-1])
    return f"{head} and {names[-1]} {verbs}" if head else f"{names[0]} {verb}"


def _what_changed(
    env: EnvPlan, project: str, configurations: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Each configuration that changed, appeared or went since the plan was made, in words."""
    now, then = fingerprints(configurations), env.fingerprints
    names = _names(env, project, configurations)
    changed = [names.get(i, i) for i in then if i in now and now[i] != then[i]]
    gone = [names.get(i, i) for i in then if i not in now]
    new = [names.get(i, i) for i in now if i not in then]
    said = []
    if changed:
        said.append(_listed(changed, "changed", "changed") + " in Stripe since the plan was made")
    if new:
        said.append(_listed(new, "is new", "are new"))
    if gone:
        said.append(_listed(gone, "is gone", "are gone"))
    return said


def refuse_if_stale(plan: Plan, now: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    """`now`: each environment's configurations as listed just before applying. Stale when any
    of them differs from when the plan was made: the message names each and how."""
    stale = []
    for env in plan.envs:
        said = _what_changed(env, plan.project, now.get(env.env, []))
        if said:
            stale.append(f"in {env.env}, {'; '.join(said)}")
    if stale:
        raise PlanStaleError(
            f"the saved plan is stale: {'. '.join(stale)}. Nothing was written; run "
            "`portal-config plan --out` again, review it, and apply that."
        )
