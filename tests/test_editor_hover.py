"""What an editor shows: yaml-language-server itself (the engine of VS Code's YAML extension,
Neovim's and Helix's), pinned and locked in .ci/editor/ (installed by .ci/run, or
`npm ci --prefix .ci/editor`), set up as the README's "Editors" paragraph says: the config schema
`portal-config schema` prints mapped to `configs/*.yaml` through `yaml.schemas`, the project file
given its own by a modeline. Hovering a field shows Stripe's own description of it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from portal_config.portal import openapi
from tests.support.cli import run_cli
from tests.support.lsp import LanguageClient, language_server

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / ".ci" / "editor" / "node_modules" / "yaml-language-server" / "bin"
SERVER_SCRIPT = SERVER / "yaml-language-server"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not SERVER_SCRIPT.is_file(),
    reason="yaml-language-server is not installed: needs node and "
    "`npm ci --prefix .ci/editor --no-audit --no-fund` (.ci/run does it)",
)

# Stripe's words, verbatim from the OpenAPI extract portal-config ships.
RETURN_URL = (
    "The default URL to redirect customers to when they click on the portal's link to return to "
    "your website."
)
CANCEL_MODE = "Whether to cancel subscriptions immediately or at the end of the billing period."


def _schema(folder: Path, kind: str) -> Path:
    result = run_cli("schema", "--kind", kind)
    assert result.exit_code == 0, result.stderr
    path = folder / f"portal-config.{kind}.schema.json"
    path.write_text(result.stdout)
    return path


@pytest.fixture
def editor(tmp_path: Path) -> Iterator[tuple[LanguageClient, Path]]:
    """The repository's configs/ in a workspace whose schemas sit at its root (the README's
    offline set-up), the project file with the README's modeline, and a server started on it."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "configs", root / "configs")
    config_schema = _schema(root, "config")
    project_schema = _schema(root, "project")
    project = root / "configs" / "portal-config.yaml"
    modeline = f"# yaml-language-server: $schema={project_schema.as_uri()}\n"
    project.write_text(modeline + project.read_text())
    settings = {
        "yaml": {
            "schemas": {config_schema.as_uri(): "configs/*.yaml"},
            "validate": True,
            "hover": True,
            # No catalogue fetched from schemastore.org: the test runs offline.
            "schemaStore": {"enable": False},
        },
        "http": {},
    }
    command = [str(NODE), str(SERVER_SCRIPT), "--stdio"]
    with language_server(command, root, settings, tmp_path / "server.log") as client:
        yield client, root


def _open(client: LanguageClient, path: Path, text: str | None = None) -> str:
    """`path` opened in the editor, holding `text` (default: what the file holds)."""
    text = path.read_text() if text is None else text
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": text}},
    )
    return text


def _key_position(text: str, dotted: str) -> dict[str, int]:
    """Where the key at `dotted` (a.b.c) is written: LSP's zero-based line and character."""
    node = yaml.compose(text)
    for part in dotted.split("."):
        assert isinstance(node, yaml.MappingNode), dotted
        key, node = next((k, v) for k, v in node.value if k.value == part)
    return {"line": key.start_mark.line, "character": key.start_mark.column + 1}


def _hover(client: LanguageClient, path: Path, text: str, dotted: str) -> str:
    result = client.request(
        "textDocument/hover",
        {"textDocument": {"uri": path.as_uri()}, "position": _key_position(text, dotted)},
    )
    assert result, f"no hover on {dotted}"
    contents = result["contents"]
    return str(contents["value"] if isinstance(contents, dict) else contents)


def test_hovering_a_configuration_field_shows_stripes_description(
    editor: tuple[LanguageClient, Path],
) -> None:
    client, root = editor
    stripe_text = json.dumps(openapi.document(), ensure_ascii=False)
    standard = root / "configs" / "standard.yaml"
    text = _open(client, standard)
    return_url = _hover(client, standard, text, "default_return_url")
    assert RETURN_URL in stripe_text
    assert RETURN_URL in return_url
    # The markdown form, Stripe's site-relative link made absolute for an editor.
    assert "(https://docs.stripe.com/api/customer_portal/sessions/create" in return_url
    assert CANCEL_MODE in stripe_text
    assert CANCEL_MODE in _hover(client, standard, text, "features.subscription_cancel.mode")


def test_the_project_files_modeline_wins_over_the_glob(editor: tuple[LanguageClient, Path]) -> None:
    client, root = editor
    project = root / "configs" / "portal-config.yaml"
    hover = _hover(client, project, _open(client, project), "environments")
    assert "Each environment by name: its mode, where its key is, its vars." in hover


def test_a_wrong_value_is_underlined_with_our_rule_hint(
    editor: tuple[LanguageClient, Path],
) -> None:
    client, root = editor
    standard = root / "configs" / "standard.yaml"
    text = standard.read_text()
    edited = text.replace("proration_behavior: none", "proration_behavior: always_invoice", 1)
    edited = edited.replace("history:\n    enabled: true", "history:\n    enabled: yes", 1)
    assert edited.count("always_invoice") == text.count("always_invoice") + 1
    assert "enabled: yes" in edited
    _open(client, standard, edited)
    diagnostics = client.wait_for(
        "textDocument/publishDiagnostics",
        lambda params: params["uri"] == standard.as_uri() and params["diagnostics"],
    )["diagnostics"]
    lines = edited.splitlines()
    by_line = {lines[d["range"]["start"]["line"]].strip(): d["message"] for d in diagnostics}
    hint = "Stripe refuses always_invoice when cancelling"
    assert by_line["proration_behavior: always_invoice"] == hint
    assert "boolean" in by_line["enabled: yes"]
