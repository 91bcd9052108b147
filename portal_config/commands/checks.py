"""Which project, which environments, and what a command's options mean together: one step per
command (`checks.plan(request, context)`, ...), run before any request is sent. Each refuses a
bad combination with one message (a PortalConfigError: exit 1) and returns what the command goes
on with, a `Chosen`.

The requests are the commands' own frozen dataclasses; they are read here through Protocols
(PEP 544: https://peps.python.org/pep-0544/), so this module imports no command module and the
commands import it without an import circle."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .. import defaults
from ..errors import PortalConfigError
from ..pipeline.fleet_plan import Selection
from .options import Context

if TYPE_CHECKING:
    from ..errors import Problem
    from ..planning.plan import Plan
    from ..project import start
    from ..project.spec import Project


@dataclass(frozen=True)
class Chosen:
    """What a command's checks decided: the project and the environments it acts on (in the
    project file's order), and what its options say beyond them."""

    project: Project
    names: list[str]
    selection: Selection = Selection()  # a fleet's accounts this run takes
    targeted: str | None = None  # the line that says a plan is targeted (--target)
    saved: Plan | None = None  # apply --plan: the saved plan, applied as it is
    problems: list[Problem] = field(default_factory=list)  # doctor: what did not load

    @property
    def name(self) -> str:
        """The one environment of a command that reads exactly one (import, pull, ids, doctor)."""
        return self.names[0]


class _Naming(Protocol):
    @property
    def env_names(self) -> tuple[str, ...]: ...


class _Choosing(_Naming, Protocol):
    @property
    def every(self) -> bool: ...


class _OneEnvironment(Protocol):
    @property
    def env_name(self) -> str | None: ...


class _Narrowing(Protocol):
    @property
    def accounts(self) -> tuple[str, ...]: ...
    @property
    def shard(self) -> tuple[int, int] | None: ...
    @property
    def parallelism(self) -> int: ...


class _Targeting(_Choosing, _Narrowing, Protocol):
    @property
    def targets(self) -> tuple[str, ...]: ...
    @property
    def prune(self) -> bool: ...


class PlanOptions(_Targeting, Protocol):
    @property
    def out_file(self) -> Path | None: ...


class ApplyOptions(_Targeting, Protocol):
    @property
    def adopt(self) -> bool: ...
    @property
    def plan_file(self) -> Path | None: ...
    @property
    def force(self) -> bool: ...
    @property
    def threshold(self) -> float: ...


class IdsOptions(_OneEnvironment, _Narrowing, Protocol):
    @property
    def fmt(self) -> str: ...


class DoctorOptions(_OneEnvironment, _Narrowing, Protocol):
    @property
    def customer(self) -> str | None: ...

    @property
    def flow(self) -> str | None: ...

    @property
    def price(self) -> str | None: ...


class PullOptions(_OneEnvironment, Protocol):
    @property
    def keys(self) -> tuple[str, ...]: ...


class ExplainOptions(PullOptions, Protocol):
    @property
    def from_stripe(self) -> bool: ...


def plan(request: PlanOptions, context: Context) -> Chosen:
    project, names = _project_and_environments(context, request.env_names, request.every)
    targeted = _check_targets(project, request.targets, request.prune)
    _refuse_saved_fleet(project, names, request.out_file is not None)
    return Chosen(project, names, _selection(project, names, request), targeted)


def apply(request: ApplyOptions, context: Context) -> Chosen:
    from ..planning import planfile
    from ..project import config

    if request.plan_file is None:
        project, names = _project_and_environments(context, request.env_names, request.every)
        selection = _selection(project, names, request)
        saved = None
    else:
        if request.env_names or request.every or request.prune or request.adopt or request.targets:
            raise PortalConfigError(
                "--plan applies the saved plan as it is: drop --env, --all, "
                "--prune, --adopt and --target (they were decided when it was "
                "saved)"
            )
        project = config.load_project(context.config_path)
        modes = {name: env.mode for name, env in project.environments.items()}
        saved = planfile.load(request.plan_file, project.name, modes)
        names = choose_environments(project, [e.env for e in saved.envs], False)
        selection = Selection()  # a saved plan is never a fleet's (below)
    targeted = _check_targets(project, request.targets, request.prune)
    _refuse_saved_fleet(project, names, saved is not None)
    if request.force or request.threshold != defaults.THRESHOLD:
        _refuse_without_fleet(project, names, "--force and --threshold are a fleet's threshold")
    return Chosen(project, names, selection, targeted, saved)


