"""`expand[]` as Stripe answers it: paths checked against the spec, IDs replaced by objects, and
includable fields left out unless a path names them (behaviours.py: "includable products").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import ApiError, invalid
from .validation import openapi_document
from .values import Data

# (object type, field, ID) -> the expanded object, or None when that field cannot be expanded
Resolver = Callable[[str, str, str], "dict[str, Any] | None"]

# Fields Stripe returns only when expanded, per object type (path inside the object).
INCLUDABLE: dict[str, tuple[tuple[str, ...], ...]] = {
    "billing_portal.configuration": (("features", "subscription_update", "products"),)
}
# The object type of a list's items, for checking `data.` paths of an empty page too.
LIST_ITEMS = {"/v1/billing_portal/configurations": "billing_portal.configuration"}


def expand(body: dict[str, Any], paths: list[str], resolve: Resolver) -> None:
    """Apply `expand[]` to an answer in place: reject what Stripe would reject, replace IDs with
    objects, then leave out includable fields that no path asked for."""
    for path in paths:
        _check_path(body, path)
        _expand(body, path.split("."), resolve, path)
    hide_includable(body, set(paths))


def hide_includable(node: Data, requested: set[str], prefix: tuple[str, ...] = ()) -> None:
    if not isinstance(node, dict):
        return
    for inner in INCLUDABLE.get(str(node.get("object")), ()):
        if ".".join((*prefix, *inner)) not in requested:
            _remove(node, inner)
    for key, value in node.items():
        if isinstance(value, dict):
            hide_includable(value, requested, (*prefix, key))
        elif key == "data" and node.get("object") == "list" and isinstance(value, list):
            for item in value:
                hide_includable(item, requested, (*prefix, "data"))


def _remove(node: dict[str, Any], path: tuple[str, ...]) -> None:
    for part in path[:-1]:
        node = node.get(part)  # type: ignore[assignment]
        if not isinstance(node, dict):
            return
    node.pop(path[-1], None)


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = openapi_document()["components"]["schemas"]
    return schemas


def _check_path(body: dict[str, Any], path: str) -> None:
    """Stripe expands only along each schema's x-expandableFields. Objects outside the billing
    portal spec (prices, products) are checked by _expand alone."""
    parts = path.split(".")
    object_type = body.get("object")
    if object_type == "list":
        if parts[0] != "data":
            raise _not_expandable(path)
        parts, object_type = parts[1:], LIST_ITEMS.get(str(body.get("url")))
    schema = _schemas().get(str(object_type))
    if schema is None:
        return
    for part in parts:
        if schema is None or part not in schema.get("x-expandableFields", ()):
            raise _not_expandable(path)
        schema = _target(schema.get("properties", {}).get(part, {}))


def _target(prop: dict[str, Any]) -> dict[str, Any] | None:
    """The schema a property leads to: its $ref, an anyOf's object branch, or an array's items."""
    if "$ref" in prop:
        found: dict[str, Any] = _schemas()[prop["$ref"].removeprefix("#/components/schemas/")]
        return found
    for branch in prop.get("anyOf", ()):
        if "$ref" in branch:
            return _target(branch)
    if prop.get("type") == "array":
        return _target(prop.get("items", {}))
    return None


def _expand(node: dict[str, Any], parts: list[str], resolve: Resolver, path: str) -> None:
    if parts and node.get("object") == "list" and parts[0] == "data":
        for item in node["data"]:
            _expand(item, parts[1:], resolve, path)
        return
    if not parts or parts[0] not in node:
        raise _not_expandable(path)
    field, rest = parts[0], parts[1:]
    value = node[field]
    if isinstance(value, str):
        value = resolve(str(node.get("object")), field, value)
        if value is None:
            raise _not_expandable(path)
        node[field] = value
    if rest:
        if isinstance(value, list):  # e.g. products.adjustable_quantity: every item
            for item in value:
                if isinstance(item, dict):
                    _expand(item, rest, resolve, path)
            return
        if not isinstance(value, dict):
            raise _not_expandable(path)
        _expand(value, rest, resolve, path)


def _not_expandable(path: str) -> ApiError:
    return invalid(f"This property cannot be expanded ({path}).", "expand")
