"""A small Language Server Protocol client over a server's stdio, bounded so a test can never
hang: Content-Length framing (LSP 3.17 "Base Protocol",
https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#baseProtocol),
a reader thread that hands messages over a queue, a deadline on every wait, a cap on a message's
size, and the server killed on the way out. The server's requests are answered as an editor
would: `workspace/configuration` from the settings given, anything else with `null`."""

from __future__ import annotations

import contextlib
import itertools
import json
import queue
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

MAX_MESSAGE = 16 * 1024 * 1024  # far above any answer a schema's hover gives
WAIT = 10.0  # seconds: one answer from a local server; the whole test stays far below it
LIFETIME = 60.0  # seconds: the server is killed then whatever it is doing, even mid-write

Message = dict[str, Any]


class ServerGone(AssertionError):
    """The server ended, sent what is not LSP, or did not answer in time."""


class LanguageClient:
    def __init__(self, process: subprocess.Popen[bytes], settings: dict[str, Any]):
        self._process = process
        self._settings = settings
        self._ids = itertools.count(1)
        self._write_lock = threading.Lock()
        self._inbox: queue.Queue[Message | None] = queue.Queue()
        self.notifications: list[Message] = []
        self.configured = threading.Event()
        threading.Thread(target=self._read_all, daemon=True).start()

    # -- the wire ---------------------------------------------------------------------------

    def _send(self, message: Message) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        stdin = self._process.stdin
        assert stdin is not None
        with self._write_lock:
            stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            stdin.flush()

    def _read_all(self) -> None:
        stdout = self._process.stdout
        assert stdout is not None
        with contextlib.suppress(OSError, ValueError, ServerGone):
            while (message := _read_message(stdout)) is not None:
                if "method" in message and "id" in message:
                    self._answer(message)
                else:
                    self._inbox.put(message)
        self._inbox.put(None)

    def _answer(self, request: Message) -> None:
        result: Any = None
        if request["method"] == "workspace/configuration":
            items = request["params"]["items"]
            result = [self._settings.get(item.get("section")) for item in items]
            self.configured.set()
        self._send({"id": request["id"], "result": result})

    def _next(self, deadline: float, waiting_for: str) -> Message:
        try:
            message = self._inbox.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise ServerGone(f"no {waiting_for} within {WAIT} s") from None
        if message is None:
            raise ServerGone(f"the server ended before {waiting_for}")
        return message

    # -- what a test says -------------------------------------------------------------------

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        ident = next(self._ids)
        self._send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + WAIT
        while True:
            message = self._next(deadline, f"an answer to {method}")
            if message.get("id") == ident:
                if "error" in message:
                    raise ServerGone(f"{method}: {message['error']}")
                return message.get("result")
            self.notifications.append(message)

    def wait_for(self, method: str, matching: Callable[[Any], bool]) -> Any:
        """The params of the first `method` notification (received or to come) `matching` them."""
        deadline = time.monotonic() + WAIT
        seen = iter(list(self.notifications))
        while True:
            message = next(seen, None) or self._next(deadline, method)
            if message not in self.notifications:
                self.notifications.append(message)
            if message.get("method") == method and matching(message.get("params")):
                return message["params"]


def _read_message(stream: IO[bytes]) -> Message | None:
    """One framed message; None at the end of the stream."""
    length = None
    while True:
        line = stream.readline(1024)
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if length is None or not 0 <= length <= MAX_MESSAGE:
        raise ServerGone(f"a message framed with Content-Length {length}")
    loaded: Message = json.loads(stream.read(length))
    return loaded


@contextlib.contextmanager
def language_server(
    command: Sequence[str], root: Path, settings: dict[str, Any], log: Path
) -> Iterator[LanguageClient]:
    """A started, initialised server for the workspace `root`, `settings` given the way an editor
    gives them (didChangeConfiguration, then the server pulls them); its stderr goes to `log`."""
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            command, cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr
        )
        # A write to a server that stopped reading could block past every read's deadline.
        watchdog = threading.Timer(LIFETIME, process.kill)
        watchdog.start()
        try:
            client = LanguageClient(process, settings)
            capabilities = {
                "workspace": {"configuration": True, "didChangeConfiguration": {}},
                "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]}},
            }
            client.request(
                "initialize",
                {
                    "processId": None,
                    "rootUri": root.as_uri(),
                    "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                    "capabilities": capabilities,
                },
            )
            client.notify("initialized", {})
            client.notify("workspace/didChangeConfiguration", {"settings": settings})
            if not client.configured.wait(WAIT):
                raise ServerGone(f"the server did not ask for its settings within {WAIT} s")
            yield client
        finally:
            watchdog.cancel()
            process.kill()
            process.wait(timeout=WAIT)
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
