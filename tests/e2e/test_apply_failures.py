"""Failures during apply: retries, a failure part-way, the default that Stripe will not change,
a configuration changed between plan and write, and a re-run of the same plan."""

from __future__ import annotations

from portal_config.apply import apply_plan
from portal_config.pipeline import fanout, plan_target
from portal_config.project import config
from tests.support.emulator_process import hears_ctrl_c

from .stripe_state import BASIC, STANDARD, by_key, client, configurations


def test_a_500_is_retried_with_the_same_idempotency_key(project) -> None:
    project.write("basic.yaml", BASIC)
    project.emulator.faults.script([{"status": 500, "method": "POST"}])
    result = project.run("apply", "--env", "staging")
    assert result.exit_code == 0, result.output
    posts = project.writes()
    assert len(posts) == 2 and posts[0].idempotency_key == posts[1].idempotency_key
    assert posts[0].idempotency_key.startswith("portal-config-create-")
    assert len(configurations(project)) == 1


def test_a_429_is_retried_with_backoff(project) -> None:
    project.write("basic.yaml", BASIC)
    project.emulator.faults.script([{"status": 429, "method": "POST"}])
    result = project.run("apply", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert len(configurations(project)) == 1


def test_failure_part_way_reports_done_and_not_done_and_rerun_converges(project) -> None:
    project.write("basic.yaml", BASIC)
    project.write("standard.yaml", STANDARD)
    assert project.run("apply", "--env", "staging").exit_code == 0
    standard_id = by_key(project)["standard"]["id"]
    project.write("basic.yaml", BASIC.replace("Basic", "Basic 2"))
    project.write("standard.yaml", STANDARD.replace("Standard portal", "Standard 2"))
    project.emulator.faults.script(
        [
            {
                "status": 503,
                "should_retry": False,
                "method": "POST",
                "path_prefix": f"/v1/billing_portal/configurations/{standard_id}",
            }
        ]
    )
    result = project.run("apply", "--env", "staging")
    assert result.exit_code == 1
    assert "Apply incomplete: 0 created, 1 updated, 0 deactivated." in result.stdout
    assert f"Failed: update standard ({standard_id}) in staging" in result.stdout
    assert "Traceback" not in result.output
    state = by_key(project)
    assert state["basic"]["name"] == "Basic 2" and state["standard"]["name"] == "Standard portal"

    rerun = project.run("apply", "--env", "staging")
    assert rerun.exit_code == 0, rerun.output
    assert "Plan: 0 to create, 1 to update, 0 to deactivate." in rerun.stdout
    assert project.run("plan", "--env", "staging", "--detailed-exitcode").exit_code == 0


def test_default_configuration_refused_by_stripe_prints_dashboard_steps(project) -> None:
    project.emulator.seed({"default_configuration": True}, mode="test")
    project.emulator.refuse_default_updates = True
    project.write(
        "default.yaml", "default: true\nname: Main\nfeatures:\n  invoice_history: {enabled: true}\n"
    )
    project.write("basic.yaml", BASIC)
    result = project.run("apply", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert "[the account's default configuration]" in result.stdout
    assert (
        "Make these changes in the Dashboard at "
        "https://dashboard.stripe.com/test/settings/billing/portal" in result.stdout
    )
    assert '    name: null -> "Main"' in result.stdout
    assert "Apply incomplete: 1 created, 0 updated" in result.stdout
    assert "basic" in by_key(project)


def test_configuration_changed_after_planning_is_not_written(project) -> None:
    project.write("standard.yaml", STANDARD)
    assert project.run("apply", "--env", "staging").exit_code == 0
    project.write("standard.yaml", STANDARD.replace("Standard portal", "Planned name"))
    loaded = config.load_project(project.configs / "portal-config.yaml")
    with plan_target.connected(loaded, ["staging"]) as gateways:
        planned = fanout.plan_all(loaded, gateways)
        config_id = by_key(project)["standard"]["id"]
        client(project).v1.billing_portal.configurations.update(config_id, {"name": "Deploy"})
        report = apply_plan(planned, gateways, lambda line: None)
    assert [c.config_id for c in report.changed_meanwhile] == [config_id]
    assert by_key(project)["standard"]["name"] == "Deploy"


def test_no_create_when_a_concurrent_deploy_made_it_since_planning(project) -> None:
    project.write("basic.yaml", BASIC)
    assert project.run("apply", "--env", "staging").exit_code == 0
    basic_id = by_key(project)["basic"]["id"]
    project.write("standard.yaml", STANDARD)
    loaded = config.load_project(project.configs / "portal-config.yaml")
    with plan_target.connected(loaded, ["staging"]) as gateways:
        planned = fanout.plan_all(loaded, gateways)
        assert planned.envs[0].newest_id == basic_id
        other_deploy = client(project).v1.billing_portal.configurations.create(
            {
                "features": {"invoice_history": {"enabled": True}},
                "metadata": {
                    "portal_config_project": "acme",
                    "portal_config_env": "staging",
                    "portal_config_key": "standard",
                },
            }
        )
        project.emulator.clear_log()
        report = apply_plan(planned, gateways, lambda line: None)
    assert [c.key for c in report.changed_meanwhile] == ["standard"] and not report.done
    # one request: only what is newer than the plan's newest configuration, not the account
    ((recheck,),) = [
        [(r.method, r.path, r.query.get("ending_before")) for r in project.emulator.request_log]
    ]
    assert recheck == ("GET", "/v1/billing_portal/configurations", basic_id)
    assert [c["id"] for c in configurations(project)] == [other_deploy.id, basic_id]


def test_rerunning_the_same_plan_never_duplicates_a_create(project) -> None:
    project.write("basic.yaml", BASIC)
    loaded = config.load_project(project.configs / "portal-config.yaml")
    with plan_target.connected(loaded, ["staging"]) as gateways:
        planned = fanout.plan_all(loaded, gateways)
        first = apply_plan(planned, gateways, lambda line: None)
        second = apply_plan(planned, gateways, lambda line: None)
    assert [c.action for c, _ in first.done] == ["create"]
    assert not second.done and [c.key for c in second.changed_meanwhile] == ["basic"]
    assert len(configurations(project)) == 1


def test_a_failure_stripe_remembers_for_the_key_is_retried_with_a_new_key(project) -> None:
    project.write("basic.yaml", BASIC)
    project.emulator.faults.script(
        [{"status": 500, "should_retry": False, "method": "POST", "remembered": True}]
    )
    first = project.run("apply", "--env", "staging")
    assert first.exit_code == 1 and "Failed: create basic" in first.stdout
    rerun = project.run("apply", "--env", "staging")  # within 24 hours: the same planned key
    assert rerun.exit_code == 0, rerun.output
    posts = [w for w in project.writes() if w.path == "/v1/billing_portal/configurations"]
    assert len(posts) == 3  # failed, replayed, then a new key
    assert posts[0].idempotency_key == posts[1].idempotency_key != posts[2].idempotency_key
    assert len(configurations(project)) == 1


def test_ctrl_c_during_apply_reports_what_was_done_and_exits_130(project) -> None:
    import os
    import signal
    import subprocess
    import sys

    keys = [f"basic{i}" for i in range(6)]
    for key in keys:
        project.write(f"{key}.yaml", BASIC.replace("Basic", key))
    project.emulator.faults.latency = 0.3
    env = {**os.environ, "PORTAL_CONFIG_E2E_TEST_KEY": os.environ["PORTAL_CONFIG_E2E_TEST_KEY"]}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "portal_config",
            "--config",
            str(project.configs),
            "apply",
            "--env",
            "staging",
            "--parallelism",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=hears_ctrl_c,
    )
    assert process.stderr is not None
    for line in process.stderr:  # progress: the first create is done, others are in flight
        if ": created" in line:
            break
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stdout + stderr
    assert "Interrupted (Ctrl-C)." in stdout and "Traceback" not in stderr
    # Exactly what was written is said: the writes in flight finished, the rest never started.
    created = set(by_key(project))
    assert 1 <= len(created) < len(keys)
    assert f"Apply incomplete: {len(created)} created" in stdout
    assert [f"Not run: create {k} (new) in staging" for k in keys if k not in created] == [
        line for line in stdout.splitlines() if line.startswith("Not run:")
    ]
    assert "Failed:" not in stdout and "Running apply again converges" in stdout
    rerun = project.run("apply", "--env", "staging")
    assert rerun.exit_code == 0 and set(by_key(project)) == set(keys)


def test_a_request_stripe_rejects_is_reported_and_the_rest_still_applies(project) -> None:
    project.write(
        "bad.yaml",
        "features:\n  subscription_update:\n    enabled: true\n"
        "    products: [{product: prod_nope, prices: [price_nope]}]\n",
    )
    project.write("basic.yaml", BASIC)
    result = project.run("apply", "--env", "staging")
    assert result.exit_code == 1
    assert "Apply incomplete: 1 created, 0 updated, 0 deactivated." in result.stdout
    assert (
        "Rejected: create bad (new) in staging: environment 'staging': creating a "
        "configuration: Stripe refused: No such product" in result.stdout
    )
    assert "converges" not in result.stdout
    assert set(by_key(project)) == {"basic"}
