"""config.py: discovery, environments, overrides, variables, desired state per environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal_config.errors import ConfigNotFound, Location, PortalConfigError, ValidationFailed
from portal_config.project import config, paths

PROJECT = """version: 1
project: acme
environments:
  local:
    mode: test
    emulator: ../.state/emulator.json
    vars: {app_url: "http://localhost:3000"}
    seed: {default_configuration: true}
  staging:
    mode: test
    api_key_env: STRIPE_STAGING_SECRET_KEY
    vars: {app_url: "https://staging.example.com"}
  prod:
    mode: live
    api_key_env: STRIPE_SECRET_KEY
    stripe_account: acct_123
    vars: {app_url: "https://example.com"}
"""
STANDARD = """name: Standard
default_return_url: "${app_url}/account"
business_profile:
  headline: Manage your subscription
  privacy_policy_url: "${app_url}/privacy"
features:
  customer_update: {enabled: true, allowed_updates: [email, address]}
  subscription_update:
    enabled: true
    products:
      - prices: [lookup_key:pro_monthly]
metadata: {team: billing, old: null, template: "$${user}"}
overrides:
  prod:
    business_profile: {headline: Acme billing}
    features:
      customer_update: {allowed_updates: [email]}
"""


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "portal-config.yaml").write_text(PROJECT)
    (folder / "standard.yaml").write_text(STANDARD)
    (folder / "enterprise.yml").write_text(
        "key: b2b\nenvironments: [staging, prod]\nids: {prod: bpc_1Pabc}\n"
        "features:\n  invoice_history: {enabled: true}\n"
    )
    (folder / "default.yaml").write_text(
        "default: true\nfeatures:\n  invoice_history: {enabled: true}\n"
    )
    monkeypatch.chdir(tmp_path)
    return folder


def test_discovery_order(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert paths.find_project_file(None) == project_dir / "portal-config.yaml"
    (project_dir.parent / "portal-config.yaml").write_text(PROJECT)
    assert paths.find_project_file(None) == project_dir.parent / "portal-config.yaml"
    assert paths.find_project_file(Path("configs")) == project_dir / "portal-config.yaml"
    monkeypatch.chdir(project_dir)
    found = paths.find_project_file(Path("portal-config.yaml"))
    assert found == project_dir / "portal-config.yaml"


def test_not_found_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigNotFound, match="--config PATH"):
        paths.find_project_file(None)
    with pytest.raises(ConfigNotFound, match="no project file at nope.yaml"):
        paths.find_project_file(Path("nope.yaml"))


def test_project_and_environments(project_dir: Path) -> None:
    project = config.load_project(None)
    assert project.name == "acme"
    assert project.root == project_dir
    assert list(project.environments) == ["local", "staging", "prod"]
    local, prod = project.environments["local"], project.environments["prod"]
    assert local.emulator == (project_dir.parent / ".state" / "emulator.json").resolve()
    assert local.seed == {"default_configuration": True} and local.api_key_env is None
    assert (prod.mode, prod.api_key_env, prod.stripe_account) == (
        "live",
        "STRIPE_SECRET_KEY",
        "acct_123",
    )
    assert prod.vars == {"app_url": "https://example.com"}
    assert prod.location == Location("configs/portal-config.yaml", 13, 3)
    assert [f.key for f in project.files] == ["default", "b2b", "standard"]
    assert project.warnings == ()


def test_an_environments_desired_state_is_the_one_validate_resolved(project_dir: Path) -> None:
    """Planning takes the configurations load_project resolved and checked: not filled again."""
    project = config.load_project(None)
    first, again = config.desired_configs(project, "prod"), config.desired_configs(project, "prod")
    assert first and all(a is b for a, b in zip(first, again, strict=True))


def test_desired_configs_per_environment(project_dir: Path) -> None:
    project = config.load_project(None)
    assert [d.key for d in config.desired_configs(project, "local")] == ["default", "standard"]
    prod = config.desired_configs(project, "prod")
    assert [(d.key, d.default, d.pinned_id) for d in prod] == [
        ("b2b", False, "bpc_1Pabc"),
        ("default", True, None),
        ("standard", False, None),
    ]
    standard = prod[2]
    assert standard.file == project_dir / "standard.yaml"
    assert standard.params == {
        "name": "Standard",
        "default_return_url": "https://example.com/account",
        "business_profile": {
            "headline": "Acme billing",
            "privacy_policy_url": "https://example.com/privacy",
        },
        "features": {
            "customer_update": {"enabled": True, "allowed_updates": ["email"]},
            "subscription_update": {
                "enabled": True,
                "products": [{"prices": ["lookup_key:pro_monthly"]}],
            },
        },
        "metadata": {"team": "billing", "old": None, "template": "${user}"},
    }


def test_locate_prefers_the_override(project_dir: Path) -> None:
    project = config.load_project(None)
    standard = config.desired_configs(project, "prod")[2]
    where = "configs/standard.yaml"
    assert standard.locate(("business_profile", "headline")) == Location(where, 15, 34)
    assert standard.locate(("business_profile", "privacy_policy_url")) == Location(where, 5, 23)
    # a list in an override replaces the base list whole, items included
    assert standard.locate(("features", "customer_update", "allowed_updates", 0)) == Location(
        where, 17, 43
    )
    assert standard.locate(("features", "customer_update", "enabled")) == Location(where, 7, 30)
    assert standard.locate(("features", "nothing", 3)) == Location(where, 7, 3)
    assert standard.locate(("name",), key=True) == Location(where, 1, 1)
    local = config.desired_configs(project, "local")[1]
    assert local.locate(("business_profile", "headline")) == Location(where, 4, 13)


def test_unknown_environment(project_dir: Path) -> None:
    project = config.load_project(None)
    with pytest.raises(PortalConfigError, match="defines local, staging, prod"):
        config.desired_configs(project, "prd")


def test_load_project_raises_with_every_problem(project_dir: Path) -> None:
    (project_dir / "broken.yaml").write_text("name: [x\n")
    (project_dir / "other.yaml").write_text("colour: blue\n")
    with pytest.raises(ValidationFailed) as failed:
        config.load_project(None)
    assert [str(p.location) for p in failed.value.problems] == [
        "configs/broken.yaml:2:1",
        "configs/other.yaml:1:1",
    ]


def test_collect_problems_never_raises_for_content(project_dir: Path) -> None:
    (project_dir / "portal-config.yaml").write_text("version: [\n")
    project, problems = config.collect_problems(None)
    assert project.environments == {}
    assert len(project.config_paths) == 3
    assert [p.location.file for p in problems] == ["configs/portal-config.yaml"]


def test_warnings_stay_on_the_project(project_dir: Path) -> None:
    (project_dir / "enterprise.yml").write_text(
        "environments: [staging]\noverrides:\n  prod: {name: x}\n"
    )
    project = config.load_project(None)
    assert [str(w) for w in project.warnings] == [
        (
            "configs/enterprise.yml:3:3: warning: overrides.prod never applies: the file is "
            "limited to environment staging"
        )
    ]


def test_raw_ids_in_an_override_or_a_limited_file_are_fine(project_dir: Path) -> None:
    (project_dir / "enterprise.yml").write_text(
        "environments: [prod]\nfeatures:\n  subscription_update:\n    enabled: true\n"
        "    products: [{product: prod_1, prices: [price_1]}]\n"
    )
    (project_dir / "standard.yaml").write_text(
        "features:\n  payment_method_update: {enabled: true}\noverrides:\n  prod:\n"
        "    features:\n      payment_method_update: {enabled: true, "
        "payment_method_configuration: pmc_1}\n"
    )
    assert config.collect_problems(None)[1] == []


def test_variables_only_in_stripe_fields_and_keys_from_file_names(project_dir: Path) -> None:
    (project_dir / "standard.yaml").write_text(
        'name: "${app_url}"\nmetadata: {"${x}": "${app_url}"}\n'
    )
    project = config.load_project(None)
    [desired] = [d for d in config.desired_configs(project, "staging") if d.key == "standard"]
    assert desired.params == {
        "name": "https://staging.example.com",
        "metadata": {"${x}": "https://staging.example.com"},
    }


def test_hidden_files_and_subfolders_are_not_read(project_dir: Path) -> None:
    (project_dir / ".gitkeep").write_text("")
    (project_dir / "drafts").mkdir()
    (project_dir / "drafts" / "notes.txt").write_text("x")
    assert config.collect_problems(None)[1] == []
