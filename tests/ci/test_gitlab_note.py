"""action/gitlab_note.py keeps ONE note per key on a merge request (local GitLab stand-in)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.ci.conftest import GITLAB_CI, ROOT
from tests.ci.fake_gitlab import BOT_ID, JOB_TOKEN, TOKEN, FakeGitLab

SCRIPT = ROOT / "action" / "gitlab_note.py"
PLAN = "**portal-config plan** for `staging`: 0 to create, 1 to update, 0 to deactivate\n"
MARKER = "<!-- portal-config: plan -->"


def note(
    gitlab: FakeGitLab, tmp_path: Path, body: str, *args: str, token: str | None = TOKEN
) -> subprocess.CompletedProcess[str]:
    """gitlab_note.py as the merge request job runs it, with GitLab's predefined variables."""
    body_file = tmp_path / "body.md"
    body_file.write_text(body, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("GITLAB_TOKEN", "CI_JOB_TOKEN")} | {
        "CI_API_V4_URL": gitlab.url,
        "CI_PROJECT_ID": "acme/billing",
        "CI_MERGE_REQUEST_IID": "7",
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
        "CI_JOB_TOKEN": JOB_TOKEN,
    }
    if token is not None:
        env["GITLAB_TOKEN"] = token
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--body-file", str(body_file), "--timeout", "10", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_one_note_is_created_then_updated(gitlab: FakeGitLab, tmp_path: Path) -> None:
    first = note(gitlab, tmp_path, PLAN)
    assert first.returncode == 0, first.stderr
    second = note(gitlab, tmp_path, PLAN.replace("1 to update", "2 to update"))
    assert second.returncode == 0, second.stderr
    (only,) = gitlab.notes[7]
    assert only["author"]["id"] == BOT_ID
    assert only["body"].splitlines()[0] == MARKER
    assert "2 to update" in only["body"]
    assert [m for m, _ in gitlab.requests if m != "GET"] == ["POST", "PUT"]
    assert "updated note" in second.stdout


def test_a_planted_marker_note_is_left_alone(gitlab: FakeGitLab, tmp_path: Path) -> None:
    planted = gitlab.add(7, f"{MARKER}\nplanted by someone else", author=7)
    done = note(gitlab, tmp_path, PLAN)
    assert done.returncode == 0, done.stderr
    assert planted["body"] == f"{MARKER}\nplanted by someone else"
    assert [m for m, _ in gitlab.requests if m != "GET"] == ["POST"]
    assert gitlab.notes[7][1]["author"]["id"] == BOT_ID


def test_its_own_note_is_found_on_a_later_page(gitlab: FakeGitLab, tmp_path: Path) -> None:
    for n in range(150):
        gitlab.add(7, f"chatter {n}")
    mine = gitlab.add(7, f"{MARKER}\nold", author=BOT_ID)
    done = note(gitlab, tmp_path, PLAN)
    assert done.returncode == 0, done.stderr
    assert "0 to create" in mine["body"]
    assert len(gitlab.notes[7]) == 151
    assert sum("page=2" in path for _, path in gitlab.requests) == 1


def test_a_refused_write_fails_naming_what_to_grant(gitlab: FakeGitLab, tmp_path: Path) -> None:
    gitlab.forbid_writes = True
    gitlab.echo_token = True
    done = note(gitlab, tmp_path, PLAN)
    assert done.returncode == 1
    assert "api scope" in done.stderr and "Reporter" in done.stderr
    assert TOKEN not in done.stdout + done.stderr


def test_without_a_token_the_note_is_skipped_with_a_notice(
    gitlab: FakeGitLab, tmp_path: Path
) -> None:
    """A merge request from a fork runs without the project's variables: the plan is still in
    the job's log and artifact, and the job is not failed for it."""
    done = note(gitlab, tmp_path, PLAN, token=None)
    assert done.returncode == 0
    assert "GITLAB_TOKEN" in done.stderr
    assert gitlab.requests == []


def test_a_job_token_that_cannot_say_who_it_is_never_edits(
    gitlab: FakeGitLab, tmp_path: Path
) -> None:
    gitlab.add(7, f"{MARKER}\nsomeone's", author=7)
    done = note(gitlab, tmp_path, PLAN, "--token-variable", "CI_JOB_TOKEN", token=None)
    assert done.returncode == 1
    assert "GITLAB_TOKEN" in done.stderr
    assert [m for m, _ in gitlab.requests] == ["GET"]  # GET /user, then nothing written


def test_the_merge_request_job_posts_the_note() -> None:
    jobs = yaml.safe_load(GITLAB_CI.read_text(encoding="utf-8"))
    script = "\n".join(jobs["portal-config-plan"]["script"])
    assert "action/gitlab_note.py --body-file plan.md" in script
