"""The canonical form: equal exactly when Stripe would behave the same."""

from portal_config.portal import model

from .support.samples import STRIPE_FIXTURE


def test_a_file_that_says_nothing_equals_stripes_defaults() -> None:
    assert model.canonical({}) == model.canonical(STRIPE_FIXTURE)


def test_every_writable_field_of_stripes_create_schema_is_managed() -> None:
    paths = {f.path for f in model.fields()}
    assert "features.subscription_update.products" in paths
    assert "features.subscription_pause.duration.interval_options" in paths
    assert "name" in paths and "login_page.enabled" in paths
    assert not any(p.startswith(("metadata", "expand")) for p in paths)
    assert len(paths) == 27


def test_enum_lists_compare_as_sets() -> None:
    a = {"features": {"customer_update": {"allowed_updates": ["email", "address", "email"]}}}
    b = {"features": {"customer_update": {"allowed_updates": ["address", "email"]}}}
    assert model.canonical(a) == model.canonical(b)


def test_products_compare_by_product_with_prices_as_sets() -> None:
    one = [
        {"product": "prod_a", "prices": ["price_2", "price_1"]},
        {"product": "prod_b", "prices": ["price_3"]},
    ]
    two = [
        {
            "product": "prod_b",
            "prices": ["price_3"],
            "adjustable_quantity": {"enabled": False, "minimum": 1, "maximum": None},
        },
        {"product": "prod_a", "prices": ["price_1", "price_2"]},
    ]
    wrap = lambda p: {"features": {"subscription_update": {"products": p}}}  # noqa: E731
    assert model.canonical(wrap(one)) == model.canonical(wrap(two))
    assert model.canonical(wrap(one)) != model.canonical(wrap(one[:1]))


def test_a_changed_value_is_a_difference() -> None:
    changed = {"features": {"subscription_cancel": {"mode": "immediately"}}}
    diff = {p for p, v in model.canonical(changed).items() if model.canonical({})[p] != v}
    assert diff == {"features.subscription_cancel.mode"}


def test_only_named_metadata_keys_are_managed() -> None:
    state = model.metadata_state({"team": "billing", "other": "x"}, ["team", "gone"])
    assert state == {"metadata.team": "billing", "metadata.gone": None}


def test_products_with_bounded_and_unbounded_quantities_sort() -> None:
    entries = [
        {
            "product": "prod_a",
            "prices": ["p"],
            "adjustable_quantity": {"enabled": True, "maximum": None},
        },
        {
            "product": "prod_a",
            "prices": ["p"],
            "adjustable_quantity": {"enabled": True, "maximum": 5},
        },
    ]
    state = model.canonical({"features": {"subscription_update": {"products": entries}}})
    assert [e.quantity.maximum for e in state[model.PRODUCTS]] == [5, None]
