"""The billing portal endpoints: configurations (list, create, retrieve, update) and sessions."""

from __future__ import annotations

import copy
from typing import Any

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from . import events
from .context import Call, api_mode
from .errors import invalid, missing_param
from .lists import paginate
from .objects import new_configuration, new_session, update_configuration

URL = "/v1/billing_portal/configurations"
NOUN = "configuration"

REFUSED_UPDATE = (
    "You cannot make any changes to a PortalConfiguration that is the default configuration "
    "or that was created by another application."
)
DEFAULT_DEACTIVATION_REFUSED = "You cannot set `active: false` on your default PortalConfiguration."
_DASHBOARD = {
    "test": "https://dashboard.stripe.com/test/settings/billing/portal",
    "live": "https://dashboard.stripe.com/settings/billing/portal",
}
MAX_PRODUCTS = 10


def no_default_message(mode: str) -> str:
    """Stripe's wording (API-REFERENCE §11.1) for a session without a saved default (a sandbox
    is test mode to the API)."""
    mode = api_mode(mode)
    return (
        f"No configuration provided and your {mode} mode default configuration has not been "
        f"created. Provide a configuration or create your default by saving your customer "
        f"portal settings in {mode} mode at {_DASHBOARD[mode]}."
    )


def list_configurations(call: Call) -> dict[str, Any]:
    params = call.params
    newest_first = (
        config
        for config in reversed(call.state.configurations.values())
        if params.get("active") in (None, config["active"])
        and params.get("is_default") in (None, config["is_default"])
    )
    return paginate(newest_first, params, URL, NOUN)


def retrieve_configuration(call: Call) -> dict[str, Any]:
    return call.target_object("configurations", NOUN)


def create_configuration(call: Call) -> dict[str, Any]:
    config = new_configuration(
        call.params,
        livemode=call.livemode,
        now=call.now,
        object_id=call.object_id,
        defaults=call.creation_defaults,  # behaviours.py: "creation defaults"
    )
    check_configuration(call, config)
    config["application"] = call.application  # behaviours.py: "application stamped"
    if call.first_becomes_default and not any(
        c["is_default"] for c in call.state.configurations.values()
    ):
        config["is_default"] = True  # behaviours.py: "first configuration becomes the default"
    call.state.configurations[config["id"]] = config
    events.record(call, "created", config)
    return config


def update_configuration_endpoint(call: Call) -> dict[str, Any]:
    current = retrieve_configuration(call)
    others = current["application"] not in (None, call.application)
    if others or (current["is_default"] and call.refuse_default_updates):
        raise invalid(REFUSED_UPDATE)
    if current["is_default"] and call.params.get("active") is False:
        # behaviours.py: "default cannot be deactivated" (Stripe's wording)
        raise invalid(DEFAULT_DEACTIVATION_REFUSED, "active")
    updated = copy.deepcopy(current)
    update_configuration(updated, call.params, now=call.now)
    check_configuration(call, updated)
    call.state.configurations[updated["id"]] = updated
    events.record(call, "updated", updated, before=current)
    return updated


def check_configuration(call: Call, config: dict[str, Any]) -> None:
    """Stripe's rules beyond the schema: real products and recurring prices of those products, at
    most 10 products, and cancellation prorations only for immediate cancellations."""
    features = config["features"]
    cancel = features["subscription_cancel"]
    prefix = "features[subscription_cancel]"
    if cancel["proration_behavior"] == "always_invoice":
        raise invalid(
            f"Invalid {prefix}[proration_behavior]: always_invoice is not supported for "
            "cancellations; use none or create_prorations",
            f"{prefix}[proration_behavior]",
        )
    if cancel["proration_behavior"] == "create_prorations" and cancel["mode"] != "immediately":
        raise invalid(
            f"{prefix}[proration_behavior] can only be create_prorations when "
            f"{prefix}[mode] is immediately.",
            f"{prefix}[proration_behavior]",
        )
    duration = features["subscription_pause"]["duration"]
    if duration["type"] == "interval_options" and not duration["interval_options"]:
        raise missing_param("features[subscription_pause][duration][interval_options]")
    update = features["subscription_update"]
    if call.subscription_update_needs_products and update["enabled"]:
        # behaviours.py: "enabled subscription_update needs products"
        for needed in ("products", "default_allowed_updates"):
            if not update[needed]:
                raise missing_param(f"features[subscription_update][{needed}]")
    requested = call.params.get("features", {}).get("subscription_update", {}).get("products")
    if isinstance(requested, list):
        _check_products(call, requested)


