"""One API request from decoded HTTP to answer: faults, auth, routing, idempotency, validation.

The order follows Stripe: a fault happens in front of the API; a request that fails
authentication or validation never started executing, so its answer is not kept for its
Idempotency-Key; anything after that (a 404 included) is kept and replayed.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import catalog, connect, events, organization, portal
from .context import SANDBOX_KEY, Call, other_mode_of, sandbox_mode
from .errors import ApiError, invalid, mask_key
from .expansion import expand
from .faults import Faults
from .objects import creation_defaults
from .ratelimits import RateLimits
from .server import WHOLE, Delivery
from .store import AccountState, IdempotencyRecord, Store, scope_name
from .validation import validate_request

Handler = Callable[[Call], dict[str, Any]]

ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/v1/billing_portal/configurations", portal.list_configurations),
    ("POST", "/v1/billing_portal/configurations", portal.create_configuration),
    ("GET", "/v1/billing_portal/configurations/{configuration}", portal.retrieve_configuration),
    (
        "POST",
        "/v1/billing_portal/configurations/{configuration}",
        portal.update_configuration_endpoint,
    ),
    ("POST", "/v1/billing_portal/sessions", portal.create_session),
    ("GET", "/v1/prices", catalog.list_prices),
    ("POST", "/v1/prices", catalog.create_price),
    ("GET", "/v1/prices/{price}", catalog.retrieve_price),
    ("POST", "/v1/prices/{price}", catalog.update_price),
    ("GET", "/v1/products", catalog.list_products),
    ("POST", "/v1/products", catalog.create_product),
    ("GET", "/v1/products/{id}", catalog.retrieve_product),
    ("POST", "/v1/products/{id}", catalog.update_product),
    ("POST", "/v1/customers", catalog.create_customer),
    ("GET", "/v1/customers/{customer}", catalog.retrieve_customer),
    ("GET", "/v1/account", catalog.retrieve_account),
    ("GET", "/v1/balance", catalog.retrieve_balance),
    ("GET", "/v1/accounts", connect.list_accounts),
    ("GET", "/v1/accounts/{account}", connect.retrieve_connected_account),
    ("GET", "/v1/events", events.list_events),
]
_COMPILED = [
    (method, template, re.compile("^" + re.sub(r"\{\w+\}", "([^/]+)", template) + "$"), handler)
    for method, template, handler in ROUTES
]
_MODES = {"sk_test_": "test", "rk_test_": "test", "sk_live_": "live", "rk_live_": "live"}
_MODES.update(organization.ORG_MODES)
STRIPE_VERSION = "2026-10-28.endive"
# The names Stripe's refusals give permissions, where they differ from the URL (behaviours.py).
_PERMISSION_NAMES = {"billing_portal": "customer_portal"}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, Any]
    body: dict[str, Any]
    headers: dict[str, str]  # lower-case names
    mode: str | None = None  # filled in once the key is known
    account: str | None = None
    id: str | None = None  # its Request-Id, once handled (an event's `request.id`)

    @property
    def params(self) -> dict[str, Any]:
        return self.query if self.method == "GET" else self.body

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


@dataclass
class Response:
    status: int
    body: Any  # a dict, unless a test fault sends other JSON
    headers: dict[str, str] = field(default_factory=dict)
    delivery: Delivery = WHOLE
    injected: bool = False  # a scripted fault's error: no answer fault applies on top of it


@dataclass
class Settings:
    """The behaviour switches of one emulator (see Emulator for what each one does)."""

    refuse_default_updates: bool = False
    first_becomes_default: bool = False
    connect_application: str | None = None  # stamped on what a platform creates for an account
    notice: str | None = None  # a Stripe-Notice header on every answer (Stripe warns this way)
    key_permissions: dict[str, dict[str, str]] = field(default_factory=dict)
    revoked_keys: set[str] = field(default_factory=set)
    rate_limits: bool = False  # Stripe's rate limits enforced (ratelimits.py)
    # The unknowns of behaviours.py, each switchable so the tests run both ways.
    subscription_update_needs_products: bool = False
    default_cancellation_reasons: bool = False
    default_schedule_conditions: bool = False
    portal_base: str | None = None  # the emulator's URL while it serves (portal_page.py)


def request_id() -> str:
    return "req_" + secrets.token_hex(7)


class Api:
    def __init__(self, store: Store, settings: Settings, faults: Faults):
        self.store = store
        self.settings = settings
        self.faults = faults
        self.limits = RateLimits()

    def handle(self, request: Request) -> Response:
        """The answer to one /v1 request; raises faults.Drop to close without answering."""
        rid = request.id = request_id()
        idempotent = request.method == "POST" and request.idempotency_key is not None
        account = request.headers.get("stripe-account")
        try:
            self.faults.check(request.method, request.path, idempotent=idempotent, account=account)
        except ApiError as error:
            response = Response(error.status, error.body(), dict(error.headers), injected=True)
        else:
            forever = self.faults.pages_forever(request.method, request.path)
            if forever:
                request.query.pop("starting_after", None)  # the same page, again and again
            try:
                response = self._handle(request, rid)
            except ApiError as error:
                response = Response(error.status, error.body(), dict(error.headers))
            fault = (
                None
                if response.injected
                else self.faults.answer_fault(request.method, request.path, idempotent, account)
            )
            if fault is not None:
                response.status, response.body, response.delivery = fault.reshape(
                    response.status, response.body
                )
            if forever and isinstance(response.body, dict) and "data" in response.body:
                response.body["has_more"] = True
        response.headers.setdefault("Request-Id", rid)
        if self.settings.notice:
            response.headers["Stripe-Notice"] = self.settings.notice
        response.headers["Stripe-Version"] = request.headers.get("stripe-version", STRIPE_VERSION)
        if request.idempotency_key and request.method == "POST":
            response.headers["Idempotency-Key"] = request.idempotency_key
        return response

    def _handle(self, request: Request, rid: str) -> Response:
        key, request.mode = self._authenticate(request.headers)
        request.account = self._account(request.headers, key, request.mode)
        template, target, handler = _route(request.method, request.path)
        if self.settings.rate_limits:
            self.limits.check(request.mode, endpoint(request.method, request.path))
        if template == "/v1/accounts/{account}" and request.account is None:
            self._check_reach(key, request.mode, target or "")
        self._authorize(key, request)
        idempotency_key = request.idempotency_key if request.method == "POST" else None
        if idempotency_key is None:
            time.sleep(self.faults.latency)
            response = self._execute(request, template, target, handler)
            if request.method == "POST":
                self.store.save()
            return response
        scope = scope_name(request.mode, request.account)
        fingerprint = json.dumps([request.method, request.path, request.body], sort_keys=True)
        replay = self._begin_idempotent(scope, idempotency_key, fingerprint)
        if replay is not None:
            return replay
        try:
            time.sleep(self.faults.latency)  # inside the reservation, so overlaps meet a 409
            try:
                self.faults.check(
                    request.method, request.path, remembered=True, account=request.account
                )
            except ApiError as error:  # failed after it started: remembered, like Stripe does
                response = Response(error.status, error.body(), dict(error.headers), injected=True)
            else:
                response = self._execute(request, template, target, handler)
            with self.store.lock:
                record = IdempotencyRecord(
                    fingerprint, response.status, response.body, rid, self.store.clock()
                )
                self.store.remember(scope, idempotency_key, record)
                self.store.save()
            return response
        finally:
            with self.store.lock:
                self.store.in_flight.discard((scope, idempotency_key))

    def _execute(
        self, request: Request, template: str, target: str | None, handler: Handler
    ) -> Response:
        """Validate, then run the handler. A validation error is raised (the request never
        started, so it is not remembered); an error while executing is returned as the answer."""
        params = validate_request(request.method, template, request.params)
        assert request.mode is not None
        try:
            body = self.run(handler, request.mode, request.account, params, target, request=request)
        except ApiError as error:
            return Response(error.status, error.body())
        return Response(200, body)

    def run(
        self,
        handler: Handler,
        mode: str,
        account: str | None,
        params: dict[str, Any],
        target: str | None = None,
        object_id: str | None = None,
        request: Request | None = None,  # the API request running it; None in-process (seeds)
    ) -> dict[str, Any]:
        """Run a handler on validated parameters; the answer is a copy, `expand[]` applied."""
        with self.store.lock:
            call = Call(
                state=self.store.account(mode, account),
                mode=mode,
                account=account,
                params=params,
                now=int(self.store.clock()),
                target=target,
                refuse_default_updates=self.settings.refuse_default_updates,
                first_becomes_default=self.settings.first_becomes_default,
                subscription_update_needs_products=self.settings.subscription_update_needs_products,
                creation_defaults=creation_defaults(
                    cancellation_reasons=self.settings.default_cancellation_reasons,
                    schedule_conditions=self.settings.default_schedule_conditions,
                ),
                # Through Stripe-Account the caller is the platform's Connect application.
                application=self.settings.connect_application if account else None,
                object_id=object_id,
                other_mode=self._other_mode(mode, account),
                request_id=request.id if request else None,
                idempotency_key=request.idempotency_key if request else None,
                portal_base=self.settings.portal_base,
            )
            body = copy.deepcopy(handler(call))
            expand(body, list(params.get("expand", [])), self._resolver(call))
            return body

    def _other_mode(self, mode: str, account: str | None) -> AccountState | None:
        other = other_mode_of(mode)
        return self.store.existing(other, account) if other else None

    def call(
        self,
        method: str,
        path: str,
        params: dict[str, Any],
        *,
        mode: str = "test",
        account: str | None = None,
        object_id: str | None = None,
    ) -> dict[str, Any]:
        """In-process request without HTTP, auth or idempotency (seeding uses it)."""
        template, target, handler = _route(method, path)
        typed = validate_request(method, template, params)
        return self.run(handler, mode, account, typed, target, object_id)

    def _begin_idempotent(self, scope: str, key: str, fingerprint: str) -> Response | None:
        if len(key) > 255:
            raise invalid("Idempotency-Key must be at most 255 characters long.")
        with self.store.lock:
            if (scope, key) in self.store.in_flight:
                raise ApiError(
                    409,
                    "There is currently another in-progress request using this Idempotent Key "
                    "(that probably means you submitted twice, and the other request is still "
                    f"going through): {key}. Please try again later.",
                    code="idempotency_key_in_use",
                )
            record = self.store.idempotency_record(scope, key)
            if record is not None:
                if record.fingerprint != fingerprint:
                    raise ApiError(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters "
                        "they were first used with. Try using a key other than "
                        f"'{key}' if you meant to execute a different request.",
                        type="idempotency_error",
                    )
                headers = {"Idempotent-Replayed": "true", "Original-Request": record.request_id}
                if record.status >= 500:  # retrying the same key only replays it again
                    headers["Stripe-Should-Retry"] = "false"
                return Response(record.status, copy.deepcopy(record.body), headers)
            self.store.in_flight.add((scope, key))
            return None

    def _authenticate(self, headers: dict[str, str]) -> tuple[str, str]:
        """The API key and the mode it selects; 401 for a missing, malformed or revoked key."""
        scheme, _, credentials = headers.get("authorization", "").strip().partition(" ")
        key = credentials.strip()
        if scheme.lower() == "basic":  # curl -u sk_test_...: is also how Stripe accepts keys
            try:
                key = base64.b64decode(key).decode().partition(":")[0]
            except ValueError:
                key = ""
        elif scheme.lower() != "bearer":
            key = ""
        if not key:
            raise ApiError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, "
                "or we can help at https://support.stripe.com/.",
            )
        mode = next((m for prefix, m in _MODES.items() if key.startswith(prefix)), None)
        if key.startswith(SANDBOX_KEY) and len(key) > len(SANDBOX_KEY):
            mode = sandbox_mode(key)  # a sandbox of its own (behaviours.py, "sandboxes")
        if mode is None or key in self.settings.revoked_keys or len(key) <= len("sk_test_"):
            raise ApiError(401, f"Invalid API Key provided: {mask_key(key)}")
        return key, mode

    def _account(self, headers: dict[str, str], key: str, mode: str) -> str | None:
        """The account acted for: Stripe-Account, or Stripe-Context (organization.py)."""
        return organization.acting_for(key, headers, organization.reach(self.store, key, mode))

    def _check_reach(self, key: str, mode: str, account: str) -> None:
        """403 for an account the platform cannot reach (organization.reach)."""
        organization.reach(self.store, key, mode)(None, account)

    def _authorize(self, key: str, request: Request) -> None:
        """Restricted keys listed in key_permissions get only their resources' access."""
        permissions = self.settings.key_permissions.get(key)
        if permissions is None or request.path == "/v1/account":
            return
        resource = request.path.split("/")[2]
        granted = permissions.get(resource, "none")
        needed = "read" if request.method == "GET" else "write"
        if granted == "write" or granted == needed:
            return
        permission = f"rak_{_PERMISSION_NAMES.get(resource, resource)}_{needed}"
        raise ApiError(
            403,
            f"The provided key '{mask_key(key)}' does not have the required permissions for "
            f"this endpoint. Having the '{permission}' permission would allow this request to "
            "continue.",
            type="permission_error",
        )

    def _resolver(self, call: Call) -> Callable[[str, str, str], dict[str, Any] | None]:
        expandable = {
            ("price", "product"): "products",
            ("billing_portal.session", "configuration"): "configurations",
            ("product", "default_price"): "prices",
        }

        def resolve(object_type: str, field_name: str, object_id: str) -> dict[str, Any] | None:
            if (object_type, field_name) == ("billing_portal.configuration", "application"):
                return portal.resolve_application(object_id)
            kind = expandable.get((object_type, field_name))
            found = call.state.collection(kind).get(object_id) if kind else None
            return copy.deepcopy(found) if found else None

        return resolve


def endpoint(method: str, path: str) -> str:
    """`METHOD TEMPLATE`: the endpoint whose rate limit a request counts toward (ratelimits.py);
    the path itself for one no route serves."""
    try:
        return f"{method} {_route(method, path)[0]}"
    except ApiError:
        return f"{method} {path}"


def _route(method: str, path: str) -> tuple[str, str | None, Handler]:
    for route_method, template, pattern, handler in _COMPILED:
        match = pattern.match(path)
        if match and route_method == method:
            return template, (match.group(1) if match.groups() else None), handler
    raise ApiError(
        404,
        f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or "
        "we can help at https://support.stripe.com/.",
    )
