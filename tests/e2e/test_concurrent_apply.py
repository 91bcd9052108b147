"""Two deploys at once, from two checkouts whose file differs in one value: Stripe's idempotency
layer (one key per identity, whatever the content) lets one create through; the other is told
the configuration was created meanwhile and changes nothing; each checkout's next plan agrees
with what Stripe holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from .stripe_state import configurations

C0 = """\
key: c0
name: Race
business_profile: {{headline: "{headline}"}}
features:
  invoice_history: {{enabled: true}}
"""
TRIALS = 8
# Each create waits this long in front of the API: both applies have listed and re-checked by
# then, so every trial is a race (the one a slow network makes rare but real).
CREATE_DELAY = 0.6
CREATED_MEANWHILE = "created meanwhile"


def checkout(root: Path, project: Any, headline: str) -> Path:
    """Another clone of `project`'s repository, whose c0.yaml says `headline`."""
    root.mkdir()
    (root / "portal-config.yaml").write_text((project.configs / "portal-config.yaml").read_text())
    (root / "c0.yaml").write_text(C0.format(headline=headline))
    return root


def start(folder: Path, *args: str) -> subprocess.Popen[str]:
    """`portal-config --config FOLDER ARGS` in a process of its own, as a CI job runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "portal_config", "--config", str(folder), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def at_once(folders: list[Path], *args: str) -> list[tuple[int, str, str]]:
    """The command run from each folder at the same time: (exit code, stdout, stderr) each."""
    runs = [start(folder, *args) for folder in folders]
    return [(p.wait(timeout=30), *p.communicate()) for p in runs]


def test_two_checkouts_applying_at_once_create_one_configuration(project, tmp_path) -> None:
    a = checkout(tmp_path / "a", project, "From checkout A")
    b = checkout(tmp_path / "b", project, "From checkout B")
    for trial in range(TRIALS):
        project.emulator.reset()
        hold = {"method": "POST", "path_prefix": "/v1/billing_portal/configurations"}
        project.emulator.faults.script([{**hold, "delay_seconds": CREATE_DELAY}] * 2)
        results = at_once([a, b], "apply", "--env", "staging")
        made = configurations(project)
        assert len(made) == 1, (trial, [c["id"] for c in made], results)
        winners = [r for r in results if r[0] == 0]
        losers = [r for r in results if r[0] != 0]
        assert len(winners) == 1 and len(losers) == 1, (trial, results)
        assert "Apply complete: 1 created" in winners[0][1], results
        code, stdout, stderr = losers[0]
        assert code == 1 and "Traceback" not in stderr, losers
        assert f"c0 (new) in staging was {CREATED_MEANWHILE}" in stdout + stderr, losers
        assert "Run plan again" in stdout, losers
        # each checkout's next plan reads what Stripe holds: in sync, or an update of that one
        plans = dict(
            zip(
                (a, b),
                at_once([a, b], "plan", "--env", "staging", "--detailed-exitcode"),
                strict=True,
            )
        )
        won = a if "From checkout A" in made[0]["business_profile"]["headline"] else b
        lost = b if won is a else a
        assert plans[won][0] == 0, plans[won]
        code, text, _ = plans[lost]
        assert code == 2 and f"~ c0 ({made[0]['id']})" in text and "+ c0" not in text, text


def test_an_edit_after_a_failed_create_creates_once_under_the_next_key(project) -> None:
    project.write("c0.yaml", C0.format(headline="First"))
    project.emulator.faults.script(
        [{"status": 500, "should_retry": False, "method": "POST", "remembered": True}]
    )
    first = project.run("apply", "--env", "staging")
    assert first.exit_code == 1 and "Failed: create c0" in first.stdout
    # within Stripe's 24 hours the identity's key holds that failure, for other parameters
    project.write("c0.yaml", C0.format(headline="Edited"))
    edited = project.run("apply", "--env", "staging")
    assert edited.exit_code == 0, edited.output
    posts = [w for w in project.writes() if w.path == "/v1/billing_portal/configurations"]
    assert [w.status for w in posts] == [500, 400, 200]
    assert posts[0].idempotency_key == posts[1].idempotency_key != posts[2].idempotency_key
    (made,) = configurations(project)
    assert made["business_profile"]["headline"] == "Edited"
    assert project.run("plan", "--env", "staging", "--detailed-exitcode").exit_code == 0
