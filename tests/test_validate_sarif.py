"""`portal-config validate --format sarif`: SARIF 2.1.0 for GitHub code scanning, one result per
problem at its FILE:LINE:COL, its ruleId the problem's kind.

SARIF 2.1.0: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html; what GitHub reads:
https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
(no schema package offline: the properties that spec and GitHub require are checked here).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from portal_config import __version__
from tests.support.cli import run_cli

BROKEN = Path(__file__).resolve().parent / "broken"
CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def sarif_of(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, Any]]:
    monkeypatch.chdir(folder)
    result = run_cli("validate", "--format", "sarif")
    assert "Traceback" not in result.output
    log: dict[str, Any] = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "portal-config"
    assert driver["version"] == __version__
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    for result_ in run["results"]:  # each result names a rule the driver lists, by id and index
        assert driver["rules"][result_["ruleIndex"]]["id"] == result_["ruleId"]
        assert result_["level"] in ("error", "warning")
        assert result_["message"]["text"]
    return result.exit_code, log


def case(name: str, tmp_path: Path) -> Path:
    folder = tmp_path / name
    shutil.copytree(BROKEN / name, folder, ignore=shutil.ignore_patterns("expected.txt"))
    if not (folder / "portal-config.yaml").exists():
        shutil.copy(BROKEN / "_project.yaml", folder / "portal-config.yaml")
    return folder


def test_one_result_per_problem_at_its_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = case("eleven-products", tmp_path)
    code, log = sarif_of(folder, monkeypatch)
    assert code == 1
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "schema"
    assert result["level"] == "error"
    assert result["message"]["text"] == (
        "features.subscription_update.products: 11 entries; Stripe allows at most 10 products"
    )
    (where,) = result["locations"]
    assert where["physicalLocation"] == {
        "artifactLocation": {"uri": "standard.yaml"},
        "region": {"startLine": 5, "startColumn": 7},
    }


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("create-prorations-at-period-end", "stripe-rule"),
        ("duplicate-key", "yaml"),
        ("duplicate-key-across-files", "consistency"),
        ("undefined-variable", "variable"),
        ("secret-key-in-config", "secret"),
    ],
)
def test_the_rule_is_the_problems_kind(
    name: str, rule: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, log = sarif_of(case(name, tmp_path), monkeypatch)
    assert code == 1
    assert rule in {r["ruleId"] for r in log["runs"][0]["results"]}


def test_a_clean_project_is_an_empty_run_code_scanning_can_close_alerts_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, log = sarif_of(CONFIGS.parent, monkeypatch)
    assert code == 0
    assert log["runs"][0]["results"] == []


def test_a_path_with_spaces_is_a_uri_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = case("eleven-products", tmp_path)
    (folder / "standard.yaml").rename(folder / "my portal.yaml")
    _, log = sarif_of(folder, monkeypatch)
    (result,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "schema"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "my%20portal.yaml"}
