"""A connected account whose answers never come (a hung or dripping network path to it) fails
alone: plan, apply, ids and doctor over the fleet end within `--timeout`, the other accounts
done, the silent one named, exit 1. When no account answers at all, the network is at fault and
the run stops after the first few, as for any failure every account would meet."""

from __future__ import annotations

import time

import pytest

from .fleets import TENANT, fleet
from .stripe_state import configurations

TIMEOUT = "0.5"
# How the silent account's requests meet the emulator: held longer than --timeout before any
# answer, or an answer sent a byte at a time (faults.py). Either models a slow network path.
SILENT = {"silent": {"delay_seconds": 10}, "dripping": {"drip_seconds": 0.3}}
LISTING = {"method": "GET", "path_prefix": "/v1/billing_portal/configurations"}


def silence(project, account: str | None, how: str, requests: int = 4) -> None:
    """The account's next `requests` listings of configurations (every account's: None) do not
    answer in time."""
    whose = {} if account is None else {"account": account}
    project.emulator.faults.script([{**LISTING, **whose, **SILENT[how]}] * requests)


def timed(project, *args: str):
    started = time.monotonic()
    result = project.run(*args, "--env", "fleet", "--timeout", TIMEOUT)
    return result, time.monotonic() - started


@pytest.mark.behaviours("documented")
@pytest.mark.parametrize("how", sorted(SILENT))
def test_a_silent_account_fails_alone_in_plan_apply_ids_and_doctor(project, how: str) -> None:
    kept = fleet(project, size=6, others=0)
    silent = kept[2]
    siblings = [a for a in kept if a != silent]

    silence(project, silent, how)
    applied, seconds = timed(project, "apply")
    assert applied.exit_code == 1 and seconds < 8, applied.output
    assert "Apply complete: 5 created" in applied.stdout, applied.output
    assert f"account {silent}: " in applied.output and "within 0.5 s" in applied.output
    assert "Fleet fleet: 6 account(s): 0 in sync, 5 with changes, 1 failed" in applied.stdout
    assert f"nothing written to them: fleet/{silent}" in applied.stderr
    assert all(len(configurations(project, account=a)) == 1 for a in siblings)
    assert configurations(project, account=silent) == []

    project.emulator.faults.clear()
    assert project.run("apply", "--env", "fleet").exit_code == 0  # the path is back
    project.write("tenant.yaml", TENANT.replace("{enabled: true}", "{enabled: false}"))

    silence(project, silent, how)
    planned, seconds = timed(project, "plan")
    assert planned.exit_code == 1 and seconds < 8, planned.output
    assert "Fleet fleet: 6 account(s): 0 in sync, 5 with changes, 1 failed" in planned.stdout
    assert f"account {silent}: " in planned.output and "Traceback" not in planned.output

    project.emulator.faults.clear()
    silence(project, silent, how)
    listed, seconds = timed(project, "ids")
    assert listed.exit_code == 1 and seconds < 8, listed.output
    assert {line.split()[0] for line in listed.stdout.splitlines()} == set(siblings)
    assert f"account {silent}: " in listed.output

    project.emulator.faults.clear()
    silence(project, silent, how)
    examined, seconds = timed(project, "doctor")
    assert examined.exit_code == 1 and seconds < 8, examined.output
    assert silent in examined.output and "Traceback" not in examined.output


@pytest.mark.behaviours("documented")
def test_when_no_account_answers_the_run_stops_after_the_first_few(project) -> None:
    fleet(project, size=20, others=0)
    silence(project, None, "silent", requests=20)
    result, seconds = timed(project, "plan")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no account of the fleet answered" in result.output, result.output
    assert seconds < 4, seconds  # not 20 accounts one timeout after another
    listed = [r for r in project.emulator.request_log if "portal" in r.path]
    assert len(listed) < 20


@pytest.mark.behaviours("documented")
def test_an_account_that_goes_silent_during_apply_costs_only_its_own_change(project) -> None:
    kept = fleet(project, size=6, others=0)
    silent = kept[-1]  # written first: Stripe lists accounts newest first
    # its listing for the plan answers; the re-check just before its create does not
    whose = {**LISTING, "account": silent}
    project.emulator.faults.script([{**whose, "delay_seconds": 0}, {**whose, **SILENT["silent"]}])
    applied, seconds = timed(project, "apply", "--parallelism", "1")  # it is the first written
    assert applied.exit_code == 1 and seconds < 8, applied.output
    assert "Apply incomplete: 5 created" in applied.stdout, applied.output
    assert f"Failed: create tenant (new) in fleet/{silent}: " in applied.stdout
    assert all(len(configurations(project, account=a)) == 1 for a in kept if a != silent)
    project.emulator.faults.clear()
    rerun = project.run("apply", "--env", "fleet")
    assert rerun.exit_code == 0 and "Apply complete: 1 created" in rerun.stdout, rerun.output
