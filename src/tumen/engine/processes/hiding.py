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

from tumen.engine import hiding_kernels
from tumen.engine.context import Context
from tumen.engine.draws import choose, waiting_days
from tumen.engine.hiding_kernels import ARREST, BROKER, ESCAPE, REFERRAL, SETTLE, TRAFFICKING
from tumen.engine.processes import detention
from tumen.engine.states import HIDDEN_STATES, Channel, Pending, State
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


def hazards(ctx: Context, rows: np.ndarray, crackdown: np.ndarray | None = None,
            can_pay: np.ndarray | None = None) -> np.ndarray:
    """Daily hazard of each event for each escapee: float [rows, 6].

    By default today's; `crackdown` and `can_pay` override today's values (for bounds).
    """
    pop, params = ctx.pop, ctx.params.hiding
    if crackdown is None:
        crackdown = ctx.input("crackdown", ctx.country_of(rows))
    if can_pay is None:
        can_pay = pop.funds[rows] >= broker_fee(ctx)
    rates = np.array([getattr(params, name) for name in hiding_kernels.RATE_NAMES])
    return hiding_kernels.hazards(np.ascontiguousarray(rows, dtype=np.int64), pop.state,
                                  pop.woman, np.ascontiguousarray(crackdown, dtype=np.float64),
                                  np.ascontiguousarray(can_pay), rates)


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
    pop, window = ctx.pop, ctx.params.hiding.review_days
    countries = ctx.country_of(rows)
    crackdown = ctx.input_ahead("crackdown", countries, window, "max")
    lowest_fee = ctx.params.intake.broker_fee_usd * ctx.input_ahead(
        "broker_fees", NORTH_KOREA, window, "min")
    reachable = pop.funds[rows] + daily_earnings(ctx, rows) * window
    bound = hazards(ctx, rows, crackdown, reachable >= lowest_fee).sum(axis=1)
    wait, event = waiting_days(ctx.luck(rows), bound, window)
    pop.hazard_bound[rows] = bound
    pop.pending[rows] = np.where(event, Pending.EVENT, Pending.REVIEW)
    ctx.wake_in(rows, wait)


def _earn(ctx: Context, rows: np.ndarray) -> None:
    """Wages since the last wake-up, for all but the trafficked."""
    pop = ctx.pop
    working = rows[pop.state[rows] != State.TRAFFICKED]
    earned = daily_earnings(ctx, working) * (ctx.day - pop.since[working])
    pop.funds[working] += earned
    ctx.book("china_earnings", earned.sum())
    pop.since[rows] = ctx.day


class Hiding:
    """Resolves the events of escapees hiding in China that fall due today."""

    name = "hiding"

    def step(self, ctx: Context) -> None:
        rows = ctx.due_in(*HIDDEN_STATES)
        if rows.size == 0:
            return
        pop = ctx.pop
        _earn(ctx, rows)
        rates = hazards(ctx, rows)
        # Thinning: a candidate drawn under the bound is real with probability h / bound.
        accept = ctx.luck(rows).random(rows.size) * pop.hazard_bound[rows] < rates.sum(axis=1)
        has_event = (pop.pending[rows] == Pending.EVENT) & accept
        quiet = rows[~has_event]
        rows = rows[has_event]
        event = choose(ctx.luck(rows), rates[has_event])
        detention.arrest(ctx, rows[event == ARREST])
        trafficked = rows[event == TRAFFICKING]
        pop.move(trafficked, State.TRAFFICKED)
        ctx.count("trafficked", trafficked.size)
        settled = rows[event == SETTLE]
        pop.move(settled, State.SETTLED)
        ctx.count("settled", settled.size)
        escaped = rows[event == ESCAPE]
        pop.move(escaped, State.HIDING)
        # Referrals and broker contacts are handed to intake today, wake-up unchanged.
        pop.pending[rows[event == REFERRAL]] = Pending.RESCUE
        pop.pending[rows[event == BROKER]] = Pending.BROKER
        schedule(ctx, np.concatenate([quiet, trafficked, settled, escaped]))


def sample_hidden(ctx: Context, rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` escapees picked at random among those hiding (not trafficked) in China, fewer
    if they are scarce. Those settled into long-term hiding are harder to reach: they
    are kept with the settled hazard factor as probability.

    Sampling rows and keeping the hidden ones avoids scanning the whole population.
    """
    pop = ctx.pop
    # No more can be found than are hiding there (and a huge `n` must not size the draw).
    n = min(n, int(pop.counts[[State.HIDING, State.SETTLED], CHINA].sum()))
    if n == 0 or len(pop) == 0:
        return np.empty(0, dtype=np.int64)
    found = np.empty(0, dtype=np.int64)
    for _ in range(8):
        rows = rng.integers(0, len(pop), size=20 * n)
        state = pop.state[rows]
        reach = np.where(state == State.SETTLED, ctx.params.hiding.settled_hazard_factor, 1.0)
        hidden = (state == State.HIDING) | (state == State.SETTLED)
        hidden &= (ctx.country_of(rows) == CHINA) & (rng.random(rows.size) < reach)
        found = np.unique(np.concatenate([found, rows[hidden]]))
        if found.size >= n:
            break
    return rng.permutation(found)[:n]
