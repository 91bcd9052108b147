"""`portal-config doctor`: why a portal link fails in one environment, as a list of findings.

This module is the pure part: `judge` turns an `Observation` (what read.py saw through the
gateway, failures included) into `Finding`s, each with one line of evidence and one line of what
to do. No I/O here; rendering is report.py's job. The causes come from API-REFERENCE
§9-§11: no default saved in the mode, an inactive or missing configuration, a missing or wrong
return URL, archived prices or products, a customer ID from the wrong place, a key of the wrong
mode or without a permission portal-config needs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..changes import Change
from ..dashboard import api_keys_url, portal_settings_url
from ..match import Binding, Status
from ..prices import ARCHIVED, ONE_TIME, price_defect
from ..rules import NOT_ABSOLUTE, NOT_HTTPS, url_defect
from .observation import Failure, Finding, Observation, Used, offered, used_configurations

PERMISSIONS_FIX = (
    "edit the restricted key in the Dashboard: Customer portal needs Write; "
    "Prices and Products Read (and Customers Read for doctor --customer)"
)


# -- the checks -------------------------------------------------------------------------------


def judge(obs: Observation, show_url: bool) -> list[Finding]:
    findings = judge_key(obs) + judge_loading(obs)
    if obs.refused or obs.list_failure:
        return findings  # nothing else was read
    used = used_configurations(obs)
    findings += judge_default(obs, used)
    findings += judge_files(obs)
    for u in used:
        findings.append(judge_return_url(obs, u))
        findings += judge_prices(obs, u)
    findings += judge_customer(obs)
    findings += judge_sessions(obs, show_url)
    return findings


def failed(check: str, what: str, failure: Failure) -> Finding:
    """A read that Stripe refused, as the finding its kind calls for."""
    if failure.kind == "permission":
        return Finding("permissions", "problem", f"{what}: {failure.message}", PERMISSIONS_FIX)
    if failure.kind == "connection":
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


def judge_key(obs: Observation) -> list[Finding]:
    env, mode = obs.env, obs.mode
    if obs.refused:
        check, message = obs.refused
        if check == "address":
            return [
                Finding(
                    "address",
                    "problem",
                    f"{message} Nothing was sent.",
                    "remove api_base to use Stripe itself, or point it at a loopback emulator",
                )
            ]
        return [
            Finding(
                "key",
                "problem",
                f"{message} Refused before any request.",
                f"export this account's {mode} mode key (sk_{mode}_... or rk_{mode}_...)"
                f" in {env.api_key_env}; keys are at {api_keys_url(mode)}",
            )
        ]
    if obs.key_kind == "emulator":
        works = f"the embedded emulator ({env.emulator}) answers in {mode} mode; no key needed"
    else:
        works = f"the {obs.key_kind} key in {env.api_key_env} works and is a {mode} mode key"
    failure = obs.list_failure
    if failure and failure.kind == "authentication":
        return [
            Finding(
                "key",
                "problem",
                f"Stripe rejected the API key in {env.api_key_env}: {failure.message}",
                f"the key was revoked, rolled or mistyped: copy a "
                f"current {mode} mode key from {api_keys_url(mode)} into "
                f"{env.api_key_env}",
            )
        ]
    if failure and failure.kind != "permission":
        return [failed("key", "listing portal configurations", failure)]
    findings = [Finding("key", "ok", works)]
    if failure:  # the key works but may not even read portal configurations
        return findings + [failed("key", "the key cannot read portal configurations", failure)]
    if obs.key_kind == "restricted" and obs.write_failure is None:
        findings.append(
            Finding(
                "permissions",
                "ok",
                "the restricted key may write portal "
                "configurations (apply) and create portal sessions",
            )
        )
    elif obs.write_failure is not None:
        findings.append(
            failed(
                "permissions",
                "the restricted key cannot write portal configurations",
                obs.write_failure,
            )
        )
    return findings


def judge_loading(obs: Observation) -> list[Finding]:
    """The files' own errors (validate's): a broken configuration file is left out, and the
    rest is still checked."""
    fix = "fix it (`portal-config validate` lists every problem): until then plan and apply refuse"
    return [
        Finding(
            "files",
            "problem",
            str(p),
            fix
            if p.location.file == obs.env.location.file
            else f"{fix}, and doctor leaves this file out",
        )
        for p in obs.load_problems
    ]


def judge_default(obs: Observation, used: list[Used]) -> list[Finding]:
    mode, env = obs.mode, obs.env.name
    portal = portal_settings_url(mode)
    default = next((u for u in used if u.is_default), None)
    if default is not None:
        if default.obj.get("active", True):
            managed = f" (described by {default.file})" if default.file else ""
            return [
                Finding(
                    "default",
                    "ok",
                    f"{default.id} is the {mode} mode default and is active{managed}",
                )
            ]
        return [
            Finding(
                "default",
                "problem",
                f"the {mode} mode default {default.id} is "
                "inactive: portal sessions created without `configuration` fail",
                f"activate it by saving the portal settings at {portal}",
            )
        ]
    # Without a default, apps that pass `configuration=` still work: a warning when there is
    # an active configuration to pass, a problem when there is none or a file wants a default.
    others = [u.id for u in used if u.obj.get("active")]
    wants_default = any(f.default for f in obs.files)
    alternative = (
        (
            f", or pass configuration={others[0]} to billing_portal.sessions.create "
            f"(`portal-config ids --env {env}` lists every ID)"
        )
        if others
        else ""
    )
    return [
        Finding(
            "default",
            "warning" if others and not wants_default else "problem",
            f"no default configuration is saved in {mode} mode: portal sessions created "
            f'without `configuration` fail ("No configuration provided and your {mode} '
            'mode default configuration has not been created")',
            f"save the customer portal settings at {portal}{alternative}",
        )
    ]


def _judge_binding(b: Binding, change: Change | None, compared: bool, env: str) -> list[Finding]:
    """One file's configuration (or one whose file is gone), by its status."""
    check, fix = f"configuration {b.key}", f"`portal-config apply --env {env}`"
    if b.status is Status.PROBLEM:
        return [
            Finding(
                "configuration",
                "problem",
                str(b.problem),
                f"then run `portal-config plan --env {env}` to check",
            )
        ]
    if b.status is Status.FILE_GONE:
        return [
            Finding(
                check,
                "warning",
                f"{b.config_id} is still active but no file describes it any more",
                f"{fix[:-1]} --prune` deactivates it, or restore its file",
            )
        ]
    if b.status is Status.MISSING:
        return [
            Finding(
                check,
                "problem",
                f"{b.file} has no configuration in {env} yet: sessions cannot use it",
                f"run {fix}",
            )
        ]
    if b.status is Status.RETIRED:
        if b.obj is not None and b.obj.get("active"):
            return [
                Finding(
                    check,
                    "warning",
                    f"{b.config_id} is active, but {b.file} retires it (active: false)",
                    f"{fix} deactivates it",
                )
            ]
        return []
    if b.status not in (Status.ACTIVE, Status.INACTIVE):
        return []
    findings = []
    if b.status is Status.INACTIVE:
        findings.append(
            Finding(
                check,
                "problem",
                f"{b.config_id} is inactive: portal sessions created with it fail",
                f"{fix} reactivates it (the file wants it active)",
            )
        )
    paths = [f.path for f in change.fields if f.path != "active"] if change else []
    if not compared:
        if b.status is Status.ACTIVE:
            findings.append(
                Finding(
                    check,
                    "ok",
                    f"{b.config_id} exists and is active (its "
                    "fields are compared once the files are fixed)",
                )
            )
    elif paths:
        shown = ", ".join(paths[:4]) + (f" and {len(paths) - 4} more" if len(paths) > 4 else "")
        findings.append(
            Finding(
                check,
                "warning",
                f"{b.config_id} differs from {b.file} in {len(paths)} field(s): {shown}",
                f"review with `portal-config "
                f"plan --env {env}`; apply restores the file, or copy Stripe's "
                "values into the file",
            )
        )
    elif b.status is Status.ACTIVE:
        findings.append(
            Finding(check, "ok", f"{b.config_id} exists, is active and matches {b.file}")
        )
    return findings


