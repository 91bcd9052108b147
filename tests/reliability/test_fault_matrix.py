"""The fault matrix: generated scenarios (a few files, an account as an earlier apply left it,
and a script of faults) in which apply runs again and again until it succeeds, bounded.

Each scenario is built from a random generator seeded by its number, so a failure names the
scenario that reproduces it. 200 run by default; PORTAL_CONFIG_FAULT_SCENARIOS raises the count
(PORTAL_CONFIG_FAULT_FIRST picks the first number). Checked after every run: no traceback, an exit
of 0 or 1, and a failed run says what was and was not written (and Stripe agrees); at the end:
Stripe as the files say (plan --detailed-exitcode exits 0), no configuration twice, and every
write carried an idempotency key of the tool's.
"""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Project
from tests.e2e.stripe_state import LIVE_KEY, TEST_KEY
from tests.support.cli import Result

SCENARIOS = int(os.environ.get("PORTAL_CONFIG_FAULT_SCENARIOS", "200"))
FIRST = int(os.environ.get("PORTAL_CONFIG_FAULT_FIRST", "0"))
MAX_RUNS = 6
LIST = "/v1/billing_portal/configurations"
IDENTITY = ("portal_config_project", "portal_config_env", "portal_config_key")

# Faults by where they make sense: any request, a write only, a list only.
ANY_REQUEST = [
    {"status": 500},
    {"status": 503},
    {"status": 500, "should_retry": False},
    {"status": 503, "should_retry": False},
    {"status": 429},
    {"status": 429, "should_retry": True},
    {"status": 429, "should_retry": False},
    {"drop": True},
    {"body": "truncated"},
    {"body": "cut"},
    {"body": "empty"},
]
WRITE_ONLY = [
    {"status": 500, "should_retry": False, "remembered": True},
    {"status": 503, "remembered": True},
    {"drop": True, "remembered": True},
    {"body": "dropped"},
    {"answer": {"object": "billing_portal.configuration"}},
    {"body": "items_without_id"},
]
READ_ONLY = [
    {"body": "no_data"},
    {"body": "items_without_metadata"},
    {"body": "items_without_id"},
    {"answer": []},
    {"answer": {"data": "oops"}},
]
# (method, path_prefix): every request, the list (and retrieves), one configuration, creates
# (and updates), updates.
TARGETS = [(None, None), ("GET", LIST), ("GET", f"{LIST}/"), ("POST", LIST), ("POST", f"{LIST}/")]
VARIANTS = [
    {"name": "Basic", "features": {"invoice_history": {"enabled": True}}},
    {
        "name": "Support",
        "default_return_url": "https://staging.example.com/account",
        "features": {
            "invoice_history": {"enabled": True},
            "customer_update": {"enabled": True, "allowed_updates": ["email", "address"]},
        },
    },
    {
        "name": "Billing",
        "business_profile": {"headline": "Acme billing"},
        "features": {"payment_method_update": {"enabled": True}},
        "metadata": {"team": "billing"},
    },
    {
        "features": {
            "subscription_cancel": {"enabled": True, "mode": "immediately"},
            "invoice_history": {"enabled": False},
        }
    },
]


@dataclass
class Scenario:
    number: int
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> the file's data
    stripe: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> what Stripe holds
    faults: list[dict[str, Any]] = field(default_factory=list)
    failure_rate: float = 0.0  # random 500s in the first run
    should_retry: bool | None = None
    timeout: str = "30"

    def __str__(self) -> str:
        return (
            f"scenario {self.number} (PORTAL_CONFIG_FAULT_FIRST={self.number} "
            f"PORTAL_CONFIG_FAULT_SCENARIOS=1): files {sorted(self.files)}, Stripe "
            f"{sorted(self.stripe)}, faults {self.faults}, failure rate {self.failure_rate}"
        )


def _fault(rng: random.Random) -> dict[str, Any]:
    kind = rng.choices(["any", "write", "read"], weights=[4, 3, 3])[0]
    if kind == "any":
        method, path = rng.choice(TARGETS)
        return {**rng.choice(ANY_REQUEST), "method": method, "path_prefix": path}
    if kind == "write":
        return {
            **rng.choice(WRITE_ONLY + ANY_REQUEST[:8]),
            "method": "POST",
            "path_prefix": rng.choice([LIST, f"{LIST}/"]),
        }
    return {**rng.choice(READ_ONLY), "method": "GET", "path_prefix": LIST}


