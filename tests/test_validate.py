"""`portal-config validate` as a user runs it.

The corpus: each folder in tests/broken/ is a project folder (its files, plus
tests/broken/_project.yaml as portal-config.yaml when it has none) and `expected.txt`, the exact
output of `validate` run from inside that folder. Every case must exit 1 without a traceback.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import Result, run_cli

TESTS = Path(__file__).resolve().parent
BROKEN = TESTS / "broken"
CONFIGS = TESTS.parent / "configs"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


def run(*args: str) -> Result:
    return run_cli(*args)


def project_from(case: Path, into: Path) -> Path:
    folder = into / case.name
    shutil.copytree(case, folder, ignore=shutil.ignore_patterns("expected.txt"))
    if not (folder / "portal-config.yaml").exists():
        shutil.copy(BROKEN / "_project.yaml", folder / "portal-config.yaml")
    return folder


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_broken_case(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project_from(BROKEN / case, tmp_path))
    result = run("validate")
    assert result.exit_code == 1, result.output
    # main turns any exception it did not expect into "Internal error (...)", exit 1
    assert "Internal error" not in result.output
    assert "Traceback" not in result.output
    expected = (BROKEN / case / "expected.txt").read_text().splitlines()
    assert result.stdout.splitlines() == expected


def test_the_example_configs_validate_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CONFIGS.parent)
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.strip() == "configs: 3 files, 0 errors, 0 warnings"


def test_config_option_and_summary(tmp_path: Path) -> None:
    folder = project_from(BROKEN / "http-url-live", tmp_path)
    result = run("--config", str(folder / "portal-config.yaml"), "validate")
    assert result.exit_code == 1
    # Outside the current directory, paths stay absolute.
    assert result.stdout.startswith(f"{folder / 'standard.yaml'}:4:21: default_return_url: ")
    assert result.stderr.strip() == f"{folder}: 1 file, 2 errors, 0 warnings"


def _with_warning(tmp_path: Path) -> Path:
    folder = project_from(BROKEN / "unknown-field", tmp_path)
    (folder / "standard.yaml").write_text(
        "features:\n  subscription_update:\n    enabled: true\n"
        "    products:\n      - product: prod_Q1xyz\n        prices: [price_1Pabc]\n"
    )
    return folder


def test_warnings_alone_exit_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_with_warning(tmp_path))
    result = run("validate")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "standard.yaml:5:18: warning: features.subscription_update."
        "products[0].product: prod_Q1xyz goes to every environment"
    )
    assert lines[1].startswith(
        "standard.yaml:6:18: warning: features.subscription_update."
        "products[0].prices[0]: price_1Pabc goes to every environment, "
        "but IDs differ between accounts and modes: write the price as "
        "lookup_key:KEY"
    )
    assert result.stderr.strip() == "unknown-field: 1 file, 0 errors, 2 warnings"


def test_json_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project_from(BROKEN / "vars-not-strings", tmp_path))
    result = run("validate", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "format_version": 1,
        "problems": [
            {
                "file": "portal-config.yaml",
                "line": 7,
                "col": 13,
                "level": "error",
                "message": "environments.local.vars.port: expected a string, got the number 3000 "
                "(quote it to make it text)",
            },
            {
                "file": "portal-config.yaml",
                "line": 8,
                "col": 7,
                "level": "error",
                "message": "environments.local.vars: 'app-url' must start with a letter or '_' "
                "and use only letters, digits and '_'",
            },
        ],
    }


def test_json_format_when_clean_has_no_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CONFIGS.parent)
    result = run("validate", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"format_version": 1, "problems": []}


def test_github_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_with_warning(tmp_path))
    Path("broken.yaml").write_text("name: [x\n")
    result = run("validate", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "::error file=broken.yaml,line=2,col=1::invalid YAML: expected ',' or "
        "']', but got '<stream end>' (while parsing a flow sequence at line 1)"
    )
    assert lines[1].startswith("::warning file=standard.yaml,line=5,col=18::features.")


def test_secret_keys_are_never_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project_from(BROKEN / "api-key-env-holds-key", tmp_path))
    key = "sk_live_51Hx0FakeKeyForTests222222"
    for fmt in ("text", "json", "github"):
        result = run("validate", "--format", fmt)
        assert key not in result.output
        assert "sk_live_...2222" in result.stdout


def test_no_project_file_is_one_clear_error(tmp_path: Path) -> None:
    code = (
        "import os, sys; os.chdir(sys.argv[1]); from portal_config.cli import main; "
        "main(['validate'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Error: no project file: looked for ./portal-config.yaml")
    assert "Traceback" not in done.stderr


def test_validate_never_imports_stripe() -> None:
    code = (
        "import sys, os; os.chdir(sys.argv[1]); from portal_config.cli import main\n"
        "try:\n    main(['validate'])\n"
        "except SystemExit as exit:\n"
        "    assert not [m for m in sys.modules if m == 'stripe' or m.startswith('stripe.')]\n"
        "    print('exit', exit.code, 'stripe' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(CONFIGS.parent)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "exit 0 False"


def test_schema_command_prints_both_schemas() -> None:
    from jsonschema import Draft7Validator

    for kind in ("config", "project"):
        result = run("schema", "--kind", kind)
        assert result.exit_code == 0
        document = json.loads(result.stdout)
        Draft7Validator.check_schema(document)
        assert document["additionalProperties"] is False
    assert "features" in json.loads(run("schema").stdout)["properties"]
