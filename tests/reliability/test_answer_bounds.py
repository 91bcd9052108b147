"""Answers too big to read (the emulator's hostile bodies, emulator/hostile.py): each is refused
once it passes transport.MAX_ANSWER_BYTES, as sent or as decoded, with a clear "too large"
error naming the request, quickly and within bounded memory."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

from portal_config.stripe_api import transport
from tests.e2e.conftest import Project
from tests.e2e.stripe_state import BASIC, configurations

from .test_hostile_answers import LIST, assert_clear_error

TOO_LARGE = f"an answer larger than {transport.MAX_ANSWER_BYTES // 2**20} MiB"
# A client that stops at the cap leaves at most the cap and what the sockets buffer unread.
READ_AT_MOST = transport.MAX_ANSWER_BYTES + 32 * 2**20
# The child process below: one CLI run, then its own peak memory (KiB on Linux) on stderr. Its
# address space is capped above what a bounded run needs, so a client that expanded the whole
# bomb fails instead of taking the machine's memory.
CHILD = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
    from portal_config.cli import main
    try:
        main(sys.argv[1:])
    finally:
        print("peak-rss-kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
    """
)


def test_a_gzip_bomb_is_refused_without_expanding_it(project: Project) -> None:
    project.write("basic.yaml", BASIC)
    project.emulator.faults.script([{"body": "gzip_bomb", "method": "GET", "path_prefix": LIST}])
    config = str(project.configs / "portal-config.yaml")
    started = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, "--config", config, "plan", "--env", "staging"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert child.returncode == 1, child.stdout + child.stderr
    output = child.stdout + child.stderr
    assert "listing portal configurations" in output and TOO_LARGE in output, output
    assert "Traceback" not in output and "Internal error" not in output
    peak_mib = int(output.rsplit("peak-rss-kib", 1)[1].split()[0]) / 1024
    assert peak_mib < 300, f"peak RSS {peak_mib:.0f} MiB"
    assert time.monotonic() - started < 30


def test_an_endless_answer_ends_at_the_cap_before_the_deadline(project: Project) -> None:
    project.write("basic.yaml", BASIC)
    project.emulator.faults.script([{"body": "endless", "method": "GET", "path_prefix": LIST}])
    started = time.monotonic()
    result = project.run("plan", "--env", "staging", "--timeout", "5")
    elapsed = time.monotonic() - started
    assert_clear_error(result, "environment 'staging': listing portal configurations", TOO_LARGE)
    assert "malformed" in result.output
    assert elapsed < 5, elapsed
    assert project.emulator.hostile_sent < READ_AT_MOST


def test_a_100_mb_answer_is_refused_quickly(project: Project) -> None:
    project.write("basic.yaml", BASIC)
    project.emulator.faults.script([{"body": "oversized", "method": "GET", "path_prefix": LIST}])
    started = time.monotonic()
    result = project.run("plan", "--env", "staging")
    assert_clear_error(result, "environment 'staging': listing portal configurations", TOO_LARGE)
    assert time.monotonic() - started < 5
    assert project.emulator.hostile_sent < READ_AT_MOST
    # The connection given up on is not reused: the next run reads the account as it is.
    assert project.run("plan", "--env", "staging").exit_code == 0


def test_a_create_answered_too_large_is_uncertain_and_the_rerun_creates_nothing_new(
    project: Project,
) -> None:
    project.write("basic.yaml", BASIC)
    project.emulator.faults.script([{"body": "oversized", "method": "POST", "path_prefix": LIST}])
    first = project.run("apply", "--env", "staging")
    assert_clear_error(first, "Uncertain: create basic (new) in staging", TOO_LARGE)
    assert project.run("apply", "--env", "staging").exit_code == 0
    assert project.run("plan", "--env", "staging", "--detailed-exitcode").exit_code == 0
    assert len(configurations(project)) == 1
