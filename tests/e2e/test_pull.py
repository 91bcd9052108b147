"""pull end to end: a Dashboard edit (made through the SDK on the emulator) comes back into the
files, comments and layout kept, and the plan is clean afterwards."""

from __future__ import annotations

from .stripe_state import LIVE_KEY, applied, by_key, clean, dashboard_edit

# Served to staging and prod: a value pulled from one goes under its overrides.
SHARED = """\
# The standard portal: every plan's customers.
name: Standard portal            # shown in the Dashboard only
default_return_url: "${app_url}/account"
business_profile:
  headline: Acme partners with Stripe.
features:
  customer_update:
    enabled: true
    allowed_updates: [email, address]   # tax IDs come later
  invoice_history: {enabled: true}
metadata:
  team: billing
  owner: ada
"""
STAGING_ONLY = """\
environments: [staging]
name: Trial portal
default_return_url: "${app_url}/account"   # back to the app
features:
  invoice_history: {enabled: true}
  subscription_update:
    enabled: true
    default_allowed_updates: [price]
    products:
      - prices: [lookup_key:pro_monthly]
"""
CATALOG = {
    "products": [
        {
            "id": "prod_pro",
            "name": "Pro",
            "prices": [
                {
                    "id": "price_pm",
                    "lookup_key": "pro_monthly",
                    "unit_amount": 2000,
                    "currency": "usd",
                    "recurring": {"interval": "month"},
                },
                {
                    "id": "price_py",
                    "lookup_key": "pro_yearly",
                    "unit_amount": 20000,
                    "currency": "usd",
                    "recurring": {"interval": "year"},
                },
                {
                    "id": "price_raw",
                    "unit_amount": 3000,
                    "currency": "usd",
                    "recurring": {"interval": "month"},
                },
            ],
        }
    ]
}


