"""A Plan as JSON for machines: the stable shape the README documents, published as a JSON
Schema per format_version (data/plan-output.vN.schema.json, `portal-config schema --kind
plan-output`). Decides nothing."""

from __future__ import annotations

import json
from typing import Any

from ..jsontypes import JSON_FORMAT_VERSION
from ..planning.plan import Plan
from ..portal.openapi import packaged_json

# The shape's JSON Schema, one file per format_version: a consumer validates against the version
# the document names (tests/e2e/test_plan_output_schema.py checks real plans against it).
OUTPUT_SCHEMA = f"plan-output.v{JSON_FORMAT_VERSION}.schema.json"


def output_schema() -> dict[str, Any]:
    return packaged_json(OUTPUT_SCHEMA)


def as_json(plan: Plan) -> dict[str, Any]:
    """The stable machine shape (documented in the README)."""
    if any(env.unmanaged_more for env in plan.envs):  # a plan read for a text note's 20
        raise ValueError("a plan that counted configurations no file claims cannot list each")
    return {
        "format_version": JSON_FORMAT_VERSION,
        "project": plan.project,
        "environments": [
            {
                "name": env.env,
                "account": env.account,  # a fleet's connected account, else null
                "mode": env.mode,
                "changes": [
                    {
                        **c.data(),
                        "impact": c.impact(env.labels),
                        "history": [h.data() for h in env.history.get(c.config_id or "", ())],
                    }
                    for c in env.changes
                ],
                # why the drift's history could not be read (plan's history), else null
                "history_unavailable": env.history_unavailable,
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
