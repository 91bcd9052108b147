"""What a reviewer and the drift job read, end to end: the markdown for a pull request comment
(also at 300 changed configurations), a broken file that never hides another's drift, and
words that say what was compared."""

from __future__ import annotations

import html
import json

from .stripe_state import BASIC, LIVE_KEY, STANDARD, client

PRO = """\
name: Pro
features:
  subscription_update:
    enabled: true
    default_allowed_updates: [price]
    products:
      - prices: [lookup_key:pro_monthly]
"""
CATALOG = {
    "products": [
        {
            "id": "prod_pro",
            "name": "Pro",
            "prices": [
                {
                    "id": "price_pm",
                    "lookup_key": "pro_monthly",
                    "unit_amount": 2000,
                    "currency": "usd",
                    "recurring": {"interval": "month"},
                }
            ],
        }
    ]
}


def test_markdown_of_creates_updates_a_deactivation_and_a_live_environment(project) -> None:
    project.write("standard.yaml", STANDARD)
    project.write("old.yaml", BASIC)
    assert project.run("apply", "--all", "--yes").exit_code == 0
    legacy = client(project, LIVE_KEY).v1.billing_portal.configurations.create(
        {"name": "Legacy | `v1`", "features": {"invoice_history": {"enabled": True}}}
    )
    project.write("standard.yaml", STANDARD.replace("simplified billing", "billing"))
    project.write("old.yaml", "active: false\n" + BASIC)
    project.write("basic.yaml", BASIC.replace("Basic", "Basic 2"))

    result = project.run("plan", "--all", "--format", "markdown", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    out = result.stdout
    assert out.startswith(
        "<!-- portal-config: plan -->\n\n## portal-config plan\n\n"
        "**Drift: Stripe differs from the configuration files in staging, "
        "prod.**\n\n"
    )
    assert (
        "| <code>staging</code> | test | 1 | 1 | 1 | 0 |\n"
        "| <code>prod</code> | **live** | 1 | 1 | 1 | 0 |"
    ) in out
    prod = out.split("### <code>prod</code> (live mode)\n\n", 1)[1]
    assert prod.startswith(
        "> [!WARNING]\n> Live mode: applying these files changes 3 configuration(s) that "
        "customers use now.\n>\n> 1 configuration(s) will be deactivated: portal sessions "
        "created with them will fail.\n\n<details><summary>+ <code>basic</code> will be created"
    )
    assert out.count("<details><summary>") == 6
    assert (
        '| <code>business&#95;profile.headline</code> | <code>"Acme partners with Stripe for '
        'simplified billing."</code> | <code>"Acme partners with Stripe for billing."'
        "</code> |"
    ) in out
    unmanaged = html.unescape(next(line for line in prod.splitlines() if "no file claims" in line))
    assert unmanaged.endswith(f'left alone: "Legacy | `v1`" (<code>{legacy.id}</code>)')
    data = json.loads(project.run("plan", "--env", "prod", "--format", "json").stdout)
    assert data["environments"][0]["unmanaged"] == [
        {"id": legacy.id, "name": "Legacy | `v1`", "application": None, "looks_like": None}
    ]


def test_300_changed_configurations_fit_one_comment(project) -> None:
    fields = {f"k{n}": "v" * 40 for n in range(8)}
    project.emulator.seed(
        {
            "configurations": [
                {
                    "name": f"Old {i}",
                    "features": {"invoice_history": {"enabled": True}},
                    "metadata": {
                        **fields,
                        "portal_config_project": "acme",
                        "portal_config_env": "staging",
                        "portal_config_key": f"c{i:03}",
                    },
                }
                for i in range(300)
            ]
        },
        mode="test",
    )
    meta = "".join(f"  k{n}: {'w' * 40}\n" for n in range(8))
    for i in range(300):
        project.write(
            f"c{i:03}.yaml",
            f"name: New {i}\nfeatures:\n  invoice_history: {{enabled: true}}\nmetadata:\n{meta}",
        )

    result = project.run("plan", "--env", "staging", "--format", "markdown")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert len(out) <= 60_000
    assert "| <code>staging</code> | test | 0 | 300 | 0 | 0 |" in out
    assert "**Plan: 0 to create, 300 to update, 0 to deactivate.**" in out
    assert "**Cut to fit one comment** (60,000 characters): " in out
    assert (
        "See everything with <code>portal-config plan --env staging</code> locally, or as "
        "JSON with <code>portal-config plan --env staging --format json</code>."
    ) in out
    full = json.loads(project.run("plan", "--env", "staging", "--format", "json").stdout)
    assert len(full["environments"][0]["changes"]) == 300, "the JSON has all of them"


def test_a_broken_file_never_hides_drift_beside_it(project) -> None:
    project.emulator.seed(CATALOG, mode="test")
    project.write("basic.yaml", BASIC)
    pro = project.write("pro.yaml", PRO)
    assert project.run("apply", "--env", "staging").exit_code == 0
    configs = client(project).v1.billing_portal.configurations
    by_name = {c.name: c.id for c in configs.list().data}
    configs.update(by_name["Basic"], {"name": "Edited in the Dashboard"})
    project.write("pro.yaml", PRO.replace("pro_monthly", "pro_monthy"))
    project.emulator.clear_log()

    result = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert result.exit_code == 1, result.output
    assert (
        f"  staging: {pro}:7:18: lookup_key:pro_monthy matches no price in environment 'staging'"
    ) in result.stdout
    assert f"~ basic ({by_name['Basic']}) in staging will be updated in place" in result.stdout
    assert '    name: "Edited in the Dashboard" -> "Basic"' in result.stdout
    assert result.stdout.rstrip().endswith(
        "Plan: 0 to create, 1 to update, 0 to deactivate. Files with problems are left out "
        "(see Problems)."
    )
    assert "pro" not in result.stdout.split("Problems")[0], "pro.yaml is left out"

    data = json.loads(project.run("plan", "--env", "staging", "--format", "json").stdout)
    (env,) = data["environments"]
    assert [(c["action"], c["key"]) for c in env["changes"]] == [("update", "basic")]
    assert data["summary"]["problems"] == 1
    markdown = project.run("plan", "--env", "staging", "--format", "markdown").stdout
    assert "<details><summary>~ <code>basic</code>" in markdown
    assert f"- <code>{pro}:7:18</code>: lookup_key:pro_monthy matches no" in html.unescape(markdown)

    pruned = project.run("plan", "--env", "staging", "--prune")
    assert "DEACTIVATED" not in pruned.stdout and "file is gone" not in pruned.stdout, (
        "pro's configuration is still claimed by its file"
    )
    applied = project.run("apply", "--env", "staging", "--prune")
    assert applied.exit_code == 1
    assert "nothing was applied" in applied.stderr
    assert project.writes() == []


def test_a_drift_check_says_drift(project) -> None:
    project.write("basic.yaml", BASIC)
    assert project.run("apply", "--env", "staging").exit_code == 0
    configs = client(project).v1.billing_portal.configurations
    (basic,) = configs.list().data
    clean = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert (clean.exit_code, clean.stdout.strip()) == (
        0,
        "No changes. Stripe matches the configuration files.",
    )
    configs.update(basic.id, {"name": "Edited in the Dashboard"})
    drift = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert drift.exit_code == 2
    assert drift.stdout.startswith(
        "Drift: Stripe differs from the configuration files in staging.\n\n"
    )
    assert not project.run("plan", "--env", "staging").stdout.startswith("Drift")
