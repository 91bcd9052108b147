"""What the commands may ask of Stripe for one environment: the `Gateway` protocol.

Plain dicts in and out (a portal configuration as its checked record: portal.configuration),
failures as `StripeFailure` (its `kind` says which kind), so the commands never see the SDK.
`stripe_api.client.StripeGateway` is the one implementation; this module imports no `stripe`, so
naming the type costs nothing.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..planning.shown import Slim
from ..portal.configuration import Configuration


class Gateway(Protocol):
    """Requests for one environment, checked by the safety rules before the first one."""

    env_name: str
    mode: str  # "test" | "live"
    address: str  # the server the key goes to
    key_kind: str  # secret | restricted | emulator

    account: str | None  # a fleet's connected account, else None

    def for_account(self, account_id: str) -> Gateway:
        """The platform's key acting for one of its connected accounts (a fleet's)."""
        ...

    def list_connected_accounts(self) -> list[dict[str, Any]]:
        """The platform's connected accounts (GET /v1/accounts)."""
        ...

    def retrieve_account(self, account_id: str) -> dict[str, Any]: ...

    def list_configurations(self) -> list[Configuration]:
        """Every portal configuration, inactive ones included."""
        ...

    def list_configurations_slim(self, slim: Slim) -> list[Configuration]:
        """Every portal configuration `slim` keeps (shown.slimmer: it counts the others),
        applied as each page arrives, so the whole ones are never held together, and each
        checked for what is kept of it only."""
        ...

    def configurations_newer_than(self, config_id: str | None) -> list[Configuration]:
        """The configurations created after `config_id` (every one when None), newest first:
        usually one request for an empty page."""
        ...

    def retrieve_configuration(self, config_id: str) -> Configuration: ...

    def create_configuration(
        self, params: dict[str, Any], idempotency_key: str
    ) -> Configuration: ...

    def update_configuration(
        self, config_id: str, params: dict[str, Any], idempotency_key: str
    ) -> Configuration: ...

    def configuration_events(self, since: int) -> list[dict[str, Any]]:
        """The portal configurations' update events created at `since` (a Unix time) or later,
        newest first (GET /v1/events; Stripe keeps 30 days of them)."""
        ...

    def prices_by_lookup_key(self, lookup_keys: list[str]) -> dict[str, dict[str, Any]]:
        """The prices found, by lookup key; a key without a price is absent."""
        ...

    def active_lookup_keys(self, max_pages: int) -> list[str]:
        """The lookup keys of the account's active prices, from at most `max_pages` pages."""
        ...

    def retrieve_price(self, price_id: str) -> dict[str, Any]: ...

    def retrieve_product(self, product_id: str) -> dict[str, Any]: ...

    def retrieve_balance(self) -> dict[str, Any]:
        """The account's balance (GET /v1/balance), read for its `livemode` only."""
        ...

    def probe_configuration_write(self) -> None:
        """Raises StripeFailure unless the key may write portal configurations; writes nothing."""
        ...

    def retrieve_customer(self, customer_id: str) -> dict[str, Any]:
        """The customer; none in this mode and account raises StripeFailure of kind MISSING,
        whose `other_mode` names the mode Stripe says holds it (a live/test mix-up)."""
        ...

    def create_session(self, customer: str, configuration: str | None = None) -> dict[str, Any]: ...

    def stripe_message(self, exc: BaseException) -> str:
        """Stripe's own words (and request ID) behind a StripeFailure, without our advice."""
        ...
