"""YAML -> plain data, with the file, line and column of every key and value.

The file is read within bounds and composed into nodes first (PyYAML's SafeLoader, with the
bounds of limits.py: sizes, aliases, nesting), the node tree is walked to record locations and to
refuse what PyYAML accepts silently (duplicate keys, non-string keys), and then the data is
constructed from the same nodes. Whatever a file holds, the result is data or located problems.

Where yaml has libyaml, files are read with it when it reads them as PyYAML would (libyaml.py
says when, and checks the bounds there); every other file, and every file with a problem, is
read the pure-Python way, so what a user is told is always what PyYAML says (see `_fast`).

One deliberate difference from SafeLoader: only `true`/`false` (any case) are booleans, as in
YAML 1.2. YAML 1.1's `yes/no/on/off/y/n` stay strings, so `mode: on` or `enabled: yes` meet a
schema error that names the field instead of silently becoming `True`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.reader import ReaderError

from ..errors import Location, Problem
from ..jsontypes import Data
from . import libyaml
from .limits import BoundedComposer, FolderBudget, Located, NotRead, read_file, shorten, slow_read
from .yaml_messages import control_character, syntax_problem, text_problem, too_many

# A path into the data: mapping keys and list indexes, e.g. ("features", "products", 0).
DataPath = tuple[Any, ...]

_BOOL_TAG = "tag:yaml.org,2002:bool"
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_SCALAR_KINDS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "timestamp": "a date",
    "null": "null",
}


class _Loader(BoundedComposer, yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans (see the module docstring), composing within bounds:
    PyYAML's pure-Python reader, scanner, parser and composer."""

    bool_values: ClassVar[dict[str, bool]] = {"true": True, "false": False}  # not `!!bool yes`

    def construct_object(self, node: Node, deep: bool = False) -> Data:
        # A scalar its tag cannot read (`2024-13-45`, `!!int twelve`) is the file's problem.
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError):
            kind = _SCALAR_KINDS.get(str(node.tag).rsplit(":", 1)[-1], f"a {node.tag}")
            shown = shorten(str(node.value)) if isinstance(node, ScalarNode) else "this"
            raise Located(
                node.start_mark, f"'{shown}' cannot be read as {kind}: quote it to make it text"
            ) from None


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

# libyaml where yaml has it (None: the pure path only), reading as _Loader does.
LIBYAML = libyaml.loader_like(_Loader)


def value_at(data: Data, path: DataPath) -> Data:
    """The value at `path` in plain data, or None where the path leads nowhere."""
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def display_path(path: Path) -> str:
    """The path as people read it: relative to the current directory when below it."""
    # Path.relative_to's answer, by strings: called for every file, Path objects cost a share of
    # validate's time on 10,000 files; abspath normalizes as Path does (no `..`, `//` or `.`).
    absolute = os.path.abspath(path)
    try:
        cwd = os.getcwd()
    except OSError:
        return str(path)
    if absolute == cwd:
        return "."
    below = cwd if cwd.endswith(os.sep) else cwd + os.sep
    return absolute[len(below) :] if absolute.startswith(below) else str(path)


def file_location(path: Path) -> Location:
    """A problem about the file as a whole, pointed at its start (so every line reads F:L:C)."""
    return Location(display_path(path), 1, 1)


Places = tuple[dict[DataPath, Location], dict[DataPath, Location]]


@dataclass(frozen=True)
class Document:
    """One loaded file. `data` is None when the file is empty or could not be parsed (the
    problems returned with it say why); `text` is kept for checks on the raw text, and to find
    where each key and value was written when a message first needs it: a file libyaml read
    plainly (most files) keeps no places until then (`places` None)."""

    path: Path
    text: str
    data: Any
    file: str  # the path as messages name it (display_path when it was read)
    places: Places | None = field(default=None, repr=False, compare=False)

    @cached_property
    def _found(self) -> Places:
        return self.places if self.places is not None else _places_of(self.file, self.text)

    @property
    def values(self) -> dict[DataPath, Location]:
        """Where each value starts."""
        return self._found[0]

    @property
    def keys(self) -> dict[DataPath, Location]:
        """Where the key of each mapping entry starts."""
        return self._found[1]

    def locate(self, path: DataPath, key: bool = False) -> Location:
        """Where `path` was written (its key with key=True), else its nearest written parent,
        else the file."""
        if key and path in self.keys:
            return self.keys[path]
        for depth in range(len(path), -1, -1):
            if path[:depth] in self.values:
                return self.values[path[:depth]]
        return file_location(self.path)


