"""Answers Stripe would never send, as a broken proxy or a hostile server might: each is a clear
error naming the request (never an empty account, never an internal error), and a write whose
answer cannot be read is reported as uncertain and resolved by the next run."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.e2e.conftest import Project
from tests.e2e.stripe_state import BASIC, STANDARD, by_key, client, configurations

LIST = "/v1/billing_portal/configurations"
PRICED = """\
name: Priced
features:
  subscription_update:
    enabled: true
    default_allowed_updates: [price]
    products: [{prices: ["lookup_key:pro_monthly"]}]
"""


def one_applied(project: Project) -> str:
    """An account holding this project's `basic`, as a first apply left it."""
    project.write("basic.yaml", BASIC)
    assert project.run("apply", "--env", "staging").exit_code == 0
    project.emulator.clear_log()
    return str(by_key(project)["basic"]["id"])


def assert_clear_error(result: Any, *phrases: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Internal error" not in result.output and "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output


# --- lists ------------------------------------------------------------------------------


def test_a_list_that_always_has_more_stops_with_a_clear_error(project: Project) -> None:
    one_applied(project)
    project.emulator.faults.script([{"has_more_forever": True, "path_prefix": LIST}])
    started = time.monotonic()
    result = project.run("plan", "--env", "staging")
    assert_clear_error(result, "environment 'staging': listing portal configurations", "repeat")
    assert time.monotonic() - started < 10
    assert len(project.emulator.request_log) <= 5


def test_pagination_stops_at_its_hard_limit(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal_config.stripe_api import client as gateway_module
    from portal_config.stripe_api import responses

    made = client(project).v1.billing_portal.configurations
    for _ in range(7):
        made.create({"features": {"invoice_history": {"enabled": True}}})
    monkeypatch.setattr(gateway_module, "PAGE_SIZE", 2)
    monkeypatch.setattr(responses, "MAX_PAGES", 3)
    result = project.run("plan", "--env", "staging")
    assert_clear_error(result, "listing portal configurations", "more than 3 pages")
    monkeypatch.setattr(responses, "MAX_PAGES", 4)  # 7 objects, 2 a page: 4 pages are enough
    assert project.run("plan", "--env", "staging").exit_code == 0


@pytest.mark.parametrize(
    "fault",
    [{"body": "no_data"}, {"body": "items_without_metadata"}, {"body": "items_without_id"}],
    ids=["no-data", "items-without-metadata", "items-without-id"],
)
def test_a_list_missing_what_identifies_configurations_never_reads_as_empty(
    project: Project, fault: dict[str, Any]
) -> None:
    one_applied(project)
    project.emulator.faults.script([{**fault, "method": "GET", "path_prefix": LIST}])
    result = project.run("apply", "--env", "staging")
    assert_clear_error(
        result, "environment 'staging': listing portal configurations", "Stripe's answer"
    )
    assert "create" not in result.stdout
    assert len(configurations(project)) == 1  # no duplicate of `basic`
    assert not project.writes()


@pytest.mark.parametrize(
    "answer",
    [[], None, {"data": "oops"}, "oops", {"object": "list", "data": [1], "has_more": False}],
    ids=["list", "null", "data-not-a-list", "string", "item-not-object"],
)
def test_a_list_answer_of_the_wrong_shape_is_a_clear_error(project: Project, answer: Any) -> None:
    project.write("basic.yaml", BASIC)
    project.emulator.faults.script([{"answer": answer, "method": "GET", "path_prefix": LIST}])
    result = project.run("plan", "--env", "staging")
    assert_clear_error(result, "environment 'staging': listing portal configurations", "malformed")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("features.invoice_history.enabled", "yes"),
        ("name", 12),
        ("default_return_url", 5),
        ("business_profile.headline", False),
        ("features.subscription_cancel.mode", 1),
    ],
)
def test_a_configuration_with_a_field_of_the_wrong_type_is_named_before_any_write(
    project: Project, path: str, value: Any
) -> None:
    config_id = one_applied(project)
    project.write("basic.yaml", BASIC.replace("Basic", "Basic 2"))  # a change to plan
    broken = by_key(project)["basic"]
    *parents, leaf = path.split(".")
    node = broken
    for part in parents:
        node = node.setdefault(part, {}) or {}
    node[leaf] = value
    answer = {"object": "list", "data": [broken], "has_more": False, "url": LIST}
    for command in ("plan", "apply"):
        project.emulator.faults.script([{"answer": answer, "method": "GET", "path_prefix": LIST}])
        result = project.run(command, "--env", "staging")
        assert_clear_error(
            result,
            "environment 'staging': listing portal configurations: Stripe's answer is malformed",
            config_id,
            f"{path} is {value!r}",
        )
    assert not project.writes()