def diff(request: _Naming, context: Context) -> Chosen:
    """diff without --env compares every environment."""
    project, names = _project_and_environments(context, request.env_names, not request.env_names)
    return Chosen(project, names)


def ids(request: IdsOptions, context: Context) -> Chosen:
    from ..project import config

    project = config.load_project(context.config_path)
    names = [_one_environment(project, request.env_name)]
    chosen = Chosen(project, names, _selection(project, names, request))
    if project.environments[chosen.name].is_fleet and request.fmt == "env":
        raise PortalConfigError(
            f"--format env writes one PORTAL_CONFIG_<KEY> variable per key, and {chosen.name} is "
            "a fleet (stripe_accounts) with one set of IDs per account, which cannot be one env "
            "file: use --format json (one entry per account), or --format text"
        )
    return chosen


def doctor(request: DoctorOptions, context: Context) -> Chosen:
    """A broken file is a finding, not the end: doctor goes on with the files that load."""
    from .. import doctor as doctor_
    from ..doctor.flows import CONFIRM

    if request.price is not None and request.flow != CONFIRM:
        raise PortalConfigError(
            f"--price needs --flow {CONFIRM}: only that deep link names a price (its items' "
            "price, which the configuration must offer)"
        )
    project, problems = doctor_.load(context.config_path, request.env_name)
    names = [_one_environment(project, request.env_name)]
    chosen = Chosen(project, names, _selection(project, names, request), problems=problems)
    # A customer belongs to one account: --customer over a fleet needs that account named.
    fleet = project.environments[chosen.name].is_fleet
    if fleet and request.customer is not None and len(set(request.accounts)) != 1:
        raise PortalConfigError(
            f"--customer {request.customer}: a customer belongs to one connected account, and "
            f"{chosen.name} is a fleet (stripe_accounts): name that account with --accounts "
            "acct_... (exactly one)"
        )
    return chosen


def import_(request: _OneEnvironment, context: Context) -> Chosen:
    from ..project import config

    project = config.load_project(context.config_path)
    chosen = Chosen(project, [_one_environment(project, request.env_name)])
    _refuse_fleet(project, chosen.name, "import")
    return chosen


def pull(request: PullOptions, context: Context) -> Chosen:
    return _keys_in_one_environment(request, context, "pull", "to pull from")


def explain(request: ExplainOptions, context: Context) -> Chosen:
    """Offline, a fleet's files are explained as its environment's; from Stripe, a fleet has a
    portal per account, and which one is meant is not said."""
    reads_one_account = "explain --from-stripe" if request.from_stripe else None
    return _keys_in_one_environment(request, context, reads_one_account, "to explain in")


def _keys_in_one_environment(
    request: PullOptions, context: Context, one_account: str | None, nothing: str
) -> Chosen:
    """One environment and the files KEY names in it; `one_account`: the command, which refuses
    a fleet (it reads one account)."""
    from ..project import config
    from ..project.loader import display_path

    project = config.load_project(context.config_path)
    env = _one_environment(project, request.env_name)
    if one_account is not None:
        _refuse_fleet(project, env, one_account)
    check_keys(project, request.keys, "KEY")
    for file in project.files:
        if file.key in request.keys and env not in file.environments:
            raise PortalConfigError(
                f"{file.key} ({display_path(file.path)}) is limited to "
                f"{', '.join(file.environments)}: it has nothing {nothing} {env}"
            )
    return Chosen(project, [env])


def _project_and_environments(
    context: Context, env_names: Sequence[str], every: bool
) -> tuple[Project, list[str]]:
    from ..project import config

    project = config.load_project(context.config_path)
    return project, choose_environments(project, env_names, every)


def _one_environment(project: Project, env_name: str | None) -> str:
    """The one environment --env names (import, pull, doctor, ids): without it, the message
    lists the project's environments, as plan's does."""

    if env_name is None:
        raise PortalConfigError(
            "name an environment with --env NAME; this project has: "
            f"{', '.join(project.environments)}"
        )
    return choose_environments(project, (env_name,), False)[0]


def _selection(project: Project, names: Sequence[str], request: _Narrowing) -> Selection:
    """`--accounts` and `--shard` are for fleet environments: refused when none is chosen."""
    selection = Selection(request.accounts, request.shard, request.parallelism)
    if selection.narrows:
        _refuse_without_fleet(project, names, "--accounts and --shard choose accounts of a fleet")
    return selection


def _refuse_without_fleet(project: Project, names: Sequence[str], options: str) -> None:
    """Options only a fleet takes, refused when none of the chosen environments is one:
    `options` says what they are for."""
    if not any(project.environments[n].is_fleet for n in names):
        raise PortalConfigError(
            f"{options} (an environment with stripe_accounts:), and none of the chosen "
            "environments is one"
        )


