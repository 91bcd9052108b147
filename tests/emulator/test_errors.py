"""Stripe-shaped errors through the real SDK: status, type, code, param and message."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from .shapes import CATALOG

INVOICES_ON = {"features": {"invoice_history": {"enabled": True}}}


@pytest.fixture
def client(emulator: Any, stripe_client: Any) -> Any:
    emulator.seed(CATALOG)
    return stripe_client()


def refused(call: Any, *args: Any, error: type[Exception] = stripe.InvalidRequestError) -> Any:
    with pytest.raises(error) as caught:
        call(*args)
    exc: Any = caught.value
    assert exc.request_id and exc.request_id.startswith("req_")
    return exc


def create(client: Any) -> Any:
    return client.v1.billing_portal.configurations.create


@pytest.mark.parametrize(
    ("params", "code", "param", "message"),
    [
        (
            {"features": {"cancelation": {"enabled": True}}},
            "parameter_unknown",
            "features[cancelation]",
            "Received unknown parameter: features[cancelation]",
        ),
        (
            {"features": {"invoice_history": {"enabled": True}}, "active": True},
            "parameter_unknown",
            "active",
            "Received unknown parameter: active",
        ),
        (
            {
                "features": {
                    "subscription_update": {
                        "enabled": True,
                        "products": [
                            {"product": "prod_pro", "prices": ["price_pro_m"], "colour": "red"}
                        ],
                    }
                }
            },
            "parameter_unknown",
            "features[subscription_update][products][0][colour]",
            "Received unknown parameter: features[subscription_update][products][0][colour]",
        ),
        (
            {"features": {"subscription_cancel": {"enabled": True, "mode": "later"}}},
            None,
            "features[subscription_cancel][mode]",
            "Invalid features[subscription_cancel][mode]: must be one of at_period_end or "
            "immediately",
        ),
        (
            {
                "features": {
                    "customer_update": {"enabled": True, "allowed_updates": ["email", "age"]}
                }
            },
            None,
            "features[customer_update][allowed_updates][1]",
            "Invalid features[customer_update][allowed_updates][1]: must be one of address, email, "
            "name, phone, shipping or tax_id",
        ),
        (
            {"features": {"invoice_history": {"enabled": "yes"}}},
            None,
            "features[invoice_history][enabled]",
            "Invalid boolean: yes",
        ),
        (
            {
                "features": {
                    "subscription_update": {
                        "enabled": True,
                        "products": [
                            {
                                "product": "prod_pro",
                                "prices": ["price_pro_m"],
                                "adjustable_quantity": {"enabled": True, "maximum": "lots"},
                            }
                        ],
                    }
                }
            },
            "parameter_invalid_integer",
            "features[subscription_update][products][0][adjustable_quantity][maximum]",
            "Invalid integer: lots",
        ),
        (
            {"features": {"customer_update": {"enabled": True, "allowed_updates": "email"}}},
            None,
            "features[customer_update][allowed_updates]",
            "Invalid array: features[customer_update][allowed_updates] must be a list",
        ),
        (
            {"features": {"invoice_history": {"enabled": True}}, "metadata": "x"},
            None,
            "metadata",
            "Invalid hash: metadata must be a hash of keys to values",
        ),
        (
            {
                "features": {"invoice_history": {"enabled": True}},
                "business_profile": {"headline": "x" * 61},
            },
            None,
            "business_profile[headline]",
            "Invalid business_profile[headline]: must be at most 60 characters",
        ),
        (
            {"name": "no features"},
            "parameter_missing",
            "features",
            "Missing required param: features.",
        ),
        (
            {"features": {"invoice_history": {"enabled": True}}, "login_page": {"url": "x"}},
            "parameter_unknown",
            "login_page[url]",
            "Received unknown parameter: login_page[url]",
        ),
        (
            {
                "features": {
                    "subscription_cancel": {
                        "enabled": True,
                        "cancellation_reason": {"enabled": True},
                    }
                }
            },
            "parameter_missing",
            "features[subscription_cancel][cancellation_reason][options]",
            "Missing required param: features[subscription_cancel][cancellation_reason][options].",
        ),
    ],
    ids=[
        "unknown",
        "active-on-create",
        "unknown-nested",
        "enum",
        "enum-in-list",
        "boolean",
        "integer",
        "array",
        "hash",
        "max-length",
        "missing",
        "read-only",
        "missing-nested",
    ],
)
def test_schema_violations_are_400s_naming_the_parameter(
    client: Any, params: dict[str, Any], code: str | None, param: str, message: str
) -> None:
    exc = refused(create(client), params)
    assert exc.http_status == 400
    assert exc.error.type == "invalid_request_error"
    assert (exc.code, exc.param, exc.user_message) == (code, param, message)


def test_unknown_query_parameter_and_bad_limit(client: Any) -> None:
    configs = client.v1.billing_portal.configurations
    assert refused(configs.list, {"colour": "red"}).code == "parameter_unknown"
    exc = refused(configs.list, {"limit": 0})
    assert (exc.http_status, exc.param) == (400, "limit")
    assert refused(configs.list, {"limit": 101}).param == "limit"
    assert refused(configs.list, {"active": "maybe"}).user_message == "Invalid boolean: maybe"


def test_stripe_rules_beyond_the_schema(client: Any) -> None:
    exc = refused(
        create(client),
        {
            "features": {
                "subscription_cancel": {
                    "enabled": True,
                    "mode": "at_period_end",
                    "proration_behavior": "create_prorations",
                }
            }
        },
    )
    assert exc.param == "features[subscription_cancel][proration_behavior]"
    exc = refused(
        create(client),
        {
            "features": {
                "subscription_cancel": {
                    "enabled": True,
                    "mode": "immediately",
                    "proration_behavior": "always_invoice",
                }
            }
        },
    )
    assert exc.param == "features[subscription_cancel][proration_behavior]"
    products = [{"product": "prod_pro", "prices": ["price_pro_m"]}] * 11
    exc = refused(
        create(client),
        {"features": {"subscription_update": {"enabled": True, "products": products}}},
    )
    assert exc.param == "features[subscription_update][products]"


@pytest.mark.parametrize(
    ("product", "status", "code", "param_tail", "fragment"),
    [
        (
            {"product": "prod_nope", "prices": ["price_pro_m"]},
            400,
            "resource_missing",
            "[product]",
            "No such product: 'prod_nope'",
        ),
        (
            {"product": "prod_pro", "prices": ["price_pro_m", "price_nope"]},
            400,
            "resource_missing",
            "[prices][1]",
            "No such price: 'price_nope'",
        ),
        (
            {"product": "prod_pro", "prices": ["price_team_m"]},
            400,
            None,
            "[prices][0]",
            "does not belong to the product prod_pro",
        ),
        (
            {"product": "prod_pro", "prices": ["price_pro_once"]},
            400,
            None,
            "[prices][0]",
            "not a recurring price",
        ),
    ],
    ids=["unknown-product", "unknown-price", "foreign-price", "one-time-price"],
)
def test_subscription_update_products_must_exist_and_fit(
    client: Any,
    product: dict[str, Any],
    status: int,
    code: str | None,
    param_tail: str,
    fragment: str,
) -> None:
    exc = refused(
        create(client),
        {"features": {"subscription_update": {"enabled": True, "products": [product]}}},
    )
    assert (exc.http_status, exc.code) == (status, code)
    assert exc.param == "features[subscription_update][products][0]" + param_tail
    assert fragment in exc.user_message


def test_resource_missing_on_retrieve_and_update(client: Any) -> None:
    configs = client.v1.billing_portal.configurations
    for call, args in [(configs.retrieve, ("bpc_x",)), (configs.update, ("bpc_x", {"name": "n"}))]:
        exc = refused(call, *args)
        assert (exc.http_status, exc.code, exc.param) == (404, "resource_missing", "id")
        assert exc.user_message == "No such configuration: 'bpc_x'"
        assert exc.error.doc_url == "https://stripe.com/docs/error-codes/resource-missing"
    exc = refused(configs.list, {"starting_after": "bpc_gone"})
    assert (exc.http_status, exc.param) == (404, "starting_after")
    assert refused(client.v1.prices.retrieve, "price_x").user_message == "No such price: 'price_x'"
    assert refused(client.v1.products.retrieve, "prod_x").http_status == 404
    assert refused(client.v1.customers.retrieve, "cus_x").param == "id"


def test_an_id_of_the_other_mode_is_missing_with_stripes_hint(
    client: Any, stripe_client: Any
) -> None:
    live = stripe_client("sk_live_123")
    exc = refused(live.v1.prices.retrieve, "price_pro_m")  # CATALOG is test mode's
    assert (exc.http_status, exc.code) == (404, "resource_missing")
    assert exc.user_message == (
        "No such price: 'price_pro_m'; a similar object exists in test mode, but a live mode "
        "key was used to make this request."
    )
    made = live.v1.products.create({"name": "Live only"})
    assert refused(client.v1.products.retrieve, made.id).user_message == (
        f"No such product: '{made.id}'; a similar object exists in live mode, but a test mode "
        "key was used to make this request."
    )
    assert refused(live.v1.prices.retrieve, "price_x").user_message == "No such price: 'price_x'"


def test_unknown_url_is_a_404(emulator: Any) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        emulator.url + "/v1/charges", headers={"Authorization": "Bearer sk_test_123"}
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 404
    assert b"Unrecognized request URL (GET: /v1/charges)" in caught.value.read()


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("pk_test_abcdefgh", "Invalid API Key provided: pk_test_****efgh"),
        ("not-a-key", "Invalid API Key provided: ****-key"),
        ("sk_test_revoked", "Invalid API Key provided: sk_test_****oked"),
        ("sk_test_", "Invalid API Key provided: sk_test_****"),
    ],
)
def test_bad_keys_are_401s_that_never_echo_the_key(
    emulator: Any, stripe_client: Any, key: str, message: str
) -> None:
    emulator.revoked_keys = {"sk_test_revoked"}
    exc = refused(
        stripe_client(key).v1.billing_portal.configurations.list, error=stripe.AuthenticationError
    )
    assert (exc.http_status, exc.error.type, exc.user_message) == (
        401,
        "invalid_request_error",
        message,
    )


def test_missing_key_is_a_401(emulator: Any) -> None:
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(emulator.url + "/v1/billing_portal/configurations")
    assert caught.value.code == 401
    assert b"You did not provide an API key" in caught.value.read()


def test_restricted_keys_follow_their_permissions(emulator: Any, stripe_client: Any) -> None:
    emulator.key_permissions = {"rk_test_readonly": {"billing_portal": "read"}}
    readonly = stripe_client("rk_test_readonly")
    assert readonly.v1.billing_portal.configurations.list().data == []
    assert readonly.v1.accounts.retrieve_current().object == "account"
    exc = refused(
        readonly.v1.billing_portal.configurations.create, INVOICES_ON, error=stripe.PermissionError
    )
    assert (exc.http_status, exc.error.type) == (403, "permission_error")
    assert "rak_customer_portal_write" in exc.user_message and "readonly" not in exc.user_message
    refused(readonly.v1.prices.list, error=stripe.PermissionError)
    unlisted = stripe_client("rk_test_anything")
    assert unlisted.v1.billing_portal.configurations.create(INVOICES_ON).active


def test_malformed_stripe_account_is_refused(stripe_client: Any) -> None:
    exc = refused(
        stripe_client(account="bogus").v1.billing_portal.configurations.list,
        error=stripe.PermissionError,
    )
    assert exc.http_status == 403 and exc.error.code == "account_invalid"


def test_default_configuration_updates_refused_only_when_asked(
    emulator: Any, stripe_client: Any
) -> None:
    emulator.seed({"default_configuration": True})
    configs = stripe_client().v1.billing_portal.configurations
    default = configs.list({"is_default": True}).data[0]
    assert configs.update(default.id, {"name": "Dashboard"}).name == "Dashboard"

    emulator.refuse_default_updates = True
    exc = refused(configs.update, default.id, {"name": "API"})
    assert (exc.http_status, exc.code, exc.error.type) == (400, None, "invalid_request_error")
    assert exc.user_message.startswith("You cannot make any changes to a PortalConfiguration")
    assert configs.retrieve(default.id).name == "Dashboard"


def test_default_cannot_be_deactivated(emulator: Any, stripe_client: Any) -> None:
    emulator.seed({"default_configuration": True})
    configs = stripe_client().v1.billing_portal.configurations
    default = configs.list({"is_default": True}).data[0]
    assert refused(configs.update, default.id, {"active": False}).param == "active"


def test_configurations_of_other_applications_are_read_only(
    emulator: Any, stripe_client: Any
) -> None:
    emulator.seed(
        {"configurations": [{**INVOICES_ON, "id": "bpc_foreign", "application": "ca_other"}]}
    )
    configs = stripe_client().v1.billing_portal.configurations
    foreign = configs.retrieve("bpc_foreign", {"expand": ["application"]})
    assert foreign.application.id == "ca_other"
    exc = refused(configs.update, "bpc_foreign", {"name": "mine"})
    assert exc.user_message.startswith("You cannot make any changes to a PortalConfiguration")


def test_bad_expand_is_refused(client: Any) -> None:
    exc = refused(client.v1.prices.list, {"expand": ["data.currency"]})
    assert (exc.http_status, exc.param) == (400, "expand")
