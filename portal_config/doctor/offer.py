"""doctor's checks of what a portal offers: where it returns customers to, and the prices
it lets them switch to."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..dashboard import portal_settings_url
from ..pipeline import prices
from ..pipeline.prices import ARCHIVED, ONE_TIME, price_defect
from ..project.rules import NOT_ABSOLUTE, NOT_HTTPS, url_defect
from .observation import Failure, Finding, Observation, Used, failed, offered


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
        else f"set it in the portal settings at {portal_settings_url(obs.env.space)}"
    )
    # When the file already has a good one, Stripe merely lags behind it: apply is the fix.
    wanted = next(
        (f.params.get("default_return_url") for f in obs.files if f.key == used.key), None
    )
    synced = (
        f"run `portal-config apply {obs.env_option}`: {used.file} already sets it to {wanted}"
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
        else f"change the portal settings at {portal_settings_url(obs.env.space)}"
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
            key = prices.label(price)
            label = price_id + (f" ({key})" if key else "")
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
