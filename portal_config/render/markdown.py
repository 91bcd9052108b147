"""A Plan as a pull request comment. Decides nothing."""

from __future__ import annotations

from ..plan import Plan
from .text import text


def markdown(plan: Plan, title: str = "portal-config plan") -> str:
    """For a pull request comment: a one-line summary, then the text plan as a diff block
    (GitHub colours `+`/`-` lines)."""
    envs = ", ".join(f"`{e.env}`" for e in plan.envs)
    n = plan.counts()
    if plan.changes:
        summary = (f"{n['create']} to create, {n['update']} to update, {n['deactivate']} to "
                   "deactivate")
    elif plan.differs:
        summary = "no changes, but configurations whose file is gone are still active"
    else:
        summary = "no changes"
    if plan.has_problems:
        summary += "; problems (see below)"
    headline = f"**{title}** for {envs}: {summary}"
    if plan.counts()["deactivate"]:
        headline += "\n\n> [!WARNING]\n> This plan deactivates configurations: portal sessions " \
                    "created with them will fail."
    return f"{headline}\n\n```diff\n{text(plan)}\n```"
