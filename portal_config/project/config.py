"""The project file, its environments and configuration files -> desired state per environment.

Discovery of the project file: paths.find_project_file. Every *.yaml/*.yml beside the project file
is a configuration file; any other file there is an error. Hidden entries (.gitkeep, an emulator
state folder) and subfolders are not read.

Per environment, a file's Stripe fields are deep-merged with `overrides.ENV` (mappings key by key;
a list or value replaces the base whole) and `${var}` is filled from the environment's `vars`
(`$${` writes a literal `${`). Lookup keys stay symbolic (`lookup_key:K`); normalization to
Stripe's complete shape is model.py's job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import PortalConfigError, Problem, ProblemKind, ValidationFailed, of_kind
from ..jsontypes import Data
from ..masking import mask_secrets
from . import fleet_config, paths, rules, schema, stripe_fields
from .consistency import across_files, environments_named
from .limits import FolderBudget, is_folder, list_folder, shorten
from .loader import DataPath, Document, file_location, load, parse, value_at
from .paths import find_project_file
from .spec import ConfigFile, DesiredConfig, Environment, Project
from .variables import fill, merge, misspelt, names_used

SUFFIXES = (".yaml", ".yml")


def _read(path: Path, problems: list[Problem], budget: FolderBudget) -> Document:
    document, found = load(path, budget)
    problems += of_kind(ProblemKind.YAML, found)
    problems += of_kind(ProblemKind.SECRET, rules.find_secrets(document))
    return document


def _emulator_state(
    document: Document, env: str, written: str | None, problems: list[Problem]
) -> Path | None:
    """The state file, resolved; outside paths.project_tree a problem (plan would create it)."""
    if written is None:
        return None
    state = (document.path.parent / written).resolve()
    tree = paths.project_tree(document.path)
    if not paths.inside(state, tree):
        problems.append(
            Problem(
                document.locate(("environments", env, "emulator")),
                f"environment '{env}': the emulator's state file {shorten(written, 240)} is "
                "outside the project (its repository; without one, the folder above the project "
                "file's): keep it inside, e.g. ../.portal-config/emulator-state.json",
            )
        )
    return state


def _environments(
    document: Document, problems: list[Problem], budget: FolderBudget
) -> dict[str, Environment]:
    """Every environment usable enough to check files against (load_project refuses on any
    error anyway)."""
    environments = {}
    declared = value_at(document.data, ("environments",))
    for name, entry in (declared if isinstance(declared, dict) else {}).items():
        if not isinstance(entry, dict) or entry.get("mode") not in ("test", "live", "sandbox"):
            continue
        problems += of_kind(
            ProblemKind.ENVIRONMENT, rules.check_environment(name, entry, document.locate)
        )
        accounts, found = fleet_config.read_spec(name, entry, document, budget)
        problems += of_kind(ProblemKind.ENVIRONMENT, found)
        text: dict[str, str] = {k: v for k, v in entry.items() if isinstance(v, str)}
        emulator = _emulator_state(document, name, text.get("emulator"), problems)
        seed = entry.get("seed") if emulator and isinstance(entry.get("seed"), dict) else None
        variables = entry["vars"] if isinstance(entry.get("vars"), dict) else {}
        environments[name] = Environment(
            name=name,
            mode="test" if entry["mode"] == "sandbox" else entry["mode"],
            sandbox=entry["mode"] == "sandbox",
            api_key_env=text.get("api_key_env"),
            api_base=text.get("api_base"),
            stripe_account=text.get("stripe_account"),
            stripe_context=text.get("stripe_context"),
            emulator=emulator,
            seed=seed,
            vars={k: v for k, v in variables.items() if isinstance(v, str)},
            location=document.locate(("environments", name), True),
            api_key_env_location=document.locate(("environments", name, "api_key_env"), True)
            if "api_key_env" in text
            else None,
            api_base_location=document.locate(("environments", name, "api_base"), False)
            if "api_base" in text
            else None,
            seed_location=document.locate(("environments", name, "seed"), True) if seed else None,
            accounts=accounts,
        )
    return environments


def _config_paths(
    project_file: Path, problems: list[Problem], environments: Mapping[str, Environment]
) -> list[Path]:
    # An emulator's own files (its state, lock and temporary files) and a fleet's file of
    # account IDs may sit beside the project file: they are the project's, not strays.
    folder = project_file.parent.resolve()
    ours = {
        e.emulator.name
        for e in environments.values()
        if e.emulator is not None and e.emulator.parent.resolve() == folder
    } | {
        Path(e.accounts.file).name
        for e in environments.values()
        if e.accounts and e.accounts.file and (folder / e.accounts.file).parent.resolve() == folder
    }
    paths = []
    entries, trouble = list_folder(project_file.parent)
    if trouble:
        problems.append(Problem(file_location(project_file.parent), trouble))
    for entry in entries:
        if entry.name.startswith(".") or is_folder(entry) or entry.name == project_file.name:
            continue
        if any(entry.name == name or entry.name.startswith(name + ".") for name in ours):
            continue
        if entry.suffix.lower() in SUFFIXES:
            paths.append(entry)
        else:
            problems.append(
                Problem(
                    file_location(entry),
                    "not a configuration file: only *.yaml and *.yml files belong beside the "
                    "project file (move it elsewhere)",
                )
            )
    return paths


def _config_file(document: Document, names: tuple[str, ...], problems: list[Problem]) -> ConfigFile:
    data = document.data
    key = data.get("key")
    if not isinstance(key, str):
        key = document.path.stem
        if "key" not in data and not re.match(schema.NAME_PATTERN, key):
            problems.append(
                Problem(
                    file_location(document.path),
                    f"the file name makes the key '{key}', which {schema.NAME_RULE}: rename "
                    "the file or set key:",
                )
            )
    only = data.get("environments")
    ids = data.get("ids") if isinstance(data.get("ids"), dict) else {}
    return ConfigFile(
        path=document.path,
        key=key,
        default=data.get("default") is True,
        environments=tuple(n for n in names if not isinstance(only, list) or n in only),
        ids={k: v for k, v in ids.items() if isinstance(v, str)},
        document=document,
    )


@dataclass(frozen=True)
class Resolved:
    """A file's desired state in one environment, and what validate finds in it."""

    desired: DesiredConfig
    problems: list[Problem]
    well_formed: bool  # every variable filled and Stripe's schema holds: the rules were applied