def judge_files(obs: Observation) -> list[Finding]:
    """Each file's configuration: present, active, in sync (a drift summary)."""
    env = obs.env.name
    findings = [
        Finding(
            "files",
            "problem",
            problem,
            "fix this first: until then plan and apply "
            "refuse, and doctor cannot compare the files' fields with Stripe",
        )
        for problem in obs.file_problems
    ]
    if obs.read_failure:
        findings.append(failed("files", "reading what the files refer to", obs.read_failure))
    changes = {c.key: c for c in obs.plan.changes} if obs.plan else {}
    for b in obs.bindings:
        findings += _judge_binding(b, changes.get(b.key), obs.plan is not None, env)
    return findings


def _app_host(obs: Observation) -> str | None:
    app_url = obs.env.vars.get("app_url")
    return urlsplit(app_url).hostname if app_url else None


def _fine_return_url(obs: Observation, url: object) -> bool:
    """What judge_return_url would pass: absolute, https in live mode, on app_url's host."""
    if not isinstance(url, str) or url_defect(url, obs.mode == "live"):
        return False
    host = _app_host(obs)
    return host is None or urlsplit(url).hostname == host


def judge_return_url(obs: Observation, used: Used) -> Finding:
    """Set (or every session must pass return_url), absolute, https in live mode, and on the
    environment's own site when it has an `app_url` variable."""
    check, url = f"return URL {used.name}", used.obj.get("default_return_url")
    change = (
        f"set default_return_url in {used.file} and apply"
        if used.file
        else f"set it in the portal settings at {portal_settings_url(obs.mode)}"
    )
    # When the file already has a good one, Stripe merely lags behind it: apply is the fix.
    wanted = next(
        (f.params.get("default_return_url") for f in obs.files if f.key == used.key), None
    )
    synced = (
        (f"run `portal-config apply --env {obs.env.name}`: {used.file} already sets it to {wanted}")
        if wanted != url and _fine_return_url(obs, wanted)
        else None
    )

    def fix(how: str) -> str:
        return synced or f"{change} {how}"

    if not url:
        return Finding(
            check,
            "warning",
            f"{used.label} has no default_return_url: every session "
            "must pass return_url, or the portal has no way back to the app",
            fix("(e.g. ${app_url}/account), or always pass return_url"),
        )
    parts, defect = urlsplit(url), url_defect(url, obs.mode == "live")
    if defect == NOT_ABSOLUTE:
        return Finding(
            check,
            "problem",
            f"{used.label}: default_return_url {url!r} is not an absolute http(s) URL",
            fix("to a full https:// address"),
        )
    if defect == NOT_HTTPS:
        return Finding(
            check,
            "problem",
            f"{used.label}: default_return_url {url} is plain http in live mode",
            fix("to its https:// address"),
        )
    app_host = _app_host(obs)
    if app_host and parts.hostname != app_host:
        return Finding(
            check,
            "warning",
            f"{used.label}: default_return_url {url} is not on "
            f"this environment's app_url host {app_host}: customers return to "
            "another site",
            fix(f"to an address under ${{app_url}} ({obs.env.vars['app_url']})"),
        )
    return Finding(check, "ok", f"{used.label} returns customers to {url}")


