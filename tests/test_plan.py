"""Identity and diff, without Stripe: desired files against configuration objects."""

import pytest

from portal_config.planning.plan import EnvPlan, plan_environment

from .support.samples import desired, stripe_config


def test_unknown_key_is_created_with_identity_metadata() -> None:
    env = plan_environment("acme", "local", "test", [desired("std", {"name": "Std"})], [])
    (change,) = env.changes
    assert change.action == "create"
    assert change.params["metadata"] == {
        "portal_config_project": "acme",
        "portal_config_env": "local",
        "portal_config_key": "std",
    }
    assert [(f.path, f.new) for f in change.fields] == [("name", "Std")]


def test_matching_identity_in_sync_and_changed() -> None:
    current = [stripe_config("bpc_1", "std", name="Std")]
    assert plan_environment(
        "acme", "local", "test", [desired("std", {"name": "Std"})], current
    ).in_sync == (("std", "bpc_1"),)
    env = plan_environment("acme", "local", "test", [desired("std", {"name": "New"})], current)
    (change,) = env.changes
    assert (change.action, change.config_id, change.params) == ("update", "bpc_1", {"name": "New"})


def test_another_environments_identity_is_not_ours() -> None:
    current = [stripe_config("bpc_1", "std", env="staging")]
    env = plan_environment("acme", "local", "test", [desired("std")], current)
    assert [c.action for c in env.changes] == ["create"]
    assert env.unmanaged == (("bpc_1", None, None),)


def test_two_configurations_claiming_one_key_is_a_problem_naming_both() -> None:
    current = [stripe_config("bpc_1", "std"), stripe_config("bpc_2", "std")]
    env = plan_environment("acme", "local", "test", [desired("std")], current)
    assert not env.changes
    assert "bpc_1, bpc_2" in str(env.problems[0])


def test_missing_pin_is_an_error_never_a_create() -> None:
    env = plan_environment("acme", "local", "test", [desired("std", pinned="bpc_gone")], [])
    assert not env.changes and "bpc_gone" in str(env.problems[0])


def test_default_without_a_default_names_the_dashboard() -> None:
    env = plan_environment("acme", "live", "live", [desired("d", default=True)], [])
    assert "https://dashboard.stripe.com/settings/billing/portal" in str(env.problems[0])


def test_removed_file_is_pruned_only_when_asked_and_never_the_default_or_others() -> None:
    current = [
        stripe_config("bpc_1", "old"),
        stripe_config("bpc_2", "old2", is_default=True),
        stripe_config("bpc_3"),
        stripe_config("bpc_5", application="ca_x"),
    ]
    env = plan_environment("acme", "local", "test", [], current)
    assert env.prunable == (("old", "bpc_1"),) and not env.changes
    assert env.default_kept == (("old2", "bpc_2"),)
    env = plan_environment("acme", "local", "test", [], current, prune=True)
    assert [(c.action, c.config_id, dict(c.params)) for c in env.changes] == [
        ("deactivate", "bpc_1", {"active": False})
    ]
    assert env.default_kept == (("old2", "bpc_2"),)  # Stripe refuses: only the Dashboard can
    assert [u[0] for u in env.unmanaged] == ["bpc_3", "bpc_5"]


def test_own_configurations_stamped_with_an_application_are_still_ours() -> None:
    """Through Stripe-Account, Stripe may stamp the platform's application on what the tool
    creates (undocumented): this project's identity keys decide, not `application`."""
    current = [
        stripe_config("bpc_1", "std", application="ca_platform"),
        stripe_config("bpc_2", "old", application="ca_platform"),
    ]
    env = plan_environment(
        "acme", "local", "test", [desired("std", {"name": "New"})], current, prune=True
    )
    assert [(c.action, c.config_id) for c in env.changes] == [
        ("update", "bpc_1"),
        ("deactivate", "bpc_2"),
    ]
    assert not env.problems


def test_returning_file_reactivates_its_old_configuration() -> None:
    current = [stripe_config("bpc_1", "std", active=False)]
    (change,) = plan_environment("acme", "local", "test", [desired("std")], current).changes
    assert change.action == "update" and change.params == {"active": True}


def test_metadata_only_written_keys_are_managed() -> None:
    current = [stripe_config("bpc_1", "std")]
    current[0]["metadata"]["someone_elses"] = "x"
    env = plan_environment(
        "acme", "local", "test", [desired("std", {"metadata": {"team": "billing"}})], current
    )
    (change,) = env.changes
    assert change.params == {"metadata": {"team": "billing"}}


