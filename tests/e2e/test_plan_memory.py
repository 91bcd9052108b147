"""Issue 24: a plan's memory per listed configuration. A text plan names the first 20
configurations no file claims and counts the rest (render/words.left_alone), so it keeps only
those 20 and a count: its memory grows by the few bytes of the pages' de-duplication per such
configuration (stripe_api/seen.py). `--format json` lists each by its name and ID, so it keeps
no more of each than its line needs: a few hundred bytes (~1.1 KB each, a record and a binding,
before)."""

from __future__ import annotations

import copy
import tracemalloc
from typing import Any

import pytest

from .conftest import Project
from .stripe_state import BASIC

# The growth of the plan's peak (tracemalloc) per unmanaged configuration. JSON: its lines of
# output (~130 bytes, held as chunks, joined, and encoded for the stream), the ID and name as
# read (~150), a tuple of them and the pages' de-duplication's entry. Text: that entry alone (8
# bytes, in a table at most 3/4 full that doubles as it fills) and noise: the emulator shares
# the process, so a page it is still encoding at the plan's peak (~180 KB), the cycles its
# requests leave while the plan's listing pauses the collector (~1 KB each: collector.paused)
# and Python's free list of tuples (up to 2,000) count too: ~60-90 bytes at 10,000 in all. The
# text plan kept each as JSON does (~250 bytes) before it counted them (shown.Unclaimed).
MOST_BYTES_EACH = {"json": 1000, "text": 120}
# How many more configurations the second plan lists: enough that the noise is spread thin.
MORE = {"json": 2000, "text": 10_000}


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


def _peak(project: Project, fmt: str) -> int:
    tracemalloc.start()
    try:
        result = project.run("plan", "--env", "staging", "--format", fmt)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    assert ("No changes" if fmt == "text" else '"has_changes": false') in result.stdout
    return peak


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_plan_holds_little_more_than_its_output_per_unmanaged_configuration(
    project: Project, fmt: str
) -> None:
    project.write("basic.yaml", BASIC)
    assert project.run("apply", "--env", "staging").exit_code == 0
    _fill(project.emulator, 500)
    project.run("plan", "--env", "staging", "--format", fmt)  # imports and caches first
    small = _peak(project, fmt)
    _fill(project.emulator, MORE[fmt])
    large = _peak(project, fmt)
    each = (large - small) / MORE[fmt]
    assert each <= MOST_BYTES_EACH[fmt], f"{each:.0f} bytes per unmanaged configuration"
