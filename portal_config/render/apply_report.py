"""What an apply did: in words (the closing summary, with the Dashboard steps for what Stripe
refused to change), as markdown (a table per environment, for the merged pull request) or as JSON
(a line per change, for machines)."""

from __future__ import annotations

import json
from typing import Any

from ..apply import ApplyReport
from ..dashboard import portal_settings_url
from ..jsontypes import JSON_FORMAT_VERSION
from ..planning.changes import COUNTED, Change, count
from ..planning.plan import Plan
from .markdown import marker
from .markup import code, escape, table
from .text import field_lines

# (change, outcome, the configuration's ID, why), in plan order: one row of markdown or JSON.
Row = tuple[Change, str, str | None, str | None]


def _change_line(change: Change) -> str:
    return f"{change.action} {change.key} ({change.config_id or 'new'}) in {change.where}"


def summary(report: ApplyReport, plan: Plan) -> str:
    n = count([c for c, _ in report.done])
    done = ", ".join(f"{n[kind.counted_as]} {kind.past}" for kind in COUNTED)
    if report.ok:
        return f"Apply complete: {done}."
    lines = [f"Apply incomplete: {done}."]
    envs = {e.where: e for e in plan.envs}
    for change in report.refused:
        lines.append(
            f"Stripe refused to change {change.config_id} in {change.where} (the account's "
            "default configuration, or one another application created). Make these "
            f"changes in the Dashboard at {portal_settings_url(envs[change.where].space)}:"
        )
        lines.extend(field_lines(change, envs[change.where].labels))
    for change, reason in report.rejected:
        lines.append(
            f"Rejected: {_change_line(change)}: {reason}. Fix the file (or Stripe) and apply again."
        )
    for change, paths in report.unconfirmed:
        lines.append(
            f"Unconfirmed: {_change_line(change)}: Stripe answered with other values "
            f"for {', '.join(paths)} than were written; the next plan shows what Stripe "
            "holds. If it keeps showing them, Stripe does not keep these values as "
            "written: report it."
        )
    for change in report.changed_meanwhile:
        lines.append(
            f"Not written: {_change_line(change)}: it {change.meanwhile}. Run plan again, "
            "review, then apply."
        )
    lines.extend(
        f"Failed: {_change_line(change)}: {reason}" for change, reason in report.not_written
    )
    lines.extend(
        f"Uncertain: {_change_line(change)}: {reason}" for change, reason in report.uncertain
    )
    if report.interrupted:
        lines.append("Interrupted (Ctrl-C).")
    if report.failed:
        change, reason = report.failed
        lines.append(f"Failed: {_change_line(change)}: {reason}")
    lines.extend(f"Failed: {_change_line(c)}: {reason}" for c, reason in report.also_failed)
    if report.failed or report.not_run or report.not_written or report.uncertain:
        lines.extend(f"Not run: {_change_line(c)}" for c in report.not_run)
        perhaps = " (but perhaps what is uncertain above)" if report.uncertain else ""
        lines.append(
            f"Nothing else was written{perhaps}. Running apply again converges: what "
            "was done shows no changes, the rest is planned anew."
        )
    return "\n".join(lines)


def rows(report: ApplyReport) -> list[Row]:
    """Each change with what became of it (`created`, `updated`, `deactivated`, `refused`,
    `rejected`, `unconfirmed`, `not written`, `failed`, `uncertain`, `not run`)."""
    found: list[Row] = [(c, c.past, i, None) for c, i in report.done]
    found += [
        (c, "refused", c.config_id, "Stripe refused: make it in the Dashboard")
        for c in report.refused
    ]
    found += [(c, "rejected", c.config_id, r) for c, r in report.rejected]
    found += [(c, "unconfirmed", c.config_id, ", ".join(p)) for c, p in report.unconfirmed]
    found += [(c, "not written", c.config_id, c.meanwhile) for c in report.changed_meanwhile]
    found += [(c, "failed", c.config_id, r) for c, r in report.not_written]
    found += [(c, "uncertain", c.config_id, r) for c, r in report.uncertain]
    failed = [report.failed] if report.failed else []
    found += [(c, "failed", c.config_id, r) for c, r in failed + report.also_failed]
    found += [(c, "not run", c.config_id, None) for c in report.not_run]
    return found


def as_json(report: ApplyReport) -> str:
    """The stable machine shape (documented in the README)."""
    changes = [
        {
            "action": c.action,
            "key": c.key,
            "id": config_id,
            "env": c.env,
            "account": c.account,
            "outcome": outcome,
            "reason": reason,
        }
        for c, outcome, config_id, reason in rows(report)
    ]
    shape: dict[str, Any] = {
        "format_version": JSON_FORMAT_VERSION,
        "ok": report.ok,
        "interrupted": report.interrupted,
        "changes": changes,
    }
    return json.dumps(shape, indent=2)


def as_markdown(report: ApplyReport, plan: Plan) -> str:
    """For the merged pull request: the summary's first line, a table per environment, then
    the rest of the summary (what to do about what was not done)."""
    first, *rest = summary(report, plan).splitlines()
    parts = [marker("apply"), "## portal-config apply", f"**{escape(first)}**"]
    by_place: dict[str, list[list[str]]] = {}
    for c, outcome, config_id, reason in rows(report):
        cells = [
            outcome,
            code(c.key or "?"),
            code(config_id) if config_id else "",
            escape(reason or ""),
        ]
        by_place.setdefault(c.where, []).append(cells)
    for where, found in by_place.items():
        parts += [f"### {code(where)}", table(["Outcome", "Configuration", "ID", "Detail"], found)]
    parts += [f"- {escape(line)}" for line in rest]
    return "\n\n".join(parts) + "\n"


def in_format(report: ApplyReport, plan: Plan, fmt: str) -> str:
    """`apply --format text|markdown|json`."""
    if fmt == "json":
        return as_json(report)
    return as_markdown(report, plan) if fmt == "markdown" else "\n" + summary(report, plan)
