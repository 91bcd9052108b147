"""progress.py: a status line on a terminal's stderr once a plan or apply has run for about a
second (pages read, changes done), never off a terminal; lines printed meanwhile stay whole."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest

from portal_config import progress
from portal_config.emulator import Emulator
from portal_config.progress import CLEAR, ProgressLine
from tests.conftest import Terminal
from tests.support.cli import run_cli


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nothing_is_shown_off_a_terminal() -> None:
    stream = io.StringIO()
    with progress.shown(stream=stream) as status:
        assert status is None
        progress.page_read(100)
        progress.change_finished()
    assert stream.getvalue() == ""


def test_the_status_line_appears_after_a_second_and_is_cleared_at_the_end() -> None:
    stream, clock = Terminal(), Clock()
    status = ProgressLine(stream, clock=clock)
    status.update(pages=1, objects=100)
    assert stream.getvalue() == ""  # a quick plan never shows one
    clock.now += 1.5
    status.update(pages=1, objects=100)
    assert stream.getvalue() == CLEAR + "Reading Stripe: 2 pages, 200 objects (1 s)"
    clock.now += 0.01
    status.update(pages=1, objects=100)  # redrawn at most every 0.1 s
    assert stream.getvalue().count("Reading Stripe") == 1
    status.clear()
    assert stream.getvalue().endswith(CLEAR)


def test_lines_printed_meanwhile_stay_whole_with_the_status_under_them() -> None:
    stream, clock = Terminal(), Clock()
    status = ProgressLine(stream, total=3, clock=clock)
    clock.now += 2
    status.update(finished=1)
    status.finished += 1  # (counted without a redraw: the next line shows it)
    status.echo("  std (bpc_1) in local: created")
    assert stream.getvalue() == (
        CLEAR
        + "Applying: 1 of 3 changes done (2 s)"
        + CLEAR
        + "  std (bpc_1) in local: created\n"
        + CLEAR
        + "Applying: 2 of 3 changes done (2 s)"
    )


def test_shown_reports_to_the_status_while_open_only() -> None:
    stream = Terminal()
    with progress.shown(total=2, stream=stream) as status:
        assert status is not None
        progress.change_finished()
        assert status.finished == 1
    progress.change_finished()  # closed: nobody counts
    assert status.finished == 1


def run_on_terminal(project_file: Path, *args: str) -> tuple[int, str]:
    """The CLI with a terminal for stderr."""
    result = run_cli("--config", str(project_file), *args, stderr_terminal=True)
    return result.exit_code, result.stderr


@pytest.fixture
def at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)  # as if the run had taken a second


def test_plan_and_apply_show_progress_on_a_terminal(tmp_path: Path, at_once: None) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "portal-config.yaml").write_text(
        "version: 1\nproject: acme\nenvironments:\n  local:\n    mode: test\n"
        f"    emulator: {tmp_path / 'state.json'}\n"
    )
    for key in ("one", "two"):
        (configs / f"{key}.yaml").write_text(
            f"name: {key}\nfeatures:\n  invoice_history: {{enabled: true}}\n"
        )
    code, err = run_on_terminal(configs / "portal-config.yaml", "apply", "--env", "local")
    assert code == 0, err
    assert re.search(re.escape(CLEAR) + r"Reading Stripe: 1 pages, 0 objects \(\d+ s\)", err)
    # each line printed whole, the status line redrawn under it with the count so far
    assert re.search(
        r" in local: created\n" + re.escape(CLEAR) + r"Applying: 2 of 2 changes done \(\d+ s\)\r",
        err,
    )
    assert "  one (bpc_" in err and err.endswith(CLEAR)
    code, err = run_on_terminal(configs / "portal-config.yaml", "plan", "--env", "local")
    assert code == 0 and re.search(
        re.escape(CLEAR) + r"Reading Stripe: 1 pages, 2 objects \(\d+ s\)", err
    )


def test_plan_and_apply_show_no_progress_off_a_terminal(tmp_path: Path, at_once: None) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "portal-config.yaml").write_text(
        "version: 1\nproject: acme\nenvironments:\n  local:\n    mode: test\n"
        f"    emulator: {tmp_path / 'state.json'}\n"
    )
    (configs / "one.yaml").write_text("name: one\n")
    result = run_cli("--config", str(configs / "portal-config.yaml"), "apply", "--env", "local")
    assert result.exit_code == 0
    assert "\r" not in result.stderr and "Reading Stripe" not in result.stderr
    assert "Applying" not in result.stderr


def test_a_fleet_plan_counts_its_accounts_on_a_terminal(
    tmp_path: Path, at_once: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "REDRAW_EVERY", 0.0)  # every step drawn
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "portal-config.yaml").write_text(
        "version: 1\nproject: acme\nenvironments:\n  local:\n    mode: test\n"
        f"    emulator: {tmp_path / 'state.json'}\n    stripe_accounts: {{connected: all}}\n"
        "    seed:\n      connected_accounts: [{id: acct_1A}, {id: acct_1B}, {id: acct_1C}]\n"
    )
    (configs / "one.yaml").write_text("name: one\nfeatures:\n  invoice_history: {enabled: true}\n")
    code, err = run_on_terminal(configs / "portal-config.yaml", "plan", "--env", "local")
    assert code == 0, err
    assert re.search(
        re.escape(CLEAR) + r"Reading Stripe: 3 accounts planned, 4 pages, 3 objects \(\d+ s\)", err
    )


def test_the_status_line_ticks_with_the_seconds_while_no_page_arrives() -> None:
    """Stripe at 1.5-4 s a page: the line moves on a timer, not only when a page arrives."""
    stream, clock = Terminal(), Clock()
    status = ProgressLine(stream, clock=clock)
    clock.now += 0.5
    status.tick()
    assert stream.getvalue() == ""  # not before SHOW_AFTER
    clock.now += 0.7
    status.tick()
    assert stream.getvalue() == CLEAR + "Reading Stripe: 0 pages, 0 objects (1 s)"
    clock.now += 1.0
    status.tick()
    assert stream.getvalue().endswith(CLEAR + "Reading Stripe: 0 pages, 0 objects (2 s)")


def test_a_slow_answer_ticks_the_line_and_the_timer_stops_with_the_run(
    tmp_path: Path, at_once: None, monkeypatch: pytest.MonkeyPatch, emulator: Emulator
) -> None:
    monkeypatch.setattr(progress, "TICK", 0.02)
    monkeypatch.setattr(progress, "REDRAW_EVERY", 0.0)
    monkeypatch.setenv("PROGRESS_TEST_KEY", "sk_test_progress")
    (tmp_path / "portal-config.yaml").write_text(
        "version: 1\nproject: acme\nenvironments:\n  local:\n    mode: test\n"
        f"    api_key_env: PROGRESS_TEST_KEY\n    api_base: {emulator.url}\n"
    )
    emulator.faults.script([{"delay_seconds": 0.4, "method": "GET"}])  # the first page is slow
    code, err = run_on_terminal(tmp_path / "portal-config.yaml", "plan", "--env", "local")
    assert code == 0, err
    assert len(re.findall(r"Reading Stripe: 0 pages, 0 objects \(\d+ s\)", err)) >= 2, err
    assert err.endswith(CLEAR)
    assert not [t for t in threading.enumerate() if t.name == "portal-config-progress"]
