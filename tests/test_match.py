"""match.py: which configuration each file describes, and the status of every binding."""

from __future__ import annotations

import copy
from typing import Any

from portal_config.errors import Location
from portal_config.planning.match import Binding, Desired, Status, look_alikes, match
from portal_config.planning.shown import Unclaimed, Unmanaged, slimmer
from portal_config.portal import identity
from portal_config.portal.configuration import Configuration

from .support.samples import desired, stripe_config

PIN_AT = Location("configs/std.yaml", 2, 10)  # where `ids: {local: ...}` was written


def bind(
    files: list[Desired],
    current: list[dict[str, Any]],
    *,
    env: str = "local",
    mode: str = "test",
    adopt: bool = False,
) -> list[Binding]:
    bindings = match("acme", env, mode, files, current, adopt=adopt)
    # A plan that is not saved lists the configurations slim (shown.slimmer): in every case
    # below, they bind alike, each claimed one whole, each unclaimed one with what plan shows;
    # one kept only as its note shows it (shown.Unmanaged) is one that binds as unmanaged.
    # (samples.stripe_config lists them as a live mode key would: livemode true)
    kept = _slimmed(env, files, current)
    notes = {k[0]: k for k in kept if isinstance(k, tuple)}
    records = [k for k in kept if not isinstance(k, tuple)]
    slimmed = match("acme", env, mode, files, records, adopt=adopt)
    assert [_seen(b) for b in slimmed] == [
        _seen(b) for b in bindings if b.config_id not in notes or b.status is not Status.UNMANAGED
    ]
    assert {
        b.config_id: (b.config_id, b.obj.name, b.obj.application)
        for b in bindings
        if b.config_id in notes and b.obj is not None and b.looks_like is None
    } == notes
    return bindings


def _seen(b: Binding) -> tuple[Any, ...]:
    shown = (
        (b.config_id, b.obj.get("name"), b.obj.get("application"), b.is_default)
        if b.status is Status.UNMANAGED and b.obj is not None
        else b.obj
    )
    return (b.key, b.status, b.desired, b.problem, b.adopting, b.looks_like, shown)


def only(bindings: list[Binding]) -> Binding:
    assert len(bindings) == 1, bindings
    return bindings[0]


def problem_text(binding: Binding) -> str:
    assert binding.status is Status.PROBLEM and binding.problem is not None
    return str(binding.problem)


# --- a file's configuration ---------------------------------------------------------------


def test_an_active_configuration_with_the_files_identity_is_active() -> None:
    b = only(bind([desired("std")], [stripe_config("bpc_1", "std")]))
    assert (b.status, b.key, b.config_id, b.file) == (
        Status.ACTIVE,
        "std",
        "bpc_1",
        "configs/std.yaml",
    )
    assert not b.adopting and b.problem is None


def test_an_inactive_configuration_the_file_wants_is_inactive() -> None:
    b = only(bind([desired("std")], [stripe_config("bpc_1", "std", active=False)]))
    assert (b.status, b.config_id) == (Status.INACTIVE, "bpc_1")


def test_no_configuration_for_a_file_is_missing() -> None:
    b = only(bind([desired("std")], []))
    assert (b.status, b.obj, b.config_id) == (Status.MISSING, None, None)


def test_active_false_is_retired_whether_or_not_stripe_has_it() -> None:
    retired = desired("std", {"active": False})
    found = only(bind([retired], [stripe_config("bpc_1", "std")]))
    assert (found.status, found.config_id) == (Status.RETIRED, "bpc_1")
    never_made = only(bind([retired], []))
    assert (never_made.status, never_made.obj) == (Status.RETIRED, None)


def test_a_pin_wins_over_the_identity_keys() -> None:
    current = [stripe_config("bpc_1", "std"), stripe_config("bpc_9")]
    b = bind([desired("std", pinned="bpc_9")], current)
    assert (b[0].status, b[0].config_id) == (Status.ACTIVE, "bpc_9")
    # the one carrying the identity is left alone: its file is not gone, so never pruned
    assert (b[1].status, b[1].config_id) == (Status.UNMANAGED, "bpc_1")


