"""The one way the tests run `portal-config` in-process: through `main`, the real entry point
with its error handling, exit codes and masking, its streams encoded as a real stdout's are
(UTF-8, strict: text a terminal could not print fails here too), either of them a terminal when
asked. Tests that need another process (two applies at once, the action, a signal) start one."""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass

from portal_config.cli import main


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class _Stream(io.TextIOWrapper):
    """A standard stream over bytes, a terminal or not (stdin: holding `given`)."""

    def __init__(self, terminal: bool, given: bytes = b""):
        super().__init__(io.BytesIO(given), encoding="utf-8", errors="strict", write_through=True)
        self._terminal = terminal

    def isatty(self) -> bool:
        return self._terminal

    def text(self) -> str:
        self.flush()
        buffer = self.buffer
        assert isinstance(buffer, io.BytesIO)
        return buffer.getvalue().decode("utf-8", "replace")


def run_cli(
    *args: str,
    stdout_terminal: bool = False,
    stderr_terminal: bool = False,
    stdin: str | None = None,
) -> Result:
    """`portal-config ARGS`: its exit code and both streams. `stdin`: what a pipe gives it (`-`
    arguments); otherwise a prompt reads sys.stdin (a test monkeypatches a
    tests.conftest.Terminal there for a person at a terminal)."""
    out, err = _Stream(stdout_terminal), _Stream(stderr_terminal)
    given = sys.stdin if stdin is None else _Stream(False, stdin.encode())
    code: object = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        sys.stdin, kept = given, sys.stdin
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
        finally:
            sys.stdin = kept
    assert isinstance(code, int), f"exit code {code!r}"  # main always exits with a number
    return Result(code, out.text(), err.text())


def finding(result: Result, status: str, *texts: str) -> str:
    """doctor's output line of a finding with this status that contains `texts`, and its fix
    line (the next line, when it is one)."""
    lines = result.stdout.splitlines()
    for n, line in enumerate(lines):
        if line.strip().startswith(status) and all(text in line for text in texts):
            fix = lines[n + 1] if n + 1 < len(lines) and "fix:" in lines[n + 1] else ""
            return line + "\n" + fix
    raise AssertionError(f"no {status} finding with {texts!r} in:\n{result.output}")
