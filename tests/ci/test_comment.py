"""action/comment.py keeps ONE comment per key on a pull request (local GitHub stand-in)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci.conftest import ROOT
from tests.ci.fake_github import BOT, REPO, TOKEN, FakeGitHub

SCRIPT = ROOT / "action" / "comment.py"
PLAN = "**portal-config plan** for `staging`: 0 to create, 1 to update, 0 to deactivate\n"


def comment(
    github: FakeGitHub, tmp_path: Path, body: str, *args: str, number: int = 7, head: str = REPO
) -> subprocess.CompletedProcess[str]:
    """comment.py as the action runs it, on the event of a pull request from `head`'s branch."""
    body_file = tmp_path / "body.md"
    body_file.write_text(body, encoding="utf-8")
    event = tmp_path / "event.json"
    event.write_text(json.dumps(pull_request_event(number, head)), encoding="utf-8")
    env = {
        "GITHUB_EVENT_PATH": str(event),
        **os.environ,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": github.url,
        "GITHUB_REPOSITORY": REPO,
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
    }
    return subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--body-file",
            str(body_file),
            "--number",
            str(number),
            "--timeout",
            "10",
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def pull_request_event(number: int, head: str) -> dict[str, object]:
    """The part of a `pull_request` event's payload (GITHUB_EVENT_PATH) that says where from."""
    return {
        "number": number,
        "pull_request": {
            "number": number,
            "head": {"repo": {"full_name": head}},
            "base": {"repo": {"full_name": REPO}},
        },
    }


def writes(github: FakeGitHub) -> list[tuple[str, str]]:
    return [(method, path) for method, path in github.requests if method != "GET"]


