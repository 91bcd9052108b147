"""Every default a person can change with an option, in one place: commands show them in
`--help`, and the steps that take them fall back to the same numbers. No imports, so `--help`
loads nothing for them."""

from __future__ import annotations

# Seconds each request may take, connecting, waiting and the whole answer together (--timeout).
REQUEST_SECONDS = 30.0
# Fleet accounts planned, read or applied side by side; an environment's changes written side by
# side (--parallelism).
PARALLELISM = 4
# The share of the fleet accounts it covers an apply may change without --force (--threshold):
# octoDNS's MAX_SAFE_UPDATE_PCENT (https://github.com/octodns/octodns/blob/main/octodns/provider/plan.py).
THRESHOLD = 0.30
