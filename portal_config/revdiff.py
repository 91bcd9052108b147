"""`portal-config diff --base REV`: the desired state at a git revision against the working tree,
per environment, rendered like a plan. Offline: no key, no Stripe (pull requests from forks).

Lookup keys stay symbolic here, since no account is read; a products entry without `product`
compares by its prices alone.
"""

from __future__ import annotations

import copy
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import config, model, payload
from .errors import PortalConfigError
from .loader import display_path
from .plan import Change, EnvPlan, FieldChange, Plan, create_fields, desired_state, diff_states

UNRESOLVED_PRODUCT = "(product of its prices)"


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    except FileNotFoundError as exc:
        raise PortalConfigError("diff --base needs git on the PATH") from exc
    except subprocess.CalledProcessError as exc:
        raise PortalConfigError(f"git {' '.join(args)}: {exc.stderr.strip()}") from exc
    return done.stdout


@contextmanager
def checkout_of_folder(folder: Path, rev: str) -> Iterator[Path | None]:
    """The project folder as it was at REV, in a temporary folder (None: it did not exist)."""
    top = Path(_git(["rev-parse", "--show-toplevel"], folder).strip())
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top)
    except PortalConfigError as exc:
        raise PortalConfigError(f"'{rev}' is not a revision of the repository at {top}: name a "
                                "commit, branch or tag (in CI, fetch the base branch "
                                "first)") from exc
    relative = folder.resolve().relative_to(top.resolve()).as_posix()
    names = _git(["ls-tree", "--name-only", rev, "--", f"{relative}/"], top).splitlines()
    with tempfile.TemporaryDirectory(prefix="portal-config-base-") as tmp:
        if not names:
            yield None
            return
        for name in names:
            target = Path(tmp) / Path(name).name
            blob = subprocess.run(["git", "show", f"{rev}:{name}"], cwd=top, capture_output=True,
                                  check=False)
            if blob.returncode == 0:  # a subfolder is not a blob; config files are
                target.write_bytes(blob.stdout)
        yield Path(tmp)


def _symbolic(params: Mapping[str, Any]) -> dict[str, Any]:
    symbolic: dict[str, Any] = copy.deepcopy(dict(params))
    for entry in model.get_path(symbolic, model.PRODUCTS_PATH) or []:
        entry.setdefault("product", UNRESOLVED_PRODUCT)
    return symbolic


@dataclass(frozen=True)
class _Side:
    file: str
    params: dict[str, Any]
    default: bool

    @property
    def metadata_keys(self) -> set[str]:
        return set(self.params.get("metadata") or {})

    @property
    def retired(self) -> bool:
        return self.params.get("active") is False


def _states(project: config.Project | None, env: str, head_root: Path) -> dict[str, _Side]:
    if project is None or env not in project.environments:
        return {}
    # Named as in the working tree (the base revision's files sit in a temporary folder).
    return {f.key: _Side(display_path(head_root / f.file.name), _symbolic(f.params), f.default)
            for f in config.desired_configs(project, env)}


def _change(key: str, env: str, old: _Side | None, new: _Side | None) -> Change | None:
    """What apply would do about this file's change, as plan.py decides it: the default is
    never created or deactivated, a retired file never created."""
    if new is None or (new.retired and old is not None and not old.retired):
        if old is None or old.default or old.retired:
            return None
        return Change("deactivate", env, key, None, old.file,
                      (FieldChange("active", True, False),), {"active": False})
    if new.retired:
        return None
    keys = sorted(new.metadata_keys | (old.metadata_keys if old else set()))
    state = desired_state(new.params, keys)
    if old is None or old.retired:
        if new.default:  # the account's default, now described: its fields are written
            return Change("update", env, key, None, new.file, create_fields(state),
                          payload.update_params([p for p, _ in state.items()], state), None, True)
        return Change("create", env, key, None, new.file, create_fields(state),
                      payload.create_params(state, {}))
    fields = diff_states(desired_state(old.params, keys), state)
    if not fields:
        return None
    return Change("update", env, key, None, new.file, fields,
                  payload.update_params([f.path for f in fields], state), None, new.default)


def diff_environment(base: config.Project | None, head: config.Project, env: str) -> EnvPlan:
    result = EnvPlan(env=env, mode=head.environments[env].mode)
    before, after = _states(base, env, head.root), _states(head, env, head.root)
    for key in sorted(set(before) | set(after)):
        change = _change(key, env, before.get(key), after.get(key))
        if change is not None:
            result.changes.append(change)
    result.changes.sort(key=lambda c: c.sort_key)
    return result


def diff_against(rev: str, head: config.Project, envs: list[str]) -> Plan:
    with checkout_of_folder(head.root, rev) as folder:
        base = None
        base_file = None if folder is None else folder / head.path.name
        if base_file is not None and base_file.exists():
            try:
                base = config.load_project(base_file)
            except PortalConfigError as exc:
                raise PortalConfigError(f"the configuration files at {rev} do not load ({exc}): "
                                        "choose a base revision where `validate` passed") from exc
        return Plan(project=head.name, envs=[diff_environment(base, head, e) for e in envs])
