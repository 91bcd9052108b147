"""The package's shape: one module per command, registered on the group, no import of cli.py (no
import circle), no file over 400 lines, `stripe` imported only by the stripe_api package, a
docstring per module, and no bare `Any` in a signature."""

from __future__ import annotations

import ast
import dataclasses
import importlib
from pathlib import Path

import click
import pytest

import portal_config
from portal_config.cli import cli

PACKAGE = Path(portal_config.__file__).resolve().parent
MODULES = sorted(PACKAGE.rglob("*.py"))
# Command module -> the command name it registers.
COMMANDS = {
    "validate": "validate",
    "plan": "plan",
    "apply": "apply",
    "import_": "import",
    "doctor": "doctor",
    "ids": "ids",
    "diff": "diff",
    "schema": "schema",
    "emulator": "emulator",
    "pull": "pull",
    "show": "show",
    "init": "init",
    "explain": "explain",
}
MAX_LINES = 400


def _package_of(path: Path) -> str:
    """The package relative imports in `path` start from."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1])


def _imported(source: str, package: str) -> set[str]:
    """Every module `source` imports, relative imports resolved; `from a import b` yields a.b too
    (b may be a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = parts[: len(parts) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import portal_config.cli",
        "from portal_config import cli",
        "from .. import cli",
        "from ..cli import main",
        "def f():\n    from ..cli import main\n",
    ],
)
def test_the_import_walk_notices_every_spelling(source: str) -> None:
    # The check below passes when nothing imports cli.py: make sure it would notice one.
    assert "portal_config.cli" in _imported(source, "portal_config.commands")


def test_the_import_walk_ignores_other_modules() -> None:
    found = _imported("from ..commands import options\nfrom . import cliffs", "portal_config.x")
    assert "portal_config.cli" not in found


# __main__.py is `python -m portal_config`: it runs the entry point, so it imports cli.py.
@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if p.name != "__main__.py"],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_no_module_imports_cli(path: Path) -> None:
    imported = _imported(path.read_text(), _package_of(path))
    assert "portal_config.cli" not in imported, f"{path} imports portal_config.cli"


@pytest.mark.parametrize("module_name, command_name", COMMANDS.items())
def test_each_command_has_its_module_and_is_registered(module_name: str, command_name: str) -> None:
    module = importlib.import_module(f"portal_config.commands.{module_name}")
    assert isinstance(module.command, click.Command)
    assert module.command.name == command_name
    assert cli.get_command(click.Context(cli), command_name) is module.command
    assert callable(module.execute)
    requests = [
        v
        for k, v in vars(module).items()
        if k.endswith("Request") and dataclasses.is_dataclass(v) and v.__module__ == module.__name__
    ]
    assert len(requests) == 1, f"{module_name}: one request dataclass"
    assert vars(requests[0])["__dataclass_params__"].frozen, f"{module_name}: a frozen request"


def test_the_group_has_exactly_these_commands() -> None:
    assert cli.list_commands(click.Context(cli)) == sorted(COMMANDS.values())


# Packages by stage: the modules at the top are cli.py and the leaves every stage may use.
MAX_TOP_LEVEL_MODULES = 12


def test_few_modules_stand_at_the_top() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_import_circle() -> None:
    """Counting every import: type-only (`if TYPE_CHECKING:`) and function-level ones too.
    `from package import module` depends on the module, not on the package's __init__."""
    names = {_module_name(p) for p in MODULES}
    graph: dict[str, set[str]] = {}
    for path in MODULES:
        found = _imported(path.read_text(), _package_of(path))
        # `from a import b` yields a and a.b: where a.b is a module, a itself is not needed
        graph[_module_name(path)] = {
            m
            for m in found
            if m in names and not any(other.startswith(m + ".") for other in found & names)
        } - {_module_name(path)}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        if module in visiting:
            cycle = visiting[visiting.index(module) :]
            raise AssertionError(" -> ".join([*cycle, module]))
        if module in done:
            return
        visiting.append(module)
        for imported in sorted(graph[module]):
            visit(imported)
        visiting.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


def test_the_layers_hold() -> None:
    """pyproject.toml's [tool.importlinter] contracts: each stage imports only the stages below
    it, and the emulator stays apart (import-linter counts type-only and function-level imports
    too)."""
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(PACKAGE.parent / "pyproject.toml"), no_cache=True) == 0


def test_the_old_command_files_are_gone() -> None:
    assert not (PACKAGE / "commands_offline.py").exists()
    assert not (PACKAGE / "commands_stripe.py").exists()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_file_is_over_the_limit(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)}: {lines} lines (max {MAX_LINES})"


def _imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_stripe_is_imported_only_by_the_stripe_api_package() -> None:
    """One boundary around Stripe: `portal_config.stripe_api` (a package) is the only importer of
    `stripe`."""
    importing = sorted(
        str(p.relative_to(PACKAGE))
        for p in MODULES
        if "stripe" in _imports(ast.parse(p.read_text()))
    )
    assert importing
    assert all(name.startswith("stripe_api/") for name in importing), importing


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_says_its_job_and_no_signature_is_bare_any(path: Path) -> None:
    """`Any` in a signature needs a reason: a named alias (values.Data, values.SDKService) that
    says why the type is loose."""
    tree = ast.parse(path.read_text())
    assert ast.get_docstring(tree) or path.name == "__main__.py", f"{path.name}: no docstring"
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            annotations = [
                x.annotation
                for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg)
                if x is not None
            ]
            for annotation in (*annotations, node.returns):
                bare = isinstance(annotation, ast.Name) and annotation.id == "Any"
                assert not bare, f"{path.name}:{node.lineno}: {node.name} has a bare Any"


