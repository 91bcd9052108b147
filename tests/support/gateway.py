"""An in-memory Gateway: one environment's configurations (or, for a fleet, the platform's and
each connected account's), writes merged like Stripe's and recorded, failures injected where a
test says; and plans made from what it lists."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from portal_config.planning.match import Desired
from portal_config.planning.plan import Plan, plan_environment
from portal_config.planning.shown import Slim
from portal_config.portal.configuration import Configuration

from .samples import stripe_config

Failure = BaseException | Callable[[], BaseException]  # a callable may change Stripe first


class FakeGateway:
    """One environment's configurations in memory. Writes merge like Stripe's (objects key by
    key, lists whole, "" clears) and are recorded; `failures[id or "new"]` are raised in turn
    instead of writing, `failures["list"]` instead of listing; `answer_without` names fields
    Stripe's answer leaves out. A fleet's platform holds `accounts`, each its own FakeGateway
    (`for_account`), listed as the platform's connected accounts."""

    address = "memory"
    key_kind = "emulator"

    def __init__(
        self,
        configurations: list[dict[str, Any]],
        env_name: str = "local",
        mode: str = "test",
        accounts: dict[str, FakeGateway] | None = None,
    ):
        self.env_name, self.mode = env_name, mode
        self.account: str | None = None  # a connected account's ID, on its own gateway
        self.accounts = accounts or {}
        for account_id, gateway in self.accounts.items():
            gateway.account, gateway.env_name, gateway.mode = account_id, env_name, mode
            gateway.prices = gateway.prices if gateway.prices is not None else {}
        self.configurations = {c["id"]: copy.deepcopy(c) for c in configurations}
        self.writes: list[tuple[str | None, dict[str, Any], str]] = []  # (id, params, key)
        self.failures: dict[str, list[Failure]] = {}
        self.answer_without: set[str] = set()
        self.lists = 0  # whole listings
        self.balances = 0  # balance reads (an organization key's mode)
        self.prices: dict[str, dict[str, Any]] | None = None  # by lookup key; None: none read
        self.lock = threading.Lock()
        # called with each write's params before it is made: may hold it, or raise instead
        self.before_write: Callable[[dict[str, Any]], None] = lambda params: None
        self.newer_than: list[str | None] = []  # the cursor of each re-check before a create

    def list_configurations(self) -> list[Configuration]:
        self._fail("list")
        self.lists += 1
        return [Configuration.of(c) for c in self._newest_first()]

    def list_configurations_slim(self, slim: Slim) -> list[Configuration]:
        kept = (slim(r, lambda r=r: r) for r in self.list_configurations())
        return [r for r in kept if r is not None]

    def _newest_first(self) -> list[dict[str, Any]]:
        return [copy.deepcopy(c) for c in reversed(self.configurations.values())]

    def configurations_newer_than(self, config_id: str | None) -> list[Configuration]:
        listed = [Configuration.of(c) for c in self._newest_first()]
        self.newer_than.append(config_id)
        ids = [c.id for c in listed]
        return listed[: ids.index(config_id)] if config_id else listed

    def for_account(self, account_id: str) -> FakeGateway:
        return self.accounts[account_id]

    def list_connected_accounts(self) -> list[dict[str, Any]]:
        return [self.retrieve_account(a) for a in self.accounts]

    def retrieve_account(self, account_id: str) -> dict[str, Any]:
        return {"id": account_id, "object": "account", "metadata": {}}

    def retrieve_configuration(self, config_id: str) -> Configuration:
        return Configuration.of(copy.deepcopy(self.configurations[config_id]))

    def create_configuration(self, params: dict[str, Any], idempotency_key: str) -> Configuration:
        self._fail("new")
        self.before_write(params)
        with self.lock:  # writes may come side by side
            config_id = f"bpc_new{len(self.configurations) + 1}"
            self.configurations[config_id] = stripe_config(config_id)
            return self._write(config_id, params, idempotency_key, None)

    def update_configuration(
        self, config_id: str, params: dict[str, Any], idempotency_key: str
    ) -> Configuration:
        self._fail(config_id)
        self.before_write(params)
        return self._write(config_id, params, idempotency_key, config_id)

    def _fail(self, target: str) -> None:
        pending = self.failures.get(target)
        if pending:
            failure = pending.pop(0)
            raise failure if isinstance(failure, BaseException) else failure()

    def _write(
        self, config_id: str, params: dict[str, Any], key: str, target: str | None
    ) -> Configuration:
        self.writes.append((target, copy.deepcopy(params), key))
        obj = self.configurations[config_id]
        _merge(obj, params)
        obj["updated"] += 1
        answer = copy.deepcopy(obj)
        for name in self.answer_without:
            answer[name] = None
        return Configuration.of(answer)

    def prices_by_lookup_key(self, lookup_keys: list[str]) -> dict[str, dict[str, Any]]:
        prices = self._prices()
        return {k: prices[k] for k in lookup_keys if k in prices}

    def configuration_events(self, since: int) -> list[dict[str, Any]]:
        return []  # the history of drift is tested end to end (tests/e2e/test_drift_history.py)

    def active_lookup_keys(self, max_pages: int) -> list[str]:
        return list(self._prices())

    def retrieve_price(self, price_id: str) -> dict[str, Any]:
        return next(p for p in self._prices().values() if p["id"] == price_id)

    def _prices(self) -> dict[str, dict[str, Any]]:
        """The account's prices by lookup key; None (apply's tests) makes reading one an error."""
        if self.prices is None:
            raise AssertionError("apply reads no prices")
        return self.prices

    def retrieve_product(self, product_id: str) -> dict[str, Any]:
        raise AssertionError("apply reads no products")

    def retrieve_balance(self) -> dict[str, Any]:
        self.balances += 1
        return {
            "object": "balance",
            "available": [],
            "pending": [],
            "livemode": self.mode == "live",
        }

    def probe_configuration_write(self) -> None:
        raise AssertionError("apply does not probe")

    def retrieve_customer(self, customer_id: str) -> dict[str, Any]:
        raise AssertionError("apply reads no customers")

    def create_session(self, customer: str, configuration: str | None = None) -> dict[str, Any]:
        raise AssertionError("apply creates no sessions")

    def stripe_message(self, exc: BaseException) -> str:
        return str(exc)


def _merge(obj: dict[str, Any], params: dict[str, Any]) -> None:
    for name, value in params.items():
        if name == "metadata":
            metadata = obj.get("metadata") or {}
            metadata.update(value)
            obj["metadata"] = {k: v for k, v in metadata.items() if v != ""}
        elif isinstance(value, dict) and isinstance(obj.get(name), dict):
            _merge(obj[name], value)
        else:
            obj[name] = None if value == "" else copy.deepcopy(value)


def plan_for(
    gateways: list[FakeGateway], files: list[Desired], *, prune: bool = False, adopt: bool = False
) -> Plan:
    return Plan(
        "acme",
        [
            plan_environment(
                "acme", g.env_name, g.mode, files, g.list_configurations(), prune=prune, adopt=adopt
            )
            for g in gateways
        ],
    )
