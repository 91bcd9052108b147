"""`portal-config apply` of 10 and 100 creates at 50 ms latency, on an empty account and on one of
1,000 configurations: requests per change, the most requests in flight at once, and the wall
time beside the latency floor (requests x latency / parallelism)."""

from __future__ import annotations

import contextlib
import tempfile
import time
from pathlib import Path
from typing import Any

from . import measure
from .emulated import BenchEmulator
from .report import BenchResult, Column, Options
from .workload import child_env, write_project

NAME = "apply"
TITLE = "apply of N creates at 50 ms: requests per change, parallelism, wall vs latency floor"
COLUMNS = [
    Column("changes", "changes", "int"),
    Column("configurations", "account holds", "int"),
    Column("runs", "runs", "int"),
    Column("wall_s", "wall (median)", "s"),
    Column("cpu_s", "CPU", "s"),
    Column("requests", "requests", "int"),
    Column("requests_per_change", "per change"),
    Column("requests_by_endpoint", "by endpoint"),
    Column("max_in_flight", "max in flight", "int"),
    Column("latency_floor_s", "latency floor", "s"),
    Column("ratio", "wall / floor", "x"),
]
LATENCY_MS = 50
# (changes, configurations already in the account) -> default runs
CASES = {(10, 0): 3, (100, 0): 1, (10, 1000): 1, (100, 1000): 1}
QUICK_CASES = {(10, 0): 1}


def apply_once(
    root: Path, changes: int, existing: int, env: dict[str, str]
) -> tuple[measure.Sample, dict[str, Any]]:
    """A fresh account each run (an apply changes it), then one measured apply."""
    with contextlib.closing(BenchEmulator()) as emulator:
        emulator.fill(existing)
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=root) as tmp:
            project = write_project(Path(tmp), emulator.url, [("bench", None)], changes)
            emulator.latency = LATENCY_MS / 1000
            emulator.start_watching()
            sample = measure.run_child(
                measure.portal_config_command(
                    "--config", str(project), "apply", "--env", "bench", "--yes"
                ),
                env=env,
            )
            if f"Apply complete: {changes} created" not in sample.stdout + sample.stderr:
                raise measure.ChildFailed(
                    f"apply did not create {changes}:\n"
                    f"{sample.stdout[-1000:]}{sample.stderr[-1000:]}"
                )
            asked = {
                "requests_by_endpoint": emulator.requests_by_endpoint(),
                "max_in_flight": emulator.in_flight.peak,
                "failed_requests": emulator.failed_requests(),
            }
            assert emulator.configuration_count() == existing + changes
    return sample, asked


def run(options: Options, cases: dict[tuple[int, int], int] | None = None) -> BenchResult:
    started = time.perf_counter()
    result = BenchResult(NAME, TITLE, COLUMNS)
    env = child_env()
    cases = cases or (QUICK_CASES if options.quick else CASES)
    with tempfile.TemporaryDirectory(prefix="bench-apply-") as tmp:
        for (changes, existing), default_runs in cases.items():
            seen: list[dict[str, Any]] = []

            def once(
                changes: int = changes, existing: int = existing, seen: list[dict[str, Any]] = seen
            ) -> measure.Sample:
                sample, asked = apply_once(Path(tmp), changes, existing, env)
                seen.append(asked)
                return sample

            (samples,) = measure.interleaved(options.runs_for(default_runs), once, warmup=False)
            asked = seen[-1]
            requests = sum(asked["requests_by_endpoint"].values())
            parallelism = max(1, asked["max_in_flight"])
            row: dict[str, Any] = {
                "changes": changes,
                "configurations": existing,
                "latency_ms": LATENCY_MS,
                **measure.summarize(samples),
            }
            row["requests"] = requests
            row["requests_per_change"] = round(requests / changes, 1)
            row.update(asked)
            row["latency_floor_s"] = requests * LATENCY_MS / 1000 / parallelism
            row["ratio"] = measure.ratio(row["wall_s"], row["latency_floor_s"])
            result.rows.append(row)
    result.notes += [
        (
            f"Every change is a create; each run starts from a fresh account at {LATENCY_MS} ms. "
            "Requests include apply's own plan. The latency floor is requests x latency / the most "
            "requests in flight at once, counted by wrapping the emulator's handler."
        ),
        "Cases with 100 changes or 1,000 configurations run once (no warm-up run).",
    ]
    result.seconds = time.perf_counter() - started
    return result
