"""Small HTTP servers on 127.0.0.1 for the tests where something other than the emulator
answers: each records every request that reaches it (so a test can prove that a key never
arrived) and answers through a function; `forward` relays requests to the emulator, so a server
can stand in front of it and answer only some requests itself (a redirect, say)."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from urllib3.util import parse_url


@dataclass(frozen=True)
class Arrival:
    """One request as it reached the server."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


# An answer: status, headers, body.
Answer = tuple[int, dict[str, str], bytes]
# Hop-by-hop and framing headers: each server writes its own.
_OWN_HEADERS = {"connection", "content-length", "transfer-encoding", "host", "date", "server"}


class LoopbackServer:
    """A threaded HTTP server on a free port of 127.0.0.1 answering with `answer`."""

    def __init__(self, answer: Callable[[Arrival], Answer]):
        self.arrivals: list[Arrival] = []
        arrivals = self.arrivals

        class Handler(BaseHTTPRequestHandler):
            def do_any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                arrival = Arrival(self.command, self.path, dict(self.headers.items()), body)
                arrivals.append(arrival)
                status, headers, content = answer(arrival)
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(content))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_DELETE = do_any

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass  # quiet: the test reads `arrivals`

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def authorized(self) -> list[Arrival]:
        """The requests that carried an Authorization header (a key)."""
        return [a for a in self.arrivals if any(k.lower() == "authorization" for k in a.headers)]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def serving(answer: Callable[[Arrival], Answer]) -> Iterator[LoopbackServer]:
    server = LoopbackServer(answer)
    try:
        yield server
    finally:
        server.close()


def forward(to: str) -> Callable[[Arrival], Answer]:
    """An answer that relays the request to the server at `to` and its answer back."""
    target = parse_url(to)

    def answer(arrival: Arrival) -> Answer:
        connection = http.client.HTTPConnection(target.host or "", target.port, timeout=30)
        try:
            headers = {k: v for k, v in arrival.headers.items() if k.lower() not in _OWN_HEADERS}
            connection.request(arrival.method, arrival.path, arrival.body or None, headers)
            response = connection.getresponse()
            relayed = {k: v for k, v in response.getheaders() if k.lower() not in _OWN_HEADERS}
            return response.status, relayed, response.read()
        finally:
            connection.close()

    return answer
