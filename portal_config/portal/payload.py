"""Canonical states -> Stripe request parameters for create and for minimal updates.

stripe-python drops None, [] and {} from request bodies, so an emptied value must travel as ""
(where Stripe accepts it) or it never reaches Stripe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..jsontypes import Data
from . import model, openapi


def _is_empty(value: Data) -> bool:
    return value is None or value == () or value == [] or value == ""


def fill_required(
    payload: dict[str, Any],
    schema: dict[str, Any],
    state: Mapping[str, Any],
    prefix: tuple[str, ...] = (),
) -> None:
    """Stripe requires some siblings whenever an object is sent (`invoice_history.enabled`,
    `login_page.enabled`, ...): take them from the desired state."""
    real = openapi.without_empty_string(schema)
    for name, value in payload.items():
        if isinstance(value, dict) and name != "metadata":
            sub = real.get("properties", {}).get(name, {})
            sub_real = openapi.without_empty_string(sub)
            for required in sub_real.get("required", []):
                path = ".".join((*prefix, name, required))
                if required not in value and path in state:
                    value[required] = model.to_param(path, state[path])
            fill_required(value, sub, state, (*prefix, name))


def create_params(state: Mapping[str, Any], metadata: Mapping[str, str]) -> dict[str, Any]:
    """Every managed field, explicitly (no hidden defaults), plus the metadata to write."""
    create = openapi.create_schema()
    params: dict[str, Any] = {}
    for field in model.fields():
        value = state[field.path]
        if value is None:
            continue
        if _is_empty(value):
            # Left out means empty on create, except where Stripe requires the field.
            prop = model.schema_at(create, field.parts)
            parent = model.schema_at(create, field.parts[:-1])
            required = field.parts[-1] in openapi.without_empty_string(parent).get("required", [])
            if required and openapi.accepts_empty_string(prop):
                model.set_path(params, field.parts, "")
            continue
        model.set_path(params, field.parts, model.to_param(field.path, value))
    if metadata:
        params["metadata"] = dict(metadata)
    return params


def update_params(paths: Iterable[str], state: Mapping[str, Any]) -> dict[str, Any]:
    """Only the changed fields; lists whole; emptied values as ""; required siblings added."""
    params: dict[str, Any] = {}
    for path in paths:
        value = state[path]
        if path.startswith("metadata."):
            params.setdefault("metadata", {})[path.split(".", 1)[1]] = value or ""
            continue
        if path == "active":
            params["active"] = value
            continue
        field = model.field_index()[path]
        if _is_empty(value):
            # Only clearable fields can become empty (the others always have a value).
            model.set_path(params, field.parts, "")
        else:
            model.set_path(params, field.parts, model.to_param(path, value))
    fill_required(params, openapi.update_schema(), state)
    return params
