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
from pathlib import Path
from typing import Any

from . import config, model, payload
from .errors import PortalConfigError
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
                                "commit, branch or tag (in CI, fetch the base branch first)") from exc
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


def _states(project: config.Project | None, env: str) -> dict[str, tuple[str, dict[str, Any],
                                                                        list[str]]]:
    if project is None or env not in project.environments:
        return {}
    out = {}
    for f in config.desired_configs(project, env):
        params = _symbolic(f.params)
        out[f.key] = (str(f.file.name), params, sorted((params.get("metadata") or {}).keys()))
    return out


def diff_environment(base: config.Project | None, head: config.Project, env: str) -> EnvPlan:
    result = EnvPlan(env=env, mode=head.environments[env].mode)
    before, after = _states(base, env), _states(head, env)
    for key in sorted(set(before) | set(after)):
        if key not in after:
            result.changes.append(Change("deactivate", env, key, None, before[key][0],
                                         (FieldChange("active", True, False),), {"active": False}))
            continue
        file, params, keys = after[key]
        new = desired_state(params, sorted(set(keys) | set(before.get(key, ("", {}, []))[2])))
        if key not in before:
            result.changes.append(Change("create", env, key, None, file, create_fields(new),
                                         payload.create_params(new, {})))
            continue
        old = desired_state(before[key][1], sorted(set(keys) | set(before[key][2])))
        fields = diff_states(old, new)
        if fields:
            result.changes.append(Change("update", env, key, None, file, fields,
                                         payload.update_params([f.path for f in fields], new)))
    return result


def diff_against(rev: str, head: config.Project, envs: list[str]) -> Plan:
    with checkout_of_folder(head.root, rev) as folder:
        base = None
        if folder is not None and (folder / config.PROJECT_FILE).exists():
            try:
                base = config.load_project(folder / config.PROJECT_FILE)
            except PortalConfigError as exc:
                raise PortalConfigError(f"the configuration files at {rev} do not load ({exc}): "
                                        "choose a base revision where `validate` passed") from exc
        return Plan(project=head.name, envs=[diff_environment(base, head, e) for e in envs])
