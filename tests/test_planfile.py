"""planfile.py: a saved plan loads back as it was made, for its project and version only; a
damaged or edited file is one clear refusal; once Stripe changed, the refusal names what did."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from portal_config import render
from portal_config.errors import Location, PlanStaleError, PortalConfigError, Problem
from portal_config.planning.plan import EnvPlan, Plan, plan_environment
from portal_config.planning.planfile import load as load_with_modes
from portal_config.planning.planfile import refuse_if_stale, save

from .support.samples import desired, stripe_config

MODES = {"local": "test", "prod": "live", "qa": "test"}
PROBLEM = Problem(Location("configs/x.yaml", 3, 5), "ids pins bpc_gone, which does not exist")


def load(path: Path, project: str, modes: dict[str, str] = MODES) -> Plan:
    return load_with_modes(path, project, modes)


def current() -> list[dict[str, Any]]:
    """What Stripe lists in local when planned()'s plan is made."""
    return [
        stripe_config("bpc_1", "std", name="Old"),
        stripe_config("bpc_2", "old"),
        stripe_config("bpc_3", "gone"),
        stripe_config("bpc_4", application="ca_x"),
        stripe_config("bpc_5", "kept", is_default=True),
        stripe_config("bpc_9"),
        stripe_config("bpc_6", "ret"),
    ]


def planned() -> Plan:
    """Every kind of change and note, in two environments."""
    listed = current()
    files = [
        desired(
            "std",
            {
                "name": "New",
                "features": {
                    "customer_update": {"enabled": True, "allowed_updates": ["email", "address"]}
                },
            },
        ),
        desired("new", {"name": "N"}),
        desired("ret", {"active": False}),
        desired("pin", pinned="bpc_9"),
    ]
    local = plan_environment("acme", "local", "test", files, listed, adopt=True)
    pruned = plan_environment("acme", "local", "test", [], listed[1:2], prune=True).changes[0]
    local = dataclasses.replace(
        local,
        changes=(*local.changes, pruned),
        prunable=(("gone", "bpc_3"),),
        labels={"price_1": "lookup_key:pro"},
    )
    prod = plan_environment("acme", "prod", "live", files[:1], [])
    return Plan("acme", (local, prod))