def test_default_true_is_the_accounts_default() -> None:
    current = [stripe_config("bpc_1"), stripe_config("bpc_2", is_default=True)]
    b = bind([desired("main", default=True)], current)[0]
    assert (b.status, b.config_id, b.is_default) == (Status.ACTIVE, "bpc_2", True)


def test_a_pin_that_does_not_exist_is_a_problem_at_the_pin() -> None:
    b = only(bind([desired("std", pinned="bpc_gone", location=PIN_AT)], []))
    text = problem_text(b)
    assert text.startswith("configs/std.yaml:2:10: ids pins bpc_gone, which does not exist")
    assert "nothing is created in its place" in text
    assert b.obj is None


def test_default_true_without_a_default_names_the_dashboard_of_its_mode() -> None:
    test_mode = bind([desired("main", default=True)], [stripe_config("bpc_1")])[0]
    assert "this test mode has no default" in problem_text(test_mode)
    assert "https://dashboard.stripe.com/test/settings/billing/portal" in problem_text(test_mode)
    live = bind([desired("main", default=True)], [], mode="live")[0]
    assert "https://dashboard.stripe.com/settings/billing/portal" in problem_text(live)


def test_two_configurations_claiming_one_key_is_a_problem_at_the_file_naming_both() -> None:
    current = [stripe_config("bpc_2", "std"), stripe_config("bpc_1", "std")]
    bindings = bind([desired("std", location=PIN_AT)], current)
    assert problem_text(bindings[0]).startswith(
        "configs/std.yaml: configurations bpc_1, bpc_2 both claim key 'std'"
    )
    # Both are that file's problem, not also "configurations no file claims".
    assert [b.status for b in bindings] == [Status.PROBLEM]


def test_two_files_describing_one_configuration_is_a_problem_of_the_second() -> None:
    current = [stripe_config("bpc_1", is_default=True)]
    b = bind([desired("main", default=True), desired("other", pinned="bpc_1")], current)
    assert (b[0].status, b[0].config_id) == (Status.ACTIVE, "bpc_1")
    assert problem_text(b[1]) == (
        "configs/other.yaml: this file and configs/main.yaml both describe bpc_1: keep one of them"
    )
    assert len(b) == 2  # and bpc_1 is not listed a second time as unclaimed


def test_another_applications_configuration_is_a_problem_never_a_change() -> None:
    current = [stripe_config("bpc_1", application="ca_other")]
    b = only(bind([desired("std", pinned="bpc_1", location=PIN_AT)], current))
    assert problem_text(b) == (
        "configs/std.yaml: bpc_1 was created by the Connect application "
        "ca_other; portal-config never changes it"
    )


def test_an_application_stamped_configuration_with_this_projects_identity_is_ours() -> None:
    current = [
        stripe_config("bpc_1", "std", application="ca_platform"),
        stripe_config("bpc_2", "old", application="ca_platform"),
    ]
    b = bind([desired("std")], current)
    assert [(x.status, x.config_id) for x in b] == [
        (Status.ACTIVE, "bpc_1"),
        (Status.FILE_GONE, "bpc_2"),
    ]


def test_an_application_stamped_pin_of_another_environment_is_not_ours() -> None:
    current = [stripe_config("bpc_1", "std", env="staging", application="ca_platform")]
    b = only(bind([desired("std", pinned="bpc_1")], current))
    assert "created by the Connect application ca_platform" in problem_text(b)


def test_adopt_marks_a_pinned_configuration_without_identity() -> None:
    current = [stripe_config("bpc_9")]
    assert not only(bind([desired("std", pinned="bpc_9")], current)).adopting
    b = only(bind([desired("std", pinned="bpc_9")], current, adopt=True))
    assert (b.status, b.adopting) == (Status.ACTIVE, True)


def test_adopt_has_nothing_to_do_where_the_identity_is_already_written() -> None:
    pinned = only(
        bind([desired("std", pinned="bpc_1")], [stripe_config("bpc_1", "std")], adopt=True)
    )
    by_identity = only(bind([desired("std")], [stripe_config("bpc_1", "std")], adopt=True))
    assert not pinned.adopting and not by_identity.adopting


