"""From review to merge (issue 21): whose change a pull request's plan shows, the outputs, a
drift check that fails, and the plan reviewed in the comment applied on merge, or nothing.

The merge runs action/run.py and action/comment.py as action.yml does, against the local GitHub
stand-in and a Stripe emulator over HTTP that the stripe SDK edits as the Dashboard would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import stripe
import yaml

from portal_config.render.markup import code
from tests.ci.conftest import GITHUB_WORKFLOWS, ROOT
from tests.ci.fake_github import BOT, REPO, TOKEN, FakeGitHub
from tests.ci.test_action_run import action, edit_headline

KEY = "sk_test_review_4eC39HqLyjWDarjtT1zdp7dc"
GIT = ["-c", "user.name=t", "-c", "user.email=t@example.com"]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *GIT, *args], cwd=repo, check=True, capture_output=True)
    return done.stdout.decode().strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A", "configs")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


def test_a_pull_requests_plan_says_what_it_changes_and_what_changed_outside(repo: Path) -> None:
    """Stripe holds the files applied; main then changed enterprise.yaml without an apply; the
    pull request edits standard.yaml. Its comment: what it changes, not "Drift", and the
    enterprise difference marked as changed outside portal-config."""
    done, out = action(repo, command="apply", environments="local")
    assert out["exitcode"] == "0", done.stdout
    path = repo / "configs" / "enterprise.yaml"
    path.write_text(path.read_text().replace("Your Acme Enterprise billing.", "Enterprise!"))
    base = commit(repo, "main, not applied")
    edit_headline(repo)
    pull_request = {"PORTAL_CONFIG_PR_NUMBER": "7"}
    done, out = action(repo, runner=pull_request, command="plan", environments="local", base=base)
    assert done.returncode == 0, done.stderr
    report = Path(out["report"]).read_text()
    assert "Drift" not in report
    assert report.startswith(
        "<!-- portal-config: plan -->\n\n## portal-config plan\n\n**This pull request changes** "
        "<code>standard</code> in <code>local</code>.\n\n> **Changed outside portal-config**: "
        "Stripe differs from the base branch's files here as well, not because of this pull "
        "request: <code>enterprise</code> in <code>local</code> "
        "(<code>business&#95;profile.headline</code>)."
    ), report
    assert "--detailed-exitcode" not in report, "a pull request's plan is no drift check"
    assert {k: out[k] for k in ("exitcode", "has-changes", "create", "update", "deactivate")} == {
        "exitcode": "2",
        "has-changes": "true",
        "create": "0",
        "update": "2",
        "deactivate": "0",
    }
    assert (out["live-changes"], out["has-deactivations"], out["pull-request"]) == (
        "false",
        "false",
        "7",
    )
    assert out["failure"] == ""
    assert json.loads(Path(out["json-plan"]).read_text())["summary"]["update"] == 2
    assert json.loads(Path(out["plan-file"]).read_text())["format"] == "portal-config-plan"


def test_fail_on_changes_fails_a_drift_check(repo: Path) -> None:
    done, out = action(repo, command="plan", environments="local", fail_on_changes="true")
    assert out["exitcode"] == "2", done.stdout
    assert (
        "**Drift: Stripe differs from the configuration files in local.**"
        in Path(out["report"]).read_text()
    )
    assert out["failure"] == (
        "plan found changes (exit 2) and fail-on-changes is true: see the report"
    )
    done, out = action(repo, command="plan", environments="local")
    assert (out["exitcode"], out["failure"]) == ("2", ""), "false: the outputs tell"
    done, out = action(repo, command="plan", environments="local", fail_on_changes="maybe")
    assert done.stdout == "::error::input fail-on-changes must be true or false, not 'maybe'\n"


def test_both_drift_examples_fail_on_changes_and_the_action_fails_on_failure() -> None:
    for name in ("nightly-drift.yml", "fleet-drift.yml"):
        (path,) = [p for p in GITHUB_WORKFLOWS if p.name == name]
        steps = [s for j in yaml.safe_load(path.read_text())["jobs"].values() for s in j["steps"]]
        uses = [s for s in steps if str(s.get("uses", "")).endswith("/portal-config@v1")]
        assert [s["with"].get("fail-on-changes") for s in uses] == ["true"], name
    steps = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
    assert "steps.run.outputs.failure != ''" in steps[-1]["if"]


PROJECT = """\
version: 1
project: acme
environments:
  staging:
    mode: test
    api_key_env: STRIPE_STAGING_SECRET_KEY
    api_base: {url}
