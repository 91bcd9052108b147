"""Issue 24: a fleet's work per account is that account's own. The schema checks each file once,
with stand-ins for `${account.*}` (as validate does), and each account only where its own
values are; requests share one pool of workers instead of a thread each."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft7Validator

from portal_config.project import schema
from tests.e2e.conftest import Project

from .fleets import fleet


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every value portal-config checks against a schema of its files (not the emulator's)."""
    seen: list[Any] = []
    validator = schema._validator

    class Spied:
        def __init__(self, node: Any):
            self.validator: Draft7Validator = validator(node)

        def iter_errors(self, instance: Any) -> Iterator[Any]:
            seen.append(instance)
            return self.validator.iter_errors(instance)

    monkeypatch.setattr(schema, "_validator", Spied)
    return seen


def _objects_checked(project: Project, checked: list[Any], kept: list[str]) -> list[Any]:
    """The objects a plan of the fleet checks against a schema (each account's own values
    checked, each alone)."""
    checked.clear()
    result = project.run("plan", "--env", "fleet")
    assert result.exit_code == 0, result.output
    size = len(kept)
    assert f"Fleet fleet: {size} account(s): 0 in sync, {size} with changes." in result.stdout
    assert {f"Portal of {a}" for a in kept} <= {v for v in checked if isinstance(v, str)}
    return [v for v in checked if isinstance(v, dict)]


def test_the_schema_checks_each_file_once_and_each_account_only_at_its_values(
    project: Project, checked: list[Any]
) -> None:
    kept = fleet(project, size=2, others=0)
    few = _objects_checked(project, checked, kept)
    kept += project.emulator.add_connected_accounts(
        6, metadata=lambda i: {"portal": "managed", "app_url": f"https://more{i}.example"}
    )
    many = _objects_checked(project, checked, kept)
    assert len(many) == len(few)  # the files' whole checks: as many for 8 accounts as for 2


def test_an_account_value_the_schema_refuses_is_named_where_the_file_uses_it(
    project: Project,
) -> None:
    fleet(project, size=2, others=0)
    (long_name,) = project.emulator.add_connected_accounts(
        1, metadata={"portal": "managed"}, business_profile={"name": "L" * 70}
    )
    project.write(
        "tenant.yaml",
        'name: "Portal of ${account.id}"\n'
        "business_profile:\n"
        '  headline: "${account.business_profile.name}"\n'
        "features: {invoice_history: {enabled: true}}\n",
    )
    result = project.run("plan", "--env", "fleet")
    assert result.exit_code == 1, result.output
    assert "tenant.yaml:3:13: business_profile.headline:" in result.output
    assert long_name in result.output


def test_requests_share_a_pool_of_workers_not_a_thread_each(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet(project, size=8, others=0)
    started: list[str] = []
    start = threading.Thread.start

    def counted(self: threading.Thread) -> None:
        started.append(self.name)
        start(self)

    monkeypatch.setattr(threading.Thread, "start", counted)
    result = project.run("plan", "--env", "fleet", "--parallelism", "2")
    assert result.exit_code == 0, result.output
    requests = [r for r in project.emulator.request_log if r.path.startswith("/v1/")]
    assert len(requests) >= 9  # the account list, then each account's configurations
    # each request's deadline kept without a thread of its own: 2 at once, the pool's at most
    assert len([n for n in started if n.startswith("portal-config-request")]) <= 2