def test_a_price_without_its_lookup_key_is_a_clear_error(project: Project) -> None:
    project.emulator.seed(
        {
            "products": [
                {
                    "name": "Pro",
                    "prices": [
                        {
                            "lookup_key": "pro_monthly",
                            "unit_amount": 2900,
                            "recurring": {"interval": "month"},
                        }
                    ],
                }
            ]
        }
    )
    project.write("priced.yaml", PRICED)
    listed = client(project).v1.prices.list({"lookup_keys": ["pro_monthly"]}).data[0]
    price = json.loads(json.dumps(listed.to_dict(), default=str))  # the SDK's Decimals as text
    del price["lookup_key"]
    project.emulator.faults.script(
        [
            {
                "answer": {
                    "object": "list",
                    "data": [price],
                    "has_more": False,
                    "url": "/v1/prices",
                },
                "path_prefix": "/v1/prices",
            }
        ]
    )
    result = project.run("plan", "--env", "staging")
    assert_clear_error(result, "environment 'staging': looking up prices", "lookup_key")


# --- slow answers -------------------------------------------------------------------------


def test_a_server_that_drips_its_answer_meets_the_request_deadline(project: Project) -> None:
    project.write("basic.yaml", BASIC)
    project.emulator.faults.script([{"drip_seconds": 0.2, "path_prefix": LIST}])
    started = time.monotonic()
    result = project.run("plan", "--env", "staging", "--timeout", "1")
    elapsed = time.monotonic() - started
    assert_clear_error(result, "environment 'staging': listing portal configurations", "within 1 s")
    assert elapsed < 4, elapsed


def test_a_run_stops_asking_stripe_when_its_time_is_spent(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal_config.stripe_api import client as gateway_module
    from portal_config.stripe_api import transport

    made = client(project).v1.billing_portal.configurations
    for _ in range(20):
        made.create({"features": {"invoice_history": {"enabled": True}}})
    monkeypatch.setattr(gateway_module, "PAGE_SIZE", 1)
    monkeypatch.setattr(transport, "RUN_DEADLINE_FACTOR", 2)
    project.emulator.faults.latency = 0.05  # 20 pages: 1 s, more than the run's 2 x 0.3 s
    started = time.monotonic()
    result = project.run("plan", "--env", "staging", "--timeout", "0.3")
    assert_clear_error(
        result,
        "listing portal configurations: stopped: this run has waited "
        "for Stripe as long as it may (0.6 s, 2 times --timeout)",
    )
    assert time.monotonic() - started < 3


def test_timeout_must_be_a_positive_number(project: Project) -> None:
    result = project.run("plan", "--env", "staging", "--timeout", "0")
    assert result.exit_code == 1 and "--timeout" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "command",
    [["apply"], ["import", "--out", "imported"], ["doctor"], ["ids"], ["pull", "--dry-run"]],
)
def test_every_stripe_command_takes_timeout(project: Project, command: list[str]) -> None:
    # --out relative to the project, never the checkout the tests run from
    command = [str(project.root / c) if c == "imported" else c for c in command]
    result = project.run(*command, "--env", "staging", "--timeout", "5")
    assert "No such option" not in result.output, result.output
    assert "Internal error" not in result.output


# --- writes whose answer cannot be read -------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        {"body": "truncated"},
        {"body": "cut"},
        {"body": "empty"},
        {"answer": {"object": "billing_portal.configuration"}},
        {"body": "dropped"},
    ],
    ids=["truncated", "cut", "empty", "without-id", "dropped"],
)
def test_a_create_whose_answer_is_lost_is_uncertain_and_the_rerun_creates_nothing_new(
    project: Project, fault: dict[str, Any]
) -> None:
    project.write("basic.yaml", BASIC)
    project.emulator.faults.script([{**fault, "method": "POST", "path_prefix": LIST}])
    first = project.run("apply", "--env", "staging")
    if fault != {"body": "dropped"}:  # a dropped answer is retried with the same key: replayed
        assert first.exit_code == 1, first.output
        assert "may or may not have reached Stripe" in first.stdout
        assert "Stripe refused" not in first.output
        assert "Apply incomplete: 0 created, 0 updated, 0 deactivated." in first.stdout
    assert "Internal error" not in first.output and "Traceback" not in first.output
    rerun = project.run("apply", "--env", "staging")
    assert rerun.exit_code == 0, rerun.output
    assert "to create" not in rerun.stdout or "Plan: 0 to create" in rerun.stdout
    assert len(configurations(project)) == 1
    assert project.run("plan", "--env", "staging", "--detailed-exitcode").exit_code == 0


