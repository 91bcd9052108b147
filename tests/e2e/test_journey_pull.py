"""The journey "Dashboard edit -> pull -> plan clean": someone changes a portal in the Dashboard
(the SDK on the emulator), `pull` brings it into the files that staging and prod share, and
`plan` shows no changes in either, for a value set, a URL cleared and a value changed in one
mode only. Run under each emulator behaviour (conftest.PARAMETRIZED_MODULES)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .stripe_state import LIVE_KEY, applied, by_key, clean, dashboard_edit

# One file for staging (test mode) and prod (live mode): app_url differs between them.
SHARED = """\
name: Standard portal
default_return_url: "${app_url}/account"
business_profile:
  headline: Billing by Acme.
  privacy_policy_url: "${app_url}/privacy"
features:
  invoice_history: {enabled: true}
"""


def edited_in_prod(project: Any, params: dict[str, Any]) -> Path:
    """The shared file applied to both modes, then `params` set in the Dashboard in live mode."""
    path = project.write("standard.yaml", SHARED)
    applied(project, "staging", "prod")
    dashboard_edit(project, "standard", params, key=LIVE_KEY)
    return path


def test_a_value_set_in_the_dashboard_is_pulled_with_its_variable_at_a_boundary(project) -> None:
    path = edited_in_prod(
        project,
        {
            "default_return_url": "https://example.community/billing",  # not ${app_url}munity
            "business_profile": {
                "headline": "Visit https://example.com today",  # free text stays text
                "privacy_policy_url": "https://example.com/legal?tab=privacy",
            },
        },
    )

    result = project.run("pull", "--env", "prod")
    assert result.exit_code == 0, result.output
    assert path.read_text() == SHARED + (
        "overrides:\n"
        "  prod:\n"
        "    business_profile:\n"
        "      headline: Visit https://example.com today\n"
        '      privacy_policy_url: "${app_url}/legal?tab=privacy"\n'
        '    default_return_url: "https://example.community/billing"\n'
    )
    clean(project, "prod", "staging")


def test_a_url_cleared_in_the_dashboard_is_pulled_as_null_dry_run_alike(project) -> None:
    cleared = {"default_return_url": "", "business_profile": {"privacy_policy_url": ""}}
    path = edited_in_prod(project, cleared)
    pulled = (
        "overrides:\n"
        "  prod:\n"
        "    business_profile:\n"
        "      privacy_policy_url: null\n"
        "    default_return_url: null\n"
    )

    dry = project.run("pull", "--env", "prod", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert path.read_text() == SHARED
    assert "".join(f"+{line}\n" for line in pulled.splitlines()) in dry.stdout

    result = project.run("pull", "--env", "prod")
    assert result.exit_code == 0, result.output
    assert path.read_text() == SHARED + pulled
    clean(project, "prod", "staging")
    live = by_key(project, LIVE_KEY)["standard"]
    assert live["default_return_url"] is None
    assert live["business_profile"]["privacy_policy_url"] is None


def test_a_value_changed_in_one_mode_only_stays_in_that_mode(project) -> None:
    path = project.write("standard.yaml", SHARED)
    applied(project, "staging", "prod")
    dashboard_edit(project, "standard", {"name": "Standard (staging)"})  # test mode only

    result = project.run("pull", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert path.read_text() == SHARED + ("overrides:\n  staging:\n    name: Standard (staging)\n")
    everywhere = project.run("plan", "--all", "--detailed-exitcode")
    assert everywhere.exit_code == 0, everywhere.output
    assert by_key(project, LIVE_KEY)["standard"]["name"] == "Standard portal"


def test_a_file_can_leave_a_url_unset_in_one_environment(project) -> None:
    project.write(
        "standard.yaml",
        SHARED + "overrides:\n  prod:\n    default_return_url: null   # no return link in prod\n",
    )
    assert project.run("validate").exit_code == 0
    applied(project, "staging", "prod")
    assert by_key(project, LIVE_KEY)["standard"]["default_return_url"] is None
    assert by_key(project)["standard"]["default_return_url"] == (
        "https://staging.example.com/account"
    )
    clean(project, "prod", "staging")
