"""What each portal lets a customer do (`portal-config explain`), as text: a heading per file's
portal, then its sentences (portal/impact.py's). Decides nothing."""

from __future__ import annotations

from collections.abc import Sequence

from ..pipeline.explain import Portrait


def explained(portraits: Sequence[Portrait], from_stripe: bool) -> str:
    blocks = []
    for p in portraits:
        if p.problem is not None:
            blocks.append(f"{p.key} in {p.env}: cannot be told ({p.problem})")
        elif p.where is None:
            blocks.append(f"{p.key} in {p.env}: not in Stripe yet (apply creates it)")
        else:
            source = f"{p.where}, as Stripe has it" if from_stripe else p.where
            blocks.append(
                "\n".join([f"{p.key} in {p.env} ({source}):", *(f"  {s}" for s in p.sentences)])
            )
    return "\n\n".join(blocks) if blocks else "No configuration file applies to this environment."
