"""`portal-config init` in an empty repository, and finding the project file from anywhere in
the repository: as a user runs them (exit code, output, the files written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_cli

KEY = "sk_test_init_4eC39HqLyjWDarjtT1zdp7dc"


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty git repository, the current folder."""
    root = tmp_path / "acme-billing"
    (root / ".git").mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


def test_init_writes_a_commented_project_file_that_validates(repository: Path) -> None:
    result = run_cli("init")
    assert result.exit_code == 0, result.output
    written = repository / "configs" / "portal-config.yaml"
    text = written.read_text()
    assert text.startswith("# portal-config project file")
    assert "project: acme-billing" in text
    assert "  local:\n    mode: test\n    emulator: ../.portal-config/emulator-state.json" in text
    assert result.stdout.startswith("wrote configs/portal-config.yaml\n")
    assert "portal-config import --env local" in result.stdout
    checked = run_cli("validate")
    assert checked.exit_code == 0, checked.output


def test_init_with_flags_writes_that_environment(repository: Path) -> None:
    result = run_cli(
        "init", "--env", "staging", "--mode", "test", "--key-env", "STRIPE_STAGING_SECRET_KEY"
    )
    assert result.exit_code == 0, result.output
    text = (repository / "configs" / "portal-config.yaml").read_text()
    assert "  staging:\n    mode: test\n    api_key_env: STRIPE_STAGING_SECRET_KEY\n" in text
    assert "portal-config import --env staging" in result.stdout
    assert run_cli("validate").exit_code == 0


