"""The stripe SDK as portal-config drives it: a client whose requests keep a whole-answer
deadline and wait for the run's rate limit, and what each of the SDK's errors means (its kind,
whether a retry may help, Stripe's own words). Part of stripe_api, the only package importing
`stripe`."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypedDict

import requests
import stripe
from stripe import _api_requestor, _util
from stripe._base_address import BaseAddresses
from stripe._requestor_options import RequestorOptions

if TYPE_CHECKING:
    from stripe._stripe_response import StripeResponse
    from stripe._v1_services import V1Services

from ..errors import FailureKind
from ..jsontypes import Data
from ..portal import identity
from ..project import safety
from . import requestlog, transport
from .ratelimit import LimitedSession, RateLimiter

# The API version whose fields portal-config manages (the OpenAPI copy plus stripe-python 16.1's
# subscription_pause): pinned, so responses do not change under the tool.
STRIPE_VERSION = "2026-10-28.endive"


def _only_when_on(log: Callable[..., None], level: int) -> Callable[..., None]:
    """The SDK's log call, made only when its logging is on: it formats every line first (the
    request's URL and parameters, the answer's body) whatever the level (stripe/_util.py,
    log_debug and log_info: https://github.com/stripe/stripe-python/blob/master/stripe/_util.py).
    On: `stripe.log` or STRIPE_LOG, or the "stripe" logger enabled at that level."""

    def logged(message: str, **params: object) -> None:
        console = _util._console_log_level()  # type: ignore[no-untyped-call]
        if console is not None or _util.logger.isEnabledFor(level):
            log(message, **params)

    return logged


# _api_requestor imported the two by name; _http_client calls them through _util.
_LOG_DEBUG = _only_when_on(_util.log_debug, logging.DEBUG)
_LOG_INFO = _only_when_on(_util.log_info, logging.INFO)
_util.log_debug = _api_requestor.log_debug = _LOG_DEBUG  # type: ignore[attr-defined]
_util.log_info = _api_requestor.log_info = _LOG_INFO  # type: ignore[attr-defined]


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


class _TooLarge(stripe.APIError):
    """An answer past transport.MAX_ANSWER_BYTES: unread, like an answer that is not JSON."""

    def __init__(self) -> None:
        super().__init__(f"an answer larger than {transport.MAX_ANSWER_BYTES // 2**20} MiB")


# The JSON of the latest successful answer on this thread, as the transport parsed it: what
# StripeGateway._call reads (`answer_json`), rather than the SDK's StripeObjects made from the
# same bytes again, outside the deadline (3 s of CPU for an 8 MB page).
_latest = threading.local()
_SKIPPED = b"{}"


def answer_json() -> object:
    """The JSON of the answer this thread's latest request got (taken: once)."""
    value, _latest.json = getattr(_latest, "json", transport.NOT_JSON), transport.NOT_JSON
    return value


class _DeadlineClient(stripe.RequestsClient):
    """requests, with one deadline for connect, first byte, the whole body and its JSON
    (requests' own timeout bounds each socket read only, which a slow drip never trips), and
    no answer past transport.MAX_ANSWER_BYTES. A successful answer's JSON is kept for
    `answer_json`, and the SDK is handed `{}` to make its unread StripeObject from; an error
    status or an answer that is not JSON goes to the SDK whole, for its errors."""

    def __init__(self, session: requests.Session, budget: transport.TimeBudget):
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
        _latest.json = transport.NOT_JSON
        try:
            answer = transport.fetch(
                self._shared, seconds, method, url, headers, post_data, stripe.ca_bundle_path
            )
        except transport.TooSlow:  # its own deadline, or the end of the run's time
            raise _Late(seconds, seconds < self._budget.request_seconds) from None
        except transport.TooLarge:
            raise _TooLarge() from None
        except transport.Redirected as exc:  # not retried: it would answer the same
            raise stripe.APIConnectionError(str(exc), should_retry=False) from exc  # type: ignore[no-untyped-call]
        except Exception as exc:  # noqa: BLE001 - worded by the SDK, as RequestsClient does
            self._handle_request_error(exc)
        if 200 <= answer.status < 300 and answer.json is not transport.NOT_JSON:
            _latest.json = answer.json
            return _SKIPPED, answer.status, answer.headers
        if not _utf8(answer.content):
            # The SDK decodes every body as UTF-8 first, for its debug log at any log level
            # (stripe/_util.py, logfmt), and raises UnicodeDecodeError; JSON between systems is
            # UTF-8 (RFC 8259 §8.1): such an answer is not Stripe's, as an unparsable one.
            raise stripe.APIError(
                "Invalid response body from API: not UTF-8 text",
                http_status=answer.status,
                headers=dict(answer.headers),
            )
        return answer.content, answer.status, answer.headers


def _utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _header(exc: stripe.StripeError, name: str) -> str:
    return requestlog.header(exc.headers, name)


def _kind(exc: stripe.StripeError) -> FailureKind:
    if isinstance(exc, stripe.RateLimitError):
        return FailureKind.RATE_LIMIT
    if isinstance(exc, stripe.APIError):  # 5xx: Stripe's side, worth another run
        return FailureKind.SERVER
    if isinstance(exc, stripe.IdempotencyError):  # the key was used with other parameters
        return FailureKind.IDEMPOTENCY
    if isinstance(exc, stripe.InvalidRequestError):
        if exc.code == "resource_missing":
            return FailureKind.MISSING
        if (exc.user_message or "").startswith(identity.DEFAULT_REFUSAL):
            return FailureKind.DEFAULT_REFUSED
    return FailureKind.REFUSED


# Stripe's 404 for an ID of the other mode adds "; a similar object exists in test mode, but a
# live mode key was used to make this request." (emulator/behaviours.py: its evidence).
_OTHER_MODE = re.compile(r"a similar object exists in (test|live) mode")


def _other_mode(exc: stripe.StripeError) -> str | None:
    """The mode Stripe says holds a missing object ("test" | "live"), if it says so."""
    if not isinstance(exc, stripe.InvalidRequestError) or exc.code != "resource_missing":
        return None
    found = _OTHER_MODE.search(exc.user_message or "")
    return found[1] if found else None


def _unreadable(exc: stripe.StripeError) -> str | None:
    """Why the answer cannot be read: too large, or the SDK could not parse it (not JSON, or an
    error status without an error); None when it could."""
    if isinstance(exc, _TooLarge):
        return str(exc.user_message)
    if (
        isinstance(exc, stripe.APIError)
        and (exc.http_status or 0) < 500
        and str(exc.user_message or "").startswith("Invalid response")
    ):
        return f"HTTP {exc.http_status} with a body that is not a whole JSON answer"
    return None


def _retryable(exc: stripe.StripeError, write: bool) -> bool:
    if isinstance(exc, _Late) or _unreadable(exc) is not None:
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


def _session(address: str, limiter: RateLimiter | None = None) -> LimitedSession:
    """The HTTP session of a run's requests to `address`: every request waits for the run's
    limiter; a fleet's accounts share it (and its connections)."""
    session = LimitedSession(limiter)
    session.trust_env = safety.trusts_proxy_env(address)  # never plain http through a proxy
    return session


class _Options(TypedDict):
    """What both the requestor and StripeClient are given besides the key and the HTTP client."""

    base_addresses: BaseAddresses
    stripe_account: str | None
    stripe_context: str | None
    stripe_version: str
    max_network_retries: int


class Client:
    """The SDK as a gateway drives it: `get`, one GET through the SDK's own requestor (its auth,
    headers and errors; the answer's JSON is `answer_json`'s), and `v1`, StripeClient's
    services, made on first use. A plan only reads: StripeClient's module (its ~20 modules of
    services, webhooks and events: ~7 ms) is imported only for a write or a typed read. Both
    send as one StripeClient(key, ...) would: the same requestor options and HTTP client, and
    `get` is StripeClient.raw_request's GET (stripe-python 16, stripe/_stripe_client.py,
    __init__ and raw_request:
    https://github.com/stripe/stripe-python/blob/master/stripe/_stripe_client.py)."""

    def __init__(
        self,
        key: str,
        address: str,
        stripe_account: str | None,
        stripe_context: str | None,
        http_client: stripe.HTTPClient,
    ):
        self._key, self._http_client = key, http_client
        self._options = _Options(
            base_addresses={"api": address},
            stripe_account=stripe_account,
            # Stripe-Context on every request (stripe-python 16: stripe/_api_requestor.py)
            stripe_context=stripe_context,
            stripe_version=STRIPE_VERSION,
            max_network_retries=0,  # StripeGateway._call retries, within the run's time
        )
        self._requestor = _api_requestor._APIRequestor(
            options=RequestorOptions(api_key=key, **self._options), client=http_client
        )

    def get(self, path: str, params: Mapping[str, Any]) -> StripeResponse:
        """GET `path` with `params` (no request options among them), as raw_request sends it."""
        mode = _util.get_api_mode(path)
        body, status, headers = self._requestor.request_raw(
            "get",
            path,
            params=params,
            options={},
            base_address="api",
            api_mode=mode,
            usage=["raw_request"],
        )
        return self._requestor._interpret_response(body, status, headers, mode)

    @cached_property
    def v1(self) -> V1Services:
        client = stripe.StripeClient(self._key, http_client=self._http_client, **self._options)
        return client.v1


def _client(
    key: str,
    address: str,
    stripe_account: str | None,
    stripe_context: str | None,
    budget: transport.TimeBudget,
    limiter: RateLimiter | None = None,
    session: LimitedSession | None = None,
) -> Client:
    session = session or _session(address, limiter)
    return Client(key, address, stripe_account, stripe_context, _DeadlineClient(session, budget))
