"""`portal-config diff --base REV`: the desired state at a git revision against the working tree,
per environment, rendered like a plan. Offline: no key, no Stripe (pull requests from forks).

It runs the same match and plan as `plan`, against the configurations the base revision's files
would have left in Stripe. Lookup keys stay symbolic, since no account is read; a products entry
without `product` compares by its prices alone.
"""

from __future__ import annotations

import copy
import dataclasses
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import PortalConfigError
from ..planning.plan import EnvPlan, Plan, plan_environment
from ..portal import identity, model
from ..project import config, spec
from .plan_target import desired_of  # the same Desired as plan's, here with prices left symbolic

UNRESOLVED_PRODUCT = model.UNRESOLVED_PRODUCT
BASE_ID = "base:"  # the stand-in IDs of configurations as the base revision would have made them


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
        raise PortalConfigError(
            f"'{rev}' is not a revision of the repository at {top}: name a "
            "commit, branch or tag (in CI, fetch the base branch "
            "first)"
        ) from exc
    relative = folder.resolve().relative_to(top.resolve()).as_posix()
    listing = _git(["ls-tree", rev, "--", f"{relative}/"], top).splitlines()
    # "<mode> <type> <object>\t<path>": only blobs are files; a subfolder is a tree.
    names = [line.split("\t", 1)[1] for line in listing if line.split()[1:2] == ["blob"]]
    with tempfile.TemporaryDirectory(prefix="portal-config-base-") as tmp:
        if not listing:
            yield None
            return
        for name in names:
            blob = subprocess.run(
                ["git", "show", f"{rev}:{name}"], cwd=top, capture_output=True, check=False
            )
            if blob.returncode == 0:
                (Path(tmp) / Path(name).name).write_bytes(blob.stdout)
        yield Path(tmp)


def symbolic(params: Mapping[str, Any]) -> dict[str, Any]:
    """A file's params with each products entry's product left symbolic (diff, explain)."""
    copied: dict[str, Any] = copy.deepcopy(dict(params))
    for entry in model.get_path(copied, model.PRODUCTS_PATH) or []:
        entry.setdefault("product", UNRESOLVED_PRODUCT)
    return copied


def stripe_as_base(base: spec.Project | None, project: str, env: str) -> list[dict[str, Any]]:
    """Stripe as applying the base revision's files would have left it: one configuration per
    file (identity keys as apply writes them; pinned ones keep their pinned ID and none), and the
    account's default, with Stripe's defaults when no file describes it."""
    files = config.desired_configs(base, env) if base and env in base.environments else []
    configurations = []
    for f in files:
        params = symbolic(f.params)
        metadata = {k: v for k, v in (params.get("metadata") or {}).items() if v is not None}
        if not (f.default or f.pinned_id):
            metadata.update(identity.stamp(project, env, f.key))
        configurations.append(
            {
                **params,
                "id": f.pinned_id or f"{BASE_ID}{f.key}",
                "active": params.get("active", True) is not False,
                identity.DEFAULT_FLAG: f.default,
                "application": None,
                "metadata": metadata,
            }
        )
    if not any(f.default for f in files):
        configurations.append(
            {"id": f"{BASE_ID}default", "active": True, identity.DEFAULT_FLAG: True, "metadata": {}}
        )
    return configurations


def diff_environment(base: spec.Project | None, head: spec.Project, env: str) -> EnvPlan:
    """The working tree's files planned, by plan.py itself, against Stripe as the base files
    would have left it: so diff and plan cannot disagree on what is created or deactivated."""
    desired = [desired_of(f, symbolic(f.params)) for f in config.desired_configs(head, env)]
    result = plan_environment(
        head.name, env, head.environments[env].mode, desired, stripe_as_base(base, head.name, env)
    )
    # No account was read: no IDs to show, and nothing is "unmanaged".
    return dataclasses.replace(
        result,
        changes=tuple(
            dataclasses.replace(c, config_id=None, fingerprint=None) for c in result.changes
        ),
        prunable=tuple((k, "") for k, _ in result.prunable),
        default_kept=(),
        unmanaged=(),
        listed=(),
    )


def diff_against(rev: str, head: spec.Project, envs: list[str]) -> Plan:
    with checkout_of_folder(head.root, rev) as folder:
        base = None
        base_file = None if folder is None else folder / head.path.name
        if base_file is not None and base_file.exists():
            try:
                base = config.load_project(base_file)
            except PortalConfigError as exc:
                raise PortalConfigError(
                    f"the configuration files at {rev} do not load ({exc}): "
                    "choose a base revision where `validate` passed"
                ) from exc
        return Plan(head.name, tuple(diff_environment(base, head, e) for e in envs))
