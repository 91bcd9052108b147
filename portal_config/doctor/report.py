"""Doctor's findings (one environment's, or a fleet's by account) -> text for people or JSON for
machines. Decides nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence

import click

from ..dashboard import labelled
from ..jsontypes import JSON_FORMAT_VERSION
from .fleet import FAILED, HEALTHY, WITH_FINDINGS, FleetFindings
from .observation import STATUSES, Finding, exit_code

COLOURS = {"ok": "green", "warning": "yellow", "problem": "red"}


def _counts(findings: Sequence[Finding]) -> dict[str, int]:
    return {s: sum(1 for f in findings if f.status == s) for s in STATUSES}


VERDICTS = {
    0: "All checks passed.",
    2: "Warnings only: portal links may fail depending on how the app creates sessions.",
    1: "Portal links fail: fix the problems above.",
}


def _counted(findings: Sequence[Finding]) -> str:
    counts = _counts(findings)
    return f"{counts['problem']} problem(s), {counts['warning']} warning(s), {counts['ok']} ok"


def summary(findings: Sequence[Finding]) -> str:
    return f"{_counted(findings)}. {VERDICTS[exit_code(findings)]}"


def _lines(findings: Sequence[Finding], color: bool) -> list[str]:
    """One line per finding (status, check, evidence), its fix indented below it."""
    width = max((len(f.check) for f in findings), default=0)
    lines = []
    for f in findings:
        status = f"{f.status:<7}"
        if color:
            status = click.style(status, fg=COLOURS[f.status], bold=f.status == "problem")
        lines.append(f"  {status}  {f.check:<{width}}  {f.evidence}")
        if f.fix and f.status != "ok":
            lines.append(f"  {'':<7}  {'':<{width}}  fix: {f.fix}")
    return lines


def text(env: str, mode: str, findings: Sequence[Finding], color: bool) -> str:
    lines = [f"Doctor for {env} ({labelled(mode)}):", "", *_lines(findings, color)]
    lines += ["", summary(findings)]
    return "\n".join(lines)


def _findings_json(findings: Sequence[Finding]) -> list[dict[str, str | None]]:
    return [
        {
            "check": f.check,
            "status": f.status,
            "evidence": f.evidence,
            "fix": f.fix or None,
            "url": f.url,
        }
        for f in findings
    ]


def json_text(env: str, mode: str, findings: Sequence[Finding]) -> str:
    document = {
        "format_version": JSON_FORMAT_VERSION,
        "environment": env,
        "mode": mode,
        "exit_code": exit_code(findings),
        "counts": _counts(findings),
        "findings": _findings_json(findings),
    }
    return json.dumps(document, indent=2)


def fleet_summary(fleet: FleetFindings) -> str:
    counts = f"{fleet.count(HEALTHY)} healthy, {fleet.count(WITH_FINDINGS)} with findings"
    failed = fleet.count(FAILED)
    counts += f", {failed} failed" if failed else ""
    return (
        f"Fleet {fleet.env}: {len(fleet.accounts)} account(s): {counts}. "
        f"{VERDICTS[fleet.exit_code]}"
    )


def fleet_text(fleet: FleetFindings, color: bool) -> str:
    """The fleet's own findings, then each account's warnings and problems (every finding when
    the run took one account), then the summary; healthy accounts are only counted."""
    lines = [f"Doctor for {fleet.env} ({labelled(fleet.mode)}), {len(fleet.accounts)} account(s):"]
    if fleet.findings:
        lines += ["", *_lines(fleet.findings, color)]
    whole = len(fleet.accounts) == 1
    for account in fleet.accounts:
        shown = [f for f in account.findings if whole or f.status != "ok"]
        if shown:
            label = " (failed: not read)" if account.failed else f": {_counted(account.findings)}"
            lines += ["", f"{fleet.env}/{account.account}{label}", *_lines(shown, color)]
    lines += ["", fleet_summary(fleet)]
    return "\n".join(lines)


def fleet_json(fleet: FleetFindings) -> str:
    document = {
        "format_version": JSON_FORMAT_VERSION,
        "environment": fleet.env,
        "mode": fleet.mode,
        "exit_code": fleet.exit_code,
        "summary": {
            "accounts": len(fleet.accounts),
            HEALTHY: fleet.count(HEALTHY),
            WITH_FINDINGS: fleet.count(WITH_FINDINGS),
            FAILED: fleet.count(FAILED),
        },
        "findings": _findings_json(fleet.findings),
        "accounts": [
            {
                "account": a.account,
                "status": a.status,
                "exit_code": exit_code(a.findings),
                "counts": _counts(a.findings),
                "findings": _findings_json(a.findings),
            }
            for a in fleet.accounts
        ],
    }
    return json.dumps(document, indent=2)
