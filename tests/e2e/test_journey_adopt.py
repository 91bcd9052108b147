"""Journey (issue 20): adopt a portal clicked together in both test and live mode, from nothing.

The Dashboard is the stripe SDK here: it creates "Self-serve" in each mode, with that mode's own
price IDs behind the same lookup keys. import staging, import prod, plan, adopt: one file, no
create anywhere, and apply writes nothing but the identity metadata.
"""

from __future__ import annotations

import json
import re

import pytest

from portal_config.portal import identity

from .stripe_state import LIVE_KEY, TEST_KEY, catalog, client, configurations


def self_serve(suffix: str, host: str) -> dict:
    """One portal as clicked together in one mode: its own prices, its own return URL."""
    return {
        "name": "Self-serve",
        "default_return_url": f"https://{host}/account",
        "business_profile": {"headline": "Manage your plan."},
        "features": {
            "invoice_history": {"enabled": True},
            "customer_update": {"enabled": True, "allowed_updates": ["email", "address"]},
            "subscription_update": {
                "enabled": True,
                "default_allowed_updates": ["price"],
                "products": [{"product": f"prod_pro_{suffix}", "prices": [f"price_pm_{suffix}"]}],
            },
        },
    }


def clicked_together(project) -> tuple[str, str]:
    """Self-serve in test and live, as the Dashboard leaves it: (test ID, live ID)."""
    project.emulator.seed(catalog("t"), mode="test")
    project.emulator.seed(catalog("l"), mode="live")
    test = client(project, TEST_KEY).v1.billing_portal.configurations.create(
        self_serve("t", "staging.example.com")
    )
    live = client(project, LIVE_KEY).v1.billing_portal.configurations.create(
        self_serve("l", "example.com")
    )
    return test.id, live.id


def yaml_files(project) -> list[str]:
    return sorted(p.name for p in project.configs.glob("*.yaml"))


def test_a_portal_in_both_modes_is_adopted_into_one_file(project) -> None:
    test_id, live_id = clicked_together(project)

    staging = project.run("import", "--env", "staging")
    assert staging.exit_code == 0, staging.output
    assert yaml_files(project) == ["portal-config.yaml", "self-serve.yaml"]

    path = project.configs / "self-serve.yaml"
    path.write_text("# Owned by the billing team.\n" + path.read_text())
    prod = project.run("import", "--env", "prod")
    assert prod.exit_code == 0, prod.output
    assert yaml_files(project) == ["portal-config.yaml", "self-serve.yaml"]  # no -2 file
    text = path.read_text()
    assert text.startswith("# Owned by the billing team.\n"), text  # edited in place
    (live,) = configurations(project, LIVE_KEY)
    if not live.get("is_default"):  # found by `default: true` where Stripe made it the default
        said = rf"^pinned {live_id} as ids.prod in \S*configs/self-serve.yaml$"  # cwd-relative
        assert re.search(said, prod.stdout, re.MULTILINE), prod.output
        assert re.search(rf"ids:\n  staging: {test_id}\n  prod: {live_id}\n", text), text

    plan = project.run("plan", "--all", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.stdout and "created" not in plan.stdout

    project.emulator.clear_log()
    adopted = project.run("apply", "--all", "--adopt", "--yes")
    assert adopted.exit_code == 0, adopted.output
    writes = project.writes()
    assert writes, adopted.output
    for write in writes:  # identity metadata, nothing else
        assert write.path.startswith("/v1/billing_portal/configurations/bpc_"), write.path
        assert set(write.body) - {"expand"} == {"metadata"}, write.body  # expand: what to answer
        assert set(write.body["metadata"]) == set(identity.KEYS), write.body
        assert write.body["metadata"][identity.KEY] == "self-serve"
    assert {w.mode: w.body["metadata"][identity.ENV] for w in writes} in (
        {"test": "staging", "live": "prod"},
        {"test": "staging"},  # the live default, found by `default: true`, needs no identity
    )

    again = project.run("plan", "--all", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.stdout
    assert len(configurations(project, TEST_KEY)) == len(configurations(project, LIVE_KEY)) == 1


# Not under first-becomes-default: there each portal is its mode's default (`default: true`).
@pytest.mark.behaviours("documented", "refuse-default-updates")
def test_plan_says_which_file_an_unmanaged_configuration_looks_like(project) -> None:
    _, live_id = clicked_together(project)
    assert project.run("import", "--env", "staging").exit_code == 0

    hint = (
        f"looks like `self-serve`: pin it with `ids: {{prod: {live_id}}}` or run "
        "`import --env prod`"
    )
    text = project.run("plan", "--env", "prod")
    assert hint in text.stdout, text.output
    markdown = project.run("plan", "--env", "prod", "--format", "markdown")
    spans = markdown.stdout.replace("<code>", "`").replace("</code>", "`").replace("&#95;", "_")
    assert hint in spans, markdown.output
    machine = json.loads(project.run("plan", "--env", "prod", "--format", "json").stdout)
    (unmanaged,) = machine["environments"][0]["unmanaged"]
    assert unmanaged == {
        "id": live_id,
        "name": "Self-serve",
        "application": None,
        "looks_like": "self-serve",
    }


def test_import_id_takes_exactly_one_configuration(project) -> None:
    test_id, _ = clicked_together(project)
    other = client(project, TEST_KEY).v1.billing_portal.configurations.create(
        {"name": "Other", "features": {"invoice_history": {"enabled": True}}}
    )
    one = project.run("import", "--env", "staging", "--id", other.id)
    assert one.exit_code == 0, one.output
    assert yaml_files(project) == ["other.yaml", "portal-config.yaml"]
    missing = project.run("import", "--env", "staging", "--id", "bpc_nope")
    assert missing.exit_code == 1 and "bpc_nope" in missing.stderr, missing.output
    assert "Traceback" not in missing.output and yaml_files(project) == [
        "other.yaml",
        "portal-config.yaml",
    ]
    assert test_id not in (project.configs / "other.yaml").read_text()
