"""The emulator's named loose type (its own copy: the emulator knows nothing of the rest)."""

from __future__ import annotations

from typing import Any, TypeAlias

# A form-decoded or JSON value: a dict, list, str, int, float, bool or None, nested. The OpenAPI
# schemas check the shapes.
Data: TypeAlias = Any