# Identity and the default's rules live in portal/identity.py; the emulator keeps its own copy.
IDENTITY_HOME = PACKAGE / "portal" / "identity.py"
IDENTITY_NAMES = {
    "portal_config_project",
    "portal_config_env",
    "portal_config_key",
    "portal_config_",
}
# A plan file's change records `is_default` too: its own field, read back by changes.py.
FLAG_ALSO_IN = {PACKAGE / "planning" / "changes.py"}


def _identity_decisions(source: str, name: str, flag_allowed: bool = False) -> list[str]:
    """Where a module spells an identity metadata name or Stripe's `is_default` flag itself (to
    read one, `.get("is_default")`, or to write one)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Constant):
            continue
        if node.value in IDENTITY_NAMES or (node.value == "is_default" and not flag_allowed):
            found.append(f"{name}:{node.lineno}: {node.value!r}")
    return found


def test_identity_and_the_default_have_one_home() -> None:
    found = [
        d
        for p in MODULES
        if p != IDENTITY_HOME and "emulator" not in p.relative_to(PACKAGE).parts
        for d in _identity_decisions(p.read_text(), str(p.relative_to(PACKAGE)), p in FLAG_ALSO_IN)
    ]
    assert found == []
    home = _identity_decisions(IDENTITY_HOME.read_text(), "identity.py")
    assert len(home) == len(IDENTITY_NAMES) + 1, home


def test_the_identity_check_notices_reads_and_writes() -> None:
    source = 'a = obj.get("is_default")\nb = m["portal_config_key"]\nc = {"is_default": True}\n'
    assert len(_identity_decisions(source, "sample.py")) == 3
    assert len(_identity_decisions(source, "sample.py", flag_allowed=True)) == 1


# What several options mean together is refused in commands/checks.py, one step per command.
OPTION_CHECKS = {
    "check_targets",
    "check_selection",
    "one_environment",
    "refuse_customer",
    "refuse_env_format",
    "refuse_fleet",
    "refuse_saved_fleet",
    "refuse_without_fleet",
}
CHECKED_COMMANDS = ("plan", "apply", "ids", "doctor", "import_", "pull", "diff", "init")


def test_option_combinations_are_refused_in_one_module() -> None:
    defined = sorted(
        f"{p.relative_to(PACKAGE)}:{node.name}"
        for p in MODULES
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.FunctionDef) and node.name in OPTION_CHECKS
    )
    assert all(d.startswith("commands/checks.py:") for d in defined), defined


@pytest.mark.parametrize("module_name", CHECKED_COMMANDS)
def test_each_command_checks_its_options_in_one_step(module_name: str) -> None:
    """`execute` calls `checks.<command>(request, ...)` once; the click function takes typed
    parameters (no `**options`), so a request field and its option cannot drift apart."""
    path = PACKAGE / "commands" / f"{module_name}.py"
    tree = ast.parse(path.read_text())
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "checks"
    ]
    assert [c.func.attr for c in calls if isinstance(c.func, ast.Attribute)] == [module_name]


@pytest.mark.parametrize("module_name", COMMANDS)
def test_no_command_takes_untyped_options(module_name: str) -> None:
    tree = ast.parse((PACKAGE / "commands" / f"{module_name}.py").read_text())
    untyped = [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.args.kwarg
    ]
    assert not untyped, f"{module_name}: **kwargs in {untyped}"


TESTS = Path(__file__).resolve().parent
RUNNER = TESTS / "support" / "cli.py"


def _drives_the_cli(tree: ast.AST) -> bool:
    """In-process: imports `main` or `cli` of portal_config.cli, or click's CliRunner (a
    command line in a string, run by a child process, is not an import)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "portal_config.cli":
            if {a.name for a in node.names} & {"main", "cli"}:
                return True
        if isinstance(node, ast.ImportFrom) and node.module == "click.testing":
            return True
    return False


def test_the_tests_run_the_cli_one_way() -> None:
    """tests/support/cli.py is the one in-process runner (streams, exit codes, terminals);
    tests/ci/command_lines.py reads the group's options, and this file its commands."""
    kept = {RUNNER, TESTS / "ci" / "command_lines.py", Path(__file__).resolve()}
    driving = sorted(
        str(p.relative_to(TESTS))
        for p in TESTS.rglob("*.py")
        if p not in kept and _drives_the_cli(ast.parse(p.read_text()))
    )
    assert driving == []


def test_the_fake_gateway_has_one_home() -> None:
    homes = sorted(
        str(p.relative_to(TESTS))
        for p in TESTS.rglob("*.py")
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.ClassDef) and node.name == "FakeGateway"
    )
    assert homes == ["support/gateway.py"]
