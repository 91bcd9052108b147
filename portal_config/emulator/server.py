"""HTTP plumbing: a threaded http.server that hands each request to a dispatcher.

Each answer goes out in ONE write (status line, headers and body together): with keep-alive,
a split write meets Nagle's algorithm and delayed ACKs and costs ~40 ms per request. A test
fault (faults.py) may send it otherwise: see `Delivery`.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import hostile
from .values import Data


@dataclass(frozen=True)
class Delivery:
    """How an answer goes on the wire: `payload` whole | truncated (half the body, and a
    Content-Length to match) | cut (the whole length promised, closed half-way) | empty |
    dropped (closed without an answer) | one of hostile.KINDS (too big to read); `drip_seconds`
    > 0 sends the body a byte at a time."""

    payload: str = "whole"
    drip_seconds: float = 0.0


@dataclass(frozen=True)
class Html:
    """A web page to send as it is (portal_page.py), where every other body is JSON."""

    text: str


WHOLE = Delivery()
# (status, body, headers, delivery); the body is any JSON value (a fault may send a list) or Html
Answer = tuple[int, "Data | Html", dict[str, str], Delivery]
# (method, path with query, body, headers) -> the answer, or None to drop
Dispatcher = Callable[[str, str, bytes, dict[str, str]], "Answer | None"]


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive connections must not hold up stop()
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], dispatch: Dispatcher, ipv6: bool = False):
        self.address_family = socket.AF_INET6 if ipv6 else socket.AF_INET
        self.dispatch = dispatch
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.hostile_sent = 0  # bytes written of hostile bodies (hostile.py)
        super().__init__(address, _Handler)

    def shutdown(self) -> None:
        """Stop serve_forever now, not at its next poll: socketserver checks for a shutdown only
        when select() returns, so a connection to the listening socket wakes it (the stdlib's
        own suggestion, in serve_forever's comment:
        https://github.com/python/cpython/blob/3.11/Lib/socketserver.py). A connection made
        before the flag is set is served as an empty request; hence the loop."""
        host, port = str(self.server_address[0]), int(self.server_address[1])
        stopping = threading.Thread(target=super().shutdown, name="stripe-emulator-stop")
        stopping.start()
        while stopping.is_alive():
            with contextlib.suppress(OSError):  # not listening any more: nothing to wake
                socket.create_connection((host, port), timeout=1).close()
            stopping.join(timeout=0.005)

    def close_connections(self) -> None:
        """Cut idle keep-alive connections so no client keeps talking to a stopped emulator."""
        with self.connections_lock:
            for connection in list(self.connections):
                with contextlib.suppress(OSError):  # already closed
                    connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    server_version = "portal-config-emulator"
    timeout = 120  # an idle keep-alive connection is closed after this many seconds
    server: EmulatorHTTPServer

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):  # the client went away
            super().finish()

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            answer = self.server.dispatch(self.command, self.path, body, headers)
        except Exception as exc:  # a bug in the emulator: answer like Stripe's own 500
            message = f"The emulator failed: {type(exc).__name__}: {exc}"
            answer = (500, {"error": {"type": "api_error", "message": message}}, {}, WHOLE)
        if answer is None or answer[3].payload == "dropped":
            self._drop()
            return
        try:
            self._send(*answer)
        except ConnectionError:  # the client gave up waiting (a deadline): nobody to answer
            self.close_connection = True

    def _send(
        self, status: int, body: Data | Html, headers: dict[str, str], delivery: Delivery = WHOLE
    ) -> None:
        page = isinstance(body, Html)
        payload = body.text.encode() if page else json.dumps(body, indent=2).encode("utf-8")
        promised = len(payload)
        if delivery.payload == "empty":
            payload = b""
        elif delivery.payload == "truncated":
            payload = payload[: len(payload) // 2]
        elif delivery.payload == "cut":
            payload, self.close_connection = payload[: len(payload) // 2], True
        lines = [
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
            f"Server: {self.server_version}",
            f"Date: {formatdate(usegmt=True)}",
            "Content-Type: " + ("text/html; charset=utf-8" if page else "application/json"),
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        if delivery.payload in hostile.KINDS:
            self._hostile(lines, payload, delivery.payload)
            return
        lines.append(f"Content-Length: {promised if delivery.payload == 'cut' else len(payload)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if not delivery.drip_seconds:
            self.wfile.write(head + payload)
        else:
            self._drip(head, payload, delivery.drip_seconds)
        if delivery.payload == "cut":
            self._drop()

    def _hostile(self, lines: list[str], payload: bytes, kind: str) -> None:
        chunked = "Transfer-Encoding: chunked" in hostile.headers(kind)
        head = "\r\n".join([*lines, *hostile.headers(kind), "Connection: close"]) + "\r\n\r\n"
        self.close_connection = True
        try:
            self.wfile.write(head.encode("latin-1"))
            for part in hostile.body(kind, payload):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
                self.server.hostile_sent += len(part)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client stopped reading: what it was meant to do
            pass

    def _drip(self, head: bytes, payload: bytes, seconds: float) -> None:
        self.wfile.write(head)
        try:
            for index in range(len(payload)):
                time.sleep(seconds)
                self.wfile.write(payload[index : index + 1])
        except OSError:  # the client gave up waiting: nothing more to send
            self.close_connection = True

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: Data) -> None:
        """Quiet: the emulator's request log is the record."""
