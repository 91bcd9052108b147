"""render/markdown.py: a plan as a pull request comment. The marker, the summary table, a heading
per environment naming its mode, a warning when live changes or anything is deactivated, a
`<details>` table per configuration, notes and problems; values that cannot break the comment;
and the size budget."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from typing import Any

from portal_config import render
from portal_config.errors import Location, Problem
from portal_config.planning.match import Desired
from portal_config.planning.plan import EnvPlan, Plan, plan_environment
from portal_config.render.markdown import markdown

from .support.samples import desired, stripe_config

# Everything that could end a cell, open a code block or a tag, or notify someone.
HOSTILE = "a`b|c <script>x</script> ``` @octocat $x$ *em* _u_ [l](https://e.test) #1 &amp; ~s~"


def env_plan(
    files: list[Desired],
    current: list[dict[str, Any]],
    env: str = "staging",
    mode: str = "test",
    **kw: Any,
) -> EnvPlan:
    return plan_environment("acme", env, mode, files, current, **kw)


def rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ")]


def cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip("|").split("|")]


def shown(cell: str) -> str:
    """What GitHub shows for a cell's <code>: the character references decoded."""
    found = re.fullmatch(r"<code>(.*)</code>", cell)
    assert found, cell
    return html.unescape(found[1])


def mixed() -> Plan:
    """staging (test): a create and a deactivation; prod (live): an update."""
    staging = env_plan(
        [desired("basic", {"name": "Basic"}), desired("old", {"active": False})],
        [stripe_config("bpc_1", "old", env="staging")],
    )
    prod = env_plan(
        [desired("std", {"name": "New"})],
        [stripe_config("bpc_9", "std", env="prod", name="Old")],
        env="prod",
        mode="live",
    )
    return Plan("acme", [staging, prod])


def test_the_marker_the_summary_table_and_a_heading_per_environment() -> None:
    out = markdown(mixed())
    assert out.splitlines()[0] == "<!-- portal-config: plan -->"
    table = rows(out)[:4]
    assert table == [
        "| Environment | Mode | Create | Update | Deactivate | Problems |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        "| <code>staging</code> | test | 1 | 0 | 1 | 0 |",
        "| <code>prod</code> | **live** | 0 | 1 | 0 | 0 |",
    ]
    assert "### <code>staging</code> (test mode)" in out
    assert "### <code>prod</code> (live mode)" in out
    assert out.rstrip().endswith("**Plan: 1 to create, 1 to update, 1 to deactivate.**")


def test_warnings_for_a_live_change_and_a_deactivation() -> None:
    out = markdown(mixed())
    staging, prod = out.split("### <code>staging</code>")[1].split("### <code>prod</code>")
    assert (
        "> [!WARNING]\n> 1 configuration(s) will be deactivated: portal sessions created "
        "with them will fail."
    ) in staging
    assert "Live mode" not in staging
    assert (
        "> [!WARNING]\n> Live mode: applying these files changes 1 configuration(s) that "
        "customers use now."
    ) in prod
    quiet = markdown(Plan("acme", [env_plan([desired("a", {"name": "A"})], [])]))
    assert "[!WARNING]" not in quiet


def test_each_configuration_is_a_details_block_with_field_before_after() -> None:
    out = markdown(mixed())
    blocks = re.findall(r"<details><summary>(.*?)</summary>\n\n(.*?)\n\n</details>", out, re.S)
    assert [summary for summary, _ in blocks] == [
        "+ <code>basic</code> will be created · <code>configs/basic.yaml</code>"
        "<br>- A new portal: every feature off (Stripe's defaults)",
        "- <code>old</code> (<code>bpc&#95;1</code>) will be DEACTIVATED: portal sessions created "
        "with it will fail · <code>configs/old.yaml</code>"
        "<br>- Portal sessions created with this configuration will fail",
        "~ <code>std</code> (<code>bpc&#95;9</code>) will be updated in place · "
        "<code>configs/std.yaml</code>",
    ]
    create, deactivate, update = (rows(table) for _, table in blocks)
    assert create[0] == "| Field | Before | After |"
    assert cells(create[2]) == ["<code>name</code>", "", '<code>"Basic"</code>']
    assert cells(deactivate[2]) == [
        "<code>active</code>",
        "<code>true</code>",
        "<code>false</code>",
    ]
    assert cells(update[2]) == ["<code>name</code>", '<code>"Old"</code>', '<code>"New"</code>']


