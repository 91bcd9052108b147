"""`${var}` in configuration files, and what the files merge: overrides over the base values,
the environment's `vars` filled in (`$${` writes a literal `${`), and the variable names
`ids --format env` writes."""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Mapping

from urllib3.exceptions import LocationParseError
from urllib3.util import Url, parse_url

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
    """`value` with ${var} filled; what cannot be filled is added to `problems`. What holds no
    variable is returned as it is, not copied: nothing changes params in place, and the schema's
    second look (schema.check_filled) skips a value that is the one the file's check passed."""
    if isinstance(value, dict):
        filled = {k: fill(v, variables, (*path, k), problems) for k, v in value.items()}
        return value if all(filled[k] is v for k, v in value.items()) else filled
    if isinstance(value, list):
        items = [fill(v, variables, (*path, n), problems) for n, v in enumerate(value)]
        return value if all(map(operator.is_, items, value)) else items
    if not isinstance(value, str) or "$" not in value:
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


def names_used(value: Data) -> set[str]:
    """The variables `value` fills somewhere (`${name}`; `$${` writes no variable)."""
    if isinstance(value, dict):
        return set().union(*map(names_used, value.values()))
    if isinstance(value, list):
        return set().union(*map(names_used, value))
    if not isinstance(value, str):
        return set()
    return {m[1] for m in _VARIABLE.finditer(value) if m[1] is not None}


def misspelt(defined: Mapping[str, str], used: set[str], elsewhere: set[str]) -> dict[str, str]:
    """Each variable of an environment that no file uses, close to one the files use that the
    other environments define (`elsewhere`) and this one lacks (`ap_url` for `${app_url}`): a
    typo in the project file, named once where it is written rather than at every use. (A name
    no environment defines is the file's typo: `fill` says so at the use.)"""
    lacking = sorted((used & elsewhere) - set(defined))
    found = {}
    for name in defined:
        close = [] if name in used else difflib.get_close_matches(name, lacking, n=1)
        if close:
            found[name] = close[0]
    return found


def _authority(url: str) -> tuple[str | None, ...] | None:
    """(scheme, user, host, port) as urllib3 reads `url`, or None when it reads no URL."""
    try:
        parsed = parse_url(url)
    except LocationParseError:
        return None
    return (parsed.scheme, parsed.auth, parsed.host, str(parsed.port))


def _origin(value: str) -> bool:
    """Whether `value` is exactly a URL's scheme://host[:port] (no user, path, query or
    fragment), written as urllib3 writes it back."""
    try:
        url = parse_url(value)
    except LocationParseError:
        return False
    bare = Url(scheme=url.scheme, host=url.host, port=url.port)
    return bool(url.scheme and url.host) and bare.url == value == url.url


# RFC 3986 section 3.2: "The authority component ... is terminated by the next slash ("/"),
# question mark ("?"), or number sign ("#") character, or by the end of the URI."
_AFTER_AUTHORITY = ("/", "?", "#")


def _written_back(text: str, name: str, var: str) -> str | None:
    """`text` with `var` as `${name}` where a reader would agree it stands for it: the whole
    value, or a URL origin followed by the end of its authority (never inside free text or a
    host: `https://example.community` is not `${app_url}munity`); else None."""
    if text == var and len(var) >= 4:  # a shorter value would stand for one by accident
        return "${" + name + "}"
    rest = text[len(var) :]
    if (
        text.startswith(var)
        and rest.startswith(_AFTER_AUTHORITY)
        and _origin(var)
        and _authority(text) == _authority(var)  # the host urllib3 reads is the variable's
    ):
        return "${" + name + "}" + _escaped(rest)
    return None


def _escaped(text: str) -> str:
    return text.replace("${", "$${")


def as_written(value: Data, variables: Mapping[str, str]) -> Data:
    """Text as a person writes it in a file (import and pull): the environment's variable values
    back as `${name}` (`https://staging.example.com/account` -> `${app_url}/account`), so the
    file also serves the other environments, and `${` escaped as `$${`. `fill` of the result
    gives `value` back."""
    if isinstance(value, str):
        longest_first = sorted(variables.items(), key=lambda item: (-len(item[1]), item[0]))
        for name, var in longest_first:
            written = _written_back(value, name, var)
            if written is not None:
                return written
        return _escaped(value)
    if isinstance(value, list):
        return [as_written(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: as_written(v, variables) for k, v in value.items()}
    return value


def variable_name(key: str) -> str:
    """`PORTAL_CONFIG_<KEY>`, the variable `portal-config ids --format env` writes for a key:
    upper case, anything but letters and digits as `_`."""
    return "PORTAL_CONFIG_" + re.sub(r"[^A-Za-z0-9]", "_", key).upper()
