"""Hiding in China: the red zone's daily hazards, long-term hiding and trafficking.

Escapees without a network face arrest, trafficking (women far more), referral to a
rescue network, contact with a broker once they can pay, or settling into long-term
hiding. Rather than a coin per person per day, the time to the next event is drawn
once, by thinning: a candidate time from an upper bound of the summed hazards over the
coming window (the largest crackdown ahead, a broker within reach if savings could
reach the fee), accepted with the ratio of that day's true hazard to the bound. This is
exact for hazards that change with the timeline, and costs a wake-up per event plus one
per window, not one per day.
"""

from __future__ import annotations

import numpy as np

from tumen.engine import hiding_kernels, intake_kernels
from tumen.engine.context import Context
from tumen.engine.processes import detention
from tumen.engine.states import HIDDEN_STATES, Channel, State
from tumen.engine.world import CHINA, NORTH_KOREA


def broker_fee(ctx: Context) -> float:
    """Today's broker fee from China to South-East Asia."""
    return ctx.params.intake.broker_fee_usd * float(ctx.input("broker_fees", NORTH_KOREA))


def daily_earnings(ctx: Context, rows: np.ndarray) -> np.ndarray:
    """What each escapee earns a day in hiding: women, mostly in de facto marriages or
    kept, earn a fraction of men's wages, which is why men can pay a broker sooner."""
    params = ctx.params.hiding
    factor = np.where(ctx.pop.woman[rows], params.earnings_women_factor, 1.0)
    return params.earnings_usd_per_day * factor


def _rates(ctx: Context) -> np.ndarray:
    """The hiding parameters in the order the kernels take them."""
    params = ctx.params.hiding
    return ctx.once("hiding rates", lambda: np.array(
        [getattr(params, name) for name in hiding_kernels.RATE_NAMES]))


def enter(ctx: Context, rows: np.ndarray, state: int = State.HIDING,
          location: np.ndarray | int | None = None) -> None:
    """Put `rows` into a hiding state (alone, with no network) and schedule their next event."""
    if rows.size == 0:
        return
    pop = ctx.pop
    pop.move(rows, state, location)
    pop.channel[rows] = Channel.NONE
    pop.cell[rows] = -1
    pop.safe_house[rows] = -1
    pop.leg[rows] = -1
    pop.since[rows] = ctx.day
    schedule(ctx, rows)


def schedule(ctx: Context, rows: np.ndarray) -> None:
    """Draw the next candidate event (or the end of the window) from a hazard bound."""
    if rows.size == 0:
        return
    hiding_kernels.schedule(np.ascontiguousarray(rows, dtype=np.int64), ctx.day,
                            ctx.params.hiding.review_days, *_window_inputs(ctx, rows.size))


def _window_inputs(ctx: Context, rows: int) -> tuple:
    """What the kernels read besides the `rows` rows: the population, the escapees'
    streams, the calendar, the largest crackdown and lowest fee over the window ahead,
    the rates."""
    pop, window = ctx.pop, ctx.params.hiding.review_days
    ahead = ctx.ahead("crackdown", window, "max")
    lowest_fee = ctx.params.intake.broker_fee_usd * float(ctx.input_ahead(
        "broker_fees", NORTH_KOREA, window, "min"))
    return ((pop.state, pop.woman, pop.location, pop.location_country, pop.funds,
             pop.pending, pop.hazard_bound),
            ctx.streams(),
            ctx.calendar.arrays(pop, rows),
            ahead, lowest_fee, _rates(ctx))


class Hiding:
    """Resolves the events of escapees hiding in China that fall due today."""

    name = "hiding"

    def step(self, ctx: Context) -> None:
        rows = ctx.due_in(*HIDDEN_STATES)
        if rows.size == 0:
            return
        pop_arrays, luck, calendar, ahead, lowest_fee, rates = _window_inputs(ctx, rows.size)
        earned, arrested, trafficked, settled, home = hiding_kernels.step(
            rows, ctx.day, ctx.params.hiding.review_days, pop_arrays, ctx.pop.since,
            ctx.pop.origin, ctx.pop.counts, luck, calendar, ctx.world.inputs["crackdown"], ahead,
            broker_fee(ctx), lowest_fee, rates)
        ctx.book("china_earnings", earned)
        detention.arrest(ctx, arrested)
        ctx.count("trafficked", trafficked)
        ctx.count("settled", settled)
        ctx.count("returned_home", home)


def sample_hidden(ctx: Context, rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` escapees picked at random among those hiding (not trafficked) in China, fewer
    if they are scarce. Those settled into long-term hiding are harder to reach: they
    are kept with the settled hazard factor as probability.

    Sampling rows and keeping the hidden ones avoids scanning the whole population.
    """
    pop = ctx.pop
    # No more can be found than are hiding there (and a huge `n` must not size the draw).
    n = min(n, int(pop.counts[State.HIDING, CHINA] + pop.counts[State.SETTLED, CHINA]))
    if n == 0 or len(pop) == 0:
        return np.empty(0, dtype=np.int64)
    found = np.empty(0, dtype=np.int64)
    reach = ctx.params.hiding.settled_hazard_factor
    for _ in range(8):
        rows = rng.integers(0, len(pop), size=20 * n)
        found = intake_kernels.add_hidden(found, rows, rng.random(rows.size), pop.state,
                                          pop.location, pop.location_country, CHINA, reach)
        if found.size >= n:
            break
    return rng.permutation(found)[:n]
