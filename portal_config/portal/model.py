"""The canonical, comparable form of a portal configuration; no I/O.

Both sides of a diff go through `canonical()`: the desired params of a file and the object Stripe
returns. The result is a flat mapping from a dotted path to a hashable value, with every managed
field present (Stripe's default where a side says nothing), enum lists as sorted tuples and
products sorted by product with their prices sorted, so two states compare equal exactly when
Stripe would behave the same.

The field list is derived from Stripe's create request schema (openapi.py), so it cannot drift
from Stripe's names; only the defaults Stripe's spec does not state are written down here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from ..jsontypes import Data
from . import openapi

# Defaults of enum fields, from the spec's descriptions and Stripe's fixtures
# (API-REFERENCE §3, §7).
ENUM_DEFAULTS: dict[str, str] = {
    "features.subscription_cancel.mode": "at_period_end",
    "features.subscription_cancel.proration_behavior": "none",
    "features.subscription_update.proration_behavior": "none",
    "features.subscription_update.trial_update_behavior": "end_trial",
    # Stripe returns null until set; null behaves as `unchanged`, which is also what clears it.
    "features.subscription_update.billing_cycle_anchor": "unchanged",
    "features.subscription_pause.duration.type": "interval_options",
}
# "The duration default is interval_options with a single one-month option" (stripe-python 16.1).
DEFAULT_PAUSE_INTERVALS = (("month", 1),)
NOT_MANAGED = {"expand", "metadata"}  # metadata is managed key by key, see metadata_state()
PRODUCTS = "features.subscription_update.products"
PRODUCTS_PATH = tuple(PRODUCTS.split("."))
# How a file names a price by its lookup key, in every environment alike (prices resolves it).
LOOKUP_PREFIX = "lookup_key:"
# Offline (diff, explain), a products entry without `product` stands for the product of its prices.
UNRESOLVED_PRODUCT = "(product of its prices)"


class Quantity(NamedTuple):
    enabled: bool = False
    minimum: int = 1
    maximum: int | None = None


class ProductEntry(NamedTuple):
    product: str
    prices: tuple[str, ...]
    quantity: Quantity = Quantity()


@dataclass(frozen=True)
class Field:
    """One managed leaf: its path, how its values compare, its default, and whether update
    accepts "" to clear it."""

    path: str
    kind: str  # value | set | conditions | intervals | products
    default: Any
    clearable: bool

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.path.split("."))


def _array_kind(path: str, items: dict[str, Any]) -> str:
    if items.get("type") == "string":
        return "set"
    leaf = path.rsplit(".", 1)[-1]
    kinds = {"conditions": "conditions", "interval_options": "intervals", "products": "products"}
    if leaf not in kinds:
        raise KeyError(f"no comparison rule for the list of objects at {path}")
    return kinds[leaf]


def schema_at(schema: dict[str, Any], parts: tuple[str, ...]) -> dict[str, Any]:
    """The property schema at a path of a request schema ({} where there is none)."""
    node: dict[str, Any] = schema
    for part in parts:
        node = openapi.without_empty_string(node).get("properties", {}).get(part, {})
    return node


def _walk(schema: dict[str, Any], prefix: str) -> Iterator[Field]:
    for name, prop in sorted(schema.get("properties", {}).items()):
        if not prefix and name in NOT_MANAGED:
            continue
        path = f"{prefix}{name}"
        real = openapi.without_empty_string(prop)
        # Clearing happens on update only; create simply leaves a field out.
        update_prop = schema_at(openapi.update_schema(), tuple(path.split(".")))
        clearable = openapi.accepts_empty_string(update_prop)
        if real.get("type") == "object" and "properties" in real:
            yield from _walk(real, path + ".")
        elif real.get("type") == "array":
            kind = _array_kind(path, real["items"])
            default = DEFAULT_PAUSE_INTERVALS if kind == "intervals" else ()
            yield Field(path, kind, default, clearable)
        elif "enum" in real:
            yield Field(path, "value", ENUM_DEFAULTS[path], clearable)
        elif real.get("type") == "boolean":
            yield Field(path, "value", False, clearable)
        else:
            yield Field(path, "value", None, clearable)


@lru_cache(maxsize=1)
def fields() -> tuple[Field, ...]:
    """Every managed field, from Stripe's create schema."""
    return tuple(_walk(openapi.create_schema(), ""))


