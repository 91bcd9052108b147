"""Issue 24: a command imports only what it uses, and the emulator writes its state only when
it changed. Asserted on the import set (`python -X importtime`, which names every module a run
imports: https://docs.python.org/3/using/cmdline.html#cmdoption-X) and on the state file's
inode and mtime, never on timings."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from portal_config.emulator import Emulator
from portal_config.emulator.server import EmulatorHTTPServer
from tests.support.cli import run_cli

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
# Heavy modules (asyncio alone is ~10 ms, stripe with requests ~40 ms) the offline commands never
# use. (importlib.metadata is not among them: urllib3, whose URL parser validate uses, imports it.)
NOT_OFFLINE = {"stripe", "requests", "asyncio"}


def _imported(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules `python -m portal_config ARGS` imports, run on a copy of the shipped configs
    (unless the folder already holds a project)."""
    project = tmp_path / "repo" / "configs"
    if not project.exists():
        shutil.copytree(CONFIGS, project)
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "portal_config", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}  # the first is the header


@pytest.mark.parametrize("args", [["validate"], ["--help"], ["schema"]])
def test_offline_commands_import_neither_stripe_nor_asyncio(
    tmp_path: Path, args: list[str]
) -> None:
    assert _imported(tmp_path, *args) & NOT_OFFLINE == set()


def test_plan_on_the_emulator_imports_stripe_it_uses(tmp_path: Path) -> None:
    # The counterpart: the test above would pass for a run that imports nothing at all.
    assert "stripe" in _imported(tmp_path, "plan", "--env", "local")


def test_a_plan_that_changes_nothing_leaves_the_emulator_state_untouched(tmp_path: Path) -> None:
    project = tmp_path / "repo" / "configs"
    shutil.copytree(CONFIGS, project)
    (tmp_path / "repo" / ".git").mkdir()
    config = str(project / "portal-config.yaml")
    assert run_cli("--config", config, "apply", "--env", "local", "--yes").exit_code == 0
    state = tmp_path / "repo" / ".portal-config" / "emulator-state.json"
    before = state.stat()
    outcome = run_cli("--config", config, "plan", "--env", "local")
    assert outcome.exit_code == 0, outcome
    after = state.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # nothing beside the state, its lock and the folder's .gitignore (emulator/store.py)
    kept = sorted(p.name for p in state.parent.iterdir())
    assert kept == [".gitignore", state.name, state.name + ".lock"]


# What `plan --env local` (the README's first run) never uses: the other commands' modules (the
# group loads only the command it runs: cli.LazyGroup), the doctor's checks, the YAML writer of
# `import` and `pull`, the report of an apply.
NOT_IN_A_LOCAL_PLAN = {
    "portal_config.commands.apply",
    "portal_config.commands.doctor",
    "portal_config.commands.import_",
    "portal_config.commands.pull",
    "portal_config.commands.init",
    "portal_config.doctor",
    "portal_config.render.apply_report",
    "ruamel",
    # the other formats' renderers, a saved plan's file (none here)
    "portal_config.render.markdown",
    "portal_config.render.machine",
    "portal_config.planning.planfile",
    # the emulator's knobs (/_emulator/) and a session's portal page: a plan asks for neither
    "portal_config.emulator.controls",
    "portal_config.emulator.portal_page",
    # the SDK's StripeClient and what it imports (its services, webhooks, events): a plan only
    # reads, through the SDK's requestor (stripe_api/sdk.py). (stripe's module __getattr__
    # imports stripe._stripe_client itself with importlib, which -X importtime does not log.)
    "stripe._v1_services",
    "stripe._event_notification_handler",
}


def test_a_local_plan_imports_only_what_it_uses(tmp_path: Path) -> None:
    project = tmp_path / "repo" / "configs"
    shutil.copytree(CONFIGS, project)
    (tmp_path / "repo" / ".git").mkdir()
    assert _imported(tmp_path, "apply", "--env", "local", "--yes")  # so the plan is "No changes"
    imported = _imported(tmp_path, "plan", "--env", "local")
    # (the command's own module, loaded by importlib.import_module, is not in -X importtime's
    # log, which logs import statements; what that module imports is)
    assert "portal_config.commands.checks" in imported
    assert imported & NOT_IN_A_LOCAL_PLAN == set()
    # The version is the one setuptools-scm wrote into the package at build time, not read back
    # from the installed distribution's metadata (importlib.metadata parses all of it, README
    # included: ~3 ms of every run).
    assert "portal_config._version" in imported


