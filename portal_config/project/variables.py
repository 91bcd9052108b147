"""`${var}` in configuration files, and what the files merge: overrides over the base values,
the environment's `vars` filled in (`$${` writes a literal `${`), and the variable names
`ids --format env` writes."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from ..jsontypes import Data
from .limits import shorten
from .loader import DataPath

_VARIABLE = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")


def merge(base: Data, override: Data) -> Data:
    """Mappings merge key by key; a list or value in the override replaces the base whole."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {**base, **{k: merge(base.get(k), v) for k, v in override.items()}}
    return override


def fill(
    value: Data, variables: Mapping[str, str], path: DataPath, problems: list[tuple[DataPath, str]]
) -> Data:
    """`value` with ${var} filled; what cannot be filled is added to `problems`."""
    if isinstance(value, dict):
        return {k: fill(v, variables, (*path, k), problems) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, variables, (*path, n), problems) for n, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        if match[0] == "$${":
            return "${"
        name = match[1]
        if name is None:
            problems.append((path, "unclosed '${' (write $${ for a literal ${)"))
        elif name in variables:
            return variables[name]
        else:
            close = difflib.get_close_matches(name[:100], list(variables), n=1)
            hint = (
                f" (did you mean ${{{close[0]}}}?)"
                if close
                else (f" (vars: {', '.join(variables)})" if variables else " (no vars are defined)")
            )
            if name.startswith("account.") and not close:
                hint = " (${account.*} is only for a fleet: an environment with stripe_accounts)"
            problems.append((path, f"undefined variable ${{{shorten(name)}}}{hint}"))
        return match[0]

    return _VARIABLE.sub(replace, value)


def variable_name(key: str) -> str:
    """`PORTAL_CONFIG_<KEY>`, the variable `portal-config ids --format env` writes for a key:
    upper case, anything but letters and digits as `_`."""
    return "PORTAL_CONFIG_" + re.sub(r"[^A-Za-z0-9]", "_", key).upper()
