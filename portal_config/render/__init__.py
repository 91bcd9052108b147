"""Renderers: a Plan (or an apply's report) as text, markdown or JSON. They render; nothing
here decides what to change."""

from __future__ import annotations

from ..plan import Plan
from .apply_report import summary
from .machine import as_json, json_text
from .markdown import markdown
from .text import field_lines, text

__all__ = ["as_json", "field_lines", "in_format", "json_text", "markdown", "summary", "text"]


def in_format(plan: Plan, fmt: str, color: bool = False,
              title: str = "portal-config plan") -> str:
    """`--format text|markdown|json`; `title` heads the markdown."""
    if fmt == "json":
        return json_text(plan)
    return markdown(plan, title) if fmt == "markdown" else text(plan, color)
