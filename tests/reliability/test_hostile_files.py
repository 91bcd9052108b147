"""Files a pull request can hold that are not configuration files, or are built to hurt: each is
one located problem (exit 1) within seconds, through the command a CI job runs."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from portal_config.project import config, limits, loader  # noqa: F401 - imported while privileged
from portal_config.render import report  # noqa: F401 - imported while privileged
from tests.reliability.harness import assert_well_behaved, new_project
from tests.support.cli import run_cli

STANDARD = "name: Standard\nfeatures:\n  invoice_history: {enabled: true}\n"
NOBODY = 65534


@pytest.fixture(autouse=True)
def _deadline() -> Iterator[None]:
    """A run that blocks fails the test instead of hanging it (SIGALRM interrupts the read)."""

    def expire(*_: object) -> None:
        raise TimeoutError("portal-config blocked")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def validate(project_file: Path, *extra: str) -> tuple[list[str], float]:
    started = time.monotonic()
    outcome = run_cli("--config", str(project_file), *extra, "validate")
    elapsed = time.monotonic() - started
    return assert_well_behaved(outcome), elapsed


def test_a_fifo_is_an_error_naming_it(tmp_path: Path) -> None:
    project = new_project(tmp_path / "configs", {"standard.yaml": STANDARD})
    os.mkfifo(project.parent / "x.yaml")
    lines, elapsed = validate(project)
    assert lines == [
        (
            f"{project.parent / 'x.yaml'}:1:1: a named pipe (FIFO), not a file: only "
            "regular files are read (remove it)"
        )
    ]
    assert elapsed < 2


def test_a_link_to_dev_zero_is_an_error_naming_it(tmp_path: Path) -> None:
    project = new_project(tmp_path / "configs", {"standard.yaml": STANDARD})
    os.symlink("/dev/zero", project.parent / "x.yaml")
    lines, elapsed = validate(project)
    assert lines == [
        (
            f"{project.parent / 'x.yaml'}:1:1: a device, not a file: only regular "
            "files are read (remove it)"
        )
    ]
    assert elapsed < 2


def test_a_link_out_of_the_project_folder_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "credentials.yaml"
    secret.write_text("aws_secret_access_key: wJalrXUtnFEMI\n")
    project = new_project(tmp_path / "configs", {"standard.yaml": STANDARD})
    os.symlink(secret, project.parent / "x.yaml")
    lines, _ = validate(project)
    assert lines == [
        (
            f"{project.parent / 'x.yaml'}:1:1: a symbolic link to {secret}, outside the "
            "project folder: only files inside it are read (copy the file in instead)"
        )
    ]
    assert "wJalrXUtnFEMI" not in "".join(lines) and "aws_secret" not in "".join(lines)


def test_a_file_over_the_size_bound(tmp_path: Path) -> None:
    big = STANDARD + "# " + "x" * limits.MAX_FILE_BYTES + "\n"
    project = new_project(tmp_path / "configs", {"big.yaml": big})
    lines, _ = validate(project)
    assert lines == [
        (
            f"{project.parent / 'big.yaml'}:1:1: the file is larger than 1 MiB: "
            "portal-config reads configuration files up to that size"
        )
    ]


def test_a_list_of_a_million_items_is_refused_in_seconds(tmp_path: Path) -> None:
    items = "features:\n  subscription_update:\n    products:\n" + "      - 1\n" * 1_500_000
    flow = "metadata: {a: [" + "1," * 400_000 + "1]}\n"  # under 1 MiB, 400 000 values
    project = new_project(tmp_path / "configs", {"items.yaml": items, "flow.yaml": flow})
    lines, elapsed = validate(project)
    assert [line.split(": ", 1)[1] for line in lines] == [
        (
            f"more than {limits.MAX_VALUES} values in one file: portal-config reads at most "
            f"{limits.MAX_VALUES} per file"
        ),
        "the file is larger than 1 MiB: portal-config reads configuration files up to that size",
    ]
    assert elapsed < 5


def test_the_folder_is_bounded_in_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FOLDER_BYTES", 4_000)
    files = {f"c{n}.yaml": STANDARD + "# " + "x" * 900 + "\n" for n in range(5)}
    project = new_project(tmp_path / "configs", files)
    lines, _ = validate(project)
    assert lines == [
        (
            f"{project.parent / 'c3.yaml'}:1:1: the configuration files are larger than "
            "0 MiB together: portal-config reads up to that much"
        ),
        (
            f"{project.parent / 'c4.yaml'}:1:1: the configuration files are larger than "
            "0 MiB together: portal-config reads up to that much"
        ),
    ]


def test_the_folder_is_bounded_in_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FOLDER_VALUES", 100)
    files = {
        f"c{n}.yaml": STANDARD + "metadata: {" + ", ".join(f"k{i}: v" for i in range(10)) + "}\n"
        for n in range(4)
    }
    project = new_project(tmp_path / "configs", files)
    lines, _ = validate(project)
    # The project file holds 35 values, each of these 31: the third and fourth are too many.
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{project.parent / 'c2.yaml'}:1:1",
        f"{project.parent / 'c3.yaml'}:1:1",
    ]
    assert "the configuration files hold too many values together" in lines[0]


def test_the_folder_is_bounded_in_entries(tmp_path: Path) -> None:
    project = new_project(tmp_path / "configs", {"standard.yaml": STANDARD})
    for n in range(limits.MAX_ENTRIES + 10):
        (project.parent / f".hidden-{n}").touch()
    lines, elapsed = validate(project)
    assert lines[0] == (
        f"{project.parent}:1:1: more than {limits.MAX_ENTRIES} entries in the "
        f"folder: portal-config reads at most {limits.MAX_ENTRIES} (move the rest "
        "elsewhere)"
    )
    assert elapsed < 5


@pytest.mark.parametrize("command", [["validate"], ["plan", "--env", "local"]])
def test_an_alias_bomb_stops_validate_and_plan_at_once(tmp_path: Path, command: list[str]) -> None:
    bomb = (
        limits_bomb := (
            Path(__file__).parent.parent / "broken" / "alias-bomb" / "standard.yaml"
        ).read_text()
    )
    project = new_project(tmp_path / "configs", {"standard.yaml": bomb})
    started = time.monotonic()
    outcome = run_cli("--config", str(project), *command)
    assert time.monotonic() - started < 2
    lines = assert_well_behaved(outcome, "stdout" if command == ["validate"] else "stderr")
    assert lines == [
        (
            f"{project.parent / 'standard.yaml'}:5:5: with its aliases (*name) "
            "expanded, this holds more than 10000 values: portal-config reads at most "
            "10000 per file (use fewer aliases)"
        )
    ]
    assert limits_bomb.count("*") == 91


# --- permissions: root reads everything, so these drop to an unprivileged user while they run ---


@contextmanager
def unprivileged() -> Iterator[None]:
    """Run as an unprivileged user: as root, the effective user is `nobody` until the end."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder the unprivileged user may enter (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="portal-config-perm-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def _can_drop_privileges() -> bool:
    if os.geteuid() != 0:
        return True
    try:
        os.seteuid(NOBODY)
    except OSError:
        return False
    os.seteuid(0)
    return True


