"""How a Stripe API key is kept out of output: the pattern of a key in text, and its masking.
(What a key must look like to be sent is a safety rule: safety.py.)"""

from __future__ import annotations

import re

SECRET_KEY = re.compile(r"(?<![A-Za-z0-9])(sk|rk)_(live|test)_[A-Za-z0-9]{10,}")


def mask_secrets(text: str) -> str:
    """Every key-like string in `text` as `sk_live_...WXYZ`: a key is never printed."""
    return SECRET_KEY.sub(lambda m: f"{m[1]}_{m[2]}_...{m[0][-4:]}", text)
