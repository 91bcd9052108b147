"""importer.py: Stripe's configurations -> the files a person would have written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from portal_config.errors import PortalConfigError
from portal_config.portal import model
from portal_config.writeback.importer import (
    RAW_ID_NOTE,
    ImportedFile,
    build_files,
    file_data,
    importable,
    key_for,
    price_ids,
    render,
    write_files,
)

from .support.samples import identity, stripe_config

PRICES: dict[str, dict[str, Any]] = {
    "price_1": {"id": "price_1", "lookup_key": "pro_monthly", "active": True},
    "price_2": {"id": "price_2", "lookup_key": None, "active": True},
    "price_3": {"id": "price_3", "lookup_key": "old", "active": False},
}
VARIABLES = {"app_url": "https://staging.example.com", "short": "ex"}


def rich() -> dict[str, Any]:
    """A configuration with values of every kind away from Stripe's defaults."""
    obj = stripe_config(
        "bpc_7",
        name="Pro plan",
        default_return_url="https://x.test/account",
        metadata={**identity("pro"), "team": "billing"},
    )
    features = obj["features"]
    features["customer_update"] = {"enabled": True, "allowed_updates": ["email", "address"]}
    features["subscription_cancel"]["cancellation_reason"]["options"] = ["too_expensive"]
    features["subscription_update"].update(
        enabled=True,
        products=[
            {
                "product": "prod_a",
                "prices": ["price_2", "price_1"],
                "adjustable_quantity": {"enabled": True, "minimum": 1, "maximum": 4},
            }
        ],
    )
    return obj


def stripe_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("default", "ids", "active")}


# --- keys --------------------------------------------------------------------------------


def test_a_configuration_this_project_made_keeps_its_key() -> None:
    obj = stripe_config("bpc_1", "std", name="Whatever it is called now")
    assert key_for(obj, "name", set(), "acme") == "std"
    assert key_for(obj, "name", set(), "other") == "whatever-it-is-called-now"


def test_keys_from_names_ids_and_the_default() -> None:
    assert (
        key_for(stripe_config("bpc_1", name="Pro Plan (2024)!"), "name", set(), "acme")
        == "pro-plan-2024"
    )
    assert key_for(stripe_config("bpc_1", name="Pro"), "id", set(), "acme") == "bpc_1"
    assert key_for(stripe_config("bpc_1", is_default=True), "name", set(), "acme") == "default"
    assert key_for(stripe_config("bpc_1", name="!!!"), "name", set(), "acme") == "bpc_1"


def test_a_taken_key_gets_the_next_free_suffix_and_is_taken_after() -> None:
    taken = {"pro", "pro-2"}
    assert key_for(stripe_config("bpc_1", name="Pro"), "name", taken, "acme") == "pro-3"
    assert key_for(stripe_config("bpc_2", name="Pro"), "name", taken, "acme") == "pro-4"
    assert taken == {"pro", "pro-2", "pro-3", "pro-4"}


def test_a_long_name_leaves_room_for_a_suffix() -> None:
    taken: set[str] = set()
    first = key_for(stripe_config("bpc_1", name="a" * 150), "name", taken, "acme")
    second = key_for(stripe_config("bpc_2", name="a" * 150), "name", taken, "acme")
    assert first == "a" * 96 and second == "a" * 96 + "-2"


# --- file contents -----------------------------------------------------------------------


def test_a_configuration_at_stripes_defaults_is_only_its_pin() -> None:
    assert file_data(stripe_config("bpc_1"), "staging", {}, {}) == {"ids": {"staging": "bpc_1"}}
    default = file_data(stripe_config("bpc_1", is_default=True, active=False), "prod", {}, {})
    assert default == {"default": True, "ids": {"prod": "bpc_1"}, "active": False}


def test_a_file_describes_exactly_the_configuration_it_was_imported_from() -> None:
    """What makes `plan` right after an import show no changes."""
    obj = rich()
    data = file_data(obj, "staging", {}, {})
    assert model.canonical(stripe_fields(data)) == model.canonical(obj)
    assert data["metadata"] == {"team": "billing"}  # the identity keys are not written


