"""The IDs a listing has read, in 10 to 20 bytes each: how a server that repeats its pages is
caught (responses.every_page) without holding every ID listed. A plan of 50,000 configurations
no file claims keeps 20 of them (shown.Unclaimed); a set of their IDs would hold ~110 bytes
each (the text and its entry), ~5.5 MB, a fifth of the paging floor's whole RSS (issue 24).
"""

from __future__ import annotations

from array import array

_FIRST_SLOTS = 256  # 2 KB: a fleet account's one page fits without growing


class SeenIds:
    """Each ID's 64-bit hash in an open-addressed table (linear probing) at most 4/5 full: an
    insert then probes ~13 slots at worst, ~3 on average
    (https://en.wikipedia.org/wiki/Linear_probing#Analysis), and 50,000 fit in 512 KB.
    Two IDs of one hash would read as one listed twice: for n IDs the odds are about n²/2⁶⁵
    (3e-10 at responses.MAX_OBJECTS), against Python's SipHash of text
    (https://peps.python.org/pep-0456/)."""

    def __init__(self) -> None:
        self._slots = _empty(_FIRST_SLOTS)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, key: str) -> bool:
        """Whether `key` is new (then it is kept); False: it was read before."""
        mark = hash(key) or 1  # never 0, the empty slot's mark (a str's hash is never -1)
        if not _place(self._slots, mark):
            return False
        self._count += 1
        if self._count * 5 > len(self._slots) * 4:
            slots = _empty(2 * len(self._slots))
            for held in self._slots:
                if held:
                    _place(slots, held)
            self._slots = slots
        return True


def _empty(size: int) -> array[int]:
    """`size` empty slots (0), made in place: no bytes object of their size beside them."""
    return array("q", [0]) * size


def _place(slots: array[int], mark: int) -> bool:
    """Put `mark` in its slot, or the next free one; False when it is there already."""
    mask = len(slots) - 1
    index = mark & mask
    while True:
        held = slots[index]
        if held == 0:
            slots[index] = mark
            return True
        if held == mark:
            return False
        index = (index + 1) & mask
