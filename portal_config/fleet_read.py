"""What `ids` and `doctor` share over a fleet environment: the accounts this run takes
(`--accounts`, `--shard`; an `--accounts` ID the fleet lacks refused), each account read side by
side (at most `--parallelism` at once, every request under the run's one rate limit); each
account's environment is fleet_plan.member_environment, as plan makes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from . import config, fleet_plan
from .gateway import Gateway

T = TypeVar("T")
RUN_FAILURES = fleet_plan.RUN_FAILURES


def each_account(
    env: config.Environment,
    platform: Gateway,
    selection: fleet_plan.Selection,
    read: Callable[[fleet_plan.Member], T],
) -> list[T]:
    """`read` for each account of the fleet this run takes, side by side, in fleet order (a
    failure `read` raises ends the run: fleet_plan.side_by_side)."""
    chosen, unknown, _ = fleet_plan.members(env, platform, selection)
    if selection.accounts:
        fleet_plan.refuse_unknown([unknown])
    return fleet_plan.side_by_side(chosen, selection.parallelism, read)
