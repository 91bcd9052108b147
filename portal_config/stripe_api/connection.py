"""Opening the gateways of a command's environments (`open_gateways`, the one place that does):
for each, the safety rules first (safety.py), then the embedded emulator for `emulator:`
environments or a client for Stripe, with the run's deadline and its one rate limit, and
Stripe's notices held back while it is open (notices.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

from .. import defaults
from ..errors import PortalConfigError
from ..project import safety
from . import notices, ratelimit, transport
from .client import StripeGateway
from .gateway import Gateway
from .sdk import _client, _session

if TYPE_CHECKING:
    from ..project.spec import Environment
    from .ratelimit import RateLimiter


@contextmanager
def open_gateways(
    envs: Sequence[Environment], timeout: float | None = None, max_rps: float | None = None
) -> Iterator[dict[str, Gateway]]:
    """A gateway per environment (by name), open for the whole command, all under the run's one
    rate limit (`max_rps`, else Stripe's: ratelimit.py). Every environment's safety checks run
    before any of them sends a request (a refusal is a `safety.Refused`). `timeout`: seconds
    per request (--timeout; None: defaults.REQUEST_SECONDS)."""
    cleared = cleared_all(envs)
    limiter = ratelimit.limiter_for(envs, max_rps)
    seconds = timeout or defaults.REQUEST_SECONDS
    with ExitStack() as stack:
        yield {
            env.name: stack.enter_context(connect(env, seconds, limiter, cleared.get(env.name)))
            for env in envs
        }


def cleared_all(envs: Sequence[Environment]) -> dict[str, safety.Cleared]:
    """What the safety rules let through for each environment (by name), or every refusal at
    once (`plan --all` with two keys missing names both, each at its line), before any
    request; one alone is raised as it is."""
    cleared: dict[str, safety.Cleared] = {}
    refusals: list[safety.Refused] = []
    for env in envs:
        if env.emulator is None:  # an embedded emulator needs no key and has no address
            try:
                cleared[env.name] = safety.clear(env)
            except safety.Refused as exc:
                refusals.append(exc)
    if len(refusals) == 1:
        raise refusals[0]
    if refusals:
        lines = "".join(f"\n  {refusal}" for refusal in refusals)
        raise safety.Refused(
            refusals[0].check, f"{len(refusals)} environments refused, before any request:{lines}"
        )
    return cleared


@contextmanager
def connect(
    env: Environment,
    timeout: float = defaults.REQUEST_SECONDS,
    limiter: RateLimiter | None = None,
    cleared: safety.Cleared | None = None,
) -> Iterator[Gateway]:
    """A gateway for one environment; the safety rules run here, before any request (a refusal
    is a `safety.Refused`), unless `cleared` says what they let through (cleared_all).
    `timeout`: each request's deadline in seconds (the run's is transport.RUN_DEADLINE_FACTOR
    times it); `limiter`: the run's one rate limit (ratelimit.py), shared by every environment.
    Stripe's notices are held back while it is open."""
    with notices.capturing():
        budget = transport.TimeBudget.for_request_seconds(timeout)
        yield from _connect(env, budget, limiter, cleared)


def _connect(
    env: Environment,
    budget: transport.TimeBudget,
    limiter: RateLimiter | None,
    cleared: safety.Cleared | None,
) -> Iterator[Gateway]:
    if env.emulator is not None:
        from ..emulator import Emulator, EmulatorError  # the embedded account of `emulator:`

        # a sandbox's key selects a sandbox of its own there, as in Stripe
        key = f"rkcs_test_{env.name}" if env.sandbox else f"sk_{env.mode}_portal_config_emulator"
        if env.organization:  # as an organization's key, so Stripe-Context is checked there too
            key = f"sk_org_{env.mode}_portal_config_emulator"
        space = Emulator.sandbox_mode(key) if env.sandbox else env.mode
        seed = {space: env.seed} if env.seed else None
        try:
            emulator = Emulator(state_file=env.emulator, seed=seed)
        except EmulatorError as exc:  # e.g. its state file is in use by another command
            raise _emulator_failed(env, exc) from exc
        try:
            url = emulator.start()
            yield _gateway(env, key, url, "emulator", budget, limiter)
        except EmulatorError as exc:
            raise _emulator_failed(env, exc) from exc
        finally:
            emulator.stop()
        return
    cleared = cleared or safety.clear(env)
    yield _gateway(env, cleared.key, cleared.address, cleared.key_kind, budget, limiter)


def _emulator_failed(env: Environment, exc: Exception) -> PortalConfigError:
    """An emulator that cannot start; one whose seed cannot be applied, said at `seed:`."""
    from ..emulator import SeedError

    seed = isinstance(exc, SeedError) and env.seed_location is not None
    return PortalConfigError(
        f"{f'{env.seed_location}: ' if seed else ''}environment '{env.name}': {exc}"
    )


def _gateway(
    env: Environment,
    key: str,
    address: str,
    key_kind: str,
    budget: transport.TimeBudget,
    limiter: RateLimiter | None,
) -> StripeGateway:
    """The environment's gateway; for a fleet, the platform's, which opens one per connected
    account on the same session (connections and rate limit shared)."""
    session = _session(address, limiter)

    def open_account(account_id: str) -> StripeGateway:
        own = transport.TimeBudget.for_request_seconds(budget.request_seconds)
        client = _client(key, address, *_acting_for(env, account_id), own, limiter, session)
        return StripeGateway(client, env.name, env.mode, address, key_kind, own, None, account_id)

    client = _client(key, address, *_acting_for(env, None), budget, limiter, session)
    organization = env.organization_fleet  # its accounts read as themselves (client.py)
    return StripeGateway(
        client, env.name, env.mode, address, key_kind, budget, open_account, None, organization
    )


def _acting_for(env: Environment, account_id: str | None) -> tuple[str | None, str | None]:
    """(Stripe-Account, Stripe-Context) of the requests for a fleet's `account_id` (None: the
    environment's own). An organization's environment names every account in Stripe-Context,
    never in Stripe-Account, which it supersedes: an account of the organization as itself, a
    connected account below the environment's platform, acct_platform/acct_connected
    (https://docs.stripe.com/context)."""
    if not env.organization:
        return account_id or env.stripe_account, None
    if account_id is None or env.organization_fleet:
        return None, account_id or env.stripe_context
    return None, f"{env.stripe_context}/{account_id}"