def judge_prices(obs: Observation, used: Used) -> list[Finding]:
    """Every price the configuration offers is active and recurring, of an active product."""
    check, findings, count = f"prices {used.name}", [], 0
    change = (
        f"replace it in {used.file} and apply"
        if used.file
        else f"change the portal settings at {portal_settings_url(obs.mode)}"
    )
    for product_id, price_ids in offered(used.obj):
        product = obs.products.get(product_id)
        if isinstance(product, Failure):
            findings.append(failed(check, f"reading product {product_id}", product))
        elif product is not None and not product.get("active", True):
            findings.append(
                Finding(
                    check,
                    "problem",
                    f"{used.label} offers product {product_id}"
                    f" ({product.get('name')}), which is archived: customers "
                    "cannot switch to its prices",
                    f"unarchive the product, or {change}",
                )
            )
        for price_id in price_ids:
            count += 1
            price = obs.prices.get(price_id)
            if isinstance(price, Failure):
                findings.append(failed(check, f"reading price {price_id}", price))
                continue
            if price is None:
                continue
            label = price_id + (
                f" (lookup_key:{price['lookup_key']})" if price.get("lookup_key") else ""
            )
            defect = price_defect(price)
            if defect == ARCHIVED:
                findings.append(
                    Finding(
                        check,
                        "problem",
                        f"{used.label} offers the archived "
                        f"price {label}: customers cannot switch to it",
                        f"unarchive the price, or {change} (a lookup_key: "
                        "follows the key to an active price)",
                    )
                )
            elif defect == ONE_TIME:
                findings.append(
                    Finding(
                        check,
                        "problem",
                        f"{used.label} offers the one-time "
                        f"price {label}: plan changes take recurring prices only",
                        f"use a recurring price: {change}",
                    )
                )
    if count and not findings:
        findings.append(
            Finding(
                check,
                "ok",
                f"{used.label} offers {count} price(s), all active "
                "and recurring, of active products",
            )
        )
    return findings


