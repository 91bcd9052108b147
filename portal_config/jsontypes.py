"""Named loose types: a signature says `Data`, not `Any`, so the reason it is loose is written once.

No import of the rest of the package here (the emulator has its own copy, since it knows nothing
of the rest).
"""

from __future__ import annotations

from typing import Any, TypeAlias

# A YAML or JSON value as parsed or as sent: a dict, list, str, int, float, bool or None, nested.
# Loose on purpose: the schemas check the shapes, and a recursive type would make every access a
# cast.
Data: TypeAlias = Any
# A stripe SDK service, called with parameters built at run time from the files, which its
# TypedDicts cannot describe.
SDKService: TypeAlias = Any

# Every JSON document the CLI prints carries `"format_version": JSON_FORMAT_VERSION`; it changes
# only when a field is removed or changes meaning (README: JSON plan), so a reader can refuse a
# shape it does not know.
JSON_FORMAT_VERSION = 1
