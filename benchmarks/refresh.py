"""Requests for one refresh of an account of N configurations: ours (`portal-config plan`,
counted by the emulator) beside the per-ID refresh the Terraform providers use (list, then one
GET per configuration ID), done with plain requests against the same emulator."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from . import measure, plan
from .plan import Account, plan_once
from .report import BenchResult, Column, Options
from .workload import TEST_KEY, child_env

NAME = "refresh"
TITLE = "requests per refresh: plan vs per-ID refresh (list, then GET each ID)"
COLUMNS = [
    Column("configurations", "configs", "int"),
    Column("ours_requests", "plan requests", "int"),
    Column("ours_from", "plan count from"),
    Column("per_id_requests", "per-ID refresh requests", "int"),
    Column("per_id_measured", "per-ID count is"),
    Column("ratio", "per-ID / plan", "x"),
    Column("ours_floor_50ms_s", "plan at 50 ms, at least", "s"),
    Column("per_id_floor_50ms_s", "per-ID at 50 ms, at least", "s"),
]
SIZES = (1, 100, 1000, 10000)
MEASURED_UP_TO = 1000  # 10,100 sequential GETs would take longer than the rest of the suite


def per_id_refresh(url: str) -> tuple[int, float]:
    """List every configuration (limit=100 pages), then GET each by ID: (requests, seconds)."""
    session = requests.Session()
    session.trust_env = False
    session.headers["Authorization"] = f"Bearer {TEST_KEY}"
    started = time.perf_counter()
    base = f"{url}/v1/billing_portal/configurations"
    params: dict[str, Any] = {"limit": 100}
    ids: list[str] = []
    count = 0
    while True:
        page = session.get(base, params=params, timeout=30).json()
        count += 1
        ids += [c["id"] for c in page["data"]]
        if not page["has_more"]:
            break
        params["starting_after"] = ids[-1]
    for config_id in ids:
        session.get(f"{base}/{config_id}", timeout=30).raise_for_status()
        count += 1
    return count, time.perf_counter() - started


def _refresh_row(root: Path, size: int, env: dict[str, str]) -> dict[str, Any]:
    """Both counts for an account of `size`: ours from this session's plan benchmark when it
    ran (the 10,000 plan is slow and its count does not vary), else from a plan run here."""
    row: dict[str, Any] = {"configurations": size}
    seen = plan.REQUESTS_SEEN.get(size)
    account = None
    if seen is None or size <= MEASURED_UP_TO:
        account = Account(root, size)
    try:
        if seen is None:
            assert account is not None
            seen = plan_once(account, env, "--env", "bench")[1]["requests_by_endpoint"]
            row["ours_from"] = "refresh"
        else:
            row["ours_from"] = "plan benchmark"
        row["ours_requests_by_endpoint"] = seen
        row["ours_requests"] = sum(seen.values())
        if account is not None:
            account.emulator.start_watching()
            count, wall = per_id_refresh(account.emulator.url)
            assert count == len(account.emulator.emulator.request_log)
            row.update(
                per_id_requests=count, per_id_in_process_wall_s=wall, per_id_measured="measured"
            )
        else:
            row.update(per_id_requests=-(-size // 100) + size, per_id_measured="computed")
    finally:
        if account is not None:
            account.close()
    row["ratio"] = measure.ratio(row["per_id_requests"], row["ours_requests"])
    # One request at a time, as both clients send them: requests x latency.
    row["ours_floor_50ms_s"] = row["ours_requests"] * 0.05
    row["per_id_floor_50ms_s"] = row["per_id_requests"] * 0.05
    return row


def run(options: Options) -> BenchResult:
    started = time.perf_counter()
    result = BenchResult(NAME, TITLE, COLUMNS)
    env = child_env()
    sizes = (1, 100) if options.quick else SIZES
    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as tmp:
        for size in sizes:
            result.rows.append(_refresh_row(Path(tmp) / f"n{size}", size, env))
    result.notes += [
        (
            "One run each, at 0 ms latency: a request count does not vary between runs (plan's "
            "count is taken from the plan benchmark when it ran in this session). Both "
            "clients send one request at a time, so at 50 ms each waits at least requests x 50 ms."
        ),
        (
            f"Above {MEASURED_UP_TO:,} configurations the per-ID count is computed as "
            "ceil(N/100) list pages + N GETs, the formula the measured rows follow."
        ),
        (
            "A provider that refreshes only the resources in its state sends one GET per managed "
            "configuration instead (10 here), but cannot see configurations made elsewhere."
        ),
    ]
    result.seconds = time.perf_counter() - started
    return result