def scenario(number: int) -> Scenario:
    rng = random.Random(f"portal-config fault matrix {number}")
    s = Scenario(number)
    for index in range(rng.randint(1, 4)):
        key = f"portal{index}"
        wanted = dict(rng.choice(VARIANTS))
        state = rng.choice(["new", "new", "changed", "same", "retired"])
        if state != "new":
            s.stripe[key] = (
                wanted
                if state != "changed"
                else rng.choice([v for v in VARIANTS if v is not wanted])
            )
        if state == "retired":
            wanted = {**wanted, "active": False}
        s.files[key] = wanted
    if rng.random() < 0.06:  # a server that pages for ever, in the first run only
        s.faults = [{"has_more_forever": True, "path_prefix": LIST}]
    else:
        s.faults = [_fault(rng) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.15:
        s.faults.append({"drip_seconds": 0.05, "method": rng.choice(["GET", "POST"])})
        s.timeout = "0.3"
    if rng.random() < 0.2:
        s.failure_rate = rng.choice([0.1, 0.2, 0.3])
        s.should_retry = rng.choice([None, False])
    return s


def _yaml(data: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=True)


def state(emulator: Any) -> list[dict[str, Any]]:
    """Stripe's configurations, read in-process: faults and random failures do not apply."""
    listed = emulator.api.call("GET", LIST, {"limit": 100})
    return list(listed["data"])


def ours(emulator: Any) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for c in state(emulator):
        identity = tuple((c.get("metadata") or {}).get(k) for k in IDENTITY)
        if identity[:2] == ("acme", "staging"):
            found.setdefault(str(identity[2]), []).append(c)
    return found


@pytest.fixture(scope="module")
def shared_emulator() -> Iterator[Any]:
    from portal_config.emulator import Emulator

    emu = Emulator()
    emu.start(host="127.0.0.1", port=0)
    try:
        yield emu
    finally:
        emu.stop()


def _set_up(s: Scenario, emulator: Any, root: Path) -> Project:
    emulator.reset()
    for key, data in s.stripe.items():
        metadata = {
            **data.get("metadata", {}),
            **dict(zip(IDENTITY, ("acme", "staging", key), strict=True)),
        }
        emulator.api.call("POST", LIST, {**data, "metadata": metadata})
    project = Project(root, emulator)
    for key, data in s.files.items():
        project.write(f"{key}.yaml", _yaml(data))
    emulator.faults.script(s.faults)
    emulator.faults.reseed(s.number)
    emulator.faults.failure_rate = s.failure_rate
    emulator.faults.failure_should_retry = s.should_retry
    return project


PLANNED = re.compile(
    r"^[+~-] (\S+)(?: \(bpc_\w+\))? in staging will be (created|updated|adopted|"
    r"DEACTIVATED)",
    re.M,
)
ACTIONS = {
    "created": "create",
    "updated": "update",
    "adopted": "adopt",
    "DEACTIVATED": "deactivate",
}


def _check_run(s: Scenario, result: Result, writes: list[Any], emulator: Any) -> None:
    assert "Traceback" not in result.output and "Internal error" not in result.output, (
        f"{s}\n{result.output}"
    )
    assert result.exit_code in (0, 1), f"{s}\n{result.output}"
    if result.exit_code == 0:
        return
    if "Apply incomplete: " not in result.stdout:  # stopped before writing: it must say where
        assert "Error: environment 'staging': " in result.stderr, f"{s}\n{result.output}"
        assert writes == [], f"{s}: a failed plan wrote\n{result.output}"
        return
    assert "Rejected: " not in result.stdout, f"{s}: the files are valid\n{result.output}"
    held = ours(emulator)
    for key, action in ((k, ACTIONS[a]) for k, a in PLANNED.findall(result.stdout)):
        done = re.search(rf"^  {key} \(bpc_\w+\) in staging: {action}d$", result.stderr, re.M)
        told = re.search(
            rf"^(Failed|Uncertain|Not run|Not written|Unconfirmed): "
            rf"{action} {key} \(",
            result.stdout,
            re.M,
        )
        assert done or told, f"{s}: nothing says what became of {action} {key}\n{result.output}"
        if action == "create" and done:
            assert key in held, f"{s}: {key} reported created, not in Stripe\n{result.output}"
        if action == "create" and told and told[1] in ("Failed", "Not run"):
            assert key not in held, f"{s}: {key} reported not created, in Stripe"


@pytest.mark.parametrize("number", range(FIRST, FIRST + SCENARIOS))
def test_repeated_applies_converge_under_faults(
    number: int, shared_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", TEST_KEY)
    monkeypatch.setenv("PORTAL_CONFIG_E2E_LIVE_KEY", LIVE_KEY)
    s = scenario(number)
    emulator = shared_emulator
    project = _set_up(s, emulator, tmp_path)
    for run in range(MAX_RUNS):
        seen = len(emulator.request_log)
        result = project.run("apply", "--env", "staging", "--timeout", s.timeout)
        writes = [r for r in emulator.request_log[seen:] if r.method == "POST"]
        _check_run(s, result, writes, emulator)
        if run == 0:  # random failures and a server paging for ever: the first run only
            emulator.faults.failure_rate = 0.0
            if s.faults and s.faults[0].get("has_more_forever"):
                emulator.faults.clear()
        if result.exit_code == 0:
            break
    assert result.exit_code == 0, f"{s}: no convergence in {MAX_RUNS} runs\n{result.output}"
    emulator.faults.clear()
    final = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert final.exit_code == 0, f"{s}\n{final.output}"
    held = ours(emulator)
    assert Counter({k: len(v) for k, v in held.items()}) == Counter(
        {k: 1 for k in s.files if k in s.stripe or s.files[k].get("active", True)}
    ), str(s)
    keys = [r.idempotency_key for r in emulator.request_log if r.method == "POST"]
    assert all(k and k.startswith("portal-config-") for k in keys), f"{s}: {keys}"
