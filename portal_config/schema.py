"""The JSON Schemas of both file kinds, and their errors as problems people can act on.

The configuration schema is derived from the create request schema of
`POST /v1/billing_portal/configurations` in the shipped OpenAPI copy, so Stripe's field names,
enums, types and lengths cannot drift. What it changes, each for a stated reason, is in
`stripe_fields_schema()`. The rules JSON Schema cannot state live in `rules.py`.

Keywords starting with `x-` are ours; JSON Schema (and editors) ignore them:
`x-message` explains a constraint in words (a failed `pattern` shows only it, so a value such as a
pasted key is never echoed), `x-names` says what the keys of a mapping are (e.g. "environment").
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, cast

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

from . import openapi
from .errors import Location, Problem
from .limits import shorten
from .loader import DataPath
from .values import Data

# Draft-07: the newest draft yaml-language-server (the YAML engine of most editors) reads.
# So no keyword newer than it ($defs, prefixItems, dependentRequired, unevaluated*...).
DIALECT = "http://json-schema.org/draft-07/schema#"
NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"  # keys, environment and project names
VARIABLE_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$"
_NOT_A_KEY = "^(?![srp]k_(live|test)_)"  # a Stripe key also reads as a variable name
NAME_RULE = "must start with a letter or digit and use only letters, digits, '_', '-' and '.'"

METADATA_KEY_LENGTH = 40
Locate = Callable[[DataPath, bool], Location]


def _for_files(node: dict[str, Any]) -> dict[str, Any]:
    """Stripe's request schema as files use it: without the `""` alternative (in a file, clearing
    is leaving the field out) and closed to unknown fields everywhere."""
    node = dict(openapi.without_empty_string(node))
    if "properties" in node:
        node["properties"] = {name: _for_files(sub) for name, sub in node["properties"].items()}
        node.setdefault("additionalProperties", False)
    if isinstance(node.get("items"), dict):
        node["items"] = _for_files(node["items"])
    if isinstance(node.get("additionalProperties"), dict):
        node["additionalProperties"] = _for_files(node["additionalProperties"])
    return node


@lru_cache(maxsize=1)
def stripe_fields_schema() -> dict[str, Any]:
    """The writable Stripe fields of a configuration file. Treat the result as read-only."""
    schema = _for_files(copy.deepcopy(openapi.create_schema()))
    del schema["properties"]["expand"]  # a request option, not part of the configuration
    del schema["required"]  # `features` left out: every feature disabled (the model fills it)
    props = schema["properties"]
    features = props["features"]["properties"]
    cancel = features["subscription_cancel"]["properties"]["proration_behavior"]
    # stripe-python 16.1 documents it: "Passing always_invoice will result in an error".
    cancel["enum"] = [value for value in cancel["enum"] if value != "always_invoice"]
    cancel["x-message"] = "Stripe refuses always_invoice when cancelling"
    products = features["subscription_update"]["properties"]["products"]
    products["maxItems"] = 10  # "up to 10 products": in Stripe's description, not its structure
    products["x-message"] = "Stripe's limit"
    entry = products["items"]
    entry["required"] = [name for name in entry["required"] if name != "product"]  # from prices
    entry["properties"]["prices"]["items"].update(
        pattern=r"^(lookup_key:\S.*|[^\s:]+)$",
        **{"x-message": "must be a price ID (price_...) or lookup_key:KEY"},
    )
    metadata = openapi.document()["components"]["schemas"]["billing_portal.configuration"][
        "properties"
    ]["metadata"]  # the object's schema states the values' maxLength (500)
    props["metadata"]["additionalProperties"] = {  # null: remove the key
        "type": ["string", "null"],
        "maxLength": metadata["additionalProperties"]["maxLength"],
    }
    # Stripe's metadata docs (docs.stripe.com/api/metadata): "key names up to 40 characters
    # long", and "you can't use square brackets ([ and ]) in keys". The count is rules.py's.
    props["metadata"]["propertyNames"] = {
        "maxLength": METADATA_KEY_LENGTH,
        "pattern": r"^[^\[\]]*$",
        "x-message": f"must be at most {METADATA_KEY_LENGTH} characters, without [ or ] "
        "(Stripe's limits on metadata keys)",
    }
    # Update-only in Stripe: `active: false` keeps a configuration retired (what import writes
    # for an inactive one); left out, a file's configuration is active.
    props["active"] = copy.deepcopy(openapi.update_schema()["properties"]["active"])
    return schema


def stripe_field_names() -> tuple[str, ...]:
    """The top-level keys of a configuration file that are Stripe's (the rest are ours)."""
    return tuple(stripe_fields_schema()["properties"])


def _partial(node: Data) -> Data:
    """The same shape with nothing required: what an override may write."""
    if isinstance(node, dict):
        return {
            k: _partial(v) for k, v in node.items() if not (k == "required" and isinstance(v, list))
        }
    return node


def _keyed_by_environment(
    value: dict[str, Any], environments: Sequence[str] | None, description: str
) -> dict[str, Any]:
    if environments is None:  # the printed schema: any well-formed name
        return {
            "type": "object",
            "description": description,
            "propertyNames": {"pattern": NAME_PATTERN, "x-message": NAME_RULE},
            "additionalProperties": value,
        }
    return {
        "type": "object",
        "description": description,
        "x-names": "environment",
        "properties": {name: value for name in environments},
        "additionalProperties": False,
    }


