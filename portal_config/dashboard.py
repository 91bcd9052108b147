"""Addresses in Stripe's Dashboard that a message tells people to open, and how a message names
where an environment's objects live: test mode, live mode or a sandbox (`space`)."""

# A sandbox is an account of its own, reached in the Dashboard through its account picker or
# the Sandboxes page (https://docs.stripe.com/test-mode: "access your sandboxes using the
# account picker or on the Sandboxes page"); its pages are
# https://dashboard.stripe.com/acct_SANDBOX/test/..., whose ID the API key does not tell, so
# a message sends people to that page and the path to take there.
SANDBOXES = "https://dashboard.stripe.com/sandboxes"


def named(space: str) -> str:
    """'test mode', 'live mode' or 'the sandbox': where an environment's objects live."""
    return "the sandbox" if space == "sandbox" else f"{space} mode"


def labelled(space: str) -> str:
    """'test mode', 'live mode' or 'sandbox': `named` without its article, for a label such
    as "the sandbox default" or "Doctor for dev (sandbox):"."""
    return named(space).removeprefix("the ")


def _page(space: str, path: str, title: str) -> str:
    if space == "sandbox":
        return f"{SANDBOXES} (open the sandbox, then {title})"
    return "https://dashboard.stripe.com/" + ("test/" if space == "test" else "") + path


def portal_settings_url(space: str) -> str:
    """Saving the portal settings here creates the mode's (or sandbox's) default configuration."""
    return _page(space, "settings/billing/portal", "Settings > Billing > Customer portal")


def api_keys_url(space: str) -> str:
    return _page(space, "apikeys", "Developers > API keys")
