"""A Plan as JSON for machines: the stable shape the README documents. Decides nothing."""

from __future__ import annotations

import json
from typing import Any

from ..jsontypes import JSON_FORMAT_VERSION
from ..planning.plan import Plan


def as_json(plan: Plan) -> dict[str, Any]:
    """The stable machine shape (documented in the README)."""
    return {
        "format_version": JSON_FORMAT_VERSION,
        "project": plan.project,
        "environments": [
            {
                "name": env.env,
                "account": env.account,  # a fleet's connected account, else null
                "mode": env.mode,
                "changes": [{**c.data(), "impact": c.impact(env.labels)} for c in env.changes],
                "in_sync": [{"key": k, "id": i} for k, i in env.in_sync],
                "prunable": [{"key": k, "id": i} for k, i in env.prunable],
                "default_kept": [{"key": k, "id": i} for k, i in env.default_kept],
                "unmanaged": [
                    {"id": i, "name": n, "application": a, "looks_like": env.looks_like.get(i)}
                    for i, n, a in env.unmanaged
                ],
                "problems": [str(p) for p in env.problems],
                "price_labels": env.price_labels,
            }
            for env in plan.envs
        ],
        "fleets": [
            {
                "name": name,
                "accounts": size,
                "fleet_accounts": plan.fleet_sizes.get(name, size),
                **plan.fleet_counts(name),
            }
            for name, size in plan.fleets.items()
        ],
        "summary": {**plan.counts(), "problems": sum(len(e.problems) for e in plan.envs)},
        "has_changes": plan.differs,
    }


def json_text(plan: Plan) -> str:
    return json.dumps(as_json(plan), indent=2, sort_keys=False)
