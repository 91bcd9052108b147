"""Measuring one child process: wall time, CPU and peak memory of that child alone, and medians.

CPU comes from os.wait4, which reports the rusage of exactly the child it reaps (RUSAGE_CHILDREN
would fold every earlier child in). Peak memory does not: Linux folds the high-water RSS of the
process a child replaces at exec into the child's ru_maxrss, and a child of this process starts
as a (v)fork of it, so its ru_maxrss is at least this process's own peak (the emulator holding
10,000 configurations is ~85 MB of it). The command is therefore run under GNU time, a small
process whose `%M` is the command's own peak; without GNU time, ru_maxrss is reported.
"""

from __future__ import annotations

import os
import shutil
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


def _gnu_time() -> str | None:
    """GNU time (`-f FORMAT -o FILE`), when installed."""
    found = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    if found is None:
        return None
    probe = subprocess.run([found, "-f", "%M", "true"], capture_output=True, text=True, check=False)
    return found if probe.returncode == 0 and probe.stderr.strip().isdigit() else None


GNU_TIME = _gnu_time()


def run_child(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    expect: Sequence[int] = (0,),
) -> Sample:
    """Run argv to completion and measure it. Output goes to files, not pipes: a pipe that
    nobody reads while we wait in wait4 would block a talkative child."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as peak,
    ):
        timed = [GNU_TIME, "-f", "%M", "-o", peak.name, *argv] if GNU_TIME else list(argv)
        start = time.perf_counter()
        proc = subprocess.Popen(
            timed, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=cwd
        )
        _, status, usage = os.wait4(proc.pid, 0)  # GNU time's rusage holds the command's
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait
        out.seek(0)
        err.seek(0)
        lines = peak.read().split() if GNU_TIME else []  # "Command exited with ..." first
        kilobytes = int(lines[-1]) if lines and lines[-1].isdigit() else usage.ru_maxrss
        sample = Sample(
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            maxrss_mb=kilobytes / 1024,  # kilobytes on Linux
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


def beside_floor(samples: Sequence[Sample], floor: Sequence[Sample]) -> dict[str, Any]:
    """A command's medians beside its floor's, and the three ratios: wall, CPU and peak RSS.
    Wall includes the emulator's time (it serves both from this process, on the same cores),
    CPU and RSS are the child's own, so the CPU and RSS ratios are the command's cost alone."""
    row = summarize(samples)
    row["floor_wall_s"] = median([s.wall for s in floor])
    row["floor_cpu_s"] = median([s.cpu for s in floor])
    row["floor_maxrss_mb"] = median([s.maxrss_mb for s in floor])
    row["ratio"] = ratio(row["wall_s"], row["floor_wall_s"])
    row["cpu_ratio"] = ratio(row["cpu_s"], row["floor_cpu_s"])
    row["rss_ratio"] = ratio(row["maxrss_mb"], row["floor_maxrss_mb"])
    return row
