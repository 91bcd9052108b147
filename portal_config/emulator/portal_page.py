"""The emulated customer portal: the page a session's `url` opens, rendered from the emulator's
own state (the session, its configuration, the catalog). Plain HTML, every value escaped, no
script; it says on it that it is the emulator's, never Stripe's page.

Sessions are kept per mode and account beside the other objects; a link not opened within
SESSION_TTL of its creation has expired (behaviours.py, "portal sessions expire"), and one opened
in time stays open, as Stripe's "expire if the customer does not visit the URL" reads.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from .store import AccountState, Store

PATH = "/p/session/"
SESSION_TTL = 5 * 60  # behaviours.py, "portal sessions expire"
KEPT = 24 * 3600  # a session older than this is forgotten (the state stays bounded)
_OPENED = "_opened"  # the stored copy's own mark (never in an answer: sessions have no GET)

# Stripe's zero-decimal currencies (https://docs.stripe.com/currencies#zero-decimal).
_ZERO_DECIMAL = set("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())
_FLOW_TITLES = {
    "subscription_cancel": "Cancel subscription",
    "subscription_update": "Change the plan of subscription",
    "subscription_update_confirm": "Confirm the plan change of subscription",
    "subscription_pause": "Pause subscription",
    "payment_method_update": "Update your payment method",
    "customer_update": "Update your details",
}
_STYLE = "body{font-family:sans-serif;max-width:40em;margin:2em auto}.emulated{background:#fe9}"


def keep(state: AccountState, session: dict[str, Any], now: int) -> None:
    """Store a new session, forgetting those older than KEPT."""
    for old in [k for k, s in state.sessions.items() if s["created"] < now - KEPT]:
        del state.sessions[old]
    state.sessions[session["id"]] = dict(session)


def answer(store: Store, path: str) -> tuple[int, str]:
    """The status and page for GET `path` (under PATH)."""
    with store.lock:
        now = int(store.clock())
        found = _find(store, path)
        if found is None:
            return 404, _page("Not found", _missing(None))
        state, session = found
        if _OPENED not in session:
            if now > session["created"] + SESSION_TTL:
                return 404, _page("Expired", _missing(session))
            session[_OPENED] = now
            store.save()
        config = state.configurations[session["configuration"]]
        return 200, _page("Customer portal", _portal(session, config, state))


def _find(store: Store, path: str) -> tuple[AccountState, dict[str, Any]] | None:
    for state in store.accounts.values():
        for session in state.sessions.values():
            if session["url"].endswith(path):
                return state, session
    return None


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title} (emulated portal)</title><style>{_STYLE}</style></head><body>"
        '<p class="emulated"><strong>emulated portal</strong>: served by portal-config\'s Stripe '
        "emulator from its own state, not Stripe's page.</p>"
        f"{body}</body></html>\n"
    )


def _missing(expired: dict[str, Any] | None) -> str:
    """The 404 page: an unknown link (None), or the session that expired."""
    what, why = (
        "No portal session has this link.",
        ("The link is wrong, or the emulator that made it was reset or restarted"),
    )
    if expired is not None:
        what = "This portal session expired."
        why = f"A session's link must be opened within {SESSION_TTL // 60} minutes of its creation"
    recovery = ""
    if expired is not None and (expired["after_expiration"] or {}).get("type") == "customer_login":
        recovery = (
            "<p>Its after_expiration is customer_login: Stripe lets the customer verify their "
            "email to get a new session; the emulator does not.</p>"
        )
    return (
        f"<h1>{what}</h1><p>{why}: create a new session each time a customer asks for the "
        f"portal (billing_portal.sessions.create), and redirect to its url at once.</p>{recovery}"
    )


def _portal(session: dict[str, Any], config: dict[str, Any], state: AccountState) -> str:
    headline = config["business_profile"]["headline"]
    customer = session["customer"] or session["customer_account"]
    offers = _offers(config["features"], state)
    parts = [_flow(session["flow"], offers)] if session["flow"] else []
    parts.append(f"<h1>{_e(headline or 'Customer portal')}</h1>")
    parts.append(f"<p>Signed in as {_e(customer)}.</p>")
    parts += [_section(f"portal-{anchor}", *offer) for anchor, offer in offers.items()]
    parts.append(f'<p><a id="return" href="{_e(session["return_url"])}">Return</a></p>')
    return "".join(parts)


def _offers(features: dict[str, Any], state: AccountState) -> dict[str, tuple[str, list[str]]]:
    """What the configuration lets a customer do, by feature: its heading and lines."""
    offers: dict[str, tuple[str, list[str]]] = {}
    update = features["subscription_update"]
    if update["enabled"]:
        plans = [_plan(entry, state) for entry in update.get("products") or []]
        offers["subscription_update"] = ("Switch plans", plans)
    cancel = features["subscription_cancel"]
    if cancel["enabled"]:
        offers["subscription_cancel"] = ("Cancel your subscription", _cancel(cancel))
    pause = features["subscription_pause"]
    if pause["enabled"]:
        offers["subscription_pause"] = ("Pause", [_pause(pause["duration"])])
    if features["payment_method_update"]["enabled"]:
        offers["payment_method_update"] = ("Payment method", ["Update your payment method."])
    allowed = features["customer_update"]["allowed_updates"]
    if features["customer_update"]["enabled"] and allowed:
        words = ", ".join(a.replace("_", " ").replace("tax id", "tax ID") for a in allowed)
        offers["customer_update"] = ("Your details", [f"Update your {words}."])
    if features["invoice_history"]["enabled"]:
        offers["invoice_history"] = ("Invoice history", ["No invoices yet."])
    return offers


def _flow(flow: dict[str, Any], offers: dict[str, tuple[str, list[str]]]) -> str:
    """A deep link's step, first on the page and its id the flow's type (Stripe opens the flow
    before the home page: https://docs.stripe.com/customer-management/portal-deep-links), with
    what the configuration offers for it."""
    kind = flow["type"]
    details = flow.get(kind) or {}
    title = f"{_FLOW_TITLES.get(kind, kind)} {details.get('subscription', '')}".strip()
    feature = "subscription_update" if kind.startswith("subscription_update") else kind
    lines = list(offers.get(feature, ("", []))[1])
    coupon = ((details.get("retention") or {}).get("coupon_offer") or {}).get("coupon")
    if coupon:
        lines.append(f"Before you go: coupon {coupon} is offered to stay.")
    after = flow["after_completion"]
    if after["type"] == "hosted_confirmation":
        message = (after.get("hosted_confirmation") or {}).get("custom_message")
        lines.append(f"Afterwards: {message or 'a confirmation page'}.")
    done = ""
    if after["type"] == "redirect":
        done = f'<p><a id="done" href="{_e(after["redirect"]["return_url"])}">Done</a></p>'
    return _section(kind, title, lines, done)


def _section(anchor: str, title: str, lines: Iterable[str], link: str = "") -> str:
    items = "".join(f"<p>{_e(line)}</p>" for line in lines)
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{items}{link}</section>'


def _plan(entry: dict[str, Any], state: AccountState) -> str:
    product = state.products.get(entry["product"], {})
    prices = [_amount(state.prices[p]) for p in entry["prices"] if p in state.prices]
    return f"{product.get('name') or entry['product']}: {', '.join(prices)}"


def _amount(price: dict[str, Any]) -> str:
    currency = str(price["currency"])
    cents = price.get("unit_amount")
    if cents is None:
        amount = "a tiered or custom amount"
    elif currency in _ZERO_DECIMAL:
        amount = f"{cents} {currency.upper()}"
    else:
        amount = f"{cents / 100:.2f} {currency.upper()}"
    recurring = price.get("recurring") or {}
    count, interval = recurring.get("interval_count") or 1, recurring.get("interval")
    if interval is None:
        return amount
    return f"{amount} per {interval}" if count == 1 else f"{amount} every {count} {interval}s"


def _cancel(cancel: dict[str, Any]) -> list[str]:
    if cancel["mode"] == "immediately":
        when = "Cancellations take effect immediately"
        if cancel["proration_behavior"] == "create_prorations":
            when += ", with prorations"
    else:
        when = "Cancellations take effect at the end of the billing period"
    lines = [when + "."]
    reason = cancel["cancellation_reason"]
    if reason["enabled"] and reason["options"]:
        named = ", ".join(o.replace("_", " ").capitalize() for o in reason["options"])
        lines.append(f"You are asked why you cancel: {named}.")
    return lines


def _pause(duration: dict[str, Any]) -> str:
    options = duration.get("interval_options") or []
    spans = [
        f"{o['interval_count']} {o['interval']}{'s' if o['interval_count'] != 1 else ''}"
        for o in options
    ]
    if duration["type"] != "interval_options" or not spans:
        return "Pause your subscription."
    return f"Pause your subscription for {' or '.join(spans)}."


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)
