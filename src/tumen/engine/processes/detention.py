"""Arrest, detention and repatriation; interception in third countries.

China holds those it arrests for about a week and sends them back, unless North Korea
refuses returns (as it did while its border was sealed), when they wait in detention.
Third countries deport some to China and let others fly on to the South.
"""

from __future__ import annotations

import numpy as np

from tumen.engine import border_kernels, journey_end_kernels
from tumen.engine.context import Context
from tumen.engine.processes import punishment, resettlement
from tumen.engine.states import State
from tumen.engine.world import CHINA, COUNTRIES, LOCATION_KINDS, NORTH_KOREA, World
from tumen.scenario.schema import Country, LocationKind

HELD_REVIEW_DAYS = 30


def arrest(ctx: Context, rows: np.ndarray) -> None:
    """Arrest `rows` where they are: funds are seized, safe-house places freed; China
    holds its arrests, third countries theirs, each for a term."""
    if rows.size == 0:
        return
    pop, params = ctx.pop, ctx.params.detention
    holds = (border_kernels.days_spec(params.china_hold_days),
             border_kernels.days_spec(params.third_hold_days))
    wake, seized, in_china = journey_end_kernels.arrest(
        np.ascontiguousarray(rows, dtype=np.int64), ctx.day, ctx.streams(),
        pop.move_arrays(), border_kernels.people(pop), pop.funds, pop.safe_house,
        ctx.houses.occupancy, pop.pending, CHINA, holds)
    ctx.calendar.schedule(pop, rows, wake)
    ctx.book("seized", seized)
    ctx.count("arrests_china", in_china)
    ctx.count("arrests_third", rows.size - in_china)


def deportation_points(world: World) -> np.ndarray:
    """For each location, the Chinese location a deportee from there is handed over at.

    A country entered straight from China sends deportees back to the last Chinese stop
    before it; a country entered from another third country sends them back through
    that one, and so on. Locations with no way back to China keep their own index.
    """
    graph = world.graph
    points = np.arange(graph.n_locations)
    source_country = graph.location_country[graph.route_source]
    target_country = graph.location_country[graph.route_target]
    handover: dict[int, int] = {CHINA: -1}
    changed = True
    while changed:
        changed = False
        for route in range(graph.n_routes):
            into, came_from = int(target_country[route]), int(source_country[route])
            if into in handover or came_from not in handover:
                continue
            via = handover[came_from]
            handover[into] = int(graph.route_source[route]) if via < 0 else via
            changed = True
    for country, point in handover.items():
        if point >= 0:
            points[graph.location_country == country] = point
    return points


def _destination(world: World) -> int:
    """Where those a third country lets go are flown: the first South Korean destination."""
    kinds = world.graph.location_kind == LOCATION_KINDS.index(LocationKind.DESTINATION)
    korea = world.graph.location_country == COUNTRIES.index(Country.SOUTH_KOREA)
    return int(np.flatnonzero(kinds & korea)[0])


class Detention:
    """Repatriates from China and decides the fate of those held in third countries."""

    name = "detention"

    def __init__(self, world: World):
        self._deport_to = deportation_points(world)
        self._release_to = _destination(world)

    def step(self, ctx: Context) -> None:
        self._repatriate(ctx, ctx.due_in(State.DETAINED_CHINA))
        self._third_country(ctx, ctx.due_in(State.DETAINED_THIRD))

    @staticmethod
    def _repatriate(ctx: Context, rows: np.ndarray) -> None:
        if rows.size == 0:
            return
        if float(ctx.input("repatriation", NORTH_KOREA)) < 0.5:
            ctx.wake_in(rows, HELD_REVIEW_DAYS)
            return
        ctx.count("repatriations", rows.size)
        punishment.imprison(ctx, rows)

    def _third_country(self, ctx: Context, rows: np.ndarray) -> None:
        if rows.size == 0:
            return
        pop, params = ctx.pop, ctx.params.detention
        sent_back, wake, released = journey_end_kernels.third_country_fates(
            rows, ctx.day, ctx.streams(), pop.move_arrays(), params.third_deport_to_china,
            ctx.world.inputs["crackdown"][:, ctx.day], self._deport_to,
            border_kernels.days_spec(params.china_hold_days))
        if sent_back.size:
            ctx.calendar.schedule(pop, sent_back, wake)
            ctx.count("deported_to_china", sent_back.size)
        resettlement.arrive(ctx, released, self._release_to)
