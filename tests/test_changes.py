"""changes.py: order, counting, data()/from_data and idempotency keys of the typed changes."""

from __future__ import annotations

import dataclasses
import json
import random

import pytest

from portal_config.planning.changes import (
    FILE_GONE,
    KINDS,
    RETIRED,
    Adopt,
    Change,
    Create,
    Deactivate,
    FieldChange,
    Update,
    count,
    deactivation,
    from_data,
)
from portal_config.portal import model

PRODUCTS = model.comparable(
    model.PRODUCTS,
    [
        {
            "product": "prod_a",
            "prices": ["price_2", "price_1"],
            "adjustable_quantity": {"enabled": True, "maximum": 3},
        }
    ],
)
ALLOWED = "features.customer_update.allowed_updates"


def fields() -> tuple[FieldChange, ...]:
    """Values of every comparison kind: plain, a set, products, metadata."""
    return (
        FieldChange("name", "Old", "New"),
        FieldChange(ALLOWED, (), ("address", "email")),
        FieldChange(model.PRODUCTS, None, PRODUCTS),
        FieldChange("metadata.team", None, "billing"),
    )


def create(key: str = "std") -> Create:
    return Create(
        "local",
        key,
        None,
        f"configs/{key}.yaml",
        fields(),
        {"name": "New", "metadata": {"team": "billing"}},
    )


def update(
    key: str = "std", config_id: str = "bpc_1", fingerprint: str = "f1", **params: object
) -> Update:
    return Update(
        "local",
        key,
        config_id,
        f"configs/{key}.yaml",
        fields()[:1],
        params or {"name": "New"},
        fingerprint,
        is_default=True,
    )


def adopt() -> Adopt:
    return Adopt(
        "local",
        "std",
        "bpc_9",
        "configs/std.yaml",
        fields()[3:],
        {"metadata": {"portal_config_key": "std"}},
        "f9",
    )


def prune() -> Deactivate:
    return deactivation("local", "old", {"id": "bpc_3"}, None, FILE_GONE, "f3")


def test_changes_sort_creates_adopts_updates_then_deactivations_by_key_and_id() -> None:
    ordered: list[Change] = [
        create("a"),
        create("b"),
        adopt(),
        update("a", "bpc_2"),
        update("a", "bpc_5"),
        update("b", "bpc_1"),
        prune(),
    ]
    shuffled = ordered[:]
    random.Random(4).shuffle(shuffled)
    assert sorted(shuffled, key=lambda c: c.sort_key) == ordered


def test_count_takes_an_adopt_as_an_update() -> None:
    assert count([create(), adopt(), update(), prune(), prune()]) == {
        "create": 1,
        "update": 2,
        "deactivate": 2,
    }
    assert count([]) == {"create": 0, "update": 0, "deactivate": 0}


@pytest.mark.parametrize(
    "change",
    [
        create(),
        update(),
        adopt(),
        prune(),
        deactivation("local", "std", {"id": "bpc_1"}, "configs/std.yaml", RETIRED, "f1"),
    ],
    ids=lambda c: f"{c.action}-{getattr(c, 'reason', '')}",
)
def test_data_and_from_data_round_trip_through_json(change: Change) -> None:
    data = json.loads(json.dumps(change.data()))  # as a saved plan file holds it
    again = from_data(data)
    assert type(again) is type(change)
    assert again == change


def test_data_holds_canonical_values_as_json() -> None:
    data = create().data()
    by_path = {f["path"]: f for f in data["fields"]}
    assert by_path[ALLOWED]["new"] == ["address", "email"]
    assert by_path[model.PRODUCTS]["new"] == [
        {
            "product": "prod_a",
            "prices": ["price_1", "price_2"],
            "adjustable_quantity": {"enabled": True, "minimum": 1, "maximum": 3},
        }
    ]
    assert (data["action"], data["id"], data["fingerprint"]) == ("create", None, None)
    assert "reason" not in data


def test_a_deactivation_keeps_its_reason() -> None:
    data = prune().data()
    assert data["reason"] == FILE_GONE and from_data(data).pruned  # type: ignore[attr-defined]
    retired = from_data({**data, "reason": RETIRED})
    assert isinstance(retired, Deactivate) and not retired.pruned


def test_a_deactivation_saved_without_a_reason_is_a_retirement() -> None:
    data = prune().data()
    del data["reason"]
    change = from_data(data)
    assert isinstance(change, Deactivate) and change.reason == RETIRED


def test_deactivation_writes_active_false_only() -> None:
    change = prune()
    assert (change.config_id, change.key, change.file) == ("bpc_3", "old", None)
    assert change.params == {"active": False} and change.fingerprint == "f3"
    assert change.fields == (FieldChange("active", True, False),)


def test_every_kind_is_known_by_its_action() -> None:
    assert {k: v.past for k, v in KINDS.items()} == {
        "create": "created",
        "update": "updated",
        "adopt": "adopted",
        "deactivate": "deactivated",
    }


def test_the_idempotency_key_is_stable_for_the_same_write() -> None:
    key = update().idempotency_key("acme")
    assert key == update().idempotency_key("acme")
    assert key.startswith("portal-config-update-") and len(key) == len("portal-config-update-") + 40


def test_the_idempotency_key_changes_with_the_object_planned_against_or_the_request() -> None:
    key = update().idempotency_key("acme")
    assert update(fingerprint="f2").idempotency_key("acme") != key
    assert update(name="Other").idempotency_key("acme") != key
    assert update(config_id="bpc_2").idempotency_key("acme") != key
    as_adopt = Adopt(**{f.name: getattr(update(), f.name) for f in dataclasses.fields(Update)})
    assert as_adopt.idempotency_key("acme") != key


def test_a_creates_idempotency_key_names_its_project_and_environment() -> None:
    key = create().idempotency_key("acme")
    assert create().idempotency_key("other") != key
    assert dataclasses.replace(create(), env="prod").idempotency_key("acme") != key
    assert create("std2").idempotency_key("acme") != key
    # an update names its configuration, whatever the project is called
    assert update().idempotency_key("other") == update().idempotency_key("acme")


def test_a_creates_idempotency_key_is_its_identitys_whatever_the_content() -> None:
    # Two checkouts whose files differ send one key, so Stripe lets only one of them create.
    key = create().idempotency_key("acme")
    other_content = dataclasses.replace(create(), params={"name": "Other"}, file="elsewhere.yaml")
    assert other_content.idempotency_key("acme") == key
    assert dataclasses.replace(create(), account="acct_1").idempotency_key("acme") != key
    # the next generation, once Stripe showed the first key left nothing behind
    assert create().idempotency_key("acme", 2) not in (key, create().idempotency_key("acme", 3))