# A plan against an account over the network runs no emulator: none of it, nor its HTTP server.
NOT_IN_A_REMOTE_PLAN = NOT_IN_A_LOCAL_PLAN | {
    "portal_config.emulator",
    "http.server",
    "socketserver",
}


def test_a_plan_against_a_remote_account_imports_no_emulator(tmp_path: Path) -> None:
    project = tmp_path / "repo" / "configs"
    project.mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    with Emulator() as remote:  # the account, in this process: the plan reaches it over HTTP
        (project / "portal-config.yaml").write_text(
            "version: 1\nenvironments:\n  staging:\n    mode: test\n"
            f"    api_key_env: LEAN_KEY\n    api_base: {remote.url}\n"
        )
        (project / "support.yaml").write_text(
            "business_profile: {headline: Support}\nfeatures: {invoice_history: {enabled: true}}\n"
        )
        imported = _imported(tmp_path, "plan", "--env", "staging", env={"LEAN_KEY": "sk_test_x"})
        assert [r.path for r in remote.request_log] == ["/v1/billing_portal/configurations"]
    assert "portal_config.stripe_api.client" in imported
    assert imported & NOT_IN_A_REMOTE_PLAN == set()


def test_the_emulator_server_stops_without_waiting_out_its_poll_interval() -> None:
    # A command with the embedded emulator stops it on the way out: socketserver notices a
    # shutdown only when its select() returns, so each run used to wait up to a poll interval.
    server = EmulatorHTTPServer(("127.0.0.1", 0), lambda *_: None)
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 30})
    serving.start()
    started = time.monotonic()
    try:
        server.shutdown()
    finally:
        server.server_close()
    serving.join(timeout=60)
    assert not serving.is_alive()
    assert time.monotonic() - started < 10  # against the interval's 30 s


def test_a_command_line_run_ends_without_the_interpreters_last_collections() -> None:
    # What a run made lives until the process ends: frozen (gc.freeze) once `main` is done, the
    # interpreter's final collections skip it (~40 ms of the start-up floor's own ~200 ms). An
    # in-process call, as the tests' and a library user's, leaves the collector as it was.
    ends = (
        "import gc, sys; from portal_config.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    print(gc.get_freeze_count() > 0)"
    )
    run = subprocess.run(
        [sys.executable, "-c", ends, "--help"], capture_output=True, text=True, timeout=60
    )
    assert run.stdout.splitlines()[-1] == "True", run.stderr[-2000:]
    frozen = gc.get_freeze_count()
    assert run_cli("--help").exit_code == 0
    assert gc.get_freeze_count() == frozen


def test_a_command_line_run_collects_nothing_before_its_command_is_loaded(tmp_path: Path) -> None:
    # Start-up only imports, and what it imports lives until the process ends: the collector
    # starts once the command's module is loaded (~10 ms of a plan's CPU were young-generation
    # collections of modules), and it does collect the rest of the run.
    watch = (
        "import gc\n"
        "from portal_config.cli import cli, main\n"
        "seen = []  # at each collection: was the command loaded (registered on the group)?\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and seen.append(\n"
        "    'plan' in cli.commands))\n"
        "try:\n    main()\n"
        "except SystemExit:\n    print(gc.isenabled(), sorted(set(seen)))"
    )
    project = tmp_path / "repo" / "configs"
    shutil.copytree(CONFIGS, project)
    (tmp_path / "repo" / ".git").mkdir()
    run = subprocess.run(
        [sys.executable, "-c", watch, "plan", "--env", "local"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.stdout.splitlines()[-1] == "True [True]", run.stderr[-2000:]
    assert run_cli("--help").exit_code == 0 and gc.isenabled()  # in-process: left as it was
