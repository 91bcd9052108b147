"""The loader read both ways: with libyaml (libyaml.py) and the pure-Python way (yaml without
libyaml, `yaml.__with_libyaml__` False). Locations, data and every problem are the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portal_config.errors import Location
from portal_config.project import libyaml, limits, loader
from portal_config.project.loader import load

REPO = Path(__file__).resolve().parent.parent
CORPUS = sorted(
    [*REPO.glob("configs/*.yaml"), *REPO.glob("tests/broken/*/*.yaml")], key=lambda p: str(p)
)
# Where libyaml and PyYAML were found to read a text differently (fuzzing both ways): each
# must read as PyYAML reads it.
UNLIKE = [
    "a: !\n",  # PyYAML: null, libyaml: ""
    "a: ! 12\n",
    "a: {b: }\n",  # the empty value one column apart
    "a: [b: ]\n",
    "?\n",
    "? a\n",
    "? a:\n",
    "?\r-",
    "---\n \n",
    "a: [x?y, z]\n",  # PyYAML refuses `?` in a flow plain scalar
    "a: [https://example.com/?x=1]\n",
    "a: |#\n  x\n",  # PyYAML refuses `#` right after the indicator
    "a: >-#c\n  x\n",
    "a: 1\t# c\n",  # libyaml takes the tab
    "\ufeffa: 1\n",
    "a: x\u2028b: y\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: &x 1\nb: *x\n",
    "a: &x [1, *x]\n",
    "a: !!str 12\nb: !!int '7'\nc: !!null\n",
    "a: !custom x\n",
    "a: 2024-13-45\n",
    "k: 1" + "0" * 60 + "\n",
    'k: "\\ud83d\\ude00 \\ud800"\n',
]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture(params=["libyaml", "pure"])
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each test below runs both ways (libyaml only where yaml was built with it)."""
    if request.param == "pure":
        monkeypatch.setattr(loader, "LIBYAML", None)
    elif loader.LIBYAML is None:
        pytest.skip("yaml without libyaml")
    yield request.param


def write(text: str, name: str = "c.yaml") -> Path:
    path = Path(name)
    path.write_text(text, encoding="utf-8")
    return path


def read_both_ways(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[object, ...], tuple[object, ...]]:
    def read() -> tuple[object, ...]:
        doc, problems = load(path, limits.FolderBudget(values=limits.MAX_FOLDER_VALUES))
        return repr(doc.data), doc.values, doc.keys, problems

    with monkeypatch.context() as pure:
        pure.setattr(loader, "LIBYAML", None)
        expected = read()
    return read(), expected


def test_a_typical_file_is_read_with_libyaml_where_yaml_has_it() -> None:
    text = (REPO / "configs" / "standard.yaml").read_text()
    assert libyaml.readable(text)
    assert (loader._fast("c.yaml", text) is not None) == (loader.LIBYAML is not None)


def test_locations(way: str) -> None:
    text = (
        "# comment\n"
        "name: 'Portal é'\n"
        "features:\n"
        "  customer_update:\n"
        "    enabled: true\n"
        '    allowed_updates: [email, "tax_id"]\n'
        "  products:\n"
        "    - prices: [a, b]\n"
        "    -\n"
        "metadata:\n"
        "  note: >-\n"
        "    folded\n"
        "  empty:\n"
        "  emoji: 😀😀 x\n"
    )
    doc, problems = load(write(text))
    assert problems == []
    assert doc.data["metadata"] == {"note": "folded", "empty": None, "emoji": "😀😀 x"}
    at = {path: (where.line, where.col) for path, where in doc.values.items()}
    assert at[("name",)] == (2, 7)
    assert at[("features", "customer_update", "allowed_updates", 1)] == (6, 30)
    assert at[("features", "products", 0, "prices", 1)] == (8, 19)
    assert at[("features", "products", 1)] == (9, 6)  # right after the `-`
    assert at[("metadata", "note")] == (11, 9)
    assert at[("metadata", "empty")] == (13, 9)  # right after `empty:`
    assert at[("metadata", "emoji")] == (14, 10)
    assert doc.keys[("metadata", "emoji")] == Location("c.yaml", 14, 3)


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 6)),
            (4, 5),
            "with its aliases (*name) expanded, this holds more than 10000 values",
        ),
        ("a: " + "[" * 70 + "]" * 70 + "\n", (1, 67), "nested more than 64 levels deep"),
        ("a: [" + "1, " * 10_000 + "1]\n", (1, 29996), "more than 10000 values in one file"),
        ("k: " + "1" * 41 + "\n", (1, 4), "a number of 41 digits"),
        ("a: &x [1, *x]\n", (1, 4), "an alias refers to itself"),
        ('k: "\\ud800"\n', (1, 4), "the escape \\ud800 is half of a UTF-16 pair"),
        ("a: 1\x07\n", (1, 5), "the control character U+0007"),
        ("a:\n\tb: 1\n", (2, 1), "a tab character here"),
        ("a: [1, 2\n", (2, 1), "invalid YAML: "),
    ],
)
def test_bounds_and_problems(way: str, text: str, where: tuple[int, int], message: str) -> None:
    doc, problems = load(write(text))
    assert doc.data is None
    assert len(problems) == 1
    assert (problems[0].location.line, problems[0].location.col) == where
    assert message in problems[0].message


def test_the_folder_budget_counts_the_same(way: str) -> None:
    budget = limits.FolderBudget(values=20)
    assert load(write("a: [1, 2, 3]\nb: {c: d}\n"), budget)[1] == []
    assert budget.values == 20 - 10  # keys count as values, as they do for limits.MAX_VALUES
    _, problems = load(write("a: [" + "1, " * 20 + "1]\n", "two.yaml"), budget)
    assert [(p.location, p.message[:48]) for p in problems] == [
        (Location("two.yaml", 1, 1), "the configuration files hold too many values tog")
    ]


@pytest.mark.parametrize("text", UNLIKE)
def test_what_libyaml_reads_otherwise_reads_as_pyyaml_does(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    got, expected = read_both_ways(write(text), monkeypatch)
    assert got == expected


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_file_of_the_repository_reads_the_same_both_ways(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    got, expected = read_both_ways(
        write(path.read_text(encoding="utf-8", errors="replace")), monkeypatch
    )
    assert got == expected
