"""Which mode Stripe's answers say an environment's key is in: an organization's key does not
say it (project/safety.ORGANIZATION_KEY), so plan and doctor read it from `livemode`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..errors import FailureKind, Problem, StripeFailure
from ..portal.configuration import Configuration
from ..project import spec


def confirm_mode(
    environment: spec.Environment,
    current: Sequence[Configuration],
    prices: Iterable[Mapping[str, Any]] = (),
    balance: Callable[[], Mapping[str, Any]] | None = None,
    also_read: int = 0,
) -> list[Problem]:
    """An organization's key does not say its mode (safety.ORGANIZATION_KEY): Stripe's answers
    do, by their `livemode`: each configuration listed, each price read. When none answered
    (an account with neither) and `balance` is given (a plan that writes), the account's balance
    is read for it: every account has one, with `livemode`
    (https://docs.stripe.com/api/balance/balance_object). An answer of the other mode, or a
    balance the key may not read, is a problem of the plan, so nothing is written (apply
    refuses a plan with problems). `also_read`: how many more configurations were listed, each
    of the environment's mode (shown.slimmer counts only those: shown.Unclaimed)."""
    if not environment.organization:
        return []
    live = environment.mode == "live"
    # (the article and the noun of what answered, its livemode)
    answers = [(("", f"configurations ({c.id})"), c.livemode) for c in current]
    answers += [
        (("", f"prices ({p.get('id')})"), p["livemode"])
        for p in prices
        if isinstance(p.get("livemode"), bool)
    ]
    if not answers and not also_read and balance is not None:
        try:
            answers = [(("a ", "balance"), balance()["livemode"])]
        except StripeFailure as exc:
            if exc.kind is not FailureKind.PERMISSION:
                raise
            return [unconfirmed(environment)]
    other = [what for what, livemode in answers if livemode != live]
    if not other:
        return []
    mode = "test" if live else "live"
    article, noun = other[0]
    return [
        Problem(
            environment.location,
            f"environment '{environment.name}' is {environment.mode} mode but Stripe answered "
            f"with {article}{mode} mode {noun}: its organization key is a "
            f"{mode} mode key. Export the organization's {environment.mode} mode key, or write "
            f"mode: {mode} if this environment is meant to be {mode}",
        )
    ]


def unconfirmed(environment: spec.Environment) -> Problem:
    """Nothing read tells the mode, and the key may not read the balance that would."""
    return Problem(
        environment.location,
        f"environment '{environment.name}' cannot confirm the mode of its organization key: "
        "the account has no portal configuration or price to tell it, and the key may not read "
        f"the balance. Grant the key Balance read, or create the first portal configuration "
        f"in the Dashboard's {environment.mode} mode, then plan again",
    )
