"""Journey: an app developer runs their app against `portal-config emulator` and clicks through
the portal in a real browser. The team applies its configurations; the app does what the seed's
app does (billing_portal.sessions.create with the configuration `ids` names, then a redirect to
session.url); headless Chromium (Debian's package, driven by Playwright) follows it, sees the
configured plans, clicks Return and lands back on the app."""

from __future__ import annotations

import json
import shutil
import signal
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from types import SimpleNamespace

import pytest
import stripe
from playwright.sync_api import Page, sync_playwright

from tests.reliability.servers import Answer, Arrival, LoopbackServer, serving
from tests.support.emulator_process import start

from .conftest import make_project
from .stripe_state import PLANS, TEST_KEY, catalog

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Flags that keep a headless Chromium offline and quiet in a container (no sandbox: CI is root).
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
]
# stripe_state.PLANS (Pro, monthly and yearly; invoices) with a headline and cancellation.
PORTAL = (
    PLANS  # ends inside `features:`
    + "  subscription_cancel: {enabled: true, mode: at_period_end}\n"
    + "business_profile: {headline: Acme billing}\n"
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium browser installed: apt-get install chromium chromium-driver "
    "(.ci/run installs them where it can)",
)


@pytest.fixture
def emulator_url(tmp_path: Path) -> Iterator[str]:
    """`portal-config emulator` in its own process, seeded with the catalog and a customer."""
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({**catalog("app"), "customers": [{"id": "cus_app"}]}))
    process, url = start("--port", "0", "--seed", str(seed))
    try:
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
        assert process.returncode == 130 and "Traceback" not in stderr, stderr


def app(emulator_url: str, configuration: str) -> AbstractContextManager[LoopbackServer]:
    """The developer's app: /billing opens the portal as the seed's app does; /account is
    where the portal's Return link should bring the customer back."""
    client = stripe.StripeClient(TEST_KEY, base_addresses={"api": emulator_url})

    def answer(arrival: Arrival) -> Answer:
        if arrival.path == "/billing":
            session = client.v1.billing_portal.sessions.create(
                {
                    "customer": "cus_app",
                    "configuration": configuration,
                    "return_url": f"http://{arrival.headers['Host']}/account",
                }
            )
            return 303, {"Location": session.url}, b""
        page = b"<!DOCTYPE html><title>Acme app</title><h1>Your Acme account</h1>"
        return 200, {"Content-Type": "text/html"}, page

    return serving(answer)


def test_the_seeds_flow_end_to_end_in_a_browser(
    emulator_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path, SimpleNamespace(url=emulator_url), monkeypatch)
    project.write("plans.yaml", PORTAL)
    applied = project.run("apply", "--env", "staging")
    assert applied.exit_code == 0, applied.output
    ids = json.loads(project.run("ids", "--env", "staging", "--format", "json").stdout)["ids"]

    with app(emulator_url, ids["plans"]) as acme, sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=FLAGS
        )
        try:
            page: Page = browser.new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{acme.url}/billing")
            assert page.url.startswith(f"{emulator_url}/p/session/test_")
            seen = " ".join(page.inner_text("body").split())
            assert "emulated portal" in seen and "Acme billing" in seen
            assert "Pro: 20.00 USD per month, 200.00 USD per year" in seen
            assert "Team" not in seen  # not offered
            assert "Cancellations take effect at the end of the billing period." in seen
            page.get_by_role("link", name="Return", exact=True).click()
            page.wait_for_url(f"{acme.url}/account")
            assert page.inner_text("h1") == "Your Acme account"
        finally:
            browser.close()
    visited = [a.path for a in acme.arrivals if a.path != "/favicon.ico"]
    assert visited == ["/billing", "/account"]