def test_products_show_the_entries_taken_away_and_those_offered() -> None:
    std = stripe_config("bpc_1", "std", env="staging")
    std["features"]["subscription_update"]["products"] = [
        {"product": "prod_a", "prices": ["price_0"]}
    ]
    products = [{"product": "prod_a", "prices": ["price_1"]}]
    env = env_plan(
        [desired("std", {"features": {"subscription_update": {"products": products}}})], [std]
    )
    env = dataclasses.replace(env, labels={"price_1": "lookup_key:pro"})
    (row,) = [r for r in rows(markdown(Plan("acme", [env]))) if "products" in r]
    _, before, after = cells(row)
    assert shown(before) == "prod_a: price_0"
    assert shown(after) == "prod_a: lookup_key:pro (price_1)"


def test_hostile_values_cannot_break_the_comment() -> None:
    """A value, a Dashboard name or a problem can hold anything: each shows as written, and
    nothing in it acts as markdown or HTML."""
    env = env_plan(
        [desired("std", {"business_profile": {"headline": HOSTILE}})],
        [
            stripe_config("bpc_1", "std", env="staging", business_profile={"headline": "plain"}),
            stripe_config("bpc_2", name=HOSTILE),
        ],
    )
    env = dataclasses.replace(
        env, problems=(*env.problems, Problem(Location("configs/x.yaml", 3, 5), HOSTILE))
    )
    out = markdown(Plan("acme", [env]))
    (row,) = [r for r in rows(out) if "headline" in r]
    field, before, after = cells(row)  # exactly three cells: no pipe of the value split one
    assert shown(after) == json.dumps(HOSTILE), "shown exactly as written"
    assert shown(before) == '"plain"'
    markup = re.sub(r"&#\d+;", "", out)  # what GitHub parses: references are only shown
    for raw in ("`", "<script", "@octocat", "$x$", "*em*", "_u_", "[l]", "~s~", "#1", "&amp;"):
        assert raw not in markup.replace("`apply --prune`", "")
    unmanaged = next(line for line in out.splitlines() if "no file claims" in line)
    assert html.unescape(unmanaged).endswith(f"{json.dumps(HOSTILE)} (<code>bpc_2</code>)")
    problem = next(line for line in out.splitlines() if "x.yaml" in line)
    assert html.unescape(problem) == f"- <code>configs/x.yaml:3:5</code>: {HOSTILE}"


def test_a_line_break_in_a_name_is_shown_not_obeyed() -> None:
    env = EnvPlan("staging", "test", unmanaged=[("bpc_1", "two\nlines\u202e", None)])
    line = next(x for x in markdown(Plan("acme", [env])).splitlines() if "claims" in x)
    assert html.unescape(line).endswith('"two\\nlines\\u202e" (<code>bpc_1</code>)')


def test_notes_name_prunable_default_kept_and_unmanaged_configurations() -> None:
    env = EnvPlan(
        "staging",
        "test",
        prunable=[("old", "bpc_2")],
        default_kept=[("gone", "bpc_5")],
        unmanaged=[("bpc_3", "Legacy", None), ("bpc_4", None, "ca_x")],
    )
    out = markdown(Plan("acme", [env]))
    notes = out.split("**Notes**\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert notes[0] == (
        "- 1 configuration(s) whose file is gone: <code>old</code> "
        "(<code>bpc&#95;2</code>); `apply --prune` would deactivate them"
    )
    assert notes[1].startswith(
        "- <code>gone</code> (<code>bpc&#95;5</code>) has no file any "
        "more, but Stripe made it the test mode default"
    )
    assert notes[2] == (
        '- 2 configuration(s) no file claims, left alone: "Legacy" '
        "(<code>bpc&#95;3</code>), (<code>bpc&#95;4</code>, created by the "
        "Connect application <code>ca&#95;x</code>)"
    )
    assert out.rstrip().endswith(
        "**No changes, but configurations whose file is gone are still active (see Notes).**"
    )