def resolve(file: ConfigFile, env: Environment, checked: Data = None) -> Resolved:
    """The one way a file's desired state is made and checked, for validate, plan and a fleet's
    account alike (`env`: fleet_config.account_environment): overrides merged and variables
    filled (each unfilled one a problem), then Stripe's schema, then the rules, each only when
    the step before found nothing. The schema checks only what differs from `checked`: the
    file's data, or for a fleet's account its params as loading checked them (checked_params)."""
    desired, found = desired_in(file, env)
    if not found:
        checked = file.document.data if checked is None else checked
        found = schema.check_filled(desired.params, checked, desired.locate)
    if found:
        return Resolved(desired, found, False)
    found = rules.check_params(desired.params, env.mode == "live", desired.locate)
    return Resolved(desired, of_kind(ProblemKind.STRIPE_RULE, found), True)


def desired_in(file: ConfigFile, env: Environment) -> tuple[DesiredConfig, list[Problem]]:
    """The file's params in `env`, merged and filled, and the variables left unfilled."""
    data = file.document.data
    base = {name: data[name] for name in stripe_fields.stripe_field_names() if name in data}
    override = value_at(data, ("overrides", env.name))
    unfilled: list[tuple[DataPath, str]] = []
    params = fill(merge(base, override) if override else base, env.vars, (), unfilled)
    desired = DesiredConfig(
        key=file.key,
        file=file.path,
        default=file.default,
        pinned_id=file.ids.get(env.name),
        params=params,
        env=env.name,
        document=file.document,
    )
    return desired, [
        Problem(desired.locate(path), message, kind=ProblemKind.VARIABLE)
        for path, message in unfilled
    ]


