"""Reviewed plan = applied plan: the plan a pull request's comment carries, and the merge's check.

The pull request job saves its plan (`plan --out`) and comment.py embeds it, compressed, in the
plan comment, with the head commit it was made for:

    <!-- portal-config-plan: v1 HEAD_SHA BASE64(ZLIB(plan file)) -->

Why the comment rather than an artifact: the merge runs in another workflow run, whose artifact
download needs the pull request's run found through the API and a redirect to blob storage on
another origin (where the token must not go), and artifacts expire (90 days by default); the
comment lives with the pull request, is what the reviewer saw, and is read back only when the
token's own identity wrote it (comment.find_comment), so nobody can plant a plan.

On the merge (`command: apply`, input `reviewed-plan`), run.py finds the pull request merged as
this commit, reads the plan back, and applies it only if planning the merged files again gives
the same changes (`moved` names what differs) and, through `apply --plan`, only if Stripe has not
changed since (the CLI's refusal of a stale plan, planning/planfile.py). Else: `plan-changed`.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

import comment

PLAN_CHANGED = "plan-changed"


def only(document: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The plan file with only these environments' entries (a job applies its own), still a
    plan file `apply --plan` reads: each entry stands alone (data/plan-file.schema.json)."""
    wanted = set(names)
    return {
        **document,
        "environments": [e for e in document["environments"] if e["name"] in wanted],
    }


def _writes(document: Mapping[str, Any]) -> dict[tuple[str, str], Any]:
    """(environment, "ACTION KEY") -> the exact request of each change."""
    return {
        (e["name"], f"{c['action']} {c.get('key') or c.get('id')}"): c["params"]
        for e in document.get("environments", [])
        for c in e.get("changes", [])
    }


def moved(reviewed: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """What planning the merged files now writes that the reviewed plan did not, in words. The
    writes are compared (each change's exact request); whether Stripe changed under them since
    is `apply --plan`'s refusal, which names the configurations."""
    then, fresh = _writes(reviewed), _writes(now)
    said = [
        f"{what} in {env} is planned now but was not reviewed"
        for env, what in fresh
        if (env, what) not in then
    ]
    said += [
        f"{what} in {env} was reviewed but is no longer planned"
        for env, what in then
        if (env, what) not in fresh
    ]
    for env, what in then:
        if (env, what) in fresh and then[(env, what)] != fresh[(env, what)]:
            fields = sorted(
                k
                for k in {*then[(env, what)], *fresh[(env, what)]}
                if then[(env, what)].get(k) != fresh[(env, what)].get(k)
            )
            said.append(f"{what} in {env} would now write other values ({', '.join(fields)})")
    return said


class Refused(Exception):
    """Nothing reviewed to apply, or not as reviewed: the message says which, and what to do."""


class _Inputs(Protocol):  # run.Inputs, as much as is read here
    config: str
    environments: tuple[str, ...]
    reviewed_plan: str


def merged_pull(github: comment.GitHub, repo: str, sha: str) -> dict[str, Any]:
    """The pull request merged as commit `sha` (docs.github.com/en/rest/commits/commits#list-
    pull-requests-associated-with-a-commit)."""
    pulls, _ = github.call("GET", f"/repos/{repo}/commits/{sha}/pulls")
    merged = [p for p in pulls if p.get("merged_at")]
    for pull in merged:
        if pull.get("merge_commit_sha") == sha:
            return dict(pull)
    if merged:
        return dict(merged[0])
    raise Refused(
        f"no pull request was merged as {sha[:12]}: nothing reviewed to apply. To apply the "
        "files as they are, run the job without reviewed-plan (as the example's "
        "workflow_dispatch does)"
    )


def prepare(
    inputs: _Inputs,
    cwd: Path,
    env: Mapping[str, str],
    stem: Path,
    portal: Callable[[list[str]], subprocess.CompletedProcess[str]],
) -> tuple[int, str]:
    """(the merged pull request's number, the reviewed plan's file for `apply --plan`), once
    planning the merged files again gives the same changes; else Refused, naming what moved."""
    repo, sha = env.get("GITHUB_REPOSITORY", ""), env.get("GITHUB_SHA", "")
    token = env.get("GITHUB_TOKEN", "")
    if not (repo and sha and token):
        raise Refused("reviewed-plan needs GITHUB_REPOSITORY, GITHUB_SHA and the github-token")
    api = env.get("GITHUB_API_URL") or "https://api.github.com"
    github = comment.GitHub(api, token, 30.0)
    pull = merged_pull(github, repo, sha)
    number, key = int(pull["number"]), inputs.reviewed_plan
    author = comment.own_login(github, env.get(comment.AUTHOR_VARIABLE, ""))
    found, _ = comment.find_comment(github, repo, number, key, 30, author)
    carried = comment.extract(found.get("body") or "") if found else None
    if carried is None:
        raise Refused(
            f"pull request #{number} has no saved plan in a {comment.marker(key)} comment by "
            f"{author} (a fork's pull request gets the offline diff; a plan that failed saves "
            "none): nothing was applied. Plan and apply by hand, or run the job without "
            "reviewed-plan"
        )
    planned_at, document = carried
    head = str((pull.get("head") or {}).get("sha") or "")
    if head and head != planned_at:
        raise Refused(
            f"{PLAN_CHANGED}: pull request #{number} was merged at {head[:7]}, but its plan "
            f"comment is for {planned_at[:7]}: the last push was never planned and reviewed. "
            "Nothing was applied"
        )
    names = inputs.environments or tuple(e["name"] for e in document["environments"])
    absent = [n for n in names if n not in {e["name"] for e in document["environments"]}]
    if absent:
        raise Refused(
            f"the plan reviewed in #{number} does not cover {', '.join(absent)}: nothing was "
            "applied (the pull request job must plan every environment this job applies)"
        )
    applied = Path(f"{stem}.reviewed.json")
    applied.write_text(json.dumps(only(document, names), indent=1, sort_keys=True) + "\n")
    fresh = Path(f"{stem}.merged.json")
    argv = ["--config", inputs.config] if inputs.config else []
    argv += ["plan", *(a for n in names for a in ("--env", n)), "--out", str(fresh)]
    done = portal([*argv, "--format", "json"])
    if done.returncode != 0 or not fresh.is_file():
        raise Refused(
            f"planning the merged files failed (exit {done.returncode}): nothing was applied"
            f"{os.linesep}{done.stderr.strip()}"
        )
    said = moved(only(document, names), json.loads(fresh.read_text(encoding="utf-8")))
    if said:
        raise Refused(
            f"{PLAN_CHANGED}: Stripe no longer plans what #{number} reviewed: {'; '.join(said)}. "
            "Nothing was applied: review a new plan (a pull request, or `portal-config plan`), "
            "then apply it"
        )
    return number, str(applied)
