"""apply.py: a Plan executed through an in-memory Gateway, what the report records, and the
summary people read. (tests/e2e drive the same through the real SDK and the emulator.)"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from typing import Any

from portal_config.apply import ApplyReport, apply_plan, unconfirmed_fields
from portal_config.errors import StripeFailure
from portal_config.planning.changes import (
    FILE_GONE,
    RETIRED,
    Change,
    FieldChange,
    Update,
    deactivation,
)
from portal_config.planning.plan import Plan, fingerprint
from portal_config.portal import identity
from portal_config.render.apply_report import summary
from portal_config.stripe_api.gateway import Gateway

from .support.gateway import FakeGateway, plan_for
from .support.samples import desired, stripe_config


def edited(plan: Plan, *changes: Change) -> Plan:
    """The plan with its first environment's changes replaced (a saved plan file, edited)."""
    first = dataclasses.replace(plan.envs[0], changes=changes)
    return dataclasses.replace(plan, envs=(first, *plan.envs[1:]))


def run(plan: Plan, *gateways: FakeGateway, parallelism: int = 1) -> tuple[ApplyReport, list[str]]:
    lines: list[str] = []
    by_env: dict[str, Gateway] = {g.env_name: g for g in gateways}
    return apply_plan(plan, by_env, lines.append, parallelism), lines


# --- what is written ---------------------------------------------------------------------


def test_a_create_sends_the_planned_request_and_converges() -> None:
    gw = FakeGateway([])
    files = [desired("std", {"name": "Std"})]
    plan = plan_for([gw], files)
    report, lines = run(plan, gw)
    ((change, new_id),) = report.done
    assert gw.writes == [(None, dict(change.params), change.idempotency_key("acme"))]
    assert gw.configurations[new_id]["name"] == "Std"
    assert identity.of(gw.configurations[new_id]) == ("acme", "local", "std")
    assert lines == [f"  std ({new_id}) in local: created"]
    assert report.ok and summary(report, plan) == (
        "Apply complete: 1 created, 0 updated, 0 deactivated."
    )
    assert plan_for([gw], files).changes == []


def test_an_update_sends_only_what_changed() -> None:
    gw = FakeGateway([stripe_config("bpc_1", "std", name="Old")])
    plan = plan_for([gw], [desired("std", {"name": "New"})])
    report, lines = run(plan, gw)
    assert [(target, params) for target, params, _ in gw.writes] == [("bpc_1", {"name": "New"})]
    assert gw.configurations["bpc_1"]["name"] == "New"
    assert lines == ["  std (bpc_1) in local: updated"]
    assert summary(report, plan) == "Apply complete: 0 created, 1 updated, 0 deactivated."


def test_retired_and_pruned_configurations_are_deactivated() -> None:
    gw = FakeGateway([stripe_config("bpc_1", "std"), stripe_config("bpc_2", "old")])
    plan = plan_for([gw], [desired("std", {"active": False})], prune=True)
    report, _ = run(plan, gw)
    assert [gw.configurations[i]["active"] for i in ("bpc_1", "bpc_2")] == [False, False]
    assert summary(report, plan) == "Apply complete: 0 created, 0 updated, 2 deactivated."


def test_an_adopt_writes_the_identity_and_counts_as_an_update() -> None:
    gw = FakeGateway([stripe_config("bpc_9", metadata={"team": "x"})])
    plan = plan_for([gw], [desired("std", pinned="bpc_9")], adopt=True)
    report, lines = run(plan, gw)
    assert identity.of(gw.configurations["bpc_9"]) == ("acme", "local", "std")
    assert gw.configurations["bpc_9"]["metadata"]["team"] == "x"
    assert lines == ["  std (bpc_9) in local: adopted"]
    assert summary(report, plan) == "Apply complete: 0 created, 1 updated, 0 deactivated."


def test_each_change_goes_to_its_environments_gateway() -> None:
    local, prod = FakeGateway([]), FakeGateway([], "prod", "live")
    report, _ = run(plan_for([local, prod], [desired("std", {"name": "Std"})]), local, prod)
    assert report.ok and len(local.writes) == 1 and len(prod.writes) == 1
    assert [identity.of(c)[1] for g in (local, prod) for c in g.configurations.values()] == [
        "local",
        "prod",
    ]


