"""Start-up: `portal-config --help` and `portal-config validate` on the example project, beside
an interpreter that only imports what every command needs (yaml, click, jsonschema)."""

from __future__ import annotations

import shutil
import tempfile
import time
from functools import partial
from pathlib import Path

from . import measure
from .report import FLOOR_COLUMNS, BenchResult, Column, Options
from .workload import child_env

NAME = "startup"
TITLE = 'start-up of a command vs `python -c "import yaml, click, jsonschema"`'
EXAMPLE_CONFIGS = Path(__file__).resolve().parents[1] / "configs"
FLOOR = measure.python_command("-c", "import yaml, click, jsonschema")
COLUMNS = [
    Column("case", "command"),
    Column("runs", "runs", "int"),
    Column("wall_s", "wall (median)", "s"),
    Column("cpu_s", "CPU", "s"),
    Column("maxrss_mb", "peak RSS", "mb"),
    Column("floor_wall_s", "floor wall", "s"),
    *FLOOR_COLUMNS,
]


def run(options: Options) -> BenchResult:
    started = time.perf_counter()
    result = BenchResult(NAME, TITLE, COLUMNS)
    runs = options.runs_for(5)
    env = child_env()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        configs = Path(tmp) / "configs"
        shutil.copytree(EXAMPLE_CONFIGS, configs)  # a stable copy of the repository's example
        cases = {
            "portal-config --help": measure.portal_config_command("--help"),
            "portal-config validate": measure.portal_config_command(
                "--config", str(configs / "portal-config.yaml"), "validate"
            ),
        }
        for case, argv in cases.items():
            command, floor = measure.interleaved(
                runs,
                partial(measure.run_child, argv, env=env, cwd=Path(tmp)),
                partial(measure.run_child, FLOOR, env=env),
            )
            row = {"case": case, **measure.beside_floor(command, floor)}
            result.rows.append(row)
        files = len(list(configs.glob("*.yaml"))) - 1  # the project file is not one
    result.notes.append(
        f"validate runs on a copy of the repository's configs/ ({files} "
        "configuration files); the floor imports the three libraries and exits."
    )
    result.seconds = time.perf_counter() - started
    return result
