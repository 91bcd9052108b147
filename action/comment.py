"""Create or update ONE pull request comment, found again through a hidden marker line.

    GITHUB_TOKEN=... python comment.py --body-file plan.md [--key plan] [--repo OWNER/REPO]
                                       --number PR

The body gets `<!-- portal-config: KEY -->` as its first line (in place of the marker `portal-
config plan|diff --format markdown` starts its report with, so there is one); the first comment of
the pull request starting with that line AND written by the token's own identity is updated
(PATCH), else one is created (POST): a marker anyone can type never makes the bot edit someone
else's comment. The identity is GET /user's login; an installation token (GITHUB_TOKEN) is refused
there, and what it writes is `github-actions[bot]`'s. It runs after the action installs portal-
config, and prints through its masking (masking.masked_output, with the token registered), so an
answer that echoes the token shows `[key]`. The API base comes from GITHUB_API_URL (GitHub
Enterprise), the token from GITHUB_TOKEN (never argv, which other processes can read); the token
goes to the API's origin only (a next page elsewhere is refused, and so is a redirect elsewhere).
Bounded: a timeout per request and at most --max-pages pages of 100 comments. A 403 is a warning
when the pull request comes from a fork (its read-only token; the event payload at
GITHUB_EVENT_PATH says where the head is), the report being in the job summary; on a same-
repository pull request it fails, naming the permission to add.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from portal_config import masking
from portal_config.project.limits import MAX_PLAN_BYTES
from portal_config.render.report import github_escape

LIMIT = 65_000  # GitHub refuses bodies over 65,536 characters; leave room for the marker
NOTE = (
    "\n\n**Truncated**: this comment is limited to 65,000 characters; the whole report is in "
    "the job summary and the log of the workflow run.\n"
)
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
_MARKER = re.compile(r"<!-- portal-config: [^>]*-->")
# What GITHUB_TOKEN writes is this app's: docs.github.com/en/actions/security-for-github-actions/
# security-guides/automatic-token-authentication ("github-actions[bot]" as the commenter).
ACTIONS_BOT = "github-actions[bot]"
# The action's `comment-author` input, for a GitHub App's token (own_login).
AUTHOR_VARIABLE = "PORTAL_CONFIG_COMMENT_AUTHOR"
PERMISSION = "pull-requests: write"


EMBED_LIMIT = 30_000  # of the comment's 65,536 characters; the rest is the report
_EMBED = re.compile(r"<!-- portal-config-plan: v1 ([0-9a-f]{7,64}) ([A-Za-z0-9+/=]+) -->")


def embed(plan_text: str, head_sha: str) -> str:
    """The saved plan, for the merge to apply (reviewed.py): compressed, as base64, whose
    alphabet cannot close the HTML comment it is carried in."""
    packed = base64.b64encode(zlib.compress(plan_text.encode("utf-8"), 9)).decode("ascii")
    return f"<!-- portal-config-plan: v1 {head_sha} {packed} -->"


def extract(body: str) -> tuple[str, dict[str, Any]] | None:
    """(head commit, plan file document) embedded in a comment body; None when there is none or
    it does not decode (bounded: never more than a plan file may be, limits.MAX_PLAN_BYTES)."""
    found = _EMBED.search(body)
    if found is None:
        return None
    try:
        inflate = zlib.decompressobj()
        raw = inflate.decompress(base64.b64decode(found.group(2), validate=True), MAX_PLAN_BYTES)
        if inflate.unconsumed_tail:
            return None
        document = json.loads(raw)
    except (binascii.Error, zlib.error, ValueError):
        return None
    return (found.group(1), document) if isinstance(document, dict) else None


class ApiError(Exception):
    def __init__(self, status: int, message: str, who: str = "GitHub") -> None:
        super().__init__(f"{who} answered {status}: {message}")
        self.status = status


def marker(key: str) -> str:
    return f"<!-- portal-config: {key} -->"


def with_marker(body: str, key: str) -> str:
    """The body with this key's marker as its first line, once: a marker the report already
    starts with (the CLI's `plan` or `diff`) is replaced, since the key is what finds it."""
    first, newline, rest = body.partition("\n")
    if _MARKER.fullmatch(first.strip()):
        body = rest if newline else ""
    return f"{marker(key)}\n{body}"


def truncate(body: str, limit: int = LIMIT, note: str = NOTE) -> str:
    """At most LIMIT characters: cut at a line end, close an open code block, say so (`note`)."""
    if len(body) <= limit:
        return body
    cut = body[: limit - len(note) - len("\n```")]
    if "\n" in cut:
        cut = cut[: cut.rindex("\n")]
    if cut.count("```") % 2:  # cut inside a fenced block: close it, or the note renders as code
        cut += "\n```"
    return cut + note


def next_link(header: str | None) -> str | None:
    """The rel="next" address of a Link header."""
    for part in (header or "").split(","):
        found = _NEXT.search(part)
        if found:
            return found.group(1)
    return None


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port (the default one when absent): where a request goes."""
    parts = urllib.parse.urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or default


class _SameOrigin(urllib.request.HTTPRedirectHandler):
    """Follows a redirect within the API's origin only. urllib sends the Authorization header on
    to wherever a redirect points (Lib/urllib/request.py, redirect_request), and a POST body with
    it; GitHub redirects within its API (a renamed repository: docs.github.com/en/rest/using-the-
    rest-api/best-practices-for-using-the-rest-api#follow-redirects), so a redirect elsewhere is
    refused rather than followed without the header: the report would still go there."""

    def __init__(self, api_url: str, who: str) -> None:
        self.api_url = api_url
        self.who = who

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if origin(newurl) != origin(self.api_url):
            fp.close()
            raise ApiError(
                code,
                f"a redirect to {newurl}, which is not {self.api_url}: not followed, so that "
                "neither the token nor the report goes there",
                self.who,
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class GitHub:
    """The few REST calls needed, with a timeout and the token sent only to the API's origin
    (gitlab_note.GitLab is the same with GitLab's headers)."""

    NAME = "GitHub"

    def __init__(self, api_url: str, token: str, timeout: float) -> None:
        self.api_url = api_url.rstrip("/")
        self.opener = urllib.request.build_opener(_SameOrigin(self.api_url, self.NAME))
        self.token = token
        self.timeout = timeout

    def headers(self) -> dict[str, str]:
        return {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": "2022-11-28",
        }

    def call(
        self, method: str, url: str, payload: dict[str, Any] | None = None
    ) -> tuple[Any, str | None]:
        """(decoded JSON, Link header) of METHOD URL (a path is relative to the API base)."""
        if url.startswith("/"):
            url = self.api_url + url
        if origin(url) != origin(self.api_url):
            raise ApiError(
                0, f"refusing to send the token to {url} (not {self.api_url})", self.NAME
            )
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            url,
            data=data,
            method=method,
            headers={
                **self.headers(),
                "User-Agent": "portal-config-action",
                **({"Content-Type": "application/json"} if data is not None else {}),
            },
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as answer:
                return json.loads(answer.read() or b"null"), answer.headers.get("Link")
        except urllib.error.HTTPError as exc:
            try:  # GitHub's {"message"}; GitLab's {"message"} or {"error"}
                answer = json.loads(exc.read())
                message = answer.get("message") or answer.get("error") or exc.reason
            except (ValueError, AttributeError):
                message = exc.reason
            raise ApiError(exc.code, str(message), self.NAME) from exc
        except (urllib.error.URLError, TimeoutError) as exc:
            raise ApiError(0, f"{url} could not be reached ({exc})", self.NAME) from exc


def own_login(github: GitHub, declared: str = "") -> str:
    """Who the token writes as. The action's `comment-author` input wins: a GitHub App's
    installation token writes as "<app-slug>[bot]" and cannot learn its slug (GET /app needs the
    App's JWT). Else GET /user answers for a user's token; an installation token (GITHUB_TOKEN)
    gets 403 there (docs.github.com/en/rest/users/users#get-the-authenticated-user), and writes as
    github-actions[bot]."""
    if declared:
        return declared
    try:
        user, _ = github.call("GET", "/user")
    except ApiError as exc:
        if exc.status == 403:
            return ACTIONS_BOT
        raise
    return str(user["login"])


def find_first(
    api: GitHub, url: str, max_pages: int, wanted: Callable[[dict[str, Any]], bool]
) -> tuple[dict[str, Any] | None, bool]:
    """(the first item of a paginated listing that `wanted` accepts, whether every page was
    read): at most `max_pages` pages, each next one from the Link header (GitHub's and
    GitLab's pagination alike)."""
    next_url: str | None = url
    for _ in range(max_pages):
        if next_url is None:
            return None, True
        items, link = api.call("GET", next_url)
        for item in items:
            if wanted(item):
                return item, True
        next_url = next_link(link)
    return None, next_url is None


def find_comment(
    github: GitHub, repo: str, number: int, key: str, max_pages: int, author: str
) -> tuple[dict[str, Any] | None, bool]:
    """(the first comment by `author` starting with the marker, whether every page was read)."""

    def wanted(comment: dict[str, Any]) -> bool:
        body = comment.get("body") or ""
        by = (comment.get("user") or {}).get("login")
        return bool(by == author and body.splitlines()[:1] == [marker(key)])

    url = f"/repos/{repo}/issues/{number}/comments?per_page=100"
    return find_first(github, url, max_pages, wanted)


def body_with_plan(body: str, key: str, plan: str, head_sha: str) -> str:
    """The comment: the masked report under the key's marker, and the saved plan embedded for
    the merge (reviewed.py) when given and small enough, else a line saying it is not."""
    carried = embed(plan, head_sha) if plan and head_sha else ""
    if len(carried) > EMBED_LIMIT:
        body += (
            f"\n> The saved plan ({len(carried):,} characters) is too large to carry in this "
            "comment: a merge job with `reviewed-plan` will refuse to apply it.\n"
        )
        carried = ""
    text = truncate(with_marker(masking.mask_secrets(body), key), LIMIT - len(carried) - 1)
    return f"{text}\n{carried}" if carried else text


def upsert(
    github: GitHub, repo: str, number: int, key: str, text: str, max_pages: int
) -> tuple[str, dict[str, Any]]:
    """("created" or "updated", the comment) whose body is `text`."""
    author = own_login(github, os.environ.get(AUTHOR_VARIABLE, ""))
    existing, complete = find_comment(github, repo, number, key, max_pages, author)
    if existing is not None:
        updated, _ = github.call(
            "PATCH", f"/repos/{repo}/issues/comments/{existing['id']}", {"body": text}
        )
        return "updated", updated
    if not complete:
        print(
            f"::warning::read {max_pages} pages of comments without finding the marker: "
            "creating a new comment"
        )
    created, _ = github.call("POST", f"/repos/{repo}/issues/{number}/comments", {"body": text})
    return "created", created


def from_fork(event_path: str) -> bool:
    """Whether the event's pull request comes from another repository (a fork): its head
    repository is not its base's, or is gone (a deleted fork)."""
    try:
        with open(event_path, encoding="utf-8") as handle:
            pull = json.load(handle).get("pull_request") or {}
    except (OSError, ValueError, AttributeError):
        return False
    head = (pull.get("head") or {}).get("repo") or {}
    base = (pull.get("base") or {}).get("repo") or {}
    return head.get("full_name") != base.get("full_name")


def refused(exc: ApiError, number: int) -> int:
    """A 403 on writing: a fork's read-only token (a warning), or a missing permission."""
    if from_fork(os.environ.get("GITHUB_EVENT_PATH", "")):
        warning = (
            f"cannot comment on pull request #{number} ({exc}); the report is in the job "
            "summary. Pull requests from forks get a read-only token."
        )
        print(f"::warning::{github_escape(warning)}")
        return 0
    error = (
        f"cannot comment on pull request #{number} ({exc}): add `{PERMISSION}` to the "
        "workflow's or the job's permissions (the report is in the job summary)"
    )
    print(f"::error::{github_escape(error)}")
    return 1


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--body-file", required=True, help="Markdown body of the comment.")
    parser.add_argument("--key", default="plan", help="Tells comments of several jobs apart.")
    parser.add_argument(
        "--repo",
        default=os.environ.get("GITHUB_REPOSITORY", ""),
        help="OWNER/REPO (default: GITHUB_REPOSITORY).",
    )
    parser.add_argument("--number", type=int, required=True, help="Pull request number.")
    parser.add_argument(
        "--api-url",
        default=os.environ.get("GITHUB_API_URL") or "https://api.github.com",
        help="Default: GITHUB_API_URL.",
    )
    parser.add_argument(
        "--plan-file", default="", help="A plan saved with `plan --out`, carried for the merge."
    )
    parser.add_argument("--head-sha", default="", help="The commit the saved plan is for.")
    parser.add_argument("--max-pages", type=int, default=30, help="Pages of 100 comments read.")
    parser.add_argument("--timeout", type=float, default=30.0, help="Seconds per request.")
    return parser.parse_args(argv)


def read_text(path: str, script: str) -> str | None:
    """The file's text, or None once the script has said why it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"{script}: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return None


def main(argv: Sequence[str] | None = None) -> int:
    token = os.environ.get("GITHUB_TOKEN", "")
    masking.register(token)
    with masking.masked_output():
        return _main(sys.argv[1:] if argv is None else argv, token)


def _main(argv: Sequence[str], token: str) -> int:
    args = parse_args(argv)
    if not token or not re.fullmatch(r"[\w.-]+/[\w.-]+", args.repo):
        print(
            "comment.py: set GITHUB_TOKEN and --repo OWNER/REPO (or GITHUB_REPOSITORY)",
            file=sys.stderr,
        )
        return 1
    body = read_text(args.body_file, "comment.py")
    plan = read_text(args.plan_file, "comment.py") if args.plan_file else ""
    if body is None or plan is None:
        return 1
    text = body_with_plan(body, args.key, plan, args.head_sha)
    github = GitHub(args.api_url, token, args.timeout)
    try:
        action, comment = upsert(github, args.repo, args.number, args.key, text, args.max_pages)
    except ApiError as exc:
        if exc.status == 403:
            return refused(exc, args.number)
        print(f"comment.py: {exc}", file=sys.stderr)
        return 1
    print(f"{action} comment {comment.get('html_url') or comment.get('id')}")
    if os.environ.get("GITHUB_OUTPUT"):  # the action's output comment-url
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as handle:
            handle.write(f"url={comment.get('html_url') or ''}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
