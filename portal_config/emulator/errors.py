"""Stripe-shaped API errors: `{"error": {"type", "code", "message", "param", "doc_url"}}`."""

from __future__ import annotations

from typing import Any


class EmulatorError(Exception):
    """A set-up problem (state file in use, bad seed); not an API error."""


class SeedError(EmulatorError):
    """The constructor's seed cannot be applied: the seed's author can be pointed at it."""


class ApiError(Exception):
    """An error answer; raised anywhere while handling a request, rendered by the server."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        return {"error": error}


def invalid(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, code=code, param=param)


def missing_param(param: str, why: str = "") -> ApiError:
    message = f"Missing required param: {param}." + (f" {why}" if why else "")
    return ApiError(400, message, code="parameter_missing", param=param)


def unknown_param(param: str) -> ApiError:
    return ApiError(
        400, f"Received unknown parameter: {param}", code="parameter_unknown", param=param
    )


def no_such(
    kind: str, object_id: str, param: str, other_mode: str | None = None, status: int = 404
) -> ApiError:
    """Stripe's resource_missing: a 404 for the object in the URL's path, a 400 for one a
    parameter names (behaviours.py, "a missing object named in a parameter"); `other_mode`: the
    mode that holds the object, named as Stripe names it ("an object of the other mode")."""
    message = f"No such {kind}: '{object_id}'"
    if other_mode is not None:
        mode = "live" if other_mode == "test" else "test"
        message += (
            f"; a similar object exists in {other_mode} mode, but a {mode} mode key was used to "
            "make this request."
        )
    return ApiError(status, message, code="resource_missing", param=param)


def mask_key(key: str) -> str:
    """Stripe echoes a key as its prefix and last four characters, never in full."""
    prefix = next((p for p in KEY_PREFIXES if key.startswith(p)), "")
    tail = key[len(prefix) :]
    return f"{prefix}****{tail[-4:]}" if len(tail) > 4 else f"{prefix}****"


KEY_PREFIXES = (
    "sk_org_test_",  # an organization's (organization.py)
    "sk_org_live_",
    "sk_test_",
    "sk_live_",
    "rk_test_",
    "rk_live_",
    "pk_test_",
    "pk_live_",
)
