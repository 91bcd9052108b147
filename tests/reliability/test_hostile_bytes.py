"""Answers with bytes the SDK itself cannot take (issue 18.9): a small server on 127.0.0.1 that
answers every request with one fixed body; each is a clear error naming the request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.reliability.harness import new_project
from tests.support.cli import run_cli

# A list as Stripe sends it, but for one byte that is not UTF-8 (`\xff`) in a string.
NOT_UTF8 = b'{"object": "list", "data": [], "has_more": false, "url": "/v1/\xff"}'


class _Fixed(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(NOT_UTF8)))
        self.end_headers()
        self.wfile.write(NOT_UTF8)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Fixed)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_an_answer_that_is_not_utf8_is_a_clear_error(
    tmp_path: Path, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_BYTES_KEY", "sk_test_bytes_4eC39HqLyjWDarjtT1zdp7dc")
    project = new_project(
        tmp_path / "configs",
        {"standard.yaml": "name: Standard\nfeatures:\n  invoice_history: {enabled: true}\n"},
        "version: 1\nenvironments:\n  staging:\n    mode: test\n"
        f"    api_key_env: PORTAL_CONFIG_BYTES_KEY\n    api_base: {server}\n",
    )
    outcome = run_cli("--config", str(project), "plan", "--env", "staging")
    assert outcome.exit_code == 1 and "Traceback" not in outcome.output
    assert outcome.stderr == (
        "Error: environment 'staging': listing portal configurations: Stripe's answer is "
        "malformed (HTTP 200 with a body that is not a whole JSON answer); nothing was read from "
        "it. Run again; if it persists, check that api_base reaches Stripe itself (a proxy may be "
        "changing answers).\n"
    )
