"""Renderers: a Plan (or an apply's report) as text, markdown or JSON. They render; nothing
here decides what to change."""

from __future__ import annotations

from ..planning.plan import Plan
from .machine import as_json, json_text
from .markdown import markdown
from .text import field_lines, text
from .words import PLAN, Wording, diff_wording, plan_wording

__all__ = [
    "PLAN",
    "Wording",
    "as_json",
    "diff_wording",
    "field_lines",
    "in_format",
    "json_text",
    "markdown",
    "plan_wording",
    "text",
]


def in_format(plan: Plan, fmt: str, color: bool = False, wording: Wording = PLAN) -> str:
    """`--format text|markdown|json`; `wording` says what was compared (a plan or a diff)."""
    if fmt == "json":
        return json_text(plan)
    return markdown(plan, wording) if fmt == "markdown" else text(plan, color, wording)