def test_prices_as_lookup_keys_where_an_active_price_has_one() -> None:
    obj = rich()
    products = file_data(obj, "staging", PRICES, {})["features"]["subscription_update"]["products"]
    assert products == [
        {
            "product": "prod_a",
            "prices": ["lookup_key:pro_monthly", "price_2"],
            "adjustable_quantity": {"enabled": True, "minimum": 1, "maximum": 4},
        }
    ]
    obj["features"]["subscription_update"]["products"] = [
        {"product": "prod_a", "prices": ["price_1"]}
    ]
    products = file_data(obj, "staging", PRICES, {})["features"]["subscription_update"]["products"]
    assert products == [{"prices": ["lookup_key:pro_monthly"]}]  # the price names its product
    obj["features"]["subscription_update"]["products"][0]["prices"] = ["price_3"]
    products = file_data(obj, "staging", PRICES, {})["features"]["subscription_update"]["products"]
    assert products == [{"product": "prod_a", "prices": ["price_3"]}]  # archived: no lookup


def test_required_siblings_are_written_with_an_object() -> None:
    cancel = file_data(rich(), "staging", {}, {})["features"]["subscription_cancel"]
    assert cancel == {
        "enabled": False,
        "cancellation_reason": {"enabled": False, "options": ["too_expensive"]},
    }


def test_variable_values_become_variables_and_dollar_braces_are_escaped() -> None:
    obj = stripe_config(
        "bpc_1",
        name="Costs ${price} at example.com",
        default_return_url="https://staging.example.com/account",
    )
    data = file_data(obj, "staging", {}, VARIABLES)
    assert data["default_return_url"] == "${app_url}/account"
    assert data["name"] == "Costs $${price} at example.com"  # "ex" is too short to replace


def test_render_orders_the_keys_and_marks_raw_price_ids() -> None:
    data = file_data(rich(), "staging", PRICES, {})
    text = render(data)
    lines = text.splitlines()
    assert lines[0].startswith("# Written by `portal-config import`")
    assert [line.split(":")[0] for line in lines[1:] if line[:1].isalpha()] == [
        "ids",
        "name",
        "default_return_url",
        "features",
        "metadata",
    ]
    assert f"      - price_2  # {RAW_ID_NOTE}" in lines
    assert "      - lookup_key:pro_monthly" in lines
    assert yaml.safe_load(text) == data


def test_importable_skips_other_applications_and_inactive_ones_default_first() -> None:
    configs = [
        stripe_config("bpc_3", created=3),
        stripe_config("bpc_2", created=1),
        stripe_config("bpc_9", created=9, is_default=True),
        stripe_config("bpc_4", application="ca_x"),
        stripe_config("bpc_1", created=1, active=False),
    ]
    assert [c["id"] for c in importable(configs, False)] == ["bpc_9", "bpc_2", "bpc_3"]
    assert [c["id"] for c in importable(configs, True)] == ["bpc_9", "bpc_1", "bpc_2", "bpc_3"]


def test_build_files_gives_each_a_free_key_and_its_text() -> None:
    configs: list[Any] = [
        stripe_config("bpc_1", name="Pro"),
        stripe_config("bpc_2", name="Pro"),
        stripe_config("bpc_3", name="Portal-Config"),
    ]
    files = build_files(configs, "staging", "name", "acme", {}, {}, taken={"portal-config"})
    assert [(f.key, f.config_id) for f in files] == [
        ("pro", "bpc_1"),
        ("pro-2", "bpc_2"),
        ("portal-config-2", "bpc_3"),
    ]
    assert yaml.safe_load(files[1].text) == {"ids": {"staging": "bpc_2"}, "name": "Pro"}


