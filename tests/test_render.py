"""render.py: a Plan as text for people, markdown for a pull request, JSON for machines."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import click
import pytest

from portal_config import render
from portal_config.errors import Location, Problem
from portal_config.planning.changes import Adopt, Deactivate, FieldChange
from portal_config.planning.match import Desired
from portal_config.planning.plan import EnvPlan, Plan, plan_environment
from portal_config.render.machine import as_json
from portal_config.render.markdown import markdown

from .support.samples import desired, stripe_config

PRODUCTS = "features.subscription_update.products"
PROBLEM = Problem(Location("configs/x.yaml", 3, 5), "ids pins bpc_gone, which does not exist")


def env_plan(
    files: list[Desired], current: list[dict[str, Any]], env: str = "local", **kw: Any
) -> EnvPlan:
    return plan_environment("acme", env, "test", files, current, **kw)


def plan_of(*envs: EnvPlan) -> Plan:
    return Plan("acme", list(envs))


def one_of_each() -> EnvPlan:
    """A create, an update of products and name, a deactivation, and every kind of note."""
    std = stripe_config("bpc_1", "std", name="Old")
    std["features"]["subscription_update"]["products"] = [
        {"product": "prod_a", "prices": ["price_0"]}
    ]
    current = [
        std,
        stripe_config("bpc_2", "old"),
        stripe_config("bpc_3", name="Legacy"),
        stripe_config("bpc_4", application="ca_x"),
        stripe_config("bpc_5", "gone", is_default=True),
        stripe_config("bpc_6", "ret"),
    ]
    products = [{"product": "prod_a", "prices": ["price_1"]}]
    env = env_plan(
        [
            desired(
                "std", {"name": "New", "features": {"subscription_update": {"products": products}}}
            ),
            desired("new", {"name": "N"}),
            desired("ret", {"active": False}),
        ],
        current,
    )
    env = dataclasses.replace(env, labels={"price_1": "lookup_key:pro"})
    return env


def test_each_change_has_a_header_saying_what_happens_and_its_fields() -> None:
    lines = render.text(plan_of(one_of_each())).splitlines()
    assert lines[2:18] == [
        "+ new in local will be created",
        "    # A new portal: every feature off (Stripe's defaults)",
        '    name: "N"',
        "",
        "~ std (bpc_1) in local will be updated in place",
        "    # Customers can now switch to pro",
        "    # Customers can no longer switch to prod_a (price_0)",
        f"    {PRODUCTS}:",
        "      - prod_a: price_0",
        "      + prod_a: lookup_key:pro (price_1)",
        '    name: "Old" -> "New"',
        "",
        "- ret (bpc_6) in local will be DEACTIVATED: portal sessions created with bpc_6 will fail",
        "    # Portal sessions created with this configuration will fail",
        "    active: true -> false",
        "",
    ]
    assert lines[-1] == "Plan: 1 to create, 1 to update, 1 to deactivate."


def test_headers_of_an_adopt_the_default_and_a_deactivation_without_an_id() -> None:
    adopt = Adopt(
        "prod",
        "std",
        "bpc_9",
        "configs/std.yaml",
        (FieldChange("metadata.portal_config_key", None, "std"),),
        {},
        "f",
        is_default=True,
    )
    retire = Deactivate(
        "local",
        "std",
        None,
        "configs/std.yaml",
        (FieldChange("active", True, False),),
        {"active": False},
    )
    env = EnvPlan("local", "test", changes=[adopt, retire])
    lines = render.text(plan_of(env)).splitlines()
    assert (
        "~ std (bpc_9) in prod will be adopted (identity metadata written) and updated in "
        "place [the account's default configuration]"
    ) in lines
    assert (
        "- std in local will be DEACTIVATED (active: false): portal sessions created with it "
        "will fail"
    ) in lines
    assert '    metadata.portal_config_key: null -> "std"' in lines


def test_the_legend_names_only_the_symbols_used() -> None:
    creates = render.text(plan_of(env_plan([desired("a")], []))).splitlines()
    assert creates[0] == "portal-config will perform these actions: + create"
    pruned = env_plan([desired("a")], [stripe_config("bpc_1", "old")], prune=True)
    assert render.text(plan_of(pruned)).splitlines()[0] == (
        "portal-config will perform these actions: + create, - deactivate"
    )
    in_sync = render.text(plan_of(env_plan([desired("a")], [stripe_config("bpc_1", "a")])))
    assert "will perform" not in in_sync
    assert in_sync == "No changes. Stripe matches the configuration files."


def test_notes_name_what_is_left_alone_and_why() -> None:
    text = render.text(plan_of(one_of_each()))
    notes = text.split("Notes:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert notes[0] == (
        "  local: 1 configuration(s) whose file is gone: old (bpc_2); "
        "`apply --prune` would deactivate them"
    )
    assert notes[1].startswith(
        "  local: gone (bpc_5) has no file any more, but Stripe made it the test mode default"
    )
    assert "https://dashboard.stripe.com/test/settings/billing/portal" in notes[1]
    assert notes[2] == (
        '  local: 2 configuration(s) no file claims, left alone: "Legacy" '
        "(bpc_3), bpc_4, created by the Connect application ca_x"
    )
    assert len(notes) == 3


def test_a_long_list_of_configurations_no_file_claims_is_named_in_part_and_counted() -> None:
    """An account of thousands (a Connect platform's) would make the note one line of megabytes:
    it names the first ones and counts the rest; `--format json` lists every one."""
    many = [(f"bpc_{n:03}", f"Portal {n}", None) for n in range(25)]
    env = EnvPlan("local", "test", unmanaged=many)
    for out, first in (
        (render.text(plan_of(env)), '"Portal 0" (bpc_000)'),
        (markdown(Plan("acme", [env])), '"Portal 0" (<code>bpc&#95;000</code>)'),
    ):
        (note,) = [line for line in out.splitlines() if "no file claims" in line]
        assert "25 configuration(s) no file claims, left alone: " + first in note
        assert "Portal 19" in note and "Portal 20" not in note
        assert note.endswith("and 5 more (`--format json` lists every one)"), note
    # A text plan keeps only the 20 its note names and counts the rest (shown.Unclaimed): the
    # same note; JSON, which lists every one, is never rendered from such a plan.
    counted = EnvPlan("local", "test", unmanaged=many[:20], unmanaged_more=5)
    assert render.text(plan_of(counted)) == render.text(plan_of(env))
    assert markdown(Plan("acme", [counted])) == markdown(Plan("acme", [env]))
    with pytest.raises(ValueError, match="cannot list each"):
        render.in_format(plan_of(counted), "json")
    short = EnvPlan("local", "test", unmanaged=many[:20])
    lines = render.text(plan_of(short)).splitlines()
    (note,) = [line for line in lines if "no file claims" in line]
    assert note.endswith('"Portal 19" (bpc_019)')


def test_a_prunable_configuration_without_an_id_is_named_by_key() -> None:
    env = EnvPlan("local", "test", prunable=[("old", "")])
    assert (
        "  local: 1 configuration(s) whose file is gone: old; `apply --prune` would deactivate them"
    ) in render.text(plan_of(env)).splitlines()


def test_problems_are_printed_with_file_line_col_under_their_environment() -> None:
    env = one_of_each()
    env = dataclasses.replace(env, problems=(*env.problems, PROBLEM))
    lines = render.text(plan_of(env)).splitlines()
    at = lines.index("Problems (these files are left out until fixed):")
    assert lines[at + 1] == ("  local: configs/x.yaml:3:5: ids pins bpc_gone, which does not exist")


def test_the_last_line_says_why_there_are_no_changes() -> None:
    with_problem = EnvPlan("local", "test", problems=[PROBLEM])
    assert render.text(plan_of(with_problem)).splitlines()[-1] == (
        "No changes for the configurations that could be planned; see Problems."
    )
    file_gone = EnvPlan("local", "test", default_kept=[("old", "bpc_1")])
    assert render.text(plan_of(file_gone)).splitlines()[-1] == (
        "No changes, but configurations whose file is gone are still active (see Notes)."
    )


def test_colour_only_when_asked() -> None:
    env = env_plan([desired("a")], [])
    assert "\x1b[" not in render.text(plan_of(env))
    coloured = render.text(plan_of(env), color=True)
    assert click.style("+ a in local will be created", fg="green") in coloured


def test_json_has_the_documented_shape() -> None:
    env = one_of_each()
    env = dataclasses.replace(env, problems=(*env.problems, PROBLEM))
    data = json.loads(render.in_format(plan_of(env), "json"))
    assert set(data) == {
        "format_version",
        "project",
        "environments",
        "fleets",
        "summary",
        "has_changes",
    }
    assert data["fleets"] == []
    assert (data["format_version"], data["project"], data["has_changes"]) == (1, "acme", True)
    assert data["summary"] == {"create": 1, "update": 1, "deactivate": 1, "problems": 1}
    (local,) = data["environments"]
    assert local["account"] is None
    assert set(local) == {
        "name",
        "account",
        "mode",
        "changes",
        "in_sync",
        "prunable",
        "default_kept",
        "unmanaged",
        "problems",
        "price_labels",
        "history_unavailable",
    }
    assert [c["action"] for c in local["changes"]] == ["create", "update", "deactivate"]
    assert local["prunable"] == [{"key": "old", "id": "bpc_2"}]
    assert local["default_kept"] == [{"key": "gone", "id": "bpc_5"}]
    assert local["unmanaged"] == [
        {"id": "bpc_3", "name": "Legacy", "application": None, "looks_like": None},
        {"id": "bpc_4", "name": None, "application": "ca_x", "looks_like": None},
    ]
    assert local["problems"] == ["configs/x.yaml:3:5: ids pins bpc_gone, which does not exist"]
    assert local["price_labels"] == {"price_1": "lookup_key:pro"}


def test_json_of_a_plan_in_sync_has_no_changes() -> None:
    data = as_json(plan_of(env_plan([desired("a")], [stripe_config("bpc_1", "a")])))
    assert data["has_changes"] is False
    assert data["environments"][0]["in_sync"] == [{"key": "a", "id": "bpc_1"}]


def test_a_drift_check_is_headed_drift_naming_the_environments_that_differ() -> None:
    drifted = env_plan([desired("a", {"name": "A"})], [stripe_config("bpc_1", "a")])
    gone = EnvPlan("prod", "live", prunable=[("old", "bpc_2")])
    plan = plan_of(drifted, EnvPlan("staging", "test"), gone)
    lines = render.text(plan, wording=render.plan_wording(drift=True)).splitlines()
    assert lines[:2] == ["Drift: Stripe differs from the configuration files in local, prod.", ""]
    assert "Drift" not in render.text(plan), "only a --detailed-exitcode run is a drift check"
    in_sync = plan_of(EnvPlan("local", "test"))
    assert render.text(in_sync, wording=render.plan_wording(drift=True)) == (
        "No changes. Stripe matches the configuration files."
    )


def test_a_diff_never_speaks_of_stripe_in_its_closing_line() -> None:
    wording = render.diff_wording("HEAD")
    assert render.text(plan_of(EnvPlan("local", "test")), wording=wording) == (
        "No changes between HEAD and the working tree."
    )
    created = render.text(plan_of(env_plan([desired("a")], [])), wording=wording)
    assert created.splitlines()[0] == "Changes from HEAD to the working tree: + create"
    removed = plan_of(EnvPlan("local", "test", prunable=[("old", "")]))
    assert render.text(removed, wording=wording).splitlines()[-1] == (
        "No other changes between HEAD and the working tree, but files were removed (see Notes)."
    )


def test_changes_beside_problems_say_the_broken_files_are_left_out() -> None:
    env = env_plan([desired("a")], [])
    env = dataclasses.replace(env, problems=(*env.problems, PROBLEM))
    assert render.text(plan_of(env)).splitlines()[-1] == (
        "Plan: 1 to create, 0 to update, 0 to deactivate. Files with problems are left out (see "
        "Problems)."
    )


def test_products_show_labels_and_quantities_in_one_order_whatever_the_ids() -> None:
    std = stripe_config("bpc_1", "std")
    products = [
        {
            "product": "prod_a",
            "prices": ["price_z", "price_y"],
            "adjustable_quantity": {"enabled": True, "maximum": None},
        },
        {
            "product": "prod_b",
            "prices": ["price_x"],
            "adjustable_quantity": {"enabled": False, "minimum": 2, "maximum": 5},
        },
    ]
    env = env_plan(
        [desired("std", {"features": {"subscription_update": {"products": products}}})], [std]
    )
    env = dataclasses.replace(
        env, labels={"price_z": "lookup_key:a_monthly", "price_y": "lookup_key:b_yearly"}
    )
    lines = render.text(plan_of(env)).splitlines()
    at = lines.index(f"    {PRODUCTS}:")
    assert lines[at + 1 : at + 3] == [
        (
            "      + prod_a: lookup_key:a_monthly (price_z), lookup_key:b_yearly (price_y) "
            "(quantity adjustable, 1..unbounded)"
        ),
        "      + prod_b: price_x (quantity fixed, 2..5)",
    ]


def test_text_shows_a_name_as_written_and_escapes_only_what_cannot_be_seen() -> None:
    env = EnvPlan("staging", "test", unmanaged=[("bpc_1", "Café — Plus\u202e\u2028", None)])
    out = render.text(Plan("acme", [env]))
    assert '"Café — Plus\\u202e\\u2028" (bpc_1)' in out
