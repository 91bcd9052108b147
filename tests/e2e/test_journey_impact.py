"""Journey (issue 23): a reviewer who is no engineer reads what customers will notice.

Someone makes cancellations immediate, with prorations, in a file: every format of the plan says
so in plain words first (the markdown comment leads the configuration's section with it), and
`explain` says what each portal lets a customer do, from the files and, in the same words, from
Stripe once applied.
"""

from __future__ import annotations

import json

from .stripe_state import PLANS, STANDARD, applied, by_key, catalog, dashboard_edit

IMMEDIATE = STANDARD.replace(
    "    enabled: true\n    cancellation_reason",
    "    enabled: true\n    mode: immediately\n    proration_behavior: create_prorations\n"
    "    cancellation_reason",
)
SENTENCE = (
    "Cancellations take effect immediately instead of at the end of the period, with prorations"
)
# What STANDARD lets a customer do, as explain says it (stripe_state.STANDARD).
STANDARD_SAYS = [
    "Customers can see their invoice history",
    "Customers can update their address and email",
    "Customers can cancel in the portal",
    "Cancellations take effect at the end of the period",
    "Customers are asked why they cancel",
    "Customers choose why they cancel from: other or too expensive",
    'The portal\'s headline reads "Acme partners with Stripe for simplified billing."',
    "Sessions return to https://staging.example.com/account",
]


def test_a_change_of_cancellation_mode_is_said_first_in_every_format(project) -> None:
    project.write("standard.yaml", STANDARD)
    applied(project, "staging")
    project.write("standard.yaml", IMMEDIATE)

    markdown = project.run("plan", "--env", "staging", "--format", "markdown")
    assert markdown.exit_code == 0, markdown.output
    section = markdown.stdout.split("<details><summary>", 1)[1].split("</details>", 1)[0]
    header, rest = section.split("</summary>", 1)
    assert header.split("<br>")[1:] == [f"- {SENTENCE}"], section  # leads, above the table
    assert rest.lstrip().startswith("| Field | Before | After |"), section

    text = project.run("plan", "--env", "staging")
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("~ standard"))
    assert lines[head + 1] == f"    # {SENTENCE}", text.stdout
    assert lines[head + 2].startswith("    features.subscription_cancel."), text.stdout

    machine = project.run("plan", "--env", "staging", "--format", "json")
    (change,) = json.loads(machine.stdout)["environments"][0]["changes"]
    assert change["impact"] == [SENTENCE]


def test_a_dashboard_edit_is_said_as_what_customers_lost(project) -> None:
    project.write("standard.yaml", STANDARD)
    applied(project, "staging")
    dashboard_edit(project, "standard", {"features": {"subscription_cancel": {"enabled": False}}})

    plan = project.run("plan", "--env", "staging", "--format", "json")
    (change,) = json.loads(plan.stdout)["environments"][0]["changes"]
    assert change["impact"] == ["Customers can now cancel in the portal"]  # the files restore it


def test_explain_says_what_each_portal_lets_a_customer_do(project) -> None:
    project.write("standard.yaml", STANDARD)

    offline = project.run("explain", "--env", "staging")
    assert offline.exit_code == 0, offline.output
    heading = offline.stdout.splitlines()[0]
    assert heading.startswith("standard in staging (") and heading.endswith("/standard.yaml):")
    said = [line.strip() for line in offline.stdout.splitlines()[1:]]
    assert [s for s in said if s in STANDARD_SAYS] == STANDARD_SAYS, offline.stdout
    assert "Customers cannot pause their subscriptions" in said

    missing = project.run("explain", "--env", "staging", "--from-stripe")
    assert missing.exit_code == 0, missing.output
    assert "standard in staging: not in Stripe yet (apply creates it)" in missing.stdout

    applied(project, "staging")
    config_id = by_key(project)["standard"]["id"]
    online = project.run("explain", "--env", "staging", "--from-stripe", "standard")
    assert online.exit_code == 0, online.output
    lines = online.stdout.splitlines()
    assert lines[0] == f"standard in staging ({config_id}, as Stripe has it):"
    assert lines[1:] == offline.stdout.splitlines()[1:]  # the same words


def test_explain_names_plans_by_their_lookup_keys_and_refuses_an_unknown_key(project) -> None:
    project.emulator.seed(catalog("t"), mode="test")
    project.write("plans.yaml", PLANS)
    offline = project.run("explain", "--env", "staging", "plans")
    assert "  Customers can switch to pro_monthly, pro_yearly" in offline.stdout, offline.output
    applied(project, "staging")
    online = project.run("explain", "--env", "staging", "--from-stripe")
    assert "  Customers can switch to pro_monthly, pro_yearly" in online.stdout

    unknown = project.run("explain", "--env", "staging", "nope")
    assert unknown.exit_code == 1
    assert "Error: KEY 'nope' is not a configuration's key: the files' keys are plans" in (
        unknown.stderr
    )
    assert "Traceback" not in unknown.output
