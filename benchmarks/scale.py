"""Issue 24's two scale targets, on the emulator at 0 ms:

- a fleet `plan --env fleet` (in sync) at a small and a large account count: peak RSS per
  account above the baseline, (RSS large - RSS small) / (accounts large - accounts small);
- `plan --env bench` with 1,000 managed files (in sync) beside the sum of two floors: paging the
  same list (`floors.py paging`) and validating the same files (`floors.py validate`).

Every run is interleaved with the others of its case (measure.interleaved)."""

from __future__ import annotations

import contextlib
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from . import measure
from .emulated import BenchEmulator
from .fleet import ENV, expect, write_fleet_project
from .floors import FLOOR_SCRIPT
from .report import FLOOR_COLUMNS, BenchResult, Column, Options
from .workload import apply_for_setup, child_env, write_project

NAME = "scale"
TITLE = "issue 24: fleet RSS per account, and plan of 1,000 managed files vs paging + validate"
COLUMNS = [
    Column("case", "case"),
    Column("runs", "runs", "int"),
    Column("wall_s", "wall (median)", "s"),
    Column("cpu_s", "CPU", "s"),
    Column("maxrss_mb", "peak RSS", "mb"),
    Column("floor_wall_s", "floor wall", "s"),
    Column("floor_cpu_s", "floor CPU", "s"),
    *FLOOR_COLUMNS,
    Column("kb_per_account", "KB / account above the small fleet"),
]
FLEETS = (500, 5000)  # accounts: the baseline, then issue 24's 5,000
FILES = 1000
QUICK_FLEETS = (5, 50)
QUICK_FILES = 10


def _fleet_rows(root: Path, sizes: tuple[int, int], runs: int, env: dict[str, str]) -> list[Any]:
    with contextlib.ExitStack() as stack:
        plans = []
        for n in sizes:
            emulator = stack.enter_context(contextlib.closing(BenchEmulator()))
            emulator.emulator.add_connected_accounts(n)
            folder = root / f"fleet{n}"
            folder.mkdir()
            project = write_fleet_project(folder, emulator.url)
            apply_for_setup(project, "--env", ENV)
            argv = measure.portal_config_command("--config", str(project), "plan", "--env", ENV)
            line = f"Fleet {ENV}: {n} account(s): {n} in sync, 0 with changes."

            def plan(argv: list[str] = argv, line: str = line) -> measure.Sample:
                sample = measure.run_child(argv, env=env)
                expect(sample, line, "No changes.")
                return sample

            plans.append(plan)
        samples = measure.interleaved(runs, *plans)
    rows = [
        {"case": f"plan --env fleet, {n} accounts", **measure.summarize(s)}
        for n, s in zip(sizes, samples, strict=True)
    ]
    small, large = rows
    delta_kb = (large["maxrss_mb"] - small["maxrss_mb"]) * 1024
    large["kb_per_account"] = round(delta_kb / (sizes[1] - sizes[0]), 2)
    return rows


def _sum(a: measure.Sample, b: measure.Sample) -> measure.Sample:
    """Two floors run one after the other, as one: their wall and CPU add up."""
    return measure.Sample(a.wall + b.wall, a.cpu + b.cpu, max(a.maxrss_mb, b.maxrss_mb), 0, "", "")


def _files_row(root: Path, files: int, runs: int, env: dict[str, str]) -> dict[str, Any]:
    with contextlib.closing(BenchEmulator()) as emulator:
        project = write_project(root / "files", emulator.url, [("bench", None)], files)
        apply_for_setup(project, "--env", "bench")
        schema = root / "schema.json"
        schema.write_text(
            measure.run_child(measure.portal_config_command("schema"), env=env).stdout
        )
        argv = measure.portal_config_command("--config", str(project), "plan", "--env", "bench")

        def plan() -> measure.Sample:
            sample = measure.run_child(argv, env=env)
            expect(sample, "No changes")
            return sample

        paging = partial(
            measure.run_child,
            measure.python_command(str(FLOOR_SCRIPT), "paging", emulator.url),
            env=env,
        )
        validate = partial(
            measure.run_child,
            measure.python_command(str(FLOOR_SCRIPT), "validate", str(project.parent), str(schema)),
            env=env,
        )
        plans, pagings, validates = measure.interleaved(runs, plan, paging, validate)
    row = measure.beside_floor(plans, [_sum(p, v) for p, v in zip(pagings, validates, strict=True)])
    row["case"] = f"plan --env bench, {files} managed files (floor: paging + validate)"
    row["paging"] = measure.summarize(pagings)
    row["validate"] = measure.summarize(validates)
    return row


def run(options: Options) -> BenchResult:
    started = time.perf_counter()
    result = BenchResult(NAME, TITLE, COLUMNS)
    env = child_env()
    runs = options.runs_for(3)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        root = Path(tmp)
        result.rows += _fleet_rows(root, QUICK_FLEETS if options.quick else FLEETS, runs, env)
        result.rows.append(_files_row(root, QUICK_FILES if options.quick else FILES, runs, env))
    result.notes += [
        (
            "Fleets: one file using ${account.id}, applied in-process first (not measured), "
            "so each plan finds every account in sync; parallelism and rate as the defaults "
            "for a loopback emulator. KB / account = (peak RSS of the large fleet's plan - "
            "the small one's) / (accounts large - accounts small), of the medians."
        ),
        (
            "Managed files: applied in-process first; the floor of each round is floors.py "
            "paging of the same list plus floors.py validate of the same files (wall and CPU "
            "added, run in turn with the plan)."
        ),
    ]
    result.seconds = time.perf_counter() - started
    return result
