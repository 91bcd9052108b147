"""Stripe's prices, the one module that looks them up: `lookup_key:K` prices resolved per
environment, products derived from their prices, prices read by ID (doctor, import, pull), and
how a price is named (`lookup_key:K`) in a plan and in a file.

Everything is fetched up front with as few requests as Stripe allows, and every problem is
reported at the line that wrote the price, before anything is written.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import FailureKind, Location, Problem, StripeFailure
from ..portal.model import LOOKUP_PREFIX, PRODUCTS_PATH
from ..project.loader import DataPath
from ..stripe_api.gateway import Gateway

# A did-you-mean reads at most this many pages (of 100) of the account's active prices.
SUGGESTION_PAGES = 10


def _entries(params: dict[str, Any]) -> list[dict[str, Any]]:
    node: Any = params
    for part in PRODUCTS_PATH:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, list) else []


def lookup_keys_in(params_list: Iterable[dict[str, Any]]) -> list[str]:
    keys = {
        p[len(LOOKUP_PREFIX) :]
        for params in params_list
        for entry in _entries(params)
        for p in entry.get("prices") or ()
        if str(p).startswith(LOOKUP_PREFIX)
    }
    return sorted(keys)


@dataclass
class PriceCatalog:
    """What one environment's prices are, as far as the files need them."""

    by_lookup_key: dict[str, dict[str, Any]]
    by_id: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # None: no such price
    # The account's active lookup keys, read only when a file's key matched none (did-you-mean).
    known_lookup_keys: list[str] = field(default_factory=list)
    mode: str = "test"  # the environment's: "test" | "live"
    # Products named by an entry whose prices are another product's, and that this mode lacks.
    missing_products: set[str] = field(default_factory=set)
    # A missing price's or product's ID -> the mode Stripe says holds a similar object.
    other_mode: dict[str, str] = field(default_factory=dict)

    def answers(self) -> list[dict[str, Any]]:
        """Every price Stripe answered with (each carries `livemode`: an organization key's
        mode, planning/mode.confirm_mode)."""
        return [*self.by_lookup_key.values(), *(p for p in self.by_id.values() if p)]

    def labels(self) -> dict[str, str]:
        """price ID -> `lookup_key:K`, so a plan shows both; product ID -> its name where the
        look-up brought the product along (prices_by_lookup_key expands it), so a plan says
        "Team (team_monthly)"."""
        names = {
            product["id"]: product["name"]
            for product in (p.get("product") for p in self.by_lookup_key.values())
            if isinstance(product, dict) and isinstance(product.get("name"), str)
        }
        return names | {p["id"]: LOOKUP_PREFIX + k for k, p in self.by_lookup_key.items()}


def label(price: Mapping[str, Any]) -> str | None:
    """A price as `lookup_key:K`, or None when it has no lookup key."""
    key = price.get("lookup_key")
    return LOOKUP_PREFIX + str(key) if key else None


def written_as(price_id: str, prices: Mapping[str, Mapping[str, Any]]) -> str:
    """A price as a file writes it (import, pull): by its lookup key when it is active (an
    archived price is refused by `resolve`, so its key would not plan), else by its ID."""
    price = prices.get(price_id) or {}
    return (price.get("active") and label(price)) or price_id


def read(gateway: Gateway, price_id: str) -> dict[str, Any]:
    """One price, by its ID."""
    return gateway.retrieve_price(price_id)


