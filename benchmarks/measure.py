"""Measuring one child process: wall time, CPU and peak memory of that child alone, and medians.

CPU and memory come from os.wait4, which reports the rusage of exactly the child it reaps;
RUSAGE_CHILDREN would fold every earlier child into ru_maxrss (a maximum, not a delta).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Sample:
    """One run of a child process."""

    wall: float  # seconds, from spawn to reaped
    cpu: float  # user + system seconds of the child
    maxrss_mb: float  # the child's peak resident memory
    code: int
    stdout: str
    stderr: str


class ChildFailed(RuntimeError):
    """A measured command did not exit as expected: the measurement would be of the wrong thing."""


def python_command(*args: str) -> list[str]:
    """The interpreter running the benchmarks (the project's venv), with arguments."""
    return [sys.executable, *args]


def portal_config_command(*args: str) -> list[str]:
    """The installed console script beside this interpreter, as a user runs it."""
    script = Path(sys.executable).parent / "portal-config"
    if script.exists():
        return [str(script), *args]
    return python_command("-m", "portal_config", *args)


def run_child(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    expect: Sequence[int] = (0,),
) -> Sample:
    """Run argv to completion and measure it. Output goes to files, not pipes: a pipe that
    nobody reads while we wait in wait4 would block a talkative child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=cwd
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait
        out.seek(0)
        err.seek(0)
        sample = Sample(
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            maxrss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
            code=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )
    if sample.code not in expect:
        raise ChildFailed(
            f"{' '.join(argv)} exited {sample.code} (expected "
            f"{', '.join(map(str, expect))}):\n{sample.stderr[-2000:]}"
        )
    return sample


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def summarize(samples: Sequence[Sample]) -> dict[str, Any]:
    """Medians of several runs, and every run's wall time so the spread is visible."""
    return {
        "runs": len(samples),
        "wall_s": median([s.wall for s in samples]),
        "cpu_s": median([s.cpu for s in samples]),
        "maxrss_mb": median([s.maxrss_mb for s in samples]),
        "wall_runs_s": [round(s.wall, 4) for s in samples],
    }


def interleaved(
    runs: int, *measured: Callable[[], Sample], warmup: bool = True
) -> list[list[Sample]]:
    """`runs` rounds of each callable in turn (a command beside its floor, so a drift of the
    machine hits both alike), after one unmeasured round (page cache, .pyc files)."""
    if warmup:
        for once in measured:
            once()
    samples: list[list[Sample]] = [[] for _ in measured]
    for _ in range(runs):
        for i, once in enumerate(measured):
            samples[i].append(once())
    return samples


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None
