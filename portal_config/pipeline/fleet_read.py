"""What `ids` and `doctor` share over a fleet environment: the accounts this run takes
(`--accounts`, `--shard`; an `--accounts` ID the fleet lacks refused), each account read side by
side (at most `--parallelism` at once, every request under the run's one rate limit); each
account's environment is fleet_plan.member_environment, as plan makes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..errors import StripeFailure
from ..project import spec
from ..stripe_api.gateway import Gateway
from . import fleet_plan

T = TypeVar("T")


def each_account(
    env: spec.Environment,
    platform: Gateway,
    selection: fleet_plan.Selection,
    read: Callable[[fleet_plan.Member], T],
    failed: Callable[[fleet_plan.Member, StripeFailure], T],
) -> list[T]:
    """`read` for each account of the fleet this run takes, side by side, in fleet order; a
    failure of one account's is `failed`'s to say, one every account would meet ends the run
    (fleet_plan.side_by_side)."""
    chosen, unknown, _ = fleet_plan.members(env, platform, selection)
    if selection.accounts:
        fleet_plan.refuse_unknown([unknown])
    return fleet_plan.side_by_side(chosen, selection.parallelism, read, failed)
