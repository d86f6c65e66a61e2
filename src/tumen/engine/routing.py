"""Route choice on the graph: which leg an escapee takes next from where she stands.

Each leg has a generalised cost (days, money and risk, weighed by the scenario's travel
parameters). The cost to go from every location to the nearest asylum or destination
follows by Bellman-Ford over open legs; an escapee picks among legs that bring her
closer, by a logit on leg cost plus cost to go. The table is rebuilt when routes open
or close and once a month as crackdowns change risks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tumen.engine import kernels
from tumen.engine.draws import Source
from tumen.engine.world import LOCATION_KINDS, World
from tumen.scenario.schema import LocationKind

REBUILD_EVERY_DAYS = 30
# Routes' risks are worked out for this many days at a time (a day's worth of NumPy
# calls costs as much as a year's).
RISK_BLOCK_DAYS = 365
_TERMINAL_KINDS = (LocationKind.ASYLUM, LocationKind.DESTINATION)


def effective_risk(world: World, routes: np.ndarray, day: int | np.ndarray,
                   per_day: bool = False) -> np.ndarray:
    """Interception probability of legs today (with `per_day`, their daily hazard);
    `routes` and `day` may be arrays that broadcast together (routes by days).

    Crackdowns raise the risk of every leg in a country; border security raises it for
    legs that enter the country; movement restrictions for legs that leave one.
    """
    graph, inputs = world.graph, world.inputs
    source_country = graph.location_country[graph.route_source[routes]]
    target_country = graph.location_country[graph.route_target[routes]]
    base = graph.route_risk_per_day if per_day else graph.route_risk
    risk = base[routes] * inputs["crackdown"][target_country, day]
    risk = risk * inputs["movement"][source_country, day]
    border = np.where(
        source_country != target_country, inputs["border_security"][target_country, day], 1.0
    )
    return np.clip(risk * border, 0.0, 1.0)


@dataclass(frozen=True)
class RouteTable:
    """For each location, the legs one may take next and their probabilities."""

    routes: np.ndarray  # int32 [n_locations, max_out], -1 where none
    probability: np.ndarray  # float64 [n_locations, max_out]
    cost_to_go: np.ndarray  # float64 [n_locations], inf where no way on
    cumulative: np.ndarray  # float64 [n_locations, max_out], running sums of probability
    # int64 [n_locations]: the leg picked whatever the uniform, -1 where it depends on
    # the uniform or no leg is open (`kernels.only_legs`)
    only_leg: np.ndarray


def build_table(world: World, day: int) -> RouteTable:
    """The route table for `day`, from the legs open that day."""
    graph, travel = world.graph, world.parameters.travel
    all_routes = np.arange(graph.n_routes)
    is_open = graph.route_open[:, day]
    cost = (
        travel.weight_days * graph.route_days_mean
        + travel.weight_cost_per_usd * graph.route_cost
        + travel.weight_risk * effective_risk(world, all_routes, day)
    )
    kinds = np.array([LOCATION_KINDS[k] for k in graph.location_kind])
    to_go = np.where(np.isin(kinds, _TERMINAL_KINDS), 0.0, np.inf)
    source, target = graph.route_source, graph.route_target
    for _ in range(graph.n_locations):
        through = np.where(is_open, cost + to_go[target], np.inf)
        better = np.full(graph.n_locations, np.inf)
        np.minimum.at(better, source, through)
        updated = np.minimum(to_go, better)
        if np.array_equal(updated, to_go):
            break
        to_go = updated
    progressing = is_open & np.isfinite(to_go[target]) & (to_go[target] < to_go[source])
    width = max(1, int(np.bincount(source[progressing], minlength=1).max(initial=0)))
    routes = np.full((graph.n_locations, width), -1, dtype=np.int32)
    weight = np.zeros((graph.n_locations, width))
    slot = np.zeros(graph.n_locations, dtype=np.int64)
    for route in np.flatnonzero(progressing):
        node = source[route]
        routes[node, slot[node]] = route
        total = cost[route] + to_go[target[route]]
        weight[node, slot[node]] = -(total - to_go[node]) / travel.choice_temperature
        slot[node] += 1
    weight = np.where(routes >= 0, np.exp(weight), 0.0)
    sums = weight.sum(axis=1, keepdims=True)
    probability = np.divide(weight, sums, out=np.zeros_like(weight), where=sums > 0)
    cumulative = np.cumsum(probability, axis=1)
    return RouteTable(routes=routes, probability=probability, cost_to_go=to_go,
                      cumulative=cumulative, only_leg=kernels.only_legs(cumulative, routes))


class Router:
    """Keeps the route table current and picks next legs."""

    def __init__(self, world: World):
        self.world = world
        self._table: RouteTable | None = None
        self._built_on = -REBUILD_EVERY_DAYS
        self._open_on_build: np.ndarray | None = None
        # The day the table was last asked for: asked again that day, it stands.
        self._asked_on = -1
        self._risks: tuple[np.ndarray, np.ndarray] | None = None
        self._risk_block_start = 0
        # Days on which a leg was drawn ahead of time (`chain_until`): the table counts
        # as asked for on them, as it would have been had the leg been drawn that day.
        self.asked_ahead = np.zeros(world.n_days, dtype=bool)

    def table(self, day: int) -> RouteTable:
        """Today's table, rebuilt when the open legs changed or a month has passed. The
        days legs were drawn ahead for (`asked_ahead`) are asked for first, in order."""
        if day == self._asked_on and self._table is not None:
            return self._table
        skipped = self.asked_ahead[self._asked_on + 1:day]
        for earlier in (np.flatnonzero(skipped) + self._asked_on + 1).tolist():
            self._ask(earlier)
        self._ask(day)
        return self._table

    def _ask(self, day: int) -> None:
        """The table asked for on `day`: rebuilt if stale or the open legs changed."""
        self._asked_on = day
        is_open = self.world.graph.route_open[:, day]
        stale = day - self._built_on >= REBUILD_EVERY_DAYS
        if self._table is None or stale or not np.array_equal(is_open, self._open_on_build):
            self._table = build_table(self.world, day)
            self._built_on = day
            self._open_on_build = is_open.copy()

    def chain_until(self, day: int) -> int:
        """The last day up to which legs may be drawn ahead from `day`, with today's table
        and risks (asked for first), exactly as on their own days: to the end of today's
        quiet window (`World.quiet_until`) if the table was built within it, as any
        rebuild there gives the same table; else until the table would next be rebuilt."""
        quiet = self.world.quiet_until
        if quiet[self._built_on] >= day:
            return int(quiet[day])
        return int(min(quiet[day], self._built_on + REBUILD_EVERY_DAYS - 1))

    def risks(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Each route's interception risk and daily hazard on the way on `day`
        (`effective_risk`), worked out for a block of days at a time."""
        start = self._risk_block_start
        if self._risks is None or not start <= day < start + len(self._risks[0]):
            self._risk_block_start = day
            self._risks = self._risks_from(day)
        risk, hazard = self._risks
        return risk[day - self._risk_block_start], hazard[day - self._risk_block_start]

    def _risks_from(self, first: int) -> tuple[np.ndarray, np.ndarray]:
        """Risks and hazards [day, route] from `first` for RISK_BLOCK_DAYS days: the
        same arithmetic as `effective_risk` on each day, broadcast over the block."""
        graph = self.world.graph
        days = np.arange(first, min(first + RISK_BLOCK_DAYS, self.world.n_days))[None, :]
        every_route = np.arange(graph.n_routes)[:, None]
        risk = np.ascontiguousarray(effective_risk(self.world, every_route, days).T)
        if graph.route_risk_per_day.any():
            hazard = effective_risk(self.world, every_route, days, per_day=True).T
        else:  # zero on every leg, every day
            hazard = np.zeros((days.size, graph.n_routes))
        return risk, np.ascontiguousarray(hazard)

    def next_legs(self, luck: Source, locations: np.ndarray, day: int) -> np.ndarray:
        """One next leg per escapee at `locations`, drawn from `luck` (one uniform each);
        -1 where no leg leads on today."""
        table = self.table(day)
        # The draw of `draws.choose` on each escapee's row, in one pass with no
        # per-escapee copy of the table (same uniforms, same legs).
        u = luck.random(locations.size)
        return kernels.pick_legs(np.ascontiguousarray(locations, dtype=np.int64),
                                 table.cumulative, table.routes, u)
