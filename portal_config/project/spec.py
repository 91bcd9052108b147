"""The project as its files describe it: environments, configuration files, and one file's
desired configuration in one environment. config.py builds them (loading, checking, filling
variables); every later stage reads them. Types only: this module imports no stage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Location, Problem
from .fleet import AccountsSpec
from .loader import DataPath, Document, file_location, value_at


@dataclass(frozen=True)
class Environment:
    name: str
    mode: str  # "test" | "live": the API's mode (a sandbox's is test, livemode false)
    api_key_env: str | None
    api_base: str | None
    stripe_account: str | None
    emulator: Path | None  # resolved against the project file's folder
    seed: dict[str, Any] | None  # only with emulator: the emulator's stand-in catalog
    vars: Mapping[str, str]
    location: Location
    # Where `api_key_env:` is written: a missing or wrong key is reported at that line.
    api_key_env_location: Location | None = None
    # Where `api_base:` is written: an address refused when connecting is reported at that line.
    api_base_location: Location | None = None
    # Where `seed:` is written: a seed the emulator cannot apply is reported at that line.
    seed_location: Location | None = None
    # A fleet (`stripe_accounts:`): every account named is planned on its own (fleet_plan.py).
    accounts: AccountsSpec | None = None
    # `mode: sandbox`: a sandbox of its own (its objects, keys, default and Dashboard), in the
    # API's test mode (https://docs.stripe.com/sandboxes).
    sandbox: bool = False
    # `stripe_context:` the account an organization key (sk_org) acts for, sent as Stripe-Context
    # on every request (https://docs.stripe.com/context); a fleet's accounts are reached below it.
    stripe_context: str | None = None

    @property
    def is_fleet(self) -> bool:
        return self.accounts is not None

    @property
    def organization(self) -> bool:
        """Its requests name their account in Stripe-Context (an organization key's way)."""
        return self.stripe_context is not None or self.organization_fleet

    @property
    def organization_fleet(self) -> bool:
        """A fleet of an organization's own accounts ({organization: [...]}), no platform's."""
        return bool(self.accounts and self.accounts.organization)

    @property
    def space(self) -> str:
        """Where its objects live, as messages and Dashboard links name it: test, live or
        sandbox (dashboard.named)."""
        return "sandbox" if self.sandbox else self.mode


@dataclass(frozen=True)
class ConfigFile:
    path: Path
    key: str
    default: bool
    environments: tuple[str, ...]  # the environments it applies to, in the project file's order
    ids: Mapping[str, str]
    document: Document = field(repr=False, compare=False)
    # Its desired state in each environment that is no fleet, as loading resolved and checked it
    # (config.resolve): planned as it is, never filled again.
    desired: Mapping[str, DesiredConfig] = field(default_factory=dict, repr=False, compare=False)
    # Its params in each fleet environment, `${account.*}` stood in for, as loading checked them
    # (config.checked_params): each account's own values are checked against these.
    checked: Mapping[str, Mapping[str, Any]] = field(
        default_factory=dict, repr=False, compare=False
    )


@dataclass(frozen=True)
class Project:
    path: Path
    root: Path
    name: str
    environments: Mapping[str, Environment]
    files: tuple[ConfigFile, ...]
    warnings: tuple[Problem, ...]
    config_paths: tuple[Path, ...] = ()  # every configuration file found, loadable or not


@dataclass(frozen=True)
class DesiredConfig:
    """One file's configuration in one environment: Stripe's fields only, as written."""

    key: str
    file: Path
    default: bool
    pinned_id: str | None
    params: dict[str, Any]
    env: str = field(repr=False)
    document: Document = field(repr=False, compare=False)

    def identity_location(self) -> Location:
        """Where the file decides which configuration it is: its `ids:` pin for this
        environment, or `default: true`, else the file."""
        if self.pinned_id:
            return self.document.locate(("ids", self.env))
        return self.document.locate(("default",)) if self.default else file_location(self.file)

    def locate(self, path: DataPath, key: bool = False) -> Location:
        """Where the value at `path` of params was written: in the override when it came from
        one, else in the base; else its nearest written parent; else the file."""
        return self.document.locate(self.source(path), key)

    def source(self, path: DataPath) -> DataPath:
        """The path in the file the value at `path` of params comes from."""
        prefix = ("overrides", self.env)
        node = value_at(self.document.data, prefix)
        if not path or not isinstance(node, dict):
            return path
        for part in path:
            if not isinstance(node, dict) or part not in node:
                return path
            node = node[part]
            if not isinstance(node, dict):  # a list or value in an override replaces whole
                break
        return (*prefix, *path)
