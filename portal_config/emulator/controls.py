"""The emulator's own HTTP controls, for an emulator run as its own process (the same knobs the
Emulator object has in Python): GET /_emulator/requests, POST /_emulator/reset,
POST /_emulator/seed?mode=test[&account=acct_..] (JSON body: a SEED, or {"test": SEED, "live": SEED}
without ?mode), POST /_emulator/faults (JSON: {"script": [...], "latency_ms": n, "failure_rate":
0..1, "clear": true}; the script's faults, hostile answers included, are described in faults.py),
POST /_emulator/clock (JSON: {"offset_seconds": -7200}: what is made from now on was made two hours
ago)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import parse_qs

import yaml

from .api import Api
from .errors import EmulatorError
from .faults import Faults
from .seed import apply_seed, by_mode
from .server import WHOLE, Answer


class Knobs(Protocol):
    """What the controls turn: the Emulator (a protocol, so that this module does not import it)."""

    api: Api
    faults: Faults
    clock_offset: float

    @property
    def request_log(self) -> Sequence[Any]: ...

    def reset(self) -> None: ...


def answer(emulator: Knobs, method: str, path: str, query: str, raw: bytes) -> Answer:
    options = {k: v[-1] for k, v in parse_qs(query).items()}
    try:
        if (method, path) == ("GET", "/_emulator/requests"):
            data = [dataclasses.asdict(entry) for entry in emulator.request_log]
            return 200, {"object": "list", "data": data}, {}, WHOLE
        document = yaml.safe_load(raw or b"{}") or {}  # JSON, or YAML like --seed files
        if (method, path) == ("POST", "/_emulator/reset"):
            emulator.reset()
        elif (method, path) == ("POST", "/_emulator/seed"):
            seeds = {options["mode"]: document} if "mode" in options else by_mode(document)
            for mode, seed in seeds.items():
                apply_seed(emulator.api, seed, mode, options.get("account"))
        elif (method, path) == ("POST", "/_emulator/faults"):
            emulator.faults.configure(document)
        elif (method, path) == ("POST", "/_emulator/clock"):
            emulator.clock_offset = float(document["offset_seconds"])
        else:
            unknown = {
                "type": "invalid_request_error",
                "message": f"Unknown control endpoint {method} {path}",
            }
            return 404, {"error": unknown}, {}, WHOLE
    except (EmulatorError, ValueError, TypeError, KeyError, yaml.YAMLError) as exc:
        return 400, {"error": {"type": "invalid_request_error", "message": str(exc)}}, {}, WHOLE
    return 200, {"ok": True}, {}, WHOLE
