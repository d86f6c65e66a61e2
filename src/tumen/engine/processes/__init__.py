"""The daily processes of the model, one module each, run in the order that
`tumen.engine.simulate.processes_for` gives.

A process is an object with a `name` and a `step(ctx)` method that acts on the escapees
due today in its states (see `Context.due_in`) and on whatever it owns (safe houses,
queues, budgets). Escapees handed on the same day to a later process keep their wake-up
on today; everything a process is done with is woken again on a later day. Helper
functions named `enter_*` put escapees into a process's states from elsewhere.
"""

from __future__ import annotations

from typing import Protocol

from tumen.engine.context import Context


class Process(Protocol):
    """One step of the day."""

    name: str

    def step(self, ctx: Context) -> None:
        """Advance this process by one day."""
