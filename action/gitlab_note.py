"""Create or update ONE merge request note on GitLab, found again through a hidden marker line.

    GITLAB_TOKEN=... python gitlab_note.py --body-file plan.md [--key plan]
                                           [--project ID] [--iid IID]

comment.py's rules, on GitLab's notes API (https://docs.gitlab.com/api/notes/#merge-requests):
the body gets `<!-- portal-config: KEY -->` as its first line; the first note of the merge
request starting with that line AND written by the token's own user (GET /user) is updated
(PUT), else one is created (POST), so a marker anyone can type never makes the job edit someone
else's note. The token comes from the variable --token-variable names (GITLAB_TOKEN: a project
access token with the `api` scope and at least the Reporter role, sent as PRIVATE-TOKEN; or
CI_JOB_TOKEN, sent as JOB-TOKEN, which GitLab lets say who it is only on a few endpoints: then
nothing is written), never from argv. The API base is CI_API_V4_URL, the project CI_PROJECT_ID,
the merge request CI_MERGE_REQUEST_IID. The token goes to the API's origin only, a timeout
bounds each request and --max-pages the pages of 100 notes read, and what is printed goes
through portal-config's masking with the token registered. Without a token (a merge request
from a fork runs without the project's variables) the note is skipped with a notice: the report
is in the job's log and artifact.
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.parse
from collections.abc import Sequence
from typing import Any

from comment import ApiError, GitHub, find_first, marker, read_text, truncate, with_marker

from portal_config import masking

# GitLab refuses a note over 1,000,000 characters (Note's validation); leave room for the marker.
LIMIT = 999_000
NOTE = (
    "\n\n**Truncated**: this note is limited to 999,000 characters; the whole report is in the "
    "job's log and artifact.\n"
)
GRANT = (
    "give the job a project access token with the api scope and at least the Reporter role, "
    "as the masked CI/CD variable GITLAB_TOKEN"
)


class GitLab(GitHub):
    """comment.GitHub's requests (bounded, same origin only) with GitLab's token header."""

    NAME = "GitLab"

    def __init__(self, api_url: str, token: str, timeout: float, header: str) -> None:
        super().__init__(api_url, token, timeout)
        self.header = header

    def headers(self) -> dict[str, str]:
        return {"Accept": "application/json", self.header: self.token}


def find_note(
    gitlab: GitLab, notes_url: str, key: str, max_pages: int, author: int
) -> tuple[dict[str, Any] | None, bool]:
    """(the first note by `author` starting with the marker, whether every page was read)."""

    def wanted(note: dict[str, Any]) -> bool:
        body = note.get("body") or ""
        by = (note.get("author") or {}).get("id")
        return bool(
            by == author and not note.get("system") and body.splitlines()[:1] == [marker(key)]
        )

    url = f"{notes_url}?per_page=100&sort=asc&order_by=created_at"
    return find_first(gitlab, url, max_pages, wanted)


def upsert(
    gitlab: GitLab, project: str, iid: int, key: str, text: str, max_pages: int
) -> tuple[str, dict[str, Any]]:
    """("created" or "updated", the note) whose body is `text`."""
    me, _ = gitlab.call("GET", "/user")
    notes_url = f"/projects/{urllib.parse.quote(project, safe='')}/merge_requests/{iid}/notes"
    existing, complete = find_note(gitlab, notes_url, key, max_pages, me["id"])
    if existing is not None:
        updated, _ = gitlab.call("PUT", f"{notes_url}/{existing['id']}", {"body": text})
        return "updated", updated
    if not complete:
        print(f"read {max_pages} pages of notes without finding the marker: creating a new note")
    created, _ = gitlab.call("POST", notes_url, {"body": text})
    return "created", created


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--body-file", required=True, help="Markdown body of the note.")
    parser.add_argument("--key", default="plan", help="Tells notes of several jobs apart.")
    parser.add_argument("--project", default=os.environ.get("CI_PROJECT_ID", ""))
    parser.add_argument("--iid", default=os.environ.get("CI_MERGE_REQUEST_IID", ""))
    parser.add_argument("--api-url", default=os.environ.get("CI_API_V4_URL", ""))
    parser.add_argument(
        "--token-variable",
        default="GITLAB_TOKEN",
        choices=["GITLAB_TOKEN", "CI_JOB_TOKEN"],
        help="The variable holding the token (GITLAB_TOKEN: PRIVATE-TOKEN; CI_JOB_TOKEN).",
    )
    parser.add_argument("--max-pages", type=int, default=30, help="Pages of 100 notes read.")
    parser.add_argument("--timeout", type=float, default=30.0, help="Seconds per request.")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    token = os.environ.get(args.token_variable, "")
    masking.register(token)
    with masking.masked_output():
        return _main(args, token)


def _main(args: argparse.Namespace, token: str) -> int:
    if not token:
        print(
            f"gitlab_note.py: no {args.token_variable}: the note is skipped ({GRANT})",
            file=sys.stderr,
        )
        return 0
    if not (args.project and args.iid.isdigit() and args.api_url):
        print(
            "gitlab_note.py: run in a merge request pipeline (CI_PROJECT_ID, "
            "CI_MERGE_REQUEST_IID, CI_API_V4_URL), or pass --project, --iid and --api-url",
            file=sys.stderr,
        )
        return 1
    body = read_text(args.body_file, "gitlab_note.py")
    if body is None:
        return 1
    text = truncate(with_marker(masking.mask_secrets(body), args.key), LIMIT, NOTE)
    header = "JOB-TOKEN" if args.token_variable == "CI_JOB_TOKEN" else "PRIVATE-TOKEN"
    gitlab = GitLab(args.api_url, token, args.timeout, header)
    try:
        action, note = upsert(gitlab, args.project, int(args.iid), args.key, text, args.max_pages)
    except ApiError as exc:
        print(
            f"gitlab_note.py: cannot write the merge request note ({exc}): {GRANT}", file=sys.stderr
        )
        return 1
    where = os.environ.get("CI_MERGE_REQUEST_PROJECT_URL") or os.environ.get("CI_PROJECT_URL")
    link = f"{where}/-/merge_requests/{args.iid}#note_{note.get('id')}" if where else note.get("id")
    print(f"{action} note {link}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
