"""Stripe's answers, distrusted: each is checked for the shape the tool relies on before anything
reads it, so a broken proxy or a hostile server makes a clear error, never an empty account (a
list without `data`), a duplicate (items without identity metadata) or an internal error.

Plain JSON values in, plain dicts out; a defect raises `Malformed`, which stripe_api words as a
StripeFailure naming the request. No `stripe` import here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from .. import collector, progress
from ..jsontypes import Data
from ..planning.shown import Slim
from ..portal import identity, model, openapi
from ..portal.configuration import Configuration
from .seen import SeenIds

CONFIGURATION = "billing_portal.configuration"
# "All five sub-objects are always present in responses" (API-REFERENCE §3).
FEATURES = (
    "customer_update",
    "invoice_history",
    "payment_method_update",
    "subscription_cancel",
    "subscription_update",
)
_FLAGS = ("active", identity.DEFAULT_FLAG, "livemode")
# Pages are followed this far at most: no account holds that many, a server looping does.
# (Each page, and so every list inside it, is bounded in bytes: transport.MAX_ANSWER_BYTES.)
MAX_PAGES = 1000
MAX_OBJECTS = 100_000
# A single value's JSON type in Stripe's schema -> the Python type it parses to, in words.
_SCALARS: dict[str, tuple[type, str]] = {
    "boolean": (bool, "not true or false"),
    "string": (str, "not text"),
    "integer": (int, "not a whole number"),
}


T = TypeVar("T")  # a checked object, or what is kept of it


class Malformed(Exception):
    """What is wrong with an answer, in a few words."""


@dataclass(frozen=True)
class Page:
    """One page of a list: its items (each still to be checked) and whether more follow."""

    items: list[Data]
    has_more: bool


def _show(value: Data) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _object(value: Data, kind: str, where: str = "the answer") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Malformed(f"{where} is {_show(value)}, not a {kind} object")
    if value.get("object") != kind:
        raise Malformed(f"{where} is a {_show(value.get('object'))} object, not a {kind}")
    if not isinstance(value.get("id"), str) or not value["id"]:
        raise Malformed(f"{where} ({kind}) has no id")
    return value


def page(value: Data) -> Page:
    """A list object: `data` a list, `has_more` true or false."""
    if not isinstance(value, dict) or value.get("object") != "list":
        raise Malformed(f"the answer is {_show(value)}, not a list object")
    if not isinstance(value.get("data"), list):
        raise Malformed(f"the list's data is {_show(value.get('data'))}, not a list")
    if not isinstance(value.get("has_more"), bool):
        raise Malformed(f"the list's has_more is {_show(value.get('has_more'))}, not true or false")
    return Page(value["data"], value["has_more"])


def every_page(
    fetch: Callable[[dict[str, str]], Page],
    item: Callable[[Data, str], T | None],
    pages: int | None = None,
    newer_than: str | None = None,
) -> list[T]:
    """Every page's items, each checked, `fetch(cursor)` giving one page; a server that pages
    for ever (the same items again, or more pages than any account holds) is stopped. `item`
    checks one and gives what is kept of it: None when it keeps it elsewhere (shown.Unclaimed
    counts it). `pages`: only the first so many, for a hint that needs no more. `newer_than`:
    only the objects listed before that ID (created after it), paging towards newer ones with
    `ending_before`."""
    with ExitStack() as paused:
        return _pages(fetch, item, pages, newer_than, paused)


def _pages(
    fetch: Callable[[dict[str, str]], Page],
    item: Callable[[Data, str], T | None],
    pages: int | None,
    newer_than: str | None,
    paused: ExitStack,
) -> list[T]:
    kept: list[T] = []
    seen = SeenIds()  # every ID read, in 8 bytes or so (not the IDs: seen.py)
    cursor: dict[str, str] = {"ending_before": newer_than} if newer_than else {}
    for number in range(1, MAX_PAGES + 1):
        if pages is not None and number > pages:
            return kept
        if number == 2:  # a long listing: not a fleet account's one page (collector.paused)
            paused.enter_context(collector.paused())
        listed = fetch(cursor)
        progress.page_read(len(listed.items))
        for index, value in enumerate(listed.items):
            obj = item(value, f"item {index + 1} of page {number}")  # checks value["id"] too
            if not seen.add(value["id"]):
                raise Malformed(f"the pages repeat: {value['id']} came twice")
            if obj is not None:
                kept.append(obj)
        if len(seen) > MAX_OBJECTS:
            raise Malformed(f"more than {MAX_OBJECTS} objects")
        if not listed.has_more or not listed.items:
            return kept
        # Newest first: towards older after the page's last, towards newer before its first.
        cursor = (
            {"ending_before": listed.items[0]["id"]}
            if newer_than
            else {"starting_after": listed.items[-1]["id"]}
        )
    raise Malformed(f"more than {MAX_PAGES} pages, and it still says has_more")


def _check_leaf(field: model.Field, value: Data) -> str | None:
    """Why a managed field's value cannot be read (None: it can)."""
    if value is None:
        return None
    if field.kind == "set":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if ok else "not a list of strings"
    if field.kind in ("conditions", "intervals", "products"):
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            return "not a list of objects"
        name = {"conditions": "type", "intervals": "interval", "products": "product"}[field.kind]
        if not all(isinstance(v.get(name), str) for v in value):
            return f"an entry without a text {name}"
        counts = [v.get("interval_count") for v in value] if field.kind == "intervals" else []
        if not all(n is None or _is(n, int) for n in counts):
            return "an entry whose interval_count is not a whole number"
        if field.kind == "products":
            return _check_products(value)
        return None
    if isinstance(value, (dict, list)):
        return "not a single value"
    expected, words = _scalar_types()[field.path]
    return None if _is(value, expected) else words