@lru_cache(maxsize=1)
def field_index() -> dict[str, Field]:
    return {f.path: f for f in fields()}


def get_path(data: Mapping[str, Any] | None, parts: tuple[str, ...]) -> Data:
    node: Any = data
    for part in parts:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _quantity(raw: Mapping[str, Any] | None) -> Quantity:
    raw = raw or {}
    minimum = raw.get("minimum")
    return Quantity(
        bool(raw.get("enabled", False)), 1 if minimum is None else int(minimum), raw.get("maximum")
    )


def _entry_order(entry: ProductEntry) -> tuple[Any, ...]:
    q = entry.quantity  # maximum None (unbounded) does not compare with numbers
    return (entry.product, entry.prices, q.enabled, q.minimum, q.maximum is None, q.maximum or 0)


def _comparable(field: Field, value: Data) -> Data:
    if value is None or value == "":
        return field.default
    if field.kind == "set":
        return tuple(sorted(set(value)))
    if field.kind == "conditions":
        return tuple(sorted({c["type"] for c in value}))
    if field.kind == "intervals":
        return tuple(sorted({(o["interval"], int(o.get("interval_count") or 1)) for o in value}))
    if field.kind == "products":
        return tuple(
            sorted(
                (
                    ProductEntry(
                        p["product"],
                        tuple(sorted(set(p.get("prices") or ()))),
                        _quantity(p.get("adjustable_quantity")),
                    )
                    for p in value
                ),
                key=_entry_order,
            )
        )
    return value


def comparable(path: str, value: Data) -> Data:
    """One value (as JSON gives it back) in canonical form; None stays None."""
    field = field_index().get(path)
    return value if field is None or value is None else _comparable(field, value)


def canonical(params: Mapping[str, Any]) -> dict[str, Any]:
    """Every managed field of a configuration (desired params or a Stripe object), comparable."""
    return {f.path: _comparable(f, get_path(params, f.parts)) for f in fields()}


def metadata_state(metadata: Mapping[str, Any] | None, keys: list[str]) -> dict[str, Any]:
    """Only the named metadata keys are managed; an absent key (or null) is None."""
    metadata = metadata or {}
    return {f"metadata.{k}": (metadata.get(k) or None) for k in keys}


def to_param(path: str, value: Data) -> Data:
    """A canonical value back in Stripe's request shape (an empty list stays empty here)."""
    field = field_index().get(path)
    kind = field.kind if field else "value"
    if kind == "set":
        return list(value)
    if kind == "conditions":
        return [{"type": t} for t in value]
    if kind == "intervals":
        return [{"interval": i, "interval_count": n} for i, n in value]
    if kind == "products":
        out = []
        for entry in value:
            quantity: dict[str, Any] = {
                "enabled": entry.quantity.enabled,
                "minimum": entry.quantity.minimum,
            }
            if entry.quantity.maximum is not None:
                quantity["maximum"] = entry.quantity.maximum
            out.append(
                {
                    "product": entry.product,
                    "prices": list(entry.prices),
                    "adjustable_quantity": quantity,
                }
            )
        return out
    return value


def jsonable(path: str, value: Data) -> Data:
    """A canonical value for JSON output and plan files."""
    field = field_index().get(path)
    if value is None:
        return None
    if field and field.kind == "products":
        return [
            {
                "product": e.product,
                "prices": list(e.prices),
                "adjustable_quantity": e.quantity._asdict(),
            }
            for e in value
        ]
    if isinstance(value, tuple):
        return to_param(path, value)
    return value


def set_path(payload: dict[str, Any], parts: tuple[str, ...], value: Data) -> None:
    node = payload
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
