"""fleet.py and fleet_accounts.py: stripe_accounts: shapes and files, selection, shards,
${account.*}, the threshold."""

from __future__ import annotations

import hashlib
import random
import string
from pathlib import Path
from typing import Any

import pytest

from portal_config.errors import Location, Problem
from portal_config.project import fleet, fleet_accounts, loader

PATH = ("environments", "tenants", "stripe_accounts")


def parsed(tmp_path: Path, value_yaml: str) -> tuple[fleet.AccountsSpec | None, list[str]]:
    """Parse `stripe_accounts: VALUE` as written in a project file; problems as printed."""
    project = tmp_path / "portal-config.yaml"
    project.write_text("environments:\n  tenants:\n    stripe_accounts: " + value_yaml + "\n")
    document, problems = loader.load(project)
    assert problems == []
    spec, found = fleet.parse_accounts(loader.value_at(document.data, PATH), PATH, document.locate)
    return spec, [str(p).replace(str(tmp_path) + "/", "") for p in found]


def ids(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits
    return ["acct_1" + "".join(rng.choice(alphabet) for _ in range(15)) for _ in range(count)]


# -- stripe_accounts: -----------------------------------------------------------------------


def test_a_list_of_ids(tmp_path: Path) -> None:
    spec, problems = parsed(tmp_path, "[acct_1A, acct_1B]")
    assert problems == [] and spec == fleet.AccountsSpec(ids=("acct_1A", "acct_1B"))


def test_a_list_reports_bad_and_repeated_ids_where_they_are(tmp_path: Path) -> None:
    spec, problems = parsed(
        tmp_path, "\n      - acct_1A\n      - cus_9\n      - acct_1A\n      - 42"
    )
    assert spec is None
    assert problems == [
        "portal-config.yaml:5:9: 'cus_9' is not a Stripe account ID: write acct_ and letters "
        "or digits, as the Dashboard shows it",
        "portal-config.yaml:6:9: acct_1A is listed twice (first on line 4): remove one",
        "portal-config.yaml:7:9: 42 is not a Stripe account ID: write acct_ and letters or "
        "digits, as the Dashboard shows it",
    ]


def test_an_empty_list_or_a_bare_string(tmp_path: Path) -> None:
    assert parsed(tmp_path, "[]")[1] == [
        "portal-config.yaml:3:22: stripe_accounts names no account: list acct_... IDs, or use "
        "{connected: all}"
    ]
    assert parsed(tmp_path, "acct_1A")[1] == [
        "portal-config.yaml:3:22: stripe_accounts takes a list of acct_... IDs, {file: "
        "accounts.txt} or {connected: all} (for one account write stripe_account: acct_1A, or "
        "a list: [acct_1A])"
    ]


def test_a_file(tmp_path: Path) -> None:
    assert parsed(tmp_path, "{file: accounts.txt}") == (fleet.AccountsSpec(file="accounts.txt"), [])
    assert parsed(tmp_path, "{file: ''}")[1] == [
        "portal-config.yaml:3:29: stripe_accounts.file names a file of account IDs beside the "
        "project file, e.g. accounts.txt"
    ]
    assert parsed(tmp_path, "{file: a.txt, metadata: {x: y}}")[1] == [
        "portal-config.yaml:3:36: stripe_accounts: unknown key 'metadata' ({file: ...} takes "
        "no other key)"
    ]
    assert parsed(tmp_path, "{file: a.txt, connected: all}")[1] == [
        "portal-config.yaml:3:36: stripe_accounts: file and connected exclude each other (a "
        "file of IDs, or the platform's connected accounts)"
    ]


def test_connected_all_with_a_metadata_filter(tmp_path: Path) -> None:
    assert parsed(tmp_path, "{connected: all}") == (fleet.AccountsSpec(connected=True), [])
    spec, problems = parsed(tmp_path, "{connected: all, metadata: {portal: managed, tier: 2}}")
    assert problems == []
    assert spec == fleet.AccountsSpec(connected=True, metadata={"portal": "managed", "tier": "2"})


@pytest.mark.parametrize(
    "value, problem",
    [
        (
            "{connected: some}",
            "3:34: stripe_accounts.connected takes `all` (every connected "
            "account, narrowed by metadata:), not 'some'",
        ),
        (
            "{connected: all, metadata: {portal: true}}",
            "3:58: stripe_accounts.metadata.portal: "
            "true is not a string, and Stripe's metadata values are: quote it ('true')",
        ),
        (
            "{connected: all, metadata: {portal: }}",
            "3:57: stripe_accounts.metadata.portal needs a "
            "value (the metadata value an account must have)",
        ),
        (
            "{connected: all, metadata: {portal: [a]}}",
            "3:58: stripe_accounts.metadata.portal: a value, not a list or mapping",
        ),
        ("{connected: all, metadata: managed}", "3:49: stripe_accounts.metadata is a mapping"),
        (
            "{connected: all, filter: x}",
            "3:39: stripe_accounts: unknown key 'filter' ({connected: "
            "all} takes metadata: and nothing else)",
        ),
        (
            "{metadata: {a: b}}",
            "3:22: stripe_accounts needs file: (a file of IDs) or connected: all",
        ),
    ],
)
def test_connected_mistakes_are_located(tmp_path: Path, value: str, problem: str) -> None:
    spec, problems = parsed(tmp_path, value)
    assert spec is None and any(p.startswith("portal-config.yaml:" + problem) for p in problems), (
        problems
    )


def test_the_file_of_ids() -> None:
    text = (
        "\ufeff# tenants on the managed plan\n"
        "acct_1A\n"
        "\n"
        "  acct_1B   # Globex\n"
        "acct_1A\n"
        "acct_1C acct_1D\n"
        "   cus_1\n"
        "acct_1E\r\n"
    )
    found, problems = fleet.parse_accounts_file(text, "configs/accounts.txt")
    assert found == {
        "acct_1A": Location("configs/accounts.txt", 2, 1),
        "acct_1B": Location("configs/accounts.txt", 4, 3),
        "acct_1E": Location("configs/accounts.txt", 8, 1),
    }
    assert [str(p) for p in problems] == [
        "configs/accounts.txt:5:1: acct_1A is listed twice (first on line 2): remove one",
        "configs/accounts.txt:6:1: one account ID a line (put a note after #)",
        "configs/accounts.txt:7:4: 'cus_1' is not a Stripe account ID: write acct_ and letters "
        "or digits, as the Dashboard shows it",
    ]


def test_a_file_without_ids() -> None:
    assert fleet.parse_accounts_file("# nobody yet\n\n", "accounts.txt") == (
        {},
        [Problem(Location("accounts.txt"), "names no account: write one acct_... ID a line")],
    )
    assert fleet.parse_accounts_file("", "a.txt")[1][0].message.startswith("names no account")


# -- which accounts -------------------------------------------------------------------------


def test_select_accounts_by_metadata() -> None:
    accounts: list[dict[str, Any]] = [
        {"id": "acct_1A", "metadata": {"portal": "managed", "tier": "2"}},
        {"id": "acct_1B", "metadata": {"portal": "manual"}},
        {"id": "acct_1C", "metadata": {}},
        {"id": "acct_1D", "metadata": None},
        {"id": "acct_1E", "metadata": {"portal": "managed"}},
    ]
    assert [a["id"] for a in fleet_accounts.select_accounts(accounts, {"portal": "managed"})] == [
        "acct_1A",
        "acct_1E",
    ]
    kept = fleet_accounts.select_accounts(accounts, {"portal": "managed", "tier": "2"})
    assert [a["id"] for a in kept] == ["acct_1A"]
    assert fleet_accounts.select_accounts(accounts, {}) == accounts
    assert fleet_accounts.select_accounts([], {"portal": "managed"}) == []


def test_narrow_to_some_accounts() -> None:
    assert fleet_accounts.narrow(
        ["acct_1A", "acct_1B", "acct_1C"], ["acct_1C", "acct_1A", "acct_1Z", "acct_1Z"]
    ) == (["acct_1A", "acct_1C"], ["acct_1Z"])
    assert fleet_accounts.narrow([], ["acct_1A"]) == ([], ["acct_1A"])


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5])
def test_shards_cover_the_fleet_without_overlap(count: int) -> None:
    accounts = ids(150)
    shards = [fleet_accounts.shard(accounts, index, count) for index in range(1, count + 1)]
    assert sorted(a for s in shards for a in s) == sorted(accounts)  # each exactly once
    assert all(s == [a for a in accounts if a in set(s)] for s in shards)  # order kept
    assert all(len(s) > 150 / count / 2 for s in shards)  # a share each, none starved


