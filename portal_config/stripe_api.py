"""The only module that talks to Stripe (and the only one that imports `stripe`).

`connect(env)` applies the safety rules (safety.py) before any request, starts the embedded
emulator for `emulator:` environments, and yields a `StripeGateway`, the `Gateway` protocol's
implementation: plain dicts in, plain dicts out, every answer checked (answers.py) before it is
read, Stripe's errors turned into `StripeFailure` with a message that says what to do. Requests
run within deadlines (transport.py) and are retried here, not by the SDK, so one policy decides:
429, 409, 5xx and lost connections, with backoff and jitter, while the run's time lasts; a write
only while Stripe does not say `Stripe-Should-Retry: false`. Nothing of the emulator is
imported unless an environment runs it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import requests
import stripe

from . import answers, notices, safety, transport
from .errors import PortalConfigError, StripeFailure
from .gateway import Gateway
from .values import Data, SDKService

if TYPE_CHECKING:
    from .config import Environment

# The API version whose fields portal-config manages (the OpenAPI copy plus stripe-python 16.1's
# subscription_pause): pinned, so responses do not change under the tool.
STRIPE_VERSION = "2026-10-28.endive"
REQUEST_TIMEOUT = transport.DEFAULT_REQUEST_SECONDS
# Retries after the first attempt, and the backoff between them (tests make it short).
RETRIES = 4
RETRY_DELAY = 0.5
RETRY_DELAY_MAX = 8.0
PAGE_SIZE = 100
DEFAULT_CONFIG_REFUSAL = "You cannot make any changes to a PortalConfiguration"
# Stripe leaves `products` out of a configuration unless the request expands it (API-REFERENCE
# §0 item 8): every read and write asks for it in the same request, so answers can be compared.
PRODUCTS = "features.subscription_update.products"
EXPAND_PRODUCTS = {"expand": [PRODUCTS]}
UNCERTAIN = (
    "it may or may not have reached Stripe. Run the command again: it is safe (it "
    "reads Stripe first, and a write repeats under the same idempotency key)"
)

T = TypeVar("T")


class _Late(stripe.APIConnectionError):
    """No complete answer within the request's deadline, or `run_spent`: within what was left
    of the run's (then nothing may be asked any more)."""

    def __init__(self, seconds: float, run_spent: bool = False):
        super().__init__(
            f"no complete answer within {seconds:g} s",  # type: ignore[no-untyped-call]
            should_retry=False,
        )
        self.seconds = seconds
        self.run_spent = run_spent


