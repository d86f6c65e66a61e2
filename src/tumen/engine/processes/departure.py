"""Departure: escapees leave their province, pushed by hardship the timeline sets."""

from __future__ import annotations

import numpy as np

from tumen.engine import border_kernels
from tumen.engine.context import Context
from tumen.engine.states import State
from tumen.engine.world import LOCATION_KINDS, NORTH_KOREA
from tumen.scenario.schema import LocationKind

_ORIGIN = LOCATION_KINDS.index(LocationKind.ORIGIN)


def create(ctx: Context, origins: np.ndarray, prepaid_usd: float = 0.0) -> np.ndarray:
    """New escapees at `origins`, on their way to a crossing; returns their rows.

    `prepaid_usd` > 0 marks chain escapes: relatives in the South paid a broker for the
    whole trip, and that money travels with the escapee until it is spent. The others
    carry savings of their own, or nothing.
    """
    pop, population = ctx.pop, ctx.world.population
    creator = "chain" if prepaid_usd > 0 else "departure"
    rows = ctx.add_escapees(creator, State.APPROACHING, origins, origins.size)
    savings = (population.funds_share, float(population.funds_usd.mean),
               float(population.funds_usd.sd))
    brought = border_kernels.new_escapees(
        rows, origins, ctx.streams(), pop.woman, pop.child, pop.origin, pop.prepaid, pop.funds,
        (population.women_share, population.child_share), savings, float(prepaid_usd))
    ctx.book("own_savings", brought)
    set_off(ctx, rows)
    return rows


def set_off(ctx: Context, rows: np.ndarray) -> None:
    """Send escapees at their origin towards a crossing: the leg decides when they get
    there; with no open way out (a sealed border), they wait a month and look again."""
    pop, table = ctx.pop, ctx.router.table(ctx.day)
    wake = border_kernels.set_off(rows, ctx.day, ctx.streams(), (table.cumulative, table.routes),
                                  border_kernels.route_lengths(ctx.world.graph), pop.location,
                                  pop.leg, pop.since, ctx.recorder.traffic_counts(ctx.day))
    ctx.calendar.schedule(pop, rows, wake)


def border_open(ctx: Context) -> bool:
    """Whether any leg out of an origin province is open today."""
    graph = ctx.world.graph
    ways_out = ctx.once("legs out of origins", lambda: np.flatnonzero(
        graph.location_kind[graph.route_source] == _ORIGIN))
    return bool(graph.route_open[ways_out, ctx.day].any())


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