def test_an_account_keeps_its_shard() -> None:
    accounts = ids(150)
    before = {a: fleet_accounts.shard_of(a, 3) for a in accounts}
    grown = [*ids(40, seed=8), *reversed(accounts)]
    assert all(a in fleet_accounts.shard(grown, before[a], 3) for a in accounts)
    # Stable across processes and machines: a SHA-256 of the ID, not the salted hash().
    digest = hashlib.sha256(b"acct_1Acme").digest()
    assert fleet_accounts.shard_of("acct_1Acme", 3) == int.from_bytes(digest[:8], "big") % 3 + 1
    assert fleet_accounts.shard([], 1, 3) == []
    assert fleet_accounts.shard(["acct_1A"], 1, 1) == ["acct_1A"]
    with pytest.raises(ValueError):
        fleet_accounts.shard(accounts, 0, 3)


def test_parse_shard() -> None:
    assert fleet_accounts.parse_shard("2/3") == (2, 3)
    assert fleet_accounts.parse_shard(" 1 / 1 ") == (1, 1)
    for text, message in [
        ("2", "--shard takes I/N, e.g. 2/3 for the second of three shards, not '2'"),
        ("a/b", "--shard takes I/N"),
        (
            "0/3",
            "--shard 0/3: I counts from 1 to N (3), as a CI matrix of 3 jobs would: 1/3 .. 3/3",
        ),
        ("4/3", "--shard 4/3: I counts from 1 to N (3)"),
        ("1/0", "--shard 1/0: N is the number of shards, at least 1"),
        ("-1/2", "--shard -1/2: I counts from 1"),
    ]:
        with pytest.raises(ValueError) as caught:
            fleet_accounts.parse_shard(text)
        assert str(caught.value).startswith(message), text


