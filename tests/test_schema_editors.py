"""What an editor reads from `portal-config schema`: Stripe's descriptions on hover, our rule
hints as yaml-language-server's `errorMessage`, a versioned `$id`, a schema the metaschema accepts.

What yaml-language-server itself shows on hover: tests/test_editor_hover.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal_config import __version__
from portal_config.portal import openapi
from tests.ci.conftest import RELEASE_WORKFLOW
from tests.support.cli import run_cli

CLEAR = {"enum": [""]}


def printed(kind: str) -> dict[str, Any]:
    result = run_cli("schema", "--kind", kind)
    assert result.exit_code == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


def properties(node: dict[str, Any], path: tuple[str, ...] = ()) -> Any:
    """Every (path, subschema) under `properties`, through list items and keyed mappings."""
    for name, sub in node.get("properties", {}).items():
        yield (*path, name), sub
        yield from properties(sub, (*path, name))
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield from properties(node[key], path)


def _stripe_documented(node: dict[str, Any], path: tuple[str, ...], into: dict[str, str]) -> None:
    """The extract's own descriptions, read without portal-config's code: the request parameters
    of POST /v1/billing_portal/configurations, then the configuration object's properties."""
    schemas = openapi.document()["components"]["schemas"]
    while True:
        if "$ref" in node:
            node = schemas[node["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in node and len([o for o in node["anyOf"] if o != CLEAR]) == 1:
            node = next(o for o in node["anyOf"] if o.get("enum") != [""])
        elif node.get("type") == "array" and isinstance(node.get("items"), dict):
            node = node["items"]
        else:
            break
    for name, sub in node.get("properties", {}).items():
        if sub.get("description"):
            into.setdefault(".".join((*path, name)), sub["description"])
        _stripe_documented(sub, (*path, name), into)


def documented_by_stripe() -> dict[str, str]:
    found: dict[str, str] = {}
    _stripe_documented(openapi.create_schema(), (), found)
    _stripe_documented(
        openapi.document()["components"]["schemas"]["billing_portal.configuration"], (), found
    )
    return found


def test_every_field_the_openapi_extract_documents_carries_its_description() -> None:
    documented = documented_by_stripe()
    assert len(documented) >= 30  # the extract keeps Stripe's descriptions
    fields = {".".join(path): node for path, node in properties(printed("config"))}
    seen = 0
    for path, node in fields.items():
        if path in documented:
            seen += 1
            assert node.get("description"), path
            assert node.get("markdownDescription"), path
    assert seen >= 30
    # the request parameter's words first, the object's where the request has none
    assert fields["default_return_url"]["description"].startswith(
        "The default URL to redirect customers to"
    )
    assert fields["features.subscription_update.products"]["description"] == (
        "The list of up to 10 products that support subscription updates."
    )
    # plain text in `description` (editors without markdown), links kept in the markdown one
    method = fields["features.payment_method_update.payment_method_configuration"]
    assert "](" not in method["description"]
    assert (
        "](https://docs.stripe.com/api/payment_method_configurations)"
        in (method["markdownDescription"])
    )


@pytest.mark.parametrize("kind", ["config", "project"])
def test_every_property_has_a_description(kind: str) -> None:
    """Ours as well as Stripe's: hover shows something on every key a file may write."""
    documented = documented_by_stripe()
    stripe_top = set(openapi.create_schema()["properties"]) | {"active"}
    missing = []
    for path, node in properties(printed(kind)):
        field = path[1:] if path[0] == "overrides" and len(path) > 1 else path
        ours = kind == "project" or field[0] not in stripe_top
        if not node.get("description") and (ours or ".".join(field) in documented):
            missing.append(".".join(path))
    assert missing == []


def test_rule_hints_are_error_messages_editors_show() -> None:
    """yaml-language-server shows a node's `errorMessage` in place of its generic message."""
    config, project = printed("config"), printed("project")
    text = json.dumps([config, project])
    assert "x-message" not in text
    assert config["properties"]["ids"]["additionalProperties"]["errorMessage"] == (
        "must be a portal configuration ID (bpc_...)"
    )
    env = project["properties"]["environments"]["additionalProperties"]["properties"]
    assert "never the key itself" in env["api_key_env"]["errorMessage"]
    products = config["properties"]["features"]["properties"]["subscription_update"]
    assert "10 products" in products["properties"]["products"]["errorMessage"]


@pytest.mark.parametrize(
    "key", ["sk_live_", "rk_test_", "pk_live_", "whsec_", "rkcs_test_", "sk_org_", "sk_org_live_"]
)
def test_an_editor_refuses_every_kind_of_key_in_api_key_env(key: str) -> None:
    """An editor checks as validate does (rules.find_secrets, masking.KEY_LIKE): a sandbox's or
    an organization's key pasted in place of a variable's name is refused as a secret key is."""
    env = printed("project")["properties"]["environments"]["additionalProperties"]
    pattern = env["properties"]["api_key_env"]["pattern"]
    assert re.search(pattern, "STRIPE_SECRET_KEY")
    assert not re.search(pattern, key + "51Hx0FakeKeyForTests")


@pytest.mark.parametrize("kind", ["config", "project"])
def test_the_schema_has_an_id_per_version_and_passes_the_metaschema(
    kind: str, tmp_path: Path
) -> None:
    document = printed(kind)
    assert document["$id"] == (
        "https://github.com/OWNER/portal-config/releases/download/"
        f"v{__version__}/portal-config.{kind}.schema.json"
    )
    path = tmp_path / f"{kind}.schema.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--check-metaschema", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_release_attaches_the_schemas_its_ids_name() -> None:
    """The $id is fetchable: the release workflow attaches each printed schema to the tag's
    GitHub release under the name the $id ends with."""
    workflow = yaml.safe_load(RELEASE_WORKFLOW.read_text(encoding="utf-8"))
    build = "\n".join(step.get("run", "") for step in workflow["jobs"]["build"]["steps"])
    for kind in ("config", "project"):
        name = printed(kind)["$id"].rsplit("/", 1)[1]
        assert f"schema --kind {kind} > schemas/{name}" in build
    attach = workflow["jobs"]["schemas"]
    assert attach["permissions"] == {"contents": "write"}
    runs = "\n".join(step.get("run", "") for step in attach["steps"])
    assert 'gh release upload "$GITHUB_REF_NAME" schemas/*.json --clobber' in runs
