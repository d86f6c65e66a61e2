"""Crossing the border river: guards, bribes, and the leg into China."""

from __future__ import annotations

import numpy as np

from tumen.engine import border_kernels
from tumen.engine.context import Context
from tumen.engine.processes import travel
from tumen.engine.states import State
from tumen.engine.world import NORTH_KOREA


class Crossing:
    """Escapees reaching the river try to cross; the guards may catch them.

    Those due with no leg yet (out of prison, to try again) set off from home first.
    The rest reach their crossing point and choose a leg into China; with the river
    closed they wait there a month and try the same crossing again. Those
    who can pay the guards do (chain escapees' brokers always do, with a share of the
    money they carry), which lowers the chance of being caught; of the caught, some are
    shot, the others go to prison. Those who cross go on with their broker if they have
    one, who takes the rest of the money, or alone.
    """

    name = "crossing"

    def step(self, ctx: Context) -> None:
        rows = ctx.due_in(State.APPROACHING)
        if rows.size == 0:
            return
        pop, graph, params = ctx.pop, ctx.world.graph, ctx.params
        table = ctx.router.table(ctx.day)
        fee_scale = float(ctx.input("broker_fees", NORTH_KOREA))
        security = float(ctx.input("border_security", NORTH_KOREA))
        guards = (fee_scale, params.intake.broker_bribe_share,
                  params.crossing.detection * security, params.crossing.bribe_effect,
                  params.crossing.death)
        woken, wake, crossing, legs, booked, counts = border_kernels.cross_river(
            rows, ctx.day, ctx.streams(), (table.cumulative, table.routes),
            border_kernels.route_lengths(graph), pop.move_arrays(),
            border_kernels.people(pop), pop.crossed,
            (pop.funds, pop.prepaid, graph.route_cost, graph.route_target), guards,
            border_kernels.days_spec(params.crossing.prison_days),
            ctx.recorder.traffic_counts(ctx.day))
        ctx.calendar.schedule(pop, woken, wake)
        bribes, seized, fees = booked.tolist()
        deaths, caught = counts.tolist()
        ctx.book("bribes", bribes)
        ctx.book("seized", seized)
        ctx.book("broker_fees", fees)
        ctx.count("deaths", deaths)
        ctx.count("caught_at_border", caught)
        if crossing.size:
            ctx.count("crossings", crossing.size)
            # A broker paid ahead (or advancing the fee) takes his client on at the river.
            ctx.count("broker_intakes", int(np.count_nonzero(pop.prepaid[crossing])))
            travel.start_legs(ctx, crossing, legs)
