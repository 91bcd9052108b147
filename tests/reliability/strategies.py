"""Hypothesis strategies for what a pull request can put in a configuration folder: YAML text
(well-formed or not, hostile or not) and documents near the valid ones, in portal-config's own
vocabulary so that they reach the schema and the rules, not only the parser."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from portal_config.project import limits, schema

CONFIGS = Path(__file__).resolve().parent.parent.parent / "configs"
BROKEN = CONFIGS.parent / "tests" / "broken"
ENVIRONMENTS = ("local", "staging", "prod")


def _vocabulary() -> tuple[list[str], list[str]]:
    """Every field name and enum value the schemas know."""
    names: set[str] = set()
    values: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            values.update(v for v in node.get("enum", []) if isinstance(v, str))
            for sub in node.values():
                walk(sub)
        elif isinstance(node, list):
            for sub in node:
                walk(sub)

    walk(schema.config_schema(ENVIRONMENTS))
    walk(schema.project_schema())
    return sorted(names), sorted(values)


NAMES, ENUM_VALUES = _vocabulary()
WORDS = [
    *ENVIRONMENTS,
    "lookup_key:pro_monthly",
    "lookup_key:",
    "price_1Pabc",
    "prod_Q1xyz",
    "bpc_1Pabc",
    "acct_123",
    "pmc_1",
    "${app_url}/account",
    "${nope}",
    "$${",
    "${",
    "https://example.com",
    "http://[::1",
    "https://exa mple.com",
    "https://x:99999",
    "example.com",
    "portal_config_key",
    "sk_live_51Hx0FakeKeyForTests222222",
    "STRIPE_SECRET_KEY",
    "state.json",
    "../state.json",
    "yes",
    "on",
    "~",
    "",
    " ",
    "9" * 30,
]
# Text that stresses the reader and the composer rather than the schema.
SNIPPETS = [
    "&a ",
    "*a",
    "<<: *a",
    "<<: {1: x}",
    "<<: [*a, {k: v}]",
    '"\\ud800"',
    '"\\U0001f600\\ud800"',
    '"\\ud83d\\ude00"',
    "\u2029",
    "&b [*a, *a, *a]",
    "!!int ",
    "!!bool ",
    "!!str ",
    "!!float ",
    "!!binary ",
    "!!set ",
    "!!timestamp ",
    "!!python/object:os.system ",
    "!!omap ",
    "? ",
    ": ",
    "- ",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "%TAG ! tag:x,2000:\n",
    "#",
    "'",
    '"',
    "\\",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\t",
    "\r",
    "\r\n",
    "\x00",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\ufeff",
    "\ud7ff",
    "\U0001f600",
    "2024-13-45",
    "0x1F",
    "0o17",
    "1_000",
    "1:20:30",
    ".inf",
    ".nan",
    "1e999",
    "-0",
    "9" * 4400,
    "[" * 70,
    "]" * 70,
    "{a: " * 70,
    "x" * 2000,
    "\n" * 3,
    "  ",
    "null",
    "true",
    "True",
    "FALSE",
]


def _files(folder: Path) -> list[str]:
    return [p.read_text() for p in sorted(folder.glob("*.yaml"))]


CONFIG_TEXTS = [t for t in _files(CONFIGS) if not t.lstrip().startswith("# portal-config project")]
CONFIG_TEXTS += [
    t
    for case in sorted(BROKEN.iterdir())
    if case.is_dir()
    for t in _files(case)
    if len(t) < 4000 and "version:" not in t
]
PROJECT_TEXTS = [
    (BROKEN / "_project.yaml").read_text(),
    (CONFIGS / "portal-config.yaml").read_text(),
]


def _data(text: str) -> Any:
    """The data of a base text, for the document strategies; None for the broken ones (and for
    any with anchors: an alias bomb would be expanded by the JSON dump)."""
    if "&" in text:
        return None
    try:
        return yaml.safe_load(text)
    except Exception:  # noqa: BLE001 - the corpus holds files PyYAML cannot read, on purpose
        return None


CONFIG_DATA = [d for d in map(_data, CONFIG_TEXTS) if isinstance(d, dict)]
PROJECT_DATA = [d for d in map(_data, PROJECT_TEXTS) if isinstance(d, dict)]

# --- documents ---------------------------------------------------------------------------------

keys = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(ENVIRONMENTS),
    st.text(max_size=12),
    st.sampled_from(
        [
            "metadata",
            "overrides",
            "ids",
            "environments",
            "key",
            "default",
            "portal_config_x",
            "k" * 41,
            "a[b]",
        ]
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(ENUM_VALUES),
    st.sampled_from(WORDS),
    st.integers(min_value=0, max_value=6000).map(lambda n: "x" * n),
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=8), st.dictionaries(keys, inner, max_size=6)),
    max_leaves=16,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, sub in items:
        yield from _paths(sub, (*path, key))


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


@st.composite
def near(draw: st.DrawFn, bases: list[dict[str, Any]]) -> Any:
    """One of `bases` with a few values replaced, added or removed anywhere in it."""
    doc: Any = copy.deepcopy(draw(st.sampled_from(bases)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(list(_paths(doc))))
        action = draw(st.sampled_from(["replace", "add", "remove"]))
        if not path:
            if action == "replace" and draw(st.integers(0, 9)) == 0:
                doc = draw(values)
            continue
        parent = _parent(doc, path)
        if action == "replace":
            parent[path[-1]] = draw(values)
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(keys)] = draw(values)
        else:
            parent.insert(path[-1], draw(values))
    return doc


def dump(draw: st.DrawFn, doc: Any) -> str:
    """`doc` as YAML (block or flow, with or without anchors for shared values) or JSON."""
    style = draw(st.sampled_from(["block", "flow", "json"]))
    if style == "json":
        try:
            return json.dumps(doc, default=str)
        except (TypeError, ValueError):  # keys JSON cannot write (a date read from YAML)
            return yaml.safe_dump(doc)
    return yaml.safe_dump(
        doc,
        allow_unicode=draw(st.booleans()),
        sort_keys=False,
        default_flow_style=style == "flow",
        width=draw(st.sampled_from([80, 10**6])),
    )


@st.composite
def config_documents(draw: st.DrawFn) -> str:
    return dump(draw, draw(near(CONFIG_DATA)))


@st.composite
def project_documents(draw: st.DrawFn) -> str:
    return dump(draw, draw(near(PROJECT_DATA)))


# --- text --------------------------------------------------------------------------------------


@st.composite
def mutated_text(draw: st.DrawFn, texts: list[str]) -> str:
    """A real file's text with a few edits: snippets put in, ranges cut, lines repeated."""
    text = draw(st.sampled_from(texts))
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        edit = draw(st.sampled_from(["insert", "insert", "cut", "repeat", "indent"]))
        if edit == "insert":
            piece = draw(
                st.one_of(
                    st.sampled_from(SNIPPETS),
                    st.sampled_from(WORDS),
                    st.sampled_from(NAMES).map(lambda n: f"\n{n}: "),
                    st.text(max_size=8),
                )
            )
            text = text[:at] + piece + text[at:]
        elif edit == "cut":
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=40)) :]
        else:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            line = text[start:] if end < 0 else text[start : end + 1]
            text = (
                text[:start]
                + (
                    "  " + line
                    if edit == "indent"
                    else line * draw(st.integers(min_value=2, max_value=30))
                )
                + text[start:]
            )
    return text


