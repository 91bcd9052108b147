"""What a plan that is only shown (not saved) keeps of each configuration as it is listed: one a
file may claim whole, one no file can claim only as its note shows it (issue 24: a plan's memory
no longer grows with the account). A saved plan fingerprints every configuration whole, so it
never slims."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..portal import identity
from ..portal.configuration import Configuration, application_of
from .match import Desired, content_of, may_look_alike

# A configuration no file can claim, as a plan that is not saved keeps it: (ID, name, the
# Connect application that made it), the line its note shows (EnvPlan.unmanaged) and no more:
# ~280 bytes with its text, where a record and a binding were ~700 (issue 24). A plain tuple of
# text, which the garbage collector stops tracking ("Optimization: delay tracking containers",
# https://devguide.python.org/internals/garbage-collector/).
Unmanaged = tuple[str, str | None, str | None]
# What is kept of a configuration as listed (slimmer()), given its answer with what every one is
# checked for (its ID, name, flags, application, identity) and a way to take it whole (every
# field checked): only what is kept is checked (stripe_api/responses.listed). None: it is one
# no file can claim, counted (Unclaimed) and kept only as its note needs it.
Slim = Callable[[Mapping[str, Any], Callable[[], Configuration]], "Configuration | None"]
# How many configurations no file claims a plan's note names (render/words.left_alone); the
# rest it counts. An account of thousands (a Connect platform's) would make the note one line
# of megabytes, and a plan that held each to name it would grow with the account (issue 24:
# peak RSS); `--format json` lists every one.
NAMED_UNCLAIMED = 20


class Unclaimed:
    """The configurations no file can claim, as a plan that is not saved reads them (slimmer):
    every one (`limit` None: `--format json` lists each), or only the first `limit` in the
    note's order and a count of them all, so a text plan of an account of 50,000 holds 20."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.count = 0
        self._kept: list[Unmanaged] = []

    def add(self, one: Unmanaged) -> None:
        self.count += 1
        self._kept.append(one)
        if self.limit is not None and len(self._kept) >= 4 * self.limit + 64:
            self._kept = heapq.nsmallest(self.limit, self._kept)  # the first, now and after

    def noted(self, also: Sequence[Unmanaged] = ()) -> tuple[list[Unmanaged], int]:
        """Those the note names, with `also` (unclaimed ones a plan found among its records),
        in order; and how many more there are, only counted."""
        every = sorted([*self._kept, *also])
        named = every if self.limit is None else every[: self.limit]
        return named, self.count + len(also) - len(named)


def slimmer(
    project: str, env: str, live: bool, desired: Sequence[Desired], unclaimed: Unclaimed
) -> Slim:
    """What a plan that is not saved keeps of each configuration as it is listed: one no file
    can claim (not pinned by `ids:`, not the default, not this project's and environment's, not
    a look-alike of a file) only as its note shows it, in `unclaimed`; every other one whole. A
    saved plan fingerprints every configuration whole, so it never slims: 10,000 configurations
    whole are ~45 MiB, as Unmanaged ~3, and a text plan's note of them 20 lines. `live`: the
    environment's mode; one of the other mode is kept as a record, for mode.confirm_mode to
    name."""
    pinned = {d.pinned_id for d in desired if d.pinned_id}
    names = {d.params.get("name") for d in desired} - {None, ""}
    # look_alikes compares contents only where one side has no name: two names are two portals
    named: set[str] = set()
    unnamed: set[str] = set()
    for d in desired:
        content = content_of(d.params, str)
        if content is not None:
            (named if d.params.get("name") else unnamed).add(content)
    every = named | unnamed

    def slim(listed: Mapping[str, Any], whole: Callable[[], Configuration]) -> Configuration | None:
        config_id = listed["id"]
        if config_id in pinned or identity.is_default(listed):
            return whole()
        ident = identity.of(listed)
        if ident[:2] == (project, env):  # identity.is_ours
            return whole()
        name, application = listed.get("name"), application_of(listed)
        free = may_look_alike(application, ident)
        alike = unnamed if name else every
        if alike and free:
            obj = whole()
            if content_of(obj.raw, str) in alike:
                return obj  # whole, to be told what it looks like (match.look_alikes)
        if (free and name in names) or bool(listed.get("livemode")) != live:
            # a look-alike by name (match.look_alikes), or of the other mode (confirm_mode):
            # a record
            metadata = identity.only_identity(listed.get("metadata"))
            return Configuration.of(
                {
                    "id": config_id,
                    "name": name,
                    "application": application,
                    "active": listed.get("active", True) is not False,
                    identity.DEFAULT_FLAG: False,
                    "livemode": listed.get("livemode"),
                    "metadata": metadata,
                }
            )
        unclaimed.add((config_id, name, application))
        return None

    return slim
