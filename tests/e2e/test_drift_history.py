"""Drift with its story: when plan finds drift it reads Stripe's configuration events (one request
per page, only then) and says per drifted field when it changed, its value before and whether
portal-config or something outside it made the change, with the event's ID (issue 23, item 3).
Run under the documented behaviour only (not in conftest.PARAMETRIZED_MODULES)."""

from __future__ import annotations

import html
import json
import re
import time
from datetime import datetime, timezone
from typing import Any

from .fleets import fleet
from .stripe_state import STANDARD, applied, by_key, client, dashboard_edit

OLD_HEADLINE = "Acme partners with Stripe for simplified billing."
EDITED = "Edited in the Dashboard"
TWO_HOURS = 2 * 3600
UPDATED = "billing_portal.configuration.updated"


def update_events(project: Any) -> list[dict[str, Any]]:
    """The configuration update events Stripe holds for staging (test mode), newest first."""
    stripe_client = client(project)
    answer = stripe_client.raw_request("get", "/v1/events", type=UPDATED, limit=100)
    return stripe_client.deserialize(answer, api_mode="V1").to_dict()["data"]


def events_requests(project: Any) -> list[Any]:
    return [r for r in project.emulator.request_log if r.path == "/v1/events"]


def edited_two_hours_ago(project: Any) -> dict[str, Any]:
    """STANDARD applied to staging, then its headline edited in the Dashboard two hours ago (the
    SDK without portal-config's idempotency key); the edit's event."""
    project.write("standard.yaml", STANDARD)
    applied(project, "staging")
    project.emulator.clock_offset = -TWO_HOURS
    dashboard_edit(project, "standard", {"business_profile": {"headline": EDITED}})
    project.emulator.clock_offset = 0
    (event,) = update_events(project)
    return event


def iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_read(markdown: str) -> str:
    """The markdown as a reader of the comment sees it: no tags, entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", markdown))


def plan_json(project: Any, *options: str) -> dict[str, Any]:
    """`plan --format json` of staging, or of the `--env` among `options`."""
    env = () if "--env" in options else ("--env", "staging")
    result = project.run("plan", *env, "--format", "json", *options)
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_a_dashboard_edit_two_hours_ago_is_told_with_its_time_value_before_and_origin(
    project: Any,
) -> None:
    event = edited_two_hours_ago(project)
    assert abs(event["created"] - (time.time() - TWO_HOURS)) < 60
    project.emulator.clear_log()

    (env,) = plan_json(project)["environments"]
    (change,) = env["changes"]
    assert change["history"] == [
        {
            "path": "business_profile.headline",
            "changed_at": iso(event["created"]),
            "before": OLD_HEADLINE,
            "by": "outside portal-config",
            "event": event["id"],
            "request": event["request"]["id"],
        }
    ]
    assert env["history_unavailable"] is None
    assert len(events_requests(project)) == 1  # drift: one page of events

    markdown = project.run("plan", "--env", "staging", "--format", "markdown")
    assert markdown.exit_code == 0, markdown.output
    row = (
        f'| business_profile.headline | {iso(event["created"])} | "{OLD_HEADLINE}" | '
        f"outside portal-config | {event['id']} |"
    )
    assert row in as_read(markdown.stdout)

    text = project.run("plan", "--env", "staging")
    assert (
        f"    history: business_profile.headline changed {iso(event['created'])}, outside "
        f'portal-config ({event["id"]}); before: "{OLD_HEADLINE}"'
    ) in text.stdout


def test_an_applys_own_write_is_told_as_portal_configs(project: Any) -> None:
    project.write("standard.yaml", STANDARD)
    applied(project, "staging")
    project.write("standard.yaml", STANDARD.replace(OLD_HEADLINE, "Second headline."))
    applied(project, "staging")  # an update: its event carries apply's idempotency key
    (event,) = update_events(project)
    assert event["request"]["idempotency_key"].startswith("portal-config-")
    project.write("standard.yaml", STANDARD.replace(OLD_HEADLINE, "Third headline."))

    (env,) = plan_json(project)["environments"]
    (change,) = env["changes"]
    (told,) = change["history"]
    assert (told["path"], told["before"], told["by"], told["event"]) == (
        "business_profile.headline",
        OLD_HEADLINE,
        "portal-config",
        event["id"],
    )


def test_a_plan_without_drift_reads_no_events_and_no_history_reads_none(
    project: Any, monkeypatch: Any
) -> None:
    project.write("standard.yaml", STANDARD)
    applied(project, "staging")
    project.emulator.clear_log()
    clean = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert clean.exit_code == 0, clean.output
    assert events_requests(project) == []

    dashboard_edit(project, "standard", {"business_profile": {"headline": EDITED}})
    project.emulator.clear_log()
    (env,) = plan_json(project, "--no-history")["environments"]
    assert env["changes"][0]["history"] == []
    assert events_requests(project) == []
    monkeypatch.setenv("PORTAL_CONFIG_PLAN_NO_HISTORY", "1")  # as options may be given
    (env,) = plan_json(project)["environments"]
    assert env["changes"][0]["history"] == []
    assert events_requests(project) == []


def test_a_plan_with_drift_reads_one_request_per_page_of_events(project: Any) -> None:
    project.write("standard.yaml", STANDARD)
    applied(project, "staging")
    config_id = by_key(project)["standard"]["id"]
    path, api = f"/v1/billing_portal/configurations/{config_id}", project.emulator.api
    for n in range(150):  # edits of a key no file manages: events, but no drift
        api.call("POST", path, {"metadata": {"n": str(n)}})
    project.emulator.clear_log()
    assert project.run("plan", "--env", "staging", "--detailed-exitcode").exit_code == 0
    assert events_requests(project) == []

    dashboard_edit(project, "standard", {"business_profile": {"headline": EDITED}})
    project.emulator.clear_log()
    (env,) = plan_json(project)["environments"]
    assert env["changes"][0]["history"][0]["by"] == "outside portal-config"
    pages = events_requests(project)
    assert len(pages) == 2  # 152 update events, 100 a page
    assert [p.query.get("starting_after") is None for p in pages] == [True, False]
    assert {p.query["type"] for p in pages} == {UPDATED}
    assert all(int(p.query["created"]["gte"]) > time.time() - 31 * 24 * 3600 for p in pages)


def test_an_events_read_that_fails_leaves_the_plan_saying_the_history_is_unavailable(
    project: Any,
) -> None:
    edited_two_hours_ago(project)
    refused = {
        "error": {
            "type": "invalid_request_error",
            "message": "The provided key does not have the required permissions for this "
            "endpoint. Having the 'rak_event_read' permission would allow this request.",
        }
    }
    fault = {"method": "GET", "path_prefix": "/v1/events", "status": 403, "answer": refused}
    project.emulator.faults.configure({"script": [fault]})

    result = project.run("plan", "--env", "staging", "--format", "markdown", "--detailed-exitcode")
    assert result.exit_code == 2, result.output  # the drift, as without history
    assert "when and by whom the drift was made is unavailable" in result.stdout
    assert "'rak_event_read' permission" in as_read(result.stdout)
    assert "Traceback" not in result.output


def test_a_fleet_reads_the_events_of_the_drifted_accounts_only(project: Any) -> None:
    kept = fleet(project, size=3, others=0)
    applied(project, "fleet")
    drifted = kept[1]
    configurations = client(project, account=drifted).v1.billing_portal.configurations
    (config,) = configurations.list().data
    configurations.update(config.id, {"business_profile": {"headline": EDITED}})
    project.emulator.clear_log()

    document = plan_json(project, "--env", "fleet")
    (env,) = [e for e in document["environments"] if e["changes"]]
    assert env["account"] == drifted
    (told,) = env["changes"][0]["history"]
    assert (told["path"], told["by"]) == ("business_profile.headline", "outside portal-config")
    assert [r.account for r in events_requests(project)] == [drifted]
