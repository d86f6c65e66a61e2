"""Departure: escapees leave their province, pushed by hardship the timeline sets."""

from __future__ import annotations

import numpy as np

from tumen.engine import draws
from tumen.engine.context import Context
from tumen.engine.states import State
from tumen.engine.world import LOCATION_KINDS, NORTH_KOREA
from tumen.scenario.schema import LocationKind

_ORIGIN = LOCATION_KINDS.index(LocationKind.ORIGIN)


def create(ctx: Context, origins: np.ndarray, prepaid_usd: float = 0.0) -> np.ndarray:
    """New escapees at `origins`, on their way to a crossing; returns their rows.

    `prepaid_usd` > 0 marks chain escapes: relatives in the South paid a broker for the
    whole trip, and that money travels with the escapee until it is spent.
    """
    pop, population = ctx.pop, ctx.world.population
    creator = "chain" if prepaid_usd > 0 else "departure"
    rows = ctx.add_escapees(creator, State.APPROACHING, origins, origins.size)
    luck = ctx.luck(rows)
    pop.origin[rows] = origins
    pop.woman[rows] = luck.random(rows.size) < population.women_share
    pop.child[rows] = luck.random(rows.size) < population.child_share
    if prepaid_usd > 0:
        pop.prepaid[rows] = True
        pop.funds[rows] = prepaid_usd
    else:
        carries = luck.random(rows.size) < population.funds_share
        funds = draws.gamma_days(luck, population.funds_usd.mean, population.funds_usd.sd,
                                 rows.size).astype(np.float64)
        pop.funds[rows] = np.where(carries, funds, 0.0)
        ctx.book("own_savings", pop.funds[rows].sum())
    set_off(ctx, rows)
    return rows


def set_off(ctx: Context, rows: np.ndarray) -> None:
    """Send escapees at their origin towards a crossing: the leg decides when they get there."""
    pop, graph = ctx.pop, ctx.world.graph
    luck = ctx.luck(rows)
    legs = ctx.router.next_legs(luck, pop.location[rows], ctx.day)
    stuck = legs < 0
    pop.leg[rows] = legs
    pop.since[rows] = ctx.day
    ctx.recorder.traffic(ctx.day, legs[~stuck])
    safe_legs = np.where(stuck, 0, legs)
    travel = luck.leg_days(safe_legs, graph)
    # With no open way out (a sealed border), escapees wait a month and look again.
    ctx.wake_in(rows, np.where(stuck, 30, travel))


def border_open(ctx: Context) -> bool:
    """Whether any leg out of an origin province is open today."""
    graph = ctx.world.graph
    from_origin = graph.location_kind[graph.route_source] == _ORIGIN
    return bool(graph.route_open[from_origin, ctx.day].any())


def deterred_by_guards(ctx: Context, elasticity: float) -> float:
    """Today's North Korean border security to the power -`elasticity`: the share of a
    flow across the river that the guards leave (1 while security is 0)."""
    security = float(ctx.input("border_security", NORTH_KOREA))
    return security**-elasticity if security > 0 else 1.0


class Departure:
    """Draws the day's departures from each origin province."""

    name = "departure"

    def step(self, ctx: Context) -> None:
        world, rng = ctx.world, ctx.rng(self.name)
        # Guards who shoot on sight deter those who would go on their own; chain
        # escapes, whose brokers pay the guards, are created elsewhere.
        deterred = deterred_by_guards(ctx, ctx.params.crossing.deterrence)
        push = float(ctx.input("push", NORTH_KOREA))
        rate = world.population.departures_per_day * push * deterred
        n = int(rng.poisson(rate))
        if n == 0:
            return
        weights = world.graph.departure_weight
        per_origin = rng.multinomial(n, weights)
        origins = np.repeat(np.arange(weights.size), per_origin).astype(np.int16)
        create(ctx, origins)
        ctx.count("departures", n)