def read_each(gateway: Gateway, price_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Each price, by its ID, in the order given."""
    return {p: read(gateway, p) for p in price_ids}


def labels_of(gateway: Gateway, price_ids: Iterable[str]) -> dict[str, str]:
    """price ID -> `lookup_key:K` for these prices that have a key (a plan names them both)."""
    named = ((p, label(read(gateway, p))) for p in price_ids)
    return {p: name for p, name in named if name}


def catalog_of(gateway: Gateway, params_list: list[dict[str, Any]]) -> PriceCatalog:
    """fetch_catalog through this environment's gateway."""
    return fetch_catalog(
        params_list,
        gateway.prices_by_lookup_key,
        gateway.retrieve_price,
        gateway.active_lookup_keys,
        gateway.retrieve_product,
        gateway.mode,
    )


def fetch_catalog(
    params_list: list[dict[str, Any]],
    by_lookup_key: Callable[[list[str]], dict[str, dict[str, Any]]],
    retrieve_price: Callable[[str], dict[str, Any]],
    active_lookup_keys: Callable[[int], list[str]] | None = None,
    retrieve_product: Callable[[str], dict[str, Any]] | None = None,
    mode: str = "test",
) -> PriceCatalog:
    """The prices the files name. `active_lookup_keys(pages)` lists the account's keys, for a
    did-you-mean: asked only when a key matches no price, so a run whose keys all resolve
    costs no extra request. `retrieve_product` is asked only about an entry's product that its
    prices contradict, to tell another mode's ID from prices of two products."""
    wanted = lookup_keys_in(params_list)
    catalog = PriceCatalog(by_lookup_key(wanted), mode=mode)
    if active_lookup_keys is not None and set(wanted) - set(catalog.by_lookup_key):
        try:
            catalog.known_lookup_keys = active_lookup_keys(SUGGESTION_PAGES)
        except StripeFailure:
            pass  # only a hint: the missing key is reported either way
    # Raw price IDs matter only where an entry leaves its product to be derived.
    for params in params_list:
        for entry in _entries(params):
            if entry.get("product"):
                continue
            for price in entry.get("prices") or ():
                if not str(price).startswith(LOOKUP_PREFIX) and price not in catalog.by_id:
                    catalog.by_id[price] = _unless_missing(retrieve_price, price, catalog)
    if retrieve_product is not None:
        for product in _contradicted_products(params_list, catalog):
            if _unless_missing(retrieve_product, product, catalog) is None:
                catalog.missing_products.add(product)
    return catalog


def _unless_missing(
    retrieve: Callable[[str], dict[str, Any]], object_id: str, catalog: PriceCatalog
) -> dict[str, Any] | None:
    """The object, or None when this mode and account has no such object (reported at its line
    by resolve(), with the mode Stripe says holds it)."""
    try:
        return retrieve(object_id)
    except StripeFailure as exc:
        if exc.kind is not FailureKind.MISSING:
            raise
        if exc.other_mode:
            catalog.other_mode[object_id] = exc.other_mode
        return None


def _contradicted_products(
    params_list: Iterable[dict[str, Any]], catalog: PriceCatalog
) -> list[str]:
    """Products written beside prices that belong to another product here: either an ID of
    another mode or account (a request tells), or really two products. A file whose products
    agree with their prices costs no request."""
    found: dict[str, None] = {}
    for params in params_list:
        for entry in _entries(params):
            product = entry.get("product")
            looked_up = (_price_for(str(p), catalog)[1] for p in entry.get("prices") or ())
            if product and any(p and _product_id(p) != product for p in looked_up):
                found[product] = None
    return list(found)


def _product_id(price: dict[str, Any]) -> str:
    product = price.get("product")
    return product["id"] if isinstance(product, dict) else str(product)


def _price_for(written: str, catalog: PriceCatalog) -> tuple[bool, dict[str, Any] | None]:
    """(known, price): whether this environment's price was looked up, and what it is."""
    if written.startswith(LOOKUP_PREFIX):
        return True, catalog.by_lookup_key.get(written[len(LOOKUP_PREFIX) :])
    return written in catalog.by_id, catalog.by_id.get(written)


def _with_own_entries(params: dict[str, Any]) -> dict[str, Any]:
    """`params` copied down to each entry of its products, which resolve rewrites; the rest is
    shared, as plan already shares a file's params it does not resolve (a deep copy of every
    managed file was most of a plan's own work on 1,000 files)."""
    resolved = node = dict(params)
    for part in PRODUCTS_PATH[:-1]:
        inner = node.get(part)
        if not isinstance(inner, dict):
            return resolved
        node[part] = node = dict(inner)
    entries = node.get(PRODUCTS_PATH[-1])
    if isinstance(entries, list):
        node[PRODUCTS_PATH[-1]] = [dict(e) if isinstance(e, dict) else e for e in entries]
    return resolved


def resolve(
    params: dict[str, Any], catalog: PriceCatalog, env: str, locate: Callable[[DataPath], Location]
) -> tuple[dict[str, Any], list[Problem]]:
    """A copy of params with lookup keys replaced by price IDs and every product filled in."""
    resolved = _with_own_entries(params)
    problems: list[Problem] = []
    offered: dict[str, int] = {}  # product -> the entry that offers it
    for index, entry in enumerate(_entries(resolved)):
        products: set[str] = set()
        prices: list[str] = []
        for position, written in enumerate(entry.get("prices") or ()):
            written = str(written)
            known, price = _price_for(written, catalog)
            if not known:  # a raw ID under an explicit product: Stripe checks it on write
                prices.append(written)
                continue
            problem = _unusable(price, written, env, catalog)
            if problem:
                problems.append(
                    Problem(locate((*PRODUCTS_PATH, index, "prices", position)), problem)
                )
                continue
            assert price is not None
            prices.append(price["id"])
            products.add(_product_id(price))
        if entry.get("product") in catalog.missing_products:
            missing = _not_in_this_mode("product", entry["product"], env, catalog)
            problems.append(
                Problem(
                    locate((*PRODUCTS_PATH, index, "product")),
                    f"{missing}: leave `product` out and write each price as lookup_key:K (the "
                    f"same key in each mode), or put the IDs under overrides.{env}",
                )
            )
            continue
        if entry.get("product"):
            products.add(entry["product"])
        if len(products) > 1:
            problems.append(
                Problem(
                    locate((*PRODUCTS_PATH, index)),
                    f"in environment '{env}' the prices of this entry belong to different products "
                    f"({', '.join(sorted(products))}): give each product its own entry",
                )
            )
        elif products:
            entry["product"] = product = products.pop()
            if product in offered:
                problems.append(
                    Problem(
                        locate((*PRODUCTS_PATH, index)),
                        f"in environment '{env}' product {product} is already offered by entry "
                        f"{offered[product] + 1}: put all its prices in one entry",
                    )
                )
            offered.setdefault(product, index)
        entry["prices"] = prices
    return resolved, problems


ARCHIVED, ONE_TIME = "archived", "one-time"


def price_defect(price: Mapping[str, Any]) -> str | None:
    """Why the portal cannot offer a price: archived, or one-time (plan changes take recurring
    prices only); None when it can. Planning and doctor both ask."""
    if not price.get("active", True):
        return ARCHIVED
    if not price.get("recurring"):
        return ONE_TIME
    return None


def _not_in_this_mode(noun: str, object_id: str, env: str, catalog: PriceCatalog) -> str:
    """An ID this environment's mode and account lacks, most likely copied from the other mode
    (from its Dashboard, or a file written for it): said so, and confirmed when Stripe's 404
    says a similar object exists there."""
    other = "live" if catalog.mode == "test" else "test"
    said = catalog.other_mode.get(object_id)
    if said:  # confirmed: the plainest words for a live/test mix-up
        return (
            f"{noun} {object_id} is a {said}-mode {noun} in a {catalog.mode}-mode environment "
            f"('{env}'): Stripe says a similar object exists in {said} mode. IDs differ between "
            "modes"
        )
    why = f"a {other}-mode ID, or another account's? IDs differ between accounts and modes"
    return f"{noun} {object_id} does not exist in {catalog.mode} mode (environment '{env}'): {why}"


def _unusable(
    price: dict[str, Any] | None, written: str, env: str, catalog: PriceCatalog
) -> str | None:
    if price is None:
        if written.startswith(LOOKUP_PREFIX):
            known = catalog.known_lookup_keys
            close = difflib.get_close_matches(written[len(LOOKUP_PREFIX) :], known, n=1)
            hint = f" (did you mean {LOOKUP_PREFIX}{close[0]}?)" if close else ""
            return (
                f"{written} matches no price in environment '{env}'{hint}: create the price "
                "with that lookup key in this account, or fix the key"
            )
        return (
            f"{_not_in_this_mode('price', written, env, catalog)}: write it as lookup_key:K "
            f"(the same key in each mode), or put the ID under overrides.{env}"
        )
    name = written if written.startswith(LOOKUP_PREFIX) else "price"
    defect = price_defect(price)
    if defect == ARCHIVED:
        return (
            f"{name} is the archived price {price['id']} in environment '{env}': the portal "
            "offers only active prices; unarchive it or move the lookup key to an active "
            "price"
        )
    if defect == ONE_TIME:
        return (
            f"{name} is the one-time price {price['id']} in environment '{env}': the "
            "portal's plan changes take recurring prices only"
        )
    return None
