"""Shell completion: `_PORTAL_CONFIG_COMPLETE=SHELL_source portal-config` prints the script to
source (click's, https://click.palletsprojects.com/en/stable/shell-completion/), and the script
completes commands and options, through the masking every output goes through."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run_cli

VAR = "_PORTAL_CONFIG_COMPLETE"


@pytest.mark.parametrize(
    ("shell", "defines"),
    [
        ("bash", "complete -o nosort -F _portal_config_completion portal-config"),
        ("zsh", "compdef _portal_config_completion portal-config"),
        ("fish", "complete --no-files --command portal-config"),
    ],
)
def test_each_shells_script_is_printed(
    shell: str, defines: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(VAR, f"{shell}_source")
    result = run_cli()
    assert result.exit_code == 0, result.output
    assert defines in result.stdout
    assert result.stderr == ""


def test_completing_names_the_commands_and_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "portal-config pl")
    monkeypatch.setenv("COMP_CWORD", "1")
    result = run_cli()
    assert (result.exit_code, result.stdout) == (0, "plain,plan\n"), result.output
    monkeypatch.setenv("COMP_WORDS", "portal-config plan --det")
    monkeypatch.setenv("COMP_CWORD", "2")
    assert run_cli().stdout == "plain,--detailed-exitcode\n"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_through_the_sourced_script() -> None:
    """As a user's shell does it: source the script, then complete `portal-config va`."""
    script = (
        f'eval "$({VAR}=bash_source portal-config)"; '
        "COMP_WORDS=(portal-config va); COMP_CWORD=1; "
        '_portal_config_completion portal-config; echo "${COMPREPLY[@]}"'
    )
    bin_folder = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}"}
    env.pop(VAR, None)
    done = subprocess.run(
        ["bash", "--norc", "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "validate\n", "")
