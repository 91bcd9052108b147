"""Text from the files or from Stripe, made inert in GitHub markdown: whatever a value holds (a
backtick, a pipe, `<`, a ``` fence, an @mention, `$math$`), it shows as written and cannot end a
table cell, open a code block or an HTML tag, or notify anyone."""

from __future__ import annotations

import string
from collections.abc import Sequence

# Every other ASCII character becomes a numeric character reference, which GitHub shows as the
# character but never parses as markdown or HTML (a table row is split before references are
# decoded). Markdown's syntax is ASCII punctuation only (CommonMark 0.31, section 2.4:
# https://spec.commonmark.org/0.31.2/#backslash-escapes), so a printable character beyond ASCII
# ("Café — Plus") shows as written.
SAFE = frozenset(string.ascii_letters + string.digits + " .,:;-/()'\"=+?!%{}")


def _char(c: str) -> str:
    if c in SAFE or (not c.isascii() and c.isprintable()):
        return c
    if not c.isprintable():  # a line break, a bidi override: shown, not obeyed
        return f"\\u{ord(c):04x}"
    return f"&#{ord(c)};"


def escape(text: str) -> str:
    return "".join(_char(c) for c in text)


def code(text: str) -> str:
    """Monospace and inert (a markdown code span would need its own fence and pipe rules)."""
    return f"<code>{escape(text)}</code>"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: int = 0) -> str:
    """A GitHub table of cells already made inert; the last `numeric` columns right-aligned."""
    align = ["---"] * (len(header) - numeric) + ["---:"] * numeric
    lines = [header, align, *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
