"""ids end to end: each key with its configuration ID, as text, JSON and env lines (issue 6)."""

from __future__ import annotations

import json

import pytest
import stripe

from portal_config.emulator.seed import DASHBOARD_DEFAULT

from .stripe_state import TEST_KEY

BASIC = "name: Basic\nfeatures: {invoice_history: {enabled: true}}\n"
MAIN_DEFAULT = (
    "default: true\nname: Main\nfeatures: {invoice_history: {enabled: true}, "
    "payment_method_update: {enabled: true}}\n"
)


def ids_by_key(project) -> dict[str, str]:
    client = stripe.StripeClient(TEST_KEY, base_addresses={"api": project.emulator.url})
    listed = client.v1.billing_portal.configurations.list({"limit": 100}).auto_paging_iter()
    return {("default" if c.is_default else c.metadata["portal_config_key"]): c.id for c in listed}


def applied(project) -> dict[str, str]:
    """The default (unmanaged), `basic` and `pro-annual.v2` applied in staging."""
    project.emulator.seed({"default_configuration": True})
    project.write("basic.yaml", BASIC)
    project.write("pro-annual.v2.yaml", BASIC.replace("Basic", "Pro annual"))
    assert project.run("apply", "--env", "staging").exit_code == 0
    project.emulator.clear_log()
    return ids_by_key(project)


def test_text_lists_each_key_and_the_default(project) -> None:
    ids = applied(project)
    result = project.run("ids", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"basic          {ids['basic']}",
        f"pro-annual.v2  {ids['pro-annual.v2']}",
        f"default        {ids['default']}",
    ]
    assert project.writes() == []


def test_json_maps_keys_to_ids(project) -> None:
    ids = applied(project)
    result = project.run("ids", "--env", "staging", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document == {
        "format_version": 1,
        "environment": "staging",
        "mode": "test",
        "ids": ids,
        "default_key": None,
        "problems": [],
    }  # the default is no file's


def test_env_lines_name_each_key_in_upper_case(project) -> None:
    ids = applied(project)
    result = project.run("ids", "--env", "staging", "--format", "env")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"PORTAL_CONFIG_BASIC={ids['basic']}",
        f"PORTAL_CONFIG_PRO_ANNUAL_V2={ids['pro-annual.v2']}",
        f"PORTAL_CONFIG_DEFAULT={ids['default']}",
    ]


# Not under refuse-default-updates: it updates the default.
@pytest.mark.behaviours("documented", "first-becomes-default")
def test_the_default_file_is_listed_under_its_key_and_as_default(project) -> None:
    project.emulator.seed({"default_configuration": DASHBOARD_DEFAULT})
    project.write("main.yaml", MAIN_DEFAULT)
    project.write("basic.yaml", BASIC)
    assert project.run("apply", "--env", "staging").exit_code == 0
    ids = ids_by_key(project)
    result = project.run("ids", "--env", "staging", "--format", "env")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"PORTAL_CONFIG_BASIC={ids['basic']}",
        f"PORTAL_CONFIG_MAIN={ids['default']}",
        f"PORTAL_CONFIG_DEFAULT={ids['default']}",
    ]


def test_a_file_not_applied_yet_fails_but_the_others_are_listed(project) -> None:
    ids = applied(project)
    project.write("standard.yaml", BASIC.replace("Basic", "Standard"))
    result = project.run("ids", "--env", "staging", "--format", "env")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        f"PORTAL_CONFIG_BASIC={ids['basic']}",
        f"PORTAL_CONFIG_PRO_ANNUAL_V2={ids['pro-annual.v2']}",
        f"PORTAL_CONFIG_DEFAULT={ids['default']}",
    ]
    assert (
        "standard" in result.stderr
        and "has no configuration in staging yet: run `portal-config apply --env staging`"
        in result.stderr
    )


# Not under first-becomes-default: the first configuration it creates would become the default.
@pytest.mark.behaviours("documented", "refuse-default-updates")
def test_no_default_in_the_mode_means_no_default_line(project) -> None:
    project.write("basic.yaml", BASIC)
    assert project.run("apply", "--env", "staging").exit_code == 0
    result = project.run("ids", "--env", "staging", "--format", "json")
    assert result.exit_code == 0, result.output
    assert list(json.loads(result.stdout)["ids"]) == ["basic"]


def test_a_default_file_without_a_default_in_stripe_fails(project) -> None:
    project.write("main.yaml", MAIN_DEFAULT)
    result = project.run("ids", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert "no default configuration" in result.stderr
    assert "https://dashboard.stripe.com/test/settings/billing/portal" in result.stderr


def test_ids_need_no_prices(project) -> None:
    """A file whose lookup key names no price blocks plan, but not ids: they need no prices."""
    ids = applied(project)
    project.write(
        "basic.yaml",
        "name: Basic\nfeatures:\n  invoice_history: {enabled: true}\n"
        "  subscription_update:\n"
        "    {enabled: true, products: [{prices: [lookup_key:gone]}]}\n",
    )
    result = project.run("ids", "--env", "staging", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ids"] == ids


# Not under first-becomes-default: the first configuration it creates would become the default.
@pytest.mark.behaviours("documented", "refuse-default-updates")
def test_an_inactive_configuration_is_not_handed_out(project) -> None:
    import stripe

    from .stripe_state import TEST_KEY

    project.write("basic.yaml", "features:\n  invoice_history: {enabled: true}\n")
    assert project.run("apply", "--env", "staging").exit_code == 0
    client = stripe.StripeClient(TEST_KEY, base_addresses={"api": project.emulator.url})
    (config,) = client.v1.billing_portal.configurations.list().data
    client.v1.billing_portal.configurations.update(config.id, {"active": False})
    result = project.run("ids", "--env", "staging", "--format", "env")
    assert result.exit_code == 1
    assert config.id not in result.stdout
    assert f"basic ({config.id}) is inactive in staging" in result.output


def test_a_file_named_default_that_is_the_default_is_the_default_key(project) -> None:
    """Issue 20, item 10: `default.yaml` with `default: true` (as import writes the default)."""
    project.emulator.seed({"default_configuration": True})
    project.write("default.yaml", "default: true\n")
    result = project.run("ids", "--env", "staging", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["default_key"] == "default", document
    assert document["ids"] == {"default": ids_by_key(project)["default"]}
