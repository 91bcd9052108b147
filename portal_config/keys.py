"""What a Stripe API key looks like: one place for the prefixes, the pattern and the masking."""

from __future__ import annotations

import re

KEY_PREFIXES = {"test": ("sk_test_", "rk_test_"), "live": ("sk_live_", "rk_live_")}
SECRET_KEY = re.compile(r"(?<![A-Za-z0-9])(sk|rk)_(live|test)_[A-Za-z0-9]{10,}")
WHOLE_KEY = re.compile(r"(sk|rk)_(live|test)_[A-Za-z0-9_]+")


def mask_secrets(text: str) -> str:
    """Every key-like string in `text` as `sk_live_...WXYZ`: a key is never printed."""
    return SECRET_KEY.sub(lambda m: f"{m[1]}_{m[2]}_...{m[0][-4:]}", text)


def mode_of(key: str) -> str | None:
    """'test' or 'live' for a well-formed key (nothing around it, not even a newline)."""
    match = WHOLE_KEY.fullmatch(key)
    return match[2] if match else None
