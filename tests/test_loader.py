"""loader.py: YAML -> data with the location of every key and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal_config.errors import Location
from portal_config.loader import display_path, load


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def write(text: str, name: str = "c.yaml") -> Path:
    path = Path(name)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_values_and_keys_have_1_based_locations() -> None:
    doc, problems = load(write("name: Standard\nfeatures:\n  products:\n    - prices: [a, b]\n"))
    assert problems == []
    assert doc.data == {"name": "Standard", "features": {"products": [{"prices": ["a", "b"]}]}}
    assert doc.locate(("name",)) == Location("c.yaml", 1, 7)
    assert doc.locate(("name",), key=True) == Location("c.yaml", 1, 1)
    assert doc.locate(("features", "products", 0, "prices", 1)) == Location("c.yaml", 4, 19)
    assert doc.locate(("features", "products", 0, "prices"), key=True) == Location("c.yaml", 4, 7)


def test_locate_falls_back_to_the_nearest_parent_then_the_file() -> None:
    doc, _ = load(write("features:\n  invoice_history: {enabled: true}\n"))
    assert doc.locate(("features", "invoice_history", "nothing", 3)) == Location("c.yaml", 2, 20)
    empty, _ = load(write(""))
    assert empty.locate(("x",)) == Location("c.yaml", 1, 1)


def test_duplicate_key_is_reported_at_the_second_key_and_the_last_value_wins() -> None:
    doc, problems = load(write("a: 1\nb:\n  c: 2\n  c: 3\n"))
    assert [str(p) for p in problems] == ["c.yaml:4:3: duplicate key 'c' (first written at line 3)"]
    assert doc.data == {"a": 1, "b": {"c": 3}}
    assert doc.locate(("b", "c")) == Location("c.yaml", 4, 6)


def test_merge_keys_are_not_duplicates() -> None:
    doc, problems = load(write("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n"))
    assert problems == []
    assert doc.data["other"] == {"x": 1, "y": 3}


@pytest.mark.parametrize("text, line, col", [
    ("a:\n\tb: 1\n", 2, 1),
    ("a: 1\nb:\n  c: 2\n\t  d: 3\n", 4, 1),
])
def test_tab_indentation(text: str, line: int, col: int) -> None:
    doc, problems = load(write(text))
    assert doc.data is None
    assert [str(p) for p in problems] == [
        f"c.yaml:{line}:{col}: invalid YAML: a tab character here; YAML indents with spaces only"]


def test_syntax_error_at_its_position() -> None:
    _, problems = load(write("a: 1\n b: 2\n"))
    assert [str(p) for p in problems] == [
        "c.yaml:2:3: invalid YAML: mapping values are not allowed here"]


def test_unsafe_tags_are_refused_as_yaml_errors() -> None:
    _, problems = load(write("a: !!python/object:os.system {}\n"))
    assert problems[0].location == Location("c.yaml", 1, 4)
    assert "could not determine a constructor" in problems[0].message


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n", "~\n"])
def test_empty_files(text: str) -> None:
    doc, problems = load(write(text))
    assert doc.data is None
    assert [str(p) for p in problems] == ["c.yaml:1:1: the file is empty"]


def test_only_true_and_false_are_booleans() -> None:
    doc, problems = load(write("a: on\nb: yes\nc: No\nd: true\ne: False\nf: y\n"))
    assert problems == []
    assert doc.data == {"a": "on", "b": "yes", "c": "No", "d": True, "e": False, "f": "y"}


def test_non_string_keys_are_errors_and_kept_as_text() -> None:
    doc, problems = load(write("metadata:\n  2024: launch\n  true: x\n"))
    assert [str(p) for p in problems] == ["c.yaml:2:3: key 2024 must be a string: quote it",
                                          "c.yaml:3:3: key true must be a string: quote it"]
    assert doc.data == {"metadata": {"2024": "launch", "true": "x"}}


def test_recursive_alias_is_refused() -> None:
    doc, problems = load(write("a: &x\n  - *x\n"))
    assert doc.data is None
    assert "recursive" in problems[0].message


def test_an_alias_points_where_its_anchor_was_written() -> None:
    doc, problems = load(write("a: &x {k: 1}\nb: *x\n"))
    assert problems == []
    assert doc.data == {"a": {"k": 1}, "b": {"k": 1}}
    assert doc.locate(("b",), key=True) == Location("c.yaml", 2, 1)
    assert doc.locate(("b", "k")) == Location("c.yaml", 1, 4)


def test_not_utf8() -> None:
    path = Path("c.yaml")
    path.write_bytes(b"name: \xff\n")
    doc, problems = load(path)
    assert doc.data is None
    assert [str(p) for p in problems] == ["c.yaml:1:1: not UTF-8 text (byte 6 cannot be decoded)"]


def test_the_raw_text_is_kept() -> None:
    doc, _ = load(write("# comment\na: 1\n"))
    assert doc.text == "# comment\na: 1\n"


def test_display_path_is_relative_below_the_current_directory(tmp_path: Path) -> None:
    assert display_path(tmp_path / "configs" / "a.yaml") == "configs/a.yaml"
    assert display_path(Path("/elsewhere/a.yaml")) == "/elsewhere/a.yaml"
