"""Addresses in Stripe's Dashboard that a message tells people to open, per mode."""


def _base(mode: str) -> str:
    return "https://dashboard.stripe.com/" + ("test/" if mode == "test" else "")


def portal_settings_url(mode: str) -> str:
    """Saving the portal settings here creates the mode's default configuration."""
    return _base(mode) + "settings/billing/portal"


def api_keys_url(mode: str) -> str:
    return _base(mode) + "apikeys"