# --- what is not written -----------------------------------------------------------------


def test_a_configuration_changed_since_planning_is_not_written() -> None:
    gw = FakeGateway([stripe_config("bpc_1", "std", name="Old")])
    plan = plan_for([gw], [desired("std", {"name": "New"})])
    gw.configurations["bpc_1"].update(name="Edited in the Dashboard", updated=2_000_000_000)
    report, lines = run(plan, gw)
    assert gw.writes == [] and gw.configurations["bpc_1"]["name"] == "Edited in the Dashboard"
    assert report.changed_meanwhile == plan.changes and not report.ok
    assert lines == [
        ("  ! std (bpc_1) in local changed in Stripe since it was planned: not written")
    ]
    assert summary(report, plan) == (
        "Apply incomplete: 0 created, 0 updated, 0 deactivated.\n"
        "Not written: update std (bpc_1) in local: it changed in Stripe since it was planned. "
        "Run plan again, review, then apply."
    )


def test_a_create_rechecks_only_what_is_newer_than_the_plan_saw() -> None:
    gw = FakeGateway([stripe_config(f"bpc_{i}", f"old{i}") for i in range(1, 4)])
    plan = plan_for([gw], [desired("a"), desired("b")])
    assert plan.envs[0].newest_id == "bpc_3"  # lists are newest first
    report, _ = run(plan, gw)
    assert report.ok and len(report.done) == 2
    # the plan's one listing; each create asked only for what came after the plan's newest
    assert gw.lists == 1 and gw.newer_than == ["bpc_3", "bpc_3"]


def test_no_create_when_another_deploy_made_its_identity_since_planning() -> None:
    gw = FakeGateway([stripe_config("bpc_1", "other")])
    plan = plan_for([gw], [desired("std"), desired("two")])
    gw.configurations["bpc_2"] = stripe_config("bpc_2", "std")  # the concurrent deploy's
    report, _ = run(plan, gw)
    std, two = plan.changes
    assert report.changed_meanwhile == [std] and [c for c, _ in report.done] == [two]
    assert [identity.of(c)[2] for c in gw.configurations.values()] == ["other", "std", "two"]


def test_a_configuration_new_since_planning_is_fetched_once_and_counts_for_every_create() -> None:
    gw = FakeGateway([stripe_config("bpc_1", "other")])
    plan = plan_for([gw], [desired("a"), desired("b")])
    gw.configurations["bpc_2"] = stripe_config("bpc_2", "b")  # made by a concurrent deploy
    report, _ = run(plan, gw)
    a, b = plan.changes
    assert [c for c, _ in report.done] == [a] and report.changed_meanwhile == [b]
    # a's check fetched bpc_2 (and noted b's identity); b's asked only for what came after it
    assert gw.newer_than == ["bpc_1", "bpc_2"]


def test_no_create_when_its_identity_appeared_since_planning() -> None:
    gw = FakeGateway([])
    plan = plan_for([gw], [desired("std")])
    gw.configurations["bpc_1"] = stripe_config("bpc_1", "std")
    report, _ = run(plan, gw)
    assert gw.writes == [] and report.changed_meanwhile == plan.changes


def test_a_saved_deactivation_of_the_default_is_never_written() -> None:
    default = stripe_config("bpc_1", "old", is_default=True)
    gw = FakeGateway([default])
    change = deactivation("local", "old", default, None, FILE_GONE, fingerprint(default))
    plan = edited(plan_for([gw], []), change)  # as a saved plan file could have been edited
    report, _ = run(plan, gw)
    assert gw.writes == [] and report.changed_meanwhile == [change]


def test_a_prune_takes_only_this_environments_configurations_a_retirement_its_pin() -> None:
    foreign = stripe_config("bpc_1", "old", env="staging")
    gw = FakeGateway([foreign])
    plan = edited(
        plan_for([gw], []),
        deactivation("local", "old", foreign, None, FILE_GONE, fingerprint(foreign)),
    )
    report, _ = run(plan, gw)
    assert gw.writes == [] and report.changed_meanwhile == plan.changes
    plan = edited(
        plan,
        deactivation("local", "std", foreign, "configs/std.yaml", RETIRED, fingerprint(foreign)),
    )
    report, _ = run(plan, gw)
    assert report.ok and gw.configurations["bpc_1"]["active"] is False


