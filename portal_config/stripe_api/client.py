"""`StripeGateway`, the `Gateway` protocol's
implementation: plain dicts in, plain dicts out (the JSON the transport parsed, never the SDK's
objects), every answer checked (responses.py) before it is read, Stripe's errors turned into
`StripeFailure` with a message that says what to do. Requests run within deadlines and bounds
(transport.py) and are retried here, not by the SDK, so one policy decides: 429, 409, 5xx and
lost connections, with backoff and jitter, while the run's time lasts; a write only while
Stripe does not say `Stripe-Should-Retry: false`. Nothing of the emulator is
imported unless an environment runs it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import stripe
from stripe import _api_requestor  # its Stripe-Notice warning, for raw_request answers

from ..errors import FailureKind, StripeFailure
from ..jsontypes import Data, SDKService
from ..planning.shown import Slim
from ..portal.configuration import Configuration
from . import requestlog, responses, transport
from .failures import UNCERTAIN, malformed, worded
from .sdk import Client, _describe, _retryable, answer_json

# Retries after the first attempt, and the backoff between them (tests make it short).
RETRIES = 4
RETRY_DELAY = 0.5
RETRY_DELAY_MAX = 8.0
PAGE_SIZE = 100
# Stripe leaves `products` out of a configuration unless the request expands it (API-REFERENCE
# §0 item 8): every read and write asks for it in the same request, so answers can be compared.
PRODUCTS = "features.subscription_update.products"
EXPAND_PRODUCTS = {"expand": [PRODUCTS]}
CONFIGURATIONS = "/v1/billing_portal/configurations"
PRICES = "/v1/prices"
LIST_EXPAND = [f"data.{PRODUCTS}"]
CONFIGURATION_UPDATED = "billing_portal.configuration.updated"

T = TypeVar("T")


class StripeGateway:
    """Requests for one environment (a `gateway.Gateway`). Every method returns plain dicts."""

    def __init__(
        self,
        client: Client,
        env_name: str,
        mode: str,
        address: str,
        key_kind: str,
        budget: transport.TimeBudget | None = None,
        open_account: Callable[[str], StripeGateway] | None = None,
        account: str | None = None,
        organization: bool = False,
    ):
        self.client = client
        self.env_name = env_name
        self.mode = mode
        self.address = address
        self.key_kind = key_kind  # secret | restricted | emulator
        self.budget = budget or transport.TimeBudget()
        self.account = account  # a fleet's connected account (Stripe-Account), else None
        self._open_account = open_account
        # a fleet of an organization's accounts (Stripe-Context), no platform's connected ones
        self.organization = organization
        self._balance: dict[str, Any] | None = None  # retrieve_balance's answer

    def for_account(self, account_id: str) -> StripeGateway:
        """The same platform key, acting for one connected account of a fleet (Stripe-Account),
        with a time budget of its own: a fleet of thousands waits long on the rate limit."""
        if self._open_account is None:
            raise AssertionError("a connected account's gateway opens no other account")
        return self._open_account(account_id)

    # One place that retries, checks the answer and turns failures into messages.
    def _call(
        self,
        what: str,
        request: Callable[[], object],
        check: Callable[[Data], T],
        write: bool = False,
    ) -> T:
        what = f"{self.where}: {what}"
        lost = False  # an earlier attempt of this write may have reached Stripe
        with self.budget.asking():
            for attempt in range(RETRIES + 1):
                try:
                    request()  # what it returns is the SDK's objects, of `{}` (sdk.py)
                    answer = cast(Data, answer_json())
                except stripe.StripeError as exc:
                    if attempt < RETRIES and _retryable(exc, write) and self._wait(attempt):
                        lost |= (
                            write
                            and isinstance(exc, stripe.APIConnectionError)
                            and not transport.never_sent(exc.__cause__)
                        )
                        continue
                    failure = worded(what, exc, write, self.address, self.budget, self.account)
                    if lost and not failure.kind.uncertain:
                        failure = StripeFailure(
                            f"{failure}; but an earlier attempt lost its answer: {UNCERTAIN}.",
                            FailureKind.UNCERTAIN,
                        )
                    raise failure from exc
                try:
                    return check(answer)
                except responses.Malformed as exc:
                    raise malformed(what, str(exc), write) from None
        raise AssertionError("unreachable")

    def _wait(self, attempt: int) -> bool:
        """Sleep before a retry; False when the run's time would not last."""
        delay = transport.backoff(attempt, RETRY_DELAY, RETRY_DELAY_MAX)
        if delay >= self.budget.remaining():
            return False
        requestlog.retrying(attempt + 1, RETRIES, delay)
        time.sleep(delay)
        return True

    def _list(
        self,
        what: str,
        fetch: Callable[[dict[str, str]], object],
        item: Callable[[Data, str], responses.T | None],
        pages: int | None = None,
        newer_than: str | None = None,
    ) -> list[responses.T]:
        """Every page (responses.every_page), each one retried and checked on its own."""
        try:
            return responses.every_page(
                lambda cursor: self._call(what, lambda: fetch(cursor), responses.page),
                item,
                pages,
                newer_than,
            )
        except responses.Malformed as exc:
            raise malformed(f"{self.where}: {what}", str(exc), False) from None

    @property
    def where(self) -> str:
        """Whom a message is about: the environment, and a fleet's account."""
        account = f", account {self.account}" if self.account else ""
        return f"environment '{self.env_name}'{account}"

    @property
    def _configurations(self) -> SDKService:
        return self.client.v1.billing_portal.configurations

    def list_configurations(self) -> list[Configuration]:
        """Every configuration, inactive ones included (no `active` filter), each checked whole."""
        return self._list(
            "listing portal configurations", self._configuration_page, responses.configuration
        )

    def list_configurations_slim(self, slim: Slim) -> list[Configuration]:
        """Every configuration as `slim` keeps it, page by page (gateway.Gateway)."""
        return self._list(
            "listing portal configurations",
            self._configuration_page,
            lambda value, where: responses.listed(value, where, slim),
        )

    def _configuration_page(self, cursor: dict[str, str]) -> None:
        self._get(CONFIGURATIONS, {"limit": PAGE_SIZE, "expand": LIST_EXPAND, **cursor})

    def configurations_newer_than(self, config_id: str | None) -> list[Configuration]:
        """Only the configurations created after `config_id` (a create's re-check: usually one
        empty page instead of the whole account again)."""
        if config_id is None:
            return self.list_configurations()
        return self._list(
            "listing new portal configurations",
            self._configuration_page,
            responses.configuration,
            newer_than=config_id,
        )

    def _get(self, path: str, params: Mapping[str, Any]) -> None:
        """One GET through the SDK's HTTP, auth and errors (its answer is taken by `_call`),
        building none of its objects (a typed list builds a StripeObject, whose first one
        imports a share of the SDK: ~25 ms). A raw GET skips the SDK's Stripe-Notice
        warning, so it is given here."""
        response = self.client.get(path, params)
        _api_requestor._maybe_emit_stripe_notice(response.headers)

    def retrieve_configuration(self, config_id: str) -> Configuration:
        return self._call(
            f"reading {config_id}",
            lambda: self._configurations.retrieve(config_id, EXPAND_PRODUCTS),
            lambda v: responses.configuration(v, expected_id=config_id),
        )

    def create_configuration(self, params: dict[str, Any], idempotency_key: str) -> Configuration:
        return self._call(
            "creating a configuration",
            lambda: self._configurations.create(
                {**params, **EXPAND_PRODUCTS}, {"idempotency_key": idempotency_key}
            ),
            responses.created,
            write=True,
        )

    def update_configuration(
        self, config_id: str, params: dict[str, Any], idempotency_key: str
    ) -> Configuration:
        return self._call(
            f"updating {config_id}",
            lambda: self._configurations.update(
                config_id, {**params, **EXPAND_PRODUCTS}, {"idempotency_key": idempotency_key}
            ),
            lambda v: responses.configuration(v, expected_id=config_id),
            write=True,
        )

    def prices_by_lookup_key(self, lookup_keys: list[str]) -> dict[str, dict[str, Any]]:
        """Prices for lookup keys, ten to a request (Stripe's limit for `lookup_keys[]`), each
        with its product expanded."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(lookup_keys), 10):
            keys = lookup_keys[start : start + 10]

            def page(cursor: dict[str, str], keys: list[str] = keys) -> None:
                # Each price's product comes along (no request more), so a plan can name it:
                # https://docs.stripe.com/expand#lists
                params = {"lookup_keys": keys, "limit": PAGE_SIZE, "expand": ["data.product"]}
                self._get(PRICES, {**params, **cursor})

            def price(value: Data, where: str, keys: list[str] = keys) -> dict[str, Any]:
                return responses.price(value, where, lookup_keys=keys)

            listed = self._list("looking up prices", page, price)
            found.update((p["lookup_key"], p) for p in listed)
        return found

    def active_lookup_keys(self, max_pages: int) -> list[str]:
        """Lookup keys of active prices, at most `max_pages` pages of them (a hint)."""

        def page(cursor: dict[str, str]) -> None:
            self._get(PRICES, {"active": True, "limit": PAGE_SIZE, **cursor})

        listed = self._list("listing prices", page, responses.price, max_pages)
        return [p["lookup_key"] for p in listed if p.get("lookup_key")]

    def configuration_events(self, since: int) -> list[dict[str, Any]]:
        """The `billing_portal.configuration.updated` events created at `since` or later, newest
        first, one request per page (https://docs.stripe.com/api/events/list)."""
        query = {"type": CONFIGURATION_UPDATED, "created": {"gte": since}, "limit": PAGE_SIZE}
        return self._list(
            "reading the portal configurations' events",
            lambda cursor: self._get("/v1/events", {**query, **cursor}),
            responses.event,
        )

    def list_connected_accounts(self) -> list[dict[str, Any]]:
        """The platform's connected accounts (GET /v1/accounts), as plain JSON."""
        return self._list(
            "listing connected accounts",
            lambda cursor: self._get("/v1/accounts", {"limit": PAGE_SIZE, **cursor}),
            lambda value, where: responses.plain(value, "account"),
        )

    def retrieve_account(self, account_id: str) -> dict[str, Any]:
        # An organization's account is no platform's connected account: it is read as itself,
        # through its own Stripe-Context (GET /v1/account, docs.stripe.com/api/accounts/retrieve)
        own = self.organization
        gateway = self.for_account(account_id) if own else self
        return gateway._call(
            f"reading account {account_id}",
            lambda: gateway._get("/v1/account" if own else f"/v1/accounts/{account_id}", {}),
            lambda v: responses.plain(v, "account", account_id),
        )

    def retrieve_price(self, price_id: str) -> dict[str, Any]:
        return self._call(
            f"reading price {price_id}",
            lambda: self.client.v1.prices.retrieve(price_id),
            lambda v: responses.price(v, expected_id=price_id),
        )

    def retrieve_balance(self) -> dict[str, Any]:
        # Every account has a balance in each mode, and it carries `livemode`
        # (https://docs.stripe.com/api/balance/balance_object): an organization key's mode.
        # Read at most once per gateway (doctor's key check and its plan both ask): a key's mode
        # does not change within a run. A failure is not kept: the next ask tries again.
        if self._balance is None:
            self._balance = self._call(
                "reading the balance", lambda: self._get("/v1/balance", {}), responses.balance
            )
        return self._balance

    def retrieve_product(self, product_id: str) -> dict[str, Any]:
        return self._call(
            f"reading product {product_id}",
            lambda: self.client.v1.products.retrieve(product_id),
            lambda v: responses.plain(v, "product", product_id),
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
            if exc.kind is not FailureKind.MISSING:
                raise

    def retrieve_customer(self, customer_id: str) -> dict[str, Any]:
        """The customer (gateway.Gateway.retrieve_customer)."""
        return self._call(
            f"reading customer {customer_id}",
            lambda: self.client.v1.customers.retrieve(customer_id),
            lambda v: responses.plain(v, "customer", customer_id),
        )

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
            lambda v: responses.plain(v, "billing_portal.session"),
        )

    @staticmethod
    def stripe_message(exc: BaseException) -> str:
        """Stripe's own words (and request ID) behind a StripeFailure, without our advice."""
        cause = exc.__cause__
        return _describe(cause) if isinstance(cause, stripe.StripeError) else str(exc)