def with_placeholders(file: ConfigFile, env: Environment) -> Environment:
    """A fleet environment as `file` is checked in it once for all its accounts: each
    `${account.*}` the file uses stood in for (fleet_config.placeholders)."""
    return replace(env, vars={**fleet_config.placeholders(file.document.data), **env.vars})


def checked_params(project: Project, env: Environment) -> dict[str, Mapping[str, Data]]:
    """Each file's params in a fleet environment as loading checked them (ConfigFile.checked):
    an account's own are checked only where they differ (resolve's `checked`), once per file."""
    return {
        f.key: f.checked.get(env.name) or resolve(f, with_placeholders(f, env)).desired.params
        for f in project.files
        if env.name in f.environments
    }


def _per_environment(
    file: ConfigFile, environments: Mapping[str, Environment]
) -> tuple[list[Problem], ConfigFile]:
    """Each environment's merged, filled params checked; a problem found in only some of the
    file's environments says in which. Also `file` with each environment's desired state, a
    fleet's as its params checked (each account's own: fleet_plan.checked_configs)."""
    where: dict[Problem, list[str]] = {}
    resolved: dict[str, DesiredConfig] = {}
    fleets: dict[str, Mapping[str, Data]] = {}
    base_ids: dict[tuple[DataPath, str], list[str]] = {}
    envs = [environments[name] for name in file.environments if name in environments]
    for env in envs:
        if env.is_fleet:  # ${account.*} stands in for what each account gives (plan checks it)
            env = with_placeholders(file, env)
        checked = resolve(file, env)
        desired, found = checked.desired, checked.problems
        if env.is_fleet:
            fleets[env.name] = desired.params
        else:
            resolved[env.name] = desired
        if checked.well_formed:
            for path, value in rules.raw_ids(desired.params):
                if desired.source(path) == path:
                    base_ids.setdefault((path, value), []).append(env.name)
        for problem in found:
            where.setdefault(problem, []).append(env.name)
    problems = [
        p
        if len(names) == len(envs)
        else replace(p, message=f"{p.message} (in {environments_named(names)})")
        for p, names in where.items()
    ]
    if any(env.is_fleet for env in envs):
        problems += of_kind(ProblemKind.VARIABLE, fleet_config.reference_problems(file.document))
    for (path, value), names in base_ids.items():
        if len(environments) > 1 and len(names) == len(environments):
            also = "write the price as lookup_key:KEY, " if value.startswith("price_") else ""
            problems.append(
                Problem(
                    file.document.locate(path),
                    f"{schema.dotted(path)}: {value} goes to every environment, but IDs differ "
                    f"between accounts and modes: {also}move it under overrides.ENV, or limit "
                    "the file with environments:",
                    "warning",
                    ProblemKind.RAW_ID,
                )
            )
    return problems, replace(file, desired=resolved, checked=fleets)


def _typos_named(
    project_doc: Document,
    environments: dict[str, Environment],
    documents: list[Document],
    problems: list[Problem],
) -> dict[str, Environment]:
    """A variable misspelt in the project file is one problem at its `vars` line; the files'
    uses then read the value it was meant to have, so they are not each reported (the problem
    is an error: nothing is planned with it)."""
    if len({frozenset(env.vars) for env in environments.values()}) <= 1:
        return environments  # no environment lacks a name another defines (misspelt: no typo)
    used = set().union(*(names_used(d.data) for d in documents))
    for name, env in environments.items():
        elsewhere = {v for other in environments.values() if other is not env for v in other.vars}
        typos = misspelt(env.vars, used, elsewhere)
        for typo, meant in typos.items():
            problems.append(
                Problem(
                    project_doc.locate(("environments", name, "vars", typo), True),
                    f"environments.{name}.vars: '{typo}' is used by no file, and the files' "
                    f"${{{meant}}} is not defined in {name}: did you mean {meant}?",
                    kind=ProblemKind.VARIABLE,
                )
            )
        if typos:
            meant_vars = {meant: env.vars[typo] for typo, meant in typos.items()}
            environments[name] = replace(env, vars={**env.vars, **meant_vars})
    return environments


