"""What the local API stand-ins (fake_github.py, fake_gitlab.py) share: serving on 127.0.0.1
(port 0) in a thread, and answering JSON, optionally echoing the token (a hostile server)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LocalApi:
    """Subclasses define handle(request, method); `BASE_PATH` is the API's path on the server,
    `ECHOED` the header an error repeats when `echo_token` is set."""

    BASE_PATH = ""
    ECHOED = "Authorization"
    echo_token: bool
    url: str

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        raise NotImplementedError

    def start(self) -> str:
        """Serves in a thread; returns the API's base URL."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                fake.handle(self, "GET")

            def do_POST(self) -> None:
                fake.handle(self, "POST")

            def do_PATCH(self) -> None:
                fake.handle(self, "PATCH")

            def do_PUT(self) -> None:
                fake.handle(self, "PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{self.BASE_PATH}"
        return self.url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reply(
        self,
        request: BaseHTTPRequestHandler,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        if self.echo_token and status >= 400:
            body = {"message": f"{body['message']} ({request.headers.get(self.ECHOED)})"}
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(data)
