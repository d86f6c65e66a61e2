"""Arrest, detention and repatriation; interception in third countries.

China holds those it arrests for about a week and sends them back, unless North Korea
refuses returns (as it did while its border was sealed), when they wait in detention.
Third countries deport some to China and let others fly on to the South.
"""

from __future__ import annotations

import numpy as np

from tumen.engine import draws
from tumen.engine.context import Context
from tumen.engine.processes import punishment, resettlement
from tumen.engine.states import Channel, Pending, State
from tumen.engine.world import CHINA, COUNTRIES, LOCATION_KINDS, NORTH_KOREA, World
from tumen.scenario.schema import Country, LocationKind

HELD_REVIEW_DAYS = 30


def arrest(ctx: Context, rows: np.ndarray) -> None:
    """Arrest `rows` where they are: funds are seized, safe-house places freed."""
    if rows.size == 0:
        return
    pop, params = ctx.pop, ctx.params.detention
    ctx.book("seized", pop.funds[rows].sum())
    pop.funds[rows] = 0.0
    ctx.houses.vacate(pop.safe_house[rows])
    pop.safe_house[rows] = -1
    pop.channel[rows] = Channel.NONE
    pop.cell[rows] = -1
    pop.leg[rows] = -1
    pop.pending[rows] = Pending.REVIEW
    pop.since[rows] = ctx.day
    in_china = ctx.country_of(rows) == CHINA
    china, third = rows[in_china], rows[~in_china]
    pop.move(china, State.DETAINED_CHINA)
    ctx.count("arrests_china", china.size)
    ctx.wake_in(china, draws.days(ctx.luck(china), params.china_hold_days, china.size))
    pop.move(third, State.DETAINED_THIRD)
    ctx.count("arrests_third", third.size)
    ctx.wake_in(third, draws.days(ctx.luck(third), params.third_hold_days, third.size))


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
        pop = ctx.pop
        base = ctx.params.detention.third_deport_to_china
        deport = base * ctx.input("crackdown", ctx.country_of(rows))
        deported = ctx.luck(rows).random(rows.size) < deport
        sent_back = rows[deported]
        pop.move(sent_back, State.DETAINED_CHINA, self._deport_to[pop.location[sent_back]])
        ctx.count("deported_to_china", sent_back.size)
        ctx.wake_in(sent_back, draws.days(ctx.luck(sent_back),
                                          ctx.params.detention.china_hold_days, sent_back.size))
        resettlement.arrive(ctx, rows[~deported], self._release_to)
