"""The JSON Schemas of both file kinds, and their errors as problems people can act on.

The configuration schema wraps the schema of Stripe's fields (stripe_fields.py, derived from
Stripe's OpenAPI) with portal-config's own keys. The rules JSON Schema cannot state live in
`rules.py`.

`errorMessage` explains a constraint in words: our messages add it (a failed `pattern` shows only
it, so a value such as a pasted key is never echoed), and yaml-language-server shows it in place of
its own message (https://github.com/redhat-developer/yaml-language-server, jsonParser07.ts).
`x-names` (ours; JSON Schema and editors ignore `x-` keywords) says what the keys of a mapping are.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import cache, lru_cache
from typing import Any

from jsonschema import Draft7Validator

from .. import __version__
from ..errors import Problem, ProblemKind, of_kind
from ..jsontypes import Data
from ..masking import KEY_PREFIX
from .loader import DataPath
from .schema_messages import Locate, describe, dotted, problems_of, unknown
from .stripe_fields import stripe_fields_schema

__all__ = ["Locate", "check", "describe", "dotted", "unknown"]

# Draft-07: the newest draft yaml-language-server (the YAML engine of most editors) reads.
# So no keyword newer than it ($defs, prefixItems, dependentRequired, unevaluated*...).
DIALECT = "http://json-schema.org/draft-07/schema#"
NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"  # keys, environment and project names
VARIABLE_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$"
# A Stripe key also reads as a variable name: refused as validate refuses it (masking.KEY_LIKE)
_NOT_A_KEY = f"^(?!{KEY_PREFIX})"
# A schema's $id names the release it came from: the release workflow attaches what
# `portal-config schema` prints to the GitHub release of its tag under this name, so an editor
# pointed at the URL reads exactly the schema of the version a repository pins (a build between
# tags names its own version, which has no release).
SCHEMA_ID = (
    "https://github.com/OWNER/portal-config/releases/download/"
    "v{version}/portal-config.{kind}.schema.json"
)
NAME_RULE = "must start with a letter or digit and use only letters, digits, '_', '-' and '.'"


@cache
def seed_schema() -> dict[str, Any]:
    """An emulator seed (emulator/seed.py's SEED_KEYS), in a project's `seed:` or a file of
    `emulator --seed`: its keys checked, so a typo is found at its line; the objects loosely
    (the emulator checks each as the API request that makes it)."""
    return {
        "description": "What the emulator's account holds before the first apply.",
        "type": "object",
        "properties": {
            "default_configuration": {
                "type": ["boolean", "object"],
                "description": "A default configuration (true, or its fields).",
            },
            "configurations": {
                "type": "array",
                "description": "Configurations, in Stripe's field names.",
            },
            "products": {
                "type": "array",
                "description": "Products with their prices (lookup_key, unit_amount, ...).",
            },
            "customers": {"type": "array", "description": "Customers."},
            "connected_accounts": {
                "type": "array",
                "description": "Connected accounts (id, metadata, business_profile, seed).",
            },
        },
        "additionalProperties": False,
        "x-names": "seed key",
    }


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
            "propertyNames": {"pattern": NAME_PATTERN, "errorMessage": NAME_RULE},
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
        {"type": "string", "pattern": NAME_PATTERN, "errorMessage": NAME_RULE}
        if environments is None
        else {"enum": list(environments), "x-names": "environment"}
    )
    ours = {
        "key": {
            "type": "string",
            "pattern": NAME_PATTERN,
            "errorMessage": NAME_RULE,
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
                "errorMessage": "must be a portal configuration ID (bpc_...)",
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
        "$id": SCHEMA_ID.format(version=__version__, kind="config"),
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
            "mode": {
                "enum": ["test", "live", "sandbox"],
                "description": "test | live | sandbox (a Stripe sandbox of its own; its key is "
                "rkcs_test_... from `stripe sandbox create`, or the sandbox's sk_test_/rk_test_).",
            },
            "api_key_env": {
                "type": "string",
                "pattern": _NOT_A_KEY + VARIABLE_PATTERN[1:],
                "errorMessage": "must be the NAME of the environment variable that holds the key "
                "(like STRIPE_SECRET_KEY), never the key itself",
                "description": "The NAME of the environment variable that holds the secret or "
                "restricted key (never the key).",
            },
            "emulator": {
                "type": "string",
                "minLength": 1,
                "description": "State file of the built-in emulator (no key needed).",
            },
            "api_base": {  # its form and where it may point: safety.server_address, the one rule
                "type": "string",
                "description": "A server address, scheme://host[:port]: https://api.stripe.com "
                "(the default), or plain http to a loopback address (an emulator).",
            },
            "stripe_account": {
                "type": "string",
                "pattern": "^acct_[A-Za-z0-9]+$",
                "errorMessage": "must be a Connect account ID (acct_...)",
                "description": "Act on this connected account (Stripe-Account header).",
            },
            "stripe_context": {
                "type": "string",
                "pattern": "^acct_[A-Za-z0-9]+(/acct_[A-Za-z0-9]+)?$",
                "errorMessage": "must be an account ID (acct_...), or a platform's and its "
                "connected account's: acct_platform/acct_connected",
                "description": "The account an organization key (sk_org...) acts for, sent as "
                "the Stripe-Context header: acct_..., or acct_platform/acct_connected "
                "(https://docs.stripe.com/context).",
            },
            "stripe_accounts": {  # its shapes and messages are fleet.parse_accounts'
                "description": "A fleet of connected accounts, each planned on its own: a list "
                "of acct_... IDs, {file: accounts.txt}, {connected: all, metadata: {...}}, or "
                "accounts of an organization, {organization: [acct_..., ...]} (an organization "
                "key's, through Stripe-Context)."
            },
            "vars": {
                "description": "Values for ${name} in the configuration files' values.",
                "type": "object",
                "additionalProperties": {"type": "string"},
                "propertyNames": {
                    "pattern": VARIABLE_PATTERN,
                    "errorMessage": "must start with a letter or '_' and use only letters, "
                    "digits and '_'",
                },
            },
            "seed": seed_schema(),
        },
        "required": ["mode"],
        "additionalProperties": False,
    }
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID.format(version=__version__, kind="project"),
        "title": "portal-config project file",
        "type": "object",
        "properties": {
            "version": {
                "const": 1,
                "errorMessage": "this portal-config reads version 1",
                "description": "The format of this file: 1.",
            },
            "project": {
                "type": "string",
                "pattern": NAME_PATTERN,
                "errorMessage": NAME_RULE,
                "description": "Tells two repositories that manage the same Stripe account apart.",
            },
            "environments": {
                "description": "Each environment by name: its mode, where its key is, its vars.",
                "type": "object",
                "minProperties": 1,
                "additionalProperties": environment,
                "propertyNames": {"pattern": NAME_PATTERN, "errorMessage": NAME_RULE},
            },
        },
        "required": ["version", "environments"],
        "additionalProperties": False,
    }


# One validator per schema for the whole run (the schemas are built once: lru_cache above);
# building one per file and environment was a share of validate's time on many files.
_VALIDATORS: dict[int, tuple[Mapping[str, Any], Draft7Validator]] = {}


def _validator(schema: Mapping[str, Any]) -> Draft7Validator:
    found = _VALIDATORS.get(id(schema))
    if found is None or found[0] is not schema:  # an ID reused by another schema: rebuild
        found = (schema, Draft7Validator(schema))
        _VALIDATORS[id(schema)] = found
    return found[1]


def check(data: Data, schema: Mapping[str, Any], locate: Locate) -> list[Problem]:
    """Every schema violation in `data`, located through `locate(path, key)`."""
    problems: list[Problem] = []
    for error in _validator(schema).iter_errors(data):
        problems.extend(problems_of(error, locate))
    return sorted(set(of_kind(ProblemKind.SCHEMA, problems)))


def _same(a: Data, b: Data) -> bool:
    """Equal as JSON Schema sees values: `True == 1` in Python, not in a schema."""
    if a is b:  # what filling left as it was (variables.fill)
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return bool(a == b)


# The keywords of a node that check each property or item on its own, or only which keys there
# are or how many items: below such a node, a value that changed is checked alone, against its
# own subschema. The rest are annotations (no check) or check the node's value as a whole.
_PER_PART = {"type", "properties", "additionalProperties", "required", "items", "maxItems"}
_PER_PART |= {"propertyNames"}
_ANNOTATIONS = {"description", "markdownDescription", "errorMessage", "x-added-from"}


def _part_schema(node: Mapping[str, Any], key: str | int) -> Mapping[str, Any] | None:
    if isinstance(key, int):
        items = node.get("items")
        return items if isinstance(items, dict) else None
    found = node.get("properties", {}).get(key, node.get("additionalProperties"))
    return found if isinstance(found, dict) else None


def _changed(
    value: Data, checked: Data, node: Mapping[str, Any], path: DataPath = ()
) -> Iterator[tuple[DataPath, Data, Mapping[str, Any]]]:
    """Each smallest part of `value` that differs from `checked`, with its subschema."""
    if _same(value, checked):
        return
    keys: list[str | int] | None = None
    if isinstance(value, dict) and isinstance(checked, dict) and value.keys() == checked.keys():
        keys = list(value)
    elif isinstance(value, list) and isinstance(checked, list) and len(value) == len(checked):
        keys = list(range(len(value)))
    parts = [_part_schema(node, k) for k in keys or ()]
    if keys is None or set(node) - _ANNOTATIONS - _PER_PART or None in parts:
        yield path, value, node
        return
    for key, part in zip(keys, parts, strict=True):
        assert part is not None
        yield from _changed(value[key], checked[key], part, (*path, key))


def check_filled(params: Mapping[str, Data], checked: Data, locate: Locate) -> list[Problem]:
    """`params` (a file's Stripe fields, merged and filled for one environment) checked against
    stripe_fields_schema(), part by part where they differ from `checked`: what a check of that
    schema already passed (the file's data, which config_schema() found no problem in and
    which checks each Stripe field with the same subschema; a fleet's, filled with stand-ins
    for `${account.*}`). Each part is checked alone against its own subschema where every node
    above it checks its parts one by one (_PER_PART), so a value left as it was checked has
    no problem to find, and a fleet account's values are all of its check."""
    schema = stripe_fields_schema()
    known = checked if isinstance(checked, dict) else {}
    changed: list[tuple[DataPath, Data, Mapping[str, Any]]] = []
    for name, value in params.items():  # `checked` may hold more than Stripe's fields
        part = _part_schema(schema, name)
        if part is None or set(schema) - _ANNOTATIONS - _PER_PART:
            changed = [((), dict(params), schema)]  # a check over several fields: all of them
            break
        if name in known:
            changed += _changed(value, known[name], part, (name,))
        else:
            changed.append(((name,), value, part))
    problems: list[Problem] = []
    for path, value, node in changed:
        for error in _validator(node).iter_errors(value):
            error.path.extendleft(reversed(path))  # where the part is, for its location
            problems.extend(problems_of(error, locate))
    return sorted(set(of_kind(ProblemKind.SCHEMA, problems)))
