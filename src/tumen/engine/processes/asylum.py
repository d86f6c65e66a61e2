"""Thailand: arrivals are jailed for illegal entry or give themselves up, then wait
their turn for a flight.

How many are arrested followed Thai enforcement: about 50 of some 750 entering in 2005,
most of those entering from 2007 (facts.md §5a).

Flights leave at a daily rate the timeline can scale; when arrivals outrun them a
backlog builds, as it did in 2006-2007.
"""

from __future__ import annotations

import numpy as np

from tumen.engine import border_kernels, journey_end_kernels
from tumen.engine.context import Context
from tumen.engine.processes import resettlement
from tumen.engine.states import Pending, State
from tumen.engine.world import COUNTRIES, LOCATION_KINDS, World
from tumen.scenario.schema import Country, LocationKind

_THAILAND = COUNTRIES.index(Country.THAILAND)


def enter(ctx: Context, rows: np.ndarray) -> None:
    """Hold arrivals in Thailand: the arrested for their jail term, the others until the
    next day, when they join the queue for a flight."""
    if rows.size == 0:
        return
    pop = ctx.pop
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    share = ctx.params.asylum.arrest_share * float(ctx.input("thai_arrests", _THAILAND))
    wake, arrested = journey_end_kernels.jail(
        rows, ctx.day, ctx.streams(), pop.move_arrays(), border_kernels.people(pop),
        pop.safe_house, pop.pending, ctx.houses.occupancy,
        border_kernels.days_spec(ctx.params.asylum.jail_days), share)
    ctx.calendar.schedule(pop, rows, wake)
    ctx.count("detained_thailand", arrested)


def _destinations(world: World) -> tuple[int, int]:
    """The South Korean and the United States destinations (the US one may be missing)."""
    graph = world.graph
    is_destination = graph.location_kind == LOCATION_KINDS.index(LocationKind.DESTINATION)

    def first(country: Country) -> int:
        found = np.flatnonzero(is_destination & (graph.location_country ==
                                                 COUNTRIES.index(country)))
        return int(found[0]) if found.size else -1

    return first(Country.SOUTH_KOREA), first(Country.UNITED_STATES)


class Asylum:
    """Queues those who served their term and flies them out in order."""

    name = "asylum"

    def __init__(self, world: World):
        self._queue = np.empty(0, dtype=np.int64)
        self._credit = 0.0
        self._seoul, self._us = _destinations(world)

    def step(self, ctx: Context) -> None:
        pop = ctx.pop
        served = ctx.due_in(State.DETAINED_THAILAND)
        if served.size:
            pop.pending[served] = Pending.QUEUED
            ctx.calendar.schedule(pop, served, ctx.world.n_days)
            self._queue = np.concatenate([self._queue, served])
        params = ctx.params.asylum
        self._credit += params.flights_per_day * float(ctx.input("thai_processing", _THAILAND))
        seats = min(int(self._credit), self._queue.size)
        # Seats not taken today are lost, not saved up for a later rush.
        self._credit -= int(self._credit)
        if seats == 0:
            return
        flying, self._queue = self._queue[:seats], self._queue[seats:]
        to_us = ctx.luck(flying).random(seats) < params.us_share if self._us >= 0 else 0
        destination = np.where(to_us, self._us, self._seoul)
        resettlement.arrive(ctx, flying, destination)
