"""`portal-config emulator` as a user runs it: a separate process, stopped with Ctrl-C."""

from __future__ import annotations

import re
import subprocess
import sys

RUN_CLI = "from portal_config.cli import main; main()"


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    """Start `portal-config emulator ARGS`; the process and the URL its first line names."""
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, "emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    match = re.fullmatch(
        r"Stripe emulator listening on (http://127\.0\.0\.1:\d+) \(state: .+\)\n", line
    )
    assert match, line
    return process, match.group(1)
