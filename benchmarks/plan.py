"""`portal-config plan` against an account of 1 to 10,000 configurations (10 of them managed by
files), at 0 and 50 ms latency (5,000 at 20 ms, issue 13's case), beside bare paging of the same
list with requests + json."""

from __future__ import annotations

import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from . import measure
from .emulated import BenchEmulator
from .floors import FLOOR_SCRIPT
from .report import FLOOR_COLUMNS, BenchResult, Column, Options
from .workload import apply_for_setup, child_env, write_project

NAME = "plan"
TITLE = "plan against an account of N configurations vs bare paging of the same list"
COLUMNS = [
    Column("configurations", "configs", "int"),
    Column("managed", "managed", "int"),
    Column("latency_ms", "latency (ms)", "int"),
    Column("runs", "runs", "int"),
    Column("wall_s", "wall (median)", "s"),
    Column("cpu_s", "CPU", "s"),
    Column("maxrss_mb", "peak RSS", "mb"),
    Column("requests", "requests", "int"),
    Column("requests_by_endpoint", "by endpoint"),
    Column("max_in_flight", "max in flight", "int"),
    Column("floor_wall_s", "paging floor", "s"),
    Column("floor_maxrss_mb", "floor RSS", "mb"),
    *FLOOR_COLUMNS,
]
MANAGED = 10
# (configurations, latency ms) -> default runs: the slow 10,000 cases get fewer.
CASES = {
    (1, 0): 3,
    (1, 50): 3,
    (100, 0): 3,
    (100, 50): 3,
    (1000, 0): 2,
    (1000, 50): 2,
    (5000, 20): 2,  # issue 13: "plan over 5,000 configurations within 1.5x of bare paging"
    (10000, 0): 1,
    (10000, 50): 1,
}
# configurations -> requests by endpoint of a plan at 0 ms in this session, for `refresh`
# (a request count does not vary between runs, and the 10,000 plan is slow)
REQUESTS_SEEN: dict[int, dict[str, int]] = {}
QUICK_CASES = {(1, 0): 1}
# --large: issue 24's 50,000 (the emulator's fill alone holds ~0.5 GB in this process)
LARGE_CASES = {(50000, 0): 1}


class Account:
    """An emulator holding `configurations` of which min(10, configurations) are managed by the
    project's files (created by a setup apply), the rest unmanaged."""

    def __init__(self, root: Path, configurations: int):
        self.emulator = BenchEmulator()
        self.managed = min(MANAGED, configurations)
        self.project = write_project(root, self.emulator.url, [("bench", None)], self.managed)
        apply_for_setup(self.project, "--env", "bench")
        self.emulator.fill(configurations - self.managed)
        count = self.emulator.configuration_count()
        assert count == configurations, f"the account holds {count}, not {configurations}"

    def close(self) -> None:
        self.emulator.close()


def plan_once(
    account: Account, env: dict[str, str], *args: str
) -> tuple[measure.Sample, dict[str, Any]]:
    """One measured plan (it must find no changes) and what it asked the emulator."""
    account.emulator.start_watching()
    argv = measure.portal_config_command("--config", str(account.project), "plan", *args)
    sample = measure.run_child(argv, env=env)
    if "No changes" not in sample.stdout:
        raise measure.ChildFailed(f"plan found changes:\n{sample.stdout[-2000:]}")
    return sample, {
        "requests_by_endpoint": account.emulator.requests_by_endpoint(),
        "max_in_flight": account.emulator.in_flight.peak,
        "failed_requests": account.emulator.failed_requests(),
    }


def paging_once(account: Account, env: dict[str, str]) -> measure.Sample:
    return measure.run_child(
        measure.python_command(str(FLOOR_SCRIPT), "paging", account.emulator.url), env=env
    )


def run(options: Options, cases: dict[tuple[int, int], int] | None = None) -> BenchResult:
    started = time.perf_counter()
    result = BenchResult(NAME, TITLE, COLUMNS)
    env = child_env()
    cases = cases or (QUICK_CASES if options.quick else CASES)
    if options.large and not options.quick:
        cases = {**cases, **LARGE_CASES}
    with tempfile.TemporaryDirectory(prefix="bench-plan-") as tmp:
        for size in sorted({n for n, _ in cases}):
            account = Account(Path(tmp) / f"n{size}", size)
            try:
                for latency in sorted(ms for n, ms in cases if n == size):
                    account.emulator.latency = latency / 1000
                    runs = options.runs_for(cases[(size, latency)])
                    seen: list[dict[str, Any]] = []

                    def plan_run(
                        account: Account = account, seen: list[dict[str, Any]] = seen
                    ) -> measure.Sample:
                        sample, asked = plan_once(account, env, "--env", "bench")
                        seen.append(asked)
                        return sample

                    plans, floors = measure.interleaved(
                        runs, plan_run, partial(paging_once, account, env), warmup=size < 10000
                    )
                    asked = seen[-1]
                    row: dict[str, Any] = {
                        "configurations": size,
                        "managed": account.managed,
                        "latency_ms": latency,
                        **measure.beside_floor(plans, floors),
                    }
                    row["requests"] = sum(asked["requests_by_endpoint"].values())
                    row.update(asked)
                    row["floor_requests"] = -(-size // 100)
                    if latency == 0:
                        REQUESTS_SEEN[size] = asked["requests_by_endpoint"]
                    result.rows.append(row)
            finally:
                account.close()
    result.notes += [
        (
            "Each plan finds no changes. Requests come from the emulator's log (the last run); "
            "CPU and peak RSS are of the portal-config process alone (os.wait4, GNU time's %M: "
            "measure.py)."
        ),
        (
            "The floor pages GET /v1/billing_portal/configurations?limit=100 with starting_after "
            "in "
            "its own process (requests + json), against the same emulator and latency."
        ),
        (
            "Runs: 3 of each case (after one warm-up run), 2 at 1,000 and 5,000 configurations, "
            "and the 10,000 cases (and --large's 50,000) once without a warm-up run, to keep the "
            "suite short."
        ),
    ]
    result.seconds = time.perf_counter() - started
    return result
