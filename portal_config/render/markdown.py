"""A Plan as a pull request comment. Decides nothing.

A hidden marker line (`<!-- portal-config: plan -->`, or `diff`), a summary table, then per
environment a heading naming its mode (with a warning when a live environment would change or
anything would be deactivated), per configuration what customers will notice (in its summary, so
seen without opening it) above a collapsible table of field, before and after,
then notes and problems. Every value from the files or from Stripe goes through markup.py, so no
value can break the comment. Over LIMIT characters the least important detail is cut: the field
tables of the largest changes first, then whole configurations (test mode updates and creates
before live ones, deactivations last), with a note saying how to see everything.

A change made the same way in several of a fleet's accounts (the same key, action and fields
old -> new, as one field changed across the fleet) is shown once, "in 17 of 20 accounts of
`fleet`", the accounts listed collapsed, instead of once per account (issue 21, item 7).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..dashboard import named
from ..planning.changes import COUNTED, Change, Create, Deactivate, FieldChange, count
from ..planning.plan import EnvPlan, Plan
from ..portal import model
from .markup import code, escape, table
from .text import as_written, product_text, value_text
from .words import (
    PLAN,
    Wording,
    closing_line,
    default_kept_note,
    drift_headline,
    fleet_lines,
    history_unavailable,
    prunable_note,
    unmanaged_notes,
)

LIMIT = 60_000  # GitHub takes 65,536; room for the action's own lines around the report
FULL, BARE, GONE = "full", "bare", "gone"  # how much of a configuration is shown


def marker(command: str) -> str:
    """The comment's first line, by which the action finds the comment again."""
    return f"<!-- portal-config: {command} -->"


@dataclass
class _Block:
    """One configuration's `<details>`, in the three sizes the budget chooses from."""

    env: str
    position: int
    importance: int  # lower is cut first
    full: str
    bare: str
    state: str = FULL

    @property
    def text(self) -> str:
        return {FULL: self.full, BARE: self.bare, GONE: ""}[self.state]


def _summary(change: Change, grouped: bool = False) -> str:
    """What happens to the configuration, in the `<summary>` (HTML: markdown is not read)."""
    where = code(change.key or "?")
    if change.config_id and not grouped:  # a group's IDs differ: each place has its own
        where += f" ({code(change.config_id)})"
    default = " [the account's default configuration]" if change.is_default else ""
    file = f" · {code(change.file)}" if change.file else ""
    return f"{change.symbol} {where} {change.outcome()}{default}{file}"


def _cells(change: Change, f: FieldChange, labels: Mapping[str, str]) -> list[str]:
    if f.path == model.PRODUCTS:  # the entries no longer offered, and those offered from now on
        old, new = f.old or (), f.new or ()
        gone = sorted(product_text(e, labels) for e in old if e not in new)
        added = sorted(product_text(e, labels) for e in new if e not in old)
        return [code(f.path), "<br>".join(map(code, gone)), "<br>".join(map(code, added))]
    before = "" if isinstance(change, Create) else code(value_text(f.path, f.old))
    return [code(f.path), before, code(value_text(f.path, f.new))]


def _block(
    env: EnvPlan, position: int, change: Change, limit: int, places: str = "", listed: str = ""
) -> _Block:
    """One configuration's change; with `places` (where else it is made the same way, said
    before it) and `listed` (those places, collapsed) a group's."""
    # What customers will notice leads the section, in the summary: seen without opening it.
    notice = "".join(f"<br>{escape(f'- {sentence}')}" for sentence in change.impact(env.labels))
    head = f"<details><summary>{places}{_summary(change, bool(places))}{notice}</summary>"
    rows = [_cells(change, f, env.labels) for f in change.fields]
    fields = table(["Field", "Before", "After"], rows) + _history(env, change)
    cut = (
        f"{len(change.fields)} field(s) change; this table is cut to keep the comment under "
        f"{limit:,} characters (see the note at the end)."
    )
    importance = 2 if isinstance(change, Deactivate) else 1 if env.mode == "live" else 0
    return _Block(
        "" if places else env.where,
        position,
        importance,
        f"{head}\n\n{fields}\n\n{listed}</details>",
        f"{head}\n\n{cut}\n\n{listed}</details>",
    )


def _history(env: EnvPlan, change: Change) -> str:
    """How the drifted fields got their values in Stripe (plan's history), as a table."""
    found = env.history.get(change.config_id or "", ())
    if not found:
        return ""
    rows = [
        [code(h.path), escape(h.when), code(value_text(h.path, h.before)), escape(h.by)]
        + [code(h.event_id)]
        for h in found
    ]
    return "\n\n**How Stripe got these values**\n\n" + table(
        ["Field", "Changed (UTC)", "Before", "By", "Event"], rows
    )