class _Walk:
    """Records locations and the problems PyYAML would not report, before construction."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.values: dict[DataPath, Location] = {}
        self.keys: dict[DataPath, Location] = {}
        self.problems: list[Problem] = []
        self._seen: set[int] = set()

    def at(self, node: Node) -> Location:
        return Location(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def walk(self, node: Node, path: DataPath) -> None:
        self.values[path] = self.at(node)  # a duplicate key's later value wins, as in the data
        if isinstance(node, ScalarNode):
            return
        if id(node) in self._seen:  # an alias of a node already walked: keep the first locations
            return
        self._seen.add(id(node))
        if isinstance(node, MappingNode):
            self._mapping(node, path)
        else:
            for index, item in enumerate(node.value):
                self.walk(item, (*path, index))

    def _mapping(self, node: MappingNode, path: DataPath) -> None:
        first: dict[str, Location] = {}
        for index, (key_node, value_node) in enumerate(node.value):
            if key_node.tag == _MERGE_TAG:  # `<<: *anchor`
                # NotRead: PyYAML merges, ruamel.yaml (pull) keeps both, and what is merged in
                # would skip the checks of this walk (keys that are not text).
                self.problems.append(
                    Problem(
                        self.at(key_node),
                        "a merge key (<<) is not supported: write the keys out (an alias "
                        "*name may still stand for a whole value)",
                    )
                )
                continue
            self.walk(value_node, self._entry(node, index, path, first))

    def _entry(
        self, node: MappingNode, index: int, path: DataPath, first: dict[str, Location]
    ) -> DataPath:
        """The path of the mapping's entry `index`, its key recorded (a key that is not text is
        a problem, and kept as text)."""
        key_node, value_node = node.value[index]
        if not (isinstance(key_node, ScalarNode) and key_node.tag == _STR_TAG):
            shown = key_node.value if isinstance(key_node, ScalarNode) else "(a collection)"
            self.problems.append(
                Problem(self.at(key_node), f"key {shorten(shown)} must be a string: quote it")
            )
            # Keep going with the key as text, so later checks see plain string keys.
            key_node = ScalarNode(_STR_TAG, str(shown), key_node.start_mark, key_node.end_mark)
            node.value[index] = (key_node, value_node)
        name, at = key_node.value, self.at(key_node)
        if name in first:
            self.problems.append(
                Problem(
                    at,
                    f"duplicate key '{shorten(name)}' (first written at line {first[name].line})",
                )
            )
        else:
            first[name] = at
        inner = (*path, name)
        self.keys[inner] = at
        return inner


def _fast(file: str, text: str) -> tuple[Node | None, int, _Walk | None, Data] | None:
    """The text read with libyaml (its node, how many values it holds, walk and data), or None
    when it must be read the pure way (libyaml.py says when): the pure path then reads it, and
    words any problem, as it always has. A plain tree has no walk: its data is built while its
    nodes are checked, and its places are found only when asked (_places_of)."""
    if LIBYAML is None or not libyaml.readable(text):
        return None
    reader = LIBYAML(text)
    try:
        node = reader.get_single_node()
        if node is None:
            return None, 0, None, None
        values, plain, data = libyaml.checked(node, text, reader.construct_object)
        if plain:
            return node, values, None, data
        walk = _Walk(file)
        walk.walk(node, ())
        return node, values, walk, reader.construct_document(node)
    except Exception:  # noqa: BLE001 - whatever libyaml meets, the pure path decides and words
        return None
    finally:
        reader.dispose()


def _places_of(file: str, text: str) -> Places:
    """Where each value and key of `text`, which libyaml read as a plain tree, was written: the
    walk the pure path makes, over the nodes composed again (Document.values; the pure composer
    places them alike, libyaml.py, and stands in where LIBYAML was turned off since)."""
    reader, walk = (LIBYAML or _Loader)(text), _Walk(file)
    try:
        node = reader.get_single_node()
        if node is not None:
            walk.walk(node, ())
        return walk.values, walk.keys
    finally:
        reader.dispose()


def load(path: Path, budget: FolderBudget | None = None) -> tuple[Document, list[Problem]]:
    """Read one YAML file, within the bounds of limits.py (and what `budget` has left for the
    folder). Never raises for the file's content or kind: problems are returned."""
    where = file_location(path)
    empty = Document(path, "", None, where.file, ({}, {}))
    try:
        text = read_file(path, budget).decode("utf-8")
    except NotRead as exc:
        return empty, [Problem(where, str(exc))]
    except UnicodeDecodeError as exc:
        return empty, [Problem(where, f"not UTF-8 text (byte {exc.start} cannot be decoded)")]
    except OSError as exc:
        return empty, [Problem(where, f"cannot read the file: {exc.strerror or exc}")]
    return parse(path, text, budget)


