"""Every Stripe behaviour the emulator models, each with its evidence: one table to read.

`kind` says how sure we are: "spec" (Stripe's OpenAPI), "docs" (Stripe's documentation or its own
error texts), "reported" (a peer's issue or third-party code; unconfirmed by Stripe), "guess" (no
evidence either way). Where Stripe's behaviour is reported but unconfirmed, `option` names the
emulator setting that switches it on, so tests run under each way (tests/e2e/conftest.py).
"""

from __future__ import annotations

from typing import NamedTuple


class Behaviour(NamedTuple):
    name: str
    what: str
    kind: str  # spec | docs | reported | guess
    source: str
    option: str | None = None  # the Settings field that turns it on; None: always modelled


BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour(
        "includable products",
        "features.subscription_update.products is left out of every configuration in a response "
        "(create, update, retrieve, list, replays, a session's expanded configuration) unless "
        "expand[] names it",
        "reported",
        "stripe/terraform-provider-stripe#53 and #54 (2026-08: the same object with and without "
        "expand[]=features.subscription_update.products); lukasaron/terraform-provider-stripe#49, "
        "fixed by expanding in PR #51; Stripe's fixture has no products key; the spec lists "
        "products in x-expandableFields and not in `required` (API-REFERENCE §0 item 8, §6)",
    ),
    Behaviour(
        "expansion paths",
        "expand[] is accepted only along x-expandableFields; anything else is a 400 'This property "
        "cannot be expanded (PATH).'",
        "spec",
        "x-expandableFields of each schema in openapi-billing-portal.json; the message is "
        "Stripe's (API-REFERENCE §2)",
    ),
    Behaviour(
        "no delete",
        "there is no DELETE; active=false is update-only and a new configuration is active",
        "spec",
        "API-REFERENCE §0 item 1; stripe/stripe-php#1102 (Stripe staff)",
    ),
    Behaviour(
        "default is read-only as a parameter",
        "is_default is never a parameter; only a seed (the Dashboard) makes a default",
        "spec",
        "API-REFERENCE §0 item 2, §9",
    ),
    Behaviour(
        "first configuration becomes the default",
        "in a mode and account without a default, the first configuration created becomes it",
        "reported",
        "API-REFERENCE §9 (a 2026-08 project note; 2026 setup guides)",
        "first_becomes_default",
    ),
    Behaviour(
        "updates to the default refused",
        "any update of the default answers 400 'You cannot make any changes to a "
        "PortalConfiguration ...' with no code",
        "reported",
        "TryGhost/Ghost#27468, billing-portal-manager.js (API-REFERENCE §9)",
        "refuse_default_updates",
    ),
    Behaviour(
        "default cannot be deactivated",
        "active=false on the default answers 400 'You cannot set `active: false` on your default "
        "PortalConfiguration.'",
        "reported",
        "lukasaron/terraform-provider-stripe#95; 2026 setup guides (API-REFERENCE §9)",
    ),
    Behaviour(
        "another application's configuration is read-only",
        "an update of a configuration whose application is not the caller's answers the same "
        "400 as an update of a refused default",
        "reported",
        "TryGhost/Ghost#27468 (API-REFERENCE §9, §10)",
    ),
    Behaviour(
        "platform's application stamped through Stripe-Account",
        "a configuration a platform creates through Stripe-Account carries the platform's "
        "Connect application ID in `application`",
        "guess",
        "undocumented either way (API-REFERENCE §10); tests run with and without it",
        "connect_application",
    ),
    Behaviour(
        "restricted key permissions",
        "a restricted key without access answers 403 naming the permission, e.g. "
        "rak_customer_portal_write for billing portal writes",
        "reported",
        "t3dotgg/stripe-recommendations#23 quotes Stripe's refusal (API-REFERENCE §10)",
    ),
    Behaviour(
        "session without a default",
        "a session without `configuration` in a mode without a default answers 400 'No "
        "configuration provided and your MODE mode default configuration has not been created...'",
        "reported",
        "API-REFERENCE §11.1 (Stripe's wording as quoted in 2025-2026 code)",
    ),
    Behaviour(
        "lists newest first, cursor pagination",
        "limit 1..100 (default 10), starting_after / ending_before, has_more",
        "spec",
        "GET /v1/billing_portal/configurations parameters; ordering is Stripe's usual (§15.6)",
    ),
    Behaviour(
        "connected accounts list",
        "GET /v1/accounts (the platform's key, no Stripe-Account) lists its connected accounts "
        "newest first, paginated like every list, `created` filter; an account that is no "
        "platform (a connected account through Stripe-Account) lists none. The account object "
        "carries id, object, business_profile (all ten fields, null when unset), business_type, "
        "capabilities, charges_enabled, country, created, default_currency, details_submitted, "
        "email, metadata, payouts_enabled, type; GET /v1/accounts/{id} retrieves one",
        "docs",
        "Stripe API reference: 'List all connected accounts' (docs.stripe.com/api/accounts/list: "
        "'If you're not a platform, the list is empty'; created, ending_before, limit 1..100, "
        "starting_after) and 'The Account object' (docs.stripe.com/api/accounts/object, its "
        "example); controller, requirements, settings, external_accounts are not modelled",
    ),
    Behaviour(
        "revoked account 403",
        "Stripe-Account (or GET /v1/accounts/{id}) naming a revoked connection, a malformed ID, "
        "or, once the platform has connected accounts in that mode, one that is not among them "
        "answers 403 account_invalid \"The provided key '...' does not have access to account "
        "'...' (or that account does not exist). Application access may have been revoked.\"",
        "reported",
        "Stripe's wording as third-party code quotes it, raised as a 403 PermissionError with "
        "code account_invalid (PostHog's Stripe source tests; Gumroad's Stripe event handler "
        "matches 'Application access may have been revoked.' to deauthorize an account)",
    ),
    Behaviour(
        "a revoked account is still listed",
        "a revoked connection stays in GET /v1/accounts, which models a connection revoked "
        "between the list and the requests to that account",
        "guess",
        "undocumented whether Stripe drops a deauthorized account from the list at once; "
        "listing it lets a test reach the 403 from `connected: all`",
    ),
    Behaviour(
        "a missing object named in a parameter",
        "an ID in the request's parameters that names no object (a session's customer or "
        "configuration, a configuration's products and prices, a price's product) answers 400 "
        "invalid_request_error, code resource_missing, `param` naming the parameter; a 404 is "
        "only for the object in the URL's path (param `id`)",
        "docs",
        "API-REFERENCE §17 (Sessions); docs.stripe.com/api/errors ('400 Bad Request: the request "
        "was unacceptable', '404 Not Found: the requested resource doesn't exist')",
    ),
    Behaviour(
        "a session needs a return URL",
        "a session's return_url (and flow_data's redirect return_url) must be an absolute http(s) "
        "URL with a host, else 400 url_invalid naming it; without return_url, a configuration "
        "without default_return_url answers 400 parameter_missing return_url",
        "docs",
        "API-REFERENCE §17 (Sessions) and §3 (default_return_url: 'The session's return_url "
        "overrides it'); url_invalid is in Stripe's error-code list (docs.stripe.com/error-codes); "
        "the messages' wording is the emulator's own",
    ),
    Behaviour(
        "session after_expiration and the pause flow",
        "sessions.create takes after_expiration {type: customer_login, customer_login: "
        "{expires_at}} and flow_data.type subscription_pause with flow_data.subscription_pause "
        "{subscription}; the session echoes both",
        "spec",
        "API 2026-10-28.endive as stripe-python 16.1.0 generates it from Stripe's OpenAPI "
        "(stripe/params/billing_portal/_session_create_params.py, stripe/billing_portal/"
        "_session.py); stripe-node 23.1.0's CHANGELOG; API-REFERENCE §11, §17",
    ),
    Behaviour(
        "portal sessions expire",
        "a session's url opens the (emulated) portal only if first opened within 5 minutes of "
        "its creation; once opened it stays open; later, or for an unknown link, a 404 page",
        "reported",
        "Stripe says only 'sessions are short-lived and will expire if the customer does not "
        "visit the URL' (docs.stripe.com/api/customer_portal/sessions; API-REFERENCE §11); the "
        "5 minutes are a third party's ('single-use, short-lived (~5 minute)', "
        "hexdocs.pm/accrue/Accrue.BillingPortal.Session.html)",
    ),
    Behaviour(
        "an object of the other mode",
        "a resource_missing (404 or 400, as above) for an ID that exists in the other mode of "
        'the same account adds "; a similar object exists in test mode, but a live mode key was '
        'used to make this request." (or live and test the other way round)',
        "reported",
        "Stripe's wording as users quote it: payolapayments/payola#278 (\"No such customer: "
        "cus_...; a similar object exists in live mode, but a test mode key was used to make "
        'this request."), stripe/stripe-node#149 (its title, the live-key direction); '
        "API-REFERENCE §10 (Test vs live) and §17 (Sessions)",
    ),
    Behaviour(
        "idempotency",
        "a POST's first answer is kept for its Idempotency-Key for 24 hours and replayed for the "
        "same parameters; other parameters are a 400 idempotency_error; a concurrent use is a 409",
        "docs",
        "Stripe's idempotent-requests docs (API-REFERENCE §13)",
    ),
    Behaviour(
        "rate limits",
        "per mode, at most 100 requests a second in live mode and 25 in test mode in all, and 25 "
        "a second to each endpoint (method and path template: every ID counts as one); a request "
        "over either answers 429 rate_limit with Stripe-Rate-Limited-Reason global-rate or "
        "endpoint-rate, and counts toward neither; requests for a connected account count "
        "toward the platform's (undocumented: the stricter for a fleet)",
        "docs",
        "docs.stripe.com/rate-limits (read 2026-12: 'API endpoints have a default limit of 25 "
        "requests per second'; the Stripe-Rate-Limited-Reason header; API-REFERENCE §17)",
        "rate_limits",
    ),
    Behaviour(
        "sandboxes",
        "an rkcs_test_ key selects a sandbox of its own: test mode to the API (livemode false), "
        "with its own objects and default, apart from the account's test mode and from every "
        "other sandbox (each key its own sandbox); no 'similar object exists' hint names it",
        "docs",
        "docs.stripe.com/cli/sandbox (`stripe sandbox create` makes rkcs_test_ keys); "
        "docs.stripe.com/sandboxes (each sandbox has its own keys and objects; settings copied "
        "in diverge); API-REFERENCE §17 (Sandboxes). One sandbox per key is the emulator's "
        "simplification: Stripe lets a sandbox have several keys",
    ),
    Behaviour(
        "organization keys",
        "an sk_org_test_/sk_org_live_ key (test or live mode) belongs to no account: a request "
        "with one and no Stripe-Context or no Stripe-Version, or with Stripe-Account, answers "
        "400; any well-formed "
        "acct_ in Stripe-Context is an account of the organization (membership not modelled)",
        "docs",
        "docs.stripe.com/keys/organization-api-keys ('Organization API keys are prefixed sk_org', "
        "'All API requests made with an organization API key must include the Stripe-Context "
        "header', and 'the Stripe-Version header'; they 'support sandboxes and live mode': the "
        "mode after sk_org_ is the "
        "emulator's own); the messages' wording is the emulator's own (API-REFERENCE §17)",
    ),
    Behaviour(
        "Stripe-Context",
        "Stripe-Context names the account a request acts for: acct_X, or acct_platform/"
        "acct_connected for a platform's connected account, which acts on the same objects as "
        "the platform's key with Stripe-Account: acct_connected; with an account's own key it "
        "may replace Stripe-Account; the two naming different accounts answer 400",
        "docs",
        "docs.stripe.com/context ('The Stripe-Context header supersedes the Stripe-Account "
        "header'; its table: 'Platform ID/Connected account ID: acct_111/acct_111a')",
    ),
    Behaviour(
        "enabled subscription_update needs products",
        "a create or update leaving features.subscription_update enabled with no products, or "
        "no default_allowed_updates, answers 400 parameter_missing naming the empty one",
        "guess",
        "since 2024-09-30.acacia both are optional 'when you set subscription_update.enabled to "
        "false' (docs.stripe.com/changelog/acacia/2024-09-30/billing-portal-updates-optional): "
        "probably still required when enabled, unverified (API-REFERENCE §17)",
        "subscription_update_needs_products",
    ),
    Behaviour(
        "creation defaults: cancellation reasons",
        "a new configuration whose create does not send cancellation_reason.options gets all "
        "five reasons the API reference's example shows (off: [] as fixtures3.json shows)",
        "guess",
        "the API reference's example answer to a create that sent only customer_update and "
        "invoice_history; fixtures3.json shows []; unverified which (API-REFERENCE §17)",
        "default_cancellation_reasons",
    ),
    Behaviour(
        "creation defaults: schedule conditions",
        "a new configuration whose create does not send schedule_at_period_end.conditions gets "
        '[{type: decreasing_item_amount}] (off: []); create cannot send [] for it (no "")',
        "guess",
        "fixtures3.json shows [{type: decreasing_item_amount}]; unverified for a new "
        "configuration (API-REFERENCE §3.7, §17)",
        "default_schedule_conditions",
    ),
    Behaviour(
        "clearing with empty strings",
        "'' clears a value (a list to [], a hash to {}); metadata merges key by key",
        "spec",
        "API-REFERENCE §5.1",
    ),
    Behaviour(
        "configuration events",
        "each create and update of a configuration is an event (billing_portal.configuration."
        "created/.updated) with the request's ID and idempotency key and, for an update, the "
        "previous values of the fields that changed, nested, a list whole; GET /v1/events lists "
        "them newest first, per account, for 30 days (events.py)",
        "docs",
        "https://docs.stripe.com/api/events/object (data.previous_attributes, request.id, "
        "request.idempotency_key, account); https://docs.stripe.com/api/events/list (type, "
        "created, 'going back up to 30 days')",
    ),
    Behaviour(
        "products in an event's previous values",
        "an event's data.object leaves products out like every answer (includable products), "
        "but previous_attributes keeps a changed products list",
        "guess",
        "the docs say an array attribute that changed is in previous_attributes whole "
        "(docs.stripe.com/api/events/object); whether an includable field is held back there "
        "is unverified",
    ),
)


def options() -> list[str]:
    """The settings that switch reported-but-unconfirmed behaviours on."""
    return [b.option for b in BEHAVIOURS if b.option]
