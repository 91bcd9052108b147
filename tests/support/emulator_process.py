"""`portal-config emulator` as a user runs it: a separate process, stopped with Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

RUN_CLI = "from portal_config.cli import main; main()"


def hears_ctrl_c() -> None:
    """In a child before it runs (Popen's preexec_fn): Ctrl-C as a terminal gives it. A test run
    started in the background by a shell without job control (`cmd &` in a script) has SIGINT
    ignored, the child inherits that, and Python then installs no KeyboardInterrupt handler
    (https://docs.python.org/3/library/signal.html#execution-of-python-signal-handlers)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    """Start `portal-config emulator ARGS`; the process and the URL its first line names."""
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, "emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=hears_ctrl_c,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    match = re.fullmatch(
        r"Stripe emulator listening on (http://127\.0\.0\.1:\d+) \(state: .+\)\n", line
    )
    assert match, line
    return process, match.group(1)
