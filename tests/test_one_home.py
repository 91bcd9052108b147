"""Decisions of issue 19 that each live in one place, checked by walking the package's code: a
failure's kind is a `FailureKind` whose predicates say what a run does with it, never a string
compared or a tuple of names kept beside a caller."""

from __future__ import annotations

import ast
from pathlib import Path

import portal_config
from portal_config.errors import FailureKind

PACKAGE = Path(portal_config.__file__).resolve().parent
PRODUCT = sorted(p for p in PACKAGE.rglob("*.py") if "emulator" not in p.relative_to(PACKAGE).parts)
KINDS = {k.value for k in FailureKind}


def _kind_names(node: ast.AST) -> list[str]:
    """The failure kinds spelled as strings in `node` (a literal, or a tuple/list/set of them)."""
    if isinstance(node, ast.Constant) and node.value in KINDS:
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [n for e in node.elts for n in _kind_names(e)]
    if isinstance(node, (ast.IfExp, ast.BoolOp)):  # `a if c else "kind"`, `a or "kind"`
        parts = [node.body, node.orelse] if isinstance(node, ast.IfExp) else node.values
        return [n for part in parts for n in _kind_names(part)]
    return []


def _spelled_kinds(path: Path) -> list[str]:
    """Where `path` spells a failure's kind as a string: compared with a `.kind`, given to a
    StripeFailure, or kept in a collection of kind names."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Attribute) and s.attr == "kind" for s in sides):
                found += [f"{path.name}:{node.lineno}: {n}" for s in sides for n in _kind_names(s)]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "StripeFailure":
            values = [*node.args[1:], *(k.value for k in node.keywords if k.arg == "kind")]
            found += [f"{path.name}:{node.lineno}: {n}" for v in values for n in _kind_names(v)]
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(_kind_names(node)) > 1:
            found += [f"{path.name}:{node.lineno}: {_kind_names(node)}"]
        elif isinstance(node, (ast.Return, ast.Assign)) and path.parent.name == "stripe_api":
            found += [f"{path.name}:{node.lineno}: {n}" for n in _kind_names(node.value or node)]
    return found


def test_a_failures_kind_is_never_spelled_as_a_string() -> None:
    spelled = [where for path in PRODUCT for where in _spelled_kinds(path)]
    assert spelled == [], "use FailureKind and its predicates (errors.py):\n" + "\n".join(spelled)


def test_the_walk_notices_each_spelling(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        'if exc.kind == "permission": pass\n'
        'if exc.kind in ("server", "slow"): pass\n'
        'RUN = ("connection", "deadline")\n'
        'raise StripeFailure("x", "uncertain")\n'
        'if field.kind == "products": pass\n'
    )
    assert len(_spelled_kinds(source)) == 6


def test_what_a_run_does_with_each_kind() -> None:
    """The classification apply and the fleet fan-out used to keep apart (apply's
    ONE_CHANGE_FAILURES, fleet_plan's RUN_FAILURES), as one table."""
    stops = {k.value for k in FailureKind if k.stops_the_run()}
    stops_in_fleet = {k.value for k in FailureKind if k.stops_the_run(fleet_account=True)}
    one_change = {k.value for k in FailureKind if k.one_change_only}
    assert stops == {"connection", "authentication", "deadline", "permission"}
    assert stops_in_fleet == {"connection", "authentication", "deadline"}
    assert one_change == {"server", "rate_limit", "malformed", "slow", "uncertain"}
    assert not stops & one_change
    assert {k.value for k in FailureKind if k.uncertain} == {"uncertain"}


def _calls(path: Path, names: set[str]) -> list[str]:
    """Where `path` calls a function of one of these names (`f(...)` or `module.f(...)`)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in names:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {name}")
    return found


def test_gateways_and_the_rate_limit_are_opened_in_one_place() -> None:
    """stripe_api.connection.open_gateways opens every command's gateways under the run's one
    rate limit: no other module connects or makes a limiter."""
    home = PACKAGE / "stripe_api" / "connection.py"
    elsewhere = [
        where
        for path in PRODUCT
        if path != home
        for where in _calls(path, {"connect", "limiter_for"})
    ]
    assert elsewhere == [], "open them with connection.open_gateways:\n" + "\n".join(elsewhere)


PRICE_READS = {"retrieve_price", "prices_by_lookup_key", "active_lookup_keys"}


def _price_reads(path: Path) -> list[str]:
    """Where `path` asks the gateway for prices, or reads a price's lookup key."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Attribute) and node.attr in PRICE_READS:
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.attr}")
        elif isinstance(node, ast.Subscript) and getattr(node.slice, "value", None) == "lookup_key":
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: ['lookup_key']")
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", None) == "get"
            and node.args
            and getattr(node.args[0], "value", None) == "lookup_key"
        ):
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: .get('lookup_key')")
    return found


def test_stripe_prices_are_looked_up_in_one_module() -> None:
    """pipeline/prices.py asks Stripe for prices and says how a price is written (`lookup_key:K`);
    the gateway (stripe_api/) only makes the requests and checks the answers."""
    home = PACKAGE / "pipeline" / "prices.py"
    elsewhere = [
        where
        for path in PRODUCT
        if path != home and path.parent.name != "stripe_api"
        for where in _price_reads(path)
    ]
    assert elsewhere == [], "look prices up through pipeline/prices.py:\n" + "\n".join(elsewhere)


def _calls_by_function(path: Path, names: set[str]) -> list[str]:
    """`module.function` of each call of these names in `path` (`<module>` at the top level)."""
    found = []
    tree = ast.parse(path.read_text(), str(path))
    for func in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
        for where in _calls(path, names):
            line = int(where.split(":")[1])
            if func.lineno <= line <= (func.end_lineno or func.lineno):
                found.append(f"{path.stem}.{func.name}")
    return found


def test_desired_state_is_resolved_and_checked_by_one_function() -> None:
    """config.resolve fills a file's variables in an environment (or a fleet's account) and
    checks the result as validate does; nothing else fills or checks a file's params."""
    callers = {
        caller
        for path in PRODUCT
        for caller in _calls_by_function(path, {"desired_in", "check_params", "check_filled"})
    }
    assert callers == {"config.resolve"}
