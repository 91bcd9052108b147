"""Error types and problem values. Every expected error carries its exit code and a message
that says what to do; the CLI prints it as one line (no traceback) and exits with the code."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of validation: where, what, and how bad ('error' or 'warning')."""

    location: Location
    message: str
    level: str = "error"

    def __str__(self) -> str:
        prefix = "" if self.level == "error" else f"{self.level}: "
        return f"{self.location}: {prefix}{self.message}"


class PortalConfigError(Exception):
    """An expected error: printed as one clear line, exit code 1."""

    exit_code = 1


class ValidationFailed(PortalConfigError):
    """The files have errors; `problems` holds every one of them (warnings included)."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.level == "error"]
        super().__init__(f"{len(errors)} error(s) in the configuration files")


class ConfigNotFound(PortalConfigError):
    pass


class UnsafeOperation(PortalConfigError):
    """Refused before any request: a key in the wrong mode, a foreign api_base, live without
    --yes."""


class StripeFailure(PortalConfigError):
    """Stripe (or the network) refused or failed; the message says which request and why.

    `kind`: authentication | permission | missing | connection | rate_limit | server |
    default_refused | refused | idempotency (the idempotency key was used with other
    parameters) | malformed (an answer Stripe would never send: nothing was read
    from it) | uncertain (a write whose answer was lost or unreadable: it may or may not have
    been made) | deadline (the run's time is spent) | slow (a fleet's account sent no complete
    answer in time, or spent its own time). `replayed`: Stripe answered from its
    idempotency cache (a failure it saved earlier for the same key).
    """

    def __init__(self, message: str, kind: str = "refused", replayed: bool = False):
        super().__init__(message)
        self.kind = kind
        self.replayed = replayed


class PlanStaleError(PortalConfigError):
    """A saved plan no longer matches Stripe."""
