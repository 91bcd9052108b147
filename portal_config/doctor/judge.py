"""`portal-config doctor`: why a portal link fails in one environment, as a list of findings.

This module and the checks it calls (files.py, flows.py, links.py, offer.py, sessions.py) are
the pure part: `judge` turns an `Observation` (what read.py saw through the gateway, failures
included) into `Finding`s, each with one line of evidence and one line of what to do. No I/O
here; rendering is report.py's job. The causes come from API-REFERENCE §9-§11: no default saved
in the mode, an inactive or missing configuration, a missing or wrong return URL, archived
prices or products, a customer ID from the wrong place, a key of the wrong mode or without a
permission portal-config needs.
"""

from __future__ import annotations

from ..dashboard import api_keys_url, labelled, named, portal_settings_url
from ..errors import FailureKind
from ..planning.mode import unconfirmed
from ..project.safety import KEY_PREFIXES
from .files import judge_files
from .flows import judge_flow
from .links import judge_login_page, judge_policy_links
from .observation import LIMITED_KEYS, Finding, Observation, Used, failed, used_configurations
from .offer import judge_prices, judge_return_url
from .sessions import judge_customer, judge_sessions

# -- the checks -------------------------------------------------------------------------------


def judge(obs: Observation, show_url: bool) -> list[Finding]:
    findings = judge_key(obs) + judge_loading(obs)
    if obs.refused or obs.list_failure:
        return findings  # nothing else was read
    used = used_configurations(obs)
    findings += judge_default(obs, used)
    findings += judge_files(obs)
    for u in used:
        findings.append(judge_return_url(obs, u))
        findings += judge_policy_links(obs, u) + judge_login_page(obs, u)
        findings += judge_prices(obs, u)
    findings += judge_flow(obs, used)
    findings += judge_customer(obs)
    findings += judge_sessions(obs, show_url)
    return findings


def judge_key(obs: Observation) -> list[Finding]:
    env, mode, space = obs.env, obs.mode, obs.env.space
    where = named(space)
    kind = "sandbox" if env.sandbox else f"{mode} mode"
    prefixes = " or ".join(f"{p}..." for p in KEY_PREFIXES[space])
    if obs.refused:
        check, message = obs.refused
        if check == "address":
            return [
                Finding(
                    "address",
                    "problem",
                    f"{message} Nothing was sent.",
                    "remove api_base to use Stripe itself, or point it at a loopback emulator",
                )
            ]
        return [
            Finding(
                "key",
                "problem",
                f"{message} Refused before any request.",
                f"export this account's {kind} key ({prefixes}) in {env.api_key_env}; keys are at "
                f"{api_keys_url(space)}",
            )
        ]
    if obs.key_kind == "emulator":
        works = f"the embedded emulator ({env.emulator}) answers in {where}; no key needed"
    else:
        works = f"the {obs.key_kind} key in {env.api_key_env} works and is a {kind} key"
    failure = obs.list_failure
    if failure and failure.kind is FailureKind.AUTHENTICATION:
        return [
            Finding(
                "key",
                "problem",
                f"Stripe rejected the API key in {env.api_key_env}: {failure.message}",
                f"the key was revoked, rolled or mistyped: copy a "
                f"current {kind} key from {api_keys_url(space)} into "
                f"{env.api_key_env}",
            )
        ]
    if failure and failure.kind is not FailureKind.PERMISSION:
        return [failed("key", "listing portal configurations", failure)]
    if obs.balance_failure:  # nothing listed told an organization key's mode, nor could this
        return [failed("key", "reading the balance (for the key's mode)", obs.balance_failure)]
    if obs.wrong_mode:  # an organization key's mode, not the environment's
        fix = (
            "grant the organization key Balance read in the Dashboard, or create the first "
            f"portal configuration in {mode} mode"
            if obs.wrong_mode[0] == unconfirmed(env)
            else f"export the organization's {mode} mode key in {env.api_key_env}"
        )
        return [Finding("key", "problem", obs.wrong_mode[0].message, fix)]
    findings = [Finding("key", "ok", works)]
    if failure:  # the key works but may not even read portal configurations
        return findings + [failed("key", "the key cannot read portal configurations", failure)]
    if obs.key_kind in LIMITED_KEYS and obs.write_failure is None:
        findings.append(
            Finding(
                "permissions",
                "ok",
                f"the {obs.key_kind} key may write portal "
                "configurations (apply) and create portal sessions",
            )
        )
    elif obs.write_failure is not None:
        findings.append(
            failed(
                "permissions",
                f"the {obs.key_kind} key cannot write portal configurations",
                obs.write_failure,
            )
        )
    return findings


def judge_loading(obs: Observation) -> list[Finding]:
    """The files' own errors (validate's): a broken configuration file is left out, and the
    rest is still checked."""
    fix = "fix it (`portal-config validate` lists every problem): until then plan and apply refuse"
    return [
        Finding(
            "files",
            "problem",
            str(p),
            fix
            if p.location.file == obs.env.location.file
            else f"{fix}, and doctor leaves this file out",
        )
        for p in obs.load_problems
    ]


def judge_default(obs: Observation, used: list[Used]) -> list[Finding]:
    where = named(obs.env.space)
    portal = portal_settings_url(obs.env.space)
    default = next((u for u in used if u.is_default), None)
    if default is not None:
        if default.obj.active:
            managed = f" (described by {default.file})" if default.file else ""
            return [
                Finding(
                    "default",
                    "ok",
                    f"{default.id} is the {labelled(obs.env.space)} default and is active{managed}",
                )
            ]
        return [
            Finding(
                "default",
                "problem",
                f"the {labelled(obs.env.space)} default {default.id} is "
                "inactive: portal sessions created without `configuration` fail",
                f"activate it by saving the portal settings at {portal}",
            )
        ]
    # Without a default, apps that pass `configuration=` still work: a warning when there is
    # an active configuration to pass, a problem when there is none or a file wants a default.
    others = [u.id for u in used if u.obj.active]
    wants_default = any(f.default for f in obs.files)
    alternative = (
        (
            f", or pass configuration={others[0]} to billing_portal.sessions.create "
            f"(`portal-config ids {obs.env_option}` lists every ID)"
        )
        if others
        else ""
    )
    return [
        Finding(
            "default",
            "warning" if others and not wants_default else "problem",
            f"no default configuration is saved in {where}: portal sessions created "
            f'without `configuration` fail ("No configuration provided and your {obs.mode} '
            'mode default configuration has not been created")',
            f"save the customer portal settings at {portal}{alternative}",
        )
    ]