needs_unprivileged = pytest.mark.skipif(
    not _can_drop_privileges(),
    reason="running as root without CAP_SETUID: permissions cannot be denied",
)


@needs_unprivileged
def test_a_folder_that_cannot_be_listed(shared_tmp: Path) -> None:
    project = new_project(shared_tmp / "configs", {"standard.yaml": STANDARD})
    project.parent.chmod(stat.S_IWUSR | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)  # 0o311
    with unprivileged():
        lines, _ = validate(project)
    assert lines == [f"{project.parent}:1:1: cannot list the folder: Permission denied"]


@needs_unprivileged
def test_a_file_that_cannot_be_read(shared_tmp: Path) -> None:
    project = new_project(shared_tmp / "configs", {"standard.yaml": STANDARD})
    (project.parent / "standard.yaml").chmod(0)
    with unprivileged():
        lines, _ = validate(project)
    assert lines == [
        (f"{project.parent / 'standard.yaml'}:1:1: cannot read the file: Permission denied")
    ]


@needs_unprivileged
def test_a_folder_that_cannot_be_searched(shared_tmp: Path) -> None:
    project = new_project(shared_tmp / "configs", {"standard.yaml": STANDARD})
    project.parent.chmod(0o600)
    with unprivileged():
        outcome = run_cli("--config", str(project), "validate")
    assert outcome.exit_code == 1 and outcome.stdout == ""
    assert outcome.stderr == (
        f"Error: cannot look for the project file: Permission denied ({project})\n"
    )


