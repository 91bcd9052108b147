"""A portal configuration as Stripe answered it, once stripe_api/responses.py has checked it: what
the tool decides on (its ID, flags, identity metadata, name, owning application, timestamps) as
typed attributes, and the whole answer kept as `raw` for the canonical form, fingerprints and
diffs (model.py reads every managed field from it).

It is also a read-only mapping over `raw`, so code that reads an answer's fields by name (the
canonical form, a fingerprint, a JSON dump through `dict(...)`) takes it as it took the answer.
Field meanings: https://docs.stripe.com/api/customer_portal/configurations/object
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..jsontypes import Data
from . import identity


@dataclass(frozen=True, eq=False)  # equal as mappings are: by the answer's fields
class Configuration(Mapping[str, Any]):
    raw: Mapping[str, Any]
    id: str
    active: bool
    is_default: bool
    livemode: bool
    metadata: Mapping[str, str]
    name: str | None
    application: str | None  # the Connect application's ID (expanded or not)
    created: int
    updated: int | None

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Configuration:
        """The record of a checked answer (or of one the tool composes, like diff's base side);
        a field Stripe always sends and a composed one may leave out takes Stripe's default."""
        if isinstance(raw, Configuration):
            return raw
        return cls(
            raw=raw,
            id=str(raw["id"]),
            active=raw.get("active", True) is not False,
            is_default=identity.is_default(raw),
            livemode=bool(raw.get("livemode")),
            metadata=raw.get("metadata") or {},
            name=raw.get("name"),
            application=application_of(raw),
            created=int(raw.get("created") or 0),
            updated=raw.get("updated"),
        )

    @functools.cached_property  # read several times per configuration by match and plan
    def identity(self) -> identity.Identity:
        return identity.of(self.raw)

    def __getitem__(self, name: str) -> Data:
        return self.raw[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)


def application_of(raw: Mapping[str, Any]) -> str | None:
    """The ID of the Connect application that made a configuration (Stripe answers with the ID,
    or the object when expanded), None when none did."""
    application = raw.get("application")
    return application.get("id") if isinstance(application, Mapping) else application