def _checked_file(
    document: Document,
    names: tuple[str, ...] | None,
    environments: Mapping[str, Environment],
    problems: list[Problem],
) -> ConfigFile | None:
    """One configuration file, checked against the schema and in each of its environments."""
    if document.data is None:
        return None
    found = schema.check(document.data, schema.config_schema(names), document.locate)
    problems += found
    if not isinstance(document.data, dict):
        return None
    file = _config_file(document, names or (), problems)
    if not found:
        per_environment, file = _per_environment(file, environments)
        problems += per_environment
    return file


def edit_problems(project: Project, path: Path, text: str) -> list[Problem]:
    """The errors the configuration file at `path` would have, were it to hold `text`: pull
    asks before it shows or writes an edit, so its dry run and its real run decide alike."""
    document, problems = parse(path, text)
    problems += of_kind(ProblemKind.SECRET, rules.find_secrets(document))
    _checked_file(document, tuple(project.environments), project.environments, problems)
    return sorted(p for p in problems if p.level == "error")


def collect_problems(config_path: Path | None) -> tuple[Project, list[Problem]]:
    """Every problem of the project (for `validate`); never raises for the files' content.
    Raises ConfigNotFound when there is no project file."""
    path = find_project_file(config_path)
    problems: list[Problem] = []
    budget = FolderBudget(folder=path.parent)
    project_doc = _read(path, problems, budget)
    environments: dict[str, Environment] = {}
    declared = value_at(project_doc.data, ("environments",))
    names = tuple(declared) if isinstance(declared, dict) else None
    if project_doc.data is not None:
        problems += schema.check(project_doc.data, schema.project_schema(), project_doc.locate)
        environments = _environments(project_doc, problems, budget)
    files = []
    config_paths = _config_paths(path, problems, environments)
    documents = [_read(file_path, problems, budget) for file_path in config_paths]
    environments = _typos_named(project_doc, environments, documents, problems)
    for document in documents:
        checked = _checked_file(document, names, environments, problems)
        if checked is not None:
            files.append(checked)
    problems += of_kind(ProblemKind.CONSISTENCY, across_files(files, names or ()))
    # A backstop: however a message was built, it never renders a hostile value in full.
    masked = {replace(p, message=shorten(mask_secrets(p.message), 1000)) for p in problems}
    name = value_at(project_doc.data, ("project",))
    project = Project(
        path=path,
        root=path.parent,
        name=name if isinstance(name, str) else "default",
        environments=environments,
        files=tuple(files),
        warnings=tuple(sorted(p for p in masked if p.level == "warning")),
        config_paths=tuple(config_paths),
    )
    return project, sorted(masked)


def load_project(config_path: Path | None) -> Project:
    """The project, when its files have no errors (warnings are kept on project.warnings)."""
    project, problems = collect_problems(config_path)
    if any(p.level == "error" for p in problems):
        raise ValidationFailed(problems)
    return project


def desired_configs(
    project: Project, env: str, environment: Environment | None = None
) -> list[DesiredConfig]:
    """The configurations of the files that apply to `env`, sorted by key; `environment`: the
    one a fleet's account sees (its own variables), else the project's, as loading resolved
    it."""
    if env not in project.environments:
        raise PortalConfigError(
            f"unknown environment '{env}': the project file defines "
            f"{', '.join(project.environments)}"
        )
    seen = environment or project.environments[env]
    chosen = [
        f.desired[env] if environment is None and env in f.desired else resolve(f, seen).desired
        for f in project.files
        if env in f.environments
    ]
    return sorted(chosen, key=lambda desired: desired.key)
