"""yamledit: an edit changes only its lines; comments, order, quoting, flow style and the
file's own indentation stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal_config.writeback.yamledit import Editor, Indent, detect_indent

IMPORTED = """\
# written by import
name: Main
features:
  customer_update:
    allowed_updates:
    - email
    - address
    enabled: true
"""
INDENTED = """\
name: Main
features:
    customer_update:
        allowed_updates:
            - email
            - address
        enabled: true
"""


def editor(tmp_path: Path, text: str) -> Editor:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    return Editor(path)


@pytest.mark.parametrize("text, indent", [(IMPORTED, Indent(2, 2, 0)), (INDENTED, Indent(4, 6, 4))])
def test_the_files_own_indentation_is_kept(tmp_path: Path, text: str, indent: Indent) -> None:
    edit = editor(tmp_path, text)
    assert detect_indent(edit.document) == indent
    edit.set(("features", "customer_update", "allowed_updates"), ["email", "tax_id"])
    assert edit.text() == text.replace("address", "tax_id")


def test_comments_quotes_and_flow_style_survive_an_edit(tmp_path: Path) -> None:
    text = (
        'name: "Main"   # quoted\n'
        "features:\n"
        "  # the one feature\n"
        "  customer_update: {enabled: true, allowed_updates: [email]}\n"
        "metadata:\n"
        "  team: billing\n"
    )
    edit = editor(tmp_path, text)
    edit.set(("name",), "Other")
    edit.set(("features", "customer_update", "allowed_updates"), ["email", "name"])
    # A comment keeps its column.
    assert edit.text() == text.replace('"Main"   #', '"Other"  #').replace(
        "[email]", "[email, name]"
    )


def test_a_new_value_is_styled_like_the_one_given_and_mappings_created(tmp_path: Path) -> None:
    edit = editor(tmp_path, IMPORTED)
    like = edit.get(("features", "customer_update", "allowed_updates"))
    created = edit.set(("overrides", "staging", "name"), "Staging")
    assert created == [("overrides",), ("overrides", "staging")]
    assert edit.set(("overrides", "staging", "features", "x"), ["a"], like) == [
        ("overrides", "staging", "features")
    ]
    assert edit.text() == IMPORTED + (
        "overrides:\n  staging:\n    name: Staging\n    features:\n      x:\n      - a\n"
    )
    assert edit.get(("overrides", "staging", "name")) == "Staging"
    assert edit.get(("nowhere", "at all")) is None