def test_adopt_takes_over_a_pin_of_another_key_of_this_environment() -> None:
    b = only(
        bind([desired("std", pinned="bpc_1")], [stripe_config("bpc_1", "renamed")], adopt=True)
    )
    assert (b.status, b.adopting) == (Status.ACTIVE, True)


def test_adopt_of_another_projects_or_environments_identity_is_a_problem() -> None:
    for owner in (
        stripe_config("bpc_1", "std", project="other"),
        stripe_config("bpc_1", "std", env="staging"),
    ):
        b = only(bind([desired("std", pinned="bpc_1")], [owner], adopt=True))
        project, env = identity.of(owner)[:2]
        assert problem_text(b) == (
            f"configs/std.yaml: bpc_1 carries the identity of project "
            f"'{project}', environment '{env}': not adopted; pin "
            "another one"
        )


def test_active_false_on_the_default_is_a_problem() -> None:
    current = [stripe_config("bpc_1", is_default=True)]
    b = only(bind([desired("main", {"active": False}, default=True)], current))
    assert "Stripe cannot deactivate the default" in problem_text(b)
    assert "bpc_1" in problem_text(b)


# --- configurations no file claims ---------------------------------------------------------


def test_this_projects_configuration_without_a_file_is_file_gone() -> None:
    b = only(bind([], [stripe_config("bpc_1", "old")]))
    assert (b.status, b.key, b.config_id, b.desired) == (Status.FILE_GONE, "old", "bpc_1", None)


def test_a_file_gone_that_stripe_made_the_default_is_default_kept() -> None:
    b = only(bind([], [stripe_config("bpc_1", "old", is_default=True)]))
    assert (b.status, b.key) == (Status.DEFAULT_KEPT, "old")


def test_an_inactive_configuration_without_a_file_has_nothing_to_say() -> None:
    assert bind([], [stripe_config("bpc_1", "old", active=False)]) == []


def test_others_configurations_are_unmanaged() -> None:
    current = [
        stripe_config("bpc_1"),
        stripe_config("bpc_2", "std", env="staging"),
        stripe_config("bpc_3", "std", project="other"),
        stripe_config("bpc_4", application="ca_x"),
    ]
    b = bind([desired("std")], current)
    assert b[0].status is Status.MISSING
    assert [(x.status, x.key, x.config_id) for x in b[1:]] == [
        (Status.UNMANAGED, None, f"bpc_{n}") for n in range(1, 5)
    ]


def test_files_come_first_in_their_order_then_the_unclaimed_in_stripes_order() -> None:
    current = [stripe_config("bpc_3"), stripe_config("bpc_2", "b"), stripe_config("bpc_1", "z")]
    b = bind([desired("z"), desired("a"), desired("b")], current)
    assert [(x.key, x.config_id) for x in b] == [
        ("z", "bpc_1"),
        ("a", None),
        ("b", "bpc_2"),
        (None, "bpc_3"),
    ]


def _slimmed(
    env: str, files: list[Desired], listed: list[dict[str, Any]]
) -> list[Configuration | Unmanaged]:
    """What slimmer keeps of each: its record, or the line its note shows (shown.Unclaimed)."""
    kept: list[Configuration | Unmanaged] = []
    for one in listed:
        unclaimed = Unclaimed()
        record = Configuration.of(copy.deepcopy(one))
        whole = slimmer("acme", env, True, files, unclaimed)(record, lambda r=record: r)
        kept.append(whole if whole is not None else unclaimed.noted()[0][0])
    return kept


def test_a_desired_without_location_is_located_at_its_file() -> None:
    assert str(desired("std").where) == "configs/std.yaml"
    assert desired("std", location=PIN_AT).where == PIN_AT
    assert desired("std", {"active": False}).retired and not desired("std").retired