"""
BASIC = "name: Basic\nfeatures:\n  invoice_history: {enabled: true}\n"
REVIEWED = "Reviewed in pull request 7."


class Merge:
    """A repository on main whose basic.yaml Stripe holds, a pull request #7 that changes its
    headline, reviewed (planned and commented), then merged."""

    def __init__(self, root: Path, emulator: Any, github: FakeGitHub) -> None:
        self.root, self.emulator, self.github = root, emulator, github
        (root / "configs").mkdir()
        (root / "runner").mkdir()
        (root / "configs" / "portal-config.yaml").write_text(PROJECT.format(url=emulator.url))
        (root / "configs" / "basic.yaml").write_text(BASIC)
        git(root, "init", "-q", "-b", "main")
        self.base = commit(root, "base")
        done, out = self.action(command="apply", environments="staging")
        assert out["exitcode"] == "0", done.stdout
        (root / "configs" / "basic.yaml").write_text(
            BASIC + f"business_profile:\n  headline: {REVIEWED}\n"
        )
        self.head = commit(root, "pull request 7")

    def action(self, **inputs: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
        env = {
            "STRIPE_STAGING_SECRET_KEY": KEY,
            "GITHUB_API_URL": self.github.url,
            "NO_PROXY": "127.0.0.1",
            "no_proxy": "127.0.0.1",
        }
        return action(self.root, token=TOKEN, runner=env, **inputs)

    def comment(self, report: str, number: str, key: str, *args: str) -> str:
        """action/comment.py as the action's comment step runs it; its stdout."""
        env = {
            **os.environ,
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_API_URL": self.github.url,
            "GITHUB_REPOSITORY": REPO,
            "NO_PROXY": "127.0.0.1",
        }
        argv = ["--body-file", report, "--key", key, "--number", number, *args]
        done = subprocess.run(
            [sys.executable, str(ROOT / "action" / "comment.py"), *argv],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def review(self) -> None:
        """The pull request job: plan, and the comment carrying the saved plan."""
        runner = {"PORTAL_CONFIG_PR_NUMBER": "7", "PORTAL_CONFIG_HEAD_SHA": self.head}
        env = {"STRIPE_STAGING_SECRET_KEY": KEY, **runner}
        done, out = action(self.root, runner=env, command="plan", environments="staging")
        assert (out["exitcode"], out["update"]) == ("2", "1"), done.stdout
        plan = ("--plan-file", out["plan-file"], "--head-sha", self.head)
        assert self.comment(out["report"], "7", "plan", *plan).startswith("created comment")

    def merge(self) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
        """The merge commit, the stand-in's pull request for it, and the apply job."""
        git(self.root, "checkout", "-q", "--detach", "HEAD")  # the merge commit's tree
        git(self.root, "commit", "-q", "--allow-empty", "-m", "Merge #7")
        merged = git(self.root, "rev-parse", "HEAD")
        self.github.pulls[merged] = [
            {
                "number": 7,
                "merged_at": "2025-01-01T00:00:00Z",
                "merge_commit_sha": merged,
                "head": {"sha": self.head},
            }
        ]
        runner = {
            "GITHUB_SHA": merged,
            "GITHUB_API_URL": self.github.url,
            "STRIPE_STAGING_SECRET_KEY": KEY,
            "NO_PROXY": "127.0.0.1",
        }
        return action(
            self.root,
            token=TOKEN,
            runner=runner,
            command="apply",
            environments="staging",
            reviewed_plan="plan",
            comment_key="apply-staging",
        )

    def stripe(self) -> Any:
        return stripe.StripeClient(KEY, base_addresses={"api": self.emulator.url})

    def headline(self) -> str:
        listed = self.stripe().v1.billing_portal.configurations.list()
        (basic,) = [c for c in listed if c.name == "Basic"]
        return str(basic.business_profile.headline)


@pytest.fixture
def merge(tmp_path: Path, emulator: Any, github: FakeGitHub) -> Merge:
    return Merge(tmp_path, emulator, github)


def test_the_reviewed_plan_is_applied_and_the_result_posted_on_the_pull_request(
    merge: Merge,
) -> None:
    """The apply comment posted: `apply --format markdown` (a table per environment, with IDs)
    on the merged pull request, headed by which reviewed plan it applied; the log collapsed."""
    merge.review()
    done, out = merge.merge()
    assert (out["exitcode"], out["failure"], out["pull-request"]) == ("0", "", "7"), done.stdout
    assert merge.headline() == REVIEWED
    report = Path(out["report"]).read_text()
    (basic,) = [c for c in merge.stripe().v1.billing_portal.configurations.list()]
    assert report.startswith(
        "<!-- portal-config: apply -->\n\n## portal-config apply\n\n"
        "Applying the plan reviewed in this pull request (#7).\n\n"
        "**Apply complete: 0 created, 1 updated, 0 deactivated.**\n\n"
        "### <code>staging</code>\n\n| Outcome | Configuration | ID | Detail |\n"
    ), report
    assert f"| updated | <code>basic</code> | {code(basic.id)} |" in report
    assert (
        "<details><summary>Log: the plan applied and each write</summary>\n\n```text\n"
        "portal-config will perform these actions: ~ update in place\n"
    ) in report
    assert merge.comment(out["report"], out["pull-request"], "apply-staging").startswith(
        "created comment"
    )
    plan_comment, apply_comment = merge.github.comments[7]
    assert "<!-- portal-config-plan: v1 " in plan_comment["body"]
    assert apply_comment["user"]["login"] == BOT
    assert apply_comment["body"].startswith(
        "<!-- portal-config: apply-staging -->\n\n## portal-config apply\n\nApplying"
    )


def test_a_dashboard_edit_after_the_review_refuses_the_merge_with_plan_changed(
    merge: Merge,
) -> None:
    """A configuration made in the Dashboard since: what the merge writes is the same, and
    `apply --plan` refuses the stale plan in its own words, naming what moved."""
    merge.review()
    made = merge.stripe().v1.billing_portal.configurations.create(
        {"name": "Dashboard portal", "features": {"invoice_history": {"enabled": True}}}
    )
    done, out = merge.merge()
    assert out["failure"] == (
        f"plan-changed: the saved plan is stale: in staging, 'Dashboard portal' ({made.id}) is "
        "new. Nothing was written; run `portal-config plan --out` again, review it, and apply "
        "that."
    ), done.stdout
    assert merge.headline() != REVIEWED, "nothing was applied"
    assert "the saved plan is stale" in Path(out["report"]).read_text()
    assert merge.comment(out["report"], "7", "apply-staging").startswith("created comment")
    assert "plan-changed" in merge.github.comments[7][-1]["body"]


def test_a_dashboard_edit_of_what_the_pull_request_writes_is_named(merge: Merge) -> None:
    """An edit that changes what the merge would write: refused before any write, naming it."""
    merge.review()
    (config,) = list(merge.stripe().v1.billing_portal.configurations.list())
    merge.stripe().v1.billing_portal.configurations.update(
        config.id, {"business_profile": {"privacy_policy_url": "https://example.com/privacy"}}
    )
    done, out = merge.merge()
    assert out["failure"] == (
        "plan-changed: Stripe no longer plans what #7 reviewed: update basic in staging would "
        "now write other values (business_profile). Nothing was applied: review a new plan (a "
        "pull request, or `portal-config plan`), then apply it"
    ), done.stdout
    assert merge.headline() != REVIEWED


def test_a_planted_plan_comment_is_not_applied(merge: Merge) -> None:
    """A comment carrying a plan, by someone else: the merge finds no reviewed plan."""
    merge.review()
    (ours,) = merge.github.comments[7]
    merge.github.comments[7] = [{**ours, "id": 1, "user": {"login": "mallory"}}]
    done, out = merge.merge()
    assert out["failure"].startswith(
        "pull request #7 has no saved plan in a <!-- portal-config: plan --> comment by "
        "github-actions[bot]"
    ), done.stdout
    assert merge.headline() != REVIEWED
