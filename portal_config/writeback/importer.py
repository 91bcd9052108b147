"""Existing configurations -> configuration files, in the format people write by hand.

Only values that differ from Stripe's defaults are written (so `plan` right after shows no
changes), prices as `lookup_key:K` where an active price has one, products left for the prices to
determine, and `ids: {ENV: bpc_...}` pinned. A value that looks like a key is never written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import PortalConfigError
from ..jsontypes import Data
from ..masking import find_keys
from ..pipeline.prices import written_as
from ..portal import identity, model, openapi, payload
from ..project import paths
from ..project.limits import shorten
from ..project.schema import dotted
from ..project.variables import as_written
from ..project.yaml_messages import RARE_BREAK
from .yamledit import Editor

RAW_ID_NOTE = "no lookup key: this ID exists only in this account and mode"
MAX_KEY_LENGTH = 100  # what a key may be (schema.NAME_PATTERN)


@dataclass(frozen=True)
class ImportedFile:
    key: str
    config_id: str
    text: str


def key_source(obj: Mapping[str, Any], key_from: str, project: str) -> tuple[str, str]:
    """The key a file for `obj` starts from, and the field it comes from (a refusal names it)."""
    ours = identity.project_key(obj, project)
    if ours:
        # One this project created: keep its key, or other environments would create another.
        return ours, f"metadata.{identity.KEY}"
    if identity.is_default(obj) and key_from == "name" and not obj.get("name"):
        return identity.DEFAULT_NAME, identity.DEFAULT_FLAG
    if key_from == "name" and obj.get("name"):
        slug = re.sub(r"[^a-z0-9]+", "-", _plain(str(obj["name"])).lower()).strip("-")
        if slug:
            return slug[: MAX_KEY_LENGTH - 4].rstrip("-"), "name"  # room for a -N suffix
    return str(obj["id"]), "id"


def _plain(text: str) -> str:
    """Letters without their accents ("Café" -> "Cafe"): NFKD splits each into its letter and
    combining marks (https://unicode.org/reports/tr15/), which are dropped."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def key_for(obj: Mapping[str, Any], key_from: str, taken: set[str], project: str) -> str:
    """A free key for `obj`'s file (`-2`, `-3`, ... when taken). `default` is the default's
    alone (`ids` lists the default so): another configuration named "Default" gets `default-2`."""
    base, source = key_source(obj, key_from, project)
    reserved = {identity.DEFAULT_NAME} if source == "name" and not identity.is_default(obj) else ()
    key, n = base, 2
    while key in taken or key in reserved:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def written_products(
    entries: tuple[model.ProductEntry, ...], prices: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Products as a file writes them (import and pull): prices by lookup key where an active
    price has one, the product only where a raw ID needs it."""
    out = []
    for entry in entries:
        written = [written_as(p, prices) for p in entry.prices]
        item: dict[str, Any] = {}
        if not all(p.startswith(model.LOOKUP_PREFIX) for p in written):
            item["product"] = entry.product  # raw IDs: say the product, no lookup needed
        item["prices"] = sorted(written)
        if entry.quantity != model.Quantity():
            quantity = {k: v for k, v in entry.quantity._asdict().items() if v is not None}
            item["adjustable_quantity"] = quantity
        out.append(item)
    return out


def file_data(
    obj: Mapping[str, Any],
    env: str,
    prices: Mapping[str, Mapping[str, Any]],
    variables: Mapping[str, str],
) -> dict[str, Any]:
    """What a person would write for this configuration: non-default values only."""
    data: dict[str, Any] = {}
    if identity.is_default(obj):
        data["default"] = True
    data["ids"] = {env: obj["id"]}
    if not obj.get("active", True):
        data["active"] = False
    state, defaults = model.canonical(obj), model.canonical({})
    for f in model.fields():
        value = state[f.path]
        if value == defaults[f.path]:
            continue
        written = (
            written_products(value, prices)
            if f.kind == "products"
            else model.to_param(f.path, value)
        )
        model.set_path(data, f.parts, as_written(written, variables))
    # An object that is written needs the fields Stripe requires with it (`duration.type`, ...).
    payload.fill_required(data, openapi.create_schema(), state)
    metadata = identity.without_identity(obj.get("metadata"))
    if metadata:
        data["metadata"] = as_written(metadata, variables)
    return data


class _Dumper(yaml.SafeDumper):
    """Text holding a line break YAML 1.1 and 1.2 read otherwise goes in double quotes, where
    PyYAML escapes it (\\L, \\N, \\P): raw, validate refuses it (loader.py). A short list of
    plain values is written on one line, as people write it, unless it holds a raw price ID,
    whose note goes on its own line."""


FLOW_WIDTH = 60  # a list longer than this as `[a, b]` goes one item to a line


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if RARE_BREAK.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    plain = all(isinstance(v, (str, int, float, bool)) for v in value)
    short = len(", ".join(map(str, value))) <= FLOW_WIDTH
    raw_price = any(isinstance(v, str) and v.startswith("price_") for v in value)
    flow = bool(value) and plain and short and not raw_price
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _list)

# The tool's own keys, then the name (the file's title); every other field in the API's order
# (alphabetical, as Stripe's OpenAPI spec and its answers list them), `enabled` first in each
# object, so a feature's switch is read before its settings.
LEADING = ("default", "ids", "active", "name")


def _api_order(value: Data) -> Data:
    if isinstance(value, dict):
        return {k: _api_order(value[k]) for k in sorted(value, key=lambda k: (k != "enabled", k))}
    if isinstance(value, list):
        return [_api_order(v) for v in value]
    return value


def render(data: Mapping[str, Any]) -> str:
    ordered = {k: data[k] for k in LEADING if k in data}
    ordered.update(_api_order({k: v for k, v in data.items() if k not in LEADING}))
    body = yaml.dump(
        ordered, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True
    )
    # Raw price IDs differ between test and live: say so where they stand.
    body = re.sub(r"^(\s*- )(price_\w+)$", rf"\1\2  # {RAW_ID_NOTE}", body, flags=re.MULTILINE)
    header = (
        "# Written by `portal-config import`: only values that differ from Stripe's defaults.\n"
    )
    return header + body


def importable(
    configs: Sequence[Mapping[str, Any]], include_inactive: bool
) -> list[Mapping[str, Any]]:
    """Another application's configurations are never managed; inactive ones only on request.
    The default first, then oldest first, so keys are stable from one import to the next."""
    kept = [
        c
        for c in configs
        if not c.get("application") and (c.get("active", True) or include_inactive)
    ]
    return sorted(kept, key=lambda c: (identity.default_first(c), c.get("created", 0), c["id"]))


def only(configs: Sequence[Mapping[str, Any]], config_id: str, env: str) -> list[Mapping[str, Any]]:
    """`import --id`: that configuration alone, or a refusal saying why there is none."""
    found = [c for c in configs if c["id"] == config_id]
    if not found:
        raise PortalConfigError(
            f"{shorten(config_id)} is no configuration portal-config may import in {env} (not "
            "there, or another Connect application's): nothing was written. Check the ID "
            "and the environment's mode (test IDs do not exist in live mode)."
        )
    return found


def keys_in(data: Data, path: tuple[str | int, ...] = ()) -> list[tuple[str, str]]:
    """(field path, key prefix) of every string in `data`, mapping keys included, that holds
    something like a Stripe key."""
    if isinstance(data, str):
        return [(dotted(path), prefix) for prefix in find_keys(data)]
    found: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for name, value in data.items():
            # a name is said by where it is: saying the name would print the key
            found += [(f"{dotted(path)} (a name in it)", p) for p in find_keys(str(name))]
            found += keys_in(value, (*path, name))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += keys_in(value, (*path, index))
    return found


def _refuse_keys(found: list[tuple[str, str, str]]) -> None:
    """Stop before any file is written: a key in a file ends up committed. Say where, never
    the value (not even masked: the prefix is enough to find it)."""
    if not found:
        return
    where = "; ".join(
        f"{config_id} {path} holds what looks like a Stripe key ({prefix}...)"
        for config_id, path, prefix in found
    )
    raise PortalConfigError(
        f"{where}. Keys never belong in files: nothing was written. Clear the value in the "
        "Dashboard (and roll the key if it is a real one), then import again."
    )


def build_files(
    configs: list[Mapping[str, Any]],
    env: str,
    key_from: str,
    project: str,
    prices: Mapping[str, Mapping[str, Any]],
    variables: Mapping[str, str],
    taken: set[str] | None = None,
) -> list[ImportedFile]:
    """`taken`: keys no file may get (the project file's name). Refused as a whole when a value
    to be written looks like a key."""
    taken = set(taken or ())
    files, found, unsafe = [], [], []
    for obj in configs:
        key, source = key_for(obj, key_from, taken, project), key_source(obj, key_from, project)[1]
        data = file_data(obj, env, prices, variables)
        found += [(obj["id"], p, prefix) for p, prefix in keys_in(data)]
        # the file's name: from the name (a slug cannot look like a key) or this metadata key
        found += [(obj["id"], source, p) for p in find_keys(key)]
        why = paths.file_name_problem(key)
        if why:
            unsafe.append(
                f"{shorten(str(obj['id']))} {source} '{shorten(key)}' cannot name a file: {why}"
            )
        files.append(ImportedFile(key, obj["id"], render(data)))
    _refuse_keys(found)
    if unsafe:
        # Metadata anyone with the Dashboard can set: it never chooses where a file goes.
        raise PortalConfigError(
            f"a file's name comes from its key: {'; '.join(unsafe)}. Nothing was written: "
            "correct it in the Dashboard, then import again."
        )
    return files


def price_ids(configs: list[Mapping[str, Any]]) -> list[str]:
    ids = {p for c in configs for e in model.canonical(c)[model.PRODUCTS] for p in e.prices}
    return sorted(ids)


def pin(path: Path, env: str, config_id: str) -> None:
    """Pin `config_id` as `ids.ENV` on an existing file, edited in place (yamledit: comments,
    order and style kept), never through a symbolic link."""
    editor = Editor(path)
    editor.set(("ids", env), config_id)
    paths.write_new_or_replace(path, editor.text())


def write_files(files: list[ImportedFile], out_dir: Path, force: bool) -> list[Path]:
    targets = [out_dir / f"{f.key}.yaml" for f in files]  # build_files checked each key
    links = [p for p in targets if p.is_symlink()]
    if links:
        raise PortalConfigError(
            f"{', '.join(str(p) for p in links)}: a symbolic link, which import never writes "
            "through (it could point anywhere): nothing was written. Remove it, then import again."
        )
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise PortalConfigError(
            f"{len(existing)} file(s) already exist ({', '.join(str(p) for p in existing)}): "
            "nothing was written. Use --out DIR for another folder, or --force to overwrite."
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    for f, path in zip(files, targets, strict=True):
        paths.write_new_or_replace(path, f.text)
    return targets
