"""`portal-config ids` over a fleet environment: each account's own configuration IDs (the app
passes the one of the account it creates a portal session for), read side by side under the
run's rate limit. One account's failure (a revoked connection answers 403, a silent account) is
that account's problem, named by its ID with what to do; the other accounts are still listed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..errors import StripeFailure
from ..jsontypes import JSON_FORMAT_VERSION
from ..project import spec
from ..stripe_api.gateway import Gateway
from . import fleet_plan, fleet_read, ids
from .ids import Ids


def read_fleet(
    project: spec.Project, env_name: str, platform: Gateway, selection: fleet_plan.Selection
) -> list[Ids]:
    """The IDs in each account of the fleet this run takes, in fleet order."""
    env = project.environments[env_name]

    def read(member: fleet_plan.Member) -> Ids:
        environment = fleet_plan.member_environment(project, env_name, platform, member)
        return ids.read(project, env_name, platform.for_account(member.id), environment)

    def failed(member: fleet_plan.Member, exc: StripeFailure) -> Ids:
        problem = fleet_plan.failure_message(member.id, exc, platform, env)
        return Ids(env=env_name, mode=env.mode, problems=[problem], account=member.id)

    return fleet_read.each_account(env, platform, selection, read, failed)


def render(env_name: str, mode: str, accounts: Sequence[Ids], fmt: str) -> str:
    """text: `acct_...  key  bpc_...` lines, grouped by account; json: one entry per account."""
    if fmt == "json":
        entries = [
            {
                "account": a.account,
                "ids": a.found,
                "default_key": a.default_key,
                "problems": a.problems,
            }
            for a in accounts
        ]
        document = {
            "format_version": JSON_FORMAT_VERSION,
            "environment": env_name,
            "mode": mode,
            "accounts": entries,
        }
        return json.dumps(document, indent=2)
    rows = [(str(a.account), key, value) for a in accounts for key, value in a.found.items()]
    account_width = max((len(r[0]) for r in rows), default=0)
    key_width = max((len(r[1]) for r in rows), default=0)
    return "\n".join(f"{a:<{account_width}}  {k:<{key_width}}  {v}" for a, k, v in rows)
