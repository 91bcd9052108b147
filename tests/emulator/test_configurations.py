"""Billing portal configurations through the real stripe SDK: every field, defaults, update
semantics, list filters and pagination."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from portal_config.emulator.validation import openapi_document, to_json_schema

from .shapes import (
    CATALOG,
    EXPAND_PRODUCTS,
    FULL_CREATE,
    assert_configuration_shape,
    leaf_paths,
    value_paths,
)

CONFIGS = "/v1/billing_portal/configurations"


@pytest.fixture
def client(emulator: Any, stripe_client: Any) -> Any:
    emulator.seed(CATALOG)
    return stripe_client()


def configurations(client: Any) -> Any:
    return client.v1.billing_portal.configurations


def request_schema(path: str) -> dict[str, Any]:
    operation = openapi_document()["paths"][path]["post"]
    body = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    return to_json_schema(body, strict=True)


def test_every_create_parameter_is_covered_by_the_full_payload() -> None:
    sent = value_paths(FULL_CREATE)
    for path in leaf_paths(request_schema(CONFIGS)) - {("expand",)}:
        assert any(s[: len(path)] == path for s in sent), f"FULL_CREATE does not set {path}"


def test_create_with_every_field_round_trips_through_retrieve_and_list(client: Any) -> None:
    created = configurations(client).create({**FULL_CREATE, **EXPAND_PRODUCTS}).to_dict()
    assert_configuration_shape(created)
    expected = copy.deepcopy(FULL_CREATE)
    expected["features"]["subscription_update"]["products"][1]["adjustable_quantity"] = {
        "enabled": False,
        "minimum": 1,
        "maximum": None,
    }
    expected["login_page"]["url"] = created["login_page"]["url"]
    assert {k: created[k] for k in expected} == expected
    assert created["login_page"]["url"].startswith("https://billing.stripe.com/p/login/test_")
    assert created["id"].startswith("bpc_")
    assert (created["object"], created["active"], created["is_default"]) == (
        "billing_portal.configuration",
        True,
        False,
    )
    assert (created["livemode"], created["application"]) == (False, None)
    assert created["created"] == created["updated"] > 0

    retrieved = configurations(client).retrieve(created["id"], EXPAND_PRODUCTS).to_dict()
    listed = (
        configurations(client)
        .list({"expand": ["data.features.subscription_update.products"]})
        .data[0]
        .to_dict()
    )
    assert retrieved == listed == created


def test_products_are_left_out_unless_expanded(client: Any) -> None:
    """Stripe includes `products` only when expand[] asks (behaviours.py: includable products)."""
    created = configurations(client).create(FULL_CREATE).to_dict()
    assert_configuration_shape(created, expanded=False)
    updated = configurations(client).update(created["id"], {"name": "x"}).to_dict()
    retrieved = configurations(client).retrieve(created["id"]).to_dict()
    listed = configurations(client).list().data[0].to_dict()
    for answer in (updated, retrieved, listed):
        assert_configuration_shape(answer, expanded=False)
    expanded = configurations(client).update(created["id"], {"name": "y", **EXPAND_PRODUCTS})
    assert [p.product for p in expanded.features.subscription_update.products] == [
        "prod_pro",
        "prod_team",
    ]


@pytest.mark.parametrize(
    "path",
    [
        "features.subscription_update.enabled",
        "features.nope",
        "name",
        "metadata",
        "features.subscription_update.products.prices",
    ],
)
def test_expanding_what_stripe_cannot_expand_is_refused(client: Any, path: str) -> None:
    import stripe

    with pytest.raises(stripe.InvalidRequestError) as caught:
        configurations(client).create({**FULL_CREATE, "expand": [path]})
    assert caught.value.http_status == 400
    assert caught.value.user_message == f"This property cannot be expanded ({path})."
    with pytest.raises(stripe.InvalidRequestError):
        configurations(client).list({"expand": [path]})  # a list needs data.PATH


def test_create_fills_in_stripe_defaults(client: Any) -> None:
    created = configurations(client).create(
        {"features": {"invoice_history": {"enabled": True}}, **EXPAND_PRODUCTS}
    )
    config = created.to_dict()
    assert_configuration_shape(config)
    features = config["features"]
    assert features["invoice_history"] == {"enabled": True}
    assert features["customer_update"] == {"enabled": False, "allowed_updates": []}
    assert features["payment_method_update"] == {
        "enabled": False,
        "payment_method_configuration": None,
    }
    assert features["subscription_cancel"] == {
        "enabled": False,
        "mode": "at_period_end",
        "proration_behavior": "none",
        "cancellation_reason": {"enabled": False, "options": [], "feedback_options": []},
    }
    assert features["subscription_update"] == {
        "enabled": False,
        "default_allowed_updates": [],
        "products": [],
        "proration_behavior": "none",
        "schedule_at_period_end": {"conditions": []},
        "trial_update_behavior": "end_trial",
        "billing_cycle_anchor": None,
    }
    assert features["subscription_pause"] == {
        "enabled": False,
        "duration": {
            "type": "interval_options",
            "interval_options": [{"interval": "month", "interval_count": 1}],
        },
    }
    assert config["login_page"] == {"enabled": False, "url": None}
    assert config["business_profile"] == {
        "headline": None,
        "privacy_policy_url": None,
        "terms_of_service_url": None,
    }
    assert (config["metadata"], config["name"], config["default_return_url"]) == ({}, None, None)


def test_the_first_configuration_does_not_become_the_default(client: Any) -> None:
    created = configurations(client).create({"features": {"invoice_history": {"enabled": True}}})
    assert created.is_default is False
    assert configurations(client).list({"is_default": True}).data == []


def test_update_changes_every_updatable_field(client: Any) -> None:
    config = configurations(client).create(FULL_CREATE)
    update: dict[str, Any] = {
        "active": False,
        "name": "Renamed",
        "default_return_url": "https://example.org/back",
        "business_profile": {
            "headline": "New headline",
            "privacy_policy_url": "https://example.org/privacy",
            "terms_of_service_url": "https://example.org/terms",
        },
        "login_page": {"enabled": False},
        "metadata": {"extra": "1"},
        "features": {
            "customer_update": {"enabled": False, "allowed_updates": ["name"]},
            "invoice_history": {"enabled": False},
            "payment_method_update": {"enabled": False, "payment_method_configuration": "pmc_9"},
            "subscription_cancel": {
                "enabled": False,
                "mode": "at_period_end",
                "proration_behavior": "none",
                "cancellation_reason": {
                    "enabled": False,
                    "options": ["other"],
                    "feedback_options": ["bfo_3"],
                },
            },
            "subscription_pause": {
                "enabled": False,
                "duration": {
                    "type": "interval_options",
                    "interval_options": [{"interval": "year", "interval_count": 1}],
                },
            },
            "subscription_update": {
                "enabled": False,
                "default_allowed_updates": ["quantity"],
                "proration_behavior": "none",
                "billing_cycle_anchor": "unchanged",
                "trial_update_behavior": "end_trial",
                "schedule_at_period_end": {"conditions": [{"type": "shortening_interval"}]},
                "products": [
                    {
                        "product": "prod_team",
                        "prices": ["price_team_m"],
                        "adjustable_quantity": {"enabled": True, "maximum": 5},
                    },
                    {
                        "product": "prod_pro",
                        "prices": ["price_pro_y"],
                        "adjustable_quantity": {"enabled": False, "minimum": 0},
                    },
                ],
            },
        },
    }
    sent = value_paths(update)
    for path in leaf_paths(request_schema(CONFIGS + "/{configuration}")) - {("expand",)}:
        assert any(s[: len(path)] == path for s in sent), f"the update does not set {path}"

    updated = configurations(client).update(config.id, {**update, **EXPAND_PRODUCTS}).to_dict()
    assert_configuration_shape(updated)
    assert updated["active"] is False
    assert updated["name"] == "Renamed"
    assert updated["login_page"] == {"enabled": False, "url": None}
    assert updated["metadata"] == {**FULL_CREATE["metadata"], "extra": "1"}
    assert updated["business_profile"] == update["business_profile"]
    features = updated["features"]
    assert features["subscription_pause"] == {
        "enabled": False,
        "duration": {
            "type": "interval_options",
            "interval_options": [{"interval": "year", "interval_count": 1}],
        },
    }
    assert features["subscription_update"]["products"] == [
        {
            "product": "prod_team",
            "prices": ["price_team_m"],
            "adjustable_quantity": {"enabled": True, "minimum": 1, "maximum": 5},
        },
        {
            "product": "prod_pro",
            "prices": ["price_pro_y"],
            "adjustable_quantity": {"enabled": False, "minimum": 0, "maximum": None},
        },
    ]
    assert features["subscription_cancel"]["cancellation_reason"]["feedback_options"] == ["bfo_3"]
    assert features["payment_method_update"]["payment_method_configuration"] == "pmc_9"
    assert configurations(client).retrieve(config.id, EXPAND_PRODUCTS).to_dict() == updated


def test_update_merges_metadata_and_clears_with_empty_strings(client: Any) -> None:
    config = configurations(client).create(FULL_CREATE)
    updated = (
        configurations(client)
        .update(
            config.id,
            {
                "metadata": {"team": "", "new": "x"},
                "name": "",
                "default_return_url": "",
                "business_profile": {
                    "headline": "",
                    "privacy_policy_url": "",
                    "terms_of_service_url": "",
                },
                "features": {
                    "customer_update": {"allowed_updates": ""},
                    "payment_method_update": {"enabled": True, "payment_method_configuration": ""},
                    "subscription_cancel": {
                        "cancellation_reason": {
                            "enabled": True,
                            "options": "",
                            "feedback_options": "",
                        }
                    },
                    "subscription_update": {
                        "default_allowed_updates": "",
                        "products": "",
                        "schedule_at_period_end": {"conditions": ""},
                    },
                },
                **EXPAND_PRODUCTS,
            },
        )
        .to_dict()
    )
    assert updated["metadata"] == {"portal_config_key": "standard", "new": "x"}
    assert (updated["name"], updated["default_return_url"]) == (None, None)
    assert updated["business_profile"] == {
        "headline": None,
        "privacy_policy_url": None,
        "terms_of_service_url": None,
    }
    features = updated["features"]
    assert features["customer_update"] == {"enabled": True, "allowed_updates": []}
    assert features["payment_method_update"]["payment_method_configuration"] is None
    assert features["subscription_cancel"]["cancellation_reason"] == {
        "enabled": True,
        "options": [],
        "feedback_options": [],
    }
    assert features["subscription_update"]["default_allowed_updates"] == []
    assert features["subscription_update"]["products"] == []
    assert features["subscription_update"]["schedule_at_period_end"] == {"conditions": []}
    # Nested values not sent stay as they were.
    assert features["subscription_update"]["billing_cycle_anchor"] == "now"
    assert features["subscription_cancel"]["mode"] == "immediately"
    assert features["invoice_history"] == {"enabled": True}

    cleared = configurations(client).update(config.id, {"metadata": ""})
    assert cleared.to_dict()["metadata"] == {}


def test_update_replaces_arrays_whole(client: Any) -> None:
    config = configurations(client).create(FULL_CREATE)
    updated = configurations(client).update(
        config.id,
        {
            "features": {
                "customer_update": {"allowed_updates": ["phone"]},
                "subscription_pause": {"duration": {"type": "indefinite"}},
            }
        },
    )
    assert updated.features.customer_update.allowed_updates == ["phone"]
    assert updated.features.customer_update.enabled is True
    assert updated.features.subscription_pause.to_dict() == {
        "enabled": True,
        "duration": {"type": "indefinite", "interval_options": []},
    }


def test_update_bumps_updated_and_reactivates(client: Any, emulator: Any) -> None:
    config = configurations(client).create(FULL_CREATE)
    emulator.store.clock = lambda: config.created + 60.0
    off = configurations(client).update(config.id, {"active": False})
    on = configurations(client).update(config.id, {"active": True})
    assert (off.active, on.active) == (False, True)
    assert on.updated == config.created + 60 and on.created == config.created


def test_login_page_url_is_generated_when_enabled_and_dropped_when_disabled(client: Any) -> None:
    config = configurations(client).create({"features": {"invoice_history": {"enabled": True}}})
    enabled = configurations(client).update(config.id, {"login_page": {"enabled": True}})
    assert enabled.login_page.url.startswith("https://billing.stripe.com/p/login/test_")
    unchanged = configurations(client).update(config.id, {"name": "x"})
    assert unchanged.login_page.url == enabled.login_page.url
    disabled = configurations(client).update(config.id, {"login_page": {"enabled": False}})
    assert disabled.login_page.url is None


def test_list_filters_on_active_and_is_default(client: Any, emulator: Any) -> None:
    emulator.seed({"default_configuration": True})
    made = [
        configurations(client).create({"features": {"invoice_history": {"enabled": True}}})
        for _ in range(3)
    ]
    configurations(client).update(made[0].id, {"active": False})
    ids = [c.id for c in configurations(client).list().data]
    assert ids[:3] == [made[2].id, made[1].id, made[0].id]  # newest first
    assert len(ids) == 4
    assert [c.id for c in configurations(client).list({"active": False}).data] == [made[0].id]
    assert len(configurations(client).list({"active": True}).data) == 3
    defaults = configurations(client).list({"is_default": True}).data
    assert len(defaults) == 1 and defaults[0].is_default and defaults[0].id not in ids[:3]
    assert len(configurations(client).list({"is_default": False}).data) == 3
    page = configurations(client).list({"limit": 2})
    assert page.object == "list" and page.has_more and page.url == CONFIGS
    assert len(page.data) == 2


def test_pagination_over_250_configurations(client: Any) -> None:
    created = [
        configurations(client)
        .create({"features": {"invoice_history": {"enabled": True}}, "metadata": {"n": str(i)}})
        .id
        for i in range(250)
    ]
    newest_first = list(reversed(created))

    assert [c.id for c in configurations(client).list({"limit": 100}).auto_paging_iter()] == (
        newest_first
    )
    assert [c.id for c in configurations(client).list().auto_paging_iter()] == newest_first

    page = configurations(client).list({"limit": 100, "starting_after": newest_first[199]})
    assert [c.id for c in page.data] == newest_first[200:] and page.has_more is False

    before = configurations(client).list({"limit": 3, "ending_before": newest_first[10]})
    assert [c.id for c in before.data] == newest_first[7:10] and before.has_more is True

    # Backwards from the oldest: the SDK walks ending_before pages and yields oldest first.
    backwards = configurations(client).list({"limit": 100, "ending_before": created[0]})
    assert [c.id for c in backwards.auto_paging_iter()] == created[1:]
