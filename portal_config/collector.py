"""When Python's cyclic garbage collector runs: the one home of a process's collector policy.
portal-config makes few reference cycles, and what it holds lives until the run ends, so the
collector's full walks of that heap are mostly wasted work. Reference counting still frees
everything that is not a cycle. https://docs.python.org/3/library/gc.html"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# True while the process's own command line starts (cli.main without argv): the collector is off
# until the command's module is loaded. Everything imported by then lives until the process
# ends, so young-generation collections would only walk it, a few hundred of them in a plan's
# start-up (~10 ms of its CPU).
_starting = False


def start_up() -> None:
    """The process's own command line starts: no collection until `started`."""
    global _starting
    gc.disable()
    _starting = True


def started() -> None:
    """Start-up is over: what it made is frozen (never walked again) and the collector is on."""
    global _starting
    if _starting:
        _starting = False
        gc.freeze()
        gc.enable()


def at_exit() -> None:
    """Everything the run made lives until the process ends: frozen, it is skipped by the
    collections the interpreter makes on its way out (finalize_modules in CPython's
    Python/pylifecycle.c), ~40 ms of CPU for what a plan imports. Nothing is owed a collection
    there: __del__ is not guaranteed at exit
    (https://docs.python.org/3/reference/datamodel.html#object.__del__), and atexit handlers and
    the streams' flush still run. https://docs.python.org/3/library/gc.html#gc.freeze"""
    gc.freeze()


# How many listings are reading pages now (environments are read side by side), and whether the
# collector was on before the first of them.
_reading = 0
_collector_was_on = False
_reading_lock = threading.Lock()


@contextmanager
def paused() -> Iterator[None]:
    """The collector off while the pages of a long listing are read, back on after the last one
    running. Each page's JSON is thousands of containers, freed by reference counting (JSON
    makes no cycles), but their allocation triggers collections that walk every object the run
    holds, over and over: 6-10% of a plan's CPU at 10,000-50,000 configurations. "You can
    disable the collector if you are sure your program does not create reference cycles"
    (the gc docs). A listing of 50,000 leaves none (gc.collect() after it finds nothing); those
    other threads make meanwhile (a retried failure's traceback) wait for the collector's next
    run. A listing of one page (a fleet account's, thousands side by side) is not paused: it
    would keep the collector off all along."""
    global _reading, _collector_was_on
    with _reading_lock:
        if _reading == 0:
            _collector_was_on = gc.isenabled()
            gc.disable()
        _reading += 1
    try:
        yield
    finally:
        with _reading_lock:
            _reading -= 1
            if _reading == 0 and _collector_was_on:
                gc.enable()
