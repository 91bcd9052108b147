"""How the loader words what it cannot read in a YAML file: syntax, the text's own bounds, control
characters and line breaks, each at its FILE:LINE:COL as PyYAML counts lines (loader.py)."""

from __future__ import annotations

import re

import yaml
from yaml.reader import ReaderError

from ..errors import Location, Problem
from .limits import MAX_FOLDER_VALUES, MAX_LINES

_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")  # line breaks as PyYAML counts them
RARE_BREAK = re.compile("[\x85\u2028\u2029]")  # line breaks to YAML 1.1 only


def syntax_problem(file: str, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    where = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
    problem = exc.problem or "not valid YAML"
    if "'\\t'" in problem:
        before = text[mark.index - mark.column : mark.index].rstrip(" \t") if mark else ""
        if before.endswith(":"):  # `name:<TAB>Basic`: PyYAML separates a value by spaces only
            return Problem(where, "invalid YAML: a tab after the colon; YAML needs a space there")
        return Problem(where, "invalid YAML: a tab character here; YAML indents with spaces only")
    if exc.context == "expected a single document in the stream":
        return Problem(where, "invalid YAML: a second document (---); a file holds one")
    message = f"invalid YAML: {problem}"
    if exc.context and exc.context_mark and exc.context_mark is not mark:
        message += f" ({exc.context} at line {exc.context_mark.line + 1})"
    elif exc.context:
        message += f" ({exc.context})"
    return Problem(where, message)


def _position(file: str, text: str, index: int) -> Location:
    """Where the character at `index` of `text` is, lines counted as PyYAML counts them."""
    breaks = list(_LINE_BREAK.finditer(text[:index]))
    return Location(file, len(breaks) + 1, index - (breaks[-1].end() if breaks else 0) + 1)


def text_problem(where: Location, text: str) -> Problem | None:
    """What no YAML reader is given: more lines than MAX_LINES (each line break costs the pure
    reader its time), or a line break YAML 1.1 and 1.2 read differently."""
    if max(text.count("\n"), text.count("\r")) > MAX_LINES:
        return Problem(
            where,
            f"more than {MAX_LINES} lines in one file: portal-config reads at most {MAX_LINES} "
            "per file",
        )
    rare = RARE_BREAK.search(text)
    if rare is None:
        return None
    # A line break to PyYAML (YAML 1.1), text to ruamel.yaml, which pull edits with (YAML 1.2
    # dropped them as line breaks: https://yaml.org/spec/1.2.2/#54-line-break-characters).
    code = ord(rare[0])
    return Problem(
        _position(where.file, text, rare.start()),
        f"invalid YAML: the character U+{code:04X} is a line break to some YAML readers and "
        f"text to others: use a plain line break, or write \\u{code:04x} inside double quotes",
    )


def control_character(file: str, text: str, exc: ReaderError) -> Problem:
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or " ")
    return Problem(
        _position(file, text, exc.position),
        f"invalid YAML: the control character U+{code:04X} is not allowed in YAML "
        f"text: remove it (inside double quotes, write it as \\x{code:02x})"
        if code < 0x100
        else f"invalid YAML: the character U+{code:04X} is not allowed in YAML text: remove it",
    )


def too_many(where: Location) -> Problem:
    return Problem(
        where,
        f"the configuration files hold too many values together: portal-config reads up to "
        f"{MAX_FOLDER_VALUES}",
    )
