"""Keys never reach the output or a file: an answer that echoes the key is masked in every output
path (the error line, apply's progress lines, --debug tracebacks), and import refuses to write a
Dashboard value that looks like a key."""

from __future__ import annotations

import json

import pytest

from portal_config.emulator import api as emulator_api

from .stripe_state import BASIC, STANDARD, TEST_KEY, by_key, client

# Letters and digits after the prefix, as Stripe's keys are: the pattern alone masks this one in
# a message. TEST_KEY has underscores, so only masking by the key's value catches it.
STRIPE_SHAPED_KEY = "sk_test_51Hq4eC39HqLyjWDarjtT1zdp7dcXyZ"
READ_ONLY_KEY = "rk_test_e2e_readonly_9f8e7d6c5b4a"


@pytest.fixture
def echoing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The emulator answers like a server that echoes the key it was sent in full (Stripe masks
    it; a proxy or a future answer might not)."""
    monkeypatch.setattr(emulator_api, "mask_key", lambda key: key)


@pytest.mark.parametrize("key", [TEST_KEY, STRIPE_SHAPED_KEY], ids=["underscores", "stripe-shaped"])
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_a_key_echoed_in_stripes_answer_is_never_printed(
    project, echoing, monkeypatch, key: str, debug: bool
) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", key)
    project.emulator.revoked_keys = {key}
    project.write("basic.yaml", BASIC)
    result = project.run(*(["--debug"] if debug else []), "plan", "--env", "staging")
    assert result.exit_code == 1
    assert "Stripe rejected the API key: Invalid API Key provided: sk_test_..." in result.stderr
    assert key[-4:] in result.stderr  # masked as Stripe does: the prefix and the last four
    assert ("Traceback" in result.stderr) is debug
    assert key not in result.output
    assert key[8:-4] not in result.output


def test_a_key_echoed_in_a_write_failure_is_masked_in_the_apply_report(
    project, echoing, monkeypatch
) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", READ_ONLY_KEY)
    project.emulator.key_permissions = {
        READ_ONLY_KEY: {"billing_portal": "read", "prices": "read", "products": "read"}
    }
    project.write("basic.yaml", BASIC)
    for debug in ([], ["--debug"]):
        result = project.run(*debug, "apply", "--env", "staging")
        assert result.exit_code == 1, result.output
        assert "Failed: create basic (new) in staging: " in result.stdout  # the apply report
        assert "The provided key 'rk_test_...5b4a' does not have" in result.stdout
        assert READ_ONLY_KEY not in result.output


def test_import_refuses_a_dashboard_value_that_looks_like_a_key(project) -> None:
    live_key = "sk_live_51Hq4eC39HqLyjWDarjtT1zdp7dcAbCd"
    restricted = "rk_test_51Hq4eC39HqLyjWDarjtT1zdp7dcEfGh"
    stripe = client(project).v1.billing_portal.configurations
    clean = stripe.create({"name": "Clean", "features": {"invoice_history": {"enabled": True}}})
    leaky = stripe.create(
        {
            "name": "Leaky",
            "business_profile": {"headline": f"Use {live_key} for now"},
            "features": {"invoice_history": {"enabled": True}},
            "metadata": {"note": restricted},
        }
    )
    project.emulator.clear_log()
    before = sorted(p.name for p in project.configs.iterdir())
    result = project.run("import", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("Error: ")
    assert (
        f"{leaky.id} business_profile.headline holds what looks like a Stripe key (sk_live_...)"
    ) in error
    assert f"{leaky.id} metadata.note holds what looks like a Stripe key (rk_test_...)" in error
    assert clean.id not in error
    assert "nothing was written. Clear the value in the Dashboard" in error
    assert error.endswith("then import again.")
    for value in (live_key, restricted, live_key[8:], restricted[8:]):
        assert value not in result.output
    assert sorted(p.name for p in project.configs.iterdir()) == before
    assert project.writes() == []

    stripe.update(leaky.id, {"business_profile": {"headline": "Cleared"}, "metadata": {"note": ""}})
    again = project.run("import", "--env", "staging")
    assert again.exit_code == 0, again.output
    assert "Imported 2 configuration(s)" in again.stdout


def encoded(key: str) -> list[str]:
    """The key, and the key as each renderer could encode its `_`: an HTML entity (markdown), a
    JSON escape, a markdown backslash escape; and its middle, which no encoding touches."""
    forms = ["_", "&#95;", "&#x5f;", "\\u005f", "\\_"]
    return [key.replace("_", form) for form in forms] + [key[8:-4]]


def test_a_key_in_a_dashboard_value_is_in_no_report_and_no_saved_plan(project, tmp_path) -> None:
    """A value Stripe holds is shown as the plan's `before`: a key pasted into the Dashboard is
    masked however the format encodes it (markdown writes `_` as `&#95;`), in the plan file too,
    and that plan still applies."""
    live_key = "sk_live_51Hq4eC39HqLyjWDarjtT1zdp7dcAbCd"
    project.write("standard.yaml", STANDARD)
    assert project.run("apply", "--env", "staging").exit_code == 0
    config_id = by_key(project)["standard"]["id"]
    client(project).v1.billing_portal.configurations.update(
        config_id, {"business_profile": {"headline": f"Use {live_key} for now"}}
    )
    saved = tmp_path / "plan.json"
    outputs = {
        f"plan --format {fmt}": project.run("plan", "--env", "staging", "--format", fmt)
        for fmt in ("markdown", "json", "text")
    }
    outputs["plan --out"] = project.run("plan", "--env", "staging", "--out", str(saved))
    assert outputs["plan --format markdown"].exit_code == 0
    outputs.update(
        {
            f"show {fmt}": project.run("show", str(saved), "--format", fmt)
            for fmt in ("markdown", "json")
        }
    )
    texts = {name: result.output for name, result in outputs.items()}
    texts["the plan file"] = saved.read_text()
    for name, text in texts.items():
        for form in encoded(live_key):
            assert form not in text, f"{name} shows {form}"
    assert "sk&#95;live&#95;...AbCd" in outputs["plan --format markdown"].stdout

    applied = project.run("apply", "--plan", str(saved))
    assert applied.exit_code == 0, applied.output
    assert by_key(project)["standard"]["business_profile"]["headline"] == (
        "Acme partners with Stripe for simplified billing."
    )


def test_a_key_escaped_in_a_file_is_refused_and_no_plan_saved(project, tmp_path) -> None:
    """A key escaped in a file (`\\u005f`) is one no pattern finds in its text: validate finds
    it in the loaded values, at its line, so no plan that would write it is saved (or applied)."""
    live_key = "sk_live_51Hq4eC39HqLyjWDarjtT1zdp7dcAbCd"
    escaped = live_key.replace("_", "\\u005f")
    project.write("leaky.yaml", f'{BASIC}business_profile: {{headline: "{escaped}"}}\n')
    saved = tmp_path / "plan.json"
    result = project.run("plan", "--env", "staging", "--out", str(saved))
    assert result.exit_code == 1, result.output
    assert "leaky.yaml:" in result.output
    assert "this looks like a Stripe secret key (sk_live_...AbCd)" in result.output
    assert not saved.exists()
    for form in encoded(live_key):
        assert form not in result.output


def test_a_key_written_into_a_saved_plan_is_refused_before_any_request(project, tmp_path) -> None:
    """A plan file comes from elsewhere too (a CI artifact, stdin): one edited to write a key is
    refused as a plan that would write one is never saved, and nothing reaches Stripe."""
    live_key = "sk_live_51Hq4eC39HqLyjWDarjtT1zdp7dcAbCd"
    project.write("basic.yaml", f'{BASIC}business_profile: {{headline: "Welcome"}}\n')
    saved = tmp_path / "plan.json"
    assert project.run("plan", "--env", "staging", "--out", str(saved)).exit_code == 0
    saved.write_text(saved.read_text().replace('"Welcome"', json.dumps(live_key)))
    project.emulator.clear_log()

    for result in (
        project.run("apply", "--plan", str(saved), "--yes"),
        project.run("apply", "--plan", "-", "--yes", stdin=saved.read_text()),
    ):
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert "would write what looks like a Stripe key (sk_live_...AbCd)" in result.stderr
        assert live_key not in result.output
    assert project.emulator.request_log == []