def test_a_retry_that_fails_after_a_lost_answer_is_uncertain_not_failed(project: Project) -> None:
    """The first attempt was written and its answer lost; a 500 to the retry must not make it
    "Failed" (not written), as the matrix found."""
    project.write("basic.yaml", BASIC)
    project.emulator.faults.script(
        [
            {"body": "dropped", "method": "POST"},
            {"status": 500, "should_retry": False, "method": "POST"},
        ]
    )
    first = project.run("apply", "--env", "staging")
    assert first.exit_code == 1, first.output
    assert "Uncertain: create basic (new) in staging" in first.stdout
    assert "an earlier attempt lost its answer" in first.stdout
    assert len(configurations(project)) == 1  # it was written
    assert project.run("apply", "--env", "staging").exit_code == 0
    assert len(configurations(project)) == 1


def test_an_update_answered_with_another_configuration_is_uncertain(project: Project) -> None:
    config_id = one_applied(project)
    other = (
        client(project)
        .v1.billing_portal.configurations.create(
            {"features": {"invoice_history": {"enabled": True}}}
        )
        .to_dict()
    )
    project.write("basic.yaml", BASIC.replace("Basic", "Basic 2"))
    project.emulator.faults.script(
        [{"answer": other, "method": "POST", "path_prefix": f"{LIST}/{config_id}"}]
    )
    result = project.run("apply", "--env", "staging")
    assert_clear_error(result, "may or may not have reached Stripe", config_id)
    assert project.run("apply", "--env", "staging").exit_code == 0
    assert by_key(project)["basic"]["name"] == "Basic 2"


@pytest.mark.parametrize(
    ("new_id", "why"),
    [
        (None, "a configuration that existed before this apply"),
        ("bpc_NotListedBefore", "a configuration of another key"),
    ],
    ids=["listed-before", "another-key"],
)
def test_a_create_answered_with_another_configuration_is_not_reported_created(
    project: Project, new_id: str | None, why: str
) -> None:
    one_applied(project)
    answer = by_key(project)["basic"]
    answer["id"] = new_id or answer["id"]
    project.write("standard.yaml", STANDARD)
    project.emulator.faults.script([{"answer": answer, "method": "POST", "path_prefix": LIST}])
    first = project.run("apply", "--env", "staging")
    assert_clear_error(
        first,
        "Uncertain: create standard (new) in staging",
        f"Stripe answered with {answer['id']}, {why}",
        "Apply incomplete: 0 created",
    )
    assert "in staging: created" not in first.output
    rerun = project.run("apply", "--env", "staging")
    assert rerun.exit_code == 0, rerun.output
    assert sorted(by_key(project)) == ["basic", "standard"]
    assert len(configurations(project)) == 2


# --- Stripe's side failing ----------------------------------------------------------------


def test_a_500_stripe_says_not_to_retry_does_not_stop_the_other_changes(project: Project) -> None:
    project.write("basic.yaml", BASIC)
    project.write("standard.yaml", STANDARD)
    project.write("third.yaml", BASIC.replace("Basic", "Third"))
    project.emulator.faults.script(
        [{"status": 500, "should_retry": False, "method": "POST", "path_prefix": LIST}]
    )
    # One write at a time, so the scripted failure meets the first change in plan order.
    result = project.run("apply", "--env", "staging", "--parallelism", "1")
    assert result.exit_code == 1, result.output
    assert "Apply incomplete: 2 created, 0 updated, 0 deactivated." in result.stdout
    assert "Failed: create basic (new) in staging" in result.stdout
    assert "Not run" not in result.stdout
    assert sorted(by_key(project)) == ["standard", "third"]
    assert project.run("apply", "--env", "staging").exit_code == 0
    assert sorted(by_key(project)) == ["basic", "standard", "third"]


@pytest.mark.parametrize("rate", [0.2, 0.35, 0.5])
def test_apply_converges_under_random_server_failures(project: Project, rate: float) -> None:
    names = [f"portal{i}" for i in range(6)]
    for name in names:
        project.write(f"{name}.yaml", BASIC.replace("Basic", name))
    project.emulator.faults.failure_rate = rate
    project.emulator.faults.failure_should_retry = False
    for _ in range(10):
        if project.run("apply", "--env", "staging").exit_code == 0:
            break
    project.emulator.faults.failure_rate = 0
    assert sorted(by_key(project)) == names
    assert project.run("plan", "--env", "staging", "--detailed-exitcode").exit_code == 0


def test_rate_limits_are_retried_with_backoff(project: Project) -> None:
    project.write("basic.yaml", BASIC)
    project.emulator.faults.script([{"status": 429}, {"status": 429}, {"status": 429}])
    result = project.run("apply", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert len(configurations(project)) == 1
