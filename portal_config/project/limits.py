"""Bounds on what portal-config reads: files from pull requests (forks included) are hostile input.

Every bound turns into a located problem, never a hang, a memory blow-up or a traceback: only
regular files are read, and only so many bytes of them; the YAML composer stops at so many values,
aliases and levels of nesting, counting what aliases would expand to before anything is expanded.
A real project stays far below every bound (a configuration file holds a few hundred values).
"""

from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..jsontypes import Data

# The folder's bounds are what keeps a folder at the limits readable in bounded time: the pure
# reader (loader.py) takes about 0.5 s a MiB of its slowest text (escapes, or lines: MAX_LINES)
# and about 3 s per 100,000 values (tests/reliability/test_hostile_files.py times both), so what
# it reads is bounded on its own (MAX_SLOW_FOLDER_BYTES); libyaml reads the ordinary files, whose
# bounds admit 10,000 of them like configs/standard.yaml (~1.2 KB and ~70 values each: issue 24,
# tests/reliability/test_folder_scale.py).
MAX_FILE_BYTES = 1 << 20  # per file
MAX_FOLDER_BYTES = 32 << 20  # all the files of a project together
MAX_SLOW_FOLDER_BYTES = 4 << 20  # all the files the pure reader reads (loader.parse), together
MAX_ENTRIES = 20_000  # entries beside the project file (anything but these is an error anyway)
MAX_VALUES = 10_000  # per file, aliases expanded: what the data will hold once constructed
MAX_FOLDER_VALUES = 1_000_000  # all the files together
MAX_LINES = 20_000  # per file: the pure reader's cost is in its lines (about 1.4 s a million)
MAX_ALIASES = 100  # per file
MAX_DEPTH = 64  # levels of nesting, aliases expanded (the deepest Stripe field is 6 down)
MAX_PLAN_BYTES = 64 << 20  # a saved plan (JSON): thousands of changes, a fleet's included
MAX_NUMBER_CHARS = 40  # Stripe's integers are 64-bit (19 digits); room for signs and `_`
MAX_SHOWN = 80  # characters of a value a message quotes: a message never renders a value in full
_INT_TAG = "tag:yaml.org,2002:int"
_SURROGATE = re.compile("[\ud800-\udfff]")
_LONE_HALF = re.compile("[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]")
# Line breaks and control characters (C0, DEL, C1) in messages: a message stays one line, and a
# value cannot send escape sequences to a terminal or a CI log.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


_READS = {
    MAX_FILE_BYTES: "configuration files up to that size",
    MAX_PLAN_BYTES: "plan files up to that size",
}


def depth(data: Data) -> int:
    """How deeply lists and mappings nest in `data` (a scalar: 0), without recursion."""
    deepest, level = 0, [(data, 1)]
    while level:
        value, at = level.pop()
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, (dict, list)):
            deepest = max(deepest, at)
            level += [(child, at + 1) for child in children]
    return deepest


class NotRead(Exception):
    """A file is not read (or not read further); the message says why and what to do."""


class Located(Exception):
    """A value refused while reading YAML (a bound met, a scalar its tag cannot read), at `mark`
    (a yaml Mark)."""

    def __init__(self, mark: Data, message: str) -> None:  # a yaml Mark (pure or libyaml)
        super().__init__(message)
        self.mark = mark
        self.message = message


