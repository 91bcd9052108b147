"""Decode Stripe's form encoding (`a[b][0][c]=x`) into nested dicts and lists.

Values stay strings: `key=` decodes to "" (Stripe's "clear this"), and typing them is the job of
the request schema (validation.py), which knows whether "true" means a boolean.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from .values import Data

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


class FormError(ValueError):
    """The body cannot be read as one nested value; `param` names the offending key."""

    def __init__(self, message: str, param: str):
        super().__init__(message)
        self.param = param


def split_key(key: str) -> list[str]:
    """`a[b][0][]` -> ["a", "b", "0", ""]; a malformed key is kept whole as one name."""
    head, bracket, rest = key.partition("[")
    if not bracket:
        return [key]
    rest = "[" + rest
    segments = _SEGMENT.findall(rest)
    if "".join(f"[{s}]" for s in segments) != rest or not head:
        return [key]
    return [head, *segments]


def decode(text: str) -> dict[str, Any]:
    """A query string or form body -> nested value. Dicts whose keys are 0..n-1 become lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        _insert(root, split_key(key), value, key)
    decoded: dict[str, Any] = _listify(root)
    return decoded


def _insert(node: dict[str, Any], segments: list[str], value: str, key: str) -> None:
    for depth, segment in enumerate(segments):
        last = depth == len(segments) - 1
        if segment == "":  # `a[]=x`: append, numbered after what is already there
            segment = str(len(node))
        if last:
            if isinstance(node.get(segment), dict):
                raise FormError(f"Invalid value for {key}: it is both a value and a hash", key)
            node[segment] = value
            return
        child = node.setdefault(segment, {})
        if not isinstance(child, dict):
            raise FormError(f"Invalid value for {key}: it is both a value and a hash", key)
        node = child


def _listify(value: Data) -> Data:
    if not isinstance(value, dict):
        return value
    converted = {k: _listify(v) for k, v in value.items()}
    if converted and all(k.isdigit() for k in converted):
        indices = sorted(int(k) for k in converted)
        if indices == list(range(len(indices))):
            return [converted[str(i)] for i in indices]
    return converted


def param_name(path: list[str | int] | tuple[str | int, ...]) -> str:
    """["features", "products", 0, "prices"] -> features[products][0][prices]."""
    if not path:
        return ""
    head, *rest = (str(p) for p in path)
    return head + "".join(f"[{p}]" for p in rest)
