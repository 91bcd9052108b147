"""Problems -> text, json, GitHub annotations or SARIF, and validate's summary line.

Locations already read relative to the current directory (loader.display_path).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..errors import Problem, ProblemKind
from ..jsontypes import JSON_FORMAT_VERSION

FORMATS = ("text", "json", "github", "sarif")


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


def _sarif(problems: Sequence[Problem]) -> dict[str, Any]:
    """SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html) as GitHub
    code scanning reads it (docs.github.com/en/code-security/code-scanning/integrating-with-code-
    scanning/sarif-support-for-code-scanning): a rule per problem kind, a result per problem, its
    file a relative URI reference (sections 3.4.3, 3.10.2: percent-encoded) from the checkout."""
    kinds = sorted({p.kind for p in problems}, key=list(ProblemKind).index)
    results = []
    for p in problems:
        place: dict[str, Any] = {"artifactLocation": {"uri": quote(p.location.file)}}
        if p.location.line:  # a whole file (an empty one, a stray) has no region
            place["region"] = {"startLine": p.location.line, "startColumn": p.location.col}
        results.append(
            {
                "ruleId": p.kind.value,
                "ruleIndex": kinds.index(p.kind),
                "level": p.level,
                "message": {"text": p.message},
                "locations": [{"physicalLocation": place}],
            }
        )
    driver = {
        "name": "portal-config",
        "version": __version__,
        "informationUri": "https://github.com/OWNER/portal-config",
        "rules": [{"id": kind.value, "shortDescription": {"text": kind.value}} for kind in kinds],
    }
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }


def render(problems: Sequence[Problem], fmt: str = "text") -> str:
    """Every problem in one format; "" for text and github when there are none."""
    if fmt == "json":
        problem_list = [
            {
                "file": p.location.file,
                "line": p.location.line,
                "col": p.location.col,
                "level": p.level,
                "message": p.message,
            }
            for p in problems
        ]
        document = {"format_version": JSON_FORMAT_VERSION, "problems": problem_list}
        return json.dumps(document, indent=2)
    if fmt == "sarif":
        return json.dumps(_sarif(problems), indent=2)
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
