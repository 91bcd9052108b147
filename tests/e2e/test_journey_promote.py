"""Journey: promote a portal from staging (test mode) to prod (live mode) with one file.

The prices are made in each mode in the Dashboard (here: the SDK), with the same lookup keys and
each mode's own IDs; the file names them by lookup key, so each environment resolves its own. A
file that holds test-mode IDs instead is told, at the line, that they do not exist in live mode.
"""

from __future__ import annotations

from typing import Any

from .stripe_state import LIVE_KEY, PLANS, PRODUCTS, TEST_KEY, client, configurations

# Pro by its two lookup keys, and Team's monthly price.
PORTAL = PLANS.replace("name: Plans", "name: Self-serve") + (
    "      - prices: [lookup_key:team_monthly]\n"
)


def dashboard_catalog(project: Any, key: str) -> dict[str, str]:
    """Pro (monthly, yearly) and Team (monthly by lookup key, one more without a key), made as
    the Dashboard would in the key's mode; each object's ID by a name."""
    sdk = client(project, key).v1
    made: dict[str, str] = {}
    for product, prices in {
        "pro": {"pro_monthly": ("month", 2900), "pro_yearly": ("year", 29000)},
        "team": {"team_monthly": ("month", 9900), "team_nokey": ("month", 8900)},
    }.items():
        made[product] = sdk.products.create({"name": product.title()}).id
        for name, (interval, amount) in prices.items():
            params: Any = {
                "product": made[product],
                "currency": "usd",
                "unit_amount": amount,
                "recurring": {"interval": interval},
            }
            if name != "team_nokey":
                params["lookup_key"] = name
            made[name] = sdk.prices.create(params).id
    return made


def test_one_file_promotes_from_staging_to_prod_by_lookup_key(project) -> None:
    test, live = dashboard_catalog(project, TEST_KEY), dashboard_catalog(project, LIVE_KEY)
    project.write("self-serve.yaml", PORTAL)
    staged = project.run("apply", "--env", "staging")
    assert staged.exit_code == 0, staged.output

    planned = project.run("plan", "--env", "prod")
    assert planned.exit_code == 0, planned.output
    assert "+ self-serve in prod will be created" in planned.stdout
    assert (
        f"+ {live['pro']}: lookup_key:pro_monthly ({live['pro_monthly']}), "
        f"lookup_key:pro_yearly ({live['pro_yearly']})"
    ) in planned.stdout
    assert f"+ {live['team']}: lookup_key:team_monthly ({live['team_monthly']})" in planned.stdout
    assert not any(test_id in planned.stdout for test_id in test.values())

    promoted = project.run("apply", "--env", "prod", "--yes")
    assert promoted.exit_code == 0, promoted.output
    clean = project.run("plan", "--all", "--detailed-exitcode")
    assert clean.exit_code == 0, clean.output
    assert "No changes" in clean.stdout

    for key, ids in ((TEST_KEY, test), (LIVE_KEY, live)):
        (portal,) = configurations(project, key)
        products = portal["features"]["subscription_update"]["products"]
        assert {p["product"]: sorted(p["prices"]) for p in products} == {
            ids["pro"]: sorted([ids["pro_monthly"], ids["pro_yearly"]]),
            ids["team"]: [ids["team_monthly"]],
        }, PRODUCTS
    assert configurations(project, LIVE_KEY)[0]["default_return_url"] == (
        "https://example.com/account"
    )


def test_test_mode_ids_planned_for_live_are_said_not_to_exist_there(project) -> None:
    test, live = dashboard_catalog(project, TEST_KEY), dashboard_catalog(project, LIVE_KEY)
    # Copied from the test-mode Dashboard: Team's product and its price without a lookup key.
    path = project.write(
        "self-serve.yaml",
        PORTAL.replace(
            "      - prices: [lookup_key:team_monthly]\n",
            f"      - product: {test['team']}\n"
            f"        prices: [lookup_key:team_monthly, {test['team_nokey']}]\n",
        ).replace("lookup_key:pro_yearly", test["pro_yearly"]),
    )
    assert project.run("plan", "--env", "staging").exit_code == 0  # right in test mode

    project.emulator.clear_log()
    result = project.run("plan", "--env", "prod")
    assert result.exit_code == 1
    assert "belong to different products" not in result.output
    said = "Stripe says a similar object exists in test mode. IDs differ between modes"
    assert (
        f"{path}:10:18: product {test['team']} is a test-mode product in a live-mode "
        f"environment ('prod'): {said}: leave `product` out and write each price as "
        "lookup_key:K"
    ) in result.stdout, result.output
    assert (
        f"{path}:9:42: price {test['pro_yearly']} is a test-mode price in a live-mode "
        f"environment ('prod'): {said}: write it as lookup_key:K"
    ) in result.stdout, result.output
    assert "Traceback" not in result.output
    assert project.writes() == []
    assert live["team"] not in result.output  # the lookup key's product is no part of it
