"""The Emulator: its state, its knobs, its request log and its server thread, in one object.

    with Emulator(state_file=Path("state.json"), seed={"default_configuration": True}) as emu:
        client = stripe.StripeClient("sk_test_x", base_addresses={"api": emu.url})

The same knobs are served over HTTP for an emulator run as its own process (controls.py).
"""

from __future__ import annotations

import ipaddress
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from . import connect, forms, ratelimits
from .api import Api, Request, Response, Settings, endpoint
from .context import sandbox_mode
from .errors import ApiError, EmulatorError, SeedError
from .faults import Drop, Faults
from .seed import apply_seed, by_mode
from .server import WHOLE, Answer, EmulatorHTTPServer, Html
from .store import Store


@dataclass(frozen=True)
class LoggedRequest:
    """One API request as the emulator saw it; `status` is None for a connection dropped before
    the request was executed."""

    method: str
    path: str
    query: dict[str, Any]
    body: dict[str, Any]
    headers: dict[str, str]
    status: int | None
    idempotency_key: str | None
    account: str | None
    mode: str | None
    request_id: str | None
    at: float  # when it arrived (time.monotonic), for the rate a client keeps


def _switch(name: str) -> property:
    """A Settings switch, read and set on the Emulator as itself (behaviours.py `option`)."""
    return property(
        lambda self: getattr(self.settings, name),
        lambda self, value: setattr(self.settings, name, value),
    )