def saved(plan: Plan, tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    save(plan, path)
    return path


def test_a_saved_plan_loads_back_as_it_was_made(tmp_path: Path) -> None:
    plan = planned()
    assert {c.action for c in plan.changes} == {"create", "update", "adopt", "deactivate"}
    loaded = load(saved(plan, tmp_path), "acme")
    assert loaded.project == "acme"
    # what the plan was made from (bindings) is not saved; everything else is, the
    # fingerprints of what was listed in place of the list
    made = tuple(
        dataclasses.replace(e, bindings=(), saved_fingerprints=e.fingerprints) for e in plan.envs
    )
    assert made == loaded.envs
    assert render.text(loaded) == render.text(plan)


def test_saving_twice_writes_the_same_file(tmp_path: Path) -> None:
    first = saved(planned(), tmp_path).read_text()
    assert saved(planned(), tmp_path).read_text() == first


def test_a_plan_file_of_another_project_is_refused(tmp_path: Path) -> None:
    path = saved(planned(), tmp_path)
    with pytest.raises(PortalConfigError, match="was made for project 'acme', not 'other'"):
        load(path, "other")


@pytest.mark.parametrize("change", [{"version": 1}, {"version": 3}, {"format": "terraform-plan"}])
def test_a_file_of_another_format_or_version_is_refused(
    tmp_path: Path, change: dict[str, object]
) -> None:
    path = saved(planned(), tmp_path)
    path.write_text(json.dumps({**json.loads(path.read_text()), **change}))
    with pytest.raises(
        PortalConfigError,
        match="not a portal-config plan file of version 2: "
        "make it again with `portal-config plan --out`",
    ):
        load(path, "acme")


def test_an_unreadable_file_says_how_to_make_one(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{not json")
    with pytest.raises(PortalConfigError, match="cannot read the plan file .*plan --out FILE"):
        load(path, "acme")
    with pytest.raises(PortalConfigError, match="cannot read the plan file"):
        load(tmp_path / "missing.json", "acme")
    path.write_text("[]")
    with pytest.raises(PortalConfigError, match="not a portal-config plan file of version 2"):
        load(path, "acme")


def test_a_file_saved_before_default_kept_existed_loads(tmp_path: Path) -> None:
    path = saved(planned(), tmp_path)
    document = json.loads(path.read_text())
    for env in document["environments"]:
        del env["default_kept"]
    path.write_text(json.dumps(document))
    assert [e.default_kept for e in load(path, "acme").envs] == [(), ()]


def test_a_stale_plan_names_each_configuration_that_changed_appeared_or_went(
    tmp_path: Path,
) -> None:
    plan = load(saved(planned(), tmp_path), "acme")
    now = {"local": current(), "prod": []}
    refuse_if_stale(plan, now)  # unchanged: applies
    listed = current()
    listed[0]["name"] = "Edited in the Dashboard"  # std, the plan updates it
    listed[5]["updated"] = 1999999999  # bpc_9: the plan adopts it under the key pin
    del listed[2]  # gone, the file of which is gone
    listed.append(stripe_config("bpc_new", name="Clicked together"))
    with pytest.raises(PlanStaleError) as raised:
        refuse_if_stale(plan, {**now, "local": listed})
    assert str(raised.value) == (
        "the saved plan is stale: in local, std (bpc_1) and pin (bpc_9) changed in Stripe since "
        "the plan was made; 'Clicked together' (bpc_new) is new; gone (bpc_3) is gone. Nothing "
        "was written; run `portal-config plan --out` again, review it, and apply that."
    )
    with pytest.raises(PlanStaleError, match=r"stale: in prod, bpc_x is new. Nothing"):
        refuse_if_stale(plan, {**now, "prod": [stripe_config("bpc_x")]})
    with pytest.raises(
        PlanStaleError,
        match=r"in local, std \(bpc_1\), old \(bpc_2\), gone "
        r"\(bpc_3\), bpc_4, kept \(bpc_5\), ret \(bpc_6\) "
        r"and pin \(bpc_9\) are gone. Nothing",
    ):
        refuse_if_stale(plan, {"prod": []})


def document_of(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = saved(planned(), tmp_path)
    return path, json.loads(path.read_text())


def edited(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document))
    return path


def moved_to_local(document: dict[str, Any]) -> None:
    """A prod change moved into the local entry (its own entry emptied)."""
    local, prod = document["environments"]
    local["changes"].append(prod["changes"].pop())


def wrong_type(document: dict[str, Any]) -> None:
    document["environments"][0]["changes"][1]["params"] = "name=Evil"


def missing(document: dict[str, Any]) -> None:
    del document["environments"][1]["labels"]


def unknown_env(document: dict[str, Any]) -> None:
    document["environments"][1]["name"] = "staging"
    for change in document["environments"][1]["changes"]:
        change["env"] = "staging"


def twice(document: dict[str, Any]) -> None:
    document["environments"][1] = document["environments"][0]


def mode(document: dict[str, Any]) -> None:
    document["environments"][1]["mode"] = "test"  # prod's writes would skip the live gate


def retargeted(document: dict[str, Any]) -> None:
    document["environments"][0]["changes"][2]["id"] = "bpc_4"  # another application's


def unexpected(document: dict[str, Any]) -> None:
    document["environments"][0]["stripe_fingerprint"] = "0" * 16


def bad_fingerprint(document: dict[str, Any]) -> None:
    document["environments"][0]["fingerprints"]["bpc_1"] = 7


def bad_level(document: dict[str, Any]) -> None:
    document["environments"][0]["problems"] = [
        {"file": "x.yaml", "line": 1, "col": 1, "message": "m", "level": "fatal"}
    ]


def unreadable_field(document: dict[str, Any]) -> None:
    products = "features.subscription_update.products"
    document["environments"][0]["changes"][1]["fields"][0] = {
        "path": products,
        "old": 3,
        "new": [1],
    }


@pytest.mark.parametrize(
    ("tamper", "where", "what"),
    [
        (
            moved_to_local,
            "environments[0].changes[5].env",
            "'prod' in the entry of environment 'local' (a change belongs to its own)",
        ),
        (wrong_type, "environments[0].changes[1].params", "must be object, not 'name=Evil'"),
        (missing, "environments[1]", "'labels' is missing"),
        (
            unknown_env,
            "environments[1].name",
            "environment 'staging' is not in the project file (it has local, prod, qa)",
        ),
        (twice, "environments[1].name", "environment 'local' appears twice"),
        (mode, "environments[1].mode", "'test', but 'prod' is live mode in the project file"),
        (
            retargeted,
            "environments[0].changes[2].id",
            "bpc_4 was not listed in local as this change found it when the plan was made",
        ),
        (
            unexpected,
            "environments[0]",
            "Additional properties are not allowed ('stripe_fingerprint' was unexpected)",
        ),
        (bad_fingerprint, "environments[0].fingerprints.bpc_1", "must be string, not the number 7"),
        (
            bad_level,
            "environments[0].problems[0].level",
            'must be "error" or "warning", not \'fatal\'',
        ),
        (unreadable_field, "environments[0].changes[1]", "cannot be read"),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_a_damaged_or_edited_plan_file_is_one_clear_refusal(
    tmp_path: Path, tamper: Any, where: str, what: str
) -> None:
    path, document = document_of(tmp_path)
    tamper(document)
    with pytest.raises(PortalConfigError) as raised:
        load(edited(path, document), "acme")
    assert str(raised.value).startswith(f"{path}: {where}: {what}")
    assert str(raised.value).endswith(
        ". The file was changed after it was saved; make it again "
        "with `portal-config plan --out`, review it, and apply that"
    )


def test_saved_problems_load_back_as_problems(tmp_path: Path) -> None:
    plan = Plan("acme", [EnvPlan("local", "test", problems=[PROBLEM])])
    loaded = load(saved(plan, tmp_path), "acme")
    assert loaded.envs[0].problems == (PROBLEM,)
    lines = render.text(loaded).splitlines()
    assert "  local: configs/x.yaml:3:5: ids pins bpc_gone, which does not exist" in lines
