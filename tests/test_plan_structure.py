"""One home for what a change is and how it is said (its kind in planning/changes.py), and plans
that stay as planned: an EnvPlan or a Plan is frozen, and what apply or --target makes of one is a
new plan (octoDNS's Plan.raise_if_unsafe is the model)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

import portal_config
from portal_config.planning.changes import KINDS
from portal_config.planning.plan import EnvPlan, Plan

PACKAGE = Path(portal_config.__file__).resolve().parent
# What reads a change to people: the renderers and the commands (apply's prompt among them).
SAYERS = sorted([*(PACKAGE / "render").glob("*.py"), *(PACKAGE / "commands").glob("*.py")])
KIND_NAMES = {name for kind in KINDS.values() for name in (kind.action, kind.counted_as)}
PLAN_FIELDS = {f.name for cls in (EnvPlan, Plan) for f in dataclasses.fields(cls)}
NOT_PLANS = {"self", "obs"}  # receivers of the same attribute names: doctor's Observation


def _strings(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module, f-strings' literal parts included (not docstrings)."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_renderer_or_command_names_a_change_kind_or_words_it_itself() -> None:
    # Symbols, verbs, counts and "will be ..." are the kind's (changes.py): text, markdown, the
    # apply report and the live prompt read them, so they cannot drift apart again.
    found = [
        f"{path.relative_to(PACKAGE)}:{line}: {value!r}"
        for path in SAYERS
        for line, value in _strings(path)
        if value in KIND_NAMES or "will be " in value
    ]
    assert found == []


def _assigned_attributes(tree: ast.AST) -> list[ast.Attribute]:
    targets: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets += node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets.append(node.target)
    flat: list[ast.expr] = []
    while targets:
        target = targets.pop()
        if isinstance(target, ast.Tuple | ast.List):
            targets += target.elts
        else:
            flat.append(target.value if isinstance(target, ast.Subscript) else target)
    return [t for t in flat if isinstance(t, ast.Attribute)]


def test_the_assignment_walk_notices_every_spelling() -> None:
    source = "env.changes = []\nresult.envs += x\na, e.prunable = 1, 2\nr.labels['p'] = 'k'\n"
    assert [a.attr for a in _assigned_attributes(ast.parse(source))] == [
        "labels",
        "prunable",
        "envs",
        "changes",
    ]


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_plan_is_changed_after_planning(path: Path) -> None:
    # `env.changes = []` and the like: a plan is made whole once, then only replaced.
    if "emulator" in path.parts:
        return
    found = [
        f"{path.relative_to(PACKAGE)}:{a.lineno}: .{a.attr} ="
        for a in _assigned_attributes(ast.parse(path.read_text()))
        if a.attr in PLAN_FIELDS and not (isinstance(a.value, ast.Name) and a.value.id in NOT_PLANS)
    ]
    assert found == []


def test_a_plan_cannot_be_assigned_to() -> None:
    env = EnvPlan("prod", "live")
    with pytest.raises(dataclasses.FrozenInstanceError):
        env.changes = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Plan("acme", (env,)).envs = ()  # type: ignore[misc]


def test_holding_back_and_the_threshold_leave_the_plan_as_planned() -> None:
    from portal_config.errors import PortalConfigError, Problem
    from portal_config.planning.changes import FieldChange, Update

    def account(i: int, problems: tuple[Problem, ...] = ()) -> EnvPlan:
        change = Update(
            "t", "std", f"bpc_{i}", "configs/std.yaml", (FieldChange("name", 1, 2),), {}
        )
        return EnvPlan("t", "test", (change,), problems=problems).of_account(f"acct_{i}")

    broken = account(0, (Problem(None, "a variable the account lacks"),))
    plan = Plan("acme", (broken, *map(account, range(1, 20))), {"t": 20})
    held = plan.holding_back()
    assert plan.held == ["t/acct_0"] and plan.envs[0].changes, "the plan itself is unchanged"
    assert held.envs[0].changes == () and held.envs[1:] == plan.envs[1:]
    with pytest.raises(
        PortalConfigError, match="fleet t: this run would change 19 of the 20 accounts"
    ):
        held.raise_if_unsafe(0.3)
    held.raise_if_unsafe(0.3, force=True)
