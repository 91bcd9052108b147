"""loader.py: YAML -> data with the location of every key and value."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal_config.errors import Location
from portal_config.project import limits
from portal_config.project.loader import display_path, load


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


def test_merge_keys_are_refused_at_the_key() -> None:
    # PyYAML merges them, ruamel.yaml (pull) does not: one rule for every command (issue 18.9).
    _, problems = load(write("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n"))
    assert [str(p) for p in problems] == [
        "c.yaml:3:3: a merge key (<<) is not supported: write the keys out (an alias *name may "
        "still stand for a whole value)"
    ]


@pytest.mark.parametrize(
    "text, line, col", [("a:\n\tb: 1\n", 2, 1), ("a: 1\nb:\n  c: 2\n\t  d: 3\n", 4, 1)]
)
def test_tab_indentation(text: str, line: int, col: int) -> None:
    doc, problems = load(write(text))
    assert doc.data is None
    assert [str(p) for p in problems] == [
        f"c.yaml:{line}:{col}: invalid YAML: a tab character here; YAML indents with spaces only"
    ]


def test_syntax_error_at_its_position() -> None:
    _, problems = load(write("a: 1\n b: 2\n"))
    assert [str(p) for p in problems] == [
        "c.yaml:2:3: invalid YAML: mapping values are not allowed here"
    ]


@pytest.mark.parametrize("escape", ["\\U00110000", "\\UFFFFFFFF"])
def test_an_escape_beyond_unicode_is_a_located_problem(escape: str) -> None:
    """PyYAML's scanner calls chr() on a \\U escape unchecked (hypothesis found it): the value
    is one located problem, never an internal error."""
    _, problems = load(write(f'name: Standard\nheadline: "ab{escape}"\n'))
    assert [str(p) for p in problems] == [
        "c.yaml:2:14: invalid YAML: an escape beyond the last Unicode character (U+10FFFF)"
    ]


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
    assert [str(p) for p in problems] == [
        "c.yaml:2:3: key 2024 must be a string: quote it",
        "c.yaml:3:3: key true must be a string: quote it",
    ]
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


# --- hostile files: every bound is a located problem, reached fast --------------------------------


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fails the test, instead of hanging it, when a read blocks (SIGALRM interrupts it)."""

    def expire(*_: object) -> None:
        raise TimeoutError("the read blocked")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(5)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _bomb(levels: int, fan_out: int = 10) -> str:
    lines = [f"a0: &a0 [{', '.join(['x'] * fan_out)}]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * fan_out)}]" for n in range(1, levels)]
    return "\n".join(lines) + f"\nname: *a{levels - 1}\n"


def test_an_alias_bomb_is_refused_before_anything_is_expanded() -> None:
    started = time.monotonic()
    doc, problems = load(write(_bomb(10)))
    assert time.monotonic() - started < 0.5
    assert doc.data is None
    assert [str(p) for p in problems] == [
        (
            "c.yaml:4:5: with its aliases (*name) expanded, this holds more than 10000 values: "
            "portal-config reads at most 10000 per file (use fewer aliases)"
        )
    ]


def test_aliases_are_limited_in_number() -> None:
    text = "a: &a x\n" + "".join(f"b{n}: *a\n" for n in range(limits.MAX_ALIASES + 1))
    doc, problems = load(write(text))
    assert doc.data is None
    assert [str(p) for p in problems] == [
        (
            f"c.yaml:{limits.MAX_ALIASES + 2}:7: more than {limits.MAX_ALIASES} aliases (*name) in "
            "one file: write the values out"
        )
    ]
    doc, problems = load(write("a: &a x\n" + "".join(f"b{n}: *a\n" for n in range(100))))
    assert problems == [] and len(doc.data) == 101


def test_aliases_cannot_nest_deeper_than_the_bound() -> None:
    # a0 is 9 levels deep, each next anchor 7 more around an alias of the one before: a8 is 65.
    text = "a0: &a0 " + "[" * 8 + "x" + "]" * 8 + "\n"
    text += "".join(f"a{n}: &a{n} " + "[" * 7 + f"*a{n - 1}" + "]" * 7 + "\n" for n in range(1, 10))
    doc, problems = load(write(text))
    assert doc.data is None
    assert problems[0].message.startswith(
        "with its aliases (*name) expanded, this is nested more than 64 levels deep"
    )


def test_nesting_is_limited_before_python_recursion_is() -> None:
    doc, problems = load(write("a: " + "[" * 500 + "]" * 500 + "\n"))
    assert doc.data is None
    assert [str(p) for p in problems] == [
        (
            "c.yaml:1:67: nested more than 64 levels deep: portal-config reads at most 64 (no "
            "Stripe field is as deep)"
        )
    ]
    doc, problems = load(write("a: " + "[" * 62 + "]" * 62 + "\n"))
    assert problems == []


def test_values_are_limited_per_file() -> None:
    started = time.monotonic()
    doc, problems = load(write("a: [" + "1, " * 500_000 + "1]\n"))  # 1.5 MB: over the size bound
    assert doc.data is None and problems[0].message.startswith("the file is larger than 1 MiB")
    doc, problems = load(write("a: [" + "1, " * 300_000 + "1]\n"))  # 900 kB, 300 000 values
    assert doc.data is None
    # The mapping, its key and the list are 3 values: the 9998th item is the 10001st value.
    assert [str(p) for p in problems] == [
        (
            f"c.yaml:1:{5 + 3 * 9997}: more than 10000 values in one file: portal-config reads at "
            "most 10000 per file"
        )
    ]
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    "character, line, col", [("\x00", 2, 9), ("\x1b", 2, 9), ("\x7f", 2, 9), ("\x07", 2, 9)]
)
def test_control_characters_are_located(character: str, line: int, col: int) -> None:
    doc, problems = load(write(f'a: 1\r\nb: "text{character}"\n'))
    assert doc.data is None
    code = ord(character)
    assert [str(p) for p in problems] == [
        (
            f"c.yaml:{line}:{col}: invalid YAML: the control character U+{code:04X} is not allowed "
            f"in YAML text: remove it (inside double quotes, write it as \\x{code:02x})"
        )
    ]


