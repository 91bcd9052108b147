"""Request budgets, counted in the emulator's request log: a plan sends ceil(n/100) list pages
plus ceil(lookup keys/10) price requests and nothing else; an apply adds at most 2 requests per
change however large the account; several changes are written side by side."""

from __future__ import annotations

import copy
import math
from collections import Counter
from typing import Any

from .traffic import watch

CONFIGURATIONS = "/v1/billing_portal/configurations"
PRODUCTS = 6  # two prices each: 12 lookup keys, two price requests
SEED = {
    "products": [
        {
            "name": f"Plan {i}",
            "prices": [
                {
                    "lookup_key": f"plan{i}_monthly",
                    "unit_amount": 1000 + i,
                    "recurring": {"interval": "month"},
                },
                {
                    "lookup_key": f"plan{i}_yearly",
                    "unit_amount": 10000 + i,
                    "recurring": {"interval": "year"},
                },
            ],
        }
        for i in range(PRODUCTS)
    ]
}
PRICED = (
    "name: Priced\nfeatures:\n  subscription_update:\n    enabled: true\n"
    "    default_allowed_updates: [price]\n    products:\n"
    + "".join(
        f"      - prices: [lookup_key:plan{i}_monthly, lookup_key:plan{i}_yearly]\n"
        for i in range(PRODUCTS)
    )
)
PLAIN = "name: {name}\nfeatures:\n  invoice_history: {{enabled: true}}\n"


def fill(emulator: Any, count: int) -> None:
    """`count` unmanaged configurations, straight into the store (as benchmarks/emulated.py
    does): one validated create, then copies with fresh IDs, older than anything made later."""
    answer = emulator.api.call(
        "POST",
        CONFIGURATIONS,
        {"features": {"invoice_history": {"enabled": True}}, "metadata": {"owner": "dashboard"}},
    )
    with emulator.store.lock:
        configurations = emulator.store.account("test", None).configurations
        template = configurations.pop(answer["id"])  # as stored (an answer leaves out products)
        copies = {}
        for i in range(count):
            config = copy.deepcopy(template)
            config["id"] = f"bpc_1filler{i:019d}"
            config["created"] = config["updated"] = template["created"] - count + i
            copies[config["id"]] = config
        # older than the configurations already there (the store keeps creation order)
        rest = dict(configurations)
        configurations.clear()
        configurations.update(copies)
        configurations.update(rest)


def requests_by_endpoint(emulator: Any) -> Counter[str]:
    return Counter(f"{r.method} {'/'.join(r.path.split('/')[:4])}" for r in emulator.request_log)


def test_a_plan_sends_one_page_per_100_and_one_price_request_per_10_keys(project) -> None:
    project.emulator.seed(copy.deepcopy(SEED), mode="test")
    project.write("priced.yaml", PRICED)
    for i in range(3):
        project.write(f"plain{i}.yaml", PLAIN.format(name=f"Plain {i}"))
    assert project.run("apply", "--env", "staging").exit_code == 0
    fill(project.emulator, 250)
    project.emulator.clear_log()
    result = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    pages, price_requests = math.ceil(254 / 100), math.ceil(2 * PRODUCTS / 10)
    assert requests_by_endpoint(project.emulator) == {
        "GET /v1/billing_portal/configurations": pages,
        "GET /v1/prices": price_requests,
    }


def test_an_apply_adds_at_most_two_requests_per_change_on_an_account_of_1000(project) -> None:
    for key in ("kept", "renamed", "retired"):
        project.write(f"{key}.yaml", PLAIN.format(name=key))
    assert project.run("apply", "--env", "staging").exit_code == 0
    fill(project.emulator, 1000 - 3)
    project.write("renamed.yaml", PLAIN.format(name="Renamed"))
    project.write("retired.yaml", "active: false\n" + PLAIN.format(name="retired"))
    for i in range(5):
        project.write(f"new{i}.yaml", PLAIN.format(name=f"New {i}"))
    project.emulator.clear_log()
    result = project.run("apply", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert "Apply complete: 5 created, 1 updated, 1 deactivated." in result.stdout
    plan_requests = math.ceil(1000 / 100)  # no lookup keys: no price request
    assert len(project.emulator.request_log) <= plan_requests + 2 * 7
    by_endpoint = requests_by_endpoint(project.emulator)
    assert by_endpoint["POST /v1/billing_portal/configurations"] == 7
    assert project.run("plan", "--env", "staging", "--detailed-exitcode").exit_code == 0


def test_several_changes_are_written_side_by_side(project) -> None:
    for i in range(6):
        project.write(f"new{i}.yaml", PLAIN.format(name=f"New {i}"))
    traffic = watch(project.emulator, "POST")
    project.emulator.faults.latency = 0.1
    result = project.run("apply", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert traffic.peak >= 2
    # ...and reported in plan order, one line each
    created = [line.split()[0] for line in result.stderr.splitlines() if "created" in line]
    assert created == [f"new{i}" for i in range(6)]


def test_parallelism_1_writes_one_at_a_time(project) -> None:
    for i in range(3):
        project.write(f"new{i}.yaml", PLAIN.format(name=f"New {i}"))
    traffic = watch(project.emulator, "POST")
    project.emulator.faults.latency = 0.05
    result = project.run("apply", "--env", "staging", "--parallelism", "1")
    assert result.exit_code == 0, result.output
    assert traffic.peak == 1
