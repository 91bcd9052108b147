"""Issue 24: a plan's memory per listed configuration. A plan that is not saved shows each
configuration no file claims by its name and ID, and keeps no more of it than that line needs:
its memory grows by a few hundred bytes per such configuration (the ID, the name and the line
of output itself), not by a record and a binding of each (~1.1 KB each before)."""

from __future__ import annotations

import copy
import tracemalloc
from typing import Any

from .conftest import Project
from .stripe_state import BASIC

# The growth of the plan's peak (tracemalloc) per unmanaged configuration: the line of output
# (~75 bytes, written once to the stream and once joined), the ID and name as read (~150), a
# tuple of them and the page dedupe's entry.
MOST_BYTES_EACH = 400


def _fill(emulator: Any, count: int) -> None:
    """`count` more configurations made in the Dashboard, straight into the emulator's store
    (copies of one validated create: thousands of creates over HTTP would take minutes)."""
    made = emulator.api.call(
        "POST",
        "/v1/billing_portal/configurations",
        {"features": {"invoice_history": {"enabled": True}}},
    )
    store = emulator.store
    with store.lock:
        configurations = store.account("test", None).configurations
        template = configurations.pop(made["id"])
        for _ in range(count):
            config = copy.deepcopy(template)
            config["id"] = f"bpc_1Filler{len(configurations):07d}"
            config["name"] = f"Made in the Dashboard {len(configurations)}"
            configurations[config["id"]] = config


def _peak(project: Project) -> int:
    tracemalloc.start()
    try:
        result = project.run("plan", "--env", "staging")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    assert "No changes" in result.stdout
    return peak


def test_a_plan_holds_little_more_than_its_output_per_unmanaged_configuration(
    project: Project,
) -> None:
    project.write("basic.yaml", BASIC)
    assert project.run("apply", "--env", "staging").exit_code == 0
    _fill(project.emulator, 500)
    project.run("plan", "--env", "staging")  # imports and caches, before anything is measured
    small = _peak(project)
    _fill(project.emulator, 2000)
    large = _peak(project)
    each = (large - small) / 2000
    assert each <= MOST_BYTES_EACH, f"{each:.0f} bytes per unmanaged configuration"