# --- when Stripe says no -----------------------------------------------------------------


def test_a_refused_default_is_recorded_with_what_to_do_in_the_dashboard() -> None:
    gw = FakeGateway([stripe_config("bpc_1", is_default=True)])
    gw.failures["bpc_1"] = [StripeFailure("the default", kind="default_refused")]
    plan = plan_for(
        [gw], [desired("main", {"name": "Main"}, default=True), desired("std", {"name": "Std"})]
    )
    report, lines = run(plan, gw)
    update = plan.changes[1]
    assert report.refused == [update] and [c.action for c, _ in report.done] == ["create"]
    assert lines[1] == (
        "  ! main (bpc_1) in local: Stripe refused the change (the default "
        "configuration, or another application's)"
    )
    text = summary(report, plan).splitlines()
    assert text[0] == "Apply incomplete: 1 created, 0 updated, 0 deactivated."
    assert text[1].startswith("Stripe refused to change bpc_1 in local")
    assert text[1].endswith("https://dashboard.stripe.com/test/settings/billing/portal:")
    assert text[2:] == ['    name: null -> "Main"']


def test_a_rejected_request_is_recorded_and_the_rest_still_applies() -> None:
    gw = FakeGateway([stripe_config("bpc_1", "a"), stripe_config("bpc_2", "b")])
    gw.failures["bpc_1"] = [StripeFailure("Invalid URL: nope", kind="refused")]
    gw.failures["bpc_2"] = [StripeFailure("No such configuration", kind="missing")]
    plan = plan_for([gw], [desired(k, {"name": k.upper()}) for k in "abc"])
    report, _ = run(plan, gw)
    a, b, c = sorted(plan.changes, key=lambda x: str(x.key))
    assert report.rejected == [(a, "Invalid URL: nope"), (b, "No such configuration")]
    assert [change for change, _ in report.done] == [c]
    assert summary(report, plan).splitlines()[1:] == [
        (
            "Rejected: update a (bpc_1) in local: Invalid URL: nope. Fix the file (or Stripe) and "
            "apply again."
        ),
        (
            "Rejected: update b (bpc_2) in local: No such configuration. Fix the file (or Stripe) "
            "and apply again."
        ),
    ]


def test_a_server_failure_costs_only_its_change_and_the_rest_still_applies() -> None:
    local, prod = FakeGateway([stripe_config("bpc_1", "b")]), FakeGateway([], "prod", "live")
    local.failures["new"] = [StripeFailure("Stripe answered 500", kind="server")]
    plan = plan_for([local, prod], [desired("a"), desired("b", {"name": "B"})])
    report, _ = run(plan, local, prod)
    assert [c for c, _ in report.done] == plan.changes[1:]
    assert report.not_written == [(plan.changes[0], "Stripe answered 500")]
    assert not report.ok and report.failed is None and report.not_run == []
    assert summary(report, plan).splitlines() == [
        "Apply incomplete: 2 created, 1 updated, 0 deactivated.",
        "Failed: create a (new) in local: Stripe answered 500",
        (
            "Nothing else was written. Running apply again converges: what was done shows no "
            "changes, the rest is planned anew."
        ),
    ]


def test_a_lost_connection_stops_every_environment_and_lists_what_did_not_run() -> None:
    local, prod = FakeGateway([stripe_config("bpc_1", "b")]), FakeGateway([], "prod", "live")
    local.failures["new"] = [StripeFailure("could not reach Stripe", kind="connection")]
    plan = plan_for([local, prod], [desired("a"), desired("b", {"name": "B"})])
    report, _ = run(plan, local, prod)
    assert local.writes == [] and prod.writes == []
    assert report.failed == (plan.changes[0], "could not reach Stripe")
    assert report.not_run == plan.changes[1:]
    assert summary(report, plan).splitlines()[1:] == [
        "Failed: create a (new) in local: could not reach Stripe",
        "Not run: update b (bpc_1) in local",
        "Not run: create a (new) in prod",
        "Not run: create b (new) in prod",
        (
            "Nothing else was written. Running apply again converges: what was done shows no "
            "changes, the rest is planned anew."
        ),
    ]