def _signature(change: Change) -> str:
    """Changes with equal signatures are shown once: a fleet's, with the same key, action and
    fields old -> new. An environment of its own keeps its section (its live warning, its
    mode), however like another's its changes are."""
    if change.account is None:
        return json.dumps([change.env, change.key, change.action, change.config_id])
    fields = [f.data() for f in change.fields]
    return json.dumps([change.env, change.key, change.action, fields], default=str)


def _places(plan: Plan, envs: Sequence[EnvPlan]) -> str:
    """Where a group's change is made: "in 17 of 20 accounts of `fleet`"."""
    name = envs[0].env
    return f"in {len(envs)} of {plan.fleets[name]} accounts of {code(name)}: "


def _blocks(plan: Plan, limit: int) -> list[_Block]:
    """A block per change, one per group of changes made the same way in several places."""
    groups: dict[str, list[tuple[EnvPlan, Change]]] = {}
    for env in plan.envs:
        for change in env.changes:
            groups.setdefault(_signature(change), []).append((env, change))
    blocks = []
    for position, pairs in enumerate(groups.values()):
        env, change = pairs[0]
        if len(pairs) == 1:
            blocks.append(_block(env, position, change, limit))
            continue
        envs = [e for e, _ in pairs]
        live = [e for e in envs if e.mode == "live"]
        listed = (
            f"<details><summary>The {len(envs)} places{' (live mode)' if live else ''}"
            "</summary>\n\n" + ", ".join(code(e.where) for e in envs) + "\n\n</details>\n\n"
        )
        blocks.append(
            _block(live[0] if live else env, position, change, limit, _places(plan, envs), listed)
        )
    return blocks


def _grouped_section(blocks: list[_Block]) -> list[str]:
    shown = [b.text for b in blocks if not b.env and b.state != GONE]
    return ["### The same change in several places", *shown] if shown else []


def _shown(env: EnvPlan) -> bool:
    """A fleet's accounts in sync are counted (words.fleet_lines), not listed one by one."""
    return env.account is None or env.differs or bool(env.problems)


def _in_groups(env: EnvPlan, alone: set[str]) -> bool:
    """Every change of this place is in a group (shown once, above), and it has nothing else
    to say: no section of its own, and a fleet's such accounts are one row of the summary."""
    return env.differs and env.where not in alone and not env.problems and not _notes(env)


def _summary_table(plan: Plan, alone: set[str]) -> str:
    rows = []
    folded: dict[str, list[EnvPlan]] = {}  # a fleet's accounts whose changes are all grouped
    for env in filter(_shown, plan.envs):
        if env.account is not None and _in_groups(env, alone):
            if env.env not in folded:
                rows.append([env.env])  # filled in below, where the fleet's first account was
            folded.setdefault(env.env, []).append(env)
            continue
        n = count(env.changes)
        mode = "**live**" if env.mode == "live" else escape(env.space)
        rows.append([code(env.where), mode, *map(str, n.values()), str(len(env.problems))])
    for i, row in enumerate(rows):
        if len(row) == 1:
            envs = folded[row[0]]
            n = count([c for e in envs for c in e.changes])
            mode = "**live**" if any(e.mode == "live" for e in envs) else escape(envs[0].space)
            where = f"{code(row[0])} ({len(envs)} accounts, changes grouped below)"
            rows[i] = [where, mode, *map(str, n.values()), "0"]
    if not rows:  # a fleet wholly in sync: its line says so
        return ""
    counted = [k.counted_as.capitalize() for k in COUNTED]
    return table(["Environment", "Mode", *counted, "Problems"], rows, 4)


def _warning(env: EnvPlan) -> str | None:
    lines = []
    if env.mode == "live" and env.changes:
        lines.append(
            f"Live mode: applying these files changes {len(env.changes)} "
            "configuration(s) that customers use now."
        )
    gone = sum(isinstance(c, Deactivate) for c in env.changes)
    if gone:
        lines.append(f"{gone} configuration(s) {Deactivate.outcome('them', loud=False)}.")
    return "> [!WARNING]\n> " + "\n>\n> ".join(lines) if lines else None


def _unmanaged(entry: tuple[str, str | None, str | None]) -> str:
    config_id, name, application = entry
    owner = f", created by the Connect application {code(application)}" if application else ""
    named = f"{escape(as_written(name))} " if name else ""
    return f"{named}({code(config_id)}{owner})"