def test_a_huge_integer_is_located() -> None:
    doc, problems = load(write("a: 1\nb: " + "9" * 4400 + "\n"))
    assert doc.data is None
    assert [str(p) for p in problems] == [
        (
            "c.yaml:2:4: a number of 4400 digits: no field takes one this long (quote it if it is "
            "text)"
        )
    ]
    doc, problems = load(write("b: '" + "9" * 4400 + "'\n"))
    assert problems == [] and doc.data["b"] == "9" * 4400


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "a: 2024-13-45\n",
            ("c.yaml:1:4: '2024-13-45' cannot be read as a date: quote it to make it text"),
        ),
        (
            "a: !!int twelve\n",
            ("c.yaml:1:4: 'twelve' cannot be read as a whole number: quote it to make it text"),
        ),
        (
            "a: !!bool yes\n",
            ("c.yaml:1:4: 'yes' cannot be read as true or false: quote it to make it text"),
        ),
        ("a: !!float x\n", "c.yaml:1:4: 'x' cannot be read as a number: quote it to make it text"),
    ],
)
def test_scalars_their_tag_cannot_read_are_located(text: str, message: str) -> None:
    doc, problems = load(write(text))
    assert doc.data is None
    assert [str(p) for p in problems] == [message]


def test_long_keys_are_shortened_in_messages() -> None:
    key = "k" * 5000
    _, problems = load(write(f"? {key}\n: 1\n? {key}\n: 2\n"))  # explicit keys: no length limit
    assert [str(p) for p in problems] == [
        (f"c.yaml:3:3: duplicate key '{'k' * 77}...' (first written at line 1)")
    ]


@pytest.mark.usefixtures("deadline")
def test_a_fifo_is_refused_without_opening_it() -> None:
    os.mkfifo("c.yaml")
    started = time.monotonic()
    _doc, problems = load(Path("c.yaml"))
    assert time.monotonic() - started < 1
    assert [str(p) for p in problems] == [
        ("c.yaml:1:1: a named pipe (FIFO), not a file: only regular files are read (remove it)")
    ]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_link_to_a_device_is_refused() -> None:
    os.symlink("/dev/zero", "c.yaml")
    _, problems = load(Path("c.yaml"))
    assert [str(p) for p in problems] == [
        ("c.yaml:1:1: a device, not a file: only regular files are read (remove it)")
    ]


@pytest.mark.usefixtures("deadline")
def test_a_fifo_swapped_in_after_the_check_cannot_block(monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo("pipe")
    write("a: 1\n")
    real_stat = os.stat

    def stat_then_swap(path: str, *args: object, **kwargs: object) -> os.stat_result:
        # The check sees the regular file; the open then gets the FIFO (a rename in between).
        result = real_stat(path)
        os.replace("pipe", path)
        return result

    monkeypatch.setattr(os, "stat", stat_then_swap)
    started = time.monotonic()
    _, problems = load(Path("c.yaml"))
    assert time.monotonic() - started < 1
    assert [str(p) for p in problems] == [
        ("c.yaml:1:1: a named pipe (FIFO), not a file: only regular files are read (remove it)")
    ]


def test_the_folder_budget_is_shared_between_files() -> None:
    budget = limits.FolderBudget(bytes=1000, values=50)
    assert load(write("a: " + "x" * 900 + "\n", "one.yaml"), budget)[1] == []
    _, problems = load(write("a: " + "x" * 200 + "\n", "two.yaml"), budget)
    assert [str(p) for p in problems] == [
        (
            "two.yaml:1:1: the configuration files are larger than 32 MiB together: portal-config "
            "reads up to that much"
        )
    ]
    _, problems = load(
        write("a: [" + "1, " * 60 + "1]\n", "three.yaml"), limits.FolderBudget(values=50)
    )
    assert problems[0].message.startswith("the configuration files hold too many values together")


def test_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-secret.yaml"
    outside.write_text("password: hunter2\n")
    Path("inside").mkdir()
    os.symlink(outside, "inside/c.yaml")
    os.symlink("../c.yaml", "inside/d.yaml")
    write("a: 1\n")
    _, problems = load(Path("inside/c.yaml"), limits.FolderBudget(folder=Path("inside")))
    assert [p.message for p in problems] == [
        (
            f"a symbolic link to {limits.shorten(str(outside))}, outside the project folder: only "
            "files inside it are read (copy the file in instead)"
        )
    ]
    assert load(Path("inside/d.yaml"), limits.FolderBudget(folder=Path("inside")))[1] != []
    os.symlink("../inside/../c.yaml", "inside/e.yaml")
    assert load(Path("inside/e.yaml"), limits.FolderBudget(folder=Path(".")))[1] == []


def test_escaped_surrogate_pairs_are_one_character() -> None:
    doc, problems = load(write('{"name": "\\ud83d\\ude00 plan"}\n'))  # as JSON writes an emoji
    assert problems == [] and doc.data == {"name": "\U0001f600 plan"}
    doc, problems = load(write('a: 1\nname: "x \\ud83d"\n'))
    assert doc.data is None
    assert [str(p) for p in problems] == [
        (
            "c.yaml:2:7: the escape \\ud83d is half of a UTF-16 pair, not a character: write the "
            "character itself, or \\U and its 8 hex digits"
        )
    ]
