"""What doctor saw in one environment (`Observation`, filled by read.py) and what it concludes
(`Finding`): the values read.py, judge.py and report.py pass along. No I/O here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import FailureKind, Problem
from ..planning.match import Binding
from ..planning.plan import EnvPlan
from ..portal import identity
from ..portal.configuration import Configuration
from ..project import spec
from ..project.loader import display_path

STATUSES = ("ok", "warning", "problem")


@dataclass(frozen=True)
class Finding:
    check: str
    status: str  # ok | warning | problem
    evidence: str
    fix: str = ""
    url: str | None = None  # a portal session's URL, only when it may be shown


def exit_code(findings: Sequence[Finding]) -> int:
    """0 all ok, 2 warnings only, 1 any problem (PRODUCT.md exit codes)."""
    statuses = {f.status for f in findings}
    return 1 if "problem" in statuses else 2 if "warning" in statuses else 0


@dataclass(frozen=True)
class Failure:
    """A request Stripe refused: the StripeFailure's kind and Stripe's own message."""

    kind: FailureKind
    message: str


@dataclass(frozen=True)
class Used:
    """A configuration portal sessions can use: the mode's default, or one a file describes."""

    id: str
    obj: Configuration
    key: str | None = None
    file: str | None = None

    @property
    def is_default(self) -> bool:
        return self.obj.is_default

    @property
    def name(self) -> str:
        return self.key or identity.DEFAULT_NAME

    @property
    def label(self) -> str:
        if self.key is None:
            return f"the default {self.id}"
        return f"{self.key} ({self.id}{', the default' if self.is_default else ''})"


@dataclass(frozen=True)
class SessionAttempt:
    used: Used
    session: dict[str, Any] | None = None
    failure: Failure | None = None


# Keys whose permissions may be limited, so doctor probes the write: restricted ones (rk_,
# rkcs_) and an organization's, which "you can limit" like them
# (https://docs.stripe.com/keys/organization-api-keys).
LIMITED_KEYS = ("restricted", "organization")


@dataclass
class Observation:
    """What one environment looked like to doctor. A field stays empty when reading stopped."""

    env: spec.Environment
    customer_id: str | None = None
    allow_live: bool = False
    key_kind: str = "secret"  # secret | restricted | organization | emulator
    refused: tuple[str, str] | None = None  # (check, message): refused before any request
    list_failure: Failure | None = None  # listing configurations, the first request
    configurations: list[Configuration] = field(default_factory=list)
    wrong_mode: list[Problem] = field(default_factory=list)  # an organization key's (mode.py)
    balance_failure: Failure | None = None  # reading the balance for that mode failed
    write_failure: Failure | None = None  # LIMITED_KEYS: the write-permission probe
    load_problems: list[Problem] = field(default_factory=list)  # the files' own errors
    files: list[spec.DesiredConfig] = field(default_factory=list)  # those that load
    bindings: list[Binding] = field(default_factory=list)
    pinned_other_mode: dict[str, str] = field(default_factory=dict)  # missing pin -> its mode
    plan: EnvPlan | None = None  # None when the files could not be resolved: no field diff
    file_problems: list[str] = field(default_factory=list)
    read_failure: Failure | None = None  # reading what the files need (prices) failed
    prices: dict[str, dict[str, Any] | Failure] = field(default_factory=dict)
    products: dict[str, dict[str, Any] | Failure] = field(default_factory=dict)
    customer: dict[str, Any] | None = None
    customer_failure: Failure | None = None
    customer_other_mode: str | None = None  # the mode Stripe says holds a missing customer
    sessions: list[SessionAttempt] = field(default_factory=list)
    flow: str | None = None  # --flow: the deep link's flow_data.type to check (flows.py)
    flow_price: str | None = None  # --price: the price a subscription_update_confirm offers

    @property
    def mode(self) -> str:
        return self.env.mode

    @property
    def account(self) -> str | None:
        """A fleet's connected account this is of (doctor/fleet.py), else None."""
        return self.env.stripe_account if self.env.is_fleet else None

    @property
    def where(self) -> str:
        """The environment, and a fleet's account: `prod` or `platform/acct_123`."""
        return self.env.name if self.account is None else f"{self.env.name}/{self.account}"

    @property
    def env_option(self) -> str:
        """What the fixes' commands name: `--env prod`, `--env platform --accounts acct_123`."""
        narrowed = f" --accounts {self.account}" if self.account else ""
        return f"--env {self.env.name}{narrowed}"


def offered(obj: Configuration) -> list[tuple[str, list[str]]]:
    """(product, prices) the configuration lets customers switch to; none when that is off."""
    update = (obj.get("features") or {}).get("subscription_update") or {}
    if not update.get("enabled"):
        return []
    return [(e["product"], list(e.get("prices") or [])) for e in update.get("products") or []]


def used_configurations(obs: Observation) -> list[Used]:
    """The default first, then each configuration a file describes (as the plan matched them)."""
    by_id = {c.id: c for c in obs.configurations}
    files = {f.key: display_path(f.file) for f in obs.files}
    claimed = {
        b.config_id: b.key
        for b in obs.bindings  # id -> key
        if b.desired is not None and b.config_id and b.key
    }
    default = identity.default_of(obs.configurations)
    used = []
    if default is not None:
        key = claimed.get(default.id)
        used.append(Used(default.id, default, key, files.get(key or "")))
    for config_id, key in sorted(claimed.items(), key=lambda item: item[1]):
        if config_id in by_id and by_id[config_id] is not default:
            used.append(Used(config_id, by_id[config_id], key, files.get(key)))
    return used


def written_at(obs: Observation, used: Used, path: tuple[str, ...]) -> str:
    """ "FILE:LINE:COL: " where the file describing `used` writes `path` (else its nearest
    written parent), or "" when no file describes it (the Dashboard's default)."""
    desired = next((f for f in obs.files if f.key == used.key), None)
    return f"{desired.locate(path)}: " if desired is not None and used.key else ""


PERMISSIONS_FIX = (
    "edit the restricted key in the Dashboard: Customer portal needs Write; "
    "Prices and Products Read (and Customers Read for doctor --customer)"
)


def failed(check: str, what: str, failure: Failure) -> Finding:
    """A read that Stripe refused, as the finding its kind calls for."""
    if failure.kind is FailureKind.PERMISSION:
        return Finding("permissions", "problem", f"{what}: {failure.message}", PERMISSIONS_FIX)
    if failure.kind.unreachable:
        return Finding(
            check,
            "problem",
            f"{what}: {failure.message}",
            "check the network (and api_base), then run doctor again",
        )
    return Finding(
        check,
        "problem",
        f"{what}: {failure.message}",
        "do what Stripe's message says, then run doctor again",
    )