def test_a_write_whose_answer_was_lost_is_uncertain_and_the_rest_still_applies() -> None:
    gw = FakeGateway([])
    gw.failures["new"] = [StripeFailure("the answer was cut short", kind="uncertain")]
    plan = plan_for([gw], [desired("a"), desired("b")])
    report, _ = run(plan, gw)
    assert report.uncertain == [(plan.changes[0], "the answer was cut short")]
    assert [c for c, _ in report.done] == plan.changes[1:]
    assert summary(report, plan).splitlines()[1:] == [
        "Uncertain: create a (new) in local: the answer was cut short",
        (
            "Nothing else was written (but perhaps what is uncertain above). Running apply again "
            "converges: what was done shows no changes, the rest is planned anew."
        ),
    ]


def test_ctrl_c_during_a_write_says_it_may_have_reached_stripe() -> None:
    gw = FakeGateway([])
    gw.failures["new"] = [KeyboardInterrupt()]
    plan = plan_for([gw], [desired("a"), desired("b")])
    report, _ = run(plan, gw)
    assert report.interrupted and report.not_run == plan.changes[1:]
    assert report.failed is not None and "may or may not have reached Stripe" in report.failed[1]
    assert "Interrupted (Ctrl-C)." in summary(report, plan).splitlines()


def test_a_failure_stripe_replays_is_retried_once_under_a_new_key() -> None:
    gw = FakeGateway([stripe_config("bpc_1", "std")])
    gw.failures["bpc_1"] = [StripeFailure("saved 500", kind="server", replayed=True)]
    plan = plan_for([gw], [desired("std", {"name": "New"})])
    report, _ = run(plan, gw)
    assert report.ok and gw.configurations["bpc_1"]["name"] == "New"
    ((_, _, key),) = gw.writes
    assert re.fullmatch(re.escape(plan.changes[0].idempotency_key("acme")) + r"-\d+", key)


def test_a_replayed_failure_is_not_retried_when_the_first_attempt_left_a_change() -> None:
    gw = FakeGateway([stripe_config("bpc_1", "std")])

    def landed() -> BaseException:
        gw.configurations["bpc_1"]["updated"] += 1  # the earlier attempt did write
        return StripeFailure("saved 500", kind="server", replayed=True)

    gw.failures["bpc_1"] = [landed]
    plan = plan_for([gw], [desired("std", {"name": "New"})])
    report, _ = run(plan, gw)
    assert gw.writes == [] and report.not_written == [(plan.changes[0], "saved 500")]


# --- what Stripe's answer confirms -------------------------------------------------------


def unconfirmed_change() -> Update:
    return Update(
        "local",
        "std",
        "bpc_1",
        "configs/std.yaml",
        (
            FieldChange("name", None, "New"),
            FieldChange("metadata.team", None, "billing"),
            FieldChange("active", False, True),
        ),
        {"name": "New", "metadata": {"team": "billing"}, "active": True},
        "f",
    )


def test_unconfirmed_fields_are_those_stripes_answer_does_not_hold() -> None:
    change = unconfirmed_change()
    held = stripe_config("bpc_1", name="New", metadata={"team": "billing"})
    assert unconfirmed_fields(change, held) == []
    assert unconfirmed_fields(change, {**held, "name": None}) == ["name"]
    assert unconfirmed_fields(change, {**held, "metadata": {}, "active": False}) == [
        "metadata.team",
        "active",
    ]


def test_an_answer_without_a_written_field_is_reported_unconfirmed() -> None:
    gw = FakeGateway([stripe_config("bpc_1", "std")])
    gw.answer_without = {"name"}
    plan = plan_for([gw], [desired("std", {"name": "New"})])
    report, lines = run(plan, gw)
    assert report.done and report.unconfirmed == [(plan.changes[0], ["name"])]
    assert not report.ok
    assert lines[-1] == (
        "  ! std (bpc_1) in local: Stripe's answer holds other values than were written for name"
    )
    assert (
        summary(report, plan)
        .splitlines()[1]
        .startswith(
            "Unconfirmed: update std (bpc_1) in local: Stripe answered with other values for name "
            "than were written"
        )
    )


# --- side by side ------------------------------------------------------------------------


