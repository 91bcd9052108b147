"""Finds the `portal-config ...` command lines in CI files and parses them with the real CLI.

Shell snippets are read from every `run:`, `script:`, `before_script:` and `after_script:` value;
`${{ ... }}` expressions and `$VAR` references become a sample value first (a matrix `shard` `1`,
as a shard's number is), then each line is split
like a shell would, and every `portal-config` invocation is cut at the next operator or
redirection. Parsing uses click's own `make_context`, so an unknown flag, a bad choice or a
missing required option fails exactly as it would for a user, without running the command.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import yaml

SAMPLE = "sample"
SCRIPT_KEYS = ("run", "script", "before_script", "after_script")
_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
_SHARD = re.compile(r"\$\{\{\s*matrix\.shard\s*\}\}")
_VARIABLE = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")
_OPERATOR = set(";&|()<>")


def scripts(node: Any) -> Iterator[str]:
    """Every shell snippet under a script key, anywhere in a loaded YAML document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SCRIPT_KEYS:
                yield from _strings(value)
            else:
                yield from scripts(value)
    elif isinstance(node, list):
        for item in node:
            yield from scripts(item)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):  # GitLab: a list of lines, possibly nested
        for item in value:
            yield from _strings(item)


def substitute(text: str) -> str:
    return _VARIABLE.sub(SAMPLE, _EXPRESSION.sub(SAMPLE, _SHARD.sub("1", text)))


def invocations(script: str) -> Iterator[list[str]]:
    """The arguments after `portal-config` of each invocation in a shell snippet."""
    for line in substitute(script).replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
        for start, token in enumerate(tokens):
            if token == "portal-config":
                yield _until_operator(tokens[start + 1 :])


def _until_operator(tokens: list[str]) -> list[str]:
    args: list[str] = []
    for index, token in enumerate(tokens):
        if set(token) <= _OPERATOR:
            break
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token.isdigit() and following[:1] in ("<", ">"):  # 2>&1: a redirection, not an arg
            break
        args.append(token)
    return args


def file_invocations(path: Path) -> list[list[str]]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [args for script in scripts(document) for args in invocations(script)]


def parse_error(args: list[str]) -> str | None:
    """None when `portal-config ARGS` parses; else click's message, as the user would see it."""
    from portal_config.cli import cli

    try:
        group_ctx = cli.make_context("portal-config", list(args))
        rest = list(group_ctx.args)  # after the command's name: group options come before it
        name = args[len(args) - len(rest) - 1] if len(args) > len(rest) else ""
        command = cli.get_command(group_ctx, name)
        if command is None:
            return f"No such command {name!r}"
        command.make_context(name, rest, parent=group_ctx)
    except click.exceptions.Exit:  # --help or --version: parsed, and would only print
        return None
    except click.ClickException as exc:
        return exc.format_message()
    return None
