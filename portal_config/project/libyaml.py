"""libyaml for the loader: a file read in C where libyaml reads it as PyYAML would.

PyYAML's pure-Python reader, scanner, parser and composer (loader.py, with the bounds of
limits.py) are the reference: what a user is told about a file is what they say. libyaml reads
most files several times faster, and alike; where it may not, the text goes the pure way:

- before reading, by its text (`readable`): a tab (libyaml takes tabs where PyYAML refuses
  them), a byte order mark (libyaml skips one at the start of any line), a control character
  or a rarer line break (the pure reader refuses or counts them its own way), a directive
  (`%YAML`), the non-specific tag `!` (`a: !` is null to PyYAML, "" to libyaml); and a
  text longer than MAX_TEXT or with more than MAX_NESTING indicators, so that composing in C
  (recursively, before any bound of limits.py is checked) stays small and shallow;
- after composing, by its nodes (`checked`): whatever meets a bound of limits.py (too many
  values, too deep, a number too long), an alias (its expansion is the pure composer's to
  count), a tag other than YAML's own (`!!str`), an empty value anywhere but right after
  `key:` or `-` of a block collection (`{a: }`, `[a: ]`, `? a`: libyaml places those elsewhere),
  `?` inside a plain scalar of a flow collection (`[a?b]`) and `#` right after a block scalar's
  `|` or `>` (both of which PyYAML refuses);
- and anything libyaml refuses, or that cannot be constructed: the pure path then words it.

tests/test_loader_paths.py runs the loader both ways on the same files.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import ClassVar, Protocol

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.resolver import Resolver

from ..jsontypes import Data
from .limits import MAX_DEPTH, MAX_NUMBER_CHARS, MAX_VALUES

MAX_TEXT = 64 << 10  # characters: composing in C is then a few thousand nodes at most
MAX_NESTING = 4_000  # `:`, `-`, `?`, `[`, `{`: each level of nesting needs one
_NESTING = ":-?[{"
_YAML = "tag:yaml.org,2002:"  # the prefix of YAML's own tags (`!!str`)
_INT, _MAP, _SEQ, _STR = (_YAML + name for name in ("int", "map", "seq", "str"))
_NOT_ALIKE = re.compile(
    "[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
_DIRECTIVE = re.compile(r"^%", re.MULTILINE)
_NON_SPECIFIC = re.compile(r"(?:^|[\s\[{,])!(?=[\s\[\]{},]|\Z)", re.MULTILINE)
_SURROGATE = re.compile("[\ud800-\udfff]")
# A block scalar's header as PyYAML reads it: indicators, then spaces and a comment, or nothing.
_BLOCK_HEADER = re.compile(r"[|>](?:[+-][1-9]?|[1-9][+-]?)?(?: +#[^\r\n]*| *)(?:[\r\n]|\Z)")


class Unlike(Exception):
    """libyaml may read this text otherwise than PyYAML: read it the pure way."""


class Reads(Protocol):
    """What the loader asks of the libyaml loader."""

    def get_single_node(self) -> Node | None: ...
    def construct_document(self, node: Node) -> Data: ...
    def construct_object(self, node: Node) -> Data: ...
    def dispose(self) -> None: ...


def readable(text: str) -> bool:
    """Whether libyaml may read `text` (see the module docstring)."""
    return (
        len(text) <= MAX_TEXT
        and sum(map(text.count, _NESTING)) <= MAX_NESTING
        and not _NOT_ALIKE.search(text)
        and not _DIRECTIVE.search(text)
        and not _NON_SPECIFIC.search(text)
    )


def checked(node: Node, text: str, scalar: Callable[[ScalarNode], Data]) -> tuple[int, bool, Data]:
    """How many values `node`, composed by libyaml from `text`, holds, whether it is plain (no
    merge key `<<`, no collection tagged other than a mapping or a list, every key text and
    written once), and, when it is, its data as SafeConstructor constructs it (`scalar`
    constructs a scalar that is not text), built in the same pass over the nodes; raises Unlike
    where the pure path must read the text instead (see the module docstring)."""
    check = _Check(text, scalar)
    data = check.node(node, None, None, 1)
    return check.count, check.plain, data if check.plain else None


class _Check:
    def __init__(self, text: str, scalar: Callable[[ScalarNode], Data]) -> None:
        self.text = text
        self.construct = scalar
        self.count = 0
        self.seen: set[int] = set()
        self.plain = True

    def node(self, node: Node, parent: Node | None, key: Node | None, depth: int) -> Data:
        self.count += 1
        if self.count > MAX_VALUES or depth > MAX_DEPTH or id(node) in self.seen:
            raise Unlike  # a bound of limits.py, or an alias
        self.seen.add(id(node))
        tag = node.tag
        if not tag.startswith(_YAML):
            raise Unlike
        if isinstance(node, ScalarNode):
            self.scalar(node, parent, key)
            if tag == _STR:  # one copy of each text the files repeat (keys, enums, lookup keys)
                return sys.intern(node.value)
            return self.construct(node) if self.plain else None
        if isinstance(node, MappingNode):
            self.plain = self.plain and tag == _MAP
            built: dict[str, Data] = {}
            for item_key, item_value in node.value:
                name = self.node(item_key, node, None, depth + 1)
                # Not plain: the loader's walk words a key that is not text or is written twice.
                self.plain = self.plain and item_key.tag == _STR and name not in built
                value = self.node(item_value, node, item_key, depth + 1)
                if self.plain:
                    built[name] = value
            return built
        self.plain = self.plain and tag == _SEQ
        return [self.node(item, node, None, depth + 1) for item in node.value]

    def scalar(self, node: ScalarNode, parent: Node | None, key: Node | None) -> None:
        value, style = node.value, node.style
        at = node.start_mark.index if node.start_mark else 0
        if not style:  # plain (libyaml says "", PyYAML None)
            if value == "":
                if not self.left_out(parent, key, at):
                    raise Unlike
            elif "?" in value and getattr(parent, "flow_style", False):
                raise Unlike
        elif style in ("|", ">") and not _BLOCK_HEADER.match(self.text, at):
            raise Unlike
        if node.tag == _INT and len(value) > MAX_NUMBER_CHARS:
            raise Unlike
        if not value.isascii() and _SURROGATE.search(value):
            raise Unlike

    def left_out(self, parent: Node | None, key: Node | None, at: int) -> bool:
        """Whether an empty value at `at` is one both read alike: right after the `-` of an
        entry of a block list, or right after `key:` (spaces between) in a block mapping."""
        if parent is None or getattr(parent, "flow_style", False):
            return False
        if not isinstance(parent, MappingNode):
            return self.text[at - 1 : at] == "-"
        if not isinstance(key, ScalarNode):
            return False
        end = key.end_mark.index if key.end_mark else at
        return end < at and self.text[at - 1] == ":" and not self.text[end : at - 1].strip(" ")


def loader_like(reference: type[SafeConstructor]) -> Callable[[str], Reads] | None:
    """A libyaml loader (libyaml's parser and composer, SafeConstructor) resolving and
    constructing scalars as `reference` does; None when yaml was built without libyaml."""
    try:
        from yaml._yaml import CParser
    except ImportError:  # yaml.__with_libyaml__ False: the pure path only
        return None

    class Loader(CParser, SafeConstructor, Resolver):
        """libyaml's parser and composer; the resolvers and booleans are the reference's."""

        yaml_implicit_resolvers = reference.yaml_implicit_resolvers  # type: ignore[attr-defined]
        bool_values = reference.bool_values
        # Plain scalar -> its tag: what the resolvers find depends on the text alone (there
        # are no path resolvers), and files repeat theirs (`enabled`, `true`).
        _tags: ClassVar[dict[str, str]] = {}

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        def resolve(self, kind: type[Node], value: str | None, implicit: Data) -> str:
            if kind is not ScalarNode or not implicit[0] or value is None:
                return str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
            tag = self._tags.get(value)
            if tag is None:
                tag = str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
                if len(self._tags) >= 4096:  # a bound on what hostile files can fill it with
                    self._tags.clear()
                self._tags[value] = tag
            return tag

    return Loader
