"""A plan names the plans customers may switch to by the product's name in Stripe's catalog
(issue 23: "Customers can now switch to Team (...)"), in every format, at no extra request."""

from __future__ import annotations

import json

from .stripe_state import PLANS, applied, catalog

WITH_TEAM = PLANS + "      - prices: [lookup_key:team_monthly]\n"


def test_a_new_plan_is_named_by_its_product(project) -> None:
    project.emulator.seed(catalog("t"), mode="test")
    project.write("plans.yaml", PLANS)
    applied(project, "staging")
    project.write("plans.yaml", WITH_TEAM)
    project.emulator.clear_log()

    text = project.run("plan", "--env", "staging")
    assert text.exit_code == 0, text.output
    assert "    # Customers can now switch to Team (team_monthly)" in text.stdout.splitlines()
    machine = project.run("plan", "--env", "staging", "--format", "json")
    (env,) = json.loads(machine.stdout)["environments"]
    assert env["changes"][0]["impact"] == ["Customers can now switch to Team (team_monthly)"]
    assert set(env["price_labels"].values()) == {  # prices only, as format_version 1 says
        "lookup_key:pro_monthly",
        "lookup_key:pro_yearly",
        "lookup_key:team_monthly",
    }
    product_reads = [r for r in project.emulator.request_log if r.path.startswith("/v1/products")]
    assert product_reads == []  # the names come with the prices (expand[]=data.product)