def judge_customer(obs: Observation) -> list[Finding]:
    customer, mode = obs.customer_id, obs.mode
    if customer is None:
        return []
    if not customer.startswith("cus_"):
        return [
            Finding(
                "customer",
                "problem",
                f"'{customer}' is not a Stripe customer ID (those "
                "start with cus_): probably your app's own user ID",
                "pass the Stripe customer ID your app stored for this user (the `id` "
                "of the stripe Customer), not the user's own ID",
            )
        ]
    if obs.customer_failure:
        return [failed("customer", f"reading customer {customer}", obs.customer_failure)]
    if obs.customer is None:
        account = f" of {obs.env.stripe_account}" if obs.env.stripe_account else ""
        return [
            Finding(
                "customer",
                "problem",
                f"no customer {customer} in {mode} "
                f'mode{account}: Stripe refuses its sessions with "No such customer"',
                "customers exist in one mode and account only: use the ID of this "
                f"{mode} mode customer (a test mode ID is unknown in live mode), or "
                "check stripe_account",
            )
        ]
    if obs.customer.get("deleted"):
        return [
            Finding(
                "customer",
                "problem",
                f"customer {customer} was deleted",
                "use the customer's current ID",
            )
        ]
    return [Finding("customer", "ok", f"{customer} exists in {mode} mode")]


def judge_sessions(obs: Observation, show_url: bool) -> list[Finding]:
    customer_ok = obs.customer is not None and not obs.customer.get("deleted")
    if customer_ok and obs.mode == "live" and not obs.allow_live:
        return [
            Finding(
                "session",
                "warning",
                "no portal session created: this is a live environment",
                "run again with --allow-live to create a real live mode session",
            )
        ]
    findings = []
    for attempt in obs.sessions:
        check = f"session {attempt.used.name}"
        how = (
            "without `configuration` (the default)"
            if attempt.used.is_default
            else f"with configuration={attempt.used.id}"
        )
        if attempt.session is not None:
            url = attempt.session.get("url") if show_url else None
            shown = url or "URL hidden: pass --show-url"
            findings.append(Finding(check, "ok", f"session created {how} ({shown})", "", url))
        elif attempt.failure is not None:
            findings.append(
                Finding(
                    check,
                    "problem",
                    f"Stripe refused a session {how}: {attempt.failure.message}",
                    explain(attempt.failure, obs, attempt.used),
                )
            )
    return findings


def explain(failure: Failure, obs: Observation, used: Used) -> str:
    """What to do about Stripe's answer to a session request (wording: API-REFERENCE §11.1)."""
    env, message = obs.env.name, failure.message
    if failure.kind == "permission":
        return PERMISSIONS_FIX
    if "default configuration has not been created" in message or "until you save" in message:
        return (
            f"save the portal settings at {portal_settings_url(obs.mode)}, or pass "
            "configuration= explicitly"
        )
    if "not active" in message:
        return (
            f"`portal-config apply --env {env}` reactivates {used.id}; until then pass an "
            "active configuration"
        )
    if "No such configuration" in message:
        return f"use the IDs of this mode and account: `portal-config ids --env {env}`"
    if "No such customer" in message:
        return "use a customer ID of this mode and account"
    return "do what Stripe's message says, then run doctor again"