def test_pinned_configuration_is_adopted_only_on_request() -> None:
    current = [stripe_config("bpc_9")]
    env = plan_environment("acme", "prod", "live", [desired("std", pinned="bpc_9")], current)
    assert env.in_sync == (("std", "bpc_9"),)
    (change,) = plan_environment(
        "acme", "prod", "live", [desired("std", pinned="bpc_9")], current, adopt=True
    ).changes
    assert change.action == "adopt"
    assert change.params["metadata"]["portal_config_key"] == "std"


def test_another_applications_configuration_is_never_changed() -> None:
    current = [stripe_config("bpc_1", application="ca_1")]
    env = plan_environment("acme", "local", "test", [desired("std", pinned="bpc_1")], current)
    assert not env.changes and "ca_1" in str(env.problems[0])


def test_idempotency_key_depends_on_the_object_as_read() -> None:
    a = plan_environment(
        "acme", "local", "test", [desired("std", {"name": "N"})], [stripe_config("bpc_1", "std")]
    ).changes[0]
    b = plan_environment(
        "acme",
        "local",
        "test",
        [desired("std", {"name": "N"})],
        [stripe_config("bpc_1", "std", updated=99)],
    ).changes[0]
    assert a.idempotency_key("acme") == a.idempotency_key("acme")
    assert a.idempotency_key("acme") != b.idempotency_key("acme")


def test_active_false_is_a_deactivation_never_of_the_default() -> None:
    current = [
        stripe_config("bpc_1", "std"),
        stripe_config("bpc_2", "old", active=False),
        stripe_config("bpc_3", is_default=True),
    ]
    retired = {"active": False, "name": "ignored while retired"}
    env = plan_environment(
        "acme",
        "local",
        "test",
        [desired("std", retired), desired("old", retired), desired("main", retired, default=True)],
        current,
    )
    assert [(c.action, c.config_id, dict(c.params)) for c in env.changes] == [
        ("deactivate", "bpc_1", {"active": False})
    ]
    assert env.in_sync == (("old", "bpc_2"),)
    assert "Stripe cannot deactivate the default" in str(env.problems[0])


def test_a_retired_file_is_never_created() -> None:
    env = plan_environment("acme", "local", "test", [desired("std", {"active": False})], [])
    assert not env.changes and not env.problems


def test_adopt_never_takes_another_environments_configuration() -> None:
    current = [stripe_config("bpc_9", "std", env="staging")]
    env = plan_environment(
        "acme", "prod", "live", [desired("std", pinned="bpc_9")], current, adopt=True
    )
    assert not env.changes
    assert "carries the identity of project 'acme', environment 'staging'" in str(env.problems[0])


def test_stripes_fingerprint_changes_with_any_configuration_listed() -> None:
    """What a saved plan's staleness check compares (planfile.refuse_if_stale)."""
    listed = [stripe_config("bpc_1"), stripe_config("bpc_2", "std")]
    before = plan_environment("acme", "local", "test", [], listed).stripe_fingerprint
    listed[0]["updated"] += 1
    assert plan_environment("acme", "local", "test", [], listed).stripe_fingerprint != before
    assert plan_environment("acme", "local", "test", [], listed[1:]).stripe_fingerprint != before


def test_a_file_left_out_keeps_its_configuration_and_the_others_are_planned() -> None:
    from portal_config.errors import Location, Problem

    typo = Problem(Location("configs/pro.yaml", 5, 18), "lookup_key:pro_monthy matches no price")
    current = [stripe_config("bpc_1", "pro", name="Pro"), stripe_config("bpc_2", "std", name="x")]
    files = [
        desired("pro", {"name": "Changed"}),
        desired("std", {"name": "Std"}),
        desired("new", {"name": "New"}),
    ]
    env = plan_environment(
        "acme", "local", "test", files, current, prune=True, left_out={"pro": [typo], "new": [typo]}
    )
    assert [(c.action, c.key) for c in env.changes] == [("update", "std")]
    assert env.problems == (typo, typo)
    assert env.prunable == () and env.unmanaged == (), "bpc_1 is still pro's: never pruned"
    assert env.in_sync == ()


def test_a_plan_read_slim_cannot_be_fingerprinted() -> None:
    # Only a plan that is not saved reads slim (plan_target.read_environment): saving one would
    # fingerprint configurations without their fields.
    with pytest.raises(ValueError, match="no fingerprints"):
        _ = EnvPlan("local", "test", slim=True).fingerprints
