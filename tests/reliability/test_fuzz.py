"""Fuzzing `portal-config validate` (and lightly `diff --base`): whatever the files hold, the
command ends with exit 0 or 1, exit 1 says where (FILE:LINE:COL), nothing is a traceback or an
"Internal error", and no run takes more than a few seconds.

Thousands of inputs: PORTAL_CONFIG_FUZZ_EXAMPLES (default 2000) shared between the tests below.
Under CI=true the inputs are derandomized (the same every run) and no example database is kept.
"""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from portal_config.project import loader
from tests.reliability import strategies as fuzz
from tests.reliability.harness import LOCATED, PROJECT, assert_well_behaved, new_project
from tests.support.cli import run_cli

pytestmark = pytest.mark.fuzz
EXAMPLES = int(os.environ.get("PORTAL_CONFIG_FUZZ_EXAMPLES", "2000"))
IN_CI = os.environ.get("CI", "").lower() == "true"


def share(percent: int) -> settings:
    """Hypothesis settings for a test that takes `percent` of the examples."""
    return settings(
        max_examples=max(1, EXAMPLES * percent // 100),
        deadline=timedelta(seconds=3),  # "never over a few seconds", whatever the input
        derandomize=IN_CI,
        database=None if IN_CI else settings().database,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "configs"


def validate(folder: Path, files: dict[str, str], project: str = PROJECT) -> None:
    project_file = new_project(folder, files, project)
    lines = assert_well_behaved(run_cli("--config", str(project_file), "validate"))
    # What the inputs reached (pytest --hypothesis-show-statistics): clean runs, and the kinds of
    # problem found.
    event("clean" if not lines else LOCATED.sub(r"\g<message>", lines[0]).split(":")[0][:40])


@share(40)
@given(text=fuzz.texts)
def test_validate_survives_any_configuration_text(folder: Path, text: str) -> None:
    validate(folder, {"standard.yaml": text})


@share(40)
@given(first=fuzz.config_documents(), second=st.one_of(st.none(), fuzz.config_documents()))
def test_validate_survives_documents_near_valid_ones(
    folder: Path, first: str, second: str | None
) -> None:
    validate(folder, {"standard.yaml": first, **({"other.yml": second} if second else {})})


@share(20)
@given(
    project=st.one_of(fuzz.project_documents(), fuzz.mutated_text(fuzz.PROJECT_TEXTS)),
    text=st.sampled_from(fuzz.CONFIG_TEXTS[:3]),
)
def test_validate_survives_any_project_file(folder: Path, project: str, text: str) -> None:
    validate(folder, {"standard.yaml": text}, project)


@share(20)
@given(text=fuzz.texts)
def test_libyaml_reads_every_text_as_the_pure_python_loader_does(folder: Path, text: str) -> None:
    # libyaml.py: a text libyaml may read otherwise goes the pure way, so both ways agree.
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "standard.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")

    def read() -> tuple[object, ...]:
        doc, problems = loader.load(path)
        return repr(doc.data), doc.values, doc.keys, problems

    with pytest.MonkeyPatch.context() as pure:
        pure.setattr(loader, "LIBYAML", None)
        expected = read()
    assert read() == expected


# --- diff --base HEAD: the working tree fuzzed against a committed base --------------------------


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-diff")
    project_file = new_project(root / "configs", {"standard.yaml": fuzz.CONFIG_TEXTS[0]})
    for args in (
        ["init", "-q"],
        ["config", "user.email", "t@example.com"],
        ["config", "user.name", "t"],
        ["add", "-A"],
        ["commit", "-qm", "base"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return project_file


@settings(share(5), max_examples=max(1, min(100, EXAMPLES // 20)))
@given(text=st.one_of(fuzz.config_documents(), fuzz.mutated_text(fuzz.CONFIG_TEXTS)))
def test_diff_survives_any_working_tree(repository: Path, text: str) -> None:
    (repository.parent / "standard.yaml").write_text(text)
    outcome = run_cli("--config", str(repository), "diff", "--base", "HEAD", "--env", "local")
    assert_well_behaved(outcome, "stderr")
