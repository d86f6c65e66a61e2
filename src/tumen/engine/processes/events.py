"""One-day events of the timeline: a raid on every safe house at a place, or an airlift
of everyone waiting there."""

from __future__ import annotations

import numpy as np

from tumen.engine.context import Context
from tumen.engine.processes import detention, raids, resettlement
from tumen.engine.states import State
from tumen.engine.world import World


class Events:
    """Applies the timeline's one-off events on their day."""

    name = "events"

    def __init__(self, world: World):
        self._by_day: dict[int, list] = {}
        for event in world.one_offs:
            self._by_day.setdefault(event.day, []).append(event)

    def step(self, ctx: Context) -> None:
        for event in self._by_day.get(ctx.day, []):
            pop = ctx.pop
            here = np.flatnonzero((pop.location == event.location) & np.isin(
                pop.state, (State.WAITING, State.DETAINED_THIRD)))
            if event.action == "airlift":
                ctx.houses.vacate(pop.safe_house[here])
                ctx.count("airlifted", here.size)
                resettlement.arrive(ctx, here, event.target)
                continue
            houses = np.flatnonzero(ctx.world.network.house_location == event.location)
            for house in houses.tolist():
                raids.raid_house(ctx, house)
            left = np.flatnonzero((pop.location == event.location) & (pop.state == State.WAITING))
            ctx.count("raid_arrests", left.size)
            detention.arrest(ctx, left)
