"""The runner: `python -m benchmarks [--quick] [--only NAME] [--runs N] [--out FILE]` runs the
benchmarks in one process, prints a markdown table per benchmark and writes the JSON file."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from . import apply, fleet, limits, plan, plan_all, refresh, scale, startup, validate
from .report import BenchResult, Options, machine, table, write_json

BENCHMARKS: dict[str, ModuleType] = {
    m.NAME: m for m in (startup, validate, plan, apply, plan_all, refresh, fleet, limits, scale)
}
DEFAULT_OUT = Path("benchmarks/results.json")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: the smallest case of each benchmark, one run each",
    )
    parser.add_argument(
        "--large",
        action="store_true",
        help="also the slow cases: plan of 50,000 configurations, validate of 10,000 files",
    )
    parser.add_argument(
        "--only",
        choices=sorted(BENCHMARKS),
        action="append",
        help="run only this benchmark (repeatable)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        help="runs per case (default: per case, fewer for the slow ones; the table says how many)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"JSON results file (default: {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    if args.runs is not None and args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None, echo: Callable[[str], None] = print) -> list[BenchResult]:
    args = parse(argv)
    options = Options(quick=args.quick, runs=args.runs, large=args.large)
    names = args.only or list(BENCHMARKS)
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    info = machine()
    echo(
        f"portal-config benchmarks, {started}: {info['nproc']} CPUs, Python {info['python']}, "
        f"load average {info['load_average'][0]}{' (quick)' if args.quick else ''}\n"
    )
    results: list[BenchResult] = []
    for name in [n for n in BENCHMARKS if n in names]:  # always in the suite's order
        begun = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        result = BENCHMARKS[name].run(options)
        result.seconds = time.perf_counter() - begun
        result.load_average = tuple(round(x, 2) for x in os.getloadavg())
        results.append(result)
        echo(table(result))
        # after each benchmark, so a crash keeps the rest
        write_json(args.out, results, options, started, info)
    echo(f"Wrote {args.out} ({sum(r.seconds for r in results):.0f} s in all).")
    return results


if __name__ == "__main__":
    main(echo=lambda text: print(text, flush=True))
