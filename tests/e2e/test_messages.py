"""What a user trial found unclear, end to end: a missing --env, --no-color after the command, a
key variable's problems pointed at its line, a lookup key's did-you-mean, validate's plain http
api_base, and the schema editors can read (draft-07)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft7Validator

from portal_config.pipeline import prices
from tests.support.cli import run_cli

from .conftest import Result
from .stripe_state import PRO, STANDARD

PROJECT = "configs/portal-config.yaml"
KEY_LINE = f"{PROJECT}:6:5"  # `api_key_env:` of staging in conftest's project file
OFFERING = """\
name: Offering
features:
  subscription_update:
    enabled: true
    default_allowed_updates: [price]
    products:
      - prices: [{keys}]
"""


def price_lists(project: Any) -> list[Any]:
    """The GET /v1/prices the emulator saw that list the account's prices (no lookup_keys)."""
    return [
        r
        for r in project.emulator.request_log
        if (r.method, r.path) == ("GET", "/v1/prices")
        and not any(name.startswith("lookup_keys") for name in r.query)
    ]


# -- a missing --env lists the environments ----------------------------------------------------


@pytest.mark.parametrize("command", ["doctor", "ids", "import", "pull"])
def test_a_missing_env_lists_the_environments(project, command: str) -> None:
    result = project.run(command)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (
        "Error: name an environment with --env NAME; this project has: staging, prod"
    )
    assert project.emulator.request_log == []


# -- --no-color after the command name ---------------------------------------------------------


def on_terminal(project: Any, *args: str) -> Result:
    return project.run(*args, stdout_terminal=True)


@pytest.mark.parametrize(
    "command", [["plan", "--env", "staging"], ["doctor", "--env", "staging"], ["validate"]]
)
def test_no_color_is_taken_before_and_after_the_command_name(project, command) -> None:
    project.write("standard.yaml", STANDARD)
    coloured = on_terminal(project, *command)
    before = on_terminal(project, "--no-color", *command)
    after = on_terminal(project, command[0], "--no-color", *command[1:])
    assert after.exit_code == before.exit_code == coloured.exit_code, after.output
    if command[0] != "validate":  # validate prints no colour: it must still take the option
        assert "\x1b[" in coloured.stdout
    assert "\x1b[" not in before.stdout and "\x1b[" not in after.stdout
    assert after.stdout == before.stdout


def test_the_groups_options_are_taken_after_the_command_name_too(project) -> None:
    """`portal-config plan --env staging --verbose --config FILE`: where most CLIs take them."""
    project.write("standard.yaml", STANDARD)
    config = str(project.configs / "portal-config.yaml")
    before = run_cli("--verbose", "--config", config, "plan", "--env", "staging")
    after = run_cli("plan", "--env", "staging", "--verbose", "--config", config, "--debug")
    assert after.exit_code == before.exit_code == 0, after.output
    assert after.stdout == before.stdout
    assert "Stripe: GET /v1/billing_portal/configurations" in after.stderr
    assert "Stripe: GET" not in run_cli("--config", config, "plan", "--env", "staging").stderr
    assert "--config" in run_cli("plan", "--help").stdout


# -- the key variable, pointed at its line -----------------------------------------------------


