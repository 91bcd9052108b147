"""What a release is made of: the version from the git tag (setuptools-scm), a wheel and an sdist
that carry LICENSE and NOTICE, classifiers and project URLs, `--version`, and the release workflow.

The builds run offline (`--no-isolation`: setuptools and setuptools-scm come with the test extras)
on a copy of the working tree committed in a fresh repository and tagged there.
"""

from __future__ import annotations

import email
import importlib.metadata
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal_config.stripe_api import sdk
from tests.ci.conftest import RELEASE_WORKFLOW, ROOT

TAG = "v9.8.7"


def git(cwd: Path, *args: str) -> str:
    author = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    done = subprocess.run(
        ["git", *author, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout


def copy_tree(target: Path) -> Path:
    """The files git would commit here (tracked and new, none ignored), copied to TARGET."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


def scm_version(root: Path) -> str:
    """The version setuptools-scm gives ROOT, with pyproject.toml's settings."""
    done = subprocess.run(
        [sys.executable, "-m", "setuptools_scm"], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This working tree committed in a new repository and tagged v9.8.7."""
    repo = copy_tree(tmp_path_factory.mktemp("tagged"))
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "release")
    git(repo, "tag", "-a", TAG, "-m", TAG)
    return repo


@pytest.fixture(scope="module")
def dist(tagged: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(tagged)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_the_wheel_is_versioned_by_the_tag_and_carries_the_licences(dist: Path) -> None:
    wheel = dist / "portal_config-9.8.7-py3-none-any.whl"
    assert wheel.is_file(), sorted(p.name for p in dist.iterdir())
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        meta = email.message_from_bytes(archive.read("portal_config-9.8.7.dist-info/METADATA"))
        licences = {
            n: archive.read(f"portal_config-9.8.7.dist-info/licenses/{n}").decode()
            for n in ("LICENSE", "NOTICE")
        }
    assert meta["Version"] == "9.8.7"
    assert meta["License-Expression"] == "MIT"
    assert sorted(meta.get_all("License-File") or []) == ["LICENSE", "NOTICE"]
    assert licences["LICENSE"].startswith("MIT License")
    # The NOTICE names the shipped extract and carries Stripe's MIT licence for it.
    assert "portal_config/data/stripe-openapi-billing-portal.json" in licences["NOTICE"]
    assert "Stripe, Inc." in licences["NOTICE"]
    assert "portal_config/data/stripe-openapi-billing-portal.json" in names
    assert "portal_config/data/plan-output.v1.schema.json" in names  # the plan JSON's schema
    classifiers = meta.get_all("Classifier") or []
    assert "Programming Language :: Python :: 3.10" in classifiers
    assert "Environment :: Console" in classifiers
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert {"Source", "Issues", "Changelog"} <= set(urls)


def test_the_sdist_carries_the_licences_and_the_changelog(dist: Path) -> None:
    with tarfile.open(dist / "portal_config-9.8.7.tar.gz") as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"LICENSE", "NOTICE", "CHANGELOG.md", "RELEASING.md", "action/requirements.lock"} <= (
        names
    )


def test_an_archive_of_the_tag_keeps_its_version(tagged: Path, tmp_path: Path) -> None:
    """GitHub hands an action (`uses: OWNER/portal-config@v1`) over as `git archive` of the ref,
    without .git: .git_archival.txt (export-subst) carries the tag into it."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", TAG], cwd=tagged, capture_output=True, check=True
    ).stdout
    (tmp_path / "src.tar").write_bytes(archive)
    with tarfile.open(tmp_path / "src.tar") as tar:
        tar.extractall(tmp_path / "src", filter="data")
    assert not (tmp_path / "src" / ".git").exists()
    assert scm_version(tmp_path / "src") == "9.8.7"


def test_a_copy_without_git_metadata_gets_the_fallback_version(tmp_path: Path) -> None:
    src = copy_tree(tmp_path)
    assert scm_version(src) == "0.0"


def test_version_names_the_tool_the_sdk_and_the_stripe_api_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "portal_config", "--version"], capture_output=True, text=True
    )
    assert (done.returncode, done.stderr) == (0, "")
    tool, stripe = (importlib.metadata.version(n) for n in ("portal-config", "stripe"))
    assert done.stdout == (
        f"portal-config {tool} (stripe-python {stripe}, Stripe API {sdk.STRIPE_VERSION})\n"
    )
    assert tool != "0.1.0", "the version comes from git, not a constant"


@pytest.mark.parametrize(("expected", "code"), [("", 0), ("9.9.9", 1)])
def test_the_smoke_test_checks_an_installed_tool(expected: str, code: int) -> None:
    """.ci/smoke, as CI runs it on the wheel's venv and the release on the tag's: here on this
    environment's portal-config, and refusing a version other than the one expected."""
    tool = Path(sys.executable).parent / "portal-config"
    done = subprocess.run(
        [str(ROOT / ".ci" / "smoke"), str(tool), *([expected] if expected else [])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == code, done.stdout[-2000:] + done.stderr[-2000:]
    assert ("smoke: ok" in done.stdout) is (code == 0)
    if code == 0:
        assert "No changes. Stripe matches the configuration files." in done.stdout


def test_the_release_workflow_builds_checks_and_publishes_on_a_version_tag() -> None:
    workflow: dict[str, Any] = yaml.safe_load(RELEASE_WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads `on` as true. Version tags only: not the major tag v1 the workflow moves.
    assert workflow[True]["push"]["tags"] == ["v[0-9]+.[0-9]+.[0-9]+*"]
    jobs = workflow["jobs"]
    runs = "\n".join(s.get("run", "") for s in jobs["build"]["steps"])
    assert "python -m build" in runs
    assert ".ci/smoke" in runs, "the same smoke test as CI, on the wheel in a clean venv"
    publish = jobs["publish"]
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}  # trusted publishing, no token
    uses = [s.get("uses", "") for s in publish["steps"]]
    assert any(u.startswith("pypa/gh-action-pypi-publish@") for u in uses)
