"""doctor's check of a deep link (`--flow TYPE`, a portal session's `flow_data.type`): a flow
opens one page of the portal, and only one the configuration enables.

Stripe: docs.stripe.com/customer-management/portal-deep-links (the flow types); a
`subscription_update_confirm` item's price "must be in the configuration's
features.subscription_update.products" (API-REFERENCE §7, from the spec's description of
`portal_flows_subscription_update_confirm_item.price`); that a flow needs its feature enabled is
API-REFERENCE §11.1's reading of it.
"""

from __future__ import annotations

from ..dashboard import portal_settings_url
from .observation import Finding, Observation, Used, offered, written_at

# Each flow type -> the feature it opens: the session flow_data.type enum of Stripe's OpenAPI
# extract (2026-09-30.endive), and subscription_pause of 2026-10-28.endive (API-REFERENCE §11).
CONFIRM = "subscription_update_confirm"
_OWN_FEATURE = (
    "customer_update",
    "payment_method_update",
    "subscription_cancel",
    "subscription_pause",
    "subscription_update",
)
FLOW_FEATURES = {flow: flow for flow in _OWN_FEATURE} | {CONFIRM: "subscription_update"}


def _lack(flow: str, price: str | None, used: Used) -> tuple[tuple[str, ...], str] | None:
    """What the configuration lacks for the flow (the field's path, and why), None if nothing."""
    feature = FLOW_FEATURES[flow]
    if not ((used.obj.get("features") or {}).get(feature) or {}).get("enabled"):
        return ("features", feature, "enabled"), f"features.{feature}.enabled is not true"
    if flow != CONFIRM:
        return None
    prices = {p for _, offered_prices in offered(used.obj) for p in offered_prices}
    if not prices or (price is not None and price not in prices):
        lacking = "offers no price" if not prices else f"does not offer {price}"
        return (
            ("features", feature, "products"),
            f"features.subscription_update.products {lacking} (the confirmed item's price must "
            "be among them)",
        )
    return None


def judge_flow(obs: Observation, used: list[Used]) -> list[Finding]:
    """Each configuration sessions may use, for the flow asked about: ok where it opens; a
    problem where none does, else a warning where one does not (the app may not use it)."""
    flow = obs.flow
    if flow is None or not used:
        return []
    lacks = {u.id: _lack(flow, obs.flow_price, u) for u in used}
    status = "warning" if any(lack is None for lack in lacks.values()) else "problem"
    findings = []
    for u in used:
        check, lack = f"flow {u.name}", lacks[u.id]
        if lack is None:
            findings.append(Finding(check, "ok", f"{u.label} opens {flow} deep links"))
            continue
        path, why = lack
        where = written_at(obs, u, path)
        field, wanted = ".".join(path), obs.flow_price or "the deep link's prices"
        fix = (
            f"set {field}: true in {u.file} and apply"
            if path[-1] == "enabled" and u.file
            else f"add {wanted} to {field} in {u.file} and apply"
            if u.file
            else f"set {field} in the portal settings at {portal_settings_url(obs.env.space)}"
        )
        findings.append(
            Finding(check, status, f"{where}{u.label}: {why}: {flow} deep links fail with it", fix)
        )
    return findings
