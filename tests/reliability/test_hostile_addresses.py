"""Where the key goes, proved on the wire: a project file that names one server but makes the
HTTP stack dial another, and a server that answers with a redirect, each against real listening
sockets. The key reaches no other server, nothing is written, and the command exits 1 with one
clear message."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.e2e.conftest import Project
from tests.e2e.stripe_state import BASIC, configurations

from .servers import Answer, Arrival, LoopbackServer, forward, serving

PROJECT = "configs/portal-config.yaml"
EMPTY_LIST = {"object": "list", "data": [], "has_more": False, "url": "/v1/x"}


def empty_list(arrival: Arrival) -> Answer:
    """What a server that wanted apply to create duplicates would answer to anything."""
    return 200, {"Content-Type": "application/json"}, json.dumps(EMPTY_LIST).encode()


@pytest.fixture
def evil() -> Iterator[LoopbackServer]:
    """A second loopback server, which the key must never reach."""
    with serving(empty_list) as server:
        yield server


def point_staging_at(project: Project, address: str) -> None:
    """staging's api_base (the project file's line 7, column 15) set to `address`."""
    text = (project.configs / "portal-config.yaml").read_text()
    project.write("portal-config.yaml", text.replace(project.emulator.url, address, 1))


@pytest.mark.parametrize("command", ["plan", "apply", "doctor", "ids"])
def test_an_address_that_dials_another_host_sends_it_nothing(
    project: Project, evil: LoopbackServer, command: str
) -> None:
    # urllib.parse reads this as the emulator (after the '@'); urllib3, which requests dials
    # with, as `evil` (the backslash ends its host).
    project.write("basic.yaml", BASIC)
    address = f"{evil.url}\\@{project.emulator.url.removeprefix('http://')}"
    point_staging_at(project, address)
    result = project.run(command, "--env", "staging")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert (
        f"{PROJECT}:7:15: environment 'staging': api_base must be a server address, "
        "scheme://host[:port]"
    ) in result.output
    assert "'\\' has no place in one" in result.output
    assert evil.authorized() == [] and evil.arrivals == []
    assert project.emulator.request_log == []


def test_a_host_not_allowed_is_refused_at_its_line(project: Project) -> None:
    point_staging_at(project, "https://evil.example")
    result = project.run("plan", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert (
        f"{PROJECT}:7:15: environment 'staging': refusing to send the API key to "
        "https://evil.example. A key goes only to https://api.stripe.com"
    ) in result.stderr
    assert project.emulator.request_log == []


@contextmanager
def in_front(
    project: Project, method: str, status: int, to: LoopbackServer
) -> Iterator[LoopbackServer]:
    """A server in front of the emulator, as staging's api_base: it answers each `method`
    request with a redirect (`status`) to the same path on `to`, and relays the others."""
    relay = forward(project.emulator.url)

    def answer(arrival: Arrival) -> Answer:
        if arrival.method == method:
            return status, {"Location": f"{to.url}{arrival.path}"}, b""
        return relay(arrival)

    with serving(answer) as front:
        point_staging_at(project, front.url)
        yield front


@pytest.mark.parametrize("command", ["plan", "apply", "doctor"])
def test_a_redirect_is_an_error_and_is_never_followed(
    project: Project, evil: LoopbackServer, command: str
) -> None:
    project.write("basic.yaml", BASIC)
    assert project.run("apply", "--env", "staging").exit_code == 0
    project.emulator.clear_log()
    with in_front(project, "GET", 302, evil) as front:  # to `evil`, which says: an empty account
        result = project.run(command, "--env", "staging")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output
    assert f"{front.url} answered HTTP 302 (a redirect to {evil.url}/v1/" in result.output
    assert "Stripe's API never redirects" in result.output
    assert evil.arrivals == []  # not followed: no request, with or without the key
    assert [a.method for a in front.arrivals] == ["GET"]  # not retried either
    assert len(configurations(project)) == 1  # never an empty account, so nothing created twice
    assert project.writes() == []


def test_a_write_answered_with_a_redirect_is_uncertain_and_never_repeated_elsewhere(
    project: Project, evil: LoopbackServer
) -> None:
    # A 307 asks for the same POST, body and all, at the new address.
    project.write("basic.yaml", BASIC)
    with in_front(project, "POST", 307, evil) as front:
        result = project.run("apply", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert "Uncertain: create basic (new) in staging" in result.stdout
    assert "answered HTTP 307" in result.stdout and "Stripe's API never redirects" in result.stdout
    assert evil.arrivals == []
    assert [a.method for a in front.arrivals].count("POST") == 1
    assert configurations(project) == []
