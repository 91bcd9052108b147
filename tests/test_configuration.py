"""portal/configuration.py: a configuration Stripe answered, as answers.py hands it on once it is
checked: typed attributes for what the tool decides on, the whole answer kept for diffs."""

from __future__ import annotations

from portal_config.portal.configuration import Configuration
from portal_config.stripe_api import responses

from .support.samples import stripe_config


def test_a_checked_answer_is_a_record_with_its_answer_kept() -> None:
    raw = stripe_config("bpc_1", "std", created=1700000000, livemode=False, name="Std")
    record = responses.configuration(raw)
    assert isinstance(record, Configuration)
    assert (record.id, record.active, record.is_default, record.livemode) == (
        "bpc_1",
        True,
        False,
        False,
    )
    assert (record.name, record.application, record.created) == ("Std", None, 1700000000)
    assert record.identity == ("acme", "local", "std") and record.metadata is raw["metadata"]
    assert record.raw is raw and record == raw and dict(record) == raw


def test_an_expanded_application_is_its_id_and_a_record_is_not_wrapped_twice() -> None:
    record = Configuration.of(stripe_config("bpc_1", application={"id": "ca_x"}))
    assert record.application == "ca_x"
    assert Configuration.of(record) is record
