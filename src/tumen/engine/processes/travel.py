"""Travel leg by leg: waiting in safe houses, hand-offs between cells, interception.

An escapee with a network (a rescue cell or a broker line) waits at each stop, in a
safe house of the cell that runs that stop if one has room, else in the open. When the
stop is run by another cell than the one that brought her, she is handed on: quickly
if the two cells know each other, slowly through a go-between if not, and a hand-off
can fail, leaving her alone where she is. Each leg may end in interception, with a
probability that crackdowns, border security and movement controls scale.
"""

from __future__ import annotations

import numpy as np

from tumen.engine import draws
from tumen.engine.context import Context
from tumen.engine.processes import asylum, detention, hiding, resettlement
from tumen.engine.routing import effective_risk
from tumen.engine.states import Channel, Pending, State
from tumen.engine.world import LOCATION_KINDS
from tumen.scenario.schema import LocationKind

_ASYLUM = LOCATION_KINDS.index(LocationKind.ASYLUM)
_DESTINATION = LOCATION_KINDS.index(LocationKind.DESTINATION)
STUCK_REVIEW_DAYS = 30


def _cells_here(ctx: Context, rows: np.ndarray) -> np.ndarray:
    """The cell of each escapee's operator that runs her current stop, or her own cell."""
    pop = ctx.pop
    running = ctx.world.network.running_cell[pop.location[rows], pop.channel[rows]]
    return np.where(running >= 0, running, pop.cell[rows]).astype(np.int64)


def _hand_off(ctx: Context, rows: np.ndarray, new_cells: np.ndarray) -> tuple[
        np.ndarray, np.ndarray]:
    """Delay in days and failure of each hand-off (no hand-off: 0 days, no failure)."""
    pop, network, params = ctx.pop, ctx.world.network, ctx.world.network_params
    old = pop.cell[rows].astype(np.int64)
    moving = (old >= 0) & (new_cells >= 0) & (old != new_cells)
    known = np.zeros(rows.size, dtype=bool)
    known[moving] = network.cell_knows_cell[old[moving], new_cells[moving]]
    delay = np.zeros(rows.size, dtype=np.int64)
    slow = moving & ~known
    fast = moving & known
    delay[fast] = draws.days(ctx.luck(rows[fast]), params.handoff_days_known, int(fast.sum()))
    delay[slow] = draws.days(ctx.luck(rows[slow]), params.handoff_days_cutout, int(slow.sum()))
    failure = np.where(known, params.handoff_failure_known, params.handoff_failure_cutout)
    failed = moving & (ctx.luck(rows).random(rows.size) < failure)
    return delay, failed


def enter_waiting(ctx: Context, rows: np.ndarray) -> None:
    """Escapees with a network stop where they are: hand-off, safe house, wait, risk."""
    if rows.size == 0:
        return
    pop, params = ctx.pop, ctx.params
    new_cells = _cells_here(ctx, rows)
    delay, failed = _hand_off(ctx, rows, new_cells)
    ctx.count("handoff_failures", int(failed.sum()))
    hiding.enter(ctx, rows[failed])
    rows, new_cells, delay = rows[~failed], new_cells[~failed], delay[~failed]
    if rows.size == 0:
        return
    pop.move(rows, State.WAITING)
    pop.cell[rows] = new_cells
    pop.leg[rows] = -1
    pop.since[rows] = ctx.day
    houses = ctx.houses.place(pop.location[rows], new_cells, ctx.day)
    pop.safe_house[rows] = houses
    luck = ctx.luck(rows)
    wait = draws.days(luck, params.travel.wait_days, rows.size) + delay
    open_air = np.where(houses < 0, params.travel.open_air_arrest_factor, 1.0)
    hazard = params.raids.waiting_arrest * ctx.input("crackdown", ctx.country_of(rows))
    until_arrest, _ = draws.waiting_days(luck, hazard * open_air, int(wait.max()))
    arrested = until_arrest < wait
    pop.pending[rows] = np.where(arrested, Pending.ARREST, Pending.REVIEW)
    ctx.wake_in(rows, np.where(arrested, until_arrest, wait))


