"""`--verbose` (issue 21, item 9): each request to Stripe logged on stderr (method, path,
status, request ID, duration, the key masked), retries and 429s with Stripe's reason; never the
key, never taken from the environment, nothing on stdout."""

from __future__ import annotations

import json
import re

import pytest

from portal_config.stripe_api import client
from tests.reliability.servers import Answer, Arrival, forward, serving

from .conftest import PROJECT_FILE, Project
from .fleets import fleet
from .stripe_state import STANDARD

# A key shaped like a real one (sk_test_ and 99 characters), as a user's environment holds it.
REAL_LOOKING = "sk_test_51Nq8WbGx2Lk" + "Zt4Rw0Ve7YpQm3Hs6Jd9Fc1Ua5Ob8Ti2Xn" * 2 + "00kH3mLpQ"
LOGGED = re.compile(
    r"^Stripe: (GET|POST) (/v1/\S+) -> (\d{3}) \((req_\w+), (\d+) ms, key (\S+)\)$", re.M
)


@pytest.fixture
def real_key(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", REAL_LOOKING)
    return project


def test_verbose_logs_each_request_with_its_request_id_and_the_key_masked(
    real_key: Project,
) -> None:
    project = real_key
    project.write("standard.yaml", STANDARD)
    quiet = project.run("plan", "--env", "staging")
    planned = project.run("--verbose", "plan", "--env", "staging")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout == quiet.stdout  # the log is on stderr only
    logged = LOGGED.findall(planned.stderr)
    assert logged, planned.stderr
    method, path, status, request_id, _, key = logged[0]
    assert (method, path.split("?")[0], status) == (
        "GET",
        "/v1/billing_portal/configurations",
        "200",
    )
    assert request_id in {r.request_id for r in project.emulator.request_log}
    assert key == "sk_test_...mLpQ"

    applied = project.run("--verbose", "apply", "--env", "staging")
    assert applied.exit_code == 0, applied.output
    posts = [line for line in LOGGED.findall(applied.stderr) if line[0] == "POST"]
    assert [(p[1].split("?")[0], p[2]) for p in posts] == [
        ("/v1/billing_portal/configurations", "200")
    ]
    for result in (quiet, planned, applied):
        assert REAL_LOOKING not in result.output and REAL_LOOKING[8:] not in result.output
        assert REAL_LOOKING[8:20] not in result.output


def test_verbose_is_never_taken_from_the_environment(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group option, like --debug: PORTAL_CONFIG_VERBOSE (an `ids --format env` key named
    verbose) turns nothing on."""
    monkeypatch.setenv("PORTAL_CONFIG_VERBOSE", "1")
    monkeypatch.setenv("PORTAL_CONFIG_PLAN_VERBOSE", "1")
    project.write("standard.yaml", STANDARD)
    result = project.run("plan", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert "Stripe: GET" not in result.output


def test_verbose_names_a_429s_reason_and_the_retry(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "RETRY_DELAY", 0.002)
    monkeypatch.setattr(client, "RETRY_DELAY_MAX", 0.01)
    relay = forward(project.emulator.url)
    refusal = {"error": {"type": "invalid_request_error", "code": "rate_limit", "message": "Slow"}}

    def first_limited(arrival: Arrival) -> Answer:
        if len(server.arrivals) == 1:
            headers = {
                "Content-Type": "application/json",
                "Request-Id": "req_limited1",
                "Stripe-Rate-Limited-Reason": "endpoint-rate",
            }
            return 429, headers, json.dumps(refusal).encode()
        return relay(arrival)

    with serving(first_limited) as server:
        project.write("portal-config.yaml", PROJECT_FILE.format(url=server.url))
        result = project.run("--verbose", "plan", "--env", "staging")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    limited = next(i for i, line in enumerate(lines) if " -> 429 " in line)
    assert "(req_limited1, " in lines[limited]
    assert lines[limited].endswith(
        ", rate limited: endpoint-rate: more requests a second to one endpoint than Stripe allows)"
    ), lines[limited]
    assert re.fullmatch(r"Stripe: retry 1 of 4 in \d+ ms", lines[limited + 1]), lines
    assert " -> 200 (req_" in lines[limited + 2]


def test_verbose_says_when_a_request_got_no_answer(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "RETRY_DELAY", 0.002)
    monkeypatch.setattr(client, "RETRY_DELAY_MAX", 0.01)
    with serving(forward(project.emulator.url)) as server:
        closed = server.url
    project.write("portal-config.yaml", PROJECT_FILE.format(url=closed))  # nothing listens
    result = project.run("--verbose", "plan", "--env", "staging")
    assert result.exit_code == 1
    failed = [line for line in result.stderr.splitlines() if " -> no answer (" in line]
    assert len(failed) == client.RETRIES + 1, result.stderr
    assert failed[0].startswith("Stripe: GET /v1/billing_portal/configurations?")
    assert failed[0].endswith(", key sk_test_...p7dc): Connection refused"), failed[0]


def test_verbose_names_a_fleets_account_on_each_of_its_requests(project: Project) -> None:
    accounts = fleet(project, size=2, others=0)
    result = project.run("--verbose", "plan", "--env", "fleet")
    assert result.exit_code == 0, result.output
    named = {m.group(1) for m in re.finditer(r", account (acct_\w+)\)$", result.stderr, re.M)}
    assert named == set(accounts)
