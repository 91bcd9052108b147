"""The benchmark runner's quick mode, on its cheapest case (plan of one configuration at 0 ms):
it runs the real CLI against the emulator and writes the JSON the README describes. CI does not
run the full suite; this keeps the runner from rotting."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.__main__ import main


def test_quick_plan_benchmark_writes_its_json(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    printed: list[str] = []

    main(["--quick", "--only", "plan", "--out", str(out)], echo=printed.append)

    document = json.loads(out.read_text())
    assert set(document) >= {"format_version", "started", "machine", "options", "benchmarks"}
    assert document["machine"]["nproc"] >= 1
    assert list(document["benchmarks"]) == ["plan"]
    (row,) = document["benchmarks"]["plan"]["rows"]
    assert (row["configurations"], row["managed"], row["latency_ms"], row["runs"]) == (1, 1, 0, 1)
    assert row["wall_s"] > 0 and row["cpu_s"] > 0 and row["maxrss_mb"] > 0
    assert row["floor_wall_s"] > 0 and row["ratio"] > 0
    # CPU and peak RSS beside wall, each against the floor's own (issue 24)
    assert row["floor_cpu_s"] > 0 and row["floor_maxrss_mb"] > 0
    assert row["cpu_ratio"] == row["cpu_s"] / row["floor_cpu_s"]
    assert row["rss_ratio"] == row["maxrss_mb"] / row["floor_maxrss_mb"]
    # One list page and one price lookup, as the emulator logged them; nothing failed.
    assert row["requests_by_endpoint"] == {
        "GET /v1/billing_portal/configurations": 1,
        "GET /v1/prices": 1,
    }
    assert row["requests"] == 2 and row["failed_requests"] == 0
    table = "\n".join(printed)
    assert "| configs |" in table and "| 1 | 1 | 0 | 1 |" in table
    assert "| wall / floor | CPU / floor | RSS / floor |" in table


def test_fleet_benchmark_on_a_fleet_of_five_counts_its_requests() -> None:
    from benchmarks import fleet
    from benchmarks.report import Options

    result = fleet.run(Options(), cases=[fleet.Case(5, None, 4)])

    apply, plan = result.rows
    assert (apply["command"], plan["command"]) == ("apply --env fleet", "plan --env fleet")
    # the account list, then per account its list, the re-check before the create, the create
    assert apply["requests_by_endpoint"] == {
        "GET /v1/accounts": 1,
        "GET /v1/billing_portal/configurations": 10,
        "POST /v1/billing_portal/configurations": 5,
    }
    assert plan["requests_by_endpoint"] == {
        "GET /v1/accounts": 1,
        "GET /v1/billing_portal/configurations": 5,
    }
    assert (apply["requests"], plan["requests"]) == (16, 6)
    assert apply["rate_floor_s"] is None and apply["latency_floor_s"] > 0 and apply["ratio"] > 0


def test_scale_benchmark_quick_gives_kb_per_account_and_the_files_floor() -> None:
    from benchmarks import scale
    from benchmarks.report import Options

    result = scale.run(Options(quick=True))

    small, large, files = result.rows
    assert small["case"].endswith(" 5 accounts") and large["case"].endswith(" 50 accounts")
    expected = (large["maxrss_mb"] - small["maxrss_mb"]) * 1024 / 45
    assert large["kb_per_account"] == round(expected, 2)
    # the floor of each round is paging plus validate, added
    assert files["floor_cpu_s"] >= files["paging"]["cpu_s"]
    assert files["floor_cpu_s"] >= files["validate"]["cpu_s"]
    assert files["cpu_ratio"] == files["cpu_s"] / files["floor_cpu_s"]
