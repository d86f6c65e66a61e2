"""Crossing the border river: guards, bribes, and the leg into China."""

from __future__ import annotations

import numpy as np

from tumen.engine.context import Context
from tumen.engine.processes import departure, punishment, travel
from tumen.engine.states import Channel, State
from tumen.engine.world import NORTH_KOREA


class Crossing:
    """Escapees reaching the river try to cross; the guards may catch them."""

    name = "crossing"

    def step(self, ctx: Context) -> None:
        rows = ctx.due_in(State.APPROACHING)
        if rows.size == 0:
            return
        pop, graph = ctx.pop, ctx.world.graph
        waiting = pop.leg[rows] < 0
        if waiting.any():
            departure.set_off(ctx, rows[waiting])
            rows = rows[~waiting]
        crossing_points = graph.route_target[pop.leg[rows]]
        pop.move(rows, State.APPROACHING, crossing_points)
        into_china = ctx.router.next_legs(ctx.luck(rows), crossing_points, ctx.day)
        sealed = into_china < 0
        if sealed.any():
            # The river is closed: wait at the crossing and try it again in a month (the
            # leg that led here is kept, so it is this crossing that is tried again).
            ctx.wake_in(rows[sealed], 30)
        rows, into_china = rows[~sealed], into_china[~sealed]
        if rows.size == 0:
            return
        bribed = self._pay_bribes(ctx, rows, into_china)
        params = ctx.params.crossing
        detection = params.detection * float(ctx.input("border_security", NORTH_KOREA))
        detection = np.clip(detection * (1.0 - params.bribe_effect * bribed), 0.0, 1.0)
        luck = ctx.luck(rows)
        caught = luck.random(rows.size) < detection
        died = caught & (luck.random(rows.size) < params.death)
        self._die(ctx, rows[died])
        punishment.imprison(ctx, rows[caught & ~died])
        ctx.count("caught_at_border", int((caught & ~died).sum()))
        crossed = ~caught
        self._cross(ctx, rows[crossed], into_china[crossed])

    @staticmethod
    def _pay_bribes(ctx: Context, rows: np.ndarray, legs: np.ndarray) -> np.ndarray:
        """Those who can pay the guards do; chain escapees' brokers always do."""
        pop = ctx.pop
        fee_scale = float(ctx.input("broker_fees", NORTH_KOREA))
        bribe = ctx.world.graph.route_cost[legs] * fee_scale
        prepaid = pop.prepaid[rows]
        bribe = np.where(prepaid, pop.funds[rows] * ctx.params.intake.broker_bribe_share, bribe)
        pays = (bribe > 0) & (pop.funds[rows] >= bribe)
        pop.funds[rows[pays]] -= bribe[pays]
        ctx.book("bribes", bribe[pays].sum())
        return pays

    @staticmethod
    def _die(ctx: Context, rows: np.ndarray) -> None:
        if rows.size == 0:
            return
        ctx.book("seized", ctx.pop.funds[rows].sum())
        ctx.pop.funds[rows] = 0.0
        ctx.pop.move(rows, State.DIED)
        ctx.calendar.schedule(ctx.pop, rows, ctx.world.n_days)
        ctx.count("deaths", rows.size)

    @staticmethod
    def _cross(ctx: Context, rows: np.ndarray, legs: np.ndarray) -> None:
        """Into China: chain escapees go on with their broker, the rest alone."""
        pop = ctx.pop
        ctx.count("crossings", rows.size)
        prepaid = rows[pop.prepaid[rows]]
        ctx.book("broker_fees", pop.funds[prepaid].sum())
        pop.funds[prepaid] = 0.0
        pop.channel[rows] = np.where(pop.prepaid[rows], Channel.BROKER, Channel.NONE)
        pop.crossed[rows] = ctx.day
        travel.start_legs(ctx, rows, legs)
