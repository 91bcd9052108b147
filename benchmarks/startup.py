"""Start-up: `portal-config --help` and `portal-config validate` on the example project, beside
an interpreter that only imports what every command needs (yaml, click, jsonschema); and the
README's first job, `portal-config plan --env local` (the embedded emulator, in sync after one
apply), beside one that imports those and `stripe` (issue 24's floor)."""

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
TITLE = 'start-up of a command vs `python -c "import yaml, click, jsonschema[, stripe]"`'
EXAMPLE_CONFIGS = Path(__file__).resolve().parents[1] / "configs"
FLOOR = measure.python_command("-c", "import yaml, click, jsonschema")
STRIPE_FLOOR = measure.python_command("-c", "import yaml, click, jsonschema, stripe")
COLUMNS = [
    Column("case", "command"),
    Column("runs", "runs", "int"),
    Column("wall_s", "wall (median)", "s"),
    Column("cpu_s", "CPU", "s"),
    Column("maxrss_mb", "peak RSS", "mb"),
    Column("floor", "floor imports"),
    Column("floor_wall_s", "floor wall", "s"),
    Column("floor_cpu_s", "floor CPU", "s"),
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
        (Path(tmp) / ".git").mkdir()  # a repository's root: the emulator's state goes beside it
        project = str(configs / "portal-config.yaml")
        # In sync first (not measured), so each measured plan finds "No changes".
        measure.run_child(
            measure.portal_config_command("--config", project, "apply", "--env", "local", "--yes"),
            env=env,
            cwd=Path(tmp),
        )
        cases = {
            "portal-config --help": (measure.portal_config_command("--help"), FLOOR),
            "portal-config validate": (
                measure.portal_config_command("--config", project, "validate"),
                FLOOR,
            ),
            "portal-config plan --env local": (
                measure.portal_config_command("--config", project, "plan", "--env", "local"),
                STRIPE_FLOOR,
            ),
        }
        for case, (argv, floor_argv) in cases.items():
            command, floor = measure.interleaved(
                runs,
                partial(measure.run_child, argv, env=env, cwd=Path(tmp)),
                partial(measure.run_child, floor_argv, env=env),
            )
            imports = floor_argv[-1].removeprefix("import ")
            row = {"case": case, "floor": imports, **measure.beside_floor(command, floor)}
            result.rows.append(row)
        files = len(list(configs.glob("*.yaml"))) - 1  # the project file is not one
    result.notes.append(
        f"validate runs on a copy of the repository's configs/ ({files} "
        "configuration files); each floor imports its libraries and exits. The plan runs on "
        "the embedded emulator, after one apply (not measured), so it finds no changes."
    )
    result.seconds = time.perf_counter() - started
    return result
