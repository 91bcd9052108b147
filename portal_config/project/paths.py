"""Where the project's files are, and where portal-config may write: one home for finding the
project file and for the rules that keep every file it writes inside the folder meant for it.

- The project file: `--config PATH` (a file, or a folder holding portal-config.yaml), else
  ./portal-config.yaml, else ./configs/portal-config.yaml, in the current folder and then each
  folder above it up to the repository's root, the folder holding `.git` (`find_project_file`);
  outside a repository, the current folder only (a file above it may be anyone's).

- A configuration file's name comes from its key (`import` takes it from Stripe's metadata, which
  anyone with the Dashboard can set): only a key that is a safe file name is used
  (`file_name_problem`).
- An emulator's state file (and its `.lock` and temporary files beside it) stays inside the
  project's tree (`project_tree`): the repository that holds the project file, or, outside a
  repository, the folder above the project file's folder (the README's layout,
  `emulator: ../.portal-config/emulator-state.json` beside `configs/`).
- Files are created without following a symbolic link (`write_new_or_replace`): a link placed
  in the folder cannot send the write elsewhere.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from ..errors import ConfigNotFound
from .loader import display_path
from .schema import NAME_PATTERN

PROJECT_FILE = "portal-config.yaml"
SEARCHED = (Path(PROJECT_FILE), Path("configs") / PROJECT_FILE)

# Names Windows reserves for devices, whatever the extension: `con.yaml` cannot be a file there
# (https://learn.microsoft.com/en-us/windows/win32/fileio/naming-a-file#naming-conventions).
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)


def file_name_problem(key: str) -> str | None:
    """Why `key` cannot name a configuration file `KEY.yaml` (None: it can): the rule of a key
    (letters, digits, `_`, `-`, `.`, starting with a letter or digit, at most 100 characters)
    keeps out separators, `..`, absolute paths, control characters and hidden files."""
    if not re.match(NAME_PATTERN, key):
        return (
            "it must start with a letter or digit and use only letters, digits, '_', '-' and "
            "'.' (at most 100 characters)"
        )
    if _RESERVED.match(key):
        return "it is a name Windows reserves for a device"
    return None


def inside(path: Path, folder: Path) -> bool:
    """Whether `path` (symbolic links resolved) is `folder` or below it."""
    target, root = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([target, root]) == root


def repository_root(folder: Path) -> Path | None:
    """The folder holding `.git` at or above `folder` (None: not in a repository)."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():  # a folder, or a file in a git worktree
            return candidate
    return None


def project_tree(project_file: Path) -> Path:
    """The folder an emulator's state must be in (see the module docstring)."""
    folder = Path(os.path.realpath(project_file)).parent
    return repository_root(folder) or folder.parent


def searched_folders() -> list[Path]:
    """Where the project file is looked for: the current folder, then up to its repository's
    root (none above it: the search stops where the repository does)."""
    here = Path.cwd()
    root = repository_root(here)
    if root is None:
        return [here]
    return [here, *here.parents[: len(here.parents) - len(root.parents)]]


def write_new_or_replace(path: Path, text: str, replace: bool = True) -> None:
    """Write `text` to `path`, never through a symbolic link (O_NOFOLLOW: the open fails);
    replace=False: only a new file (O_EXCL: FileExistsError if anything is there)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    flags |= os.O_TRUNC if replace else os.O_EXCL
    fd = os.open(path, flags, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def find_project_file(config_path: Path | None) -> Path:
    try:
        return _find_project_file(config_path)
    except OSError as exc:  # e.g. a folder on the way that may not be searched
        raise ConfigNotFound(
            f"cannot look for the project file: {exc.strerror or exc} "
            f"({exc.filename or config_path})"
        ) from exc


def _find_project_file(config_path: Path | None) -> Path:
    if config_path is not None:
        path = config_path
        if config_path.is_dir():  # the configs folder, or the repository root above it
            inside = [config_path / p for p in SEARCHED if (config_path / p).is_file()]
            path = inside[0] if inside else config_path / PROJECT_FILE
        if not path.is_file():
            raise ConfigNotFound(
                f"no project file at {path}: check --config, or create it (see the README)"
            )
        return path.absolute()
    folders = searched_folders()
    for folder in folders:
        for path in SEARCHED:
            if (folder / path).is_file():
                return folder / path
    where = (
        "here and up to the repository's root"
        if repository_root(folders[0])
        else "in this folder (not in a git repository)"
    )
    raise ConfigNotFound(
        "no project file: looked for ./portal-config.yaml and "
        f"./configs/portal-config.yaml, {where}; pass "
        "--config PATH, or create one with `portal-config init`"
    )


def found_from_here(project_file: Path) -> bool:
    """Whether a run in this folder finds `project_file` without --config."""
    try:
        return _find_project_file(None).resolve() == project_file.resolve()
    except (ConfigNotFound, OSError):
        return False


def command_here(project_file: Path) -> str:
    """How a next command a message suggests starts, to reach `project_file` from this folder:
    `portal-config`, with `--config PATH` where the search would not find it."""
    if found_from_here(project_file):
        return "portal-config"
    return f"portal-config --config {shlex.quote(display_path(project_file))}"
