"""The emulator's state: one set of objects per (mode, Connect account), plus idempotency records.

With a state file the store holds an exclusive lock on FILE.lock for as long as it is open (two
emulators on one file would silently lose each other's writes), and every save is atomic
(temporary file + os.replace), so a crash never leaves half a JSON document behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import EmulatorError
from .values import Data

IDEMPOTENCY_TTL = 24 * 3600  # Stripe forgets idempotency keys after 24 hours
STATE_VERSION = 1
MAX_STATE_BYTES = 256 << 20  # far more than any test or local project makes
KINDS = ("configurations", "products", "prices", "customers", "accounts", "events", "sessions")


def scope_name(mode: str, account: str | None) -> str:
    return f"{mode}:{account or ''}"


@dataclass
class AccountState:
    """The objects one mode of one account holds, each dict in creation order (oldest first)."""

    configurations: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    prices: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)  # a platform's connected
    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # events.py, 30 days of them
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)  # portal_page.keep's

    def collection(self, kind: str) -> dict[str, dict[str, Any]]:
        collection: dict[str, dict[str, Any]] = getattr(self, kind)
        return collection

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        return {kind: list(self.collection(kind).values()) for kind in KINDS}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AccountState:
        return cls(**{kind: {o["id"]: o for o in data.get(kind, [])} for kind in KINDS})


@dataclass
class IdempotencyRecord:
    """The first answer to a request with an Idempotency-Key, replayed for the same parameters."""

    fingerprint: str
    status: int
    body: dict[str, Any]
    request_id: str
    created: float


# What a folder the emulator makes for its state holds, as .pytest_cache and .mypy_cache do: the
# state is a machine's, never the repository's (https://git-scm.com/docs/gitignore).
_GITIGNORE = "# made by portal-config's emulator: its state stays out of version control\n*\n"


def _make_folder(folder: Path) -> None:
    """The state's folder; one made here gets a .gitignore of `*` (a folder that was there,
    perhaps with the user's own files, is left as it is)."""
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(folder / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW)
    except FileExistsError:  # made meanwhile by another emulator: its own
        return
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(_GITIGNORE)


