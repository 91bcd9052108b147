"""Check request parameters against Stripe's OpenAPI request schemas, as Stripe does.

Billing portal operations use the shipped OpenAPI copy; the catalogue endpoints (prices, products,
customers) use the small schemas of core_schemas.py. Form values arrive as strings, so they are
first coerced by the schema ("true" -> True where a boolean is expected), then validated with
jsonschema; the first error becomes a Stripe-shaped 400 naming the parameter.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any, cast

import jsonschema
from jsonschema.exceptions import ValidationError

from . import core_schemas
from .errors import ApiError, invalid, missing_param, unknown_param
from .forms import param_name
from .values import Data

OPENAPI_RESOURCE = ("portal_config", "data/stripe-openapi-billing-portal.json")
_INTEGER = re.compile(r"-?\d+")


@functools.cache
def openapi_document() -> dict[str, Any]:
    package, name = OPENAPI_RESOURCE
    document: dict[str, Any] = json.loads(
        resources.files(package).joinpath(name).read_text(encoding="utf-8")
    )
    return document


def to_json_schema(node: Data, *, strict: bool) -> Data:
    """OpenAPI 3.0 -> JSON Schema: inline `$ref`s, `nullable` -> a null type, drop `x-` keys.

    With `strict`, objects that list their properties refuse others, which is how Stripe treats
    every nested request hash (the spec only says so at the top level).
    """
    if isinstance(node, list):
        return [to_json_schema(item, strict=strict) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/components/schemas/")
        return to_json_schema(openapi_document()["components"]["schemas"][name], strict=strict)
    out = {k: to_json_schema(v, strict=strict) for k, v in node.items() if not k.startswith("x-")}
    out.pop("nullable", None)
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        elif "anyOf" in out:
            out["anyOf"] = [*out["anyOf"], {"type": "null"}]
    if strict and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def response_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of a response object, e.g. "billing_portal.configuration"."""
    schema: dict[str, Any] = to_json_schema({"$ref": f"#/components/schemas/{name}"}, strict=False)
    return schema


def _openapi_request_schema(method: str, path: str) -> dict[str, Any] | None:
    operation = openapi_document()["paths"].get(path, {}).get(method.lower())
    if operation is None:
        return None
    if method == "GET":
        query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {p["name"]: p["schema"] for p in query},
            "required": [p["name"] for p in query if p.get("required")],
            "additionalProperties": False,
        }
    else:
        schema = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    converted: dict[str, Any] = to_json_schema(schema, strict=True)
    if (method, path) == ("POST", "/v1/billing_portal/sessions"):
        core_schemas.add_endive_session_params(converted)
    return converted


@functools.cache
def _validator(method: str, path: str) -> jsonschema.Draft7Validator:
    schema = _openapi_request_schema(method, path) or core_schemas.REQUESTS.get((method, path))
    if schema is None:
        raise KeyError(f"no request schema for {method} {path}")
    return jsonschema.Draft7Validator(schema)


def validate_request(method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters typed per the schema of `method path` (a template such as
    /v1/billing_portal/configurations/{configuration}); raises ApiError for the first problem."""
    validator = _validator(method, path)
    typed = coerce(params, cast(dict[str, Any], validator.schema))  # built from a dict
    errors = sorted(validator.iter_errors(typed), key=_rank)
    if errors:
        raise to_api_error(errors[0])
    result: dict[str, Any] = typed
    return result


def coerce(value: Data, schema: dict[str, Any]) -> Data:
    """Turn form strings into the types the schema asks for; anything else is left for the
    validator to reject with the parameter's name."""
    if "anyOf" in schema:
        return coerce(value, _branch_for(value, schema["anyOf"])[1])
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if isinstance(value, str):
        if "boolean" in kinds and value in ("true", "false"):
            return value == "true"
        if "integer" in kinds and _INTEGER.fullmatch(value):
            return int(value)
        return value
    if isinstance(value, list):
        if "object" in kinds:  # a hash whose keys happen to be 0..n-1 (metadata[0]=x)
            return coerce({str(i): v for i, v in enumerate(value)}, schema)
        items = schema.get("items", {})
        return [coerce(v, items) for v in value]
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        return {
            k: coerce(v, properties.get(k, extra if isinstance(extra, dict) else {}))
            for k, v in value.items()
        }
    return value


def _kind(value: Data) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def _branch_for(value: Data, branches: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """The anyOf branch a value was meant for: `""` is the "clear" branch; anything else is
    judged against the real type, so a bad value reports that type's error."""
    if value == "":
        for index, branch in enumerate(branches):
            if branch.get("enum") == [""]:
                return index, branch
    real = [(i, b) for i, b in enumerate(branches) if b.get("enum") != [""]] or list(
        enumerate(branches)
    )
    for index, branch in real:
        kinds = branch.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        scalar = _kind(value) == "string" and not {"array", "object"} & set(kinds)
        if _kind(value) in kinds or scalar:
            return index, branch
    return real[0]


_RANKS = {"additionalProperties": 0, "required": 1, "type": 2, "anyOf": 2, "enum": 3}


def _rank(error: ValidationError) -> tuple[int, int]:
    return _RANKS.get(str(error.validator), 4), len(error.absolute_path)


def to_api_error(error: ValidationError) -> ApiError:
    path = list(error.absolute_path)
    param = param_name(path)
    # jsonschema types `schema` loosely (a bool, or unset); the emulator's schemas are dicts.
    kind, schema, instance = error.validator, cast(dict[str, Any], error.schema), error.instance
    if kind == "additionalProperties" and isinstance(instance, dict):
        extra = next(k for k in instance if k not in schema.get("properties", {}))
        return unknown_param(param_name([*path, extra]))
    if kind == "required" and isinstance(instance, dict):
        missing = next(k for k in schema["required"] if k not in instance)
        return missing_param(param_name([*path, missing]))
    if kind == "anyOf":
        index, branch = _branch_for(instance, schema["anyOf"])
        inner = sorted((e for e in error.context or [] if e.schema_path[0] == index), key=_rank)
        if inner:
            return to_api_error(inner[0])
        return _type_error(branch, instance, param)
    if kind == "type":
        return _type_error(schema, instance, param)
    if kind == "enum":
        return invalid(f"Invalid {param}: must be one of {_one_of(schema['enum'])}", param)
    if kind == "maxLength":
        return invalid(f"Invalid {param}: must be at most {schema['maxLength']} characters", param)
    return invalid(f"Invalid {param}: {error.message}", param)


def _type_error(schema: dict[str, Any], instance: Data, param: str) -> ApiError:
    kinds = schema.get("type")
    expected = kinds[0] if isinstance(kinds, list) else kinds
    if expected == "integer":
        return invalid(f"Invalid integer: {instance}", param, code="parameter_invalid_integer")
    if expected == "boolean":
        return invalid(f"Invalid boolean: {instance}", param)
    if expected == "array":
        return invalid(f"Invalid array: {param} must be a list", param)
    if expected == "object":
        return invalid(f"Invalid hash: {param} must be a hash of keys to values", param)
    if schema.get("enum"):
        return invalid(f"Invalid {param}: must be one of {_one_of(schema['enum'])}", param)
    return invalid(f"Invalid string: {param} must be a string", param)


def _one_of(values: list[Any]) -> str:
    words = [str(v) for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
