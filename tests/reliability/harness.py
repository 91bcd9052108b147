"""Runs `portal-config` in-process through `main`, the real entry point with its error handling
(click's CliRunner isolates the streams), and states what every run must look like."""

from __future__ import annotations

import re
import shutil
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from portal_config.cli import main

BROKEN = Path(__file__).resolve().parent.parent / "broken"
PROJECT = (BROKEN / "_project.yaml").read_text()
# FILE:LINE:COL: message (a warning reads `FILE:LINE:COL: warning: message`).
LOCATED = re.compile(r"^(?P<file>[^\n]+?):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*): (?P<message>\S.*)$")


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_main(*args: str) -> Outcome:
    """`portal-config ARGS` through `main`: its exit code and both streams."""
    runner = CliRunner()
    code: int | str | None = 0
    with runner.isolation() as (stdout, stderr, _):
        try:
            main(list(args))
        except SystemExit as exit_:
            code = exit_.code
        sys.stdout.flush()
        sys.stderr.flush()
    assert isinstance(code, int), f"exit code {code!r}"
    return Outcome(
        code,
        stdout.getvalue().decode("utf-8", "replace"),
        stderr.getvalue().decode("utf-8", "replace"),
    )


def new_project(
    folder: Path, files: Mapping[str, str | bytes] | None = None, project: str = PROJECT
) -> Path:
    """A project folder holding `files` beside its project file; its project file's path."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "portal-config.yaml").write_text(project)
    for name, content in (files or {}).items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder / "portal-config.yaml"


def line_count(path: Path) -> int:
    """Lines in `path` (+1, for a problem at the end), 1 for what is not a regular file."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO or /dev/zero: never read
            return 1
        return len(path.read_bytes().decode("utf-8", "replace").splitlines()) + 1
    except OSError:
        return 1


def assert_well_behaved(outcome: Outcome, problems_on: str = "stdout") -> list[str]:
    """Exit 0 or 1, never a traceback or an internal error, and on exit 1 located problems:
    every line of `problems_on` (stdout for validate, stderr for the other commands, without
    their last `Error:` line) reads FILE:LINE:COL: message, on a line the file has. Returns
    those lines."""
    assert outcome.code in (0, 1), outcome
    assert "Traceback" not in outcome.output, outcome
    assert "Internal error" not in outcome.output, outcome
    if outcome.code == 0:
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
