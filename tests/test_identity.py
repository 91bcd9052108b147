"""portal/identity.py: whose a configuration is (its identity metadata) and the account's default's
rules, the one place match, plan, apply, import, ids and doctor read them from."""

from __future__ import annotations

from portal_config.portal import identity

from .support.samples import stripe_config


def test_identity_of_reads_the_three_keys_and_tolerates_no_metadata() -> None:
    assert identity.of(stripe_config("bpc_1", "std")) == ("acme", "local", "std")
    assert identity.of({"id": "bpc_1", "metadata": None}) == (None, None, None)


def test_a_stamp_is_what_identity_reads_back() -> None:
    stamped = {"id": "bpc_1", "metadata": identity.stamp("acme", "prod", "std")}
    assert identity.of(stamped) == ("acme", "prod", "std")
    assert identity.is_ours(stamped, "acme", "prod")
    assert not identity.is_ours(stamped, "acme", "local")
    assert identity.project_key(stamped, "acme") == "std"
    assert identity.project_key(stamped, "other") is None


def test_metadata_splits_into_the_tools_keys_and_the_files() -> None:
    metadata = {**identity.stamp("acme", "local", "std"), "team": "billing"}
    assert identity.without_identity(metadata) == {"team": "billing"}
    assert identity.only_identity(metadata) == identity.stamp("acme", "local", "std")
    assert identity.without_identity(None) == {} == identity.only_identity(None)


def test_the_default_is_found_never_deactivated_and_sorted_first() -> None:
    plain, default = stripe_config("bpc_1"), stripe_config("bpc_2", is_default=True)
    assert identity.default_of([plain, default]) is default
    assert identity.default_of([plain]) is None
    assert not identity.may_deactivate(default) and identity.may_deactivate(plain)
    assert sorted([plain, default], key=identity.default_first) == [default, plain]
    assert not identity.is_default(None)