@dataclass
class FolderBudget:
    """Reading a project's folder: where its files must be, and what is left for the rest of
    them once some are read."""

    # Files (symbolic links resolved) must be inside it: a link to a runner's secrets in a pull
    # request would otherwise be read, and parts of it shown in messages.
    folder: Path | None = None
    bytes: int = field(default_factory=lambda: MAX_FOLDER_BYTES)
    slow_bytes: int = field(default_factory=lambda: MAX_SLOW_FOLDER_BYTES)  # the pure reader's
    values: int = field(default_factory=lambda: MAX_FOLDER_VALUES)
    resolved: str | None = None  # the folder's real path, once a file is read

    def outside(self, path: Path) -> str | None:
        """The real path of `path` when it is outside the folder, else None."""
        if self.folder is None:
            return None
        if self.resolved is None:
            self.resolved = os.path.realpath(self.folder)
        if path.parent == self.folder and not path.is_symlink():
            return None  # an entry of the folder that is no link (realpath lstats every part)
        target = os.path.realpath(path)
        return None if os.path.commonpath([target, self.resolved]) == self.resolved else target


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    ):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def read_file(path: Path, budget: FolderBudget | None = None, most: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `most` bytes (and what the budget has left).
    Raises NotRead for anything else, OSError when the system refuses."""
    limit = most if budget is None else min(most, budget.bytes)
    kind = _kind(os.stat(path).st_mode)  # before opening: opening a device can have effects
    if kind is not None:
        raise NotRead(f"{kind}, not a file: only regular files are read (remove it)")
    target = None if budget is None else budget.outside(path)
    if target is not None:
        raise NotRead(
            f"a symbolic link to {shorten(target)}, outside the project folder: only "
            "files inside it are read (copy the file in instead)"
        )
    # O_NONBLOCK: a FIFO swapped in after the check cannot block the open or the reads.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        kind = _kind(info.st_mode)
        if kind is not None:
            raise NotRead(f"{kind}, not a file: only regular files are read (remove it)")
        if info.st_size > limit:
            raise NotRead(_too_big(info.st_size, most))
        chunks, size = [], 0
        while size <= limit:  # st_size can lie (a file still growing, /proc): read at most limit+1
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise NotRead(_too_big(size, most))
    finally:
        os.close(fd)
    if budget is not None:
        budget.bytes -= size
    return b"".join(chunks)


# `-` for stdin or stdout, click's convention for a file argument
# (https://click.palletsprojects.com/en/stable/handling-files/#file-arguments).
STDIN = Path("-")


def named(path: Path) -> str:
    """What a message calls a file argument: `stdin` for `-`."""
    return "stdin" if path == STDIN else str(path)


def read_input(path: Path, most: int) -> bytes:
    """read_file's bytes, or for `-` at most `most` bytes of stdin: a pipe or a redirected
    file, never a terminal (nobody types a plan; reading one would wait for ever)."""
    if path != STDIN:
        return read_file(path, most=most)
    if sys.stdin is None:  # started with stdin closed
        raise NotRead("stdin is closed: pipe the file into it")
    if sys.stdin.isatty():
        raise NotRead("a terminal: pipe the file into it")
    data = sys.stdin.buffer.read(most + 1)
    if len(data) > most:
        raise NotRead(_too_big(len(data), most))
    return data


def list_folder(folder: Path) -> tuple[list[Path], str | None]:
    """The folder's entries, sorted, at most MAX_ENTRIES of them; and what went wrong, if
    anything (the folder cannot be listed, or holds more)."""
    entries: list[Path] = []
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                if len(entries) == MAX_ENTRIES:
                    return sorted(entries), (
                        f"more than {MAX_ENTRIES} entries in the folder: "
                        f"portal-config reads at most {MAX_ENTRIES} "
                        "(move the rest elsewhere)"
                    )
                entries.append(folder / entry.name)
    except OSError as exc:
        return sorted(entries), f"cannot list the folder: {exc.strerror or exc}"
    return sorted(entries), None


def is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # cannot tell: read as a file, which then says what is wrong
        return False


def slow_read(budget: FolderBudget | None, text: str) -> str | None:
    """Takes `text` from what the pure reader may read of the folder; why not, when it is spent
    (each character is at least a byte, and costs the reader its time)."""
    if budget is None:
        return None
    if len(text) > budget.slow_bytes:
        return (
            "the files only YAML's slower reader reads (for tabs, a byte order mark, control "
            "characters, directives, `!` tags or a syntax error) are larger than "
            f"{MAX_SLOW_FOLDER_BYTES >> 20} MiB together: portal-config reads up to that much "
            "of them. Indent with spaces and remove byte order marks and control characters (and "
            "fix any syntax error), so that the fast reader reads the files"
        )
    budget.slow_bytes -= len(text)
    return None


def _too_big(size: int, most: int) -> str:
    if size > most:
        return f"the file is larger than {most >> 20} MiB: portal-config reads {_READS[most]}"
    return (
        f"the configuration files are larger than {MAX_FOLDER_BYTES >> 20} MiB together: "
        "portal-config reads up to that much"
    )


def _check_scalar(node: ScalarNode) -> None:
    if node.tag == _INT_TAG and len(node.value) > MAX_NUMBER_CHARS:
        raise Located(
            node.start_mark,
            f"a number of {len(node.value)} digits: no field takes "
            "one this long (quote it if it is text)",
        )
    if not node.value.isascii() and _SURROGATE.search(node.value):
        # From escapes: JSON writes "\ud83d\ude00" for one emoji, which PyYAML leaves as two
        # halves of a UTF-16 pair. A pair is one character; a half alone is not text.
        lone = _LONE_HALF.search(node.value)
        if lone is not None:
            raise Located(
                node.start_mark,
                f"the escape \\u{ord(lone[0]):04x} is half of a UTF-16 "
                "pair, not a character: write the character itself, or \\U and its "
                "8 hex digits",
            )
        node.value = node.value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


class BoundedComposer:
    """Mixed into a yaml Loader before its Composer: composes within the bounds above.

    The size and depth of every node, aliases expanded, are computed as it is composed (its
    children are composed, or aliased, before it is complete), so an alias bomb stops after a
    few thousand nodes without anything being expanded. An alias to a node still being composed
    (one without its end yet) is a recursive structure: refused too. Until the first alias, no
    node holds more, or is deeper, than what was composed, which the counters bound: sizes are
    computed from then on only (those of the nodes before it when first needed).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)  # type: ignore[call-arg]
        self._sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth), expanded
        self._aliases = self._depth = self._composed = 0

    def compose_node(self, parent: Node | None, index: Data) -> Node:  # PyYAML's own loose key
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise Located(
                    event.start_mark,
                    f"more than {MAX_ALIASES} aliases (*name) in one file: write the values out",
                )
            node: Node = super().compose_node(parent, index)  # type: ignore[misc]
            if node.end_mark is None:  # the Composer sets it once the node is complete
                raise Located(
                    node.start_mark,
                    "an alias refers to itself; recursive structures are not supported",
                )
            return node
        self._depth += 1
        self._composed += 1
        if self._depth > MAX_DEPTH:
            raise Located(
                event.start_mark,
                f"nested more than {MAX_DEPTH} levels deep: "
                f"portal-config reads at most {MAX_DEPTH} (no Stripe field is as "
                "deep)",
            )
        if self._composed > MAX_VALUES:
            raise Located(
                event.start_mark,
                f"more than {MAX_VALUES} values in one file: "
                f"portal-config reads at most {MAX_VALUES} per file",
            )
        node = super().compose_node(parent, index)  # type: ignore[misc]
        self._depth -= 1
        if isinstance(node, ScalarNode):  # one value, one level: within every bound
            _check_scalar(node)
            return node
        if not self._aliases:
            return node
        values, depth = self._size(node)
        if values > MAX_VALUES:
            raise Located(
                node.start_mark,
                f"with its aliases (*name) expanded, this holds more "
                f"than {MAX_VALUES} values: portal-config reads at most {MAX_VALUES} "
                "per file (use fewer aliases)",
            )
        if depth > MAX_DEPTH:
            raise Located(
                node.start_mark,
                f"with its aliases (*name) expanded, this is nested "
                f"more than {MAX_DEPTH} levels deep: portal-config reads at most "
                f"{MAX_DEPTH} (use fewer aliases)",
            )
        return node

    def _size(self, node: Node) -> tuple[int, int]:
        """(values, depth) of a composed node, aliases expanded."""
        if isinstance(node, ScalarNode):
            return 1, 1
        found = self._sizes.get(id(node))
        if found is None:
            sizes = [self._size(child) for child in _children(node)]
            found = 1 + sum(size for size, _ in sizes), 1 + max((d for _, d in sizes), default=0)
            self._sizes[id(node)] = found
        return found

    def expanded_values(self, node: Node) -> int:
        """How many values the document's `node` holds, aliases expanded."""
        return self._size(node)[0] if self._aliases else self._composed


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """`text` for a message: control characters escaped (`\\n`, `\\x1b`), then cut to `limit`
    characters with '...' when longer."""
    text = _UNPRINTABLE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)
    return text if len(text) <= limit else text[: limit - 3] + "..."
