"""Existing configurations -> configuration files, in the format people write by hand.

Only values that differ from Stripe's defaults are written (so `plan` right after shows no
changes), prices as `lookup_key:K` where an active price has one, products left for the prices to
determine, and `ids: {ENV: bpc_...}` pinned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import model
from .errors import PortalConfigError
from .prices import LOOKUP_PREFIX

RAW_ID_NOTE = "no lookup key: this ID exists only in this account and mode"


@dataclass(frozen=True)
class ImportedFile:
    key: str
    config_id: str
    text: str


def key_for(obj: Mapping[str, Any], key_from: str, taken: set[str]) -> str:
    base = str(obj["id"])
    if obj.get("is_default") and key_from == "name" and not obj.get("name"):
        base = "default"
    elif key_from == "name" and obj.get("name"):
        base = re.sub(r"[^a-z0-9]+", "-", str(obj["name"]).lower()).strip("-") or base
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def _price_text(price_id: str, prices: Mapping[str, Mapping[str, Any]]) -> str:
    price = prices.get(price_id) or {}
    if price.get("lookup_key") and price.get("active"):
        return LOOKUP_PREFIX + str(price["lookup_key"])
    return price_id


def _products(entries: tuple[model.ProductEntry, ...],
              prices: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for entry in entries:
        written = [_price_text(p, prices) for p in entry.prices]
        item: dict[str, Any] = {}
        if not all(p.startswith(LOOKUP_PREFIX) for p in written):
            item["product"] = entry.product  # raw IDs: say the product, no lookup needed
        item["prices"] = sorted(written)
        if entry.quantity != model.Quantity():
            quantity = {k: v for k, v in entry.quantity._asdict().items() if v is not None}
            item["adjustable_quantity"] = quantity
        out.append(item)
    return out


def file_data(obj: Mapping[str, Any], env: str,
              prices: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """What a person would write for this configuration: non-default values only."""
    data: dict[str, Any] = {}
    if obj.get("is_default"):
        data["default"] = True
    data["ids"] = {env: obj["id"]}
    state, defaults = model.canonical(obj), model.canonical({})
    for f in model.fields():
        value = state[f.path]
        if value == defaults[f.path]:
            continue
        written = (_products(value, prices) if f.kind == "products"
                   else model.to_param(f.path, value))
        model.set_path(data, f.parts, written)
    metadata = {k: v for k, v in (obj.get("metadata") or {}).items()
                if k not in model.IDENTITY_KEYS}
    if metadata:
        data["metadata"] = metadata
    return data


def render(data: Mapping[str, Any]) -> str:
    order = ["default", "ids", "name", "default_return_url", "business_profile", "login_page",
             "features", "metadata"]
    ordered = {k: data[k] for k in order if k in data}
    body = yaml.safe_dump(ordered, sort_keys=False, default_flow_style=False, allow_unicode=True)
    # Raw price IDs differ between test and live: say so where they stand.
    body = re.sub(r"^(\s*- )(price_\w+)$", rf"\1\2  # {RAW_ID_NOTE}", body, flags=re.MULTILINE)
    header = ("# Written by `portal-config import`: only values that differ from Stripe's "
              "defaults.\n")
    return header + body


def build_files(configs: list[Mapping[str, Any]], env: str, key_from: str,
                include_inactive: bool,
                prices: Mapping[str, Mapping[str, Any]]) -> list[ImportedFile]:
    taken: set[str] = set()
    files = []
    # The default first, then oldest first, so keys are stable from one import to the next.
    ordered = sorted(configs, key=lambda c: (not c.get("is_default"), c.get("created", 0), c["id"]))
    for obj in ordered:
        if obj.get("application") or (not obj.get("active", True) and not include_inactive):
            continue
        key = key_for(obj, key_from, taken)
        files.append(ImportedFile(key, obj["id"], render(file_data(obj, env, prices))))
    return files


def price_ids(configs: list[Mapping[str, Any]]) -> list[str]:
    ids = {p for c in configs for e in model.canonical(c)[model.PRODUCTS]
           for p in e.prices}
    return sorted(ids)


def write_files(files: list[ImportedFile], out_dir: Path, force: bool) -> list[Path]:
    paths = [out_dir / f"{f.key}.yaml" for f in files]
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        raise PortalConfigError(
            f"{len(existing)} file(s) already exist ({', '.join(str(p) for p in existing)}): "
            "nothing was written. Use --out DIR for another folder, or --force to overwrite.")
    out_dir.mkdir(parents=True, exist_ok=True)
    for f, path in zip(files, paths):
        path.write_text(f.text, encoding="utf-8")
    return paths
