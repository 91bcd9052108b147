"""doctor's pure part and ids' formatting, without Stripe: the cases the emulator cannot make
(a relative return URL, a deleted customer, a dropped connection) and the exit-code rule."""

from __future__ import annotations

from typing import Any

import pytest

from portal_config.doctor import observation as doctor
from portal_config.doctor.judge import judge
from portal_config.errors import FailureKind, Location
from portal_config.pipeline import ids
from portal_config.portal.configuration import Configuration
from portal_config.project.spec import Environment
from portal_config.project.variables import variable_name


def env(mode: str = "test", **vars_: str) -> Environment:
    return Environment(
        name="staging",
        mode=mode,
        api_key_env="KEY",
        api_base=None,
        stripe_account=None,
        emulator=None,
        seed=None,
        vars=vars_,
        location=Location("portal-config.yaml"),
    )


def default_config(**fields: Any) -> Configuration:
    """The mode's default as the gateway gives it."""
    raw = {"id": "bpc_default", "is_default": True, "active": True, "features": {}, **fields}
    return Configuration.of(raw)


def statuses(findings: list[doctor.Finding]) -> dict[str, str]:
    return {f.check: f.status for f in findings}


@pytest.mark.parametrize(
    "found, code",
    [((), 0), (("ok",), 0), (("ok", "warning"), 2), (("warning", "problem", "ok"), 1)],
)
def test_exit_code(found: tuple[str, ...], code: int) -> None:
    assert doctor.exit_code([doctor.Finding("c", s, "e") for s in found]) == code


def test_a_relative_return_url_is_a_problem() -> None:
    obs = doctor.Observation(env(), configurations=[default_config(default_return_url="/account")])
    found = judge(obs, show_url=False)
    assert statuses(found)["return URL default"] == "problem"
    assert "is not an absolute http(s) URL" in next(
        f.evidence for f in found if f.check == "return URL default"
    )


def test_a_deleted_customer_is_a_problem_and_gets_no_session() -> None:
    obs = doctor.Observation(
        env(),
        customer_id="cus_1",
        configurations=[default_config()],
        customer={"id": "cus_1", "deleted": True},
    )
    found = statuses(judge(obs, show_url=False))
    assert found["customer"] == "problem" and not any(c.startswith("session") for c in found)


def test_a_connection_failure_stops_the_checks() -> None:
    timed_out = doctor.Failure(FailureKind.CONNECTION, "timed out")
    obs = doctor.Observation(env(), list_failure=timed_out)
    found = judge(obs, show_url=False)
    assert [(f.check, f.status) for f in found] == [("key", "problem")]
    assert "check the network" in found[0].fix


def test_a_session_url_is_shown_only_when_allowed() -> None:
    used = doctor.Used("bpc_default", default_config())
    obs = doctor.Observation(
        env(),
        customer_id="cus_1",
        configurations=[default_config()],
        customer={"id": "cus_1"},
        sessions=[
            doctor.SessionAttempt(used, session={"url": "https://billing.example/p/session/x"})
        ],
    )
    hidden = judge(obs, show_url=False)
    shown = judge(obs, show_url=True)
    assert not any("billing.example" in f.evidence or f.url for f in hidden)
    assert [f.url for f in shown if f.url] == ["https://billing.example/p/session/x"]


def test_env_names_and_the_default_alias() -> None:
    assert variable_name("pro-annual.v2") == "PORTAL_CONFIG_PRO_ANNUAL_V2"
    # A key that becomes PORTAL_CONFIG_DEFAULT keeps it: the default gets no second line.
    found = ids.collect("staging", "test", [], [], [{"id": "bpc_d", "is_default": True}])
    assert found.found == {"default": "bpc_d"}
    taken = ids.Ids("staging", "test", {"Default": "bpc_1"})
    assert ids.render(taken, "env") == "PORTAL_CONFIG_DEFAULT=bpc_1"
