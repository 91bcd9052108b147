"""Round-trip edits of one YAML file (ruamel.yaml): set values at paths, keeping comments, key
order, quoting and flow style, with the file's own indentation, so only the edited lines change.

No value is ever deleted: a deleted key would take the comment lines that follow it along
(ruamel keeps them on the key before), so a cleared value is written as `null` (what a file
says for a value unset).
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from ..jsontypes import Data
from ..project.yaml_messages import RARE_BREAK

WIDTH = 4096  # never re-wrap a long line


@dataclass(frozen=True)
class Indent:
    mapping: int = 2
    sequence: int = 2  # from a list's key to its items' values
    offset: int = 0  # from a list's key to its dashes (import writes `key:\n- item`)


T = TypeVar("T")


def _most_common(counts: Counter[T], default: T) -> T:
    return counts.most_common(1)[0][0] if counts else default


def _block_children(node: Data) -> Iterator[tuple[Data, int, int, int]]:
    """(child, the column of its key, the column of the child's first entry, a sequence's dash
    column or -1) for every block mapping or list written under a mapping's key."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if (
                isinstance(value, (CommentedMap, CommentedSeq))
                and value
                and not value.fa.flow_style()
                and not node.fa.flow_style()
            ):
                _, key_col = node.lc.key(key)
                first = next(iter(value)) if isinstance(value, CommentedMap) else 0
                line, col = (
                    value.lc.key(first) if isinstance(value, CommentedMap) else value.lc.item(0)
                )
                if line > node.lc.key(key)[0]:  # on the next line: a block below the key
                    dash = col - 2 if isinstance(value, CommentedSeq) else -1
                    yield value, key_col, col, dash
            yield from _block_children(value)
    elif isinstance(node, CommentedSeq):
        for item in node:
            yield from _block_children(item)


def detect_indent(document: Data) -> Indent:
    """The indentation the file mostly uses (a file that mixes styles gets its most common)."""
    mappings: Counter[int] = Counter()
    sequences: Counter[tuple[int, int]] = Counter()
    for child, key_col, col, dash in _block_children(document):
        if isinstance(child, CommentedMap):
            mappings[col - key_col] += 1
        elif dash >= key_col:
            sequences[(col - key_col, dash - key_col)] += 1
    mapping = _most_common(mappings, 2)
    sequence, offset = _most_common(sequences, (2, 0))
    return Indent(mapping, max(sequence, offset + 2), offset)


class _Representer(RoundTripRepresenter):
    """ruamel's round trip, but a null written `null` (ruamel writes `key:` with nothing after,
    which a reader may take for a value forgotten)."""


_Representer.add_representer(
    type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
)


class Editor:
    """One file's text as a round-trip document; `set` edits it, `text` writes it back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.original = path.read_text(encoding="utf-8")
        self._yaml = YAML()
        self._yaml.Representer = _Representer
        self._yaml.preserve_quotes = True
        self._yaml.width = WIDTH
        self.document = self._yaml.load(self.original)
        indent = detect_indent(self.document)
        self._yaml.indent(mapping=indent.mapping, sequence=indent.sequence, offset=indent.offset)

    def get(self, path: Sequence[str]) -> Data:
        node: Data = self.document
        for part in path:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def set(self, path: Sequence[str], value: Data, like: Data = None) -> list[tuple[str, ...]]:
        """Write `value` at `path`, creating the mappings on the way, styled like the value it
        replaces (or `like`, where it replaces none); returns the paths of the mappings it had
        to create (they may need the fields Stripe requires beside them)."""
        node = self.document
        created: list[tuple[str, ...]] = []
        for depth, part in enumerate(path[:-1]):
            if not isinstance(node.get(part), dict):
                node[part] = CommentedMap()
                created.append(tuple(path[: depth + 1]))
            node = node[part]
        old = node.get(path[-1])
        node[path[-1]] = styled(value, like if old is None else old)
        return created

    def text(self) -> str:
        out = io.StringIO()
        self._yaml.dump(self.document, out)
        return out.getvalue()


def styled(value: Data, old: Data) -> Data:
    """`value` written the way the value it replaces was: a flow list or mapping stays flow, a
    quoted string stays quoted the same way."""
    if isinstance(value, str):
        # Escaped (\\L, \\N, \\P) in double quotes: written raw they read otherwise (loader.py).
        if isinstance(old, DoubleQuotedScalarString) or RARE_BREAK.search(value):
            return DoubleQuotedScalarString(value)
        if isinstance(old, SingleQuotedScalarString):
            return SingleQuotedScalarString(value)
        return value
    if isinstance(value, list):
        olds = list(old) if isinstance(old, list) else []
        # The n-th item like the n-th it replaces (or the last one): quoting, flow lists inside.
        seq = CommentedSeq(
            [styled(v, olds[min(n, len(olds) - 1)] if olds else None) for n, v in enumerate(value)]
        )
        if isinstance(old, CommentedSeq) and old.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, dict):
        olds_by_key = old if isinstance(old, dict) else {}
        mapping = CommentedMap((k, styled(v, olds_by_key.get(k))) for k, v in value.items())
        if isinstance(old, CommentedMap) and old.fa.flow_style():
            mapping.fa.set_flow_style()
        return mapping
    return value
