"""Test data the unit tests share (no test module imports another): Stripe's own fixture of a
configuration, and builders of configurations as Stripe lists them and of files as plan takes
them."""

from __future__ import annotations

import copy
from typing import Any

from portal_config.errors import Location
from portal_config.planning.match import Desired

PROJECT = "acme"

STRIPE_FIXTURE: dict[str, Any] = {  # API-REFERENCE §3.7, Stripe's own fixture (all defaults)
    "id": "bpc_1",
    "object": "billing_portal.configuration",
    "active": True,
    "application": None,
    "business_profile": {
        "headline": None,
        "privacy_policy_url": None,
        "terms_of_service_url": None,
    },
    "created": 1234567890,
    "default_return_url": None,
    "features": {
        "customer_update": {"allowed_updates": [], "enabled": False},
        "invoice_history": {"enabled": False},
        "payment_method_update": {"enabled": False, "payment_method_configuration": None},
        "subscription_cancel": {
            "cancellation_reason": {"enabled": False, "options": []},
            "enabled": False,
            "mode": "at_period_end",
            "proration_behavior": "none",
        },
        "subscription_update": {
            "default_allowed_updates": [],
            "enabled": False,
            "products": None,
            "proration_behavior": "none",
            "schedule_at_period_end": {"conditions": []},
            "trial_update_behavior": "end_trial",
            "billing_cycle_anchor": None,
        },
        "subscription_pause": {
            "enabled": False,
            "duration": {
                "type": "interval_options",
                "interval_options": [{"interval": "month", "interval_count": 1}],
            },
        },
    },
    "is_default": True,
    "livemode": True,
    "login_page": {"enabled": False, "url": None},
    "metadata": None,
    "name": None,
    "updated": 1234567890,
}


def identity(key: str, env: str = "local", project: str = PROJECT) -> dict[str, str]:
    """The three metadata keys apply writes on create."""
    return {"portal_config_project": project, "portal_config_env": env, "portal_config_key": key}


def stripe_config(
    config_id: str, key: str | None = None, env: str = "local", project: str = PROJECT, **extra: Any
) -> dict[str, Any]:
    """A configuration as Stripe lists it: Stripe's defaults, not the default, carrying this
    project's identity for `key` (none without), with `extra` fields on top."""
    obj = copy.deepcopy(STRIPE_FIXTURE)
    obj.update(id=config_id, is_default=False, metadata=identity(key, env, project) if key else {})
    obj.update(extra)
    return obj


def desired(
    key: str,
    params: dict[str, Any] | None = None,
    *,
    default: bool = False,
    pinned: str | None = None,
    location: Location | None = None,
) -> Desired:
    """A file's configuration, `configs/KEY.yaml`, as plan takes it."""
    return Desired(key, f"configs/{key}.yaml", default, pinned, params or {}, location)
