"""The published JSON Schema of `plan --format json` (issue 21, item 9): printed by `schema --kind
plan-output`, shipped in the package, named by its format_version, and every real plan JSON (one
environment, several, a fleet, one with problems, a saved plan shown) is valid against it."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from portal_config.jsontypes import JSON_FORMAT_VERSION
from tests.ci.conftest import ROOT
from tests.support.cli import run_cli

from .fleets import fleet
from .stripe_state import BASIC, STANDARD, client

SHIPPED = f"data/plan-output.v{JSON_FORMAT_VERSION}.schema.json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    printed = run_cli("schema", "--kind", "plan-output")
    assert printed.exit_code == 0, printed.output
    document: dict[str, Any] = json.loads(printed.stdout)
    Draft202012Validator.check_schema(document)
    return document


def valid(schema: dict[str, Any], output: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(output)
    errors = [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(schema).iter_errors(document)
    ]
    assert errors == []
    return document


def test_the_schema_printed_is_the_one_shipped_and_names_its_format_version(
    schema: dict[str, Any],
) -> None:
    shipped = resources.files("portal_config").joinpath(SHIPPED).read_text(encoding="utf-8")
    assert json.loads(shipped) == schema
    assert schema["$id"].endswith(f"/portal-config.plan-output.v{JSON_FORMAT_VERSION}.schema.json")
    assert schema["properties"]["format_version"] == {"const": JSON_FORMAT_VERSION}


def test_plans_of_every_kind_of_change_are_valid(
    schema: dict[str, Any], project: Any, tmp_path: Any
) -> None:
    project.write("standard.yaml", STANDARD)
    project.write("basic.yaml", BASIC)
    assert project.run("apply", "--env", "staging").exit_code == 0
    project.write("basic.yaml", BASIC.replace("Basic", "Basic plus"))
    project.remove("standard.yaml")
    client(project).v1.billing_portal.configurations.create(
        {"name": "Dashboard portal", "features": {"invoice_history": {"enabled": True}}}
    )
    planned = project.run("plan", "--all", "--prune", "--format", "json")
    document = valid(schema, planned.stdout)
    changes = [c["action"] for e in document["environments"] for c in e["changes"]]
    assert sorted(changes) == ["create", "deactivate", "update"]  # prod: basic alone
    assert document["environments"][0]["unmanaged"][0]["name"] == "Dashboard portal"

    saved = tmp_path / "plan.json"
    assert project.run("plan", "--env", "staging", "--out", str(saved)).exit_code == 0
    valid(schema, project.run("show", str(saved), "--format", "json").stdout)
    assert valid(schema, project.run("plan", "--env", "prod", "--format", "json").stdout)


def test_a_plan_with_problems_is_valid(schema: dict[str, Any], project: Any) -> None:
    project.write("standard.yaml", STANDARD + "ids: {staging: bpc_gone}\n")
    planned = project.run("plan", "--env", "staging", "--format", "json")
    assert planned.exit_code == 1
    document = valid(schema, planned.stdout)
    assert document["summary"]["problems"] == 1


def test_a_fleets_plan_is_valid(schema: dict[str, Any], project: Any) -> None:
    fleet(project, size=3, others=1)
    planned = project.run("plan", "--env", "fleet", "--format", "json")
    assert planned.exit_code == 0, planned.output
    document = valid(schema, planned.stdout)
    assert document["fleets"][0]["accounts"] == 3
    assert {e["account"] for e in document["environments"]} != {None}


@pytest.mark.parametrize(
    "broken",
    [
        lambda d: d.update(format_version=JSON_FORMAT_VERSION + 1),
        lambda d: d.pop("summary"),
        lambda d: d["environments"][0]["changes"][0].update(action="delete"),
        lambda d: d["environments"][0].update(mode="sandbox-ish"),
    ],
)
def test_what_is_not_such_a_plan_is_invalid(
    schema: dict[str, Any], project: Any, broken: Any
) -> None:
    project.write("standard.yaml", STANDARD)
    document = json.loads(project.run("plan", "--env", "staging", "--format", "json").stdout)
    broken(document)
    assert list(Draft202012Validator(schema).iter_errors(document))


def test_each_release_attaches_the_schema_where_its_id_points(schema: dict[str, Any]) -> None:
    """The $id names a release asset; the release workflow attaches the printed schema under
    the last part of its $id."""
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    assert "schema --kind plan-output > plan-output.json" in workflow
    assert """mv plan-output.json "schemas/$(jq -r '."$id" | split("/") | last'""" in workflow
    assert schema["$id"].startswith("https://github.com/OWNER/portal-config/releases/")