@st.composite
def hostile_text(draw: st.DrawFn) -> str:
    """Alias bombs, deep nesting, long runs, huge folded scalars, merge keys and halves of UTF-16
    pairs, at random sizes (each bounded, so each fast)."""
    kind = draw(st.sampled_from(["bomb", "deep", "wide", "long", "folded", "merge", "half"]))
    n = draw(st.integers(min_value=1, max_value=12))
    if kind == "bomb":
        fan = draw(st.integers(min_value=2, max_value=12))
        lines = [f"a0: &a0 [{', '.join(['x'] * fan)}]"]
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * fan)}]" for i in range(1, n)]
        return "\n".join(lines) + f"\nmetadata: *a{n - 1}\n"
    if kind == "deep":
        depth = draw(st.integers(min_value=50, max_value=300))
        return "metadata:\n  k: " + "[" * depth + "]" * depth + "\n"
    if kind == "wide":
        return "metadata: {" + ", ".join(f"k{i}: v" for i in range(n * 1000)) + "}\n"
    if kind == "folded":  # line breaks cost the pure reader most: around MAX_LINES and past it
        breaks = draw(st.sampled_from([1_000 * n, limits.MAX_LINES - 10, 10_000 * n]))
        return "name: >\n  x\n" + "\n" * breaks + "  y\n"
    if kind == "merge":  # merged into metadata: keys that are not text, beside others
        return "metadata:\n  team: x\n  <<: {" + ", ".join(f"{i}: v" for i in range(n)) + "}\n"
    if kind == "half":  # half a UTF-16 pair, after characters of one or two halves
        before = draw(st.sampled_from(["\U0001f600", "\u00e9", "x"])) * n
        return f'name: "{before}' + draw(st.sampled_from(["\\ud800", "\\udc00"])) + '"\n'
    return "name: " + "x" * (n * 100_000) + "\n"


texts = st.one_of(
    mutated_text(CONFIG_TEXTS), config_documents(), hostile_text(), st.text(max_size=200)
)