def test_a_missing_key_variable_points_at_api_key_env(project, monkeypatch) -> None:
    monkeypatch.delenv("PORTAL_CONFIG_E2E_TEST_KEY")
    result = project.run("plan", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert (
        f"{KEY_LINE}: environment 'staging': the variable PORTAL_CONFIG_E2E_TEST_KEY is not "
        "set" in result.stderr
    )
    doctor = project.run("doctor", "--env", "staging")
    assert f"{KEY_LINE}: environment 'staging': the variable" in doctor.stdout
    assert project.emulator.request_log == []


def test_a_key_of_the_wrong_mode_points_at_api_key_env(project, monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", "sk_live_e2e_4eC39HqLyjWDarjtT1zdp7dc")
    result = project.run("ids", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert (
        f"{KEY_LINE}: environment 'staging' is test mode but PORTAL_CONFIG_E2E_TEST_KEY "
        "holds a live key" in result.stderr
    )
    assert project.emulator.request_log == []


def test_a_publishable_key_is_named_as_one(project, monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", "pk_test_51HqLyjWDarjtT1zdp7dc")
    result = project.run("plan", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert (
        f"{KEY_LINE}: environment 'staging': PORTAL_CONFIG_E2E_TEST_KEY holds a publishable "
        "key (pk_...): use the secret key sk_test_... or a restricted key rk_test_..."
        in result.stderr
    )
    assert "pk_test_51" not in result.output
    assert project.emulator.request_log == []


# -- an unknown lookup key: did you mean -------------------------------------------------------


def test_an_unknown_lookup_key_suggests_the_accounts_closest_key(project) -> None:
    project.emulator.seed({"products": [PRO]})
    project.write("offering.yaml", OFFERING.format(keys="lookup_key:pro_montly"))
    project.emulator.clear_log()
    result = project.run("plan", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert (
        "offering.yaml:7:18: lookup_key:pro_montly matches no price in environment "
        "'staging' (did you mean lookup_key:pro_monthly?)" in result.stdout
    )
    listed = price_lists(project)
    assert len(listed) == 1 and listed[0].query.get("active") == "true", listed


def test_no_extra_request_when_every_lookup_key_resolves(project) -> None:
    project.emulator.seed({"products": [PRO]})
    project.write("offering.yaml", OFFERING.format(keys="lookup_key:pro_monthly"))
    project.emulator.clear_log()
    result = project.run("plan", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert price_lists(project) == []


def many_prices(count: int) -> dict[str, Any]:
    return {
        "id": "prod_many",
        "name": "Many",
        "prices": [
            {
                "id": f"price_{n}",
                "lookup_key": f"plan_{n:03}_tier",
                "unit_amount": 100 + n,
                "recurring": {"interval": "month"},
            }
            for n in range(count)
        ],
    }


def test_the_suggestion_reads_further_pages_up_to_a_bound(project, monkeypatch) -> None:
    # Listed newest first: plan_000_tier, the oldest, is on the second page of 100.
    project.emulator.seed({"products": [many_prices(150)]})
    project.write("offering.yaml", OFFERING.format(keys="lookup_key:plan_000_tierr"))
    project.emulator.clear_log()
    result = project.run("plan", "--env", "staging")
    assert "(did you mean lookup_key:plan_000_tier?)" in result.stdout, result.output
    assert len(price_lists(project)) == 2
    monkeypatch.setattr(prices, "SUGGESTION_PAGES", 1)
    project.emulator.clear_log()
    result = project.run("plan", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert "lookup_key:plan_000_tierr matches no price" in result.stdout
    assert "did you mean lookup_key:plan_000_tier?" not in result.stdout
    assert len(price_lists(project)) == 1


# -- validate: a plain http api_base beyond this machine ---------------------------------------


def test_validate_refuses_a_plain_http_api_base_beyond_loopback(project) -> None:
    text = (project.configs / "portal-config.yaml").read_text()
    project.write(
        "portal-config.yaml", text.replace(project.emulator.url, "http://stripe.internal:12111", 1)
    )
    result = project.run("validate")
    assert result.exit_code == 1, result.output
    line = (
        f"{PROJECT}:7:15: environment 'staging': refusing to send the API key to "
        "http://stripe.internal:12111: plain http goes only to a loopback address"
    )
    assert line in result.stdout
    plan = project.run("plan", "--env", "staging")  # plan refuses it too, with the same rule
    assert plan.exit_code == 1 and line in plan.stderr
    assert project.emulator.request_log == []


def test_validate_accepts_plain_http_to_loopback(project) -> None:
    project.write("standard.yaml", STANDARD)
    result = project.run("validate")
    assert result.exit_code == 0, result.output


# -- the schema is draft-07, for yaml-language-server ------------------------------------------

NEWER_KEYWORDS = {
    "$defs",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$vocabulary",
    "unevaluatedProperties",
    "unevaluatedItems",
    "prefixItems",
    "dependentRequired",
    "dependentSchemas",
    "minContains",
    "maxContains",
    "contentSchema",
    "deprecated",
}
SCHEMA_MAPS = {"properties", "patternProperties", "definitions"}  # name -> schema


def keywords(node: Any) -> set[str]:
    """Every keyword used anywhere in a schema (property names are not keywords)."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= keywords(item)
    elif isinstance(node, dict):
        for name, value in node.items():
            found.add(name)
            if name in SCHEMA_MAPS and isinstance(value, dict):
                for sub in value.values():
                    found |= keywords(sub)
            elif name not in ("enum", "const", "required", "examples", "default"):
                found |= keywords(value)
    return found


@pytest.mark.parametrize("kind", ["config", "project"])
def test_schema_is_draft_07(project, kind: str) -> None:
    result = project.run("schema", "--kind", kind)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(document)
    assert keywords(document) & NEWER_KEYWORDS == set()
    assert "properties" in keywords(document)  # the scan does look inside


def test_the_printed_schema_judges_files_as_validate_does(project) -> None:
    document = json.loads(project.run("schema").stdout)
    validator = Draft7Validator(document)
    assert (
        list(
            validator.iter_errors(
                {"name": "Basic", "features": {"invoice_history": {"enabled": True}}}
            )
        )
        == []
    )
    errors = list(validator.iter_errors({"features": {"invoice_histroy": {"enabled": True}}}))
    assert [e.validator for e in errors] == ["additionalProperties"]
