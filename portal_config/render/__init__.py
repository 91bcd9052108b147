"""Renderers: a Plan (or an apply's report) as text, markdown or JSON. They render; nothing
here decides what to change."""

from __future__ import annotations

from ..planning.plan import Plan
from .text import field_lines, text
from .words import PLAN, Wording, diff_wording, plan_wording

__all__ = ["PLAN", "Wording", "diff_wording", "field_lines", "in_format", "plan_wording", "text"]


def in_format(plan: Plan, fmt: str, color: bool = False, wording: Wording = PLAN) -> str:
    """`--format text|markdown|json`; `wording` says what was compared (a plan or a diff)."""
    # Each of the other formats' renderers is imported when asked for: a text plan, the
    # terminal's, does not pay for them (issue 24: tests/reliability/test_lean_runs.py).
    if fmt == "json":
        from .machine import json_text

        return json_text(plan)
    if fmt == "markdown":
        from .markdown import markdown

        return markdown(plan, wording)
    return text(plan, color, wording)
