"""Request payloads: what stripe-python would otherwise drop travels as ""."""

from portal_config.planning.plan import desired_state
from portal_config.portal import model, payload


def test_create_sends_every_feature_and_required_empty_lists_as_empty_string() -> None:
    params = payload.create_params(model.canonical({}), {"portal_config_key": "k"})
    assert set(params["features"]) == {
        "customer_update",
        "invoice_history",
        "payment_method_update",
        "subscription_cancel",
        "subscription_update",
        "subscription_pause",
    }
    assert params["features"]["subscription_cancel"]["cancellation_reason"] == {
        "enabled": False,
        "options": "",
    }
    assert "products" not in params["features"]["subscription_update"]
    assert params["metadata"] == {"portal_config_key": "k"}
    assert "active" not in params and "name" not in params


def test_update_sends_only_the_change_and_empties_as_empty_string() -> None:
    state = desired_state({"features": {"subscription_update": {"enabled": True}}}, [])
    params = payload.update_params(
        ["features.subscription_update.products", "default_return_url"], state
    )
    assert params == {
        "features": {"subscription_update": {"products": ""}},
        "default_return_url": "",
    }


def test_update_adds_the_siblings_stripe_requires() -> None:
    state = desired_state(
        {
            "features": {
                "payment_method_update": {"enabled": True, "payment_method_configuration": "pmc_1"}
            }
        },
        [],
    )
    params = payload.update_params(
        ["features.payment_method_update.payment_method_configuration"], state
    )
    assert params == {
        "features": {
            "payment_method_update": {"payment_method_configuration": "pmc_1", "enabled": True}
        }
    }


def test_update_metadata_removal_and_lists_whole() -> None:
    state = desired_state(
        {
            "metadata": {"team": None},
            "features": {"customer_update": {"allowed_updates": ["email", "address"]}},
        },
        ["team"],
    )
    params = payload.update_params(
        ["metadata.team", "features.customer_update.allowed_updates"], state
    )
    assert params == {
        "metadata": {"team": ""},
        "features": {"customer_update": {"allowed_updates": ["address", "email"]}},
    }
