"""revdiff.py: the working tree planned against Stripe as the base revision's files would have
left it; offline (no key, no account)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from portal_config.errors import PortalConfigError
from portal_config.pipeline.revdiff import (
    BASE_ID,
    UNRESOLVED_PRODUCT,
    checkout_of_folder,
    diff_against,
    diff_environment,
    stripe_as_base,
)
from portal_config.planning.changes import Create, Deactivate, Update
from portal_config.project import config, spec

from .support.samples import identity

PROJECT_FILE = """version: 1
project: acme
environments:
  local: {mode: test, api_key_env: PORTAL_CONFIG_UNIT_KEY}
  prod: {mode: live, api_key_env: PORTAL_CONFIG_UNIT_LIVE_KEY}
"""


def project(root: Path, files: dict[str, str], project_file: str = PROJECT_FILE) -> spec.Project:
    root.mkdir()
    (root / "portal-config.yaml").write_text(project_file)
    for name, text in files.items():
        (root / name).write_text(text)
    return config.load_project(root / "portal-config.yaml")


Make = Callable[..., spec.Project]  # make(files, project_file=PROJECT_FILE)


@pytest.fixture
def make(tmp_path: Path) -> Make:
    made = iter(range(100))

    def make(files: dict[str, str], project_file: str = PROJECT_FILE) -> spec.Project:
        return project(tmp_path / f"p{next(made)}", files, project_file)

    return make


# --- Stripe as the base would have left it -----------------------------------------------


def test_without_a_base_stripe_has_only_a_default_at_stripes_defaults() -> None:
    assert stripe_as_base(None, "acme", "local") == [
        {"id": f"{BASE_ID}default", "active": True, "is_default": True, "metadata": {}}
    ]


def test_each_base_file_is_a_configuration_as_apply_would_have_made_it(make: Make) -> None:
    base = make(
        {
            "std.yaml": "name: Std\nmetadata: {team: billing, gone: null}\n",
            "pinned.yaml": "ids: {local: bpc_9}\nname: Pinned\n",
            "main.yaml": "default: true\nname: Main\n",
            "old.yaml": "active: false\nname: Old\n",
        }
    )
    by_id = {c["id"]: c for c in stripe_as_base(base, "acme", "local")}
    assert set(by_id) == {"base:std", "bpc_9", "base:main", "base:old"}  # no extra default
    assert by_id["base:std"]["metadata"] == {"team": "billing", **identity("std")}
    assert (by_id["base:std"]["name"], by_id["base:std"]["active"]) == ("Std", True)
    assert by_id["bpc_9"]["metadata"] == {}  # a pin keeps no identity keys
    assert (by_id["base:main"]["is_default"], by_id["base:main"]["metadata"]) == (True, {})
    assert by_id["base:old"]["active"] is False


def test_an_environment_the_base_does_not_have_holds_only_the_default(make: Make) -> None:
    base = make({"std.yaml": "name: Std\n"}, PROJECT_FILE.split("  prod:")[0])
    assert [c["id"] for c in stripe_as_base(base, "acme", "prod")] == ["base:default"]
    assert [c["id"] for c in stripe_as_base(base, "acme", "local")] == ["base:std", "base:default"]


def test_products_without_a_product_compare_by_their_prices(make: Make) -> None:
    base = make(
        {
            "std.yaml": "features:\n  subscription_update:\n    enabled: true\n"
            "    products: [{prices: [lookup_key:pro]}]\n"
        }
    )
    (std, _) = stripe_as_base(base, "acme", "local")
    assert std["features"]["subscription_update"]["products"] == [
        {"product": UNRESOLVED_PRODUCT, "prices": ["lookup_key:pro"]}
    ]


# --- the diff ----------------------------------------------------------------------------


def test_the_same_files_make_no_changes(make: Make) -> None:
    files = {
        "std.yaml": "name: Std\n",
        "main.yaml": "default: true\nname: Main\n",
        "pinned.yaml": "ids: {local: bpc_9}\nname: P\n",
    }
    env = diff_environment(make(files), make(files), "local")
    assert env.changes == () and env.problems == ()
    assert sorted(env.in_sync) == [("main", "base:main"), ("pinned", "bpc_9"), ("std", "base:std")]


def test_new_changed_retired_and_removed_files_as_plan_would_see_them(make: Make) -> None:
    base = make({"std.yaml": "name: Std\n", "old.yaml": "name: Old\n", "ret.yaml": "name: Ret\n"})
    head = make(
        {
            "std.yaml": "name: Standard\n",
            "new.yaml": "name: New\n",
            "ret.yaml": "active: false\nname: Ret\n",
        }
    )
    env = diff_environment(base, head, "local")
    assert [(type(c), c.key) for c in env.changes] == [
        (Create, "new"),
        (Update, "std"),
        (Deactivate, "ret"),
    ]
    assert [(f.path, f.old, f.new) for f in env.changes[1].fields] == [("name", "Std", "Standard")]
    assert all(c.config_id is None and c.fingerprint is None for c in env.changes)
    assert env.prunable == (("old", ""),)  # a removed file: a note, as without --prune


def test_a_changed_lookup_key_stays_symbolic(make: Make) -> None:
    products = (
        "features:\n  subscription_update:\n    enabled: true\n"
        "    products: [{prices: [lookup_key:%s]}]\n"
    )
    env = diff_environment(
        make({"std.yaml": products % "pro"}), make({"std.yaml": products % "pro_v2"}), "local"
    )
    ((field,),) = [c.fields for c in env.changes]
    assert [e.prices for e in field.old] == [("lookup_key:pro",)]
    assert [(e.product, e.prices) for e in field.new] == [
        (UNRESOLVED_PRODUCT, ("lookup_key:pro_v2",))
    ]


def test_nothing_unmanaged_or_kept_is_reported_since_no_account_was_read(make: Make) -> None:
    base = make({"main.yaml": "default: true\nname: Main\n"})
    env = diff_environment(base, make({"std.yaml": "name: Std\n"}), "local")
    assert [c.action for c in env.changes] == ["create"]
    assert (env.unmanaged, env.default_kept, env.stripe_fingerprint) == ((), (), "")


def test_a_default_file_new_at_head_updates_stripes_default(make: Make) -> None:
    env = diff_environment(None, make({"main.yaml": "default: true\nname: Main\n"}), "local")
    (change,) = env.changes
    assert (change.action, change.key, change.is_default) == ("update", "main", True)


# --- the base revision's folder ----------------------------------------------------------


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def commit_folder(root: Path, files: dict[str, str]) -> Path:
    """A git repository at root with `configs/` holding files (NAME or SUB/NAME), committed."""
    folder = root / "configs"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return folder


def test_checkout_of_folder_holds_the_files_as_they_were(tmp_path: Path) -> None:
    folder = commit_folder(tmp_path, {"std.yaml": "name: Then\n", "main.yaml": "name: M\n"})
    (folder / "std.yaml").write_text("name: Now\n")
    (folder / "new.yaml").write_text("name: New\n")
    (tmp_path / "other").mkdir()
    with checkout_of_folder(folder, "HEAD") as then:
        assert then is not None
        assert sorted(p.name for p in then.iterdir()) == ["main.yaml", "std.yaml"]
        assert (then / "std.yaml").read_text() == "name: Then\n"
    with checkout_of_folder(tmp_path / "other", "HEAD") as missing:
        assert missing is None  # the folder did not exist at that revision


def test_a_base_that_is_not_a_revision_is_one_clear_error(tmp_path: Path) -> None:
    folder = commit_folder(tmp_path, {"std.yaml": "name: Then\n"})
    with (
        pytest.raises(PortalConfigError, match="'nope' is not a revision of the repository"),
        checkout_of_folder(folder, "nope"),
    ):
        pass  # pragma: no cover - never entered


def test_a_subfolder_beside_the_files_does_not_stop_the_diff(tmp_path: Path) -> None:
    folder = commit_folder(
        tmp_path,
        {
            "portal-config.yaml": PROJECT_FILE,
            "std.yaml": "name: Std\n",
            "notes/readme.yaml": "x: 1\n",
        },
    )
    head = config.load_project(folder / "portal-config.yaml")  # the subfolder is not read
    plan = diff_against("HEAD", head, ["local"])
    assert plan.changes == []
