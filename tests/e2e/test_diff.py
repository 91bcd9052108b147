"""diff --base: offline, against a git revision, with no key and no request."""

from __future__ import annotations

import json
import subprocess

from .stripe_state import BASIC, STANDARD


def git(project, *args: str) -> None:
    subprocess.run(["git", *args], cwd=project.root, check=True, capture_output=True)


def committed(project, files: dict[str, str]) -> None:
    """The project a git repository whose one commit, the base, holds these files."""
    git(project, "init", "-q")
    git(project, "config", "user.email", "t@example.com")
    git(project, "config", "user.name", "t")
    for name, text in files.items():
        project.write(name, text)
    git(project, "add", "-A")
    git(project, "commit", "-qm", "base")


def test_diff_against_a_revision_needs_no_key_and_sends_nothing(project, monkeypatch) -> None:
    committed(project, {"standard.yaml": STANDARD, "old.yaml": BASIC})
    project.write("standard.yaml", STANDARD.replace("[too_expensive, other]", "[other]"))
    project.remove("old.yaml")
    project.write("basic.yaml", BASIC)
    monkeypatch.delenv("PORTAL_CONFIG_E2E_TEST_KEY")
    monkeypatch.delenv("PORTAL_CONFIG_E2E_LIVE_KEY")

    result = project.run("diff", "--base", "HEAD", "--env", "staging", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert "+ basic in staging will be created" in result.stdout
    assert "~ standard in staging will be updated in place" in result.stdout
    assert (
        "    features.subscription_cancel.cancellation_reason.options: "
        '["other", "too_expensive"] -> ["other"]'
    ) in result.stdout
    # As plan counts it: a removed file is deactivated only with --prune, so it is a note.
    assert "whose file is gone: old; `apply --prune` would deactivate them" in result.stdout
    assert "DEACTIVATED" not in result.stdout
    assert "Plan: 1 to create, 1 to update, 0 to deactivate." in result.stdout
    assert project.emulator.request_log == []

    prod = project.run("diff", "--base", "HEAD", "--env", "prod")
    assert prod.exit_code == 0 and "+ basic in prod will be created" in prod.stdout


def test_diff_with_an_unknown_revision_is_one_clear_error(project) -> None:
    git(project, "init", "-q")
    result = project.run("diff", "--base", "nope")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith("Error: 'nope' is not a revision of the repository")


def test_diff_never_shows_writes_apply_would_not_make(project) -> None:
    committed(project, {"main.yaml": "default: true\nname: Main\n", "live.yaml": BASIC})
    project.remove("main.yaml")  # the default: never pruned
    project.write("live.yaml", "active: false\n" + BASIC)  # retired: a deactivation
    project.write("retired.yaml", "active: false\n" + BASIC)  # new but retired: never created
    project.write("dflt.yaml", "default: true\nname: Dflt\n")  # the default: never created
    result = project.run("diff", "--base", "HEAD", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert "main" not in result.stdout and "retired" not in result.stdout
    assert "- live in staging will be DEACTIVATED" in result.stdout
    assert "~ dflt in staging will be updated in place [the account's default" in result.stdout
    assert "Plan: 0 to create, 1 to update, 1 to deactivate." in result.stdout


def test_diff_says_what_it_compared_and_never_speaks_of_stripes_state(project) -> None:
    committed(project, {"basic.yaml": BASIC})
    same = project.run("diff", "--base", "HEAD", "--detailed-exitcode")
    assert same.exit_code == 0, same.output
    assert same.stderr.startswith("Desired state at HEAD -> working tree")
    assert same.stdout == "No changes between HEAD and the working tree.\n"
    project.remove("basic.yaml")
    removed = project.run("diff", "--base", "HEAD", "--env", "staging", "--format", "markdown")
    assert removed.stdout.startswith(
        "<!-- portal-config: diff -->\n\n## portal-config diff "
        "against HEAD\n\nDesired state at HEAD -&#62; working tree"
    )
    assert removed.stdout.rstrip().endswith(
        "**No other changes between HEAD and the working tree, but files were removed (see "
        "Notes).**"
    )
    assert "Drift" not in removed.stdout and "Stripe matches" not in removed.stdout


def test_a_removed_file_is_a_difference_to_diff_as_to_plan(project) -> None:
    # The README's exit codes: with --detailed-exitcode a configuration whose file is gone counts
    # as a change; diff exited 0 here while its JSON said has_changes (one drift test now).
    committed(project, {"basic.yaml": BASIC})
    project.remove("basic.yaml")
    removed = project.run("diff", "--base", "HEAD", "--env", "staging", "--detailed-exitcode")
    assert removed.exit_code == 2, removed.output
    assert "whose file is gone: basic; `apply --prune` would deactivate them" in removed.stdout
    as_json = project.run(
        "diff", "--base", "HEAD", "--env", "staging", "--format", "json", "--detailed-exitcode"
    )
    assert as_json.exit_code == 2 and json.loads(as_json.stdout)["has_changes"] is True
