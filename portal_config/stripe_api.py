"""The only module that talks to Stripe (and the only one that imports `stripe`).

`connect(env)` applies the safety rules (safety.py) before any request, starts the embedded
emulator for `emulator:` environments, and yields a `StripeGateway`, the `Gateway` protocol's
implementation: plain dicts in, plain dicts out, Stripe's errors turned into `StripeFailure`
with a message that says what to do. Nothing of the emulator is imported unless an environment
runs it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast

import stripe
from stripe import _api_requestor  # its Stripe-Notice warning, for raw_request answers

from . import notices, paging, safety, transport
from .errors import PortalConfigError, StripeFailure
from .gateway import Gateway
from .values import SDKService

if TYPE_CHECKING:
    from .config import Environment
    from .ratelimit import RateLimiter

# The API version whose fields portal-config manages (the OpenAPI copy plus stripe-python 16.1's
# subscription_pause): pinned, so responses do not change under the tool.
STRIPE_VERSION = "2026-10-28.endive"
# The SDK retries 5xx, 409 and dropped connections itself (with one idempotency key);
# 429 without Stripe-Should-Retry it does not, so `_call` adds a bounded backoff for it.
SDK_RETRIES = 3
RATE_LIMIT_RETRIES = 4
RATE_LIMIT_BASE_DELAY = 0.25
REQUEST_TIMEOUT = 30
DEFAULT_CONFIG_REFUSAL = "You cannot make any changes to a PortalConfiguration"
# Stripe leaves `products` out of a configuration unless the request expands it (API-REFERENCE
# §0 item 8): every read and write asks for it in the same request, so answers can be compared.
PRODUCTS = "features.subscription_update.products"
EXPAND_PRODUCTS = {"expand": [PRODUCTS]}
CONFIGURATIONS = "/v1/billing_portal/configurations"
LIST_EXPAND = {"expand": [f"data.{PRODUCTS}"]}

T = TypeVar("T")


def _kind(exc: stripe.StripeError) -> str:
    if isinstance(exc, stripe.APIError):  # 5xx: Stripe's side, worth another run
        return "server"
    if isinstance(exc, stripe.InvalidRequestError):
        if exc.code == "resource_missing":
            return "missing"
        if (exc.user_message or "").startswith(DEFAULT_CONFIG_REFUSAL):
            return "default_refused"
    return "refused"


def _replayed(exc: stripe.StripeError) -> bool:
    headers = exc.headers or {}
    return str(headers.get("idempotent-replayed", headers.get("Idempotent-Replayed", ""))) == "true"


def _network_reason(exc: stripe.APIConnectionError) -> str:
    """The one telling phrase in the SDK's several-line connection error."""
    text = str(exc.user_message or exc)
    for pattern in (r"\[Errno -?\d+\] ([^'\")]+)", r"(Read timed out|timed out)",
                    r"Network error: (\w+)"):
        found = re.search(pattern, text)
        if found:
            return found[1].strip()
    return "connection failed"


def _describe(exc: stripe.StripeError) -> str:
    error = getattr(exc, "error", None)
    message = exc.user_message or (error.message if error else None) or str(exc)
    request = f" (request {exc.request_id})" if exc.request_id else ""
    return f"{message}{request}"


