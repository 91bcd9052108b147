"""Project folders on disk: the project file every tests/broken case shares (three
environments: an emulator, a test and a live key) and a folder made of files given as text."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

BROKEN = Path(__file__).resolve().parent.parent / "broken"
PROJECT = (BROKEN / "_project.yaml").read_text()


def new_project(
    folder: Path, files: Mapping[str, str | bytes] | None = None, project: str = PROJECT
) -> Path:
    """A project folder holding `files` beside its project file; its project file's path."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "portal-config.yaml").write_text(project)
    for name, content in (files or {}).items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder / "portal-config.yaml"