def test_a_plan_not_saved_keeps_only_what_it_shows_of_what_no_file_can_claim() -> None:
    files = [desired("std"), desired("pinned", pinned="bpc_5"), desired("x", {"name": "Ours"})]
    whole = [
        stripe_config("bpc_1", name="Theirs", metadata={"team": "x"}),
        stripe_config("bpc_2", "std"),  # this project's and environment's: claimed or gone
        stripe_config("bpc_3", "gone"),
        stripe_config("bpc_4", is_default=True),
        stripe_config("bpc_5", "std", project="other"),  # pinned
        stripe_config("bpc_6", "std", env="staging", application="ca_x"),
        stripe_config("bpc_7", name="Ours"),  # may look like x.yaml (look_alikes, by name)
        stripe_config("bpc_8", name="Test", livemode=False),  # the other mode (confirm_mode)
    ]
    kept = _slimmed("local", files, whole)
    # no record of those the plan only shows: the line of its note
    assert kept[0] == ("bpc_1", "Theirs", None)
    assert kept[5] == ("bpc_6", whole[5]["name"], "ca_x")
    assert kept[1:5] == whole[1:5]  # whole
    compact = {"application": None, "active": True, "is_default": False, "metadata": {}}
    assert kept[6] == {"id": "bpc_7", "name": "Ours", "livemode": True, **compact}
    assert kept[7] == {"id": "bpc_8", "name": "Test", "livemode": False, **compact}


# --- what an unmanaged configuration looks like (issue 20) ------------------------------------

SELF_SERVE = {
    "name": "Self-serve",
    "features": {
        "invoice_history": {"enabled": True},
        "subscription_update": {
            "enabled": True,
            "products": [{"product": "prod_l", "prices": ["price_live"]}],
        },
    },
}


def test_an_unmanaged_configuration_of_a_files_name_looks_like_that_file() -> None:
    file = desired("self-serve", {"name": "Self-serve"})
    others = [
        stripe_config("bpc_prod", name="Self-serve"),
        stripe_config("bpc_staging", "self-serve", env="staging", name="Self-serve"),
        stripe_config("bpc_app", name="Self-serve", application="ca_x"),
    ]
    missing, *unmanaged = bind([file], others[:1])
    assert missing.status is Status.MISSING and only(unmanaged).looks_like == file
    # one that carries an identity (here another environment's) or an application never does
    assert all(b.looks_like is None for b in bind([file], others[1:]))


def test_an_unnamed_configuration_looks_like_a_file_of_its_content_prices_by_lookup_key() -> None:
    file = desired("self-serve", copy.deepcopy(SELF_SERVE))
    file.params["features"]["subscription_update"]["products"] = [
        {"prices": ["lookup_key:pro_monthly"]}  # a file leaves the product to its prices
    ]
    live = Configuration.of(stripe_config("bpc_l", **{**copy.deepcopy(SELF_SERVE), "name": None}))
    by_key = {"price_live": "lookup_key:pro_monthly"}
    assert look_alikes([file], [live], lambda p: by_key.get(p, p)) == {"bpc_l": file}
    assert look_alikes([file], [live]) == {}  # other prices: another portal
    named = Configuration.of({**live.raw, "name": "Legacy"})  # two names: two portals
    assert look_alikes([file], [named], lambda p: by_key.get(p, p)) == {}


def test_a_likeness_that_is_ambiguous_or_only_stripes_defaults_says_nothing() -> None:
    twins = [stripe_config("bpc_1", name="Pro"), stripe_config("bpc_2", name="Pro")]
    assert all(b.looks_like is None for b in bind([desired("pro", {"name": "Pro"})], twins))
    bare = [stripe_config("bpc_3", name="Other")]  # the same (default) content, another name
    assert all(b.looks_like is None for b in bind([desired("pro", {"name": "Pro"})], bare))


def test_a_note_of_those_no_file_claims_keeps_the_first_and_counts_the_rest() -> None:
    # shown.Unclaimed: a text plan of an account of thousands holds the 20 its note names.
    ids = [f"bpc_{n:05}" for n in range(1000)]
    shuffled = ids[1::2] + ids[::2]  # listed in no particular order
    bounded, every = Unclaimed(3), Unclaimed()
    for config_id in shuffled:
        bounded.add((config_id, None, None))
        every.add((config_id, None, None))
    found = [("bpc_00000x", "Found among records", None)]
    named, more = bounded.noted(found)
    assert [u[0] for u in named] == ["bpc_00000", "bpc_00000x", "bpc_00001"]
    assert more == 1001 - 3
    named, more = every.noted()
    assert [u[0] for u in named] == ids and more == 0
