"""A seed file of `portal-config emulator --seed FILE` (emulator/seed.py's format), read as a
project's files are: within limits.py's bounds, and each problem at its FILE:LINE:COL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import Problem, ValidationFailed
from . import loader, schema
from .loader import DataPath
from .schema_messages import Locate

NOT_A_MAPPING = (
    "a seed file is a mapping of seed keys (products, configurations, customers, "
    "default_configuration, connected_accounts), or of modes (test, live) to such mappings"
)


def load(
    path: Path, by_mode: Callable[[dict[str, Any]], dict[str, dict[str, Any]]]
) -> dict[str, dict[str, Any]]:
    """The file's seed of each mode (`by_mode`: emulator/seed.by_mode, which tells a bare seed,
    test mode's, from one per mode); raises ValidationFailed with its problems."""
    document, problems = loader.load(path)
    if problems:
        raise ValidationFailed(problems, "the seed file")
    data = document.data
    if not isinstance(data, dict):
        raise ValidationFailed([Problem(document.locate(()), NOT_A_MAPPING)], "the seed file")
    seeds = by_mode(data)
    for mode, seed in seeds.items():
        # a bare seed (by_mode wraps it as test mode's) is written at the top of the file
        prefix = (mode,) if seeds is data else ()
        problems += schema.check(seed, schema.seed_schema(), _under(document, prefix))
    if problems:
        raise ValidationFailed(problems, "the seed file")
    return seeds


def _under(document: loader.Document, prefix: DataPath) -> Locate:
    """Where a path of one mode's seed was written in the file."""
    return lambda at, key: document.locate((*prefix, *at), key)
