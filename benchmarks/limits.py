"""A fleet under Stripe's rate limits as the emulator enforces them (emulator/ratelimits.py: per
mode 100 requests a second in live mode and 25 in test mode in all, 25 to each endpoint):
`apply --env fleet --yes` on 1,000 empty connected accounts, then `plan --env fleet`, at the
mode's default rate (against a local server a run has no limit unless asked, so the default is
asked for: `--max-rps` 80 in live mode, 20 in test mode; the endpoint windows come with any
limit). What counts: no 429 and no one-second window over 25 requests on one endpoint, read from
the emulator's request log; and the wall time against the rate floor."""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal_config.stripe_api.ratelimit import DEFAULT_PER_SECOND, ENDPOINT_PER_SECOND

from . import measure
from .emulated import BenchEmulator
from .fleet import ENV, LATENCY_MS, check_fleet, expect, write_fleet_project
from .report import BenchResult, Column, Options
from .workload import KEY_VAR, child_env

NAME = "limits"
TITLE = "a fleet against the emulator's rate limits at the default rate: 429s and busiest seconds"
COLUMNS = [
    Column("accounts", "accounts", "int"),
    Column("mode", "mode"),
    Column("command", "command"),
    Column("max_rps", "--max-rps"),
    Column("wall_s", "wall", "s"),
    Column("requests", "requests", "int"),
    Column("refused_429", "429s", "int"),
    Column("busiest_endpoint", "busiest second, one endpoint", "int"),
    Column("busiest_all", "busiest second, all", "int"),
    Column("rate_floor_s", "rate floor", "s"),
    Column("ratio", "wall / floor", "x"),
]
LIVE_KEY = "sk_live_bench_4eC39HqLyjWDarjtT1zdp7dc"


@dataclass(frozen=True)
class Case:
    accounts: int
    mode: str

    @property
    def max_rps(self) -> float:
        return DEFAULT_PER_SECOND[self.mode]


CASES = [Case(1000, "live"), Case(1000, "test")]
QUICK_CASES = [Case(20, "live")]


def _asked(emulator: BenchEmulator) -> dict[str, Any]:
    log = emulator.emulator.request_log
    statuses = Counter(entry.status for entry in log)
    failed = sum(n for status, n in statuses.items() if status is None or status >= 400)
    if failed > statuses[429]:
        raise measure.ChildFailed(f"{failed} request(s) failed: the run measured the wrong thing")
    busiest = emulator.emulator.busiest_seconds()
    everything = busiest.pop("*", 0)  # all endpoints together; the rest are per endpoint
    return {
        "requests": len(log),
        "refused_429": statuses[429],
        "requests_by_endpoint": emulator.requests_by_endpoint(),
        "busiest_by_endpoint": busiest,
        "busiest_all": everything,
        "busiest_endpoint": max(busiest.values(), default=0),
    }


def _row(case: Case, command: str, sample: measure.Sample, asked: dict[str, Any]) -> dict[str, Any]:
    # The least time the limits allow: the run's requests at --max-rps, or the busiest
    # endpoint's at the endpoint rate, whichever is longer.
    floor = max(
        asked["requests"] / case.max_rps,
        max(asked["requests_by_endpoint"].values()) / ENDPOINT_PER_SECOND,
    )
    return {
        "accounts": case.accounts,
        "mode": case.mode,
        "command": f"{command} --env {ENV}",
        "max_rps": f"{case.max_rps:g}",
        "latency_ms": LATENCY_MS,
        **measure.summarize([sample]),
        **asked,
        "rate_floor_s": floor,
        "ratio": measure.ratio(sample.wall, floor),
    }


def limited_once(root: Path, case: Case) -> list[dict[str, Any]]:
    """A fresh fleet of `case.accounts` in `case.mode`, limits on: the apply, then the plan."""
    n, rows = case.accounts, []
    env = {**child_env(), **({KEY_VAR: LIVE_KEY} if case.mode == "live" else {})}
    with (
        contextlib.closing(BenchEmulator()) as emulator,
        tempfile.TemporaryDirectory(dir=root) as tmp,
    ):
        emulator.emulator.rate_limits = True
        accounts = emulator.emulator.add_connected_accounts(n, mode=case.mode)
        project = write_fleet_project(Path(tmp), emulator.url, case.mode)
        emulator.latency = LATENCY_MS / 1000
        commands = {
            "apply": (["apply", "--yes"], f"Apply complete: {n} created, 0 updated"),
            "plan": (["plan"], f"Fleet {ENV}: {n} account(s): {n} in sync, 0 with changes."),
        }
        for command, (args, expected) in commands.items():
            emulator.start_watching()
            options = ["--env", ENV, "--max-rps", f"{case.max_rps:g}"]
            sample = measure.run_child(
                measure.portal_config_command("--config", str(project), *args, *options), env=env
            )
            expect(sample, expected)
            rows.append(_row(case, command, sample, _asked(emulator)))
            if command == "apply":
                check_fleet(emulator, accounts, case.mode)
    return rows


def run(options: Options, cases: list[Case] | None = None) -> BenchResult:
    started = time.perf_counter()
    result = BenchResult(NAME, TITLE, COLUMNS)
    with tempfile.TemporaryDirectory(prefix="bench-limits-") as tmp:
        for case in cases or (QUICK_CASES if options.quick else CASES):
            result.rows += limited_once(Path(tmp), case)
    result.notes += [
        (
            f"A fresh fleet per case on the emulator at {LATENCY_MS} ms with its rate limits on "
            "(Stripe's: 100 a second in live mode, 25 in test mode, 25 to each endpoint); the "
            "run at the mode's default (asked for with --max-rps: a local server gets no limit "
            "by default), whose endpoint windows allow 20 a second to each endpoint. One run."
        ),
        (
            "429s and busiest seconds are read from the emulator's request log (arrival times); "
            "the rate floor is the longer of requests / --max-rps and the busiest endpoint's "
            "requests / 20."
        ),
    ]
    result.seconds = time.perf_counter() - started
    return result
