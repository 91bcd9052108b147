"""What a customer will notice, in plain words: one table of rules (RULES), keyed by the field
paths of model.fields(), each turning a value into what the portal lets a customer do (`explain`,
a create) and a change of value into what a customer notices (a plan's update). Renderers print
these sentences and write none of their own. A field without a rule is said by its name, so a field
Stripe adds is never left unsaid; those no customer can notice are listed, with why (UNNOTICED).

Field meanings: https://docs.stripe.com/api/customer_portal/configurations/object
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ..jsontypes import Data
from . import model
from .phrases import (
    SESSIONS_FAIL,
    Active,
    Cancellation,
    Choice,
    Items,
    Labels,
    Pause,
    Plans,
    Rule,
    Setting,
    Toggle,
    Values,
    said,
)

__all__ = ["RULES", "SESSIONS_FAIL", "UNNOTICED", "changed", "created", "describe", "rule_for"]
NEW_PORTAL = "A new portal: "
DEFAULTS_ONLY = "Every feature off (Stripe's defaults)"

# Fields no customer can notice, and why: nothing else may go without a rule (tests/test_impact.py
# walks the file schema).
UNNOTICED: dict[str, str] = {
    "name": "shown in the Dashboard and the API only",
    "metadata": "for integrations; never shown in the portal",
    "key": "portal-config's own: names the file's configuration",
    "default": "which configuration a session without one gets: the plan's header says it",
    "ids": "portal-config's own: pins the configuration per environment",
    "environments": "portal-config's own: where the file applies",
    "overrides": "portal-config's own: per-environment values, said as the fields they set",
}


def unnoticed(path: str) -> bool:
    return path.split(".", 1)[0] in UNNOTICED


def _rule(rule: Rule, *paths: str) -> Rule:
    rule.paths = paths
    return rule


F = "features."
_TABLE: tuple[Rule, ...] = (
    _rule(Active(), "active"),
    _rule(Toggle("can", "see their invoice history"), F + "invoice_history.enabled"),
    _rule(Toggle("can", "update their payment method"), F + "payment_method_update.enabled"),
    _rule(
        Setting(
            "Customers may add the payment methods that {} allows",
            "Customers may add the payment methods the account's settings allow",
        ),
        F + "payment_method_update.payment_method_configuration",
    ),
    _rule(Toggle("can", "update their details"), F + "customer_update.enabled"),
    _rule(
        Items(
            "Customers can update their {}",
            "Customers can now update their {}",
            "Customers can no longer update their {}",
            "Customers can update none of their details",
            {"phone": "phone number", "shipping": "shipping address", "tax_id": "tax ID"},
        ),
        F + "customer_update.allowed_updates",
    ),
    _rule(Toggle("can", "change their subscriptions"), F + "subscription_update.enabled"),
    _rule(
        Items(
            "Customers can change their subscription's {}",
            "Customers can now change their subscription's {}",
            "Customers can no longer change their subscription's {}",
            "Customers can change nothing of their subscription",
            {"price": "plan", "promotion_code": "promotion code"},
        ),
        F + "subscription_update.default_allowed_updates",
    ),
    _rule(Plans(), F + "subscription_update.products"),
    _rule(
        Choice(
            "Plan switches are {}",
            {
                "none": "not prorated",
                "create_prorations": "prorated on the next invoice",
                "always_invoice": "prorated and invoiced at once",
            },
        ),
        F + "subscription_update.proration_behavior",
    ),
    _rule(
        Choice(
            "A plan switch {} the billing date",
            {"now": "resets", "unchanged": "keeps"},
            {"now": "resetting it", "unchanged": "keeping it"},
        ),
        F + "subscription_update.billing_cycle_anchor",
    ),
    _rule(
        Choice(
            "A plan switch during a trial {}",
            {"end_trial": "ends the trial", "continue_trial": "keeps the trial going"},
            {"end_trial": "ending it", "continue_trial": "keeping it going"},
        ),
        F + "subscription_update.trial_update_behavior",
    ),
    _rule(
        Items(
            "Changes that {} wait until the end of the period",
            "Changes that {} now wait until the end of the period",
            "Changes that {} no longer wait until the end of the period",
            "Subscription changes take effect at once",
            {
                "decreasing_item_amount": "lower the amount",
                "shortening_interval": "shorten the billing interval",
            },
            "or",
        ),
        F + "subscription_update.schedule_at_period_end.conditions",
    ),
    _rule(Toggle("can", "cancel in the portal"), F + "subscription_cancel.enabled"),
    _rule(
        Cancellation(), F + "subscription_cancel.mode", F + "subscription_cancel.proration_behavior"
    ),
    _rule(
        Toggle("are", "asked why they cancel"),
        F + "subscription_cancel.cancellation_reason.enabled",
    ),
    _rule(
        Items(
            "Customers choose why they cancel from: {}",
            "Customers can now give as their reason: {}",
            "Customers can no longer give as their reason: {}",
            "Customers are offered no reasons to choose from",
            {
                "customer_service": "customer service",
                "low_quality": "low quality",
                "missing_features": "missing features",
                "switched_service": "switched to another service",
                "too_complex": "too complex",
                "too_expensive": "too expensive",
                "unused": "not using it",
            },
            "or",
        ),
        F + "subscription_cancel.cancellation_reason.options",
    ),
    _rule(
        Items(
            "Customers may also leave feedback: {}",
            "Customers may now leave the feedback {}",
            "Customers may no longer leave the feedback {}",
            None,
        ),
        F + "subscription_cancel.cancellation_reason.feedback_options",
    ),
    _rule(Toggle("can", "pause their subscriptions"), F + "subscription_pause.enabled"),
    _rule(
        Pause(),
        F + "subscription_pause.duration.type",
        F + "subscription_pause.duration.interval_options",
    ),
    _rule(Toggle("can", "sign in through the portal's login link"), "login_page.enabled"),
    _rule(
        Setting("The portal's headline reads {}", "The portal shows no headline", quoted=True),
        "business_profile.headline",
    ),
    _rule(
        Setting(
            "Sessions return to {}",
            "Sessions that name no return URL show no link back to the site",
        ),
        "default_return_url",
    ),
    _rule(
        Setting(
            "The portal links to the privacy policy at {}", "The portal links to no privacy policy"
        ),
        "business_profile.privacy_policy_url",
    ),
    _rule(
        Setting(
            "The portal links to the terms of service at {}",
            "The portal links to no terms of service",
        ),
        "business_profile.terms_of_service_url",
    ),
)
# Each field path -> the rule that says it (a rule of several fields under each of them).
RULES: dict[str, Rule] = {path: rule for rule in _TABLE for path in rule.paths}


def rule_for(path: str) -> Rule | None:
    return RULES.get(path)


def _gates(rule: Rule) -> list[str]:
    """The `enabled` switches above a rule's field: off, none of its details reaches anyone."""
    parts = rule.paths[0].split(".")
    gates = [".".join(parts[:i] + ["enabled"]) for i in range(1, len(parts))]
    return [g for g in gates if g in model.field_index() and g != rule.paths[0]]


