"""`portal-config validate` on 10, 100 and 1,000 generated files, beside the bare floor: parse
each file with yaml.CSafeLoader and check it with one prebuilt jsonschema validator of the schema
`portal-config schema` prints."""

from __future__ import annotations

import tempfile
import time
from functools import partial
from pathlib import Path

from . import measure
from .floors import FLOOR_SCRIPT
from .report import FLOOR_COLUMNS, BenchResult, Column, Options
from .workload import child_env, write_project

NAME = "validate"
TITLE = "validate on N generated files vs CSafeLoader + one prebuilt jsonschema validator"
COLUMNS = [
    Column("files", "files", "int"),
    Column("runs", "runs", "int"),
    Column("wall_s", "wall (median)", "s"),
    Column("cpu_s", "CPU", "s"),
    Column("maxrss_mb", "peak RSS", "mb"),
    Column("per_file_ms", "per file (ms)"),
    Column("floor_wall_s", "floor wall", "s"),
    *FLOOR_COLUMNS,
]
SIZES = {10: 5, 100: 3, 1000: 2}  # files -> default runs
LARGE_SIZES = {10000: 1}  # --large: issue 24's "validate of 10,000 files"


def run(options: Options) -> BenchResult:
    started = time.perf_counter()
    result = BenchResult(NAME, TITLE, COLUMNS)
    env = child_env()
    sizes = {10: SIZES[10]} if options.quick else SIZES
    if options.large and not options.quick:
        sizes = {**sizes, **LARGE_SIZES}
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        root = Path(tmp)
        schema = root / "schema.json"
        schema.write_text(
            measure.run_child(measure.portal_config_command("schema"), env=env).stdout
        )
        for files, default_runs in sizes.items():
            project = write_project(
                root / f"p{files}", "http://127.0.0.1:9", [("bench", None)], files
            )
            validate = measure.portal_config_command("--config", str(project), "validate")
            floor_argv = measure.python_command(
                str(FLOOR_SCRIPT), "validate", str(project.parent), str(schema)
            )
            command, floor = measure.interleaved(
                options.runs_for(default_runs),
                partial(measure.run_child, validate, env=env, cwd=root),
                partial(measure.run_child, floor_argv, env=env),
            )
            row = {"files": files, **measure.beside_floor(command, floor)}
            row["per_file_ms"] = round(row["wall_s"] / files * 1000, 2)
            result.rows.append(row)
    result.notes.append(
        "Every file is valid (both exit 0); the floor's start-up is in its wall "
        "time, as the command's is."
    )
    result.seconds = time.perf_counter() - started
    return result
