"""The day loop: set up a run, step every process each day in a fixed order.

The order matters and is part of the model (see docs/model.md): money arrives first,
then one-off events, new departures, the river, hiding, intake, travel, raids,
detention, punishment, Thailand and resettlement.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tumen.engine import draws
from tumen.engine.context import Context
from tumen.engine.processes import Process, hiding, travel
from tumen.engine.processes.asylum import Asylum
from tumen.engine.processes.crossing import Crossing
from tumen.engine.processes.departure import Departure
from tumen.engine.processes.detention import Detention
from tumen.engine.processes.events import Events
from tumen.engine.processes.finance import Finance
from tumen.engine.processes.intake import Intake
from tumen.engine.processes.punishment import Punishment
from tumen.engine.processes.raids import Raids
from tumen.engine.processes.resettlement import Resettlement
from tumen.engine.processes.travel import Travel
from tumen.engine.states import N_STATES, STATE_NAMES, State
from tumen.engine.world import World

ProgressCallback = Callable[[int, int], None]


def processes_for(world: World) -> list[Process]:
    """The processes of a run, in the order they act each day."""
    return [
        Finance(),
        Events(world),
        Departure(),
        Crossing(),
        hiding.Hiding(),
        Intake(),
        Travel(),
        Raids(),
        Detention(world),
        Punishment(),
        Asylum(world),
        Resettlement(),
    ]


def place_initial_stock(ctx: Context) -> None:
    """Escapees already in China on day 0, spread over hiding states by the given shares."""
    population, pop = ctx.world.population, ctx.pop
    women_share = population.initial_women_share
    if women_share is None:
        women_share = population.women_share
    for index, group in enumerate(ctx.world.initial):
        if group.count == 0:
            continue
        rows = ctx.add_escapees(f"initial {index}", State.HIDING, group.location, group.count)
        luck = ctx.luck(rows)
        pop.origin[rows] = np.argmax(ctx.world.graph.departure_weight)
        pop.woman[rows] = luck.random(rows.size) < women_share
        pop.child[rows] = luck.random(rows.size) < population.child_share
        days_in_china = draws.gamma_days(luck, group.years_in_china_mean * 365.0,
                                         group.years_in_china_mean * 365.0, rows.size)
        pop.crossed[rows] = -days_in_china
        earnings = hiding.daily_earnings(ctx, rows)
        pop.funds[rows] = earnings * days_in_china * luck.random(rows.size)
        ctx.book("china_earnings", pop.funds[rows].sum())
        u = luck.random(rows.size)
        state = np.where(u < group.settled_share, State.SETTLED, State.HIDING)
        trafficked = (u >= 1.0 - group.trafficked_share) & pop.woman[rows]
        state = np.where(trafficked, State.TRAFFICKED, state)
        for code in (State.HIDING, State.SETTLED, State.TRAFFICKED):
            hiding.enter(ctx, rows[state == code], code)


SETTING_OUT_BATCH = 1 << 16


def place_setting_out(ctx: Context) -> None:
    """Escapees who set out alone on day 0, each on a first leg from her place; made in
    batches so that a large cohort needs no large temporary arrays."""
    pop, population = ctx.pop, ctx.world.population
    for index, group in enumerate(ctx.world.setting_out):
        for first in range(0, group.count, SETTING_OUT_BATCH):
            count = min(SETTING_OUT_BATCH, group.count - first)
            rows = ctx.add_escapees(f"setting out {index}", State.TRAVELLING, group.location,
                                    count)
            luck = ctx.luck(rows)
            pop.origin[rows] = group.location
            pop.woman[rows] = luck.random(count) < population.women_share
            pop.child[rows] = luck.random(count) < population.child_share
            hiding.enter(ctx, travel.go_on(ctx, rows))


def place_earlier_arrivals(ctx: Context) -> None:
    """Families resettled before the run: not agents, but they send money and pay."""
    params = ctx.params.resettlement
    arrived = ctx.world.population.resettled_before
    in_contact = int(ctx.rng("initial").binomial(arrived, params.recontact_before))
    ctx.diaspora.resettled += arrived
    ctx.diaspora.in_contact += in_contact
    ctx.diaspora.relatives_left += in_contact * params.relatives_max


def run(world: World, seed: int, progress: ProgressCallback | None = None,
        order: list[Process] | None = None) -> Context:
    """Simulate `world` with `seed`; return the finished context for tabulation.

    `order` replaces the processes of `processes_for(world)` (to time or trace them).
    """
    ctx = Context(world, seed)
    place_initial_stock(ctx)
    place_setting_out(ctx)
    place_earlier_arrivals(ctx)
    order = processes_for(world) if order is None else order
    report_every = max(1, world.n_days // 200)
    for day in range(world.n_days):
        ctx.day = day
        ctx.due = ctx.calendar.due(ctx.pop, day)
        for process in order:
            process.step(ctx)
        _check_all_handled(ctx)
        ctx.recorder.close_day(day, ctx.pop.counts, len(ctx.pop))
        if progress is not None and (day % report_every == 0 or day == world.n_days - 1):
            progress(day + 1, world.n_days)
    return ctx


EVERY_STATE = tuple(range(N_STATES))


def _check_all_handled(ctx: Context) -> None:
    """Every escapee due today must have been dealt with and woken for a later day."""
    stuck = ctx.due_in(*EVERY_STATE)
    if stuck.size:
        states = sorted({STATE_NAMES[code] for code in ctx.pop.state[stuck].tolist()})
        raise RuntimeError(
            f"day {ctx.day}: {stuck.size} escapees due today were left unhandled "
            f"(states: {', '.join(states)}); a process did not reschedule them"
        )
