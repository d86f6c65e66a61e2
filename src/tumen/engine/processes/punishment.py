"""Punishment in North Korea of those caught at the river or sent back, and new attempts.

One escapee in the seeds succeeded on her fourth attempt: after a prison term, some try
again.
"""

from __future__ import annotations

import numpy as np

from tumen.engine import border_kernels
from tumen.engine.context import Context
from tumen.engine.states import State


def imprison(ctx: Context, rows: np.ndarray) -> None:
    """Hold `rows` in North Korea, at their home province, for a prison term."""
    if rows.size == 0:
        return
    wake = border_kernels.imprison(rows, ctx.day, ctx.streams(), ctx.pop.move_arrays(),
                                   border_kernels.people(ctx.pop),
                                   border_kernels.days_spec(ctx.params.crossing.prison_days))
    ctx.calendar.schedule(ctx.pop, rows, wake)


class Punishment:
    """At the end of a term, an escapee tries again (on her own, her broker's money
    gone) or stays."""

    name = "punishment"

    def step(self, ctx: Context) -> None:
        rows = ctx.due_in(State.IMPRISONED_NK)
        if rows.size == 0:
            return
        pop, params = ctx.pop, ctx.params.crossing
        wake, again = border_kernels.end_terms(
            rows, ctx.day, ctx.streams(), pop.move_arrays(), pop.attempts, pop.prepaid,
            pop.leg, params.retry, border_kernels.days_spec(params.retry_wait_days))
        ctx.calendar.schedule(pop, rows, wake)
        ctx.count("reattempts", again)
