"""A fleet project for the e2e tests: a project file whose one environment is every connected
account a metadata filter keeps, and a file that gives each account a configuration of its own."""

from __future__ import annotations

from typing import Any

FLEET_SIZE = 150
FLEET_PROJECT = """\
version: 1
project: acme
environments:
  fleet:
    mode: test
    api_key_env: PORTAL_CONFIG_E2E_TEST_KEY
    api_base: {url}
    stripe_accounts: {{connected: all, metadata: {{portal: managed}}}}
    vars: {{support: "Questions? Write to us"}}
"""
TENANT = """\
key: tenant
name: "Portal of ${account.id}"
default_return_url: "${account.metadata.app_url}/billing"
business_profile:
  headline: "${support}"
features:
  invoice_history: {enabled: true}
"""


def fleet(project: Any, size: int = FLEET_SIZE, others: int = 5) -> list[str]:
    """`size` accounts the filter keeps (each with its own app_url), and `others` it leaves
    out; the kept IDs, in the order they were connected."""
    project.write("portal-config.yaml", FLEET_PROJECT.format(url=project.emulator.url))
    project.write("tenant.yaml", TENANT)
    kept = project.emulator.add_connected_accounts(
        size, metadata=lambda i: {"portal": "managed", "app_url": f"https://t{i}.example"}
    )
    project.emulator.add_connected_accounts(others, metadata={"portal": "self-serve"})
    return kept
