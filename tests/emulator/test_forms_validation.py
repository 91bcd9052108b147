"""Form decoding and request-schema coercion, below the HTTP layer."""

from __future__ import annotations

import pytest

from portal_config.emulator.errors import ApiError
from portal_config.emulator.forms import FormError, decode, param_name
from portal_config.emulator.validation import validate_request

CONFIGS = "/v1/billing_portal/configurations"


def test_decode_nested_keys_lists_and_empty_values() -> None:
    body = (
        "features[subscription_update][products][0][prices][0]=price_a"
        "&features[subscription_update][products][0][prices][1]=price_b"
        "&features[subscription_update][products][0][product]=prod_a"
        "&metadata=&name=a%20b&expand[]=x&expand[]=y"
    )
    assert decode(body) == {
        "features": {
            "subscription_update": {
                "products": [{"prices": ["price_a", "price_b"], "product": "prod_a"}]
            }
        },
        "metadata": "",
        "name": "a b",
        "expand": ["x", "y"],
    }


def test_decode_keeps_non_contiguous_indices_as_a_hash() -> None:
    assert decode("a[1]=x&a[2]=y") == {"a": {"1": "x", "2": "y"}}


def test_decode_refuses_a_key_that_is_both_a_value_and_a_hash() -> None:
    with pytest.raises(FormError):
        decode("metadata=&metadata[k]=v")


def test_param_name() -> None:
    assert param_name(["features", "products", 0, "prices"]) == "features[products][0][prices]"


def test_coercion_follows_the_schema() -> None:
    params = decode(
        "features[invoice_history][enabled]=true"
        "&features[subscription_update][enabled]=true"
        "&features[subscription_update][products][0][product]=p"
        "&features[subscription_update][products][0][prices][0]=1"
        "&features[subscription_update][products][0][adjustable_quantity][enabled]"
        "=false"
        "&features[subscription_update][products][0][adjustable_quantity][minimum]=0"
        "&metadata[0]=zero&name=true"
    )
    typed = validate_request("POST", CONFIGS, params)
    product = typed["features"]["subscription_update"]["products"][0]
    assert typed["features"]["invoice_history"]["enabled"] is True
    assert product["prices"] == ["1"]  # price IDs stay strings
    assert product["adjustable_quantity"] == {"enabled": False, "minimum": 0}
    assert typed["metadata"] == {"0": "zero"}  # a hash whose keys look like indices
    assert typed["name"] == "true"


def test_empty_string_takes_the_clear_branch_only_where_allowed() -> None:
    typed = validate_request("POST", CONFIGS + "/{configuration}", {"metadata": "", "name": ""})
    assert typed == {"metadata": "", "name": ""}
    with pytest.raises(ApiError) as caught:
        validate_request(
            "POST", CONFIGS, {"features": {"invoice_history": {"enabled": True}}, "metadata": ""}
        )
    assert caught.value.param == "metadata"


def test_get_parameters_use_the_query_schema() -> None:
    assert validate_request("GET", CONFIGS, {"active": "false", "limit": "5"}) == {
        "active": False,
        "limit": 5,
    }