class _DeadlineClient(stripe.RequestsClient):
    """requests, with one deadline for connect, first byte and the whole body (requests'
    own timeout bounds each socket read only, which a slow drip never trips)."""

    def __init__(self, session: requests.Session, budget: transport.Budget):
        super().__init__(timeout=budget.request_seconds, session=session)
        self._shared = session
        self._budget = budget

    # RequestsClient's own signature (bytes), which the SDK's stubs give differently from
    # HTTPClient's (str): either one conflicts with the other.
    def request(  # type: ignore[override]
        self, method: str, url: str, headers: Mapping[str, str] | None, post_data: Data = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        seconds = self._budget.next_request()
        if seconds <= 0:
            raise _Late(self._budget.run_seconds, run_spent=True)
        try:
            content, status, headers_ = transport.fetch(
                self._shared, seconds, method, url, headers, post_data, stripe.ca_bundle_path
            )
        except transport.TooSlow:  # its own deadline, or the end of the run's time
            raise _Late(seconds, seconds < self._budget.request_seconds) from None
        except Exception as exc:  # noqa: BLE001 - worded by the SDK, as RequestsClient does
            self._handle_request_error(exc)
        return content, status, headers_


def _header(exc: stripe.StripeError, name: str) -> str:
    headers = exc.headers or {}
    return str(next((v for k, v in headers.items() if k.lower() == name), ""))


def _kind(exc: stripe.StripeError) -> str:
    if isinstance(exc, stripe.RateLimitError):
        return "rate_limit"
    if isinstance(exc, stripe.APIError):  # 5xx: Stripe's side, worth another run
        return "server"
    if isinstance(exc, stripe.InvalidRequestError):
        if exc.code == "resource_missing":
            return "missing"
        if (exc.user_message or "").startswith(DEFAULT_CONFIG_REFUSAL):
            return "default_refused"
    return "refused"


def _unreadable(exc: stripe.StripeError) -> bool:
    """The SDK could not parse the answer (not JSON, or an error status without an error)."""
    return (
        isinstance(exc, stripe.APIError)
        and (exc.http_status or 0) < 500
        and str(exc.user_message or "").startswith("Invalid response")
    )


def _retryable(exc: stripe.StripeError, write: bool) -> bool:
    if isinstance(exc, _Late) or _unreadable(exc):
        return False
    if isinstance(exc, stripe.APIConnectionError):
        return bool(exc.should_retry) or (transport.body_cut(exc.__cause__) and not write)
    advice = _header(exc, "stripe-should-retry")
    if advice == "true":
        return True
    if advice == "false":
        return not write  # a read changes nothing: asking again cannot hurt
    status = exc.http_status or 0
    return status in (409, 429) or status >= 500


def _describe(exc: stripe.StripeError) -> str:
    error = getattr(exc, "error", None)
    message = exc.user_message or (error.message if error else None) or str(exc)
    if message.startswith("Invalid response"):  # the SDK quotes the whole body: a proxy's page
        message = f"HTTP {exc.http_status}, with an answer that is not Stripe's JSON"
    request = f" (request {exc.request_id})" if exc.request_id else ""
    return f"{message}{request}"


def _plain(value: object) -> Data:
    """The SDK's objects as the JSON they came from (lists and scalars as they are)."""
    if isinstance(value, stripe.StripeObject):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class StripeGateway:
    """Requests for one environment (a `gateway.Gateway`). Every method returns plain dicts."""

    def __init__(
        self,
        client: stripe.StripeClient,
        env_name: str,
        mode: str,
        address: str,
        key_kind: str,
        budget: transport.Budget | None = None,
    ):
        self.client = client
        self.env_name = env_name
        self.mode = mode
        self.address = address
        self.key_kind = key_kind  # secret | restricted | emulator
        self.budget = budget or transport.Budget()

    # One place that retries, checks the answer and turns failures into messages.
    def _call(
        self,
        what: str,
        request: Callable[[], object],
        check: Callable[[Data], T],
        write: bool = False,
    ) -> T:
        what = f"environment '{self.env_name}': {what}"
        lost = False  # an earlier attempt of this write may have reached Stripe
        with self.budget.asking():
            for attempt in range(RETRIES + 1):
                try:
                    answer = _plain(request())
                except stripe.StripeError as exc:
                    if attempt < RETRIES and _retryable(exc, write) and self._wait(attempt):
                        lost |= (
                            write
                            and isinstance(exc, stripe.APIConnectionError)
                            and not transport.never_sent(exc.__cause__)
                        )
                        continue
                    failure = self._failure(what, exc, write)
                    if lost and failure.kind != "uncertain":
                        failure = StripeFailure(
                            f"{failure}; but an earlier attempt lost its answer: {UNCERTAIN}.",
                            "uncertain",
                        )
                    raise failure from exc
                try:
                    return check(answer)
                except answers.Malformed as exc:
                    raise self._malformed(what, str(exc), write) from None
        raise AssertionError("unreachable")

    def _wait(self, attempt: int) -> bool:
        """Sleep before a retry; False when the run's time would not last."""
        delay = transport.backoff(attempt, RETRY_DELAY, RETRY_DELAY_MAX)
        if delay >= self.budget.remaining():
            return False
        time.sleep(delay)
        return True

    def _malformed(self, what: str, detail: str, write: bool) -> StripeFailure:
        if write:
            return StripeFailure(
                f"{what}: Stripe's answer cannot be read ({detail}): {UNCERTAIN}.", "uncertain"
            )
        return StripeFailure(
            f"{what}: Stripe's answer is malformed ({detail}); nothing was read "
            "from it. Run again; if it persists, check that api_base reaches "
            "Stripe itself (a proxy may be changing answers).",
            "malformed",
        )

    def _failure(self, what: str, exc: stripe.StripeError, write: bool) -> StripeFailure:
        if isinstance(exc, _Late) and exc.run_spent:
            times = self.budget.run_seconds / self.budget.request_seconds
            return StripeFailure(
                f"{what}: stopped: this run has waited for Stripe as long as it "
                f"may ({self.budget.run_seconds:g} s, {times:g} times "
                "--timeout). Run again.",
                "deadline",
            )
        if isinstance(exc, stripe.APIConnectionError):
            trouble = (
                f"{self.address} sent no complete answer within {exc.seconds:g} s (--timeout)"
                if isinstance(exc, _Late)
                else f"could not reach {self.address} "
                f"({transport.network_reason(str(exc.user_message or exc))})"
            )
            if write and not transport.never_sent(exc.__cause__):
                return StripeFailure(f"{what}: {trouble}: {UNCERTAIN}.", "uncertain")
            return StripeFailure(
                f"{what}: {trouble}: check api_base and the network, then run again; it is safe.",
                "connection",
            )
        if _unreadable(exc):
            return self._malformed(
                what, f"HTTP {exc.http_status} with a body that is not a whole JSON answer", write
            )
        if isinstance(exc, stripe.AuthenticationError):
            return StripeFailure(
                f"{what}: Stripe rejected the API key: {_describe(exc)}. Check "
                "the key in the variable.",
                "authentication",
            )
        if isinstance(exc, stripe.PermissionError):
            return StripeFailure(
                f"{what}: the key lacks a permission: {_describe(exc)}. Give the "
                "restricted key write access to the customer portal.",
                "permission",
            )
        replayed = _header(exc, "idempotent-replayed") == "true"  # Stripe's saved answer
        if isinstance(exc, stripe.RateLimitError):
            return StripeFailure(
                f"{what}: Stripe kept rate-limiting: {_describe(exc)}. Wait a "
                "minute and run again.",
                "rate_limit",
                replayed,
            )
        kind = _kind(exc)
        said = "Stripe failed on its side" if kind == "server" else "Stripe refused"
        return StripeFailure(f"{what}: {said}: {_describe(exc)}", kind, replayed)

    def _list(
        self,
        what: str,
        fetch: Callable[[dict[str, str]], object],
        item: Callable[[Data, str], dict[str, Any]],
        pages: int | None = None,
    ) -> list[dict[str, Any]]:
        """Every page (answers.every_page), each one retried and checked on its own."""
        try:
            return answers.every_page(
                lambda cursor: self._call(what, lambda: fetch(cursor), answers.page), item, pages
            )
        except answers.Malformed as exc:
            raise self._malformed(
                f"environment '{self.env_name}': {what}", str(exc), False
            ) from None

    @property
    def _configurations(self) -> SDKService:
        return self.client.v1.billing_portal.configurations

    def list_configurations(self) -> list[dict[str, Any]]:
        """Every configuration, inactive ones included (no `active` filter)."""
        params: Any = {"limit": PAGE_SIZE, "expand": [f"data.{PRODUCTS}"]}  # the SDK's TypedDict
        return self._list(
            "listing portal configurations",
            lambda cursor: self._configurations.list({**params, **cursor}),
            answers.configuration,
        )

    def retrieve_configuration(self, config_id: str) -> dict[str, Any]:
        return self._call(
            f"reading {config_id}",
            lambda: self._configurations.retrieve(config_id, EXPAND_PRODUCTS),
            lambda v: answers.configuration(v, expected_id=config_id),
        )

    def create_configuration(self, params: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return self._call(
            "creating a configuration",
            lambda: self._configurations.create(
                {**params, **EXPAND_PRODUCTS}, {"idempotency_key": idempotency_key}
            ),
            answers.configuration,
            write=True,
        )

    def update_configuration(
        self, config_id: str, params: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        return self._call(
            f"updating {config_id}",
            lambda: self._configurations.update(
                config_id, {**params, **EXPAND_PRODUCTS}, {"idempotency_key": idempotency_key}
            ),
            lambda v: answers.configuration(v, expected_id=config_id),
            write=True,
        )

    def prices_by_lookup_key(self, lookup_keys: list[str]) -> dict[str, dict[str, Any]]:
        """Prices for lookup keys, ten to a request (Stripe's limit for `lookup_keys[]`)."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(lookup_keys), 10):
            keys = lookup_keys[start : start + 10]

            def page(cursor: dict[str, str], keys: list[str] = keys) -> object:
                params: Any = {"lookup_keys": keys, "limit": PAGE_SIZE, **cursor}
                return self.client.v1.prices.list(params)

            def price(value: Data, where: str, keys: list[str] = keys) -> dict[str, Any]:
                return answers.price(value, where, lookup_keys=keys)

            listed = self._list("looking up prices", page, price)
            found.update((p["lookup_key"], p) for p in listed)
        return found

    def active_lookup_keys(self, max_pages: int) -> list[str]:
        """Lookup keys of active prices, at most `max_pages` pages of them (a hint)."""

        def page(cursor: dict[str, str]) -> object:
            params: Any = {"active": True, "limit": PAGE_SIZE, **cursor}  # the SDK's TypedDict
            return self.client.v1.prices.list(params)

        listed = self._list("listing prices", page, answers.price, max_pages)
        return [p["lookup_key"] for p in listed if p.get("lookup_key")]

    def retrieve_price(self, price_id: str) -> dict[str, Any]:
        return self._call(
            f"reading price {price_id}",
            lambda: self.client.v1.prices.retrieve(price_id),
            lambda v: answers.price(v, expected_id=price_id),
        )

    def retrieve_product(self, product_id: str) -> dict[str, Any]:
        return self._call(
            f"reading product {product_id}",
            lambda: self.client.v1.products.retrieve(product_id),
            lambda v: answers.plain(v, "product", product_id),
        )

    # --- doctor ---
    # What `portal-config doctor` reads and tries. Failures stay StripeFailure; its `kind`
    # tells the doctor which kind, so it never needs to import stripe itself.
    DOCTOR_PROBE_ID = "bpc_portal_config_doctor_probe"

    def probe_configuration_write(self) -> None:
        """Raises StripeFailure unless the key may write portal configurations. It asks to update
        a configuration that does not exist: Stripe checks a restricted key's permission before
        looking the object up, so a key that may write gets a 404 (ignored here) and one that
        may not a 403; nothing can be written either way."""
        try:
            self._call(
                "checking write access to portal configurations",
                lambda: self._configurations.update(self.DOCTOR_PROBE_ID, {}),
                lambda v: None,
            )
        except StripeFailure as exc:
            if exc.kind != "missing":
                raise

    def retrieve_customer(self, customer_id: str) -> dict[str, Any] | None:
        """The customer, or None when this mode and account has no such customer."""
        try:
            return self._call(
                f"reading customer {customer_id}",
                lambda: self.client.v1.customers.retrieve(customer_id),
                lambda v: answers.plain(v, "customer", customer_id),
            )
        except StripeFailure as exc:
            if exc.kind == "missing":
                return None
            raise

    def create_session(self, customer: str, configuration: str | None = None) -> dict[str, Any]:
        """A real portal session, as the app would create it (no `configuration`: the default).
        A retry repeats its key, so it cannot leave two sessions."""
        params: Any = {"customer": customer}  # the SDK's TypedDict
        if configuration:
            params["configuration"] = configuration
        key = f"portal-config-doctor-session-{uuid.uuid4()}"
        return self._call(
            "creating a portal session",
            lambda: self.client.v1.billing_portal.sessions.create(params, {"idempotency_key": key}),
            lambda v: answers.plain(v, "billing_portal.session"),
        )

    @staticmethod
    def stripe_message(exc: BaseException) -> str:
        """Stripe's own words (and request ID) behind a StripeFailure, without our advice."""
        cause = exc.__cause__
        return _describe(cause) if isinstance(cause, stripe.StripeError) else str(exc)


def _client(
    key: str, address: str, stripe_account: str | None, budget: transport.Budget
) -> stripe.StripeClient:
    session = requests.Session()
    session.trust_env = safety.trusts_proxy_env(address)  # never plain http through a proxy
    return stripe.StripeClient(
        key,
        base_addresses={"api": address},
        stripe_account=stripe_account,
        stripe_version=STRIPE_VERSION,
        max_network_retries=0,  # StripeGateway._call retries, within the run's time
        http_client=_DeadlineClient(session, budget),
    )


@contextmanager
def connect(env: Environment, timeout: float = REQUEST_TIMEOUT) -> Iterator[Gateway]:
    """A gateway for one environment; the safety rules run here, before any request (a refusal
    is a `safety.Refused`). `timeout`: each request's deadline in seconds (the run's is
    transport.RUN_DEADLINE_FACTOR times it). Stripe's notices are held back while it is open."""
    with notices.capturing():
        yield from _connect(env, transport.Budget.for_request_seconds(timeout))


def _connect(env: Environment, budget: transport.Budget) -> Iterator[Gateway]:
    if env.emulator is not None:
        from .emulator import Emulator, EmulatorError  # the embedded account of `emulator:`

        seed = {env.mode: env.seed} if env.seed else None
        try:
            emulator = Emulator(state_file=env.emulator, seed=seed)
        except EmulatorError as exc:  # e.g. its state file is in use by another command
            raise PortalConfigError(f"environment '{env.name}': {exc}") from exc
        try:
            url = emulator.start()
            key = f"sk_{env.mode}_portal_config_emulator"
            yield StripeGateway(
                _client(key, url, env.stripe_account, budget),
                env.name,
                env.mode,
                url,
                "emulator",
                budget,
            )
        except EmulatorError as exc:
            raise PortalConfigError(f"environment '{env.name}': {exc}") from exc
        finally:
            emulator.stop()
        return
    cleared = safety.clear(env)
    yield StripeGateway(
        _client(cleared.key, cleared.address, env.stripe_account, budget),
        env.name,
        env.mode,
        cleared.address,
        cleared.key_kind,
        budget,
    )
