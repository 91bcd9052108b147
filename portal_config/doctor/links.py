"""doctor's checks of the links a portal shows customers, the business's terms of service and
privacy policy (`business_profile`, "The business information shown to customers in the
portal": docs.stripe.com/api/customer_portal/configurations/object), and of the link the app
publishes: the login page's URL, against the one the last apply recorded (portal/identity.py)."""

from __future__ import annotations

from ..dashboard import portal_settings_url
from ..portal import identity
from .observation import Finding, Observation, Used, written_at

# business_profile's link fields, as the portal names them to customers.
POLICY_LINKS = {"terms_of_service_url": "terms of service", "privacy_policy_url": "privacy policy"}


def judge_policy_links(obs: Observation, used: Used) -> list[Finding]:
    """In live mode, both links set, or a warning naming the missing ones and where to set them.
    Test mode and sandboxes are not judged: only the team sees their portals, and a warning on
    every healthy test account would make doctor's exit code 2 everywhere."""
    if obs.mode != "live":
        return []
    check = f"links {used.name}"
    profile = used.obj.get("business_profile") or {}
    missing = [field for field in POLICY_LINKS if not profile.get(field)]
    if not missing:
        return [
            Finding(check, "ok", f"{used.label} links to its terms of service and privacy policy")
        ]
    names = " and ".join(POLICY_LINKS[field] for field in missing)
    fields = " and ".join(f"business_profile.{field}" for field in missing)
    where = written_at(obs, used, ("business_profile",))
    fix = (
        f"set {fields} in {used.file} and apply"
        if used.file
        else f"set them in the portal settings at {portal_settings_url(obs.env.space)}"
    )
    warning = Finding(
        check,
        "warning",
        f"{where}{used.label} has no {names} link: the portal shows customers only the "
        "policy links that are set",
        fix,
    )
    return [warning]


def judge_login_page(obs: Observation, used: Used) -> list[Finding]:
    """The login page's URL as the last apply recorded it: still the same, or a warning that
    links published with it now fail. Nothing when no apply recorded one."""
    recorded = identity.recorded_login_url(used.obj)
    if recorded is None:
        return []
    check, now = f"login page {used.name}", identity.login_url(used.obj)
    if now == recorded:
        return [
            Finding(check, "ok", f"{used.label}'s login page is at {now}, as at the last apply")
        ]
    record = f"`portal-config apply {obs.env_option}` then records it"
    if now is None:
        return [
            Finding(
                check,
                "warning",
                f"{used.label}'s login page was turned off since the last apply: login links "
                f"published as {recorded} fail",
                f"turn it on again (login_page.enabled) and publish its new link; {record}",
            )
        ]
    return [
        Finding(
            check,
            "warning",
            f"{used.label}'s login page URL changed since the last apply, from {recorded} to "
            f"{now}: login links published with the old one fail",
            f"replace the published login links with {now}; {record}",
        )
    ]
