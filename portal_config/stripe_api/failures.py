"""What a failed request means to the person running portal-config: the SDK's error (or an
answer that cannot be read) as a `StripeFailure` of one kind, worded with what to do next.
Whether a write may have reached Stripe decides between "uncertain" and a plain failure."""

from __future__ import annotations

import stripe

from ..errors import FailureKind, StripeFailure
from . import transport
from .requestlog import reason_said
from .sdk import _describe, _header, _kind, _Late, _other_mode, _unreadable

UNCERTAIN = (
    "it may or may not have reached Stripe. Run the command again: it is safe (it "
    "reads Stripe first, and a write repeats under the same idempotency key)"
)


def rate_limited(exc: stripe.StripeError) -> str:
    """Which of Stripe's limits a 429 met, from its Stripe-Rate-Limited-Reason: ' (REASON:
    what it means)', or '' when it names none (requestlog.reason_said)."""
    said = reason_said(_header(exc, "stripe-rate-limited-reason"))
    return f" ({said})" if said else ""


def malformed(what: str, detail: str, write: bool) -> StripeFailure:
    """An answer that cannot be read: a read failed (nothing taken from it), a write uncertain."""
    if write:
        return StripeFailure(
            f"{what}: Stripe's answer cannot be read ({detail}): {UNCERTAIN}.",
            FailureKind.UNCERTAIN,
        )
    return StripeFailure(
        f"{what}: Stripe's answer is malformed ({detail}); nothing was read "
        "from it. Run again; if it persists, check that api_base reaches "
        "Stripe itself (a proxy may be changing answers).",
        FailureKind.MALFORMED,
    )


def worded(
    what: str,
    exc: stripe.StripeError,
    write: bool,
    address: str,
    budget: transport.TimeBudget,
    account: str | None,
) -> StripeFailure:
    """The SDK's error as a StripeFailure of one kind, with what to do: `what` is the request
    (`ENV: listing configurations`), `address` the server asked, `account` a fleet member's."""
    # A fleet's account has a time budget of its own: its answers not coming in time is that
    # account's trouble (a slow or hung path to it), not the run's (fleet_plan.side_by_side).
    slow = FailureKind.SLOW if account is not None else None
    if isinstance(exc, _Late) and exc.run_spent:
        times = budget.run_seconds / budget.request_seconds
        return StripeFailure(
            f"{what}: stopped: this {'account' if slow else 'run'} has waited for Stripe as "
            f"long as it may ({budget.run_seconds:g} s, {times:g} times "
            "--timeout). Run again.",
            slow or FailureKind.DEADLINE,
        )
    if isinstance(exc, stripe.APIConnectionError):
        if isinstance(exc, _Late):
            trouble = f"{address} sent no complete answer within {exc.seconds:g} s (--timeout)"
        elif isinstance(exc.__cause__, transport.Redirected):
            trouble = f"{exc.__cause__}, so api_base does not reach Stripe itself"
        else:
            reason = transport.network_reason(str(exc.user_message or exc))
            trouble = f"could not reach {address} ({reason})"
        if write and not transport.never_sent(exc.__cause__):
            return StripeFailure(f"{what}: {trouble}: {UNCERTAIN}.", FailureKind.UNCERTAIN)
        return StripeFailure(
            f"{what}: {trouble}: check api_base and the network, then run again; it is safe.",
            slow if slow and isinstance(exc, _Late) else FailureKind.CONNECTION,
        )
    unread = _unreadable(exc)
    if unread:
        return malformed(what, unread, write)
    if isinstance(exc, stripe.AuthenticationError):
        return StripeFailure(
            f"{what}: Stripe rejected the API key: {_describe(exc)}. Check "
            "the key in the variable.",
            FailureKind.AUTHENTICATION,
        )
    if isinstance(exc, stripe.PermissionError):
        return StripeFailure(
            f"{what}: the key lacks a permission: {_describe(exc)}. Give the "
            "restricted key write access to the customer portal.",
            FailureKind.PERMISSION,
        )
    replayed = _header(exc, "idempotent-replayed") == "true"  # Stripe's saved answer
    if isinstance(exc, stripe.RateLimitError):
        return StripeFailure(
            f"{what}: Stripe kept rate-limiting{rate_limited(exc)}: "
            f"{_describe(exc).rstrip('.')}. Everything using this Stripe account counts "
            "toward its limits: wait a minute and run again, or lower --max-rps.",
            FailureKind.RATE_LIMIT,
            replayed,
        )
    kind = _kind(exc)
    said = "Stripe failed on its side" if kind is FailureKind.SERVER else "Stripe refused"
    return StripeFailure(f"{what}: {said}: {_describe(exc)}", kind, replayed, _other_mode(exc))