def test_init_from_a_key_variable_takes_its_mode_and_never_prints_the_key(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", KEY)
    result = run_cli("init", "--from-env", "STRIPE_SECRET_KEY")
    assert result.exit_code == 0, result.output
    text = (repository / "configs" / "portal-config.yaml").read_text()
    assert "  staging:\n    mode: test\n    api_key_env: STRIPE_SECRET_KEY\n" in text
    assert KEY not in result.output + text
    monkeypatch.setenv("STRIPE_LIVE", "")
    (repository / "configs" / "portal-config.yaml").unlink()
    empty = run_cli("init", "--from-env", "STRIPE_LIVE")
    assert (empty.exit_code, empty.stdout) == (1, "")
    assert empty.stderr == (
        "Error: the variable STRIPE_LIVE is set but empty: export the key "
        "(sk_test_..., sk_live_...) in it, or name the mode with --mode\n"
    )


def test_init_refuses_to_overwrite_a_project_file(repository: Path) -> None:
    (repository / "portal-config.yaml").write_text("version: 1\n")
    result = run_cli("init")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: portal-config.yaml already exists: init writes a new project only; edit that "
        "file instead\n"
    )
    assert not (repository / "configs").exists()
    assert (repository / "portal-config.yaml").read_text() == "version: 1\n"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--env", "staging"), "--env needs --mode and --key-env (or --from-env VARIABLE)"),
        (
            ("--env", "staging", "--mode", "test", "--key-env", KEY),
            "--key-env takes the NAME of the variable that holds the key, never the key",
        ),
        (("--env", "a b", "--mode", "test", "--key-env", "K"), "--env 'a b': an environment"),
        (
            ("--env", "staging", "--mode", "test", "--key-env", "sk_org_test_51QaZ0123456789ab"),
            "--key-env takes the NAME of the variable that holds the key, never the key",
        ),
    ],
)
def test_init_refuses_what_would_not_validate(repository: Path, args, said: str) -> None:
    result = run_cli("init", *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: {said}"), result.stderr
    assert KEY not in result.output
    assert not (repository / "configs").exists()


def test_the_project_file_is_found_from_any_folder_of_the_repository(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cli("init").exit_code == 0
    deep = repository / "app" / "billing"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    result = run_cli("validate")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{repository / 'configs'}: 0 files, 0 errors, 0 warnings\n"


def test_the_search_stops_at_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "portal-config.yaml").write_text("version: 1\n")  # above the repository
    inner = tmp_path / "repo" / "sub"
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    inner.mkdir()
    monkeypatch.chdir(inner)
    result = run_cli("validate")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no project file: looked for ./portal-config.yaml")


def test_names_yaml_would_read_as_something_else_are_quoted(repository: Path) -> None:
    result = run_cli(
        "init", "--project", "123", "--env", "true", "--mode", "live", "--key-env", "K"
    )
    assert result.exit_code == 0, result.output
    text = (repository / "configs" / "portal-config.yaml").read_text()
    assert 'project: "123"' in text and '  "true":\n    mode: live\n' in text
    assert run_cli("validate").exit_code == 0


def test_init_writes_a_sandbox_environment(repository: Path) -> None:
    result = run_cli("init", "--env", "dev", "--mode", "sandbox", "--key-env", "STRIPE_SANDBOX_KEY")
    assert result.exit_code == 0, result.output
    text = (repository / "configs" / "portal-config.yaml").read_text()
    assert "  dev:\n    mode: sandbox\n    api_key_env: STRIPE_SANDBOX_KEY\n" in text
    assert run_cli("validate").exit_code == 0


def test_init_from_a_sandbox_key_writes_a_sandbox(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_SANDBOX_KEY", "rkcs_test_51QaZ0123456789abcdWXYZ")
    result = run_cli("init", "--from-env", "STRIPE_SANDBOX_KEY")
    assert result.exit_code == 0, result.output
    text = (repository / "configs" / "portal-config.yaml").read_text()
    assert "  sandbox:\n    mode: sandbox\n    api_key_env: STRIPE_SANDBOX_KEY\n" in text
    assert "rkcs_test_51" not in text + result.output


def test_init_from_an_organization_key_says_which_account_to_name(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An organization key acts for the account an environment names (stripe_context), which the
    key does not tell: init says so, and writes nothing that would be refused later."""
    monkeypatch.setenv("STRIPE_ORG_KEY", "sk_org_test_51QaZ0123456789abcdWXYZ")
    result = run_cli("init", "--env", "shop", "--mode", "test", "--from-env", "STRIPE_ORG_KEY")
    assert result.exit_code == 1, result.output
    assert "organization key" in result.stderr and "stripe_context: acct_" in result.stderr
    assert "sk_org_test_51" not in result.output
    assert not (repository / "configs").exists()


def test_outside_a_repository_the_search_names_only_this_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No .git above: the search looks here alone (paths.searched_folders), and says so.
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate")
    assert result.exit_code == 1
    assert "in this folder (not in a git repository)" in result.stderr, result.stderr
    assert "repository's root" not in result.stderr


def test_init_elsewhere_names_its_project_file_in_the_next_commands(repository: Path) -> None:
    # A project file the search from here would not find: the hint carries --config.
    result = run_cli("--config", "ops/portal/portal-config.yaml", "init")
    assert result.exit_code == 0, result.output
    assert "`portal-config --config ops/portal/portal-config.yaml import --env local`" in (
        result.stdout
    )
    assert "`portal-config --config ops/portal/portal-config.yaml plan --env local`" in (
        result.stdout
    )
    # and the commands it points to carry it on
    imported = run_cli("--config", "ops/portal/portal-config.yaml", "import", "--env", "local")
    assert imported.exit_code == 0, imported.output
    assert "`portal-config --config ops/portal/portal-config.yaml plan --env local`" in (
        imported.stdout
    )
    # where the search finds it, the commands need no --config
    default = run_cli("--config", "configs/portal-config.yaml", "init")
    assert default.exit_code == 0, default.output
    assert "`portal-config import --env local`" in default.stdout


def test_the_emulators_state_folder_it_makes_keeps_itself_out_of_version_control(
    repository: Path,
) -> None:
    # As .pytest_cache does: the folder the state needs is made with a .gitignore of `*`.
    assert run_cli("init").exit_code == 0
    applied = run_cli("apply", "--env", "local", "--yes")
    assert applied.exit_code == 0, applied.output
    state = repository / ".portal-config"
    assert (state / "emulator-state.json").is_file()
    assert (state / ".gitignore").read_text().splitlines()[-1] == "*"


def test_a_state_folder_that_was_there_gets_no_gitignore(tmp_path: Path) -> None:
    from portal_config.emulator.store import Store

    (tmp_path / "notes.txt").write_text("the user's own\n")
    store = Store(tmp_path / "emulator-state.json")
    store.open()
    store.close()
    assert not (tmp_path / ".gitignore").exists()
    made = Store(tmp_path / "fresh" / "emulator-state.json")
    made.open()
    made.close()
    assert (tmp_path / "fresh" / ".gitignore").is_file()