def _is(value: Data, expected: type) -> bool:
    """JSON's types: true is not a number (Python's bool is an int)."""
    return isinstance(value, expected) and (expected is bool or not isinstance(value, bool))


@lru_cache(maxsize=1)
def _scalar_types() -> dict[str, tuple[type, str]]:
    """Each single-value field's type, from Stripe's create schema (as model.fields is):
    Stripe answers with the type it takes."""
    schema = openapi.create_schema()
    return {
        f.path: _SCALARS[openapi.without_empty_string(model.schema_at(schema, f.parts))["type"]]
        for f in model.fields()
        if f.kind == "value"
    }


def _check_products(entries: list[dict[str, Any]]) -> str | None:
    for entry in entries:
        prices = entry.get("prices")
        if not isinstance(prices, list) or not all(isinstance(p, str) for p in prices):
            return f"product {entry['product']}'s prices are not a list of IDs"
        quantity = entry.get("adjustable_quantity")
        if quantity is not None and not (
            isinstance(quantity, dict)
            and isinstance(quantity.get("enabled", False), bool)
            and all(
                quantity.get(k) is None or _is(quantity[k], int) for k in ("minimum", "maximum")
            )
        ):
            return f"product {entry['product']}'s adjustable_quantity is not readable"
    return None


def _check_fields(obj: Mapping[str, Any]) -> str | None:
    """The first managed field (or object on its path) that cannot be read, and why."""
    for field in model.fields():
        node: Data = obj
        for depth, part in enumerate(field.parts):
            if node is None:
                break
            if not isinstance(node, Mapping):
                return f"{'.'.join(field.parts[:depth])} is {_show(node)}, not an object"
            node = node.get(part)
        else:
            why = _check_leaf(field, node)
            if why:
                return f"{field.path} is {_show(node)}: {why}"
    return None


def _head(value: Data, where: str, expected_id: str | None = None) -> tuple[dict[str, Any], str]:
    """A portal configuration's id, identity metadata, flags, name and owning application: what
    every record of one holds, the compact one included (shown.slimmer); and where it is."""
    obj = _object(value, CONFIGURATION, where)
    where = f"{where} ({obj['id']})" if where == "the answer" else f"{where}, {obj['id']},"
    if expected_id is not None and obj["id"] != expected_id:
        raise Malformed(f"{where} is not {expected_id}, the configuration asked for")
    if "metadata" not in obj:
        raise Malformed(f"{where} has no metadata (its identity cannot be told)")
    metadata = obj["metadata"]
    if metadata is not None and not (
        isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())
    ):
        raise Malformed(f"{where} has metadata {_show(metadata)}, not text by key")
    for flag in _FLAGS:
        if not isinstance(obj.get(flag), bool):
            raise Malformed(f"{where} has {flag} {_show(obj.get(flag))}, not true or false")
    application = obj.get("application")
    if not (
        application is None
        or isinstance(application, str)
        or (isinstance(application, dict) and isinstance(application.get("id"), str))
    ):
        raise Malformed(f"{where} has application {_show(application)}, not an ID")
    why = _check_leaf(model.field_index()["name"], obj.get("name"))
    if why:
        raise Malformed(f"{where}: name is {_show(obj.get('name'))}: {why}")
    return obj, where


