"""The action's install: portal-config of the action's own ref, in a venv of its own under the
runner's temp folder, with its dependencies exactly as action/requirements.lock pins them, every
file's hash checked. Nothing floats, and the system Python is never written to (a distro Python
refuses `pip install` outside a venv: https://peps.python.org/pep-0668/).

`install.py venv` writes the venv's `path` and its cache `key` (the runner's OS and architecture,
this Python, the lock and this script) to GITHUB_OUTPUT, for actions/cache.
`install.py install SOURCE` creates the venv unless the cache restored it, installs the lock
(`pip --require-hashes`: a dependency missing from it fails here), then SOURCE (the action's
checkout, or a built wheel) without dependencies or build isolation (setuptools and
setuptools-scm are in the lock), checks the result with `pip check`, and writes `python`, the
venv's interpreter, to GITHUB_OUTPUT. .ci/run installs the wheel it builds the same way.

Standard library only: it runs on whatever Python the runner has, before the venv exists.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import venv
from collections.abc import Mapping
from pathlib import Path

LOCK = Path(__file__).resolve().parent / "requirements.lock"
PIP = ["-m", "pip", "--disable-pip-version-check", "--quiet"]


def venv_outputs(lock: Path, env: Mapping[str, str]) -> dict[str, str]:
    """Where the venv goes, and the cache key that changes with anything that shapes it."""
    digest = hashlib.sha256()
    for part in (lock.read_bytes(), Path(__file__).read_bytes()):
        digest.update(hashlib.sha256(part).digest())
    digest.update(f"{sys.version}\0{sys.executable}".encode())
    runner = f"{env.get('RUNNER_OS', sys.platform)}-{env.get('RUNNER_ARCH', 'local')}"
    return {
        "path": str(Path(env.get("RUNNER_TEMP") or tempfile.gettempdir()) / "portal-config-venv"),
        "key": f"portal-config-venv-{runner}-{digest.hexdigest()[:32]}",
    }


def interpreter(path: Path) -> Path:
    return path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def write_outputs(env: Mapping[str, str], values: Mapping[str, str]) -> None:
    for key, value in values.items():
        print(f"{key}={value}")
    if env.get("GITHUB_OUTPUT"):
        with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as handle:
            handle.writelines(f"{key}={value}\n" for key, value in values.items())


def install(source: Path, env: Mapping[str, str]) -> int:
    path = Path(venv_outputs(LOCK, env)["path"])
    python = interpreter(path)
    if not python.exists():
        try:
            venv.create(path, with_pip=True, clear=True)
        except (OSError, subprocess.CalledProcessError) as exc:  # ensurepip missing
            print(
                f"::error::cannot create a venv with {sys.executable} ({exc}): set the input "
                "python-version, or install the venv module (python3-venv on Debian and Ubuntu)"
            )
            return 1
    steps = [
        [*PIP, "install", "--require-hashes", "-r", str(LOCK)],
        [*PIP, "install", "--no-deps", "--no-build-isolation", "--force-reinstall", str(source)],
        [*PIP, "check"],
        ["-m", "portal_config", "--version"],
    ]
    for step in steps:  # in the venv's folder: a portal_config/ in the cwd would shadow it
        if subprocess.run([str(python), *step], cwd=path, check=False).returncode != 0:
            print(f"::error::the install of portal-config failed at: python {' '.join(step)}")
            return 1
    write_outputs(env, {"python": str(python)})
    return 0


def main(argv: list[str]) -> int:
    env = dict(os.environ)
    if argv[:1] == ["venv"] and len(argv) == 1:
        write_outputs(env, venv_outputs(LOCK, env))
        return 0
    if argv[:1] == ["install"] and len(argv) == 2:
        return install(Path(argv[1]).resolve(), env)
    print("usage: install.py venv | install.py install SOURCE", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
