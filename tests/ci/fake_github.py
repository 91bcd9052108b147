"""A local stand-in for the GitHub REST API's issue comments, on 127.0.0.1 (port 0).

Just what the action's scripts call: who the token is (`GET /user`, refused with 403 for an
installation token such as GITHUB_TOKEN, whose comments are `github-actions[bot]`'s), the pull
requests a commit belongs to, list a pull request's comments (paginated like GitHub, with a
`Link: rel="next"` header and at most 100 per page), create one, update one. It checks the
token, records every request, and can refuse writes with 403 as GitHub does for a read-only
token (a pull request from a fork, or a workflow without `pull-requests: write`). Hostile too,
on demand: an error message that echoes the token, or a redirect of every request elsewhere.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.ci.local_api import LocalApi

TOKEN = "ghs_local_test_token"
REPO = "acme/billing"
_LIST = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
_ONE = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")
_PULLS = re.compile(r"^/repos/([^/]+/[^/]+)/commits/([0-9a-f]+)/pulls$")
BOT = "github-actions[bot]"  # the author of what GITHUB_TOKEN writes


@dataclass
class FakeGitHub(LocalApi):
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # PR -> comments
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path?query)
    authorizations: list[str | None] = field(default_factory=list)  # each request's header
    forbid_writes: bool = False
    next_link_host: str | None = None  # a Link header pointing elsewhere, for the token check
    echo_token: bool = False  # error messages carry the token they were sent
    redirect_to: str | None = None  # every request answered 302 to this base URL
    user: str | None = None  # GET /user's login (a personal token); None: 403 (GITHUB_TOKEN)
    # A GitHub App's installation token: GET /user is 403 as for GITHUB_TOKEN, but what it writes
    # is the App's bot's, "<app-slug>[bot]" (docs.github.com/en/apps/creating-github-apps/
    # authenticating-with-a-github-app/authenticating-as-a-github-app-installation).
    app_bot: str | None = None
    pulls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # commit -> its PRs
    _next_id: int = 1000

    def add(self, number: int, body: str, login: str = "someone") -> dict[str, Any]:
        self._next_id += 1
        comment = {
            "id": self._next_id,
            "body": body,
            "user": {"login": login},
            "html_url": f"https://github.test/{REPO}/pull/{number}#c{self._next_id}",
        }
        self.comments.setdefault(number, []).append(comment)
        return comment

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        self.requests.append((method, request.path))
        self.authorizations.append(request.headers.get("Authorization"))
        if self.redirect_to:
            return self.reply(request, 302, {}, {"Location": self.redirect_to + request.path})
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.reply(request, 401, {"message": "Bad credentials"})
        url = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        payload = json.loads(request.rfile.read(length)) if length else {}
        if method != "GET" and self.forbid_writes:
            return self.reply(request, 403, {"message": "Resource not accessible by integration"})
        listing, single = _LIST.match(url.path), _ONE.match(url.path)
        if listing and listing.group(1) == REPO and method == "GET":
            return self.list_page(request, int(listing.group(2)), parse_qs(url.query))
        if url.path == "/user" and method == "GET":
            if self.user is None:
                return self.reply(
                    request, 403, {"message": "Resource not accessible by integration"}
                )
            return self.reply(request, 200, {"login": self.user})
        found = _PULLS.match(url.path)
        if found and found.group(1) == REPO and method == "GET":
            return self.reply(request, 200, self.pulls.get(found.group(2), []))
        if listing and listing.group(1) == REPO and method == "POST":
            author = self.user or self.app_bot or BOT
            return self.reply(
                request, 201, self.add(int(listing.group(2)), payload["body"], author)
            )
        if single and single.group(1) == REPO and method == "PATCH":
            for comments in self.comments.values():
                for comment in comments:
                    if comment["id"] == int(single.group(2)):
                        comment["body"] = payload["body"]
                        return self.reply(request, 200, comment)
        return self.reply(request, 404, {"message": "Not Found"})

    def list_page(
        self, request: BaseHTTPRequestHandler, number: int, query: dict[str, list[str]]
    ) -> None:
        per_page = min(int(query.get("per_page", ["30"])[0]), 100)
        page = int(query.get("page", ["1"])[0])
        comments = self.comments.get(number, [])
        chunk = comments[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(comments):
            host = self.next_link_host or self.url
            headers["Link"] = (
                f"<{host}/repos/{REPO}/issues/{number}/comments?per_page="
                f'{per_page}&page={page + 1}>; rel="next"'
            )
        self.reply(request, 200, chunk, headers)
