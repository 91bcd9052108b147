"""Doctor's findings -> text for people or JSON for machines. Decides nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence

import click

from .observation import STATUSES, Finding, exit_code

COLOURS = {"ok": "green", "warning": "yellow", "problem": "red"}
JSON_FORMAT_VERSION = 1


def _counts(findings: Sequence[Finding]) -> dict[str, int]:
    return {s: sum(1 for f in findings if f.status == s) for s in STATUSES}


def summary(findings: Sequence[Finding]) -> str:
    counts = _counts(findings)
    parts = [
        f"{counts['problem']} problem(s)",
        f"{counts['warning']} warning(s)",
        f"{counts['ok']} ok",
    ]
    verdict = {
        0: "All checks passed.",
        2: "Warnings only: portal links may fail depending on how the app creates sessions.",
        1: "Portal links fail: fix the problems above.",
    }
    return f"{', '.join(parts)}. {verdict[exit_code(findings)]}"


def text(env: str, mode: str, findings: Sequence[Finding], color: bool) -> str:
    """One line per finding (status, check, evidence), its fix indented below it."""
    width = max((len(f.check) for f in findings), default=0)
    lines = [f"Doctor for {env} ({mode} mode):", ""]
    for f in findings:
        status = f"{f.status:<7}"
        if color:
            status = click.style(status, fg=COLOURS[f.status], bold=f.status == "problem")
        lines.append(f"  {status}  {f.check:<{width}}  {f.evidence}")
        if f.fix and f.status != "ok":
            lines.append(f"  {'':<7}  {'':<{width}}  fix: {f.fix}")
    lines += ["", summary(findings)]
    return "\n".join(lines)


def json_text(env: str, mode: str, findings: Sequence[Finding]) -> str:
    document = {
        "format_version": JSON_FORMAT_VERSION,
        "environment": env,
        "mode": mode,
        "exit_code": exit_code(findings),
        "counts": _counts(findings),
        "findings": [
            {
                "check": f.check,
                "status": f.status,
                "evidence": f.evidence,
                "fix": f.fix or None,
                "url": f.url,
            }
            for f in findings
        ],
    }
    return json.dumps(document, indent=2)
