"""The checks every run must pass: nobody lost or counted twice, every dollar booked."""

from __future__ import annotations

import numpy as np

from tumen.engine.context import Context
from tumen.engine.ledger import BALANCES
from tumen.engine.states import N_STATES
from tumen.results import InvariantCheck

MONEY_TOLERANCE = 1e-6


def one_state_each(ctx: Context) -> InvariantCheck:
    """Each escapee is in exactly one valid state, and the kept counts match a recount."""
    pop = ctx.pop
    valid = bool(((pop.state >= 0) & (pop.state < N_STATES)).all())
    matches = bool(np.array_equal(pop.recount(), pop.counts))
    return InvariantCheck(
        "one_state_each",
        valid and matches,
        f"{len(pop)} escapees; states valid: {valid}; kept counts equal a recount: {matches}",
    )


def stocks_add_up(ctx: Context) -> InvariantCheck:
    """Every day, the states add up to those present on day 0 plus everyone who has left."""
    recorder = ctx.recorder
    initial = ctx.world.present_on_day_0
    entered = np.cumsum(recorder.flows["departures"] + recorder.flows["chain_departures"])
    expected = initial + entered
    in_states = recorder.stocks.sum(axis=(1, 2))
    bad = np.flatnonzero(in_states != expected)
    also_rows = bool((recorder.population_total == expected).all())
    detail = (
        f"all {expected.size} days add up to {initial} initial + departures"
        if bad.size == 0 and also_rows
        else f"{bad.size} days do not add up; first: day {bad[0] if bad.size else '?'}"
    )
    return InvariantCheck("stocks_add_up", bad.size == 0 and also_rows, detail)


def money_balances(ctx: Context) -> InvariantCheck:
    """Money in equals money out plus what is still held, and no one holds less than 0."""
    ledger = ctx.ledger
    money_in, money_out, held = ledger.money_in(), ledger.money_out(), ledger.held()
    scale = max(1.0, money_in)
    books_close = abs(money_in - money_out - held) <= MONEY_TOLERANCE * scale
    funds = float(ctx.pop.funds.sum())
    escapees_match = abs(funds - ledger.balance["escapees"]) <= MONEY_TOLERANCE * scale
    non_negative = all(ledger.balance[name] >= -MONEY_TOLERANCE * scale for name in BALANCES)
    return InvariantCheck(
        "money_balances",
        books_close and escapees_match and non_negative,
        f"in {money_in:,.0f} = out {money_out:,.0f} + held {held:,.0f}; "
        f"escapees' funds {funds:,.0f} vs ledger {ledger.balance['escapees']:,.0f}; "
        f"balances non-negative: {non_negative}",
    )


def check_all(ctx: Context) -> list[InvariantCheck]:
    """All invariant checks of a finished run."""
    return [one_state_each(ctx), stocks_add_up(ctx), money_balances(ctx)]