def test_a_dashboard_edit_lands_under_the_environment_override_comments_kept(
    project, monkeypatch
) -> None:
    monkeypatch.chdir(project.root)  # paths as a user in the repository sees them
    path = project.write("standard.yaml", SHARED)
    applied(project, "staging", "prod")
    dashboard_edit(
        project,
        "standard",
        {
            "business_profile": {"headline": "Billing, simplified."},
            "features": {"customer_update": {"allowed_updates": ["email", "address", "tax_id"]}},
            "metadata": {"owner": "", "clicked": "yes"},
        },
    )

    dry = project.run("pull", "--env", "staging", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert path.read_text() == SHARED  # a dry run writes nothing
    assert dry.stdout.startswith("--- a/configs/standard.yaml\n+++ b/configs/standard.yaml\n")
    assert "+      headline: Billing, simplified.\n" in dry.stdout
    assert "nothing was written" in dry.stderr

    result = project.run("pull", "--env", "staging")
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert text.startswith(SHARED)  # every line of the file as it was, comments included
    assert text[len(SHARED) :] == (
        "overrides:\n"
        "  staging:\n"
        "    business_profile:\n"
        "      headline: Billing, simplified.\n"
        "    features:\n"
        "      customer_update:\n"
        "        allowed_updates: [email, address, tax_id]\n"
        "    metadata:\n"
        "      owner: null\n"
    )
    assert result.stdout.startswith(
        "updated configs/standard.yaml: business_profile.headline, features.customer_update."
        "allowed_updates, metadata.owner (under overrides.staging)\n"
        "Pulled 3 value(s) from staging into 1 file(s). `portal-config plan --env staging` now "
        "shows no changes.\n"
    )
    clean(project, "staging")
    clean(project, "prod")  # prod still has what it had: nothing of staging's edit reaches it
    assert by_key(project)["standard"]["metadata"]["clicked"] == "yes"  # not the file's key


def test_a_staging_only_file_gets_the_value_in_place_vars_and_lookup_keys_kept(project) -> None:
    project.emulator.seed(CATALOG, mode="test")
    path = project.write("trial.yaml", STAGING_ONLY)
    applied(project, "staging")
    dashboard_edit(
        project,
        "trial",
        {
            "name": "Trial",
            "default_return_url": "https://staging.example.com/billing",
            "features": {
                "subscription_update": {
                    "products": [
                        {"product": "prod_pro", "prices": ["price_pm", "price_py", "price_raw"]}
                    ]
                }
            },
        },
    )

    result = project.run("pull", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert path.read_text() == STAGING_ONLY.replace("name: Trial portal", "name: Trial").replace(
        '"${app_url}/account"   #', '"${app_url}/billing"   #'
    ).replace(
        "      - prices: [lookup_key:pro_monthly]\n",
        "      - product: prod_pro\n"
        "        prices: [lookup_key:pro_monthly, lookup_key:pro_yearly, price_raw]\n",
    )
    clean(project, "staging")


def test_a_var_value_that_still_matches_is_left_as_written(project) -> None:
    path = project.write("standard.yaml", SHARED)
    applied(project, "staging")
    dashboard_edit(project, "standard", {"name": "Renamed"})
    result = project.run("pull", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert 'default_return_url: "${app_url}/account"\n' in path.read_text()
    assert "name: Renamed" in path.read_text()
    clean(project, "staging")


def test_an_inactive_configuration_is_reported_not_written(project) -> None:
    path = project.write("standard.yaml", SHARED)
    applied(project, "staging")
    dashboard_edit(project, "standard", {"active": False})
    result = project.run("pull", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert path.read_text() == SHARED
    assert "not pulled: standard (bpc_" in result.stderr
    assert "inactive in Stripe" in result.stderr
    assert "Nothing to pull" in result.stdout


def test_keys_limit_the_files_and_an_unknown_key_is_an_error(project) -> None:
    shared = project.write("standard.yaml", SHARED)
    trial = project.write(
        "trial.yaml",
        STAGING_ONLY.replace(
            "      - prices: [lookup_key:pro_monthly]\n",
            "      - prices: [lookup_key:pro_yearly]\n",
        ),
    )
    project.emulator.seed(CATALOG, mode="test")
    applied(project, "staging")
    dashboard_edit(project, "standard", {"name": "Renamed"})
    dashboard_edit(project, "trial", {"name": "Renamed"})
    before = trial.read_text()

    result = project.run("pull", "--env", "staging", "standard")
    assert result.exit_code == 0, result.output
    assert "name: Renamed" in shared.read_text()
    assert trial.read_text() == before

    unknown = project.run("pull", "--env", "staging", "standrad")
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == (
        "Error: KEY 'standrad' is not a configuration's key (did you mean 'standard'?): the "
        "files' keys are standard, trial"
    )
    elsewhere = project.run("pull", "--env", "prod", "trial")
    assert elsewhere.exit_code == 1
    assert "limited to staging" in elsewhere.stderr


def test_nothing_to_pull_when_the_files_match(project) -> None:
    project.write("standard.yaml", SHARED)
    result = project.run("pull", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert "not pulled: standard: not in Stripe yet" in result.stderr
    applied(project, "staging")
    again = project.run("pull", "--env", "staging")
    assert again.exit_code == 0
    assert again.stdout == "Nothing to pull: the files already hold Stripe's values in staging.\n"


def test_a_new_feature_gets_the_fields_stripe_requires_beside_it(project) -> None:
    path = project.write("standard.yaml", SHARED)
    applied(project, "staging", "prod")
    dashboard_edit(
        project, "standard", {"features": {"subscription_cancel": {"mode": "immediately"}}}
    )  # changed while the feature stays off
    result = project.run("pull", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert path.read_text()[len(SHARED) :] == (
        "overrides:\n"
        "  staging:\n"
        "    features:\n"
        "      subscription_cancel:\n"
        "        mode: immediately\n"
        "        enabled: false\n"
    )
    clean(project, "staging")
    clean(project, "prod")


def test_a_value_written_under_the_override_is_replaced_there(project) -> None:
    path = project.write(
        "trial.yaml",
        STAGING_ONLY.replace("products:\n", "products: []\n").replace(
            "      - prices: [lookup_key:pro_monthly]\n", ""
        )
        + "overrides:\n  staging:\n    name: Staging trial  # for QA\n",
    )
    applied(project, "staging")
    dashboard_edit(project, "trial", {"name": "QA trial"})
    before = path.read_text()
    assert project.run("pull", "--env", "staging").exit_code == 0
    # The comment keeps its column.
    assert path.read_text() == before.replace("name: Staging trial  #", "name: QA trial       #")
    clean(project, "staging")


def test_line_breaks_yaml_versions_read_otherwise_are_pulled_escaped(project) -> None:
    # U+2028, U+0085 and U+2029 are line breaks to PyYAML (validate) and text to ruamel.yaml:
    # written raw, the file would read back otherwise (and validate refuses them raw).
    path = project.write(
        "basic.yaml", "name: Basic\nfeatures:\n  invoice_history: {enabled: true}\n"
    )
    applied(project, "staging")
    headline = "One\u2028two\x85three\u2029four"
    dashboard_edit(project, "basic", {"business_profile": {"headline": headline}})
    result = project.run("pull", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert '    headline: "One\\Ltwo\\Nthree\\Pfour"\n' in path.read_text()
    assert project.run("validate").exit_code == 0
    clean(project, "staging")


def test_a_dry_run_shows_only_what_the_real_run_writes(project, monkeypatch) -> None:
    monkeypatch.chdir(project.root)
    path = project.write("standard.yaml", SHARED)
    applied(project, "staging", "prod")
    # Stripe takes plain http; validate refuses it in a live environment (README: Validate).
    dashboard_edit(project, "standard", {"default_return_url": "http://example.com/a"}, LIVE_KEY)
    for dry_run in (["--dry-run"], []):
        result = project.run("pull", "--env", "prod", *dry_run)
        assert result.exit_code == 1, result.output
        assert result.stdout == ("" if dry_run else "Nothing was pulled from prod.\n")
        assert result.stderr == (
            "Error: not pulled: configs/standard.yaml (default_return_url (under "
            "overrides.prod)): Stripe's values would not validate there (default_return_url: "
            "must be an https URL in a live environment, got 'http://example.com/a' (in "
            "environment prod)); the file is left as it is: correct the value in the "
            "Dashboard, or edit the file by hand\n"
        ) + ("Nothing was pulled from prod.\n" if dry_run else "")
        assert path.read_text() == SHARED