@lru_cache(maxsize=8)
def config_schema(environments: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The schema of a configuration file; with `environments`, names outside them are errors."""
    stripe = stripe_fields_schema()
    env_name: dict[str, Any] = (
        {"type": "string", "pattern": NAME_PATTERN, "x-message": NAME_RULE}
        if environments is None
        else {"enum": list(environments), "x-names": "environment"}
    )
    ours = {
        "key": {
            "type": "string",
            "pattern": NAME_PATTERN,
            "x-message": NAME_RULE,
            "description": "Identity across environments (default: the file name).",
        },
        "default": {
            "type": "boolean",
            "description": "This file describes the account's default "
            "configuration (matched by is_default; never created).",
        },
        "ids": _keyed_by_environment(
            {
                "type": "string",
                "pattern": "^bpc_[A-Za-z0-9]+$",
                "x-message": "must be a portal configuration ID (bpc_...)",
            },
            environments,
            "Pins an existing configuration per environment.",
        ),
        "environments": {
            "type": "array",
            "items": env_name,
            "minItems": 1,
            "uniqueItems": True,
            "description": "Only these environments (default: all).",
        },
        "overrides": _keyed_by_environment(
            _partial(stripe),
            environments,
            "Per environment, deep-merged over the file: mappings key by key, lists and "
            "values replace whole.",
        ),
    }
    return {
        "$schema": DIALECT,
        "title": "portal-config configuration file",
        "type": "object",
        "properties": {**ours, **stripe["properties"]},
        "additionalProperties": False,
    }


@lru_cache(maxsize=1)
def project_schema() -> dict[str, Any]:
    """The schema of the project file (portal-config.yaml)."""
    environment = {
        "type": "object",
        "properties": {
            "mode": {"enum": ["test", "live"]},
            "api_key_env": {
                "type": "string",
                "pattern": _NOT_A_KEY + VARIABLE_PATTERN[1:],
                "x-message": "must be the NAME of the environment variable that holds the key "
                "(like STRIPE_SECRET_KEY), never the key itself",
            },
            "emulator": {
                "type": "string",
                "minLength": 1,
                "description": "State file of the built-in emulator (no key needed).",
            },
            "api_base": {
                "type": "string",
                "pattern": r"^https?://[^\s/]+/?$",
                "x-message": "must be a server address without a path, like "
                "https://api.stripe.com (the client adds /v1/...)",
            },
            "stripe_account": {
                "type": "string",
                "pattern": "^acct_[A-Za-z0-9]+$",
                "x-message": "must be a Connect account ID (acct_...)",
            },
            "vars": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "propertyNames": {
                    "pattern": VARIABLE_PATTERN,
                    "x-message": "must start with a letter or '_' and use only letters, "
                    "digits and '_'",
                },
            },
            "seed": {  # the emulator's stand-in catalog; its own format, checked loosely
                "type": "object",
                "properties": {
                    "default_configuration": {"type": ["boolean", "object"]},
                    "configurations": {"type": "array"},
                    "products": {"type": "array"},
                    "customers": {"type": "array"},
                },
            },
        },
        "required": ["mode"],
        "additionalProperties": False,
    }
    return {
        "$schema": DIALECT,
        "title": "portal-config project file",
        "type": "object",
        "properties": {
            "version": {"const": 1, "x-message": "this portal-config reads version 1"},
            "project": {"type": "string", "pattern": NAME_PATTERN, "x-message": NAME_RULE},
            "environments": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": environment,
                "propertyNames": {"pattern": NAME_PATTERN, "x-message": NAME_RULE},
            },
        },
        "required": ["version", "environments"],
        "additionalProperties": False,
    }


# --- jsonschema errors -> problems --------------------------------------------------------------

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


def unknown(kind: str, word: str, allowed: Sequence[str]) -> str:
    """`unknown field 'cancelation' (did you mean 'cancellation_reason'?)` and the like."""
    word = shorten(word)  # a hostile name is never shown (or compared) in full
    message = f"unknown {kind} '{word}'"
    close = difflib.get_close_matches(word, allowed, n=1, cutoff=0.6)
    homes = _homes().get(word, []) if kind == "field" else []
    if close:
        return f"{message} (did you mean '{close[0]}'?)"
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


def _problems(error: ValidationError, locate: Locate) -> list[Problem]:
    path = tuple(error.absolute_path)
    field = dotted(path)
    # jsonschema types these loosely (a bool schema, or unset); ours are dicts throughout.
    schema = cast(dict[str, Data], error.schema)
    wanted: Data = error.validator_value
    value: Data = error.instance
    kind = error.validator
    hint = schema.get("x-message")
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
    elif kind == "maxItems":
        message = f"{len(value)} entries; at most {wanted} allowed"
    elif kind == "uniqueItems":
        message = "lists the same entry twice"
    else:  # not used by our schemas today; jsonschema's own words (they quote the value)
        message = shorten(error.message)
    if hint:
        message += f" ({hint})"
    return [Problem(at_value, prefix + message)]


def check(data: Data, schema: Mapping[str, Any], locate: Locate) -> list[Problem]:
    """Every schema violation in `data`, located through `locate(path, key)`."""
    validator = Draft7Validator(schema)
    problems: list[Problem] = []
    for error in validator.iter_errors(data):
        problems.extend(_problems(error, locate))
    return sorted(set(problems))