def _shown(path: str, value: Data) -> str:
    return said(json.dumps(model.jsonable(path, value)))


def _unruled(path: str, before: Data, after: Data) -> str:
    return f"{path} changes ({_shown(path, before)} -> {_shown(path, after)})"


def describe(values: Values, labels: Labels, only_given: bool = False) -> list[str]:
    """What a configuration lets a customer do (`explain`, a create): each rule's sentence, in
    the table's order; a field left out has Stripe's default. `only_given`: only the rules of
    the fields `values` gives, and the details of the features it turns on (a create shows what
    differs from Stripe's defaults)."""
    state = {**model.canonical({}), "active": True, **values}
    given = set(values) if only_given else set(state)
    rules = [r for r in _TABLE if given & {*r.paths, *_gates(r)}]
    sentences = [
        s for rule in rules if all(state[g] for g in _gates(rule)) for s in rule.now(state, labels)
    ]
    extra = sorted(p for p in values if p not in RULES and not unnoticed(p))
    return sentences + [f"{p}: {_shown(p, values[p])}" for p in extra]


def changed(fields: Mapping[str, tuple[Data, Data]], labels: Labels) -> list[str]:
    """What a customer notices when these fields (path -> (before, after)) change."""
    before = {p: old for p, (old, _) in fields.items()}
    after = {p: new for p, (_, new) in fields.items()}
    sentences: list[str] = []
    for rule in _TABLE:
        if not any(p in fields for p in rule.paths):
            continue
        if any(g in after and not after[g] for g in _gates(rule)):
            continue  # its feature goes off: that is what customers notice
        sentences += rule.moved(before, after, labels)
    unruled = [p for p in fields if p not in RULES and not unnoticed(p)]
    return sentences + [_unruled(p, *fields[p]) for p in unruled]


def created(values: Values, labels: Labels) -> list[str]:
    """A new portal, and what it offers beyond Stripe's defaults."""
    first, *rest = describe(values, labels, only_given=True) or [DEFAULTS_ONLY]
    return [NEW_PORTAL + first[:1].lower() + first[1:], *rest]
