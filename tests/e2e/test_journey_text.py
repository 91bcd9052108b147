"""Journey: a team whose portal has a name that is not ASCII ("Café — Plus") reviews it in every
format. Text and markdown print it as written; JSON may escape it but reads back the same."""

from __future__ import annotations

import json

NAME = "Café — Plus"
HEADLINE = "Thé, café et crème — à volonté"
PLUS = f"""\
name: {NAME}
business_profile:
  headline: {HEADLINE}
features:
  invoice_history: {{enabled: true}}
"""


def test_a_name_that_is_not_ascii_is_printed_as_written(project, tmp_path) -> None:
    project.write("plus.yaml", PLUS)
    saved = tmp_path / "plan.json"

    text = project.run("plan", "--env", "staging", "--out", str(saved))
    assert text.exit_code == 0, text.output
    assert f"name: {json.dumps(NAME, ensure_ascii=False)}" in text.stdout
    assert HEADLINE in text.stdout
    assert "\\u" not in text.output

    markdown = project.run("plan", "--env", "staging", "--format", "markdown")
    assert markdown.exit_code == 0, markdown.output
    assert NAME in markdown.stdout and HEADLINE in markdown.stdout
    assert "u00e9" not in markdown.stdout and "u2014" not in markdown.stdout

    shown = project.run("show", str(saved))
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == text.stdout
    shown_markdown = project.run("show", str(saved), "--format", "markdown")
    assert NAME in shown_markdown.stdout and "u00e9" not in shown_markdown.stdout

    as_json = project.run("plan", "--env", "staging", "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    (change,) = json.loads(as_json.stdout)["environments"][0]["changes"]
    assert change["params"]["name"] == NAME
    assert change["params"]["business_profile"]["headline"] == HEADLINE

    # Once applied, the name Stripe holds is the one written, and the next plan is clean.
    applied = project.run("apply", "--env", "staging")
    assert applied.exit_code == 0, applied.output
    assert NAME in applied.output or "plus" in applied.output
    again = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_a_configuration_no_file_claims_is_noted_by_its_name_as_written(project) -> None:
    from .stripe_state import LIVE_KEY, client

    made = client(project, LIVE_KEY).v1.billing_portal.configurations.create(
        {"name": NAME, "features": {"invoice_history": {"enabled": True}}}
    )
    text = project.run("plan", "--env", "prod")
    assert text.exit_code == 0, text.output
    assert f"{json.dumps(NAME, ensure_ascii=False)} ({made.id})" in text.stdout
    markdown = project.run("plan", "--env", "prod", "--format", "markdown")
    assert f"&#34;{NAME}&#34;" in markdown.stdout or f'"{NAME}"' in markdown.stdout
    assert "u00e9" not in text.stdout + markdown.stdout
    assert "&#8212;" not in markdown.stdout