# -- ${account.*} ---------------------------------------------------------------------------

ACCOUNT: dict[str, Any] = {
    "id": "acct_1Acme",
    "object": "account",
    "charges_enabled": True,
    "created": 1700000000,
    "email": None,
    "capabilities": {},
    "business_profile": {
        "name": "Acme",
        "url": "https://acme.example",
        "mcc": None,
        "support_address": {"city": "Berlin", "line2": None},
    },
    "metadata": {"app_url": "https://app.acme.example", "tier": "2"},
    "external_accounts": {"object": "list", "data": [{"id": "ba_1"}]},
}


def test_account_variables() -> None:
    assert fleet_accounts.account_variables(ACCOUNT) == {
        "account.id": "acct_1Acme",
        "account.object": "account",
        "account.created": "1700000000",
        "account.business_profile.name": "Acme",
        "account.business_profile.url": "https://acme.example",
        "account.business_profile.support_address.city": "Berlin",
        "account.metadata.app_url": "https://app.acme.example",
        "account.metadata.tier": "2",
        "account.external_accounts.object": "list",
    }
    assert fleet_accounts.account_variables({"id": "acct_1A"}) == {"account.id": "acct_1A"}


def test_references_and_what_an_account_lacks() -> None:
    config = {
        "default_return_url": "${account.metadata.app_url}/billing",
        "business_profile": {
            "headline": "${account.business_profile.name} · ${app_url}",
            "privacy_policy_url": "$${account.id} is literal",
        },
        "features": {"x": ["${account.metadata.app_url}", "${account.metadata.support}"]},
        "name": 3,
    }
    assert fleet_accounts.account_references(config) == [
        "account.metadata.app_url",
        "account.business_profile.name",
        "account.metadata.support",
    ]
    text = "${account.id}${account.id} ${unclosed"
    assert fleet_accounts.account_references(text) == ["account.id"]
    variables = fleet_accounts.account_variables(ACCOUNT)
    assert fleet_accounts.missing_variables(config, variables) == ["account.metadata.support"]
    assert fleet_accounts.missing_variables("no variables", {}) == []
    assert fleet_accounts.missing_message("acct_1Acme", "account.metadata.app_ur", variables) == (
        "account acct_1Acme has no metadata.app_ur, used as ${account.metadata.app_ur} (did you "
        "mean ${account.metadata.app_url}?): set the metadata key app_ur on the account, or "
        "leave the account out of the fleet; its other files are held back with it"
    )
    assert "(did you mean" not in fleet_accounts.missing_message(
        "acct_1B", "account.metadata.zzz", {"account.id": "acct_1B"}
    )


