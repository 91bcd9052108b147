"""What a benchmark returns (rows of named values) and how the runner shows it: a markdown
table per benchmark on stdout, everything (every run's wall time too) in the JSON file."""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text | int | s (seconds) | x (ratio) | mb | pct


# What every benchmark with a floor shows after its own columns (measure.beside_floor).
FLOOR_COLUMNS = [
    Column("ratio", "wall / floor", "x"),
    Column("cpu_ratio", "CPU / floor", "x"),
    Column("rss_ratio", "RSS / floor", "x"),
]


@dataclass
class Options:
    quick: bool = False
    runs: int | None = None  # None: each case's own default
    large: bool = False  # also the slow cases (plan of 50,000 configurations)

    def runs_for(self, default: int) -> int:
        """--runs wins; --quick means one run; else the case's default (fewer for slow cases)."""
        if self.runs is not None:
            return self.runs
        return 1 if self.quick else default


@dataclass
class BenchResult:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0  # how long the benchmark took, setup included
    load_average: tuple[float, ...] = ()  # 1, 5, 15 minutes, when it ended: a busy machine shows


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if kind == "x":
        return f"{value:.2f}x"
    if kind == "mb":
        return f"{value:.0f} MB"
    if kind == "int":
        return f"{value:,}"
    if kind == "pct":
        return f"{value * 100:.0f}%"
    if isinstance(value, dict):  # requests by endpoint, shortened for the table
        return ", ".join(
            f"{k.replace('/v1/billing_portal/', '/').replace('/v1/', '/')} {v}"
            for k, v in value.items()
        )
    return str(value)


def table(result: BenchResult) -> str:
    head = [c.header for c in result.columns]
    lines = [
        f"### {result.name}: {result.title}",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---" for _ in head) + "|",
    ]
    for row in result.rows:
        cells = [_cell(row.get(c.key), c.kind).replace("|", "\\|") for c in result.columns]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [""] + [f"- {note}" for note in result.notes]
    return "\n".join(lines) + "\n"


def machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "executable": sys.executable,
        "load_average": [round(x, 2) for x in os.getloadavg()],  # at the start
    }


def write_json(
    path: Path,
    results: list[BenchResult],
    options: Options,
    started: str,
    machine_info: dict[str, Any],
) -> None:
    document = {
        "format_version": 1,
        "started": started,
        "machine": machine_info,
        "options": asdict(options),
        "benchmarks": {
            r.name: {
                "title": r.title,
                "seconds": round(r.seconds, 2),
                "load_average": r.load_average,
                "rows": r.rows,
                "notes": r.notes,
            }
            for r in results
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")