def test_price_ids_lists_every_price_once() -> None:
    two = rich()
    two["features"]["subscription_update"]["products"] = [
        {"product": "prod_b", "prices": ["price_1", "price_0"]}
    ]
    assert price_ids([rich(), two, stripe_config("bpc_3")]) == ["price_0", "price_1", "price_2"]


def test_write_files_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    (tmp_path / "pro.yaml").write_text("mine\n")
    files = [ImportedFile("new", "bpc_1", "a: 1\n"), ImportedFile("pro", "bpc_2", "b: 2\n")]
    with pytest.raises(PortalConfigError, match=r"1 file\(s\) already exist .*pro\.yaml.*--force"):
        write_files(files, tmp_path, force=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pro.yaml"]  # nothing was written
    assert (tmp_path / "pro.yaml").read_text() == "mine\n"
    paths = write_files(files, tmp_path / "out", force=False)
    assert [p.read_text() for p in paths] == ["a: 1\n", "b: 2\n"]
    write_files(files, tmp_path, force=True)
    assert (tmp_path / "pro.yaml").read_text() == "b: 2\n"


WEBHOOK_SECRET = "whsec_" + "Ab12" * 8
PUBLISHABLE = "pk_live_" + "Cd34" * 8


@pytest.mark.parametrize(
    ("obj", "where", "prefix"),
    [
        (
            stripe_config("bpc_5", business_profile={"headline": f"see {WEBHOOK_SECRET}"}),
            "business_profile.headline",
            "whsec_",
        ),
        (stripe_config("bpc_5", metadata={"support": PUBLISHABLE}), "metadata.support", "pk_live_"),
        (
            stripe_config("bpc_5", metadata={PUBLISHABLE: "x"}),
            "metadata (a name in it)",
            "pk_live_",
        ),
        (
            stripe_config("bpc_5", metadata=identity(f"k-{PUBLISHABLE}")),
            "metadata.portal_config_key",
            "pk_live_",
        ),
    ],
    ids=["signing-secret", "publishable", "metadata-name", "file-name"],
)
def test_build_files_refuses_a_value_that_looks_like_a_key(
    obj: dict[str, Any], where: str, prefix: str
) -> None:
    configs: list[Any] = [stripe_config("bpc_1", name="Fine"), obj]
    with pytest.raises(PortalConfigError) as raised:
        build_files(configs, "staging", "name", "acme", {}, {})
    message = str(raised.value)
    assert message.startswith(f"bpc_5 {where} holds what looks like a Stripe key ({prefix}...). ")
    assert "bpc_1" not in message and "nothing was written" in message
    assert WEBHOOK_SECRET[6:] not in message and PUBLISHABLE[8:] not in message


# --- issue 20: readable keys, the API's field order, short lists in flow style -----------


def test_keys_are_transliterated_and_never_default_for_another_configuration() -> None:
    assert key_for(stripe_config("bpc_1", name="Café Plus"), "name", set(), "acme") == "cafe-plus"
    assert key_for(stripe_config("bpc_2", name="Über  Pro–Team"), "name", set(), "acme") == (
        "uber-pro-team"
    )
    # "Default" that is not the account's default: `default` would read as the default
    taken: set[str] = set()
    assert key_for(stripe_config("bpc_3", name="Default"), "name", taken, "acme") == "default-2"
    assert key_for(stripe_config("bpc_4", is_default=True), "name", taken, "acme") == "default"


def test_new_files_keep_the_apis_order_enabled_first_and_short_lists_in_flow_style() -> None:
    text = render(file_data(rich(), "staging", PRICES, {}))
    assert (
        "  customer_update:\n"
        "    enabled: true\n"
        "    allowed_updates: [address, email]\n"
        "  subscription_cancel:\n"
        "    enabled: false\n"
        "    cancellation_reason:\n"
        "      enabled: false\n"
        "      options: [too_expensive]\n"
    ) in text, text
    assert f"      - price_2  # {RAW_ID_NOTE}" in text  # a raw ID keeps its note on its line
    assert yaml.safe_load(text) == file_data(rich(), "staging", PRICES, {})
