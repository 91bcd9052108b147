"""What a plan or diff means for the action: its outputs, and whose change each change is.

Both read the CLI's machine JSON (`--format json`, or `show PLAN --format json` of the plan the
action saved; its shape: README "JSON output", format_version 1). Nothing here asks Stripe.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from portal_config.render.markup import code

COUNTS = ("create", "update", "deactivate")


def outputs(document: Mapping[str, Any]) -> dict[str, str]:
    """The step's outputs read off a plan or diff: counts, live-changes, has-deactivations."""
    summary = document.get("summary", {})
    changes = [c for e in document.get("environments", []) for c in e.get("changes", [])]
    live = any(e.get("mode") == "live" and e.get("changes") for e in document["environments"])
    return {
        **{name: str(summary.get(name, 0)) for name in COUNTS},
        "live-changes": str(live).lower(),
        "has-deactivations": str(any(c["action"] == "deactivate" for c in changes)).lower(),
    }


def _fields(document: Mapping[str, Any]) -> dict[tuple[str, str], set[str]]:
    """(environment, key) -> the paths each change writes (a create or deactivate: all)."""
    found: dict[tuple[str, str], set[str]] = {}
    for env in document.get("environments", []):
        for change in env.get("changes", []):
            paths = {f["path"] for f in change.get("fields", [])} or {change["action"]}
            found.setdefault((env["name"], str(change.get("key"))), set()).update(paths)
    return found


def whose(plan: Mapping[str, Any], diff: Mapping[str, Any] | None) -> str:
    """The comment's headline: what the pull request changes (the offline diff of the base's
    files and the pull request's: `diff --base`), then what Stripe differs in that the pull
    request did not write (Stripe differs from the base's files too: changed outside
    portal-config, and merging puts the files' values back)."""
    planned = _fields(plan)
    if not planned:
        return "**This pull request changes nothing in Stripe.**"
    if diff is None:
        return ""  # no base to compare with: the plan alone says what changes
    ours = _fields(diff)
    mine = [k for k in planned if planned[k] & ours.get(k, set())]
    outside = {k: sorted(planned[k] - ours.get(k, set())) for k in planned}
    lines = []
    if mine:
        lines.append("**This pull request changes** " + _names(mine) + ".")
    else:
        lines.append("**This pull request changes nothing in Stripe** by itself.")
    others = {k: paths for k, paths in outside.items() if paths}
    if others:
        listed = "; ".join(
            f"{_names([k])} ({', '.join(code(p) for p in paths)})" for k, paths in others.items()
        )
        lines.append(
            "> **Changed outside portal-config**: Stripe differs from the base branch's files "
            f"here as well, not because of this pull request: {listed}. A Dashboard edit, or a "
            "merge not applied yet: merging applies the files and puts their values back."
        )
    return "\n\n".join(lines)


def _names(keys: list[tuple[str, str]]) -> str:
    return ", ".join(f"{code(key)} in {code(env)}" for env, key in keys)


def portal(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """portal-config ARGV, with the Python that runs this script (the action's own venv)."""
    return subprocess.run(
        [sys.executable, "-m", "portal_config", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def machine(argv: list[str], cwd: Path, target: Path) -> dict[str, Any] | None:
    """The CLI's JSON (`show PLAN` or a diff `--format json`), kept at `target`."""
    done = portal(argv, cwd)
    if done.returncode not in (0, 2) or not done.stdout.startswith("{"):
        return None
    target.write_text(done.stdout, encoding="utf-8")
    document: dict[str, Any] = json.loads(done.stdout)
    return document
