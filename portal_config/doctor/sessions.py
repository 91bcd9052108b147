"""doctor's checks with a real customer: the customer ID, and a real portal session per
configuration, with what a refusal means."""

from __future__ import annotations

from ..dashboard import portal_settings_url
from ..errors import FailureKind
from .observation import PERMISSIONS_FIX, Failure, Finding, Observation, Used, failed


def judge_customer(obs: Observation) -> list[Finding]:
    customer, mode = obs.customer_id, obs.mode
    if customer is None:
        return []
    if not customer.startswith("cus_"):
        return [
            Finding(
                "customer",
                "problem",
                f"'{customer}' is not a Stripe customer ID (those "
                "start with cus_): probably your app's own user ID",
                "pass the Stripe customer ID your app stored for this user (the `id` "
                "of the stripe Customer), not the user's own ID",
            )
        ]
    if obs.customer_failure:
        return [failed("customer", f"reading customer {customer}", obs.customer_failure)]
    other = obs.customer_other_mode
    if obs.customer is None and other is not None:
        # Stripe's resource_missing names the mode that holds it (emulator/behaviours.py, "an
        # object of the other mode"): the clearest sign of a live/test mix-up.
        return [
            Finding(
                "customer",
                "problem",
                f"customer {customer} exists in {other} mode, not in {mode} mode: a {other} mode "
                f'ID used with a {mode} mode key, so Stripe refuses its sessions ("No such '
                f'customer ...; a similar object exists in {other} mode")',
                f"use this customer's {mode} mode ID (customers exist in one mode only), or "
                f"the {other} mode key if the app means {other} mode",
            )
        ]
    if obs.customer is None:
        account = f" of {obs.env.stripe_account}" if obs.env.stripe_account else ""
        return [
            Finding(
                "customer",
                "problem",
                f"no customer {customer} in {mode} "
                f'mode{account}: Stripe refuses its sessions with "No such customer"',
                "customers exist in one mode and account only: use the ID of this "
                f"{mode} mode customer (a test mode ID is unknown in live mode), or "
                "check stripe_account",
            )
        ]
    if obs.customer.get("deleted"):
        return [
            Finding(
                "customer",
                "problem",
                f"customer {customer} was deleted",
                "use the customer's current ID",
            )
        ]
    return [Finding("customer", "ok", f"{customer} exists in {mode} mode")]


def judge_sessions(obs: Observation, show_url: bool) -> list[Finding]:
    customer_ok = obs.customer is not None and not obs.customer.get("deleted")
    if customer_ok and obs.mode == "live" and not obs.allow_live:
        return [
            Finding(
                "session",
                "warning",
                "no portal session created: this is a live environment",
                "run again with --allow-live to create a real live mode session",
            )
        ]
    findings = []
    for attempt in obs.sessions:
        check = f"session {attempt.used.name}"
        how = (
            "without `configuration` (the default)"
            if attempt.used.is_default
            else f"with configuration={attempt.used.id}"
        )
        if attempt.session is not None:
            url = attempt.session.get("url") if show_url else None
            shown = url or "URL hidden: pass --show-url"
            findings.append(Finding(check, "ok", f"session created {how} ({shown})", "", url))
        elif attempt.failure is not None:
            findings.append(
                Finding(
                    check,
                    "problem",
                    f"Stripe refused a session {how}: {attempt.failure.message}",
                    explain(attempt.failure, obs, attempt.used),
                )
            )
    return findings


def explain(failure: Failure, obs: Observation, used: Used) -> str:
    """What to do about Stripe's answer to a session request (wording: API-REFERENCE §11.1)."""
    message = failure.message
    if failure.kind is FailureKind.PERMISSION:
        return PERMISSIONS_FIX
    if "default configuration has not been created" in message or "until you save" in message:
        return (
            f"save the portal settings at {portal_settings_url(obs.env.space)}, or pass "
            "configuration= explicitly"
        )
    if "not active" in message:
        return (
            f"`portal-config apply {obs.env_option}` reactivates {used.id}; until then pass an "
            "active configuration"
        )
    if "No such configuration" in message:
        return f"use the IDs of this mode and account: `portal-config ids {obs.env_option}`"
    if "No such customer" in message:
        return "use a customer ID of this mode and account"
    return "do what Stripe's message says, then run doctor again"