def _notes(env: EnvPlan) -> list[str]:
    notes = []
    if env.prunable:
        listed = ", ".join(f"{code(k)} ({code(i)})" if i else code(k) for k, i in env.prunable)
        notes.append(prunable_note(len(env.prunable), listed))
    for key, config_id in env.default_kept:
        notes.append(f"{code(key)} ({code(config_id)}) {default_kept_note(env.space)}")
    if env.history_unavailable:
        notes.append(escape(history_unavailable(env.history_unavailable)))
    return notes + unmanaged_notes(env, _unmanaged, code)


def _tail(env: EnvPlan, hidden: int) -> list[str]:
    """What follows an environment's configurations: how many were cut, notes, problems."""
    parts = []
    if hidden:
        parts.append(
            f"… and {hidden} more configuration(s) to change in {code(env.where)}, not "
            "shown (see the note at the end)."
        )
    if not env.differs and not env.problems:
        parts.append("Nothing to change.")
    notes = _notes(env)
    if notes:
        parts.append("**Notes**\n" + "\n".join(f"- {n}" for n in notes))
    if env.problems:
        parts.append(
            "**Problems** (these files are left out until fixed)\n"
            + "\n".join(
                f"- {code(str(p.location))}: {'' if p.level == 'error' else p.level + ': '}"
                f"{escape(p.message)}"
                for p in env.problems
            )
        )
    return parts


def _cut_note(plan: Plan, wording: Wording, blocks: list[_Block], limit: int) -> str | None:
    tables = sum(b.state == BARE for b in blocks)
    gone = sum(b.state == GONE for b in blocks)
    if not tables and not gone:
        return None
    rerun = wording.rerun.format(
        envs=" ".join(f"--env {e}" for e in dict.fromkeys(e.env for e in plan.envs))
    )
    return (
        f"**Cut to fit one comment** ({limit:,} characters): {tables} configuration(s) "
        f"are shown without their field table, {gone} not at all. See everything with "
        f"{code(rerun)} locally, or as JSON with {code(rerun + ' --format json')}."
    )


def _assemble(plan: Plan, wording: Wording, blocks: list[_Block], limit: int) -> str:
    parts = [marker(wording.command), f"## {escape(wording.title)}"]
    drift = drift_headline(plan, wording)
    if drift:
        parts.append(f"**{escape(drift)}**")
    if wording.compared:
        parts.append(escape(wording.compared))
    alone = {b.env for b in blocks}  # the places with a change of their own
    parts += [t for t in [_summary_table(plan, alone)] if t]
    parts += [escape(line) for line in fleet_lines(plan)]
    parts += _grouped_section(blocks)
    for env in filter(_shown, plan.envs):
        mine = [b for b in blocks if b.env == env.where]
        if _in_groups(env, alone):
            continue
        parts.append(f"### {code(env.where)} ({escape(named(env.space).removeprefix('the '))})")
        warning = _warning(env)
        if warning:
            parts.append(warning)
        parts += [b.text for b in mine if b.state != GONE]
        parts += _tail(env, sum(b.state == GONE for b in mine))
    parts.append(f"**{escape(closing_line(plan, wording))}**")
    note = _cut_note(plan, wording, blocks, limit)
    if note:
        parts.append(note)
    return "\n\n".join(parts) + "\n"


def _fit(plan: Plan, wording: Wording, blocks: list[_Block], limit: int) -> str:
    """Cut until the comment fits: tables of the largest changes, then whole configurations."""
    text = _assemble(plan, wording, blocks, limit)
    if len(text) <= limit:
        return text
    # Counted, not re-rendered, per cut; the reserve covers the note and "... and N more" lines.
    over = len(text) - limit + 400 + 200 * len(plan.envs)
    for b in sorted(blocks, key=lambda b: len(b.bare) - len(b.full)):  # largest table first
        if over <= 0:
            break
        over -= len(b.full) - len(b.bare)
        b.state = BARE
    drop_order = sorted(blocks, key=lambda b: (b.importance, -b.position))
    for b in drop_order:
        if over <= 0:
            break
        over -= len(b.bare) + 2
        b.state = GONE
    text = _assemble(plan, wording, blocks, limit)
    if len(text) > limit:  # notes or problems alone are this long: keep only the counts
        for b in blocks:
            b.state = GONE
        text = _assemble(plan, wording, blocks, limit)
    return text  # still too long only for the action's last resort: cutting at a line


def markdown(plan: Plan, wording: Wording = PLAN, limit: int = LIMIT) -> str:
    return _fit(plan, wording, _blocks(plan, limit), limit)