def test_a_message_stays_one_line_whatever_the_value_holds(tmp_path: Path) -> None:
    text = (
        '"colour\\n\\u001b[31mred": 1\nfeatures:\n  subscription_cancel:\n'
        '    enabled: true\n    mode: "now\\u2028later"\n'
    )
    project = new_project(tmp_path / "configs", {"standard.yaml": text})
    lines, _ = validate(project)
    file = project.parent / "standard.yaml"
    assert lines == [
        (
            f"{file}:1:1: unknown field 'colour\\n\\x1b[31mred' (expected one of: key, default, "
            "ids, "
            "environments, overrides, business_profile, default_return_url, features, login_page, "
            "metadata, name, active)"
        ),
        (
            f"{file}:5:11: features.subscription_cancel.mode: 'now\\u2028later' is not one of: "
            "at_period_end, immediately"
        ),
    ]


# --- plan files: `show FILE` and `apply --plan FILE` read them through limits.read_file ---------


def _plan_file(tmp_path: Path, kind: str) -> Path:
    if kind == "device":
        return Path("/dev/zero")
    path = tmp_path / "plan.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "too-deep":
        path.write_text("[" * 200_000)
    elif kind == "too-big":
        path.write_text(" " * (limits.MAX_PLAN_BYTES + 1))
    return path


PLAN_REFUSALS = {
    "device": "a device, not a file: only regular files are read (remove it)",
    "fifo": "a named pipe (FIFO), not a file: only regular files are read (remove it)",
    "folder": "a folder, not a file: only regular files are read (remove it)",
    "too-deep": "nested more than 64 levels deep; `plan --out` writes far fewer",
    "too-big": "the file is larger than 64 MiB: portal-config reads plan files up to that size",
}


@pytest.mark.parametrize("command", [["show"], ["apply", "--plan"]], ids=["show", "apply"])
@pytest.mark.parametrize("kind", sorted(PLAN_REFUSALS))
def test_a_plan_file_that_is_not_one_is_refused_at_once(
    tmp_path: Path, command: list[str], kind: str
) -> None:
    project = new_project(tmp_path / "configs", {"standard.yaml": STANDARD})
    plan = _plan_file(tmp_path, kind)
    started = time.monotonic()
    outcome = run_cli("--config", str(project), *command, str(plan))
    assert time.monotonic() - started < 5
    assert outcome.exit_code == 1 and "Traceback" not in outcome.output, outcome
    assert outcome.stderr.startswith(f"Error: {plan}: cannot read the plan file (")
    assert PLAN_REFUSALS[kind] in outcome.stderr


def test_a_plan_file_nested_within_json_but_deep_is_refused(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(
        '{"format": "portal-config-plan", "version": 2, "project": "a", "environments": '
        + "[" * 500
        + "]" * 500
        + "}"
    )
    outcome = run_cli("show", str(plan))
    assert outcome.exit_code == 1 and "Traceback" not in outcome.output, outcome
    assert PLAN_REFUSALS["too-deep"] in outcome.stderr


# --- a folder at the limits is read in seconds --------------------------------------------------


def test_files_of_folded_newlines_are_refused_in_seconds(tmp_path: Path) -> None:
    # 1 MiB of line breaks in a folded scalar: the pure reader spends its time per line.
    folded = "name: >\n  x\n" + "\n" * (limits.MAX_FILE_BYTES - 20) + "  y\n"
    files = {f"c{n:02}.yaml": folded for n in range(19)}
    project = new_project(tmp_path / "configs", files)
    lines, elapsed = validate(project)
    too_many = f"more than {limits.MAX_LINES} lines in one file: portal-config reads at most"
    assert [line.split(":1:1: ")[0] for line in lines] == [
        str(project.parent / name) for name in sorted(files)
    ]
    assert too_many in lines[0]  # the later ones are past the folder's bytes
    assert all(too_many in line or "larger than 32 MiB together" in line for line in lines)
    assert elapsed < 5


def test_a_folder_at_its_byte_bound_of_the_slowest_text_is_read_in_seconds(tmp_path: Path) -> None:
    # Escapes in double quotes, and the most lines a file may have: the pure reader's slowest.
    size = limits.MAX_FILE_BYTES - 100
    text = 'name: "' + "\\t" * ((size - 2 * limits.MAX_LINES) // 2) + '"' + "\n" * limits.MAX_LINES
    # The pure reader reads these: its own bound (the folder's is for libyaml's ordinary files)
    read = limits.MAX_SLOW_FOLDER_BYTES // limits.MAX_FILE_BYTES
    files = {f"c{n}.yaml": text for n in range(read + 2)}
    lines, elapsed = validate(new_project(tmp_path / "configs", files))
    assert len(lines) == len(files) and all("name: " in line for line in lines[:read])
    assert all("slower reader reads" in line for line in lines[read:])
    assert elapsed < 10
