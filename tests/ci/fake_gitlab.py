"""A local stand-in for GitLab's REST API (v4) merge request notes, on 127.0.0.1 (port 0).

Just what action/gitlab_note.py calls: who the token is (`GET /user`: a personal, project or
group access token answers; a CI job token is refused with 401, as GitLab allows it only on a few
endpoints), list a merge request's notes (paginated like GitLab: `Link: rel="next"`, at most 100
per page), create one, update one. It checks the PRIVATE-TOKEN (or JOB-TOKEN) header, records
every request, and can refuse writes with 403 (a token without the `api` scope or the role to
comment). Hostile on demand: an error message that echoes the token.
https://docs.gitlab.com/api/notes/#merge-requests, https://docs.gitlab.com/api/rest/#pagination
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.ci.local_api import LocalApi

TOKEN = "glpat-local-test-token"
JOB_TOKEN = "glcbt-local-job-token"
PROJECT = "acme%2Fbilling"  # a project path, URL-encoded as the API takes it
_NOTES = re.compile(r"^/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes$")
_NOTE = re.compile(r"^/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes/(\d+)$")
BOT_ID = 42  # the project access token's bot user


@dataclass
class FakeGitLab(LocalApi):
    BASE_PATH = "/api/v4"
    ECHOED = "PRIVATE-TOKEN"

    notes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # MR iid -> notes
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path?query)
    forbid_writes: bool = False
    echo_token: bool = False
    _next_id: int = 500

    def add(self, iid: int, body: str, author: int = 7, system: bool = False) -> dict[str, Any]:
        self._next_id += 1
        note = {"id": self._next_id, "body": body, "author": {"id": author}, "system": system}
        self.notes.setdefault(iid, []).append(note)
        return note

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        self.requests.append((method, request.path))
        private, job = request.headers.get("PRIVATE-TOKEN"), request.headers.get("JOB-TOKEN")
        if private != TOKEN and job != JOB_TOKEN:
            return self.reply(request, 401, {"message": "401 Unauthorized"})
        url = urlsplit(request.path)
        if url.path == "/api/v4/user" and method == "GET":
            if job is not None:
                return self.reply(request, 401, {"message": "401 Unauthorized"})
            return self.reply(request, 200, {"id": BOT_ID, "username": "project_1_bot"})
        length = int(request.headers.get("Content-Length") or 0)
        payload = json.loads(request.rfile.read(length)) if length else {}
        if method != "GET" and self.forbid_writes:
            return self.reply(request, 403, {"message": "403 Forbidden"})
        listing, single = _NOTES.match(url.path), _NOTE.match(url.path)
        if listing and listing.group(1) == PROJECT and method == "GET":
            return self.list_page(request, int(listing.group(2)), parse_qs(url.query))
        if listing and listing.group(1) == PROJECT and method == "POST":
            return self.reply(
                request, 201, self.add(int(listing.group(2)), payload["body"], BOT_ID)
            )
        if single and single.group(1) == PROJECT and method == "PUT":
            for note in self.notes.get(int(single.group(2)), []):
                if note["id"] == int(single.group(3)):
                    note["body"] = payload["body"]
                    return self.reply(request, 200, note)
        return self.reply(request, 404, {"message": "404 Not found"})

    def list_page(
        self, request: BaseHTTPRequestHandler, iid: int, query: dict[str, list[str]]
    ) -> None:
        per_page = min(int(query.get("per_page", ["20"])[0]), 100)
        page = int(query.get("page", ["1"])[0])
        notes = self.notes.get(iid, [])
        headers = {}
        if page * per_page < len(notes):
            headers["Link"] = (
                f"<{self.url}/projects/{PROJECT}/merge_requests/{iid}/notes?per_page="
                f'{per_page}&page={page + 1}>; rel="next"'
            )
        self.reply(request, 200, notes[(page - 1) * per_page : page * per_page], headers)