def test_first_run_creates_the_comment_and_the_second_updates_it(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.add(7, "LGTM, but check the prod plan")
    first = comment(github, tmp_path, PLAN)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("created comment https://github.test/")
    human, ours = github.comments[7]
    assert ours["body"] == f"<!-- portal-config: plan -->\n{PLAN}"

    second = comment(github, tmp_path, PLAN.replace("1 to update", "2 to update"))
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("updated comment ")
    assert [c["id"] for c in github.comments[7]] == [human["id"], ours["id"]]
    assert ours["body"] == "<!-- portal-config: plan -->\n" + PLAN.replace("1 to", "2 to")
    assert human["body"] == "LGTM, but check the prod plan"
    assert writes(github) == [
        ("POST", f"/repos/{REPO}/issues/7/comments"),
        ("PATCH", f"/repos/{REPO}/issues/comments/{ours['id']}"),
    ]


def test_the_marker_is_found_past_the_first_hundred_comments(
    github: FakeGitHub, tmp_path: Path
) -> None:
    for n in range(130):
        github.add(7, f"comment {n}")
    ours = github.add(7, "<!-- portal-config: plan -->\nold plan", BOT)
    for n in range(20):
        github.add(7, f"later comment {n}")

    done = comment(github, tmp_path, PLAN)
    assert done.returncode == 0, done.stderr
    assert ours["body"] == f"<!-- portal-config: plan -->\n{PLAN}"
    assert len(github.comments[7]) == 151
    assert [r for r in github.requests if r[0] == "GET"] == [
        ("GET", "/user"),  # 403 for GITHUB_TOKEN: its comments are github-actions[bot]'s
        ("GET", f"/repos/{REPO}/issues/7/comments?per_page=100"),
        ("GET", f"/repos/{REPO}/issues/7/comments?per_page=100&page=2"),
    ]
    assert writes(github) == [("PATCH", f"/repos/{REPO}/issues/comments/{ours['id']}")]


def test_comments_without_this_marker_are_left_alone(github: FakeGitHub, tmp_path: Path) -> None:
    quoted = github.add(7, "> <!-- portal-config: plan -->\nquoting the bot")
    mentioned = github.add(7, "what is <!-- portal-config: plan --> for?")
    prod = github.add(7, "<!-- portal-config: plan-prod -->\nprod plan", BOT)

    done = comment(github, tmp_path, PLAN, "--key", "plan-staging")
    assert done.returncode == 0 and done.stdout.startswith("created comment"), done.stderr
    assert [c["body"] for c in (quoted, mentioned, prod)] == [
        "> <!-- portal-config: plan -->\nquoting the bot",
        "what is <!-- portal-config: plan --> for?",
        "<!-- portal-config: plan-prod -->\nprod plan",
    ]
    assert github.comments[7][-1]["body"] == f"<!-- portal-config: plan-staging -->\n{PLAN}"


def test_a_body_already_carrying_the_marker_gets_it_once(
    github: FakeGitHub, tmp_path: Path
) -> None:
    done = comment(github, tmp_path, f"<!-- portal-config: plan -->\n{PLAN}")
    assert done.returncode == 0, done.stderr
    assert github.comments[7][0]["body"] == f"<!-- portal-config: plan -->\n{PLAN}"


def test_the_reports_own_marker_gives_way_to_the_key(github: FakeGitHub, tmp_path: Path) -> None:
    """`plan|diff --format markdown` starts with its own marker: the comment keeps one, the
    key's, so a push whose plan became the offline diff updates the same comment."""
    diff = comment(github, tmp_path, f"<!-- portal-config: diff -->\n{PLAN}")
    assert diff.returncode == 0, diff.stderr
    (ours,) = github.comments[7]
    assert ours["body"] == f"<!-- portal-config: plan -->\n{PLAN}"
    plan = comment(github, tmp_path, f"<!-- portal-config: plan -->\n\n{PLAN}")
    assert plan.stdout.startswith("updated comment"), plan.stderr
    assert ours["body"] == f"<!-- portal-config: plan -->\n\n{PLAN}"
    assert ours["body"].count("<!-- portal-config:") == 1
    keyed = comment(github, tmp_path, f"<!-- portal-config: plan -->\n{PLAN}", "--key", "prod")
    assert keyed.stdout.startswith("created comment"), keyed.stderr
    assert github.comments[7][-1]["body"] == f"<!-- portal-config: prod -->\n{PLAN}"


def test_a_body_over_65000_characters_is_cut_with_a_note(
    github: FakeGitHub, tmp_path: Path
) -> None:
    lines = "".join(f"    field_{n}: old -> new\n" for n in range(4000))
    done = comment(github, tmp_path, f"{PLAN}\n```diff\n{lines}```\n")
    assert done.returncode == 0, done.stderr
    body = github.comments[7][0]["body"]
    assert len(body) <= 65_000 and body.startswith("<!-- portal-config: plan -->\n**portal")
    assert body.count("```") % 2 == 0, "the cut code block is closed"
    assert body.rstrip().endswith("the job summary and the log of the workflow run.")
    assert "**Truncated**: this comment is limited to 65,000 characters" in body


def test_the_read_only_token_of_a_fork_is_a_warning_not_a_failure(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.forbid_writes = True
    done = comment(github, tmp_path, PLAN, head="mallory/billing")
    assert done.returncode == 0
    assert done.stdout.startswith(
        "::warning::cannot comment on pull request #7 (GitHub "
        "answered 403: Resource not accessible by integration)"
    )
    assert github.comments.get(7, []) == []


def test_a_403_on_a_same_repository_pull_request_fails_naming_the_permission(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """Not a fork: the workflow lacks the permission, and a green job would hide that."""
    github.forbid_writes = True
    done = comment(github, tmp_path, PLAN)
    assert done.returncode == 1
    assert done.stdout == (
        "::error::cannot comment on pull request #7 (GitHub answered 403: Resource not "
        "accessible by integration): add `pull-requests: write` to the workflow's or the "
        "job's permissions (the report is in the job summary)\n"
    )
    assert "fork" not in done.stdout + done.stderr
    assert github.comments.get(7, []) == []


def test_a_planted_marker_comment_is_left_alone(github: FakeGitHub, tmp_path: Path) -> None:
    """Only a comment the token's own identity wrote is updated: a marker anyone can type does
    not make the bot edit someone else's comment."""
    planted = github.add(7, "<!-- portal-config: plan -->\nLooks good, merge it!", "mallory")
    done = comment(github, tmp_path, PLAN)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("created comment ")
    assert planted["body"] == "<!-- portal-config: plan -->\nLooks good, merge it!"
    ours = github.comments[7][-1]
    assert (ours["user"]["login"], ours["body"]) == (BOT, f"<!-- portal-config: plan -->\n{PLAN}")
    assert writes(github) == [("POST", f"/repos/{REPO}/issues/7/comments")]


def test_a_personal_tokens_own_comment_is_updated(github: FakeGitHub, tmp_path: Path) -> None:
    """A token GET /user answers for (a personal or a machine user's token): its login is the
    author looked for, and a github-actions[bot] comment is not its own."""
    github.user = "acme-release-bot"
    bot = github.add(7, "<!-- portal-config: plan -->\nfrom GITHUB_TOKEN", BOT)
    ours = github.add(7, "<!-- portal-config: plan -->\nold", "acme-release-bot")
    done = comment(github, tmp_path, PLAN)
    assert done.stdout.startswith("updated comment "), done.stderr
    assert (bot["body"], ours["body"]) == (
        "<!-- portal-config: plan -->\nfrom GITHUB_TOKEN",
        f"<!-- portal-config: plan -->\n{PLAN}",
    )


def test_a_github_apps_own_comment_is_updated_when_the_action_is_told_its_name(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A GitHub App's installation token cannot say who it is (GET /user is 403, as for
    GITHUB_TOKEN) and writes as "<slug>[bot]": with `comment-author` the action finds its own
    comment, and github-actions[bot]'s is not its own."""
    github.app_bot = "acme-portal[bot]"
    bot = github.add(7, "<!-- portal-config: plan -->\nfrom GITHUB_TOKEN", BOT)
    ours = github.add(7, "<!-- portal-config: plan -->\nold", "acme-portal[bot]")
    monkeypatch.setenv("PORTAL_CONFIG_COMMENT_AUTHOR", "acme-portal[bot]")
    done = comment(github, tmp_path, PLAN)
    assert done.stdout.startswith("updated comment "), done.stderr
    assert (bot["body"], ours["body"]) == (
        "<!-- portal-config: plan -->\nfrom GITHUB_TOKEN",
        f"<!-- portal-config: plan -->\n{PLAN}",
    )
    assert ("GET", "/user") not in [(m, p.split("?")[0]) for m, p in github.requests]


def test_reading_is_bounded_by_max_pages(github: FakeGitHub, tmp_path: Path) -> None:
    for n in range(250):
        github.add(7, f"comment {n}")
    done = comment(github, tmp_path, PLAN, "--max-pages", "2")
    assert done.returncode == 0, done.stderr
    assert "::warning::read 2 pages of comments without finding the marker" in done.stdout
    assert len([r for r in github.requests if r[0] == "GET" and "/comments" in r[1]]) == 2
    assert len(github.comments[7]) == 251


def test_the_token_is_never_sent_to_another_host(github: FakeGitHub, tmp_path: Path) -> None:
    for n in range(101):
        github.add(7, f"comment {n}")
    github.next_link_host = "http://127.0.0.2:9"
    done = comment(github, tmp_path, PLAN)
    assert done.returncode == 1
    assert "refusing to send the token to http://127.0.0.2:9/" in done.stderr
    assert writes(github) == []


def test_a_wrong_token_fails_with_githubs_message(github: FakeGitHub, tmp_path: Path) -> None:
    body_file = tmp_path / "body.md"
    body_file.write_text(PLAN, encoding="utf-8")
    env = {
        **os.environ,
        "GITHUB_TOKEN": "wrong",
        "GITHUB_API_URL": github.url,
        "GITHUB_REPOSITORY": REPO,
        "NO_PROXY": "127.0.0.1",
    }
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--body-file", str(body_file), "--number", "7"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "comment.py: GitHub answered 401: Bad credentials"


@pytest.mark.parametrize("forbid_writes", [True, False], ids=["403-warning", "404-error"])
def test_an_error_that_echoes_the_token_is_printed_without_it(
    github: FakeGitHub, tmp_path: Path, forbid_writes: bool
) -> None:
    github.echo_token, github.forbid_writes = True, forbid_writes
    done = comment(github, tmp_path, PLAN, *(() if forbid_writes else ("--repo", "acme/gone")))
    assert "(Bearer [key])" in done.stdout + done.stderr
    assert TOKEN not in done.stdout + done.stderr
    assert TOKEN[4:-4] not in done.stdout + done.stderr


def test_a_redirect_to_another_origin_is_not_followed(github: FakeGitHub, tmp_path: Path) -> None:
    """GitHub redirects a renamed repository's requests within its API (its REST docs: "follow
    redirects"); elsewhere neither the token nor the report goes."""
    elsewhere = FakeGitHub()
    elsewhere.start()
    try:
        github.redirect_to = elsewhere.url  # another port of the same loopback address
        done = comment(github, tmp_path, PLAN)
    finally:
        elsewhere.stop()
    assert f"Bearer {TOKEN}" not in elsewhere.authorizations
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"comment.py: GitHub answered 302: a redirect to {elsewhere.url}/user, which is not "
        f"{github.url}: not followed, so that neither the "
        "token nor the report goes there"
    )
    assert elsewhere.requests == []
    assert github.comments == {}


def test_the_comment_is_posted_masked(github: FakeGitHub, tmp_path: Path) -> None:
    """The last exit point masks again: a key however the report encodes it, and the token."""
    key = "sk&#95;live&#95;51Hq4eC39HqLyjWDarjtT1zdp7dcAbCd"
    done = comment(github, tmp_path, f"{PLAN}<code>{key}</code> and {TOKEN}\n")
    assert done.returncode == 0, done.stderr
    assert github.comments[7][0]["body"].endswith(
        "<code>sk&#95;live&#95;...AbCd</code> and [key]\n"
    )