def test_nothing_to_change_and_problems_with_file_line_col() -> None:
    problem = Problem(Location("configs/x.yaml", 3, 5), "lookup_key:pro_monthy matches no price")
    plan = Plan("acme", [EnvPlan("staging", "test"), EnvPlan("prod", "live", problems=[problem])])
    out = markdown(plan)
    staging, prod = out.split("### <code>prod</code>")
    assert staging.rstrip().endswith("Nothing to change.")
    assert (
        "**Problems** (these files are left out until fixed)\n- "
        "<code>configs/x.yaml:3:5</code>: lookup&#95;key:pro&#95;monthy matches no price"
    ) in prod
    assert out.rstrip().endswith(
        "**No changes for the configurations that could be planned; see Problems.**"
    )


def test_a_diff_has_its_own_marker_title_and_closing_line() -> None:
    out = markdown(Plan("acme", [EnvPlan("staging", "test")]), render.diff_wording("origin/main"))
    lines = out.splitlines()
    assert lines[0] == "<!-- portal-config: diff -->"
    assert lines[2] == "## portal-config diff against origin/main"
    assert lines[4] == (
        "Desired state at origin/main -&#62; working tree, per environment "
        "(offline: Stripe was not read; lookup keys are not resolved)."
    )
    assert lines[-1] == "**No changes between origin/main and the working tree.**"


def test_a_drift_check_says_drift_and_where() -> None:
    out = markdown(mixed(), render.plan_wording(drift=True))
    assert out.splitlines()[4] == (
        "**Drift: Stripe differs from the configuration files in staging, prod.**"
    )
    assert "Drift" not in markdown(mixed())


def big_plan(n: int, fields: int = 12) -> Plan:
    """n updates of `fields` long fields each, in staging, and one deactivation in prod."""
    params = {"metadata": {f"field_{k}": "x" * 60 for k in range(fields)}}
    staging = env_plan(
        [desired(f"c{i:03}", params) for i in range(n)],
        [stripe_config(f"bpc_{i}", f"c{i:03}", env="staging") for i in range(n)],
    )
    prod = env_plan(
        [desired("old", {"active": False})],
        [stripe_config("bpc_x", "old", env="prod")],
        env="prod",
        mode="live",
    )
    return Plan("acme", [staging, prod])


def test_over_the_limit_the_largest_tables_go_first_then_whole_configurations() -> None:
    plan = big_plan(30)
    full = markdown(plan)
    assert len(full) > 20_000 and "Cut to fit" not in full
    tables_cut = markdown(plan, limit=20_000)
    assert len(tables_cut) <= 20_000
    assert tables_cut.count("<details>") == 31, "every configuration is still named"
    assert "12 field(s) change; this table is cut" in tables_cut
    assert "| <code>active</code> | <code>true</code> | <code>false</code> |" in tables_cut, (
        "the small deactivation keeps its table"
    )
    note = re.search(
        r"\*\*Cut to fit one comment\*\* \(20,000 characters\): (\d+) "
        r"configuration\(s\) are shown without their field table, 0 not at all\.",
        tables_cut,
    )
    assert note and int(note[1]) == tables_cut.count("this table is cut")
    assert (
        "See everything with <code>portal-config plan --env staging --env prod</code> "
        "locally, or as JSON with <code>portal-config plan --env staging --env prod --format "
        "json</code>."
    ) in tables_cut

    few = markdown(plan, limit=4_000)
    assert len(few) <= 4_000
    more = re.search(
        r"… and (\d+) more configuration\(s\) to change in <code>staging</code>, "
        r"not shown \(see the note at the end\)\.",
        few,
    )
    assert more and f"field table, {more[1]} not at all." in few
    assert "will be DEACTIVATED" in few, "deactivations are cut last"
    assert rows(few)[2:4] == [
        "| <code>staging</code> | test | 0 | 30 | 0 | 0 |",
        "| <code>prod</code> | **live** | 0 | 0 | 1 | 0 |",
    ]
    assert few.count("<details>") < 31
    assert few.rstrip().endswith("json</code>.")