def _whole(obj: dict[str, Any], where: str) -> Configuration:
    """The rest of a configuration whose head is checked: every feature and managed field."""
    features = obj.get("features")
    if not isinstance(features, dict):
        raise Malformed(f"{where} has features {_show(features)}, not an object")
    missing = [name for name in FEATURES if not isinstance(features.get(name), dict)]
    if missing:
        raise Malformed(f"{where} has no features.{missing[0]}")
    why = _check_fields(obj)
    if why:
        raise Malformed(f"{where}: {why}")
    return Configuration.of(obj)


def configuration(
    value: Data, where: str = "the answer", expected_id: str | None = None
) -> Configuration:
    """A portal configuration with what match, plan and apply read: its id, identity metadata,
    flags and every managed field in a readable shape; the record of it once it is checked."""
    return _whole(*_head(value, where, expected_id))


def listed(value: Data, where: str, slim: Slim) -> Configuration | None:
    """A listed configuration as `slim` keeps it (shown.slimmer), checked for exactly that: its
    head always, the rest only when `slim` asks for it whole; None: `slim` counted it as one no
    file can claim (shown.Unclaimed)."""
    obj, where = _head(value, where)
    return slim(obj, lambda: _whole(obj, where))


def created(value: Data) -> Configuration:
    """A create's answer: a configuration, with an ID of the kind Stripe gives one."""
    obj = configuration(value)
    if not obj.id.startswith("bpc_"):
        raise Malformed(f"the answer's id {_show(obj.id)} is not a configuration's (bpc_...)")
    return obj


def price(
    value: Data,
    where: str = "the answer",
    expected_id: str | None = None,
    lookup_keys: list[str] | None = None,
) -> dict[str, Any]:
    """A price with what prices.py reads; in a `lookup_keys` answer, one of the keys asked."""
    obj = _object(value, "price", where)
    where = f"{where} ({obj['id']})" if where == "the answer" else f"{where}, {obj['id']},"
    if expected_id is not None and obj["id"] != expected_id:
        raise Malformed(f"{where} is not {expected_id}, the price asked for")
    if lookup_keys is not None and obj.get("lookup_key") not in lookup_keys:
        raise Malformed(
            f"{where} has lookup_key {_show(obj.get('lookup_key'))}, not one of those asked for"
        )
    if not isinstance(obj.get("lookup_key"), (str, type(None))):
        raise Malformed(f"{where} has lookup_key {_show(obj.get('lookup_key'))}, not text")
    if not isinstance(obj.get("active"), bool):
        raise Malformed(f"{where} has active {_show(obj.get('active'))}, not true or false")
    product = obj.get("product")
    if not (
        isinstance(product, str)
        or (isinstance(product, dict) and isinstance(product.get("id"), str))
    ):
        raise Malformed(f"{where} has product {_show(product)}, not an ID")
    if not isinstance(obj.get("recurring"), (dict, type(None))):
        raise Malformed(f"{where} has recurring {_show(obj.get('recurring'))}, not an object")
    return obj


def event(value: Data, where: str) -> dict[str, Any]:
    """An event (https://docs.stripe.com/api/events/object): `created` a timestamp, `data` a
    hash with the object, `request` null or a hash; what a plan's history reads of it."""
    obj = _object(value, "event", where)
    data, request = obj.get("data"), obj.get("request")
    if not isinstance(obj.get("created"), int):
        raise Malformed(f"{where} (event {obj['id']}) has no created time")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise Malformed(f"{where} (event {obj['id']}) has no data.object")
    if not isinstance(data.get("previous_attributes") or {}, dict):
        raise Malformed(f"{where} (event {obj['id']}): previous_attributes is not a hash")
    if request is not None and not isinstance(request, dict):
        raise Malformed(f"{where} (event {obj['id']}): request is not a hash")
    return obj


def plain(value: Data, kind: str, expected_id: str | None = None) -> dict[str, Any]:
    """Any other object (a product, a customer, a session): its kind and id."""
    obj = _object(value, kind)
    if expected_id is not None and obj["id"] != expected_id:
        raise Malformed(f"the answer ({obj['id']}) is not {expected_id}, the {kind} asked for")
    return obj


def balance(value: Data) -> dict[str, Any]:
    """The account's balance: read for its `livemode`, so that must be true or false."""
    obj = value if isinstance(value, dict) else None
    if obj is None or obj.get("object") != "balance":
        raise Malformed(f"the answer {_show(value)} is not a balance")
    if not isinstance(obj.get("livemode"), bool):
        raise Malformed(f"the balance has livemode {_show(obj.get('livemode'))}, not true or false")
    return obj
