"""Problems -> text, json or GitHub annotations, and validate's summary line.

Locations already read relative to the current directory (loader.display_path).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..errors import Problem

FORMATS = ("text", "json", "github")


def github_escape(text: str, is_property: bool = False) -> str:
    """GitHub workflow-command escaping (properties also escape ':' and ','): a value stays
    inside its command, and a line break in it cannot start another."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text


def _github(problem: Problem) -> str:
    where = problem.location
    props = f"file={github_escape(where.file, True)}"
    if where.line:
        props += f",line={where.line},col={where.col}"
    return f"::{problem.level} {props}::{github_escape(problem.message)}"


def render(problems: Sequence[Problem], fmt: str = "text") -> str:
    """Every problem in one format; "" for text and github when there are none."""
    if fmt == "json":
        return json.dumps(
            [
                {
                    "file": p.location.file,
                    "line": p.location.line,
                    "col": p.location.col,
                    "level": p.level,
                    "message": p.message,
                }
                for p in problems
            ],
            indent=2,
        )
    if fmt == "github":
        return "\n".join(_github(p) for p in problems)
    if fmt == "text":
        return "\n".join(str(p) for p in problems)  # FILE:LINE:COL: [warning: ]message
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summary(folder: str, files: int, problems: Sequence[Problem]) -> str:
    """`configs: 3 files, 0 errors, 1 warning`."""
    errors = sum(p.level == "error" for p in problems)
    return (
        f"{folder}: {_count(files, 'file')}, {_count(errors, 'error')}, "
        f"{_count(len(problems) - errors, 'warning')}"
    )
