"""`portal-config plan --all` over 5 environments (each its own Connect account of 100
configurations, 10 managed) at 50 ms latency, as a ratio to `plan --env` of one of them."""

from __future__ import annotations

import contextlib
import tempfile
import time
from pathlib import Path
from typing import Any

from . import measure
from .emulated import BenchEmulator
from .report import BenchResult, Column, Options
from .workload import apply_for_setup, child_env, write_project

NAME = "plan-all"
TITLE = "plan --all over 5 environments at 50 ms vs plan of one environment"
COLUMNS = [
    Column("case", "command"), Column("environments", "environments", "int"),
    Column("runs", "runs", "int"), Column("wall_s", "wall (median)", "s"),
    Column("cpu_s", "CPU", "s"), Column("maxrss_mb", "peak RSS", "mb"),
    Column("requests", "requests", "int"), Column("max_in_flight", "max in flight", "int"),
    Column("ratio", "wall / one environment", "x"),
]
ENVIRONMENTS = 5
PER_ACCOUNT = 100
MANAGED = 10
LATENCY_MS = 50


def _plan(emulator: BenchEmulator, project: Path, env: dict[str, str], args: list[str],
          seen: list[dict[str, Any]]) -> measure.Sample:
    emulator.start_watching()
    sample = measure.run_child(measure.portal_config_command(
        "--config", str(project), "plan", *args), env=env)
    if sample.stdout.count("No changes") != 1:
        raise measure.ChildFailed(f"plan {' '.join(args)} found changes:\n{sample.stdout[-2000:]}")
    seen.append({"requests_by_endpoint": emulator.requests_by_endpoint(),
                 "max_in_flight": emulator.in_flight.peak})
    return sample


def run(options: Options) -> BenchResult:
    started = time.perf_counter()
    result = BenchResult(NAME, TITLE, COLUMNS)
    env = child_env()
    names = [(f"env{i}", f"acct_bench{i}") for i in range(1, ENVIRONMENTS + 1)]
    per_account = 10 if options.quick else PER_ACCOUNT
    with tempfile.TemporaryDirectory(prefix="bench-plan-all-") as tmp, \
            contextlib.closing(BenchEmulator(tuple(a for _, a in names))) as emulator:
        project = write_project(Path(tmp), emulator.url, names, MANAGED)
        apply_for_setup(project, "--all")
        for _, account in names:
            emulator.fill(per_account - MANAGED, account=account)
        emulator.latency = LATENCY_MS / 1000
        one: list[dict[str, Any]] = []
        every: list[dict[str, Any]] = []
        cases = {"plan --env env1": (["--env", "env1"], one, 1),
                 "plan --all": (["--all"], every, ENVIRONMENTS)}
        samples = measure.interleaved(
            options.runs_for(3),
            *[lambda args=args, seen=seen: _plan(emulator, project, env, args, seen)
              for args, seen, _ in cases.values()])
        for (case, (_, seen, count)), runs in zip(cases.items(), samples, strict=True):
            row: dict[str, Any] = {"case": case, "environments": count,
                                   "configurations_per_environment": per_account,
                                   "latency_ms": LATENCY_MS, **measure.summarize(runs)}
            row["requests_by_endpoint"] = seen[-1]["requests_by_endpoint"]
            row["requests"] = sum(row["requests_by_endpoint"].values())
            row["max_in_flight"] = seen[-1]["max_in_flight"]
            result.rows.append(row)
        for row in result.rows:
            row["ratio"] = measure.ratio(row["wall_s"], result.rows[0]["wall_s"])
    result.notes.append(f"Each environment is its own Connect account (stripe_account) of "
                        f"{per_account} configurations, {MANAGED} managed by the files; "
                        f"{ENVIRONMENTS} serial environments would be {ENVIRONMENTS:.2f}x, fully "
                        "parallel ones 1.00x.")
    result.seconds = time.perf_counter() - started
    return result