def _check_targets(project: Project, targets: tuple[str, ...], prune: bool) -> str | None:
    """The line that says a plan is targeted (None when it is not); bad --target refused."""

    if not targets:
        return None
    if prune:
        raise PortalConfigError(
            "--prune deactivates configurations whose file is gone, which a "
            "targeted plan never touches: drop --prune or --target"
        )
    check_keys(project, targets, "--target")
    return (
        f"Targeted plan: only {', '.join(sorted(set(targets)))}; other configurations are "
        "neither changed nor pruned."
    )


def _refuse_saved_fleet(project: Project, names: list[str], saved: bool) -> None:
    """Saved plans (`plan --out`, `apply --plan`) are per environment; a fleet is planned and
    applied in one run."""
    fleets = [n for n in names if project.environments[n].is_fleet]
    if saved and fleets:
        raise PortalConfigError(
            f"--out and --plan save one plan per environment; {fleets[0]} is a fleet "
            "(stripe_accounts): run `portal-config apply` on it, which plans and applies in one "
            "run (re-read before each write)"
        )


def _refuse_fleet(project: Project, env_name: str, command: str) -> None:
    """Commands that read one account (import, pull) refuse a fleet environment: which of its
    accounts would be meant is not said."""
    if project.environments[env_name].is_fleet:
        raise PortalConfigError(
            f"{command} reads one account, and {env_name} is a fleet (stripe_accounts): add "
            "an environment with stripe_account: acct_... for the account to read, and run "
            f"{command} --env on it (files that use ${{account.*}} need environments: "
            f"[{env_name}] first, as only a fleet fills them)"
        )


def choose_environments(project: Project, names: Sequence[str], every: bool) -> list[str]:
    from ..project.schema_messages import did_you_mean

    if every and names:
        raise PortalConfigError("--all takes every environment: drop --env, or drop --all")
    if every:
        return list(project.environments)
    if not names:
        raise PortalConfigError(
            "name an environment with --env NAME (or --all); this project "
            f"has: {', '.join(project.environments)}"
        )
    unknown = [n for n in names if n not in project.environments]
    if unknown:
        raise PortalConfigError(
            f"unknown environment '{unknown[0]}'{did_you_mean(unknown[0], project.environments)}"
            f": the project file {project.path} defines {', '.join(project.environments)}"
        )
    return [n for n in project.environments if n in names]  # the project file's order


def check_keys(project: Project, keys: Collection[str], option: str) -> None:
    """Every key names a configuration file of the project (`--target KEY`, `pull KEY`)."""
    from ..project.schema_messages import did_you_mean

    known = sorted({f.key for f in project.files})
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise PortalConfigError(
            f"{option} '{unknown[0]}' is not a configuration's key{did_you_mean(unknown[0], known)}"
            f": the files' keys are {', '.join(known) or '(none)'}"
        )


class InitOptions(Protocol):
    @property
    def project(self) -> str | None: ...
    @property
    def env_name(self) -> str | None: ...
    @property
    def mode(self) -> str | None: ...
    @property
    def key_env(self) -> str | None: ...
    @property
    def from_env(self) -> str | None: ...
    @property
    def api_base(self) -> str | None: ...


def init(request: InitOptions, context: Context) -> start.Start:
    """Where the new project file goes (never over one), and what it says, checked by the rules
    validate applies to it, so what init writes validates."""
    import re

    from ..project import paths, start
    from ..project.schema import NAME_PATTERN, NAME_RULE

    here = Path.cwd()
    path = context.config_path or here / "configs"
    path = path / paths.PROJECT_FILE if path.suffix not in (".yaml", ".yml") else path
    for existing in [path] + (
        [here / p for p in paths.SEARCHED] if not context.config_path else []
    ):
        if existing.exists() or existing.is_symlink():
            raise start.already_exists(existing)
    root = paths.repository_root(here)
    default = re.sub(r"[^A-Za-z0-9_.-]+", "-", (root or here).name).strip("-_.")[:100]
    project = request.project or default or "portal"
    if not re.match(NAME_PATTERN, project):
        raise PortalConfigError(f"--project '{project[:100]}': a name {NAME_RULE}")
    state = paths.project_tree(path) / ".portal-config" / "emulator-state.json"
    first = start.first_environment(
        request.env_name, request.mode, request.key_env, request.from_env, request.api_base
    )
    return start.Start(path.absolute(), project, first, state)