def test_writes_go_side_by_side_and_are_reported_in_plan_order() -> None:
    gw = FakeGateway([])
    # Every write waits for a second one: the apply ends only if two are in flight at once.
    two_in_flight = threading.Barrier(2, timeout=5)
    gw.before_write = lambda params: two_in_flight.wait() and None
    keys = ["a", "b", "c", "d"]
    plan = plan_for([gw], [desired(k) for k in keys])
    report, lines = run(plan, gw, parallelism=2)
    assert report.ok and [c.key for c, _ in report.done] == keys
    assert [line.split()[0] for line in lines] == keys


def test_a_failure_side_by_side_lets_the_write_in_flight_finish_and_starts_no_other() -> None:
    gw = FakeGateway([])
    b_writing = threading.Event()

    def hold(params: dict[str, Any]) -> None:
        if identity.of(params)[2] == "a":  # fails while b's write is on its way
            assert b_writing.wait(5)
            raise StripeFailure("the network failed", kind="connection")
        if identity.of(params)[2] == "b":
            b_writing.set()
            time.sleep(0.2)

    gw.before_write = hold
    plan = plan_for([gw], [desired(k) for k in "abcd"])
    a, b, c, d = plan.changes
    report, lines = run(plan, gw, parallelism=2)
    assert report.failed == (a, "the network failed")
    assert [change for change, _ in report.done] == [b] and report.not_run == [c, d]
    assert lines == [f"  b ({report.done[0][1]}) in local: created"]
    assert summary(report, plan).splitlines()[1:4] == [
        "Failed: create a (new) in local: the network failed",
        "Not run: create c (new) in local",
        "Not run: create d (new) in local",
    ]


def test_every_failure_side_by_side_is_reported() -> None:
    gw = FakeGateway([])
    both = threading.Barrier(2, timeout=5)

    def down(params: dict[str, Any]) -> None:
        both.wait()  # a and b side by side, both failing
        raise StripeFailure("down", kind="connection")

    gw.before_write = down
    plan = plan_for([gw], [desired(k) for k in "abc"])
    a, b, c = plan.changes
    report, _ = run(plan, gw, parallelism=2)
    assert report.failed == (a, "down") and report.also_failed == [(b, "down")]
    assert report.not_run == [c] and not report.ok
    assert summary(report, plan).splitlines()[1:3] == [
        "Failed: create a (new) in local: down",
        "Failed: create b (new) in local: down",
    ]


# --- two applies creating the same configuration ----------------------------------------------

SPENT = "Keys for idempotent requests can only be used with the same parameters"


def test_a_create_whose_key_another_apply_used_is_reported_created_meanwhile() -> None:
    gw = FakeGateway([])
    plan = plan_for([gw], [desired("std", {"name": "Mine"})])

    def theirs_landed() -> BaseException:  # the other apply's create, under the same key
        gw.configurations["bpc_9"] = stripe_config("bpc_9", "std")
        return StripeFailure(SPENT, kind="idempotency")

    gw.failures["new"] = [theirs_landed]
    report, lines = run(plan, gw)
    assert gw.writes == [] and report.changed_meanwhile == plan.changes and not report.ok
    assert lines == [
        "  ! std (new) in local was created meanwhile, by another apply (a concurrent deploy?): "
        "not written"
    ]
    assert summary(report, plan).splitlines()[1] == (
        "Not written: create std (new) in local: it was created meanwhile, by another apply "
        "(a concurrent deploy?). Run plan again, review, then apply."
    )


def test_a_create_key_spent_without_a_configuration_moves_to_the_next_generation() -> None:
    # e.g. a failed create Stripe keeps for 24 hours, then the file was edited
    gw = FakeGateway([])
    spent = [StripeFailure(SPENT, kind="idempotency"), StripeFailure("saved", replayed=True)]
    gw.failures["new"] = list(spent)
    plan = plan_for([gw], [desired("std", {"name": "Edited"})])
    report, _ = run(plan, gw)
    (change,) = plan.changes
    assert report.ok and len(gw.configurations) == 1
    assert [key for _, _, key in gw.writes] == [change.idempotency_key("acme", 3)]


def test_a_create_gives_up_once_every_generation_is_spent() -> None:
    gw = FakeGateway([])
    gw.failures["new"] = [StripeFailure(SPENT, kind="idempotency") for _ in range(10)]
    plan = plan_for([gw], [desired("std")])
    report, _ = run(plan, gw)
    assert gw.configurations == {} and report.rejected == [(plan.changes[0], SPENT)]
