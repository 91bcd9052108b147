"""Project folders for hostile input, and what every run of `portal-config` on them must look
like (the runs themselves: tests.support.cli.run_cli)."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from tests.support.cli import Result
from tests.support.projects import PROJECT, new_project

__all__ = ["PROJECT", "new_project"]  # re-exported: the hostile-input tests take them here
# FILE:LINE:COL: message (a warning reads `FILE:LINE:COL: warning: message`).
LOCATED = re.compile(r"^(?P<file>[^\n]+?):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*): (?P<message>\S.*)$")


def line_count(path: Path) -> int:
    """Lines in `path` (+1, for a problem at the end), 1 for what is not a regular file."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO or /dev/zero: never read
            return 1
        return len(path.read_bytes().decode("utf-8", "replace").splitlines()) + 1
    except OSError:
        return 1


def assert_well_behaved(outcome: Result, problems_on: str = "stdout") -> list[str]:
    """Exit 0 or 1, never a traceback or an internal error, and on exit 1 located problems:
    every line of `problems_on` (stdout for validate, stderr for the other commands, without
    their last `Error:` line) reads FILE:LINE:COL: message, on a line the file has. Returns
    those lines."""
    assert outcome.exit_code in (0, 1), outcome
    assert "Traceback" not in outcome.output, outcome
    assert "Internal error" not in outcome.output, outcome
    if outcome.exit_code == 0:
        return []
    text = outcome.stdout if problems_on == "stdout" else outcome.stderr
    lines = text.splitlines()
    if problems_on == "stderr":
        assert lines and lines[-1].startswith("Error: "), outcome
        lines = lines[:-1]
    assert lines, outcome
    for line in lines:
        match = LOCATED.match(line)
        assert match, f"not located: {line!r}\n{outcome}"
        assert int(match["line"]) <= line_count(Path(match["file"])), line
    assert any(": warning: " not in line for line in lines), outcome
    return lines
