"""Rules across a project's configuration files: unique keys (and the variable names they make),
one default per environment, and no `ids:` or `overrides:` for an environment a file never
serves."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem
from .loader import display_path, value_at
from .variables import variable_name

if TYPE_CHECKING:
    from .spec import ConfigFile


def environments_named(names: list[str] | tuple[str, ...]) -> str:
    return ("environment " if len(names) == 1 else "environments ") + ", ".join(names)


def across_files(files: list[ConfigFile], names: tuple[str, ...]) -> list[Problem]:
    """Unique keys (and variable names), one default per environment, no overrides or ids that
    never apply."""
    problems: list[Problem] = []
    by_key: dict[str, ConfigFile] = {}
    by_variable: dict[str, ConfigFile] = {}
    default_of: dict[str, ConfigFile] = {}
    for file in files:
        locate = file.document.locate
        first = by_key.setdefault(file.key, file)
        if first is not file:
            written = "key" in file.document.data
            problems.append(
                Problem(
                    locate(("key",), True),
                    f"key '{file.key}' "
                    f"{'' if written else '(from the file name) '}is also the "
                    f"key of {display_path(first.path)}: keys must be unique",
                )
            )
        else:
            same = by_variable.setdefault(variable_name(file.key), file)
            if same is not file:
                problems.append(
                    Problem(
                        locate(("key",), True),
                        f"key '{file.key}' and key "
                        f"'{same.key}' ({display_path(same.path)}) both become "
                        f"{variable_name(file.key)} in `portal-config ids "
                        "--format env`: rename one",
                    )
                )
        clashes: dict[Path, list[str]] = {}
        for env in file.environments if file.default else ():
            first = default_of.setdefault(env, file)
            if first is not file:
                clashes.setdefault(first.path, []).append(env)
        for other, envs in clashes.items():
            problems.append(
                Problem(
                    locate(("default",), True),
                    f"{display_path(other)} is "
                    f"already the default configuration in {environments_named(envs)}: there "
                    "is one default per environment",
                )
            )
        for section in ("ids", "overrides"):
            entries = value_at(file.document.data, (section,))
            for env in entries if isinstance(entries, dict) else {}:  # else: a schema error
                if env in names and env not in file.environments:
                    problems.append(
                        Problem(
                            locate((section, env), True),
                            f"{section}.{env} "
                            "never applies: the file is limited to "
                            f"{environments_named(file.environments)}",
                            "warning",
                        )
                    )
    return problems
