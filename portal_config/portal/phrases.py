"""The kinds of phrase rule portal/impact.py's table is made of: each says a value (what a portal
lets a customer do) and a change of value (what a customer notices), in plain words, with every
value from a file or from Stripe made printable first. No rule of a particular field lives here.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..jsontypes import Data
from . import model

Values = Mapping[str, Data]  # field path -> canonical value
Labels = Mapping[str, str]  # a price's or product's ID -> how a plan names it (lookup_key:K)

# The one wording of what a deactivated configuration does to customers (changes.Deactivate).
SESSIONS_FAIL = "portal sessions created with {it} will fail"


def said(value: Data) -> str:
    """A value from a file or Stripe as printable text: control characters, line and paragraph
    separators and bidi overrides (Unicode category C*, Zl, Zp) are escaped, so none acts."""
    text = value if isinstance(value, str) else json.dumps(value)
    return "".join(
        json.dumps(c)[1:-1] if unicodedata.category(c)[0] == "C" or c in "\u2028\u2029" else c
        for c in text
    )


def _listed(items: Sequence[str], last: str = "and") -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class Rule:
    """Says a field (or a few fields said together: `paths`, the first its key)."""

    paths: tuple[str, ...] = ()

    def now(self, values: Values, labels: Labels) -> list[str]:
        """What the values let a customer do."""
        raise NotImplementedError

    def moved(self, before: Values, after: Values, labels: Labels) -> list[str]:
        """What a customer notices when these values change (only the changed paths given)."""
        raise NotImplementedError


@dataclass
class Toggle(Rule):
    """On or off: "Customers can now ...", "Customers are no longer ..."."""

    verb: str  # can | are
    phrase: str

    def now(self, values: Values, labels: Labels) -> list[str]:
        verb = (
            self.verb if values[self.paths[0]] else {"can": "cannot", "are": "are not"}[self.verb]
        )
        return [f"Customers {verb} {self.phrase}"]

    def moved(self, before: Values, after: Values, labels: Labels) -> list[str]:
        turn = "now" if after[self.paths[0]] else "no longer"
        return [f"Customers {self.verb} {turn} {self.phrase}"]


@dataclass
class Setting(Rule):
    """A value shown as it is (a URL, a headline): "Sessions return to X instead of Y"."""

    said: str  # `{}` stands for the value
    unset: str  # the sentence when there is none
    quoted: bool = False

    def _value(self, value: Data) -> str:
        return f'"{said(value)}"' if self.quoted else said(value)

    def now(self, values: Values, labels: Labels) -> list[str]:
        value = values[self.paths[0]]
        return [self.said.format(self._value(value)) if value else self.unset]

    def moved(self, before: Values, after: Values, labels: Labels) -> list[str]:
        old, new = before[self.paths[0]], after[self.paths[0]]
        if not new:
            return [f"{self.unset} (before: {self._value(old)})"]
        said = self.said.format(self._value(new))
        return [f"{said} instead of {self._value(old)}" if old else f"{said} (not set before)"]


@dataclass
class Choice(Rule):
    """One of an enum: "A plan switch resets the billing date instead of keeping it"."""

    said: str
    words: Mapping[str, str]
    was: Mapping[str, str] = field(default_factory=dict)  # after "instead of" (default: words)

    def now(self, values: Values, labels: Labels) -> list[str]:
        value = values[self.paths[0]]
        return [self.said.format(self.words.get(str(value), said(value)))]

    def moved(self, before: Values, after: Values, labels: Labels) -> list[str]:
        old = str(before[self.paths[0]])
        was = self.was.get(old) or self.words.get(old, said(old))
        return [f"{self.now(after, labels)[0]} instead of {was}"]


@dataclass
class Items(Rule):
    """A set of choices: "Customers can now update their address and tax ID"."""

    said: str
    added: str
    removed: str
    empty: str | None  # None: nothing worth saying when there are none
    words: Mapping[str, str] = field(default_factory=dict)
    last: str = "and"

    def _items(self, values: Sequence[Any]) -> str:
        return _listed([self.words.get(str(v), said(v)) for v in sorted(values)], self.last)

    def now(self, values: Values, labels: Labels) -> list[str]:
        items: Sequence[Any] = values[self.paths[0]] or ()
        if not items:
            return [self.empty] if self.empty else []
        return [self.said.format(self._items(items))]

    def moved(self, before: Values, after: Values, labels: Labels) -> list[str]:
        old: Sequence[Any] = before[self.paths[0]] or ()
        new: Sequence[Any] = after[self.paths[0]] or ()
        gained, lost = set(new) - set(old), set(old) - set(new)
        said = [self.added.format(self._items(list(gained)))] if gained else []
        return said + ([self.removed.format(self._items(list(lost)))] if lost else [])


@dataclass
class Cancellation(Rule):
    """When a cancellation takes effect, and whether an immediate one is prorated: said as one."""

    WHEN = {"at_period_end": "at the end of the period", "immediately": "immediately"}
    PRORATED = {"create_prorations": ", with prorations", "none": ", without prorations"}

    def _when(self, mode: Data) -> str:
        return self.WHEN.get(str(mode), said(mode))

    def now(self, values: Values, labels: Labels) -> list[str]:
        mode, prorated = (values[p] for p in self.paths)
        tail = self.PRORATED.get(str(prorated), "") if mode == "immediately" else ""
        return [f"Cancellations take effect {self._when(mode)}{tail}"]

    def moved(self, before: Values, after: Values, labels: Labels) -> list[str]:
        mode, prorated = self.paths
        if mode not in after:
            turn = "now" if after[prorated] == "create_prorations" else "no longer"
            return [f"Immediate cancellations are {turn} prorated"]
        said = f"Cancellations take effect {self._when(after[mode])} instead of "
        said += self._when(before[mode])
        return [said + (self.PRORATED.get(str(after[prorated]), "") if prorated in after else "")]


@dataclass
class Pause(Rule):
    """How long a customer may pause: for as long as they like, or for the durations offered."""

    UNITS = {"day": "day", "week": "week", "month": "month", "year": "year"}

    def _how_long(self, values: Values) -> str:
        kind, options = (values.get(p) for p in self.paths)
        if kind == "indefinite":
            return "for as long as they like"
        if not options:
            return "for the durations offered"
        spans = [f"{n} {self.UNITS.get(i, said(i))}{'s' if n != 1 else ''}" for i, n in options]
        return "for " + _listed(spans, "or")

    def now(self, values: Values, labels: Labels) -> list[str]:
        return [f"Customers can pause {self._how_long(values)}"]

    def moved(self, before: Values, after: Values, labels: Labels) -> list[str]:
        return [f"Customers can pause {self._how_long(after)} instead of {self._how_long(before)}"]


def _quantity(q: model.Quantity) -> str:
    if not q.enabled:
        return "a fixed quantity"
    return f"a quantity of {q.minimum} " + ("or more" if q.maximum is None else f"to {q.maximum}")


Entry = tuple[str, tuple[str, ...]]  # a products entry: its product, and offline its prices


def _entries(value: Data) -> dict[Entry, model.ProductEntry]:
    """Entries by product; offline, where the product is the product of its prices
    (model.UNRESOLVED_PRODUCT), by their prices too, so no two entries are taken for one."""
    entries: Sequence[model.ProductEntry] = value or ()
    return {
        (e.product, e.prices if e.product == model.UNRESOLVED_PRODUCT else ()): e for e in entries
    }


@dataclass
class Plans(Rule):
    """The products and prices a customer may switch to, named by `labels` where known."""

    def _name(self, object_id: str, labels: Labels) -> str:
        return said(labels.get(object_id, object_id).removeprefix(model.LOOKUP_PREFIX))

    def _offer(self, product: str, prices: Sequence[str], labels: Labels) -> str:
        """A product's prices by their lookup keys, after the product's name where known, or
        its ID where a price has no lookup key to tell what it is."""
        named = ", ".join(sorted(self._name(p, labels) for p in prices))
        keyed = all(p in labels or p.startswith(model.LOOKUP_PREFIX) for p in prices)
        if product == model.UNRESOLVED_PRODUCT or (keyed and product not in labels):
            return named
        return f"{self._name(product, labels)} ({named})"

    def _offers(self, entries: Mapping[Entry, Sequence[str]], labels: Labels) -> str:
        # Ordered by what is said, not by ID: the same order in every mode and account.
        return "; ".join(sorted(self._offer(k[0], p, labels) for k, p in entries.items() if p))

    def _quantities(self, new: model.ProductEntry, labels: Labels, old: str = "") -> str:
        what = self._offer(new.product, new.prices, labels)
        return f"Customers choose {_quantity(new.quantity)} of {what}{old}"

    def now(self, values: Values, labels: Labels) -> list[str]:
        entries = _entries(values[self.paths[0]])
        if not entries:
            return ["Customers are offered no plans to switch to"]
        offers = self._offers({k: e.prices for k, e in entries.items()}, labels)
        return [f"Customers can switch to {offers}"] + [
            self._quantities(e, labels) for e in entries.values() if e.quantity.enabled
        ]

    def moved(self, before: Values, after: Values, labels: Labels) -> list[str]:
        old, new = _entries(before[self.paths[0]]), _entries(after[self.paths[0]])

        def beyond(
            ours: Mapping[Entry, model.ProductEntry], theirs: Mapping[Entry, model.ProductEntry]
        ) -> dict[Entry, list[str]]:
            return {
                k: [x for x in e.prices if k not in theirs or x not in theirs[k].prices]
                for k, e in ours.items()
            }

        sentences = [
            f"Customers can {turn} switch to {self._offers(offers, labels)}"
            for turn, offers in (("now", beyond(new, old)), ("no longer", beyond(old, new)))
            if any(offers.values())
        ]
        return sentences + [
            self._quantities(new[k], labels, f" instead of {_quantity(old[k].quantity)}")
            for k in sorted(set(old) & set(new))
            if old[k].quantity != new[k].quantity
        ]


@dataclass
class Active(Rule):
    """Whether sessions may use the configuration at all."""

    def now(self, values: Values, labels: Labels) -> list[str]:
        inactive = f"This portal is inactive: {SESSIONS_FAIL.format(it='it')}"
        return [] if values[self.paths[0]] else [inactive]

    def moved(self, before: Values, after: Values, labels: Labels) -> list[str]:
        if after[self.paths[0]]:
            return ["Portal sessions created with this configuration work again"]
        return [cap(SESSIONS_FAIL.format(it="this configuration"))]