class Emulator:
    def __init__(
        self,
        state_file: Path | None = None,
        seed: dict[str, Any] | None = None,
        refuse_default_updates: bool = False,
        first_becomes_default: bool = False,
        connect_application: str | None = None,
        rate_limits: bool = False,
        subscription_update_needs_products: bool = False,
        default_cancellation_reasons: bool = False,
        default_schedule_conditions: bool = False,
    ):
        """`refuse_default_updates`, `first_becomes_default` and `connect_application` switch
        on Stripe behaviours that are reported but unconfirmed, `rate_limits` Stripe's rate
        limits (see behaviours.py); by default the emulator does none of them."""
        self.state_file = Path(state_file) if state_file is not None else None
        self.store = Store(self.state_file)
        self.settings = Settings(
            refuse_default_updates=refuse_default_updates,
            first_becomes_default=first_becomes_default,
            connect_application=connect_application,
            rate_limits=rate_limits,
            subscription_update_needs_products=subscription_update_needs_products,
            default_cancellation_reasons=default_cancellation_reasons,
            default_schedule_conditions=default_schedule_conditions,
        )
        self.faults = Faults()
        self._clock_offset = 0.0
        self.api = Api(self.store, self.settings, self.faults)
        self.url: str | None = None
        self._initial_seed = seed
        self._log: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._open()

    # -- knobs ------------------------------------------------------------------------------

    @property
    def refuse_default_updates(self) -> bool:
        """Updates to the default configuration fail as Stripe is reported to fail them."""
        return self.settings.refuse_default_updates

    @refuse_default_updates.setter
    def refuse_default_updates(self, value: bool) -> None:
        self.settings.refuse_default_updates = value

    @property
    def first_becomes_default(self) -> bool:
        """The first configuration created in a mode and account without a default becomes it."""
        return self.settings.first_becomes_default

    @first_becomes_default.setter
    def first_becomes_default(self, value: bool) -> None:
        self.settings.first_becomes_default = value

    @property
    def connect_application(self) -> str | None:
        """The platform's Connect application ID (ca_...), stamped as `application` on what it
        creates through Stripe-Account; None: nothing is stamped."""
        return self.settings.connect_application

    @connect_application.setter
    def connect_application(self, value: str | None) -> None:
        self.settings.connect_application = value

    @property
    def rate_limits(self) -> bool:
        """Stripe's rate limits enforced: too many requests a second answer 429 (ratelimits.py)."""
        return self.settings.rate_limits

    @rate_limits.setter
    def rate_limits(self, value: bool) -> None:
        self.settings.rate_limits = value

    @property
    def clock_offset(self) -> float:
        """Seconds the emulator's clock is off the real one: -7200 and an edit made now was made
        "2 hours ago" (its `created`, its `updated`, its event's). 0 by default."""
        return self._clock_offset

    @clock_offset.setter
    def clock_offset(self, value: float) -> None:
        self._clock_offset = float(value)
        self.store.clock = lambda: time.time() + self._clock_offset

    # The unknowns (behaviours.py), Settings' own switches.
    subscription_update_needs_products = _switch("subscription_update_needs_products")
    default_cancellation_reasons = _switch("default_cancellation_reasons")
    default_schedule_conditions = _switch("default_schedule_conditions")

    @property
    def key_permissions(self) -> dict[str, dict[str, str]]:
        """Restricted keys: {"rk_test_x": {"billing_portal": "read", "prices": "write"}}.
        A listed key may only use the listed resources; unlisted rk_ keys may use all."""
        return self.settings.key_permissions

    @key_permissions.setter
    def key_permissions(self, value: dict[str, dict[str, str]]) -> None:
        self.settings.key_permissions = value

    @property
    def revoked_keys(self) -> set[str]:
        """Keys answered with 401 "Invalid API Key provided"."""
        return self.settings.revoked_keys

    @revoked_keys.setter
    def revoked_keys(self, value: set[str]) -> None:
        self.settings.revoked_keys = set(value)

    @property
    def revoked_accounts(self) -> set[str]:
        """Connected accounts whose connection was revoked: Stripe-Account naming one (or GET
        /v1/accounts/ID) answers 403 account_invalid. Kept in the state, like a seed's
        `revoked: true`, so a restarted emulator still refuses them."""
        return self.store.revoked_accounts

    @revoked_accounts.setter
    def revoked_accounts(self, value: set[str]) -> None:
        with self.store.lock:
            self.store.revoked_accounts = set(value)
            self.store.save()

    def add_connected_accounts(
        self,
        count: int,
        *,
        metadata: connect.Spec | None = None,
        business_profile: connect.Spec | None = None,
        mode: str = "test",
        platform: str | None = None,
    ) -> list[str]:
        """Connect `count` new accounts to the platform in `mode` (in memory, no HTTP: 10,000
        take well under a second); metadata and business_profile are one mapping for all or a
        function of the 1-based index. Returns their IDs in creation order. Once a mode has
        connected accounts, Stripe-Account must name one of them (connect.reachable).
        `platform`: an organization's account that is a platform (Stripe-Context
        acct_platform/acct_connected reaches them: organization.py); None: the key's own."""
        entries = connect.generated(count, metadata, business_profile)
        with self.store.lock:
            made = connect.add_accounts(
                self.store.account(mode, platform),
                self.store.revoked_accounts,
                entries,
                now=int(self.store.clock()),
            )
            self.store.save()
        return made

    @staticmethod
    def sandbox_mode(key: str) -> str:
        """The mode an rkcs_test_ key selects: its sandbox's, to seed it (`seed(..., mode=)`)."""
        return sandbox_mode(key)

    def seed(self, seed: dict[str, Any], mode: str = "test", account: str | None = None) -> None:
        """Add a SEED's objects (see seed.py) to one mode of one account."""
        apply_seed(self.api, seed, mode, account)

    def reset(self) -> None:
        """Forget every object, idempotency key, logged request and fault."""
        self.store.reset()
        self.faults.clear()
        self.clear_log()

    @property
    def request_log(self) -> list[LoggedRequest]:
        with self._log_lock:
            return list(self._log)

    @property
    def hostile_sent(self) -> int:
        """Bytes written so far of the too-big answers of faults (hostile.py)."""
        return self._server.hostile_sent if self._server is not None else 0

    def busiest_seconds(self) -> dict[str, int]:
        """Per endpoint the log holds ("GET /v1/prices/{price}"), and "*" for all of them: the
        most requests that arrived within one second (as the rate limits count them)."""
        return ratelimits.busiest_seconds(
            (endpoint(r.method, r.path), r.at) for r in self.request_log
        )

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    # -- lifetime ---------------------------------------------------------------------------

    def _open(self) -> None:
        """Lock and load the state file; the constructor's seed applies only to a fresh state."""
        had_state = self.store.open()
        if not had_state and self._initial_seed:
            for mode, seed in by_mode(self._initial_seed).items():
                try:
                    apply_seed(self.api, seed, mode)
                except EmulatorError as exc:
                    raise SeedError(str(exc)) from exc

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a daemon thread; returns the base URL (port 0 picks a free port)."""
        if self._server is not None:
            raise EmulatorError(f"the emulator is already serving on {self.url}")
        if not is_loopback(host):
            raise EmulatorError(
                f"the emulator serves only on a loopback address (127.0.0.1, ::1), not {host}"
            )
        if not self.store.is_open:
            self._open()
        try:
            self._server = EmulatorHTTPServer((host, port), self._dispatch, ipv6=":" in host)
        except OSError as exc:
            raise EmulatorError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        bound_port = self._server.server_address[1]
        self.url = f"http://[{host}]:{bound_port}" if ":" in host else f"http://{host}:{bound_port}"
        self.settings.portal_base = self.url  # sessions' urls open portal_page.py's page
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="stripe-emulator",
            daemon=True,
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving, save the state and release the state file's lock."""
        if self._server is not None:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join(timeout=5)
            self._server = self._thread = None
        self.store.close()

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- requests ---------------------------------------------------------------------------

    def _dispatch(
        self, method: str, target: str, raw: bytes, headers: dict[str, str]
    ) -> Answer | None:
        arrived = time.monotonic()
        url = urlsplit(target)
        # The knobs and a session's page are imported where they are asked for: the emulator
        # a command embeds answers only /v1 (issue 24: tests/reliability/test_lean_runs.py).
        if url.path.startswith("/_emulator/"):
            from . import controls

            return controls.answer(self, method, url.path, url.query, raw)
        if method == "GET" and not url.path.startswith("/v1/"):
            from . import portal_page

            if url.path.startswith(portal_page.PATH):  # a session's url
                status, page = portal_page.answer(self.store, url.path)
                return status, Html(page), _PAGE_HEADERS, WHOLE
        request = Request(method, url.path, {}, {}, headers)
        response: Response | None
        try:
            request.query = forms.decode(url.query)
            request.body = forms.decode(raw.decode("utf-8")) if method == "POST" else {}
        except (forms.FormError, UnicodeDecodeError) as exc:
            error = ApiError(400, f"Invalid request body: {exc}", param=getattr(exc, "param", None))
            response = Response(400, error.body())
        else:
            try:
                response = self.api.handle(request)
            except Drop:
                response = None
        self._record(request, response, arrived)
        if response is None:
            return None
        return response.status, response.body, response.headers, response.delivery

    def _record(self, request: Request, response: Response | None, arrived: float) -> None:
        entry = LoggedRequest(
            method=request.method,
            path=request.path,
            query=request.query,
            body=request.body,
            headers=_masked(request.headers),
            status=None if response is None else response.status,
            idempotency_key=request.idempotency_key,
            account=request.account or request.headers.get("stripe-account"),
            mode=request.mode,
            request_id=None if response is None else response.headers.get("Request-Id"),
            at=arrived,
        )
        with self._log_lock:
            self._log.append(entry)


# The page runs no script and loads nothing (https://developer.mozilla.org/docs/Web/HTTP/CSP).
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "Cache-Control": "no-store",
}


def _masked(headers: dict[str, str]) -> dict[str, str]:
    """The log is readable over HTTP (/_emulator/requests): keep only a key's prefix and tail."""
    masked = dict(headers)
    auth = masked.get("authorization", "")
    if len(auth) > 20:
        masked["authorization"] = f"{auth[:15]}...{auth[-4:]}"
    return masked


def is_loopback(host: str) -> bool:
    # Where the emulator may serve. portal_config.project.safety has the same test for where a key
    # may go; kept apart on purpose: the emulator knows nothing of the rest of portal-config.
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
