"""Error types and problem values. Every expected error carries its exit code and a message
that says what to do; the CLI prints it as one line (no traceback) and exits with the code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based position in a file, printed as FILE:LINE:COL."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


class ProblemKind(str, Enum):
    """What kind of check found a problem: `validate --format sarif`'s ruleId (its value)."""

    FILE = "file"  # the project's files and folders: which files, where the emulator's state is
    YAML = "yaml"  # reading a file: syntax, encoding, duplicate keys, the bounds on hostile input
    SECRET = "secret"  # a secret key written in a file
    SCHEMA = "schema"  # Stripe's field names, types, enums and lengths; portal-config's own keys
    VARIABLE = "variable"  # ${var}: undefined, or a vars name no file uses
    STRIPE_RULE = "stripe-rule"  # Stripe's rules the schema cannot state (rules.check_params)
    ENVIRONMENT = "environment"  # an environment's settings: its key, server, fleet
    CONSISTENCY = "consistency"  # across files: unique keys, one default per environment
    RAW_ID = "raw-id"  # an ID every environment would get


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of validation: where, what, how bad ('error' or 'warning'), and which kind of
    check found it (not compared: the same finding is one problem)."""

    location: Location
    message: str
    level: str = "error"
    kind: ProblemKind = field(default=ProblemKind.FILE, compare=False)

    def __str__(self) -> str:
        prefix = "" if self.level == "error" else f"{self.level}: "
        return f"{self.location}: {prefix}{self.message}"


def of_kind(kind: ProblemKind, problems: Iterable[Problem]) -> list[Problem]:
    """`problems` as found by a check of `kind` (tagged where a stage's problems are gathered)."""
    return [replace(problem, kind=kind) for problem in problems]


class PortalConfigError(Exception):
    """An expected error: printed as one clear line, exit code 1."""

    exit_code = 1


class ValidationFailed(PortalConfigError):
    """The files have errors; `problems` holds every one of them (warnings included)."""

    def __init__(self, problems: list[Problem], files: str = "the configuration files"):
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.level == "error"]
        super().__init__(f"{len(errors)} error(s) in {files}")


class ConfigNotFound(PortalConfigError):
    pass


class UnsafeOperation(PortalConfigError):
    """Refused before any request: a key in the wrong mode, a foreign api_base, live without
    --yes."""


class FailureKind(str, Enum):
    """What kind of failure a request met, and so what the run does next: the one place that
    says which failures stop a run, which cost one change (or one fleet account) and which leave
    a write uncertain. A `str` so a kind still compares equal to its name (Python 3.10 has no
    `enum.StrEnum`: https://docs.python.org/3/library/enum.html#enum.StrEnum)."""

    AUTHENTICATION = "authentication"  # Stripe rejected the key
    PERMISSION = "permission"  # the key (or the platform, for a fleet's account) may not do it
    MISSING = "missing"  # no such object (resource_missing)
    CONNECTION = "connection"  # the network, or api_base, did not reach Stripe
    RATE_LIMIT = "rate_limit"  # rate limits outlasted the retries
    SERVER = "server"  # a 5xx: Stripe's side
    DEFAULT_REFUSED = "default_refused"  # Stripe refuses API changes to the default configuration
    REFUSED = "refused"  # any other 4xx: Stripe refused this request
    IDEMPOTENCY = "idempotency"  # the idempotency key was used with other parameters
    MALFORMED = "malformed"  # an answer Stripe would never send: nothing was read from it
    UNCERTAIN = "uncertain"  # a write whose answer was lost or unreadable: it may have been made
    DEADLINE = "deadline"  # the run's time is spent
    SLOW = "slow"  # a fleet's account sent no complete answer in time, or spent its own time

    def stops_the_run(self, fleet_account: bool = False) -> bool:
        """Every later request would meet it too (no network, a rejected key, the run's time
        gone): apply stops there and a fleet's fan-out ends, said once. A permission refused to
        a fleet's account is that account's (its connection revoked), not the run's."""
        if self is FailureKind.PERMISSION:
            return not fleet_account
        return self in (FailureKind.CONNECTION, FailureKind.AUTHENTICATION, FailureKind.DEADLINE)

    @property
    def one_change_only(self) -> bool:
        """It concerns this request only, and the next change may well succeed (Stripe's side, a
        rate limit, an unreadable answer, a fleet's account that did not answer in time): the
        change is not written (or uncertain) and the rest still applies."""
        return self in (
            FailureKind.SERVER,
            FailureKind.RATE_LIMIT,
            FailureKind.MALFORMED,
            FailureKind.SLOW,
            FailureKind.UNCERTAIN,
        )

    @property
    def uncertain(self) -> bool:
        """A write that may or may not have reached Stripe: safe to run again, never "failed"."""
        return self is FailureKind.UNCERTAIN

    @property
    def unreachable(self) -> bool:
        """No answer came: the network or api_base is at fault (`slow`: a fleet's account)."""
        return self in (FailureKind.CONNECTION, FailureKind.SLOW)


class StripeFailure(PortalConfigError):
    """Stripe (or the network) refused or failed; the message says which request and why.

    `kind`: a FailureKind (its name is accepted too). `replayed`: Stripe answered from its
    idempotency cache (a failure it saved earlier for the same key). `other_mode`: for a missing
    object, the mode ("test" | "live") Stripe says holds a similar one, if it says so.
    """

    def __init__(
        self,
        message: str,
        kind: FailureKind | str = FailureKind.REFUSED,
        replayed: bool = False,
        other_mode: str | None = None,
    ):
        super().__init__(message)
        self.kind = FailureKind(kind)
        self.replayed = replayed
        self.other_mode = other_mode


class PlanStaleError(PortalConfigError):
    """A saved plan no longer matches Stripe."""
