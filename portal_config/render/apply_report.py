"""What an apply did, in words: the closing summary, with the Dashboard steps for what Stripe
refused to change."""

from __future__ import annotations

from ..apply import ApplyReport
from ..dashboard import portal_settings_url
from ..planning.changes import COUNTED, Change, count
from ..planning.plan import Plan
from .text import field_lines


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
