"""planfile.py: a saved plan loads back as it was made, for its project and version only, and
is refused once Stripe changed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from portal_config import render
from portal_config.errors import Location, PlanStaleError, PortalConfigError, Problem
from portal_config.plan import EnvPlan, Plan, plan_environment
from portal_config.planfile import load, refuse_if_stale, save

from .samples import desired, stripe_config

PROBLEM = Problem(Location("configs/x.yaml", 3, 5), "ids pins bpc_gone, which does not exist")


def planned() -> Plan:
    """Every kind of change and note, in two environments."""
    current = [stripe_config("bpc_1", "std", name="Old"), stripe_config("bpc_2", "old"),
               stripe_config("bpc_3", "gone"), stripe_config("bpc_4", application="ca_x"),
               stripe_config("bpc_5", "kept", is_default=True), stripe_config("bpc_9"),
               stripe_config("bpc_6", "ret")]
    files = [desired("std", {"name": "New", "features": {"customer_update": {
                 "enabled": True, "allowed_updates": ["email", "address"]}}}),
             desired("new", {"name": "N"}), desired("ret", {"active": False}),
             desired("pin", pinned="bpc_9")]
    local = plan_environment("acme", "local", "test", files, current, adopt=True)
    local.changes.append(plan_environment("acme", "local", "test", [], current[1:2],
                                          prune=True).changes[0])
    local.prunable = [("gone", "bpc_3")]
    local.labels = {"price_1": "lookup_key:pro"}
    prod = plan_environment("acme", "prod", "live", files[:1], [])
    return Plan("acme", [local, prod])


def saved(plan: Plan, tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    save(plan, path)
    return path


def test_a_saved_plan_loads_back_as_it_was_made(tmp_path: Path) -> None:
    plan = planned()
    assert {c.action for c in plan.changes} == {"create", "update", "adopt", "deactivate"}
    loaded = load(saved(plan, tmp_path), "acme")
    assert loaded.project == "acme"
    # what the plan was made from (bindings) is not saved; everything else is
    assert [dataclasses.replace(e, bindings=[]) for e in plan.envs] == loaded.envs
    assert render.text(loaded) == render.text(plan)


def test_saving_twice_writes_the_same_file(tmp_path: Path) -> None:
    first = saved(planned(), tmp_path).read_text()
    assert saved(planned(), tmp_path).read_text() == first


def test_a_plan_file_of_another_project_is_refused(tmp_path: Path) -> None:
    path = saved(planned(), tmp_path)
    with pytest.raises(PortalConfigError, match="was made for project 'acme', not 'other'"):
        load(path, "other")


@pytest.mark.parametrize("change", [{"version": 2}, {"format": "terraform-plan"}])
def test_a_file_of_another_format_or_version_is_refused(tmp_path: Path,
                                                        change: dict[str, object]) -> None:
    path = saved(planned(), tmp_path)
    path.write_text(json.dumps({**json.loads(path.read_text()), **change}))
    with pytest.raises(PortalConfigError, match="not a portal-config plan file of version 1: "
                                                "make it again with `plan --out`"):
        load(path, "acme")


def test_an_unreadable_file_says_how_to_make_one(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{not json")
    with pytest.raises(PortalConfigError, match="cannot read the plan file .*plan --out FILE"):
        load(path, "acme")
    with pytest.raises(PortalConfigError, match="cannot read the plan file"):
        load(tmp_path / "missing.json", "acme")


def test_a_file_saved_before_default_kept_existed_loads(tmp_path: Path) -> None:
    path = saved(planned(), tmp_path)
    document = json.loads(path.read_text())
    for env in document["environments"]:
        del env["default_kept"]
    path.write_text(json.dumps(document))
    assert [e.default_kept for e in load(path, "acme").envs] == [[], []]


def test_a_plan_is_stale_when_any_environments_configurations_changed(tmp_path: Path) -> None:
    plan = load(saved(planned(), tmp_path), "acme")
    now = {e.env: e.stripe_fingerprint for e in plan.envs}
    refuse_if_stale(plan, now)  # unchanged: applies
    with pytest.raises(PlanStaleError, match=r"configurations in prod changed since it was made. "
                                             "Nothing was written"):
        refuse_if_stale(plan, {**now, "prod": "0" * 16})
    with pytest.raises(PlanStaleError, match="configurations in local, prod changed"):
        refuse_if_stale(plan, {})


def test_saved_problems_load_back_as_problems(tmp_path: Path) -> None:
    plan = Plan("acme", [EnvPlan("local", "test", problems=[PROBLEM])])
    loaded = load(saved(plan, tmp_path), "acme")
    assert loaded.envs[0].problems == [PROBLEM]
    assert "  local: configs/x.yaml:3:5: ids pins bpc_gone, which does not exist" in render.text(loaded).splitlines()