class StripeGateway:
    """Requests for one environment (a `gateway.Gateway`). Every method returns plain dicts."""

    def __init__(self, client: stripe.StripeClient, env_name: str, mode: str, address: str,
                 key_kind: str):
        self.client = client
        self.env_name = env_name
        self.mode = mode
        self.address = address
        self.key_kind = key_kind  # secret | restricted | emulator

    # One place that turns the SDK's exceptions into messages and retries rate limits.
    def _call(self, what: str, request: Callable[[], T]) -> T:
        what = f"environment '{self.env_name}': {what}"
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            try:
                return request()
            except stripe.RateLimitError as exc:
                if attempt == RATE_LIMIT_RETRIES:
                    raise StripeFailure(f"{what}: Stripe kept rate-limiting: {_describe(exc)}. "
                                        "Wait a minute and run again.", "rate_limit") from exc
                time.sleep(RATE_LIMIT_BASE_DELAY * 2**attempt)
            except stripe.AuthenticationError as exc:
                raise StripeFailure(f"{what}: Stripe rejected the API key: "
                                    f"{_describe(exc)}. Check the key in the variable.",
                                    "authentication") from exc
            except stripe.PermissionError as exc:
                raise StripeFailure(f"{what}: the key lacks a permission: {_describe(exc)}. Give "
                                    "the restricted key write access to the customer portal.",
                                    "permission") from exc
            except stripe.APIConnectionError as exc:
                raise StripeFailure(f"{what}: could not reach {self.address} "
                                    f"({_network_reason(exc)}): check api_base and the network, "
                                    "then run again; it is safe.", "connection") from exc
            except stripe.StripeError as exc:
                raise StripeFailure(f"{what}: Stripe refused: {_describe(exc)}", _kind(exc),
                                    _replayed(exc)) from exc
        raise AssertionError("unreachable")

    @property
    def _configurations(self) -> SDKService:
        return self.client.v1.billing_portal.configurations

    def list_configurations(self) -> list[dict[str, Any]]:
        """Every configuration, inactive ones included (no `active` filter), as plain JSON."""
        return self._call("listing portal configurations", lambda: paging.list_all(
            self._get_json, CONFIGURATIONS, LIST_EXPAND))

    def configurations_newer_than(self, config_id: str | None) -> list[dict[str, Any]]:
        return self._call("listing new portal configurations", lambda: paging.list_all(
            self._get_json, CONFIGURATIONS, LIST_EXPAND, newer_than=config_id))

    def _get_json(self, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """One GET as parsed JSON, no StripeObjects (paging.py): the SDK's HTTP, auth, retries
        and errors. raw_request skips the SDK's Stripe-Notice warning, so it is given here.
        The body is parsed again into plain dicts: the SDK's OrderedDicts (`.data`) take twice
        the memory, and a plan holds every configuration listed."""
        response = self.client.raw_request("get", path, **params)
        _api_requestor._maybe_emit_stripe_notice(response.headers)
        return cast(dict[str, Any], json.loads(response.body))

    def retrieve_configuration(self, config_id: str) -> dict[str, Any]:
        return self._call(f"reading {config_id}",
                          lambda: self._configurations.retrieve(config_id,
                                                                EXPAND_PRODUCTS).to_dict())

    def create_configuration(self, params: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return self._call("creating a configuration", lambda: self._configurations.create(
            {**params, **EXPAND_PRODUCTS}, {"idempotency_key": idempotency_key}).to_dict())

    def update_configuration(self, config_id: str, params: dict[str, Any],
                             idempotency_key: str) -> dict[str, Any]:
        return self._call(f"updating {config_id}", lambda: self._configurations.update(
            config_id, {**params, **EXPAND_PRODUCTS}, {"idempotency_key": idempotency_key}
        ).to_dict())

    def prices_by_lookup_key(self, lookup_keys: list[str]) -> dict[str, dict[str, Any]]:
        """Prices for lookup keys, ten to a request (Stripe's limit for `lookup_keys[]`)."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(lookup_keys), 10):
            chunk = lookup_keys[start:start + 10]

            def request(keys: list[str] = chunk) -> list[dict[str, Any]]:
                page = self.client.v1.prices.list({"lookup_keys": keys, "limit": 100})
                return [price.to_dict() for price in page.auto_paging_iter()]

            for data in self._call("looking up prices", request):
                found[data["lookup_key"]] = data
        return found

    def active_lookup_keys(self, max_pages: int) -> list[str]:
        """Lookup keys of active prices, 100 to a page, at most `max_pages` pages (a hint)."""
        def request() -> list[str]:
            keys: list[str] = []
            params: Any = {"active": True, "limit": 100}  # the SDK's TypedDict
            for _ in range(max_pages):
                page = self.client.v1.prices.list(params)
                keys += [p.lookup_key for p in page.data if p.lookup_key]
                if not page.has_more or not page.data:
                    break
                params = {**params, "starting_after": page.data[-1].id}
            return keys
        return self._call("listing prices", request)

    def retrieve_price(self, price_id: str) -> dict[str, Any]:
        return self._call(f"reading price {price_id}",
                          lambda: self.client.v1.prices.retrieve(price_id).to_dict())

    def retrieve_product(self, product_id: str) -> dict[str, Any]:
        return self._call(f"reading product {product_id}",
                          lambda: self.client.v1.products.retrieve(product_id).to_dict())

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
            self._call("checking write access to portal configurations", lambda:
                       self._configurations.update(self.DOCTOR_PROBE_ID, {}))
        except StripeFailure as exc:
            if exc.kind != "missing":
                raise

    def retrieve_customer(self, customer_id: str) -> dict[str, Any] | None:
        """The customer, or None when this mode and account has no such customer."""
        try:
            return self._call(f"reading customer {customer_id}",
                              lambda: self.client.v1.customers.retrieve(customer_id).to_dict())
        except StripeFailure as exc:
            if exc.kind == "missing":
                return None
            raise

    def create_session(self, customer: str, configuration: str | None = None) -> dict[str, Any]:
        """A real portal session, as the app would create it (no `configuration`: the default)."""
        params: Any = {"customer": customer}  # the SDK's TypedDict
        if configuration:
            params["configuration"] = configuration
        return self._call("creating a portal session", lambda:
                          self.client.v1.billing_portal.sessions.create(params).to_dict())

    @staticmethod
    def stripe_message(exc: BaseException) -> str:
        """Stripe's own words (and request ID) behind a StripeFailure, without our advice."""
        cause = exc.__cause__
        return _describe(cause) if isinstance(cause, stripe.StripeError) else str(exc)


def _client(key: str, address: str, stripe_account: str | None,
            limiter: RateLimiter | None = None) -> stripe.StripeClient:
    session = transport.LimitedSession(limiter)  # every request waits for the run's limiter
    session.trust_env = safety.trusts_proxy_env(address)  # never plain http through a proxy
    return stripe.StripeClient(
        key,
        base_addresses={"api": address},
        stripe_account=stripe_account,
        stripe_version=STRIPE_VERSION,
        max_network_retries=SDK_RETRIES,
        http_client=stripe.RequestsClient(timeout=REQUEST_TIMEOUT, session=session),
    )


@contextmanager
def connect(env: Environment, limiter: RateLimiter | None = None) -> Iterator[Gateway]:
    """A gateway for one environment; the safety rules run here, before any request (a refusal
    is a `safety.Refused`). Stripe's notices are held back while it is open (notices.py).
    `limiter`: the run's one rate limit (transport.py), shared by every environment."""
    with notices.capturing():
        yield from _connect(env, limiter)


def _connect(env: Environment, limiter: RateLimiter | None) -> Iterator[Gateway]:
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
            yield StripeGateway(_client(key, url, env.stripe_account, limiter), env.name,
                                env.mode, url, "emulator")
        except EmulatorError as exc:
            raise PortalConfigError(f"environment '{env.name}': {exc}") from exc
        finally:
            emulator.stop()
        return
    cleared = safety.clear(env)
    yield StripeGateway(_client(cleared.key, cleared.address, env.stripe_account, limiter),
                        env.name, env.mode, cleared.address, cleared.key_kind)
