"""planning/history.py: which event tells each drifted field's story, read from Stripe's
`previous_attributes` nested as the object nests them."""

from __future__ import annotations

from typing import Any

from portal_config.planning.changes import Adopt, Create, FieldChange, Update
from portal_config.planning.history import drifted, of_events

REASONS = "features.subscription_cancel.cancellation_reason.options"
HEADLINE = "business_profile.headline"


def update(config_id: str, *paths: str, kind: type[Update] = Update) -> Update:
    fields = tuple(FieldChange(p, None, "x") for p in paths)
    return kind("staging", "k", config_id, "configs/k.yaml", fields, {})


def event(event_id: str, config_id: str, previous: dict[str, Any], key: str | None) -> Any:
    return {
        "id": event_id,
        "created": 1_800_000_000,
        "data": {"object": {"id": config_id}, "previous_attributes": previous},
        "request": {"id": f"req_{event_id}", "idempotency_key": key},
    }


def test_each_field_takes_the_newest_event_that_changed_it() -> None:
    changes = [update("bpc_1", REASONS, "metadata.team", HEADLINE)]
    events = [  # newest first, as Stripe lists them
        event("evt_3", "bpc_other", {"business_profile": {"headline": "other"}}, None),
        event("evt_2", "bpc_1", {"metadata": {"team": None}}, "dashboard-abc"),
        event(
            "evt_1",
            "bpc_1",
            {"features": {"subscription_cancel": {"cancellation_reason": {"options": ["other"]}}}},
            "portal-config-update-123",
        ),
        event("evt_0", "bpc_1", {"metadata": {"team": "old"}}, None),
    ]

    (told,) = of_events(changes, events).values()
    by_path = {h.path: h for h in told}
    assert set(by_path) == {REASONS, "metadata.team"}  # nothing changed the headline
    assert (by_path["metadata.team"].event_id, by_path["metadata.team"].before) == ("evt_2", None)
    assert by_path["metadata.team"].by == "outside portal-config"
    assert (by_path[REASONS].before, by_path[REASONS].by) == (("other",), "portal-config")
    assert by_path[REASONS].data()["before"] == ["other"]
    assert by_path[REASONS].data()["changed_at"] == "2027-01-15T08:00:00Z"


def test_only_updates_of_fields_beyond_the_identity_keys_are_drift() -> None:
    create = Create("staging", "k", None, "configs/k.yaml", (FieldChange(HEADLINE, None, "x"),), {})
    adopt_only = update("bpc_2", "metadata.portal_config_key", kind=Adopt)
    adopt_and_drift = update("bpc_3", "metadata.portal_config_key", HEADLINE, kind=Adopt)
    assert drifted([create, adopt_only, adopt_and_drift]) == [adopt_and_drift]


def test_the_login_page_record_portal_config_writes_is_no_drift() -> None:
    """metadata.portal_config_login_url is the tool's own record (identity.OWN_KEYS): a plan
    whose only change is it reads no events for a history Stripe never kept."""
    record_only = update("bpc_4", "metadata.portal_config_login_url")
    record_and_drift = update("bpc_5", "metadata.portal_config_login_url", HEADLINE)
    assert drifted([record_only, record_and_drift]) == [record_and_drift]