@pytest.mark.parametrize(
    "name, problem",
    [
        ("account.id", None),
        ("account.metadata.app_url", None),
        ("account.business_profile.url", None),
        (
            "account.bussiness_profile.url",
            "${account.bussiness_profile.url}: the account object "
            "has no field 'bussiness_profile' (did you mean business_profile?)",
        ),
        (
            "account.business_profile.urll",
            "${account.business_profile.urll}: business_profile has "
            "no field 'urll' (did you mean url?)",
        ),
        (
            "account.metadata",
            "${account.metadata} is a hash: name one of its values, e.g. ${account.metadata.KEY}",
        ),
        (
            "account.",
            "${account.}: name a field of the account, e.g. ${account.id} or "
            "${account.metadata.KEY}",
        ),
        ("account.metadata..x", "${account.metadata..x}: name a field of the account"),
    ],
)
def test_reference_problems_caught_offline(name: str, problem: str | None) -> None:
    found = fleet_accounts.reference_problem(name)
    assert found == problem if problem is None else (found or "").startswith(problem)


# -- the safety threshold -------------------------------------------------------------------


@pytest.mark.parametrize(
    "changed, size, over",
    [
        (0, 0, False),  # an empty fleet
        (1, 1, False),  # one account: always allowed, as is any fleet under 10
        (9, 9, False),
        (3, 10, False),  # 30% exactly is allowed (more than the share is refused)
        (4, 10, True),
        (30, 100, False),
        (31, 100, True),
        (3000, 10_000, False),
        (3001, 10_000, True),
    ],
)
def test_over_threshold(changed: int, size: int, over: bool) -> None:
    assert fleet_accounts.over_threshold(changed, size) is over


def test_threshold_share_and_message() -> None:
    assert fleet_accounts.over_threshold(11, 20, share=0.5)
    assert not fleet_accounts.over_threshold(10, 20, 0.5)
    assert not fleet_accounts.over_threshold(20, 20, share=1)
    for bad in (0, -0.1, 1.5):
        with pytest.raises(ValueError):
            fleet_accounts.over_threshold(1, 20, share=bad)
    assert fleet_accounts.allowed_changes(120) == 36 and fleet_accounts.allowed_changes(10) == 3
    assert fleet_accounts.threshold_message(45, 120, 120) == (
        "this run would change 45 of the 120 accounts it covers (38%), more than the 30% (36 "
        "accounts) one run may change: read the plan (a mistaken file would rewrite every "
        "tenant's portal); if the change is meant for all of them, re-run with --force (or "
        "--threshold 100%), or try it on a few accounts first (--accounts acct_...; a run of "
        "fewer than 10 accounts has no threshold)"
    )
    # A shard is measured by its own accounts, and is never told to shard.
    assert fleet_accounts.threshold_message(41, 41, 130) == (
        "this run would change 41 of the 41 accounts it covers (100%; 41 of the fleet's 130), "
        "more than the 30% (12 accounts) one run may change: read the plan (a mistaken file "
        "would rewrite every tenant's portal); if the change is meant for all of them, re-run "
        "with --force (or --threshold 100%)"
    )
    assert fleet_accounts.parse_share("30%") == pytest.approx(0.3)
    assert fleet_accounts.parse_share(" 0.5 ") == 0.5 and fleet_accounts.parse_share("100%") == 1
    for bad in ("", "lots", "0", "150%", "-5%"):
        with pytest.raises(ValueError):
            fleet_accounts.parse_share(bad)
