"""jsonschema's errors as problems people can act on: located at FILE:LINE:COL, in words (what
was expected, a did-you-mean, where a misplaced field belongs), never echoing a long value."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import lru_cache
from typing import Any, cast

from jsonschema.exceptions import ValidationError

from ..errors import Location, Problem
from ..jsontypes import Data
from .limits import shorten
from .loader import DataPath
from .stripe_fields import stripe_fields_schema

Locate = Callable[[DataPath, bool], Location]


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "null": "null",
}


def dotted(path: Iterable[Any]) -> str:
    """("features", "products", 0) -> "features.products[0]"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def describe(value: Data) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {shorten(str(value), 60)}"
    if isinstance(value, str):
        return f"'{shorten(value, 60)}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"  # e.g. a date YAML read from 2024-01-01


@lru_cache(maxsize=1)
def _homes() -> dict[str, list[str]]:
    """Every Stripe field name -> the places it belongs, for "it belongs under ..." hints."""
    homes: dict[str, list[str]] = {}

    def walk(node: dict[str, Any], where: str) -> None:
        for name, sub in node.get("properties", {}).items():
            homes.setdefault(name, []).append(where)
            walk(sub, f"{where}.{name}" if where else name)
        if isinstance(node.get("items"), dict):
            walk(node["items"], f"{where}[]")

    walk(stripe_fields_schema(), "")
    return homes


def did_you_mean(word: str, allowed: Collection[str]) -> str:
    """` (did you mean 'prod'?)` when one of `allowed` is close to `word`, else ''."""
    close = difflib.get_close_matches(shorten(word), list(allowed), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def unknown(kind: str, word: str, allowed: Sequence[str]) -> str:
    """`unknown field 'cancelation' (did you mean 'cancellation_reason'?)` and the like."""
    word = shorten(word)  # a hostile name is never shown (or compared) in full
    message = f"unknown {kind} '{word}'"
    close = did_you_mean(word, allowed)
    homes = _homes().get(word, []) if kind == "field" else []
    if close:
        return message + close
    if len(homes) == 1:
        return f"{message} here (it belongs under {homes[0] or 'the top level'})"
    return f"{message} (expected one of: {', '.join(allowed)})" if allowed else message


def _type_hint(wanted: Sequence[str], value: Data) -> str:
    if "string" in wanted and not isinstance(value, (str, list, dict)) and value is not None:
        return " (quote it to make it text)"
    if wanted == ["boolean"] and isinstance(value, str):
        if value.lower() in ("true", "false"):
            return " (write it without quotes)"
        if value.lower() in ("yes", "no", "on", "off", "y", "n"):
            return " (portal-config reads YAML 1.2 booleans: write true or false)"
    return ""


def problems_of(error: ValidationError, locate: Locate) -> list[Problem]:
    path = tuple(error.absolute_path)
    field = dotted(path)
    # jsonschema types these loosely (a bool schema, or unset); ours are dicts throughout.
    schema = cast(dict[str, Data], error.schema)
    wanted: Data = error.validator_value
    value: Data = error.instance
    kind = error.validator
    hint = schema.get("errorMessage")
    at_value, at_key = locate(path, False), locate(path, True)
    prefix = f"{field}: " if field else ""
    if "propertyNames" in error.absolute_schema_path:  # `value` is the offending name
        return [Problem(locate((*path, value), True), f"{prefix}'{shorten(str(value))}' {hint}")]
    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        names = schema.get("x-names", "field")
        return [
            Problem(locate((*path, name), True), unknown(names, str(name), allowed))
            for name in value
            if name not in allowed
        ]
    if kind == "required":
        return [
            Problem(at_key, f"{prefix}missing required field '{name}'")
            for name in wanted
            if name not in value
        ]
    if kind == "enum" and "x-names" in schema:
        return [Problem(at_value, unknown(schema["x-names"], str(value), schema["enum"]))]
    if kind == "pattern":
        return [Problem(at_value, f"{prefix}{hint or 'does not match ' + wanted}")]
    if kind == "type":
        wanted = [wanted] if isinstance(wanted, str) else wanted
        text = " or ".join(_TYPE_NAMES.get(t, t) for t in wanted)
        message = f"expected {text}, got {describe(value)}{_type_hint(wanted, value)}"
    elif kind == "enum":
        message = f"{describe(value)} is not one of: {', '.join(map(str, wanted))}"
        close = difflib.get_close_matches(shorten(str(value)), list(map(str, wanted)), 1)
        message += f" (did you mean '{close[0]}'?)" if close else ""
    elif kind == "const":
        message = f"must be {wanted}, got {describe(value)}"
    elif kind == "maxLength":
        message = f"{len(value)} characters; at most {wanted} allowed"
    elif kind in ("minLength", "minItems", "minProperties"):
        message = "must not be empty"
    elif kind == "maxItems":  # the hint, when there is one, says the limit in its own words
        message, hint = f"{len(value)} entries; {hint or f'at most {wanted} allowed'}", None
    elif kind == "uniqueItems":
        message = "lists the same entry twice"
    else:  # not used by our schemas today; jsonschema's own words (they quote the value)
        message = shorten(error.message)
    if hint:
        message += f" ({hint})"
    return [Problem(at_value, prefix + message)]