def start_legs(ctx: Context, rows: np.ndarray, legs: np.ndarray) -> None:
    """Set out on `legs`; interception is decided now and happens on arrival."""
    if rows.size == 0:
        return
    pop, graph, luck = ctx.pop, ctx.world.graph, ctx.luck(rows)
    pop.move(rows, State.TRAVELLING)
    pop.leg[rows] = legs
    pop.since[rows] = ctx.day
    ctx.recorder.traffic(ctx.day, legs)
    # Risks today, per route; each escapee's draws in one compiled pass.
    every_route = np.arange(graph.n_routes)
    risk = effective_risk(ctx.world, every_route, ctx.day)
    hazard = graph.route_risk_per_day  # zero on every leg, or today's values below
    if hazard.any():
        hazard = effective_risk(ctx.world, every_route, ctx.day, per_day=True)
    duration, intercepted = luck.leg_outcomes(legs, graph, risk, hazard)
    pop.pending[rows] = np.where(intercepted, Pending.ARREST, Pending.REVIEW)
    ctx.wake_in(rows, duration)


def go_on(ctx: Context, rows: np.ndarray) -> np.ndarray:
    """Set out at once on a next leg from where they stand; returns those with none open."""
    legs = ctx.router.next_legs(ctx.luck(rows), ctx.pop.location[rows], ctx.day)
    stuck = legs < 0
    start_legs(ctx, rows[~stuck], legs[~stuck])
    return rows[stuck]


class Travel:
    """Moves on those whose wait is over and lands those whose leg ends today."""

    name = "travel"

    def step(self, ctx: Context) -> None:
        self._leave_stops(ctx, ctx.due_in(State.WAITING))
        self._arrive(ctx, ctx.due_in(State.TRAVELLING))

    @staticmethod
    def _leave_stops(ctx: Context, rows: np.ndarray) -> None:
        if rows.size == 0:
            return
        pop = ctx.pop
        arrested = pop.pending[rows] == Pending.ARREST
        detention.arrest(ctx, rows[arrested])
        rows = rows[~arrested]
        legs = ctx.router.next_legs(ctx.luck(rows), pop.location[rows], ctx.day)
        stuck = legs < 0
        ctx.wake_in(rows[stuck], STUCK_REVIEW_DAYS)
        leaving = rows[~stuck]
        ctx.houses.vacate(pop.safe_house[leaving])
        pop.safe_house[leaving] = -1
        start_legs(ctx, leaving, legs[~stuck])

    @staticmethod
    def _arrive(ctx: Context, rows: np.ndarray) -> None:
        if rows.size == 0:
            return
        pop, graph = ctx.pop, ctx.world.graph
        legs = pop.leg[rows]
        intercepted = pop.pending[rows] == Pending.ARREST
        # Stopped on the way to a destination (at an embassy gate, at the airport) means
        # arrest where the leg began; anywhere else, where it ends. An arrest on entering
        # Thailand is the detention every arrival there goes through.
        bound_home = graph.location_kind[graph.route_target[legs]] == _DESTINATION
        stopped_early = intercepted & bound_home
        here = np.where(stopped_early, graph.route_source[legs], graph.route_target[legs])
        pop.move(rows, State.TRAVELLING, here)
        arrested = intercepted & (graph.location_kind[here] != _ASYLUM)
        detention.arrest(ctx, rows[arrested])
        rows, here = rows[~arrested], here[~arrested]
        kind = graph.location_kind[here]
        asylum.enter(ctx, rows[kind == _ASYLUM])
        resettlement.arrive(ctx, rows[kind == _DESTINATION])
        onward = rows[(kind != _ASYLUM) & (kind != _DESTINATION)]
        through = graph.location_pass_through[pop.location[onward]]
        if through.any():
            onward = np.concatenate([onward[~through], go_on(ctx, onward[through])])
        alone = pop.channel[onward] == Channel.NONE
        hiding.enter(ctx, onward[alone])
        enter_waiting(ctx, onward[~alone])