class Store:
    """All state, guarded by `lock` (the server is threaded); saved to `path` when one is given."""

    def __init__(self, path: Path | None = None, clock: Callable[[], float] = time.time):
        self.path = path
        self.clock = clock
        self.lock = threading.RLock()
        self.accounts: dict[str, AccountState] = {}
        self.idempotency: dict[str, dict[str, IdempotencyRecord]] = {}
        self.in_flight: set[tuple[str, str]] = set()
        self.revoked_accounts: set[str] = set()  # connections revoked, in every mode
        self._lock_file: IO[str] | None = None
        self._saved: bytes | None = None  # the state file's bytes as last read or written

    # -- lifetime ---------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.path is None or self._lock_file is not None

    def open(self) -> bool:
        """Lock and load the state file; True when it held saved state (so seeds are skipped)."""
        if self.path is None or self._lock_file is not None:
            return bool(self.accounts)
        _make_folder(self.path.parent)
        lock_path = self.path.with_name(self.path.name + ".lock")
        # Never through a symbolic link (a repository can hold one): it would create its target.
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise EmulatorError(
                f"cannot open {lock_path} ({exc.strerror or exc}): a state file's lock is a plain "
                "file beside it, never a symbolic link (remove it)"
            ) from None
        lock_file = os.fdopen(fd, "a+")  # held open (and locked) until close()
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            raise EmulatorError(
                f"{self.path} is in use by another emulator (it holds {lock_file.name}); "
                "stop it or use another state file"
            ) from None
        self._lock_file = lock_file
        try:
            return self._load()
        except BaseException:
            self.close(save=False)
            raise

    def close(self, save: bool = True) -> None:
        if self._lock_file is None:
            return
        try:
            if save:
                self.save()
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def _load(self) -> bool:
        assert self.path is not None
        if not self.path.exists():
            return False
        try:
            self._saved = _read_state(self.path)
            data = json.loads(self._saved)
            self.accounts = {
                scope: AccountState.from_json(state) for scope, state in data["accounts"].items()
            }
            self.idempotency = {
                scope: {key: IdempotencyRecord(**record) for key, record in records.items()}
                for scope, records in data.get("idempotency", {}).items()
            }
            self.revoked_accounts = set(data.get("revoked_accounts", []))
        except (ValueError, KeyError, TypeError) as exc:
            raise EmulatorError(f"{self.path} is not an emulator state file: {exc}") from exc
        self._expire_idempotency()
        return True

    def save(self) -> None:
        """Write the whole state atomically; a no-op without a state file."""
        if self.path is None:
            return
        with self.lock:
            document = {
                "version": STATE_VERSION,
                "accounts": {scope: state.to_json() for scope, state in self.accounts.items()},
                "idempotency": {
                    scope: {key: vars(record) for key, record in records.items()}
                    for scope, records in self.idempotency.items()
                },
                "revoked_accounts": sorted(self.revoked_accounts),
            }
            text = _one_object_a_line(document, levels=4)
            if (
                text.encode() == self._saved
            ):  # unchanged (a plan, say): no write, no fsync (issue 24)
                return
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            try:
                with open(temporary, "w", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, self.path)
                self._saved = text.encode()
            finally:
                temporary.unlink(missing_ok=True)

    def reset(self) -> None:
        with self.lock:
            self.accounts.clear()
            self.idempotency.clear()
            self.revoked_accounts.clear()
            self.save()

    # -- objects ----------------------------------------------------------------------------

    def account(self, mode: str, account: str | None) -> AccountState:
        with self.lock:
            return self.accounts.setdefault(scope_name(mode, account), AccountState())

    def existing(self, mode: str, account: str | None) -> AccountState | None:
        """The objects of one mode of one account, if it has any (nothing is created)."""
        with self.lock:
            return self.accounts.get(scope_name(mode, account))

    def connected_accounts(self, mode: str) -> dict[str, dict[str, Any]]:
        """The platform's connected accounts in `mode` (read-only use: nothing is created)."""
        with self.lock:
            platform = self.accounts.get(scope_name(mode, None))
            return platform.accounts if platform is not None else {}

    # -- idempotency ------------------------------------------------------------------------

    def idempotency_record(self, scope: str, key: str) -> IdempotencyRecord | None:
        with self.lock:
            self._expire_idempotency()
            return self.idempotency.get(scope, {}).get(key)

    def remember(self, scope: str, key: str, record: IdempotencyRecord) -> None:
        with self.lock:
            self.idempotency.setdefault(scope, {})[key] = record

    def _expire_idempotency(self) -> None:
        oldest = self.clock() - IDEMPOTENCY_TTL
        for records in self.idempotency.values():
            for key in [k for k, r in records.items() if r.created < oldest]:
                del records[key]


def _read_state(path: Path) -> bytes:
    """The state file's bytes: a regular file of at most MAX_STATE_BYTES, else EmulatorError."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO cannot block it
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_STATE_BYTES:
            raise EmulatorError(
                f"{path} is not an emulator state file: not a regular file of at most "
                f"{MAX_STATE_BYTES >> 20} MiB"
            )
        return os.read(fd, MAX_STATE_BYTES + 1)
    finally:
        os.close(fd)


def _one_object_a_line(value: Data, levels: int, indent: str = "") -> str:
    """JSON with the outer `levels` of containers spread out and each object within on one
    line: still readable and diffable, but written by json's C encoder (`indent=` falls back to
    the pure-Python one, 4x slower: 0.4 s a save for 10,000 connected accounts)."""
    if levels == 0 or not isinstance(value, (dict, list)) or not value:
        return json.dumps(value)
    inner = indent + " "
    if isinstance(value, dict):
        items = [
            f"{inner}{json.dumps(k)}: {_one_object_a_line(v, levels - 1, inner)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    items = [inner + _one_object_a_line(v, levels - 1, inner) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + indent + "]"
