"""Punishment in North Korea of those caught at the river or sent back, and new attempts.

One escapee in the seeds succeeded on her fourth attempt: after a prison term, some try
again.
"""

from __future__ import annotations

import numpy as np

from tumen.engine import draws
from tumen.engine.context import Context
from tumen.engine.states import Channel, State


def imprison(ctx: Context, rows: np.ndarray) -> None:
    """Hold `rows` in North Korea, at their home province, for a prison term."""
    if rows.size == 0:
        return
    pop = ctx.pop
    pop.move(rows, State.IMPRISONED_NK, pop.origin[rows])
    pop.channel[rows] = Channel.NONE
    pop.cell[rows] = -1
    pop.leg[rows] = -1
    pop.since[rows] = ctx.day
    ctx.wake_in(rows, draws.days(ctx.luck(rows), ctx.params.crossing.prison_days, rows.size))


class Punishment:
    """At the end of a term, an escapee tries again or stays."""

    name = "punishment"

    def step(self, ctx: Context) -> None:
        rows = ctx.due_in(State.IMPRISONED_NK)
        if rows.size == 0:
            return
        pop, params = ctx.pop, ctx.params.crossing
        retry = ctx.luck(rows).random(rows.size) < params.retry
        stays = rows[~retry]
        pop.move(stays, State.STAYED_NK)
        ctx.calendar.schedule(pop, stays, ctx.world.n_days)
        again = rows[retry]
        if again.size == 0:
            return
        pop.move(again, State.APPROACHING)
        pop.attempts[again] += 1
        pop.prepaid[again] = False
        ctx.count("reattempts", again.size)
        pop.leg[again] = -1
        ctx.wake_in(again, draws.days(ctx.luck(again), params.retry_wait_days, again.size))