def _check_products(call: Call, products: list[dict[str, Any]]) -> None:
    param = "features[subscription_update][products]"
    if len(products) > MAX_PRODUCTS:
        raise invalid(f"You can only specify up to {MAX_PRODUCTS} products in {param}.", param)
    for i, entry in enumerate(products):
        call.get("products", entry["product"], "product", f"{param}[{i}][product]")
        for j, price_id in enumerate(entry["prices"]):
            price_param = f"{param}[{i}][prices][{j}]"
            price = call.get("prices", price_id, "price", price_param)
            if price["product"] != entry["product"]:
                raise invalid(
                    f"The price {price_id} does not belong to the product {entry['product']}.",
                    price_param,
                )
            if price["type"] != "recurring":
                raise invalid(
                    f"The price {price_id} is not a recurring price; only recurring prices "
                    "can be offered for subscription updates.",
                    price_param,
                )


def create_session(call: Call) -> dict[str, Any]:
    params = call.params
    if not params.get("customer") and not params.get("customer_account"):
        raise missing_param("customer")
    _check_absolute_url(params.get("return_url"), "return_url")
    redirect = params.get("flow_data", {}).get("after_completion", {}).get("redirect", {})
    _check_absolute_url(
        redirect.get("return_url"), "flow_data[after_completion][redirect][return_url]"
    )
    if params.get("customer"):
        call.get("customers", params["customer"], "customer", "customer")
    config = _session_configuration(call)
    if not config["active"]:
        raise invalid(
            f"The configuration {config['id']} is not active, so it cannot be used to create "
            "portal sessions. Activate it (active=true) or pass an active configuration.",
            "configuration",
        )
    if not params.get("return_url") and not config["default_return_url"]:
        # behaviours.py: "a session needs a return URL"
        raise missing_param(
            "return_url",
            f"The configuration {config['id']} has no default_return_url: pass return_url, "
            "or set the configuration's default_return_url.",
        )
    session = new_session(
        params, configuration=config, livemode=call.livemode, now=call.now, base=call.portal_base
    )
    from .portal_page import keep  # (with html: only where sessions are made)

    keep(call.state, session, call.now)  # its url opens the emulated portal (portal_page.py)
    return session


def _check_absolute_url(url: str | None, param: str) -> None:
    """behaviours.py: "a session needs a return URL" (absolute: http(s), a host), read with
    urllib3's parser, the one the product's own URL checks use."""
    if url is None:
        return
    try:
        parsed = parse_url(url)
    except LocationParseError:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise invalid(
            f"Invalid URL: {param} must be an absolute URL with http:// or https:// and a host "
            f"(e.g. https://example.com/account), not '{url}'.",
            param,
            code="url_invalid",
        )


def _session_configuration(call: Call) -> dict[str, Any]:
    requested = call.params.get("configuration")
    if requested:
        return call.get("configurations", requested, NOUN, "configuration")
    default = next((c for c in call.state.configurations.values() if c["is_default"]), None)
    if default is None:
        raise invalid(no_default_message(call.mode))
    return default


def resolve_application(application_id: str) -> dict[str, Any]:
    """`expand[]=application`: the Connect application as Stripe shows another platform's app."""
    return {"id": application_id, "object": "application", "name": None}
