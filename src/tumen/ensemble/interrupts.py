"""Ctrl-C during a sweep: where it is held back and who answers it.

A terminal sends Ctrl-C to every process of a command. The sweep answers it: it keeps
every run recorded and stops with a word on how to resume. Its worker processes must
not die first, each with a traceback, and a run being recorded must be recorded whole
(a database write cut short surfaces as a database error, not as an interrupt).
Signal handlers belong to the main thread; elsewhere both helpers change nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def ignored() -> Iterator[None]:
    """Processes started inside ignore Ctrl-C, as do their children."""
    if not _in_main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def deferred() -> Iterator[None]:
    """Ctrl-C pressed inside waits for the block to finish, then interrupts as usual."""
    if not _in_main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: pressed.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None
                      else previous)
    if pressed:
        raise KeyboardInterrupt
