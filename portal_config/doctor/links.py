"""doctor's checks of the links a portal shows customers: the business's terms of service and
privacy policy (`business_profile`, "The business information shown to customers in the
portal": docs.stripe.com/api/customer_portal/configurations/object)."""

from __future__ import annotations

from ..dashboard import portal_settings_url
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