def parse(
    path: Path, text: str, budget: FolderBudget | None = None
) -> tuple[Document, list[Problem]]:
    """`text` read as the file at `path` (load's reading, for a text not written yet: what
    pull would write)."""
    where = file_location(path)
    failed = Document(path, text, None, where.file, ({}, {}))
    refused = text_problem(where, text)
    if refused is not None:
        return failed, [refused]
    fast = _fast(where.file, text)
    if fast is not None:  # read by libyaml: what the pure path would return, without its work
        node, values, walk, data = fast
        if node is None:
            return failed, [Problem(where, "the file is empty")]
        if budget is not None:
            if values > budget.values:
                return failed, [too_many(where)]
            budget.values -= values
        if data is None:
            return failed, [Problem(where, "the file is empty")]
        if walk is None:
            return Document(path, text, data, where.file), []
        return Document(path, text, data, where.file, (walk.values, walk.keys)), walk.problems
    slow = slow_read(budget, text)
    if slow is not None:
        return failed, [Problem(where, slow)]
    walk = _Walk(where.file)
    loader = None
    try:
        loader = _Loader(text)  # the reader refuses control characters here, before parsing
        node = loader.get_single_node()
        if node is None:  # no content, or only `---`
            return failed, [Problem(where, "the file is empty")]
        if budget is not None:
            if loader.expanded_values(node) > budget.values:
                return failed, [too_many(where)]
            budget.values -= loader.expanded_values(node)
        walk.walk(node, ())
        data = loader.construct_document(node)
        if data is None:  # `null` or `~`
            return failed, [Problem(where, "the file is empty")]
    except ReaderError as exc:
        return failed, [control_character(where.file, text, exc)]
    except Located as exc:
        return failed, [
            Problem(Location(where.file, exc.mark.line + 1, exc.mark.column + 1), exc.message)
        ]
    except yaml.MarkedYAMLError as exc:
        return failed, [syntax_problem(where.file, text, exc)]
    except (ValueError, OverflowError):
        # PyYAML's scanner calls chr() on a double-quoted `\UXXXXXXXX` unchecked
        # (yaml/scanner.py scan_flow_scalar_non_spaces); it stops at the escape's hex digits.
        mark = loader.get_mark() if loader is not None else None
        if mark is None or text[max(mark.index - 2, 0) : mark.index] != "\\U":
            raise
        return failed, [
            Problem(
                Location(where.file, mark.line + 1, max(mark.column - 1, 1)),
                "invalid YAML: an escape beyond the last Unicode character (U+10FFFF)",
            )
        ]
    except yaml.YAMLError as exc:  # not expected with text input; kept as a located problem
        return failed, [Problem(where, f"invalid YAML: {shorten(str(exc), 200)}")]
    finally:
        if loader is not None:
            loader.dispose()
    return Document(path, text, data, where.file, (walk.values, walk.keys)), walk.problems
