"""Issue 24: a list page is read once as plain JSON and each configuration on it is checked for
exactly what is kept of it. A plan that is not saved keeps of an unmanaged configuration only
its ID, name, flags and identity (shown.slimmer), so a field it never reads cannot fail it; a
saved plan keeps every configuration whole, so the same field is named there. The SDK formats
no log line unless its logging is on."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest
import stripe._util
from stripe import _api_requestor

from tests.e2e.conftest import Project
from tests.e2e.stripe_state import BASIC, PLANS, by_key, catalog

from .test_hostile_answers import LIST, assert_clear_error, one_applied


def _with_dashboard_portal(project: Project, path: str, value: Any) -> dict[str, Any]:
    """The list answer: this project's `basic`, and a portal made in the Dashboard (no identity,
    another name) whose `path` holds `value`."""
    one_applied(project)
    basic = by_key(project)["basic"]
    other = copy.deepcopy(basic)
    other.update(id="bpc_1DashboardMade", name="Made in the Dashboard", metadata={})
    *parents, leaf = path.split(".")
    node = other
    for part in parents:
        node = node[part]
    node[leaf] = value
    return {"object": "list", "data": [other, basic], "has_more": False, "url": LIST}


def test_a_field_of_an_unmanaged_portal_that_no_plan_reads_does_not_fail_it(
    project: Project,
) -> None:
    answer = _with_dashboard_portal(project, "features.invoice_history.enabled", "yes")
    project.emulator.faults.script([{"answer": answer, "method": "GET", "path_prefix": LIST}])

    result = project.run("plan", "--env", "staging")

    assert result.exit_code == 0, result.output
    assert "No changes" in result.stdout
    assert "Made in the Dashboard" in result.stdout  # still shown, as an unmanaged portal

    # A saved plan fingerprints every configuration whole: there the field is read, and named.
    project.emulator.faults.script([{"answer": answer, "method": "GET", "path_prefix": LIST}])
    saved = project.run("plan", "--env", "staging", "--out", str(project.root / "plan.json"))
    assert_clear_error(
        saved,
        "Stripe's answer is malformed",
        "bpc_1DashboardMade",
        "features.invoice_history.enabled is 'yes'",
    )


@pytest.mark.parametrize(("path", "value"), [("name", 12), ("livemode", "no")])
def test_what_a_plan_keeps_of_an_unmanaged_portal_is_still_checked(
    project: Project, path: str, value: Any
) -> None:
    answer = _with_dashboard_portal(project, path, value)
    project.emulator.faults.script([{"answer": answer, "method": "GET", "path_prefix": LIST}])

    result = project.run("plan", "--env", "staging")

    assert_clear_error(result, "Stripe's answer is malformed", "bpc_1DashboardMade", repr(value))


def test_the_sdk_formats_no_log_line_unless_its_logging_is_on(
    project: Project, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    project.write("basic.yaml", BASIC)
    formatted: list[dict[str, Any]] = []
    logfmt = stripe._util.logfmt
    monkeypatch.setattr(stripe._util, "logfmt", lambda props: formatted.append(props) or "")

    assert project.run("apply", "--env", "staging").exit_code == 0
    assert formatted == []

    # With the SDK's logger on (as a verbose run turns it on) its lines are written as before.
    monkeypatch.setattr(stripe._util, "logfmt", logfmt)
    with caplog.at_level(logging.DEBUG, logger="stripe"):
        assert project.run("plan", "--env", "staging").exit_code == 0
    assert any("Request to Stripe api" in r.getMessage() for r in caplog.records)


def test_a_plan_reads_every_page_as_plain_json_and_builds_no_sdk_object(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.emulator.seed(catalog("t"), mode="test")
    project.write("plans.yaml", PLANS)  # lookup keys: the prices are listed too
    assert project.run("apply", "--env", "staging").exit_code == 0
    built: list[Any] = []
    convert = _api_requestor._convert_to_stripe_object  # imported there by name

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(args)
        return convert(*args, **kwargs)

    monkeypatch.setattr(_api_requestor, "_convert_to_stripe_object", counted)
    project.emulator.clear_log()

    result = project.run("plan", "--env", "staging")

    assert result.exit_code == 0 and "No changes" in result.stdout, result.output
    asked = sorted({r.path for r in project.emulator.request_log})
    assert asked == ["/v1/billing_portal/configurations", "/v1/prices"]
    assert built == []
