"""Issue 18.3: `import` names each file after a key that can come from Stripe's metadata, which
anyone with the Dashboard can set: it never writes outside the folder it writes to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import Project
from tests.e2e.stripe_state import TEST_KEY, client

FIELD = "metadata.portal_config_key"


def ours(project: Project, key: str) -> str:
    """A configuration carrying this project's identity with `key`, as if it had created it."""
    made = client(project, TEST_KEY).v1.billing_portal.configurations.create(
        {
            "metadata": {
                "portal_config_project": "acme",
                "portal_config_env": "staging",
                "portal_config_key": key,
            },
            "features": {"invoice_history": {"enabled": True}},
        }
    )
    return str(made.id)


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "key",
    ["{root}/escaped", "sub/../../escape", "x/y", "..", "con", "a\nb", "k" * 101],
    ids=["absolute", "dot-dot", "separator", "parent", "reserved", "control", "too-long"],
)
def test_a_key_that_cannot_be_a_file_name_is_refused_naming_it(project: Project, key: str) -> None:
    key = key.format(root=project.root)
    config_id = ours(project, key)
    before = files_under(project.root)
    result = project.run("import", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith(f"Error: a file's name comes from its key: {config_id} {FIELD} ")
    assert "cannot name a file: " in error and "Nothing was written" in error
    assert files_under(project.root) == before
    assert not (project.root / "escaped.yaml").exists() and not Path("/escape.yaml").exists()


def test_a_safe_key_is_still_written_beside_the_project_file(project: Project) -> None:
    config_id = ours(project, "pro.monthly_v2")
    result = project.run("import", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert f"staging: {config_id}" in (project.configs / "pro.monthly_v2.yaml").read_text()


def test_import_never_writes_through_a_symbolic_link(project: Project, tmp_path: Path) -> None:
    ours(project, "standard")
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "elsewhere.txt"
    target.write_text("kept\n")
    os.symlink(target, out / "standard.yaml")
    result = project.run("import", "--env", "staging", "--out", str(out), "--force")
    assert result.exit_code == 1, result.output
    assert "a symbolic link, which import never writes through" in result.stderr
    assert target.read_text() == "kept\n"


def test_line_breaks_yaml_versions_read_otherwise_are_imported_escaped(project: Project) -> None:
    client(project, TEST_KEY).v1.billing_portal.configurations.create(
        {"name": "Line\u2028break\x85here", "features": {"invoice_history": {"enabled": True}}}
    )
    result = project.run("import", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert 'name: "Line\\Lbreak\\Nhere"\n' in (project.configs / "line-break-here.yaml").read_text()
    assert project.run("validate").exit_code == 0
    plan = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
